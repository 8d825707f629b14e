// raif-ifeval: a drop-in replacement for IFEval's evaluation_main.py and IFBench's run_eval.py.
//
//   raif-ifeval --input_data=input_data.jsonl --input_response_data=responses.jsonl --output_dir=out
//               [--benchmark=ifeval|ifbench] [--punkt=trained|untrained] [--threads=N]
//               [--on-error=stop|skip] [--errors=out/errors.jsonl] [--chunk=LINES]
//
// --benchmark=ifeval (default) writes out/eval_results_strict.jsonl and out/eval_results_loose.jsonl
// (byte-identical to the official ones) and prints the official report. --benchmark=ifbench does
// what IFBench's run_eval does: its 58 instruction ids and IFEval's 25; a response looked up by the
// exact prompt, else by the stripped one; a prompt without a response is written with response ""
// and every instruction False (not an error); the outputs are named
// <model>-eval_results_{strict,loose}.jsonl, <model> being the response file's name without
// "-responses.jsonl" (or without its extension). Results appear atomically (temporary files, then
// rename).
//
// --punkt: the Punkt parameters of number_sentences and capital_word_frequency. trained (default):
// NLTK's English model, as the published IFEval numbers; untrained: NLTK's PunktSentenceTokenizer()
// with empty parameters (what ../shared/ifeval/official_results_gpt4.jsonl was made with).
//
// Streaming: the response file is indexed first (per distinct prompt, the offset of the line that
// wins: a repeated prompt's later line, as in IFEval; the texts are not kept), then input_data is
// read in chunks of --chunk lines, each evaluated on all threads and appended to the outputs in
// input order. Memory: one chunk, the longest line, and 32 bytes per response line (64 at most
// while the index grows).
//
// Errors (exit codes):
//   --on-error=stop (default): bad input (malformed JSON, invalid UTF-8, a bad field, an unknown
//     instruction id, a bad kwarg), named by file, line and field, or prompts without a response
//     (all their keys listed) exit 2 and write nothing.
//   --on-error=skip: each bad row is reported on stderr and in the errors JSONL (--errors, default
//     <output_dir>/errors.jsonl) as {"file", "line", "reason"}; a prompt whose input row is bad is
//     left out of the outputs and the report; a prompt whose response row is bad (or absent) is
//     reported as missing on its input line and left out too. All other prompts are evaluated and
//     written, the report ends with "skipped rows: N", and the exit code is 3 if any row was
//     skipped (0 otherwise). The errors file is always written with skip (empty when all is well).
//   Exit 2 always means: nothing was written (unreadable files, no prompts at all, write errors).

#include <raif/constraint/ifbench.hpp>
#include <raif/detail/parallel.hpp>
#include <raif/eval/ifeval_io.hpp>

#include <CLI/CLI.hpp>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <thread>

namespace fs = std::filesystem;

namespace {
struct Slot { // one input row, evaluated
  std::optional<raif::RowError> error;
  bool missing = false;
  std::size_t bad_response_line = 0;
  std::int64_t key = 0;
  std::vector<std::string> ids;
  std::vector<bool> strict, loose;
  std::string strict_record, loose_record;
};
} // namespace

