// A checkpoint's tokenizer files beside tokenizer.json (the bytes are
// "tokenizer_config.json\0chat_template.jinja\0generation_config.json"; an empty part after the first
// is an absent file) through PretrainedTokenizer::from_files, over a small tokenizer with ChatML's
// special tokens. Beyond the harness's policy (only raif::error may escape) it checks what an
// accepted configuration promises: the eos, pad and stop ids are tokens of the vocabulary, and the
// chat template renders a conversation.
#include "fuzz.hpp"

#include <raif/tokenizer/pretrained.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {
[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "raif fuzz: an accepted tokenizer configuration breaks its promise: %s\n", what);
  std::abort();
}
const raif::BpeTokenizer& tokenizer() {
  const std::vector<std::string> corpus = {"Hello world, answer in JSON.", "<think>a b c</think>"};
  static const auto t =
      raif::BpeTokenizer::train(corpus, {.vocab_size = 300, .special_tokens = raif::chat_special_tokens()});
  return t;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = raif::fuzz::fields(raif::fuzz::bytes(data, size), 3);
  raif::PretrainedTokenizer::Files files{.config = std::string(parts[0]), .config_where = "tokenizer_config.json"};
  if (!parts[1].empty()) files.jinja = parts[1], files.jinja_where = "chat_template.jinja";
  if (!parts[2].empty()) files.generation = parts[2], files.generation_where = "generation_config.json";
  raif::fuzz::guard([&] {
    const auto pre = raif::PretrainedTokenizer::from_files(tokenizer(), files);
    const auto vocab = static_cast<std::int64_t>(pre.tokenizer.vocab_size());
    auto inside = [&](std::int64_t id) { return id >= 0 && id < vocab; };
    if (!inside(pre.eos_id) || !inside(pre.pad_id)) broken("eos or pad id outside the vocabulary");
    if (pre.stop_ids.empty()) broken("no stop id");
    for (auto id : pre.stop_ids)
      if (!inside(id)) broken("stop id outside the vocabulary");
    (void)pre.chat.render({{"system", "s"}, {"user", "u"}, {"assistant", "a"}}, true);
  });
  return 0;
}
