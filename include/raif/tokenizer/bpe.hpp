#pragma once
/// @file
/// BpeTokenizer: byte-level BPE (GPT-2 / Qwen2 family). Train on a corpus, encode, decode, added
/// (special) tokens that never split, and Hugging Face `tokenizer.json` read/write, so a tokenizer
/// trained here opens in Python (`tokenizers.Tokenizer.from_file`) and a BPE vocabulary from there
/// loads here.
///
///   auto tok = raif::BpeTokenizer::train(corpus, {.vocab_size = 1024, .special_tokens = raif::chat_special_tokens()});
///   auto ids = tok.encode("<|im_start|>user\nHi<|im_end|>");   // specials are single ids
///   assert(tok.decode(ids) == "<|im_start|>user\nHi<|im_end|>");
///   tok.save("tokenizer.json");
///
/// Decoding is byte-exact: decode(encode(s)) == s for every byte string s, valid UTF-8 or not
/// (an invalid byte is its own pre-token; see pre_tokenizer.hpp).

#include <raif/detail/atomic_file.hpp>
#include <raif/detail/json_field.hpp>
#include <raif/detail/json_file.hpp>
#include <raif/error.hpp>
#include <raif/tokenizer/pre_tokenizer.hpp>

#include <nlohmann/json.hpp>
#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <shared_mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace raif {

namespace detail {
// GPT-2's bytes_to_unicode: printable bytes map to themselves, the others to U+0100 onwards.
inline const std::array<char32_t, 256>& byte_to_char() {
  static const std::array<char32_t, 256> table = [] {
    std::array<char32_t, 256> t{};
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      t[b] = printable ? static_cast<char32_t>(b) : next++;
    }
    return t;
  }();
  return table;
}
inline std::string byte_char(unsigned char b) {
  std::string s;
  utf8_append(s, byte_to_char()[b]);
  return s;
}
// The raw bytes of a token written in the byte-level alphabet.
inline std::string token_bytes(std::string_view s) {
  static const auto inverse = [] { // byte_to_char's values are below U+0144: a table, not a hash map
    std::array<int, 0x144> t;
    t.fill(-1);
    for (int b = 0; b < 256; ++b) t[byte_to_char()[b]] = b;
    return t;
  }();
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const char32_t c = utf8_next(s, i);
    // not byte-level text (an added token read as a vocabulary entry): kept as is
    if (c >= inverse.size() || inverse[c] < 0) {
      utf8_append(out, c);
      continue;
    }
    out.push_back(static_cast<char>(inverse[c]));
  }
  return out;
}
inline std::string nfc(std::string_view s) {
  utf8proc_uint8_t* r = nullptr;
  const auto n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()), &r,
                   static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (n < 0) return std::string(s); // invalid UTF-8: left as is
  std::string out(reinterpret_cast<const char*>(r), static_cast<std::size_t>(n));
  std::free(r);
  return out;
}
} // namespace detail

/// The special tokens raif's chat template and reward use, in id order after the BPE vocabulary.
inline std::vector<std::string> chat_special_tokens() {
  return {"<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>", "<answer>", "</answer>", "<|pad|>"};
}

struct BpeTrainOptions {
  std::size_t vocab_size = 1024;           ///< including the 256 byte tokens and the special tokens
  std::size_t min_frequency = 2;           ///< a pair seen fewer times is never merged
  std::vector<std::string> special_tokens; ///< added after the learned vocabulary, never split
  SplitPattern pattern = SplitPattern::gpt2;
};

class BpeTokenizer {
public:
  using Id = std::int64_t;

