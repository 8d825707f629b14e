#pragma once
// IFEval "startend:*".

#include <raif/constraint/constraint.hpp>

#include <string>

namespace raif {

/// startend:end_checker — the response ends with `end_phrase` (case-insensitive; surrounding
/// whitespace and straight double quotes ignored).
struct EndPhrase {
  static constexpr std::string_view id = "startend:end_checker";
  BOOST_HANA_DEFINE_STRUCT(EndPhrase, (std::string, end_phrase));

  bool check(const Text& t) const {
    std::u32string_view s = py_strip(t.chars());
    while (!s.empty() && s.front() == '"') s.remove_prefix(1);
    while (!s.empty() && s.back() == '"') s.remove_suffix(1);
    return py_lower(s).ends_with(py_lower(py_strip(utf8_decode(end_phrase))));
  }
  std::string describe() const {
    return "Finish your response with this exact phrase " + end_phrase + ". No other words should follow this phrase.";
  }
};

/// startend:quotation — the whole response is wrapped in double quotation marks.
struct Quotation {
  static constexpr std::string_view id = "startend:quotation";
  bool check(const Text& t) const {
    const std::u32string_view s = py_strip(t.chars());
    return s.size() > 1 && s.front() == '"' && s.back() == '"';
  }
  std::string describe() const { return "Wrap your entire response with double quotation marks."; }
};

} // namespace raif
