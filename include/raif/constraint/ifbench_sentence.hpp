#pragma once
/// @file
/// IFBench sentence:*: sentence-level checks, with the official checker's semantics
/// (../shared/ifbench/SPEC.md §3; decisions: docs/ifbench-conformance.md). Sentences are NLTK's
/// Punkt with the trained English parameters (SPEC §2.4); words are Python's str.split().

#include <raif/constraint/constraint.hpp>
#include <raif/text/punctuation.hpp>
#include <raif/text/pattern.hpp>
#include <raif/text/punkt.hpp>
#include <raif/text/punkt_english.hpp>

#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace raif {

// Internals of this header, in their own namespace: the other family headers have helpers too.
namespace detail::ifbench_sentence {

// re.search(r"\b" + re.escape(word) + r"\b", s, re.IGNORECASE): the keyword is always a literal,
// so this is PyPattern's literal matcher (KMP over re's IGNORECASE keys) with Python's Unicode \b,
// also for keywords that contain regex metacharacters (PyPattern would hand those to RE2).
inline bool contains_word_ignore_case(std::u32string_view s, std::u32string_view word) {
  auto boundary = [&](std::size_t p) {
    const bool a = p > 0 && is_word_char(s[p - 1]);
    const bool b = p < s.size() && is_word_char(s[p]);
    return a != b;
  };
  bool found = false;
  kmp_each(
      s, word, [](char32_t c) { return fold_key(c); },
      [&](std::size_t at) {
        found = boundary(at) && boundary(at + word.size());
        return !found;
      });
  return found;
}
} // namespace detail::ifbench_sentence

/// sentence:alliteration_increment — per sentence, a score over adjacent pairs of words (lowercased,
/// left-trimmed of ASCII punctuation and spaces, empty ones dropped) that start with the same
/// character: 2 for a pair after a non-matching one, 1 for a pair continuing a run. The scores must
/// strictly increase from sentence to sentence (the first must exceed -1, so 0 passes).
struct AlliterationIncrement {
  static constexpr std::string_view id = "sentence:alliteration_increment";

  bool check(const Text& t) const {
    std::int64_t previous = -1;
    for (const auto sentence : english_sentences(t.chars())) {
      std::vector<char32_t> initials; // first character of each non-empty trimmed word
      for_each_py_word(py_lower(sentence), [&](std::u32string_view w) {
        std::size_t i = 0;
        while (i < w.size() && (w[i] == U' ' || is_ascii_punct(w[i]))) ++i;
        if (i < w.size()) initials.push_back(w[i]);
      });
      std::int64_t score = 0;
      bool in_run = false;
      for (std::size_t i = 1; i < initials.size(); ++i) {
        const bool match = initials[i] == initials[i - 1];
        if (match) score += in_run ? 1 : 2;
        in_run = match;
      }
      if (score <= previous) return false;
      previous = score;
    }
    return true;
  }
  std::string describe() const {
    return "Write sentences in which alliteration grows: each sentence must contain more neighbouring words that "
           "begin with the same letter than the sentence before it.";
  }
};

/// sentence:keyword — the `N`-th sentence (1-based) contains `word` as a whole word, ignoring case
/// (Python's re with IGNORECASE and Unicode \b around the escaped word). Fewer than N sentences
/// fail.
struct SentenceKeyword {
  static constexpr std::string_view id = "sentence:keyword";
  BOOST_HANA_DEFINE_STRUCT(SentenceKeyword, (std::string, word), (std::int64_t, N));

  void validate() const {
    if (word.empty())
      throw error("raif: instruction 'sentence:keyword': kwarg 'word' must not be empty (the official checker draws "
                  "a random word for \"\")");
    if (N == 0)
      throw error("raif: instruction 'sentence:keyword': kwarg 'N' must be non-zero (the official checker draws a "
                  "random value for 0)");
    if (N < 0)
      throw error("raif: instruction 'sentence:keyword': kwarg 'N' = " + std::to_string(N) +
                  " must be a positive sentence number");
  }
  bool check(const Text& t) const {
    const auto sentences = english_sentences(t.chars());
    if (static_cast<std::int64_t>(sentences.size()) < N) return false;
    return detail::ifbench_sentence::contains_word_ignore_case(sentences[static_cast<std::size_t>(N - 1)],
                                                               utf8_decode(word));
  }
  std::string describe() const {
    return "Sentence number " + std::to_string(N) + " of your response must contain the word '" + word + "'.";
  }
};

/// sentence:increment — every sentence has exactly `small_n` more words than the one before it
/// (words: whitespace-separated, ignoring words made only of ASCII punctuation). One sentence passes.
struct SentenceIncrement {
  static constexpr std::string_view id = "sentence:increment";
  BOOST_HANA_DEFINE_STRUCT(SentenceIncrement, (std::int64_t, small_n));

  bool check(const Text& t) const {
    bool first = true;
    std::int64_t previous = 0;
    for (const auto sentence : english_sentences(t.chars())) {
      std::int64_t words = 0; // len(sentence-without-punctuation.split())
      for_each_py_word(sentence, [&](std::u32string_view w) {
        for (char32_t c : w)
          if (!is_ascii_punct(c)) {
            ++words;
            return;
          }
      });
      if (!first && words != previous + small_n) return false;
      first = false;
      previous = words;
    }
    return true;
  }
  std::string describe() const {
    return "Each sentence of your response must have exactly " + std::to_string(small_n) +
           " more words than the sentence before it.";
  }
};

/// The sentence:* constraint types of IFBench, as a compile-time list.
inline constexpr auto ifbench_sentence_types =
    boost::hana::tuple_t<AlliterationIncrement, SentenceKeyword, SentenceIncrement>;

} // namespace raif
