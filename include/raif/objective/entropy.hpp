#pragma once
/// @file
/// Entropy bonus from logits: H = logsumexp(x) - sum softmax(x) x over the vocabulary, per token.
/// Computed in chunks of rows by a custom autograd function that saves only the logits (which the
/// caller holds anyway) and recomputes the softmax chunk by chunk in backward
/// (dH/dx = -p (x - E_p[x])): a [B, T, V] softmax is never kept for the gradient.

#include <raif/objective/aggregation.hpp>
#include <raif/objective/term.hpp>

namespace raif {

namespace detail {
struct EntropyFunction : torch::autograd::Function<EntropyFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& logits, int64_t chunk) {
    ctx->save_for_backward({logits});
    ctx->saved_data["chunk"] = chunk;
    const auto flat = logits.reshape({-1, logits.size(-1)});
    auto out = torch::empty({flat.size(0)}, logits.options());
    for (int64_t b = 0; b < flat.size(0); b += chunk) {
      const auto x = flat.slice(0, b, std::min(b + chunk, flat.size(0)));
      const auto p = torch::softmax(x, -1);
      out.slice(0, b, b + x.size(0)).copy_(torch::logsumexp(x, -1) - (p * x).sum(-1));
    }
    return out.reshape(logits.sizes().slice(0, logits.dim() - 1));
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grad) {
    const auto logits = ctx->get_saved_variables()[0];
    const int64_t chunk = ctx->saved_data["chunk"].toInt();
    const auto flat = logits.reshape({-1, logits.size(-1)});
    const auto g = grad[0].reshape({-1, 1});
    auto dx = torch::empty_like(flat);
    for (int64_t b = 0; b < flat.size(0); b += chunk) {
      const int64_t e = std::min(b + chunk, flat.size(0));
      const auto x = flat.slice(0, b, e);
      const auto p = torch::softmax(x, -1);
      const auto mean = (p * x).sum(-1, true);
      dx.slice(0, b, e).copy_(-p * (x - mean) * g.slice(0, b, e));
    }
    return {dx.reshape(logits.sizes()), torch::Tensor()};
  }
};
} // namespace detail

/// Per-token entropy of the categorical distributions given by `logits` [..., V].
inline torch::Tensor entropy_from_logits(const torch::Tensor& logits, int64_t chunk_rows = 1024) {
  return detail::EntropyFunction::apply(logits, chunk_rows);
}

/// The entropy bonus as a loss term: loss = -coef * aggregate(H, mask). Metric: entropy.
struct Entropy {
  static constexpr std::string_view name = "entropy";
  double coef = 0.0;
  int64_t chunk_rows = 1024;
  ObjectiveOutput operator()(const torch::Tensor& logits, const torch::Tensor& mask, LossAggregation mode,
                             const AggregationOptions& o = {}) const {
    return of_entropy(entropy_from_logits(logits, chunk_rows), mask, mode, o);
  }
  /// From per-token entropies [B, T] already computed (and differentiable), e.g. by the model's
  /// chunked Qwen2::token_logprobs_entropy.
  ObjectiveOutput of_entropy(const torch::Tensor& h, const torch::Tensor& mask, LossAggregation mode,
                             const AggregationOptions& o = {}) const {
    const auto agg = aggregate_loss(h, mask, mode, o);
    ObjectiveOutput out{-coef * agg, {}};
    out.metrics = {{"entropy", agg.item<double>()}};
    return out;
  }
};

} // namespace raif
