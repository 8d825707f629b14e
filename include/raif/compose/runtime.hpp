#pragma once
/// @file
/// The runtime twin: a composition read from its JSON spec (docs/compositions.md,
/// docs/composition.schema.json) into AnyNode, evaluated by the same algorithms as the templates,
/// so both forms give identical verdicts. Bad specs throw raif::error with the JSON path.

#include <raif/compose/and.hpp>
#include <raif/compose/chain.hpp>
#include <raif/compose/leaves.hpp>
#include <raif/compose/select.hpp>

#include <memory>
#include <set>
#include <variant>

namespace raif {

/// A composition node chosen at run time.
class AnyNode {
public:
  struct Concept {
    virtual ~Concept() = default;
    virtual void evaluate(Evaluation&, const Span&, const Gate&, bool active) const = 0;
    virtual nlohmann::json spec() const = 0;
  };
  AnyNode() = default;
  explicit AnyNode(std::shared_ptr<const Concept> c) : self_(std::move(c)) {}
  void evaluate(Evaluation& ev, const Span& s, const Gate& g, bool active) const { self_->evaluate(ev, s, g, active); }
  nlohmann::json spec() const { return self_->spec(); }

private:
  std::shared_ptr<const Concept> self_;
};

struct CompileOptions {
  const Registry* registry = nullptr; ///< default: standard_registry() (IFEval, IFBench, compose:* leaves)
  std::size_t max_depth = 16;         ///< composition nodes on the deepest path
};

namespace detail::runtime {

struct LeafNode final : AnyNode::Concept {
  AnyConstraint c;
  double weight = 1;
  Priority priority = Priority::primary;
  std::string name;
  std::vector<std::string> deps;
  void evaluate(Evaluation& ev, const Span& s, const Gate& g, bool active) const override {
    eval_constraint(ev, c, c.id(), s, g, active, weight, priority, deps, name);
  }
  nlohmann::json spec() const override { return leaf_spec(c, weight, priority, deps, name); }
};

struct AndNode final : AnyNode::Concept {
  std::vector<AnyNode> children;
  void evaluate(Evaluation& ev, const Span& s, const Gate& g, bool active) const override {
    ev.open("and", "", s, active);
    for (const auto& c : children) c.evaluate(ev, s, g, active);
    ev.close();
  }
  nlohmann::json spec() const override {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& c : children) a.push_back(c.spec());
    return {{"and", a}};
  }
};

using AnySegmenter = std::variant<Delimiter, Markers, Headings, ListItems, JsonKeys, Positional>;

struct ChainNode final : AnyNode::Concept {
  AnySegmenter segmenter;
  std::vector<AnyNode> steps;
  std::vector<std::vector<Capture>> captures;
  Gating gating = Gating::step;
  bool gate_counts = true;
  void evaluate(Evaluation& ev, const Span& s, const Gate& g, bool active) const override {
    std::visit(
        [&](const auto& seg) {
          eval_chain(
              ev, seg, steps.size(), gating, gate_counts, s, g, active,
              [&](std::size_t k, const Span& span, const Gate& sg) { steps[k].evaluate(ev, span, sg, active); },
              [&](std::size_t k) -> const std::vector<Capture>& { return captures[k]; });
        },
        segmenter);
  }
  nlohmann::json spec() const override {
    nlohmann::json a = nlohmann::json::array();
    for (std::size_t k = 0; k < steps.size(); ++k)
      a.push_back({{"node", steps[k].spec()}, {"capture", captures_spec(captures[k])}});
    return {{"chain",
             {{"segmenter", std::visit([](const auto& sg) { return sg.spec(); }, segmenter)},
              {"gating", to_string(gating)},
              {"gate_counts", gate_counts},
              {"steps", a}}}};
  }
};

using AnyCondition = std::variant<ContextPredicate, OracleLabel, ContextLabel, SelfReferential<AnyConstraint>>;

struct SelectNode final : AnyNode::Concept {
  AnyCondition condition;
  std::vector<std::string> labels;
  std::vector<std::optional<AnyConstraint>> signatures;
  std::vector<AnyNode> nodes;
  std::string declared_var;
  Gating gating = Gating::step;
  bool gate_counts = true;
  void evaluate(Evaluation& ev, const Span& s, const Gate& g, bool active) const override {
    std::vector<BranchInfo> info;
    for (std::size_t i = 0; i < labels.size(); ++i) info.push_back({labels[i], signatures[i].has_value()});
    const std::string oracle =
        active ? std::visit([&](const auto& c) { return c.oracle(ev, s); }, condition) : std::string();
    eval_select(
        ev, oracle, std::holds_alternative<SelfReferential<AnyConstraint>>(condition), info, declared_var, gating,
        gate_counts, s, g, active, [&](std::size_t i) { return signatures[i]->check(Text(s.text), ev.context()); },
        [&](std::size_t i, const Gate& bg, bool on) { nodes[i].evaluate(ev, s, bg, on); });
  }
  nlohmann::json spec() const override {
    nlohmann::json a = nlohmann::json::array();
    for (std::size_t i = 0; i < labels.size(); ++i) {
      nlohmann::json j{{"label", labels[i]}, {"node", nodes[i].spec()}};
      if (signatures[i]) j["signature"] = leaf_spec(*signatures[i]);
      a.push_back(j);
    }
    nlohmann::json choice =
        declared_var.empty() ? nlohmann::json("signature") : nlohmann::json{{"declared", declared_var}};
    return {{"select",
             {{"condition", std::visit([](const auto& c) { return c.spec(); }, condition)},
              {"choice", choice},
              {"gating", to_string(gating)},
              {"gate_counts", gate_counts},
              {"branches", a}}}};
  }
};

class Compiler {
public:
  explicit Compiler(const CompileOptions& o) : o_(o), reg_(o.registry ? *o.registry : standard_registry()) {}

