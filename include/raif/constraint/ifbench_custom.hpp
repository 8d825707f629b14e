#pragma once
/// @file
/// IFBench custom:* and repeat:*: custom tasks and repeats, with the official checker's semantics
/// (../shared/ifbench/SPEC.md §3; decisions: docs/ifbench-conformance.md).

#include <raif/constraint/constraint.hpp>
#include <raif/text/punctuation.hpp>
#include <raif/text/ascii_fold.hpp>
#include <raif/text/csv.hpp>
#include <raif/text/punkt.hpp>
#include <raif/text/punkt_english.hpp>
#include <raif/text/split.hpp>
#include <raif/text/strip.hpp>

#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace raif {

namespace detail::ifbench_custom {

/// str.lstrip(): whitespace removed at the start.
inline std::u32string_view lstrip(std::u32string_view s) noexcept {
  while (!s.empty() && is_py_space(s.front())) s.remove_prefix(1);
  return s;
}

/// The words of s (str.split()).
inline std::vector<std::u32string_view> words(std::u32string_view s) {
  std::vector<std::u32string_view> out;
  for_each_py_word(s, [&](std::u32string_view w) { out.push_back(w); });
  return out;
}

/// The value of a Unicode decimal digit (what int() gives it). Unicode encodes decimal digits in
/// contiguous runs of ten, 0 to 9, so a digit's value is its distance from the start of its
/// maximal run of digits, modulo 10 (the longest run, the mathematical digits, holds 50).
inline int decimal_value(char32_t c) noexcept {
  char32_t start = c;
  while (start > 0 && is_decimal(start - 1)) --start;
  return static_cast<int>((c - start) % 10);
}

/// The value of a run of decimal digits (at most 4 here, so no overflow).
inline int decimal_number(std::u32string_view digits) noexcept {
  int n = 0;
  for (char32_t c : digits) n = n * 10 + decimal_value(c);
  return n;
}

/// `name` or `"name"` at s[i], advancing i past it.
inline bool match_field_name(std::u32string_view s, std::size_t& i, std::u32string_view name) {
  if (s.substr(i, name.size()) == name) {
    i += name.size();
    return true;
  }
  if (i < s.size() && s[i] == '"' && s.substr(i + 1, name.size()) == name && i + 1 + name.size() < s.size() &&
      s[i + 1 + name.size()] == '"') {
    i += name.size() + 2;
    return true;
  }
  return false;
}

/// The CSV header test of csv_special_character and csv_quotes: header = strip() of the text
/// before the first \n; it must fully match name_0, then for each further name: `separator`, any
/// number of the `padding` characters, and the name; each name bare or in double quotes.
inline bool header_matches(std::u32string_view text, const std::vector<std::u32string_view>& names, char32_t separator,
                           std::u32string_view padding) {
  const std::u32string_view header = py_strip(text.substr(0, text.find(U'\n')));
  std::size_t i = 0;
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (k > 0) {
      if (i >= header.size() || header[i] != separator) return false;
      ++i;
      while (i < header.size() && padding.find(header[i]) != padding.npos) ++i;
    }
    if (!match_field_name(header, i, names[k])) return false;
  }
  return i == header.size();
}

/// Every `"` of s tripled, as the official checker does before reading CSV (text.replace('"', '"""')).
inline std::u32string triple_quotes(std::u32string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (char32_t c : s) {
    out.push_back(c);
    if (c == '"') out.append(2, U'"');
  }
  return out;
}

/// csv_read, with Python's _csv.Error reported as an error of instruction `id`.
inline std::vector<CsvRecord> read_csv_for(std::string_view id, std::u32string_view text, CsvDialect dialect) {
  try {
    return csv_read(text, dialect);
  } catch (const CsvError& e) {
    throw error("raif: instruction '" + std::string(id) + "': the response cannot be read as CSV: " + e.reason() +
                " (the official checker raises _csv.Error: " + e.python_message() + ")");
  }
}

} // namespace detail::ifbench_custom

