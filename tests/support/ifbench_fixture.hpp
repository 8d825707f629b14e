#pragma once
// The IFBench conformance fixture (../shared/ifbench): prompts, responses looked up as the official
// evaluator does (exact prompt, else the stripped prompt), and the official verdicts. Shared by the
// Catch2 conformance cases and the ifbench_diff developer tool.

#include <raif/eval/ifeval.hpp>
#include <raif/eval/ifeval_io.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace raif::test {

struct IfbenchRow {
  IfevalItem item;
  std::optional<std::string> response; // nullopt: no response line (every instruction False)
  nlohmann::json official;             // the official_results.jsonl row with the same key
  bool skip() const {                  // verdicts of flagged rows are not prescribed
    const auto& f = official.at("flags");
    return f.value("nondeterministic", false) || f.value("uses_random_default", false);
  }
};

inline std::vector<IfbenchRow> load_ifbench_fixture(const std::filesystem::path& dir) {
  std::map<std::string, std::string> by_prompt;
  read_jsonl((dir / "responses.jsonl").string(), [&](const nlohmann::json& j, std::size_t) {
    const auto p = j.at("prompt").get<std::string>();
    const auto r = j.at("response").get<std::string>();
    by_prompt[p] = r;
    const auto s = std::string(py_strip(std::string_view(p)));
    if (s != p) by_prompt[s] = r;
  });
  std::map<std::int64_t, nlohmann::json> official;
  read_jsonl((dir / "official_results.jsonl").string(),
             [&](const nlohmann::json& j, std::size_t) { official[j.at("key").get<std::int64_t>()] = j; });
  std::vector<IfbenchRow> rows;
  const auto input = (dir / "input_data.jsonl").string();
  read_jsonl(input, [&](const nlohmann::json& j, std::size_t no) {
    IfbenchRow row{parse_ifeval_input_row(j, input, no), std::nullopt, {}};
    auto it = by_prompt.find(row.item.prompt);
    if (it == by_prompt.end()) it = by_prompt.find(std::string(py_strip(std::string_view(row.item.prompt))));
    if (it != by_prompt.end()) row.response = it->second;
    row.official = official.at(row.item.key);
    rows.push_back(std::move(row));
  });
  return rows;
}

} // namespace raif::test