  AnyNode node(const nlohmann::json& j, const std::string& path, std::size_t depth) {
    if (!j.is_object() || j.size() < 1) fail(path, "expected an object with one of: constraint, and, chain, select");
    if (j.contains("constraint")) return AnyNode(leaf(j, path));
    if (j.size() != 1) fail(path, "a composition node has exactly one key (and, chain or select)");
    if (depth + 1 > o_.max_depth) fail(path, "nesting deeper than the limit of " + std::to_string(o_.max_depth));
    const std::string key = j.begin().key();
    const nlohmann::json& body = j.begin().value();
    if (key == "and") return AnyNode(and_node(body, path + ".and", depth + 1));
    if (key == "chain") return AnyNode(chain_node(body, path + ".chain", depth + 1));
    if (key == "select") return AnyNode(select_node(body, path + ".select", depth + 1));
    fail(path, "unknown node kind '" + key + "' (expected constraint, and, chain or select)");
  }

  void check_deps() const {
    std::map<std::string, std::vector<std::string>> graph;
    for (const auto& [name, info] : names_) graph[name] = info.second;
    for (const auto& [name, info] : names_)
      for (const auto& d : info.second)
        if (!names_.count(d)) fail(info.first, "depends on unknown leaf '" + d + "'");
    for (const auto& leaf : unnamed_deps_)
      for (const auto& d : leaf.second)
        if (!names_.count(d)) fail(leaf.first, "depends on unknown leaf '" + d + "'");
    std::map<std::string, int> state;
    std::function<void(const std::string&)> dfs = [&](const std::string& n) {
      state[n] = 1;
      for (const auto& d : graph[n]) {
        if (state[d] == 1) fail(names_.at(n).first, "cycle in explicit deps: '" + n + "' -> '" + d + "'");
        if (state[d] == 0) dfs(d);
      }
      state[n] = 2;
    };
    for (const auto& [n, _] : graph)
      if (state[n] == 0) dfs(n);
  }

  [[noreturn]] static void fail(const std::string& path, const std::string& what) {
    throw error("raif: composition spec at " + path + ": " + what);
  }

private:
  static const nlohmann::json& need(const nlohmann::json& j, const char* key, const std::string& path) {
    if (!j.is_object() || !j.contains(key)) fail(path, std::string("missing '") + key + "'");
    return j.at(key);
  }
  static Gating gating(const nlohmann::json& j, const std::string& path) {
    if (!j.contains("gating")) return Gating::step;
    const auto& g = j["gating"];
    if (g == "step") return Gating::step;
    if (g == "ref") return Gating::ref;
    if (g == "none") return Gating::none;
    fail(path + ".gating", "expected \"step\", \"ref\" or \"none\", got " + g.dump());
  }
  static bool boolean(const nlohmann::json& j, const char* key, bool dflt, const std::string& path) {
    if (!j.contains(key)) return dflt;
    if (!j[key].is_boolean()) fail(path + "." + key, "expected true or false");
    return j[key].get<bool>();
  }
  static std::string str(const nlohmann::json& j, const char* key, const std::string& path) {
    const auto& v = need(j, key, path);
    if (!v.is_string()) fail(path + "." + key, "expected a string, got " + v.dump());
    return v.get<std::string>();
  }

