#pragma once
/// @file
/// The evaluation engine shared by the template forms (And, Chain, Select) and their runtime
/// twin: an Evaluation records leaves in order and builds the verdict tree; nodes evaluate their
/// children on spans of the answer, passing down whether the gates above them passed.
///
/// A composition node N models `node`: `void evaluate(Evaluation&, const Span&, const Gate&, bool
/// active) const` and `nlohmann::json spec() const`. Every `constraint` is a leaf node.

#include <raif/compose/verdict.hpp>
#include <raif/constraint/any_constraint.hpp>
#include <raif/constraint/constraint.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace raif {

/// A part of the answer a node evaluates: byte offsets into the answer, and its text (the same
/// bytes, or a value a segmenter extracted, e.g. a JSON field).
struct Span {
  std::size_t begin = 0, end = 0;
  std::string_view text;
};

/// How leaves depend on the gates of the compositions above them (Chain: step / ref / none;
/// Select: step = gated, none = ungated).
enum class Gating { step, ref, none };

inline std::string_view to_string(Gating g) { return g == Gating::step ? "step" : g == Gating::ref ? "ref" : "none"; }

/// Whether every gate above a node passed, and if not, which one failed.
struct Gate {
  bool ok = true;
  std::string why;
  Gate with(bool pass, std::string_view reason) const {
    if (!ok || pass) return *this;
    return Gate{false, std::string(reason)};
  }
};

/// How much an Evaluation records: everything (leaves with reasons, and the tree), or only what
/// scoring needs (leaves' scores; no reasons, no tree) — the reward hot path.
enum class Detail { full, scores };

/// Records one evaluation. Leaves are appended in evaluation order; the tree follows the nesting.
class Evaluation {
public:
  Evaluation(std::string_view answer, const Context& ctx, double tau = 1.0, Detail detail = Detail::full)
      : answer_(answer), ctx_(ctx), tau_(tau), full_(detail == Detail::full) {
    ctx_.vars = &vars_;
    verdict_.leaves.reserve(8);
    if (full_) {
      verdict_.root.kind = "root";
      verdict_.root.end = answer.size();
      stack_.push_back(&verdict_.root);
    }
  }
  Evaluation(const Evaluation&) = delete;
  Evaluation& operator=(const Evaluation&) = delete;

  std::string_view answer() const { return answer_; }
  const Context& context() const { return ctx_; }
  double tau() const { return tau_; }
  Span whole() const { return Span{0, answer_.size(), answer_}; }

  bool full() const { return full_; }

  /// The decoded text of a span, shared by every leaf on that span (spans inside the answer only:
  /// their bytes live as long as the evaluation).
  const Text& text(const Span& s) {
    if (s.text.data() == answer_.data() && s.text.size() == answer_.size()) { // the whole answer: most leaves
      if (!whole_text_) whole_text_.emplace(answer_);
      return *whole_text_;
    }
    const bool inside =
        s.text.data() >= answer_.data() && s.text.data() + s.text.size() <= answer_.data() + answer_.size();
    if (!inside) {
      scratch_ = std::make_unique<Text>(s.text);
      return *scratch_;
    }
    for (auto& [b, e, t] : texts_)
      if (b == s.text.data() && e == s.text.size()) return *t;
    texts_.emplace_back(s.text.data(), s.text.size(), std::make_unique<Text>(s.text));
    return *std::get<2>(texts_.back());
  }

  void open(std::string kind, std::string label, const Span& s, bool active) {
    if (!full_) return;
    auto& parent = *stack_.back();
    parent.children.push_back(
        VerdictNode{std::move(kind), std::move(label), s.begin, s.end, active, true, std::nullopt, {}});
    stack_.push_back(&parent.children.back());
  }
  void close() {
    if (!full_) return;
    VerdictNode& n = *stack_.back();
    for (const auto& c : n.children) n.passed = n.passed && (c.leaf ? leaf_passes(verdict_.leaves[*c.leaf]) : c.passed);
    stack_.pop_back();
  }

  /// Appends a leaf (effective is computed from raw and the gate) and returns its index.
  std::size_t leaf(LeafVerdict l, const Gate& g, std::vector<std::string> deps = {}, std::string name = {}) {
    if (l.active && l.raw) {
      l.effective = g.ok ? *l.raw : 0.0;
      if (full_ && !g.ok && *l.raw >= tau_) l.reason = "gated: " + g.why;
    }
    const std::size_t i = verdict_.leaves.size();
    verdict_.leaves.push_back(std::move(l));
    if (!deps.empty()) deps_.emplace_back(i, std::move(deps));
    if (!name.empty()) names_[std::move(name)] = i;
    if (!full_) return i;
    VerdictNode n;
    n.kind = "leaf";
    n.label = std::string(verdict_.leaves[i].id);
    n.begin = verdict_.leaves[i].begin;
    n.end = verdict_.leaves[i].end;
    n.active = verdict_.leaves[i].active;
    n.leaf = i;
    stack_.back()->children.push_back(std::move(n));
    return i;
  }

