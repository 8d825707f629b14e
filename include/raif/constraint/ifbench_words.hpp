#pragma once
/// @file
/// IFBench words:*: word-level checks, with the official checker's semantics
/// (../shared/ifbench/SPEC.md §3; decisions: docs/ifbench-conformance.md). "Words" are Python's
/// str.split() pieces; "punctuation" is Python's string.punctuation (the 32 ASCII marks); sentences
/// are NLTK's Punkt with the trained English parameters (SPEC §2.4) and tokens NLTK's word_tokenize
/// (SPEC §2.5).

#include <raif/constraint/constraint.hpp>
#include <raif/text/punctuation.hpp>
#include <raif/text/punkt.hpp>
#include <raif/text/punkt_english.hpp>
#include <raif/text/split.hpp>
#include <raif/text/syllables.hpp>
#include <raif/text/treebank.hpp>

#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace raif {

// Internals of this header, in their own namespace: the other family headers have helpers too.
namespace detail::ifbench_words {

// s.split(), as views into s.
inline std::vector<std::u32string_view> words(std::u32string_view s) {
  std::vector<std::u32string_view> out;
  for_each_py_word(s, [&](std::u32string_view w) { out.push_back(w); });
  return out;
}


inline bool equal_lower(std::u32string_view a, std::u32string_view b) { return py_lower(a) == py_lower(b); }
} // namespace detail::ifbench_words

/// words:alphabet — with punctuation deleted, the words start with consecutive letters of the
/// alphabet, wrapping from z to a, from whatever a-z letter the first word starts with (compared
/// lower-cased; a first character that lower-cases to something other than one a-z letter fails).
/// No words fails.
struct AlphabetLoop {
  static constexpr std::string_view id = "words:alphabet";

  bool check(const Text& t) const {
    const std::u32string text = remove_ascii_punct(t.chars());
    const auto ws = detail::ifbench_words::words(text);
    if (ws.empty()) return false;
    const std::u32string first = py_lower(ws[0].substr(0, 1));
    if (first.size() != 1 || first[0] < U'a' || first[0] > U'z') return false;
    char32_t expected = first[0];
    for (std::size_t i = 1; i < ws.size(); ++i) {
      expected = expected == U'z' ? U'a' : expected + 1;
      if (py_lower(ws[i])[0] != expected) return false;
    }
    return true;
  }
  std::string describe() const {
    return "Start each word with the letter that follows, in the alphabet, the first letter of the word before it, "
           "going on from z back to a.";
  }
};

/// words:vowel — a single line (after stripping whitespace, no "\n"; a lone "\r" is allowed) whose
/// lower-cased text uses at most three distinct vowels among a, e, i, o, u (y and accented vowels
/// do not count).
struct SingleVowelParagraph {
  static constexpr std::string_view id = "words:vowel";

  bool check(const Text& t) const {
    if (py_strip(t.chars()).find(U'\n') != std::u32string_view::npos) return false;
    const std::u32string_view vowels = U"aeiou";
    bool used[5] = {};
    for (char32_t c : t.lower())
      if (const auto k = vowels.find(c); k != std::u32string_view::npos) used[k] = true;
    return std::count(std::begin(used), std::end(used), true) <= 3;
  }
  std::string describe() const {
    return "Write one paragraph on a single line, using no more than three of the vowels a, e, i, o and u.";
  }
};

/// words:consonants — every lower-cased word has two adjacent consonants (bcdfghjklmnpqrstvwxyz, so y
/// counts). Punctuation stays in the word: "don't" has no cluster, "strong," has one.
struct ConsonantCluster {
  static constexpr std::string_view id = "words:consonants";

  bool check(const Text& t) const {
    const std::u32string_view consonants = U"bcdfghjklmnpqrstvwxyz";
    auto consonant = [&](char32_t c) { return consonants.find(c) != std::u32string_view::npos; };
    for (const auto w : detail::ifbench_words::words(t.lower())) {
      bool cluster = false;
      for (std::size_t i = 1; i < w.size() && !cluster; ++i) cluster = consonant(w[i - 1]) && consonant(w[i]);
      if (!cluster) return false;
    }
    return true;
  }
  std::string describe() const {
    return "Make every word contain at least two consonants in a row (y counts as a consonant).";
  }
};

/// words:palindrome — with punctuation deleted and lower-cased, at least 10 words (repeats count)
/// read the same backwards and are at least 5 characters long.
struct Palindrome {
  static constexpr std::string_view id = "words:palindrome";

