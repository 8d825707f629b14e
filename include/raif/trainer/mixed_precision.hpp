#pragma once
/// @file
/// MixedPrecision: the optimiser of a model that computes in bf16 or fp16, as the peers train
/// (Megatron-LM, DeepSpeed, PyTorch's master weights): gradients are widened into float32 master
/// copies of the parameters, the wrapped optimiser (AdamW, SGD, ...) updates those and keeps its
/// state in float32, and the model receives the masters rounded to its dtype.
///
/// Why: an update of the paper's size vanishes in bf16. AdamW moves a weight by about lr = 1e-6 per
/// step; bf16 keeps 8 significant bits, so a weight of magnitude above 2^-11 ≈ 4.9e-4 (almost all
/// of them) rounds back to itself. The master accumulates the steps until they show.
///
///   auto opt = raif::MixedPrecision(model->parameters(), raif::AdamW{}, 1e-6, 0.0);
///   for (auto& micro : batches) { loss(micro).backward(); opt.accumulate(); } // float32 sums
///   torch::nn::utils::clip_grad_norm_(opt.unscale(), 1.0);       // the masters' float32 gradients
///   opt.step();                                                  // float32 update, then rounding
///
/// Gradients sum in float32: accumulate() after each micro-batch's backward moves the model's
/// bf16 gradients into the masters' (Megatron-LM's main_grad, DeepSpeed's and FSDP's float32
/// accumulation), because summed in bf16 (8 significant bits) 16 micro-batches can lose 3% of a
/// gradient and a small one next to a large one entirely. unscale() and step() take in whatever
/// the model holds since, so a single backward needs no accumulate(). LibTorch's zero_grad is not
/// virtual: through a torch::optim::Optimizer& it clears the model's gradients only, so call
/// zero_gradients(opt) (below), or MixedPrecision::zero_grad; step() and skip() drop them too.
///
/// It is a torch::optim::Optimizer over the model's parameters, in one group: zero_grad (see above),
/// param_groups (the learning rate, set_learning_rate) and save/load (the masters travel with the
/// optimiser state, so a resumed run continues from the exact float32 weights) work as for any
/// other. Parameters added later (add_param_group) would have no masters: don't.
///
/// fp16 adds dynamic loss scaling (trainer/loss_scale.hpp): the loss is scaled before backward,
/// the gradients unscaled into the masters, and clipping and the finiteness check see those:
///
///   opt.scale_loss(loss).backward();                               // accumulate() as above
///   torch::nn::utils::clip_grad_norm_(opt.unscale(), 1.0);        // float32, unscaled
///   if (finite) opt.step(); else opt.skip(loss_is_finite);         // an overflow lowers the scale
///
/// The free functions at the end do the same for any optimiser (identity for float32 ones).

#include <raif/trainer/loss_scale.hpp>
#include <raif/trainer/optim.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace raif {

class MixedPrecision : public torch::optim::Optimizer {
public:
  MixedPrecision(std::vector<torch::Tensor> model_params, const optimizer_factory auto& factory, double lr, double wd,
                 std::optional<DynamicLossScale> loss_scale = std::nullopt)
      : torch::optim::Optimizer(model_params, std::make_unique<torch::optim::AdamWOptions>(lr)), model_(model_params),
        loss_scale_(loss_scale) {
    for (const auto& p : model_params) master_.push_back(p.detach().to(torch::kFloat32).clone().requires_grad_(true));
    inner_ = factory(master_, lr, wd);
  }

  /// The loss to differentiate: multiplied by the loss scale, if any.
  torch::Tensor scale_loss(const torch::Tensor& loss) const { return loss_scale_ ? loss * loss_scale_->scale : loss; }

