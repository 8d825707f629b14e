#pragma once
/// @file
/// Loss aggregation over tokens and sequences (method.md §4; verl's agg_loss conventions):
///  - token_mean:              sum(L m) / N * dp, N = sum(m) or the accumulation window's token count;
///  - seq_mean_token_mean:     mean over non-empty rows of sum_t(L m) / (sum_t m + seq_eps), * dp;
///  - seq_mean_token_sum:      mean over non-empty rows of sum_t(L m), * dp;
///  - seq_mean_token_sum_norm: sum(L m) / S, S = `scale` or the padded width T (Dr.GRPO).
/// Masked positions never leak NaN or inf (where(m, L, 0) before summing).

#include <raif/torch.hpp>

#include <optional>

namespace raif {

enum class LossAggregation { token_mean, seq_mean_token_mean, seq_mean_token_sum, seq_mean_token_sum_norm };

struct AggregationOptions {
  std::optional<double> num_tokens;    ///< tokens of the whole accumulation window (token_mean)
  std::optional<double> num_sequences; ///< sequences of the whole window (seq_mean_*)
  std::optional<double> scale;         ///< the constant of seq_mean_token_sum_norm
  double dp_size = 1;                  ///< data-parallel ranks the window is split over
  double seq_eps = 1e-8;               ///< added to a row's token count (seq_mean_token_mean)
};

/// Aggregates a [B, T] loss under a [B, T] 0/1 mask into a scalar.
inline torch::Tensor aggregate_loss(const torch::Tensor& loss, const torch::Tensor& mask, LossAggregation mode,
                                    const AggregationOptions& o = {}) {
  const auto m = mask.to(loss.dtype());
  const auto masked = torch::where(m > 0, loss, torch::zeros_like(loss)) * m;
  switch (mode) {
  case LossAggregation::token_mean: {
    const auto n = o.num_tokens ? torch::full({}, *o.num_tokens, loss.options()) : m.sum();
    return masked.sum() / n * o.dp_size;
  }
  case LossAggregation::seq_mean_token_sum:
  case LossAggregation::seq_mean_token_mean: {
    const auto tokens = m.sum(-1);
    auto rows = masked.sum(-1);
    if (mode == LossAggregation::seq_mean_token_mean) rows = rows / (tokens + o.seq_eps);
    const auto nonempty = (tokens > 0).to(loss.dtype());
    const auto g = o.num_sequences ? torch::full({}, *o.num_sequences, loss.options()) : nonempty.sum();
    return (rows * nonempty).sum() / g * o.dp_size;
  }
  case LossAggregation::seq_mean_token_sum_norm:
    return masked.sum() / (o.scale ? *o.scale : static_cast<double>(loss.size(-1)));
  }
  return masked.sum();
}

} // namespace raif