  bool check(const Text& t) const {
    const std::u32string text = py_lower(remove_ascii_punct(t.chars()));
    int palindromes = 0;
    for (const auto w : detail::ifbench_words::words(text))
      palindromes += w.size() >= 5 && std::equal(w.begin(), w.begin() + w.size() / 2, w.rbegin());
    return palindromes >= 10;
  }
  std::string describe() const {
    return "Use at least 10 palindromes (words of 5 or more letters that read the same backwards); repeats count.";
  }
};

/// words:prime_lengths — with punctuation deleted, every word's length (in code points) is a prime
/// up to 97; longer primes fail. No words passes.
struct PrimeLengths {
  static constexpr std::string_view id = "words:prime_lengths";

  bool check(const Text& t) const {
    const std::u32string text = remove_ascii_punct(t.chars());
    for (const auto w : detail::ifbench_words::words(text)) {
      constexpr std::size_t primes[] = {2,  3,  5,  7,  11, 13, 17, 19, 23, 29, 31, 37, 41,
                                        43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97};
      if (!std::binary_search(std::begin(primes), std::end(primes), w.size())) return false;
    }
    return true;
  }
  std::string describe() const {
    return "Use only words whose length is a prime number (2, 3, 5, 7, 11, ..., at most 97), not counting "
           "punctuation.";
  }
};

/// words:repeats — with the text lower-cased and punctuation deleted, no word occurs more than
/// `small_n` times ("end." and "end" are the same word, "word-word" becomes "wordword").
struct LimitedWordRepeat {
  static constexpr std::string_view id = "words:repeats";
  BOOST_HANA_DEFINE_STRUCT(LimitedWordRepeat, (std::int64_t, small_n));

  bool check(const Text& t) const {
    const std::u32string text = remove_ascii_punct(t.lower());
    std::unordered_map<std::u32string_view, std::int64_t> seen;
    for (const auto w : detail::ifbench_words::words(text))
      if (++seen[w] > small_n) return false;
    return true;
  }
  std::string describe() const {
    return "Do not use any word more than " + std::to_string(small_n) + " times (small_n).";
  }
};

/// words:odd_even_syllables — with punctuation deleted and lower-cased, adjacent words alternate
/// between an odd and an even number of syllables, counted by syllapy 0.7.2 (text/syllables.hpp;
/// a word with a digit has 0 syllables, so it is even).
struct AlternateParitySyllables {
  static constexpr std::string_view id = "words:odd_even_syllables";

  bool check(const Text& t) const {
    const std::u32string text = py_lower(remove_ascii_punct(t.chars()));
    int previous = -1;
    for (const auto w : detail::ifbench_words::words(text)) {
      const int parity = static_cast<int>(count_syllables(w) % 2);
      if (parity == previous) return false;
      previous = parity;
    }
    return true;
  }
  std::string describe() const {
    return "Alternate between words with an odd and words with an even number of syllables.";
  }
};

/// words:last_first — each sentence starts with the word the previous sentence ended with
/// (compared lower-cased). Only the outer ends are trimmed of punctuation and spaces: the last word
/// of "He said "go."" is "go", but a first word "Cats," keeps its comma. One sentence passes.
struct LastWordFirstNext {
  static constexpr std::string_view id = "words:last_first";

  bool check(const Text& t) const {
    namespace d = detail::ifbench_words;
    const auto ss = english_sentences(t.chars());
    for (std::size_t i = 1; i < ss.size(); ++i) {
      const auto a = d::words(rstrip_punct_space(ss[i - 1]));
      const auto b = d::words(lstrip_punct_space(ss[i]));
      if (a.empty() || b.empty() || !d::equal_lower(a.back(), b.front())) return false;
    }
    return true;
  }
  std::string describe() const { return "Begin every sentence with the same word that ended the sentence before it."; }
};

/// words:paragraph_last_first — in every line (split at "\n") that has words once lower-cased,
/// stripped and trimmed of punctuation and spaces at its ends, the first word equals the last.
/// Punctuation inside the line stays ("hello," differs from "hello").
struct ParagraphLastFirstWordMatch {
  static constexpr std::string_view id = "words:paragraph_last_first";

  bool check(const Text& t) const {
    namespace d = detail::ifbench_words;
    for (const auto line : py_split(std::u32string_view(t.chars()), std::u32string_view(U"\n"))) {
      const std::u32string x = py_lower(py_strip(line));
      const auto ws = d::words(rstrip_punct_space(lstrip_punct_space(x)));
      if (!ws.empty() && ws.front() != ws.back()) return false;
    }
    return true;
  }
  std::string describe() const { return "End every paragraph with the word it begins with."; }
};