/// custom:multiples — the maximal runs of decimal digits (Unicode `\d`) are exactly 14, 21, 28,
/// 35, 42, 49, in this order, and nothing else: the multiples of 7 between 10 and 50.
struct PrintMultiples {
  static constexpr std::string_view id = "custom:multiples";
  bool check(const Text& t) const {
    static constexpr std::array<std::u32string_view, 6> expected = {U"14", U"21", U"28", U"35", U"42", U"49"};
    const std::u32string_view s = t.chars();
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size();) {
      if (!is_decimal(s[i])) {
        ++i;
        continue;
      }
      const std::size_t b = i;
      while (i < s.size() && is_decimal(s[i])) ++i;
      if (n == expected.size() || s.substr(b, i - b) != expected[n]) return false;
      ++n;
    }
    return n == expected.size();
  }
  std::string describe() const {
    return "List every multiple of 7 between 10 and 50 and write no other number anywhere in the answer.";
  }
};

/// custom:mcq_count_length — four multiple-choice questions, each with five options (A-E), the
/// question texts strictly longer one after the other. The text must start with "Question"; it is
/// split at each "Question <number>" label (optionally followed by one of `. | ) : ;`); in a
/// question, the lines before its first option line ("A)", "b.", "C|" ...) are the question text
/// and lines after the first option that are not options are ignored.
struct MultipleChoiceQuestions {
  static constexpr std::string_view id = "custom:mcq_count_length";
  bool check(const Text& t) const {
    const std::u32string_view s = t.chars();
    if (s.substr(0, 8) != U"Question") return false;
    std::vector<std::u32string_view> questions;
    for (auto piece : split_at_labels(s))
      if (auto q = py_strip(piece); !q.empty()) questions.push_back(q);
    if (questions.size() != 4) return false;
    std::size_t previous_length = 0;
    for (std::size_t k = 0; k < questions.size(); ++k) {
      std::u32string question_text;
      int options = 0;
      for (auto line : py_split(questions[k], std::u32string_view(U"\n"))) {
        line = py_strip(line);
        if (is_option(line))
          ++options;
        else if (options == 0)
          (question_text += U' ') += line;
      }
      const std::size_t length = py_strip(question_text).size();
      if (options != 5 || (k > 0 && length <= previous_length)) return false;
      previous_length = length;
    }
    return true;
  }
  std::string describe() const {
    return "Write four multiple-choice questions, each labelled \"Question <number>\" and followed by five options "
           "labelled A to E, and make each question longer than the one before it.";
  }

private:
  // re.split(r"\n*Question \d+[.|):;]?\s*", s), without the leading empty piece.
  static std::vector<std::u32string_view> split_at_labels(std::u32string_view s) {
    std::vector<std::u32string_view> pieces;
    std::size_t last = 0;
    for (std::size_t i = 0; i < s.size();) {
      std::size_t j = i;
      while (j < s.size() && s[j] == '\n') ++j;
      std::size_t e = j + 9;
      const bool label = s.substr(j, 9) == U"Question " && e < s.size() && is_decimal(s[e]);
      if (!label) {
        i = std::max(i + 1, j); // a match cannot start inside this run of newlines either
        continue;
      }
      while (e < s.size() && is_decimal(s[e])) ++e;
      if (e < s.size() && std::u32string_view(U".|):;").find(s[e]) != std::u32string_view::npos) ++e;
      while (e < s.size() && is_py_space(s[e])) ++e;
      pieces.push_back(s.substr(last, i - last));
      last = i = e;
    }
    pieces.push_back(s.substr(last));
    if (pieces.front().empty()) pieces.erase(pieces.begin());
    return pieces;
  }
  // re.match(r"^[A-Ea-e][.|)]\s*\w+", line) on a stripped line.
  static bool is_option(std::u32string_view line) {
    if (line.size() < 3 || !((line[0] >= 'A' && line[0] <= 'E') || (line[0] >= 'a' && line[0] <= 'e'))) return false;
    if (line[1] != '.' && line[1] != '|' && line[1] != ')') return false;
    std::size_t k = 2;
    while (k < line.size() && is_py_space(line[k])) ++k;
    return k < line.size() && is_word_char(line[k]);
  }
};

