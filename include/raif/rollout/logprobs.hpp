#pragma once
/// @file
/// Token batches of (prompt, completion) pairs and their log-probabilities under a model: the
/// policy's (with gradient, for the objective) and the frozen reference's or the rollout's old ones
/// (under NoGradGuard, in micro-batches).
///
/// Frame: row b holds prompt + completion, right padded to T; logp[b, t] = log p(targets[b, t] |
/// ids[b, ..t]) with targets = ids shifted by one; `loss_mask` marks the completion's tokens. All
/// [B, T] tensors the objective terms read share this frame.

#include <raif/model/qwen2.hpp>

#include <algorithm>
#include <vector>

namespace raif {

struct TokenBatch {
  torch::Tensor ids, mask, targets, loss_mask; ///< [B, T]
  std::int64_t rows() const { return ids.size(0); }
  /// Rows [from, from + n) (a micro-batch).
  TokenBatch slice(std::int64_t from, std::int64_t n) const {
    return {ids.narrow(0, from, n), mask.narrow(0, from, n), targets.narrow(0, from, n), loss_mask.narrow(0, from, n)};
  }
};

/// Builds the frame for `prompts[i] + completions[i]`.
inline TokenBatch make_token_batch(const std::vector<std::vector<std::int64_t>>& prompts,
                                   const std::vector<std::vector<std::int64_t>>& completions, torch::Device device,
                                   std::int64_t pad_id = 0) {
  if (prompts.size() != completions.size())
    throw error("raif: make_token_batch: prompts and completions differ in number");
  const auto B = static_cast<std::int64_t>(prompts.size());
  std::int64_t T = 1;
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    if (prompts[i].empty()) throw error("raif: make_token_batch: prompt " + std::to_string(i) + " has no tokens");
    T = std::max<std::int64_t>(T, static_cast<std::int64_t>(prompts[i].size() + completions[i].size()) - 1);
  }
  std::vector<std::int64_t> ids(B * T, pad_id), mask(B * T, 0), targets(B * T, pad_id);
  std::vector<float> loss(B * T, 0.f);
  for (std::int64_t b = 0; b < B; ++b) {
    std::vector<std::int64_t> row = prompts[b];
    row.insert(row.end(), completions[b].begin(), completions[b].end());
    for (std::size_t t = 0; t + 1 < row.size(); ++t) {
      ids[b * T + t] = row[t];
      mask[b * T + t] = 1;
      targets[b * T + t] = row[t + 1];
      loss[b * T + t] = t + 1 >= prompts[b].size() ? 1.f : 0.f;
    }
  }
  auto opt = torch::TensorOptions().dtype(torch::kInt64);
  return {torch::tensor(ids, opt).view({B, T}).to(device), torch::tensor(mask, opt).view({B, T}).to(device),
          torch::tensor(targets, opt).view({B, T}).to(device), torch::tensor(loss).view({B, T}).to(device)};
}

/// Log-probabilities [B, T] (float32, zero outside the loss mask) of a batch under `model`, without
/// gradient, `micro_batch` rows at a time.
inline torch::Tensor batch_logprobs(Qwen2& model, const TokenBatch& batch, std::int64_t micro_batch = 16,
                                    double temperature = 1.0) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> parts;
  for (std::int64_t s = 0; s < batch.rows(); s += micro_batch) {
    const auto mb = batch.slice(s, std::min(micro_batch, batch.rows() - s));
    parts.push_back(model->token_logprobs(mb.ids, mb.mask, mb.targets, temperature) * mb.loss_mask);
  }
  return torch::cat(parts, 0);
}

/// Sum of the completion's log-probabilities for each (prompt, completion) pair.
inline std::vector<double> sequence_logprobs(Qwen2& model, const std::vector<std::vector<std::int64_t>>& prompts,
                                             const std::vector<std::vector<std::int64_t>>& completions,
                                             std::int64_t micro_batch = 16) {
  const auto batch = make_token_batch(prompts, completions, model->device());
  const auto lp = batch_logprobs(model, batch, micro_batch).sum(1).to(torch::kFloat64).to(torch::kCPU);
  return {lp.data_ptr<double>(), lp.data_ptr<double>() + lp.numel()};
}

