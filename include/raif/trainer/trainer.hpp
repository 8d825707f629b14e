#pragma once
/// @file
/// The reference trainer: the whole RAIF pipeline of method.md on raif's templates.
///
///   1. data: compose items (or read the user's JSONL), split train / held-out; train the tokenizer;
///   2. warm start: behaviour cloning on expert traces (BehaviorCloning);
///   3. GRPO: G samples per prompt, 3/4 reasoning and 1/4 forced no-reasoning; RAIF reward
///      (FormatReward + AnswerReward over the composition); GroupNorm advantages; SuperiorCoT
///      selection; ClippedSurrogate + KLPenalty<K3> to the frozen warm-start model + BehaviorCloning
///      on an expert batch; AdamW with warm-up and gradient clipping;
///   4. evaluation of the warm-start and the final model on held-out items.
///
/// Everything random is derived from (seed, phase, step), so a run resumed from a checkpoint
/// produces the same metrics as one that never stopped. The run directory holds the config, data,
/// tokenizer, warm-start model, checkpoint, metrics.jsonl, evaluations and the report.

#include <raif/advantage/estimators.hpp>
#include <raif/advantage/selection.hpp>
#include <raif/compose/policy.hpp>
#include <raif/data/composer.hpp>
#include <raif/detail/json_file.hpp>
#include <raif/model/checkpoint.hpp>
#include <raif/objective/objective.hpp>
#include <raif/reward/batch.hpp>
#include <raif/reward/combinators.hpp>
#include <raif/rollout/generate.hpp>
#include <raif/rollout/logprobs.hpp>
#include <raif/tokenizer/bpe.hpp>
#include <raif/tokenizer/chat_template.hpp>
#include <raif/trainer/config.hpp>
#include <raif/trainer/evaluation.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numbers>
#include <numeric>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace raif {

/// What the trainer reports while it runs (the CLI draws a progress bar and prints the lines).
struct TrainerHooks {
  std::function<void(const std::string&)> log = [](const std::string&) {};
  std::function<void(const std::string& phase, std::int64_t step, std::int64_t total, double seconds)> progress =
      [](const std::string&, std::int64_t, std::int64_t, double) {};
};

/// The answer-reward policy chosen by name in the config.
struct NamedPolicy {
  AnyPolicy policy = RaifPiecewise{};
  double operator()(const Verdict& v) const { return aggregate(policy, v); }
};

/// The RAIF reward of one item: format + accuracy over its composition (paper Eq. 6).
using ItemReward = Sum<FormatReward, AnswerReward<AnyNode, NamedPolicy>>;

namespace detail::trainer {
inline std::uint64_t mix(std::uint64_t seed, std::string_view phase, std::int64_t step) {
  return detail::composer::stable_hash(std::string(phase) + ":" + std::to_string(step), seed);
}
inline LossAggregation aggregation(const std::string& s) {
  if (s == "token_mean") return LossAggregation::token_mean;
  if (s == "seq_mean_token_sum") return LossAggregation::seq_mean_token_sum;
  if (s == "seq_mean_token_sum_norm") return LossAggregation::seq_mean_token_sum_norm;
  return LossAggregation::seq_mean_token_mean;
}
} // namespace detail::trainer

class Trainer {
public:
  /// A new run in `cfg.run.out_dir` (which must not hold a run), or a resumed one (`resume`).
  Trainer(TrainConfig cfg, bool resume, TrainerHooks hooks = {})
      : cfg_(std::move(cfg)), dir_(cfg_.run.out_dir), resume_(resume), hooks_(std::move(hooks)) {
    cfg_.validate();
    if (!resume_ && std::filesystem::exists(dir_ / "state.json"))
      throw error("raif: " + dir_.string() + " already holds a run; resume it with --resume " + dir_.string() +
                  " or choose another run.out_dir");
    if (resume_ && !std::filesystem::exists(dir_ / "state.json"))
      throw error("raif: " + dir_.string() + " holds no resumable run (no state.json)");
  }

