#pragma once
/// @file
/// Chain<Segmenter, Step...>: the span is cut into one ordered segment per step; each step is
/// evaluated on its segment (contract §3). A segmentation gate leaf records whether cutting
/// worked; every step leaf depends on it. Gating between steps:
///  - step: the leaves of step k depend on steps 1..k-1 being complete (all their leaves pass);
///  - ref:  only leaves that read a captured value depend on the step that captured it;
///  - none: only the segmentation gate.

#include <raif/compose/node.hpp>
#include <raif/compose/segmenters.hpp>
#include <raif/detail/visit_at.hpp>

#include <tuple>
#include <utility>

namespace raif {

/// A Chain step with the values it captures from its segment.
template <class N> struct Step {
  N node{};
  std::vector<Capture> captures{};
};

namespace detail {
template <class T> struct is_step : std::false_type {};
template <class N> struct is_step<Step<N>> : std::true_type {};

template <class S> const auto& step_node(const S& s) {
  if constexpr (is_step<S>::value)
    return s.node;
  else
    return s;
}
template <class S> const std::vector<Capture>& step_captures(const S& s) {
  static const std::vector<Capture> none;
  if constexpr (is_step<S>::value)
    return s.captures;
  else
    return none;
}

// The Chain algorithm, shared by the template and the runtime twin. eval_step(k, span, gate).
template <class Seg, class EvalStep, class CapturesOf>
void eval_chain(Evaluation& ev, const Seg& segmenter, std::size_t n, Gating gating, bool gate_counts, const Span& s,
                const Gate& g, bool active, EvalStep&& eval_step, CapturesOf&& captures_of) {
  ev.open("chain", "", s, active);
  Segments segs;
  LeafVerdict seg = gate_leaf("gate:segmentation", gate_counts, active, s);
  if (active) {
    segs = segmenter.segment(s, n);
    seg.raw = segs.ok() ? 1.0 : 0.0;
    if (ev.full()) seg.reason = segs.error;
  } else if (ev.full()) {
    seg.reason = "inactive branch";
  }
  ev.leaf(std::move(seg), g);
  const Gate seg_gate = g.with(segs.ok(), "segmentation failed (" + segs.error + ")");
  bool previous_complete = true;
  std::size_t first_incomplete = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const bool resolved = active && segs.ok();
    const Span span = resolved ? segs.spans[k] : Span{s.end + 1, s.end, {}}; // begin > end: no span
    Gate step_gate = seg_gate;
    if (gating == Gating::step)
      step_gate = step_gate.with(previous_complete, "step " + std::to_string(first_incomplete) + " is incomplete");
    ev.open("step", std::to_string(k + 1), resolved ? span : s, active);
    const std::size_t from = ev.leaf_count();
    eval_step(k, span, step_gate);
    const bool complete = ev.all_pass(from, ev.leaf_count());
    for (const Capture& c : captures_of(k)) {
      std::optional<std::string> value;
      if (resolved) value = c.extract(span.text);
      // Only `ref` gating makes a reader depend on the capturing step; `step` already gates every
      // later step, `none` gates nothing.
      if (value)
        ev.bind(c.var, std::move(*value), gating != Gating::ref || complete);
      else
        ev.unbind(c.var);
    }
    ev.close();
    if (!complete && previous_complete) {
      previous_complete = false;
      first_incomplete = k + 1;
    }
  }
  ev.close();
}

inline nlohmann::json captures_spec(const std::vector<Capture>& cs) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& c : cs) a.push_back(c.spec());
  return a;
}
} // namespace detail

template <class Segmenter, class... Steps> struct Chain {
  static_assert(sizeof...(Steps) > 0, "raif: Chain<Segmenter, Step...> needs at least one step");
  static_assert(
      requires(const Segmenter& sg, const Span& sp) {
        { sg.segment(sp, std::size_t{}) } -> std::same_as<Segments>;
      },
      "raif: the first argument of Chain must be a segmenter: Segments segment(const Span&, std::size_t n) const");
  Segmenter segmenter{};
  std::tuple<Steps...> steps{};
  Gating gating = Gating::step;
  bool gate_counts = true;

  void evaluate(Evaluation& ev, const Span& s, const Gate& g, bool active) const {
    detail::eval_chain(
        ev, segmenter, sizeof...(Steps), gating, gate_counts, s, g, active,
        [&](std::size_t k, const Span& span, const Gate& sg) {
          visit(k, [&](const auto& st) { detail::eval_node(ev, detail::step_node(st), span, sg, active); });
        },
        [&](std::size_t k) -> const std::vector<Capture>& {
          const std::vector<Capture>* out = nullptr;
          visit(k, [&](const auto& st) { out = &detail::step_captures(st); });
          return *out;
        });
  }
  nlohmann::json spec() const {
    nlohmann::json a = nlohmann::json::array();
    std::apply(
        [&](const auto&... st) {
          (a.push_back(nlohmann::json{{"node", detail::node_spec(detail::step_node(st))},
                                      {"capture", detail::captures_spec(detail::step_captures(st))}}),
           ...);
        },
        steps);
    return {
        {"chain",
         {{"segmenter", segmenter.spec()}, {"gating", to_string(gating)}, {"gate_counts", gate_counts}, {"steps", a}}}};
  }

private:
  template <class F> void visit(std::size_t k, F&& f) const { detail::visit_at(steps, k, f); }
};

} // namespace raif
