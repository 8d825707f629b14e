#pragma once
/// @file
/// raif::objective(term..., aggregation): the RL objective as a sum of terms, composed at compile
/// time, each reading what it needs from a PolicyBatch; metrics are merged as "<term>/<metric>".
///
///   auto objective = raif::objective(raif::ClippedSurrogate{.eps_low = 0.2, .eps_high = 0.28},
///                                    raif::KLPenalty<raif::K3>{.coef = 1e-3},
///                                    raif::BehaviorCloning{.coef = 1.0},
///                                    raif::LossAggregation::seq_mean_token_mean);
///   auto out = objective(batch);   // out.loss, out.metrics
///
/// Concept `objective_term`: `ObjectiveOutput t.compute(const PolicyBatch&, LossAggregation) const`
/// and a `static constexpr std::string_view name`. Write your own and pass it in.

#include <raif/named.hpp>
#include <raif/objective/behavior_cloning.hpp>
#include <raif/objective/clipped_surrogate.hpp>
#include <raif/objective/entropy.hpp>
#include <raif/objective/kl_penalty.hpp>

#include <optional>
#include <tuple>
#include <variant>

namespace raif {

/// What the terms read. Policy tensors are [B, T]; Entropy reads `entropy` [B, T] when given, else
/// `logits` [B, T, V]; the expert batch is separate ([B', T']).
struct PolicyBatch {
  torch::Tensor logp, old_logp, ref_logp, advantages, mask;
  torch::Tensor loss_mask; ///< optional: which samples ([B]) or tokens ([B, T]) train (ClippedSurrogate)
  torch::Tensor logits;
  torch::Tensor entropy; ///< per-token entropy (Qwen2::token_logprobs_entropy: no [B, T, V] tensor)
  torch::Tensor expert_logp, expert_mask;
  AggregationOptions aggregation{}; ///< window sizes for gradient accumulation
};

namespace detail {
inline const torch::Tensor& need(const torch::Tensor& t, std::string_view term, std::string_view field) {
  if (!t.defined())
    throw error("raif: objective term '" + std::string(term) + "' needs PolicyBatch::" + std::string(field));
  return t;
}
} // namespace detail

// Adapters from a PolicyBatch to each built-in term.
inline ObjectiveOutput compute(const ClippedSurrogate& t, const PolicyBatch& b, LossAggregation mode) {
  ClippedSurrogate c = t;
  c.aggregation = mode;
  c.aggregation_options = b.aggregation;
  return c(detail::need(b.logp, "pg", "logp"), detail::need(b.old_logp, "pg", "old_logp"),
           detail::need(b.advantages, "pg", "advantages"), detail::need(b.mask, "pg", "mask"), b.loss_mask);
}
template <class K> ObjectiveOutput compute(const KLPenalty<K>& t, const PolicyBatch& b, LossAggregation mode) {
  KLPenalty<K> k = t;
  k.aggregation = mode;
  k.aggregation_options = b.aggregation;
  return k(detail::need(b.logp, "kl", "logp"), detail::need(b.ref_logp, "kl", "ref_logp"),
           detail::need(b.mask, "kl", "mask"));
}
inline ObjectiveOutput compute(const Entropy& t, const PolicyBatch& b, LossAggregation mode) {
  if (b.entropy.defined()) return t.of_entropy(b.entropy, detail::need(b.mask, "entropy", "mask"), mode, b.aggregation);
  return t(detail::need(b.logits, "entropy", "logits or entropy"), detail::need(b.mask, "entropy", "mask"), mode,
           b.aggregation);
}
inline ObjectiveOutput compute(const BehaviorCloning& t, const PolicyBatch& b, LossAggregation mode) {
  return t(detail::need(b.expert_logp, "bc", "expert_logp"), detail::need(b.expert_mask, "bc", "expert_mask"), mode,
           b.aggregation);
}

template <class T> struct term_name { static constexpr std::string_view value = T::name; };
template <class K> struct term_name<KLPenalty<K>> { static constexpr std::string_view value = "kl"; };
template <> struct term_name<ClippedSurrogate> { static constexpr std::string_view value = "pg"; };

/// A term chosen at run time among alternatives of one kind (KLPenalty<K1|K2|K3|AbsKL> by
/// `grpo.kl`): all must share a name, so the metrics keep theirs whichever is chosen.
template <class T, class... Ts> struct term_name<Chosen<std::variant<T, Ts...>>> {
  static_assert(((term_name<T>::value == term_name<Ts>::value) && ...),
                "raif: the alternatives of a chosen objective term must share a term name");
  static constexpr std::string_view value = term_name<T>::value;
};
template <class V> ObjectiveOutput compute(const Chosen<V>& t, const PolicyBatch& b, LossAggregation mode) {
  return std::visit([&](const auto& term) { return compute(term, b, mode); }, t.variant());
}
/// A term that may be off (an entropy bonus with coefficient 0 needs no logits): when off it
/// returns no loss (an undefined tensor) and no metrics, and the objective leaves it out.
template <class T> struct term_name<std::optional<T>> {
  static constexpr std::string_view value = term_name<T>::value;
};
template <class T> ObjectiveOutput compute(const std::optional<T>& t, const PolicyBatch& b, LossAggregation mode) {
  if (t) return compute(*t, b, mode);
  return {};
}

/// Whether a term reads PolicyBatch::logits ([B, T, V]) or its per-token `entropy`: the caller
/// computes one of them only then.
template <class T> bool needs_logits(const T&) { return false; }
inline bool needs_logits(const Entropy&) { return true; }
template <class T> bool needs_logits(const std::optional<T>& t) { return t && needs_logits(*t); }

template <class T>
concept objective_term = requires(const T& t, const PolicyBatch& b, LossAggregation m) {
  { compute(t, b, m) } -> std::same_as<ObjectiveOutput>;
  { term_name<T>::value } -> std::convertible_to<std::string_view>;
};

template <class... Terms> struct Objective {
  static_assert((objective_term<Terms> && ...),
                "raif: objective(...) takes objective terms: ObjectiveOutput compute(const T&, const PolicyBatch&, "
                "LossAggregation) found by ADL, and a static constexpr std::string_view name");
  std::tuple<Terms...> terms;
  LossAggregation aggregation = LossAggregation::seq_mean_token_mean;

  /// Whether any term reads PolicyBatch::logits (or `entropy` in their place).
  bool needs_logits() const {
    return std::apply([](const auto&... t) { return (raif::needs_logits(t) || ...); }, terms);
  }

  ObjectiveOutput operator()(const PolicyBatch& b) const {
    ObjectiveOutput out;
    std::apply(
        [&](const auto&... t) {
          auto add = [&](const auto& term) {
            ObjectiveOutput o = compute(term, b, aggregation);
            if (!o.loss.defined()) return; // a term that is off
            out.loss = out.loss.defined() ? out.loss + o.loss : o.loss;
            const std::string prefix(term_name<std::remove_cvref_t<decltype(term)>>::value);
            out.metrics.emplace_back(prefix + "/loss", o.loss.item<double>());
            for (auto& [k, v] : o.metrics) out.metrics.emplace_back(prefix + "/" + k, v);
          };
          (add(t), ...);
        },
        terms);
    return out;
  }
};

/// Builds an Objective from terms; the last argument may be the loss aggregation shared by all.
template <class... Args> auto objective(Args... args) {
  if constexpr (sizeof...(Args) > 0 &&
                std::is_same_v<std::tuple_element_t<sizeof...(Args) - 1, std::tuple<Args...>>, LossAggregation>) {
    auto all = std::make_tuple(args...);
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return Objective<std::tuple_element_t<I, std::tuple<Args...>>...>{{std::get<I>(all)...},
                                                                        std::get<sizeof...(Args) - 1>(all)};
    }
    (std::make_index_sequence<sizeof...(Args) - 1>{});
  } else {
    return Objective<Args...>{{args...}};
  }
}

} // namespace raif