  /// Set from a signal handler: the trainer checkpoints after the current step and returns.
  std::atomic<bool>* stop_flag = nullptr;

  /// A reward term of your own, added to every GRPO sample's RAIF reward (its value to the reward,
  /// its components to the sample's); any `reward_term` converts. Superior-CoT still compares the
  /// accuracy component. Example: `trainer.extra_reward = Brevity{.per_char = 1e-3};`
  std::function<RewardResult(const Sample&)> extra_reward;

  /// Runs (or finishes) every stage. Returns false when it stopped early (Ctrl-C or run.stop_after).
  bool run() {
    std::filesystem::create_directories(dir_);
    const auto threads =
        cfg_.run.threads > 0 ? cfg_.run.threads : static_cast<std::int64_t>(std::thread::hardware_concurrency());
    torch::set_num_threads(static_cast<int>(threads));
    device_ = cfg_.run.device == "cpu"    ? torch::Device(torch::kCPU)
              : cfg_.run.device == "cuda" ? torch::Device(torch::kCUDA)
                                          : default_device();
    if (device_.is_cuda() && !torch::cuda::is_available())
      throw error("raif: run.device = cuda, but no CUDA device is available");
    hooks_.log(std::string("raif-train: device ") + (device_.is_cuda() ? "CUDA" : "CPU") + ", " +
               std::to_string(threads) + " threads, run directory " + dir_.string());
    if (!resume_) {
      detail::write_atomic(dir_ / "config.toml", cfg_.to_toml());
      state_ = {{"stage", "data"}, {"step", 0}};
      save_state();
    } else {
      state_ = detail::read_json_file(dir_ / "state.json");
      hooks_.log("raif-train: resuming at stage " + state_["stage"].get<std::string>() + ", step " +
                 std::to_string(state_["step"].get<std::int64_t>()));
    }
    prepare_data();
    prepare_tokenizer();
    if (stage() == "data") set_stage("warmstart", 0);
    if (stage() == "warmstart" && !warm_start()) return false;
    if (stage() == "grpo" && !grpo()) return false;
    if (stage() == "eval") final_eval();
    return true;
  }

  const std::vector<Item>& train_items() const { return train_; }
  const std::vector<Item>& heldout_items() const { return heldout_; }
  const std::filesystem::path& dir() const { return dir_; }
  nlohmann::json data_stats() const { return data_stats_; }

private:
  // ----- stages -----------------------------------------------------------------------------------
  void prepare_data() {
    if (std::filesystem::exists(dir_ / "train.jsonl")) {
      train_ = read_jsonl((dir_ / "train.jsonl").string());
      heldout_ = read_jsonl((dir_ / "heldout.jsonl").string());
      data_stats_ = detail::read_json_file(dir_ / "data.json");
    } else {
      std::size_t dropped = 0;
      nlohmann::json by_comp = nlohmann::json::object();
      if (!cfg_.data.train_jsonl.empty()) {
        train_ = read_jsonl(cfg_.data.train_jsonl);
        if (!cfg_.data.heldout_jsonl.empty())
          heldout_ = read_jsonl(cfg_.data.heldout_jsonl);
        else
          std::tie(train_, heldout_) = split(train_, {cfg_.data.heldout_fraction, seed(), cfg_.data.split_by});
      } else {
        Composer c{.seed = seed()};
        std::copy(cfg_.data.composition_weights.begin(), cfg_.data.composition_weights.end(),
                  c.options.composition_weights.begin());
        auto set = c.generate(static_cast<std::size_t>(cfg_.data.items));
        dropped = set.dropped;
        for (const auto& [k, v] : set.dropped_by_composition) by_comp[k] = v;
        std::tie(train_, heldout_) = split(set.items, {cfg_.data.heldout_fraction, seed(), cfg_.data.split_by});
      }
      for (const auto& it : train_)
        if (it.expert_answer.empty())
          throw error("raif: training item '" + it.id + "' has no expert_answer (behaviour cloning needs one)");
      if (train_.empty() || heldout_.empty()) throw error("raif: the data split left no training or no held-out items");
      data_stats_ = {{"train", train_.size()},
                     {"heldout", heldout_.size()},
                     {"dropped", dropped},
                     {"dropped_by_composition", by_comp}};
      write_jsonl((dir_ / "train.jsonl").string(), train_);
      write_jsonl((dir_ / "heldout.jsonl").string(), heldout_);
      detail::write_atomic(dir_ / "data.json", data_stats_.dump(2));
      hooks_.log("data: " + std::to_string(train_.size()) + " train, " + std::to_string(heldout_.size()) +
                 " held-out, " + std::to_string(dropped) + " dropped (expert failed its own spec)");
    }
    for (const auto& it : train_) train_nodes_.push_back(compile(it.spec));
    if (heldout_.size() > static_cast<std::size_t>(cfg_.eval.items))
      heldout_.resize(static_cast<std::size_t>(cfg_.eval.items));
  }

