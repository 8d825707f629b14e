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
///   loss.backward();                                             // bf16 gradients on the model
///   torch::nn::utils::clip_grad_norm_(model->parameters(), 1.0); // clipping sees them as usual
///   opt.step();                                                  // float32 update, then rounding
///
/// It is a torch::optim::Optimizer over the model's parameters, in one group: zero_grad,
/// param_groups (the learning rate, set_learning_rate) and save/load (the masters travel with the
/// optimiser state, so a resumed run continues from the exact float32 weights) work as for any
/// other. Parameters added later (add_param_group) would have no masters: don't.
///
/// fp16 adds dynamic loss scaling (trainer/loss_scale.hpp): the loss is scaled before backward,
/// the gradients unscaled into the masters, and clipping and the finiteness check see those:
///
///   opt.scale_loss(loss).backward();
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

  /// Widens the model's gradients into the masters, divided by the loss scale, and returns the
  /// masters: clip and check these, then step() or skip(). A parameter without a gradient gives a
  /// master without one.
  const std::vector<torch::Tensor>& unscale() {
    torch::NoGradGuard no_grad;
    unscaled_from_.clear();
    for (std::size_t i = 0; i < model_.size(); ++i) {
      const auto& grad = model_[i].grad();
      auto& master_grad = master_[i].mutable_grad();
      if (!grad.defined()) master_grad = torch::Tensor();
      else if (loss_scale_) master_grad = grad.to(torch::kFloat32).div(loss_scale_->scale);
      else master_grad = grad.to(torch::kFloat32); // the gradient itself when already float32: read only
      unscaled_from_.push_back(stamp(grad));
    }
    return master_;
  }

  /// Steps the masters with the wrapped optimiser at this optimiser's learning rate and rounds them
  /// into the model. The masters' gradients are those `unscale` made (clipped, maybe) if the
  /// model's gradients have not changed since, else they are unscaled now. A parameter without a
  /// gradient is left alone, as every LibTorch optimiser does.
  torch::Tensor step(LossClosure closure = nullptr) override {
    torch::NoGradGuard no_grad;
    torch::Tensor loss;
    if (closure) {
      torch::AutoGradMode grad(true);
      loss = closure();
    }
    if (!unscaled_current()) unscale();
    // One learning rate (set_learning_rate sets this optimiser's), for every group the factory made.
    const double lr = param_groups().front().options().get_lr();
    for (auto& group : inner_->param_groups()) group.options().set_lr(lr);
    inner_->step();
    for (std::size_t i = 0; i < model_.size(); ++i) model_[i].copy_(master_[i]);
    drop_master_gradients();
    if (loss_scale_) loss_scale_->update(true);
    return loss;
  }

  /// An update not made: the masters' gradients are dropped. When the gradients overflowed (a
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
  void drop_master_gradients() { // 4 bytes a parameter, needed only during the step
    for (auto& master : master_) master.mutable_grad() = torch::Tensor();
    unscaled_from_.clear();
  }
  // Which gradient tensor, at which version, a master's gradient was unscaled from: zero_grad (not
  // virtual, so not ours to extend) or another backward changes one of them. The handle keeps the
  // tensor alive, so a new gradient cannot take its address.
  static std::pair<torch::Tensor, std::int64_t> stamp(const torch::Tensor& grad) {
    return {grad, grad.defined() ? static_cast<std::int64_t>(grad._version()) : 0};
  }
  bool unscaled_current() const {
    if (unscaled_from_.size() != model_.size()) return false;
    for (std::size_t i = 0; i < model_.size(); ++i) {
      const auto& [was, version] = unscaled_from_[i];
      const auto& now = model_[i].grad();
      if (was.defined() != now.defined() || (now.defined() && (!was.is_same(now) || version != now._version())))
        return false;
    }
    return true;
  }
  std::vector<torch::Tensor> model_, master_; // handles of the model's parameters; their float32 copies
  std::unique_ptr<torch::optim::Optimizer> inner_;
  std::optional<DynamicLossScale> loss_scale_;
  std::vector<std::pair<torch::Tensor, std::int64_t>> unscaled_from_; // empty: the masters hold no gradients
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
//   scaled_for_backward(opt, loss).backward();  clip_grad_norm_(update_gradients(opt, params), c);
//   finite ? opt.step() : (skip_update(opt), ...)
// For a plain optimiser these are the identity, the parameters and nothing.

/// `loss` as it should be differentiated: scaled by a MixedPrecision's loss scale, else itself.
inline torch::Tensor scaled_for_backward(torch::optim::Optimizer& opt, const torch::Tensor& loss) {
  auto* mp = dynamic_cast<MixedPrecision*>(&opt);
  return mp ? mp->scale_loss(loss) : loss;
}
/// The tensors whose gradients the update will use, unscaled: a MixedPrecision's float32 masters,
/// else `params`. Clip and check these.
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
