#pragma once
/// @file
/// IFBench format:*: format checks, with the official checker's semantics
/// (../shared/ifbench/SPEC.md §3; decisions: docs/ifbench-conformance.md). Every check is linear in
/// the length of the text, including the two whose official blank-line removal is quadratic.

#include <raif/constraint/constraint.hpp>
#include <raif/text/punctuation.hpp>
#include <raif/text/emoji.hpp>
#include <raif/text/punkt.hpp>
#include <raif/text/punkt_english.hpp>
#include <raif/text/split.hpp>
#include <raif/text/treebank.hpp>

#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace raif {

// Internals of this header, in their own namespace: the other family headers have helpers too.
namespace detail::ifbench_format {
// Python str.isupper() / str.islower() of one character.
inline bool upper_char(char32_t c) noexcept { return py_isupper(std::u32string_view(&c, 1)); }
inline bool lower_char(char32_t c) noexcept { return py_islower(std::u32string_view(&c, 1)); }

// The option string of format:options, read as the official configuration step reads it.
struct ParsedOptions {
  bool exact = false;                // re.match(r"\W*[aA]\W*[bB]\W*[cC]", options)
  std::vector<std::u32string> items; // options.split(separator), each stripped
};
inline ParsedOptions parse_options(std::string_view options) {
  const std::u32string s = utf8_decode(options);
  ParsedOptions p;
  std::size_t i = 0;
  for (std::u32string_view letter : {U"aA", U"bB", U"cC"}) {
    while (i < s.size() && !is_word_char(s[i])) ++i; // \W* is greedy and [aA] is a \w: no backtracking
    p.exact = i < s.size() && letter.find(s[i]) != std::u32string_view::npos;
    if (!p.exact) break;
    ++i;
  }
  const std::u32string_view sep = s.find(U'/') != std::u32string::npos    ? U"/"
                                  : s.find(U"or") != std::u32string::npos ? U"or"
                                                                          : U",";
  for (auto piece : py_split(std::u32string_view(s), sep)) p.items.emplace_back(py_strip(piece));
  return p;
}

// Python's "for line in lines: if not line.strip(): lines.remove(line)" — which deletes the first
// line equal to the blank one (possibly an earlier survivor) and, since the list shifts under the
// iterator, never looks at the line after it. Returns the surviving lines, in one pass: the line
// examined after line p is p + 2 when p was blank, else p + 1; lines after p are never deleted
// before they are examined, so a queue per blank value of the survivors seen so far is enough.
inline std::vector<std::u32string_view> remove_blank_lines_as_official(std::u32string_view s) {
  const auto lines = py_split(s, std::u32string_view(U"\n"));
  std::vector<bool> removed(lines.size(), false);
  struct Survivors {
    std::vector<std::size_t> at;
    std::size_t head = 0;
  };
  std::unordered_map<std::u32string_view, Survivors> blanks;
  std::size_t examined = 0; // index of the next line the official loop looks at
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const bool blank = py_strip(lines[i]).empty();
    if (blank) blanks[lines[i]].at.push_back(i);
    if (i != examined) continue;
    if (!blank) {
      examined = i + 1;
      continue;
    }
    auto& first = blanks[lines[i]];
    removed[first.at[first.head++]] = true;
    examined = i + 2;
  }
  std::vector<std::u32string_view> out;
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (!removed[i]) out.push_back(lines[i]);
  return out;
}
} // namespace detail::ifbench_format

/// format:parentheses — brackets `()`, `[]`, `{}` nested at least five deep: a matching closer passes
/// as soon as the depth reached is 5 or more and the stack is below it; a mismatched closer resets.
/// Reproduces the official defect: balance is never checked (`((((( x )` passes).
struct NestedParentheses {
  static constexpr std::string_view id = "format:parentheses";
  bool check(const Text& t) const {
    std::u32string stack;
    std::size_t max_depth = 0;
    for (char32_t c : t.chars()) {
      if (c == U'(' || c == U'[' || c == U'{') {
        stack.push_back(c);
        max_depth = std::max(max_depth, stack.size());
      } else if (c == U')' || c == U']' || c == U'}') {
        const char32_t opener = c == U')' ? U'(' : c == U']' ? U'[' : U'{';
        if (!stack.empty() && stack.back() == opener) {
          stack.pop_back();
          if (max_depth >= 5 && stack.size() < max_depth) return true;
        } else {
          stack.clear();
          max_depth = 0;
        }
      }
    }
    return false;
  }
  std::string describe() const {
    return "Nest brackets at least five levels deep somewhere in your response, mixing round (), square [] and "
           "curly {} brackets.";
  }
};

