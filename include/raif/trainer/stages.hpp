#pragma once
/// @file
/// The compiled-in models of each stage of a GRPO step, one compile-time list per stage, from
/// which the config's names choose (`grpo.estimator = "rloo"`). To offer a model of your own,
/// derive from `Stages` and append it to the list (one line), then give the trainer your stages:
///
///   struct MyStages : raif::Stages {
///     static auto estimators() {
///       return boost::hana::append(Stages::estimators(), raif::Named<MyEstimator>{"mine", {}, "doc"});
///     }
///   };
///   raif::BasicTrainer<MyStages> trainer(cfg, false);   // grpo.estimator = "mine" now works

#include <raif/advantage/estimators.hpp>
#include <raif/advantage/selection.hpp>
#include <raif/compose/policy.hpp>
#include <raif/named.hpp>
#include <raif/objective/aggregation.hpp>
#include <raif/objective/kl_penalty.hpp>
#include <raif/trainer/optim.hpp>

#include <boost/hana/append.hpp> // for users' one-line additions
#include <boost/hana/tuple.hpp>

namespace raif {

struct Stages {
  /// Advantage estimators (method.md §4).
  static auto estimators() {
    return boost::hana::make_tuple(
        Named<GroupNorm>{"grpo", {}, "GRPO: (r - group mean) / (group std + 1e-6)"},
        Named<GroupNorm>{"dr_grpo", {.scale_by_std = false}, "Dr.GRPO: r - group mean"},
        Named<RLOO>{"rloo", {}, "RLOO: r - mean of the group's other samples"},
        Named<ReinforcePlusPlusBaseline>{
            "reinforce_pp_baseline", {}, "REINFORCE++-baseline: r - group mean, whitened over the batch"},
        Named<GroupMeanBaseline>{"group_mean", {}, "REINFORCE with the group mean as baseline"});
  }
  /// Sample selections before the policy loss (method.md §3).
  static auto selections() {
    return boost::hana::make_tuple(
        Named<SuperiorCoT>{"superior_cot", {}, "superior-CoT enforcement (paper)"},
        Named<DynamicSampling>{"dynamic_sampling", {}, "DAPO: drop groups whose rewards are all equal"},
        Named<NoSelection>{"none", {}, "every sample trains"});
  }
  /// KL estimators of the KL loss to the reference model (method.md §4).
  static auto kl_penalties() {
    return boost::hana::make_tuple(Named<KLPenalty<K1>>{"k1", {}, "log pi - log pi_ref"},
                                   Named<KLPenalty<K2>>{"k2", {}, "(log pi - log pi_ref)^2 / 2"},
                                   Named<KLPenalty<K3>>{"k3", {}, "exp(-d) + d - 1 (paper)"},
                                   Named<KLPenalty<AbsKL>>{"abs", {}, "|log pi - log pi_ref|"});
  }
  static auto aggregations() {
    return boost::hana::make_tuple(
        Named<LossAggregation>{"token_mean", LossAggregation::token_mean, "mean over the window's tokens"},
        Named<LossAggregation>{"seq_mean_token_mean", LossAggregation::seq_mean_token_mean,
                               "mean over sequences of each sequence's token mean (the released code's)"},
        Named<LossAggregation>{"seq_mean_token_sum", LossAggregation::seq_mean_token_sum,
                               "mean over sequences of token sums"},
        Named<LossAggregation>{"seq_mean_token_sum_norm", LossAggregation::seq_mean_token_sum_norm,
                               "token sum / the padded length (Dr.GRPO)"});
  }
  static auto optimizers() {
    return boost::hana::make_tuple(Named<AdamW>{"adamw", {}, "AdamW"}, Named<Sgd>{"sgd", {}, "SGD"});
  }
  static auto schedules() {
    return boost::hana::make_tuple(Named<Cosine>{"cosine", {}, "half a cosine down to 10% of the peak"},
                                   Named<Linear>{"linear", {}, "a straight line down to 0"},
                                   Named<Constant>{"constant", {}, "the peak throughout"});
  }
  /// Answer-reward policies (paper Eq. 5 is "raif").
  static auto policies() {
    return boost::hana::make_tuple(
        Named<RaifPiecewise>{"raif", {}, "+2 all, -2 none, else the fraction held (paper)"},
        Named<Fraction>{"fraction", {}, "the fraction of constraints held"},
        Named<AllOrNothing>{"all_or_nothing", {}, "1 if all hold, else 0"},
        Named<DependencyAware>{"dependency_aware", {}, "fraction with failed dependencies counted as failures"},
        Named<PriorityPolicy>{"priority", {}, "primary constraints gate the secondaries"},
        Named<Weighted>{"weighted", {}, "weighted mean of leaf scores"});
  }
};

} // namespace raif
