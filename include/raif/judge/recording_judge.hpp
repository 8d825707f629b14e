#pragma once
/// @file
/// Internals of batched judging (reward/batch.hpp): a judge that records the queries it is asked.

#include <raif/judge/judge.hpp>

#include <algorithm>
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

} // namespace raif::detail
