#pragma once
/// @file
/// TrainConfig: every hyper-parameter of the reference trainer, with documented defaults (the
/// paper's where they apply: G = 8, 1/4 forced no-reasoning, clip 0.2, k3 KL 1e-3, BC coef 1,
/// temperature 1, top-p 1), read from TOML and `--set section.key=value` overrides. Unknown keys,
/// wrong types and impossible values are errors naming the file, the key and the value, raised
/// before any work starts.

#include <raif/error.hpp>

#include <toml++/toml.h>

#include <cstdint>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

namespace raif {

struct TrainConfig {
  struct Run {
    std::int64_t seed = 1;
    std::string out_dir = "runs/default";
    std::string device = "auto"; ///< auto | cpu | cuda
    std::int64_t threads = 0;    ///< LibTorch and reward threads (0: all cores)
    std::int64_t stop_after = 0; ///< stop (checkpointed, resumable) after this many GRPO steps; 0: never
  } run;
  struct Data {
    std::int64_t items = 2400; ///< composer candidates (items failing their own spec are dropped)
    double heldout_fraction = 0.15;
    std::string split_by = "seed_task"; ///< seed_task | composition | both
    std::string train_jsonl;            ///< use these items instead of composing (optional)
    std::string heldout_jsonl;
    std::vector<double> composition_weights{1, 3, 2, 2, 1}; ///< single, and, chain, select, nested
    std::string trace = "expert";                           ///< warm-start reasoning: expert | shallow | none (I/O)
    std::string system = "Think in <think></think>, then answer in <answer></answer>.";
  } data;
  struct Tokenizer {
    std::int64_t vocab_size = 512;
  } tokenizer;
  struct Model {
    std::int64_t hidden_size = 128, layers = 3, heads = 4, kv_heads = 2, intermediate_size = 352;
    std::int64_t max_len = 512;
    double rope_theta = 10000;
    std::string dtype = "auto"; ///< auto (bf16 on CUDA, fp32 on CPU) | float32 | bfloat16 | float16
  } model;
  struct WarmStart {
    std::int64_t steps = 300, batch_size = 16;
    double lr = 3e-3, weight_decay = 0.0;
    std::int64_t warmup = 20;
    double direct_fraction = 0.25; ///< expert examples answered directly (empty think), so that forced
                                   ///< no-reasoning samples are answers, not format failures
  } warmstart;
  struct Grpo {
    std::int64_t steps = 60, prompts_per_step = 16, group_size = 8;
    double no_think_fraction = 0.25;
    bool superior_cot = true;
    bool all_equal_clause = false;
    double temperature = 1.0, top_p = 1.0;
    std::int64_t top_k = 0, max_new_tokens = 160;
    double lr = 1e-3, weight_decay = 0.01,
           grad_clip = 1.0; ///< (the paper: 1e-6 for a 7B model; a 3-layer model from scratch needs more)
    std::int64_t warmup = 5, updates_per_rollout = 2, micro_batch = 32;
    double clip_eps = 0.2, clip_eps_high = 0.2, kl_coef = 1e-3, bc_coef = 1.0;
    std::int64_t bc_batch = 8;
    std::string loss_aggregation =
        "seq_mean_token_mean";   ///< token_mean | seq_mean_token_mean | seq_mean_token_sum | seq_mean_token_sum_norm
    std::string policy = "raif"; ///< answer-reward policy (policy_from_name)
  } grpo;
  struct Eval {
    std::int64_t items = 400, max_new_tokens = 160, batch_size = 64; ///< held-out items evaluated (at most)
  } eval;
  struct Checkpoint {
    std::int64_t every = 10;
  } checkpoint;

  using Field = std::variant<std::int64_t*, double*, bool*, std::string*, std::vector<double>*>;
  struct Entry {
    Field field;
    std::function<std::string()> check; ///< empty string: valid; else why not
  };

