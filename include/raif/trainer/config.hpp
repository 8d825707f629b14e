#pragma once
/// @file
/// TrainConfig: every hyper-parameter of the reference trainer, declared once in
/// `TrainConfig::declare` — section, key, field, default, bounds and a one-line doc — from which
/// the defaults, TOML parsing, `--set section.key=value`, validation errors (file:line: key),
/// `to_toml` and the reference table in docs/config.md all follow. Paper values (G = 8, 1/4
/// forced no-reasoning, clip 0.2, k3 KL 1e-3, BC coef 1, temperature 1, top-p 1) where they apply.
///
///   auto cfg = raif::TrainConfig::from_file("configs/micro.toml");
///   cfg.apply_override("grpo.estimator=rloo");
///   cfg.validate();                              // throws raif::error naming the key
///
/// The stage keys (grpo.estimator, grpo.selection, grpo.kl, ...) name models in the trainer's
/// compile-time stage lists (trainer/stages.hpp); the trainer checks them before any work.

#include <raif/error.hpp>
#include <raif/judge/judge.hpp>

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace raif {

struct TrainConfig {
  struct Run {
    std::int64_t seed, threads, stop_after, max_nonfinite_in_a_row;
    std::string out_dir, device;
  } run;
  struct Data {
    std::int64_t items;
    double heldout_fraction, judge_fraction;
    std::string split_by, train_jsonl, heldout_jsonl, seed_tasks, trace, system;
    std::vector<double> composition_weights;
    bool ifbench;
  } data;
  struct Tokenizer {
    std::int64_t vocab_size;
  } tokenizer;
  struct Model {
    std::int64_t hidden_size, layers, heads, kv_heads, intermediate_size, max_len;
    double rope_theta;
    std::string dtype, init;
    bool activation_checkpointing;
  } model;
  struct WarmStart {
    std::int64_t steps, batch_size, warmup;
    double lr, weight_decay, direct_fraction;
  } warmstart;
  struct Grpo {
    std::int64_t steps, prompts_per_step, group_size, top_k, max_new_tokens, warmup, updates_per_rollout, micro_batch,
        micro_batch_tokens, bc_batch;
    double no_think_fraction, temperature, top_p, lr, weight_decay, grad_clip, clip_eps, clip_eps_high, kl_coef,
        entropy_coef, bc_coef;
    bool all_equal_clause;
    std::string estimator, selection, kl, optimizer, schedule, loss_aggregation, policy;
  } grpo;
  struct Eval {
    std::int64_t items, max_new_tokens, batch_size, curve_every, curve_items;
  } eval;
  struct JudgeSettings {
    std::string model, device, dtype, system, prompt, yes, no;
    std::int64_t micro_batch;
  } judge;
  struct Checkpoint {
    std::int64_t every;
  } checkpoint;

  /// A bound on a value: its text (for errors and the reference table) and the test.
  struct Rule {
    std::string text;
    std::function<bool()> ok = [] { return true; };
  };

  /// The declaration of every setting, in order: `key(section, name, field, default, rule, doc)`.
  /// `Self` is TrainConfig or const TrainConfig; rules read the fields of `c`.
  template <class Self, class Key> static void declare(Self& c, Key&& key) {
    auto& r = c.run;
    key("run", "seed", r.seed, 1, any(), "seed of everything random: data, initialisation, sampling");
    key("run", "out_dir", r.out_dir, "runs/default", non_empty(r.out_dir), "the run directory");
    key("run", "device", r.device, "auto", one_of(r.device, {"auto", "cpu", "cuda"}),
        "auto: CUDA (bf16) when available, else CPU (float32)");
    key("run", "threads", r.threads, 0, at_least(r.threads, 0),
        "LibTorch and reward threads; 0: all cores (under data parallelism, shared among a machine's ranks)");
    key("run", "stop_after", r.stop_after, 0, at_least(r.stop_after, 0),
        "stop (checkpointed, resumable) after this many GRPO steps; 0: never");
    key("run", "max_nonfinite_in_a_row", r.max_nonfinite_in_a_row, 10, at_least(r.max_nonfinite_in_a_row, 0),
        "an update with a non-finite loss or gradient norm is skipped (logged, counted as skipped_nonfinite); "
        "this many in a row stop the run, naming the step and mini-batch; 0: never stop");

    auto& d = c.data;
    key("data", "items", d.items, 4800, above(d.items, 0),
        "composed candidates; those whose expert fails its own spec are dropped");
    key("data", "heldout_fraction", d.heldout_fraction, 0.15, unit(d.heldout_fraction), "share of groups held out");
    key("data", "split_by", d.split_by, "seed_task",
        one_of(d.split_by, {"seed_task", "composition", "both", "constraint"}),
        "what held-out items share and training items never see (constraint: IFBench's out-of-distribution split)");
    key("data", "train_jsonl", d.train_jsonl, "", any(), "your own items instead of composed ones (optional)");
    key("data", "heldout_jsonl", d.heldout_jsonl, "", any(), "your own held-out items (else split from train_jsonl)");
    key("data", "seed_tasks", d.seed_tasks, "", any(),
        "seed tasks (JSONL, docs/data.md) to compose over; empty: the bundled animals world");
    key("data", "composition_weights", d.composition_weights, std::vector<double>{1, 3, 2, 2, 1},
        weights(d.composition_weights), "relative weights of single, and, chain, select, nested items");
    key("data", "ifbench", d.ifbench, false, any(),
        "also compose with three IFBench constraints (format:output_template, format:thesis, sentence:keyword)");
    key("data", "judge_fraction", d.judge_fraction, 0.0, share(d.judge_fraction),
        "share of composed items that also get a judge-verified leaf (judge:question: does the answer talk only "
        "about the seed task's subject?); needs a judge (judge.model)");
    key("data", "trace", d.trace, "expert", one_of(d.trace, {"expert", "shallow", "none"}),
        "warm-start reasoning: expert (decomposition) | shallow (paraphrase) | none (I/O)");
    key("data", "system", d.system, "Think in <think></think>, then answer in <answer></answer>.", any(),
        "the system prompt");

    key("tokenizer", "vocab_size", c.tokenizer.vocab_size, 512,
        Rule{">= 300", [&v = c.tokenizer.vocab_size] { return v >= 300; }},
        "byte-level BPE vocabulary (256 bytes + specials + merges)");

    auto& m = c.model;
    key("model", "init", m.init, "", any(),
        "a Hugging Face Qwen2/Qwen2.5 checkpoint folder to start from (its weights, tokenizer and chat "
        "template; the other model keys but max_len and dtype, and tokenizer.vocab_size, are then unused); "
        "empty: a model from scratch");
    key("model", "hidden_size", m.hidden_size, 128, above(m.hidden_size, 0), "Qwen2 hidden size");
    key("model", "layers", m.layers, 3, above(m.layers, 0), "decoder layers");
    key("model", "heads", m.heads, 4,
        Rule{"a divisor of model.hidden_size", [&m] { return m.heads > 0 && m.hidden_size % m.heads == 0; }},
        "attention heads");
    key("model", "kv_heads", m.kv_heads, 2,
        Rule{"a divisor of model.heads", [&m] { return m.kv_heads > 0 && m.heads % m.kv_heads == 0; }},
        "key/value heads (grouped-query attention)");
    key("model", "intermediate_size", m.intermediate_size, 352, above(m.intermediate_size, 0), "MLP width");
    key("model", "max_len", m.max_len, 512, above(m.max_len, 0), "context length (prompt + response)");
    key("model", "rope_theta", m.rope_theta, 10000.0, above(m.rope_theta, 0.0), "RoPE base");
    key("model", "dtype", m.dtype, "auto", one_of(m.dtype, {"auto", "float32", "bfloat16", "float16"}),
        "parameters and compute; auto: bf16 on CUDA, fp32 on CPU. bf16/fp16 train through float32 master weights "
        "and optimiser state (trainer/mixed_precision.hpp), fp16 with dynamic loss scaling (trainer/loss_scale.hpp)");
    key("model", "activation_checkpointing", m.activation_checkpointing, false, any(),
        "recompute each decoder layer's activations in backward instead of keeping them: less memory, one more "
        "forward per layer, the same gradients");

    auto& w = c.warmstart;
    key("warmstart", "steps", w.steps, 300, at_least(w.steps, 0), "behaviour-cloning steps on expert traces");
    key("warmstart", "batch_size", w.batch_size, 16, above(w.batch_size, 0), "expert examples per step");
    key("warmstart", "lr", w.lr, 3e-3, above(w.lr, 0.0), "peak learning rate (cosine schedule)");
    key("warmstart", "weight_decay", w.weight_decay, 0.0, at_least(w.weight_decay, 0.0), "AdamW weight decay");
    key("warmstart", "warmup", w.warmup, 20, at_least(w.warmup, 0), "linear warm-up steps");
    key("warmstart", "direct_fraction", w.direct_fraction, 0.25, unit(w.direct_fraction),
        "expert examples answered directly (empty think), so forced no-reasoning samples are answers");

    auto& g = c.grpo;
    key("grpo", "steps", g.steps, 60, at_least(g.steps, 0), "GRPO steps");
    key("grpo", "prompts_per_step", g.prompts_per_step, 12, above(g.prompts_per_step, 0), "prompts per rollout");
    key("grpo", "group_size", g.group_size, 8, Rule{">= 2", [&g] { return g.group_size >= 2; }},
        "samples per prompt, G (paper: 8)");
    key("grpo", "no_think_fraction", g.no_think_fraction, 0.25, unit(g.no_think_fraction),
        "share of each group forced to skip reasoning, when the selection uses that contrast (paper: 1/4)");
    key("grpo", "estimator", g.estimator, "grpo", stage(), "advantage estimator (trainer/stages.hpp)");
    key("grpo", "selection", g.selection, "superior_cot", stage(), "sample selection before the policy loss");
    key("grpo", "all_equal_clause", g.all_equal_clause, false, any(),
        "superior_cot: the released code's extra drop condition (method.md §3)");
    key("grpo", "kl", g.kl, "k3", stage(), "KL estimator of the KL loss to the warm-start model (paper: k3)");
    key("grpo", "optimizer", g.optimizer, "adamw", stage(), "optimiser");
    key("grpo", "schedule", g.schedule, "cosine", stage(), "learning-rate schedule after the warm-up");
    key("grpo", "temperature", g.temperature, 1.0, above(g.temperature, 0.0), "sampling temperature (paper: 1)");
    key("grpo", "top_p", g.top_p, 1.0, Rule{"in (0, 1]", [&g] { return g.top_p > 0 && g.top_p <= 1; }},
        "nucleus sampling (paper: 1)");
    key("grpo", "top_k", g.top_k, 0, at_least(g.top_k, 0), "top-k sampling; 0: off");
    key("grpo", "max_new_tokens", g.max_new_tokens, 160, above(g.max_new_tokens, 0), "response length limit");
    key("grpo", "lr", g.lr, 1e-3, above(g.lr, 0.0),
        "peak learning rate (paper: 1e-6 for a 7B model; a 3-layer model from scratch needs more)");
    key("grpo", "weight_decay", g.weight_decay, 0.01, at_least(g.weight_decay, 0.0), "weight decay");
    key("grpo", "grad_clip", g.grad_clip, 1.0, above(g.grad_clip, 0.0), "gradient-norm clip");
    key("grpo", "warmup", g.warmup, 5, at_least(g.warmup, 0), "linear warm-up steps");
    key("grpo", "updates_per_rollout", g.updates_per_rollout, 2, above(g.updates_per_rollout, 0),
        "optimiser steps (mini-batches) per rollout");
    key("grpo", "micro_batch", g.micro_batch, 32, above(g.micro_batch, 0), "rows per forward/backward");
    key("grpo", "micro_batch_tokens", g.micro_batch_tokens, 0, at_least(g.micro_batch_tokens, 0),
        "padded tokens per forward/backward (rows × the longest row), besides micro_batch; 0: rows only. The same "
        "gradients: the loss is normalised over the whole mini-batch");
    key("grpo", "clip_eps", g.clip_eps, 0.2, above(g.clip_eps, 0.0), "lower clip of the ratio (paper: 0.2)");
    key("grpo", "clip_eps_high", g.clip_eps_high, 0.2, above(g.clip_eps_high, 0.0),
        "upper clip of the ratio (DAPO's clip-higher: 0.28)");
    key("grpo", "kl_coef", g.kl_coef, 1e-3, at_least(g.kl_coef, 0.0), "KL loss coefficient (paper: 1e-3)");
    key("grpo", "entropy_coef", g.entropy_coef, 0.0, at_least(g.entropy_coef, 0.0),
        "entropy bonus coefficient; 0: off (from chunks of logits, as the log-probs)");
    key("grpo", "bc_coef", g.bc_coef, 1.0, at_least(g.bc_coef, 0.0), "behaviour-cloning coefficient (paper: 1)");
    key("grpo", "bc_batch", g.bc_batch, 8, above(g.bc_batch, 0), "expert examples per update");
    key("grpo", "loss_aggregation", g.loss_aggregation, "seq_mean_token_mean", stage(),
        "token_mean | seq_mean_token_mean (the released code's) | seq_mean_token_sum | seq_mean_token_sum_norm "
        "(Dr.GRPO: divided by grpo.max_new_tokens)");
    key("grpo", "policy", g.policy, "raif", stage(), "answer-reward policy (paper Eq. 5: raif)");

    auto& e = c.eval;
    key("eval", "items", e.items, 600, above(e.items, 0), "held-out items evaluated (at most)");
    key("eval", "max_new_tokens", e.max_new_tokens, 160, above(e.max_new_tokens, 0), "response length limit");
    key("eval", "batch_size", e.batch_size, 64, above(e.batch_size, 0), "prompts per generation batch");
    key("eval", "curve_every", e.curve_every, 10, at_least(e.curve_every, 0),
        "GRPO steps between points of the held-out curve (metrics.jsonl's heldout_strict, curves.png); 0: none");
    key("eval", "curve_items", e.curve_items, 128, above(e.curve_items, 0),
        "held-out items of each curve point: the first ones, reasoning, greedy (display only: nothing is selected "
        "by it)");

    auto& j = c.judge;
    key("judge", "model", j.model, "", any(),
        "a Hugging Face Qwen2/Qwen2.5 checkpoint folder (weights, tokenizer, chat template) loaded as the LLM judge "
        "of judge-verified leaves (YES/NO log-probs, rollout/judge.hpp) in GRPO rewards and evaluation; empty: none");
    key("judge", "device", j.device, "auto", device_name(j.device),
        "auto: the policy's device (the same GPU under data parallelism: each rank loads its own judge); cuda: "
        "the rank's GPU; cuda:N: GPU N of those the process sees, for every rank of the machine (a GPU of the "
        "judge's own)");
    key("judge", "dtype", j.dtype, "auto", one_of(j.dtype, {"auto", "float32", "bfloat16", "float16"}),
        "the judge's parameters and compute; auto: bf16 on CUDA, fp32 on CPU");
    key("judge", "micro_batch", j.micro_batch, 16, above(j.micro_batch, 0), "judge prompts per forward");
    key("judge", "system", j.system, std::string(JudgePrompt::system), any(), "the judge's system message");
    key("judge", "prompt", j.prompt, std::string(JudgePrompt::user), any(),
        "the judge's user turn: {input} (the instruction), {answer} (the text the leaf checks: the extracted "
        "answer, or its Chain part) and {question} (the leaf's question) are filled in");
    key("judge", "yes", j.yes, std::string(JudgePrompt::yes), non_empty(j.yes),
        "the YES answer; the judge says YES iff log p(yes) > log p(no)");
    key("judge", "no", j.no, std::string(JudgePrompt::no), non_empty(j.no), "the NO answer");

    key("checkpoint", "every", c.checkpoint.every, 10, above(c.checkpoint.every, 0), "steps between checkpoints");
  }

  TrainConfig() {
    declare(*this, [](auto, auto, auto& field, auto value, const Rule&, auto) { field = value; });
  }

  /// Applies a TOML document (`where` names it in errors): every key must be known and typed right.
  void apply_toml(const toml::table& t, const std::string& where) {
    // Unknown keys first, in the document's order; then one walk over the declarations reads each
    // key the document sets (a walk per key would cost keys x declarations).
    for (const auto& [section, node] : t) {
      const auto* tab = node.as_table();
      if (!tab) throw error("raif: " + where + ": '" + std::string(section.str()) + "' must be a [section]");
      for (const auto& [key, value] : *tab) {
        const std::string name = std::string(section.str()) + "." + std::string(key.str());
        if (!has_key(name)) throw error("raif: " + where + ": unknown key '" + name + "'" + suggest(name));
      }
    }
    declare(*this, [&](std::string_view section, std::string_view name, auto& field, auto, const Rule&, auto) {
      const toml::node* value = t[section][name].node();
      if (!value) return;
      const auto line = value->source().begin.line;
      read(field, *value,
           line ? fmt::format("{}:{}: key '{}.{}'", where, line, section, name)
                : fmt::format("{}: key '{}.{}'", where, section, name));
    });
  }
  /// Applies one `section.key=value` override (value in TOML syntax; bare words are strings).
  void apply_override(const std::string& kv) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) throw error("raif: --set '" + kv + "': expected section.key=value");
    const std::string name = kv.substr(0, eq), value = kv.substr(eq + 1);
    if (!has_key(name)) throw error("raif: --set: unknown key '" + name + "'" + suggest(name));
    toml::table doc;
    try {
      doc = toml::parse("v = " + value);
    } catch (const toml::parse_error&) {
      try {
        doc = toml::parse("v = " + show(value)); // a bare word: a string
      } catch (const toml::parse_error& e) { // not even as a string (invalid UTF-8)
        throw error("raif: --set " + name + ": " + std::string(e.description()));
      }
    }
    set(name, *doc.get("v"), "--set " + name);
  }
  /// Throws on the first value outside its bounds.
  void validate() const {
    declare(*this, [](auto section, auto name, const auto& field, auto, const Rule& rule, auto) {
      if (!rule.ok())
        throw error(fmt::format("raif: config key '{}.{}' = {}: must be {}", section, name, show(field), rule.text));
    });
  }
  /// The whole configuration as TOML, in declaration order, each key with its doc.
  std::string to_toml() const {
    std::string out, current;
    declare(*this, [&](std::string_view section, std::string_view name, const auto& field, auto, const Rule&,
                       std::string_view doc) {
      if (section != current) out += fmt::format("{}[{}]\n", current.empty() ? "" : "\n", section);
      current = section;
      out += fmt::format("{} = {}  # {}\n", name, show(field), doc);
    });
    return out;
  }
  /// The reference table of docs/config.md (Markdown), generated from the declarations.
  static std::string reference_table() {
    std::string out = "| key | type | default | bounds | what |\n| --- | --- | --- | --- | --- |\n";
    const TrainConfig defaults;
    declare(defaults, [&](auto section, auto name, const auto& field, auto, const Rule& rule, auto doc) {
      out += fmt::format("| `{}.{}` | {} | `{}` | {} | {} |\n", section, name, type_name(field), show(field),
                         cell(rule.text), cell(doc));
    });
    return out;
  }

  static TrainConfig from_file(const std::string& path) {
    TrainConfig c;
    toml::table t;
    try {
      t = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
      throw error(fmt::format("raif: {}:{}: {}", path, e.source().begin.line, e.description()));
    }
    c.apply_toml(t, path);
    return c;
  }

