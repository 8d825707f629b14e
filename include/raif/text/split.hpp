#pragma once
/// @file
/// Python's str.split(sep) for a literal separator.

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

} // namespace raif
