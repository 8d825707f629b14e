#pragma once
/// @file
/// Python's `string.punctuation` (the 32 ASCII marks ``!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~``, IFBench's
/// "P") and the string operations IFBench builds from it: delete every mark, and
/// `s.strip(string.punctuation + " ")`, which trims the marks and the ASCII space only (not tabs,
/// newlines or other whitespace).

#include <string>
#include <string_view>

namespace raif {

inline constexpr std::u32string_view ascii_punctuation = U"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

/// c in string.punctuation: the printable ASCII characters that are neither letters nor digits.
inline bool is_ascii_punct(char32_t c) noexcept {
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
}

/// s with every character of string.punctuation deleted.
inline std::u32string remove_ascii_punct(std::u32string_view s) {
  std::u32string out(s.size(), U'\0');
  std::size_t n = 0;
  for (char32_t c : s) {
    out[n] = c;
    n += !is_ascii_punct(c);
  }
  out.resize(n);
  return out;
}

/// s.lstrip(string.punctuation + " ").
inline std::u32string_view lstrip_punct_space(std::u32string_view s) noexcept {
  while (!s.empty() && (s.front() == U' ' || is_ascii_punct(s.front()))) s.remove_prefix(1);
  return s;
}
/// s.rstrip(string.punctuation + " ").
inline std::u32string_view rstrip_punct_space(std::u32string_view s) noexcept {
  while (!s.empty() && (s.back() == U' ' || is_ascii_punct(s.back()))) s.remove_suffix(1);
  return s;
}
/// s.strip(string.punctuation + " ").
inline std::u32string_view strip_punct_space(std::u32string_view s) noexcept {
  return rstrip_punct_space(lstrip_punct_space(s));
}

} // namespace raif