/// custom:reverse_newline — from the first line containing "Zimbabwe" on, at least 52 non-empty
/// lines (each trimmed of ASCII punctuation and spaces) in descending order of their ASCII folding
/// (NFKD, non-ASCII dropped). Reproduces the official defect: the lines need not be country
/// names, so any 52 descending lines after a "Zimbabwe" line pass.
struct ReverseNewline {
  static constexpr std::string_view id = "custom:reverse_newline";
  bool check(const Text& t) const {
    std::vector<std::u32string_view> lines;
    bool found = false;
    for (auto line : py_split(std::u32string_view(t.chars()), std::u32string_view(U"\n"))) {
      line = strip_punct_space(line);
      if (line.empty()) continue;
      found = found || line.find(U"Zimbabwe") != std::u32string_view::npos;
      if (found) lines.push_back(line);
    }
    if (lines.size() < 52) return false;
    std::string previous = ascii_fold(lines[0]);
    for (std::size_t k = 1; k < lines.size(); ++k) {
      std::string folded = ascii_fold(lines[k]);
      if (folded > previous) return false;
      previous = std::move(folded);
    }
    return true;
  }
  std::string describe() const {
    return "List the countries of Africa in reverse alphabetical order, one per line, starting with Zimbabwe.";
  }
};

/// custom:word_reverse — the lowercased text, without ASCII punctuation, with its words in reverse
/// order and single-spaced, contains "bald eagle". Reproduces the official defect: this is only a
/// substring test ("eaglex xbald" passes); the official second test (the text is one of its own
/// Punkt sentences) always holds, as the text has neither `.?!` nor edge whitespace.
struct WordReverseOrder {
  static constexpr std::string_view id = "custom:word_reverse";
  bool check(const Text& t) const {
    std::u32string text;
    for (char32_t c : t.lower())
      if (!is_ascii_punct(c)) text.push_back(c);
    const auto words = detail::ifbench_custom::words(text);
    std::u32string reversed;
    for (auto w = words.rbegin(); w != words.rend(); ++w) {
      if (!reversed.empty()) reversed.push_back(U' ');
      reversed += *w;
    }
    return reversed.find(U"bald eagle") != std::u32string::npos;
  }
  std::string describe() const {
    return "Answer \"What is the national bird of the United States?\" with the words of your answer in reverse "
           "order.";
  }
};

/// custom:character_reverse — the lowercased text contains "elgae dlab" ("bald eagle" spelt
/// backwards, one ASCII space).
struct CharacterReverseOrder {
  static constexpr std::string_view id = "custom:character_reverse";
  bool check(const Text& t) const { return t.lower().find(U"elgae dlab") != std::u32string::npos; }
  std::string describe() const {
    return "Answer \"What is the national bird of the United States?\" with every character of your answer in "
           "reverse order.";
  }
};

/// custom:sentence_alphabet — exactly 26 Punkt sentences (NLTK's English model), the first word of
/// the k-th starting, after lowercasing, with the k-th letter a..z.
struct SentenceAlphabet {
  static constexpr std::string_view id = "custom:sentence_alphabet";
  bool check(const Text& t) const {
    const std::u32string_view s = t.chars();
    const auto sentences = punkt_sentence_spans(s, english_punkt());
    if (sentences.size() != 26) return false;
    for (std::size_t k = 0; k < sentences.size(); ++k) {
      const auto [b, e] = sentences[k];
      const auto sentence = detail::ifbench_custom::lstrip(s.substr(b, e - b));
      // A Punkt sentence is never blank, so it has a first word and that word a first character.
      if (sentence.empty() || py_lower(sentence.substr(0, 1)).front() != U'a' + k) return false;
    }
    return true;
  }
  std::string describe() const {
    return "Write exactly 26 sentences whose first words start with the letters a to z, one letter per sentence, "
           "in alphabetical order.";
  }
};

