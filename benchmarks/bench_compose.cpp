// The cost of composing: And<...> of IFEval constraints vs a hand-written function doing the same
// checks (both producing the RAIF accuracy), and the runtime twin (from JSON) vs the template.
//   BM_compose/and/{template,handwritten,runtime}   score only, on the 541 GPT-4 responses (items/s = responses/s)
//   BM_compose/and/template_full_verdict            the same with reasons and the verdict tree
//   BM_compose/chain_select/{template,runtime}      the tutorial's nested Chain -> Select, one answer
// Reproduce: ./build/benchmarks/bench_compose (docs/performance.md).

#include <raif/compose/compose.hpp>
#include <raif/eval/ifeval_io.hpp>

#include <benchmark/benchmark.h>

#include <filesystem>
#include <iostream>

namespace {
using namespace raif;

const std::vector<std::string>& responses() {
  static const std::vector<std::string> r = [] {
    std::vector<std::string> out;
    read_jsonl(std::string(RAIF_IFEVAL_DIR) + "/input_response_data_gpt4_20231107_145030.jsonl",
               [&](const nlohmann::json& j, std::size_t) { out.push_back(j["response"].get<std::string>()); });
    return out;
  }();
  return r;
}

const auto and_spec = And{NumberOfWords{.num_words = 300, .relation = Relation::at_least}, NoComma{},
                          NumberOfHighlights{.num_highlights = 3}, Keywords{.keywords = {"the", "and"}},
                          EndPhrase{.end_phrase = "Is there anything else I can help with?"}};

// The same five checks and the same aggregation (RaifPiecewise), written by hand.
double handwritten(std::string_view r) {
  const Text t(r);
  const bool c[5] = {count_words(t.chars()) >= 300, t.str().find(',') == std::string_view::npos,
                     NumberOfHighlights::count(t.chars()) >= 3,
                     PyPattern("the", true).search(t) && PyPattern("and", true).search(t),
                     check(EndPhrase{.end_phrase = "Is there anything else I can help with?"}, t)};
  int passed = 0;
  for (bool b : c) passed += b;
  return passed == 5 ? 2.0 : passed == 0 ? -2.0 : passed / 5.0;
}

void BM_and_template(benchmark::State& state) {
  for (auto _ : state)
    for (const auto& r : responses()) benchmark::DoNotOptimize(score(and_spec, r, RaifPiecewise{}));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * responses().size()));
}
void BM_and_template_verdict(benchmark::State& state) { // with reasons and the verdict tree
  for (auto _ : state)
    for (const auto& r : responses()) benchmark::DoNotOptimize(RaifPiecewise{}(evaluate(and_spec, r)));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * responses().size()));
}
void BM_and_handwritten(benchmark::State& state) {
  for (auto _ : state)
    for (const auto& r : responses()) benchmark::DoNotOptimize(handwritten(r));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * responses().size()));
}
void BM_and_runtime(benchmark::State& state) {
  const AnyNode n = compile(spec(and_spec));
  for (auto _ : state)
    for (const auto& r : responses()) { benchmark::DoNotOptimize(score(n, r, RaifPiecewise{})); }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * responses().size()));
}

using Kids = Branch<And<LineCount, ContainsVar, NoComma>, StartsWith>;
using Adults = Branch<And<LineCount, ContainsVar, Keywords>, StartsWith>;
using Poem = Select<ContextPredicate, Kids, Adults>;
using Instruction = Chain<Delimiter, Step<NumberOfBullets>, Poem>;
Instruction nested() {
  Instruction i;
  std::get<0>(i.steps) =
      Step<NumberOfBullets>{.node = {.num_bullets = 3}, .captures = {Capture{.var = "fruit", .list_item = 2}}};
  auto& p = std::get<1>(i.steps);
  p.condition = {.field = "age", .op = "<", .value = 10, .then_label = "kids", .else_label = "adults"};
  std::get<0>(p.branches) = Kids{.label = "kids",
                                 .node = And{LineCount{.num_lines = 4}, ContainsVar{.var = "fruit"}, NoComma{}},
                                 .signature = {.prefix = "For kids:"}};
  std::get<1>(p.branches) =
      Adults{.label = "adults",
             .node = And{LineCount{.num_lines = 4}, ContainsVar{.var = "fruit"}, Keywords{.keywords = {"verse"}}},
             .signature = {.prefix = "For adults:"}};
  return i;
}
const std::string nested_answer =
    "- apple\n- mango\n- pear\n***\nFor kids:\nA mango so sweet\nyellow and neat\nyum yum yum";
const nlohmann::json child{{"age", 7}};

void BM_nested_template(benchmark::State& state) {
  const Instruction i = nested();
  for (auto _ : state) benchmark::DoNotOptimize(score(i, nested_answer, RaifPiecewise{}, Context{.fields = &child}));
}
void BM_nested_runtime(benchmark::State& state) {
  const AnyNode n = compile(spec(nested()));
  for (auto _ : state) {
    benchmark::DoNotOptimize(score(n, nested_answer, RaifPiecewise{}, Context{.fields = &child}));
  }
}
} // namespace

int main(int argc, char** argv) {
  if (!std::filesystem::exists(std::string(RAIF_IFEVAL_DIR) + "/input_data.jsonl")) {
    std::cerr << "bench_compose: IFEval data not found at " RAIF_IFEVAL_DIR "\n";
    return 2;
  }
  benchmark::RegisterBenchmark("BM_compose/and/template", BM_and_template)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_compose/and/handwritten", BM_and_handwritten)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_compose/and/runtime", BM_and_runtime)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_compose/and/template_full_verdict", BM_and_template_verdict)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_compose/chain_select/template", BM_nested_template)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_compose/chain_select/runtime", BM_nested_runtime)->Unit(benchmark::kMicrosecond);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
