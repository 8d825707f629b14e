// Forward + backward of the full objective (clipped surrogate + k3 KL + entropy + behaviour
// cloning) on [B, T, V] logits, vs the same formula written as one naive expression (entropy from
// a full log_softmax). Time per step and peak resident memory (VmHWM, reset before each case).
//   BM_objective/{raif,naive}/B:T:V
// Reproduce: ./build/benchmarks/bench_objective (docs/performance.md). CPU here; CUDA when present.

#include <raif/objective/objective.hpp>

#include <benchmark/benchmark.h>

#include <fstream>
#include <string>

namespace {
using namespace raif;

double peak_mib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}
void reset_peak() { std::ofstream("/proc/self/clear_refs") << "5"; }

struct Inputs {
  torch::Tensor logits, old_logp, ref_logp, advantages, mask, expert_logp, expert_mask;
};
Inputs make(int64_t B, int64_t T, int64_t V) {
  torch::manual_seed(0);
  Inputs in;
  in.logits = torch::randn({B, T, V});
  in.old_logp = -torch::rand({B, T});
  in.ref_logp = in.old_logp - 0.01;
  in.advantages = torch::randn({B, 1}).expand({B, T});
  in.mask = (torch::rand({B, T}) > 0.1).to(torch::kFloat32);
  in.expert_logp = -torch::rand({B, T});
  in.expert_mask = torch::ones({B, T});
  return in;
}
torch::Tensor token_logp(const torch::Tensor& logits) { // log-prob of token 0, as a stand-in for gather(targets)
  return logits.select(-1, 0) - torch::logsumexp(logits, -1);
}

void BM_raif(benchmark::State& state) {
  const auto in = make(state.range(0), state.range(1), state.range(2));
  const auto objective = raif::objective(ClippedSurrogate{.eps_low = 0.2, .eps_high = 0.28}, KLPenalty<K3>{.coef = 1e-3},
                                         Entropy{.coef = 1e-3}, BehaviorCloning{.coef = 1.0},
                                         LossAggregation::seq_mean_token_mean);
  reset_peak();
  for (auto _ : state) {
    const auto logits = in.logits.clone().requires_grad_(true);
    PolicyBatch b{.logp = token_logp(logits), .old_logp = in.old_logp, .ref_logp = in.ref_logp, .advantages = in.advantages,
                  .mask = in.mask, .logits = logits, .expert_logp = in.expert_logp, .expert_mask = in.expert_mask};
    const auto out = objective(b);
    out.loss.backward();
    benchmark::DoNotOptimize(logits.grad().data_ptr());
  }
  state.counters["peak_MiB"] = peak_mib();
}

void BM_naive(benchmark::State& state) {
  const auto in = make(state.range(0), state.range(1), state.range(2));
  reset_peak();
  for (auto _ : state) {
    const auto logits = in.logits.clone().requires_grad_(true);
    const auto logp = token_logp(logits);
    const auto m = in.mask;
    const auto seqmean = [&](const torch::Tensor& x) { return ((x * m).sum(-1) / (m.sum(-1) + 1e-8)).mean(); };
    const auto ratio = torch::exp(logp - in.old_logp);
    const auto pg = torch::max(-in.advantages * ratio, -in.advantages * torch::clamp(ratio, 0.8, 1.28));
    const auto x = in.ref_logp - logp;
    const auto logsm = torch::log_softmax(logits, -1);
    const auto entropy = -(logsm.exp() * logsm).sum(-1);
    const auto loss = seqmean(pg) + 1e-3 * seqmean(torch::exp(x) - x - 1) - 1e-3 * seqmean(entropy) +
                      ((-in.expert_logp * in.expert_mask).sum(-1) / (in.expert_mask.sum(-1) + 1e-8)).mean();
    loss.backward();
    benchmark::DoNotOptimize(logits.grad().data_ptr());
  }
  state.counters["peak_MiB"] = peak_mib();
}
} // namespace

BENCHMARK(BM_raif)->Name("BM_objective/raif")->Args({8, 256, 8192})->Args({16, 512, 8192})->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_naive)->Name("BM_objective/naive")->Args({8, 256, 8192})->Args({16, 512, 8192})->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_MAIN();
