// Objective terms against verl's own code run on the same inputs (../shared/golden/README.md):
// values, metrics and gradients (autograd), float64, tolerance rtol 1e-10, atol 1e-10.
#include <raif/advantage/tensor.hpp>
#include <raif/advantage/tokens.hpp>
#include <raif/objective/clipped_surrogate.hpp>
#include <raif/objective/kl_penalty.hpp>
#include <raif/objective/objective.hpp>

#include "../support/golden.hpp"
#include "../support/skip.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <optional>

using namespace raif;
using nlohmann::json;
using raif::test::agrees;
using raif::test::for_each_case;
using raif::test::golden;
using raif::test::NonFinite;
using raif::test::num;

namespace {
torch::Tensor tensor(const json& a) {
  std::vector<double> flat;
  std::vector<int64_t> shape;
  const json* x = &a;
  while (x->is_array()) {
    shape.push_back(static_cast<int64_t>(x->size()));
    if (x->empty()) break;
    x = &(*x)[0];
  }
  std::function<void(const json&)> walk = [&](const json& v) {
    if (v.is_array())
      for (const auto& e : v) walk(e);
    else
      flat.push_back(num(v));
  };
  walk(a);
  return torch::tensor(flat, torch::kFloat64).reshape(shape);
}
// float64: rtol 1e-10, atol 1e-10. A shape mismatch fails this comparison, not the whole test case.
void check_close(const torch::Tensor& got, const torch::Tensor& want, const std::string& what, NonFinite nonfinite) {
  INFO(what);
  CHECK(got.sizes() == want.sizes());
  if (got.sizes() != want.sizes()) return;
  const auto g = got.detach().reshape({-1}), w = want.reshape({-1});
  for (int64_t i = 0; i < g.size(0); ++i)
    CHECK(agrees(g[i].item<double>(), w[i].item<double>(), 1e-10, 1e-10, nonfinite));
}
// verl's aggregations divide by the number of tokens or non-empty rows without an epsilon (README,
// agg_loss), and raif's aggregate_loss keeps that convention: an all-masked batch is 0/0 = NaN in
// both, and so is its gradient. Terms that only aggregate therefore agree on NaN too.
constexpr NonFinite same_as_verl = NonFinite::same;
LossAggregation mode(const std::string& m) {
  if (m == "token-mean") return LossAggregation::token_mean;
  if (m == "seq-mean-token-mean") return LossAggregation::seq_mean_token_mean;
  if (m == "seq-mean-token-sum") return LossAggregation::seq_mean_token_sum;
  if (m == "seq-mean-token-sum-norm") return LossAggregation::seq_mean_token_sum_norm;
  throw std::runtime_error("unknown mode " + m);
}
} // namespace

TEST_CASE("Golden: verl agg_loss, all four modes, explicit window sizes", "[objective][torch][golden]") {
  if (!golden()) RAIF_SKIP("golden fixture not found at " RAIF_GOLDEN_DIR " (set -DRAIF_GOLDEN_DIR=...)");
  for_each_case("verl", "agg_loss", 16, [](const json& c) {
    const auto& p = c["params"];
    AggregationOptions o;
    if (p.contains("dp_size")) o.dp_size = p["dp_size"].get<double>();
    if (p.contains("batch_num_tokens")) o.num_tokens = p["batch_num_tokens"].get<double>();
    if (p.contains("global_batch_size")) o.num_sequences = p["global_batch_size"].get<double>();
    if (p.contains("loss_scale_factor")) o.scale = p["loss_scale_factor"].get<double>();
    const auto L = tensor(c["inputs"]["loss_mat"]).requires_grad_(true);
    const auto loss = aggregate_loss(L, tensor(c["inputs"]["loss_mask"]), mode(p["loss_agg_mode"]), o);
    check_close(loss, tensor(c["outputs"]["loss"]), "loss", same_as_verl);
    REQUIRE(c["grads"].contains("d_loss_d_loss_mat"));
    loss.backward();
    check_close(L.grad(), tensor(c["grads"]["d_loss_d_loss_mat"]), "grad", same_as_verl);
  });
}

