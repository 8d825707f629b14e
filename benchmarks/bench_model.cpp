// Qwen2 on LibTorch: generation with and without the KV cache, and training forward + backward.
//   BM_generate/{cache,no_cache}/B    4 layers x 256 wide, 32-token prompts, 256 new tokens each
//   BM_train/{token_logprobs,naive,recompute}/B:T   log-probs of targets + backward; `naive`
//                                     materialises [B, T, V] logits and their log_softmax;
//                                     `recompute` uses activation checkpointing. Counter peak_mb:
//                                     the case's peak resident memory (VmHWM, reset at its start)
//   BM_generate/qwen05b/B, BM_train/qwen05b/B:T   the same at Qwen2.5-0.5B's shape (24 layers,
//                                     hidden 896, 14 heads, 2 KV heads, intermediate 4864, vocab
//                                     151,936; random weights; float32 on the CPU, bf16 with float32
//                                     master weights on CUDA): 64-token prompts, 64 new tokens;
//                                     training adds AdamW's step. Counter peak_gb: the
//                                     process's peak resident memory so far (run them alone:
//                                     --benchmark_filter=qwen05b).
//   BM_judge/{shared_prefix,pairs}/N  the LM judge's scoring: N prompts of 384 tokens, each with two
//                                     one-token answers (YES, NO): shared_prefix_logprobs (each
//                                     prompt once) against sequence_logprobs over the 2N pairs
//   BM_judge/qwen05b/N                shared_prefix at Qwen2.5-0.5B's shape: a judge of a real size
// Counters: tokens/s (generated, or trained). On the GPU when CUDA is available (--cuda), else CPU.
// Reproduce: ./build/benchmarks/bench_model (docs/performance.md).
#include <raif/model/qwen2.hpp>
#include <raif/rollout/generate.hpp>
#include <raif/rollout/logprobs.hpp>
#include <raif/trainer/mixed_precision.hpp>

#include <benchmark/benchmark.h>

#include <fstream>
#include <string>

namespace {
using namespace raif;

// A model of `config` with seed-0 random weights, on the default device (bf16 on CUDA).
Qwen2 seeded_model(Qwen2Config config) {
  torch::manual_seed(0);
  config.torch_dtype = torch::cuda::is_available() ? "bfloat16" : "float32";
  Qwen2 q(config);
  q->to(default_device());
  return q;
}

Qwen2& model() {
  static Qwen2 m = seeded_model({.vocab_size = 1024,
                                 .hidden_size = 256,
                                 .intermediate_size = 704,
                                 .num_hidden_layers = 4,
                                 .num_attention_heads = 8,
                                 .num_key_value_heads = 2,
                                 .max_position_embeddings = 1024,
                                 .rope_theta = 10000.0});
  return m;
}

void BM_generate(benchmark::State& state, bool cache) {
  const auto B = state.range(0);
  std::vector<std::vector<std::int64_t>> prompts(static_cast<std::size_t>(B));
  for (std::size_t b = 0; b < prompts.size(); ++b)
    for (int t = 0; t < 32; ++t) prompts[b].push_back(static_cast<std::int64_t>((b * 131 + t * 17) % 1000));
  const SamplingParams sp{.temperature = 1.0, .max_new_tokens = 256, .seed = 1, .use_cache = cache};
  std::int64_t tokens = 0;
  for (auto _ : state) {
    const auto out = generate(model(), prompts, sp);
    for (const auto& c : out) tokens += static_cast<std::int64_t>(c.tokens.size());
  }
  state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(tokens), benchmark::Counter::kIsRate);
}

Qwen2& qwen05b();

void BM_judge(benchmark::State& state, bool shared, Qwen2& (*judge)() = model) {
  const auto queries = static_cast<std::size_t>(state.range(0));
  std::vector<std::vector<std::int64_t>> prompts(queries);
  for (std::size_t b = 0; b < queries; ++b)
    for (int t = 0; t < 384; ++t) prompts[b].push_back(static_cast<std::int64_t>((b * 37 + t * 11) % 1000));
  const std::vector<std::int64_t> yes = {1001}, no = {1002};
  std::vector<std::vector<std::int64_t>> pair_prompts, pair_answers;
  for (const auto& p : prompts) {
    pair_prompts.insert(pair_prompts.end(), {p, p});
    pair_answers.insert(pair_answers.end(), {yes, no});
  }
  auto& m = judge(); // built before the clock starts
  for (auto _ : state) {
    if (shared) benchmark::DoNotOptimize(shared_prefix_logprobs(m, prompts, {yes, no}, 16));
    else benchmark::DoNotOptimize(sequence_logprobs(m, pair_prompts, pair_answers, 16));
  }
  const auto answered = static_cast<double>(queries) * static_cast<double>(state.iterations());
  state.counters["queries/s"] = benchmark::Counter(answered, benchmark::Counter::kIsRate);
}

