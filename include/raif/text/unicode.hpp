#pragma once
// Code-point level Unicode, with Python 3.11's definitions (IFEval is Python): what `\w`, `\d` and
// `\s` match, str.isupper()/islower(), str.lower() and re.IGNORECASE equivalence. The tables are
// generated from the interpreter itself (tools/gen_unicode_tables.py), so they agree by construction.

#include <raif/text/detail/unicode_tables.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace raif {

namespace detail {
inline const unicode_data::record& urecord(char32_t c) noexcept {
  if (c >= 0x110000) c = 0xFFFD;
  const auto block = unicode_data::stage1[c >> 8];
  return unicode_data::records[unicode_data::stage2[(block << 8) | (c & 0xFF)]];
}
inline bool uflag(char32_t c, std::uint8_t f) noexcept { return (urecord(c).flags & f) != 0; }
} // namespace detail

/// Python `\w` on str: alphanumeric (str.isalnum) or '_'. Combining marks are not word characters.
inline bool is_word_char(char32_t c) noexcept {
  if (c < 0x80) return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_';
  return detail::uflag(c, detail::unicode_data::word);
}
/// Python `\d` on str: a decimal digit (general category Nd).
inline bool is_decimal(char32_t c) noexcept {
  if (c < 0x80) return c >= '0' && c <= '9';
  return detail::uflag(c, detail::unicode_data::digit);
}
/// Python's str.isdigit() on one character: Numeric_Type Decimal or Digit, so also superscripts,
/// circled and parenthesised digits (`²`, `①`); the 128 Digit-but-not-Decimal code points of
/// Unicode 14 (Python 3.11) are listed here.
inline bool py_isdigit(char32_t c) noexcept {
  if (c < 0x80) return c >= '0' && c <= '9';
  if (is_decimal(c)) return true;
  constexpr char32_t ranges[][2] = {
      {0xB2, 0xB3},     {0xB9, 0xB9},     {0x1369, 0x1371},   {0x19DA, 0x19DA},   {0x2070, 0x2070},
      {0x2074, 0x2079}, {0x2080, 0x2089}, {0x2460, 0x2468},   {0x2474, 0x247C},   {0x2488, 0x2490},
      {0x24EA, 0x24EA}, {0x24F5, 0x24FD}, {0x24FF, 0x24FF},   {0x2776, 0x277E},   {0x2780, 0x2788},
      {0x278A, 0x2792}, {0x10A40, 0x10A43}, {0x10E60, 0x10E68}, {0x11052, 0x1105A}, {0x1F100, 0x1F10A}};
  for (const auto& r : ranges)
    if (c >= r[0] && c <= r[1]) return true;
  return false;
}
/// Python's str.isalnum() on one character (isalpha, isdecimal, isdigit or isnumeric): `\w` without '_'.
inline bool py_isalnum(char32_t c) noexcept { return c != '_' && is_word_char(c); }
/// Python's str.isalpha() on one character: general category L*.
inline bool py_isalpha(char32_t c) noexcept;

/// Python whitespace (str.isspace, str.strip(), str.split(), `\s`).
inline bool is_py_space(char32_t c) noexcept {
  if (c < 0x80) return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20);
  return detail::uflag(c, detail::unicode_data::space);
}
/// Single-character str.isupper(): Uppercase property and neither Lowercase nor titlecase.
inline bool is_upper(char32_t c) noexcept {
  if (c < 0x80) return c >= 'A' && c <= 'Z';
  return detail::uflag(c, detail::unicode_data::upper);
}
/// Single-character str.islower().
inline bool is_lower(char32_t c) noexcept {
  if (c < 0x80) return c >= 'a' && c <= 'z';
  return detail::uflag(c, detail::unicode_data::lower);
}
/// General category L* (regex `\p{L}`; the tokenizer's pre-tokenizer).
inline bool is_letter(char32_t c) noexcept {
  if (c < 0x80) return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
  return detail::urecord(c).major == detail::unicode_data::gc_letter;
}
/// General category N* (regex `\p{N}`).
inline bool is_number(char32_t c) noexcept {
  if (c < 0x80) return c >= '0' && c <= '9';
  return detail::urecord(c).major == detail::unicode_data::gc_number;
}
/// General category M* (regex `\p{M}`: combining marks; the Qwen3.5 split pattern).
inline bool is_mark(char32_t c) noexcept {
  // The first mark is U+0300: ASCII and Latin-1 skip the table.
  return c >= 0x300 && detail::urecord(c).major == detail::unicode_data::gc_mark;
}
inline bool py_isalpha(char32_t c) noexcept { return is_letter(c); }
/// The Unicode White_Space property (regex `\s` outside Python): Python's isspace without U+001C..U+001F.
inline bool is_white_space(char32_t c) noexcept { return is_py_space(c) && !(c >= 0x1C && c <= 0x1F); }
/// General category Lt.
inline bool is_title(char32_t c) noexcept { return c >= 0x80 && detail::uflag(c, detail::unicode_data::title); }

