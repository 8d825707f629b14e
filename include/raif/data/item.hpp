#pragma once
/// @file
/// A training / evaluation item: the instruction, its verification spec (a composition, JSON
/// form), context fields for Select conditions, metadata, and the expert's traces. JSONL in and out;
/// a flat And of IFEval constraints also carries IFEval's `instruction_id_list` / `kwargs`, so the
/// file reads in IFEval tooling.

#include <raif/compose/runtime.hpp>
#include <raif/detail/atomic_file.hpp>
#include <raif/error.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <string>
#include <vector>

namespace raif {

struct Item {
  std::string id;
  std::string seed_task;                             ///< the seed task it was built on (split key)
  std::string instruction;                           ///< the user turn
  nlohmann::json spec;                               ///< composition (compose/runtime.hpp)
  nlohmann::json context = nlohmann::json::object(); ///< fields Select conditions read
  std::string composition;                           ///< single | and | chain | select | nested
  int depth = 1;                                     ///< composition nodes on the deepest path
  std::vector<std::string> constraint_ids;
  std::string expert_think;  ///< decomposition-style reasoning
  std::string expert_answer; ///< a compliant answer
  std::string shallow_think; ///< vanilla CoT: a paraphrase of the instruction

  /// The full expert response in the think/answer format.
  std::string expert_response(bool shallow = false) const {
    return "<think>\n" + (shallow ? shallow_think : expert_think) + "\n</think>\n<answer>\n" + expert_answer +
           "\n</answer>";
  }
};

/// The spec as IFEval's flat lists when it is a single IFEval constraint or an And of them.
inline std::optional<std::pair<nlohmann::json, nlohmann::json>> ifeval_lists(const nlohmann::json& spec) {
  std::vector<const nlohmann::json*> leaves;
  if (spec.contains("constraint"))
    leaves.push_back(&spec);
  else if (spec.contains("and"))
    for (const auto& c : spec["and"]) {
      if (!c.contains("constraint")) return std::nullopt;
      leaves.push_back(&c);
    }
  else
    return std::nullopt;
  nlohmann::json ids = nlohmann::json::array(), kwargs = nlohmann::json::array();
  for (const auto* l : leaves) {
    const std::string id = (*l)["constraint"];
    if (id.find(':') == std::string::npos || id.starts_with("compose:") || id.starts_with("judge:"))
      return std::nullopt;
    ids.push_back(id);
    kwargs.push_back(l->value("kwargs", nlohmann::json::object()));
  }
  return std::pair{ids, kwargs};
}

inline nlohmann::json to_json(const Item& it) {
  nlohmann::json j = {{"id", it.id},
                      {"seed_task", it.seed_task},
                      {"prompt", it.instruction},
                      {"spec", it.spec},
                      {"context", it.context},
                      {"composition", it.composition},
                      {"depth", it.depth},
                      {"constraint_ids", it.constraint_ids},
                      {"expert_think", it.expert_think},
                      {"expert_answer", it.expert_answer},
                      {"shallow_think", it.shallow_think}};
  if (auto l = ifeval_lists(it.spec)) {
    j["instruction_id_list"] = l->first;
    j["kwargs"] = l->second;
  }
  return j;
}

/// Reads one item; `where` names the file and line in errors. `spec` may be absent when IFEval's
/// lists are present. The spec is compiled here, so a bad one fails at load time.
inline Item item_from_json(const nlohmann::json& j, const std::string& where) {
  auto str = [&](const char* k, bool required) -> std::string {
    if (!j.contains(k)) {
      if (required) throw error("raif: " + where + ": missing field '" + k + "'");
      return {};
    }
    if (!j[k].is_string()) throw error("raif: " + where + ": field '" + k + "' must be a string");
    return j[k].get<std::string>();
  };
  Item it;
  it.id = str("id", false);
  it.seed_task = str("seed_task", false);
  it.instruction = str("prompt", true);
  if (j.contains("spec"))
    it.spec = j["spec"];
  else if (j.contains("instruction_id_list")) {
    nlohmann::json a = nlohmann::json::array();
    const auto& ids = j["instruction_id_list"];
    const auto kw = j.value("kwargs", nlohmann::json::array());
    for (std::size_t i = 0; i < ids.size(); ++i)
      a.push_back({{"constraint", ids[i]}, {"kwargs", i < kw.size() ? kw[i] : nlohmann::json::object()}});
    it.spec = {{"and", a}};
  } else
    throw error("raif: " + where + ": needs 'spec' or 'instruction_id_list'");
  try {
    (void)compile(it.spec);
  } catch (const std::exception& e) { throw error("raif: " + where + ": field 'spec': " + e.what()); }
  it.context = j.value("context", nlohmann::json::object());
  it.composition = j.value("composition", std::string("and"));
  it.depth = j.value("depth", 1);
  it.constraint_ids = j.value("constraint_ids", std::vector<std::string>{});
  it.expert_think = str("expert_think", false);
  it.expert_answer = str("expert_answer", false);
  it.shallow_think = str("shallow_think", false);
  return it;
}

/// Writes items as JSONL (atomically: a temporary file renamed over the target).
inline void write_jsonl(const std::string& path, const std::vector<Item>& items) {
  detail::write_atomic(path, [&](std::ostream& out) {
    for (const auto& it : items) out << to_json(it).dump() << '\n';
  });
}

inline std::vector<Item> read_jsonl(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw error("raif: cannot open " + path);
  std::vector<Item> out;
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path + ":" + std::to_string(n);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const std::exception& e) { throw error("raif: " + where + ": not JSON: " + e.what()); }
    out.push_back(item_from_json(j, where));
  }
  return out;
}

} // namespace raif
