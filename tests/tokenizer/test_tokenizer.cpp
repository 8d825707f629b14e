// The byte-level BPE tokenizer: pre-tokenization, exact round trips, special tokens, tokenizer.json
// save/load, and agreement with Hugging Face `tokenizers` (fixtures from tools/gen_tokenizer_fixture.py).
#include <raif/tokenizer/bpe.hpp>
#include <raif/tokenizer/chat_template.hpp>
#include <raif/tokenizer/pretrained.hpp>

#include "../support/skip.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
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

TEST_CASE("malformed tokenizer.json files are refused with the file and the field", "[tokenizer]") {
  const auto j = read_json(data + "/hf_tokenizer.json");
  auto refused = [&](const std::function<void(json&)>& edit, const std::string& fragment) {
    auto bad = j;
    edit(bad);
    INFO(fragment);
    CHECK_THROWS_AS(BpeTokenizer::from_json(bad, "bad/tokenizer.json"), raif::error);
    CHECK_THROWS_WITH(BpeTokenizer::from_json(bad, "bad/tokenizer.json"),
                      Catch::Contains("bad/tokenizer.json: ") && Catch::Contains(fragment));
  };
  refused([](json& b) { b.erase("model"); }, "field 'model': missing");
  refused([](json& b) { b["model"]["vocab"] = json::array({1, 2}); }, "field 'model.vocab': expected an object");
  refused([](json& b) { b["model"]["vocab"]["Ā"] = 5000; }, "is outside 0..699");
  refused([](json& b) { b["model"]["vocab"]["Ā"] = -1; }, "is outside 0..699");
  refused([](json& b) { b["model"]["vocab"]["Ā"] = "5"; }, "expected an integer, got a string \"5\"");
  refused(
      [](json& b) {
        b["model"]["vocab"]["<zz>"] = b["model"]["vocab"]["Ā"];
        b["model"]["vocab"].erase("Ā");
      },
      "byte token 'Ā' (byte 0) is missing");
  refused([](json& b) { b["model"]["merges"][0] = "a b c"; }, "field 'model.merges[0]': 'a b c' is not 'a b'");
  refused([](json& b) { b["model"]["merges"][3] = 7; }, "field 'model.merges[3]': expected \"a b\" or [a, b]");
  refused([](json& b) { b["model"]["merges"] = "x"; }, "field 'model.merges': expected an array");
  refused([](json& b) { b["model"]["byte_fallback"] = true; }, "model.byte_fallback");
  refused([](json& b) { b["model"]["continuing_subword_prefix"] = "##"; }, "model.continuing_subword_prefix");
  refused([](json& b) { b["added_tokens"][0]["id"] = 1LL << 62; },
          "field 'added_tokens[0].id': 4611686018427387904 is outside 0..707");
  refused([](json& b) { b["added_tokens"][0]["id"] = -1; }, "field 'added_tokens[0].id': -1 is outside");
  refused([](json& b) { b["added_tokens"].push_back({{"id", 701}, {"content", "<x>"}}); }, "no token has id 700");
  refused(
      [](json& b) {
        b["added_tokens"].push_back({{"id", 700}, {"content", ""}});
      },
      "an added token cannot be empty");
  refused([](json& b) { b["added_tokens"].push_back({{"id", 700}, {"content", "<|im_end|>"}}); }, "is added twice");
  refused(
      [](json& b) {
        b["added_tokens"].push_back({{"id", 0}, {"content", "<x>"}});
      },
      "id 0 is the vocabulary's '<|endoftext|>', not '<x>'");
  refused([](json& b) { b["added_tokens"].push_back("<x>"); }, "field 'added_tokens[8]': expected an object");
  refused([](json& b) { b["pre_tokenizer"]["pretokenizers"][1]["use_regex"] = "false"; },
          "pre_tokenizer.pretokenizers[1].use_regex': expected true or false");
  refused(
      [](json& b) {
        b["pre_tokenizer"]["pretokenizers"][0]["pattern"] = {{"String", " "}};
      },
      "pre_tokenizer.pretokenizers[0].pattern");
  refused([](json& b) { b["normalizer"] = {{"type", "Lowercase"}}; }, "field 'normalizer': only null or NFC");
  refused([](json& b) { b["decoder"] = {{"type", "WordPiece"}}; }, "field 'decoder': only null or ByteLevel");
  CHECK_THROWS_WITH(BpeTokenizer::from_json(json::array(), "bad/tokenizer.json"),
                    Catch::Contains("bad/tokenizer.json: expected a JSON object, got an array"));
  // A truncated file: file:line:column of where the JSON stops, the line counted here by hand.
  std::ifstream in(data + "/hf_tokenizer.json", std::ios::binary);
  std::string text(1000, '\0');
  in.read(text.data(), 1000);
  const std::string path = "truncated_tokenizer.json";
  std::ofstream(path, std::ios::binary) << text;
  const auto line = 1 + std::count(text.begin(), text.end(), '\n');
  CHECK_THROWS_WITH(BpeTokenizer::load(path),
                    Catch::StartsWith("raif: truncated_tokenizer.json:" + std::to_string(line) + ":") &&
                        Catch::Contains("is not valid JSON"));
}

