#pragma once

#include <raif/constraint/constraint.hpp>

#include <string>

namespace raif {

/// punctuation:no_comma — no U+002C COMMA anywhere (other comma-like characters are allowed).
struct NoComma {
  static constexpr std::string_view id = "punctuation:no_comma";
  bool check(const Text& t) const { return t.str().find(',') == std::string_view::npos; }
  std::string describe() const { return "In your entire response, refrain from the use of any commas."; }
};

} // namespace raif
