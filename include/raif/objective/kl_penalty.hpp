#pragma once
/// @file
/// KLPenalty<K>: KL to the frozen reference policy as a loss term (method.md §4), with the
/// estimators of Schulman's note, d = log pi - log pi_ref:
///   K1: d;  K2: d^2 / 2;  K3: exp(-d) + d - 1 (unbiased, always >= 0);  AbsKL: |d|.
/// verl clamps k3: x = clamp(-d, +-20), k3 = clamp(e^x - x - 1, -10, 10) (`clamp = true`).
/// The loss is coef * aggregate(k, mask); metric: kl (the masked mean estimate).

#include <raif/objective/aggregation.hpp>
#include <raif/objective/term.hpp>

namespace raif {

// Each estimator is a function of the log-ratio d = log pi - log pi_ref.
struct K1 {
  static torch::Tensor estimate(const torch::Tensor& d, bool) { return d; }
};
struct K2 {
  static torch::Tensor estimate(const torch::Tensor& d, bool) { return 0.5 * d.square(); }
};
struct K3 {
  static torch::Tensor estimate(const torch::Tensor& d, bool clamp) {
    auto x = -d;
    if (clamp) x = torch::clamp(x, -20.0, 20.0);
    auto k = torch::exp(x) - x - 1;
    return clamp ? torch::clamp(k, -10.0, 10.0) : k;
  }
};
struct AbsKL {
  static torch::Tensor estimate(const torch::Tensor& d, bool) { return d.abs(); }
};

template <class Estimator> struct KLPenalty {
  double coef = 1e-3;
  bool clamp = true;                 ///< verl's clamps (k3 only); RAIF's OpenRLHF code does not clamp
  bool float32 = false;              ///< RAIF's OpenRLHF code computes in float32
  bool mask_before_estimate = false; ///< RAIF's OpenRLHF code: d *= mask before the estimator
  LossAggregation aggregation = LossAggregation::seq_mean_token_mean;
  AggregationOptions aggregation_options{};

  /// The per-token estimate (also the reward-penalty form: subtract coef * estimate from rewards).
  torch::Tensor estimate(const torch::Tensor& logp, const torch::Tensor& ref_logp,
                         const torch::Tensor& mask = {}) const {
    auto d = float32 ? logp.to(torch::kFloat32) - ref_logp.to(torch::kFloat32) : logp - ref_logp;
    if (mask_before_estimate && mask.defined()) d = d * mask.to(d.dtype());
    return Estimator::estimate(d, clamp);
  }
  ObjectiveOutput operator()(const torch::Tensor& logp, const torch::Tensor& ref_logp,
                             const torch::Tensor& mask) const {
    const auto k = estimate(logp, ref_logp, mask);
    ObjectiveOutput out{coef * aggregate_loss(k, mask, aggregation, aggregation_options), {}};
    torch::NoGradGuard no_grad;
    out.metrics = {{"kl", detail::masked_mean(k, mask)}};
    return out;
  }
};

} // namespace raif
