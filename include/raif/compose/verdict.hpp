#pragma once
/// @file
/// What evaluating a composition produces: the flat list of leaves (each with its raw and
/// effective score, span, and why it failed) and the verdict tree over them.
/// Semantics: ../shared/design/compositions.md (the contract), docs/compositions.md (reference).

#include <raif/constraint/constraint.hpp>
#include <raif/eval/python_format.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace raif {

/// Whether a leaf is a primary or secondary requirement (CFBench's Priority policy).
enum class Priority { primary, secondary };

/// One scoring unit: an atomic constraint, or a gate a composition adds (segmentation worked,
/// the right branch was taken).
struct LeafVerdict {
  std::string_view id;       ///< constraint id (static storage), or "gate:segmentation" / "gate:selection"
  std::optional<double> raw; ///< score in [0, 1]; empty: not evaluated (inactive branch)
  double effective = 0;      ///< raw if every gate above passed, else 0
  bool active = true;        ///< belongs to the branch that applies
  bool gate = false;         ///< added by a composition
  bool counts = true;        ///< counted by the aggregation (gates can be declared not to count)
  double weight = 1;
  Priority priority = Priority::primary;
  std::size_t begin = 0, end = 0; ///< span in the answer (bytes)
  std::string reason;             ///< why it failed (empty when it passed)

  bool scored() const { return active && counts && raw.has_value(); }
};

/// A node of the verdict tree; leaves refer into Verdict::leaves.
struct VerdictNode {
  std::string kind;  ///< "and", "chain", "step", "select", "branch", "leaf"
  std::string label; ///< constraint id, branch label, step number, ...
  std::size_t begin = 0, end = 0;
  bool active = true;
  bool passed = true;              ///< every counted active leaf below has effective >= tau
  std::optional<std::size_t> leaf; ///< index into Verdict::leaves (kind "leaf")
  std::vector<VerdictNode> children;
};

/// The result of evaluating a composition on an answer.
struct Verdict {
  std::vector<LeafVerdict> leaves;
  VerdictNode root;
  bool self_referential = false; ///< a Select condition was read from the answer itself

  /// Leaves that the aggregation sees (active and counted).
  std::vector<const LeafVerdict*> scored() const {
    std::vector<const LeafVerdict*> out;
    for (const auto& l : leaves)
      if (l.scored()) out.push_back(&l);
    return out;
  }
};

namespace detail {
inline nlohmann::json leaf_json(const LeafVerdict& l) {
  nlohmann::json j{{"id", std::string(l.id)},
                   {"raw", l.raw ? nlohmann::json(*l.raw) : nlohmann::json(nullptr)},
                   {"effective", l.effective},
                   {"active", l.active},
                   {"span", {l.begin, l.end}}};
  if (l.gate) j["gate"] = true;
  if (!l.counts) j["counts"] = false;
  if (l.weight != 1) j["weight"] = l.weight;
  if (l.priority == Priority::secondary) j["priority"] = "secondary";
  if (!l.reason.empty()) j["reason"] = l.reason;
  return j;
}
inline nlohmann::json node_json(const VerdictNode& n, const Verdict& v) {
  if (n.leaf) return leaf_json(v.leaves[*n.leaf]);
  nlohmann::json j{{"kind", n.kind}, {"span", {n.begin, n.end}}, {"passed", n.passed}};
  if (!n.label.empty()) j["label"] = n.label;
  if (!n.active) j["active"] = false;
  auto& c = j["children"] = nlohmann::json::array();
  for (const auto& ch : n.children) c.push_back(node_json(ch, v));
  return j;
}
inline void node_text(const VerdictNode& n, const Verdict& v, int depth, std::string& out) {
  const std::string pad(static_cast<std::size_t>(depth) * 2, ' ');
  if (n.leaf) {
    const auto& l = v.leaves[*n.leaf];
    out += pad + (!l.active ? "  " : l.effective >= 1 ? "✓ " : "✗ ") + std::string(l.id);
    if (l.raw && l.active)
      out += "  raw " + python_float_repr(*l.raw) + ", effective " + python_float_repr(l.effective);
    if (!l.active) out += "  (inactive)";
    if (!l.counts) out += "  (not counted)";
    if (!l.reason.empty() && l.active) out += "  — " + l.reason;
    out += "\n";
    return;
  }
  out += pad + n.kind + (n.label.empty() ? "" : " " + n.label) + (n.active ? "" : " (inactive)") + "\n";
  for (const auto& c : n.children) node_text(c, v, depth + 1, out);
}
} // namespace detail

/// The verdict as JSON: {"leaves": [...], "tree": {...}, "self_referential": bool}.
inline nlohmann::json to_json(const Verdict& v) {
  nlohmann::json j{{"tree", detail::node_json(v.root, v)}, {"self_referential", v.self_referential}};
  auto& ls = j["leaves"] = nlohmann::json::array();
  for (const auto& l : v.leaves) ls.push_back(detail::leaf_json(l));
  return j;
}

/// The verdict as indented text, one line per node.
inline std::string to_text(const Verdict& v) {
  std::string out;
  detail::node_text(v.root, v, 0, out);
  return out;
}

} // namespace raif