/// format:quotes — `"` and `'` nested three levels: a quote equal to the innermost open one closes
/// it, any other `"`/`'` opens a level; passes once a close leaves the depth 3 below the deepest
/// reached. An apostrophe opens or closes a level like a quote; curly quotes are ignored.
struct NestedQuotes {
  static constexpr std::string_view id = "format:quotes";
  bool check(const Text& t) const {
    std::u32string stack;
    std::size_t reached = 0;
    for (char32_t c : t.chars()) {
      if (!stack.empty() && c == stack.back()) {
        stack.pop_back();
        if (reached - stack.size() >= 3) return true;
      } else if (c == U'"' || c == U'\'') {
        stack.push_back(c);
        reached = std::max(reached, stack.size());
      }
    }
    return false;
  }
  std::string describe() const {
    return "Nest quotations at least three levels deep, alternating double \" and single ' quotation marks.";
  }
};

/// format:options — the response is one of the options. An option string starting `a…b…c` (e.g.
/// `a), b), c), d)`) asks for an exact match; otherwise case and surrounding punctuation and spaces
/// are ignored. Options split at `/`, else at `or`, else at `,`. Reproduces the official defect: `or`
/// splits inside words (`for or against` gives `f`, ``, `against`).
struct OptionsResponse {
  static constexpr std::string_view id = "format:options";
  BOOST_HANA_DEFINE_STRUCT(OptionsResponse, (std::string, options));

  void validate() const {
    if (options.empty()) throw error("raif: instruction 'format:options': kwarg 'options' must not be empty");
  }
  bool check(const Text& t) const {
    using namespace detail::ifbench_format;
    const ParsedOptions p = parse_options(options);
    const std::u32string_view s = t.chars();
    if (p.exact) return std::find(p.items.begin(), p.items.end(), s) != p.items.end();
    const std::u32string answer = py_lower(strip_punct_space(s));
    return std::any_of(p.items.begin(), p.items.end(),
                       [&](const std::u32string& o) { return py_lower(strip_punct_space(o)) == answer; });
  }
  std::string describe() const { return "Answer with exactly one of these options and nothing else: " + options + "."; }
};

/// format:newline — one word per line: with ASCII punctuation deleted, the number of non-empty lines
/// equals the number of whitespace-separated words (a line of spaces counts as a line).
struct NewLineWords {
  static constexpr std::string_view id = "format:newline";
  bool check(const Text& t) const {
    const std::u32string s = remove_ascii_punct(t.chars());
    std::size_t lines = 0, words = 0;
    for (auto line : py_split(py_strip(s), std::u32string_view(U"\n"))) lines += !line.empty();
    for_each_py_word(s, [&](std::u32string_view) { ++words; });
    return lines == words;
  }
  std::string describe() const { return "Put every word of your response on a line of its own."; }
};

/// format:emoji — every sentence ends with an emoji (its last or second-to-last character once ASCII
/// punctuation is deleted and whitespace stripped) or is followed by a sentence that starts with one.
/// Emoji are the emoji 2.15.0 package's single code points (text/emoji.hpp).
struct EmojiSentence {
  static constexpr std::string_view id = "format:emoji";
  bool check(const Text& t) const {
    using namespace detail::ifbench_format;
    const std::u32string_view s = t.chars();
    const auto spans = punkt_sentence_spans(s, english_punkt());
    auto bare = [&](std::size_t i) { // the sentence without P, stripped
      return std::u32string(py_strip(remove_ascii_punct(s.substr(spans[i].first, spans[i].second - spans[i].first))));
    };
    for (std::size_t i = 0; i < spans.size(); ++i) {
      const std::u32string x = bare(i);
      if (x.empty()) return false;
      if (is_emoji(x.back()) || is_emoji(x[x.size() - (x.size() > 1 ? 2 : 1)])) continue;
      if (i + 1 == spans.size()) return false;
      const std::u32string next = bare(i + 1);
      if (next.empty() || !is_emoji(next.front())) return false;
    }
    return true;
  }
  std::string describe() const { return "End every sentence of your response with an emoji."; }
};