/// custom:european_capitals_sort — after ASCII folding, the comma-separated non-blank items are
/// exactly the 27 capitals of Europe north of 45°N, from north to south (Reykjavik ... Zagreb).
struct EuropeanCapitalsSort {
  static constexpr std::string_view id = "custom:european_capitals_sort";
  bool check(const Text& t) const {
    static constexpr std::array<std::string_view, 27> capitals = {
        "Reykjavik",  "Helsinki", "Oslo",     "Tallinn",    "Stockholm", "Riga",      "Moscow",
        "Copenhagen", "Vilnius",  "Minsk",    "Dublin",     "Berlin",    "Amsterdam", "Warsaw",
        "London",     "Brussels", "Prague",   "Luxembourg", "Paris",     "Vienna",    "Bratislava",
        "Budapest",   "Vaduz",    "Chisinau", "Bern",       "Ljubljana", "Zagreb"};
    const std::string folded = ascii_fold(t.chars());
    std::size_t n = 0;
    for (auto item : py_split(std::string_view(folded), std::string_view(","))) {
      item = py_strip(item);
      if (item.empty()) continue;
      if (n == capitals.size() || item != capitals[n]) return false;
      ++n;
    }
    return n == capitals.size();
  }
  std::string describe() const {
    return "Name the capitals of the European countries lying above 45 degrees of latitude, ordered from the "
           "northernmost to the southernmost, as one comma-separated list.";
  }
};

/// custom:csv_city — the text read as comma-separated CSV (Python's csv.reader) has exactly 8
/// records: the header ID, Country, City, Year, Count and 7 records of 5 fields. Throws raif::error
/// where the official checker raises _csv.Error (a lone `\r` outside quotes, a field over 131072
/// characters).
struct CityCSV {
  static constexpr std::string_view id = "custom:csv_city";
  bool check(const Text& t) const {
    const auto records = detail::ifbench_custom::read_csv_for(id, t.chars(), {});
    if (records.size() != 8 || records[0] != CsvRecord{U"ID", U"Country", U"City", U"Year", U"Count"}) return false;
    return std::all_of(records.begin() + 1, records.end(), [](const CsvRecord& r) { return r.size() == 5; });
  }
  std::string describe() const {
    return "Output only a comma-separated CSV table with the header ID,Country,City,Year,Count and seven data rows.";
  }
};

/// custom:csv_special_character — header ProductID, Category, Brand, Price, Stock (bare or quoted,
/// spaces or tabs after the commas); then, every `"` tripled, the text read as CSV has 15 records,
/// and a data record has a field that starts with `"` and has a character other than a letter,
/// digit, `_` or whitespace followed by another `"` on the same line. Reproduces the official
/// defect: the first such field decides, later records are not checked. Throws raif::error where
/// the official checker raises _csv.Error.
struct SpecialCharacterCSV {
  static constexpr std::string_view id = "custom:csv_special_character";
  bool check(const Text& t) const {
    namespace d = detail::ifbench_custom;
    if (!d::header_matches(t.chars(), {U"ProductID", U"Category", U"Brand", U"Price", U"Stock"}, U',', U" \t"))
      return false;
    const auto records = d::read_csv_for(id, d::triple_quotes(t.chars()), {});
    if (records.size() != 15) return false;
    for (auto r = records.begin() + 1; r != records.end(); ++r) {
      if (r->size() != 5) return false;
      if (std::any_of(r->begin(), r->end(), quoted_special)) return true;
    }
    return false;
  }
  std::string describe() const {
    return "Output a comma-separated CSV table of 14 products with the header ProductID,Category,Brand,Price,Stock, "
           "and wrap in double quotes every field that contains a special character.";
  }

private:
  // re.match(r'".*[^\d\w\s].*"', field): `.` does not match \n.
  static bool quoted_special(const std::u32string& f) {
    if (f.empty() || f[0] != '"') return false;
    const std::u32string_view line = std::u32string_view(f).substr(0, f.find(U'\n'));
    const std::size_t last_quote = line.rfind(U'"');
    for (std::size_t j = 1; j < last_quote && last_quote != line.npos; ++j)
      if (!is_word_char(line[j]) && !is_py_space(line[j])) return true;
    return false;
  }
};

