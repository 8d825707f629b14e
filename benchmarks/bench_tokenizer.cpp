// The byte-level BPE tokenizer on the real Qwen vocabularies (../shared/qwen2-tokenizer/), on the
// text of the fixture's own timing reference: the 541 IFEval GPT-4 responses joined with "\n\n"
// (662,315 bytes):
//   BM_load/<vocab>         BpeTokenizer::load of tokenizer.json (counters: resident growth kept,
//                           and peak growth while loading; run with --benchmark_filter=BM_load/<vocab>)
//   BM_encode_cold/<vocab>  encode with the pre-token memo cleared first, as a freshly loaded
//                           tokenizer (what the fixture's Hugging Face figure measures)
//   BM_encode_warm/<vocab>  encode again with the memo filled
// One thread. Hugging Face tokenizers' side, same text and files: benchmarks/tokenizer_hf.py.

#include <raif/tokenizer/bpe.hpp>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#ifndef RAIF_IFEVAL_DIR
#define RAIF_IFEVAL_DIR "../shared/ifeval"
#endif
#ifndef RAIF_QWEN2_TOKENIZER_DIR
#define RAIF_QWEN2_TOKENIZER_DIR "../shared/qwen2-tokenizer"
#endif

namespace {

const std::string qwen_dir = RAIF_QWEN2_TOKENIZER_DIR;
std::string vocab_file(const std::string& vocab) {
  return qwen_dir + (vocab == "qwen3_6" ? "/qwen3_6/tokenizer.json" : "/tokenizer.json");
}

const std::string& responses_text() {
  static const std::string text = [] {
    std::ifstream in(std::string(RAIF_IFEVAL_DIR) + "/input_response_data_gpt4_20231107_145030.jsonl");
    std::string joined, line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      if (!joined.empty()) joined += "\n\n";
      joined += nlohmann::json::parse(line).at("response").get<std::string>();
    }
    return joined;
  }();
  return text;
}

const raif::BpeTokenizer& tokenizer(const std::string& vocab) {
  static std::map<std::string, raif::BpeTokenizer> loaded;
  auto it = loaded.find(vocab);
  if (it == loaded.end()) it = loaded.emplace(vocab, raif::BpeTokenizer::load(vocab_file(vocab))).first;
  return it->second;
}

// A /proc/self/status figure in MB: VmRSS (resident now) or VmHWM (the peak so far).
double status_mb(const std::string& field) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1)) / 1024.0;
  return 0;
}

bool have(benchmark::State& state, const std::string& vocab) {
  if (std::filesystem::exists(vocab_file(vocab)) && !responses_text().empty()) return true;
  state.SkipWithError(("fixture not found: " + vocab_file(vocab) + " or the IFEval responses").c_str());
  return false;
}

void BM_load(benchmark::State& state, const std::string& vocab) {
  if (!have(state, vocab)) return;
  // Measured on the first load (later ones reuse freed pages): what the tokenizer keeps resident,
  // and the peak while loading (the JSON document is alive then). Run BM_load first and alone.
  const double before = status_mb("VmRSS");
  double kept = -1, peak = 0;
  for (auto _ : state) {
    auto t = raif::BpeTokenizer::load(vocab_file(vocab));
    if (kept < 0) kept = status_mb("VmRSS") - before, peak = status_mb("VmHWM") - before;
    benchmark::DoNotOptimize(t.vocab_size());
  }
  state.counters["rss_mb"] = kept;
  state.counters["peak_mb"] = peak;
}

void BM_encode(benchmark::State& state, const std::string& vocab, bool cold) {
  if (!have(state, vocab)) return;
  const auto& t = tokenizer(vocab);
  const auto& text = responses_text();
  std::size_t tokens = 0;
  for (auto _ : state) {
    if (cold) {
      state.PauseTiming();
      t.clear_cache();
      state.ResumeTiming();
    }
    tokens = t.encode(text).size();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.counters["tokens"] = static_cast<double>(tokens);
}

void BM_encode_cold(benchmark::State& state, const std::string& vocab) { BM_encode(state, vocab, true); }
void BM_encode_warm(benchmark::State& state, const std::string& vocab) { BM_encode(state, vocab, false); }

} // namespace

BENCHMARK_CAPTURE(BM_load, qwen2, std::string("qwen2"))->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_CAPTURE(BM_load, qwen3_6, std::string("qwen3_6"))->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_CAPTURE(BM_encode_cold, qwen2, std::string("qwen2"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_encode_warm, qwen2, std::string("qwen2"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_encode_cold, qwen3_6, std::string("qwen3_6"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_encode_warm, qwen3_6, std::string("qwen3_6"))->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
