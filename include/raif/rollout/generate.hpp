#pragma once
/// @file
/// Batched generation with a KV cache (the rollout engine). Prompts of different lengths are left
/// padded; each sequence finishes on its own (eos, a stop string, or max_new_tokens), and the
/// finish reason is reported so the trainer sees truncated completions.
///
///   raif::SamplingParams sp{.temperature = 1.0, .max_new_tokens = 128, .eos_ids = {im_end}, .seed = 7};
///   auto out = raif::generate(model, prompts, sp, &tokenizer);
///   out[0].tokens, out[0].logprobs, out[0].finish, out[0].text

#include <raif/model/qwen2.hpp>
#include <raif/rollout/sampling.hpp>
#include <raif/tokenizer/bpe.hpp>

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

namespace raif {

enum class FinishReason { eos, stop, length };
inline std::string to_string(FinishReason f) {
  switch (f) {
  case FinishReason::eos: return "eos";
  case FinishReason::stop: return "stop";
  case FinishReason::length: return "length";
  }
  return "?";
}

struct Completion {
  std::vector<std::int64_t> tokens; ///< generated tokens (including the eos token when it ended the sequence)
  std::vector<float> logprobs;      ///< sampling log-prob of each token
  FinishReason finish = FinishReason::length;
  std::string text; ///< the decoded completion without its eos token (empty without a tokenizer)
};

/// Generates one completion per prompt. `tokenizer` is needed for stop strings and `text`.
/// `pad_id` fills left padding (any valid id: padded positions are masked).
inline std::vector<Completion> generate(Qwen2& model, const std::vector<std::vector<std::int64_t>>& prompts,
                                        const SamplingParams& p, const BpeTokenizer* tokenizer = nullptr,
                                        std::int64_t pad_id = 0) {
  p.validate();
  if (!p.stop.empty() && !tokenizer) throw error("raif: generate: stop strings need a tokenizer");
  const auto B = static_cast<std::int64_t>(prompts.size());
  std::vector<Completion> out(prompts.size());
  if (B == 0) return out;
  std::int64_t L = 0;
  for (const auto& pr : prompts) {
    if (pr.empty()) throw error("raif: generate: a prompt has no tokens");
    L = std::max<std::int64_t>(L, static_cast<std::int64_t>(pr.size()));
  }
  if (L + p.max_new_tokens > model->config.max_position_embeddings)
    throw error("raif: generate: prompt length " + std::to_string(L) + " + max_new_tokens " +
                std::to_string(p.max_new_tokens) + " exceeds max_position_embeddings " +
                std::to_string(model->config.max_position_embeddings));
  torch::NoGradGuard no_grad;
  const auto dev = model->device();
  std::vector<std::int64_t> ids(static_cast<std::size_t>(B * L), pad_id), mask(static_cast<std::size_t>(B * L), 0);
  for (std::int64_t b = 0; b < B; ++b) {
    const auto& pr = prompts[b];
    const auto off = L - static_cast<std::int64_t>(pr.size());
    for (std::size_t t = 0; t < pr.size(); ++t) {
      ids[b * L + off + t] = pr[t];
      mask[b * L + off + t] = 1;
    }
  }
  auto ids_t = torch::tensor(ids, torch::kInt64).view({B, L}).to(dev);
  auto mask_t = torch::tensor(mask, torch::kInt64).view({B, L}).to(dev);
  SamplerStreams streams(p.seed, prompts.size(), p.first_stream);
  KVCache cache;
  torch::Tensor logits;
  if (p.use_cache) {
    cache = model->make_cache(B, L + p.max_new_tokens);
    logits = model->next_logits(ids_t, mask_t, cache);
  } else {
    const auto h = model->hidden(ids_t, mask_t);
    logits = torch::matmul(h.select(1, L - 1), model->head_weight().t());
  }
  std::vector<bool> done(prompts.size(), false);
  std::vector<std::string> text(prompts.size());
  std::size_t stop_max = 0;
  for (const auto& s : p.stop) stop_max = std::max(stop_max, s.size());
  // rows[i]: the prompt index of batch row i. Finished rows leave the batch (and the cache) once
  // a quarter of it has finished, so long stragglers do not keep the whole batch running.
  std::vector<std::size_t> rows(prompts.size());
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  for (std::int64_t step = 0; step < p.max_new_tokens; ++step) {
    auto [tok, lp] = sample_next(logits, p, streams, rows);
    const auto tok_c = tok.to(torch::kCPU), lp_c = lp.to(torch::kCPU);
    const auto* tk = tok_c.data_ptr<std::int64_t>();
    const auto* lq = lp_c.data_ptr<float>();
    const std::size_t R = rows.size();
    std::vector<std::int64_t> next(R, pad_id), next_mask(R, 0);
    std::vector<std::int64_t> live;
    for (std::size_t r = 0; r < R; ++r) {
      const auto b = rows[r];
      if (done[b]) continue;
      auto& c = out[b];
      c.tokens.push_back(tk[r]);
      c.logprobs.push_back(lq[r]);
      if (std::find(p.eos_ids.begin(), p.eos_ids.end(), tk[r]) != p.eos_ids.end()) {
        c.finish = FinishReason::eos;
        done[b] = true;
        continue;
      }
      if (tokenizer) {
        const auto before = text[b].size();
        tokenizer->append_token(text[b], tk[r]);
        if (stop_max) {
          const auto from = before >= stop_max - 1 ? before - (stop_max - 1) : 0;
          bool hit = false;
          for (const auto& s : p.stop) hit = hit || text[b].find(s, from) != std::string::npos;
          if (hit) {
            c.finish = FinishReason::stop;
            done[b] = true;
            continue;
          }
        }
      }
      next[r] = tk[r];
      next_mask[r] = 1;
      live.push_back(static_cast<std::int64_t>(r));
    }
    if (live.empty() || step + 1 == p.max_new_tokens) break;
    auto nt = torch::tensor(next, torch::kInt64).view({-1, 1}).to(dev);
    auto nm = torch::tensor(next_mask, torch::kInt64).view({-1, 1}).to(dev);
    if (live.size() * 4 <= R * 3) { // compact
      const auto idx = torch::tensor(live, torch::kInt64).to(dev);
      if (p.use_cache) {
        for (auto* v : {&cache.k, &cache.v})
          for (auto& t : *v) t = t.index_select(0, idx);
        cache.key_mask = cache.key_mask.index_select(0, idx);
        cache.seen = cache.seen.index_select(0, idx);
      } else {
        ids_t = ids_t.index_select(0, idx);
        mask_t = mask_t.index_select(0, idx);
      }
      nt = nt.index_select(0, idx);
      nm = nm.index_select(0, idx);
      std::vector<std::size_t> kept;
      for (auto r : live) kept.push_back(rows[static_cast<std::size_t>(r)]);
      rows = std::move(kept);
    }
    if (p.use_cache) {
      logits = model->next_logits(nt, nm, cache);
    } else {
      ids_t = torch::cat({ids_t, nt}, 1);
      mask_t = torch::cat({mask_t, nm}, 1);
      const auto h = model->hidden(ids_t, mask_t);
      logits = torch::matmul(h.select(1, h.size(1) - 1), model->head_weight().t());
    }
  }
  for (std::size_t b = 0; b < prompts.size(); ++b) out[b].text = std::move(text[b]);
  return out;
}

} // namespace raif