  /// Learns merges from `corpus` (each string pre-tokenized separately; special tokens in it are
  /// not learned from). Deterministic: the most frequent pair wins, ties go to the smaller pair of ids.
  template <class Range> static BpeTokenizer train(const Range& corpus, const BpeTrainOptions& o) {
    if (o.vocab_size < 256 + o.special_tokens.size())
      throw error("raif: BPE vocab_size " + std::to_string(o.vocab_size) +
                  " leaves no room for the 256 byte tokens and " + std::to_string(o.special_tokens.size()) +
                  " special tokens");
    BpeTokenizer t;
    t.pattern_ = o.pattern;
    for (int b = 0; b < 256; ++b) t.add_vocab(detail::byte_char(static_cast<unsigned char>(b)));
    std::unordered_map<std::string, std::size_t> counts; // pre-token bytes -> frequency
    {
      BpeTokenizer probe; // splits on specials so they are not learned from
      probe.add_special(o.special_tokens);
      for (const auto& text : corpus)
        for (auto [piece, special] : probe.split_added(text))
          if (!special)
            for (auto w : pre_tokenize(piece, o.pattern)) ++counts[std::string(w)];
    }
    std::vector<std::pair<std::string, std::size_t>> sorted(counts.begin(), counts.end());
    std::sort(sorted.begin(), sorted.end()); // deterministic order independent of the hash
    std::vector<std::vector<Id>> words;
    std::vector<std::size_t> freq;
    for (auto& [w, f] : sorted) {
      std::vector<Id> ids;
      for (unsigned char b : w) ids.push_back(b);
      words.push_back(std::move(ids));
      freq.push_back(f);
    }
    std::map<std::pair<Id, Id>, std::int64_t> pairs;
    auto count_word = [&](const std::vector<Id>& w, std::int64_t sign, std::size_t f) {
      for (std::size_t i = 0; i + 1 < w.size(); ++i) pairs[{w[i], w[i + 1]}] += sign * static_cast<std::int64_t>(f);
    };
    for (std::size_t k = 0; k < words.size(); ++k) count_word(words[k], 1, freq[k]);
    const std::size_t target = o.vocab_size - o.special_tokens.size();
    while (t.vocab_.size() < target) {
      std::pair<Id, Id> best{-1, -1};
      std::int64_t best_n = 0;
      for (const auto& [p, n] : pairs)
        if (n > best_n) best_n = n, best = p;
      if (best_n < static_cast<std::int64_t>(std::max<std::size_t>(o.min_frequency, 1))) break;
      const Id merged = t.add_vocab(t.vocab_[best.first] + t.vocab_[best.second]);
      t.add_merge(best.first, best.second, merged);
      for (std::size_t k = 0; k < words.size(); ++k) {
        auto& w = words[k];
        bool has = false;
        for (std::size_t i = 0; i + 1 < w.size() && !has; ++i) has = w[i] == best.first && w[i + 1] == best.second;
        if (!has) continue;
        count_word(w, -1, freq[k]);
        std::vector<Id> out;
        for (std::size_t i = 0; i < w.size(); ++i) {
          if (i + 1 < w.size() && w[i] == best.first && w[i + 1] == best.second) {
            out.push_back(merged);
            ++i;
          } else {
            out.push_back(w[i]);
          }
        }
        w = std::move(out);
        count_word(w, 1, freq[k]);
      }
      std::erase_if(pairs, [](const auto& kv) { return kv.second <= 0; });
    }
    t.add_special(o.special_tokens);
    t.index_vocab();
    return t;
  }

