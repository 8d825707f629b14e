#pragma once
/// @file
/// Held-out evaluation of a policy: greedy generation with reasoning and with forced no-reasoning
/// (the empty think block pre-filled), scored against each item's composition.
///
/// Strict: the composition on the extracted answer. Loose (IFEval's SPEC §1.6 transformations,
/// applied to the answer): a prompt passes loosely if one of the eight candidates passes every
/// leaf; the loose leaf count of a prompt is the best count over the candidates. A response that
/// is not well formed (think/answer) fails every leaf in both modes. Judge-verified leaves go to
/// EvalOptions::judge, all of a mode's queries in as few calls as the leaves allow (usually one,
/// a second for the loose candidates of prompts that failed strictly).

#include <raif/compose/runtime.hpp>
#include <raif/data/item.hpp>
#include <raif/detail/parallel.hpp>
#include <raif/eval/ifeval.hpp>
#include <raif/judge/recording_judge.hpp>
#include <raif/reward/answer.hpp>
#include <raif/rollout/generate.hpp>
#include <raif/tokenizer/chat_template.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace raif {

struct EvalCounts {
  std::size_t prompts = 0, prompt_strict = 0, prompt_loose = 0, well_formed = 0;
  std::size_t leaves = 0, leaf_strict = 0, leaf_loose = 0;
  double prompt_strict_acc() const { return prompts ? double(prompt_strict) / double(prompts) : 0; }
  double prompt_loose_acc() const { return prompts ? double(prompt_loose) / double(prompts) : 0; }
  double leaf_strict_acc() const { return leaves ? double(leaf_strict) / double(leaves) : 0; }
  double leaf_loose_acc() const { return leaves ? double(leaf_loose) / double(leaves) : 0; }
  double format_rate() const { return prompts ? double(well_formed) / double(prompts) : 0; }
  void add(const EvalCounts& o) {
    prompts += o.prompts, prompt_strict += o.prompt_strict, prompt_loose += o.prompt_loose,
        well_formed += o.well_formed;
    leaves += o.leaves, leaf_strict += o.leaf_strict, leaf_loose += o.leaf_loose;
  }
  nlohmann::json to_json() const {
    return {{"prompts", prompts},
            {"prompt_strict", prompt_strict_acc()},
            {"prompt_loose", prompt_loose_acc()},
            {"leaf_strict", leaf_strict_acc()},
            {"leaf_loose", leaf_loose_acc()},
            {"format_rate", format_rate()}};
  }
};

struct EvalReport {
  EvalCounts all;
  std::map<std::string, EvalCounts> by_composition, by_depth;
  std::size_t truncated = 0; ///< responses cut by max_new_tokens
  double mean_tokens = 0;
  nlohmann::json to_json() const {
    nlohmann::json j = {{"all", all.to_json()}, {"truncated", truncated}, {"mean_tokens", mean_tokens}};
    for (const auto& [k, v] : by_composition) j["by_composition"][k] = v.to_json();
    for (const auto& [k, v] : by_depth) j["by_depth"][k] = v.to_json();
    return j;
  }
};

/// Scores one response to one item (what the evaluation and the tests share); `judge` answers its
/// judge-verified leaves.
inline EvalCounts score_response(const Item& item, const AnyNode& node, std::string_view response,
                                 const Judge* judge = nullptr) {
  EvalCounts c;
  c.prompts = 1;
  const Extraction e = extract_answer(response);
  // A response that is not well formed fails every leaf whatever the judge says: its leaves are
  // only counted, and the judge is not asked (detail::FixedJudge says NO to everything, unasked).
  static const Judge unasked{detail::FixedJudge{.yes = false}};
  const Context ctx{
      .prompt = item.instruction, .fields = &item.context, .judge = e.well_formed || !judge ? judge : &unasked};
  const Verdict strict = raif::evaluate(node, e.answer, ctx, 1.0, Detail::scores);
  const auto scored = strict.scored();
  c.leaves = scored.size();
  if (!e.well_formed) return c;
  c.well_formed = 1;
  auto passed = [](const Verdict& v) {
    std::size_t n = 0;
    for (const auto* l : v.scored()) n += l->effective >= 1.0;
    return n;
  };
  c.leaf_strict = passed(strict);
  c.prompt_strict = c.leaf_strict == c.leaves;
  c.leaf_loose = c.leaf_strict;
  c.prompt_loose = c.prompt_strict;
  if (!c.prompt_strict)
    for (const auto& cand : loose_candidates(e.answer)) {
      const Verdict v = raif::evaluate(node, cand, ctx, 1.0, Detail::scores);
      const auto n = passed(v);
      if (v.scored().size() == c.leaves) c.leaf_loose = std::max(c.leaf_loose, n);
      if (n == v.scored().size()) {
        c.prompt_loose = 1;
        c.leaf_loose = c.leaves;
        // The rest cannot change the counts. With a judge they are still asked, so that batched
        // judging (score_responses) learns every candidate's queries in one round, not one a round.
        if (!judge) break;
      }
    }
  return c;
}