/// format:line_indent — lines form a staircase: after blank lines are removed, each line is indented
/// by strictly more leading spaces (U+0020 only) than the one before; a remaining blank line counts 0.
/// Reproduces the official defect: the removal skips the line after each blank one, so of two
/// consecutive blank lines one survives — in one pass here, where the official removal is quadratic.
struct IndentStairs {
  static constexpr std::string_view id = "format:line_indent";
  bool check(const Text& t) const {
    auto indent = [](std::u32string_view line) -> std::size_t {
      if (py_strip(line).empty()) return 0;
      return std::min(line.find_first_not_of(U' '), line.size());
    };
    const auto lines = detail::ifbench_format::remove_blank_lines_as_official(t.chars());
    for (std::size_t i = 1; i < lines.size(); ++i)
      if (indent(lines[i]) <= indent(lines[i - 1])) return false;
    return true;
  }
  std::string describe() const {
    return "Write your response as a staircase: indent every line with more leading spaces than the line above it.";
  }
};

/// format:quote_unquote — quotes are followed by an explanation: with whitespace (and every `'"'`)
/// deleted, no two `"` are adjacent and the text does not end in `"` (ignoring trailing ASCII digits
/// and punctuation). Reproduces the official defects: curly quotes are ignored, text without quotes
/// passes.
struct QuoteExplanation {
  static constexpr std::string_view id = "format:quote_unquote";
  bool check(const Text& t) const {
    const std::u32string_view s = t.chars();
    std::u32string x; // s.replace("'\"'", "") with every whitespace character deleted
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s.substr(i, 3) == U"'\"'")
        i += 2;
      else if (!is_py_space(s[i]))
        x.push_back(s[i]);
    }
    if (x.find(U"\"\"") != std::u32string::npos) return false;
    auto trimmed = [](char32_t c) {
      return (c >= U'0' && c <= U'9') || (c != U'"' && is_ascii_punct(c));
    };
    std::size_t b = 0, e = x.size();
    while (b < e && trimmed(x[b])) ++b;
    while (e > b && trimmed(x[e - 1])) --e;
    return !(e > b && x[e - 1] == U'"');
  }
  std::string describe() const {
    return "Quote at least one passage in double quotation marks and explain each quote in your own words after "
           "it; do not end the response on a quotation.";
  }
};

/// format:list — the separator `sep` occurs at least twice (non-overlapping, case-sensitive, anywhere).
/// Reproduces the official defect: the separator need not start a line (`well-known` holds a `-`).
struct SpecialBulletPoints {
  static constexpr std::string_view id = "format:list";
  BOOST_HANA_DEFINE_STRUCT(SpecialBulletPoints, (std::string, sep));

  void validate() const {
    if (sep.empty()) throw error("raif: instruction 'format:list': kwarg 'sep' must not be empty");
  }
  bool check(const Text& t) const {
    const std::string_view s = t.str(); // UTF-8 is self-synchronising: byte matches are code-point matches
    const auto first = s.find(sep);
    return first != std::string_view::npos && s.find(sep, first + sep.size()) != std::string_view::npos;
  }
  std::string describe() const {
    return "Write your response as a list whose items are separated by \"" + sep + "\" (use it at least twice).";
  }
};

/// format:thesis — an italic thesis in `<i>…</i>` (or `<em>…</em>`) that is not blank, followed by
/// non-blank text. Reproduces the official defect: `<em>` slices are off by one, so the thesis keeps
/// the `>` of `<em>` and the rest starts at the `>` of `</em>` (`<em></em>` passes).
struct ItalicsThesis {
  static constexpr std::string_view id = "format:thesis";
  bool check(const Text& t) const {
    const std::u32string_view s = t.chars();
    auto open = s.find(U"<i>");
    if (open == std::u32string_view::npos) open = s.find(U"<em>");
    if (open == std::u32string_view::npos) return false;
    const std::u32string_view x = s.substr(open);
    auto close = x.find(U"</i>");
    if (close == std::u32string_view::npos) close = x.find(U"</em>");
    if (close == std::u32string_view::npos) return false;
    const std::u32string_view thesis = close > 3 ? x.substr(3, close - 3) : std::u32string_view();
    if (py_strip(thesis).empty()) return false;
    return !py_strip(x.substr(std::min(close + 4, x.size()))).empty();
  }
  std::string describe() const {
    return "State your thesis in italics with HTML tags (<i>thesis</i>) and follow it with the rest of your "
           "response.";
  }
};