  /// Reads a Hugging Face tokenizer.json (`where` names it in errors). What is accepted — anything
  /// else is a raif::error naming the file and the field, before any tokenizer is returned:
  /// - `model`: an object, `type` "BPE" (or absent); `vocab` an object {token: id} whose ids are
  ///   exactly 0..n-1, each once, holding the 256 byte-level tokens; `merges` an array of "a b"
  ///   strings (one space) or [a, b] pairs whose parts and concatenation are in the vocabulary;
  ///   `continuing_subword_prefix` / `end_of_word_suffix` null or "" (Qwen2.5 writes ""),
  ///   `dropout` null, `byte_fallback` false, `ignore_merges` a boolean;
  /// - `pre_tokenizer`: ByteLevel (use_regex true: the GPT-2 split), or Sequence[Split(Regex: the
  ///   GPT-2, Qwen2 or Qwen3.5 pattern, behavior Isolated, invert false), ByteLevel(use_regex false)];
  /// - `normalizer`: null or NFC; `decoder`: null or ByteLevel;
  /// - `added_tokens`: an array of {id, content, ...}: content a non-empty string, lstrip, rstrip,
  ///   single_word false; an id inside the vocabulary must hold the same string there, the others
  ///   continue it without a gap; no id or content twice.
  /// Ignored: version, truncation, padding, post_processor (raif adds no BOS/EOS), unk_token,
  /// fuse_unk, trim_offsets, normalized.
  static BpeTokenizer load(const std::string& path) { return from_json(detail::read_json_file(path), path); }
  static BpeTokenizer from_json(const nlohmann::json& j, const std::string& where = "tokenizer.json") {
    using namespace detail;
    if (!j.is_object()) throw error("raif: " + where + ": expected a JSON object, got " + json_kind(j));
    BpeTokenizer t;
    const auto& m = require_field(j, "model", where, "model");
    if (!m.is_object()) throw wrong_type(m, where, "model", "an object");
    if (const auto* v = find_field(m, "type"); v && as_string(*v, where, "model.type") != "BPE")
      throw field_error(where, "model.type", "only BPE is supported, got " + json_excerpt(*v));
    for (const char* k : {"continuing_subword_prefix", "end_of_word_suffix"}) // "" changes nothing
      if (const auto* v = find_field(m, k);
          v && !v->is_null() && !(v->is_string() && v->get_ref<const std::string&>().empty()))
        throw field_error(where, std::string("model.") + k,
                          "not supported by raif's byte-level BPE (only null or \"\")");
    if (const auto* v = find_field(m, "dropout"); v && !v->is_null())
      throw field_error(where, "model.dropout", "not supported by raif's byte-level BPE (only null)");
    if (const auto* v = find_field(m, "byte_fallback"); v && as_bool(*v, where, "model.byte_fallback"))
      throw field_error(where, "model.byte_fallback", "not supported (byte-level BPE needs none)");
    if (const auto* v = find_field(m, "ignore_merges")) t.ignore_merges_ = as_bool(*v, where, "model.ignore_merges");
    t.read_pre_tokenizer(j, where);
    if (const auto* nm = find_field(j, "normalizer"); nm && !nm->is_null()) {
      if (!nm->is_object() || !find_field(*nm, "type") || !(*find_field(*nm, "type") == "NFC"))
        throw field_error(where, "normalizer", "only null or NFC is supported, got " + json_excerpt(*nm));
      t.nfc_ = true;
    }
    if (const auto* d = find_field(j, "decoder"); d && !d->is_null())
      if (!d->is_object() || !find_field(*d, "type") || !(*find_field(*d, "type") == "ByteLevel"))
        throw field_error(where, "decoder", "only null or ByteLevel is supported, got " + json_excerpt(*d));
    t.read_vocab(require_field(m, "vocab", where, "model.vocab"), where);
    t.read_merges(require_field(m, "merges", where, "model.merges"), where);
    const auto base = static_cast<Id>(t.vocab_.size());
    if (const auto* a = find_field(j, "added_tokens"); a && !a->is_null()) t.read_added(*a, where);
    t.index_vocab(base);
    return t;
  }

