#pragma once
/// @file
/// FormatReward (method.md §2, paper Eq. 4): +1 for a well-formed think/answer response, else -1.

#include <raif/reward/answer.hpp>
#include <raif/reward/term.hpp>

namespace raif {

struct FormatReward {
  ChatTemplate chat{};
  double ok = 1.0, bad = -1.0;
  /// The released code also requires a non-empty think text (and not the placeholder
  /// "reasoning process here"); off by default, and never for forced no-reasoning samples.
  bool require_nonempty_think = false;

  bool well_formed(const Extraction& e) const {
    if (!e.well_formed) return false;
    if (!require_nonempty_think) return true;
    const auto t = py_strip(e.think);
    return !t.empty() && t != "reasoning process here";
  }
  RewardResult operator()(const Sample& s) const { return score(extract_answer(s.response, chat)); }
  /// The reward of an extraction already made (RaifReward extracts once for both rewards).
  RewardResult score(const Extraction& e) const {
    const double v = well_formed(e) ? ok : bad;
    return RewardResult{v, {{"format", v}}, std::nullopt};
  }
};

} // namespace raif