/// words:no_consecutive — with the text lower-cased and punctuation deleted, no two adjacent words
/// start with the same character (punctuation-only words vanish, so their neighbours are adjacent).
struct NoConsecutiveFirstLetter {
  static constexpr std::string_view id = "words:no_consecutive";

  bool check(const Text& t) const {
    const std::u32string text = remove_ascii_punct(t.lower());
    const auto ws = detail::ifbench_words::words(text);
    for (std::size_t i = 1; i < ws.size(); ++i)
      if (ws[i][0] == ws[i - 1][0]) return false;
    return true;
  }
  std::string describe() const { return "Never let two neighbouring words start with the same letter."; }
};

/// words:keywords_specific_position — the `m`-th word of the `n`-th sentence (both 1-based) is
/// `keyword`, compared lower-cased. Words are the NLTK tokens of that sentence that contain a letter
/// or digit ("n't" and "'s" count; ",", "." and quotes do not). Too few sentences or words fails.
/// The official checker draws a random value for n = 0, m = 0 or an empty keyword, and indexes from
/// the end for negative ones; raif rejects all of these.
struct KeywordSpecificPosition {
  static constexpr std::string_view id = "words:keywords_specific_position";
  BOOST_HANA_DEFINE_STRUCT(KeywordSpecificPosition, (std::string, keyword), (Index, n), (Index, m));

  void validate() const {
    auto fail = [](const std::string& what) { throw error("raif: instruction '" + std::string(id) + "': " + what); };
    if (keyword.empty()) fail("kwarg 'keyword' must be non-empty (the official checker draws a random word for \"\")");
    for (const auto& [name, v] : {std::pair{"n", n.value}, std::pair{"m", m.value}}) {
      if (v == 0)
        fail(std::string("kwarg '") + name + "' must be non-zero (the official checker draws a random value for 0)");
      if (v < 0)
        fail(std::string("kwarg '") + name + "' = " + std::to_string(v) +
             " must be positive (a 1-based position; the official checker would count from the end)");
    }
  }
  bool check(const Text& t) const {
    validate(); // also when built without the registry: n - 1 below must be a valid index
    const auto ss = english_sentences(t.chars());
    if (static_cast<std::int64_t>(ss.size()) < n.value) return false;
    std::int64_t seen = 0;
    for (const auto& token : word_tokenize(ss[static_cast<std::size_t>(n.value - 1)], english_punkt())) {
      if (std::none_of(token.begin(), token.end(), [](char32_t c) { return py_isalnum(c); })) continue;
      if (++seen == m.value) return py_lower(token) == py_lower(utf8_decode(keyword));
    }
    return false;
  }
  std::string describe() const {
    return "Make the word '" + keyword + "' the word number " + std::to_string(m.value) + " (m) of sentence number " +
           std::to_string(n.value) + " (n), counting from 1 (keyword).";
  }
};

/// words:words_position — `keyword` (lower-cased) is the second token of the response and the
/// second-to-last, or the third-to-last when the last token is punctuation (NLTK tokens). Reproduces
/// the official defect: "punctuation" means a substring of Python's string.punctuation, so a final
/// "..." or closing quote token ("''") does not count as punctuation and hides the word before it.
struct WordsPosition {
  static constexpr std::string_view id = "words:words_position";
  BOOST_HANA_DEFINE_STRUCT(WordsPosition, (std::string, keyword));

  bool check(const Text& t) const {
    const auto tokens = word_tokenize(t.chars(), english_punkt());
    const std::size_t k = tokens.size();
    if (k < 2) return false;
    const bool final_punctuation = ascii_punctuation.find(tokens.back()) != std::u32string_view::npos;
    if (final_punctuation && k < 3) return false;
    const std::u32string want = py_lower(utf8_decode(keyword));
    return py_lower(tokens[1]) == want && py_lower(tokens[final_punctuation ? k - 3 : k - 2]) == want;
  }
  std::string describe() const {
    return "Make the word '" + keyword +
           "' (keyword) the second word of your response and also its second-to-last word (a final punctuation mark "
           "does not count as a word).";
  }
};

/// The words:* constraint types of IFBench (all but words:start_verb), as a compile-time list.
inline constexpr auto ifbench_words_types =
    boost::hana::tuple_t<AlphabetLoop, SingleVowelParagraph, ConsonantCluster, Palindrome, PrimeLengths,
                         LimitedWordRepeat, AlternateParitySyllables, LastWordFirstNext, ParagraphLastFirstWordMatch,
                         NoConsecutiveFirstLetter, KeywordSpecificPosition, WordsPosition>;

} // namespace raif