  nlohmann::json to_json() const {
    nlohmann::json vocab = nlohmann::json::object(), merges = nlohmann::json::array(), added = nlohmann::json::array();
    // The BPE model's vocabulary is every id below the trailing run of added tokens: those are
    // added_tokens only, while an added token inside it (Hugging Face files list specials in both)
    // stays in the vocabulary too, so from_json finds ids 0..n-1 again.
    auto model_end = static_cast<Id>(vocab_.size());
    while (model_end > 0 && added_.count(vocab_[model_end - 1])) --model_end;
    for (Id i = 0; i < model_end; ++i) vocab[vocab_[i]] = i;
    // "a b" strings as HF writes them, unless a token holds a space: then [a, b] pairs, which
    // Hugging Face tokenizers also reads and which cannot be misread.
    const bool pairs = std::any_of(merge_list_.begin(), merge_list_.end(), [&](const auto& m) {
      return vocab_[m.first].find(' ') != std::string::npos || vocab_[m.second].find(' ') != std::string::npos;
    });
    for (const auto& [a, b] : merge_list_)
      merges.push_back(pairs ? nlohmann::json::array({vocab_[a], vocab_[b]})
                             : nlohmann::json(vocab_[a] + " " + vocab_[b]));
    for (const auto& [content, id] : added_)
      added.push_back({{"id", id},
                       {"content", content},
                       {"single_word", false},
                       {"lstrip", false},
                       {"rstrip", false},
                       {"normalized", false},
                       {"special", is_special(id)}});
    std::sort(added.begin(), added.end(), [](const auto& a, const auto& b) { return a["id"] < b["id"]; });
    const nlohmann::json byte_level = {
        {"type", "ByteLevel"}, {"add_prefix_space", add_prefix_space_}, {"trim_offsets", false}, {"use_regex", false}};
    nlohmann::json pre = {{"type", "Sequence"},
                          {"pretokenizers",
                           {{{"type", "Split"},
                             {"pattern", {{"Regex", split_pattern_source(pattern_)}}},
                             {"behavior", "Isolated"},
                             {"invert", false}},
                            byte_level}}};
    return {
        {"version", "1.0"},
        {"truncation", nullptr},
        {"padding", nullptr},
        {"added_tokens", added},
        {"normalizer", nfc_ ? nlohmann::json{{"type", "NFC"}} : nlohmann::json()},
        {"pre_tokenizer", pre},
        {"post_processor", nullptr},
        {"decoder", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
        {"model",
         {{"type", "BPE"},
          {"dropout", nullptr},
          {"unk_token", nullptr},
          {"continuing_subword_prefix", nullptr},
          {"end_of_word_suffix", nullptr},
          {"fuse_unk", false},
          {"byte_fallback", false},
          {"ignore_merges", ignore_merges_},
          {"vocab", vocab},
          {"merges", merges}}}};
  }
  /// Writes tokenizer.json (atomically: a temporary file renamed over the target).
  void save(const std::string& path) const { detail::write_atomic(path, to_json().dump(1) + "\n"); }

  /// Token ids of `text`. With `allow_special` (default) added tokens in the text become their ids;
  /// without, they are encoded as ordinary text.
  std::vector<Id> encode(std::string_view text, bool allow_special = true) const {
    std::vector<Id> out;
    auto plain = [&](std::string_view piece) {
      std::string norm;
      if (nfc_) piece = norm = detail::nfc(piece);
      std::string spaced;
      if (add_prefix_space_ && !piece.empty() && piece.front() != ' ') piece = spaced = " " + std::string(piece);
      for (auto w : pre_tokenize(piece, pattern_)) encode_word(w, out);
    };
    if (!allow_special || added_.empty()) {
      plain(text);
      return out;
    }
    for (auto [piece, special] : split_added(text)) {
      if (special)
        out.push_back(added_.find(piece)->second);
      else
        plain(piece);
    }
    return out;
  }
  /// The bytes of `ids`. `skip_special` drops special tokens.
  std::string decode(const std::vector<Id>& ids, bool skip_special = false) const {
    std::string out;
    for (Id id : ids) append_token(out, id, skip_special);
    return out;
  }
  /// Appends one token's bytes (the rollout engine decodes incrementally).
  void append_token(std::string& out, Id id, bool skip_special = false) const {
    if (id < 0 || static_cast<std::size_t>(id) >= vocab_.size())
      throw error("raif: token id " + std::to_string(id) + " is outside the vocabulary (size " +
                  std::to_string(vocab_.size()) + ")");
    if (skip_special && is_special(id)) return;
    out += bytes_[id];
  }

  /// Forgets the encodings of pre-tokens seen so far (memoised across calls and copies), as a
  /// freshly loaded tokenizer: benchmarks of a cold start call it.
  void clear_cache() const {
    std::unique_lock lock(cache_->m);
    cache_->words.clear();
  }

  /// The id of a token string (e.g. "<|im_end|>"); an error if absent.
  Id token_id(std::string_view token) const {
    auto it = ids_.find(std::string(token));
    if (it == ids_.end()) throw error("raif: the tokenizer has no token '" + std::string(token) + "'");
    return it->second;
  }
  std::optional<Id> find_token(std::string_view token) const {
    auto it = ids_.find(std::string(token));
    return it == ids_.end() ? std::nullopt : std::optional<Id>(it->second);
  }
  const std::string& token(Id id) const { return vocab_.at(id); }
  bool is_special(Id id) const { return std::find(special_ids_.begin(), special_ids_.end(), id) != special_ids_.end(); }
  std::size_t vocab_size() const { return vocab_.size(); }
  std::size_t merges() const { return merge_list_.size(); }
  SplitPattern pattern() const { return pattern_; }

  /// Adds tokens matched before pre-tokenization and never split (special: skipped by decode on request).
  void add_special(const std::vector<std::string>& tokens) {
    for (const auto& s : tokens) {
      if (s.empty()) throw error("raif: an added token cannot be empty");
      if (added_.count(s)) continue;
      const Id id = add_vocab(s);
      added_[s] = id;
      special_ids_.push_back(id);
      bytes_[id] = s;
    }
  }

private:
  // --- tokenizer.json, piece by piece (from_json lists what is accepted) ---
  void read_pre_tokenizer(const nlohmann::json& j, const std::string& where) {
    using namespace detail;
    auto type_of = [&](const nlohmann::json& o, const std::string& field) -> std::string {
      if (!o.is_object()) throw wrong_type(o, where, field, "an object");
      return as_string(require_field(o, "type", where, field + ".type"), where, field + ".type");
    };
    auto byte_level = [&](const nlohmann::json& b, const std::string& field, bool regex_expected) {
      if (type_of(b, field) != "ByteLevel")
        throw field_error(where, field, "expected ByteLevel, got " + json_excerpt(b));
      if (const auto* v = find_field(b, "use_regex");
          (v ? as_bool(*v, where, field + ".use_regex") : true) != regex_expected)
        throw field_error(where, field + ".use_regex", regex_expected ? "must be true" : "must be false after a Split");
      if (const auto* v = find_field(b, "add_prefix_space"))
        add_prefix_space_ = as_bool(*v, where, field + ".add_prefix_space");
    };
    const auto* pt = find_field(j, "pre_tokenizer");
    if (!pt || pt->is_null())
      throw field_error(where, "pre_tokenizer", "a byte-level BPE needs a ByteLevel pre-tokenizer");
    if (type_of(*pt, "pre_tokenizer") != "Sequence") {
      byte_level(*pt, "pre_tokenizer", true);
      pattern_ = SplitPattern::gpt2;
      return;
    }
    const auto& seq = require_field(*pt, "pretokenizers", where, "pre_tokenizer.pretokenizers");
    if (!seq.is_array() || seq.size() != 2)
      throw field_error(where, "pre_tokenizer.pretokenizers", "expected [Split, ByteLevel], got " + json_excerpt(seq));
    const std::string split = "pre_tokenizer.pretokenizers[0]";
    const auto& sp = seq[0];
    if (type_of(sp, split) != "Split") throw field_error(where, split, "expected a Split, got " + json_excerpt(sp));
    const auto& pattern = require_field(sp, "pattern", where, split + ".pattern");
    if (!pattern.is_object() || !find_field(pattern, "Regex"))
      throw field_error(where, split + ".pattern", "expected {\"Regex\": ...}, got " + json_excerpt(pattern));
    const auto& rx = as_string(*find_field(pattern, "Regex"), where, split + ".pattern.Regex");
    const auto known = {SplitPattern::gpt2, SplitPattern::qwen2, SplitPattern::qwen3_5};
    const auto* found = std::find_if(known.begin(), known.end(), [&](auto p) { return rx == split_pattern_source(p); });
    if (found == known.end())
      throw field_error(where, split + ".pattern.Regex",
                        "unsupported split pattern " + quote(rx) + " (raif knows GPT-2's, Qwen2's and Qwen3.5's)");
    pattern_ = *found;
    const auto* behavior = find_field(sp, "behavior");
    const auto* invert = find_field(sp, "invert");
    if ((behavior && as_string(*behavior, where, split + ".behavior") != "Isolated") ||
        (invert && as_bool(*invert, where, split + ".invert")))
      throw field_error(where, split, "only behavior Isolated, invert false is supported");
    byte_level(seq[1], "pre_tokenizer.pretokenizers[1]", false);
  }

  void read_vocab(const nlohmann::json& vocab, const std::string& where) {
    using namespace detail;
    if (!vocab.is_object()) throw wrong_type(vocab, where, "model.vocab", "an object {token: id}");
    const auto n = static_cast<Id>(vocab.size());
    vocab_.assign(vocab.size(), {});
    std::vector<bool> taken(vocab.size());
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
      const std::string field = "model.vocab[" + quote(it.key()) + "]";
      if (it.key().empty()) throw field_error(where, "model.vocab", "the empty string is not a token");
      const Id id = as_int(it.value(), where, field);
      if (id < 0 || id >= n)
        throw field_error(where, field,
                          "id " + std::to_string(id) + " is outside 0.." + std::to_string(n - 1) +
                              " (the ids of a vocabulary of " + std::to_string(n) + " are 0..n-1)");
      if (taken[id]) throw field_error(where, field, "id " + std::to_string(id) + " is used twice");
      taken[id] = true;
      vocab_[id] = it.key();
    }
    index_vocab();
    for (int b = 0; b < 256; ++b)
      if (!ids_.count(detail::byte_char(static_cast<unsigned char>(b))))
        throw field_error(where, "model.vocab",
                          "byte token '" + detail::byte_char(static_cast<unsigned char>(b)) + "' (byte " +
                              std::to_string(b) + ") is missing; byte-level BPE needs all 256");
  }