TEST_CASE("Golden: verl compute_policy_loss_vanilla (clip-higher, dual clip, 4 aggregations)",
          "[objective][torch][golden]") {
  if (!golden()) RAIF_SKIP("golden fixture not found at " RAIF_GOLDEN_DIR " (set -DRAIF_GOLDEN_DIR=...)");
  for_each_case("verl", "compute_policy_loss_vanilla", 32, [](const json& c) {
    const auto& p = c["params"];
    const double eps = p["clip_ratio"].get<double>();
    const ClippedSurrogate term{.eps_low = p["clip_ratio_low"].is_null() ? eps : p["clip_ratio_low"].get<double>(),
                                .eps_high = p["clip_ratio_high"].is_null() ? eps : p["clip_ratio_high"].get<double>(),
                                .dual_clip = p["clip_ratio_c"].get<double>(),
                                .log_ratio_clamp = 20.0,
                                .aggregation = mode(p["loss_agg_mode"])};
    const auto& in = c["inputs"];
    const auto logp = tensor(in["log_prob"]).requires_grad_(true);
    const auto mask = tensor(in["response_mask"]);
    const ObjectiveOutput out = term(logp, tensor(in["old_log_prob"]), tensor(in["advantages"]), mask);
    const auto& want = c["outputs"];
    check_close(out.loss, tensor(want["pg_loss"]), "pg_loss", same_as_verl);
    // The metrics are masked means with verl's 1e-8 in the denominator: never NaN.
    check_close(torch::tensor(out.metric("clip_fraction"), torch::kFloat64), tensor(want["pg_clipfrac"]), "clipfrac",
                NonFinite::unexpected);
    check_close(torch::tensor(out.metric("clip_fraction_lower"), torch::kFloat64), tensor(want["pg_clipfrac_lower"]),
                "clipfrac_lower", NonFinite::unexpected);
    check_close(torch::tensor(out.metric("approx_kl"), torch::kFloat64), tensor(want["ppo_kl"]), "ppo_kl",
                NonFinite::unexpected);
    out.loss.backward();
    check_close(logp.grad(), tensor(c["grads"]["d_pg_loss_d_log_prob"]), "grad", same_as_verl);
  });
}

TEST_CASE("Golden: verl kl_penalty estimators and KL loss", "[objective][torch][golden]") {
  if (!golden()) RAIF_SKIP("golden fixture not found at " RAIF_GOLDEN_DIR " (set -DRAIF_GOLDEN_DIR=...)");
  std::size_t checked = 0, unsupported = 0, kl_losses = 0;
  for_each_case("verl", "kl_penalty", 37, [&](const json& c) {
    const std::string kind = c["params"]["kl_penalty"];
    if (c["outputs"].contains("error")) { // the "+" straight-through kinds raise in verl itself
      CHECK(kind.back() == '+');
      ++unsupported;
      return;
    }
    const auto& in = c["inputs"];
    const auto logp = tensor(in["logprob"]).requires_grad_(true);
    const auto ref = tensor(in["ref_logprob"]), mask = tensor(in["response_mask"]);
    torch::Tensor k;
    if (kind == "kl" || kind == "k1")
      k = KLPenalty<K1>{}.estimate(logp, ref);
    else if (kind == "abs")
      k = KLPenalty<AbsKL>{}.estimate(logp, ref);
    else if (kind == "mse" || kind == "k2")
      k = KLPenalty<K2>{}.estimate(logp, ref);
    else if (kind == "low_var_kl" || kind == "k3")
      k = KLPenalty<K3>{.clamp = true}.estimate(logp, ref);
    else
      FAIL("unknown kind " << kind);
    // Per-token estimates of finite log-probs are finite (k3 is clamped to [-10, 10]).
    check_close(k, tensor(c["outputs"]["kld"]), "kld", NonFinite::unexpected);
    REQUIRE(c["outputs"].contains("kl_loss[token-mean]"));
    for (const auto& [key, value] : c["outputs"].items()) {
      if (!key.starts_with("kl_loss[")) continue;
      const std::string m = key.substr(8, key.size() - 9);
      check_close(aggregate_loss(k, mask, mode(m)), tensor(value), key, same_as_verl);
      ++kl_losses;
    }
    const auto loss = aggregate_loss(k, mask, LossAggregation::token_mean);
    loss.backward();
    check_close(logp.grad(), tensor(c["grads"]["d_kl_loss[token-mean]_d_logprob"]), "grad", same_as_verl);
    ++checked;
  });
  CHECK(checked == 28);
  CHECK(kl_losses == 21 + 2 * 7); // token-mean everywhere, and seq-mean-token-mean in 7 cases
  CHECK(unsupported == 9);        // k1+, k3+, low_var_kl+ x 3 seeds
}

