// IFBench throughput on the conformance fixture (../shared/ifbench).
//   BM_ifbench/strict+loose        every evaluable prompt of the fixture, both modes, one thread
//                                  (items/s = prompts/s): what raif-ifeval --benchmark=ifbench does
//   BM_check/<instruction id>      one check of that id on each fixture response that carries it
//   BM_syllables                   syllable counts (syllapy's) of every word of the fixture responses;
//                                  benchmarks/syllables_syllapy.py times syllapy on the same words
// Reproduce: ./build/benchmarks/bench_ifbench (see docs/ifbench-conformance.md).

#include <raif/constraint/ifbench.hpp>
#include <raif/eval/ifeval.hpp>
#include <raif/eval/ifeval_io.hpp>
#include <raif/text/syllables.hpp>

#include <benchmark/benchmark.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace {

struct Data {
  std::vector<std::vector<raif::AnyConstraint>> constraints;
  std::vector<std::string> responses;
  std::map<std::string, std::vector<std::pair<raif::AnyConstraint, std::size_t>>> by_id;
  std::vector<std::u32string> words;
};

const Data& data() {
  static const Data d = [] {
    Data d;
    const std::filesystem::path dir = RAIF_IFBENCH_DIR;
    const auto responses = raif::read_ifeval_responses((dir / "responses.jsonl").string());
    for (const auto& it : raif::read_ifeval_input((dir / "input_data.jsonl").string())) {
      auto r = responses.find(it.prompt);
      if (r == responses.end()) continue;
      try { // the two random-default probes are refused by design (docs/ifbench-conformance.md)
        d.constraints.push_back(it.constraints(raif::Registry::ifbench()));
      } catch (const raif::error&) {
        continue;
      }
      d.responses.push_back(r->second);
      for (const auto& c : d.constraints.back()) d.by_id[std::string(c.id())].emplace_back(c, d.responses.size() - 1);
      raif::for_each_py_word(raif::utf8_decode(r->second), [&](std::u32string_view w) { d.words.emplace_back(w); });
    }
    return d;
  }();
  return d;
}

void BM_ifbench(benchmark::State& state) {
  const auto& d = data();
  for (auto _ : state)
    for (std::size_t p = 0; p < d.responses.size(); ++p)
      benchmark::DoNotOptimize(raif::evaluate_ifeval(d.constraints[p], d.responses[p]));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * d.responses.size()));
}
BENCHMARK(BM_ifbench)->Name("BM_ifbench/strict+loose")->Unit(benchmark::kMillisecond);

void BM_check(benchmark::State& state, const std::string& id) {
  const auto& d = data();
  const auto& cases = d.by_id.at(id);
  for (auto _ : state)
    for (const auto& [c, r] : cases) benchmark::DoNotOptimize(c.check(raif::Text(d.responses[r])));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * cases.size()));
}

void BM_syllables(benchmark::State& state) {
  const auto& d = data();
  for (auto _ : state)
    for (const auto& w : d.words) benchmark::DoNotOptimize(raif::count_syllables(std::u32string_view(w)));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * d.words.size()));
}
BENCHMARK(BM_syllables)->Unit(benchmark::kMillisecond);

const int registered = [] {
  for (const auto& id : raif::Registry::ifbench().ids())
    if (!raif::Registry::ifeval().contains(id))
      benchmark::RegisterBenchmark(("BM_check/" + id).c_str(), BM_check, id)->Unit(benchmark::kMicrosecond);
  return 0;
}();

} // namespace

BENCHMARK_MAIN();
