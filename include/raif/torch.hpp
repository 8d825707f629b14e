#pragma once
/// @file
/// Entry point of the LibTorch layer (target raif::torch). The advantage/, objective/, model/,
/// tokenizer/, rollout/ and trainer/ folders build on it.

#include <raif/error.hpp>

#include <torch/torch.h>

namespace raif {

/// The device raif's LibTorch layer runs on: CUDA when torch::cuda::is_available(), else the CPU.
inline torch::Device default_device() {
  return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

} // namespace raif
