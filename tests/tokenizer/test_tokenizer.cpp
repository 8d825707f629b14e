// The byte-level BPE tokenizer: pre-tokenization, exact round trips, special tokens, tokenizer.json
// save/load, and agreement with Hugging Face `tokenizers` (fixtures from tools/gen_tokenizer_fixture.py).
#include <raif/tokenizer/bpe.hpp>
#include <raif/tokenizer/chat_template.hpp>

#include "../support/skip.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <random>

using namespace raif;
using nlohmann::json;

namespace {
std::vector<std::string> ifeval_prompts() {
  std::vector<std::string> out;
  std::ifstream in(std::string(RAIF_IFEVAL_DIR) + "/input_data.jsonl");
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line).at("prompt"));
  return out;
}
json read_json(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  return json::parse(in);
}
const std::string data = RAIF_TEST_DATA;
std::vector<std::string> fallback_corpus() {
  return {"The quick brown fox jumps over the lazy dog. It's 2024!", "Write a poem about cats, in ALL CAPS.",
          "Answer in JSON: {\"a\": 1}", "Übermäßig schöne Straße — 東京 2023 🎉 don't", "Hello world\n\nHello again"};
}
const std::vector<std::string>& corpus() {
  static const auto c = [] {
    auto p = ifeval_prompts();
    return p.empty() ? fallback_corpus() : p;
  }();
  return c;
}
const BpeTokenizer& trained() {
  static const auto t = BpeTokenizer::train(corpus(), {.vocab_size = 700, .special_tokens = chat_special_tokens()});
  return t;
}
std::vector<std::string_view> split(std::string_view s, SplitPattern p) { return pre_tokenize(s, p); }
} // namespace

TEST_CASE("GPT-2 and Qwen2 pre-tokenization, by hand", "[tokenizer]") {
  using V = std::vector<std::string_view>;
  CHECK(split("Hello world's  test 123!!\n\n x", SplitPattern::gpt2) ==
        V{"Hello", " world", "'s", " ", " test", " 123", "!!", "\n\n", " x"});
  // Qwen2: digits one by one, a punctuation mark joins the next word, case-insensitive contractions,
  // line breaks with the spaces before them.
  CHECK(split("I'M (x)  2024\n  \nend ", SplitPattern::qwen2) ==
        V{"I", "'M", " (", "x", ")", " ", " ", "2", "0", "2", "4", "\n  \n", "end", " "});
  // invalid bytes are pieces of their own and keep their bytes
  CHECK(split("a\xff\xfe b", SplitPattern::gpt2) == V{"a", "\xff\xfe", " b"});
}

TEST_CASE("encode/decode round-trips any byte string", "[tokenizer]") {
  const auto& t = trained();
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> kind(0, 5), len(0, 40);
  for (int n = 0; n < 500; ++n) {
    std::string s;
    for (int i = len(rng); i > 0; --i) {
      switch (kind(rng)) {
      case 0: s += static_cast<char>(rng() % 128); break;                            // ASCII, controls included
      case 1: s += static_cast<char>(rng() % 256); break;                            // any byte: often invalid UTF-8
      case 2: utf8_append(s, static_cast<char32_t>(0x80 + rng() % 0x780)); break;    // 2-byte
      case 3: utf8_append(s, static_cast<char32_t>(0x3000 + rng() % 0x6000)); break; // CJK and friends
      case 4: utf8_append(s, static_cast<char32_t>(0x1F300 + rng() % 0x300)); break; // emoji
      default: s += " <think> "; break;                                              // a special token
      }
    }
    INFO(n);
    REQUIRE(t.decode(t.encode(s)) == s);
    REQUIRE(t.decode(t.encode(s, false)) == s);
  }
}

TEST_CASE("IFEval prompts round-trip and compress", "[tokenizer]") {
  const auto prompts = ifeval_prompts();
  if (prompts.empty()) RAIF_SKIP("IFEval fixture not found at " RAIF_IFEVAL_DIR " (set -DRAIF_IFEVAL_DIR=...)");
  const auto& t = trained();
  std::size_t bytes = 0, tokens = 0;
  for (const auto& p : prompts) {
    const auto ids = t.encode(p);
    REQUIRE(t.decode(ids) == p);
    bytes += p.size();
    tokens += ids.size();
  }
  CHECK(prompts.size() == 541);
  CHECK(t.vocab_size() == 700); // the IFEval prompts hold enough pairs for every merge asked (the fallback does not)
  CHECK(double(bytes) / double(tokens) > 2.5); // a 700-token BPE learned something
}