TEST_CASE("Laws: ratio 1 and no clipping gives -A averaged as the aggregation says; KL is 0 at pi = pi_ref",
          "[objective][torch]") {
  const auto logp = torch::randn({3, 5}, torch::kFloat64);
  const auto A = torch::tensor({{1.0}, {-2.0}, {0.5}}, torch::kFloat64).expand({3, 5});
  const auto mask = torch::tensor({{1, 1, 1, 1, 1}, {1, 1, 0, 0, 0}, {1, 0, 0, 0, 0}}, torch::kFloat64);
  const auto token = ClippedSurrogate{.aggregation = LossAggregation::token_mean}(logp, logp, A, mask);
  CHECK(token.loss.item<double>() == Approx(-(5 * 1.0 + 2 * -2.0 + 0.5) / 8));
  const auto seq = ClippedSurrogate{.aggregation = LossAggregation::seq_mean_token_mean,
                                    .aggregation_options = {.seq_eps = 0}}(logp, logp, A, mask);
  CHECK(seq.loss.item<double>() == Approx(-(1.0 - 2.0 + 0.5) / 3));
  CHECK(token.metric("clip_fraction") == 0);
  for (double k :
       {KLPenalty<K1>{}(logp, logp, mask).loss.item<double>(), KLPenalty<K2>{}(logp, logp, mask).loss.item<double>(),
        KLPenalty<K3>{}(logp, logp, mask).loss.item<double>(),
        KLPenalty<AbsKL>{}(logp, logp, mask).loss.item<double>()})
    CHECK(k == 0);
}

TEST_CASE("Gradients match finite differences (double precision)", "[objective][torch]") {
  torch::manual_seed(3);
  const auto old = torch::randn({2, 4}, torch::kFloat64);
  const auto A = torch::randn({2, 4}, torch::kFloat64);
  const auto mask = torch::tensor({{1, 1, 1, 0}, {1, 1, 1, 1}}, torch::kFloat64);
  const auto base = (old + 0.05 * torch::randn({2, 4}, torch::kFloat64));
  auto f = [&](const torch::Tensor& lp) {
    return ClippedSurrogate{.eps_low = 0.2, .eps_high = 0.28, .dual_clip = 3.0}(lp, old, A, mask).loss +
           KLPenalty<K3>{.coef = 0.1}(lp, old, mask).loss;
  };
  const auto lp = base.clone().requires_grad_(true);
  f(lp).backward();
  const double h = 1e-6;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t t = 0; t < 4; ++t) {
      auto up = base.clone(), down = base.clone();
      up[i][t] += h;
      down[i][t] -= h;
      const double fd = (f(up).item<double>() - f(down).item<double>()) / (2 * h);
      CHECK(lp.grad()[i][t].item<double>() == Approx(fd).margin(1e-7));
    }
}

