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

namespace detail {
inline std::string without_stars(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto k = s.find('*', i);
    o.append(s.substr(i, k == std::string_view::npos ? std::string_view::npos : k - i));
    if (k == std::string_view::npos) break;
    i = k + 1;
  }
  return o;
}
} // namespace detail

/// Loose candidate k (0-7) of SPEC §1.6, in IFEval's order: the response; without '*'; without the
/// first line, the last line, both (each stripped); and those three without '*'.
inline std::string loose_candidate(std::string_view r, std::size_t k) {
  const auto first_nl = r.find('\n'), last_nl = r.rfind('\n');
  const bool has_nl = first_nl != std::string_view::npos;
  std::string_view base;
  if (k == 0) return std::string(r);
  if (k == 1) return detail::without_stars(r);
  switch (k < 5 ? k : k - 3) {
  case 2: base = has_nl ? py_strip(r.substr(first_nl + 1)) : std::string_view(); break;
  case 3: base = has_nl ? py_strip(r.substr(0, last_nl)) : std::string_view(); break;
  default:
    base = has_nl && last_nl > first_nl ? py_strip(r.substr(first_nl + 1, last_nl - first_nl - 1)) : std::string_view();
  }
  return k < 5 ? std::string(base) : detail::without_stars(base);
}

/// All eight loose candidates.
inline std::array<std::string, 8> loose_candidates(std::string_view r) {
  std::array<std::string, 8> out;
  for (std::size_t k = 0; k < 8; ++k) out[k] = loose_candidate(r, k);
  return out;
}

/// Evaluates one response against its constraints in strict and loose mode. The strict text is
/// loose candidate 1, so it is decoded (and language-identified) once for both; the other
/// candidates are built only when some instruction fails strict, and a candidate equal to an
/// earlier one is skipped (it cannot change the answer).
inline IfevalVerdict evaluate_ifeval(const std::vector<AnyConstraint>& cs, std::string_view response,
                                     const Context& ctx = {}) {
  IfevalVerdict v;
  const Text strict_text(response);
  const bool usable0 = !strict_text.blank();
  for (const auto& c : cs) {
    const bool ok = usable0 && c.check(strict_text, ctx);
    v.strict.push_back(ok);
    v.loose.push_back(ok);
  }
  std::size_t pending = 0;
  for (bool ok : v.loose) pending += !ok;
  if (pending == 0) return v;
  std::array<std::string, 8> cand;
  for (std::size_t k = 1; k < 8 && pending; ++k) {
    cand[k] = loose_candidate(response, k);
    bool skip = cand[k] == response;
    for (std::size_t j = 1; j < k && !skip; ++j) skip = cand[j] == cand[k];
    const Text t(cand[k]);
    if (skip || t.blank()) continue;
    for (std::size_t i = 0; i < cs.size(); ++i)
      if (!v.loose[i] && cs[i].check(t, ctx)) {
        v.loose[i] = true;
        --pending;
      }
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

  /// Counts one prompt (its instruction ids and whether each was followed); a streaming
  /// evaluator adds prompts one by one and gets the same summary as summarize_ifeval.
  void add(const std::vector<std::string>& instruction_id_list, const std::vector<bool>& follow) {
    bool all = true;
    for (std::size_t i = 0; i < follow.size(); ++i) {
      const bool f = follow[i];
      all = all && f;
      const std::string& id = instruction_id_list[i];
      for (Accuracy* a : {&instruction, &by_category[id.substr(0, id.find(':'))], &by_id[id]}) {
        a->followed += f;
        ++a->total;
      }
    }
    prompt.followed += all;
    ++prompt.total;
  }
};

/// Aggregates one pass (SPEC §1.7).
inline IfevalSummary summarize_ifeval(const std::vector<IfevalItem>& items,
                                      const std::vector<std::vector<bool>>& follow) {
  IfevalSummary s;
  for (std::size_t p = 0; p < items.size(); ++p) s.add(items[p].instruction_id_list, follow[p]);
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
inline std::string format_ifeval_record(const IfevalItem& item, std::string_view response,
                                        const std::vector<bool>& follow) {
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