TEST_CASE("special tokens never split", "[tokenizer]") {
  const auto& t = trained();
  const ChatML chat;
  const auto s = chat.prompt("sys", "Say <answer>hi</answer>", true);
  CHECK(s == "<|im_start|>system\nsys<|im_end|>\n<|im_start|>user\nSay <answer>hi</answer><|im_end|>\n"
             "<|im_start|>assistant\n<think>\n\n</think>\n");
  const auto ids = t.encode(s);
  // Each special token once per occurrence in s, counted by hand from the string above.
  const std::vector<std::pair<const char*, long>> expected{{"<|im_start|>", 3}, {"<|im_end|>", 2}, {"<think>", 1},
                                                           {"</think>", 1},     {"<answer>", 1},   {"</answer>", 1}};
  for (const auto& [sp, n] : expected) {
    INFO(sp);
    CHECK(std::count(ids.begin(), ids.end(), t.token_id(sp)) == n);
  }
  // as plain text they are split into ordinary tokens
  const auto plain = t.encode(s, false);
  CHECK(std::count(plain.begin(), plain.end(), t.token_id("<|im_start|>")) == 0);
  CHECK(t.decode(plain) == s);
  CHECK(t.decode(ids, true) == "system\nsys\nuser\nSay hi\nassistant\n\n\n\n");
}

TEST_CASE("tokenizer.json save -> load gives identical encodings", "[tokenizer]") {
  const auto& t = trained();
  const std::string path = "raif_test_tokenizer.json";
  t.save(path);
  const auto u = BpeTokenizer::load(path);
  CHECK(u.to_json() == t.to_json());
  for (const auto& p : corpus()) REQUIRE(u.encode(p) == t.encode(p));
}

TEST_CASE("a tokenizer trained by Hugging Face tokenizers loads and encodes identically", "[tokenizer]") {
  const auto t = BpeTokenizer::load(data + "/hf_tokenizer.json");
  CHECK(t.pattern() == SplitPattern::qwen2);
  const auto fx = read_json(data + "/hf_tokenizer_encodings.json");
  REQUIRE(fx.size() == 80); // the texts in tests/data/hf_tokenizer_encodings.json
  for (const auto& c : fx) {
    const std::string text = c["text"];
    INFO(text);
    CHECK(t.encode(text) == c["ids"].get<std::vector<std::int64_t>>());
  }
}

TEST_CASE("raif's tokenizer.json opens in Hugging Face tokenizers with the same encodings", "[tokenizer]") {
  // tests/data/raif_tokenizer.json was written by raif (RAIF_WRITE_FIXTURES=1 writes it again);
  // the encodings are Hugging Face's for that file.
  const auto prompts = ifeval_prompts();
  if (prompts.empty()) RAIF_SKIP("IFEval fixture not found at " RAIF_IFEVAL_DIR " (set -DRAIF_IFEVAL_DIR=...)");
  const auto t = BpeTokenizer::train(
      prompts, {.vocab_size = 600, .special_tokens = chat_special_tokens(), .pattern = SplitPattern::gpt2});
  if (std::getenv("RAIF_WRITE_FIXTURES")) t.save(data + "/raif_tokenizer.json");
  CHECK(t.to_json() == read_json(data + "/raif_tokenizer.json")); // training is deterministic
  for (const auto& c : read_json(data + "/raif_tokenizer_hf_encodings.json")) {
    const std::string text = c["text"];
    INFO(text);
    CHECK(t.encode(text) == c["ids"].get<std::vector<std::int64_t>>());
  }
}

TEST_CASE("bad tokenizer.json files name the field", "[tokenizer]") {
  auto j = read_json(data + "/hf_tokenizer.json");
  auto bad = j;
  bad["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "\\w+";
  CHECK_THROWS_WITH(BpeTokenizer::from_json(bad), Catch::Contains("pre_tokenizer.pretokenizers[0].pattern.Regex"));
  bad = j;
  bad["model"]["merges"][0] = "nosuchtoken x";
  CHECK_THROWS_WITH(BpeTokenizer::from_json(bad), Catch::Contains("model.merges[0]"));
  bad = j;
  bad["model"]["type"] = "WordPiece";
  CHECK_THROWS_WITH(BpeTokenizer::from_json(bad), Catch::Contains("model.type"));
  CHECK_THROWS_WITH(BpeTokenizer::load("/nonexistent/tokenizer.json"), Catch::Contains("/nonexistent/tokenizer.json"));
  CHECK_THROWS_WITH(BpeTokenizer::train(corpus(), {.vocab_size = 100, .special_tokens = {}}),
                    Catch::Contains("vocab_size"));
}
