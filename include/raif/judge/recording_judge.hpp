#pragma once
/// @file
/// Batched judging (reward/batch.hpp, the trainer's rewards and evaluation): a judge that records
/// the queries it is asked, and `judged_in_batches`, which runs a scoring pass until every query
/// it asks has been answered by the real judge in one call per round.

#include <raif/judge/judge.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <span>
#include <vector>

namespace raif::detail {

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
  /// Asks `real` every query recorded since the last call (each once); returns how many.
  std::size_t resolve(const Judge& real) {
    std::vector<JudgeQuery> q;
    {
      std::lock_guard lock(m_);
      for (auto& p : pending_)
        if (!memo_.count(p)) q.push_back(p);
      pending_.clear();
    }
    std::sort(q.begin(), q.end());
    q.erase(std::unique(q.begin(), q.end()), q.end());
    if (q.empty()) return 0;
    const auto d = real.judge(q);
    std::lock_guard lock(m_);
    for (std::size_t i = 0; i < q.size(); ++i) memo_[q[i]] = d[i];
    return q.size();
  }

private:
  mutable std::mutex m_;
  mutable std::vector<JudgeQuery> pending_;
  std::map<JudgeQuery, JudgeDecision> memo_;
};

/// What batched judging asked: queries answered by the real judge, in how many calls, taking how
/// many seconds (the judge's calls alone).
struct JudgeCalls {
  std::size_t queries = 0, calls = 0;
  double seconds = 0;
};

/// Runs `pass(const Judge*)` (a scoring pass over a whole batch, on any threads) with `judge`'s
/// answers: a first pass records every query, the real judge answers them in one call, and the pass
/// is repeated until it asks nothing new; the last pass's results are the real ones. Without a judge,
/// one pass with none.
template <class Pass> JudgeCalls judged_in_batches(const Judge* judge, Pass&& pass) {
  if (!judge) {
    pass(static_cast<const Judge*>(nullptr));
    return {};
  }
  RecordingJudge recorder;
  struct Ref { // a judge that forwards to the recorder
    RecordingJudge* r;
    std::vector<JudgeDecision> judge(std::span<const JudgeQuery> q) const { return r->judge(q); }
  };
  const Judge recording{Ref{&recorder}};
  JudgeCalls calls;
  for (;;) {
    pass(&recording);
    const auto start = std::chrono::steady_clock::now();
    const auto asked = recorder.resolve(*judge);
    if (asked == 0) return calls;
    calls.queries += asked, ++calls.calls;
    calls.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
}

} // namespace raif::detail