/// custom:csv_quotes — header StudentID, Subject, Grade, Semester, Score (tab-separated, spaces
/// allowed after each tab, bare or quoted); then, every `"` tripled, the text read as
/// tab-separated CSV has 4 records of 5 fields and every field, stripped, starts and ends with `"`.
/// Throws raif::error where the official checker raises: _csv.Error (a lone `\r` outside quotes, a
/// field over 131072 characters) and IndexError (a field that is empty after stripping).
struct QuotesCSV {
  static constexpr std::string_view id = "custom:csv_quotes";
  bool check(const Text& t) const {
    namespace d = detail::ifbench_custom;
    if (!d::header_matches(t.chars(), {U"StudentID", U"Subject", U"Grade", U"Semester", U"Score"}, U'\t', U" "))
      return false;
    const auto records = d::read_csv_for(id, d::triple_quotes(t.chars()), {.delimiter = U'\t'});
    if (records.size() != 4) return false;
    for (std::size_t r = 0; r < records.size(); ++r) {
      if (records[r].size() != 5) return false;
      for (std::size_t f = 0; f < records[r].size(); ++f) {
        const auto field = py_strip(std::u32string_view(records[r][f]));
        if (field.empty())
          throw error("raif: instruction '" + std::string(id) + "': field " + std::to_string(f + 1) + " of record " +
                      std::to_string(r + 1) +
                      " is empty or whitespace, so it has no first character to compare with '\"' (the official "
                      "checker raises IndexError: string index out of range)");
        if (field.front() != '"' || field.back() != '"') return false;
      }
    }
    return true;
  }
  std::string describe() const {
    return "Output a tab-separated table of three students with the header StudentID, Subject, Grade, Semester, "
           "Score, every field (header included) in double quotes.";
  }
};

/// custom:date_format_list — the stripped text, split at commas, is a list of dates YYYY-MM-DD
/// (Unicode decimal digits) with 1769 <= year <= 1821, month <= 12 and day <= the month's length.
/// Reproduces the official defects: month 00 and day 00 pass, and February allows 29 every year.
struct DateFormatList {
  static constexpr std::string_view id = "custom:date_format_list";
  bool check(const Text& t) const {
    for (auto date : py_split(py_strip(std::u32string_view(t.chars())), std::u32string_view(U",")))
      if (!valid(py_strip(date))) return false;
    return true;
  }
  std::string describe() const {
    return "List the dates of the battles Napoleon fought, as a comma-separated list of YYYY-MM-DD dates.";
  }

private:
  static bool valid(std::u32string_view date) {
    using detail::ifbench_custom::decimal_number;
    if (date.size() != 10 || date[4] != '-' || date[7] != '-') return false;
    for (std::size_t k : {0, 1, 2, 3, 5, 6, 8, 9})
      if (!is_decimal(date[k])) return false;
    const int year = decimal_number(date.substr(0, 4)), month = decimal_number(date.substr(5, 2)),
              day = decimal_number(date.substr(8, 2));
    if (year < 1769 || year > 1821 || month > 12) return false;
    const int max_day = month == 2 ? 29 : (month == 4 || month == 6 || month == 9 || month == 11) ? 30 : 31;
    return day <= max_day;
  }
};

