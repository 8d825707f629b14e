#pragma once
/// @file
/// One GRPO step (method.md §3–4) as a composition of named, replaceable stages:
///
///   rollout    P prompts × G samples; with a contrast-using selection, the last
///              round(G × no_think_fraction) of each group are forced to skip reasoning (§3)
///   reward     RAIF's format + accuracy over the item's composition, plus your terms (§2)
///   estimator  one advantage per sample from the group's rewards (§4)   advantage_estimator
///   selection  which samples train; forced no-reasoning samples never do (§3)   sample_selection
///   objective  clipped surrogate + KL to the reference [+ entropy] on the rollouts, plus
///              behaviour cloning on expert traces (§4), per mini-batch   objective_term...
///   optimizer  and schedule: the update and its learning rate   optimizer_factory, lr_schedule
///
///   raif::GrpoStep step{.reward = raif::GrpoReward<raif::RaifPiecewise>{},
///                       .estimator = raif::GroupNorm{.scale_by_std = false},    // Dr.GRPO
///                       .selection = raif::DynamicSampling{},
///                       .objective = raif::objective(raif::ClippedSurrogate{.eps_high = 0.28},
///                                                    raif::KLPenalty<raif::K3>{.coef = 1e-3},
///                                                    raif::LossAggregation::token_mean)};
///   trainer.run(step);   // the reference trainer's pipeline with your step (examples/custom_grpo.cpp)
///
/// Hyper-parameters are runtime fields; every stage is a template parameter, so a stage chosen by
/// name in a config is a Chosen<...> (raif/named.hpp) and one of your own is a plain type.

#include <raif/advantage/estimators.hpp>
#include <raif/advantage/selection.hpp>
#include <raif/compose/runtime.hpp>
#include <raif/data/item.hpp>
#include <raif/detail/parallel.hpp>
#include <raif/judge/recording_judge.hpp>
#include <raif/named.hpp>
#include <raif/objective/objective.hpp>
#include <raif/reward/combinators.hpp>
#include <raif/rollout/generate.hpp>
#include <raif/rollout/logprobs.hpp>
#include <raif/tokenizer/bpe.hpp>
#include <raif/tokenizer/chat_template.hpp>
#include <raif/trainer/distributed.hpp>
#include <raif/trainer/mixed_precision.hpp>
#include <raif/trainer/optim.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <range/v3/view/enumerate.hpp>
#include <range/v3/view/filter.hpp>
#include <range/v3/view/iota.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace raif {

/// What a step works on, owned by the trainer: the models, the optimiser, the tokenizer, the
/// training items with their compiled specs, and the behaviour-cloning batches.
struct GrpoContext {
  Qwen2& policy;
  Qwen2& reference;
  torch::optim::Optimizer& optimizer;
  const BpeTokenizer& tokenizer;
  const std::vector<Item>& items;
  const std::vector<AnyNode>& specs;
  std::string system;
  ChatML chat{}; ///< the prompt format (a checkpoint's: its default system message)
  std::vector<std::int64_t> eos_ids;
  std::int64_t pad_id = 0;
  torch::Device device = torch::kCPU;
  unsigned threads = 1;
  /// Answers the judge-verified leaves of the items' compositions (method.md §2), this rank's
  /// samples' queries in one call per round; nullptr: none (such a leaf is then an error). Under
  /// data parallelism set it on every rank or on none: the step sums its query counts over ranks.
  const Judge* judge = nullptr;
  /// The ranks of a data-parallel run (one process by default): each samples and trains its shard
  /// of the prompts, whole groups; rewards, advantages and selection see every rank's samples.
  DataParallel dp{};
  /// The random stream of (phase, step): every draw is a function of the seed, so runs resume exactly.
  std::function<std::uint64_t(std::string_view phase, std::int64_t step)> seed_of;
  /// A behaviour-cloning batch (expert_logp, expert_mask) of `n` expert examples for draw `k`
  /// (this rank's share of them under data parallelism).
  std::function<PolicyBatch(std::int64_t k, std::int64_t n)> expert_batch;
  /// Where a skipped update is reported (the trainer's log).
  std::function<void(const std::string&)> log = [](const std::string&) {};
  /// Updates skipped in a row for a non-finite loss or gradient norm, across steps; the step
  /// throws when it reaches `max_nonfinite_in_a_row` (0: never).
  std::int64_t nonfinite_in_a_row = 0, max_nonfinite_in_a_row = 0;
};

