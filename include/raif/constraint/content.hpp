#pragma once
// IFEval "detectable_content:*".

#include <raif/constraint/constraint.hpp>
#include <raif/constraint/keywords.hpp>
#include <raif/text/pattern.hpp>

#include <cstdint>
#include <string>

namespace raif {

/// detectable_content:number_placeholders — at least `num_placeholders` spans `[...]` on one line
/// (regex \[.*?\]: "[]" and markdown links count).
struct NumberOfPlaceholders {
  static constexpr std::string_view id = "detectable_content:number_placeholders";
  BOOST_HANA_DEFINE_STRUCT(NumberOfPlaceholders, (std::int64_t, num_placeholders));

  bool check(const Text& t) const {
    const std::string_view s = t.str(); // ASCII delimiters: bytes suffice
    std::int64_t n = 0;
    std::size_t stop = 0; // next ']' or '\n' at or after the scan position (monotone: linear time)
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '[') continue;
      if (stop <= i) {
        stop = i + 1;
        while (stop < s.size() && s[stop] != ']' && s[stop] != '\n') ++stop;
      }
      if (stop < s.size() && s[stop] == ']') {
        ++n;
        i = stop;
      }
    }
    return n >= num_placeholders;
  }
  std::string describe() const {
    return "The response must contain at least " + std::to_string(num_placeholders) +
           " placeholders represented by square brackets, such as [address].";
  }
};

/// detectable_content:postscript — the (lowercased) response contains the postscript marker
/// anywhere. "P.P.S" and "P.S." allow one whitespace after each period, as IFEval does.
struct Postscript {
  static constexpr std::string_view id = "detectable_content:postscript";
  BOOST_HANA_DEFINE_STRUCT(Postscript, (std::string, postscript_marker));

  void validate() const { marker_pattern(); }
  bool check(const Text& t) const {
    const std::string marker = detail::py_strip_utf8(postscript_marker);
    const std::u32string& s = t.lower();
    if (marker == "P.P.S" || marker == "P.S.") {
      const std::u32string_view want = marker == "P.P.S" ? U"p.p.s" : U"p.s.";
      for (std::size_t i = 0; i < s.size(); ++i) { // p\.\s?p\.\s?s  /  p\.\s?s\.
        std::size_t k = i, w = 0;
        while (w < want.size() && k < s.size() && s[k] == want[w]) {
          ++k;
          if (want[w] == '.' && w + 1 < want.size() && k < s.size() && is_py_space(s[k])) ++k;
          ++w;
        }
        if (w == want.size()) return true;
      }
      return false;
    }
    const std::string lowered = utf8_encode(s);
    return marker_pattern().search(Text(lowered));
  }
  std::string describe() const {
    return "At the end of your response, please explicitly add a postscript starting with " + postscript_marker + ".";
  }

private:
  // IFEval's own pattern, \s* + marker + .*$ under MULTILINE: the affixes never change whether a
  // plain marker occurs, but they take part in parsing one with regex syntax ("a|b", "^p.s", "x$").
  PyPattern marker_pattern() const {
    const std::string marker = utf8_encode(py_lower(utf8_decode(detail::py_strip_utf8(postscript_marker))));
    if (!detail::has_regex_meta(marker)) return PyPattern(marker, false, "detectable_content:postscript.postscript_marker");
    return PyPattern("\\s*" + marker + ".*$", false, "detectable_content:postscript.postscript_marker", true);
  }
};

} // namespace raif
