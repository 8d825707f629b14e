#pragma once
/// @file
/// ClippedSurrogate: PPO's clipped policy-gradient loss (method.md §4), per token,
///   delta = log pi - log pi_old  (optionally clamped to +-log_ratio_clamp), r = exp(delta),
///   L = max(-A r, -A clamp(r, 1 - eps_low, 1 + eps_high)),
///   dual clip (A < 0 only): L = min(L, -A c),
/// aggregated by `aggregation`. Metrics: clip_fraction (the clipped branch is larger),
/// clip_fraction_lower (the dual clip binds), approx_kl (mean of -delta), ratio_mean/max/min.
/// Gradients follow PyTorch's rules (max/min of equal values split the gradient in half).

#include <raif/objective/aggregation.hpp>
#include <raif/objective/term.hpp>

#include <optional>

namespace raif {

/// How a per-sample loss mask (superior-CoT's keep mask) enters the loss.
enum class MaskedSamples {
  exclude,       ///< raif: masked samples leave the loss and its denominator
  released_code, ///< RAIF's OpenRLHF code: ratio forced to 1 (zero gradient), still counted
};

struct ClippedSurrogate {
  double eps_low = 0.2, eps_high = 0.2;
  std::optional<double> dual_clip;              ///< c > 1 (verl: 3); none in RAIF's OpenRLHF
  std::optional<double> log_ratio_clamp = 20.0; ///< verl clamps delta to +-20; OpenRLHF does not
  LossAggregation aggregation = LossAggregation::seq_mean_token_mean;
  AggregationOptions aggregation_options{};
  MaskedSamples masked_samples = MaskedSamples::exclude;

  /// `loss_mask` (optional, 0/1): which samples train, per sample [B] (SuperiorCoT's
  /// Selection::keep) or per token [B, T] (OpenRLHF's PolicyLoss loss_mask); `masked_samples` says
  /// how it enters the loss.
  ObjectiveOutput operator()(const torch::Tensor& logp, const torch::Tensor& old_logp, const torch::Tensor& advantages,
                             const torch::Tensor& token_mask, const torch::Tensor& loss_mask = {}) const {
    if (dual_clip && *dual_clip <= 1.0) throw error("raif: ClippedSurrogate: dual_clip must be > 1");
    auto delta = logp - old_logp;
    if (log_ratio_clamp) delta = torch::clamp(delta, -*log_ratio_clamp, *log_ratio_clamp);
    torch::Tensor mask = token_mask;
    if (loss_mask.defined()) {
      if (loss_mask.dim() != 1 && loss_mask.sizes() != token_mask.sizes())
        throw error("raif: ClippedSurrogate: the loss mask must be [B] or [B, T] like the token mask");
      const auto keep = loss_mask.dim() == 1 ? loss_mask.to(logp.dtype()).reshape({-1, 1}) : loss_mask.to(logp.dtype());
      if (masked_samples == MaskedSamples::exclude)
        mask = token_mask.to(logp.dtype()) * keep;
      else
        delta = delta * keep;
    }
    const auto ratio = torch::exp(delta);
    const auto unclipped = -advantages * ratio;
    const auto clipped = -advantages * torch::clamp(ratio, 1.0 - eps_low, 1.0 + eps_high);
    const auto surrogate = torch::maximum(unclipped, clipped);
    auto per_token = surrogate;
    double clip_lower = 0;
    if (dual_clip) {
      const auto floor = -advantages * *dual_clip;
      per_token = torch::where(advantages < 0, torch::minimum(floor, surrogate), surrogate);
      clip_lower = detail::masked_mean(((surrogate > floor) & (advantages < 0)).to(torch::kFloat64), mask);
    }
    ObjectiveOutput out{aggregate_loss(per_token, mask, aggregation, aggregation_options), {}};
    torch::NoGradGuard no_grad;
    const auto valid = mask > 0;
    out.metrics = {{"clip_fraction", detail::masked_mean((clipped > unclipped).to(torch::kFloat64), mask)},
                   {"clip_fraction_lower", clip_lower},
                   {"approx_kl", detail::masked_mean(-delta, mask)},
                   {"ratio_mean", detail::masked_mean(ratio, mask)},
                   {"ratio_max", valid.any().item<bool>() ? ratio.masked_select(valid).max().item<double>() : 1.0},
                   {"ratio_min", valid.any().item<bool>() ? ratio.masked_select(valid).min().item<double>() : 1.0},
                   {"keep_ratio", keep_ratio(loss_mask, token_mask)}};
    return out;
  }

private:
  // The share of samples (per-sample mask) or of valid tokens (per-token mask) that train.
  static double keep_ratio(const torch::Tensor& loss_mask, const torch::Tensor& token_mask) {
    if (!loss_mask.defined()) return 1.0;
    if (loss_mask.dim() == 1) return loss_mask.to(torch::kFloat64).mean().item<double>();
    return detail::masked_mean(loss_mask, token_mask);
  }
};

} // namespace raif
