#pragma once
/// @file
/// IFBench count:* and ratio:*: counts and ratios (§3.1-3.9, 3.15, 3.22, 3.23, 3.27, 3.50), with the official
/// checker's semantics (../shared/ifbench/SPEC.md §3; decisions: docs/ifbench-conformance.md). "Words" are Python's
/// str.split(), "regex words" are \w+ runs, sentences are NLTK's Punkt with the trained English parameters (SPEC §2.4).
/// Counts are std::int64_t (the data writes 5.0); percentages, and words_japanese's N (used in a float modulo), are
/// doubles compared exactly as the official Python compares them.

#include <raif/constraint/constraint.hpp>
#include <raif/text/punctuation.hpp>
#include <raif/text/pattern.hpp>
#include <raif/text/punkt.hpp>
#include <raif/text/punkt_english.hpp>
#include <raif/text/stopwords.hpp>
#include <raif/text/strip.hpp>
#include <raif/text/treebank.hpp>
#include <raif/text/words.hpp>

#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace raif {

// Internals of this header, in their own namespace: the other family headers have helpers too.
namespace detail::ifbench_count {
// Each maximal run of \w characters (re.findall(r"\w+", s)).
template <class F> void for_each_regex_word(std::u32string_view s, F&& f) {
  for (std::size_t i = 0; i < s.size();) {
    if (!is_word_char(s[i])) {
      ++i;
      continue;
    }
    const std::size_t b = i;
    while (i < s.size() && is_word_char(s[i])) ++i;
    f(s.substr(b, i - b));
  }
}

// The last character of each sentence (SPEC §2.4).
inline std::vector<char32_t> sentence_ends(const Text& t) {
  std::vector<char32_t> ends;
  for (const auto& [b, e] : punkt_sentence_spans(t.chars(), english_punkt())) ends.push_back(t.chars()[e - 1]);
  return ends;
}

inline std::int64_t count_ending(const std::vector<char32_t>& ends, char32_t c) {
  std::int64_t n = 0;
  for (char32_t e : ends) n += (e == c);
  return n;
}

// A double as Python's repr would mostly show it: 36.0 -> "36", 2.5 -> "2.5".
inline std::string number(double d) {
  std::array<char, 32> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), d);
  return std::string(buf.data(), r.ptr);
}

[[noreturn]] inline void random_default(std::string_view id, std::string_view kwarg) {
  throw error("raif: instruction '" + std::string(id) + "': kwarg '" + std::string(kwarg) +
              "' must not be negative (the official checker draws a random value for a negative one)");
}

// The character trigrams of s (SPEC §2.7), each packed into 63 bits (code points have 21).
inline std::unordered_set<std::uint64_t> trigrams(std::u32string_view s) {
  std::unordered_set<std::uint64_t> out;
  for (std::size_t i = 0; i + 3 <= s.size(); ++i)
    out.insert(std::uint64_t{s[i]} << 42 | std::uint64_t{s[i + 1]} << 21 | std::uint64_t{s[i + 2]});
  return out;
}

// haystack.count(needle): non-overlapping occurrences, leftmost first; "" occurs len + 1 times.
inline std::int64_t count_substring(std::u32string_view haystack, std::u32string_view needle) {
  if (needle.empty()) return static_cast<std::int64_t>(haystack.size()) + 1;
  std::int64_t n = 0;
  std::size_t free_from = 0;
  kmp_each(
      haystack, needle, [](char32_t c) { return c; },
      [&](std::size_t at) {
        if (at >= free_from) {
          ++n;
          free_from = at + needle.size();
        }
        return true;
      });
  return n;
}
} // namespace detail::ifbench_count

/// count:word_count_range — the number of \w+ runs lies in [min_words, max_words] (both inclusive), so "don't"
/// counts as two words and punctuation or emoji as none.
struct WordCountRange {
  static constexpr std::string_view id = "count:word_count_range";
  BOOST_HANA_DEFINE_STRUCT(WordCountRange, (std::int64_t, min_words), (std::int64_t, max_words));