/// Scores `responses[i]` to `items[i]` (`nodes[i]`: its compiled spec) on `threads` threads; the
/// judge-verified leaves of all of them go to `judge` together, in one call per round (usually
/// two: the strict verdicts, then the loose candidates of the prompts that failed).
inline std::vector<EvalCounts> score_responses(const std::vector<Item>& items, const std::vector<AnyNode>& nodes,
                                               const std::vector<std::string>& responses, unsigned threads = 0,
                                               const Judge* judge = nullptr) {
  if (nodes.size() != items.size() || responses.size() != items.size())
    throw error("raif: score_responses: " + std::to_string(items.size()) + " items, " + std::to_string(nodes.size()) +
                " specs and " + std::to_string(responses.size()) + " responses");
  std::vector<EvalCounts> counts(items.size());
  detail::judged_in_batches(judge, [&](const Judge* j) {
    detail::parallel_for(items.size(), threads,
                         [&](std::size_t i) { counts[i] = score_response(items[i], nodes[i], responses[i], j); });
  });
  return counts;
}

struct EvalOptions {
  std::string system;
  std::int64_t max_new_tokens = 160, batch_size = 64;
  unsigned threads = 0;
  ChatML chat{};                     ///< a checkpoint's (its default system message)
  std::vector<std::int64_t> eos_ids; ///< empty: raif's tokenizer's <|im_end|> and <|endoftext|>
  std::int64_t pad_id = -1;          ///< -1: raif's tokenizer's <|pad|>
  const Judge* judge = nullptr;      ///< answers judge-verified leaves (the trainer's judge.model)
};

/// Greedy responses of `model` to `items` (forced no-reasoning with `no_think`).
inline std::vector<Completion> respond(Qwen2& model, const BpeTokenizer& tok, const std::vector<Item>& items,
                                       bool no_think, const EvalOptions& o) {
  std::vector<Completion> out;
  auto eos = o.eos_ids.empty() ? ChatSpecialIds::of(tok).eos : o.eos_ids;
  const SamplingParams sp{.temperature = 0,
                          .max_new_tokens = o.max_new_tokens,
                          .eos_ids = eos,
                          .vocab_limit = static_cast<std::int64_t>(tok.vocab_size())};
  const auto pad = o.pad_id >= 0 ? o.pad_id : ChatSpecialIds::of(tok).pad;
  for (std::size_t s = 0; s < items.size(); s += static_cast<std::size_t>(o.batch_size)) {
    std::vector<std::vector<std::int64_t>> prompts;
    for (std::size_t i = s; i < std::min(items.size(), s + static_cast<std::size_t>(o.batch_size)); ++i)
      prompts.push_back(tok.encode(o.chat.prompt(o.system, items[i].instruction, no_think)));
    auto g = generate(model, prompts, sp, &tok, pad);
    for (auto& c : g) out.push_back(std::move(c));
  }
  return out;
}

/// One item's evaluation in one mode: its counts, the response (with the pre-filled empty think
/// when reasoning was skipped), why generation stopped and how many tokens it made.
struct ItemEval {
  EvalCounts counts;
  std::string response;
  FinishReason finish = FinishReason::length;
  std::size_t tokens = 0;
};

namespace detail {
inline std::vector<AnyNode> compile_items(const std::vector<Item>& items) {
  std::vector<AnyNode> nodes;
  nodes.reserve(items.size());
  for (const auto& it : items) nodes.push_back(compile(it.spec));
  return nodes;
}
} // namespace detail

