#pragma once
// IFEval "detectable_format:*".

#include <raif/constraint/constraint.hpp>
#include <raif/constraint/keywords.hpp>
#include <raif/text/json_validity.hpp>
#include <raif/text/pattern.hpp>

#include <cstdint>
#include <string>

namespace raif {

namespace detail {
// Python re MULTILINE find-all count of  ^\s*<marker>...  where the marker test is `at(q)`: from
// each line start skip whitespace (newlines included) and test the first other character. The
// whitespace run is shared by every line start inside it, so it is skipped once: linear time.
template <class At, class End> std::size_t count_line_items(std::u32string_view s, At at, End end_of_match) {
  std::size_t n = 0, run_from = std::u32string_view::npos, run_to = 0;
  for (std::size_t p = 0; p < s.size();) {
    if (!(p == 0 || s[p - 1] == '\n')) {
      ++p;
      continue;
    }
    std::size_t q;
    if (run_from != std::u32string_view::npos && p >= run_from && p <= run_to)
      q = run_to;
    else {
      q = p;
      while (q < s.size() && is_py_space(s[q])) ++q;
      run_from = p;
      run_to = q;
    }
    if (q < s.size() && at(q)) {
      ++n;
      p = end_of_match(q);
      run_from = std::u32string_view::npos;
    } else {
      ++p;
    }
  }
  return n;
}
inline std::size_t line_end(std::u32string_view s, std::size_t from) {
  const auto k = s.find(U'\n', from);
  return k == std::u32string_view::npos ? s.size() : k;
}
} // namespace detail

/// detectable_format:number_bullet_lists — exactly `num_bullets` lines that start (after
/// whitespace) with "* " (a star followed by a non-star) or "-".
struct NumberOfBullets {
  static constexpr std::string_view id = "detectable_format:number_bullet_lists";
  BOOST_HANA_DEFINE_STRUCT(NumberOfBullets, (std::int64_t, num_bullets));

  static std::size_t count(std::u32string_view s) {
    const auto stars = detail::count_line_items( // ^\s*\*[^\*].*$
        s, [&](std::size_t q) { return s[q] == '*' && q + 1 < s.size() && s[q + 1] != '*'; },
        [&](std::size_t q) { return detail::line_end(s, q + 2); });
    const auto dashes = detail::count_line_items( // ^\s*-.*$
        s, [&](std::size_t q) { return s[q] == '-'; }, [&](std::size_t q) { return detail::line_end(s, q + 1); });
    return stars + dashes;
  }
  bool check(const Text& t) const { return static_cast<std::int64_t>(count(t.chars())) == num_bullets; }
  std::string describe() const {
    return "Your answer must contain exactly " + std::to_string(num_bullets) +
           " bullet points. Use the markdown bullet points such as:\n* This is point 1.\n* This is point 2";
  }
};

/// detectable_format:constrained_response — contains "My answer is yes.", "My answer is no." or
/// "My answer is maybe.".
struct ConstrainedResponse {
  static constexpr std::string_view id = "detectable_format:constrained_response";
  bool check(const Text& t) const {
    const auto s = t.str();
    for (std::string_view o : {"My answer is yes.", "My answer is no.", "My answer is maybe."})
      if (s.find(o) != std::string_view::npos) return true;
    return false;
  }
  std::string describe() const {
    return "Answer with one of the following options: (\"My answer is yes.\", \"My answer is no.\", \"My answer is "
           "maybe.\")";
  }
};

/// detectable_format:number_highlighted_sections — at least `num_highlights` non-blank spans
/// *like this* or **like this** within one line.
struct NumberOfHighlights {
  static constexpr std::string_view id = "detectable_format:number_highlighted_sections";
  BOOST_HANA_DEFINE_STRUCT(NumberOfHighlights, (std::int64_t, num_highlights));

  static std::size_t count(std::u32string_view s) {
    auto blank = [&](std::size_t b, std::size_t e) { return py_strip(s.substr(b, e - b)).empty(); };
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++i) { // \*[^\n\*]*\*
      if (s[i] != '*') continue;
      std::size_t j = i + 1;
      while (j < s.size() && s[j] != '*' && s[j] != '\n') ++j;
      if (j < s.size() && s[j] == '*') {
        n += !blank(i + 1, j);
        i = j;
      } else {
        i = j - 1; // no '*' before the line ends: no match can start in between
      }
    }
    for (std::size_t i = 0; i + 1 < s.size(); ++i) { // \*\*[^\n\*]*\*\*
      if (s[i] != '*' || s[i + 1] != '*') continue;
      std::size_t j = i + 2;
      while (j < s.size() && s[j] != '*' && s[j] != '\n') ++j;
      if (j + 1 < s.size() && s[j] == '*' && s[j + 1] == '*') {
        n += !blank(i + 2, j);
        i = j + 1;
      }
    }
    return n;
  }
  bool check(const Text& t) const { return static_cast<std::int64_t>(count(t.chars())) >= num_highlights; }
  std::string describe() const {
    return "Highlight at least " + std::to_string(num_highlights) +
           " sections in your answer with markdown, i.e. *highlighted section*.";
  }
};