  void prepare_tokenizer() {
    const auto path = dir_ / "tokenizer.json";
    if (std::filesystem::exists(path)) {
      tok_ = BpeTokenizer::load(path.string());
    } else {
      std::vector<std::string> corpus = {cfg_.data.system};
      for (const auto& it : train_) {
        corpus.push_back(it.instruction);
        corpus.push_back(it.expert_response(false));
        corpus.push_back(it.expert_response(true));
      }
      tok_ = BpeTokenizer::train(corpus, {.vocab_size = static_cast<std::size_t>(cfg_.tokenizer.vocab_size),
                                          .special_tokens = chat_special_tokens()});
      tok_.save(path.string());
      hooks_.log("tokenizer: " + std::to_string(tok_.vocab_size()) + " tokens, " + std::to_string(tok_.merges()) +
                 " merges");
    }
    eos_ = {tok_.token_id("<|im_end|>"), tok_.token_id("<|endoftext|>")};
    pad_ = tok_.token_id("<|pad|>");
    // Every prompt and expert response must fit the model's context: checked now, not mid-run.
    const ChatML chat;
    std::size_t longest = 0;
    std::string which;
    for (const auto* set : {&train_, &heldout_})
      for (const auto& it : *set) {
        const auto n = tok_.encode(chat.prompt(cfg_.data.system, it.instruction, true)).size();
        if (n > longest) longest = n, which = it.id;
      }
    const auto need = static_cast<std::int64_t>(longest) + std::max(cfg_.grpo.max_new_tokens, cfg_.eval.max_new_tokens);
    if (need > cfg_.model.max_len)
      throw error("raif: config: model.max_len " + std::to_string(cfg_.model.max_len) + " is too short: item '" +
                  which + "' has a " + std::to_string(longest) + "-token prompt, plus max_new_tokens needs " +
                  std::to_string(need));
  }

  Qwen2Config model_config() const {
    Qwen2Config c{.vocab_size = static_cast<std::int64_t>(tok_.vocab_size()),
                  .hidden_size = cfg_.model.hidden_size,
                  .intermediate_size = cfg_.model.intermediate_size,
                  .num_hidden_layers = cfg_.model.layers,
                  .num_attention_heads = cfg_.model.heads,
                  .num_key_value_heads = cfg_.model.kv_heads,
                  .max_position_embeddings = cfg_.model.max_len,
                  .rope_theta = cfg_.model.rope_theta,
                  .tie_word_embeddings = true};
    c.torch_dtype = cfg_.model.dtype != "auto" ? cfg_.model.dtype : device_.is_cuda() ? "bfloat16" : "float32";
    return c;
  }