  /// Every key, "section.name" -> field and its validity rule.
  std::map<std::string, Entry> fields() {
    auto pos = [](std::int64_t* v) { return [v] { return *v > 0 ? "" : std::string("must be > 0"); }; };
    auto nonneg = [](std::int64_t* v) { return [v] { return *v >= 0 ? "" : std::string("must be >= 0"); }; };
    auto posd = [](double* v) { return [v] { return *v > 0 ? "" : std::string("must be > 0"); }; };
    auto nonnegd = [](double* v) { return [v] { return *v >= 0 ? "" : std::string("must be >= 0"); }; };
    auto unit = [](double* v) { return [v] { return *v >= 0 && *v < 1 ? "" : std::string("must be in [0, 1)"); }; };
    auto one_of = [](std::string* v, std::vector<std::string> ok) {
      return [v, ok] {
        for (const auto& o : ok)
          if (*v == o) return std::string();
        std::string s = "must be one of";
        for (const auto& o : ok) s += " " + o;
        return s;
      };
    };
    auto any = [] { return std::string(); };
    return {
        {"run.seed", {&run.seed, any}},
        {"run.out_dir", {&run.out_dir, [this] { return run.out_dir.empty() ? "must not be empty" : ""; }}},
        {"run.device", {&run.device, one_of(&run.device, {"auto", "cpu", "cuda"})}},
        {"run.threads", {&run.threads, nonneg(&run.threads)}},
        {"run.stop_after", {&run.stop_after, nonneg(&run.stop_after)}},
        {"data.items", {&data.items, pos(&data.items)}},
        {"data.heldout_fraction", {&data.heldout_fraction, unit(&data.heldout_fraction)}},
        {"data.split_by", {&data.split_by, one_of(&data.split_by, {"seed_task", "composition", "both"})}},
        {"data.train_jsonl", {&data.train_jsonl, any}},
        {"data.heldout_jsonl", {&data.heldout_jsonl, any}},
        {"data.composition_weights",
         {&data.composition_weights,
          [this] {
            double s = 0;
            for (double w : data.composition_weights) s += w < 0 ? -1e9 : w;
            return data.composition_weights.size() == 5 && s > 0 ? "" : "must be 5 non-negative weights, not all 0";
          }}},
        {"data.trace", {&data.trace, one_of(&data.trace, {"expert", "shallow", "none"})}},
        {"data.system", {&data.system, any}},
        {"tokenizer.vocab_size",
         {&tokenizer.vocab_size,
          [this] { return tokenizer.vocab_size >= 300 ? "" : "must be >= 300 (256 bytes + specials)"; }}},
        {"model.hidden_size", {&model.hidden_size, pos(&model.hidden_size)}},
        {"model.layers", {&model.layers, pos(&model.layers)}},
        {"model.heads",
         {&model.heads,
          [this] {
            return model.heads > 0 && model.hidden_size % model.heads == 0 ? "" : "must divide model.hidden_size";
          }}},
        {"model.kv_heads",
         {&model.kv_heads,
          [this] { return model.kv_heads > 0 && model.heads % model.kv_heads == 0 ? "" : "must divide model.heads"; }}},
        {"model.intermediate_size", {&model.intermediate_size, pos(&model.intermediate_size)}},
        {"model.max_len", {&model.max_len, pos(&model.max_len)}},
        {"model.rope_theta", {&model.rope_theta, posd(&model.rope_theta)}},
        {"model.dtype", {&model.dtype, one_of(&model.dtype, {"auto", "float32", "bfloat16", "float16"})}},
        {"warmstart.steps", {&warmstart.steps, nonneg(&warmstart.steps)}},
        {"warmstart.batch_size", {&warmstart.batch_size, pos(&warmstart.batch_size)}},
        {"warmstart.lr", {&warmstart.lr, posd(&warmstart.lr)}},
        {"warmstart.weight_decay", {&warmstart.weight_decay, nonnegd(&warmstart.weight_decay)}},
        {"warmstart.warmup", {&warmstart.warmup, nonneg(&warmstart.warmup)}},
        {"warmstart.direct_fraction", {&warmstart.direct_fraction, unit(&warmstart.direct_fraction)}},
        {"grpo.steps", {&grpo.steps, nonneg(&grpo.steps)}},
        {"grpo.prompts_per_step", {&grpo.prompts_per_step, pos(&grpo.prompts_per_step)}},
        {"grpo.group_size", {&grpo.group_size, [this] { return grpo.group_size >= 2 ? "" : "must be >= 2"; }}},
        {"grpo.no_think_fraction", {&grpo.no_think_fraction, unit(&grpo.no_think_fraction)}},
        {"grpo.superior_cot", {&grpo.superior_cot, any}},
        {"grpo.all_equal_clause", {&grpo.all_equal_clause, any}},
        {"grpo.temperature", {&grpo.temperature, posd(&grpo.temperature)}},
        {"grpo.top_p", {&grpo.top_p, [this] { return grpo.top_p > 0 && grpo.top_p <= 1 ? "" : "must be in (0, 1]"; }}},
        {"grpo.top_k", {&grpo.top_k, nonneg(&grpo.top_k)}},
        {"grpo.max_new_tokens", {&grpo.max_new_tokens, pos(&grpo.max_new_tokens)}},
        {"grpo.lr", {&grpo.lr, posd(&grpo.lr)}},
        {"grpo.weight_decay", {&grpo.weight_decay, nonnegd(&grpo.weight_decay)}},
        {"grpo.grad_clip", {&grpo.grad_clip, posd(&grpo.grad_clip)}},
        {"grpo.warmup", {&grpo.warmup, nonneg(&grpo.warmup)}},
        {"grpo.updates_per_rollout", {&grpo.updates_per_rollout, pos(&grpo.updates_per_rollout)}},
        {"grpo.micro_batch", {&grpo.micro_batch, pos(&grpo.micro_batch)}},
        {"grpo.clip_eps", {&grpo.clip_eps, posd(&grpo.clip_eps)}},
        {"grpo.clip_eps_high", {&grpo.clip_eps_high, posd(&grpo.clip_eps_high)}},
        {"grpo.kl_coef", {&grpo.kl_coef, nonnegd(&grpo.kl_coef)}},
        {"grpo.bc_coef", {&grpo.bc_coef, nonnegd(&grpo.bc_coef)}},
        {"grpo.bc_batch", {&grpo.bc_batch, pos(&grpo.bc_batch)}},
        {"grpo.loss_aggregation",
         {&grpo.loss_aggregation, one_of(&grpo.loss_aggregation, {"token_mean", "seq_mean_token_mean",
                                                                  "seq_mean_token_sum", "seq_mean_token_sum_norm"})}},
        {"grpo.policy", {&grpo.policy, one_of(&grpo.policy, {"raif", "fraction", "all_or_nothing"})}},
        {"eval.items", {&eval.items, pos(&eval.items)}},
        {"eval.max_new_tokens", {&eval.max_new_tokens, pos(&eval.max_new_tokens)}},
        {"eval.batch_size", {&eval.batch_size, pos(&eval.batch_size)}},
        {"checkpoint.every", {&checkpoint.every, pos(&checkpoint.every)}},
    };
  }

