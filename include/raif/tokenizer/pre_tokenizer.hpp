#pragma once
/// @file
/// Byte-level pre-tokenization: the GPT-2, Qwen2 and Qwen3.5 split patterns, written out by hand
/// (no regex engine), with the same leftmost-first semantics as the regexes Hugging Face tokenizers
/// and tiktoken run:
///
///   gpt2:    's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///   qwen2:   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|
///            \s*[\r\n]+|\s+(?!\S)|\s+
///   qwen3_5: qwen2 with combining marks in the letter runs (Qwen3.5 / 3.6: a Hindi or Arabic word
///            stays one piece instead of splitting at its vowel signs):
///            ...|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|...
///
/// The `(?i:...)` contractions fold case as the regex engines do (simple case folding), so `'S`
/// and `'ſ` (U+017F, long s) count as `'s`; only the ASCII apostrophe opens one.
/// Pieces are byte ranges of the input, so any byte string, valid UTF-8 or not, is covered exactly:
/// an invalid byte is one code point of its own that is neither letter, number nor space.

#include <raif/error.hpp>
#include <raif/text/unicode.hpp>
#include <raif/text/utf8.hpp>

#include <string_view>
#include <vector>

namespace raif {

enum class SplitPattern { gpt2, qwen2, qwen3_5 };

/// The regex source of each pattern, as it appears in a tokenizer.json.
inline std::string_view split_pattern_source(SplitPattern p) {
  switch (p) {
  case SplitPattern::gpt2: return R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
  case SplitPattern::qwen2:
    return R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
  case SplitPattern::qwen3_5:
    return R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}|)"
           R"( ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
  }
  return {};
}

namespace detail {

struct CodePoints {
  std::vector<char32_t> cp;       ///< code points (U+FFFD for an invalid byte)
  std::vector<std::size_t> start; ///< byte offset of each, plus the end
  explicit CodePoints(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
      start.push_back(i);
      cp.push_back(utf8_next(s, i));
    }
    start.push_back(s.size());
  }
  std::size_t size() const { return cp.size(); }
};

inline std::size_t contraction(const CodePoints& c, std::size_t i, bool ignore_case) {
  if (c.cp[i] != U'\'' || i + 1 >= c.size()) return 0;
  auto at = [&](std::size_t k) -> char32_t {
    if (k >= c.size()) return 0;
    const char32_t x = c.cp[k];
    if (!ignore_case) return x;
    if (x == 0x17F) return U's'; // long s folds to s
    return x >= 'A' && x <= 'Z' ? x + 32 : x;
  };
  const char32_t a = at(i + 1), b = at(i + 2);
  if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
  if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
  return 0;
}

inline bool is_other(char32_t c) { return !is_white_space(c) && !is_letter(c) && !is_number(c); }

// \s+(?!\S) | \s+ at i (c.cp[i] is white space): the run without its last character when more
// text follows, else the whole run.
inline std::size_t space_run(const CodePoints& c, std::size_t i) {
  std::size_t j = i;
  while (j < c.size() && is_white_space(c.cp[j])) ++j;
  if (j < c.size() && j - i >= 2) return j - i - 1;
  return j - i;
}

inline std::size_t match_gpt2(const CodePoints& c, std::size_t i) {
  if (auto n = contraction(c, i, false)) return n;
  const std::size_t k = i + (c.cp[i] == U' ' && i + 1 < c.size() ? 1 : 0);
  auto run = [&](auto pred) {
    std::size_t j = k;
    while (j < c.size() && pred(c.cp[j])) ++j;
    return j > k ? j - i : 0;
  };
  if (auto n = run(is_letter)) return n;
  if (auto n = run(is_number)) return n;
  if (auto n = run(is_other)) return n;
  return space_run(c, i);
}

// Qwen2, or with `marks` Qwen3.5, where \p{M} joins \p{L} in the letter runs and leaves "other".
inline std::size_t match_qwen(const CodePoints& c, std::size_t i, bool marks) {
  if (auto n = contraction(c, i, true)) return n;
  auto letter_like = [&](char32_t x) { return is_letter(x) || (marks && is_mark(x)); };
  auto letters = [&](std::size_t k) {
    std::size_t j = k;
    while (j < c.size() && letter_like(c.cp[j])) ++j;
    return j;
  };
  const char32_t c0 = c.cp[i];
  if (c0 != U'\r' && c0 != U'\n' && !is_letter(c0) && !is_number(c0) && i + 1 < c.size() && letter_like(c.cp[i + 1]))
    return letters(i + 1) - i;
  if (letter_like(c0)) return letters(i) - i;
  if (is_number(c0)) return 1;
  {
    std::size_t k = i + (c0 == U' ' && i + 1 < c.size() ? 1 : 0), j = k;
    while (j < c.size() && is_other(c.cp[j]) && !(marks && is_mark(c.cp[j]))) ++j;
    if (j > k) {
      while (j < c.size() && (c.cp[j] == U'\r' || c.cp[j] == U'\n')) ++j;
      return j - i;
    }
  }
  // \s*[\r\n]+ : the white-space run up to and including its last line break.
  std::size_t j = i, last_nl = 0;
  while (j < c.size() && is_white_space(c.cp[j])) {
    if (c.cp[j] == U'\r' || c.cp[j] == U'\n') last_nl = j + 1;
    ++j;
  }
  if (last_nl) return last_nl - i;
  return space_run(c, i);
}

} // namespace detail

/// Splits `s` into pre-tokens (byte ranges, in order, covering all of `s`).
inline std::vector<std::string_view> pre_tokenize(std::string_view s, SplitPattern p) {
  std::vector<std::string_view> out;
  const detail::CodePoints c(s);
  for (std::size_t i = 0; i < c.size();) {
    std::size_t n = p == SplitPattern::gpt2 ? detail::match_gpt2(c, i)
                                            : detail::match_qwen(c, i, p == SplitPattern::qwen3_5);
    if (n == 0) n = 1; // unreachable by construction; guarantees progress
    out.push_back(s.substr(c.start[i], c.start[i + n] - c.start[i]));
    i += n;
  }
  return out;
}

} // namespace raif