TEST_CASE("Golden: verl entropy_from_logits and compute_entropy_loss (chunked, custom backward)",
          "[objective][torch][golden]") {
  if (!golden()) RAIF_SKIP("golden fixture not found at " RAIF_GOLDEN_DIR " (set -DRAIF_GOLDEN_DIR=...)");
  for_each_case("verl", "entropy_from_logits", 3, [](const json& c) {
    for (int64_t chunk : {1, 3, 1024}) { // the result must not depend on the chunking
      INFO("chunk " << chunk);
      const auto logits = tensor(c["inputs"]["logits"]).requires_grad_(true);
      const auto h = entropy_from_logits(logits, chunk);
      check_close(h, tensor(c["outputs"]["entropy"]), "entropy", NonFinite::unexpected); // finite logits
      h.sum().backward();
      check_close(logits.grad(), tensor(c["grads"]["d_sum_entropy_d_logits"]), "grad", NonFinite::unexpected);
    }
  });
  for_each_case("verl", "compute_entropy_loss", 12, [](const json& c) {
    const auto logits = tensor(c["inputs"]["logits"]).requires_grad_(true);
    const auto loss = aggregate_loss(entropy_from_logits(logits, 2), tensor(c["inputs"]["response_mask"]),
                                     mode(c["params"]["loss_agg_mode"]));
    check_close(loss, tensor(c["outputs"]["entropy_loss"]), "entropy_loss", same_as_verl);
    loss.backward();
    check_close(logits.grad(), tensor(c["grads"]["d_entropy_loss_d_logits"]), "grad", same_as_verl);
  });
}

TEST_CASE("objective(...): terms summed, metrics merged, composition resolved at compile time", "[objective][torch]") {
  torch::manual_seed(7);
  PolicyBatch b;
  b.old_logp = -torch::rand({3, 6}, torch::kFloat64);
  b.logp = (b.old_logp + 0.1 * torch::randn({3, 6}, torch::kFloat64)).requires_grad_(true);
  b.ref_logp = b.old_logp + 0.05;
  b.advantages = torch::randn({3, 1}, torch::kFloat64).expand({3, 6});
  b.mask = torch::tensor({{1, 1, 1, 1, 1, 1}, {1, 1, 1, 0, 0, 0}, {1, 0, 0, 0, 0, 0}}, torch::kFloat64);
  b.expert_logp = -torch::tensor({{0.5, 1.0, 2.0}, {1.5, 0.0, 0.0}}, torch::kFloat64);
  b.expert_mask = torch::tensor({{1, 1, 1}, {1, 0, 0}}, torch::kFloat64);
  const auto objective =
      raif::objective(ClippedSurrogate{.eps_low = 0.2, .eps_high = 0.28}, KLPenalty<K3>{.coef = 1e-3},
                      BehaviorCloning{.coef = 1.0}, LossAggregation::seq_mean_token_mean);
  const ObjectiveOutput out = objective(b);
  const double pg =
      ClippedSurrogate{.eps_low = 0.2, .eps_high = 0.28}(b.logp, b.old_logp, b.advantages, b.mask).loss.item<double>();
  const double kl = KLPenalty<K3>{.coef = 1e-3}(b.logp, b.ref_logp, b.mask).loss.item<double>();
  CHECK(out.metric("bc/nll") == Approx((3.5 / (3 + 1e-8) + 1.5 / (1 + 1e-8)) / 2));
  CHECK(out.loss.item<double>() == Approx(pg + kl + out.metric("bc/loss")));
  CHECK(out.metric("pg/loss") == Approx(pg));
  CHECK(out.metric("kl/loss") == Approx(kl));
  out.loss.backward();
  // Second method: the gradient of the separately computed terms (BC does not depend on logp).
  const auto lp = b.logp.detach().clone().requires_grad_(true);
  (ClippedSurrogate{.eps_low = 0.2, .eps_high = 0.28}(lp, b.old_logp, b.advantages, b.mask).loss +
   KLPenalty<K3>{.coef = 1e-3}(lp, b.ref_logp, b.mask).loss)
      .backward();
  CHECK(torch::allclose(b.logp.grad(), lp.grad(), 1e-12, 1e-15));
  PolicyBatch missing = b;
  missing.ref_logp = torch::Tensor();
  CHECK_THROWS_WITH(objective(missing), Catch::Contains("'kl' needs PolicyBatch::ref_logp"));
}