/// Simple (one-to-one) lowercase mapping, as used by Python's re for IGNORECASE.
inline char32_t simple_lower(char32_t c) noexcept {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  return static_cast<char32_t>(static_cast<std::int32_t>(c) + detail::urecord(c).simple_lower);
}

/// The key under which Python's re.IGNORECASE considers two characters equal: simple lowercase,
/// merged with re._casefix's extra equivalences (i/ı, s/ſ, µ/μ, K/k/KELVIN SIGN, ...).
inline char32_t fold_key(char32_t c) noexcept {
  // ASCII: lowercase, except that i, s and k share a class with non-ASCII letters (ı, ſ, KELVIN
  // SIGN) whose representative is the ASCII letter itself, so lowercasing is still right.
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  return static_cast<char32_t>(static_cast<std::int32_t>(c) + detail::urecord(c).fold);
}

/// Python's str.lower(): full lowercase mapping (may lengthen the text) with the final-sigma rule.
inline std::u32string py_lower(std::u32string_view s) {
  // Written by index, not push_back (whose capacity checks dominated on ASCII text); a
  // one-to-many mapping grows the buffer.
  std::u32string out(s.size(), U'\0');
  std::size_t n = 0;
  auto put = [&](char32_t x) {
    if (n == out.size()) out.resize(2 * out.size() + 4);
    out[n++] = x;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char32_t c = s[i];
    if (c < 0x80) {
      put((c >= 'A' && c <= 'Z') ? c + 32 : c);
      continue;
    }
    if (c == 0x3A3) { // GREEK CAPITAL SIGMA: final form after a cased letter, not before one
      std::size_t j = i;
      char32_t p = 0;
      bool found = false;
      while (j > 0) {
        p = s[--j];
        if (!detail::uflag(p, detail::unicode_data::case_ignorable)) {
          found = true;
          break;
        }
      }
      bool final_sigma = found && detail::uflag(p, detail::unicode_data::cased);
      if (final_sigma) {
        std::size_t k = i + 1;
        while (k < s.size() && detail::uflag(s[k], detail::unicode_data::case_ignorable)) ++k;
        final_sigma = k == s.size() || !detail::uflag(s[k], detail::unicode_data::cased);
      }
      put(final_sigma ? 0x3C2 : 0x3C3);
      continue;
    }
    const auto& r = detail::urecord(c);
    if (r.full_lower == 0 && r.simple_lower != 0) { // one-to-many mapping (U+0130)
      bool mapped = false;
      for (const auto& sp : detail::unicode_data::special_lower)
        if (sp.cp == c) {
          for (char32_t x : sp.lower)
            if (x) put(x);
          mapped = true;
        }
      if (!mapped) put(c);
      continue;
    }
    put(static_cast<char32_t>(static_cast<std::int32_t>(c) + r.full_lower));
  }
  out.resize(n);
  return out;
}

/// Python's str.isupper(): at least one uppercase character and no lowercase or titlecase one.
inline bool py_isupper(std::u32string_view s) noexcept {
  bool cased = false;
  for (char32_t c : s) {
    if (is_lower(c) || is_title(c)) return false;
    if (!cased && is_upper(c)) cased = true;
  }
  return cased;
}

/// Python's str.islower().
inline bool py_islower(std::u32string_view s) noexcept {
  bool cased = false;
  for (char32_t c : s) {
    if (is_upper(c) || is_title(c)) return false;
    if (!cased && is_lower(c)) cased = true;
  }
  return cased;
}

/// Python's str.strip() with no argument.
inline std::u32string_view py_strip(std::u32string_view s) noexcept {
  std::size_t b = 0, e = s.size();
  while (b < e && is_py_space(s[b])) ++b;
  while (e > b && is_py_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

/// Python's str.split() with no argument: maximal runs of non-whitespace.
template <class F> void for_each_py_word(std::u32string_view s, F&& f) {
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_py_space(s[i])) ++i;
    const std::size_t b = i;
    while (i < s.size() && !is_py_space(s[i])) ++i;
    if (i > b) f(s.substr(b, i - b));
  }
}

} // namespace raif
