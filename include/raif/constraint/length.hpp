#pragma once
// IFEval "length_constraints:*".

#include <raif/constraint/constraint.hpp>
#include <raif/text/punkt_english.hpp>
#include <raif/text/split.hpp>
#include <raif/text/strip.hpp>
#include <raif/text/words.hpp>

#include <cstdint>
#include <string>

namespace raif {

/// length_constraints:number_sentences — Punkt's sentence count vs the threshold. Punkt uses
/// `x.punkt`, by default NLTK's trained English model (as the published IFEval numbers did).
struct NumberOfSentences {
  static constexpr std::string_view id = "length_constraints:number_sentences";
  BOOST_HANA_DEFINE_STRUCT(NumberOfSentences, (std::int64_t, num_sentences), (Relation, relation));

  bool check(const Text& t, const Context& x = {}) const {
    const auto n = count_sentences(t.chars(), x.punkt ? *x.punkt : english_punkt());
    return compare(static_cast<std::int64_t>(n), relation, num_sentences);
  }
  std::string describe() const {
    return "Your response should contain " + std::string(to_string(relation)) + " " + std::to_string(num_sentences) +
           " sentences.";
  }
};

/// length_constraints:number_paragraphs — exactly `num_paragraphs` paragraphs separated by the
/// markdown divider `***` (regex \s?\*\*\*\s?); an empty paragraph between dividers fails.
struct NumberOfParagraphs {
  static constexpr std::string_view id = "length_constraints:number_paragraphs";
  BOOST_HANA_DEFINE_STRUCT(NumberOfParagraphs, (std::int64_t, num_paragraphs));

  bool check(const Text& t) const {
    const auto& s = t.chars();
    std::vector<std::pair<std::size_t, std::size_t>> pieces; // re.split(r"\s?\*\*\*\s?", s)
    std::size_t start = 0;
    auto stars = [&](std::size_t k) { return k + 3 <= s.size() && s[k] == '*' && s[k + 1] == '*' && s[k + 2] == '*'; };
    for (std::size_t i = 0; i < s.size();) {
      std::size_t k = i;
      if (is_py_space(s[i]) && stars(i + 1))
        k = i + 1;
      else if (!stars(i)) {
        ++i;
        continue;
      }
      std::size_t e = k + 3;
      if (e < s.size() && is_py_space(s[e])) ++e;
      pieces.emplace_back(start, i);
      start = i = e;
    }
    pieces.emplace_back(start, s.size());
    auto count = static_cast<std::int64_t>(pieces.size());
    for (std::size_t p = 0; p < pieces.size(); ++p) {
      if (!py_strip(std::u32string_view(s).substr(pieces[p].first, pieces[p].second - pieces[p].first)).empty())
        continue;
      if (p == 0 || p + 1 == pieces.size())
        --count;
      else
        return false;
    }
    return count == num_paragraphs;
  }
  std::string describe() const {
    return "There should be " + std::to_string(num_paragraphs) +
           " paragraphs. Paragraphs are separated with the markdown divider: ***";
  }
};

/// length_constraints:number_words — the number of \w+ runs vs the threshold.
struct NumberOfWords {
  static constexpr std::string_view id = "length_constraints:number_words";
  BOOST_HANA_DEFINE_STRUCT(NumberOfWords, (std::int64_t, num_words), (Relation, relation));

  bool check(const Text& t) const {
    return compare(static_cast<std::int64_t>(count_words(t.chars())), relation, num_words);
  }
  std::string describe() const {
    return "Answer with " + std::string(to_string(relation)) + " " + std::to_string(num_words) + " words.";
  }
};

/// length_constraints:nth_paragraph_first_word — exactly `num_paragraphs` paragraphs separated by
/// blank lines ("\n\n"), and paragraph `nth_paragraph` (1-based) starts with `first_word`.
struct NthParagraphFirstWord {
  static constexpr std::string_view id = "length_constraints:nth_paragraph_first_word";
  BOOST_HANA_DEFINE_STRUCT(NthParagraphFirstWord, (std::int64_t, num_paragraphs), (std::int64_t, nth_paragraph),
                           (std::string, first_word));

  void validate() const {
    if (nth_paragraph < 1 || nth_paragraph > num_paragraphs)
      throw error("raif: instruction 'length_constraints:nth_paragraph_first_word': kwarg 'nth_paragraph' = " +
                  std::to_string(nth_paragraph) +
                  " must be between 1 and num_paragraphs = " + std::to_string(num_paragraphs));
  }
  bool check(const Text& t) const {
    const std::u32string_view s = t.chars();
    const auto paragraphs = py_split(s, std::u32string_view(U"\n\n"));
    std::int64_t count = 0;
    for (auto p : paragraphs) count += !py_strip(p).empty();
    if (nth_paragraph < 1 || nth_paragraph > count) return false;
    const auto paragraph = py_strip(paragraphs[static_cast<std::size_t>(nth_paragraph - 1)]);
    if (paragraph.empty()) return false;
    std::u32string_view word = paragraph;
    for (std::size_t k = 0; k < word.size(); ++k)
      if (is_py_space(word[k])) {
        word = word.substr(0, k);
        break;
      }
    while (!word.empty() && word.front() == '\'') word.remove_prefix(1);
    while (!word.empty() && word.front() == '"') word.remove_prefix(1);
    std::u32string got;
    for (char32_t c : word) {
      if (c == '.' || c == ',' || c == '?' || c == '!' || c == '\'' || c == '"') break;
      got += py_lower(std::u32string_view(&c, 1));
    }
    return count == num_paragraphs && got == py_lower(utf8_decode(first_word));
  }
  std::string describe() const {
    return "There should be " + std::to_string(num_paragraphs) +
           " paragraphs. Paragraphs and only paragraphs are separated with each other by two new lines. Paragraph " +
           std::to_string(nth_paragraph) + " must start with word " + first_word + ".";
  }
};

} // namespace raif
