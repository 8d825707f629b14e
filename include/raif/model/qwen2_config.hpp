#pragma once
/// @file
/// Qwen2Config: the hyper-parameters of a Qwen2 / Qwen2.5 model and their Hugging Face
/// `config.json` form, without LibTorch (the model is model/qwen2.hpp).
///
///   raif::Qwen2Config cfg{.vocab_size = 1024, .hidden_size = 256, .num_hidden_layers = 4};
///   auto c = raif::Qwen2Config::from_json(raif::detail::read_json_file(p), p);  // a Qwen2.5 config.json
///
/// What `from_json` accepts (everything else is a raif::error naming the file and the field):
/// - `model_type` "qwen2" and `hidden_act` "silu" (strings, either may be absent);
/// - sizes as JSON integers (3.0 is refused): `vocab_size`,
///   `hidden_size`, `intermediate_size`, `num_hidden_layers`, `num_attention_heads`,
///   `num_key_value_heads` (null: `num_attention_heads`), `max_position_embeddings`, each in
///   1..2^31-1; `hidden_size` a multiple of `num_attention_heads` with an even head dimension
///   (rotary embedding), `num_attention_heads` a multiple of `num_key_value_heads`;
/// - at most qwen2_max_parameters (2e11) parameters in all: the largest Qwen2/2.5 model has
///   72.7e9, and a config past the bound would make the model allocate terabytes;
/// - `rope_theta` and `rms_norm_eps` finite positive numbers; `rope_parameters` (transformers 5)
///   or `rope_scaling`: null, or an object whose `rope_type` / `type` is "default" (scaled RoPE is
///   not supported), optionally holding `rope_theta`;
/// - `use_sliding_window` false or absent; `tie_word_embeddings` a boolean;
/// - `torch_dtype` (or transformers 5's `dtype`; `torch_dtype` wins) "float32", "bfloat16" or
///   "float16"; null means not given (float32).
/// An absent key means transformers' default (transformers_defaults(): 151936, 4096, 22016, 32
/// layers, 32 heads, 32 KV heads, 32768 positions, rope_theta 1e4, untied), as AutoConfig reads it.
/// Other keys (architectures, token ids, sliding_window, max_window_layers, ...) are ignored.

#include <raif/detail/json_field.hpp>
#include <raif/error.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>

namespace raif {

/// The most parameters a Qwen2Config may describe (about 800 GB in float32): beyond every real
/// Qwen2/2.5 model (72.7e9), below what would make a corrupted config allocate terabytes.
inline constexpr double qwen2_max_parameters = 2e11;

struct Qwen2Config {
  std::int64_t vocab_size = 1024;
  std::int64_t hidden_size = 256;
  std::int64_t intermediate_size = 704;
  std::int64_t num_hidden_layers = 4;
  std::int64_t num_attention_heads = 8;
  std::int64_t num_key_value_heads = 2;
  std::int64_t max_position_embeddings = 2048;
  double rope_theta = 1e6;
  double rms_norm_eps = 1e-6;
  bool tie_word_embeddings = true;
  std::string torch_dtype = "float32"; ///< float32 | bfloat16 | float16

  std::int64_t head_dim() const { return hidden_size / num_attention_heads; }

  /// The number of parameters of the model this config describes (exact below 2^53).
  double parameter_count() const {
    const double V = static_cast<double>(vocab_size), H = static_cast<double>(hidden_size),
                 I = static_cast<double>(intermediate_size), L = static_cast<double>(num_hidden_layers),
                 kv = static_cast<double>(num_key_value_heads) * static_cast<double>(head_dim());
    const double attention = (H * H + H) + 2 * (H * kv + kv) + H * H; // q, k, v with bias; o without
    const double layer = attention + 3 * H * I + 2 * H;               // SwiGLU MLP, two norms
    return V * H * (tie_word_embeddings ? 1 : 2) + L * layer + H;     // embedding (+ head), final norm
  }

