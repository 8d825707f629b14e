// Writes a Qwen2 with random weights as a Hugging Face checkpoint folder (config.json +
// model.safetensors), for benchmarks and scripts/gpu-check.sh: a real model's shape without its
// download. With a tokenizer folder, its tokenizer.json, tokenizer_config.json and
// generation_config.json are copied beside, so `raif-train --set model.init=DIR` can start from it.
//   random_checkpoint DIR '{"hidden_size": 896, "num_hidden_layers": 24, ...}' [TOKENIZER_DIR]
// The JSON holds Qwen2Config keys (config.json's names); the others keep Qwen2.5-0.5B's values.
//   random_checkpoint --logits DIR OUT.json
// loads any checkpoint folder as raif does and writes its float32 logits for a fixed left-padded
// batch of two rows, {input_ids, attention_mask, logits}: tools/check_checkpoint_transformers.py
// compares them with transformers' on the same folder.
//   random_checkpoint --load DIR [DTYPE]
// loads a checkpoint folder as raif-train's model.init does and prints the seconds it took and the
// process's peak resident memory (VmHWM), the cost of starting from a real checkpoint.
#include <raif/model/checkpoint.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

// The logits of a fixed batch: row 0 left-padded by three, row 1 full; ids below the vocabulary.
int write_logits(const std::string& dir, const std::string& out) {
  auto model = raif::load_pretrained(dir, torch::kCPU, "float32");
  model->eval();
  torch::NoGradGuard no_grad;
  const auto V = model->config.vocab_size;
  std::vector<std::int64_t> ids, mask;
  for (std::int64_t r = 0; r < 2; ++r)
    for (std::int64_t t = 0; t < 12; ++t) {
      const bool pad = r == 0 && t < 3;
      ids.push_back(pad ? 0 : (r * 7919 + t * 104729 + 11) % V);
      mask.push_back(pad ? 0 : 1);
    }
  const auto ids_t = torch::tensor(ids).view({2, 12}), mask_t = torch::tensor(mask).view({2, 12});
  const auto logits = model->forward(ids_t, mask_t).to(torch::kFloat32).contiguous();
  nlohmann::json j = {{"input_ids", nlohmann::json::array()}, {"attention_mask", nlohmann::json::array()}};
  for (std::int64_t r = 0; r < 2; ++r) {
    j["input_ids"].push_back(std::vector<std::int64_t>(ids.begin() + r * 12, ids.begin() + (r + 1) * 12));
    j["attention_mask"].push_back(std::vector<std::int64_t>(mask.begin() + r * 12, mask.begin() + (r + 1) * 12));
  }
  const float* p = logits.data_ptr<float>();
  j["logits"] = std::vector<float>(p, p + logits.numel()); // row-major [2, 12, V]
  j["shape"] = {2, 12, V};
  std::ofstream(out) << j.dump();
  std::cout << out << ": logits of " << dir << "\n";
  return 0;
}

// Peak resident memory of this process so far, in MB (Linux's VmHWM).
double peak_rss_mb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmHWM:")) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

int time_load(const std::string& dir, const std::string& dtype) {
  const double before = peak_rss_mb();
  const auto start = std::chrono::steady_clock::now();
  const auto model = raif::load_pretrained(dir, torch::kCPU, dtype);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  double bytes = 0;
  for (const auto& p : model->parameters()) bytes += static_cast<double>(p.numel() * p.element_size());
  std::cout << dir << ": " << model->config.parameter_count() / 1e6 << "M parameters in "
            << c10::toString(model->head_weight().scalar_type()) << " (" << bytes / 1e6 << " MB), loaded in "
            << took.count() << " s; peak resident memory " << before << " MB before, " << peak_rss_mb()
            << " MB after\n";
  return 0;
}

int main(int argc, char** argv) try {
  if (argc == 4 && std::string(argv[1]) == "--logits") return write_logits(argv[2], argv[3]);
  if ((argc == 3 || argc == 4) && std::string(argv[1]) == "--load") return time_load(argv[2], argc == 4 ? argv[3] : "");
  if (argc < 3) {
    std::cerr << "usage: random_checkpoint DIR SHAPE_JSON [TOKENIZER_DIR]\n";
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  nlohmann::json config = {{"vocab_size", 151936},         {"hidden_size", 896},        {"intermediate_size", 4864},
                           {"num_hidden_layers", 24},      {"num_attention_heads", 14}, {"num_key_value_heads", 2},
                           {"max_position_embeddings", 32768}, {"rope_theta", 1000000.0}, {"rms_norm_eps", 1e-6},
                           {"tie_word_embeddings", true},  {"torch_dtype", "bfloat16"}};
  config.update(raif::detail::parse_json_text(argv[2], "SHAPE_JSON"));
  torch::manual_seed(0);
  raif::Qwen2 model(raif::Qwen2Config::from_json(config, "SHAPE_JSON"));
  std::filesystem::remove_all(dir);
  raif::save_pretrained(model, dir.string());
  if (argc > 3)
    for (const char* name : {"tokenizer.json", "tokenizer_config.json", "generation_config.json"})
      std::filesystem::copy_file(std::filesystem::path(argv[3]) / name, dir / name);
  std::cout << dir.string() << ": " << model->config.parameter_count() / 1e6 << "M parameters, "
            << model->config.torch_dtype << "\n";
  return 0;
} catch (const std::exception& e) {
  std::cerr << "random_checkpoint: " << e.what() << "\n";
  return 2;
}