  /// Adds the model's gradients, widened and divided by the loss scale, to the masters' and drops
  /// them from the model, so the next backward starts afresh and the sum stays in float32.
  void accumulate() {
    torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < model_.size(); ++i) {
      auto& grad = model_[i].mutable_grad();
      if (!grad.defined()) continue;
      auto wide = grad.to(torch::kFloat32); // the gradient itself when already float32: it is dropped below
      if (loss_scale_) wide = wide.div(loss_scale_->scale);
      auto& master_grad = master_[i].mutable_grad();
      if (master_grad.defined())
        master_grad.add_(wide);
      else
        master_grad = std::move(wide);
      grad = torch::Tensor();
    }
  }

  /// Drops every gradient, the model's and the masters' sums (LibTorch's zero_grad, which is not
  /// virtual, reaches only the model's when called through a torch::optim::Optimizer&).
  void zero_grad(bool = true) { drop_master_gradients(); }

  /// The masters, with every gradient accumulated so far (the model's too): clip and check these,
  /// then step() or skip(). A parameter that had no gradient gives a master without one.
  const std::vector<torch::Tensor>& unscale() {
    accumulate();
    return master_;
  }

  /// Steps the masters with the wrapped optimiser at this optimiser's learning rate and rounds them
  /// into the model. The masters' gradients are those accumulated (clipped after unscale(),
  /// maybe), plus any the model made since. A parameter without a gradient is left alone, as every
  /// LibTorch optimiser does.
  torch::Tensor step(LossClosure closure = nullptr) override {
    torch::NoGradGuard no_grad;
    torch::Tensor loss;
    if (closure) {
      torch::AutoGradMode grad(true);
      loss = closure();
    }
    accumulate();
    // One learning rate (set_learning_rate sets this optimiser's), for every group the factory made.
    const double lr = param_groups().front().options().get_lr();
    for (auto& group : inner_->param_groups()) group.options().set_lr(lr);
    inner_->step();
    for (std::size_t i = 0; i < model_.size(); ++i) model_[i].copy_(master_[i]);
    drop_master_gradients();
    if (loss_scale_) loss_scale_->update(true);
    return loss;
  }

  /// An update not made: the masters' gradients (and the model's) are dropped. When the gradients overflowed (a
  /// finite loss, non-finite gradients) the loss scale is lowered; a non-finite loss is not the
  /// scale's doing and leaves it. Returns whether the skip was the scale's overflow
  /// (DynamicLossScale::update), an expected event rather than an error.
  bool skip(bool gradients_overflowed = true) {
    drop_master_gradients();
    return gradients_overflowed && loss_scale_ && loss_scale_->update(false);
  }

  /// The loss scale (fp16), or nullptr.
  const DynamicLossScale* loss_scale() const { return loss_scale_ ? &*loss_scale_ : nullptr; }

  void save(torch::serialize::OutputArchive& archive) const override {
    torch::serialize::OutputArchive inner;
    inner_->save(inner);
    archive.write("inner", inner);
    for (std::size_t i = 0; i < master_.size(); ++i) archive.write("master/" + std::to_string(i), master_[i]);
    if (loss_scale_)
      archive.write("loss_scale", torch::tensor({loss_scale_->scale, static_cast<double>(loss_scale_->finite_in_a_row)},
                                                torch::kFloat64));
  }
  /// Restores the masters, the loss scale and the wrapped optimiser's state, and rounds the masters
  /// into the model. A state without a loss scale (bf16's) leaves the scale where it is.
  void load(torch::serialize::InputArchive& archive) override {
    torch::serialize::InputArchive inner;
    archive.read("inner", inner);
    inner_->load(inner);
    torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < master_.size(); ++i) {
      torch::Tensor t;
      archive.read("master/" + std::to_string(i), t);
      if (!t.sizes().equals(master_[i].sizes()))
        throw error("raif: the optimizer state's master weight " + std::to_string(i) + " has shape " +
                    c10::str(t.sizes()) + ", the model's parameter " + c10::str(master_[i].sizes()));
      master_[i].copy_(t);
      model_[i].copy_(master_[i]);
    }
    torch::Tensor scale;
    if (loss_scale_ && archive.try_read("loss_scale", scale)) {
      if (scale.numel() != 2 || !(scale[0].item<double>() > 0))
        throw error("raif: the optimizer state's loss_scale is not [scale > 0, finite steps in a row]");
      loss_scale_->scale = scale[0].item<double>();
      loss_scale_->finite_in_a_row = static_cast<std::int64_t>(scale[1].item<double>());
    }
  }

  /// The float32 master weights, in the order of the model's parameters.
  const std::vector<torch::Tensor>& master() const { return master_; }

