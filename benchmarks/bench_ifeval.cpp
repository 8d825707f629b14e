// IFEval throughput and per-check cost on the official GPT-4 responses.
//   BM_check/<instruction id>        one check of that id on each response that carries it (fresh Text:
//                                    decoding is part of the cost, as for Python's check_following(str))
//   BM_ifeval/strict+loose/threads:N all 541 prompts, both modes (items/s = responses/s)
//   BM_no_comma/{raif,handwritten}   the cost of the abstraction: raif::check(NoComma{}, Text(r)) vs
//                                    the same test written by hand (string_view::find)
// Reproduce: ./build/benchmarks/bench_ifeval (see docs/performance.md).

#include <raif/eval/ifeval_io.hpp>

#include <benchmark/benchmark.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <map>
#include <thread>

namespace {

struct Data {
  std::vector<raif::IfevalItem> items;
  std::vector<std::string> responses;
  std::vector<std::vector<raif::AnyConstraint>> constraints;
  std::map<std::string, std::vector<std::pair<raif::AnyConstraint, std::size_t>>> by_id;
};

const Data& data() {
  static const Data d = [] {
    Data d;
    const std::filesystem::path dir = RAIF_IFEVAL_DIR;
    d.items = raif::read_ifeval_input((dir / "input_data.jsonl").string());
    const auto r = raif::read_ifeval_responses((dir / "input_response_data_gpt4_20231107_145030.jsonl").string());
    for (const auto& it : d.items) {
      d.responses.push_back(r.at(it.prompt));
      d.constraints.push_back(it.constraints());
      for (const auto& c : d.constraints.back()) d.by_id[std::string(c.id())].emplace_back(c, d.responses.size() - 1);
    }
    raif::LanguageDetector::instance();
    return d;
  }();
  return d;
}

void BM_check(benchmark::State& state, const std::string& id) {
  const auto& d = data();
  const auto& cases = d.by_id.at(id);
  for (auto _ : state)
    for (const auto& [c, r] : cases) benchmark::DoNotOptimize(c.check(raif::Text(d.responses[r])));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * cases.size()));
}

void BM_ifeval(benchmark::State& state) {
  const auto& d = data();
  const auto threads = static_cast<unsigned>(state.range(0));
  for (auto _ : state) {
    std::atomic<std::size_t> next{0};
    std::vector<raif::IfevalVerdict> out(d.items.size());
    auto work = [&] {
      for (std::size_t p; (p = next++) < d.items.size();)
        out[p] = raif::evaluate_ifeval(d.constraints[p], d.responses[p]);
    };
    std::vector<std::jthread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    pool.clear();
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * d.items.size()));
}

void BM_handwritten_no_comma(benchmark::State& state) {
  const auto& d = data();
  for (auto _ : state)
    for (const auto& r : d.responses) benchmark::DoNotOptimize(std::string_view(r).find(',') == std::string_view::npos);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * d.responses.size()));
}

void BM_no_comma(benchmark::State& state) {
  const auto& d = data();
  const raif::NoComma c;
  for (auto _ : state)
    for (const auto& r : d.responses) benchmark::DoNotOptimize(raif::check(c, raif::Text(r)));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * d.responses.size()));
}

} // namespace

int main(int argc, char** argv) {
  if (!std::filesystem::exists(std::filesystem::path(RAIF_IFEVAL_DIR) / "input_data.jsonl")) {
    std::cerr << "bench_ifeval: IFEval data not found at " RAIF_IFEVAL_DIR "\n";
    return 2;
  }
  for (const auto& [id, cases] : data().by_id)
    benchmark::RegisterBenchmark(("BM_check/" + id).c_str(), BM_check, id)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_ifeval/strict+loose", BM_ifeval)
      ->Arg(1)
      ->Arg(2)
      ->ArgName("threads")
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("BM_no_comma/raif", BM_no_comma)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_no_comma/handwritten", BM_handwritten_no_comma)->Unit(benchmark::kMicrosecond);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