  void read_merges(const nlohmann::json& merges, const std::string& where) {
    using namespace detail;
    if (!merges.is_array()) throw wrong_type(merges, where, "model.merges", "an array");
    for (std::size_t rank = 0; rank < merges.size(); ++rank) {
      const auto& mg = merges[rank];
      const std::string field = "model.merges[" + std::to_string(rank) + "]";
      std::string a, b;
      if (mg.is_string()) {
        const auto& s = mg.get_ref<const std::string&>();
        const auto sp = s.find(' ');
        if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
          throw field_error(where, field, quote(s) + " is not 'a b' (two tokens, one space)");
        a = s.substr(0, sp), b = s.substr(sp + 1);
      } else if (mg.is_array() && mg.size() == 2) {
        a = as_string(mg[0], where, field + "[0]"), b = as_string(mg[1], where, field + "[1]");
      } else {
        throw wrong_type(mg, where, field, "\"a b\" or [a, b]");
      }
      auto id = [&](const std::string& s) {
        auto it = ids_.find(s);
        if (it == ids_.end()) throw field_error(where, field, quote(s) + " is not in the vocabulary");
        return it->second;
      };
      add_merge(id(a), id(b), id(a + b));
    }
  }

  void read_added(const nlohmann::json& added, const std::string& where) {
    using namespace detail;
    if (!added.is_array()) throw wrong_type(added, where, "added_tokens", "an array");
    const auto base = static_cast<Id>(vocab_.size());
    const Id limit = base + static_cast<Id>(added.size()); // new ids continue the vocabulary
    for (std::size_t i = 0; i < added.size(); ++i) {
      const auto& at = added[i];
      const std::string field = "added_tokens[" + std::to_string(i) + "]";
      if (!at.is_object()) throw wrong_type(at, where, field, "an object {id, content, ...}");
      const auto& content =
          as_string(require_field(at, "content", where, field + ".content"), where, field + ".content");
      if (content.empty()) throw field_error(where, field + ".content", "an added token cannot be empty");
      for (const char* k : {"lstrip", "rstrip", "single_word"})
        if (const auto* v = find_field(at, k); v && as_bool(*v, where, field + "." + k))
          throw field_error(where, field + "." + k, "not supported (" + quote(content) + ")");
      const Id id = as_int(require_field(at, "id", where, field + ".id"), where, field + ".id", 0, limit - 1);
      const bool special = [&] {
        const auto* v = find_field(at, "special");
        return v && as_bool(*v, where, field + ".special");
      }();
      if (added_.count(content)) throw field_error(where, field, quote(content) + " is added twice");
      if (const auto it = ids_.find(content); it != ids_.end() && it->second != id)
        throw field_error(where, field + ".id",
                          quote(content) + " has id " + std::to_string(it->second) + " in the vocabulary, not " +
                              std::to_string(id));
      if (id < base) {
        if (vocab_[id] != content)
          throw field_error(where, field + ".id",
                            "id " + std::to_string(id) + " is the vocabulary's " + quote(vocab_[id]) + ", not " +
                                quote(content));
      } else {
        if (static_cast<std::size_t>(id) >= vocab_.size()) vocab_.resize(id + 1);
        if (!vocab_[id].empty()) throw field_error(where, field + ".id", "id " + std::to_string(id) + " is used twice");
        vocab_[id] = content;
      }
      added_[content] = id;
      if (id < base) bytes_[id] = content; // its text as is, not read as byte-level characters
      if (special) special_ids_.push_back(id);
    }
    for (Id id = base; id < static_cast<Id>(vocab_.size()); ++id)
      if (vocab_[id].empty())
        throw field_error(where, "added_tokens",
                          "no token has id " + std::to_string(id) +
                              " (added tokens continue the vocabulary without a gap)");
  }

