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

namespace detail {
// Prompts [from, from + rows) left padded to their longest, as the rollout engine lays them out:
// ids and mask, [rows, width] row-major.
struct LeftPadded {
  std::vector<std::int64_t> ids, mask;
  std::int64_t rows = 0, width = 0;
};
inline LeftPadded left_padded(const std::vector<std::vector<std::int64_t>>& prompts, std::size_t from,
                              std::size_t rows) {
  LeftPadded out{.rows = static_cast<std::int64_t>(rows)};
  for (std::size_t i = from; i < from + rows; ++i) {
    if (prompts[i].empty()) throw error("raif: shared_prefix_logprobs: prompt " + std::to_string(i) + " has no tokens");
    out.width = std::max<std::int64_t>(out.width, static_cast<std::int64_t>(prompts[i].size()));
  }
  out.ids.assign(static_cast<std::size_t>(out.rows * out.width), 0);
  out.mask.assign(out.ids.size(), 0);
  for (std::size_t i = 0; i < rows; ++i) {
    const auto& prompt = prompts[from + i];
    const auto start = (i + 1) * static_cast<std::size_t>(out.width) - prompt.size();
    std::copy(prompt.begin(), prompt.end(), out.ids.begin() + static_cast<std::ptrdiff_t>(start));
    std::fill_n(out.mask.begin() + static_cast<std::ptrdiff_t>(start), prompt.size(), 1);
  }
  return out;
}
} // namespace detail

/// log p(continuations[k] | prompts[i]) for every prompt i and continuation k, with each prompt run
/// once: the prompts (left padded) fill a KV cache, whose rows are repeated for the continuations,
/// which then run together. The judge's case: a long prompt and the short answers YES and NO cost
/// one prompt's forward instead of two. Equal to sequence_logprobs over every (prompt,
/// continuation) pair up to float rounding (cached attention sums in another order).
inline std::vector<std::vector<double>>
shared_prefix_logprobs(Qwen2& model, const std::vector<std::vector<std::int64_t>>& prompts,
                       const std::vector<std::vector<std::int64_t>>& continuations, std::int64_t micro_batch = 16) {
  if (micro_batch < 1) throw error("raif: shared_prefix_logprobs: micro_batch must be at least 1");
  torch::NoGradGuard no_grad;
  const auto branches = static_cast<std::int64_t>(continuations.size());
  std::int64_t longest = 0; // tokens of the longest continuation
  for (std::size_t k = 0; k < continuations.size(); ++k) {
    if (continuations[k].empty())
      throw error("raif: shared_prefix_logprobs: continuation " + std::to_string(k) + " has no tokens");
    longest = std::max<std::int64_t>(longest, static_cast<std::int64_t>(continuations[k].size()));
  }
  const auto device = model->device();
  const auto ints = torch::TensorOptions().dtype(torch::kInt64);
  auto on_device = [&](const std::vector<std::int64_t>& v, std::int64_t rows) {
    return torch::tensor(v, ints).view({rows, -1}).to(device);
  };
  std::vector<std::vector<double>> out(prompts.size(), std::vector<double>(continuations.size(), 0.0));
  if (branches == 0) return out;
  for (std::size_t from = 0; from < prompts.size(); from += static_cast<std::size_t>(micro_batch)) {
    const auto batch = detail::left_padded(prompts, from, std::min(prompts.size() - from, std::size_t(micro_batch)));
    const auto pairs = batch.rows * branches; // row i * branches + k: prompt i, then continuation k
    auto cache = model->make_cache(batch.rows, batch.width + longest - 1);
    const auto last = model->next_logits(on_device(batch.ids, batch.rows), on_device(batch.mask, batch.rows), cache);
    // A continuation's first token is scored by its prompt's last position ...
    const auto prompt_of = torch::arange(batch.rows, ints.device(device)).repeat_interleave(branches);
    std::vector<std::int64_t> first_tokens;
    for (std::int64_t r = 0; r < pairs; ++r) first_tokens.push_back(continuations[std::size_t(r % branches)][0]);
    auto scores = torch::log_softmax(last.to(torch::kFloat32), -1)
                      .index_select(0, prompt_of)
                      .gather(1, on_device(first_tokens, pairs));
    if (longest > 1) { // ... the rest by the continuation's own positions, after the prompt's cache
      for (auto* layers : {&cache.k, &cache.v})
        for (auto& t : *layers) t = t.index_select(0, prompt_of);
      cache.key_mask = cache.key_mask.index_select(0, prompt_of);
      cache.seen = cache.seen.index_select(0, prompt_of);
      const auto steps = longest - 1; // inputs: every continuation token but the last
      std::vector<std::int64_t> inputs(static_cast<std::size_t>(pairs * steps), 0), input_mask(inputs.size(), 0),
          targets(inputs.size(), 0);
      for (std::int64_t r = 0; r < pairs; ++r) {
        const auto& continuation = continuations[std::size_t(r % branches)];
        for (std::size_t t = 0; t + 1 < continuation.size(); ++t) {
          const auto at = static_cast<std::size_t>(r * steps) + t;
          inputs[at] = continuation[t], input_mask[at] = 1, targets[at] = continuation[t + 1];
        }
      }
      const auto hidden = model->hidden(on_device(inputs, pairs), on_device(input_mask, pairs), &cache);
      const auto rest = torch::log_softmax(torch::matmul(hidden, model->head_weight().t()).to(torch::kFloat32), -1)
                            .gather(2, on_device(targets, pairs).unsqueeze(2))
                            .squeeze(2);
      scores = scores + (rest * on_device(input_mask, pairs).to(torch::kFloat32)).sum(1, true);
    }
    const auto host = scores.to(torch::kFloat64).to(torch::kCPU).contiguous();
    for (std::int64_t r = 0; r < pairs; ++r)
      out[from + std::size_t(r / branches)][std::size_t(r % branches)] = host.data_ptr<double>()[r];
  }
  return out;
}

} // namespace raif