  void validate() const {
    if (min_words < 0) detail::ifbench_count::random_default(id, "min_words");
    if (max_words < 0) detail::ifbench_count::random_default(id, "max_words");
  }
  bool check(const Text& t) const {
    const auto n = static_cast<std::int64_t>(count_words(t.chars()));
    return min_words <= n && n <= max_words;
  }
  std::string describe() const {
    return "Write between " + std::to_string(min_words) + " and " + std::to_string(max_words) +
           " words (both limits included).";
  }
};

/// count:unique_word_count — at least N distinct words, a word being a lower-cased whitespace-separated token
/// trimmed of ASCII punctuation and spaces. Reproduces the official defect: a punctuation-only token counts as
/// the word "".
struct UniqueWordCount {
  static constexpr std::string_view id = "count:unique_word_count";
  BOOST_HANA_DEFINE_STRUCT(UniqueWordCount, (std::int64_t, N));

  void validate() const {
    if (N < 0) detail::ifbench_count::random_default(id, "N");
  }
  bool check(const Text& t) const {
    std::unordered_set<std::u32string_view> words;
    for_each_py_word(t.lower(),
                     [&](std::u32string_view w) { words.insert(strip_punct_space(w)); });
    return static_cast<std::int64_t>(words.size()) >= N;
  }
  std::string describe() const { return "Use at least " + std::to_string(N) + " different words in your response."; }
};

/// ratio:stop_words — at most `percentage` % of the \w+ runs are NLTK English stop words (after lower-casing),
/// computed in double as (stop / words) * 100, rounding included (7 of 100 is 7.000000000000001 %). No words fails.
struct StopWordPercentage {
  static constexpr std::string_view id = "ratio:stop_words";
  BOOST_HANA_DEFINE_STRUCT(StopWordPercentage, (double, percentage));

  void validate() const {
    if (percentage < 0) detail::ifbench_count::random_default(id, "percentage");
  }
  bool check(const Text& t) const {
    std::int64_t words = 0, stop = 0;
    detail::ifbench_count::for_each_regex_word(t.chars(), [&](std::u32string_view w) {
      ++words;
      stop += is_english_stop_word(py_lower(w));
    });
    if (words == 0) return false;
    return static_cast<double>(stop) / static_cast<double>(words) * 100 <= percentage;
  }
  std::string describe() const {
    return "Keep stop words (function words such as 'the', 'of', 'and') to at most " +
           detail::ifbench_count::number(percentage) + "% of the words of your response.";
  }
};

/// ratio:sentence_type — twice as many sentences ending in '.' as sentences ending in '?'. Reproduces the
/// official defect: a text with neither (only '!' or no terminal punctuation) passes, 0 = 2 * 0.
struct SentenceTypeRatio {
  static constexpr std::string_view id = "ratio:sentence_type";

  bool check(const Text& t) const {
    const auto ends = detail::ifbench_count::sentence_ends(t);
    return detail::ifbench_count::count_ending(ends, '.') == 2 * detail::ifbench_count::count_ending(ends, '?');
  }
  std::string describe() const {
    return "Write two statements (sentences ending in a period) for every question (sentence ending in a question "
           "mark).";
  }
};

/// ratio:sentence_balance — as many sentences ending in '.' as in '?' and as in '!'. Reproduces the official
/// defect: a text with none of the three passes (0 = 0 = 0).
struct SentenceBalance {
  static constexpr std::string_view id = "ratio:sentence_balance";

  bool check(const Text& t) const {
    using detail::ifbench_count::count_ending;
    const auto ends = detail::ifbench_count::sentence_ends(t);
    const auto d = count_ending(ends, '.');
    return d == count_ending(ends, '?') && d == count_ending(ends, '!');
  }
  std::string describe() const {
    return "Use equally many statements, questions and exclamations (sentences ending in '.', '?' and '!').";
  }
};

/// count:conjunctions — at least `small_n` distinct words that are coordinating conjunctions (and, but, for, nor,
/// or, so, yet, after trimming ASCII punctuation and lower-casing). Reproduces the official defect: distinctness is
/// of the words as written, so "and", "And" and "and," are three.
struct ConjunctionCount {
  static constexpr std::string_view id = "count:conjunctions";
  BOOST_HANA_DEFINE_STRUCT(ConjunctionCount, (std::int64_t, small_n));