  // Splits text into (piece, is_added_token) runs: the leftmost added token wins, the longest at a position.
  std::vector<std::pair<std::string_view, bool>> split_added(std::string_view text) const {
    std::vector<std::pair<std::string_view, bool>> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t best = std::string_view::npos, len = 0;
      for (const auto& [s, id] : added_) {
        const auto k = text.find(s, pos);
        if (k < best || (k == best && k != std::string_view::npos && s.size() > len)) best = k, len = s.size();
      }
      if (best == std::string_view::npos) break;
      if (best > pos) out.emplace_back(text.substr(pos, best - pos), false);
      out.emplace_back(text.substr(best, len), true);
      pos = best + len;
    }
    if (pos < text.size()) out.emplace_back(text.substr(pos), false);
    return out;
  }

  // Repeatedly merges the adjacent pair of lowest rank, leftmost among equals. A heap of candidate
  // pairs over a linked list of symbols makes it O(n log n) in the length of the pre-token (the
  // rescan of every pair after each merge was quadratic: 319 s for a 300,000-byte run of one
  // character with Qwen2.5's vocabulary); the merges chosen, and so the ids, are the same.
  void merge_word(std::vector<Id>& syms) const {
    const std::size_t n = syms.size();
    if (n < 2) return;
    constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::vector<std::size_t> prev(n), next(n);
    for (std::size_t i = 0; i < n; ++i) prev[i] = i == 0 ? none : i - 1, next[i] = i + 1 == n ? none : i + 1;
    struct Candidate {
      std::int64_t rank;
      std::size_t at; // the left symbol's first index: list order is index order, so "leftmost" is the smallest
      Id left, right, merged;
      bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : at > o.at; }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> heap;
    auto consider = [&](std::size_t i) {
      if (i == none || next[i] == none) return;
      if (auto it = merge_.find(key(syms[i], syms[next[i]])); it != merge_.end())
        heap.push({it->second.first, i, syms[i], syms[next[i]], it->second.second});
    };
    for (std::size_t i = 0; i + 1 < n; ++i) consider(i);
    std::vector<bool> alive(n, true);
    while (!heap.empty()) {
      const auto c = heap.top();
      heap.pop();
      const std::size_t j = next[c.at];
      // stale: the pair changed since it was pushed
      if (!alive[c.at] || j == none || syms[c.at] != c.left || syms[j] != c.right) continue;
      syms[c.at] = c.merged;
      alive[j] = false;
      next[c.at] = next[j];
      if (next[j] != none) prev[next[j]] = c.at;
      consider(prev[c.at]);
      consider(c.at);
    }
    std::size_t k = 0;
    for (std::size_t i = 0; i != none; i = next[i]) syms[k++] = syms[i];
    syms.resize(k);
  }

  void encode_word(std::string_view w, std::vector<Id>& out) const {
    {
      std::shared_lock lock(cache_->m);
      auto it = cache_->words.find(std::string(w));
      if (it != cache_->words.end()) {
        out.insert(out.end(), it->second.begin(), it->second.end());
        return;
      }
    }
    std::vector<Id> syms;
    if (ignore_merges_) {
      std::string mapped;
      for (unsigned char b : w) mapped += detail::byte_char(b);
      if (auto it = ids_.find(mapped); it != ids_.end()) syms.push_back(it->second);
    }
    if (syms.empty()) {
      for (unsigned char b : w) syms.push_back(byte_id_[b]);
      merge_word(syms);
    }
    out.insert(out.end(), syms.begin(), syms.end());
    std::unique_lock lock(cache_->m);
    if (cache_->words.size() > 200000) cache_->words.clear(); // bounded memory on endless unique input
    cache_->words.emplace(std::string(w), std::move(syms));
  }

  static std::uint64_t key(Id a, Id b) { return (static_cast<std::uint64_t>(a) << 32) | static_cast<std::uint32_t>(b); }
  Id add_vocab(std::string s) {
    const Id id = static_cast<Id>(vocab_.size());
    vocab_.push_back(s);
    ids_[s] = id;
    bytes_.push_back(detail::token_bytes(s));
    return id;
  }
  void add_merge(Id a, Id b, Id merged) {
    merge_[key(a, b)] = {static_cast<std::int64_t>(merge_list_.size()), merged};
    merge_list_.emplace_back(a, b);
  }
  // Indexes the tokens from id `from` on (0: all; from_json indexes the BPE vocabulary, then only
  // the added tokens that continue it: a second full pass was a third of the load time).
  void index_vocab(Id from = 0) {
    if (from == 0) ids_.clear();
    ids_.reserve(vocab_.size());
    bytes_.resize(vocab_.size());
    for (Id i = from; i < static_cast<Id>(vocab_.size()); ++i) {
      ids_[vocab_[i]] = i;
      bytes_[i] = added_.count(vocab_[i]) ? vocab_[i] : detail::token_bytes(vocab_[i]);
    }
    for (int b = 0; b < 256; ++b) {
      auto it = ids_.find(detail::byte_char(static_cast<unsigned char>(b)));
      byte_id_[b] = it == ids_.end() ? 0 : it->second;
    }
  }

  struct Cache {
    std::shared_mutex m;
    std::unordered_map<std::string, std::vector<Id>> words;
  };

  std::vector<std::string> vocab_; ///< token strings in the byte-level alphabet (added tokens: as is)
  std::vector<std::string> bytes_; ///< the raw bytes of each token
  std::unordered_map<std::string, Id> ids_;
  std::unordered_map<std::uint64_t, std::pair<std::int64_t, Id>> merge_; ///< (a,b) -> (rank, merged)
  std::vector<std::pair<Id, Id>> merge_list_;
  std::map<std::string, Id, std::less<>> added_;
  std::vector<Id> special_ids_;
  std::array<Id, 256> byte_id_{};
  SplitPattern pattern_ = SplitPattern::gpt2;
  bool add_prefix_space_ = false, ignore_merges_ = false, nfc_ = false;
  std::shared_ptr<Cache> cache_ = std::make_shared<Cache>();

public:
  BpeTokenizer() { index_vocab(); }
};

/// The ids that end and pad sequences of a tokenizer trained with chat_special_tokens().
struct ChatSpecialIds {
  std::vector<std::int64_t> eos; ///< <|im_end|>, <|endoftext|>
  std::int64_t pad = 0;          ///< <|pad|>
  static ChatSpecialIds of(const BpeTokenizer& tok) {
    return {{tok.token_id("<|im_end|>"), tok.token_id("<|endoftext|>")}, tok.token_id("<|pad|>")};
  }
};

} // namespace raif
