// raif-score: RAIF rewards for other RL stacks (a Python trainer can call it).
//
//   raif-score --input items.jsonl --output scored.jsonl [--policy raif] [--template think_answer]
//              [--threads N] [--on-error stop|skip] [--errors scored.jsonl.errors.jsonl] [--chunk LINES]
//
// Each input line: {"prompt": str, "response": str, "spec": <composition JSON or
// {"instruction_id_list": [...], "kwargs": [...]}>, "context": {...}} (IFEval's instruction_id_list
// and kwargs may also sit at the top level; include/raif/reward/score_io.hpp reads it). Each output
// line, in input order: {"reward": R, "components": {"format": f, "accuracy": a,
// "leaf_pass_rate": p}, "verdict": {...}}.
//
// Streaming: the input is read in chunks of --chunk lines, each scored on all threads and appended
// to a temporary output in input order, renamed to --output at the end. Memory: one chunk and the
// longest line, whatever the file's size.
//
// Errors (exit codes):
//   --on-error=stop (default): a bad row (malformed JSON, a bad field, a bad spec: named by file,
//     line and JSON path) exits 2 and writes nothing.
//   --on-error=skip: each bad row is reported on stderr and in the errors JSONL (--errors, default
//     <output>.errors.jsonl) as {"file", "line", "reason"} and has no output line (so output lines
//     no longer match input lines one to one: the errors file says which are missing); the other
//     rows are scored and written, and the exit code is 3 if any row was skipped (0 otherwise).
//     The errors file is always written with skip (empty when all is well).
//   Exit 2 always means: nothing was written.

#include <raif/reward/score_io.hpp>

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

namespace {
struct Slot { // one input row, scored
  std::optional<raif::RowError> error;
  std::string output;
};
} // namespace

int main(int argc, char** argv) {
  CLI::App app{"raif-score: RAIF rewards (format + accuracy over a composition) for JSONL items"};
  std::string input, output, policy_name = "raif", template_name = "think_answer", on_error = "stop", errors_path;
  unsigned threads = 0;
  std::size_t chunk = 0;
  bool nonempty_think = false;
  app.add_option("--input", input, "items: {prompt, response, spec, context} per line (JSONL)")->required();
  app.add_option("--output", output, "scored items (JSONL), written atomically")->required();
  app.add_option("--policy", policy_name,
                 "aggregation: raif, fraction, dependency_aware, all_or_nothing, priority, weighted");
  app.add_option("--template", template_name,
                 "answer extraction: think_answer, think_only, or none (no format reward)");
  app.add_option("--threads", threads, "worker threads (0: all cores); results do not depend on it");
  app.add_flag("--require-nonempty-think", nonempty_think, "the released RAIF code's extra format rule");
  app.add_option("--on-error", on_error,
                 "stop: a bad row exits 2 and writes nothing; skip: report bad rows (stderr and --errors), "
                 "score the others, write the output, exit 3 if any row was skipped")
      ->check(CLI::IsMember({"stop", "skip"}));
  app.add_option("--errors", errors_path,
                 "with --on-error=skip: the bad rows as JSONL {file, line, reason} (default <output>.errors.jsonl)");
  app.add_option("--chunk", chunk, "lines read and scored at a time (0: 1024 per thread); memory scales with it");
  CLI11_PARSE(app, argc, argv);
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  if (chunk == 0) chunk = 1024 * std::size_t(threads);
  const raif::OnError mode = on_error == "skip" ? raif::OnError::skip : raif::OnError::stop;
  if (errors_path.empty()) errors_path = output + ".errors.jsonl";

  try {
    raif::ScoreOptions opt{.policy = raif::policy_from_name(policy_name), .require_nonempty_think = nonempty_think};
    if (template_name == "think_only")
      opt.chat.think_only = true;
    else if (template_name == "none")
      opt.chat.plain = true;
    else if (template_name != "think_answer")
      throw raif::error("unknown --template '" + template_name + "' (expected think_answer, think_only or none)");

    raif::RowErrorLog log(mode, "raif-score", errors_path);
    raif::AtomicOutput out(output);
    std::size_t scored = 0;
    raif::LanguageDetector::instance(); // load profiles once, before the workers race for them
    raif::stream_jsonl<Slot>(
        input, threads, chunk,
        [&](const raif::JsonlLine& l, Slot& s) {
          s.error.reset();
          try {
            s.output = raif::score_item(raif::parse_score_line(l.text, input, l.line), opt).dump() + "\n";
          } catch (const std::exception& e) { s.error = raif::RowError::from(input, l.line, e); }
        },
        [&](const raif::JsonlLine&, Slot& s) {
          if (s.error) return log.report(*s.error);
          out.write(s.output);
          ++scored;
        });
    out.close();
    if (auto* e = log.output()) e->close();
    out.rename();
    if (auto* e = log.output()) e->rename();
    std::cerr << "raif-score: " << scored << " item(s) scored";
    if (log.count()) {
      std::cerr << ", " << log.count() << " row(s) skipped (listed in " << errors_path << ")\n";
      return raif::exit_skipped_rows;
    }
    std::cerr << "\n";
    return raif::exit_ok;
  } catch (const std::exception& e) {
    std::cerr << "raif-score: " << e.what() << "\n";
    return raif::exit_fatal;
  }
}