  AnyConstraint constraint(const nlohmann::json& j, const std::string& path) {
    const std::string id = str(j, "constraint", path);
    try {
      return reg_.make(id, j.contains("kwargs") ? j["kwargs"] : nlohmann::json::object());
    } catch (const error& e) { fail(path, e.what()); }
  }

  std::shared_ptr<LeafNode> leaf(const nlohmann::json& j, const std::string& path) {
    for (const auto& [k, v] : j.items())
      if (k != "constraint" && k != "kwargs" && k != "weight" && k != "priority" && k != "name" && k != "deps")
        fail(path, "unknown leaf field '" + k + "'");
    auto n = std::make_shared<LeafNode>();
    n->c = constraint(j, path);
    if (j.contains("weight")) {
      if (!j["weight"].is_number() || j["weight"].get<double>() < 0)
        fail(path + ".weight", "expected a non-negative number");
      n->weight = j["weight"].get<double>();
    }
    if (j.contains("priority")) {
      if (j["priority"] == "primary")
        n->priority = Priority::primary;
      else if (j["priority"] == "secondary")
        n->priority = Priority::secondary;
      else
        fail(path + ".priority", "expected \"primary\" or \"secondary\"");
    }
    if (j.contains("deps")) {
      if (!j["deps"].is_array()) fail(path + ".deps", "expected a list of leaf names");
      for (const auto& d : j["deps"]) {
        if (!d.is_string()) fail(path + ".deps", "expected a list of leaf names");
        n->deps.push_back(d.get<std::string>());
      }
    }
    if (j.contains("name")) {
      n->name = str(j, "name", path);
      if (!names_.emplace(n->name, std::make_pair(path, n->deps)).second)
        fail(path + ".name", "duplicate leaf name '" + n->name + "'");
    } else if (!n->deps.empty()) {
      unnamed_deps_.emplace_back(path, n->deps);
    }
    return n;
  }

  std::shared_ptr<AndNode> and_node(const nlohmann::json& j, const std::string& path, std::size_t depth) {
    if (!j.is_array() || j.empty()) fail(path, "expected a non-empty list of nodes");
    auto n = std::make_shared<AndNode>();
    for (std::size_t i = 0; i < j.size(); ++i)
      n->children.push_back(node(j[i], path + "[" + std::to_string(i) + "]", depth));
    return n;
  }

