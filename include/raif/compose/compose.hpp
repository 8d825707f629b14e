#pragma once
/// @file
/// Compositions: And, Chain, Select, their segmenters, captures, leaves, verdicts, aggregation
/// policies, and the runtime twin read from JSON.

#include <raif/compose/and.hpp>
#include <raif/compose/chain.hpp>
#include <raif/compose/leaves.hpp>
#include <raif/compose/policy.hpp>
#include <raif/compose/runtime.hpp>
#include <raif/compose/select.hpp>
