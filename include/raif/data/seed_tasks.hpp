#pragma once
/// @file
/// Seed tasks: the closed world the composer composes instructions over, as data. One JSONL line
/// per seed task: a prompt, the facts an expert answer is built from, and the attributes Select
/// conditions branch on (schema: docs/data.md). The bundled animals world
/// (data/seed_tasks/animals.jsonl) is embedded, so it needs no file at run time.
///
///   raif::Composer c{.seed = 1, .world = raif::load_seed_tasks("my_seed_tasks.jsonl")};

#include <raif/data/detail/animals_seed_tasks.hpp>
#include <raif/error.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace raif {

/// One sentence of an expert answer. `{It}` in it stands for the pronoun, which becomes the task's
/// `name` when the word "it" is forbidden.
struct SeedFact {
  std::string text;     ///< the sentence
  std::string no_comma; ///< the sentence when commas are forbidden (default: `text` without its commas)
};

/// One part of a chained answer: what the part asks for, answered with another seed task's facts.
struct SeedChainPart {
  std::string label; ///< a short name the expert's trace uses ("home")
  std::string ask;   ///< the request, after "In part k " ("say where the fox lives")
  std::string task;  ///< id of the seed task whose facts answer it
};

/// A two-part Chain over the seed task: part 1 then part 2, split by a `***` line.
struct SeedChain {
  std::vector<SeedChainPart> parts; ///< exactly two
  std::string summary;              ///< closes the expert's trace (default: the task's summary)
};

/// A Select over the seed task: one branch if `context[field] == equals`, the other otherwise.
struct SeedSelect {
  std::string field;   ///< a key of the task's context
  std::string equals;  ///< the value that takes the first branch (also that branch's label)
  std::string if_text; ///< the condition as the instruction says it, after "If " ("the fox is a bird")
  std::string because; ///< the fact that decides it, in the expert's trace ("The fox is a mammal")
  std::string summary; ///< closes the expert's trace (default: the task's summary)
};

/// A seed task: the prompt the composer appends constraints to, and what an expert answer says.
/// The defaults named below are filled in by the loader (parse_seed_tasks / load_seed_tasks).
struct SeedTask {
  std::string id;            ///< unique; the items' `seed_task`, the split key
  std::string group;         ///< the composer draws a group, then one of its tasks (default: id)
  std::string subject;       ///< what the task is about, as said after "the" ("fox")
  std::string prompt;        ///< the seed instruction ("Describe the fox.")
  std::size_t sentences = 1; ///< how many facts a plain answer gives
  std::vector<SeedFact> facts;
  nlohmann::json context = nlohmann::json::object(); ///< attributes Select conditions read
  nlohmann::json json;                               ///< the answer when JSON is asked (default {"subject", "facts"})
  std::string name;                 ///< replaces {It} when "it" is forbidden (default "The " + subject)
  std::string title;                ///< the answer's title (default: Subject + " facts")
  std::string postscript;           ///< default "P.S. I like the " + subject + "."
  std::string summary;              ///< closes the expert's trace (default: the facts, joined)
  std::optional<SeedChain> chain;   ///< absent: no chain or nested items on this task
  std::optional<SeedSelect> select; ///< absent: no select or nested items on this task
};

/// A world of seed tasks, grouped for the draw (groups in order of first appearance).
struct SeedTasks {
  std::vector<SeedTask> tasks;
  std::vector<std::vector<std::size_t>> groups; ///< indices into `tasks`, file order
  std::string source;                           ///< the file it came from, for messages

  /// The task with this id; throws raif::error if there is none.
  const SeedTask& at(std::string_view id) const {
    for (const auto& t : tasks)
      if (t.id == id) return t;
    throw error("raif: " + source + ": no seed task with id '" + std::string(id) + "'");
  }
};

