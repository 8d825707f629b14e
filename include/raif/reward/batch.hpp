#pragma once
/// @file
/// Batch scoring on a thread pool. Results are independent of the thread count; judge queries of
/// the whole batch go to the judge in as few calls as the leaves allow (usually one).

#include <raif/detail/parallel.hpp>
#include <raif/judge/judge.hpp>
#include <raif/judge/recording_judge.hpp>
#include <raif/reward/term.hpp>

#include <vector>

namespace raif {

/// Scores every sample with `reward`. `judge` (optional) answers judge-verified leaves, batched.
template <class R>
std::vector<RewardResult> score_batch(const R& reward, const std::vector<Sample>& samples, unsigned threads = 0,
                                      const Judge* judge = nullptr) {
  static_assert(reward_term<R>,
                "raif: score_batch needs a reward term: RewardResult operator()(const raif::Sample&) const");
  std::vector<RewardResult> out(samples.size());
  detail::judged_in_batches(judge, [&](const Judge* j) {
    detail::parallel_for(samples.size(), threads, [&](std::size_t i) {
      Sample s = samples[i];
      if (j) s.judge = j;
      out[i] = reward(s);
    });
  });
  return out;
}

} // namespace raif
