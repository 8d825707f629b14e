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
  static const auto inverse = [] {
    std::unordered_map<char32_t, unsigned char> m;
    for (int b = 0; b < 256; ++b) m[byte_to_char()[b]] = static_cast<unsigned char>(b);
    return m;
  }();
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const char32_t c = utf8_next(s, i);
    auto it = inverse.find(c);
    if (it == inverse.end()) { // not byte-level text (an added token read as a vocabulary entry): keep as is
      utf8_append(out, c);
      continue;
    }
    out.push_back(static_cast<char>(it->second));
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

  /// Reads a Hugging Face tokenizer.json (model BPE; pre-tokenizer ByteLevel, or Split with the
  /// GPT-2 or Qwen2 pattern followed by ByteLevel; normalizer none or NFC; added tokens).
  static BpeTokenizer load(const std::string& path) { return from_json(detail::read_json_file(path), path); }
  static BpeTokenizer from_json(const nlohmann::json& j, const std::string& where = "tokenizer.json") {
    auto fail = [&](const std::string& field, const std::string& why) -> error {
      return error("raif: " + where + ": field '" + field + "': " + why);
    };
    BpeTokenizer t;
    const auto& m = j.at("model");
    if (m.value("type", std::string("BPE")) != "BPE") throw fail("model.type", "only BPE is supported");
    for (const char* k : {"continuing_subword_prefix", "end_of_word_suffix", "dropout"})
      if (m.contains(k) && !m[k].is_null())
        throw fail(std::string("model.") + k, "not supported by raif's byte-level BPE");
    if (m.value("byte_fallback", false)) throw fail("model.byte_fallback", "not supported (byte-level BPE needs none)");
    t.ignore_merges_ = m.value("ignore_merges", false);
    // pre-tokenizer
    const auto& pt = j.value("pre_tokenizer", nlohmann::json());
    auto byte_level = [&](const nlohmann::json& b, bool regex_expected) {
      if (b.value("type", "") != "ByteLevel") throw fail("pre_tokenizer", "expected ByteLevel, got " + b.dump());
      if (b.value("use_regex", true) != regex_expected)
        throw fail("pre_tokenizer.use_regex", regex_expected ? "must be true" : "must be false after a Split");
      t.add_prefix_space_ = b.value("add_prefix_space", false);
    };
    if (pt.is_object() && pt.value("type", "") == "Sequence") {
      const auto& seq = pt.at("pretokenizers");
      if (seq.size() != 2) throw fail("pre_tokenizer.pretokenizers", "expected [Split, ByteLevel]");
      const auto& sp = seq[0];
      if (sp.value("type", "") != "Split" || !sp.contains("pattern") || !sp["pattern"].contains("Regex"))
        throw fail("pre_tokenizer.pretokenizers[0]", "expected a Split with a Regex pattern");
      const std::string rx = sp["pattern"]["Regex"];
      if (rx == split_pattern_source(SplitPattern::gpt2))
        t.pattern_ = SplitPattern::gpt2;
      else if (rx == split_pattern_source(SplitPattern::qwen2))
        t.pattern_ = SplitPattern::qwen2;
      else
        throw fail("pre_tokenizer.pretokenizers[0].pattern.Regex", "unsupported split pattern " + rx);
      if (sp.value("behavior", "Isolated") != "Isolated" || sp.value("invert", false))
        throw fail("pre_tokenizer.pretokenizers[0]", "only behavior Isolated, invert false is supported");
      byte_level(seq[1], false);
    } else if (pt.is_object()) {
      byte_level(pt, true);
      t.pattern_ = SplitPattern::gpt2;
    } else {
      throw fail("pre_tokenizer", "a byte-level BPE needs a ByteLevel pre-tokenizer");
    }
    const auto& nm = j.value("normalizer", nlohmann::json());
    if (nm.is_object()) {
      if (nm.value("type", "") != "NFC") throw fail("normalizer", "only null or NFC is supported, got " + nm.dump());
      t.nfc_ = true;
    }
    // vocabulary
    const auto& vocab = m.at("vocab");
    t.vocab_.assign(vocab.size(), {});
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
      const auto id = it.value().get<Id>();
      if (id < 0 || static_cast<std::size_t>(id) >= vocab.size())
        throw fail("model.vocab", "id " + std::to_string(id) + " of '" + it.key() + "' is outside 0.." +
                                      std::to_string(vocab.size() - 1));
      if (!t.vocab_[id].empty()) throw fail("model.vocab", "id " + std::to_string(id) + " is used twice");
      t.vocab_[id] = it.key();
    }
    t.index_vocab();
    for (int b = 0; b < 256; ++b)
      if (!t.ids_.count(detail::byte_char(static_cast<unsigned char>(b))))
        throw fail("model.vocab", "byte token '" + detail::byte_char(static_cast<unsigned char>(b)) + "' (byte " +
                                      std::to_string(b) + ") is missing; byte-level BPE needs all 256");
    std::size_t rank = 0;
    for (const auto& mg : m.at("merges")) {
      std::string a, b;
      if (mg.is_string()) {
        const std::string s = mg;
        const auto sp = s.find(' ');
        if (sp == std::string::npos)
          throw fail("model.merges[" + std::to_string(rank) + "]", "'" + s + "' is not 'a b'");
        a = s.substr(0, sp), b = s.substr(sp + 1);
      } else {
        a = mg.at(0), b = mg.at(1);
      }
      auto id = [&](const std::string& s) {
        auto it = t.ids_.find(s);
        if (it == t.ids_.end())
          throw fail("model.merges[" + std::to_string(rank) + "]", "'" + s + "' is not in the vocabulary");
        return it->second;
      };
      t.add_merge(id(a), id(b), id(a + b));
      ++rank;
    }
    for (const auto& at : j.value("added_tokens", nlohmann::json::array())) {
      if (at.value("lstrip", false) || at.value("rstrip", false) || at.value("single_word", false))
        throw fail("added_tokens", "lstrip/rstrip/single_word are not supported ('" + at.value("content", "") + "')");
      const Id id = at.at("id");
      const std::string content = at.at("content");
      if (static_cast<std::size_t>(id) >= t.vocab_.size()) t.vocab_.resize(id + 1);
      t.vocab_[id] = content;
      t.added_[content] = id;
      if (at.value("special", false)) t.special_ids_.push_back(id);
    }
    t.index_vocab();
    return t;
  }

  nlohmann::json to_json() const {
    nlohmann::json vocab = nlohmann::json::object(), merges = nlohmann::json::array(), added = nlohmann::json::array();
    for (Id i = 0; i < static_cast<Id>(vocab_.size()); ++i)
      if (!added_.count(vocab_[i])) vocab[vocab_[i]] = i;
    for (const auto& [a, b] : merge_list_) merges.push_back(vocab_[a] + " " + vocab_[b]);
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
      // Repeatedly merge the adjacent pair of lowest rank (leftmost among equals).
      while (syms.size() > 1) {
        std::size_t at = 0;
        std::int64_t rank = -1;
        Id merged = 0;
        for (std::size_t i = 0; i + 1 < syms.size(); ++i) {
          auto it = merge_.find(key(syms[i], syms[i + 1]));
          if (it != merge_.end() && (rank < 0 || it->second.first < rank))
            at = i, rank = it->second.first, merged = it->second.second;
        }
        if (rank < 0) break;
        syms[at] = merged;
        syms.erase(syms.begin() + static_cast<std::ptrdiff_t>(at) + 1);
      }
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
  void index_vocab() {
    ids_.clear();
    bytes_.assign(vocab_.size(), {});
    for (Id i = 0; i < static_cast<Id>(vocab_.size()); ++i) {
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

} // namespace raif