  // The supervised target of an item: its response with the configured trace, closed by <|im_end|>.
  // `direct`: the answer without reasoning, after the pre-filled empty think block (the prompt
  // then ends like a forced no-reasoning prompt).
  std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>> expert_pair(const Item& it, bool direct) const {
    const ChatML chat;
    direct = direct || cfg_.data.trace == "none";
    const std::string response =
        direct ? "<answer>\n" + it.expert_answer + "\n</answer>" : it.expert_response(cfg_.data.trace == "shallow");
    auto completion = tok_.encode(response);
    completion.push_back(eos_[0]);
    return {tok_.encode(chat.prompt(cfg_.data.system, it.instruction, direct)), completion};
  }
  // Log-probs of a behaviour-cloning batch of `n` expert items drawn for (phase, step).
  PolicyBatch expert_batch(std::string_view phase, std::int64_t step, std::int64_t n) {
    std::mt19937_64 rng(detail::trainer::mix(seed(), phase, step));
    std::vector<std::vector<std::int64_t>> prompts, comps;
    std::bernoulli_distribution direct(cfg_.warmstart.direct_fraction);
    for (std::int64_t i = 0; i < n; ++i) {
      const auto& it = train_[rng() % train_.size()];
      auto [p, c] = expert_pair(it, direct(rng));
      prompts.push_back(std::move(p));
      comps.push_back(std::move(c));
    }
    const auto b = make_token_batch(prompts, comps, device_, pad_);
    PolicyBatch pb;
    pb.expert_logp = policy_->token_logprobs(b.ids, b.mask, b.targets);
    pb.expert_mask = b.loss_mask;
    return pb;
  }