/// log p(continuations[k] | prompts[i]) for every prompt i and continuation k, with each prompt run
/// once: the prompts (left padded) fill a KV cache, whose rows are repeated for the continuations,
/// which then run together. The judge's case: a long prompt and the short answers YES and NO cost
/// one prompt's forward instead of two. Equal to sequence_logprobs over every (prompt,
/// continuation) pair up to float rounding (cached attention sums in another order).
inline std::vector<std::vector<double>>
shared_prefix_logprobs(Qwen2& model, const std::vector<std::vector<std::int64_t>>& prompts,
                       const std::vector<std::vector<std::int64_t>>& continuations, std::int64_t micro_batch = 16) {
  torch::NoGradGuard no_grad;
  const auto K = static_cast<std::int64_t>(continuations.size());
  std::int64_t longest = 0; // tokens of the longest continuation
  for (std::size_t k = 0; k < continuations.size(); ++k) {
    if (continuations[k].empty())
      throw error("raif: shared_prefix_logprobs: continuation " + std::to_string(k) + " has no tokens");
    longest = std::max<std::int64_t>(longest, static_cast<std::int64_t>(continuations[k].size()));
  }
  const auto device = model->device();
  const auto ints = torch::TensorOptions().dtype(torch::kInt64);
  std::vector<std::vector<double>> out(prompts.size(), std::vector<double>(continuations.size(), 0.0));
  if (K == 0) return out;
  for (std::size_t from = 0; from < prompts.size(); from += static_cast<std::size_t>(micro_batch)) {
    const auto n = static_cast<std::int64_t>(std::min(prompts.size() - from, static_cast<std::size_t>(micro_batch)));
    std::int64_t width = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      const auto& p = prompts[from + static_cast<std::size_t>(i)];
      if (p.empty())
        throw error("raif: shared_prefix_logprobs: prompt " + std::to_string(from + static_cast<std::size_t>(i)) +
                    " has no tokens");
      width = std::max<std::int64_t>(width, static_cast<std::int64_t>(p.size()));
    }
    std::vector<std::int64_t> ids(static_cast<std::size_t>(n * width), 0), mask(ids.size(), 0);
    for (std::int64_t i = 0; i < n; ++i) { // left padded, as the rollout engine does
      const auto& p = prompts[from + static_cast<std::size_t>(i)];
      const auto pad = width - static_cast<std::int64_t>(p.size());
      for (std::size_t t = 0; t < p.size(); ++t) {
        ids[static_cast<std::size_t>(i * width + pad) + t] = p[t];
        mask[static_cast<std::size_t>(i * width + pad) + t] = 1;
      }
    }
    auto cache = model->make_cache(n, width + longest - 1);
    // Row i*K + k: prompt i followed by continuation k. Its first token is scored by the prompt's
    // last position, the rest by the continuation's own positions.
    const auto rows = torch::arange(n, ints.device(device)).repeat_interleave(K);
    auto first = torch::log_softmax(
        model->next_logits(torch::tensor(ids, ints).view({n, width}).to(device),
                           torch::tensor(mask, ints).view({n, width}).to(device), cache)
            .to(torch::kFloat32),
        -1);
    std::vector<std::int64_t> first_ids;
    for (std::int64_t r = 0; r < n * K; ++r) first_ids.push_back(continuations[static_cast<std::size_t>(r % K)][0]);
    auto scores = first.index_select(0, rows).gather(1, torch::tensor(first_ids, ints).to(device).view({n * K, 1}));
    if (longest > 1) {
      for (auto* part : {&cache.k, &cache.v})
        for (auto& t : *part) t = t.index_select(0, rows);
      cache.key_mask = cache.key_mask.index_select(0, rows);
      cache.seen = cache.seen.index_select(0, rows);
      const auto L = longest - 1; // inputs: every continuation token but the last
      std::vector<std::int64_t> in(static_cast<std::size_t>(n * K * L), 0), in_mask(in.size(), 0), target(in.size(), 0);
      std::vector<float> counted(in.size(), 0.f);
      for (std::int64_t r = 0; r < n * K; ++r) {
        const auto& c = continuations[static_cast<std::size_t>(r % K)];
        for (std::size_t t = 0; t + 1 < c.size(); ++t) {
          const auto at = static_cast<std::size_t>(r * L) + t;
          in[at] = c[t], in_mask[at] = 1, target[at] = c[t + 1], counted[at] = 1.f;
        }
      }
      const auto h = model->hidden(torch::tensor(in, ints).view({n * K, L}).to(device),
                                   torch::tensor(in_mask, ints).view({n * K, L}).to(device), &cache);
      const auto rest = torch::log_softmax(torch::matmul(h, model->head_weight().t()).to(torch::kFloat32), -1)
                            .gather(2, torch::tensor(target, ints).view({n * K, L, 1}).to(device))
                            .squeeze(2);
      scores = scores + (rest * torch::tensor(counted).view({n * K, L}).to(device)).sum(1, true);
    }
    const auto host = scores.to(torch::kFloat64).to(torch::kCPU).contiguous();
    for (std::int64_t r = 0; r < n * K; ++r)
      out[from + static_cast<std::size_t>(r / K)][static_cast<std::size_t>(r % K)] = host.data_ptr<double>()[r];
  }
  return out;
}

} // namespace raif
