#pragma once
/// @file
/// Token-level pieces of the advantage pipeline (LibTorch), with both peers' conventions:
/// the outcome reward placed at the EOS token with an optional KL penalty in the reward
/// (OpenRLHF's compute_reward), discounted returns, verl's masked_whiten, and OpenRLHF's
/// replay-buffer normalisation over all valid tokens of a rollout.

#include <raif/torch.hpp>

#include <optional>
#include <utility>

namespace raif {

/// Puts r[b] at the last valid position of row b (T-1 for an empty row), adds -kl_coef * kl at
/// every token (kl optional), clipping r to `clip` first. Result: kl's dtype when kl is given.
inline torch::Tensor shape_token_rewards(const torch::Tensor& r, const torch::Tensor& mask,
                                         const torch::Tensor& kl = {}, double kl_coef = 0.0,
                                         std::optional<std::pair<double, double>> clip = std::nullopt) {
  auto reward = clip ? r.clamp(clip->first, clip->second) : r;
  const auto T = mask.size(1);
  const auto eos = (T - 1 - mask.to(torch::kLong).fliplr().argmax(1)).unsqueeze(1);
  const auto dtype = kl.defined() ? kl.scalar_type() : reward.scalar_type();
  auto out =
      torch::zeros({mask.size(0), T}, reward.options().dtype(dtype)).scatter(1, eos, reward.to(dtype).unsqueeze(1));
  if (kl.defined()) out = out + -kl_coef * kl;
  return out;
}

/// How a discounted return treats positions outside the mask.
enum class Discounting {
  mask_rewards,   ///< OpenRLHF: rewards times mask, then a reverse discounted cumsum
  reset_after_eos ///< verl: ret_t = r_t + gamma * run; run = ret_t * m_t (resets after EOS)
};

inline torch::Tensor discounted_returns(const torch::Tensor& rewards, const torch::Tensor& mask, double gamma,
                                        Discounting how = Discounting::mask_rewards) {
  const auto m = mask.to(rewards.dtype());
  const auto r = how == Discounting::mask_rewards ? rewards * m : rewards;
  auto out = torch::zeros_like(r);
  auto running = torch::zeros({r.size(0)}, r.options());
  for (int64_t t = r.size(1) - 1; t >= 0; --t) {
    running = r.select(1, t) + gamma * running;
    out.select(1, t).copy_(running);
    if (how == Discounting::reset_after_eos) running = running * m.select(1, t);
  }
  return out;
}

/// verl's masked_whiten: mu = sum(v m)/(sum m + 1e-8); var = the same mean of (v - mu)^2, times
/// sum m / (sum m - 1); returns (v - mu) / sqrt(var + 1e-8) (plus mu again unless shift_mean),
/// with mu and var. Throws when the mask holds fewer than 2 tokens.
struct Whitened {
  torch::Tensor values, mean, var;
};
inline Whitened masked_whiten(const torch::Tensor& v, const torch::Tensor& mask, bool shift_mean = true) {
  const auto m = mask.to(v.dtype());
  const auto n = m.sum();
  if (n.item<double>() < 2) throw error("raif: masked_whiten needs at least 2 valid tokens");
  const auto mean = (v * m).sum() / (n + 1e-8);
  const auto var = ((v - mean).square() * m).sum() / (n + 1e-8) * (n / (n - 1));
  auto w = (v - mean) * torch::rsqrt(var + 1e-8);
  if (!shift_mean) w = w + mean;
  return {w, mean, var};
}

/// OpenRLHF's replay-buffer normalisation: each row's right padding (after its last valid token)
/// is dropped; all kept tokens of the rollout are normalised together with float32 statistics,
/// mu = mean, var = biased variance, x <- (x - mu) / sqrt(max(var, 1e-8)); padding is 0 again.
inline torch::Tensor normalize_valid_tokens(const torch::Tensor& x, const torch::Tensor& mask) {
  const auto T = mask.size(1);
  const auto last = (T - 1 - mask.to(torch::kLong).fliplr().argmax(1)).unsqueeze(1);
  const auto any = mask.to(torch::kBool).any(1, true);
  const auto kept = (torch::arange(T, torch::TensorOptions().dtype(torch::kLong).device(mask.device())).unsqueeze(0) <= last) & any;
  const auto vals = x.masked_select(kept).to(torch::kFloat32);
  if (vals.numel() == 0) return torch::zeros_like(x);
  const auto mu = vals.mean();
  const auto var = (vals - mu).square().mean();
  const auto normed = (x - mu) * torch::rsqrt(var.clamp_min(1e-8));
  return torch::where(kept, normed, torch::zeros_like(normed));
}

} // namespace raif