  bool leaf_passes(const LeafVerdict& l) const { return !l.scored() || l.effective >= tau_; }
  /// Whether every counted active leaf in [from, to) passes.
  bool all_pass(std::size_t from, std::size_t to) const {
    for (std::size_t i = from; i < to; ++i)
      if (!leaf_passes(verdict_.leaves[i])) return false;
    return true;
  }
  std::size_t leaf_count() const { return verdict_.leaves.size(); }

  /// Captured values and whether the step that captured them completed (for `ref` gating).
  void bind(const std::string& var, std::string value, bool complete) {
    vars_[var] = std::move(value);
    var_complete_[var] = complete;
  }
  void unbind(const std::string& var) {
    vars_.erase(var);
    var_complete_[var] = false;
  }
  bool var_complete(std::string_view var) const {
    auto it = var_complete_.find(std::string(var));
    return it != var_complete_.end() && it->second;
  }
  void mark_self_referential() { verdict_.self_referential = true; }

  /// Applies explicit leaf dependencies (by name; transitively) and returns the verdict.
  Verdict finish() && {
    if (!deps_.empty()) apply_deps();
    if (full_) recompute(verdict_.root);
    return std::move(verdict_);
  }

private:
  void apply_deps() {
    std::vector<const std::vector<std::string>*> deps_of(verdict_.leaves.size(), nullptr);
    for (const auto& [i, d] : deps_) deps_of[i] = &d;
    std::vector<int> state(verdict_.leaves.size(), 0); // 0 new, 1 visiting, 2 done
    std::function<bool(std::size_t)> ok = [&](std::size_t i) -> bool {
      if (state[i] == 2 || !deps_of[i]) return leaf_passes(verdict_.leaves[i]);
      state[i] = 1;
      for (const auto& d : *deps_of[i]) {
        auto it = names_.find(d);
        if (it == names_.end())
          throw error("raif: leaf '" + std::string(verdict_.leaves[i].id) + "' depends on unknown leaf '" + d + "'");
        if (state[it->second] == 1) throw error("raif: cycle in explicit leaf dependencies through '" + d + "'");
        if (!ok(it->second) && verdict_.leaves[i].effective > 0) {
          verdict_.leaves[i].effective = 0;
          if (full_) verdict_.leaves[i].reason = "gated: depends on '" + d + "', which failed";
        }
      }
      state[i] = 2;
      return leaf_passes(verdict_.leaves[i]);
    };
    for (std::size_t i = 0; i < state.size(); ++i) ok(i);
  }

  bool recompute(VerdictNode& n) {
    if (n.leaf) return leaf_passes(verdict_.leaves[*n.leaf]);
    bool all = true;
    for (auto& c : n.children) all = recompute(c) && all;
    return n.passed = all;
  }

  std::string_view answer_;
  Context ctx_;
  double tau_;
  Verdict verdict_;
  std::vector<VerdictNode*> stack_;
  std::map<std::string, std::string, std::less<>> vars_;
  std::map<std::string, bool, std::less<>> var_complete_;
  bool full_;
  std::vector<std::pair<std::size_t, std::vector<std::string>>> deps_; // only leaves that have any
  std::map<std::string, std::size_t> names_;
  std::vector<std::tuple<const char*, std::size_t, std::unique_ptr<Text>>> texts_;
  std::unique_ptr<Text> scratch_;
  std::optional<Text> whole_text_;
};

namespace detail {
// A gate leaf a composition adds over span s (raw is set by the caller when active).
inline LeafVerdict gate_leaf(std::string_view id, bool counts, bool active, const Span& s) {
  LeafVerdict l;
  l.id = id;
  l.gate = true;
  l.counts = counts;
  l.active = active;
  l.begin = s.begin;
  l.end = s.end;
  return l;
}
} // namespace detail

/// A constraint with scoring attributes: weight (Weighted policy), priority (Priority policy),
/// a name other leaves can depend on, and explicit dependencies.
template <class C> struct Leaf {
  C constraint{};
  double weight = 1;
  Priority priority = Priority::primary;
  std::string name{};
  std::vector<std::string> deps{};
};

