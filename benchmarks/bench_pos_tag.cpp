// NLTK's averaged-perceptron POS tagger (text/pos_tag.hpp) and IFBench words:start_verb on the
// IFBench fixture's responses (../shared/ifbench/responses.jsonl), tokenized once with
// word_tokenize:
//   BM_pos_tag/raif/fixture          pos_tag of every response's tokens (items/s = tokens/s)
//   BM_pos_tag_first/raif/fixture    the first token's tag only, per response (items/s = responses/s)
//   BM_pos_tag_load/model            decoding the embedded model (what the first use pays)
//   BM_start_verb/raif/fixture       StartWithVerb::check on each response (fresh Text: tokenizing
//                                    the first sentence(s) is part of the cost)
//   BM_start_verb/word_tokenize_all  the same verdict from word_tokenize of the whole response:
//                                    the baseline that check()'s first-sentences shortcut saves on
// NLTK's side of BM_pos_tag/raif/fixture: benchmarks/pos_tag_nltk.py (same tokens, one thread).

#include <raif/constraint/ifbench_start_verb.hpp>
#include <raif/text/pos_tag.hpp>
#include <raif/text/punkt_english.hpp>
#include <raif/text/treebank.hpp>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#ifndef RAIF_IFBENCH_DIR
#define RAIF_IFBENCH_DIR "../shared/ifbench"
#endif

namespace {

struct Data {
  std::vector<std::string> responses;
  std::vector<std::vector<std::u32string>> tokens;
  std::int64_t token_count = 0;
};

const Data& data() {
  static const Data d = [] {
    Data d;
    std::ifstream in(std::filesystem::path(RAIF_IFBENCH_DIR) / "responses.jsonl");
    for (std::string line; std::getline(in, line);) {
      d.responses.push_back(nlohmann::json::parse(line).at("response").get<std::string>());
      d.tokens.push_back(raif::word_tokenize(raif::utf8_decode(d.responses.back()), raif::english_punkt()));
      d.token_count += static_cast<std::int64_t>(d.tokens.back().size());
    }
    raif::detail::pos_tagger::Model::instance();
    return d;
  }();
  return d;
}

void BM_pos_tag(benchmark::State& state) {
  const auto& d = data();
  for (auto _ : state)
    for (const auto& t : d.tokens) benchmark::DoNotOptimize(raif::pos_tag(t));
  state.SetItemsProcessed(state.iterations() * d.token_count);
}
BENCHMARK(BM_pos_tag)->Name("BM_pos_tag/raif/fixture")->Unit(benchmark::kMillisecond);

void BM_pos_tag_first(benchmark::State& state) {
  const auto& d = data();
  for (auto _ : state)
    for (const auto& t : d.tokens) benchmark::DoNotOptimize(raif::pos_tag_first(t));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(d.tokens.size()));
}
BENCHMARK(BM_pos_tag_first)->Name("BM_pos_tag_first/raif/fixture")->Unit(benchmark::kMicrosecond);

void BM_pos_tag_load(benchmark::State& state) {
  for (auto _ : state) {
    const raif::detail::pos_tagger::Model m;
    benchmark::DoNotOptimize(&m);
  }
}
BENCHMARK(BM_pos_tag_load)->Name("BM_pos_tag_load/model")->Unit(benchmark::kMillisecond);

void BM_start_verb(benchmark::State& state) {
  const auto& d = data();
  const raif::StartWithVerb c;
  for (auto _ : state)
    for (const auto& r : d.responses) benchmark::DoNotOptimize(c.check(raif::Text(r)));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(d.responses.size()));
}
BENCHMARK(BM_start_verb)->Name("BM_start_verb/raif/fixture")->Unit(benchmark::kMillisecond);

void BM_start_verb_all(benchmark::State& state) {
  const auto& d = data();
  for (auto _ : state)
    for (const auto& r : d.responses) {
      const auto tokens = raif::word_tokenize(raif::Text(r).chars(), raif::english_punkt());
      benchmark::DoNotOptimize(raif::pos_tag_first(tokens).find("VB") != std::string_view::npos);
    }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(d.responses.size()));
}
BENCHMARK(BM_start_verb_all)->Name("BM_start_verb/word_tokenize_all/fixture")->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
