// Loss masks of the policy loss through raif::objective(...): per sample ([B], superior-CoT's keep
// mask) and per token ([B, T], OpenRLHF's PolicyLoss loss_mask), in both MaskedSamples modes.
// Expected values are computed by hand from the clipped-surrogate definition.
#include <raif/objective/objective.hpp>

#include <catch2/catch.hpp>

#include <cmath>

using namespace raif;

namespace {
torch::Tensor t(std::vector<double> v, std::int64_t rows) { return torch::tensor(v, torch::kFloat64).view({rows, -1}); }
PolicyBatch batch(torch::Tensor logp, torch::Tensor old, torch::Tensor adv, torch::Tensor loss_mask) {
  PolicyBatch b;
  b.logp = logp;
  b.old_logp = old;
  b.advantages = adv;
  b.mask = torch::ones_like(logp);
  b.loss_mask = loss_mask;
  return b;
}
} // namespace

TEST_CASE("a per-token loss mask keeps only its tokens", "[objective][masks]") {
  // ratio 1 everywhere: the per-token loss is -A. Row 0 keeps 1 token (-1), row 1 both (-2, -2).
  const auto lp = torch::zeros({2, 2}, torch::kFloat64);
  const auto b = batch(lp, lp, t({1, 1, 2, 2}, 2), t({1, 0, 1, 1}, 2));
  const auto seq = objective(ClippedSurrogate{}, LossAggregation::seq_mean_token_mean)(b);
  CHECK(seq.loss.item<double>() == Approx((-1.0 + (-2.0 - 2.0) / 2) / 2)); // mean of row means: -1.5
  const auto tok = objective(ClippedSurrogate{}, LossAggregation::token_mean)(b);
  CHECK(tok.loss.item<double>() == Approx((-1.0 - 2.0 - 2.0) / 3)); // 3 tokens kept
  CHECK(tok.metric("pg/keep_ratio") == Approx(0.75));               // 3 of 4 valid tokens
}

TEST_CASE("a per-token mask equal on every token of a row is the per-sample mask", "[objective][masks]") {
  auto lp = t({0.1, -0.2, 0.3, 0.05, -0.4, 0.2}, 2).requires_grad_(true);
  const auto old = t({0.0, 0.0, 0.1, 0.0, 0.0, 0.0}, 2), adv = t({1, 1, 1, -2, -2, -2}, 2);
  const auto obj = objective(ClippedSurrogate{}, LossAggregation::seq_mean_token_mean);
  const auto per_sample = obj(batch(lp, old, adv, torch::tensor({1.0, 0.0}, torch::kFloat64)));
  const auto grad_sample = torch::autograd::grad({per_sample.loss}, {lp})[0];
  const auto per_token = obj(batch(lp, old, adv, t({1, 1, 1, 0, 0, 0}, 2)));
  const auto grad_token = torch::autograd::grad({per_token.loss}, {lp})[0];
  CHECK(per_token.loss.item<double>() == per_sample.loss.item<double>());
  CHECK(torch::equal(grad_token, grad_sample));
  CHECK(grad_token[1].abs().sum().item<double>() == 0.0); // the masked row gets no gradient
}

TEST_CASE("the released code's masked samples are reachable through objective()", "[objective][masks]") {
  // T = 1, A = 1, log-ratios 0.1 and 0.5; sample 1 masked. e^0.1 = 1.10517 is inside [0.8, 1.2].
  auto lp = t({0.1, 0.5}, 2).requires_grad_(true);
  const auto old = t({0.0, 0.0}, 2), adv = t({1.0, 1.0}, 2);
  const auto keep = torch::tensor({1.0, 0.0}, torch::kFloat64);
  const auto excluded = objective(ClippedSurrogate{}, LossAggregation::seq_mean_token_mean)(batch(lp, old, adv, keep));
  CHECK(excluded.loss.item<double>() == Approx(-std::exp(0.1))); // the masked sample leaves the mean
  const auto released = objective(ClippedSurrogate{.masked_samples = MaskedSamples::released_code},
                                  LossAggregation::seq_mean_token_mean)(batch(lp, old, adv, keep));
  // its ratio is forced to 1 (loss -A = -1, no gradient) and it still counts in the denominator
  CHECK(released.loss.item<double>() == Approx((-std::exp(0.1) - 1.0) / 2));
  const auto g = torch::autograd::grad({released.loss}, {lp})[0];
  CHECK(g[0][0].item<double>() == Approx(-std::exp(0.1) / 2));
  CHECK(g[1][0].item<double>() == 0.0);
}

TEST_CASE("a loss mask of another shape is refused", "[objective][masks]") {
  const auto lp = torch::zeros({2, 3}, torch::kFloat64);
  CHECK_THROWS_WITH(objective(ClippedSurrogate{})(batch(lp, lp, lp, torch::ones({2, 2}, torch::kFloat64))),
                    Catch::Contains("must be [B] or [B, T]"));
}
