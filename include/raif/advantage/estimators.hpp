#pragma once
/// @file
/// Outcome advantage estimators on the CPU (Eigen): one advantage per sample, which the objective
/// broadcasts to the sample's tokens. Each models `advantage_estimator` (a member
/// `Eigen::ArrayXd operator()(const AdvantageInput&) const`), the advantage stage of a GRPO step;
/// write your own the same way. Zero-variance groups give zero advantage, never NaN, unless a
/// peer's convention is asked for explicitly (to reproduce its numbers: ../shared/golden/README.md).

#include <raif/advantage/groups.hpp>

#include <Eigen/Core>

#include <cmath>
#include <concepts>
#include <optional>
#include <vector>

namespace raif {

/// What an advantage estimator reads: an outcome reward per sample, the groups of samples that
/// share a prompt, and each sample's number of response tokens (REINFORCE++ weighs by them).
struct AdvantageInput {
  const Eigen::ArrayXd& reward;
  const Groups& groups;
  const Eigen::ArrayXd& tokens;
};

/// Concept `advantage_estimator`: one advantage per sample from an AdvantageInput.
/// Laws: the result has one entry per sample; it depends on a sample's group only (permuting the
/// groups permutes the advantages). Models: GroupNorm (GRPO, Dr.GRPO), RLOO,
/// ReinforcePlusPlusBaseline, GroupMeanBaseline.
template <class E>
concept advantage_estimator = requires(const E& e, const AdvantageInput& in) {
  { e(in) } -> std::convertible_to<Eigen::ArrayXd>;
};

/// What a group of one sample gets (its std is undefined).
enum class Singleton {
  zero,       ///< raif: no baseline to compare with, no signal
  raw_reward, ///< verl RLOO / Dr.GRPO: the reward itself
  verl_grpo,  ///< verl GRPO: reward / float32(1 + eps) (mean 0 and std 1, stored as float32)
};

/// GRPO's group-normalised advantage A = (r - mean) / (std + eps); with `scale_by_std = false`,
/// Dr.GRPO's A = r - mean. `include` (optional) marks the samples that enter the statistics
/// (superior-CoT's option to keep masked samples out); every sample still gets an advantage.
struct GroupNorm {
  double eps = 1e-6;
  bool unbiased = true;        ///< std with ddof 1 (verl, OpenRLHF) or 0
  bool scale_by_std = true;    ///< false: Dr.GRPO
  bool std_over_batch = false; ///< one std over the whole batch instead of per group
  Singleton singleton = Singleton::zero;
  bool zero_variance_exact = false; ///< true: (r - mean) / eps literally, as verl (else exactly 0)

