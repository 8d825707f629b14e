#pragma once
/// @file
/// Next-token sampling: temperature, top-k, top-p (nucleus), greedy, with one seeded random stream
/// per sequence so results do not depend on the device or on the other sequences of the batch.

#include <raif/torch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace raif {

struct SamplingParams {
  double temperature = 1.0; ///< 0: greedy
  double top_p = 1.0;       ///< keep the smallest set of most likely tokens whose mass reaches top_p
  std::int64_t top_k = 0;   ///< keep the k most likely tokens (0: all)
  std::int64_t max_new_tokens = 256;
  std::vector<std::int64_t> eos_ids; ///< any of them ends a sequence (finish reason eos)
  std::vector<std::string> stop;     ///< stop strings (finish reason stop); need a tokenizer
  std::uint64_t seed = 0;
  /// The random stream of the first sequence (sequence i of the batch draws from stream
  /// first_stream + i): a data-parallel rank's shard then samples what its rows would in the
  /// whole batch.
  std::uint64_t first_stream = 0;
  bool use_cache = true; ///< false: recompute the whole sequence every step (a baseline for benchmarks)
  /// Ids at or above it are never chosen (0: no limit): a checkpoint's embedding has rows beyond its
  /// tokenizer (Qwen2.5: 151,936 rows, 151,665 tokens), and those ids decode to nothing. A filter,
  /// like top-k: the log-probs returned stay those of the whole distribution.
  std::int64_t vocab_limit = 0;

  void validate() const {
    if (!(temperature >= 0))
      throw error("raif: SamplingParams.temperature must be >= 0, got " + std::to_string(temperature));
    if (!(top_p > 0 && top_p <= 1))
      throw error("raif: SamplingParams.top_p must be in (0, 1], got " + std::to_string(top_p));
    if (top_k < 0) throw error("raif: SamplingParams.top_k must be >= 0, got " + std::to_string(top_k));
    if (max_new_tokens < 1) throw error("raif: SamplingParams.max_new_tokens must be >= 1");
    if (vocab_limit < 0) throw error("raif: SamplingParams.vocab_limit must be >= 0 (0: no limit)");
    for (const auto& s : stop)
      if (s.empty()) throw error("raif: SamplingParams.stop holds an empty string");
  }
};

/// Masks logits [B, V] outside the top-k and the top-p nucleus with -inf. At least one token stays.
inline torch::Tensor filter_logits(torch::Tensor logits, std::int64_t top_k, double top_p) {
  const auto V = logits.size(-1);
  if (top_k > 0 && top_k < V) {
    const auto kth = std::get<0>(logits.topk(top_k, -1)).narrow(-1, top_k - 1, 1);
    logits = logits.masked_fill(logits < kth, -std::numeric_limits<float>::infinity());
  }
  if (top_p < 1.0) {
    auto [sorted, order] = logits.sort(-1, /*descending=*/true);
    const auto probs = torch::softmax(sorted, -1);
    // drop a token when the mass before it already reaches top_p (the first token always stays)
    const auto remove_sorted = (probs.cumsum(-1) - probs) >= top_p;
    const auto remove = torch::zeros_like(remove_sorted).scatter(-1, order, remove_sorted);
    logits = logits.masked_fill(remove, -std::numeric_limits<float>::infinity());
  }
  return logits;
}

namespace detail {
inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}
} // namespace detail

/// Per-sequence random streams: stream i is seeded with splitmix64(seed ^ i); sequence k of this
/// batch draws from stream first + k.
class SamplerStreams {
public:
  SamplerStreams(std::uint64_t seed, std::size_t n, std::uint64_t first = 0) {
    for (std::uint64_t i = first; i < first + n; ++i)
      gens_.emplace_back(detail::splitmix64(seed ^ (0x5851F42D4C957F2DULL * (i + 1))));
  }
  /// One uniform in [0, 1) per sequence of `rows` (stream indices; all when empty), as a [B, 1]
  /// float64 tensor on `device`.
  torch::Tensor uniforms(torch::Device device, const std::vector<std::size_t>& rows = {}) {
    const std::size_t n = rows.empty() ? gens_.size() : rows.size();
    std::vector<double> u(n);
    for (std::size_t i = 0; i < n; ++i) u[i] = std::generate_canonical<double, 53>(gens_[rows.empty() ? i : rows[i]]);
    return torch::tensor(u, torch::kFloat64).view({-1, 1}).to(device);
  }

private:
  std::vector<std::mt19937_64> gens_;
};

/// Chooses the next token of each row of `logits` [B, V]; returns (tokens [B] int64, log-probs [B]
/// float32 under the temperature-scaled distribution before filtering — what the trainer's
/// recomputation of the same model gives). temperature 0 is greedy (log-probs at temperature 1).
inline std::pair<torch::Tensor, torch::Tensor> sample_next(const torch::Tensor& logits, const SamplingParams& p,
                                                           SamplerStreams& streams, const std::vector<std::size_t>& rows = {}) {
  auto l = logits.to(torch::kFloat32);
  // The ids that may be chosen: a prefix of the vocabulary (indices, hence ids, unchanged).
  const bool limited = p.vocab_limit > 0 && p.vocab_limit < l.size(-1);
  auto allowed = [&](const torch::Tensor& x) { return limited ? x.narrow(-1, 0, p.vocab_limit) : x; };
  if (p.temperature == 0) {
    const auto tok = allowed(l).argmax(-1);
    return {tok, torch::log_softmax(l, -1).gather(-1, tok.unsqueeze(-1)).squeeze(-1)};
  }
  l = l / p.temperature;
  const auto logp = torch::log_softmax(l, -1);
  const auto probs = torch::softmax(filter_logits(allowed(l), p.top_k, p.top_p), -1).to(torch::kFloat64);
  const auto cdf = probs.cumsum(-1);
  const auto u = streams.uniforms(l.device(), rows) * cdf.narrow(-1, cdf.size(-1) - 1, 1);
  // the first index whose cdf exceeds u: never a token of probability 0
  const auto tok =
      torch::searchsorted(cdf, u, /*out_int32=*/false, /*right=*/true).squeeze(-1).clamp_max(probs.size(-1) - 1);
  return {tok, logp.gather(-1, tok.unsqueeze(-1)).squeeze(-1)};
}

} // namespace raif