/// detectable_format:multiple_sections — at least `num_sections` section markers "<splitter> <n>"
/// (regex \s?SPLITTER\s?\d+\s?, case-sensitive).
struct MultipleSections {
  static constexpr std::string_view id = "detectable_format:multiple_sections";
  BOOST_HANA_DEFINE_STRUCT(MultipleSections, (std::string, section_spliter), (std::int64_t, num_sections));

  void validate() const { regex(); }
  bool check(const Text& t) const {
    const std::string split = detail::py_strip_utf8(section_spliter);
    if (detail::has_regex_meta(split)) return static_cast<std::int64_t>(regex().count(t)) >= num_sections;
    const std::u32string sp = utf8_decode(split);
    const std::u32string_view s = t.chars();
    auto digits_from = [&](std::size_t k) { // \s?\d+\s? ; returns the end or npos
      if (k < s.size() && is_py_space(s[k]) && k + 1 < s.size() && is_decimal(s[k + 1])) ++k;
      if (k >= s.size() || !is_decimal(s[k])) return std::u32string_view::npos;
      while (k < s.size() && is_decimal(s[k])) ++k;
      if (k < s.size() && is_py_space(s[k])) ++k;
      return k;
    };
    auto match_at = [&](std::size_t i) {
      if (i < s.size() && is_py_space(s[i]) && s.substr(i + 1, sp.size()) == sp)
        if (auto e = digits_from(i + 1 + sp.size()); e != std::u32string_view::npos) return e;
      if (s.substr(i, sp.size()) == sp) return digits_from(i + sp.size());
      return std::u32string_view::npos;
    };
    std::int64_t n = 0;
    for (std::size_t i = 0; i < s.size();) {
      const auto e = match_at(i);
      if (e == std::u32string_view::npos) {
        ++i;
        continue;
      }
      ++n;
      i = e;
    }
    return n >= num_sections;
  }
  std::string describe() const {
    return "Your response must have " + std::to_string(num_sections) +
           " sections. Mark the beginning of each section with " + section_spliter + " X, such as: " + section_spliter +
           " 1";
  }

private:
  PyPattern regex() const {
    const std::string split = detail::py_strip_utf8(section_spliter);
    // Concatenated as IFEval does, no group around the splitter: "Part|Chapter" is
    // \s?Part|Chapter\s?\d+\s?, where a bare "Part" counts.
    return PyPattern("\\s?" + split + "\\s?\\d+\\s?", false, "detectable_format:multiple_sections.section_spliter");
  }
};

/// detectable_format:json_format — the response (optionally fenced in ```json ... ```) is JSON as
/// Python's json.loads accepts it.
struct JsonFormat {
  static constexpr std::string_view id = "detectable_format:json_format";
  bool check(const Text& t) const {
    std::u32string_view s = py_strip(t.chars());
    for (std::u32string_view p : {U"```json", U"```Json", U"```JSON", U"```"})
      if (s.starts_with(p)) s.remove_prefix(p.size());
    if (s.ends_with(U"```")) s.remove_suffix(3);
    return python_json_valid(utf8_encode(py_strip(s)));
  }
  std::string describe() const {
    return "Entire output should be wrapped in JSON format. You can use markdown ticks such as ```.";
  }
};

/// detectable_format:title — a non-blank title in double angular brackets, <<like this>>, on one line.
struct Title {
  static constexpr std::string_view id = "detectable_format:title";
  bool check(const Text& t) const {
    const std::u32string_view s = t.chars();
    for (std::size_t ls = 0; ls <= s.size();) { // line by line: <<[^\n]+>> is greedy within a line
      const std::size_t le = detail::line_end(s, ls);
      const auto line = s.substr(ls, le - ls);
      const auto last = line.rfind(U">>");
      for (std::size_t i = 0; last != std::u32string_view::npos && i + 3 <= last;) {
        if (line[i] != '<' || line[i + 1] != '<') {
          ++i;
          continue;
        }
        auto inner = line.substr(i, last + 2 - i); // the whole match; lstrip('<'), rstrip('>'), strip()
        while (!inner.empty() && inner.front() == '<') inner.remove_prefix(1);
        while (!inner.empty() && inner.back() == '>') inner.remove_suffix(1);
        if (!py_strip(inner).empty()) return true;
        break; // the greedy match consumed up to the last ">>": nothing further on this line
      }
      ls = le + 1;
    }
    return false;
  }
  std::string describe() const {
    return "Your answer must contain a title, wrapped in double angular brackets, such as <<poem of joy>>.";
  }
};

} // namespace raif