int main(int argc, char** argv) {
  CLI::App app{"raif-ifeval: IFEval's evaluation_main, in C++"};
  std::string input_data, response_data, output_dir, on_error = "stop", errors_path, benchmark = "ifeval",
              punkt = "trained";
  unsigned threads = 0;
  std::size_t chunk = 0;
  app.add_option("--input_data", input_data, "prompts with instruction ids and kwargs (JSONL)")->required();
  app.add_option("--input_response_data", response_data, "responses: {prompt, response} per line (JSONL)")->required();
  app.add_option("--output_dir", output_dir, "where eval_results_{strict,loose}.jsonl go (created if missing)")
      ->required();
  app.add_option("--benchmark", benchmark, "ifeval: IFEval's 25 instructions and files; ifbench: IFBench's run_eval")
      ->check(CLI::IsMember({"ifeval", "ifbench"}));
  app.add_option("--punkt", punkt,
                 "Punkt parameters of the sentence-splitting IFEval instructions: trained (NLTK's English "
                 "model, as the published numbers) or untrained (NLTK's empty parameters)")
      ->check(CLI::IsMember({"trained", "untrained"}));
  app.add_option("--threads", threads, "worker threads (0: all cores); results do not depend on it");
  app.add_option("--on-error", on_error,
                 "stop: a bad row or a missing response exits 2 and writes nothing; skip: report bad rows "
                 "(stderr and --errors), evaluate the others, write the outputs, exit 3 if any row was skipped")
      ->check(CLI::IsMember({"stop", "skip"}));
  app.add_option("--errors", errors_path,
                 "with --on-error=skip: the bad rows as JSONL {file, line, reason} "
                 "(default <output_dir>/errors.jsonl)");
  app.add_option("--chunk", chunk, "lines read and evaluated at a time (0: 1024 per thread); memory scales with it");
  CLI11_PARSE(app, argc, argv);
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  if (chunk == 0) chunk = 1024 * std::size_t(threads);
  const raif::OnError mode = on_error == "skip" ? raif::OnError::skip : raif::OnError::stop;
  if (errors_path.empty()) errors_path = (fs::path(output_dir) / "errors.jsonl").string();
  const bool ifbench = benchmark == "ifbench";
  const raif::Registry& registry = ifbench ? raif::Registry::ifbench() : raif::Registry::ifeval();
  std::string prefix; // IFBench names its outputs after the response file
  if (ifbench) {
    prefix = fs::path(response_data).filename().string();
    const std::string suffix = "-responses.jsonl";
    if (prefix.size() > suffix.size() && prefix.compare(prefix.size() - suffix.size(), suffix.size(), suffix) == 0)
      prefix.resize(prefix.size() - suffix.size());
    else
      prefix = fs::path(prefix).stem().string();
    prefix += "-";
  }

  bool created_dir = false;
  try {
    created_dir = fs::create_directories(output_dir);
    raif::RowErrorLog log(mode, "raif-ifeval", errors_path);
    const raif::ResponseIndex responses(response_data, threads, chunk, log, /*also_stripped=*/ifbench);

    const fs::path strict_path = fs::path(output_dir) / (prefix + "eval_results_strict.jsonl");
    const fs::path loose_path = fs::path(output_dir) / (prefix + "eval_results_loose.jsonl");
    raif::AtomicOutput strict_out(strict_path), loose_out(loose_path);
    raif::IfevalSummary strict_summary, loose_summary;
    std::vector<std::int64_t> missing;   // with stop: keys without a response (then nothing is written)
    std::atomic<bool> only_check{false}; // with stop, once a response is missing: check rows, skip evaluation
    std::size_t rows = 0;
    raif::LanguageDetector::instance(); // load profiles once, before the workers race for them
    const raif::PunktParameters untrained_punkt;
    const raif::Context ctx{.punkt = punkt == "untrained" ? &untrained_punkt : &raif::english_punkt()};
    raif::stream_jsonl<Slot>(
        input_data, threads, chunk,
        [&](const raif::JsonlLine& l, Slot& s) {
          s.error.reset();
          s.missing = false;
          s.bad_response_line = 0;
          try {
            raif::IfevalItem it =
                raif::parse_ifeval_input_row(raif::parse_jsonl_object(l.text, input_data, l.line), input_data, l.line);
            const auto constraints = it.constraints(registry);
            s.key = it.key;
            auto found = responses.find(it.prompt);
            if (ifbench && !found.found && !found.bad_line) {
              found = responses.find(std::string(raif::py_strip(std::string_view(it.prompt))));
              if (!found.found && !found.bad_line) found.found = true; // IFBench: "", every instruction False
            }
            if (!found.found) {
              s.missing = true;
              s.bad_response_line = found.bad_line;
              return;
            }
            if (only_check) return;
            raif::IfevalVerdict v;
            if (ifbench && found.response.empty()) // also "no response": nothing to check (blank is False)
              v.strict = v.loose = std::vector<bool>(constraints.size(), false);
            else
              v = raif::evaluate_ifeval(constraints, found.response, ctx);
            s.strict_record = raif::format_ifeval_record(it, found.response, v.strict);
            s.loose_record = raif::format_ifeval_record(it, found.response, v.loose);
            s.strict = v.strict;
            s.loose = v.loose;
            s.ids = std::move(it.instruction_id_list);
          } catch (const std::exception& e) { s.error = raif::RowError::from(input_data, l.line, e); }
        },
        [&](const raif::JsonlLine& l, Slot& s) {
          ++rows;
          if (s.error) return log.report(*s.error);
          if (s.missing) {
            if (mode == raif::OnError::stop) {
              missing.push_back(s.key);
              only_check = true;
              return;
            }
            std::string why = "prompt key " + std::to_string(s.key) + " has no response in " + response_data;
            if (s.bad_response_line)
              why += " (its response row, line " + std::to_string(s.bad_response_line) + ", is bad)";
            return log.report({input_data, l.line, why});
          }
          if (!missing.empty()) return; // stop: the run fails; keep reading only to list every missing key
          strict_out.write(s.strict_record);
          loose_out.write(s.loose_record);
          strict_summary.add(s.ids, s.strict);
          loose_summary.add(s.ids, s.loose);
        });
    if (!missing.empty()) {
      std::cerr << "raif-ifeval: " << missing.size() << " prompt(s) of " << input_data << " have no response in "
                << response_data << "; keys:";
      for (auto k : missing) std::cerr << ' ' << k;
      std::cerr << "\n";
      throw raif::error(""); // nothing written (the temporary files go with the outputs' destructors)
    }
    if (rows == 0) throw raif::error(input_data + ": no prompts");

    strict_out.close();
    loose_out.close();
    if (auto* e = log.output()) e->close();
    strict_out.rename();
    loose_out.rename();
    if (auto* e = log.output()) e->rename();
    std::string report = raif::format_ifeval_report(strict_path.string(), strict_summary) +
                         raif::format_ifeval_report(loose_path.string(), loose_summary);
    if (log.count()) report += "skipped rows: " + std::to_string(log.count()) + " (listed in " + errors_path + ")\n";
    std::cout << report << std::flush;
    if (log.count()) {
      std::cerr << "raif-ifeval: " << log.count() << " row(s) skipped, listed in " << errors_path << "; "
                << strict_summary.prompt.total << " prompt(s) evaluated\n";
      return raif::exit_skipped_rows;
    }
    return raif::exit_ok;
  } catch (const std::exception& e) {
    if (*e.what()) std::cerr << "raif-ifeval: " << e.what() << "\n";
    std::error_code ec;
    if (created_dir) fs::remove(output_dir, ec); // only if empty: ours, and nothing was written
    return raif::exit_fatal;
  }
}