namespace detail::seed_tasks {

// A JSON object's fields, read once each; whatever is left unread at the end is an unknown field
// (a typo such as "fatcs" is an error, not a silently absent fact list).
class Fields {
public:
  Fields(const nlohmann::json& j, std::string where, std::string prefix)
      : j_(j), where_(std::move(where)), prefix_(std::move(prefix)) {
    if (!j.is_object()) throw fail("", "must be a JSON object");
  }
  error fail(const std::string& field, const std::string& what) const {
    // a whole nested object is named by its prefix without the trailing dot
    const std::string name =
        field.empty() && !prefix_.empty() ? prefix_.substr(0, prefix_.size() - 1) : prefix_ + field;
    return error("raif: " + where_ + ": " + (name.empty() ? "the line" : "field '" + name + "'") + " " + what);
  }
  const nlohmann::json* get(const std::string& k, bool required) {
    seen_.insert(k);
    if (!j_.contains(k)) {
      if (required) throw error("raif: " + where_ + ": missing field '" + prefix_ + k + "'");
      return nullptr;
    }
    return &j_[k];
  }
  std::string str(const std::string& k, bool required, std::string fallback = {}) {
    const auto* v = get(k, required);
    if (!v) return fallback;
    if (!v->is_string()) throw fail(k, "must be a string, got " + v->dump());
    if (v->get<std::string>().empty()) throw fail(k, "must not be empty");
    return v->get<std::string>();
  }
  void finish() const {
    for (const auto& [k, v] : j_.items())
      if (!seen_.count(k)) throw error("raif: " + where_ + ": unknown field '" + prefix_ + k + "'");
  }

private:
  const nlohmann::json& j_;
  std::string where_, prefix_;
  std::set<std::string> seen_;
};

inline std::string without_commas(std::string s) {
  std::erase(s, ',');
  return s;
}
// A fact with its {It} placeholders replaced by `pronoun`.
inline std::string with_pronoun(std::string s, const std::string& pronoun) {
  for (auto at = s.find("{It}"); at != std::string::npos; at = s.find("{It}", at + pronoun.size()))
    s.replace(at, 4, pronoun);
  return s;
}

inline SeedTask task_from_json(const nlohmann::json& j, const std::string& where) {
  Fields f(j, where, "");
  SeedTask t;
  t.id = f.str("id", true);
  t.group = f.str("group", false, t.id);
  t.subject = f.str("subject", true);
  t.prompt = f.str("prompt", true);
  if (const auto* s = f.get("sentences", false)) {
    if (!s->is_number_integer() || s->get<long long>() < 1) throw f.fail("sentences", "must be an integer >= 1");
    t.sentences = s->get<std::size_t>();
  } else
    t.sentences = 1;
  const auto* facts = f.get("facts", true);
  if (!facts->is_array() || facts->empty()) throw f.fail("facts", "must be a non-empty array");
  for (std::size_t i = 0; i < facts->size(); ++i) {
    const auto& x = (*facts)[i];
    const std::string at = "facts[" + std::to_string(i) + "]";
    if (x.is_string()) {
      t.facts.push_back({x.get<std::string>(), without_commas(x.get<std::string>())});
      continue;
    }
    if (!x.is_object()) throw f.fail(at, "must be a string or an object {\"text\", \"no_comma\"}");
    Fields g(x, where, at + ".");
    SeedFact fact;
    fact.text = g.str("text", true);
    fact.no_comma = g.str("no_comma", false, without_commas(fact.text));
    if (fact.no_comma.find(',') != std::string::npos) throw g.fail("no_comma", "must not contain a comma");
    g.finish();
    t.facts.push_back(std::move(fact));
  }
  if (const auto* c = f.get("context", false)) {
    if (!c->is_object()) throw f.fail("context", "must be a JSON object");
    t.context = *c;
  }
  if (const auto* js = f.get("json", false)) {
    if (!js->is_object()) throw f.fail("json", "must be a JSON object");
    t.json = *js;
  } else {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& x : t.facts) a.push_back(with_pronoun(x.text, "It"));
    t.json = {{"subject", t.subject}, {"facts", a}};
  }
  std::string capitalized = t.subject;
  if (capitalized[0] >= 'a' && capitalized[0] <= 'z') capitalized[0] = static_cast<char>(capitalized[0] - 32);
  t.name = f.str("name", false, "The " + t.subject);
  t.title = f.str("title", false, capitalized + " facts");
  t.postscript = f.str("postscript", false, "P.S. I like the " + t.subject + ".");
  std::string joined;
  for (const auto& x : t.facts) joined += (joined.empty() ? "" : " ") + with_pronoun(x.text, "It");
  t.summary = f.str("summary", false, joined);
  if (const auto* c = f.get("chain", false)) {
    Fields g(*c, where, "chain.");
    const auto* parts = g.get("parts", true);
    if (!parts->is_array() || parts->size() != 2) throw g.fail("parts", "must be an array of exactly two parts");
    SeedChain ch;
    for (std::size_t i = 0; i < 2; ++i) {
      Fields p((*parts)[i], where, "chain.parts[" + std::to_string(i) + "].");
      ch.parts.push_back({p.str("label", true), p.str("ask", true), p.str("task", true)});
      p.finish();
    }
    ch.summary = g.str("summary", false, t.summary);
    g.finish();
    t.chain = std::move(ch);
  }
  if (const auto* s = f.get("select", false)) {
    Fields g(*s, where, "select.");
    SeedSelect sel;
    sel.field = g.str("field", true);
    if (!t.context.contains(sel.field)) throw g.fail("field", "'" + sel.field + "' is not a key of 'context'");
    sel.equals = g.str("equals", true);
    if (sel.equals == "other") throw g.fail("equals", "must not be 'other' (the label of the else branch)");
    sel.if_text = g.str("if", true);
    sel.because = g.str("because", true);
    sel.summary = g.str("summary", false, t.summary);
    g.finish();
    t.select = std::move(sel);
  }
  f.finish();
  return t;
}

} // namespace detail::seed_tasks

