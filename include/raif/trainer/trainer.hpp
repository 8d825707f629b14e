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
///
/// Faults (docs/tutorial-trainer.md, "What survives what"): state.json is the commit point. A
/// checkpoint is written whole into checkpoint.tmp, swapped in (the previous one kept as
/// checkpoint.old until state.json names the new one), so a process killed anywhere resumes from
/// the checkpoint state.json names, in checkpoint/ or checkpoint.old/, and metrics.jsonl is cut back
/// to it. A failed write (full disk, file-size limit) is a raif::error naming the file and the OS's
/// reason and leaves the last checkpoint and state.json as they were. A non-finite loss or gradient
/// norm skips the update (counted in the step's `skipped_nonfinite`, logged); run.max_nonfinite_in_a_row
/// skipped in a row stop the run, naming the step and the mini-batch.

#include <raif/data/composer.hpp>
#include <raif/detail/json_file.hpp>
#include <raif/model/checkpoint.hpp>
#include <raif/rollout/judge.hpp>
#include <raif/tokenizer/pretrained.hpp>
#include <raif/trainer/config.hpp>
#include <raif/trainer/evaluation.hpp>
#include <raif/trainer/grpo_step.hpp>
#include <raif/trainer/mixed_precision.hpp>
#include <raif/trainer/run_state.hpp>
#include <raif/trainer/stages.hpp>

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace raif {

/// What the trainer reports while it runs (the CLI draws a progress bar and prints the lines).
struct TrainerHooks {
  std::function<void(const std::string&)> log = [](const std::string&) {};
  std::function<void(const std::string& phase, std::int64_t step, std::int64_t total, double seconds)> progress =
      [](const std::string&, std::int64_t, std::int64_t, double) {};
  /// A testing hook: called at each named point of the run's file sequence (`trainer_fault_points`)
  /// with the phase and step it belongs to. raif-train's RAIF_FAULT=<point>@<phase>:<step> kills the
  /// process there (SIGKILL), so tests can prove that every such moment resumes exactly.
  std::function<void(std::string_view point, std::string_view phase, std::int64_t step)> fault =
      [](std::string_view, std::string_view, std::int64_t) {};
};

/// The trainer's fault points, in the order a run meets them (phase:step each is called with):
///   data.after_train              data:0            train.jsonl written; heldout.jsonl, data.json not yet
///   metrics.mid_line              <phase>:<step>    half of the step's metrics line written
///   metrics.after_line            <phase>:<step>    the step's line written, its checkpoint (if any) not
///   checkpoint.after_model        <phase>:<step>    checkpoint.tmp holds model.safetensors + config.json
///   checkpoint.after_optimizer    <phase>:<step>    ... and optimizer.pt
///   checkpoint.after_step         <phase>:<step>    ... and step.json: complete
///   checkpoint.after_rename_old   <phase>:<step>    checkpoint moved to checkpoint.old; none named checkpoint
///   checkpoint.after_rename_new   <phase>:<step>    checkpoint.tmp renamed to checkpoint; state.json names the old
///   checkpoint.after_state        <phase>:<step>    state.json names the new one; checkpoint.old not yet removed
///   stage.after_model             warmstart:<steps> or grpo:<steps>   warmstart/ or final/ written, not evaluated
///   stage.after_eval              warmstart:<steps> or grpo:<steps>   evaluated, state.json not yet advanced
// clang-format off
inline constexpr std::array<std::string_view, 11> trainer_fault_points = {
    "data.after_train",          "metrics.mid_line",          "metrics.after_line",
    "checkpoint.after_model",    "checkpoint.after_optimizer", "checkpoint.after_step",
    "checkpoint.after_rename_old", "checkpoint.after_rename_new", "checkpoint.after_state",
    "stage.after_model",         "stage.after_eval"};
// clang-format on

namespace detail::trainer {
inline std::uint64_t mix(std::uint64_t seed, std::string_view phase, std::int64_t step) {
  return detail::composer::stable_hash(std::string(phase) + ":" + std::to_string(step), seed);
}
/// A LibTorch error as one line: its message without the C++ backtrace LibTorch appends.
inline std::string torch_reason(const std::exception& e) {
  if (const auto* c = dynamic_cast<const c10::Error*>(&e)) return c->what_without_backtrace();
  std::string s = e.what();
  return s.substr(0, s.find('\n'));
}
/// The id of a judge-verified leaf anywhere in a composition spec ("judge:question"), if any.
inline std::optional<std::string> judge_leaf_in(const nlohmann::json& spec) {
  if (spec.is_object()) {
    if (const auto c = spec.find("constraint"); c != spec.end() && c->is_string() &&
                                                c->get_ref<const std::string&>().starts_with("judge:"))
      return c->get<std::string>();
    for (const auto& [key, value] : spec.items())
      if (auto id = judge_leaf_in(value)) return id;
  } else if (spec.is_array()) {
    for (const auto& value : spec)
      if (auto id = judge_leaf_in(value)) return id;
  }
  return std::nullopt;
}
/// Every rank's per-item evaluations, in rank order, on every rank (the shards of evaluate).
inline std::vector<ItemEval> gather_evaluations(const DataParallel& dp, std::vector<ItemEval> mine) {
  if (dp.size() == 1) return mine;
  constexpr std::size_t fields = 9;
  std::vector<double> numbers;
  std::vector<std::string> texts;
  for (auto& e : mine) {
    const auto& c = e.counts;
    for (const std::size_t x : {c.prompts, c.prompt_strict, c.prompt_loose, c.well_formed, c.leaves, c.leaf_strict,
                                c.leaf_loose, static_cast<std::size_t>(e.finish), e.tokens})
      numbers.push_back(static_cast<double>(x));
    texts.push_back(std::move(e.response));
  }
  const auto all = dp.gather(numbers);
  auto responses = dp.gather(texts);
  std::vector<ItemEval> out(responses.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::array<std::size_t, fields> x{};
    for (std::size_t k = 0; k < fields; ++k) x[k] = static_cast<std::size_t>(all[i * fields + k]);
    out[i] = {{x[0], x[1], x[2], x[3], x[4], x[5], x[6]}, std::move(responses[i]), static_cast<FinishReason>(x[7]), x[8]};
  }
  return out;
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
  /// Under data parallelism every rank constructs one with the same config and its `dp`; rank 0
  /// writes the run directory (which the ranks share); each rank evaluates its share of the held-out
  /// items, and rank 0 writes the evaluations.
  BasicTrainer(TrainConfig cfg, bool resume, TrainerHooks hooks = {}, DataParallel dp = {})
      : cfg_(std::move(cfg)), dir_(cfg_.run.out_dir), resume_(resume), hooks_(std::move(hooks)), dp_(std::move(dp)) {
    cfg_.validate();
    check(make_step()); // every stage name is a model of its list, before any work
    if (!cfg_.data.seed_tasks.empty() && cfg_.data.train_jsonl.empty())
      load_seed_tasks(cfg_.data.seed_tasks); // a bad seed-task file stops the run before any work
    check_shards();
    if (!dp_.main()) return; // rank 0 checks the run directory (it may already have started writing it)
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

  /// The judge of judge-verified leaves (method.md §2) in GRPO rewards and evaluation: judge.model's
  /// LmJudge when the config names one, or a judge of your own set before run() (it then replaces
  /// judge.model). Example: `trainer.judge = raif::LookupJudge{}.add("Is it short?", ...);`
  /// judge.model's LmJudge reads the trainer's copy of that checkpoint's tokenizer: use it (and
  /// copies of it) while the trainer lives.
  std::optional<Judge> judge;

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
                                                   .micro_batch_tokens = g.micro_batch_tokens,
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
    // run.threads = 0: the machine's cores, shared among its ranks (not every rank taking them all),
    // for LibTorch and for the reward and evaluation threads alike.
    threads_ = static_cast<unsigned>(
        cfg_.run.threads > 0
            ? cfg_.run.threads
            : std::max<std::int64_t>(1, std::thread::hardware_concurrency() / std::max(1, dp_.local_size())));
    torch::set_num_threads(static_cast<int>(threads_));
    device_ = cfg_.run.device == "cpu"    ? torch::Device(torch::kCPU)
              : cfg_.run.device == "cuda" ? torch::Device(torch::kCUDA)
                                          : default_device();
    if (device_.is_cuda() && !torch::cuda::is_available())
      throw error("raif: run.device = cuda, but no CUDA device is available");
    if (device_.is_cuda()) device_ = rank_gpu();
    hooks_.log(std::string("raif-train: device ") + (device_.is_cuda() ? "CUDA" : "CPU") + ", " +
               std::to_string(threads_) + " threads, run directory " + dir_.string());
    dp_.bind(device_); // every rank, here: the group for the parameters and gradients (NCCL on GPUs)
    if (dp_.size() > 1)
      hooks_.log(fmt::format("raif-train: rank {} of {} (local rank {}), gradients over {}", dp_.rank(), dp_.size(),
                             dp_.local_rank(), dp_.backend(device_)));
    if (!judge && !cfg_.judge.model.empty()) load_judge(); // a bad judge.model stops the run before any work
    if (!judge && cfg_.data.judge_fraction > 0 && cfg_.data.train_jsonl.empty())
      throw error(fmt::format("raif: config: data.judge_fraction = {} composes judge-verified leaves, but no judge is "
                              "configured: set judge.model to a checkpoint folder",
                              cfg_.data.judge_fraction));
    // Rank 0 sets the run directory up (data, tokenizer); the other ranks then read what it wrote.
    if (dp_.main()) start_run();
    dp_.barrier();
    if (!dp_.main()) start_run();
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
  void start_run() {
    if (!resume_) {
      if (dp_.main()) detail::write_atomic(dir_ / "config.toml", cfg_.to_toml());
      state_ = {};
      save_state();
    } else {
      state_ = read_run_position(dir_ / "state.json");
      hooks_.log("raif-train: resuming at stage " + state_.stage + ", step " + std::to_string(state_.step));
      // Lines written after the position state.json names go: the resumed run writes them again.
      if (dp_.main()) truncate_metrics_file();
    }
    prepare_data();
    prepare_tokenizer();
  }
  // Every rank needs a share of each batch.
  void check_shards() const {
    const auto n = static_cast<std::int64_t>(dp_.size());
    auto need = [&](const char* key, std::int64_t value) {
      if (value < n)
        throw error(fmt::format("raif: config: {} = {} is below the {} data-parallel ranks: each needs a share", key,
                                value, n));
    };
    need("grpo.prompts_per_step", cfg_.grpo.prompts_per_step);
    if (cfg_.warmstart.steps > 0) need("warmstart.batch_size", cfg_.warmstart.batch_size);
    if (cfg_.grpo.bc_coef > 0) need("grpo.bc_batch", cfg_.grpo.bc_batch);
  }

  void prepare_data() {
    if (std::filesystem::exists(dir_ / "data.json")) { // written last: the data files are complete
      train_ = read_jsonl((dir_ / "train.jsonl").string());
      heldout_ = read_jsonl((dir_ / "heldout.jsonl").string());
      data_stats_ = detail::read_json_file(dir_ / "data.json");
      if (!judge) check_no_judge_leaves();
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
        c.options.ifbench = cfg_.data.ifbench;
        c.options.judge_fraction = cfg_.data.judge_fraction;
        if (!cfg_.data.seed_tasks.empty()) c.world = load_seed_tasks(cfg_.data.seed_tasks);
        std::copy(cfg_.data.composition_weights.begin(), cfg_.data.composition_weights.end(),
                  c.options.composition_weights.begin());
        auto set = c.generate(static_cast<std::size_t>(cfg_.data.items));
        dropped = set.dropped;
        for (const auto& [k, v] : set.dropped_by_composition) by_comp[k] = v;
        std::tie(train_, heldout_) = split(set.items, {cfg_.data.heldout_fraction, seed(), cfg_.data.split_by});
      }
      if (!judge) check_no_judge_leaves(); // before anything is written
      for (const auto& it : train_)
        if (it.expert_answer.empty())
          throw error("raif: training item '" + it.id + "' has no expert_answer (behaviour cloning needs one)");
      if (train_.empty() || heldout_.empty()) throw error("raif: the data split left no training or no held-out items");
      data_stats_ = {{"train", train_.size()},
                     {"heldout", heldout_.size()},
                     {"dropped", dropped},
                     {"dropped_by_composition", by_comp}};
      write_jsonl((dir_ / "train.jsonl").string(), train_);
      hooks_.fault("data.after_train", "data", 0);
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
    if (!cfg_.model.init.empty()) {
      // The checkpoint's tokenizer, chat template and stop ids, copied into the run directory first
      // (tokenizer_config.json last: its presence says the copy is whole), so the run stands alone.
      if (!std::filesystem::exists(dir_ / "tokenizer_config.json")) copy_checkpoint_tokenizer();
      auto pre = load_checked(dir_.string(), [&] { return PretrainedTokenizer::load(dir_); });
      tok_ = std::move(pre.tokenizer);
      chat_ = pre.chat;
      eos_ = pre.stop_ids;
      pad_ = pre.pad_id;
      hooks_.log("tokenizer: " + std::to_string(tok_.vocab_size()) + " tokens, from " + cfg_.model.init);
    } else if (std::filesystem::exists(path)) {
      tok_ = load_checked(path.string(), [&] { return BpeTokenizer::load(path.string()); });
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
    if (cfg_.model.init.empty()) { // raif's own tokenizer
      auto ids = ChatSpecialIds::of(tok_);
      eos_ = std::move(ids.eos);
      pad_ = ids.pad;
    }
    // An expert turn ends with ChatML's <|im_end|>; generation stops on it too (a base model's
    // generation_config may name only <|endoftext|>).
    turn_end_ = tok_.token_id(chat_.im_end);
    if (std::find(eos_.begin(), eos_.end(), turn_end_) == eos_.end()) eos_.push_back(turn_end_);
    // Every prompt and expert response must fit the model's context: checked now, not mid-run.
    const ChatML& chat = chat_;
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

  // Without a judge, an item with a judge-verified leaf could never be scored: refused up front,
  // naming the item and its file.
  void check_no_judge_leaves() const {
    auto check = [&](const std::vector<Item>& items, const std::string& file) {
      for (const auto& it : items)
        if (const auto id = detail::trainer::judge_leaf_in(it.spec))
          throw error(fmt::format("raif: {}: item '{}' has a judge-verified leaf ({}), but no judge is configured: "
                                  "set judge.model to a checkpoint folder",
                                  file, it.id, *id));
    };
    const bool written = std::filesystem::exists(dir_ / "data.json"); // else the config's files, or composed
    auto name = [&](const std::string& file, const std::string& config) {
      return written || config.empty() ? (dir_ / file).string() : config;
    };
    check(train_, name("train.jsonl", cfg_.data.train_jsonl));
    check(heldout_, name("heldout.jsonl", cfg_.data.heldout_jsonl.empty() ? cfg_.data.train_jsonl
                                                                         : cfg_.data.heldout_jsonl));
  }

  // judge.model: its tokenizer and chat template, its weights on judge.device in judge.dtype, frozen.
  void load_judge() {
    const auto& j = cfg_.judge;
    const std::filesystem::path dir = j.model;
    if (j.device.starts_with("cuda") && !torch::cuda::is_available())
      throw error("raif: judge.device = " + j.device + ", but no CUDA device is available");
    torch::Device device = j.device == "auto" ? device_ : j.device == "cpu" ? torch::Device(torch::kCPU) : rank_gpu();
    if (j.device.starts_with("cuda:")) { // config.hpp checked the form: up to 4 digits
      const auto index = std::stoi(j.device.substr(5));
      if (index >= static_cast<int>(torch::cuda::device_count()))
        throw error(fmt::format("raif: judge.device = {}, but this process sees {} CUDA device(s) (0..{})", j.device,
                                torch::cuda::device_count(), torch::cuda::device_count() - 1));
      device = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
    }
    const auto type = dtype_of(j.dtype, device, "judge.dtype");
    try {
      auto pre = load_checked(j.model, [&] { return PretrainedTokenizer::load(dir); });
      judge_tokenizer_ = std::make_unique<BpeTokenizer>(std::move(pre.tokenizer)); // LmJudge points at it
      Qwen2 model = load_checked(j.model, [&] { return load_pretrained(j.model, device, type); });
      if (static_cast<std::int64_t>(judge_tokenizer_->vocab_size()) > model->config.vocab_size)
        throw error(fmt::format("{}/tokenizer.json has {} tokens, more than the {} embedding rows of its model",
                                j.model, judge_tokenizer_->vocab_size(), model->config.vocab_size));
      model->eval();
      for (auto& p : model->parameters()) p.set_requires_grad(false);
      hooks_.log(fmt::format("judge: {} ({:.0f}M parameters), {} on {}", j.model, model->config.parameter_count() / 1e6,
                             type, device.str()));
      judge = LmJudge{.model = model,
                      .tokenizer = judge_tokenizer_.get(),
                      .chat = pre.chat,
                      .system = j.system,
                      .prompt_template = j.prompt,
                      .yes = j.yes,
                      .no = j.no,
                      .micro_batch = j.micro_batch};
    } catch (const error& e) {
      std::string_view reason = e.what();
      if (reason.starts_with("raif: ")) reason.remove_prefix(6);
      throw error("raif: judge.model: " + std::string(reason));
    }
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
    c.torch_dtype = dtype();
    return c;
  }
  // One GPU per rank on a machine: LOCAL_RANK's (the policy's, and judge.device = cuda's).
  torch::Device rank_gpu() const {
    return {torch::kCUDA, static_cast<c10::DeviceIndex>(dp_.local_rank() % torch::cuda::device_count())};
  }
  // Parameters' dtype from `setting` (model.dtype, judge.dtype): auto is bf16 on CUDA, fp32 on the CPU.
  static std::string dtype_of(const std::string& setting, torch::Device device, const char* key) {
#if !RAIF_HAVE_SDPA // LibTorch 1.x
    if (setting == "float16" && !device.is_cuda())
      throw error(fmt::format("raif: {} = \"float16\": LibTorch " TORCH_VERSION " has no float16 matrix products "
                              "on the CPU; use bfloat16 or float32 here, or LibTorch 2.x (RAIF_TORCH=wheel, "
                              "docs/building.md)",
                              key));
#else
    (void)key;
#endif
    return setting != "auto" ? setting : device.is_cuda() ? "bfloat16" : "float32";
  }
  std::string dtype() const { return dtype_of(cfg_.model.dtype, device_, "model.dtype"); }
  // model.init's tokenizer files into the run directory (the optional ones when it has them).
  // A run directory that already holds another tokenizer.json (a run not started from this
  // checkpoint, resumed with model.init) is refused: its own tokenizer is never overwritten.
  void copy_checkpoint_tokenizer() const {
    const std::filesystem::path from = cfg_.model.init;
    for (const std::string name :
         {"tokenizer.json", "generation_config.json", "chat_template.jinja", "tokenizer_config.json"}) {
      const bool optional = name == "generation_config.json" || name == "chat_template.jinja";
      if (optional && !std::filesystem::exists(from / name)) continue;
      const auto text = detail::read_file(from / name);
      if (name == "tokenizer.json" && std::filesystem::exists(dir_ / name) && detail::read_file(dir_ / name) != text)
        throw error("raif: " + (dir_ / name).string() + " is not " + (from / name).string() +
                    ": this run was not started from model.init = " + from.string());
      detail::write_atomic(dir_ / name, text);
    }
  }

  // warmstart/ or final/ as a whole Hugging Face checkpoint: the weights and config.json, and the
  // run's tokenizer files beside them, so transformers (AutoTokenizer, apply_chat_template), vLLM
  // and raif's own model.init and judge.model load the folder alone. generation_config.json stops
  // on the run's stop ids (a model.init checkpoint's other generation settings kept). A model.init
  // run's other files are the checkpoint's own (its chat template and default system message:
  // raif's prompts carry data.system as their system message); raif's tokenizer gets a
  // tokenizer_config.json (its ChatML, with data.system as the default; eos <|im_end|>, pad <|pad|>).
  void save_model_folder(const std::string& name) const {
    const auto to = dir_ / name;
    save_pretrained(policy_, to.string());
    detail::write_atomic(to / "tokenizer.json", detail::read_file(dir_ / "tokenizer.json"));
    nlohmann::json generation = nlohmann::json::object();
    if (const auto own = dir_ / "generation_config.json"; !cfg_.model.init.empty() && std::filesystem::exists(own))
      generation = detail::read_json_file(own); // read when the run started: a JSON object
    generation["eos_token_id"] = eos_;          // the ids the run stopped on (<|im_end|> among them)
    generation["pad_token_id"] = pad_;
    detail::write_atomic(to / "generation_config.json", generation.dump(2));
    if (!cfg_.model.init.empty()) {
      for (const std::string file : {"chat_template.jinja", "tokenizer_config.json"})
        if (std::filesystem::exists(dir_ / file)) detail::write_atomic(to / file, detail::read_file(dir_ / file));
      return;
    }
    ChatML chat = chat_;
    chat.default_system = cfg_.data.system;
    const nlohmann::json config = {{"tokenizer_class", "PreTrainedTokenizerFast"},
                                   {"chat_template", chat.to_template()},
                                   {"bos_token", nullptr},
                                   {"eos_token", chat.im_end},
                                   {"pad_token", tok_.token(pad_)},
                                   {"unk_token", nullptr},
                                   {"model_max_length", cfg_.model.max_len},
                                   {"clean_up_tokenization_spaces", false}};
    detail::write_atomic(to / "tokenizer_config.json", config.dump(2));
  }

  // The supervised target of an item: its response with the configured trace, closed by <|im_end|>.
  // `direct`: the answer without reasoning, after the pre-filled empty think block (the prompt
  // then ends like a forced no-reasoning prompt).
  std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>> expert_pair(const Item& it, bool direct) const {
    const ChatML& chat = chat_;
    direct = direct || cfg_.data.trace == "none";
    const std::string response =
        direct ? "<answer>\n" + it.expert_answer + "\n</answer>" : it.expert_response(cfg_.data.trace == "shallow");
    auto completion = tok_.encode(response);
    completion.push_back(turn_end_);
    return {tok_.encode(chat.prompt(cfg_.data.system, it.instruction, direct)), completion};
  }
  // Log-probs of a behaviour-cloning batch of `n` expert items drawn for (phase, step): this rank's share.
  PolicyBatch expert_batch(std::string_view phase, std::int64_t step, std::int64_t n) {
    std::mt19937_64 rng(detail::trainer::mix(seed(), phase, step));
    std::vector<std::vector<std::int64_t>> prompts, comps;
    std::bernoulli_distribution direct(cfg_.warmstart.direct_fraction);
    const auto [first, last] = dp_.shard(static_cast<std::size_t>(n)); // every rank draws all n, keeps its share
    for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
      const auto& it = train_[rng() % train_.size()];
      const bool no_trace = direct(rng);
      if (i < first || i >= last) continue; // drawn, so that every rank's stream stays the same; not encoded
      auto [p, c] = expert_pair(it, no_trace);
      prompts.push_back(std::move(p));
      comps.push_back(std::move(c));
    }
    const auto b = make_token_batch(prompts, comps, device_, pad_);
    PolicyBatch pb;
    pb.expert_logp = policy_->token_logprobs(b.ids, b.mask, b.targets);
    pb.expert_mask = b.loss_mask;
    return pb;
  }

  // A bf16 / fp16 model (model.dtype; auto on CUDA) trains through float32 master weights.
  void make_optimizer(const auto& factory, double lr, double wd) {
    opt_ = make_optimizer_for(policy_->parameters(), factory, lr, wd);
  }

  // A step's stages are checked before any work.
  template <class Step> void check(const Step& step) const {
    if (step.rollout.no_think_fraction > 0 && step.uses_contrast() && step.no_think_per_group() == 0)
      throw error(fmt::format("raif: config: grpo.group_size {} × no_think_fraction {} leaves no forced "
                              "no-reasoning sample for the selection to compare with",
                              step.rollout.group_size, step.rollout.no_think_fraction));
  }

  bool warm_start() {
    const auto total = cfg_.warmstart.steps;
    std::int64_t step = state_.step;
    if (step == 0) {
      torch::manual_seed(seed());
      if (cfg_.model.init.empty()) {
        policy_ = Qwen2(model_config());
        policy_->to(device_);
      } else {
        policy_ = load_checked(cfg_.model.init, [&] { return load_pretrained(cfg_.model.init, device_, dtype()); });
        if (static_cast<std::int64_t>(tok_.vocab_size()) > policy_->config.vocab_size)
          throw error(fmt::format("raif: model.init: {}/tokenizer.json has {} tokens, more than the {} embedding "
                                  "rows of {}/config.json (vocab_size): not the checkpoint's own tokenizer?",
                                  cfg_.model.init, tok_.vocab_size(), policy_->config.vocab_size, cfg_.model.init));
        hooks_.log(fmt::format("model: {} ({:.0f}M parameters), {}", cfg_.model.init,
                               policy_->config.parameter_count() / 1e6, dtype()));
      }
      dp_.broadcast(policy_->parameters()); // the ranks start from rank 0's weights
      make_optimizer(AdamW{}, cfg_.warmstart.lr, cfg_.warmstart.weight_decay);
    } else {
      load_checkpoint(AdamW{}, cfg_.warmstart.lr, cfg_.warmstart.weight_decay);
    }
    policy_->activation_checkpointing = cfg_.model.activation_checkpointing;
    const auto bc = objective(BehaviorCloning{.coef = 1.0}, LossAggregation::token_mean);
    for (; step < total; ++step) {
      if (stopping()) return interrupt("warmstart", step);
      const auto t0 = std::chrono::steady_clock::now();
      const double lr = learning_rate(Cosine{}, cfg_.warmstart.lr, cfg_.warmstart.warmup, step, total);
      set_learning_rate(*opt_, lr);
      policy_->train();
      zero_gradients(*opt_);
      PolicyBatch pb = expert_batch("warmstart", step, cfg_.warmstart.batch_size);
      auto tokens = pb.expert_mask.sum().item<double>();
      if (dp_.size() > 1) { // normalised by every rank's tokens; the ranks' shares then sum
        tokens = dp_.sum(tokens);
        pb.aggregation.num_tokens = tokens;
      }
      ObjectiveOutput out = bc(pb);
      scaled_for_backward(*opt_, out.loss).backward();
      const double nll = dp_.sum(out.loss.item<double>());
      const auto gradients = update_gradients(*opt_, policy_->parameters()); // float32 masters or params
      dp_.sum_gradients(gradients);
      const double norm = torch::nn::utils::clip_grad_norm_(gradients, 1.0);
      const bool finite = std::isfinite(nll) && std::isfinite(norm);
      bool overflow = false;
      if (finite) {
        opt_->step();
        nonfinite_in_a_row_ = 0;
      } else if ((overflow = skip_update(*opt_, std::isfinite(nll)))) { // fp16: the scale overflowed, now lower
        zero_gradients(*opt_);
        hooks_.log(detail::trainer::overflow_line("warmstart", step, 0, loss_scale_of(*opt_).value_or(0.0)));
      } else { // the update is skipped: the weights and the optimiser's state stay as they were
        zero_gradients(*opt_);
        skipped_nonfinite("warmstart", step, 0, nll, norm);
      }
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      nlohmann::json m = {{"phase", "warmstart"},          {"step", step + 1}, {"nll", nll}, {"lr", lr},
                          {"tokens_per_s", tokens / secs}, {"seconds", secs}};
      if (!finite) m[overflow ? "skipped_overflow" : "skipped_nonfinite"] = 1; // absent when 0: as before
      if (const auto scale = loss_scale_of(*opt_)) m["loss_scale"] = *scale;    // fp16 only
      append_metrics(m);
      hooks_.progress("warmstart", step + 1, total, secs);
      if ((step + 1) % cfg_.checkpoint.every == 0 && step + 1 < total) save_checkpoint("warmstart", step + 1);
    }
    if (dp_.main()) {
      save_model_folder("warmstart");
      hooks_.fault("stage.after_model", "warmstart", total);
    }
    evaluate(policy_, "warmstart", "warm start"); // every rank its share
    if (dp_.main()) hooks_.fault("stage.after_eval", "warmstart", total);
    dp_.barrier(); // warmstart/ is written: every rank loads it as the reference
    nonfinite_in_a_row_ = 0;
    set_stage("grpo", 0);
    opt_.reset();
    return true;
  }

  template <class Step> bool grpo(const Step& step_fn) {
    const auto total = cfg_.grpo.steps;
    std::int64_t step = state_.step;
    ref_ = load_pretrained((dir_ / "warmstart").string(), device_);
    ref_->eval();
    for (auto& p : ref_->parameters()) p.set_requires_grad(false);
    if (step == 0) {
      policy_ = load_pretrained((dir_ / "warmstart").string(), device_);
      make_optimizer(step_fn.optimizer, step_fn.lr, step_fn.weight_decay);
    } else {
      load_checkpoint(step_fn.optimizer, step_fn.lr, step_fn.weight_decay);
    }
    policy_->activation_checkpointing = cfg_.model.activation_checkpointing;
    GrpoContext ctx{
        .policy = policy_,
        .reference = ref_,
        .optimizer = *opt_,
        .tokenizer = tok_,
        .items = train_,
        .specs = train_nodes_,
        .system = cfg_.data.system,
        .chat = chat_,
        .eos_ids = eos_,
        .pad_id = pad_,
        .device = device_,
        .threads = threads_,
        .judge = judge ? &*judge : nullptr,
        .dp = dp_,
        .seed_of = [this](std::string_view phase, std::int64_t k) { return detail::trainer::mix(seed(), phase, k); },
        .expert_batch = [this](std::int64_t k, std::int64_t n) { return expert_batch("bc", k, n); },
        .log = hooks_.log,
        .nonfinite_in_a_row = nonfinite_in_a_row_,
        .max_nonfinite_in_a_row = cfg_.run.max_nonfinite_in_a_row};
    for (; step < total; ++step) {
      if (stopping() || (cfg_.run.stop_after > 0 && step >= cfg_.run.stop_after)) return interrupt("grpo", step);
      nlohmann::json m = step_fn(ctx, step, total);
      nonfinite_in_a_row_ = ctx.nonfinite_in_a_row;
      if (cfg_.eval.curve_every > 0 && (step + 1) % cfg_.eval.curve_every == 0)
        m["heldout_strict"] = heldout_curve_point(); // every rank its share
      append_metrics(m);
      hooks_.log(summary(m));
      hooks_.progress("grpo", step + 1, total, m["seconds"].get<double>());
      if ((step + 1) % cfg_.checkpoint.every == 0 && step + 1 < total) save_checkpoint("grpo", step + 1);
    }
    if (dp_.main()) save_model_folder("final");
    hooks_.fault("stage.after_model", "grpo", total);
    set_stage("eval", 0);
    return true;
  }

  void final_eval() {
    if (!policy_) {
      const auto final_dir = (dir_ / "final").string();
      policy_ = load_checked(final_dir, [&] { return load_pretrained(final_dir, device_); });
    }
    evaluate(policy_, "final", "final");
    if (dp_.main()) hooks_.fault("stage.after_eval", "grpo", cfg_.grpo.steps);
    set_stage("done", 0);
  }

  // Evaluates on the held-out items, each rank its share (the ranks' policies are the same); rank 0
  // writes eval_<name>.json, every response in responses_<name>.jsonl, and a log line.
  void evaluate(Qwen2& m, const std::string& name, const std::string& label) {
    m->eval();
    const auto mine = my_share(heldout_.size());
    const auto nodes = detail::compile_items(mine);
    auto mode = [&](bool no_think) {
      return detail::trainer::gather_evaluations(dp_, evaluate_items(m, tok_, mine, nodes, no_think, eval_options()));
    };
    const auto reasoning = mode(false), direct = mode(true);
    if (!dp_.main()) return;
    std::vector<nlohmann::json> responses;
    const auto r = summarize(heldout_, reasoning, false, &responses);
    const auto n = summarize(heldout_, direct, true, &responses);
    std::string lines;
    for (const auto& x : responses) lines += x.dump() + "\n";
    detail::write_atomic(dir_ / ("responses_" + name + ".jsonl"), lines);
    nlohmann::json ev{{"reasoning", r.to_json()}, {"no_reasoning", n.to_json()}};
    // The held-out curve's first point: the same first items as heldout_curve_point, reasoning.
    const auto curve_n = curve_size();
    std::size_t curve_strict = 0;
    for (std::size_t i = 0; i < curve_n; ++i) curve_strict += responses[i]["strict"].get<bool>();
    if (curve_n > 0)
      ev["curve_start"] = {{"items", curve_n},
                           {"prompt_strict", static_cast<double>(curve_strict) / static_cast<double>(curve_n)}};
    detail::write_atomic(dir_ / ("eval_" + name + ".json"), ev.dump(2));
    hooks_.log(fmt::format("{}: held-out prompt strict {:.3f} (no reasoning {:.3f}), format {:.3f}", label,
                           r.all.prompt_strict_acc(), n.all.prompt_strict_acc(), r.all.format_rate()));
  }

  // A point of the held-out curve: prompt-level strict accuracy, reasoning, of the policy on the
  // first eval.curve_items held-out items, each rank its share. Greedy decoding draws no random
  // numbers, so a run with the curve trains exactly as one without it; the step's next rollout
  // sets the model's mode again.
  double heldout_curve_point() {
    const auto n = curve_size();
    const auto mine = my_share(n);
    policy_->eval();
    double strict = 0;
    for (const auto& e : evaluate_items(policy_, tok_, mine, detail::compile_items(mine), false, eval_options()))
      strict += static_cast<double>(e.counts.prompt_strict);
    return dp_.sum(strict) / static_cast<double>(n);
  }
  // This rank's share of the first `n` held-out items.
  std::vector<Item> my_share(std::size_t n) const {
    const auto [first, last] = dp_.shard(n);
    return {heldout_.begin() + static_cast<std::ptrdiff_t>(first), heldout_.begin() + static_cast<std::ptrdiff_t>(last)};
  }
  std::size_t curve_size() const {
    return std::min(heldout_.size(), static_cast<std::size_t>(cfg_.eval.curve_items));
  }
  EvalOptions eval_options() const {
    return {.system = cfg_.data.system,
            .max_new_tokens = cfg_.eval.max_new_tokens,
            .batch_size = cfg_.eval.batch_size,
            .threads = threads_,
            .chat = chat_,
            .eos_ids = eos_,
            .pad_id = pad_,
            .judge = judge ? &*judge : nullptr};
  }

  // ----- state, checkpoints, metrics ---------------------------------------------------------------
  std::string stage() const { return state_.stage; }
  std::uint64_t seed() const { return static_cast<std::uint64_t>(cfg_.run.seed); }
  // Whether any rank was asked to stop (every rank asks at the same points, once per step).
  bool stopping() const { return dp_.sum(stop_flag && stop_flag->load() ? 1.0 : 0.0) > 0; }
  void set_stage(const std::string& s, std::int64_t step) {
    state_ = {.stage = s, .step = step};
    save_state();
  }
  void save_state() {
    if (dp_.main()) detail::write_atomic(dir_ / "state.json", state_.to_json().dump());
  }
  bool interrupt(const std::string& phase, std::int64_t step) {
    save_checkpoint(phase, step);
    hooks_.log("raif-train: stopped at " + phase + " step " + std::to_string(step) + "; resume with --resume " +
               dir_.string());
    return false;
  }
  // A skipped update: counted, logged, and the run stopped after run.max_nonfinite_in_a_row in a row
  // (the last checkpoint and state.json stay as they were).
  void skipped_nonfinite(const std::string& phase, std::int64_t step, std::int64_t batch, double loss, double norm) {
    ++nonfinite_in_a_row_;
    hooks_.log(detail::trainer::nonfinite_line(phase, step, batch, loss, norm, nonfinite_in_a_row_));
    detail::trainer::stop_if_nonfinite(phase, step, batch, nonfinite_in_a_row_, cfg_.run.max_nonfinite_in_a_row);
  }
  // A torch error from a load (a corrupted file) as a raif::error naming it; raif::errors pass as they are.
  template <class F> static auto load_checked(const std::string& what, F&& load) {
    try {
      return load();
    } catch (const error&) {
      throw;
    } catch (const std::exception& e) {
      throw error("raif: " + what + ": cannot be loaded: " + detail::trainer::torch_reason(e));
    }
  }
  // The sequence, each step a fault point: a kill anywhere leaves state.json naming a complete
  // checkpoint, in checkpoint/ or (between the two renames and until state.json moves on)
  // checkpoint.old/. state.json is written last: it is the commit.
  void save_checkpoint(const std::string& phase, std::int64_t step) {
    if (!dp_.main()) return set_stage(phase, step); // rank 0's copy is every rank's (same weights and optimiser state)
    const auto tmp = dir_ / "checkpoint.tmp", cur = dir_ / "checkpoint", old = dir_ / "checkpoint.old";
    const RunPosition at{.stage = phase, .step = step, .nonfinite_in_a_row = nonfinite_in_a_row_};
    std::filesystem::remove_all(tmp);
    save_pretrained(policy_, tmp.string());
    hooks_.fault("checkpoint.after_model", phase, step);
    const auto opt_path = (tmp / "optimizer.pt").string();
    detail::write_atomic(
        opt_path,
        [&](std::ostream& out) {
          torch::serialize::OutputArchive a;
          opt_->save(a);
          // LibTorch's zip writer must never see a short write: it would throw again from its
          // destructor (std::terminate). The first failure is remembered, with errno, and reported.
          int failed = 0;
          a.save_to(std::function<std::size_t(const void*, std::size_t)>([&](const void* p, std::size_t n) {
            if (!failed && !out.write(static_cast<const char*>(p), static_cast<std::streamsize>(n)))
              failed = errno ? errno : EIO;
            return n;
          }));
          if (failed) throw error("raif: cannot write " + opt_path + ": " + std::strerror(failed));
        },
        /*binary=*/true);
    hooks_.fault("checkpoint.after_optimizer", phase, step);
    detail::write_atomic(tmp / "step.json", at.to_json(true).dump()); // last: the checkpoint is complete
    hooks_.fault("checkpoint.after_step", phase, step);
    // checkpoint.old may hold what state.json names only while checkpoint/ does not: it is then the
    // only copy, so it is never removed before checkpoint/ is complete again.
    if (std::filesystem::exists(cur)) {
      std::filesystem::remove_all(old);
      std::filesystem::rename(cur, old);
    }
    hooks_.fault("checkpoint.after_rename_old", phase, step);
    std::filesystem::rename(tmp, cur);
    hooks_.fault("checkpoint.after_rename_new", phase, step);
    set_stage(phase, step);
    hooks_.fault("checkpoint.after_state", phase, step);
    std::filesystem::remove_all(old);
  }
  // The checkpoint state.json names: checkpoint/, or checkpoint.old/ when a kill came between the
  // renames or before state.json moved on.
  std::filesystem::path find_checkpoint() const {
    std::string seen;
    for (const auto* name : {"checkpoint", "checkpoint.old"}) {
      const auto d = dir_ / name;
      if (!std::filesystem::exists(d / "step.json")) continue;
      const auto at = read_run_position(d / "step.json", /*checkpoint=*/true);
      if (at.same_place(state_)) return d;
      seen += std::string(seen.empty() ? "" : ", ") + name + " holds " + at.describe();
    }
    throw error("raif: " + (dir_ / "state.json").string() + " names " + state_.describe() +
                ", but no checkpoint holds it (" + (seen.empty() ? std::string("none found") : seen) + ")");
  }
  void load_checkpoint(const auto& optimizer, double lr, double wd) {
    const auto cur = dir_ / "checkpoint", old = dir_ / "checkpoint.old";
    if (dp_.main()) {
      const auto dir = find_checkpoint();
      if (dir == old) { // killed while swapping: checkpoint/, if any, is uncommitted; put the named one back
        hooks_.log("raif-train: resuming from " + old.string() + " (the run stopped while swapping checkpoints)");
        std::filesystem::remove_all(cur); // a kill here leaves checkpoint.old, still named by state.json
        std::filesystem::rename(old, cur);
      }
      std::filesystem::remove_all(old); // stale once checkpoint/ is the named one; the next swap needs the name
    }
    dp_.barrier(); // rank 0 has settled the checkpoint: every rank loads checkpoint/
    const auto dir = find_checkpoint();
    nonfinite_in_a_row_ = read_run_position(dir / "step.json", true).nonfinite_in_a_row;
    policy_ = load_checked(dir.string(), [&] { return load_pretrained(dir.string(), device_); });
    make_optimizer(optimizer, lr, wd);
    const auto opt_path = (dir / "optimizer.pt").string();
    try {
      torch::serialize::InputArchive a;
      a.load_from(opt_path, device_);
      opt_->load(a);
    } catch (const std::exception& e) {
      throw error("raif: " + opt_path + ": not a readable optimizer state of this model: " +
                  detail::trainer::torch_reason(e));
    }
  }
  // Cuts metrics.jsonl back to the position state.json names (a torn last line included).
  void truncate_metrics_file() {
    const auto p = dir_ / "metrics.jsonl";
    if (!std::filesystem::exists(p)) return;
    const auto text = detail::read_file(p);
    const auto cut = truncate_metrics(text, p.string(), state_);
    if (cut.torn) hooks_.log("raif-train: " + p.string() + " ended in a half-written line (dropped)");
    if (cut.dropped_lines > 0) detail::write_atomic(p, cut.kept);
  }
  // One line per step; a failed write stops the run with the file and the OS's reason (a torn line
  // left behind is dropped on resume).
  void append_metrics(const nlohmann::json& m) {
    if (!dp_.main()) return;
    const auto p = dir_ / "metrics.jsonl";
    const auto line = m.dump() + '\n';
    const auto phase = m["phase"].get<std::string>();
    const auto step = m["step"].get<std::int64_t>();
    errno = 0;
    std::ofstream o(p, std::ios::app | std::ios::binary);
    if (!o) throw error("raif: cannot open " + p.string() + " for appending: " + detail::os_reason());
    const auto half = static_cast<std::streamsize>(line.size() / 2);
    o.write(line.data(), half).flush(); // a kill here leaves a torn line; the fault point proves it harmless
    hooks_.fault("metrics.mid_line", phase, step);
    o.write(line.data() + half, static_cast<std::streamsize>(line.size()) - half).flush();
    if (!o) throw error("raif: cannot append to " + p.string() + ": " + detail::os_reason());
    o.close();
    if (!o) throw error("raif: cannot append to " + p.string() + ": " + detail::os_reason());
    hooks_.fault("metrics.after_line", phase, step);
  }
  static std::string summary(const nlohmann::json& m) {
    auto num = [&](const char* k) { // a non-finite value is written as null
      return m[k].is_number() ? m[k].get<double>() : std::nan("");
    };
    return fmt::format(
        "grpo {}: reward {:.3f} acc {:.3f} strict {:.3f} format {:.3f} kl {:.4f} clip {:.3f} keep {:.2f} "
        "dropped {} tok/s {:.0f}",
        m["step"].get<std::int64_t>(), num("reward"), num("accuracy"), num("strict"), num("format"), num("kl"),
        num("clip_fraction"), num("keep_ratio"), m["dropped_groups"].get<int>(), num("tokens_per_s"));
  }

  TrainConfig cfg_;
  std::filesystem::path dir_;
  bool resume_;
  TrainerHooks hooks_;
  DataParallel dp_;
  RunPosition state_;
  nlohmann::json data_stats_;
  std::int64_t nonfinite_in_a_row_ = 0; // skipped updates in a row (saved with each checkpoint)
  unsigned threads_ = 0; // run.threads, or this rank's share of the machine's cores (set by run(); 0: all)
  std::vector<Item> train_, heldout_;
  std::vector<AnyNode> train_nodes_;
  BpeTokenizer tok_;
  ChatML chat_;                   // the prompt format: raif's ChatML, or model.init's template
  std::vector<std::int64_t> eos_; // generation stops on any of them
  std::int64_t pad_ = 0, turn_end_ = 0;
  torch::Device device_ = torch::kCPU;
  Qwen2 policy_{nullptr}, ref_{nullptr};
  std::unique_ptr<BpeTokenizer> judge_tokenizer_; // judge.model's (LmJudge holds its address)
  std::unique_ptr<torch::optim::Optimizer> opt_;
};

/// The reference trainer with the compiled-in stage lists.
using Trainer = BasicTrainer<>;

} // namespace raif
