#pragma once
// Byte-exact reproductions of the two Python formatters IFEval's output goes through:
// repr(float) (shortest round-trip) and json.dumps(str) with ensure_ascii.

#include <raif/text/utf8.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>

namespace raif {

/// Python's repr(x) for a finite double: shortest round-trip digits; fixed notation with at least
/// one fractional digit when -4 <= exponent < 16, else d.ddde+XX.
inline std::string python_float_repr(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
  std::string sci(buf, r.ptr);
  std::string sign;
  if (sci[0] == '-') {
    sign = "-";
    sci.erase(0, 1);
  }
  const auto e = sci.find('e');
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  const int exp = std::atoi(sci.c_str() + e + 1);
  if (exp >= -4 && exp < 16) {
    std::string out;
    if (exp < 0)
      out = "0." + std::string(static_cast<std::size_t>(-exp - 1), '0') + digits;
    else if (static_cast<std::size_t>(exp) + 1 >= digits.size())
      out = digits + std::string(static_cast<std::size_t>(exp) + 1 - digits.size(), '0') + ".0";
    else
      out =
          digits.substr(0, static_cast<std::size_t>(exp) + 1) + "." + digits.substr(static_cast<std::size_t>(exp) + 1);
    return sign + out;
  }
  std::string mant = digits.substr(0, 1);
  if (digits.size() > 1) mant += "." + digits.substr(1);
  std::string es = std::to_string(exp < 0 ? -exp : exp);
  if (es.size() < 2) es = "0" + es;
  return sign + mant + (exp < 0 ? "e-" : "e+") + es;
}

/// Python's json.dumps(s) (ensure_ascii=True) for a UTF-8 string.
inline void python_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  auto u = [&](unsigned v) {
    out += "\\u";
    for (int k = 12; k >= 0; k -= 4) out += hex[(v >> k) & 0xF];
  };
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const char32_t c = detail::utf8_next(s, i);
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    default:
      if (c >= 0x20 && c < 0x7F)
        out += static_cast<char>(c);
      else if (c < 0x10000)
        u(c);
      else {
        const char32_t v = c - 0x10000;
        u(0xD800 + (v >> 10));
        u(0xDC00 + (v & 0x3FF));
      }
    }
  }
  out += '"';
}

} // namespace raif
