#pragma once
/// @file
/// Sample selection before the policy loss (method.md §3): superior-CoT enforcement and DAPO's
/// dynamic sampling. Both return a per-sample loss mask and what they did, and model
/// `sample_selection` (a member `Selection operator()(const SelectionInput&) const`), the
/// selection stage of a GRPO step; NoSelection keeps every sample.

#include <raif/advantage/groups.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <concepts>
#include <optional>
#include <vector>

namespace raif {

/// The outcome of a selection: which samples train, and a report.
struct Selection {
  std::vector<bool> keep;          ///< per sample: enters the policy loss
  std::vector<bool> dropped_group; ///< per group: every sample dropped
  std::size_t kept = 0;
  std::size_t groups_dropped = 0;
  double keep_ratio() const {
    return keep.empty() ? 0.0 : static_cast<double>(kept) / static_cast<double>(keep.size());
  }
};

/// What a selection reads: per sample its total reward, its accuracy reward, whether it reasoned
/// (false: a forced no-reasoning sample), and the groups.
struct SelectionInput {
  const Eigen::ArrayXd& reward;
  const Eigen::ArrayXd& accuracy;
  const std::vector<bool>& reasoning;
  const Groups& groups;
};

/// Concept `sample_selection`. Law: `keep` has one entry per sample, `kept` counts its true
/// entries and `dropped_group` one per group. A selection that needs forced no-reasoning samples as
/// its contrast says so with `static constexpr bool uses_no_reasoning_contrast = true`; the
/// rollout draws them only then, and they never train whatever the selection.
template <class S>
concept sample_selection = requires(const S& s, const SelectionInput& in) {
  { s(in) } -> std::same_as<Selection>;
};

/// Whether selection `S` compares reasoning with forced no-reasoning samples.
template <class S> constexpr bool uses_no_reasoning_contrast() {
  if constexpr (requires { S::uses_no_reasoning_contrast; })
    return S::uses_no_reasoning_contrast;
  else
    return false;
}

/// Every sample trains (the ablation without superior-CoT).
struct NoSelection {
  Selection operator()(const SelectionInput& in) const {
    Selection s;
    s.keep = in.reasoning; // forced no-reasoning samples, if any, still never train
    s.kept = static_cast<std::size_t>(std::count(s.keep.begin(), s.keep.end(), true));
    s.dropped_group.assign(in.groups.members.size(), false);
    return s;
  }
};

/// Superior-CoT enforcement. Per prompt, reasoning samples and forced no-reasoning samples:
///  - no-reasoning samples never train (they are the contrast);
///  - if every reasoning sample's accuracy is below every no-reasoning sample's
///    (max over reasoning < min over no-reasoning), the whole prompt is dropped.
/// Options for the released code's extra behaviours (off by default):
///  - `all_equal_clause`: drop only if, in addition, the reasoning accuracies are not all equal;
///  - `reference_counts`: keep a reasoning sample only if it satisfies at least as many
///    constraints as a stored offline no-reasoning reference count for its prompt.
/// Whether masked samples stay in the group statistics and in the loss denominator is the
/// advantage's and the objective's business: see GroupNorm's `include` and the loss options.
struct SuperiorCoT {
  static constexpr bool uses_no_reasoning_contrast = true;
  bool all_equal_clause = false;

  Selection operator()(const SelectionInput& in) const { return (*this)(in.accuracy, in.reasoning, in.groups); }

  Selection operator()(const Eigen::ArrayXd& accuracy, const std::vector<bool>& reasoning, const Groups& g,
                       const std::vector<double>* satisfied = nullptr,
                       const std::vector<double>* reference = nullptr) const {
    if (reasoning.size() != static_cast<std::size_t>(accuracy.size()) || g.samples != reasoning.size())
      throw error("raif: SuperiorCoT: accuracy, reasoning flags and groups must describe the same samples");
    if ((satisfied == nullptr) != (reference == nullptr))
      throw error("raif: SuperiorCoT: the reference-count mask needs both satisfied counts and references");
    Selection s;
    s.keep.assign(reasoning.size(), false);
    s.dropped_group.assign(g.members.size(), false);
    for (std::size_t k = 0; k < g.members.size(); ++k) {
      const auto& m = g.members[k];
      std::optional<double> max_r, min_n, first_r;
      bool all_equal = true;
      for (auto i : m) {
        const double a = accuracy[static_cast<Eigen::Index>(i)];
        if (reasoning[i]) {
          if (first_r && *first_r != a) all_equal = false;
          if (!first_r) first_r = a;
          max_r = max_r ? std::max(*max_r, a) : a;
        } else {
          min_n = min_n ? std::min(*min_n, a) : a;
        }
      }
      const bool inferior = max_r && min_n && *max_r < *min_n && !(all_equal_clause && all_equal);
      if (inferior) {
        s.dropped_group[k] = true;
        ++s.groups_dropped;
        continue;
      }
      for (auto i : m) {
        bool keep = reasoning[i];
        if (keep && satisfied) keep = (*satisfied)[i] >= (*reference)[k];
        s.keep[i] = keep;
        s.kept += keep;
      }
    }
    return s;
  }
};

/// DAPO's dynamic sampling: drop groups whose rewards are all equal (no learning signal).
struct DynamicSampling {
  Selection operator()(const SelectionInput& in) const { return (*this)(in.reward, in.groups); }
  Selection operator()(const Eigen::ArrayXd& reward, const Groups& g) const {
    Selection s;
    s.keep.assign(g.samples, false);
    s.dropped_group.assign(g.members.size(), false);
    for (std::size_t k = 0; k < g.members.size(); ++k) {
      const auto& m = g.members[k];
      bool equal = true;
      for (auto i : m)
        equal = equal && reward[static_cast<Eigen::Index>(i)] == reward[static_cast<Eigen::Index>(m.front())];
      if (equal) {
        s.dropped_group[k] = true;
        ++s.groups_dropped;
        continue;
      }
      for (auto i : m) s.keep[i] = true;
      s.kept += m.size();
    }
    return s;
  }
};

} // namespace raif