TEST_CASE("a tokenizer whose added tokens are also in its vocabulary saves and loads again", "[tokenizer]") {
  // hf_tokenizer.json lists its 8 specials in model.vocab (ids 0-7) and in added_tokens; to_json
  // used to drop them from the vocabulary, leaving ids 8..699 that from_json refused.
  const auto t = BpeTokenizer::load(data + "/hf_tokenizer.json");
  const auto u = BpeTokenizer::from_json(t.to_json());
  CHECK(u.to_json() == t.to_json());
  CHECK(u.to_json()["model"]["vocab"].size() == 700);
  CHECK(u.to_json()["model"]["vocab"]["<|endoftext|>"] == 0);
  for (const auto& p : corpus()) REQUIRE(u.encode(p) == t.encode(p));
}

namespace {
std::string qwen_fixture_dir() { return RAIF_QWEN2_TOKENIZER_DIR; }
// Encodes every row of a fixture's encodings.jsonl and compares with its ids; returns the rows checked.
// nfc_unicode_version rows are skipped: HF normalizes with Unicode 9 tables, raif with utf8proc's
// (the fixture's documented deviation).
int check_encodings(const BpeTokenizer& t, const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  int checked = 0;
  for (std::string line; std::getline(in, line);) {
    const auto row = json::parse(line);
    if (row["kind"] == "nfc_unicode_version") continue;
    const std::string text = row["text"];
    INFO(row["kind"] << ": " << text.substr(0, 80));
    CHECK(t.encode(text) == row["ids"].get<std::vector<std::int64_t>>());
    ++checked;
  }
  return checked;
}
} // namespace

TEST_CASE("the Qwen2.5 tokenizer.json loads and encodes as Hugging Face tokenizers", "[tokenizer]") {
  // Qwen2.5 writes continuing_subword_prefix and end_of_word_suffix as "" (not null), which raif
  // refused until issue 14. Expected ids: the fixture's, from HF tokenizers (its README).
  // long100k holds single pre-tokens of 100,000-300,000 bytes: minutes before BPE merged with a heap.
  const std::string dir = qwen_fixture_dir();
  if (!std::filesystem::exists(dir + "/tokenizer.json"))
    RAIF_SKIP("Qwen2.5 tokenizer fixture not found at " + dir + " (set -DRAIF_QWEN2_TOKENIZER_DIR=...)");
  const auto t = BpeTokenizer::load(dir + "/tokenizer.json");
  CHECK(t.vocab_size() == 151665);
  CHECK(t.pattern() == SplitPattern::qwen2);
  CHECK(check_encodings(t, dir + "/encodings.jsonl") == 588); // 592 rows less the 4 nfc_unicode_version ones
}

