#pragma once
/// @file
/// LmJudge: the LLM judge of method.md §2, a model of the `judge` concept. For each (input, answer,
/// scoring question) it renders a judge prompt, teacher-forces a YES and a NO continuation, and
/// decides YES iff log p(YES) > log p(NO); the margin is the difference. All queries of a call go
/// through the model together, in micro-batches, each prompt once (shared_prefix_logprobs).
///
///   raif::LmJudge judge{.model = judge_model, .tokenizer = &tok};
///   raif::Judge any = judge;                       // usable wherever a raif::Judge is
///   auto d = judge.judge(queries);                 // d[i].yes, d[i].margin

#include <raif/judge/judge.hpp>
#include <raif/rollout/logprobs.hpp>
#include <raif/tokenizer/bpe.hpp>
#include <raif/tokenizer/chat_template.hpp>

#include <algorithm>
#include <span>
#include <string>
#include <vector>

namespace raif {

struct LmJudge {
  Qwen2 model{nullptr};
  const BpeTokenizer* tokenizer = nullptr;
  ChatML chat{};
  std::string system{JudgePrompt::system};
  /// {input}, {answer} and {question} are replaced by the query's fields.
  std::string prompt_template{JudgePrompt::user};
  std::string yes{JudgePrompt::yes}, no{JudgePrompt::no};
  std::int64_t micro_batch = 16;

  /// The judge prompt of one query, up to the assistant's turn.
  std::string render(const JudgeQuery& q) const {
    std::string s = prompt_template;
    for (auto [key, value] : {std::pair<std::string, const std::string*>{"{input}", &q.input},
                              {"{answer}", &q.answer},
                              {"{question}", &q.question}}) {
      for (std::size_t at = s.find(key); at != std::string::npos; at = s.find(key, at + value->size()))
        s.replace(at, key.size(), *value);
    }
    return chat.prompt(system, s);
  }

  std::vector<JudgeDecision> judge(std::span<const JudgeQuery> qs) const {
    if (!model || !tokenizer) throw error("raif: LmJudge needs a model and a tokenizer");
    const auto yes_ids = tokenizer->encode(yes, false), no_ids = tokenizer->encode(no, false);
    if (yes_ids.empty() || no_ids.empty()) throw error("raif: LmJudge: the yes and no answers must not be empty");
    std::vector<std::vector<std::int64_t>> prompts;
    const auto longest_answer = static_cast<std::int64_t>(std::max(yes_ids.size(), no_ids.size()));
    for (const auto& q : qs) {
      prompts.push_back(tokenizer->encode(render(q)));
      const auto need = static_cast<std::int64_t>(prompts.back().size()) + longest_answer;
      if (need > model->config.max_position_embeddings)
        throw error("raif: LmJudge: the judge prompt for the question \"" + q.question + "\" is " +
                    std::to_string(prompts.back().size()) + " tokens, which with its answer exceeds the judge's " +
                    "max_position_embeddings " + std::to_string(model->config.max_position_embeddings));
    }
    auto m = model; // a handle: the module itself is shared
    // Each prompt runs once; YES and NO continue it from the same KV cache.
    const auto lp = shared_prefix_logprobs(m, prompts, {yes_ids, no_ids}, micro_batch);
    std::vector<JudgeDecision> out;
    for (const auto& yes_no : lp) {
      const double margin = yes_no[0] - yes_no[1];
      out.push_back({margin > 0, margin});
    }
    return out;
  }
};
static_assert(judge<LmJudge>);

} // namespace raif
