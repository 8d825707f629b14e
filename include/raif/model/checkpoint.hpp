#pragma once
/// @file
/// Saving and loading a Qwen2 in Hugging Face's layout: a directory with `config.json` and
/// `model.safetensors`. A checkpoint whose tensor names or shapes do not match the model fails with
/// a message naming the tensor.
///
///   raif::save_pretrained(model, "run/ckpt");            // config.json + model.safetensors
///   auto m = raif::load_pretrained("run/ckpt", device);  // the same model, on `device`

#include <raif/detail/json_file.hpp>
#include <raif/model/qwen2.hpp>
#include <raif/model/safetensors.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

namespace raif {

/// Copies `tensors` into the model's parameters by name (converted to each parameter's dtype and
/// device). Every parameter must be present with its shape; unknown names are errors, except
/// lm_head.weight when the head is tied (some tied checkpoints carry it).
inline void load_weights(Qwen2& model, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                         const std::string& where) {
  torch::NoGradGuard no_grad;
  auto params = model->named_parameters();
  std::map<std::string, torch::Tensor> by_name(tensors.begin(), tensors.end());
  for (const auto& [name, t] : by_name)
    if (!params.contains(name) && !(name == "lm_head.weight" && model->config.tie_word_embeddings))
      throw error("raif: " + where + ": tensor '" + name + "' is not a parameter of this Qwen2 (config mismatch?)");
  for (auto& p : params) {
    auto it = by_name.find(p.key());
    if (it == by_name.end()) throw error("raif: " + where + ": tensor '" + p.key() + "' is missing");
    if (it->second.sizes() != p.value().sizes())
      throw error("raif: " + where + ": tensor '" + p.key() + "' has shape " + c10::str(it->second.sizes()) +
                  ", the model expects " + c10::str(p.value().sizes()));
    p.value().copy_(it->second);
  }
}

/// Writes config.json and model.safetensors into `dir` (created if needed).
inline void save_pretrained(const Qwen2& model, const std::string& dir) {
  std::filesystem::create_directories(dir);
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (const auto& p : model->named_parameters()) tensors.emplace_back(p.key(), p.value());
  save_safetensors(dir + "/model.safetensors", tensors);
  detail::write_atomic(dir + "/config.json", model->config.to_json().dump(2) + "\n");
}

/// Reads a directory written by save_pretrained (or a Hugging Face Qwen2 checkpoint with a single
/// model.safetensors) onto `device`.
inline Qwen2 load_pretrained(const std::string& dir, torch::Device device = torch::kCPU) {
  const auto j = detail::read_json_file(dir + "/config.json");
  Qwen2 model(Qwen2Config::from_json(j, dir + "/config.json"));
  load_weights(model, load_safetensors(dir + "/model.safetensors"), dir + "/model.safetensors");
  model->to(device);
  return model;
}

} // namespace raif