namespace detail::trainer {
/// The log line of an update skipped for a non-finite loss or gradient norm.
inline std::string nonfinite_line(const std::string& phase, std::int64_t step, std::int64_t batch, double loss,
                                  double norm, std::int64_t in_a_row) {
  return fmt::format("{} step {}, mini-batch {}: non-finite loss {} or gradient norm {}; update skipped ({} in a row)",
                     phase, step + 1, batch, loss, norm, in_a_row);
}
/// The log line of an update skipped because its fp16 gradients overflowed the loss scale, now `scale`.
inline std::string overflow_line(const std::string& phase, std::int64_t step, std::int64_t batch, double scale) {
  return fmt::format("{} step {}, mini-batch {}: gradients overflowed fp16 at this loss scale; update skipped, loss "
                     "scale lowered to {}",
                     phase, step + 1, batch, scale);
}
/// Throws when `in_a_row` skipped updates reach `limit` (0: never), naming the step and the batch.
inline void stop_if_nonfinite(const std::string& phase, std::int64_t step, std::int64_t batch, std::int64_t in_a_row,
                              std::int64_t limit) {
  if (limit > 0 && in_a_row >= limit)
    throw error(fmt::format("raif: {} step {}, mini-batch {}: {} updates in a row had a non-finite loss or gradient "
                            "(run.max_nonfinite_in_a_row = {}); stopped. The last checkpoint and state.json are "
                            "those before; see the log for each skipped update",
                            phase, step + 1, batch, in_a_row, limit));
}
/// Micro-batches of `rows` in order: at most `max_rows` rows each and, when `max_tokens` > 0, at
/// most `max_tokens` padded tokens (rows × the longest row's `length`); a row longer than the budget
/// alone makes one. Each is a list of positions into `rows`.
inline std::vector<std::vector<std::size_t>> micro_batches(const std::vector<std::int64_t>& length,
                                                           std::int64_t max_rows, std::int64_t max_tokens) {
  std::vector<std::vector<std::size_t>> out;
  std::int64_t longest = 0;
  for (std::size_t r = 0; r < length.size(); ++r) {
    const auto wider = std::max(longest, length[r]);
    const auto rows = out.empty() ? 0 : static_cast<std::int64_t>(out.back().size());
    if (out.empty() || rows == max_rows || (max_tokens > 0 && (rows + 1) * wider > max_tokens)) {
      out.emplace_back();
      longest = length[r];
    } else {
      longest = wider;
    }
    out.back().push_back(r);
  }
  return out;
}

/// Per sample of every rank, in rank order: what the estimator and the selection read.
struct BatchSignals {
  Eigen::ArrayXd reward, accuracy, tokens;
  std::vector<bool> reasoning;
};
inline BatchSignals gather_signals(const DataParallel& dp, const Eigen::ArrayXd& reward, const Eigen::ArrayXd& accuracy,
                                   const Eigen::ArrayXd& tokens, const std::vector<bool>& reasoning) {
  if (dp.size() == 1) return {reward, accuracy, tokens, reasoning};
  constexpr std::size_t fields = 4;
  std::vector<double> mine;
  for (Eigen::Index s = 0; s < reward.size(); ++s)
    mine.insert(mine.end(), {reward[s], accuracy[s], tokens[s], reasoning[static_cast<std::size_t>(s)] ? 1.0 : 0.0});
  const auto all = dp.gather(mine);
  const auto n = static_cast<Eigen::Index>(all.size() / fields);
  BatchSignals out{Eigen::ArrayXd(n), Eigen::ArrayXd(n), Eigen::ArrayXd(n), std::vector<bool>(all.size() / fields)};
  for (Eigen::Index s = 0; s < n; ++s) {
    const auto* row = &all[static_cast<std::size_t>(s) * fields];
    out.reward[s] = row[0], out.accuracy[s] = row[1], out.tokens[s] = row[2];
    out.reasoning[static_cast<std::size_t>(s)] = row[3] != 0;
  }
  return out;
}
} // namespace detail::trainer

