#pragma once
/// @file
/// Qwen2: the decoder-only transformer of the Qwen2 / Qwen2.5 family, with Hugging Face's
/// parameter names and shapes (model.embed_tokens.weight, model.layers.{i}.self_attn.q_proj.weight,
/// ..., model.norm.weight, lm_head.weight), so a Qwen2.5 checkpoint loads by name.
///
///   raif::Qwen2Config cfg{.vocab_size = 1024, .hidden_size = 256, .num_hidden_layers = 4};
///   raif::Qwen2 model(cfg);                                    // HF initialisation, seeded by torch::manual_seed
///   auto logits = model->forward(ids, mask);                   // [B, T, V] (training, full sequences)
///   auto logp = model->token_logprobs(ids, mask, targets);     // [B, T] without a [B, T, V] in memory
///   auto cache = model->make_cache(B, capacity);               // incremental decoding
///   auto last = model->next_logits(ids, mask, cache);          // [B, V]
///
/// Layout: RMSNorm (float32 statistics, as HF), rotary embedding (rotate-half form, theta
/// `rope_theta`), grouped-query attention with q/k/v bias and no o bias, SwiGLU MLP, final norm,
/// LM head tied to the embedding or not. Padding: positions are counted over valid tokens only
/// (cumsum of the mask), so left padding does not change a sequence's logits.

#include <raif/model/qwen2_config.hpp>
#include <raif/torch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#if __has_include(<torch/version.h>)
#include <torch/version.h>
#endif
#if defined(TORCH_VERSION_MAJOR) && TORCH_VERSION_MAJOR >= 2
#define RAIF_HAVE_SDPA 1 // fused scaled-dot-product attention (LibTorch 2.x)
#else
#define RAIF_HAVE_SDPA 0
#endif
#if RAIF_HAVE_SDPA && (TORCH_VERSION_MAJOR > 2 || TORCH_VERSION_MINOR >= 5)
#define RAIF_HAVE_SDPA_GQA 1 // ... with grouped-query attention (enable_gqa, LibTorch 2.5)
#else
#define RAIF_HAVE_SDPA_GQA 0
#endif

