#pragma once
// Whether Python's json.loads(s) succeeds (CPython 3.11, C scanner, strict=True): any JSON value at
// top level; surrounding whitespace only ' ', '\t', '\n', '\r'; NaN, Infinity and -Infinity
// accepted; raw control characters in strings rejected; duplicate keys allowed.
// Nesting depth is unlimited here: the check is iterative, so JSON nested 100,000 deep is valid
// (the official checker dies with RecursionError there; see docs/ifeval-conformance.md).

#include <string_view>
#include <vector>

namespace raif {

/// True iff Python's json.loads would parse s (given as UTF-8; invalid UTF-8 is not valid JSON).
inline bool python_json_valid(std::string_view s) noexcept {
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto ws = [&] {
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  };
  auto lit = [&](std::string_view w) {
    if (s.substr(i, w.size()) != w) return false;
    i += w.size();
    return true;
  };
  auto digit = [&](std::size_t k) { return k < n && s[k] >= '0' && s[k] <= '9'; };
  auto hex = [&](std::size_t k) {
    return k < n && ((s[k] >= '0' && s[k] <= '9') || (s[k] >= 'a' && s[k] <= 'f') || (s[k] >= 'A' && s[k] <= 'F'));
  };
  auto string = [&] { // at '"'
    ++i;
    while (i < n) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c == '"') {
        ++i;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (i + 1 >= n) return false;
        const char e = s[i + 1];
        if (e == 'u') {
          if (!(hex(i + 2) && hex(i + 3) && hex(i + 4) && hex(i + 5))) return false;
          i += 6;
        } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
          i += 2;
        } else {
          return false;
        }
        continue;
      }
      if (c >= 0x80) { // must be well-formed UTF-8 (Python would not have decoded it otherwise)
        int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
        if (len == 0 || c > 0xF4 || i + static_cast<std::size_t>(len) > n) return false;
        for (int k = 1; k < len; ++k)
          if ((static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0xC0) != 0x80) return false;
        const auto c1 = static_cast<unsigned char>(s[i + 1]);
        if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) || (c == 0xF0 && c1 < 0x90) ||
            (c == 0xF4 && c1 >= 0x90))
          return false;
        i += static_cast<std::size_t>(len);
        continue;
      }
      ++i;
    }
    return false;
  };
  auto number = [&] { // Python's NUMBER_RE, with backtracking on a dangling fraction or exponent
    const std::size_t start = i;
    if (i < n && s[i] == '-') ++i;
    if (!digit(i)) {
      i = start;
      return false;
    }
    if (s[i] == '0')
      ++i;
    else
      while (digit(i)) ++i;
    if (i < n && s[i] == '.' && digit(i + 1)) {
      ++i;
      while (digit(i)) ++i;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
      std::size_t k = i + 1;
      if (k < n && (s[k] == '+' || s[k] == '-')) ++k;
      if (digit(k)) {
        while (digit(k)) ++k;
        i = k;
      }
    }
    return true;
  };

  enum class Ctx : char { array, object };
  std::vector<Ctx> stack;
  ws();
  for (;;) {
    // Parse one value at i.
    if (i >= n) return false;
    const char c = s[i];
    bool opened = false;
    if (c == '"') {
      if (!string()) return false;
    } else if (c == '{') {
      ++i;
      ws();
      if (i < n && s[i] == '}') {
        ++i;
      } else {
        if (i >= n || s[i] != '"' || !string()) return false;
        ws();
        if (i >= n || s[i] != ':') return false;
        ++i;
        ws();
        stack.push_back(Ctx::object);
        opened = true;
      }
    } else if (c == '[') {
      ++i;
      ws();
      if (i < n && s[i] == ']') {
        ++i;
      } else {
        stack.push_back(Ctx::array);
        opened = true;
      }
    } else if (c == 'n') {
      if (!lit("null")) return false;
    } else if (c == 't') {
      if (!lit("true")) return false;
    } else if (c == 'f') {
      if (!lit("false")) return false;
    } else if (c == 'N') {
      if (!lit("NaN")) return false;
    } else if (c == 'I') {
      if (!lit("Infinity")) return false;
    } else if (c == '-' && s.substr(i, 9) == "-Infinity") {
      i += 9;
    } else if (!number())
      return false;
    if (opened) continue;
    // A value is complete: close containers or move to the next element.
    for (;;) {
      if (stack.empty()) {
        ws();
        return i == n;
      }
      ws();
      if (i >= n) return false;
      if (stack.back() == Ctx::array) {
        if (s[i] == ']') {
          ++i;
          stack.pop_back();
          continue;
        }
        if (s[i] != ',') return false;
        ++i;
        ws();
        break;
      }
      if (s[i] == '}') {
        ++i;
        stack.pop_back();
        continue;
      }
      if (s[i] != ',') return false;
      ++i;
      ws();
      if (i >= n || s[i] != '"' || !string()) return false;
      ws();
      if (i >= n || s[i] != ':') return false;
      ++i;
      ws();
      break;
    }
  }
}

} // namespace raif
