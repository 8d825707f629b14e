#pragma once
/// @file
/// raif-score's items: one JSONL line read into a ScoreItem (prompt, response, context and the
/// compiled composition) and scored into its output line. Errors are raif::error naming the
/// file, line and field or JSON path. Torch-free, so the line parser can be fuzzed on its own
/// (fuzz/targets/score_line.cpp).
///
/// A line: {"prompt": str, "response": str, "spec": <composition JSON or {"instruction_id_list":
/// [...], "kwargs": [...]}>, "context": {...} or null (optional)}; IFEval's instruction_id_list and
/// kwargs may also sit at the top level instead of "spec". Other fields are ignored.
///
/// (It lives in reward/, not eval/: it compiles compositions, and compose/ includes eval/.)

#include <raif/compose/compose.hpp>
#include <raif/eval/jsonl_io.hpp>
#include <raif/reward/reward.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <variant>

namespace raif {

/// One raif-score input item.
struct ScoreItem {
  std::string prompt, response;
  nlohmann::json context; ///< null when absent
  AnyNode spec;
};

/// Reads an item from its JSON object; `where` ("file:line") prefixes every error message.
inline ScoreItem parse_score_item(const nlohmann::json& j, const std::string& where) {
  ScoreItem it;
  for (const char* f : {"prompt", "response"}) {
    const auto v = j.find(f);
    if (v == j.end() || !v->is_string()) throw error(where + ": field '" + f + "' must be a string");
  }
  it.prompt = j["prompt"].get<std::string>();
  it.response = j["response"].get<std::string>();
  if (const auto c = j.find("context"); c != j.end() && !c->is_null()) {
    if (!c->is_object()) throw error(where + ": field 'context' must be an object");
    it.context = *c;
  }
  try {
    if (const auto s = j.find("spec"); s != j.end()) {
      it.spec = s->is_object() && s->contains("instruction_id_list") ? compile_ifeval(*s) : compile(*s);
    } else if (j.contains("instruction_id_list")) {
      it.spec = compile_ifeval(j);
    } else {
      throw error("missing field 'spec' (a composition, or IFEval's instruction_id_list and kwargs)");
    }
  } catch (const error& e) { throw error(where + ": " + e.what()); }
  return it;
}

/// Reads an item from one JSONL line (line number `no` of `file`).
inline ScoreItem parse_score_line(std::string_view line, const std::string& file, std::size_t no) {
  return parse_score_item(parse_jsonl_object(line, file, no), file + ":" + std::to_string(no));
}

/// How raif-score scores: the aggregation policy, the chat template, the format rule.
struct ScoreOptions {
  AnyPolicy policy = RaifPiecewise{};
  ChatTemplate chat;
  bool require_nonempty_think = false;
};

namespace detail {
struct PolicyFn {
  AnyPolicy p;
  double operator()(const Verdict& v) const { return aggregate(p, v); }
};
} // namespace detail

/// Scores an item: {"reward": R, "components": {"format": f, "accuracy": a, "leaf_pass_rate": p},
/// "verdict": {...}} (format absent with the plain template). Thread-safe.
inline nlohmann::json score_item(const ScoreItem& it, const ScoreOptions& o) {
  const Sample s{.prompt = it.prompt, .response = it.response, .context = it.context.is_null() ? nullptr : &it.context};
  const FormatReward f{.chat = o.chat, .require_nonempty_think = o.require_nonempty_think};
  const AnswerReward<AnyNode, detail::PolicyFn> acc{.spec = it.spec,
                                                    .policy = {o.policy},
                                                    .format = f,
                                                    .format_fail =
                                                        std::holds_alternative<RaifPiecewise>(o.policy) ? -2.0 : 0.0};
  const RewardResult r = o.chat.plain ? acc(s) : Sum<FormatReward, decltype(acc)>(f, acc)(s);
  nlohmann::json comp = nlohmann::json::object();
  for (const auto& [k, v] : r.components) comp[k] = v;
  return {{"reward", r.value},
          {"components", comp},
          {"verdict", r.verdict ? to_json(*r.verdict) : nlohmann::json(nullptr)}};
}

} // namespace raif