  static SegmentOptions options(const nlohmann::json& j, const std::string& path) {
    SegmentOptions o;
    if (!j.contains("options")) return o;
    const auto& x = j["options"];
    if (!x.is_object()) fail(path + ".options", "expected an object");
    if (x.contains("count")) {
      if (x["count"] == "exact")
        o.count = Count::exact;
      else if (x["count"] == "at_least")
        o.count = Count::at_least;
      else
        fail(path + ".options.count", "expected \"exact\" or \"at_least\"");
    }
    if (x.contains("preamble")) {
      if (x["preamble"] == "ignore")
        o.preamble = Preamble::ignore;
      else if (x["preamble"] == "fail")
        o.preamble = Preamble::fail;
      else
        fail(path + ".options.preamble", "expected \"ignore\" or \"fail\"");
    }
    o.trim = boolean(x, "trim", true, path + ".options");
    return o;
  }
  static std::vector<std::string> strings(const nlohmann::json& v, const std::string& path) {
    if (!v.is_array() || v.empty()) fail(path, "expected a non-empty list of strings");
    std::vector<std::string> out;
    for (const auto& s : v) {
      if (!s.is_string()) fail(path, "expected a non-empty list of strings");
      out.push_back(s.get<std::string>());
    }
    return out;
  }
  static AnySegmenter segmenter(const nlohmann::json& j, const std::string& path) {
    if (!j.is_object()) fail(path, "expected an object");
    const auto o = options(j, path);
    if (j.contains("delimiter")) return Delimiter{str(j, "delimiter", path), o};
    if (j.contains("markers")) return Markers{strings(j["markers"], path + ".markers"), o};
    if (j.contains("headings")) {
      if (!j["headings"].is_number_integer() || j["headings"].get<int>() < 1 || j["headings"].get<int>() > 6)
        fail(path + ".headings", "expected a heading level 1-6");
      return Headings{j["headings"].get<int>(), o};
    }
    if (j.contains("list_items")) return ListItems{o};
    if (j.contains("json_keys")) return JsonKeys{strings(j["json_keys"], path + ".json_keys"), o};
    if (j.contains("positional")) {
      if (j["positional"] == "line") return Positional{Positional::line, o};
      if (j["positional"] == "paragraph") return Positional{Positional::paragraph, o};
      fail(path + ".positional", "expected \"line\" or \"paragraph\"");
    }
    fail(path, "unknown segmenter (expected delimiter, markers, headings, list_items, json_keys or positional)");
  }
  static Capture capture(const nlohmann::json& j, const std::string& path) {
    Capture c;
    c.var = str(j, "var", path);
    const int sources = j.contains("list_item") + j.contains("json_field") + j.contains("regex");
    if (sources != 1) fail(path, "a capture needs exactly one of list_item, json_field, regex");
    if (j.contains("list_item")) {
      if (!j["list_item"].is_number_integer() || j["list_item"].get<int>() < 1)
        fail(path + ".list_item", "expected an integer >= 1");
      c.list_item = j["list_item"].get<int>();
    } else if (j.contains("json_field")) {
      c.json_field = str(j, "json_field", path);
    } else {
      c.regex = str(j, "regex", path);
      if (j.contains("group")) {
        if (!j["group"].is_number_integer()) fail(path + ".group", "expected an integer");
        c.group = j["group"].get<int>();
      }
      RE2::Options quiet;
      quiet.set_log_errors(false);
      RE2 re(c.regex, quiet);
      if (!re.ok()) fail(path + ".regex", "not a valid RE2 expression: " + re.error());
      if (c.group < 0 || c.group > re.NumberOfCapturingGroups()) fail(path + ".group", "the regex has no such group");
    }
    return c;
  }

  std::shared_ptr<ChainNode> chain_node(const nlohmann::json& j, const std::string& path, std::size_t depth) {
    auto n = std::make_shared<ChainNode>();
    n->segmenter = segmenter(need(j, "segmenter", path), path + ".segmenter");
    n->gating = gating(j, path);
    n->gate_counts = boolean(j, "gate_counts", true, path);
    const auto& steps = need(j, "steps", path);
    if (!steps.is_array() || steps.empty()) fail(path + ".steps", "expected a non-empty list of steps");
    if (const auto* jk = std::get_if<JsonKeys>(&n->segmenter); jk && jk->keys.size() < steps.size())
      fail(path + ".segmenter.json_keys",
           "lists " + std::to_string(jk->keys.size()) + " keys for " + std::to_string(steps.size()) + " steps");
    if (const auto* m = std::get_if<Markers>(&n->segmenter); m && m->markers.size() < steps.size())
      fail(path + ".segmenter.markers",
           "lists " + std::to_string(m->markers.size()) + " markers for " + std::to_string(steps.size()) + " steps");
    if (std::holds_alternative<Positional>(n->segmenter) && steps.size() != 2)
      fail(path + ".steps", "a positional chain has exactly 2 steps");
    for (std::size_t k = 0; k < steps.size(); ++k) {
      const std::string sp = path + ".steps[" + std::to_string(k) + "]";
      n->steps.push_back(node(need(steps[k], "node", sp), sp + ".node", depth));
      std::vector<Capture> cs;
      if (steps[k].contains("capture")) {
        const auto& c = steps[k]["capture"];
        if (!c.is_array()) fail(sp + ".capture", "expected a list of captures");
        for (std::size_t i = 0; i < c.size(); ++i)
          cs.push_back(capture(c[i], sp + ".capture[" + std::to_string(i) + "]"));
      }
      n->captures.push_back(std::move(cs));
    }
    return n;
  }

