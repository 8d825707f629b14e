#pragma once
/// @file
/// And<C...>: all children see the same span; no gates are added; the leaves are the union of the
/// children's (contract §2). Laws: And is associative in its leaves (And<A, And<B, C>> has the
/// same leaf verdicts as And<A, B, C>); And<C> has the leaves of C.

#include <raif/compose/node.hpp>

#include <tuple>

namespace raif {

template <class... C> struct And {
  static_assert(sizeof...(C) > 0, "raif: And<...> needs at least one child");
  std::tuple<C...> children{};

  And() = default;
  explicit And(C... c) : children(std::move(c)...) {}

  void evaluate(Evaluation& ev, const Span& s, const Gate& g, bool active) const {
    ev.open("and", "", s, active);
    std::apply([&](const auto&... c) { (detail::eval_node(ev, c, s, g, active), ...); }, children);
    ev.close();
  }
  nlohmann::json spec() const {
    nlohmann::json a = nlohmann::json::array();
    std::apply([&](const auto&... c) { (a.push_back(detail::node_spec(c)), ...); }, children);
    return {{"and", a}};
  }
};
template <class... C> And(C...) -> And<C...>;

} // namespace raif
