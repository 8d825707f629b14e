#pragma once
/// @file
/// The tensor twins of the CPU estimators (estimators.hpp), for rewards on the device: same
/// options, same results (tests/objective: agreement to 1e-12). Rewards are [prompts, G] or a flat
/// [N] vector with group ids [N].

#include <raif/advantage/estimators.hpp>
#include <raif/torch.hpp>

namespace raif {

namespace detail {
// Group index (0..K-1) per sample and the per-group count, sum and centred sum of squares.
struct TensorGroups {
  torch::Tensor inverse, counts;
};
inline TensorGroups tensor_groups(const torch::Tensor& ids) {
  auto [uniq, inverse, counts] = at::_unique2(ids, /*sorted=*/true, /*return_inverse=*/true, /*return_counts=*/true);
  return {inverse, counts};
}
inline std::pair<torch::Tensor, torch::Tensor> flat_and_ids(const torch::Tensor& rewards, const torch::Tensor& ids) {
  if (rewards.dim() == 2)
    return {rewards.reshape({-1}),
            torch::arange(rewards.size(0), torch::TensorOptions().dtype(torch::kLong).device(rewards.device()))
                .repeat_interleave(rewards.size(1))};
  if (!ids.defined() || ids.sizes() != rewards.sizes())
    throw error("raif: flat rewards need group ids of the same shape");
  return {rewards, ids};
}
} // namespace detail

/// GroupNorm on tensors: returns advantages with the rewards' shape.
inline torch::Tensor group_norm(const torch::Tensor& rewards, const GroupNorm& cfg, const torch::Tensor& ids = {}) {
  const auto [r, id] = detail::flat_and_ids(rewards, ids);
  const auto g = detail::tensor_groups(id);
  const auto k = g.counts.size(0);
  const auto n = g.counts.to(r.dtype());
  const auto mean = torch::zeros({k}, r.options()).index_add_(0, g.inverse, r) / n;
  const auto dev = r - mean.index_select(0, g.inverse);
  const auto ss = torch::zeros({k}, r.options()).index_add_(0, g.inverse, dev * dev);
  auto sd = torch::sqrt(ss / (n - (cfg.unbiased ? 1.0 : 0.0)).clamp_min(1e-300)).index_select(0, g.inverse);
  if (cfg.std_over_batch)
    sd = torch::full_like(r, r.numel() > 1 ? r.std(/*unbiased=*/cfg.unbiased).item<double>() : 0.0);
  const auto single = (g.counts == 1).index_select(0, g.inverse);
  auto a = cfg.scale_by_std ? dev / (sd + cfg.eps) : dev;
  if (cfg.scale_by_std && !cfg.zero_variance_exact) a = torch::where(sd == 0, torch::zeros_like(a), a);
  torch::Tensor singleton_value;
  switch (cfg.singleton) {
  case Singleton::raw_reward: singleton_value = r; break;
  case Singleton::verl_grpo:
    singleton_value = cfg.scale_by_std ? r / static_cast<double>(static_cast<float>(1.0 + cfg.eps)) : r;
    break;
  default: singleton_value = torch::zeros_like(r);
  }
  return torch::where(single, singleton_value, a).reshape(rewards.sizes());
}

/// RLOO on tensors.
inline torch::Tensor rloo(const torch::Tensor& rewards, const RLOO& cfg, const torch::Tensor& ids = {}) {
  const auto [r, id] = detail::flat_and_ids(rewards, ids);
  const auto g = detail::tensor_groups(id);
  const auto n = g.counts.to(r.dtype()).index_select(0, g.inverse);
  const auto sum = torch::zeros({g.counts.size(0)}, r.options()).index_add_(0, g.inverse, r).index_select(0, g.inverse);
  const auto a = r - (sum - r) / (n - 1).clamp_min(1);
  const auto single = n == 1;
  return torch::where(single, cfg.singleton == Singleton::zero ? torch::zeros_like(r) : r, a).reshape(rewards.sizes());
}

/// REINFORCE++ with a baseline on tensors: `tokens` holds each sample's valid-token count.
inline torch::Tensor reinforce_plus_plus_baseline(const torch::Tensor& rewards, const torch::Tensor& tokens,
                                                  const torch::Tensor& ids = {}) {
  const auto [r, id] = detail::flat_and_ids(rewards, ids);
  const auto g = detail::tensor_groups(id);
  const auto n = g.counts.to(r.dtype()).index_select(0, g.inverse);
  const auto mean =
      (torch::zeros({g.counts.size(0)}, r.options()).index_add_(0, g.inverse, r)).index_select(0, g.inverse) / n;
  const auto c = torch::where(n > 1, r - mean, r);
  const auto w = tokens.reshape({-1}).to(r.dtype());
  const auto total = w.sum();
  if (total.item<double>() <= 1)
    throw error("raif: reinforce_plus_plus_baseline needs more than one valid token in the batch");
  const auto mu = (c * w).sum() / (total + 1e-8);
  const auto var = ((c - mu).square() * w).sum() / (total + 1e-8) * (total / (total - 1));
  return ((c - mu) / torch::sqrt(var + 1e-8)).reshape(rewards.sizes());
}

} // namespace raif