/// The reward stage of the reference trainer: RAIF's reward (paper Eq. 6) over the sample's item's
/// composition, with answer policy `Policy`, plus reward terms of your own (each a reward_term:
/// its value is added, its components join the sample's). Superior-CoT compares the accuracy
/// component alone.
template <class Policy = RaifPiecewise, class... Terms> struct GrpoReward {
  Policy policy{};
  std::tuple<Terms...> terms{};
  RewardResult operator()(const AnyNode& spec, const Sample& s) const {
    RewardResult out = RaifReward<AnyNode, Policy>{.spec = spec, .policy = policy, .detail = Detail::scores}(s);
    detail::add_terms(out, terms, s);
    return out;
  }
};

template <class R>
concept item_reward = requires(const R& r, const AnyNode& spec, const Sample& s) {
  { r(spec, s) } -> std::same_as<RewardResult>;
};

/// The sampling side of the rollout stage (G, P, the forced no-reasoning share, the sampler).
struct GrpoRollout {
  std::int64_t prompts_per_step = 16, group_size = 8;
  double no_think_fraction = 0.25;
  SamplingParams sampling{};
};

/// How the rollouts train: mini-batches (optimiser steps) per rollout, rows and padded tokens per
/// micro-batch (0: rows only), gradient clipping, and behaviour cloning's batch.
struct GrpoUpdate {
  std::int64_t updates_per_rollout = 2, micro_batch = 32, micro_batch_tokens = 0, bc_batch = 8;
  double grad_clip = 1.0;
};

/// One rollout: the samples of P prompts × G, in groups of G consecutive samples (under data
/// parallelism, this rank's prompts: the step's prompts first_prompt, first_prompt + 1, ...).
struct RolloutBatch {
  std::size_t first_prompt = 0;
  std::vector<std::size_t> items;                 ///< per prompt: the training item
  std::vector<std::vector<std::int64_t>> prompts; ///< per sample
  std::vector<bool> reasoning;                    ///< per sample: false when forced to skip reasoning
  std::vector<Completion> completions;            ///< per sample
  std::vector<std::string> responses;             ///< per sample, with the pre-filled empty think
  Groups groups;
  std::size_t item_of(std::size_t sample) const { return items[sample / (prompts.size() / items.size())]; }
  std::size_t size() const { return prompts.size(); } ///< samples
};

/// The rewards of a rollout.
struct RolloutScores {
  std::vector<RewardResult> results;
  Eigen::ArrayXd reward, accuracy, tokens;
  detail::JudgeCalls judge{}; ///< the judge's queries and calls, and how long they took
};

template <class Reward, class Estimator, class Selector, class Objective, class Optimizer = AdamW,
          class Schedule = Cosine>
struct GrpoStep {
  static_assert(item_reward<Reward>, "raif: GrpoStep's reward is RewardResult r(const AnyNode& spec, const Sample&) "
                                     "const; GrpoReward<Policy, YourTerms...> is one");
  static_assert(advantage_estimator<Estimator>,
                "raif: GrpoStep's estimator needs Eigen::ArrayXd operator()(const AdvantageInput&) const");
  static_assert(sample_selection<Selector>,
                "raif: GrpoStep's selection needs Selection operator()(const SelectionInput&) const");
  static_assert(optimizer_factory<Optimizer>,
                "raif: GrpoStep's optimizer needs std::unique_ptr<torch::optim::Optimizer> operator()(params, lr, "
                "weight_decay) const");
  static_assert(lr_schedule<Schedule>, "raif: GrpoStep's schedule needs double operator()(double progress) const");