TEST_CASE("CUDA: the same terms on the GPU", "[objective][torch][cuda]") {
  if (!torch::cuda::is_available()) RAIF_SKIP("no CUDA device (torch::cuda::is_available() is false)");
  const auto dev = torch::Device(torch::kCUDA);
  const auto old = -torch::rand({4, 8}, torch::kFloat64);
  const auto lp = old + 0.1 * torch::randn({4, 8}, torch::kFloat64);
  const auto A = torch::randn({4, 8}, torch::kFloat64);
  const auto m = (torch::rand({4, 8}) > 0.2).to(torch::kFloat64);
  const ClippedSurrogate pg{.eps_low = 0.2, .eps_high = 0.28, .dual_clip = 3.0};
  const double cpu = pg(lp, old, A, m).loss.item<double>();
  const double gpu = pg(lp.to(dev), old.to(dev), A.to(dev), m.to(dev)).loss.item<double>();
  CHECK(gpu == Approx(cpu).epsilon(1e-12));
  const auto logits = torch::randn({2, 3, 50}, torch::kFloat64);
  CHECK(torch::allclose(entropy_from_logits(logits.to(dev), 2).cpu(), entropy_from_logits(logits, 2)));
}

TEST_CASE("Advantages: the tensor twins agree with the CPU (Eigen) estimators", "[advantage][torch]") {
  torch::manual_seed(11);
  for (int round = 0; round < 20; ++round) {
    // [prompts, G] layout, including a zero-variance group.
    auto r = torch::randn({5, 4}, torch::kFloat64);
    r[2] = 0.1;
    const Eigen::ArrayXd e = Eigen::Map<const Eigen::ArrayXd>(r.contiguous().data_ptr<double>(), 20);
    const Groups contiguous = Groups::contiguous(20, 4);
    for (const GroupNorm& cfg :
         {GroupNorm{}, GroupNorm{.eps = 1e-9, .unbiased = false}, GroupNorm{.scale_by_std = false},
          GroupNorm{.eps = 1e-6, .singleton = Singleton::verl_grpo, .zero_variance_exact = true}}) {
      const auto t = group_norm(r, cfg).reshape({-1});
      const Eigen::ArrayXd c = cfg(e, contiguous);
      for (int i = 0; i < 20; ++i) CHECK(t[i].item<double>() == Approx(c[i]).epsilon(1e-12).margin(1e-12));
    }
    // Flat rewards with shuffled group ids of unequal sizes, singletons included.
    const auto flat = torch::randn({9}, torch::kFloat64);
    const std::vector<std::int64_t> ids{3, 1, 3, 7, 1, 3, 9, 1, 3};
    const auto tid = torch::tensor(ids, torch::kLong);
    const Eigen::ArrayXd ef = Eigen::Map<const Eigen::ArrayXd>(flat.data_ptr<double>(), 9);
    const Groups byid = Groups::from_ids(ids);
    for (const GroupNorm& cfg : {GroupNorm{}, GroupNorm{.singleton = Singleton::raw_reward}}) {
      const auto t = group_norm(flat, cfg, tid);
      const Eigen::ArrayXd c = cfg(ef, byid);
      for (int i = 0; i < 9; ++i) CHECK(t[i].item<double>() == Approx(c[i]).epsilon(1e-12).margin(1e-12));
    }
    const auto tokens = torch::tensor({3.0, 1.0, 4.0, 2.0, 2.0, 5.0, 1.0, 3.0, 2.0}, torch::kFloat64);
    const Eigen::ArrayXd etok = Eigen::Map<const Eigen::ArrayXd>(tokens.data_ptr<double>(), 9);
    const auto rf = reinforce_plus_plus_baseline(flat, tokens, tid);
    const Eigen::ArrayXd erf = ReinforcePlusPlusBaseline{}(ef, byid, etok);
    for (int i = 0; i < 9; ++i) CHECK(rf[i].item<double>() == Approx(erf[i]).epsilon(1e-12).margin(1e-12));
    const auto bs = group_norm(r, GroupNorm{.eps = 0, .std_over_batch = true}).reshape({-1});
    const Eigen::ArrayXd ebs = GroupNorm{.eps = 0, .std_over_batch = true}(e, contiguous);
    for (int i = 0; i < 20; ++i) CHECK(bs[i].item<double>() == Approx(ebs[i]).epsilon(1e-12).margin(1e-12));
    for (const RLOO& cfg : {RLOO{}, RLOO{.singleton = Singleton::raw_reward}}) {
      const auto t = rloo(flat, cfg, tid);
      const Eigen::ArrayXd c = cfg(ef, byid);
      for (int i = 0; i < 9; ++i) CHECK(t[i].item<double>() == Approx(c[i]).epsilon(1e-12).margin(1e-12));
    }
  }
}