TEST_CASE("the Qwen3.5/3.6 tokenizer.json loads and encodes as Hugging Face tokenizers", "[tokenizer]") {
  // Another split pattern (marks join letter runs), ignore_merges (201 tokens BPE never builds are
  // found as whole pieces) and 31 merges whose parts rank above their result (conversion_hard rows).
  const std::string dir = qwen_fixture_dir() + "/qwen3_6";
  if (!std::filesystem::exists(dir + "/tokenizer.json"))
    RAIF_SKIP("Qwen3.6 tokenizer fixture not found at " + dir + " (set -DRAIF_QWEN2_TOKENIZER_DIR=...)");
  const auto t = BpeTokenizer::load(dir + "/tokenizer.json");
  CHECK(t.vocab_size() == 248044 + 33);
  CHECK(t.pattern() == SplitPattern::qwen3_5);
  CHECK(t.merges() == 247587);
  CHECK(check_encodings(t, dir + "/encodings.jsonl") == 211); // 215 rows less the 4 nfc_unicode_version ones
  // 人力资源 (rank 99655): plain BPE stops at 人|力|资源; the fixture's non-monotonic merge reaches it.
  CHECK(t.encode("人力资源") == std::vector<BpeTokenizer::Id>{99655});
}

TEST_CASE("the Qwen3.5 split keeps combining marks in words; contractions fold case", "[tokenizer]") {
  // Devanagari नमस्ते: न म स ् त े, where ् (U+094D) and े (U+0947) are marks (Mn),
  // the rest letters.
  const std::string namaste = " \u0928\u092E\u0938\u094D\u0924\u0947";
  CHECK(split(namaste, SplitPattern::qwen3_5) == std::vector<std::string_view>{namaste});
  // Qwen2: a mark is "other": the word splits before each mark, and a mark leads the next letter run.
  CHECK(split(namaste, SplitPattern::qwen2) ==
        std::vector<std::string_view>{" \u0928\u092E\u0938", "\u094D\u0924", "\u0947"});
  // (?i:'s|...): 'S, 'LL and 'ſ (U+017F, long s, folds to s) are contractions; ’s is not.
  for (auto p : {SplitPattern::qwen2, SplitPattern::qwen3_5}) {
    CHECK(split("IT'S WE'LL it'\u017F", p) ==
          std::vector<std::string_view>{"IT", "'S", " WE", "'LL", " it", "'\u017F"});
    CHECK(split("it\u2019s", p) == std::vector<std::string_view>{"it", "\u2019s"});
  }
}

TEST_CASE("ChatML renders the fixture's 24 conversations as Hugging Face's apply_chat_template", "[tokenizer]") {
  const std::string dir = qwen_fixture_dir();
  if (!std::filesystem::exists(dir + "/chat.jsonl"))
    RAIF_SKIP("Qwen2.5 tokenizer fixture not found at " + dir + " (set -DRAIF_QWEN2_TOKENIZER_DIR=...)");
  const auto pre = PretrainedTokenizer::load(dir);
  CHECK(pre.chat.default_system == "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.");
  CHECK(pre.eos_id == 151645);                                  // <|im_end|>
  CHECK(pre.pad_id == 151643);                                  // <|endoftext|>
  CHECK(pre.stop_ids == std::vector<BpeTokenizer::Id>{151645, 151643}); // generation_config.json
  std::ifstream in(dir + "/chat.jsonl");
  int rows = 0;
  for (std::string line; std::getline(in, line);) {
    const auto row = json::parse(line);
    std::vector<ChatMessage> messages;
    for (const auto& m : row["messages"]) messages.push_back({m["role"], m["content"]});
    std::string text = pre.chat.render(messages, row["add_generation_prompt"]);
    if (!row["assistant_prefill"].is_null()) text += row["assistant_prefill"].get<std::string>();
    INFO("row " << rows << ": " << row["text"].get<std::string>().substr(0, 120));
    CHECK(text == row["text"].get<std::string>());
    CHECK(pre.tokenizer.encode(text) == row["ids"].get<std::vector<std::int64_t>>());
    ++rows;
  }
  CHECK(rows == 24);
}

