// raif-ifeval: a drop-in replacement for IFEval's evaluation_main.py.
//
//   raif-ifeval --input_data=input_data.jsonl --input_response_data=responses.jsonl --output_dir=out [--threads=N]
//
// Writes out/eval_results_strict.jsonl and out/eval_results_loose.jsonl (byte-identical to the
// official ones) and prints the official report. Exits 2 on bad input (naming file, line and
// field) or when prompts have no response (listing their keys); nothing is written then, and
// results appear atomically (temporary files, then rename).

#include <raif/detail/parallel.hpp>
#include <raif/eval/ifeval_io.hpp>

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

#include <unistd.h>

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  CLI::App app{"raif-ifeval: IFEval's evaluation_main, in C++"};
  std::string input_data, response_data, output_dir;
  unsigned threads = 0;
  app.add_option("--input_data", input_data, "prompts with instruction ids and kwargs (JSONL)")->required();
  app.add_option("--input_response_data", response_data, "responses: {prompt, response} per line (JSONL)")->required();
  app.add_option("--output_dir", output_dir, "where eval_results_{strict,loose}.jsonl go (created if missing)")
      ->required();
  app.add_option("--threads", threads, "worker threads (0: all cores); results do not depend on it");
  CLI11_PARSE(app, argc, argv);

  try {
    const auto items = raif::read_ifeval_input(input_data);
    if (items.empty()) throw raif::error(input_data + ": no prompts");
    const auto responses = raif::read_ifeval_responses(response_data);
    std::vector<std::int64_t> missing;
    for (const auto& it : items)
      if (!responses.count(it.prompt)) missing.push_back(it.key);
    if (!missing.empty()) {
      std::cerr << "raif-ifeval: " << missing.size() << " prompt(s) of " << input_data << " have no response in "
                << response_data << "; keys:";
      for (auto k : missing) std::cerr << ' ' << k;
      std::cerr << "\n";
      return 2;
    }
    std::vector<std::vector<raif::AnyConstraint>> constraints;
    for (const auto& it : items) constraints.push_back(it.constraints()); // all config errors before any work

    std::vector<raif::IfevalVerdict> verdicts(items.size());
    raif::LanguageDetector::instance(); // load profiles once, before the workers race for them
    raif::detail::parallel_for(items.size(), threads, [&](std::size_t p) {
      verdicts[p] = raif::evaluate_ifeval(constraints[p], responses.at(items[p].prompt));
    });

    fs::create_directories(output_dir);
    std::string report;
    std::vector<std::pair<fs::path, fs::path>> renames;
    for (const bool strict : {true, false}) {
      const fs::path out = fs::path(output_dir) / (strict ? "eval_results_strict.jsonl" : "eval_results_loose.jsonl");
      const fs::path tmp = fs::path(out).concat(".tmp" + std::to_string(::getpid()));
      std::vector<std::vector<bool>> follow;
      {
        std::ofstream f(tmp, std::ios::binary);
        for (std::size_t p = 0; p < items.size(); ++p) {
          follow.push_back(strict ? verdicts[p].strict : verdicts[p].loose);
          f << raif::format_ifeval_record(items[p], responses.at(items[p].prompt), follow.back());
        }
        if (!f.flush()) {
          fs::remove(tmp);
          for (auto& r : renames) fs::remove(r.first);
          throw raif::error(tmp.string() + ": write failed");
        }
      }
      renames.emplace_back(tmp, out);
      report += raif::format_ifeval_report(out.string(), raif::summarize_ifeval(items, follow));
    }
    for (auto& [tmp, out] : renames) fs::rename(tmp, out);
    std::cout << report << std::flush;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "raif-ifeval: " << e.what() << "\n";
    return 2;
  }
}