  void validate() const {
    if (small_n < 0) detail::ifbench_count::random_default(id, "small_n");
  }
  bool check(const Text& t) const {
    static const std::unordered_set<std::u32string_view> conjunctions{U"and", U"but", U"for", U"nor",
                                                                      U"or",  U"so",  U"yet"};
    std::unordered_set<std::u32string_view> seen;
    for_each_py_word(t.chars(), [&](std::u32string_view w) {
      if (conjunctions.count(py_lower(strip_punct_space(w)))) seen.insert(w);
    });
    return static_cast<std::int64_t>(seen.size()) >= small_n;
  }
  std::string describe() const {
    return "Use at least " + std::to_string(small_n) +
           " different coordinating conjunctions (and, but, for, nor, or, so, yet).";
  }
};

/// count:person_names — at least N different names from a fixed list of 50 first names occur, case-sensitively
/// and as whole words (Unicode \b: "Emma's" counts, "Emmanuel", "_Ava" and "Ava2" do not).
struct PersonNameCount {
  static constexpr std::string_view id = "count:person_names";
  BOOST_HANA_DEFINE_STRUCT(PersonNameCount, (std::int64_t, N));

  static constexpr std::array<std::u32string_view, 50> names = {
      U"Emma",    U"Liam",   U"Sophia", U"Jackson",     U"Olivia",    U"Noah",     U"Ava",      U"Lucas",  U"Isabella",
      U"Mason",   U"Mia",    U"Ethan",  U"Charlotte",   U"Alexander", U"Amelia",   U"Benjamin", U"Harper", U"Leo",
      U"Zoe",     U"Daniel", U"Chloe",  U"Samuel",      U"Lily",      U"Matthew",  U"Grace",    U"Owen",   U"Abigail",
      U"Gabriel", U"Ella",   U"Jacob",  U"Scarlett",    U"Nathan",    U"Victoria", U"Elijah",   U"Layla",  U"Nicholas",
      U"Audrey",  U"David",  U"Hannah", U"Christopher", U"Penelope",  U"Thomas",   U"Nora",     U"Andrew", U"Aria",
      U"Joseph",  U"Claire", U"Ryan",   U"Stella",      U"Jonathan"};

  void validate() const {
    if (N < 0) detail::ifbench_count::random_default(id, "N");
  }
  bool check(const Text& t) const {
    // A name is all \w, so \bName\b matches exactly where a maximal \w run equals the name.
    static const std::unordered_set<std::u32string_view> listed(names.begin(), names.end());
    std::unordered_set<std::u32string_view> found;
    detail::ifbench_count::for_each_regex_word(t.chars(), [&](std::u32string_view w) {
      if (listed.count(w)) found.insert(w);
    });
    return static_cast<std::int64_t>(found.size()) >= N;
  }
  std::string describe() const {
    std::string list;
    for (auto n : names) list += (list.empty() ? "" : ", ") + utf8_encode(n);
    return "Mention at least " + std::to_string(N) + " different people, by first names taken from this list: " + list +
           ".";
  }
};

/// ratio:overlap — the share of the response's distinct character trigrams that also occur in `reference_text`,
/// times 100 (double: 11/20 gives 55.00000000000001), lies within `percentage` ± 2, both ends included. A response
/// shorter than 3 characters fails.
struct NGramOverlap {
  static constexpr std::string_view id = "ratio:overlap";
  BOOST_HANA_DEFINE_STRUCT(NGramOverlap, (std::string, reference_text), (double, percentage));

  void validate() const {
    if (percentage < 0) detail::ifbench_count::random_default(id, "percentage");
  }
  bool check(const Text& t) const {
    const auto mine = detail::ifbench_count::trigrams(t.chars());
    if (mine.empty()) return false;
    const auto theirs = detail::ifbench_count::trigrams(utf8_decode(reference_text));
    std::int64_t shared = 0;
    for (auto g : mine) shared += theirs.count(g) != 0;
    const double overlap = static_cast<double>(shared) / static_cast<double>(mine.size()) * 100;
    return percentage - 2 <= overlap && overlap <= percentage + 2;
  }
  std::string describe() const {
    return "Stay close to this reference text: " + detail::ifbench_count::number(percentage) +
           "% (give or take 2) of the three-character sequences of your response must also occur in it. Reference "
           "text: " +
           reference_text;
  }
};