double peak_gb();
void reset_peak() { std::ofstream("/proc/self/clear_refs") << "5"; } // VmHWM := current RSS (Linux 4.0+)

void BM_train(benchmark::State& state, bool naive, bool recompute = false) {
  const auto B = state.range(0), T = state.range(1);
  auto& m = model();
  m->activation_checkpointing = recompute;
  reset_peak();
  const auto dev = m->device();
  const auto ids = torch::randint(0, 1024, {B, T}, torch::TensorOptions().dtype(torch::kInt64).device(dev));
  const auto mask = torch::ones({B, T}, torch::TensorOptions().dtype(torch::kInt64).device(dev));
  for (auto _ : state) {
    m->zero_grad();
    torch::Tensor lp;
    if (naive)
      lp = torch::log_softmax(m->forward(ids, mask).to(torch::kFloat32), -1).gather(-1, ids.unsqueeze(-1)).squeeze(-1);
    else
      lp = m->token_logprobs(ids, mask, ids);
    lp.mean().backward();
    if (dev.is_cuda()) torch::cuda::synchronize();
  }
  m->activation_checkpointing = false;
  state.counters["tokens/s"] =
      benchmark::Counter(static_cast<double>(B * T * state.iterations()), benchmark::Counter::kIsRate);
  state.counters["peak_mb"] = peak_gb() * 1024.0;
}
// Qwen2.5-0.5B's shape (its config.json; 494,032,768 parameters), random weights.
Qwen2& qwen05b() {
  static Qwen2 m = seeded_model({.vocab_size = 151936,
                                 .hidden_size = 896,
                                 .intermediate_size = 4864,
                                 .num_hidden_layers = 24,
                                 .num_attention_heads = 14,
                                 .num_key_value_heads = 2,
                                 .max_position_embeddings = 32768,
                                 .rope_theta = 1e6});
  return m;
}
double peak_gb() { // VmHWM of /proc/self/status
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / (1024.0 * 1024.0);
  return 0;
}

void BM_qwen05b_generate(benchmark::State& state) {
  const auto B = state.range(0);
  std::vector<std::vector<std::int64_t>> prompts(static_cast<std::size_t>(B));
  for (std::size_t b = 0; b < prompts.size(); ++b)
    for (int t = 0; t < 64; ++t) prompts[b].push_back(static_cast<std::int64_t>((b * 7919 + t * 104729) % 151000));
  const SamplingParams sp{.temperature = 1.0, .max_new_tokens = 64, .seed = 1};
  std::int64_t tokens = 0;
  auto& m = qwen05b(); // built before the clock starts
  for (auto _ : state)
    for (const auto& c : generate(m, prompts, sp)) tokens += static_cast<std::int64_t>(c.tokens.size());
  state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(tokens), benchmark::Counter::kIsRate);
  state.counters["peak_gb"] = peak_gb();
}

void BM_qwen05b_train(benchmark::State& state) {
  const auto B = state.range(0), T = state.range(1);
  auto& m = qwen05b();
  const auto dev = m->device();
  auto opt = make_optimizer_for(m->parameters(), AdamW{}, 1e-6, 0.0); // bf16: float32 master weights
  const auto ids = torch::randint(0, 151000, {B, T}, torch::TensorOptions().dtype(torch::kInt64).device(dev));
  const auto mask = torch::ones({B, T}, torch::TensorOptions().dtype(torch::kInt64).device(dev));
  for (auto _ : state) {
    opt->zero_grad();
    m->token_logprobs(ids, mask, ids).mean().backward();
    opt->step();
    if (dev.is_cuda()) torch::cuda::synchronize();
  }
  state.counters["tokens/s"] =
      benchmark::Counter(static_cast<double>(B * T * state.iterations()), benchmark::Counter::kIsRate);
  state.counters["peak_gb"] = peak_gb();
}
} // namespace

BENCHMARK(BM_qwen05b_generate)
    ->Name("BM_generate/qwen05b")
    ->Arg(1)
    ->Arg(8)
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->UseRealTime();
BENCHMARK(BM_qwen05b_train)
    ->Name("BM_train/qwen05b")
    ->Args({4, 256})
    ->Unit(benchmark::kSecond)
    ->Iterations(2)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_generate, cache, true)
    ->Arg(1)
    ->Arg(8)
    ->Arg(32)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_generate, no_cache, false)
    ->Arg(1)
    ->Arg(8)
    ->Arg(32)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_train, token_logprobs, false)
    ->Args({8, 256})
    ->Args({32, 256})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_train, recompute, false, true)
    ->Args({8, 256})
    ->Args({32, 256})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_train, naive, true)->Args({8, 256})->Args({32, 256})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_judge, shared_prefix, true)->Arg(32)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK_CAPTURE(BM_judge, pairs, false)->Arg(32)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK_CAPTURE(BM_judge, qwen05b, true, qwen05b)->Arg(8)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();
BENCHMARK_MAIN();
