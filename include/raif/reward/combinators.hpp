#pragma once
/// @file
/// Reward combinators: Sum, WeightedSum, GateOn (reward B only if A passes), Clip, Scale — and
/// RaifReward, the paper's R = format + accuracy. Each merges its terms' components.

#include <raif/reward/answer_reward.hpp>
#include <raif/reward/format.hpp>
#include <raif/reward/term.hpp>

#include <algorithm>
#include <array>
#include <tuple>

namespace raif {

namespace detail {
// Adds each term's value to `out` and appends its components, in order.
template <class... R> void add_terms(RewardResult& out, const std::tuple<R...>& terms, const Sample& s) {
  std::apply(
      [&](const auto&... t) {
        auto add = [&](RewardResult r) {
          out.value += r.value;
          merge_components(out, std::move(r));
        };
        (add(t(s)), ...);
      },
      terms);
}
} // namespace detail

template <class... R> struct Sum {
  static_assert((reward_term<R> && ...),
                "raif: Sum<R...> takes reward terms: RewardResult operator()(const raif::Sample&) const");
  std::tuple<R...> terms{};
  Sum() = default;
  explicit Sum(R... r) : terms(std::move(r)...) {}
  RewardResult operator()(const Sample& s) const {
    RewardResult out;
    detail::add_terms(out, terms, s);
    return out;
  }
};
template <class... R> Sum(R...) -> Sum<R...>;

template <class... R> struct WeightedSum {
  static_assert((reward_term<R> && ...), "raif: WeightedSum<R...> takes reward terms");
  std::tuple<R...> terms{};
  std::array<double, sizeof...(R)> weights{};
  RewardResult operator()(const Sample& s) const {
    RewardResult out;
    std::size_t i = 0;
    std::apply(
        [&](const auto&... t) {
          auto add = [&](RewardResult r) {
            out.value += weights[i++] * r.value;
            detail::merge_components(out, std::move(r));
          };
          (add(t(s)), ...);
        },
        terms);
    return out;
  }
};

/// B's value counts only if A's value is at least `threshold`; otherwise `otherwise`. A's value is
/// reported as a component, not added.
template <class A, class B> struct GateOn {
  A gate{};
  B term{};
  double threshold = 1.0;
  double otherwise = 0.0;
  RewardResult operator()(const Sample& s) const {
    RewardResult a = gate(s);
    const bool open = a.value >= threshold;
    RewardResult out;
    out.components.emplace_back("gate", open ? 1.0 : 0.0);
    if (open) {
      RewardResult b = term(s);
      out.value = b.value;
      detail::merge_components(out, std::move(a));
      detail::merge_components(out, std::move(b));
    } else {
      out.value = otherwise;
      detail::merge_components(out, std::move(a));
    }
    return out;
  }
};

template <class R> struct Clip {
  R term{};
  double lo = -1.0, hi = 1.0;
  RewardResult operator()(const Sample& s) const {
    RewardResult r = term(s);
    r.value = std::clamp(r.value, lo, hi);
    return r;
  }
};

template <class R> struct Scale {
  R term{};
  double factor = 1.0;
  RewardResult operator()(const Sample& s) const {
    RewardResult r = term(s);
    r.value *= factor;
    return r;
  }
};

/// The RAIF reward (paper Eq. 6): FormatReward (+1/-1) + AnswerReward (RaifPiecewise by default,
/// -2 when the format fails), in [-3, 3]; the answer is extracted once for both. Components:
/// format, accuracy, leaf_pass_rate.
template <class Spec, class Policy = RaifPiecewise> struct RaifReward {
  Spec spec{};
  Policy policy{};
  ChatTemplate chat{};
  bool require_nonempty_think = false;
  Detail detail = Detail::full;
  RewardResult operator()(const Sample& s) const {
    const FormatReward f{.chat = chat, .require_nonempty_think = require_nonempty_think};
    const Extraction e = extract_answer(s.response, chat);
    RewardResult out = f.score(e);
    RewardResult a =
        AnswerReward<Spec, Policy>{.spec = spec, .policy = policy, .format = f, .detail = detail}.score(e, s);
    out.value += a.value;
    detail::merge_components(out, std::move(a));
    return out;
  }
};

} // namespace raif