/// Reads seed tasks, one JSON object a line (blank lines skipped); `source` names the input in
/// errors, which say `source:line` and the field. Chain parts must name tasks of the same input.
inline SeedTasks parse_seed_tasks(std::istream& in, const std::string& source) {
  SeedTasks w;
  w.source = source;
  std::map<std::string, std::size_t> line_of, group_of;
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = source + ":" + std::to_string(n);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const std::exception& e) { throw error("raif: " + where + ": not JSON: " + e.what()); }
    auto t = detail::seed_tasks::task_from_json(j, where);
    if (const auto it = line_of.find(t.id); it != line_of.end())
      throw error("raif: " + where + ": field 'id': duplicate '" + t.id + "' (first on line " +
                  std::to_string(it->second) + ")");
    line_of[t.id] = n;
    const auto [g, fresh] = group_of.try_emplace(t.group, w.groups.size());
    if (fresh) w.groups.emplace_back();
    w.groups[g->second].push_back(w.tasks.size());
    w.tasks.push_back(std::move(t));
  }
  if (w.tasks.empty()) throw error("raif: " + source + ": no seed tasks");
  for (const auto& t : w.tasks)
    if (t.chain)
      for (std::size_t i = 0; i < t.chain->parts.size(); ++i)
        if (!line_of.count(t.chain->parts[i].task))
          throw error("raif: " + source + ":" + std::to_string(line_of[t.id]) + ": field 'chain.parts[" +
                      std::to_string(i) + "].task': no seed task with id '" + t.chain->parts[i].task + "'");
  return w;
}

/// Reads a seed-task JSONL file (schema: docs/data.md).
inline SeedTasks load_seed_tasks(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw error("raif: cannot open " + path);
  return parse_seed_tasks(in, path);
}

/// The bundled animals world: 8 animals × 3 questions (data/seed_tasks/animals.jsonl, embedded).
inline const SeedTasks& animals_seed_tasks() {
  static const SeedTasks w = [] {
    std::istringstream in{std::string(detail::animals_seed_tasks_jsonl)};
    return parse_seed_tasks(in, "data/seed_tasks/animals.jsonl");
  }();
  return w;
}

} // namespace raif