TEST_CASE("Golden: RAIF's OpenRLHF PolicyLoss (symmetric clip, per-sequence loss mask kept in the denominator)",
          "[objective][torch][golden]") {
  if (!golden()) RAIF_SKIP("golden fixture not found at " RAIF_GOLDEN_DIR " (set -DRAIF_GOLDEN_DIR=...)");
  // OpenRLHF's masked_mean has no epsilon: a row with an empty action_mask makes the loss NaN, and
  // raif reproduces it with seq_eps = 0 (and the NaN gradient with it).
  for_each_case("openrlhf", "PolicyLoss", 7, [](const json& c) {
    const auto& in = c["inputs"];
    const double eps = c["params"]["clip_eps"].get<double>();
    const ClippedSurrogate term{.eps_low = eps,
                                .eps_high = eps,
                                .dual_clip = std::nullopt,
                                .log_ratio_clamp = std::nullopt,
                                .aggregation = LossAggregation::seq_mean_token_mean,
                                .aggregation_options = {.seq_eps = 0},
                                .masked_samples = MaskedSamples::released_code};
    const auto logp = tensor(in["log_probs"]).requires_grad_(true);
    const auto out = term(logp, tensor(in["old_log_probs"]), tensor(in["advantages"]), tensor(in["action_mask"]),
                          in.contains("loss_mask") ? tensor(in["loss_mask"]) : torch::Tensor());
    check_close(out.loss, tensor(c["outputs"]["loss"]), "loss", NonFinite::same);
    out.loss.backward();
    check_close(logp.grad(), tensor(c["grads"]["d_loss_d_log_probs"]), "grad", NonFinite::same);
  });
}

TEST_CASE("Golden: RAIF's OpenRLHF compute_approx_kl (float32, no clamp, mask before the estimator)",
          "[objective][torch][golden]") {
  if (!golden()) RAIF_SKIP("golden fixture not found at " RAIF_GOLDEN_DIR " (set -DRAIF_GOLDEN_DIR=...)");
  // float32: 1e-5 relative. The estimates are finite (finite log-probs; masked tokens give 0); the
  // KL loss is a masked mean without an epsilon, NaN for an empty row in both.
  auto close32 = [](const torch::Tensor& got, const json& want, const std::string& what, NonFinite nonfinite) {
    INFO(what);
    const auto w = tensor(want).reshape({-1});
    const auto g = got.detach().to(torch::kFloat64).reshape({-1});
    CHECK(g.size(0) == w.size(0));
    for (int64_t i = 0; i < std::min(g.size(0), w.size(0)); ++i)
      CHECK(agrees(g[i].item<double>(), w[i].item<double>(), 1e-5, 1e-7, nonfinite));
  };
  for_each_case("openrlhf", "compute_approx_kl", 16, [&](const json& c) {
    const auto& in = c["inputs"];
    const auto& p = c["params"];
    const auto logp = tensor(in["log_probs"]).requires_grad_(true);
    const auto base = tensor(in["log_probs_base"]), mask = tensor(in["action_mask"]);
    const bool passed = p["action_mask_passed"].get<bool>();
    torch::Tensor k;
    if (p["use_kl_estimator_k3"].get<bool>())
      k = KLPenalty<K3>{.clamp = false, .float32 = true, .mask_before_estimate = true}.estimate(
          logp, base, passed ? mask : torch::Tensor());
    else
      k = KLPenalty<K1>{.clamp = false, .float32 = true, .mask_before_estimate = true}.estimate(
          logp, base, passed ? mask : torch::Tensor());
    close32(k, c["outputs"]["kl"], "kl", NonFinite::unexpected);
    // RAIF's KL loss: masked_mean(kl, action_mask, dim=-1).mean(), always seq-mean-token-mean, no epsilon.
    const auto loss = aggregate_loss(k, mask, LossAggregation::seq_mean_token_mean, {.seq_eps = 0});
    close32(loss, c["outputs"]["kl_loss"], "kl_loss", NonFinite::same);
    loss.backward();
    close32(logp.grad(), c["grads"]["d_kl_loss_d_log_probs"], "grad", NonFinite::same);
  });
}