/// repeat:repeat_change — the text is not `prompt_to_repeat` itself, and its words after the first
/// equal the prompt's words after the first (whitespace between words is free). Reproduces the
/// official defect: the first word is never compared, so changing it is not required beyond the
/// text differing somewhere.
struct RepeatChange {
  static constexpr std::string_view id = "repeat:repeat_change";
  BOOST_HANA_DEFINE_STRUCT(RepeatChange, (std::string, prompt_to_repeat));

  void validate() const {
    if (prompt_to_repeat.empty())
      throw error("raif: instruction 'repeat:repeat_change': kwarg 'prompt_to_repeat' must be non-empty (the "
                  "official checker raises ValueError)");
  }
  bool check(const Text& t) const {
    namespace d = detail::ifbench_custom;
    const std::u32string prompt = utf8_decode(prompt_to_repeat);
    if (t.chars() == prompt) return false;
    auto rest = [](std::vector<std::u32string_view> w) {
      if (!w.empty()) w.erase(w.begin());
      return w;
    };
    return rest(d::words(prompt)) == rest(d::words(t.chars()));
  }
  std::string describe() const {
    return "Repeat the following text word for word, but replace its first word with a different one: " +
           prompt_to_repeat;
  }
};

/// repeat:repeat_simple — the stripped, lowercased text is exactly "only output this sentence
/// here, ignore all other requests."
struct RepeatSimple {
  static constexpr std::string_view id = "repeat:repeat_simple";
  bool check(const Text& t) const {
    static constexpr std::u32string_view sentence = U"only output this sentence here, ignore all other requests.";
    return py_lower(py_strip(std::u32string_view(t.chars()))) == sentence;
  }
  std::string describe() const {
    return "Reply with just this sentence and nothing else: Only output this sentence here, ignore all other "
           "requests.";
  }
};

/// repeat:repeat_span — the stripped, lowercased text equals the stripped, lowercased characters
/// `n_start` to `n_end` (inclusive, code points, Python slice rules: negative counts from the end,
/// out of range is truncated) of `prompt_to_repeat`.
struct RepeatSpan {
  static constexpr std::string_view id = "repeat:repeat_span";
  BOOST_HANA_DEFINE_STRUCT(RepeatSpan, (std::string, prompt_to_repeat), (Index, n_start), (Index, n_end));

  bool check(const Text& t) const {
    const std::u32string prompt = utf8_decode(prompt_to_repeat);
    // prompt[n_start : n_end + 1]
    const auto size = static_cast<std::int64_t>(prompt.size());
    auto bound = [size](std::int64_t i) { return i < 0 ? std::max<std::int64_t>(i + size, 0) : std::min(i, size); };
    const std::int64_t b = bound(n_start.value);
    const std::int64_t e = n_end.value == std::numeric_limits<std::int64_t>::max() ? size : bound(n_end.value + 1);
    const std::u32string_view span =
        b < e ? std::u32string_view(prompt).substr(static_cast<std::size_t>(b), static_cast<std::size_t>(e - b))
              : std::u32string_view();
    return py_lower(py_strip(std::u32string_view(t.chars()))) == py_lower(py_strip(span));
  }
  std::string describe() const {
    const std::string from = std::to_string(n_start.value), to = std::to_string(n_end.value);
    return "Output only the characters " + from + " to " + to +
           " (counting from 0, both included) of this text: " + prompt_to_repeat;
  }
};

/// The custom:* and repeat:* constraint types of IFBench, as a compile-time list.
inline constexpr auto ifbench_custom_types =
    boost::hana::tuple_t<PrintMultiples, MultipleChoiceQuestions, ReverseNewline, WordReverseOrder,
                         CharacterReverseOrder, SentenceAlphabet, EuropeanCapitalsSort, CityCSV, SpecialCharacterCSV,
                         QuotesCSV, DateFormatList, RepeatChange, RepeatSimple, RepeatSpan>;

} // namespace raif
