#pragma once
/// @file
/// What an objective term returns: its loss (a scalar tensor that carries the gradient) and named
/// metrics for logging.

#include <raif/torch.hpp>

#include <string>
#include <utility>
#include <vector>

namespace raif {

struct ObjectiveOutput {
  torch::Tensor loss;
  std::vector<std::pair<std::string, double>> metrics;

  double metric(std::string_view name) const {
    for (const auto& [k, v] : metrics)
      if (k == name) return v;
    throw error("raif: objective output has no metric '" + std::string(name) + "'");
  }
};

namespace detail {
// Σ(x m) / (Σm + 1e-8): verl's masked_mean, used for metrics.
inline double masked_mean(const torch::Tensor& x, const torch::Tensor& m) {
  const auto mm = m.to(torch::kFloat64);
  return ((x.to(torch::kFloat64) * mm).sum() / (mm.sum() + 1e-8)).item<double>();
}
} // namespace detail

} // namespace raif
