#pragma once

#include <raif/text/unicode.hpp>
#include <raif/text/utf8.hpp>

#include <string_view>
#include <vector>

namespace raif {

/// Python's s.split(sep) for a non-empty literal separator (pieces may be empty).
template <class CharT>
std::vector<std::basic_string_view<CharT>> py_split(std::basic_string_view<CharT> s,
                                                    std::basic_string_view<CharT> sep) {
  std::vector<std::basic_string_view<CharT>> parts;
  for (std::size_t start = 0;;) {
    const auto k = s.find(sep, start);
    parts.push_back(s.substr(start, k == s.npos ? s.npos : k - start));
    if (k == s.npos) return parts;
    start = k + sep.size();
  }
}

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