TEST_CASE("Sample masks: excluded samples leave the loss and its denominator", "[objective][torch]") {
  torch::manual_seed(5);
  const auto old = -torch::rand({3, 4}, torch::kFloat64);
  const auto base = old + 0.1 * torch::randn({3, 4}, torch::kFloat64);
  const auto A = torch::randn({3, 1}, torch::kFloat64).expand({3, 4});
  const auto mask = torch::ones({3, 4}, torch::kFloat64);
  const auto keep = torch::tensor({1.0, 0.0, 1.0}, torch::kFloat64);
  const ClippedSurrogate pg{.aggregation = LossAggregation::seq_mean_token_mean};
  const auto lp = base.clone().requires_grad_(true);
  const auto out = pg(lp, old, A, mask, keep);
  const auto rows = torch::tensor({0, 2}, torch::kLong);
  const auto kept_lp = base.index_select(0, rows).requires_grad_(true);
  const auto only_kept = pg(kept_lp, old.index_select(0, rows), A.index_select(0, rows), mask.index_select(0, rows));
  CHECK(out.loss.item<double>() == Approx(only_kept.loss.item<double>()));
  out.loss.backward();
  only_kept.loss.backward();
  CHECK(lp.grad()[1].abs().sum().item<double>() == 0);
  CHECK(out.metric("keep_ratio") == Approx(2.0 / 3));
  // The kept rows get the gradient of the batch without the excluded one.
  CHECK(torch::allclose(lp.grad().index_select(0, rows), kept_lp.grad(), 1e-12, 1e-15));
}

namespace {
// float64 outputs: 1e-10; float32 outputs (and OpenRLHF's float32 statistics): 1e-5 relative.
void check_dtype_close(const torch::Tensor& got, const json& c, const std::string& name, NonFinite nonfinite,
                       bool float32_stats = false) {
  const bool f32 = float32_stats || c["output_dtypes"][name] == "float32";
  const auto w = tensor(c["outputs"][name]).reshape({-1});
  const auto g = got.detach().to(torch::kFloat64).reshape({-1});
  INFO(name);
  CHECK(g.size(0) == w.size(0));
  for (int64_t i = 0; i < std::min(g.size(0), w.size(0)); ++i)
    CHECK(agrees(g[i].item<double>(), w[i].item<double>(), f32 ? 1e-5 : 1e-10, f32 ? 1e-6 : 1e-10, nonfinite));
}
} // namespace

