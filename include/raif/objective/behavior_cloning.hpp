#pragma once
/// @file
/// BehaviorCloning: the SFT term on expert traces (method.md §4), loss = coef * aggregate(-log pi(expert token), mask)
/// on a separate expert batch. The mask covers the expert's response tokens; pass a mask that also
/// covers the prompt to include prompt tokens, as RAIF's released code does. Metric: nll.

#include <raif/objective/aggregation.hpp>
#include <raif/objective/term.hpp>

namespace raif {

struct BehaviorCloning {
  static constexpr std::string_view name = "bc";
  double coef = 1.0;
  ObjectiveOutput operator()(const torch::Tensor& expert_logp, const torch::Tensor& expert_mask, LossAggregation mode,
                             const AggregationOptions& o = {}) const {
    const auto nll = aggregate_loss(-expert_logp, expert_mask, mode, o);
    ObjectiveOutput out{coef * nll, {}};
    out.metrics = {{"nll", nll.item<double>()}};
    return out;
  }
};

} // namespace raif