  GrpoRollout rollout{};
  Reward reward{};
  Estimator estimator{};
  Selector selection{};
  Objective objective{};
  BehaviorCloning bc{};
  GrpoUpdate update{};
  Optimizer optimizer{};
  Schedule schedule{};
  double lr = 1e-3, weight_decay = 0.01;
  std::int64_t warmup = 5;

  /// Step `step` of `total`: returns its metrics (one metrics.jsonl line).
  nlohmann::json operator()(GrpoContext& ctx, std::int64_t step, std::int64_t total) const {
    const auto start = std::chrono::steady_clock::now();
    const auto batch = sample(ctx, step);
    const double rollout = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    auto m = learn(ctx, batch, step, total, start);
    m["seconds_rollout"] = rollout; // of `seconds`: this rank's generation
    return m;
  }

  /// §3: this rank's share of the step's P prompts (all of them in one process), drawn with
  /// replacement, G samples each, the last ones of a group forced to skip reasoning. Each sample
  /// draws from the random stream of its place in the whole batch, so the shards of N ranks sample
  /// what one process would (up to the float rounding of a smaller batch).
  RolloutBatch sample(GrpoContext& ctx, std::int64_t step) const {
    const ChatML& chat = ctx.chat;
    const std::int64_t G = rollout.group_size, no_think = no_think_per_group();
    RolloutBatch b;
    std::mt19937_64 rng(ctx.seed_of("grpo", step));
    std::vector<std::size_t> drawn;
    for (std::int64_t p = 0; p < rollout.prompts_per_step; ++p) drawn.push_back(rng() % ctx.items.size());
    const auto [first, last] = ctx.dp.shard(drawn.size());
    if (first == last)
      throw error(fmt::format("raif: grpo.prompts_per_step = {} leaves rank {} of {} without a prompt",
                              rollout.prompts_per_step, ctx.dp.rank(), ctx.dp.size()));
    b.first_prompt = first;
    b.items.assign(drawn.begin() + static_cast<std::ptrdiff_t>(first),
                   drawn.begin() + static_cast<std::ptrdiff_t>(last));
    for (auto i : b.items)
      for (std::int64_t k = 0; k < G; ++k) {
        const bool forced = k >= G - no_think;
        b.prompts.push_back(ctx.tokenizer.encode(chat.prompt(ctx.system, ctx.items[i].instruction, forced)));
        b.reasoning.push_back(!forced);
      }
    ctx.policy->eval();
    SamplingParams sp = rollout.sampling;
    sp.eos_ids = ctx.eos_ids;
    sp.seed = ctx.seed_of("sample", step);
    sp.first_stream = first * static_cast<std::uint64_t>(G);
    sp.vocab_limit = static_cast<std::int64_t>(ctx.tokenizer.vocab_size());
    b.completions = generate(ctx.policy, b.prompts, sp, &ctx.tokenizer, ctx.pad_id);
    for (const auto& [s, c] : ranges::views::enumerate(b.completions))
      b.responses.push_back((b.reasoning[s] ? "" : chat.no_think_prefill) + c.text);
    b.groups = Groups::contiguous(b.prompts.size(), static_cast<std::size_t>(G));
    return b;
  }

