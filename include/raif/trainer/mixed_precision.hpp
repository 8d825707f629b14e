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

#include <raif/trainer/optim.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace raif {

class MixedPrecision : public torch::optim::Optimizer {
public:
  MixedPrecision(std::vector<torch::Tensor> model_params, const optimizer_factory auto& factory, double lr, double wd)
      : torch::optim::Optimizer(model_params, std::make_unique<torch::optim::AdamWOptions>(lr)), model_(model_params) {
    for (const auto& p : model_params) master_.push_back(p.detach().to(torch::kFloat32).clone().requires_grad_(true));
    inner_ = factory(master_, lr, wd);
  }

  /// Widens the model's gradients into the masters, steps them with the wrapped optimiser at this
  /// optimiser's learning rate, and rounds them into the model. A parameter without a gradient is
  /// left alone, as every LibTorch optimiser does.
  torch::Tensor step(LossClosure closure = nullptr) override {
    torch::NoGradGuard no_grad;
    torch::Tensor loss;
    if (closure) {
      torch::AutoGradMode grad(true);
      loss = closure();
    }
    for (std::size_t i = 0; i < model_.size(); ++i)
      master_[i].mutable_grad() = model_[i].grad().defined() ? model_[i].grad().to(torch::kFloat32) : torch::Tensor();
    // One learning rate (set_learning_rate sets this optimiser's), for every group the factory made.
    const double lr = param_groups().front().options().get_lr();
    for (auto& group : inner_->param_groups()) group.options().set_lr(lr);
    inner_->step();
    for (std::size_t i = 0; i < model_.size(); ++i) {
      model_[i].copy_(master_[i]);
      master_[i].mutable_grad() = torch::Tensor(); // 4 bytes a parameter, needed only during the step
    }
    return loss;
  }

  void save(torch::serialize::OutputArchive& archive) const override {
    torch::serialize::OutputArchive inner;
    inner_->save(inner);
    archive.write("inner", inner);
    for (std::size_t i = 0; i < master_.size(); ++i) archive.write("master/" + std::to_string(i), master_[i]);
  }
  /// Restores the masters and the wrapped optimiser's state, and rounds the masters into the model.
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
  }

  /// The float32 master weights, in the order of the model's parameters.
  const std::vector<torch::Tensor>& master() const { return master_; }

private:
  std::vector<torch::Tensor> model_, master_; // handles of the model's parameters; their float32 copies
  std::unique_ptr<torch::optim::Optimizer> inner_;
};

/// The optimiser a model's parameters need: `factory`'s own for float32, else it wrapped in MixedPrecision.
inline std::unique_ptr<torch::optim::Optimizer> make_optimizer_for(std::vector<torch::Tensor> params,
                                                                   const optimizer_factory auto& factory, double lr,
                                                                   double wd) {
  const bool low = std::any_of(params.begin(), params.end(),
                               [](const torch::Tensor& p) { return p.scalar_type() != torch::kFloat32; });
  if (low) return std::make_unique<MixedPrecision>(std::move(params), factory, lr, wd);
  return factory(std::move(params), lr, wd);
}

} // namespace raif
