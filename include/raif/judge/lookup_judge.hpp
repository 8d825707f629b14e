#pragma once
/// @file
/// LookupJudge: a deterministic, rule-based model of the `judge` concept.

#include <raif/constraint/any_constraint.hpp>
#include <raif/constraint/constraint.hpp>
#include <raif/error.hpp>
#include <raif/judge/judge.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace raif {

/// A rule-based judge: each scoring question is answered by a constraint looked up by the
/// question text (e.g. "Is the answer free of commas?" -> punctuation:no_comma). Deterministic;
/// margin ±`confidence`. An unknown question is an error, never a guess.
class LookupJudge {
public:
  LookupJudge& add(std::string question, AnyConstraint c) {
    table_[std::move(question)] = std::move(c);
    return *this;
  }
  std::vector<JudgeDecision> judge(std::span<const JudgeQuery> qs) const {
    std::vector<JudgeDecision> out;
    for (const auto& q : qs) {
      auto it = table_.find(q.question);
      if (it == table_.end()) throw error("raif: LookupJudge has no rule for the question '" + q.question + "'");
      const bool yes = it->second.check(Text(q.answer), Context{.prompt = q.input});
      out.push_back({yes, yes ? confidence : -confidence});
    }
    ++*calls_;
    return out;
  }
  /// How many batches it was asked (the batching tests read it).
  std::size_t calls() const { return *calls_; }
  double confidence = 5.0;

private:
  std::map<std::string, AnyConstraint, std::less<>> table_;
  std::shared_ptr<std::atomic<std::size_t>> calls_ = std::make_shared<std::atomic<std::size_t>>(0);
};
static_assert(judge<LookupJudge>);

} // namespace raif
