#pragma once
/// @file
/// IFEval evaluation: strict and loose following (SPEC §1.5-1.6), prompt/instruction/category/id
/// accuracies and the printed report (§1.7), and the output records (§1.8).

#include <raif/constraint/ifeval.hpp>
#include <raif/eval/python_format.hpp>
#include <raif/text/strip.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace raif {

/// One line of IFEval's input_data.jsonl.
struct IfevalItem {
  std::string source; ///< "file:line" it was read from (for error messages), or empty
  std::int64_t key = 0;
  std::string prompt;
  std::vector<std::string> instruction_id_list;
  std::vector<nlohmann::json> kwargs;

  /// Builds the constraints (raif::error if an id or kwarg is bad).
  std::vector<AnyConstraint> constraints(const Registry& reg = Registry::ifeval()) const {
    std::vector<AnyConstraint> out;
    for (std::size_t i = 0; i < instruction_id_list.size(); ++i) {
      try {
        out.push_back(reg.make(instruction_id_list[i], i < kwargs.size() ? kwargs[i] : nlohmann::json::object()));
      } catch (const error& e) {
        throw error((source.empty() ? "" : source + ": ") + "prompt key " + std::to_string(key) + ", instruction " +
                    std::to_string(i) + ": " + e.what());
      }
    }
    return out;
  }
};

/// Per-instruction verdicts of one prompt in both modes.
struct IfevalVerdict {
  std::vector<bool> strict, loose;
};

/// The eight texts of loose mode (SPEC §1.6), in IFEval's order.
inline std::array<std::string, 8> loose_candidates(std::string_view r) {
  const auto first_nl = r.find('\n'), last_nl = r.rfind('\n');
  const bool has_nl = first_nl != std::string_view::npos;
  const std::string_view drop_first = has_nl ? py_strip(r.substr(first_nl + 1)) : std::string_view();
  const std::string_view drop_last = has_nl ? py_strip(r.substr(0, last_nl)) : std::string_view();
  const std::string_view drop_both =
      has_nl && last_nl > first_nl ? py_strip(r.substr(first_nl + 1, last_nl - first_nl - 1)) : std::string_view();
  auto no_stars = [](std::string_view s) {
    std::string o;
    o.reserve(s.size());
    for (char c : s)
      if (c != '*') o += c;
    return o;
  };
  return {std::string(r), no_stars(r), std::string(drop_first), std::string(drop_last), std::string(drop_both),
          no_stars(drop_first), no_stars(drop_last), no_stars(drop_both)};
}

/// Evaluates one response against its constraints in strict and loose mode. The strict text is
/// loose candidate 1, so it is decoded (and language-identified) once for both.
inline IfevalVerdict evaluate_ifeval(const std::vector<AnyConstraint>& cs, std::string_view response, const Context& ctx = {}) {
  const auto cands = loose_candidates(response);
  std::vector<Text> texts(cands.begin(), cands.end());
  std::array<bool, 8> usable{};
  for (std::size_t k = 0; k < 8; ++k) {
    usable[k] = !texts[k].blank();
    for (std::size_t j = 0; j < k && usable[k]; ++j) // a repeated candidate cannot change the answer
      if (usable[j] && cands[j] == cands[k]) usable[k] = false;
  }
  IfevalVerdict v;
  for (const auto& c : cs) {
    const bool strict = usable[0] && c.check(texts[0], ctx);
    bool loose = strict;
    for (std::size_t k = 1; k < 8 && !loose; ++k) loose = usable[k] && c.check(texts[k], ctx);
    v.strict.push_back(strict);
    v.loose.push_back(loose);
  }
  return v;
}

/// followed / total.
struct Accuracy {
  std::size_t followed = 0, total = 0;
  double value() const { return total ? static_cast<double>(followed) / static_cast<double>(total) : 0.0; }
};

/// IFEval's summary of one pass.
struct IfevalSummary {
  Accuracy prompt, instruction;
  std::map<std::string, Accuracy> by_category, by_id; // std::map: code-point (byte) order, as Python sorts
};

/// Aggregates one pass (SPEC §1.7).
inline IfevalSummary summarize_ifeval(const std::vector<IfevalItem>& items, const std::vector<std::vector<bool>>& follow) {
  IfevalSummary s;
  for (std::size_t p = 0; p < items.size(); ++p) {
    bool all = true;
    for (std::size_t i = 0; i < follow[p].size(); ++i) {
      const bool f = follow[p][i];
      all = all && f;
      const std::string& id = items[p].instruction_id_list[i];
      for (Accuracy* a : {&s.instruction, &s.by_category[id.substr(0, id.find(':'))], &s.by_id[id]}) {
        a->followed += f;
        ++a->total;
      }
    }
    s.prompt.followed += all;
    ++s.prompt.total;
  }
  return s;
}

/// The block evaluation_main prints for one pass.
inline std::string format_ifeval_report(std::string_view output_path, const IfevalSummary& s) {
  std::string o(64, '=');
  o += "\n" + std::string(output_path) + " Accuracy Scores:\n";
  o += "prompt-level: " + python_float_repr(s.prompt.value()) + "\n";
  o += "instruction-level: " + python_float_repr(s.instruction.value()) + "\n\n";
  for (const auto& [k, a] : s.by_category) o += k + " " + python_float_repr(a.value()) + "\n";
  o += "\n";
  for (const auto& [k, a] : s.by_id) o += k + " " + python_float_repr(a.value()) + "\n";
  return o;
}

/// One line of eval_results_{strict,loose}.jsonl, byte-identical to Python's json.dumps.
inline std::string format_ifeval_record(const IfevalItem& item, std::string_view response, const std::vector<bool>& follow) {
  bool all = true;
  for (bool f : follow) all = all && f;
  std::string o = "{\"follow_all_instructions\": ";
  o += all ? "true" : "false";
  o += ", \"follow_instruction_list\": [";
  for (std::size_t i = 0; i < follow.size(); ++i) o += std::string(i ? ", " : "") + (follow[i] ? "true" : "false");
  o += "], \"instruction_id_list\": [";
  for (std::size_t i = 0; i < item.instruction_id_list.size(); ++i) {
    if (i) o += ", ";
    python_json_string(o, item.instruction_id_list[i]);
  }
  o += "], \"prompt\": ";
  python_json_string(o, item.prompt);
  o += ", \"response\": ";
  python_json_string(o, response);
  o += "}\n";
  return o;
}

} // namespace raif
