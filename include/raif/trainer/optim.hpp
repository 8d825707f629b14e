#pragma once
/// @file
/// The optimiser and learning-rate schedule stages of a training loop.
///
/// Concept `optimizer_factory`: `o(parameters, lr, weight_decay)` returns a LibTorch optimiser
/// (its state is what checkpoints save). Models: AdamW, Sgd.
/// Concept `lr_schedule`: `s(progress)` is the multiple of the peak learning rate at `progress`
/// in [0, 1] of the steps after the warm-up. Models: Cosine (to a floor), Linear, Constant.
/// `learning_rate(schedule, peak, warmup, step, total)` adds the linear warm-up common to all.

#include <raif/torch.hpp>

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <memory>
#include <numbers>
#include <vector>

namespace raif {

template <class O>
concept optimizer_factory = requires(const O& o, std::vector<torch::Tensor> p, double lr, double wd) {
  { o(p, lr, wd) } -> std::convertible_to<std::unique_ptr<torch::optim::Optimizer>>;
};

struct AdamW {
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  std::unique_ptr<torch::optim::Optimizer> operator()(std::vector<torch::Tensor> params, double lr, double wd) const {
    return std::make_unique<torch::optim::AdamW>(
        std::move(params), torch::optim::AdamWOptions(lr).betas({beta1, beta2}).eps(eps).weight_decay(wd));
  }
};

struct Sgd {
  double momentum = 0.0;
  std::unique_ptr<torch::optim::Optimizer> operator()(std::vector<torch::Tensor> params, double lr, double wd) const {
    return std::make_unique<torch::optim::SGD>(std::move(params),
                                               torch::optim::SGDOptions(lr).momentum(momentum).weight_decay(wd));
  }
};

/// Sets the learning rate of every parameter group.
inline void set_learning_rate(torch::optim::Optimizer& opt, double lr) {
  for (auto& group : opt.param_groups()) group.options().set_lr(lr);
}

template <class S>
concept lr_schedule = requires(const S& s, double progress) {
  { s(progress) } -> std::convertible_to<double>;
};

/// Half a cosine from 1 down to `floor`.
struct Cosine {
  double floor = 0.1;
  double operator()(double progress) const {
    return floor + (1 - floor) * 0.5 * (1 + std::cos(std::numbers::pi * std::min(1.0, progress)));
  }
};
/// A straight line from 1 down to `floor`.
struct Linear {
  double floor = 0.0;
  double operator()(double progress) const { return 1 - (1 - floor) * std::min(1.0, progress); }
};
struct Constant {
  double operator()(double) const { return 1.0; }
};

/// The learning rate at `step` of `total`: linear warm-up to `peak` over `warmup` steps, then
/// `peak` times the schedule.
template <lr_schedule S>
double learning_rate(const S& schedule, double peak, std::int64_t warmup, std::int64_t step, std::int64_t total) {
  if (step < warmup) return peak * static_cast<double>(step + 1) / static_cast<double>(warmup);
  const double progress =
      total > warmup ? static_cast<double>(step - warmup) / static_cast<double>(total - warmup) : 1.0;
  return peak * schedule(progress);
}

} // namespace raif
