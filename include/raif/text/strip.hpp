#pragma once
/// @file
/// Python's str.strip() on UTF-8 text.

#include <raif/text/unicode.hpp>
#include <raif/text/utf8.hpp>

#include <string_view>

namespace raif {

/// Python's str.strip() on UTF-8 text, without copying.
inline std::string_view py_strip(std::string_view s) noexcept {
  std::size_t begin = s.size(), end = 0;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t at = i;
    if (!is_py_space(detail::utf8_next(s, i))) {
      if (begin == s.size()) begin = at;
      end = i;
    }
  }
  return begin < end ? s.substr(begin, end - begin) : std::string_view();
}

} // namespace raif