namespace raif {

/// The LibTorch dtype of `c.torch_dtype` (validated: float32, bfloat16 or float16).
inline torch::ScalarType qwen2_dtype(const Qwen2Config& c) {
  if (c.torch_dtype == "bfloat16") return torch::kBFloat16;
  if (c.torch_dtype == "float16") return torch::kFloat16;
  if (c.torch_dtype == "float32") return torch::kFloat32;
  throw error("raif: Qwen2Config: field 'torch_dtype': " + detail::quote(c.torch_dtype) +
              " is not float32, bfloat16 or float16");
}

/// Per-layer keys and values of the tokens seen so far, preallocated to `capacity` positions.
struct KVCache {
  std::vector<torch::Tensor> k, v; ///< per layer [B, kv_heads, capacity, head_dim]
  torch::Tensor key_mask;          ///< [B, capacity] bool: a real (not padding) token
  torch::Tensor seen;              ///< [B] int64: valid tokens so far (the next position id)
  std::int64_t length = 0;         ///< positions filled
  std::int64_t capacity() const { return key_mask.defined() ? key_mask.size(1) : 0; }
};

class RMSNormImpl : public torch::nn::Module {
public:
  RMSNormImpl(std::int64_t dim, double eps) : eps_(eps) { weight = register_parameter("weight", torch::ones({dim})); }
  torch::Tensor forward(const torch::Tensor& x) {
    const auto h = x.to(torch::kFloat32);
    const auto y = h * torch::rsqrt(h.pow(2).mean(-1, true) + eps_);
    return weight * y.to(x.scalar_type());
  }
  torch::Tensor weight;

private:
  double eps_;
};
TORCH_MODULE(RMSNorm);

class Qwen2AttentionImpl : public torch::nn::Module {
public:
  explicit Qwen2AttentionImpl(const Qwen2Config& c)
      : heads_(c.num_attention_heads), kv_heads_(c.num_key_value_heads), head_dim_(c.head_dim()) {
    using torch::nn::LinearOptions;
    q_proj = register_module("q_proj", torch::nn::Linear(LinearOptions(c.hidden_size, heads_ * head_dim_).bias(true)));
    k_proj =
        register_module("k_proj", torch::nn::Linear(LinearOptions(c.hidden_size, kv_heads_ * head_dim_).bias(true)));
    v_proj =
        register_module("v_proj", torch::nn::Linear(LinearOptions(c.hidden_size, kv_heads_ * head_dim_).bias(true)));
    o_proj = register_module("o_proj", torch::nn::Linear(LinearOptions(heads_ * head_dim_, c.hidden_size).bias(false)));
  }
  /// x [B,T,H]; cos/sin [B,1,T,hd]; allowed [B,1,T,S] bool, or undefined for causal attention over
  /// T = S (LibTorch 2.x only); cache slots (k, v) of this layer or undefined.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& allowed, torch::Tensor* cache_k, torch::Tensor* cache_v,
                        std::int64_t start) {
    const auto B = x.size(0), T = x.size(1);
    auto q = q_proj(x).view({B, T, heads_, head_dim_}).transpose(1, 2);
    auto k = k_proj(x).view({B, T, kv_heads_, head_dim_}).transpose(1, 2);
    auto v = v_proj(x).view({B, T, kv_heads_, head_dim_}).transpose(1, 2);
    q = q * cos + rotate_half(q) * sin;
    k = k * cos + rotate_half(k) * sin;
    if (cache_k) {
      using torch::indexing::Slice;
      cache_k->index_put_({Slice(), Slice(), Slice(start, start + T)}, k);
      cache_v->index_put_({Slice(), Slice(), Slice(start, start + T)}, v);
      k = cache_k->index({Slice(), Slice(), Slice(0, start + T)});
      v = cache_v->index({Slice(), Slice(), Slice(0, start + T)});
    }
#if RAIF_HAVE_SDPA
    // No mask (undefined): plain causal attention, which the flash kernels take.
    const bool causal = !allowed.defined();
    const std::optional<torch::Tensor> mask = causal ? std::nullopt : std::optional<torch::Tensor>(allowed);
#endif
#if RAIF_HAVE_SDPA_GQA
    // The fused kernel reads each KV head for its G query heads: no repeated copy of K and V.
    auto o = torch::scaled_dot_product_attention(q, k, v, mask, 0.0, causal, std::nullopt, kv_heads_ != heads_);
#elif RAIF_HAVE_SDPA
    auto o = torch::scaled_dot_product_attention(q, repeat_kv(k), repeat_kv(v), mask, 0.0, causal);
#else
    // A decoding step (one new token per sequence against the cache) takes the grouped layout.
    auto o = cache_k && T == 1 ? attend_grouped(q, k, v, allowed) : attend_repeated(q, k, v, allowed);
#endif
    return o_proj(o.transpose(1, 2).reshape({B, T, heads_ * head_dim_}));
  }
  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};

private:
#if !RAIF_HAVE_SDPA
  // Grouped-query attention without copying K and V: the G query heads that share a KV head are
  // stacked as G·T rows against it, [B, KV, G·T, D]·[B, KV, D, S], one matmul per (batch, KV head).
  // LibTorch 1.13 without MKL runs a batched matmul as a loop of one mm per batch entry (an
  // aten::select each): G times fewer of them and no copies make a decoding step's attention 4-6x
  // faster (docs/performance.md). A row's dot products are those of the repeated layout, so when
  // both run as BLAS matrix products (as in decoding) the values are the same bits. Training keeps
  // the repeated layout: there, small products take ATen's own loop in one layout and BLAS in the
  // other, and the backward sums the G heads' gradients of K and V in another order, so every
  // pinned figure and measured result would move by float rounding.
  torch::Tensor attend_grouped(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const torch::Tensor& allowed) const {
    const auto B = q.size(0), T = q.size(2), S = k.size(2), G = heads_ / kv_heads_;
    const auto grouped = q.reshape({B, kv_heads_, G * T, head_dim_});
    const auto products = torch::matmul(grouped, k.transpose(-2, -1)).view({B, heads_, T, S});
    const auto weights = attention_weights(products, allowed, q.scalar_type()).view({B, kv_heads_, G * T, S});
    return torch::matmul(weights, v).view({B, heads_, T, head_dim_});
  }
  torch::Tensor attend_repeated(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                const torch::Tensor& allowed) const {
    const auto products = torch::matmul(q, repeat_kv(k).transpose(-2, -1));
    return torch::matmul(attention_weights(products, allowed, q.scalar_type()), repeat_kv(v));
  }
  // Softmax over the keys of q·k products [B, H, T, S] scaled by 1/sqrt(D), in float32, where
  // `allowed`; returned in `dtype`.
  torch::Tensor attention_weights(const torch::Tensor& products, const torch::Tensor& allowed,
                                  c10::ScalarType dtype) const {
    auto scores = products.to(torch::kFloat32) / std::sqrt(static_cast<double>(head_dim_));
    scores = scores.masked_fill(allowed.logical_not(), -std::numeric_limits<float>::infinity());
    return torch::softmax(scores, -1).to(dtype);
  }
