#pragma once
/// @file
/// AnswerReward<Spec, Policy> (method.md §2, paper Eq. 5): evaluates the composition on the
/// extracted answer and aggregates its active leaves with the policy; `format_fail` (RAIF: -2)
/// when the response is not well formed.

#include <raif/compose/node.hpp>
#include <raif/compose/policy.hpp>
#include <raif/judge/judge.hpp>
#include <raif/reward/format.hpp>
#include <raif/reward/term.hpp>

namespace raif {

template <class Spec, class Policy = RaifPiecewise> struct AnswerReward {
  Spec spec{};
  Policy policy{};
  FormatReward format{}; ///< decides well-formedness and extraction (its values are not used here)
  double format_fail = -2.0;
  double tau = 1.0;
  Detail detail = Detail::full; ///< Detail::scores skips reasons and the tree (the trainer's hot path)

  RewardResult operator()(const Sample& s) const { return score(extract_answer(s.response, format.chat), s); }
  /// The reward of sample `s` whose answer was already extracted as `e`.
  RewardResult score(const Extraction& e, const Sample& s) const {
    if (!format.well_formed(e))
      return RewardResult{format_fail, {{"accuracy", format_fail}, {"leaf_pass_rate", 0.0}}, std::nullopt};
    const Context ctx{.prompt = s.prompt, .fields = s.context, .judge = s.judge};
    Verdict v = raif::evaluate(spec, e.answer, ctx, tau, detail);
    const double acc = policy(v);
    std::size_t n = 0, passed = 0;
    for (const auto* l : v.scored()) {
      ++n;
      passed += l->effective >= tau;
    }
    return RewardResult{
        acc, {{"accuracy", acc}, {"leaf_pass_rate", n ? double(passed) / double(n) : 0.0}}, std::move(v)};
  }
};

} // namespace raif
