#pragma once
/// @file
/// Rewards: answer extraction, FormatReward, AnswerReward, RaifReward, combinators and batch
/// scoring (judges are in judge/).

#include <raif/reward/answer.hpp>
#include <raif/reward/answer_reward.hpp>
#include <raif/reward/batch.hpp>
#include <raif/reward/combinators.hpp>
#include <raif/reward/format.hpp>
#include <raif/reward/term.hpp>