#endif
  // K or V [B, KV, S, D] repeated for the query heads that share each KV head: [B, H, S, D].
  torch::Tensor repeat_kv(const torch::Tensor& x) const {
    return kv_heads_ == heads_ ? x : x.repeat_interleave(heads_ / kv_heads_, 1);
  }
  static torch::Tensor rotate_half(const torch::Tensor& x) {
    const auto h = x.size(-1) / 2;
    return torch::cat({-x.narrow(-1, h, h), x.narrow(-1, 0, h)}, -1);
  }
  std::int64_t heads_, kv_heads_, head_dim_;
};
TORCH_MODULE(Qwen2Attention);

class Qwen2MLPImpl : public torch::nn::Module {
public:
  explicit Qwen2MLPImpl(const Qwen2Config& c) {
    using torch::nn::LinearOptions;
    gate_proj =
        register_module("gate_proj", torch::nn::Linear(LinearOptions(c.hidden_size, c.intermediate_size).bias(false)));
    up_proj =
        register_module("up_proj", torch::nn::Linear(LinearOptions(c.hidden_size, c.intermediate_size).bias(false)));
    down_proj =
        register_module("down_proj", torch::nn::Linear(LinearOptions(c.intermediate_size, c.hidden_size).bias(false)));
  }
  torch::Tensor forward(const torch::Tensor& x) { return down_proj(torch::silu(gate_proj(x)) * up_proj(x)); }
  torch::nn::Linear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(Qwen2MLP);

class Qwen2DecoderLayerImpl : public torch::nn::Module {
public:
  explicit Qwen2DecoderLayerImpl(const Qwen2Config& c) {
    self_attn = register_module("self_attn", Qwen2Attention(c));
    mlp = register_module("mlp", Qwen2MLP(c));
    input_layernorm = register_module("input_layernorm", RMSNorm(c.hidden_size, c.rms_norm_eps));
    post_attention_layernorm = register_module("post_attention_layernorm", RMSNorm(c.hidden_size, c.rms_norm_eps));
  }
  /// The pre-norm block: x + attention(norm(x)), then + mlp(norm(.)); arguments as Qwen2Attention's.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& allowed, torch::Tensor* cache_k = nullptr,
                        torch::Tensor* cache_v = nullptr, std::int64_t start = 0) {
    const auto h = x + self_attn(input_layernorm(x), cos, sin, allowed, cache_k, cache_v, start);
    return h + mlp(post_attention_layernorm(h));
  }
  Qwen2Attention self_attn{nullptr};
  Qwen2MLP mlp{nullptr};
  RMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
};
TORCH_MODULE(Qwen2DecoderLayer);

class Qwen2ModelImpl : public torch::nn::Module {
public:
  /// `place`, when given, takes each part as it is built (Qwen2Impl's loading form moves it to its
  /// device and dtype there, so the whole model never exists in float32 on the host).
  explicit Qwen2ModelImpl(const Qwen2Config& c, const std::function<void(torch::nn::Module&)>& place = {}) {
    auto placed = [&](auto part) {
      if (place) place(*part);
      return part;
    };
    embed_tokens = register_module("embed_tokens", placed(torch::nn::Embedding(c.vocab_size, c.hidden_size)));
    layers = register_module("layers", torch::nn::ModuleList());
    for (std::int64_t i = 0; i < c.num_hidden_layers; ++i) layers->push_back(placed(Qwen2DecoderLayer(c)));
    norm = register_module("norm", placed(RMSNorm(c.hidden_size, c.rms_norm_eps)));
  }
  torch::nn::Embedding embed_tokens{nullptr};
  torch::nn::ModuleList layers{nullptr};
  RMSNorm norm{nullptr};
};
TORCH_MODULE(Qwen2Model);

