#pragma once
/// @file
/// Reading IFEval's JSONL files. Every error names the file, the line and the field.

#include <raif/error.hpp>
#include <raif/eval/ifeval.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <string>
#include <unordered_map>
#include <vector>

namespace raif {

/// Calls f(object, line_number) for each non-blank line of a JSONL file.
template <class F> void read_jsonl(const std::string& path, F&& f) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw error(path + ": cannot open file");
  std::string line;
  for (std::size_t no = 1; std::getline(in, line); ++no) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      throw error(path + ":" + std::to_string(no) + ": not a valid JSON line: " + e.what());
    }
    if (!j.is_object()) throw error(path + ":" + std::to_string(no) + ": expected a JSON object");
    f(j, no);
  }
  if (in.bad()) throw error(path + ": read error");
}

namespace detail {
inline const nlohmann::json& field(const nlohmann::json& j, const char* name, const std::string& where) {
  auto it = j.find(name);
  if (it == j.end()) throw error(where + ": missing field '" + name + "'");
  return *it;
}
} // namespace detail

/// Reads input_data.jsonl: key, prompt, instruction_id_list, kwargs (other fields ignored).
inline std::vector<IfevalItem> read_ifeval_input(const std::string& path) {
  std::vector<IfevalItem> items;
  read_jsonl(path, [&](const nlohmann::json& j, std::size_t no) {
    const std::string where = path + ":" + std::to_string(no);
    IfevalItem it;
    it.source = where;
    const auto& key = detail::field(j, "key", where);
    if (!key.is_number_integer()) throw error(where + ": field 'key' must be an integer, got " + key.dump());
    it.key = key.get<std::int64_t>();
    const auto& prompt = detail::field(j, "prompt", where);
    if (!prompt.is_string()) throw error(where + ": field 'prompt' must be a string");
    it.prompt = prompt.get<std::string>();
    const auto& ids = detail::field(j, "instruction_id_list", where);
    if (!ids.is_array()) throw error(where + ": field 'instruction_id_list' must be a list of strings");
    for (const auto& id : ids) {
      if (!id.is_string())
        throw error(where + ": field 'instruction_id_list' must be a list of strings, got " + id.dump());
      it.instruction_id_list.push_back(id.get<std::string>());
    }
    const auto& kw = detail::field(j, "kwargs", where);
    if (!kw.is_array() || kw.size() != ids.size())
      throw error(where + ": field 'kwargs' must be a list of " + std::to_string(ids.size()) + " objects");
    for (const auto& k : kw) {
      if (!k.is_object()) throw error(where + ": field 'kwargs' must be a list of objects, got " + k.dump());
      it.kwargs.push_back(k);
    }
    items.push_back(std::move(it));
  });
  return items;
}

/// Reads a response file: prompt -> response (a repeated prompt: the later line wins, as in IFEval).
inline std::unordered_map<std::string, std::string> read_ifeval_responses(const std::string& path) {
  std::unordered_map<std::string, std::string> out;
  read_jsonl(path, [&](const nlohmann::json& j, std::size_t no) {
    const std::string where = path + ":" + std::to_string(no);
    const auto& p = detail::field(j, "prompt", where);
    const auto& r = detail::field(j, "response", where);
    if (!p.is_string()) throw error(where + ": field 'prompt' must be a string");
    if (!r.is_string()) throw error(where + ": field 'response' must be a string, got " + r.type_name());
    out[p.get<std::string>()] = r.get<std::string>();
  });
  return out;
}

} // namespace raif