namespace detail {

// A leaf's check, its description and the values it reads, for a static constraint or AnyConstraint.
template <class C> bool leaf_check(const C& c, const Text& t, const Context& x) {
  if constexpr (std::is_same_v<C, AnyConstraint>)
    return c.check(t, x);
  else
    return raif::check(c, t, x);
}
template <class C> std::vector<std::string> leaf_reads(const C& c) {
  if constexpr (std::is_same_v<C, AnyConstraint>)
    return c.reads();
  else if constexpr (reads_vars<C>)
    return c.reads();
  else
    return {};
}

template <class T> struct is_leaf_wrapper : std::false_type {};
template <class C> struct is_leaf_wrapper<Leaf<C>> : std::true_type {};

/// Evaluates a constraint as a leaf on a span.
template <class C>
void eval_constraint(Evaluation& ev, const C& c, std::string_view id, const Span& span, const Gate& gate, bool active,
                     double weight = 1, Priority priority = Priority::primary, std::vector<std::string> deps = {},
                     std::string name = {}) {
  LeafVerdict l;
  l.id = id;
  l.active = active;
  l.weight = weight;
  l.priority = priority;
  l.begin = span.begin;
  l.end = span.end;
  Gate g = gate;
  if (active) {
    const std::vector<std::string> reads = leaf_reads(c);
    std::string missing;
    for (const auto& v : reads) {
      if (!ev.context().var(v))
        missing = v;
      else
        g = g.with(ev.var_complete(v), "the step that captured '" + v + "' is incomplete");
    }
    if (!missing.empty()) {
      l.raw = 0.0;
      if (ev.full()) l.reason = "capture '" + missing + "' is missing";
    } else if (span.begin > span.end) {
      l.raw = 0.0;
      if (ev.full()) l.reason = "no span: segmentation failed";
    } else {
      const bool pass = leaf_check(c, ev.text(span), ev.context());
      l.raw = pass ? 1.0 : 0.0;
      if (!pass && ev.full()) l.reason = "not satisfied: " + c.describe();
    }
  } else if (ev.full()) {
    l.reason = "inactive branch";
  }
  ev.leaf(std::move(l), g, std::move(deps), std::move(name));
}

/// Evaluates any node: a constraint (leaf), a Leaf<C>, or a composition.
template <class N> void eval_node(Evaluation& ev, const N& n, const Span& span, const Gate& gate, bool active) {
  if constexpr (is_leaf_wrapper<N>::value) {
    eval_constraint(ev, n.constraint, decltype(n.constraint)::id, span, gate, active, n.weight, n.priority, n.deps,
                    n.name);
  } else if constexpr (constraint<N>) {
    eval_constraint(ev, n, N::id, span, gate, active);
  } else {
    static_assert(
        requires { n.evaluate(ev, span, gate, active); },
        "raif: a composition child must be a constraint, a raif::Leaf<C>, or a node (And, Chain, Select, ...)");
    n.evaluate(ev, span, gate, active);
  }
}

inline nlohmann::json priority_json(Priority p) { return p == Priority::primary ? "primary" : "secondary"; }

/// The JSON spec of a leaf.
template <class C>
nlohmann::json leaf_spec(const C& c, double weight = 1, Priority priority = Priority::primary,
                         const std::vector<std::string>& deps = {}, const std::string& name = {}) {
  nlohmann::json j;
  if constexpr (std::is_same_v<C, AnyConstraint>)
    j = {{"constraint", std::string(c.id())}, {"kwargs", c.kwargs()}};
  else
    j = {{"constraint", std::string(C::id)}, {"kwargs", to_kwargs(c)}};
  if (weight != 1) j["weight"] = weight;
  if (priority != Priority::primary) j["priority"] = priority_json(priority);
  if (!name.empty()) j["name"] = name;
  if (!deps.empty()) j["deps"] = deps;
  return j;
}

template <class N> nlohmann::json node_spec(const N& n) {
  if constexpr (is_leaf_wrapper<N>::value)
    return leaf_spec(n.constraint, n.weight, n.priority, n.deps, n.name);
  else if constexpr (constraint<N> || std::is_same_v<N, AnyConstraint>)
    return leaf_spec(n);
  else
    return n.spec();
}

} // namespace detail

/// Evaluates a composition (or a single constraint) on an answer: leaves, reasons and the tree.
template <class N>
Verdict evaluate(const N& node, std::string_view answer, const Context& ctx = {}, double tau = 1.0,
                 Detail detail = Detail::full) {
  Evaluation ev(answer, ctx, tau, detail);
  if constexpr (requires { node.evaluate(ev, ev.whole(), Gate{}, true); })
    node.evaluate(ev, ev.whole(), Gate{}, true);
  else
    detail::eval_node(ev, node, ev.whole(), Gate{}, true);
  return std::move(ev).finish();
}

/// The score of a composition on an answer under a policy (no reasons, no tree: the fast path).
template <class N, class Policy>
double score(const N& node, std::string_view answer, const Policy& policy, const Context& ctx = {}, double tau = 1.0) {
  return policy(evaluate(node, answer, ctx, tau, Detail::scores));
}

/// The JSON spec of a composition (the runtime twin's input).
template <class N> nlohmann::json spec(const N& node) { return detail::node_spec(node); }

} // namespace raif
