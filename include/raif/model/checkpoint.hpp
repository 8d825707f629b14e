#pragma once
/// @file
/// Saving and loading a Qwen2 in Hugging Face's layout: a directory with `config.json` and
/// `model.safetensors` (or sharded: `model.safetensors.index.json` and the shards it names), in
/// float32, bfloat16 or float16. A checkpoint whose tensor names or shapes do not match the model
/// fails with a message naming the file and the tensor.
///
///   raif::save_pretrained(model, "run/ckpt");            // config.json + model.safetensors
///   auto m = raif::load_pretrained("run/ckpt", device);  // the same model, on `device`

#include <raif/detail/json_file.hpp>
#include <raif/model/qwen2.hpp>
#include <raif/model/safetensors.hpp>
#include <raif/model/safetensors_index.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

namespace raif {

namespace detail {
// Copies a tensor into the parameter of the same name (converted to its dtype and device), adding
// the name to `done`: an unknown name, a wrong shape or a second copy is an error naming `where`.
inline void copy_tensor(Qwen2& model, torch::OrderedDict<std::string, torch::Tensor>& params, const std::string& name,
                        const torch::Tensor& t, const std::string& where, std::set<std::string>& done) {
  torch::NoGradGuard no_grad;
  if (!params.contains(name)) {
    if (name == "lm_head.weight" && model->config.tie_word_embeddings) return; // some tied checkpoints carry it
    throw error("raif: " + where + ": tensor '" + name + "' is not a parameter of this Qwen2 (config mismatch?)");
  }
  auto& p = params[name];
  if (t.sizes() != p.sizes())
    throw error("raif: " + where + ": tensor '" + name + "' has shape " + c10::str(t.sizes()) + ", the model expects " +
                c10::str(p.sizes()));
  if (!done.insert(name).second) throw error("raif: " + where + ": tensor '" + name + "' appears twice");
  p.copy_(t);
}
// A safetensors file into the model, one tensor in memory at a time.
inline void stream_tensors(Qwen2& model, const std::string& path, std::set<std::string>& done) {
  auto params = model->named_parameters();
  for_each_safetensor(
      path, [&](const std::string& name, const torch::Tensor& t) { copy_tensor(model, params, name, t, path, done); });
}
inline void require_all(Qwen2& model, const std::set<std::string>& done, const std::string& where) {
  for (const auto& p : model->named_parameters())
    if (!done.count(p.key())) throw error("raif: " + where + ": tensor '" + p.key() + "' is missing");
}
} // namespace detail

/// Copies `tensors` into the model's parameters by name (converted to each parameter's dtype and
/// device). Every parameter must be present with its shape; unknown names are errors, except
/// lm_head.weight when the head is tied (some tied checkpoints carry it).
inline void load_weights(Qwen2& model, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                         const std::string& where) {
  std::set<std::string> done;
  auto params = model->named_parameters();
  for (const auto& [name, t] : tensors) detail::copy_tensor(model, params, name, t, where, done);
  detail::require_all(model, done, where);
}

/// Loads a sharded checkpoint's weights: `index` is its model.safetensors.index.json, whose
/// `weight_map` names each tensor's shard (a file beside it). One tensor is in memory at a time.
/// Every tensor must be in the shard the map names (checked from each shard's header before its
/// tensors are read), and every parameter somewhere.
inline void load_sharded_weights(Qwen2& model, const std::filesystem::path& index) {
  using namespace detail;
  const std::string where = index.string();
  const auto by_shard = parse_safetensors_index(read_file(index), where);
  std::set<std::string> done;
  for (const auto& [shard, names] : by_shard) {
    const auto path = (index.parent_path() / shard).string();
    const auto header = read_safetensors_header(path);
    for (const auto& t : header.tensors)
      if (!names.count(t.name))
        throw error("raif: " + path + ": tensor '" + t.name + "' is not mapped to this shard by " + where);
    for (const auto& name : names)
      if (std::none_of(header.tensors.begin(), header.tensors.end(), [&](const auto& t) { return t.name == name; }))
        throw error("raif: " + where + ": weight_map puts tensor '" + name + "' in " + shard + ", which lacks it");
    stream_tensors(model, path, done);
  }
  require_all(model, done, where);
}

/// Writes config.json and model.safetensors into `dir` (created if needed).
inline void save_pretrained(const Qwen2& model, const std::string& dir) {
  std::filesystem::create_directories(dir);
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (const auto& p : model->named_parameters()) tensors.emplace_back(p.key(), p.value());
  save_safetensors(dir + "/model.safetensors", tensors);
  detail::write_atomic(dir + "/config.json", model->config.to_json().dump(2) + "\n");
}

/// Reads a directory written by save_pretrained, or a Hugging Face Qwen2 / Qwen2.5 checkpoint
/// (config.json with model.safetensors or with model.safetensors.index.json and its shards), onto
/// `device`. `dtype` ("float32", "bfloat16", "float16"; empty: the config's torch_dtype) is the
/// parameters' dtype: a bf16 checkpoint loads into float32 master weights with "float32".
/// The model is built on `device` in that dtype part by part and the weights are read one tensor
/// at a time, so the host holds the model (when `device` is the CPU) plus one tensor, never the
/// model in float32 nor the whole file.
inline Qwen2 load_pretrained(const std::string& dir, torch::Device device = torch::kCPU,
                             const std::string& dtype = "") {
  auto config = Qwen2Config::from_json(detail::read_json_file(dir + "/config.json"), dir + "/config.json");
  if (!dtype.empty()) config.torch_dtype = dtype;
  const auto single = std::filesystem::path(dir) / "model.safetensors";
  const auto index = std::filesystem::path(dir) / "model.safetensors.index.json";
  if (!std::filesystem::exists(single) && !std::filesystem::exists(index))
    throw error("raif: " + dir + ": no model.safetensors and no model.safetensors.index.json");
  Qwen2 model(config, device);
  if (std::filesystem::exists(single)) {
    std::set<std::string> done;
    detail::stream_tensors(model, single.string(), done);
    detail::require_all(model, done, single.string());
  } else {
    load_sharded_weights(model, index);
  }
  return model;
}

} // namespace raif
