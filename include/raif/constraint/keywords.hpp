#pragma once
// IFEval "keywords:*". Keywords are Python regular expressions in IFEval; see text/pattern.hpp.

#include <raif/constraint/constraint.hpp>
#include <raif/text/pattern.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace raif {

namespace detail {
inline std::string py_strip_utf8(std::string_view s) { return utf8_encode(py_strip(utf8_decode(s))); }
inline std::string join_quoted(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", '" : "'") + v[i] + "'";
  return out;
}
} // namespace detail

/// keywords:existence — every keyword occurs, case-insensitively, anywhere (no word boundaries:
/// "cat" is found in "education").
struct Keywords {
  static constexpr std::string_view id = "keywords:existence";
  BOOST_HANA_DEFINE_STRUCT(Keywords, (std::vector<std::string>, keywords));

  void validate() const {
    if (keywords.empty()) throw error("raif: instruction 'keywords:existence': kwarg 'keywords' must not be empty");
    for (const auto& k : keywords) PyPattern(k, true, "keywords:existence.keywords");
  }
  bool check(const Text& t) const {
    for (const auto& k : keywords)
      if (!PyPattern(k, true).search(t)) return false;
    return true;
  }
  std::string describe() const { return "Include the keywords " + detail::join_quoted(keywords) + " in the response."; }
};

/// keywords:frequency — the keyword (case-insensitive, anywhere) occurs `frequency` times or more
/// ("at least"), or fewer ("less than").
struct KeywordFrequency {
  static constexpr std::string_view id = "keywords:frequency";
  BOOST_HANA_DEFINE_STRUCT(KeywordFrequency, (std::string, keyword), (std::int64_t, frequency), (Relation, relation));

  void validate() const { PyPattern(detail::py_strip_utf8(keyword), true, "keywords:frequency.keyword"); }
  bool check(const Text& t) const {
    const auto n = PyPattern(detail::py_strip_utf8(keyword), true).count(t);
    return compare(static_cast<std::int64_t>(n), relation, frequency);
  }
  std::string describe() const {
    return "In your response, the word '" + keyword + "' should appear " + std::string(to_string(relation)) + " " +
           std::to_string(frequency) + " times.";
  }
};

/// keywords:forbidden_words — none of the words occurs as a whole word (case-insensitive).
struct ForbiddenWords {
  static constexpr std::string_view id = "keywords:forbidden_words";
  BOOST_HANA_DEFINE_STRUCT(ForbiddenWords, (std::vector<std::string>, forbidden_words));

  void validate() const {
    if (forbidden_words.empty())
      throw error("raif: instruction 'keywords:forbidden_words': kwarg 'forbidden_words' must not be empty");
    for (const auto& w : forbidden_words) pattern(w); // a pattern Python rejects is an error
  }
  bool check(const Text& t) const {
    for (const auto& w : forbidden_words)
      if (pattern(w).search(t)) return false;
    return true;
  }
  std::string describe() const {
    return "Do not include the words " + detail::join_quoted(forbidden_words) + " in the response.";
  }

private:
  // IFEval's r"\b" + word + r"\b", case-insensitive, with Unicode word boundaries.
  static PyPattern pattern(const std::string& word) {
    return PyPattern::word_bounded(word, true, "keywords:forbidden_words.forbidden_words");
  }
};

/// keywords:letter_frequency — the letter (case-insensitive) occurs `let_frequency` times or more /
/// fewer. IFEval replaces a letter outside a-z with a random one; raif counts the given character
/// itself (deterministic; docs/constraints.md).
struct LetterFrequency {
  static constexpr std::string_view id = "keywords:letter_frequency";
  BOOST_HANA_DEFINE_STRUCT(LetterFrequency, (std::string, letter), (std::int64_t, let_frequency),
                           (Relation, let_relation));

  char32_t target() const {
    const auto l = py_lower(utf8_decode(letter));
    return l.size() == 1 ? l[0] : 0;
  }
  void validate() const {
    if (utf8_decode(letter).size() != 1 || target() == 0)
      throw error("raif: instruction 'keywords:letter_frequency': kwarg 'letter' = \"" + letter +
                  "\" must be exactly one character (with a one-character lowercase form)");
  }
  bool check(const Text& t) const {
    const char32_t c = target();
    std::int64_t n = 0;
    for (char32_t x : t.lower()) n += (x == c);
    return compare(n, let_relation, let_frequency);
  }
  std::string describe() const {
    return "In your response, the letter '" + letter + "' should appear " + std::string(to_string(let_relation)) + " " +
           std::to_string(let_frequency) + " times.";
  }
};

} // namespace raif
