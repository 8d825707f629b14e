// A Qwen2 config.json (the bytes are the file) through Qwen2Config::from_json, as load_pretrained
// reads it. An accepted config must validate, stay under the parameter bound, and come back
// unchanged through to_json -> from_json.
#include "fuzz.hpp"

#include <raif/detail/json_file.hpp>
#include <raif/model/qwen2_config.hpp>

#include <cstdio>
#include <cstdlib>

namespace {
[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "raif fuzz: an accepted config.json breaks its promise: %s\n", what);
  std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const raif::fuzz::MemFile file(raif::fuzz::bytes(data, size));
  raif::fuzz::guard([&] {
    const auto c = raif::Qwen2Config::from_json(raif::detail::read_json_file(file.path()), file.path());
    if (!(c.parameter_count() <= raif::qwen2_max_parameters)) broken("parameter bound");
    if (c.hidden_size % c.num_attention_heads != 0 || c.num_attention_heads % c.num_key_value_heads != 0)
      broken("head divisibility");
    const auto d = raif::Qwen2Config::from_json(c.to_json(), "round trip");
    if (d.to_json() != c.to_json()) broken("to_json -> from_json changes the config");
  });
  return 0;
}