/// count:numbers — exactly N numbers, a number being a run of Unicode decimal digits once ASCII punctuation is
/// deleted (so "3.14", "1,000" and "2024-05-01" are one number each; "²" is none).
struct NumbersCount {
  static constexpr std::string_view id = "count:numbers";
  BOOST_HANA_DEFINE_STRUCT(NumbersCount, (std::int64_t, N));

  void validate() const {
    if (N < 0) detail::ifbench_count::random_default(id, "N");
  }
  bool check(const Text& t) const {
    std::int64_t n = 0;
    bool in_number = false;
    for (char32_t c : t.chars()) {
      if (is_ascii_punct(c)) continue; // deleted: the runs on both sides join
      const bool digit = is_decimal(c);
      n += digit && !in_number;
      in_number = digit;
    }
    return n == N;
  }
  std::string describe() const { return "Include exactly " + std::to_string(N) + " numbers in your response."; }
};

/// count:punctuation — contains an interrobang ("?!", "!?" or U+203D); once the first "?!" (else the first "!?")
/// is deleted, each of . , ! ? ; : still occurs.
struct PunctuationCover {
  static constexpr std::string_view id = "count:punctuation";

  bool check(const Text& t) const {
    std::string s(t.str());
    auto at = s.find("?!");
    if (at == std::string::npos) at = s.find("!?");
    if (at != std::string::npos)
      s.erase(at, 2);
    else if (s.find("\u203D") == std::string::npos)
      return false;
    for (char c : std::string_view(".,!?;:"))
      if (s.find(c) == std::string::npos) return false;
    return true;
  }
  std::string describe() const {
    return "Use each of the punctuation marks . , ! ? ; : at least once, and also an interrobang (?! or \u203D).";
  }
};

/// ratio:sentence_words — exactly three sentences, all of the same length in characters once stripped of
/// surrounding whitespace. Reproduces the official defect: the words need not differ.
struct CharacterCountUniqueWords {
  static constexpr std::string_view id = "ratio:sentence_words";

  bool check(const Text& t) const {
    const auto spans = punkt_sentence_spans(t.chars(), english_punkt());
    if (spans.size() != 3) return false;
    std::array<std::size_t, 3> lengths{};
    for (std::size_t i = 0; i < 3; ++i)
      lengths[i] =
          py_strip(std::u32string_view(t.chars()).substr(spans[i].first, spans[i].second - spans[i].first)).size();
    return lengths[0] == lengths[1] && lengths[1] == lengths[2];
  }
  std::string describe() const {
    return "Write exactly three sentences, all with the same number of characters and without repeating a word.";
  }
};

/// count:words_japanese — every word (whitespace-separated) at a 1-based position p with p mod N = 0 (in floating
/// point), once trimmed of ASCII punctuation and spaces, is empty, all digits (str.isdigit) or contains a
/// hiragana, katakana (U+3040-30FF) or CJK unified ideograph (U+4E00-9FFF).
struct NthWordJapanese {
  static constexpr std::string_view id = "count:words_japanese";
  BOOST_HANA_DEFINE_STRUCT(NthWordJapanese, (double, N));

  void validate() const {
    if (N == 0)
      throw error("raif: instruction 'count:words_japanese': kwarg 'N' must be non-zero (the official checker "
                  "raises ZeroDivisionError for 0)");
    if (N < 0) detail::ifbench_count::random_default(id, "N");
  }
  bool check(const Text& t) const {
    auto japanese = [](char32_t c) { return (c >= 0x3040 && c <= 0x30FF) || (c >= 0x4E00 && c <= 0x9FFF); };
    auto all_digits = [](std::u32string_view x) {
      for (char32_t c : x)
        if (!py_isdigit(c)) return false;
      return true;
    };
    bool ok = true;
    std::int64_t p = 0;
    for_each_py_word(t.chars(), [&](std::u32string_view w) {
      if (!ok || std::fmod(static_cast<double>(++p), N) != 0) return;
      const auto x = strip_punct_space(w);
      if (x.empty() || all_digits(x)) return;
      ok = false;
      for (char32_t c : x) ok = ok || japanese(c);
    });
    return ok;
  }
  std::string describe() const {
    return "Write every word whose position in your response is a multiple of " + detail::ifbench_count::number(N) +
           " in Japanese.";
  }
};