  double lr_at(double base, std::int64_t step, std::int64_t warmup, std::int64_t total) const {
    if (step < warmup) return base * static_cast<double>(step + 1) / static_cast<double>(warmup);
    const double t = total > warmup ? static_cast<double>(step - warmup) / static_cast<double>(total - warmup) : 1.0;
    return base * (0.1 + 0.9 * 0.5 * (1 + std::cos(std::numbers::pi * std::min(1.0, t)))); // cosine to 10%
  }
  void set_lr(double lr) {
    for (auto& g : opt_->param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
  }
  void make_optimizer(double lr, double wd) {
    opt_ =
        std::make_unique<torch::optim::AdamW>(policy_->parameters(), torch::optim::AdamWOptions(lr).weight_decay(wd));
  }

  bool warm_start() {
    const auto total = cfg_.warmstart.steps;
    std::int64_t step = state_["step"];
    if (step == 0) {
      torch::manual_seed(seed());
      policy_ = Qwen2(model_config());
      policy_->to(device_);
      make_optimizer(cfg_.warmstart.lr, cfg_.warmstart.weight_decay);
    } else {
      load_checkpoint(cfg_.warmstart.lr, cfg_.warmstart.weight_decay);
    }
    const auto bc = objective(BehaviorCloning{.coef = 1.0}, LossAggregation::token_mean);
    for (; step < total; ++step) {
      if (stopping()) return interrupt("warmstart", step);
      const auto t0 = std::chrono::steady_clock::now();
      const double lr = lr_at(cfg_.warmstart.lr, step, cfg_.warmstart.warmup, total);
      set_lr(lr);
      policy_->train();
      opt_->zero_grad();
      auto pb = expert_batch("warmstart", step, cfg_.warmstart.batch_size);
      const auto tokens = pb.expert_mask.sum().item<double>();
      auto out = bc(pb);
      out.loss.backward();
      torch::nn::utils::clip_grad_norm_(policy_->parameters(), 1.0);
      opt_->step();
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      nlohmann::json m = {{"phase", "warmstart"},           {"step", step + 1},
                          {"nll", out.loss.item<double>()}, {"lr", lr},
                          {"tokens_per_s", tokens / secs},  {"seconds", secs}};
      append_metrics(m);
      hooks_.progress("warmstart", step + 1, total, secs);
      if ((step + 1) % cfg_.checkpoint.every == 0 && step + 1 < total) save_checkpoint("warmstart", step + 1);
    }
    save_pretrained(policy_, (dir_ / "warmstart").string());
    evaluate(policy_, "warmstart", "warm start");
    set_stage("grpo", 0);
    opt_.reset();
    return true;
  }

  bool grpo() {
    const auto& g = cfg_.grpo;
    const auto total = g.steps;
    std::int64_t step = state_["step"];
    ref_ = load_pretrained((dir_ / "warmstart").string(), device_);
    ref_->eval();
    for (auto& p : ref_->parameters()) p.set_requires_grad(false);
    if (step == 0) {
      policy_ = load_pretrained((dir_ / "warmstart").string(), device_);
      make_optimizer(g.lr, g.weight_decay);
    } else {
      load_checkpoint(g.lr, g.weight_decay);
    }
    const auto agg = detail::trainer::aggregation(g.loss_aggregation);
    const auto rl = objective(ClippedSurrogate{.eps_low = g.clip_eps, .eps_high = g.clip_eps_high},
                              KLPenalty<K3>{.coef = g.kl_coef}, agg);
    const auto bc = objective(BehaviorCloning{.coef = g.bc_coef}, agg);
    const NamedPolicy policy{policy_from_name(g.policy)};
    const ChatML chat;
    const std::int64_t G = g.group_size;
    const std::int64_t no_think = g.superior_cot ? static_cast<std::int64_t>(G * g.no_think_fraction + 0.5) : 0;
    for (; step < total; ++step) {
      if (stopping() || (cfg_.run.stop_after > 0 && step >= cfg_.run.stop_after)) return interrupt("grpo", step);
      const auto t0 = std::chrono::steady_clock::now();
      const double lr = lr_at(g.lr, step, g.warmup, total);
      set_lr(lr);
      // 1. rollout: P prompts × G samples, the last `no_think` of each group forced to skip reasoning
      std::mt19937_64 rng(detail::trainer::mix(seed(), "grpo", step));
      std::vector<std::size_t> items;
      for (std::int64_t p = 0; p < g.prompts_per_step; ++p) items.push_back(rng() % train_.size());
      std::vector<std::vector<std::int64_t>> prompts;
      std::vector<bool> reasoning;
      for (auto i : items)
        for (std::int64_t k = 0; k < G; ++k) {
          const bool nt = k >= G - no_think;
          prompts.push_back(tok_.encode(chat.prompt(cfg_.data.system, train_[i].instruction, nt)));
          reasoning.push_back(!nt);
        }
      policy_->eval();
      const SamplingParams sp{.temperature = g.temperature,
                              .top_p = g.top_p,
                              .top_k = g.top_k,
                              .max_new_tokens = g.max_new_tokens,
                              .eos_ids = eos_,
                              .seed = detail::trainer::mix(seed(), "sample", step)};
      const auto comps = generate(policy_, prompts, sp, &tok_, pad_);
      // 2. rewards
      std::vector<std::string> responses(comps.size());
      std::vector<Sample> samples;
      for (std::size_t s = 0; s < comps.size(); ++s)
        responses[s] = (reasoning[s] ? "" : chat.no_think_prefill) + comps[s].text;
      for (std::size_t s = 0; s < comps.size(); ++s) {
        const auto& it = train_[items[s / static_cast<std::size_t>(G)]];
        samples.push_back({.prompt = it.instruction, .response = responses[s], .context = &it.context});
      }
      std::vector<RewardResult> rewards(samples.size());
      detail::parallel_for(samples.size(), static_cast<unsigned>(cfg_.run.threads), [&](std::size_t s) {
        const ItemReward r{FormatReward{}, AnswerReward<AnyNode, NamedPolicy>{
                                               .spec = train_nodes_[items[s / static_cast<std::size_t>(G)]],
                                               .policy = policy,
                                               .detail = Detail::scores}};
        rewards[s] = r(samples[s]);
        if (extra_reward) {
          auto e = extra_reward(samples[s]);
          rewards[s].value += e.value;
          detail::merge_components(rewards[s], std::move(e));
        }
      });
      Eigen::ArrayXd R(static_cast<Eigen::Index>(samples.size())), acc(static_cast<Eigen::Index>(samples.size()));
      for (std::size_t s = 0; s < samples.size(); ++s) {
        R[static_cast<Eigen::Index>(s)] = rewards[s].value;
        acc[static_cast<Eigen::Index>(s)] = rewards[s].component("accuracy");
      }
      // 3. advantages over all G samples, then the superior-CoT selection on the accuracy reward
      const auto groups = Groups::contiguous(samples.size(), static_cast<std::size_t>(G));
      const Eigen::ArrayXd A = GroupNorm{}(R, groups);
      Selection sel;
      if (g.superior_cot)
        sel = SuperiorCoT{.all_equal_clause = g.all_equal_clause}(acc, reasoning, groups);
      else {
        sel.keep.assign(samples.size(), true);
        sel.kept = samples.size();
        sel.dropped_group.assign(groups.members.size(), false);
      }
      std::vector<std::size_t> kept;
      for (std::size_t s = 0; s < samples.size(); ++s)
        if (sel.keep[s]) kept.push_back(s); // the others leave the loss and its denominator
      // 4. policy update(s) on the kept samples, with the KL to the warm-start model and the BC term
      nlohmann::json m = {{"phase", "grpo"}, {"step", step + 1}, {"lr", lr}};
      double pg_loss = 0, kl = 0, clip = 0, nll = 0, tokens = 0;
      int updates = 0;
      policy_->train();
      std::vector<std::vector<std::size_t>> minibatches(static_cast<std::size_t>(g.updates_per_rollout));
      for (std::size_t k = 0; k < kept.size(); ++k) minibatches[k % minibatches.size()].push_back(kept[k]);
      for (const auto& mb : minibatches) {
        opt_->zero_grad();
        double rows_total = static_cast<double>(mb.size());
        for (std::size_t s0 = 0; s0 < mb.size(); s0 += static_cast<std::size_t>(g.micro_batch)) {
          std::vector<std::vector<std::int64_t>> ps, cs;
          std::vector<double> adv;
          std::vector<std::vector<float>> old;
          for (std::size_t k = s0; k < std::min(mb.size(), s0 + static_cast<std::size_t>(g.micro_batch)); ++k) {
            ps.push_back(prompts[mb[k]]);
            cs.push_back(comps[mb[k]].tokens);
            adv.push_back(A[static_cast<Eigen::Index>(mb[k])]);
            old.push_back(comps[mb[k]].logprobs);
          }
          const auto b = make_token_batch(ps, cs, device_, pad_);
          PolicyBatch pb;
          pb.mask = b.loss_mask;
          pb.logp = policy_->token_logprobs(b.ids, b.mask, b.targets, g.temperature);
          pb.ref_logp = batch_logprobs(ref_, b, g.micro_batch, g.temperature);
          pb.old_logp = torch::zeros_like(pb.logp);
          for (std::size_t r = 0; r < ps.size(); ++r) // the sampling log-probs in the batch frame
            pb.old_logp[static_cast<std::int64_t>(r)]
                .narrow(0, static_cast<std::int64_t>(ps[r].size()) - 1, static_cast<std::int64_t>(old[r].size()))
                .copy_(torch::tensor(old[r]).to(device_));
          pb.advantages = torch::tensor(adv, torch::kFloat32).to(device_).view({-1, 1}).expand_as(pb.logp);
          pb.aggregation.num_sequences = rows_total;
          pb.aggregation.num_tokens = std::nullopt;
          auto out = rl(pb);
          out.loss.backward();
          tokens += b.loss_mask.sum().item<double>();
          const double w = static_cast<double>(ps.size()) / static_cast<double>(kept.size());
          pg_loss +=
              metric(out, "pg/loss") / static_cast<double>(minibatches.size()); // a share of its mini-batch's mean
          kl += metric(out, "kl/kl") * w;
          clip += metric(out, "pg/clip_fraction") * w;
        }
        if (g.bc_coef > 0) {
          auto out = bc(expert_batch("bc", step * 1000 + updates, g.bc_batch));
          out.loss.backward();
          nll += metric(out, "bc/nll") / static_cast<double>(minibatches.size());
        }
        torch::nn::utils::clip_grad_norm_(policy_->parameters(), g.grad_clip);
        opt_->step();
        ++updates;
      }
      // 5. metrics
      double fmt_ok = 0, strict = 0, racc = 0, nacc = 0, nr = 0, nn = 0, trunc = 0, gen_tokens = 0;
      for (std::size_t s = 0; s < samples.size(); ++s) {
        fmt_ok += rewards[s].component("format") > 0;
        strict += rewards[s].component("accuracy") >= 2.0;
        (reasoning[s] ? racc : nacc) += acc[static_cast<Eigen::Index>(s)];
        (reasoning[s] ? nr : nn) += 1;
        trunc += comps[s].finish == FinishReason::length;
        gen_tokens += static_cast<double>(comps[s].tokens.size());
      }
      const double n = static_cast<double>(samples.size());
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      m.update({{"reward", R.mean()},
                {"accuracy", acc.mean()},
                {"strict", strict / n},
                {"format", fmt_ok / n},
                {"accuracy_reasoning", nr ? racc / nr : 0.0},
                {"accuracy_no_reasoning", nn ? nacc / nn : 0.0},
                {"kl", kl},
                {"clip_fraction", clip},
                {"pg_loss", pg_loss},
                {"bc_nll", nll},
                {"keep_ratio", sel.keep_ratio()},
                {"trained_samples", kept.size()},
                {"dropped_groups", sel.groups_dropped},
                {"truncated", trunc / n},
                {"response_tokens", gen_tokens / n},
                {"tokens_per_s", (gen_tokens + tokens) / secs},
                {"seconds", secs}});
      append_metrics(m);
      hooks_.log(summary(m));
      hooks_.progress("grpo", step + 1, total, secs);
      if ((step + 1) % cfg_.checkpoint.every == 0 && step + 1 < total) save_checkpoint("grpo", step + 1);
    }
    save_pretrained(policy_, (dir_ / "final").string());
    set_stage("eval", 0);
    return true;
  }

  void final_eval() {
    if (!policy_) policy_ = load_pretrained((dir_ / "final").string(), device_);
    evaluate(policy_, "final", "final");
    set_stage("done", 0);
  }

  // Evaluates on the held-out items: eval_<name>.json, every response in responses_<name>.jsonl,
  // and a log line.
  void evaluate(Qwen2& m, const std::string& name, const std::string& label) {
    m->eval();
    std::vector<nlohmann::json> responses;
    const auto [r, n] = evaluate_policy(m, tok_, heldout_,
                                        {.system = cfg_.data.system,
                                         .max_new_tokens = cfg_.eval.max_new_tokens,
                                         .batch_size = cfg_.eval.batch_size,
                                         .threads = static_cast<unsigned>(cfg_.run.threads)},
                                        &responses);
    std::string lines;
    for (const auto& x : responses) lines += x.dump() + "\n";
    detail::write_atomic(dir_ / ("responses_" + name + ".jsonl"), lines);
    detail::write_atomic(dir_ / ("eval_" + name + ".json"),
                         nlohmann::json{{"reasoning", r.to_json()}, {"no_reasoning", n.to_json()}}.dump(2));
    hooks_.log(label + ": held-out prompt strict " + fmt(r.all.prompt_strict_acc()) + " (no reasoning " +
               fmt(n.all.prompt_strict_acc()) + "), format " + fmt(r.all.format_rate()));
  }

  // ----- state, checkpoints, metrics ---------------------------------------------------------------
  std::string stage() const { return state_["stage"]; }
  std::uint64_t seed() const { return static_cast<std::uint64_t>(cfg_.run.seed); }
  bool stopping() const { return stop_flag && stop_flag->load(); }
  void set_stage(const std::string& s, std::int64_t step) {
    state_ = {{"stage", s}, {"step", step}};
    save_state();
  }
  void save_state() { detail::write_atomic(dir_ / "state.json", state_.dump()); }
  bool interrupt(const std::string& phase, std::int64_t step) {
    save_checkpoint(phase, step);
    hooks_.log("raif-train: stopped at " + phase + " step " + std::to_string(step) + "; resume with --resume " +
               dir_.string());
    return false;
  }
  // Atomic: the checkpoint is written beside the old one and swapped in, then state.json points at it.
  void save_checkpoint(const std::string& phase, std::int64_t step) {
    const auto tmp = dir_ / "checkpoint.tmp", cur = dir_ / "checkpoint", old = dir_ / "checkpoint.old";
    std::filesystem::remove_all(tmp);
    save_pretrained(policy_, tmp.string());
    torch::serialize::OutputArchive a;
    opt_->save(a);
    a.save_to((tmp / "optimizer.pt").string());
    detail::write_atomic(tmp / "step.json", nlohmann::json{{"stage", phase}, {"step", step}}.dump());
    std::filesystem::remove_all(old);
    if (std::filesystem::exists(cur)) std::filesystem::rename(cur, old);
    std::filesystem::rename(tmp, cur);
    std::filesystem::remove_all(old);
    set_stage(phase, step);
  }
  void load_checkpoint(double lr, double wd) {
    const auto cur = dir_ / "checkpoint";
    const auto st = detail::read_json_file(cur / "step.json");
    if (st["stage"] != state_["stage"] || st["step"] != state_["step"])
      throw error("raif: " + cur.string() + " does not match state.json (" + st.dump() + " vs " + state_.dump() + ")");
    policy_ = load_pretrained(cur.string(), device_);
    make_optimizer(lr, wd);
    torch::serialize::InputArchive a;
    a.load_from((cur / "optimizer.pt").string(), device_);
    opt_->load(a);
    truncate_metrics(stage(), state_["step"]);
  }
  // Drops metric lines written after the checkpoint (a resumed run writes them again, identically).
  void truncate_metrics(const std::string& phase, std::int64_t step) {
    const auto p = dir_ / "metrics.jsonl";
    if (!std::filesystem::exists(p)) return;
    std::ifstream in(p);
    std::string kept, line;
    bool past = false;
    while (std::getline(in, line)) {
      const auto j = nlohmann::json::parse(line);
      if (j["phase"] == phase && j["step"].get<std::int64_t>() > step) past = true;
      if (!past) kept += line + "\n";
    }
    detail::write_atomic(p, kept);
  }
  void append_metrics(const nlohmann::json& m) {
    std::ofstream o(dir_ / "metrics.jsonl", std::ios::app);
    o << m.dump() << '\n';
  }
  static double metric(const ObjectiveOutput& o, std::string_view name) {
    for (const auto& [k, v] : o.metrics)
      if (k == name) return v;
    throw error("raif: objective reports no metric '" + std::string(name) + "'");
  }
  static std::string fmt(double x, int prec = 3) {
    std::ostringstream o;
    o.setf(std::ios::fixed);
    o.precision(prec);
    o << x;
    return o.str();
  }
  static std::string summary(const nlohmann::json& m) {
    return "grpo " + std::to_string(m["step"].get<std::int64_t>()) + ": reward " + fmt(m["reward"]) + " acc " +
           fmt(m["accuracy"]) + " strict " + fmt(m["strict"]) + " format " + fmt(m["format"]) + " kl " +
           fmt(m["kl"], 4) + " clip " + fmt(m["clip_fraction"]) + " keep " + fmt(m["keep_ratio"], 2) + " dropped " +
           std::to_string(m["dropped_groups"].get<int>()) + " tok/s " + fmt(m["tokens_per_s"], 0);
  }

  TrainConfig cfg_;
  std::filesystem::path dir_;
  bool resume_;
  TrainerHooks hooks_;
  nlohmann::json state_, data_stats_;
  std::vector<Item> train_, heldout_;
  std::vector<AnyNode> train_nodes_;
  BpeTokenizer tok_;
  std::vector<std::int64_t> eos_;
  std::int64_t pad_ = 0;
  torch::Device device_ = torch::kCPU;
  Qwen2 policy_{nullptr}, ref_{nullptr};
  std::unique_ptr<torch::optim::AdamW> opt_;
};

} // namespace raif
