#pragma once
/// @file
/// The reference trainer: the whole RAIF pipeline of method.md on raif's templates.
///
///   1. data: compose items (or read the user's JSONL), split train / held-out; train the tokenizer;
///   2. warm start: behaviour cloning on expert traces (BehaviorCloning);
///   3. GRPO: a GrpoStep (trainer/grpo_step.hpp) per step — the config's, composed from the stage
///      lists of `StageLists` (trainer/stages.hpp) by name, or one of your own (`run(step)`);
///   4. evaluation of the warm-start and the final model on held-out items.
///
/// Everything random is derived from (seed, phase, step), so a run resumed from a checkpoint
/// produces the same metrics as one that never stopped. The run directory holds the config, data,
/// tokenizer, warm-start model, checkpoint, metrics.jsonl, evaluations and the report.

#include <raif/data/composer.hpp>
#include <raif/detail/json_file.hpp>
#include <raif/model/checkpoint.hpp>
#include <raif/trainer/config.hpp>
#include <raif/trainer/evaluation.hpp>
#include <raif/trainer/grpo_step.hpp>
#include <raif/trainer/stages.hpp>

#include <fmt/format.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
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

namespace detail::trainer {
inline std::uint64_t mix(std::uint64_t seed, std::string_view phase, std::int64_t step) {
  return detail::composer::stable_hash(std::string(phase) + ":" + std::to_string(step), seed);
}
/// The trainer's hook for a reward term of the user's own (empty: adds nothing).
struct ExtraReward {
  std::function<RewardResult(const Sample&)> term;
  RewardResult operator()(const Sample& s) const { return term ? term(s) : RewardResult{}; }
};
} // namespace detail::trainer