  /// The rest of step `step` on a rollout: rewards (§2); advantages (§4) and the selection (§3)
  /// over every rank's samples, since an estimator may normalise over the batch; the update on
  /// this rank's (§4); the step's metrics over all ranks.
  nlohmann::json learn(GrpoContext& ctx, const RolloutBatch& batch, std::int64_t step, std::int64_t total,
                       std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now()) const {
    const double rate = learning_rate(schedule, lr, warmup, step, total);
    set_learning_rate(ctx.optimizer, rate);

    const RolloutScores scores = score(ctx, batch); // §2
    const auto all =
        detail::trainer::gather_signals(ctx.dp, scores.reward, scores.accuracy, scores.tokens, batch.reasoning);
    const Groups groups = Groups::contiguous(all.reasoning.size(), static_cast<std::size_t>(rollout.group_size));
    const Eigen::ArrayXd advantages = estimator(AdvantageInput{all.reward, groups, all.tokens}); // §4
    Selection kept = selection(SelectionInput{all.reward, all.accuracy, all.reasoning, groups}); // §3
    for (std::size_t s = 0; s < kept.keep.size(); ++s) // the contrast never trains, whatever the selection
      if (kept.keep[s] && !all.reasoning[s]) kept.keep[s] = false, --kept.kept;
    const auto first = batch.first_prompt * static_cast<std::size_t>(rollout.group_size);
    const Eigen::ArrayXd mine =
        advantages.segment(static_cast<Eigen::Index>(first), static_cast<Eigen::Index>(batch.size()));
    const auto losses = train(ctx, batch, mine, kept, first, step); // §4

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    auto m = report(ctx.dp, batch, scores, kept, losses, seconds);
    m.update({{"phase", "grpo"}, {"step", step + 1}, {"lr", rate}});
    if (ctx.judge) { // every rank has one or none (the config's judge.model): the sum is collective
      m["judge_queries"] = ctx.dp.sum(static_cast<double>(scores.judge.queries));
      m["seconds_judge"] = scores.judge.seconds; // of `seconds`: this rank's judge calls
    }
    if (const auto scale = loss_scale_of(ctx.optimizer)) { // fp16 only: other runs' lines stay as they were
      m["loss_scale"] = *scale;
      if (losses.skipped_overflow > 0) m["skipped_overflow"] = losses.skipped_overflow;
    }
    return m;
  }

  /// Whether the selection compares reasoning with forced no-reasoning samples (superior-CoT).
  bool uses_contrast() const {
    return visit_model(selection, []<class S>(const S&) { return uses_no_reasoning_contrast<S>(); });
  }
  /// Forced no-reasoning samples per group: only a selection that compares with them gets them.
  std::int64_t no_think_per_group() const {
    return uses_contrast()
               ? static_cast<std::int64_t>(static_cast<double>(rollout.group_size) * rollout.no_think_fraction + 0.5)
               : 0;
  }

private:
  // §2: each sample's reward against its item's composition, on the reward threads.
  RolloutScores score(GrpoContext& ctx, const RolloutBatch& b) const {
    const auto n = b.responses.size();
    RolloutScores out{std::vector<RewardResult>(n), Eigen::ArrayXd(n), Eigen::ArrayXd(n), Eigen::ArrayXd(n)};
    out.judge = detail::judged_in_batches(ctx.judge, [&](const Judge* judge) {
      detail::parallel_for(n, ctx.threads, [&](std::size_t s) {
        const auto& item = ctx.items[b.item_of(s)];
        out.results[s] = reward(ctx.specs[b.item_of(s)], Sample{.prompt = item.instruction,
                                                                .response = b.responses[s],
                                                                .context = &item.context,
                                                                .judge = judge});
      });
    });
    for (std::size_t s = 0; s < n; ++s) {
      const auto i = static_cast<Eigen::Index>(s);
      out.reward[i] = out.results[s].value;
      out.accuracy[i] = out.results[s].component("accuracy");
      out.tokens[i] = static_cast<double>(b.completions[s].tokens.size());
    }
    return out;
  }

  struct Losses {
    double pg_loss = 0, kl = 0, clip = 0, entropy = 0, nll = 0, tokens = 0;
    bool has_entropy = false;
    std::int64_t skipped_nonfinite = 0; ///< mini-batches skipped for a non-finite loss or gradient
    std::int64_t skipped_overflow = 0;  ///< mini-batches skipped for an fp16 loss-scale overflow (apart)
  };

