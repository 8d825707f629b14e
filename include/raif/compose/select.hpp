#pragma once
/// @file
/// Select<Condition, Branch...>: which branch should apply (the oracle b*, from the condition) is
/// kept apart from which branch the model took (its choice, from branch signatures or a declared
/// value). A gate leaf records [choice == b*]; only b*'s leaves are active and, with gating, they
/// depend on that gate (contract §4). A branch labelled "else" applies when no other label does.

#include <raif/compose/node.hpp>
#include <raif/detail/visit_at.hpp>
#include <raif/text/strip.hpp>

#include <tuple>

namespace raif {

/// No signature: the branch cannot be recognised in the answer (use a declared choice).
struct NoSignature {};

template <class N, class Signature = NoSignature> struct Branch {
  std::string label;
  N node{};
  Signature signature{};
};

// --- conditions: how b* is known ---

/// A predicate over the item's context fields: b* = `then_label` if `field op value`, else `else_label`.
/// op: == != < <= > >=; numbers compare numerically, strings lexicographically.
struct ContextPredicate {
  std::string field, op = "==";
  nlohmann::json value;
  std::string then_label, else_label = "else";

  std::string oracle(const Evaluation& ev, const Span&) const {
    const auto* f = ev.context().fields;
    if (!f || !f->is_object() || !f->contains(field))
      throw error("raif: Select condition: context field '" + field + "' is missing");
    const auto& x = (*f)[field];
    int c = 0;
    if (x.is_number() && value.is_number())
      c = x.get<double>() < value.get<double>() ? -1 : x.get<double>() > value.get<double>();
    else if (x.is_string() && value.is_string())
      c = x.get<std::string>().compare(value.get<std::string>());
    else if (op == "==" || op == "!=")
      c = x == value ? 0 : 1;
    else
      throw error("raif: Select condition: cannot compare context field '" + field + "' = " + x.dump() + " with " +
                  value.dump());
    const bool t = op == "=="   ? c == 0
                   : op == "!=" ? c != 0
                   : op == "<"  ? c < 0
                   : op == "<=" ? c <= 0
                   : op == ">"  ? c > 0
                   : op == ">=" ? c >= 0
                                : throw error("raif: Select condition: unknown operator '" + op + "'");
    return t ? then_label : else_label;
  }
  nlohmann::json spec() const {
    return {{"context", {{"field", field}, {"op", op}, {"value", value}, {"then", then_label}, {"else", else_label}}}};
  }
};

/// The oracle branch is stored with the item (declared decision, signature conditions).
struct OracleLabel {
  std::string label;
  std::string oracle(const Evaluation&, const Span&) const { return label; }
  nlohmann::json spec() const { return {{"oracle", label}}; }
};

/// The oracle branch is a string context field.
struct ContextLabel {
  std::string field;
  std::string oracle(const Evaluation& ev, const Span&) const {
    const auto* f = ev.context().fields;
    if (!f || !f->is_object() || !f->contains(field) || !(*f)[field].is_string())
      throw error("raif: Select condition: context field '" + field + "' (a branch label) is missing or not a string");
    return (*f)[field].get<std::string>();
  }
  nlohmann::json spec() const { return {{"context_label", field}}; }
};

/// Self-referential: the condition is about the answer itself ("if you use a table, add a
/// caption"). The model's choice is b* by construction, so there is no selection gate; the
/// verdict is flagged, because the model may pick the cheaper branch.
template <class C> struct SelfReferential {
  C condition{};
  std::string then_label, else_label = "else";
  std::string oracle(const Evaluation& ev, const Span& s) const {
    return detail::leaf_check(condition, Text(s.text), ev.context()) ? then_label : else_label;
  }
  nlohmann::json spec() const {
    return {{"self", detail::node_spec(condition)}, {"then", then_label}, {"else", else_label}};
  }
};

namespace detail {
template <class T> struct is_self_referential : std::false_type {};
template <class C> struct is_self_referential<SelfReferential<C>> : std::true_type {};

struct BranchInfo {
  std::string label;
  bool has_signature = false;
};

// The Select algorithm, shared by the template and the runtime twin. signature(i) -> bool tests
// branch i's signature on the span; eval_branch(i, gate, active) evaluates branch i's node.
template <class Signature, class EvalBranch>
void eval_select(Evaluation& ev, const std::string& oracle, bool self_referential,
                 const std::vector<BranchInfo>& branches, const std::string& declared_var, Gating gating,
                 bool gate_counts, const Span& s, const Gate& g, bool active, Signature&& signature,
                 EvalBranch&& eval_branch) {
  ev.open("select", "", s, active);
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::size_t bstar = none;
  for (std::size_t i = 0; i < branches.size(); ++i)
    if (branches[i].label == oracle) bstar = i;
  if (bstar == none)
    for (std::size_t i = 0; i < branches.size(); ++i)
      if (branches[i].label == "else") bstar = i;
  Gate branch_gate = g;
  if (self_referential) {
    if (active) ev.mark_self_referential();
  } else {
    std::size_t chosen = none;
    std::string why;
    if (active && !declared_var.empty()) {
      if (auto v = ev.context().var(declared_var)) {
        const std::string token(py_strip(*v));
        for (std::size_t i = 0; i < branches.size(); ++i)
          if (branches[i].label == token) chosen = i;
        if (chosen == none) why = "declared choice '" + token + "' names no branch";
      } else {
        why = "declared choice '" + declared_var + "' was not captured";
      }
    } else if (active) {
      std::size_t matches = 0;
      for (std::size_t i = 0; i < branches.size(); ++i)
        if (branches[i].has_signature && signature(i)) {
          chosen = i;
          ++matches;
        }
      if (matches != 1) {
        chosen = none;
        why = matches ? "several branch signatures match" : "no branch signature matches";
      }
    }
    const bool right = active && chosen != none && chosen == bstar;
    LeafVerdict sel = gate_leaf("gate:selection", gate_counts, active, s);
    if (active) {
      sel.raw = right ? 1.0 : 0.0;
      const std::string expected = bstar != none ? branches[bstar].label : std::string("(none)");
      if (!right && ev.full())
        sel.reason = why.empty() ? "chose '" + branches[chosen].label + "', expected '" + expected + "'"
                                 : why + ", expected '" + expected + "'";
    } else if (ev.full()) {
      sel.reason = "inactive branch";
    }
    ev.leaf(std::move(sel), g);
    if (gating != Gating::none) branch_gate = g.with(right, "wrong branch");
  }
  for (std::size_t i = 0; i < branches.size(); ++i) {
    const bool on = active && bstar == i;
    ev.open("branch", branches[i].label, s, on);
    eval_branch(i, branch_gate, on);
    ev.close();
  }
  ev.close();
}
} // namespace detail

template <class Condition, class... Branches> struct Select {
  static_assert(sizeof...(Branches) > 0, "raif: Select<Condition, Branch...> needs at least one branch");
  static_assert(
      requires(const Condition& c, const Evaluation& ev, const Span& s) {
        { c.oracle(ev, s) } -> std::convertible_to<std::string>;
      },
      "raif: the first argument of Select must be a condition: std::string oracle(const Evaluation&, const Span&) "
      "const "
      "(ContextPredicate, OracleLabel, ContextLabel, SelfReferential<C>)");
  Condition condition{};
  std::tuple<Branches...> branches{};
  std::string declared_var{};   ///< read the model's choice from this captured value; empty: from signatures
  Gating gating = Gating::step; ///< step: branch leaves depend on the selection gate; none: they do not
  bool gate_counts = true;

  void evaluate(Evaluation& ev, const Span& s, const Gate& g, bool active) const {
    std::vector<detail::BranchInfo> info;
    std::apply(
        [&](const auto&... b) {
          (info.push_back({b.label, !std::is_same_v<std::remove_cvref_t<decltype(b.signature)>, NoSignature>}), ...);
        },
        branches);
    const std::string oracle = active ? condition.oracle(ev, s) : std::string();
    detail::eval_select(
        ev, oracle, detail::is_self_referential<Condition>::value, info, declared_var, gating, gate_counts, s, g,
        active,
        [&](std::size_t i) {
          bool r = false;
          visit(i, [&](const auto& b) {
            if constexpr (!std::is_same_v<std::remove_cvref_t<decltype(b.signature)>, NoSignature>)
              r = detail::leaf_check(b.signature, Text(s.text), ev.context());
          });
          return r;
        },
        [&](std::size_t i, const Gate& bg, bool on) {
          visit(i, [&](const auto& b) { detail::eval_node(ev, b.node, s, bg, on); });
        });
  }
  nlohmann::json spec() const {
    nlohmann::json a = nlohmann::json::array();
    std::apply(
        [&](const auto&... b) {
          auto one = [](const auto& br) {
            nlohmann::json j{{"label", br.label}, {"node", detail::node_spec(br.node)}};
            if constexpr (!std::is_same_v<std::remove_cvref_t<decltype(br.signature)>, NoSignature>)
              j["signature"] = detail::node_spec(br.signature);
            return j;
          };
          (a.push_back(one(b)), ...);
        },
        branches);
    nlohmann::json choice =
        declared_var.empty() ? nlohmann::json("signature") : nlohmann::json{{"declared", declared_var}};
    return {{"select",
             {{"condition", condition.spec()},
              {"choice", choice},
              {"gating", to_string(gating)},
              {"gate_counts", gate_counts},
              {"branches", a}}}};
  }

private:
  template <class F> void visit(std::size_t k, F&& f) const { detail::visit_at(branches, k, f); }
};

} // namespace raif