/// count:pronouns — at least N pronoun tokens, repetitions included: "/" becomes a space, the text is lower-cased
/// and split into NLTK word_tokenize tokens (so "I'm" gives "i"), which are looked up in a fixed list of 63.
struct PronounCount {
  static constexpr std::string_view id = "count:pronouns";
  BOOST_HANA_DEFINE_STRUCT(PronounCount, (std::int64_t, N));

  void validate() const {
    if (N < 0) detail::ifbench_count::random_default(id, "N");
  }
  bool check(const Text& t) const {
    static const std::unordered_set<std::u32string_view> pronouns{
        U"i",         U"me",         U"we",         U"us",        U"you",      U"he",      U"him",        U"she",
        U"her",       U"it",         U"they",       U"them",      U"my",       U"mine",    U"our",        U"ours",
        U"your",      U"yours",      U"his",        U"hers",      U"its",      U"their",   U"theirs",     U"myself",
        U"ourselves", U"yourself",   U"yourselves", U"himself",   U"herself",  U"itself",  U"themselves", U"this",
        U"that",      U"these",      U"those",      U"who",       U"whom",     U"whose",   U"which",      U"what",
        U"whoever",   U"whomever",   U"whatever",   U"whichever", U"anybody",  U"anyone",  U"anything",   U"everybody",
        U"everyone",  U"everything", U"nobody",     U"nothing",   U"somebody", U"someone", U"something",  U"each",
        U"either",    U"neither",    U"both",       U"all",       U"some",     U"any",     U"none"};
    std::u32string s = t.lower();
    for (auto& c : s)
      if (c == U'/') c = U' ';
    std::int64_t n = 0;
    for (const auto& token : word_tokenize(s, english_punkt())) n += pronouns.count(token) != 0;
    return n >= N;
  }
  std::string describe() const { return "Use at least " + std::to_string(N) + " pronouns in your response."; }
};

/// count:keywords_multiple — case-insensitively (Python lower() on both sides), as plain non-overlapping
/// substrings, keyword1 occurs exactly once, keyword2 twice, keyword3 three times, keyword4 five times and
/// keyword5 seven times ("whispers" contains "whisper"). Keywords are stripped of surrounding whitespace.
struct KeywordsMultiple {
  static constexpr std::string_view id = "count:keywords_multiple";
  BOOST_HANA_DEFINE_STRUCT(KeywordsMultiple, (std::string, keyword1), (std::string, keyword2), (std::string, keyword3),
                           (std::string, keyword4), (std::string, keyword5));

  bool check(const Text& t) const {
    const std::array<const std::string*, 5> keywords{&keyword1, &keyword2, &keyword3, &keyword4, &keyword5};
    constexpr std::array<std::int64_t, 5> required{1, 2, 3, 5, 7};
    for (std::size_t k = 0; k < 5; ++k) {
      const auto keyword = py_lower(py_strip(utf8_decode(*keywords[k])));
      if (detail::ifbench_count::count_substring(t.lower(), keyword) != required[k]) return false;
    }
    return true;
  }
  std::string describe() const {
    auto quoted = [](const std::string& k) { // appended: GCC 12 -O3 warns (-Wrestrict) on "'" + string&&
      std::string q(1, '\'');
      q += py_strip(std::string_view(k));
      q += '\'';
      return q;
    };
    return "Use " + quoted(keyword1) + " exactly once, " + quoted(keyword2) + " exactly twice, " + quoted(keyword3) +
           " exactly three times, " + quoted(keyword4) + " exactly five times and " + quoted(keyword5) +
           " exactly seven times (counting occurrences inside longer words too).";
  }
};

/// The count:* and ratio:* constraint types of IFBench, as a compile-time list.
inline constexpr auto ifbench_count_types =
    boost::hana::tuple_t<WordCountRange, UniqueWordCount, StopWordPercentage, SentenceTypeRatio, SentenceBalance,
                         ConjunctionCount, PersonNameCount, NGramOverlap, NumbersCount, PunctuationCover,
                         CharacterCountUniqueWords, NthWordJapanese, PronounCount, KeywordsMultiple>;

} // namespace raif