/// Greedy responses of `model` to `items` in one mode, each scored (`nodes[i]`: items[i]'s spec).
inline std::vector<ItemEval> evaluate_items(Qwen2& model, const BpeTokenizer& tok, const std::vector<Item>& items,
                                            const std::vector<AnyNode>& nodes, bool no_think, const EvalOptions& o) {
  const auto comps = respond(model, tok, items, no_think, o);
  const std::string prefill = no_think ? o.chat.no_think_prefill : "";
  std::vector<ItemEval> out(items.size());
  std::vector<std::string> texts;
  for (const auto& c : comps) texts.push_back(prefill + c.text);
  const auto counts = score_responses(items, nodes, texts, o.threads, o.judge);
  for (std::size_t i = 0; i < items.size(); ++i)
    out[i] = {counts[i], std::move(texts[i]), comps[i].finish, comps[i].tokens.size()};
  return out;
}

/// The report of `results` (`results[i]`: items[i]'s, in one mode); `responses` (optional)
/// receives one JSON line per item: id, mode, prompt, response, finish, strict pass, leaves.
inline EvalReport summarize(const std::vector<Item>& items, const std::vector<ItemEval>& results, bool no_think,
                            std::vector<nlohmann::json>* responses = nullptr) {
  if (results.size() != items.size())
    throw error("raif: summarize: " + std::to_string(results.size()) + " results for " +
                std::to_string(items.size()) + " items");
  EvalReport r;
  double tokens = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& e = results[i];
    r.all.add(e.counts);
    r.by_composition[items[i].composition].add(e.counts);
    r.by_depth[std::to_string(items[i].depth)].add(e.counts);
    r.truncated += e.finish == FinishReason::length;
    if (responses)
      responses->push_back({{"id", items[i].id},
                            {"mode", no_think ? "no_reasoning" : "reasoning"},
                            {"prompt", items[i].instruction},
                            {"response", e.response},
                            {"finish", to_string(e.finish)},
                            {"strict", e.counts.prompt_strict == 1},
                            {"leaves_passed", e.counts.leaf_strict},
                            {"leaves", e.counts.leaves}});
    tokens += static_cast<double>(e.tokens);
  }
  r.mean_tokens = items.empty() ? 0 : tokens / static_cast<double>(items.size());
  return r;
}

namespace detail {
// evaluate_mode with the items' specs compiled (`nodes[i]` is items[i]'s), so both modes share them.
inline EvalReport evaluate_compiled(Qwen2& model, const BpeTokenizer& tok, const std::vector<Item>& items,
                                    const std::vector<AnyNode>& nodes, bool no_think, const EvalOptions& o,
                                    std::vector<nlohmann::json>* responses) {
  return summarize(items, evaluate_items(model, tok, items, nodes, no_think, o), no_think, responses);
}
} // namespace detail

/// The evaluation report of `model` on `items` in one mode: reasoning, or forced no reasoning
/// (`no_think`). `responses` (optional) receives one JSON line per item: id, mode, response, strict pass.
inline EvalReport evaluate_mode(Qwen2& model, const BpeTokenizer& tok, const std::vector<Item>& items, bool no_think,
                                const EvalOptions& o, std::vector<nlohmann::json>* responses = nullptr) {
  return detail::evaluate_compiled(model, tok, items, detail::compile_items(items), no_think, o, responses);
}

/// The evaluation report of `model` on `items`, with reasoning and with forced no-reasoning.
/// `responses` (optional) receives one JSON line per (item, mode), the reasoning ones first.
inline std::pair<EvalReport, EvalReport> evaluate_policy(Qwen2& model, const BpeTokenizer& tok,
                                                         const std::vector<Item>& items, const EvalOptions& o,
                                                         std::vector<nlohmann::json>* responses = nullptr) {
  const auto nodes = detail::compile_items(items);
  auto reasoning = detail::evaluate_compiled(model, tok, items, nodes, false, o, responses);
  return {std::move(reasoning), detail::evaluate_compiled(model, tok, items, nodes, true, o, responses)};
}

} // namespace raif