private:
  void drop_master_gradients() { // 4 bytes a parameter, needed from the first backward to the step
    for (auto& master : master_) master.mutable_grad() = torch::Tensor();
    for (auto& p : model_) p.mutable_grad() = torch::Tensor();
  }
  std::vector<torch::Tensor> model_, master_; // handles of the model's parameters; their float32 copies
  std::unique_ptr<torch::optim::Optimizer> inner_;
  std::optional<DynamicLossScale> loss_scale_;
};

/// The optimiser a model's parameters need: `factory`'s own for float32, else it wrapped in
/// MixedPrecision, with dynamic loss scaling for fp16.
inline std::unique_ptr<torch::optim::Optimizer> make_optimizer_for(std::vector<torch::Tensor> params,
                                                                   const optimizer_factory auto& factory, double lr,
                                                                   double wd) {
  auto is = [&](auto pred) { return std::any_of(params.begin(), params.end(), pred); };
  const bool fp16 = is([](const torch::Tensor& p) { return p.scalar_type() == torch::kFloat16; });
  if (is([](const torch::Tensor& p) { return p.scalar_type() != torch::kFloat32; }))
    return std::make_unique<MixedPrecision>(std::move(params), factory, lr, wd,
                                            fp16 ? std::optional(DynamicLossScale{}) : std::nullopt);
  return factory(std::move(params), lr, wd);
}

// The update protocol for any optimiser, so that a trainer need not know which one it holds:
//   for each micro-batch: scaled_for_backward(opt, loss).backward(); accumulate_gradients(opt);
//   const auto grads = update_gradients(opt, params);  dp.sum_gradients(grads);  clip_grad_norm_(grads, c);
//   finite ? opt.step() : (skip_update(opt), ...);  zero_gradients(opt) before the next
// For a plain optimiser these are the identity, nothing, the parameters, nothing and zero_grad.

/// `loss` as it should be differentiated: scaled by a MixedPrecision's loss scale, else itself.
inline torch::Tensor scaled_for_backward(torch::optim::Optimizer& opt, const torch::Tensor& loss) {
  auto* mp = dynamic_cast<MixedPrecision*>(&opt);
  return mp ? mp->scale_loss(loss) : loss;
}
/// Drops every gradient the next update would use: a MixedPrecision's float32 sums too (LibTorch's
/// zero_grad is not virtual: through a torch::optim::Optimizer& it would reach the model's only).
inline void zero_gradients(torch::optim::Optimizer& opt) {
  if (auto* mp = dynamic_cast<MixedPrecision*>(&opt))
    mp->zero_grad();
  else
    opt.zero_grad();
}
/// After a micro-batch's backward: a MixedPrecision adds the model's gradients to its float32 sums
/// (MixedPrecision::accumulate); a plain optimiser's parameters accumulate their own.
inline void accumulate_gradients(torch::optim::Optimizer& opt) {
  if (auto* mp = dynamic_cast<MixedPrecision*>(&opt)) mp->accumulate();
}
/// The tensors whose gradients the update will use, unscaled: a MixedPrecision's float32 masters,
/// else `params`. Sum these over data-parallel ranks, then clip and check them.
inline std::vector<torch::Tensor> update_gradients(torch::optim::Optimizer& opt, std::vector<torch::Tensor> params) {
  auto* mp = dynamic_cast<MixedPrecision*>(&opt);
  return mp ? mp->unscale() : params;
}
/// An update not made; `gradients_overflowed`: the loss was finite and the gradients not. Returns
/// whether it was a loss-scale overflow (the scale is now lower, and the skip is expected rather
/// than an error).
inline bool skip_update(torch::optim::Optimizer& opt, bool gradients_overflowed) {
  auto* mp = dynamic_cast<MixedPrecision*>(&opt);
  return mp && mp->skip(gradients_overflowed);
}
/// The current loss scale, or nullopt when the optimiser has none.
inline std::optional<double> loss_scale_of(const torch::optim::Optimizer& opt) {
  const auto* mp = dynamic_cast<const MixedPrecision*>(&opt);
  if (!mp || !mp->loss_scale()) return std::nullopt;
  return mp->loss_scale()->scale;
}

} // namespace raif