namespace detail {
// The LM head's logits z = h W^T (float32) for rows [s, s + n) of h, `chunk` rows at a time:
// `take(logits, s, n)` for each chunk, so no [N, V] tensor outlives one.
template <class Take>
void for_each_head_chunk(const torch::Tensor& h, const torch::Tensor& w, std::int64_t chunk, Take&& take) {
  for (std::int64_t s = 0; s < h.size(0); s += chunk) {
    const auto n = std::min(chunk, h.size(0) - s);
    take(torch::matmul(h.narrow(0, s, n), w.t()).to(torch::kFloat32), s, n);
  }
}
// The backward of a function of those logits, recomputed chunk by chunk: `dz(logits, s, n)` gives
// d loss / dz for its rows; returns the gradients of h and W.
template <class Dz>
std::pair<torch::Tensor, torch::Tensor> head_backward(const torch::Tensor& h, const torch::Tensor& w,
                                                      std::int64_t chunk, Dz&& dz) {
  auto gh = torch::empty_like(h);
  auto gw = torch::zeros(w.sizes(), w.options().dtype(torch::kFloat32));
  for_each_head_chunk(h, w, chunk, [&](const torch::Tensor& logits, std::int64_t s, std::int64_t n) {
    const auto dl = dz(logits, s, n);
    gh.narrow(0, s, n).copy_(torch::matmul(dl.to(w.scalar_type()), w));
    gw += torch::matmul(dl.t(), h.narrow(0, s, n).to(torch::kFloat32));
  });
  return {gh, gw.to(w.scalar_type())};
}

// log softmax(h W^T)[target] for rows of h, chunked; the backward recomputes each chunk's logits, so
// no [N, V] tensor outlives a chunk (the memory a [B, T, V] logits tensor would take is never held).
struct TokenLogProb : public torch::autograd::Function<TokenLogProb> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor h, torch::Tensor w,
                               torch::Tensor targets, std::int64_t chunk) {
    ctx->save_for_backward({h, w, targets});
    ctx->saved_data["chunk"] = chunk;
    auto out = torch::empty({h.size(0)}, h.options().dtype(torch::kFloat32));
    for_each_head_chunk(h, w, chunk, [&](const torch::Tensor& logits, std::int64_t s, std::int64_t n) {
      const auto lse = torch::logsumexp(logits, -1);
      out.narrow(0, s, n).copy_(logits.gather(-1, targets.narrow(0, s, n).unsqueeze(-1)).squeeze(-1) - lse);
    });
    return out;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad) {
    const auto saved = ctx->get_saved_variables();
    const auto &h = saved[0], &w = saved[1], &targets = saved[2];
    auto [gh, gw] = head_backward(
        h, w, ctx->saved_data["chunk"].toInt(), [&](const torch::Tensor& logits, std::int64_t s, std::int64_t n) {
          // d logp[target] / d logits = onehot(target) - softmax
          auto dl = -torch::softmax(logits, -1);
          dl.scatter_add_(-1, targets.narrow(0, s, n).unsqueeze(-1), torch::ones({n, 1}, dl.options()));
          return dl * grad[0].narrow(0, s, n).unsqueeze(-1);
        });
    return {gh, gw, torch::Tensor(), torch::Tensor()};
  }
};