  Eigen::ArrayXd operator()(const AdvantageInput& in) const { return (*this)(in.reward, in.groups); }
  Eigen::ArrayXd operator()(const Eigen::ArrayXd& r, const Groups& g,
                            const std::vector<bool>* include = nullptr) const {
    Eigen::ArrayXd a = Eigen::ArrayXd::Zero(r.size());
    auto in = [&](std::size_t i) { return !include || (*include)[i]; };
    double batch_std = 0;
    if (std_over_batch) {
      std::vector<double> xs;
      for (std::size_t i = 0; i < g.samples; ++i)
        if (in(i)) xs.push_back(r[static_cast<Eigen::Index>(i)]);
      batch_std = stddev(xs);
    }
    for (const auto& members : g.members) {
      std::vector<double> xs;
      for (auto i : members)
        if (in(i)) xs.push_back(r[static_cast<Eigen::Index>(i)]);
      if (xs.size() <= 1) {
        for (auto i : members) a[static_cast<Eigen::Index>(i)] = singleton_value(r[static_cast<Eigen::Index>(i)]);
        continue;
      }
      double mean = 0;
      for (double x : xs) mean += x;
      mean /= static_cast<double>(xs.size());
      const double sd = std_over_batch ? batch_std : stddev(xs);
      for (auto i : members) {
        const double x = r[static_cast<Eigen::Index>(i)];
        if (!scale_by_std)
          a[static_cast<Eigen::Index>(i)] = x - mean;
        else if (sd == 0 && !zero_variance_exact)
          a[static_cast<Eigen::Index>(i)] = 0;
        else
          a[static_cast<Eigen::Index>(i)] = (x - mean) / (sd + eps);
      }
    }
    return a;
  }

private:
  double singleton_value(double x) const {
    switch (singleton) {
    case Singleton::raw_reward: return x;
    case Singleton::verl_grpo: return scale_by_std ? x / static_cast<double>(static_cast<float>(1.0 + eps)) : x;
    default: return 0.0;
    }
  }
  double stddev(const std::vector<double>& xs) const { // two-pass, as torch.std
    if (xs.size() < 2) return 0;
    double mean = 0;
    for (double x : xs) mean += x;
    mean /= static_cast<double>(xs.size());
    double ss = 0;
    for (double x : xs) ss += (x - mean) * (x - mean);
    return std::sqrt(ss / static_cast<double>(xs.size() - (unbiased ? 1 : 0)));
  }
};

/// RLOO: A_i = r_i - mean of the other samples of the group (n >= 2).
struct RLOO {
  Singleton singleton = Singleton::zero;
  Eigen::ArrayXd operator()(const AdvantageInput& in) const { return (*this)(in.reward, in.groups); }
  Eigen::ArrayXd operator()(const Eigen::ArrayXd& r, const Groups& g) const {
    Eigen::ArrayXd a = Eigen::ArrayXd::Zero(r.size());
    for (const auto& members : g.members) {
      const double n = static_cast<double>(members.size());
      double sum = 0;
      for (auto i : members) sum += r[static_cast<Eigen::Index>(i)];
      for (auto i : members) {
        const double x = r[static_cast<Eigen::Index>(i)];
        a[static_cast<Eigen::Index>(i)] =
            members.size() == 1 ? (singleton == Singleton::zero ? 0.0 : x) : x - (sum - x) / (n - 1);
      }
    }
    return a;
  }
};

/// REINFORCE++ with a baseline: c = r - group mean (a singleton's mean is 0), then whitened over
/// the batch with each sample weighted by its number of tokens (verl's masked_whiten):
/// mu = sum(w c) / (sum w + 1e-8); var = sum(w (c - mu)^2) / (sum w + 1e-8) * sum w / (sum w - 1);
/// A = (c - mu) / sqrt(var + 1e-8). Needs more than one token in the batch.
struct ReinforcePlusPlusBaseline {
  Eigen::ArrayXd operator()(const AdvantageInput& in) const { return (*this)(in.reward, in.groups, in.tokens); }
  Eigen::ArrayXd operator()(const Eigen::ArrayXd& r, const Groups& g, const Eigen::ArrayXd& tokens) const {
    Eigen::ArrayXd c = r;
    for (const auto& members : g.members) {
      if (members.size() < 2) continue;
      double mean = 0;
      for (auto i : members) mean += r[static_cast<Eigen::Index>(i)];
      mean /= static_cast<double>(members.size());
      for (auto i : members) c[static_cast<Eigen::Index>(i)] -= mean;
    }
    const double n = tokens.sum();
    if (n <= 1) throw error("raif: ReinforcePlusPlusBaseline needs more than one valid token in the batch");
    const double mu = (c * tokens).sum() / (n + 1e-8);
    const double var = ((c - mu).square() * tokens).sum() / (n + 1e-8) * (n / (n - 1));
    return (c - mu) / std::sqrt(var + 1e-8);
  }
};

/// REINFORCE with a group baseline (OpenRLHF's reinforce_baseline): A = r - group mean.
struct GroupMeanBaseline {
  Eigen::ArrayXd operator()(const AdvantageInput& in) const { return (*this)(in.reward, in.groups); }
  Eigen::ArrayXd operator()(const Eigen::ArrayXd& r, const Groups& g) const {
    return GroupNorm{.scale_by_std = false, .singleton = Singleton::zero}(r, g);
  }
};

} // namespace raif
