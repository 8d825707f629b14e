#pragma once

#include <raif/text/unicode.hpp>

#include <string_view>

namespace raif {

/// len(re.findall(r"\w+", s)): maximal runs of Python word characters. "don't" = 2, "3.14" = 2,
/// "naïve" = 1; a combining mark splits a word, as in Python.
inline std::size_t count_words(std::u32string_view s) noexcept {
  std::size_t n = 0;
  bool in_word = false;
  for (char32_t c : s) {
    const bool w = is_word_char(c);
    n += (w && !in_word);
    in_word = w;
  }
  return n;
}

} // namespace raif
