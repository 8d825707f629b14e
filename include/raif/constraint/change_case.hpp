#pragma once
// IFEval "change_case:*".

#include <raif/constraint/constraint.hpp>
#include <raif/text/langdetect.hpp>
#include <raif/text/punkt_english.hpp>
#include <raif/text/treebank.hpp>

#include <cstdint>
#include <string>

namespace raif {

namespace detail {
// IFEval's english_capital/english_lowercase: the case test first (langdetect only if it passes);
// text langdetect cannot classify counts as English.
inline bool english_in_case(const Text& t, bool (*in_case)(std::u32string_view) noexcept) {
  if (!in_case(t.chars())) return false;
  const auto lang = detect_language(t);
  return !lang || *lang == "en";
}
} // namespace detail

/// change_case:capital_word_frequency — the number of all-capital words (NLTK word_tokenize
/// tokens that are str.isupper()) vs the threshold. Punkt (inside word_tokenize) uses `x.punkt`,
/// by default NLTK's trained English model (as the published IFEval numbers did).
struct CapitalWordFrequency {
  static constexpr std::string_view id = "change_case:capital_word_frequency";
  BOOST_HANA_DEFINE_STRUCT(CapitalWordFrequency, (std::int64_t, capital_frequency), (Relation, capital_relation));

  bool check(const Text& t, const Context& x = {}) const {
    const auto n = count_upper_tokens(t.chars(), x.punkt ? *x.punkt : english_punkt());
    return compare(static_cast<std::int64_t>(n), capital_relation, capital_frequency);
  }
  std::string describe() const {
    return "In your response, words with all capital letters should appear " +
           std::string(to_string(capital_relation)) + " " + std::to_string(capital_frequency) + " times.";
  }
};

/// change_case:english_capital — all letters capital (str.isupper) and langdetect says English.
struct EnglishCapital {
  static constexpr std::string_view id = "change_case:english_capital";
  bool check(const Text& t) const { return detail::english_in_case(t, py_isupper); }
  std::string describe() const { return "Your entire response should be in English, and in all capital letters."; }
};

/// change_case:english_lowercase — all letters lowercase (str.islower) and langdetect says English.
struct EnglishLowercase {
  static constexpr std::string_view id = "change_case:english_lowercase";
  bool check(const Text& t) const { return detail::english_in_case(t, py_islower); }
  std::string describe() const {
    return "Your entire response should be in English, and in all lowercase letters. No capital letters are allowed.";
  }
};

} // namespace raif
