#pragma once
/// @file
/// The `judge` concept for judge-verified leaves (method.md §2): for each (input, answer, scoring
/// question) a YES/NO decision with its log-probability margin, batched.
///
/// Definition: a type J with `std::vector<JudgeDecision> judge(std::span<const JudgeQuery>) const`.
/// Minimal complete definition: that member.
/// Laws: one decision per query, in the queries' order; a decision depends on its query alone
/// (batching never changes an answer), so callers may batch, split and memoise freely.
/// Models: `LookupJudge` (judge/lookup_judge.hpp, rule-based), `LmJudge` (LibTorch layer,
/// rollout/judge.hpp), and `Judge`, which erases the type of any of them.
/// Example: tests/reward/test_rewards.cpp, "Judge-verified leaves".
///
/// This folder sits below both compose/ (the judge-verified leaf) and reward/ (batched scoring):
/// the concept belongs to neither.

#include <raif/error.hpp>

#include <compare>
#include <concepts>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace raif {

struct JudgeQuery {
  std::string input;    ///< the instruction (prompt)
  std::string answer;   ///< the text being judged
  std::string question; ///< one scoring question, answerable YES or NO
  auto operator<=>(const JudgeQuery&) const = default;
};

struct JudgeDecision {
  bool yes = false;
  double margin = 0; ///< log p(YES) - log p(NO); yes iff margin > 0 for an LM judge
};

/// The default wording of an LLM judge (LmJudge; the trainer's [judge] keys): {input}, {answer}
/// and {question} are filled in with the query's fields.
struct JudgePrompt {
  static constexpr std::string_view system = "You are a strict grader. Answer YES or NO.";
  static constexpr std::string_view user =
      "Instruction:\n{input}\n\nResponse:\n{answer}\n\nQuestion: {question}\nAnswer YES or NO.";
  static constexpr std::string_view yes = "YES", no = "NO";
};

template <class J>
concept judge = requires(const J& j, std::span<const JudgeQuery> q) {
  { j.judge(q) } -> std::same_as<std::vector<JudgeDecision>>;
};

namespace detail {
/// A judge with one answer for every query, asking no one: the composer's view of its expert's
/// own judge leaves (YES), the evaluation's of a response that fails every leaf anyway (NO).
struct FixedJudge {
  bool yes = false;
  std::vector<JudgeDecision> judge(std::span<const JudgeQuery> q) const {
    return std::vector<JudgeDecision>(q.size(), JudgeDecision{yes, 0});
  }
};
} // namespace detail

/// A type-erased judge.
class Judge {
public:
  template <class J>
  requires(judge<J> && !std::is_same_v<std::remove_cvref_t<J>, Judge>) Judge(J j)
      : self_(std::make_shared<Model<J>>(std::move(j))) {} // NOLINT: implicit by design
  std::vector<JudgeDecision> judge(std::span<const JudgeQuery> q) const {
    auto out = self_->judge(q);
    if (out.size() != q.size())
      throw error("raif: judge returned " + std::to_string(out.size()) + " decisions for " + std::to_string(q.size()) +
                  " queries");
    return out;
  }

private:
  struct Concept {
    virtual ~Concept() = default;
    virtual std::vector<JudgeDecision> judge(std::span<const JudgeQuery>) const = 0;
  };
  template <class J> struct Model final : Concept {
    explicit Model(J j) : j_(std::move(j)) {}
    std::vector<JudgeDecision> judge(std::span<const JudgeQuery> q) const override { return j_.judge(q); }
    J j_;
  };
  std::shared_ptr<const Concept> self_;
};

} // namespace raif