// TokenLogProb's log-probabilities and each row's entropy H = lse - Σ p·z over the vocabulary, from
// the same chunks of logits (the entropy bonus without a [B, T, V] tensor). Backward:
// d logp / dz = onehot(target) - p; dH / dz = -p (z - Σ p·z).
struct TokenLogProbEntropy : public torch::autograd::Function<TokenLogProbEntropy> {
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, torch::Tensor h, torch::Tensor w,
                                                torch::Tensor targets, std::int64_t chunk) {
    ctx->save_for_backward({h, w, targets});
    ctx->saved_data["chunk"] = chunk;
    auto logp = torch::empty({h.size(0)}, h.options().dtype(torch::kFloat32)), entropy = torch::empty_like(logp);
    for_each_head_chunk(h, w, chunk, [&](const torch::Tensor& logits, std::int64_t s, std::int64_t n) {
      const auto lse = torch::logsumexp(logits, -1);
      logp.narrow(0, s, n).copy_(logits.gather(-1, targets.narrow(0, s, n).unsqueeze(-1)).squeeze(-1) - lse);
      entropy.narrow(0, s, n).copy_(lse - (torch::softmax(logits, -1) * logits).sum(-1));
    });
    return {logp, entropy};
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad) {
    const auto saved = ctx->get_saved_variables();
    const auto &h = saved[0], &w = saved[1], &targets = saved[2];
    auto [gh, gw] = head_backward(
        h, w, ctx->saved_data["chunk"].toInt(), [&](const torch::Tensor& logits, std::int64_t s, std::int64_t n) {
          const auto p = torch::softmax(logits, -1);
          const auto g_logp = grad[0].narrow(0, s, n).unsqueeze(-1), g_entropy = grad[1].narrow(0, s, n).unsqueeze(-1);
          auto dl = -p * (g_logp + g_entropy * (logits - (p * logits).sum(-1, true)));
          dl.scatter_add_(-1, targets.narrow(0, s, n).unsqueeze(-1), g_logp);
          return dl;
        });
    return {gh, gw, torch::Tensor(), torch::Tensor()};
  }
};