/// format:sub-bullets — every `*` bullet has `-` sub-bullets: each piece after a `*` contains a `-`.
/// Reproduces the official defect: a text without `*` passes (so the loose pass, which deletes the
/// asterisks, passes every non-blank response).
struct SubBulletPoints {
  static constexpr std::string_view id = "format:sub-bullets";
  bool check(const Text& t) const {
    const auto pieces = py_split(t.str(), std::string_view("*"));
    return std::all_of(pieces.begin() + 1, pieces.end(),
                       [](std::string_view p) { return p.find('-') != std::string_view::npos; });
  }
  std::string describe() const {
    return "Structure your response as * bullet points, each with at least one - sub-bullet beneath it.";
  }
};

/// format:no_bullets_bullets — prose of at least two sentences, then at least two `*` bullet lines and
/// nothing else. Reproduces the official defects: a blank line ends the prose (a blank line between
/// prose lines or bullets fails) and a trailing newline after the bullets fails.
struct SomeBulletPoints {
  static constexpr std::string_view id = "format:no_bullets_bullets";
  bool check(const Text& t) const {
    bool prose = true;
    std::size_t sentences = 0, bullets = 0;
    for (auto line : py_split(std::u32string_view(t.chars()), std::u32string_view(U"\n"))) {
      const auto stripped = py_strip(line);
      if (!stripped.empty() && stripped.front() == U'*') {
        prose = false;
        if (sentences < 2) return false;
        ++bullets;
      } else if (prose) {
        const std::size_t n = count_sentences(stripped, english_punkt());
        sentences += n;
        prose = n > 0;
      } else {
        return false;
      }
    }
    return bullets >= 2;
  }
  std::string describe() const {
    return "Open with at least two sentences of prose without bullets, then end with at least two * bullet points.";
  }
};

/// format:title_case — every word token (NLTK word_tokenize) that starts with a letter is capitalised:
/// a one-letter token is not lower-case; a longer one does not start lower-case when the rest is all
/// lower- or all upper-case. All-caps (`USA`) and `iPhone` pass; `of` and the `n't` of `Don't` fail.
struct TitleCase {
  static constexpr std::string_view id = "format:title_case";
  bool check(const Text& t) const {
    using namespace detail::ifbench_format;
    for (const auto& tok : word_tokenize(t.chars(), english_punkt())) {
      if (!py_isalpha(tok.front())) continue;
      if (tok.size() == 1) {
        if (py_islower(tok)) return false;
        continue;
      }
      const std::u32string_view rest = std::u32string_view(tok).substr(1);
      if (upper_char(tok.front()) && py_islower(rest)) continue;
      if (lower_char(tok.front()) && (py_isupper(rest) || py_islower(rest))) return false;
    }
    return true;
  }
  std::string describe() const { return "Write your entire response in Title Case, capitalising every word."; }
};

/// format:output_template — contains the three headings `My Answer:`, `My Conclusion:` and
/// `Future Outlook:` (case-sensitive, in any order).
struct OutputTemplate {
  static constexpr std::string_view id = "format:output_template";
  bool check(const Text& t) const {
    const std::string_view s = t.str();
    for (std::string_view h : {"My Answer:", "My Conclusion:", "Future Outlook:"})
      if (s.find(h) == std::string_view::npos) return false;
    return true;
  }
  std::string describe() const {
    return "Fill in this template: \"My Answer: [answer] My Conclusion: [conclusion] Future Outlook: [outlook]\".";
  }
};

/// format:no_whitespace — no whitespace character at all (Python's str.isspace set, which includes
/// U+001C–U+001F, U+0085 and NBSP but not U+200B ZERO WIDTH SPACE).
struct NoWhitespace {
  static constexpr std::string_view id = "format:no_whitespace";
  bool check(const Text& t) const { return std::none_of(t.chars().begin(), t.chars().end(), is_py_space); }
  std::string describe() const {
    return "Write your entire response without any whitespace: no spaces, tabs or line breaks.";
  }
};

/// The format:* constraint types of IFBench, as a compile-time list.
inline constexpr auto ifbench_format_types =
    boost::hana::tuple_t<NestedParentheses, NestedQuotes, OptionsResponse, NewLineWords, EmojiSentence, IndentStairs,
                         QuoteExplanation, SpecialBulletPoints, ItalicsThesis, SubBulletPoints, SomeBulletPoints,
                         TitleCase, OutputTemplate, NoWhitespace>;

} // namespace raif