  /// Applies a TOML document (`where` names it in errors): every key must be known and typed right.
  void apply_toml(const toml::table& t, const std::string& where) {
    auto f = fields();
    for (const auto& [section, node] : t) {
      const auto* tab = node.as_table();
      if (!tab) throw error("raif: " + where + ": '" + std::string(section.str()) + "' must be a [section]");
      for (const auto& [key, value] : *tab) {
        const std::string name = std::string(section.str()) + "." + std::string(key.str());
        auto it = f.find(name);
        if (it == f.end()) throw error("raif: " + where + ": unknown key '" + name + "'" + suggest(name, f));
        const auto line = value.source().begin.line;
        const std::string at = where + (line ? ":" + std::to_string(line) : "") + ": key '" + name + "'";
        set_node(it->second.field, value, at);
      }
    }
  }
  /// Applies one `section.key=value` override (value in TOML syntax; bare words are strings).
  void apply_override(const std::string& kv) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) throw error("raif: --set '" + kv + "': expected section.key=value");
    const std::string name = kv.substr(0, eq), value = kv.substr(eq + 1);
    auto f = fields();
    auto it = f.find(name);
    if (it == f.end()) throw error("raif: --set: unknown key '" + name + "'" + suggest(name, f));
    toml::table doc;
    try {
      doc = toml::parse("v = " + value);
    } catch (const toml::parse_error&) {
      doc = toml::parse("v = " + toml_quote(value)); // a bare word: a string
    }
    set_node(it->second.field, *doc.get("v"), "--set " + name);
  }
  /// Throws on the first impossible value.
  void validate() {
    for (auto& [name, e] : fields())
      if (auto why = e.check(); !why.empty())
        throw error("raif: config key '" + name + "' = " + show(e.field) + ": " + why);
    if (grpo.superior_cot && grpo.no_think_fraction > 0 &&
        static_cast<std::int64_t>(grpo.group_size * grpo.no_think_fraction + 0.5) == 0)
      throw error("raif: config: grpo.group_size " + std::to_string(grpo.group_size) +
                  " × no_think_fraction leaves no forced no-reasoning sample");
  }
  /// The whole configuration as TOML (written into the run directory).
  std::string to_toml() {
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> by_section;
    for (auto& [name, e] : fields())
      by_section[name.substr(0, name.find('.'))].emplace_back(name.substr(name.find('.') + 1), show(e.field));
    std::string s;
    for (const auto& [sec, kvs] : by_section) {
      s += "[" + sec + "]\n";
      for (const auto& [k, v] : kvs) s += k + " = " + v + "\n";
      s += "\n";
    }
    return s;
  }

  static TrainConfig from_file(const std::string& path) {
    TrainConfig c;
    toml::table t;
    try {
      t = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
      std::ostringstream o;
      o << "raif: " << path << ":" << e.source().begin.line << ": " << e.description();
      throw error(o.str());
    }
    c.apply_toml(t, path);
    return c;
  }

