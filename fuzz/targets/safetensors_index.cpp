// A sharded checkpoint's model.safetensors.index.json through parse_safetensors_index. Beyond the
// harness's policy (only raif::error may escape) it checks what an accepted index promises: every
// shard is a plain file name beside the index, and each holds at least one tensor.
#include "fuzz.hpp"

#include <raif/model/safetensors_index.hpp>

#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = raif::fuzz::bytes(data, size);
  raif::fuzz::guard([&] {
    for (const auto& [shard, tensors] : raif::parse_safetensors_index(text, "model.safetensors.index.json"))
      if (shard.empty() || shard == "." || shard == ".." || shard.find_first_of("/\\") != std::string::npos ||
          tensors.empty()) {
        std::fprintf(stderr, "raif fuzz: an accepted index names shard '%s' (%zu tensors)\n", shard.c_str(),
                     tensors.size());
        std::abort();
      }
  });
  return 0;
}