private:
  // ----- rules ------------------------------------------------------------------------------------
  static Rule any() { return {}; }
  static Rule stage() { return {"a name in its stage list"}; } // checked by the trainer's stage lists
  template <class T> static Rule above(const T& v, std::type_identity_t<T> lo) {
    return {"> " + show(lo), [&v, lo] { return v > lo; }};
  }
  template <class T> static Rule at_least(const T& v, std::type_identity_t<T> lo) {
    return {">= " + show(lo), [&v, lo] { return v >= lo; }};
  }
  static Rule unit(const double& v) {
    return {"in [0, 1)", [&v] { return v >= 0 && v < 1; }};
  }
  static Rule share(const double& v) {
    return {"in [0, 1]", [&v] { return v >= 0 && v <= 1; }};
  }
  static Rule non_empty(const std::string& v) {
    return {"non-empty", [&v] { return !v.empty(); }};
  }
  static Rule one_of(const std::string& v, std::vector<std::string> ok) {
    std::string text = "one of ";
    for (const auto& o : ok) text += (&o == &ok.front() ? "" : ", ") + o;
    return {text, [&v, ok] { return std::find(ok.begin(), ok.end(), v) != ok.end(); }};
  }
  static Rule device_name(const std::string& v) {
    return {"auto, cpu, cuda or cuda:N", [&v] {
              const std::string_view index = std::string_view(v).substr(std::min<std::size_t>(v.size(), 5));
              return v == "auto" || v == "cpu" || v == "cuda" ||
                     (v.starts_with("cuda:") && !index.empty() && index.size() <= 4 &&
                      std::all_of(index.begin(), index.end(), [](char d) { return d >= '0' && d <= '9'; }));
            }};
  }
  static Rule weights(const std::vector<double>& v) {
    return {"5 non-negative weights, not all 0", [&v] {
              double sum = 0;
              for (double w : v) sum += w < 0 ? -1e9 : w;
              return v.size() == 5 && sum > 0;
            }};
  }

  // ----- values -----------------------------------------------------------------------------------
  // A TOML basic string. Control characters must be escaped there (TOML 1.0), or config.toml, which
  // a resume reads back, would not parse: a multi-line data.system did exactly that (fuzz finding).
  static std::string show(const std::string& s) {
    std::string o = "\"";
    for (const char ch : s) {
      const auto u = static_cast<unsigned char>(ch);
      if (ch == '"' || ch == '\\') o += {'\\', ch};
      else if (ch == '\n') o += "\\n";
      else if (ch == '\t') o += "\\t";
      else if (ch == '\r') o += "\\r";
      else if (u < 0x20 || u == 0x7f) o += fmt::format("\\u{:04X}", u);
      else o += ch;
    }
    return o + "\"";
  }
  static std::string show(bool b) { return b ? "true" : "false"; }
  static std::string show(std::int64_t i) { return std::to_string(i); }
  static std::string show(int i) { return std::to_string(i); }
  static std::string show(double x) { // the shortest text that reads back exactly, always a TOML float
    auto s = fmt::format("{}", x);
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
    return s;
  }
  static std::string show(const std::vector<double>& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + show(v[i]);
    return s + "]";
  }
  static std::string cell(std::string_view s) { // a Markdown table cell: '|' escaped
    std::string out;
    for (char ch : s) out += ch == '|' ? std::string("\\|") : std::string(1, ch);
    return out;
  }
  static std::string type_name(const std::string&) { return "string"; }
  static std::string type_name(bool) { return "bool"; }
  static std::string type_name(std::int64_t) { return "integer"; }
  static std::string type_name(double) { return "float"; }
  static std::string type_name(const std::vector<double>&) { return "array of floats"; }

  static void read(std::string& p, const toml::node& v, const std::string& at) {
    if (!v.is_string()) throw bad(v, at, "a string");
    p = v.as_string()->get();
  }
  static void read(bool& p, const toml::node& v, const std::string& at) {
    if (!v.is_boolean()) throw bad(v, at, "true or false");
    p = v.as_boolean()->get();
  }
  static void read(std::int64_t& p, const toml::node& v, const std::string& at) {
    if (!v.is_integer()) throw bad(v, at, "an integer");
    p = v.as_integer()->get();
  }
  static void read(double& p, const toml::node& v, const std::string& at) {
    if (v.is_integer())
      p = static_cast<double>(v.as_integer()->get());
    else if (v.is_floating_point())
      p = v.as_floating_point()->get();
    else
      throw bad(v, at, "a number");
  }
  static void read(std::vector<double>& p, const toml::node& v, const std::string& at) {
    if (!v.is_array()) throw bad(v, at, "an array of numbers");
    std::vector<double> out;
    for (const auto& x : *v.as_array()) {
      if (!x.is_number()) throw bad(v, at, "an array of numbers");
      read(out.emplace_back(), x, at);
    }
    p = std::move(out);
  }
  static error bad(const toml::node& v, const std::string& at, const char* want) {
    std::ostringstream o;
    v.visit([&](const auto& x) { o << x; });
    return error("raif: " + at + ": expected " + want + ", got " + o.str());
  }

  static bool same_key(std::string_view full, std::string_view section, std::string_view key) {
    return full.size() == section.size() + 1 + key.size() && full.starts_with(section) &&
           full[section.size()] == '.' && full.ends_with(key);
  }
  /// Every "section.key", in declaration order (collected once).
  static const std::vector<std::string>& key_names() {
    static const std::vector<std::string> names = [] {
      std::vector<std::string> out;
      const TrainConfig defaults;
      declare(defaults, [&](auto section, auto key, const auto&, auto, const Rule&, auto) {
        out.push_back(fmt::format("{}.{}", section, key));
      });
      return out;
    }();
    return names;
  }
  static bool has_key(std::string_view name) { return std::ranges::find(key_names(), name) != key_names().end(); }
  /// Reads `v` into the key `name` ("section.key"); false when there is no such key.
  bool set(std::string_view name, const toml::node& v, const std::string& at) {
    bool found = false;
    declare(*this, [&](auto section, auto key, auto& field, auto, const Rule&, auto) {
      if (found || !same_key(name, section, key)) return;
      read(field, v, at);
      found = true;
    });
    return found;
  }
  static std::string suggest(const std::string& name) {
    const auto key = name.substr(name.find('.') + 1);
    for (const auto& known : key_names())
      if (std::string_view(known).substr(known.find('.') + 1) == key) return " (did you mean '" + known + "'?)";
    return "";
  }
};

} // namespace raif