private:
  static std::string toml_quote(const std::string& s) {
    std::string o = "\"";
    for (char ch : s) {
      if (ch == '"' || ch == '\\') o += '\\';
      o += ch;
    }
    return o + "\"";
  }
  static std::string show(const Field& f) {
    return std::visit(
        [](auto* p) -> std::string {
          using T = std::remove_pointer_t<decltype(p)>;
          if constexpr (std::is_same_v<T, std::string>)
            return toml_quote(*p);
          else if constexpr (std::is_same_v<T, bool>)
            return *p ? "true" : "false";
          else if constexpr (std::is_same_v<T, double>) {
            std::string s;
            for (int prec = 1; prec <= 17; ++prec) { // the shortest text that reads back exactly
              std::ostringstream o;
              o.precision(prec);
              o << *p;
              s = o.str();
              if (std::stod(s) == *p) break;
            }
            if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
            return s;
          } else if constexpr (std::is_same_v<T, std::int64_t>)
            return std::to_string(*p);
          else {
            std::string s = "[";
            for (std::size_t i = 0; i < p->size(); ++i) s += (i ? ", " : "") + show(Field(&(*p)[i]));
            return s + "]";
          }
        },
        f);
  }
  static void set_node(const Field& f, const toml::node& v, const std::string& at) {
    std::visit(
        [&](auto* p) {
          using T = std::remove_pointer_t<decltype(p)>;
          auto bad = [&](const char* want) {
            std::ostringstream o;
            v.visit([&](const auto& x) { o << x; });
            return error("raif: " + at + ": expected " + want + ", got " + o.str());
          };
          if constexpr (std::is_same_v<T, std::int64_t>) {
            if (!v.is_integer()) throw bad("an integer");
            *p = v.as_integer()->get();
          } else if constexpr (std::is_same_v<T, double>) {
            if (v.is_integer())
              *p = static_cast<double>(v.as_integer()->get());
            else if (v.is_floating_point())
              *p = v.as_floating_point()->get();
            else
              throw bad("a number");
          } else if constexpr (std::is_same_v<T, bool>) {
            if (!v.is_boolean()) throw bad("true or false");
            *p = v.as_boolean()->get();
          } else if constexpr (std::is_same_v<T, std::string>) {
            if (!v.is_string()) throw bad("a string");
            *p = v.as_string()->get();
          } else {
            if (!v.is_array()) throw bad("an array of numbers");
            p->clear();
            for (const auto& x : *v.as_array()) {
              if (x.is_integer())
                p->push_back(static_cast<double>(x.as_integer()->get()));
              else if (x.is_floating_point())
                p->push_back(x.as_floating_point()->get());
              else
                throw bad("an array of numbers");
            }
          }
        },
        f);
  }
  static std::string suggest(const std::string& name, const std::map<std::string, Entry>& f) {
    const auto key = name.substr(name.find('.') + 1);
    for (const auto& [k, e] : f)
      if (k.substr(k.find('.') + 1) == key) return " (did you mean '" + k + "'?)";
    return "";
  }
};

} // namespace raif
