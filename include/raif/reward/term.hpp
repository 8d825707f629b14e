#pragma once
/// @file
/// The `reward_term` concept: a callable that scores one sample and reports its components.
///
/// Definition: R models reward_term if `r(sample)` (const) returns a RewardResult.
/// Laws: the value is a pure function of the sample (and of the judge's answers, when the term
/// uses one); components are named numbers for logging, their sum need not be the value.
/// Models: FormatReward, AnswerReward, and the combinators Sum, WeightedSum, GateOn, Clip, Scale.

#include <raif/compose/verdict.hpp>

#include <nlohmann/json.hpp>

#include <concepts>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace raif {

class Judge;

/// One (prompt, response) to score, with the item's context fields and optionally a judge.
struct Sample {
  std::string_view prompt;
  std::string_view response;
  const nlohmann::json* context = nullptr;
  const Judge* judge = nullptr;
};

/// A reward value with its named components (format, accuracy, per-leaf pass rate, ...) and, for
/// terms that evaluate a composition, the verdict.
struct RewardResult {
  double value = 0;
  std::vector<std::pair<std::string, double>> components;
  std::optional<Verdict> verdict;

  double component(std::string_view name) const {
    for (const auto& [k, v] : components)
      if (k == name) return v;
    throw error("raif: reward has no component '" + std::string(name) + "'");
  }
};

template <class R>
concept reward_term = requires(const R& r, const Sample& s) {
  { r(s) } -> std::same_as<RewardResult>;
};

namespace detail {
// Appends b's components to a's; a repeated name gets a "#2", "#3" suffix.
inline void merge_components(RewardResult& a, RewardResult&& b) {
  for (auto& [k, v] : b.components) {
    std::string name = k;
    for (int n = 2;; ++n) {
      bool taken = false;
      for (const auto& [k2, v2] : a.components) taken = taken || k2 == name;
      if (!taken) break;
      name = k + "#" + std::to_string(n);
    }
    a.components.emplace_back(std::move(name), v);
  }
  if (!a.verdict && b.verdict) a.verdict = std::move(b.verdict);
}
} // namespace detail

} // namespace raif
