// raif-score: RAIF rewards for other RL stacks (a Python trainer can call it).
//
//   raif-score --input items.jsonl --output scored.jsonl [--policy raif] [--template think_answer] [--threads N]
//
// Each input line: {"prompt": str, "response": str, "spec": <composition JSON or
// {"instruction_id_list": [...], "kwargs": [...]}>, "context": {...}} (IFEval's instruction_id_list
// and kwargs may also sit at the top level). Each output line, in input order:
// {"reward": R, "components": {"format": f, "accuracy": a, "leaf_pass_rate": p}, "verdict": {...}}.
// Bad input names the file, line and JSON path and exits 2 without writing anything.

#include <raif/compose/compose.hpp>
#include <raif/detail/parallel.hpp>
#include <raif/eval/ifeval_io.hpp>
#include <raif/reward/reward.hpp>

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

#include <unistd.h>

namespace {
struct Item {
  std::string prompt, response;
  nlohmann::json context;
  raif::AnyNode spec;
};
struct PolicyFn {
  raif::AnyPolicy p;
  double operator()(const raif::Verdict& v) const { return raif::aggregate(p, v); }
};
} // namespace

int main(int argc, char** argv) {
  CLI::App app{"raif-score: RAIF rewards (format + accuracy over a composition) for JSONL items"};
  std::string input, output, policy_name = "raif", template_name = "think_answer";
  unsigned threads = 0;
  bool nonempty_think = false;
  app.add_option("--input", input, "items: {prompt, response, spec, context} per line (JSONL)")->required();
  app.add_option("--output", output, "scored items (JSONL), written atomically")->required();
  app.add_option("--policy", policy_name,
                 "aggregation: raif, fraction, dependency_aware, all_or_nothing, priority, weighted");
  app.add_option("--template", template_name,
                 "answer extraction: think_answer, think_only, or none (no format reward)");
  app.add_option("--threads", threads, "worker threads (0: all cores); results do not depend on it");
  app.add_flag("--require-nonempty-think", nonempty_think, "the released RAIF code's extra format rule");
  CLI11_PARSE(app, argc, argv);

  try {
    const raif::AnyPolicy policy = raif::policy_from_name(policy_name);
    raif::ChatTemplate chat;
    if (template_name == "think_only")
      chat.think_only = true;
    else if (template_name == "none")
      chat.plain = true;
    else if (template_name != "think_answer")
      throw raif::error("unknown --template '" + template_name + "' (expected think_answer, think_only or none)");

    std::vector<Item> items;
    raif::read_jsonl(input, [&](const nlohmann::json& j, std::size_t no) {
      const std::string where = input + ":" + std::to_string(no);
      Item it;
      for (const char* f : {"prompt", "response"}) {
        if (!j.contains(f) || !j[f].is_string()) throw raif::error(where + ": field '" + f + "' must be a string");
      }
      it.prompt = j["prompt"].get<std::string>();
      it.response = j["response"].get<std::string>();
      if (j.contains("context") && !j["context"].is_null()) {
        if (!j["context"].is_object()) throw raif::error(where + ": field 'context' must be an object");
        it.context = j["context"];
      }
      try {
        if (j.contains("spec")) {
          const auto& s = j["spec"];
          it.spec = s.is_object() && s.contains("instruction_id_list") ? raif::compile_ifeval(s) : raif::compile(s);
        } else if (j.contains("instruction_id_list")) {
          it.spec = raif::compile_ifeval(j);
        } else {
          throw raif::error("missing field 'spec' (a composition, or IFEval's instruction_id_list and kwargs)");
        }
      } catch (const raif::error& e) { throw raif::error(where + ": " + e.what()); }
      items.push_back(std::move(it));
    });

    std::vector<std::string> lines(items.size());
    raif::LanguageDetector::instance(); // load profiles once, before the workers race for them
    raif::detail::parallel_for(items.size(), threads, [&](std::size_t i) {
      try {
        const auto& it = items[i];
        const raif::Sample s{
            .prompt = it.prompt, .response = it.response, .context = it.context.is_null() ? nullptr : &it.context};
        const raif::FormatReward f{.chat = chat, .require_nonempty_think = nonempty_think};
        const raif::AnswerReward<raif::AnyNode, PolicyFn> acc{
            .spec = it.spec,
            .policy = {policy},
            .format = f,
            .format_fail = std::holds_alternative<raif::RaifPiecewise>(policy) ? -2.0 : 0.0};
        const raif::RewardResult r = chat.plain ? acc(s) : raif::Sum<raif::FormatReward, decltype(acc)>(f, acc)(s);
        nlohmann::json comp = nlohmann::json::object();
        for (const auto& [k, v] : r.components) comp[k] = v;
        nlohmann::json out{{"reward", r.value},
                           {"components", comp},
                           {"verdict", r.verdict ? raif::to_json(*r.verdict) : nlohmann::json(nullptr)}};
        lines[i] = out.dump() + "\n";
      } catch (const std::exception& e) { throw raif::error(input + ":" + std::to_string(i + 1) + ": " + e.what()); }
    });

    const std::filesystem::path out(output);
    const std::filesystem::path tmp = std::filesystem::path(out).concat(".tmp" + std::to_string(::getpid()));
    {
      std::ofstream f(tmp, std::ios::binary);
      for (const auto& l : lines) f << l;
      if (!f.flush()) {
        std::filesystem::remove(tmp);
        throw raif::error(output + ": write failed");
      }
    }
    std::filesystem::rename(tmp, out);
    std::cerr << "raif-score: " << items.size() << " item(s) scored\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "raif-score: " << e.what() << "\n";
    return 2;
  }
}