template <class StageLists = Stages> class BasicTrainer {
public:
  /// A new run in `cfg.run.out_dir` (which must not hold a run), or a resumed one (`resume`).
  BasicTrainer(TrainConfig cfg, bool resume, TrainerHooks hooks = {})
      : cfg_(std::move(cfg)), dir_(cfg_.run.out_dir), resume_(resume), hooks_(std::move(hooks)) {
    cfg_.validate();
    check(make_step()); // every stage name is a model of its list, before any work
    if (!cfg_.data.seed_tasks.empty() && cfg_.data.train_jsonl.empty())
      load_seed_tasks(cfg_.data.seed_tasks); // a bad seed-task file stops the run before any work
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

  /// The config's GRPO step: each stage the model its key names in `StageLists`.
  auto make_step() const {
    const auto& g = cfg_.grpo;
    auto kl = choose(StageLists::kl_penalties(), g.kl, "grpo.kl");
    std::visit([&](auto& k) { k.coef = g.kl_coef; }, kl.variant());
    auto selection = choose(StageLists::selections(), g.selection, "grpo.selection");
    if (auto* s = std::get_if<SuperiorCoT>(&selection.variant())) s->all_equal_clause = g.all_equal_clause;
    const auto aggregation =
        std::visit([](auto a) { return LossAggregation(a); },
                   choose(StageLists::aggregations(), g.loss_aggregation, "grpo.loss_aggregation").variant());
    std::optional<Entropy> entropy;
    if (g.entropy_coef > 0) entropy = Entropy{.coef = g.entropy_coef};
    auto policy = choose(StageLists::policies(), g.policy, "grpo.policy");
    GrpoReward<decltype(policy), detail::trainer::ExtraReward> reward{policy,
                                                                      {detail::trainer::ExtraReward{extra_reward}}};
    auto estimator = choose(StageLists::estimators(), g.estimator, "grpo.estimator");
    auto rl = objective(ClippedSurrogate{.eps_low = g.clip_eps, .eps_high = g.clip_eps_high}, kl, entropy, aggregation);
    auto optimizer = choose(StageLists::optimizers(), g.optimizer, "grpo.optimizer");
    auto schedule = choose(StageLists::schedules(), g.schedule, "grpo.schedule");
    return GrpoStep<decltype(reward), decltype(estimator), decltype(selection), decltype(rl), decltype(optimizer),
                    decltype(schedule)>{.rollout = {.prompts_per_step = g.prompts_per_step,
                                                    .group_size = g.group_size,
                                                    .no_think_fraction = g.no_think_fraction,
                                                    .sampling = {.temperature = g.temperature,
                                                                 .top_p = g.top_p,
                                                                 .top_k = g.top_k,
                                                                 .max_new_tokens = g.max_new_tokens}},
                                        .reward = reward,
                                        .estimator = estimator,
                                        .selection = selection,
                                        .objective = rl,
                                        .bc = {.coef = g.bc_coef},
                                        .update = {.updates_per_rollout = g.updates_per_rollout,
                                                   .micro_batch = g.micro_batch,
                                                   .bc_batch = g.bc_batch,
                                                   .grad_clip = g.grad_clip},
                                        .optimizer = optimizer,
                                        .schedule = schedule,
                                        .lr = g.lr,
                                        .weight_decay = g.weight_decay,
                                        .warmup = g.warmup};
  }

  /// Runs (or finishes) every stage with the config's GRPO step. Returns false when it stopped
  /// early (Ctrl-C or run.stop_after).
  bool run() { return run(make_step()); }

  /// Runs (or finishes) every stage with a GRPO step of your own (its stages and hyper-parameters
  /// replace the config's grpo section but for steps, stop_after and checkpoint.every).
  template <class Step> bool run(const Step& step) {
    check(step);
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
    if (stage() == "grpo" && !grpo(step)) return false;
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
        if (!cfg_.data.seed_tasks.empty()) c.world = load_seed_tasks(cfg_.data.seed_tasks);
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

  void make_optimizer(const auto& factory, double lr, double wd) { opt_ = factory(policy_->parameters(), lr, wd); }

  // A step's stages are checked before any work.
  template <class Step> void check(const Step& step) const {
    if (step.rollout.no_think_fraction > 0 && step.uses_contrast() && step.no_think_per_group() == 0)
      throw error(fmt::format("raif: config: grpo.group_size {} × no_think_fraction {} leaves no forced "
                              "no-reasoning sample for the selection to compare with",
                              step.rollout.group_size, step.rollout.no_think_fraction));
  }

  bool warm_start() {
    const auto total = cfg_.warmstart.steps;
    std::int64_t step = state_["step"];
    if (step == 0) {
      torch::manual_seed(seed());
      policy_ = Qwen2(model_config());
      policy_->to(device_);
      make_optimizer(AdamW{}, cfg_.warmstart.lr, cfg_.warmstart.weight_decay);
    } else {
      load_checkpoint(AdamW{}, cfg_.warmstart.lr, cfg_.warmstart.weight_decay);
    }
    const auto bc = objective(BehaviorCloning{.coef = 1.0}, LossAggregation::token_mean);
    for (; step < total; ++step) {
      if (stopping()) return interrupt("warmstart", step);
      const auto t0 = std::chrono::steady_clock::now();
      const double lr = learning_rate(Cosine{}, cfg_.warmstart.lr, cfg_.warmstart.warmup, step, total);
      set_learning_rate(*opt_, lr);
      policy_->train();
      opt_->zero_grad();
      PolicyBatch pb = expert_batch("warmstart", step, cfg_.warmstart.batch_size);
      const auto tokens = pb.expert_mask.sum().item<double>();
      ObjectiveOutput out = bc(pb);
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

  template <class Step> bool grpo(const Step& step_fn) {
    const auto total = cfg_.grpo.steps;
    std::int64_t step = state_["step"];
    ref_ = load_pretrained((dir_ / "warmstart").string(), device_);
    ref_->eval();
    for (auto& p : ref_->parameters()) p.set_requires_grad(false);
    if (step == 0) {
      policy_ = load_pretrained((dir_ / "warmstart").string(), device_);
      make_optimizer(step_fn.optimizer, step_fn.lr, step_fn.weight_decay);
    } else {
      load_checkpoint(step_fn.optimizer, step_fn.lr, step_fn.weight_decay);
    }
    GrpoContext ctx{
        .policy = policy_,
        .reference = ref_,
        .optimizer = *opt_,
        .tokenizer = tok_,
        .items = train_,
        .specs = train_nodes_,
        .system = cfg_.data.system,
        .eos_ids = eos_,
        .pad_id = pad_,
        .device = device_,
        .threads = static_cast<unsigned>(cfg_.run.threads),
        .seed_of = [this](std::string_view phase, std::int64_t k) { return detail::trainer::mix(seed(), phase, k); },
        .expert_batch = [this](std::int64_t k, std::int64_t n) { return expert_batch("bc", k, n); }};
    for (; step < total; ++step) {
      if (stopping() || (cfg_.run.stop_after > 0 && step >= cfg_.run.stop_after)) return interrupt("grpo", step);
      const nlohmann::json m = step_fn(ctx, step, total);
      append_metrics(m);
      hooks_.log(summary(m));
      hooks_.progress("grpo", step + 1, total, m["seconds"].get<double>());
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
    hooks_.log(fmt::format("{}: held-out prompt strict {:.3f} (no reasoning {:.3f}), format {:.3f}", label,
                           r.all.prompt_strict_acc(), n.all.prompt_strict_acc(), r.all.format_rate()));
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
  void load_checkpoint(const auto& optimizer, double lr, double wd) {
    const auto cur = dir_ / "checkpoint";
    const auto st = detail::read_json_file(cur / "step.json");
    if (st["stage"] != state_["stage"] || st["step"] != state_["step"])
      throw error("raif: " + cur.string() + " does not match state.json (" + st.dump() + " vs " + state_.dump() + ")");
    policy_ = load_pretrained(cur.string(), device_);
    make_optimizer(optimizer, lr, wd);
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
  static std::string summary(const nlohmann::json& m) {
    return fmt::format(
        "grpo {}: reward {:.3f} acc {:.3f} strict {:.3f} format {:.3f} kl {:.4f} clip {:.3f} keep {:.2f} "
        "dropped {} tok/s {:.0f}",
        m["step"].get<std::int64_t>(), m["reward"].get<double>(), m["accuracy"].get<double>(),
        m["strict"].get<double>(), m["format"].get<double>(), m["kl"].get<double>(), m["clip_fraction"].get<double>(),
        m["keep_ratio"].get<double>(), m["dropped_groups"].get<int>(), m["tokens_per_s"].get<double>());
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
  std::unique_ptr<torch::optim::Optimizer> opt_;
};

/// The reference trainer with the compiled-in stage lists.
using Trainer = BasicTrainer<>;

} // namespace raif