  // §4: the kept samples in `updates_per_rollout` mini-batches (the k-th kept sample of the whole
  // batch in mini-batch k mod n), each an optimiser step over micro-batches of the rollout
  // objective plus one BC term. `sel` covers every rank's samples, this rank's from `first` on;
  // losses are normalised by the counts of all ranks and the gradients summed over them.
  Losses train(GrpoContext& ctx, const RolloutBatch& b, const Eigen::ArrayXd& advantages, const Selection& sel,
               std::size_t first, std::int64_t step) const {
    std::vector<std::size_t> kept; // this rank's samples (indices into b)
    for (auto s : ranges::views::iota(std::size_t{0}, b.size()) |
                      ranges::views::filter([&](std::size_t s) { return sel.keep[first + s]; }))
      kept.push_back(s);
    const auto kept_before = static_cast<std::size_t>( // by earlier ranks
        std::count(sel.keep.begin(), sel.keep.begin() + static_cast<std::ptrdiff_t>(first), true));
    std::vector<std::vector<std::size_t>> minibatches(static_cast<std::size_t>(update.updates_per_rollout));
    for (const auto& [k, s] : ranges::views::enumerate(kept))
      minibatches[(kept_before + k) % minibatches.size()].push_back(s);
    // Each mini-batch's sequences and tokens over all ranks: token_mean and seq_mean_* normalise by them.
    std::vector<double> windows;
    for (const auto& mb : minibatches) {
      double tokens = 0;
      for (auto s : mb) tokens += static_cast<double>(b.completions[s].tokens.size());
      windows.insert(windows.end(), {static_cast<double>(mb.size()), tokens});
    }
    windows = ctx.dp.sum(std::move(windows));

    const auto bc_objective = raif::objective(bc, objective.aggregation);
    const double n_minibatches = static_cast<double>(minibatches.size());
    Losses l;
    ctx.policy->train();
    for (const auto& [u, mb] : ranges::views::enumerate(minibatches)) {
      zero_gradients(ctx.optimizer);
      const Losses before = l; // a skipped update's losses are not reported
      // Summed where the losses are (one copy to the host per mini-batch, for the finiteness check).
      torch::Tensor loss_sum = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat64).device(ctx.device));
      std::vector<std::int64_t> length; // each row's width in the batch: prompt + completion - 1
      for (auto s : mb)
        length.push_back(static_cast<std::int64_t>(b.prompts[s].size() + b.completions[s].tokens.size()) - 1);
      for (const auto& micro : detail::trainer::micro_batches(length, update.micro_batch, update.micro_batch_tokens)) {
        std::vector<std::size_t> rows;
        for (auto r : micro) rows.push_back(mb[r]);
        auto pb = policy_batch(ctx, b, advantages, rows);
        pb.aggregation.num_sequences = windows[2 * static_cast<std::size_t>(u)];
        pb.aggregation.num_tokens = windows[2 * static_cast<std::size_t>(u) + 1];
        pb.aggregation.scale = sum_norm_scale(); // not the micro-batch's width: the same on every rank
        const auto out = objective(pb);
        scaled_for_backward(ctx.optimizer, out.loss).backward();
        accumulate_gradients(ctx.optimizer); // bf16/fp16: summed in float32 across micro-batches
        loss_sum += out.loss.detach().to(torch::kFloat64);
        l.tokens += pb.mask.sum().template item<double>();
        const double w = static_cast<double>(rows.size()) / static_cast<double>(sel.kept);
        for (const auto& [name, v] : out.metrics) {
          if (name == "pg/loss") l.pg_loss += v / n_minibatches; // a share of its mini-batch's mean
          if (name == "kl/kl") l.kl += v * w;
          if (name == "pg/clip_fraction") l.clip += v * w;
          if (name == "entropy/entropy") l.entropy += v * w, l.has_entropy = true;
        }
      }
      if (bc.coef > 0) {
        auto expert = ctx.expert_batch(step * 1000 + static_cast<std::int64_t>(u), update.bc_batch);
        expert.aggregation.scale = sum_norm_scale();
        if (ctx.dp.size() > 1) { // this rank's share of the expert batch, normalised over all ranks'
          const auto all = ctx.dp.sum(
              {expert.expert_mask.sum().template item<double>(), static_cast<double>(expert.expert_mask.size(0))});
          expert.aggregation.num_tokens = all[0];
          expert.aggregation.num_sequences = all[1];
        }
        const auto out = bc_objective(expert);
        scaled_for_backward(ctx.optimizer, out.loss).backward();
        accumulate_gradients(ctx.optimizer); // bf16/fp16: summed in float32 across micro-batches
        loss_sum += out.loss.detach().to(torch::kFloat64);
        l.nll += out.metric("bc/nll") / n_minibatches;
      }
      // A non-finite loss or gradient (a NaN reward, an overflow) must not reach the weights: the
      // update is skipped, counted and logged; too many in a row stop the run.
      const double loss = ctx.dp.sum(loss_sum.template item<double>());
      const auto gradients = update_gradients(ctx.optimizer, ctx.policy->parameters()); // float32 masters or params
      ctx.dp.sum_gradients(gradients);
      const double norm = torch::nn::utils::clip_grad_norm_(gradients, update.grad_clip);
      if (std::isfinite(loss) && std::isfinite(norm)) {
        ctx.optimizer.step();
        ctx.nonfinite_in_a_row = 0;
      } else if (skip_update(ctx.optimizer, std::isfinite(loss))) { // fp16: the scale overflowed, now lower
        zero_gradients(ctx.optimizer);
        const auto skipped = l.skipped_overflow + 1;
        l = before;
        l.skipped_overflow = skipped;
        ctx.log(detail::trainer::overflow_line("grpo", step, static_cast<std::int64_t>(u),
                                               loss_scale_of(ctx.optimizer).value_or(0.0)));
      } else {
        zero_gradients(ctx.optimizer);
        const auto skipped = l.skipped_nonfinite + 1;
        l = before;
        l.skipped_nonfinite = skipped;
        ++ctx.nonfinite_in_a_row;
        const auto batch = static_cast<std::int64_t>(u);
        ctx.log(detail::trainer::nonfinite_line("grpo", step, batch, loss, norm, ctx.nonfinite_in_a_row));
        detail::trainer::stop_if_nonfinite("grpo", step, batch, ctx.nonfinite_in_a_row, ctx.max_nonfinite_in_a_row);
      }
    }
    return l;
  }

  // seq_mean_token_sum_norm's constant: Dr.GRPO's generation budget (verl's response width, which
  // its rollouts are padded to). A batch's own padded width would change with how rows are split
  // into micro-batches and ranks; a constant keeps N ranks × B/N rows equal to 1 rank × B.
  double sum_norm_scale() const { return static_cast<double>(rollout.sampling.max_new_tokens); }

  // The objective's batch for rows of the rollout, in the frame of rollout/logprobs.hpp.
  PolicyBatch policy_batch(GrpoContext& ctx, const RolloutBatch& b, const Eigen::ArrayXd& advantages,
                           const std::vector<std::size_t>& rows) const {
    const double temperature = rollout.sampling.temperature;
    std::vector<std::vector<std::int64_t>> prompts, completions;
    std::vector<double> adv;
    for (auto s : rows) {
      prompts.push_back(b.prompts[s]);
      completions.push_back(b.completions[s].tokens);
      adv.push_back(advantages[static_cast<Eigen::Index>(s)]);
    }
    const auto t = make_token_batch(prompts, completions, ctx.device, ctx.pad_id);
    PolicyBatch pb;
    pb.mask = t.loss_mask;
    if (objective.needs_logits()) { // the entropy bonus, from the same chunks of logits as the log-probs
      std::tie(pb.logp, pb.entropy) = ctx.policy->token_logprobs_entropy(t.ids, t.mask, t.targets, temperature);
    } else {
      pb.logp = ctx.policy->token_logprobs(t.ids, t.mask, t.targets, temperature);
    }
    pb.ref_logp = batch_logprobs(ctx.reference, t, update.micro_batch, temperature);
    pb.old_logp = torch::zeros_like(pb.logp);
    for (const auto& [r, s] : ranges::views::enumerate(rows)) // the sampling log-probs in the batch frame
      pb.old_logp[static_cast<std::int64_t>(r)]
          .narrow(0, static_cast<std::int64_t>(b.prompts[s].size()) - 1,
                  static_cast<std::int64_t>(b.completions[s].logprobs.size()))
          .copy_(torch::tensor(b.completions[s].logprobs).to(ctx.device));
    pb.advantages = torch::tensor(adv, torch::kFloat32).to(ctx.device).view({-1, 1}).expand_as(pb.logp);
    return pb;
  }

  // The step's metrics: this rank's sums, summed over the ranks; `sel` is already the whole batch's.
  static nlohmann::json report(const DataParallel& dp, const RolloutBatch& b, const RolloutScores& sc,
                               const Selection& sel, Losses l, double seconds) {
    double well_formed = 0, strict = 0, acc_r = 0, acc_n = 0, n_r = 0, n_n = 0, truncated = 0;
    for (std::size_t s = 0; s < b.responses.size(); ++s) {
      well_formed += sc.results[s].component("format") > 0;
      strict += sc.accuracy[static_cast<Eigen::Index>(s)] >= 2.0;
      (b.reasoning[s] ? acc_r : acc_n) += sc.accuracy[static_cast<Eigen::Index>(s)];
      (b.reasoning[s] ? n_r : n_n) += 1;
      truncated += b.completions[s].finish == FinishReason::length;
    }
    double n = static_cast<double>(b.responses.size()), generated = sc.tokens.sum();
    double reward = sc.reward.sum(), accuracy = sc.accuracy.sum();
    if (dp.size() > 1) {
      auto t = dp.sum({well_formed, strict, acc_r, acc_n, n_r, n_n, truncated, n, generated, reward, accuracy,
                       l.pg_loss, l.kl, l.clip, l.entropy, l.nll, l.tokens, l.has_entropy ? 1.0 : 0.0});
      l.has_entropy = t[17] > 0; // a rank that kept no row this step has no entropy of its own
      std::tie(well_formed, strict, acc_r, acc_n, n_r, n_n, truncated, n, generated, reward, accuracy) =
          std::tie(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9], t[10]);
      std::tie(l.pg_loss, l.kl, l.clip, l.entropy, l.nll, l.tokens) =
          std::tie(t[11], t[12], t[13], t[14], t[15], t[16]);
    }
    nlohmann::json m = {{"reward", reward / n}, // Eigen's mean() is sum() / n: one process's figures are unchanged
                        {"accuracy", accuracy / n},
                        {"strict", strict / n},
                        {"format", well_formed / n},
                        {"accuracy_reasoning", n_r ? acc_r / n_r : 0.0},
                        {"accuracy_no_reasoning", n_n ? acc_n / n_n : 0.0},
                        {"clip_fraction", l.clip},
                        {"pg_loss", l.pg_loss},
                        {"bc_nll", l.nll},
                        {"keep_ratio", sel.keep_ratio()},
                        {"trained_samples", sel.kept},
                        {"dropped_groups", sel.groups_dropped},
                        {"truncated", truncated / n},
                        {"response_tokens", generated / n},
                        {"tokens_per_s", (generated + l.tokens) / seconds},
                        {"seconds", seconds}};
    m["kl"] = l.kl; // 0 when no sample trained this step (or the objective has no KL term)
    if (l.has_entropy) m["entropy"] = l.entropy;
    if (l.skipped_nonfinite > 0) m["skipped_nonfinite"] = l.skipped_nonfinite; // absent when 0, as before
    return m;
  }
};

} // namespace raif