  AnyCondition condition(const nlohmann::json& j, const std::string& path) {
    if (!j.is_object() || j.empty()) fail(path, "expected an object");
    if (j.contains("context")) {
      const auto& c = j["context"];
      const std::string cp = path + ".context";
      ContextPredicate p{str(c, "field", cp), c.contains("op") ? str(c, "op", cp) : "==", need(c, "value", cp),
                         str(c, "then", cp), c.contains("else") ? str(c, "else", cp) : "else"};
      static const std::set<std::string> ops{"==", "!=", "<", "<=", ">", ">="};
      if (!ops.count(p.op)) fail(cp + ".op", "unknown operator '" + p.op + "'");
      return p;
    }
    if (j.contains("oracle")) return OracleLabel{str(j, "oracle", path)};
    if (j.contains("context_label")) return ContextLabel{str(j, "context_label", path)};
    if (j.contains("self"))
      return SelfReferential<AnyConstraint>{constraint(need(j, "self", path), path + ".self"), str(j, "then", path),
                                            j.contains("else") ? str(j, "else", path) : "else"};
    fail(path, "unknown condition (expected context, oracle, context_label or self)");
  }

  std::shared_ptr<SelectNode> select_node(const nlohmann::json& j, const std::string& path, std::size_t depth) {
    auto n = std::make_shared<SelectNode>();
    n->condition = condition(need(j, "condition", path), path + ".condition");
    n->gating = gating(j, path);
    if (n->gating == Gating::ref) fail(path + ".gating", "a Select is gated (\"step\") or not (\"none\")");
    n->gate_counts = boolean(j, "gate_counts", true, path);
    if (j.contains("choice") && j["choice"] != "signature") {
      const auto& c = j["choice"];
      if (!c.is_object() || !c.contains("declared") || !c["declared"].is_string())
        fail(path + ".choice", "expected \"signature\" or {\"declared\": \"<captured var>\"}");
      n->declared_var = c["declared"].get<std::string>();
    }
    const auto& bs = need(j, "branches", path);
    if (!bs.is_array() || bs.empty()) fail(path + ".branches", "expected a non-empty list of branches");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < bs.size(); ++i) {
      const std::string bp = path + ".branches[" + std::to_string(i) + "]";
      n->labels.push_back(str(bs[i], "label", bp));
      if (!seen.insert(n->labels.back()).second)
        fail(bp + ".label", "duplicate branch label '" + n->labels.back() + "'");
      n->signatures.push_back(bs[i].contains("signature")
                                  ? std::optional(constraint(bs[i]["signature"], bp + ".signature"))
                                  : std::nullopt);
      n->nodes.push_back(node(need(bs[i], "node", bp), bp + ".node", depth));
    }
    const bool self = std::holds_alternative<SelfReferential<AnyConstraint>>(n->condition);
    if (!self && n->declared_var.empty())
      for (std::size_t i = 0; i < bs.size(); ++i)
        if (!n->signatures[i] && n->labels[i] != "else")
          fail(path + ".branches[" + std::to_string(i) + "]",
               "with choice \"signature\" every branch needs a signature");
    return n;
  }

  CompileOptions o_;
  const Registry& reg_;
  std::map<std::string, std::pair<std::string, std::vector<std::string>>> names_; // name -> (path, deps)
  std::vector<std::pair<std::string, std::vector<std::string>>> unnamed_deps_;
};

} // namespace detail::runtime

/// Reads a composition from its JSON spec.
inline AnyNode compile(const nlohmann::json& spec, const CompileOptions& o = {}) {
  detail::runtime::Compiler c(o);
  AnyNode n = c.node(spec, "$", 0);
  c.check_deps();
  return n;
}

/// Reads IFEval's flat form ({"instruction_id_list": [...], "kwargs": [...]}) as an And of leaves.
inline AnyNode compile_ifeval(const nlohmann::json& item, const CompileOptions& o = {}) {
  if (!item.is_object() || !item.contains("instruction_id_list")) // not json::at: its exception is not raif::error
    detail::runtime::Compiler::fail("$", "expected an object with \"instruction_id_list\"");
  const auto& ids = item["instruction_id_list"];
  const auto& kw = item.contains("kwargs") ? item["kwargs"] : nlohmann::json::array();
  if (!ids.is_array() || ids.empty())
    detail::runtime::Compiler::fail("$.instruction_id_list", "expected a non-empty list of ids");
  if (!kw.is_array() || (!kw.empty() && kw.size() != ids.size()))
    detail::runtime::Compiler::fail("$.kwargs", "expected a list of " + std::to_string(ids.size()) + " objects");
  nlohmann::json a = nlohmann::json::array();
  for (std::size_t i = 0; i < ids.size(); ++i)
    a.push_back({{"constraint", ids[i]}, {"kwargs", kw.empty() || kw[i].is_null() ? nlohmann::json::object() : kw[i]}});
  return compile({{"and", a}}, o);
}

} // namespace raif
