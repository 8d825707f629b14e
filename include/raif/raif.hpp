#pragma once
/// @file
/// Umbrella header of raif's core (no LibTorch): text utilities, constraints, compositions,
/// judges, rewards, IFEval evaluation.

#include <raif/compose/compose.hpp>
#include <raif/constraint/ifeval.hpp>
#include <raif/eval/ifeval.hpp>
#include <raif/eval/ifeval_io.hpp>
#include <raif/judge/judge.hpp>
#include <raif/judge/judge_question.hpp>
#include <raif/judge/lookup_judge.hpp>
#include <raif/reward/reward.hpp>
#include <raif/text/json_validity.hpp>
#include <raif/text/langdetect.hpp>
#include <raif/text/punkt.hpp>
#include <raif/text/split.hpp>
#include <raif/text/strip.hpp>
#include <raif/text/treebank.hpp>
#include <raif/text/words.hpp>
