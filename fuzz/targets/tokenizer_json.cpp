// A tokenizer.json, optionally followed by a NUL and a text (the bytes are "file\0text"), through
// BpeTokenizer::load, then encode/decode of the text. An accepted tokenizer must give ids inside
// its vocabulary, decode them, and survive to_json -> from_json with the same encoding.
#include "fuzz.hpp"

#include <raif/tokenizer/bpe.hpp>

#include <cstdio>
#include <cstdlib>

namespace {
[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "raif fuzz: an accepted tokenizer.json breaks its promise: %s\n", what);
  std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = raif::fuzz::fields(raif::fuzz::bytes(data, size), 2);
  const raif::fuzz::MemFile file(parts[0]);
  // BPE is quadratic in the length of one pre-token (as in Hugging Face's): keep each input fast.
  const auto text = parts[1].substr(0, 256);
  raif::fuzz::guard([&] {
    const auto t = raif::BpeTokenizer::load(file.path());
    for (bool special : {true, false}) {
      const auto ids = t.encode(text, special);
      for (auto id : ids)
        if (id < 0 || static_cast<std::size_t>(id) >= t.vocab_size()) broken("id outside the vocabulary");
      (void)t.decode(ids);
      (void)t.decode(ids, true);
    }
    const auto u = raif::BpeTokenizer::from_json(t.to_json(), "round trip");
    if (u.encode(text) != t.encode(text)) broken("to_json -> from_json changes the encoding");
  });
  return 0;
}