  /// Throws a raif::error naming `where` and the field if the values cannot make a model.
  void validate(const std::string& where = "Qwen2Config") const {
    auto fail = [&](const std::string& field, const std::string& why) {
      return detail::field_error(where, field, why);
    };
    constexpr std::int64_t max_size = 2147483647;
    const std::pair<const char*, std::int64_t> sizes[] = {{"vocab_size", vocab_size},
                                                          {"hidden_size", hidden_size},
                                                          {"intermediate_size", intermediate_size},
                                                          {"num_hidden_layers", num_hidden_layers},
                                                          {"num_attention_heads", num_attention_heads},
                                                          {"num_key_value_heads", num_key_value_heads},
                                                          {"max_position_embeddings", max_position_embeddings}};
    for (const auto& [field, v] : sizes)
      if (v < 1 || v > max_size) throw fail(field, std::to_string(v) + " is outside 1.." + std::to_string(max_size));
    if (hidden_size % num_attention_heads != 0)
      throw fail("num_attention_heads", "hidden_size " + std::to_string(hidden_size) + " is not a multiple of " +
                                            std::to_string(num_attention_heads) + " heads");
    if (head_dim() % 2 != 0)
      throw fail("num_attention_heads", "the head dimension " + std::to_string(head_dim()) +
                                            " (hidden_size / num_attention_heads) must be even (rotary embedding)");
    if (num_attention_heads % num_key_value_heads != 0)
      throw fail("num_key_value_heads", std::to_string(num_attention_heads) +
                                            " attention heads are not a multiple of " +
                                            std::to_string(num_key_value_heads) + " key/value heads");
    if (!(rope_theta > 0) || !std::isfinite(rope_theta))
      throw fail("rope_theta", std::to_string(rope_theta) + " is not a finite positive number");
    if (!(rms_norm_eps > 0) || !std::isfinite(rms_norm_eps))
      throw fail("rms_norm_eps", std::to_string(rms_norm_eps) + " is not a finite positive number");
    if (torch_dtype != "float32" && torch_dtype != "bfloat16" && torch_dtype != "float16")
      throw fail("torch_dtype", detail::quote(torch_dtype) + " is not float32, bfloat16 or float16");
    if (const double n = parameter_count(); n > qwen2_max_parameters) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "%.3g parameters, above raif's bound of %.3g", n, qwen2_max_parameters);
      throw error("raif: " + where + ": the config describes " + buf + " (corrupted sizes?)");
    }
  }

  /// Hugging Face config.json keys (model_type qwen2).
  nlohmann::json to_json() const {
    return {{"architectures", {"Qwen2ForCausalLM"}},
            {"model_type", "qwen2"},
            {"vocab_size", vocab_size},
            {"hidden_size", hidden_size},
            {"intermediate_size", intermediate_size},
            {"num_hidden_layers", num_hidden_layers},
            {"num_attention_heads", num_attention_heads},
            {"num_key_value_heads", num_key_value_heads},
            {"max_position_embeddings", max_position_embeddings},
            {"rope_theta", rope_theta},
            {"rms_norm_eps", rms_norm_eps},
            {"tie_word_embeddings", tie_word_embeddings},
            {"hidden_act", "silu"},
            {"torch_dtype", torch_dtype}};
  }

  /// transformers' Qwen2Config() (4.x and 5.x alike): what a config.json that omits a key means.
  static Qwen2Config transformers_defaults() {
    return {.vocab_size = 151936,
            .hidden_size = 4096,
            .intermediate_size = 22016,
            .num_hidden_layers = 32,
            .num_attention_heads = 32,
            .num_key_value_heads = 32,
            .max_position_embeddings = 32768,
            .rope_theta = 10000.0,
            .rms_norm_eps = 1e-6,
            .tie_word_embeddings = false,
            .torch_dtype = "float32"};
  }

  /// Reads a Hugging Face config.json (`where` names it in errors); validated. A key it omits takes
  /// transformers' default, as AutoConfig would read the file.
  static Qwen2Config from_json(const nlohmann::json& j, const std::string& where = "config.json") {
    using namespace detail;
    if (!j.is_object()) throw error("raif: " + where + ": expected a JSON object, got " + json_kind(j));
    Qwen2Config c = transformers_defaults();
    auto str = [&](const char* key, const char* expected) {
      if (const auto* v = find_field(j, key); v && as_string(*v, where, key) != expected)
        throw field_error(where, key, quote(v->get_ref<const std::string&>()) + " is not supported, only " + expected);
    };
    str("model_type", "qwen2");
    str("hidden_act", "silu");
    auto size = [&](const char* key, std::int64_t& field) {
      if (const auto* v = find_field(j, key)) field = as_int(*v, where, key);
    };
    size("vocab_size", c.vocab_size);
    size("hidden_size", c.hidden_size);
    size("intermediate_size", c.intermediate_size);
    size("num_hidden_layers", c.num_hidden_layers);
    size("num_attention_heads", c.num_attention_heads);
    if (const auto* v = find_field(j, "num_key_value_heads"); v && v->is_null()) // null: one per query head
      c.num_key_value_heads = c.num_attention_heads;
    else
      size("num_key_value_heads", c.num_key_value_heads);
    size("max_position_embeddings", c.max_position_embeddings);
    if (const auto* v = find_field(j, "rope_theta")) c.rope_theta = as_double(*v, where, "rope_theta");
    for (const char* key : {"rope_parameters", "rope_scaling"}) { // transformers >= 5 / scaled RoPE
      const auto* r = find_field(j, key);
      if (!r || r->is_null()) continue;
      if (!r->is_object()) throw wrong_type(*r, where, key, "null or an object");
      std::string type = "default";
      for (const char* t : {"type", "rope_type"}) // rope_type wins, as in transformers
        if (const auto* v = find_field(*r, t)) type = as_string(*v, where, std::string(key) + "." + t);
      if (type != "default")
        throw field_error(where, key, "only the default rotary embedding is supported, got " + quote(type));
      if (const auto* v = find_field(*r, "rope_theta"))
        c.rope_theta = as_double(*v, where, std::string(key) + ".rope_theta");
    }
    if (const auto* v = find_field(j, "use_sliding_window"); v && as_bool(*v, where, "use_sliding_window"))
      throw field_error(where, "use_sliding_window", "sliding-window attention is not supported");
    if (const auto* v = find_field(j, "rms_norm_eps")) c.rms_norm_eps = as_double(*v, where, "rms_norm_eps");
    if (const auto* v = find_field(j, "tie_word_embeddings"))
      c.tie_word_embeddings = as_bool(*v, where, "tie_word_embeddings");
    for (const char* key : {"dtype", "torch_dtype"}) // transformers >= 5 writes dtype; torch_dtype wins
      if (const auto* v = find_field(j, key); v && !v->is_null()) c.torch_dtype = as_string(*v, where, key);
    c.validate(where);
    return c;
  }
};

} // namespace raif