TEST_CASE("Golden: OpenRLHF compute_reward and the whole advantage pipeline", "[advantage][torch][golden]") {
  if (!golden()) RAIF_SKIP("golden fixture not found at " RAIF_GOLDEN_DIR " (set -DRAIF_GOLDEN_DIR=...)");
  for_each_case("openrlhf", "compute_reward", 4, [](const json& c) {
    const auto& in = c["inputs"];
    const auto& p = c["params"];
    std::optional<std::pair<double, double>> clip;
    if (!p["reward_clip_range"].is_null())
      clip = std::pair{p["reward_clip_range"][0].get<double>(), p["reward_clip_range"][1].get<double>()};
    const auto out = shape_token_rewards(tensor(in["r"]), tensor(in["action_mask"]), tensor(in["kl"]),
                                         p["kl_coef"].get<double>(), clip);
    check_dtype_close(out, c, "reward", NonFinite::unexpected); // finite inputs, no division
  });
  for_each_case("openrlhf", "advantage_pipeline", 50, [](const json& c) {
    const auto& in = c["inputs"];
    const auto& p = c["params"];
    const Eigen::ArrayXd r = [&] {
      const auto t = tensor(in["rewards"]);
      return Eigen::ArrayXd(Eigen::Map<const Eigen::ArrayXd>(t.data_ptr<double>(), t.numel()));
    }();
    const auto n = p["n_samples_per_prompt"].get<std::size_t>();
    const Groups g = Groups::contiguous(static_cast<std::size_t>(r.size()), n);
    const std::string est = p["advantage_estimator"];
    Eigen::ArrayXd shaped = r;
    if (est == "group_norm")
      shaped = GroupNorm{.eps = 1e-9, .zero_variance_exact = true}(r, g);
    else if (est == "rloo")
      shaped = RLOO{}(r, g);
    else if (est == "reinforce_baseline")
      shaped = GroupMeanBaseline{}(r, g);
    else if (est != "reinforce")
      FAIL("unknown advantage_estimator " << est);
    const auto shaped_t = torch::from_blob(shaped.data(), {shaped.size()}, torch::kFloat64).clone();
    // The peer's n = 1 groups give NaN (group_norm, rloo); raif gives them no signal, exactly 0, and
    // everything downstream of that 0 is finite (those stages are compared with the peer above).
    bool degenerate = false;
    const auto& want_shaped = c["outputs"]["shaped_rewards"];
    for (Eigen::Index i = 0; i < shaped.size(); ++i)
      if (std::isnan(num(want_shaped[static_cast<std::size_t>(i)]))) {
        CHECK(n == 1);
        CHECK(shaped[i] == 0.0);
        degenerate = true;
      }
    const NonFinite downstream = degenerate ? NonFinite::finite : NonFinite::unexpected;
    if (!degenerate) check_dtype_close(shaped_t, c, "shaped_rewards", NonFinite::unexpected);
    const auto mask = tensor(in["action_mask"]);
    const double kl_coef = p["kl_coef"].get<double>();
    torch::Tensor kl;
    if (kl_coef > 0)
      kl = KLPenalty<K1>{.clamp = false, .float32 = true, .mask_before_estimate = true}.estimate(
          tensor(in["action_log_probs"]), tensor(in["base_action_log_probs"]), mask);
    const auto token_rewards = shape_token_rewards(shaped_t, mask, kl, kl_coef);
    check_dtype_close(token_rewards, c, "token_rewards", downstream);
    const auto returns = discounted_returns(token_rewards, mask, p["gamma"].get<double>(), Discounting::mask_rewards);
    check_dtype_close(returns, c, "returns", downstream);
    const auto adv = p["replay_buffer_normalize"].get<bool>() ? normalize_valid_tokens(returns, mask) : returns;
    check_dtype_close(adv, c, "advantages", downstream, p["replay_buffer_normalize"].get<bool>());
  });
}

TEST_CASE("Golden: verl masked_whiten and REINFORCE++ with discounting", "[advantage][torch][golden]") {
  if (!golden()) RAIF_SKIP("golden fixture not found at " RAIF_GOLDEN_DIR " (set -DRAIF_GOLDEN_DIR=...)");
  // masked_whiten has 1e-8 in its denominators and raises on Σm <= 1 in verl: never NaN.
  for_each_case("verl", "masked_whiten", 6, [](const json& c) {
    const auto w = masked_whiten(tensor(c["inputs"]["values"]), tensor(c["inputs"]["mask"]),
                                 c["params"]["shift_mean"].get<bool>());
    check_dtype_close(w.values, c, "whitened", NonFinite::unexpected);
    check_dtype_close(w.mean, c, "masked_mean", NonFinite::unexpected);
    check_dtype_close(w.var, c, "masked_var_unbiased", NonFinite::unexpected);
  });
  for_each_case("verl", "compute_reinforce_plus_plus_outcome_advantage", 6, [](const json& c) {
    const auto& in = c["inputs"];
    const auto mask = tensor(in["response_mask"]);
    const auto ret = discounted_returns(tensor(in["token_level_rewards"]), mask, c["params"]["gamma"].get<double>(),
                                        Discounting::reset_after_eos);
    check_dtype_close(ret, c, "returns", NonFinite::unexpected);
    check_dtype_close(masked_whiten(ret, mask).values * mask, c, "advantages", NonFinite::unexpected);
  });
}