// A decoder layer under activation checkpointing: forward keeps only the layer's input; backward
// runs the layer again with gradients on and back-propagates through it (reentrant, as
// torch.utils.checkpoint with use_reentrant=True), so the layer's parameters get their gradients
// from that inner backward. Qwen2 has no dropout: the recomputation is the forward exactly.
// Causal attention without a mask travels as an empty tensor: autograd refuses undefined inputs.
struct CheckpointedLayer : public torch::autograd::Function<CheckpointedLayer> {
  static torch::Tensor mask_of(const torch::Tensor& allowed) { return allowed.numel() ? allowed : torch::Tensor(); }
  // `layer` is the address of a Qwen2DecoderLayerImpl of the model (which outlives the graph):
  // autograd's saved data holds IValues, and a module is not one.
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor x, torch::Tensor cos,
                               torch::Tensor sin, torch::Tensor allowed, std::int64_t layer) {
    ctx->save_for_backward({x, cos, sin, allowed});
    ctx->saved_data["layer"] = layer;
    return reinterpret_cast<Qwen2DecoderLayerImpl*>(layer)->forward(x, cos, sin, mask_of(allowed));
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad) {
    const auto saved = ctx->get_saved_variables();
    auto* layer = reinterpret_cast<Qwen2DecoderLayerImpl*>(ctx->saved_data["layer"].toInt());
    const auto x = saved[0].detach().requires_grad_(true);
    torch::Tensor y;
    {
      torch::AutoGradMode enable(true);
      y = layer->forward(x, saved[1], saved[2], mask_of(saved[3]));
    }
    torch::autograd::backward({y}, {grad[0]});
    return {x.grad(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};
} // namespace detail

class Qwen2Impl : public torch::nn::Module {
public:
  /// A model in `config.torch_dtype` on the CPU, initialised as Hugging Face does.
  explicit Qwen2Impl(Qwen2Config c) : config(std::move(c)) {
    config.validate();
    model = register_module("model", Qwen2Model(config));
    if (!config.tie_word_embeddings)
      lm_head = register_module(
          "lm_head", torch::nn::Linear(torch::nn::LinearOptions(config.hidden_size, config.vocab_size).bias(false)));
    initialise();
  }
  /// A model to load weights into (load_pretrained): each part goes to `device` in
  /// `config.torch_dtype` as soon as it is built, and is not initialised, so loading a 7B model
  /// onto a GPU never holds it whole on the host (the first form would: in float32, 4 bytes a
  /// parameter, per rank). Its parameters hold LibTorch's default initialisation until loaded.
  Qwen2Impl(Qwen2Config c, torch::Device device) : config(std::move(c)) {
    config.validate();
    const auto dtype = qwen2_dtype(config);
    const auto place = [&](torch::nn::Module& part) { part.to(device, dtype); };
    model = register_module("model", Qwen2Model(config, place));
    if (!config.tie_word_embeddings) {
      torch::nn::Linear head(torch::nn::LinearOptions(config.hidden_size, config.vocab_size).bias(false));
      place(*head);
      lm_head = register_module("lm_head", head);
    }
  }

private:
  // Hugging Face's initialisation: N(0, 0.02) weights, zero biases, unit norms; then the dtype.
  void initialise() {
    torch::NoGradGuard no_grad;
    for (auto& p : named_parameters()) {
      const auto& name = p.key();
      if (name.ends_with("norm.weight"))
        p.value().fill_(1.0);
      else if (name.ends_with(".bias"))
        p.value().zero_();
      else
        p.value().normal_(0.0, 0.02);
    }
    to(qwen2_dtype(config));
  }

public:
  /// The LM head's weight [V, H] (the embedding when tied).
  torch::Tensor head_weight() const {
    return config.tie_word_embeddings ? model->embed_tokens->weight : lm_head->weight;
  }

  /// Final hidden states [B, T, H] of `ids` [B, T] under `mask` [B, T] (1 = token, 0 = padding).
  /// With a cache, `ids` continue the cached sequence and are appended to it.
  torch::Tensor hidden(const torch::Tensor& ids, const torch::Tensor& mask, KVCache* cache = nullptr) {
    using torch::indexing::Slice;
    const auto T = ids.size(1);
    const auto dev = ids.device();
    const auto valid = mask.to(torch::kBool);
    const std::int64_t start = cache ? cache->length : 0;
    if (cache && start + T > cache->capacity())
      throw error("raif: KV cache of capacity " + std::to_string(cache->capacity()) + " cannot take " +
                  std::to_string(T) + " more tokens after " + std::to_string(start));
    auto pos = valid.to(torch::kInt64).cumsum(1) - 1;
    if (cache) pos = pos + cache->seen.unsqueeze(1);
    pos = pos.clamp_min(0);
    // A position is at most its index in the frame: only a frame that long costs a host sync here.
    if (start + T > config.max_position_embeddings && pos.max().item<std::int64_t>() >= config.max_position_embeddings)
      throw error("raif: sequence longer than max_position_embeddings " +
                  std::to_string(config.max_position_embeddings));
    torch::Tensor keys;
    if (cache) {
      cache->key_mask.index_put_({Slice(), Slice(start, start + T)}, valid);
      cache->seen += valid.to(torch::kInt64).sum(1);
      keys = cache->key_mask.index({Slice(), Slice(0, start + T)});
    } else {
      keys = valid;
    }
    const auto S = start + T;
    // allowed[b, 0, t, s]: key s is a real token at or before query t; a query always sees itself
    // (padding rows stay finite; their outputs are never read). Where every row's tokens come
    // before its padding (training frames, prompts of one length) and nothing is cached before
    // them, that is causal attention for every real token: no mask then, so that LibTorch 2.x may
    // take its flash kernels (one host sync per forward, none per decoding step).
    const bool causal = RAIF_HAVE_SDPA && start == 0 && T > 0 &&
                        !(valid.narrow(1, 1, T - 1) > valid.narrow(1, 0, T - 1)).any().item<bool>();
    torch::Tensor allowed4;
    if (!causal) {
      const auto qpos =
          torch::arange(start, start + T, torch::TensorOptions().dtype(torch::kInt64).device(dev)).view({T, 1});
      const auto kpos = torch::arange(S, torch::TensorOptions().dtype(torch::kInt64).device(dev)).view({1, S});
      allowed4 = (((kpos <= qpos).unsqueeze(0) & keys.unsqueeze(1)) | (kpos == qpos).unsqueeze(0)).unsqueeze(1);
    }
    // rotary tables
    const auto hd = config.head_dim();
    const auto inv_freq =
        1.0 / torch::pow(config.rope_theta,
                         torch::arange(0, hd, 2, torch::TensorOptions().dtype(torch::kFloat32).device(dev)) /
                             static_cast<double>(hd));
    const auto freqs = pos.to(torch::kFloat32).unsqueeze(-1) * inv_freq;
    const auto emb = torch::cat({freqs, freqs}, -1);
    const auto dtype = head_weight().scalar_type();
    const auto cos = emb.cos().to(dtype).unsqueeze(1), sin = emb.sin().to(dtype).unsqueeze(1);

    auto x = model->embed_tokens(ids);
    // The reentrant scheme back-propagates only from an input that needs a gradient: with a frozen
    // embedding the layers run plainly (their parameters would get no gradient otherwise).
    const bool recompute = activation_checkpointing && torch::GradMode::is_enabled() && !cache && x.requires_grad();
    for (std::size_t i = 0; i < model->layers->size(); ++i) {
      auto layer = model->layers->ptr<Qwen2DecoderLayerImpl>(i);
      x = recompute ? detail::CheckpointedLayer::apply(
                          x, cos, sin, causal ? torch::empty({0}, torch::dtype(torch::kBool).device(dev)) : allowed4,
                          reinterpret_cast<std::int64_t>(layer.get()))
                    : layer->forward(x, cos, sin, allowed4, cache ? &cache->k[i] : nullptr,
                                     cache ? &cache->v[i] : nullptr, start);
    }
    if (cache) cache->length = S;
    return model->norm(x);
  }

  /// Logits [B, T, V] (training, full sequences).
  torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& mask) {
    return torch::matmul(hidden(ids, mask), head_weight().t());
  }
  /// Per-token log-probabilities [B, T] (float32) of `targets` [B, T] at each position, at sampling
  /// temperature `temperature`, computed in chunks of `chunk` rows (see detail::TokenLogProb).
  torch::Tensor token_logprobs(const torch::Tensor& ids, const torch::Tensor& mask, const torch::Tensor& targets,
                               double temperature = 1.0, std::int64_t chunk = 1024) {
    auto h = hidden(ids, mask);
    if (temperature != 1.0) h = h / temperature;
    const auto B = h.size(0), T = h.size(1);
    return detail::TokenLogProb::apply(h.reshape({B * T, -1}), head_weight(), targets.reshape({B * T}), chunk)
        .view({B, T});
  }
  /// token_logprobs, and each position's entropy [B, T] (float32) of the whole next-token
  /// distribution at `temperature`, from the same chunks (detail::TokenLogProbEntropy).
  std::pair<torch::Tensor, torch::Tensor> token_logprobs_entropy(const torch::Tensor& ids, const torch::Tensor& mask,
                                                                 const torch::Tensor& targets, double temperature = 1.0,
                                                                 std::int64_t chunk = 1024) {
    auto h = hidden(ids, mask);
    if (temperature != 1.0) h = h / temperature;
    const auto B = h.size(0), T = h.size(1);
    const auto out =
        detail::TokenLogProbEntropy::apply(h.reshape({B * T, -1}), head_weight(), targets.reshape({B * T}), chunk);
    return {out[0].view({B, T}), out[1].view({B, T})};
  }
  /// Logits [B, V] of the last position after appending `ids` to the cache (incremental decoding).
  torch::Tensor next_logits(const torch::Tensor& ids, const torch::Tensor& mask, KVCache& cache) {
    const auto h = hidden(ids, mask, &cache);
    return torch::matmul(h.select(1, h.size(1) - 1), head_weight().t());
  }
  /// An empty cache for `batch` sequences of up to `capacity` positions, on the model's device and dtype.
  KVCache make_cache(std::int64_t batch, std::int64_t capacity) const {
    KVCache c;
    const auto w = head_weight();
    const auto opt = w.options().requires_grad(false);
    for (std::int64_t i = 0; i < config.num_hidden_layers; ++i) {
      c.k.push_back(torch::zeros({batch, config.num_key_value_heads, capacity, config.head_dim()}, opt));
      c.v.push_back(torch::zeros({batch, config.num_key_value_heads, capacity, config.head_dim()}, opt));
    }
    c.key_mask = torch::zeros({batch, capacity}, torch::TensorOptions().dtype(torch::kBool).device(w.device()));
    c.seen = torch::zeros({batch}, torch::TensorOptions().dtype(torch::kInt64).device(w.device()));
    return c;
  }
  torch::Device device() const { return head_weight().device(); }

  Qwen2Config config;
  /// Activation checkpointing per decoder layer: while gradients are on, each layer keeps only its
  /// input and recomputes the rest in backward (less memory for one more forward per layer; the
  /// same gradients). Off by default; the trainer's model.activation_checkpointing sets it.
  bool activation_checkpointing = false;
  Qwen2Model model{nullptr};
  torch::nn::Linear lm_head{nullptr};
};
TORCH_MODULE(Qwen2);

} // namespace raif
