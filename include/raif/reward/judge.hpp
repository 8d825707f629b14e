#pragma once
/// @file
/// The `judge` concept for judge-verified leaves (method.md §2): for each (input, answer, scoring
/// question) a YES/NO decision with its log-probability margin, batched. The LM judge (YES vs NO
/// teacher-forced log-probs) lives in the LibTorch layer; here are the interface, the plumbing, a
/// leaf that asks a judge, and LookupJudge — a deterministic rule-based judge.

#include <raif/constraint/any_constraint.hpp>
#include <raif/constraint/constraint.hpp>
#include <raif/error.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
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

template <class J>
concept judge = requires(const J& j, std::span<const JudgeQuery> q) {
  { j.judge(q) } -> std::same_as<std::vector<JudgeDecision>>;
};

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

/// A judge-verified leaf: YES to `question` about the text (the item's prompt is the input).
struct JudgeQuestion {
  static constexpr std::string_view id = "judge:question";
  BOOST_HANA_DEFINE_STRUCT(JudgeQuestion, (std::string, question));
  bool check(const Text& t, const Context& x) const {
    if (!x.judge) throw error("raif: leaf 'judge:question' (\"" + question + "\") needs a judge, and none was given");
    const JudgeQuery q{std::string(x.prompt), std::string(t.str()), question};
    return x.judge->judge(std::span<const JudgeQuery>(&q, 1)).at(0).yes;
  }
  std::string describe() const { return question; }
};

namespace detail {
// Batching: a first pass records the queries a sample would ask (answering YES), the real judge
// answers them all in one call, then the sample is scored for real from the memo. Repeated until
// no new query appears (a judge answer can change which leaves are asked).
class RecordingJudge {
public:
  std::vector<JudgeDecision> judge(std::span<const JudgeQuery> qs) const {
    std::vector<JudgeDecision> out;
    std::lock_guard lock(m_);
    for (const auto& q : qs) {
      auto it = memo_.find(q);
      if (it != memo_.end())
        out.push_back(it->second);
      else {
        pending_.push_back(q);
        out.push_back({true, 0});
      }
    }
    return out;
  }
  bool resolve(const Judge& real) {
    std::vector<JudgeQuery> q;
    {
      std::lock_guard lock(m_);
      for (auto& p : pending_)
        if (!memo_.count(p)) q.push_back(p);
      pending_.clear();
    }
    std::sort(q.begin(), q.end());
    q.erase(std::unique(q.begin(), q.end()), q.end());
    if (q.empty()) return false;
    const auto d = real.judge(q);
    std::lock_guard lock(m_);
    for (std::size_t i = 0; i < q.size(); ++i) memo_[q[i]] = d[i];
    return true;
  }

private:
  mutable std::mutex m_;
  mutable std::vector<JudgeQuery> pending_;
  std::map<JudgeQuery, JudgeDecision> memo_;
};
} // namespace detail

} // namespace raif
