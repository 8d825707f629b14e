#pragma once
/// @file
/// Python's str.strip() on UTF-8 text.

#include <raif/text/unicode.hpp>
#include <raif/text/utf8.hpp>

#include <string_view>

namespace raif {

/// Python's str.strip() on UTF-8 text, without copying.
inline std::string_view py_strip(std::string_view s) noexcept {
  std::size_t begin = 0;
  while (begin < s.size()) {
    std::size_t next = begin;
    if (!is_py_space(detail::utf8_next(s, next))) break;
    begin = next;
  }
  // From the back without decoding the whole text: an ASCII byte is always a character of its own
  // (never part of a sequence, valid or not), so a trailing non-ASCII run is decoded forward from
  // the byte after the ASCII byte before it.
  std::size_t end = s.size();
  while (end > begin) {
    const auto last = static_cast<unsigned char>(s[end - 1]);
    if (last < 0x80) {
      if (!is_py_space(last)) break;
      --end;
      continue;
    }
    std::size_t from = end - 1;
    while (from > begin && static_cast<unsigned char>(s[from - 1]) >= 0x80) --from;
    std::size_t kept = from;
    for (std::size_t i = from; i < end;)
      if (!is_py_space(detail::utf8_next(s, i))) kept = i;
    if (kept > from) {
      end = kept;
      break;
    }
    end = from; // the whole run was whitespace
  }
  return s.substr(begin, end - begin);
}

} // namespace raif
