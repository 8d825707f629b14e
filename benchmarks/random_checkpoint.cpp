// Writes a Qwen2 with random weights as a Hugging Face checkpoint folder (config.json +
// model.safetensors), for benchmarks and scripts/gpu-check.sh: a real model's shape without its
// download. With a tokenizer folder, its tokenizer.json, tokenizer_config.json and
// generation_config.json are copied beside, so `raif-train --set model.init=DIR` can start from it.
//   random_checkpoint DIR '{"hidden_size": 896, "num_hidden_layers": 24, ...}' [TOKENIZER_DIR]
// The JSON holds Qwen2Config keys (config.json's names); the others keep Qwen2.5-0.5B's values.
#include <raif/model/checkpoint.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>

int main(int argc, char** argv) try {
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
