#pragma once
/// @file
/// ASCII folding: Unicode NFKD, then every non-ASCII code point deleted, as Python's
/// `unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()` (Unicode 14, Python 3.11).
/// `São Tomé` → `Sao Tome`, `ﬁ` → `fi`, `½` → `12`; `ß`, `Ł` and CJK fold to nothing.

#include <raif/text/detail/ascii_fold_data.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>

namespace raif {

/// The ASCII characters that NFKD of the single code point `c` contains ("" for most non-ASCII).
/// Folding a string character by character is exact: see tools/gen_ascii_fold_data.py.
inline std::string_view ascii_fold(char32_t c) noexcept {
  namespace data = detail::ascii_fold_data;
  static constexpr auto ascii = [] {
    std::array<char, 128> a{};
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<char>(i);
    return a;
  }();
  if (c < 0x80) return std::string_view(&ascii[c], 1);
  const auto* end = std::end(data::table);
  const auto* it =
      std::lower_bound(std::begin(data::table), end, c, [](const data::Entry& e, char32_t x) { return e.cp < x; });
  return it != end && it->cp == c ? std::string_view(it->ascii) : std::string_view();
}

/// NFKD of `s` with the non-ASCII code points deleted (see the file comment); linear in |s|.
inline std::string ascii_fold(std::u32string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) out += ascii_fold(c);
  return out;
}

} // namespace raif