TEST_CASE("chat templates: the ChatML family is read, others are refused naming the file", "[tokenizer]") {
  // Qwen2.5-Instruct's own template writes the default system turn as one literal.
  const std::string qwen25 = R"({%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\n' + )"
                             R"(messages[0]['content'] + '<|im_end|>\n' }}{%- else %}{{- '<|im_start|>system\nYou )"
                             R"(are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' }})"
                             R"({%- endif %}{%- for message in messages %}...<|im_start|>...)";
  CHECK(ChatML::from_template(qwen25, "t.json").default_system ==
        "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.");
  // Qwen3's has none: a conversation without a system message starts with the user.
  const std::string qwen3 = R"({%- if messages[0].role == 'system' %}{{- '<|im_start|>system\n' + )"
                            R"(messages[0].content + '<|im_end|>\n' }}{%- endif %}...)";
  const auto chat = ChatML::from_template(qwen3, "t.json");
  CHECK(chat.default_system.empty());
  CHECK(chat.render({{"user", "Hi"}}, true) == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
  CHECK(chat.render({{"system", ""}, {"user", "Hi"}}, false) ==
        "<|im_start|>system\n<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n");
  CHECK_THROWS_WITH(ChatML::from_template("{{ bos_token }}[INST] {{ m }} [/INST]", "dir/tokenizer_config.json"),
                    Catch::Contains("dir/tokenizer_config.json: chat_template is not ChatML"));
  // A tool turn needs the template's own formatting (Qwen2.5 wraps it in a user turn): refused.
  CHECK_THROWS_WITH(chat.render({{"user", "Hi"}, {"tool", "42"}}, true), Catch::Contains("role 'tool'"));
}

TEST_CASE("ChatML::to_template writes a template from_template reads back as the same ChatML", "[tokenizer]") {
  // A default system message with every character Jinja's single quotes escape.
  ChatML with;
  with.default_system = "Think in <think></think>.\nIt's a \\ \t test\r.";
  const auto jinja = with.to_template();
  CHECK(jinja.find("default_system = 'Think in <think></think>.\\nIt\\'s a \\\\ \\t test\\r.'") != jinja.npos);
  const auto back = ChatML::from_template(jinja, "t.json");
  CHECK(back.default_system == with.default_system);
  const ChatML none;
  CHECK(ChatML::from_template(none.to_template(), "t.json").default_system.empty());
  // What the template says, read by hand: the default system turn only without a system message.
  CHECK(jinja.find("{%- if not messages or messages[0]['role'] != 'system' %}") != jinja.npos);
  CHECK(none.to_template() ==
        "{%- for message in messages %}{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + "
        "'<|im_end|>\\n' }}{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}");
  for (const ChatML* chat : std::array<const ChatML*, 2>{&with, &none})
    CHECK(ChatML::from_template(chat->to_template(), "t.json").render({{"user", "Hi"}}, true) ==
          chat->render({{"user", "Hi"}}, true));
}

TEST_CASE("ChatML::to_template renders in Jinja2, set up as transformers does, exactly as ChatML::render", "[tokenizer]") {
  // Contents and system messages with what a template could mangle: quotes, backslashes, control
  // characters, Jinja's own syntax, surrounding whitespace (trim_blocks/lstrip_blocks), UTF-8.
  const std::vector<std::string> texts = {"Hi",
                                          "It's \"quoted\" \\ and \\n not a newline",
                                          "line 1\nline 2\r\n\ttabbed  ",
                                          "{{ messages }} {% if true %}x{% endif %} {# c #}",
                                          "  \n leading and trailing \n  ",
                                          "<think>\n\n</think>\n<answer>é 中文 🙂</answer>",
                                          ""};
  std::vector<ChatML> chats(3);
  chats[1].default_system = "You are helpful.";
  chats[2].default_system = texts[1] + texts[2] + texts[3] + texts[5];
  json cases = json::array();
  auto add = [&](const ChatML& chat, const std::vector<ChatMessage>& messages) {
    for (bool generation : {true, false}) {
      json m = json::array();
      for (const auto& [role, content] : messages) m.push_back({{"role", role}, {"content", content}});
      cases.push_back({{"template", chat.to_template()},
                       {"messages", m},
                       {"add_generation_prompt", generation},
                       {"expected", chat.render(messages, generation)}});
    }
  };
  for (const auto& chat : chats) { // (no empty conversation: transformers refuses one)
    for (const auto& t : texts) {
      add(chat, {{"user", t}});
      add(chat, {{"system", t}, {"user", "Hi"}});
      add(chat, {{"system", "S"}, {"user", t}, {"assistant", t}, {"user", "again"}});
    }
  }
  std::ofstream("chat_template_cases.json") << json{{"cases", cases}}.dump();
  const std::string command = std::string("python3 ") + RAIF_SOURCE_DIR +
                              "/tools/check_chat_template_jinja.py chat_template_cases.json > chat_template_jinja.log 2>&1";
  const int status = std::system(command.c_str());
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream log("chat_template_jinja.log");
  const std::string said{std::istreambuf_iterator<char>(log), std::istreambuf_iterator<char>()};
  if (code == 77 || code == 127) RAIF_SKIP("no python3 with jinja2 (Debian: python3-jinja2): " + said);
  INFO(said);
  CHECK(cases.size() == 3 * 2 * 3 * texts.size());
  CHECK(code == 0);
  CHECK(said.find(std::to_string(cases.size()) + " of " + std::to_string(cases.size()) + " renderings equal") !=
        std::string::npos);
}

TEST_CASE("a checkpoint's tokenizer files: bad fields are named", "[tokenizer]") {
  const std::string dir = qwen_fixture_dir();
  if (!std::filesystem::exists(dir + "/tokenizer.json"))
    RAIF_SKIP("Qwen2.5 tokenizer fixture not found at " + dir + " (set -DRAIF_QWEN2_TOKENIZER_DIR=...)");
  const auto tmp = std::filesystem::path("pretrained_bad");
  std::filesystem::remove_all(tmp);
  std::filesystem::create_directories(tmp);
  std::filesystem::copy_file(dir + "/tokenizer.json", tmp / "tokenizer.json");
  const auto config = read_json(dir + "/tokenizer_config.json");
  auto write = [&](const std::string& name, const json& j) { std::ofstream(tmp / name) << j.dump(); };
  auto broken = config;
  broken["eos_token"] = "<|no_such|>";
  write("tokenizer_config.json", broken);
  CHECK_THROWS_WITH(PretrainedTokenizer::load(tmp),
                    Catch::Contains("tokenizer_config.json") && Catch::Contains("eos_token") &&
                        Catch::Contains("is not a token"));
  broken = config;
  broken["eos_token"] = {{"content", "<|im_end|>"}, {"special", true}}; // the AddedToken form is read
  broken.erase("pad_token");
  write("tokenizer_config.json", broken);
  const auto pre = PretrainedTokenizer::load(tmp); // no generation_config.json: stops on eos only
  CHECK(pre.pad_id == 151645);
  CHECK(pre.stop_ids == std::vector<BpeTokenizer::Id>{151645});
  write("generation_config.json", json{{"eos_token_id", {151645, 999999}}});
  CHECK_THROWS_WITH(PretrainedTokenizer::load(tmp), Catch::Contains("generation_config.json") &&
                                                        Catch::Contains("eos_token_id[1]"));
  std::filesystem::remove(tmp / "generation_config.json");
  // Recent transformers save the template as chat_template.jinja, not in the config.
  broken = config;
  broken.erase("chat_template");
  write("tokenizer_config.json", broken);
  CHECK_THROWS_WITH(PretrainedTokenizer::load(tmp), Catch::Contains("'chat_template': missing"));
  std::ofstream(tmp / "chat_template.jinja") << config["chat_template"].get<std::string>();
  CHECK(PretrainedTokenizer::load(tmp).chat.default_system ==
        "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.");
  std::filesystem::remove_all(tmp);
}
