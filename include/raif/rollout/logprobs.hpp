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

} // namespace raif
