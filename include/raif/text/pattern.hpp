#pragma once
// IFEval hands some kwargs to Python's `re` (keywords, forbidden words, postscript markers, section
// splitters). raif runs them in linear time:
//  * a kwarg without regex metacharacters (every one in the official data) is matched natively,
//    with Python's exact IGNORECASE equivalence and Unicode `\b` (KMP: O(n + m));
//  * a real regular expression runs on RE2 after Python's Unicode classes (\w \d \s and negations)
//    are translated; constructs RE2 cannot run with Python's meaning (backreferences, lookaround,
//    \b inside a user pattern, ...) are rejected with a raif::error naming the pattern.

#include <raif/error.hpp>
#include <raif/text/text.hpp>

#include <re2/re2.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace raif {

namespace detail {
inline bool has_regex_meta(std::string_view p) noexcept {
  return p.find_first_of(".^$*+?{}[]\\|()") != std::string_view::npos;
}

// Python whitespace as an RE2 class body.
inline constexpr std::string_view py_space_class = "\\x{9}-\\x{d}\\x{1c}-\\x{20}\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{"
                                                   "200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}";

// Translates a Python `re` pattern to RE2 syntax with the same meaning, or throws.
inline std::string python_to_re2(std::string_view p, std::string_view what) {
  std::string out;
  bool in_class = false;
  auto reject = [&](std::string_view why) {
    throw error("raif: " + std::string(what) + " pattern '" + std::string(p) + "' " + std::string(why) +
                "; use a plain string or an RE2-compatible regular expression");
  };
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      const char n = p[++i];
      switch (n) {
      case 'w': out += in_class ? "\\p{L}\\p{N}_" : "[\\p{L}\\p{N}_]"; break;
      case 'd': out += "\\p{Nd}"; break;
      case 'D': out += "\\P{Nd}"; break;
      case 's': out += in_class ? std::string(py_space_class) : "[" + std::string(py_space_class) + "]"; break;
      case 'W':
        if (in_class) reject("uses \\W inside a character class");
        out += "[^\\p{L}\\p{N}_]";
        break;
      case 'S':
        if (in_class) reject("uses \\S inside a character class");
        out += "[^" + std::string(py_space_class) + "]";
        break;
      case 'b':
      case 'B':
        if (in_class) {
          out += "\\x08";
          break;
        }
        reject("uses a word boundary (RE2's \\b is ASCII-only, Python's is Unicode)");
        break;
      case 'Z': out += "\\z"; break;
      default:
        if (n >= '1' && n <= '9') reject("uses a backreference");
        out += '\\';
        out += n;
      }
      continue;
    }
    if (!in_class && c == '(' && i + 1 < p.size() && p[i + 1] == '?') {
      const std::string_view rest = p.substr(i + 2, 2);
      if (rest.starts_with('=') || rest.starts_with('!') || rest == "<=" || rest == "<!") reject("uses lookaround");
      if (rest.starts_with('#')) reject("uses a comment group");
      if (rest.starts_with("P=")) reject("uses a backreference");
    }
    if (c == '[' && !in_class) {
      in_class = true;
      out += c;
      if (i + 1 < p.size() && p[i + 1] == '^') {
        out += '^';
        ++i;
      }
      if (i + 1 < p.size() && p[i + 1] == ']') {
        out += "\\]";
        ++i;
      }
      continue;
    }
    if (c == ']' && in_class) in_class = false;
    out += c;
  }
  return out;
}

// Compiled RE2 programs, shared by every PyPattern with the same source and flags (constraints
// build their patterns on each check; compiling is the expensive part). Thread-safe; bounded.
inline std::shared_ptr<RE2> compiled_re2(const std::string& pattern, bool ignore_case) {
  static std::mutex m;
  static std::unordered_map<std::string, std::shared_ptr<RE2>> cache;
  const std::string key = (ignore_case ? "i:" : "c:") + pattern;
  std::lock_guard lock(m);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  RE2::Options o;
  o.set_case_sensitive(!ignore_case);
  o.set_log_errors(false);
  o.set_max_mem(64 << 20);
  auto re = std::make_shared<RE2>(pattern, o);
  if (cache.size() >= 4096) cache.clear();
  cache.emplace(key, re);
  return re;
}

// Knuth-Morris-Pratt over fold keys: all occurrences (overlapping) in O(n + m).
template <class Key, class F> void kmp_each(std::u32string_view text, std::u32string_view pat, Key key, F&& on_match) {
  const std::size_t m = pat.size();
  std::vector<std::size_t> fail(m + 1, 0);
  std::u32string kp(m, 0);
  for (std::size_t i = 0; i < m; ++i) kp[i] = key(pat[i]);
  for (std::size_t i = 1, k = 0; i < m; ++i) {
    while (k > 0 && kp[i] != kp[k]) k = fail[k];
    if (kp[i] == kp[k]) ++k;
    fail[i + 1] = k;
  }
  for (std::size_t i = 0, k = 0; i < text.size(); ++i) {
    const char32_t c = key(text[i]);
    while (k > 0 && c != kp[k]) k = fail[k];
    if (c == kp[k]) ++k;
    if (k == m) {
      if (!on_match(i + 1 - m)) return;
      k = fail[k];
    }
  }
}
} // namespace detail

/// A kwarg that Python's IFEval would use as a regular expression.
class PyPattern {
public:
  PyPattern() = default;
  /// @param source the pattern text; @param ignore_case Python re.IGNORECASE;
  /// @param what names the kwarg in error messages (e.g. "keywords:existence.keywords");
  /// @param multiline Python re.MULTILINE (^ and $ at line boundaries).
  PyPattern(std::string source, bool ignore_case, std::string_view what = "regex", bool multiline = false)
      : source_(std::move(source)), ignore_case_(ignore_case) {
    if (!detail::has_regex_meta(source_)) {
      literal_ = utf8_decode(source_);
      return;
    }
    re_ = detail::compiled_re2((multiline ? "(?m)" : "") + detail::python_to_re2(source_, what), ignore_case_);
    if (!re_->ok())
      throw error("raif: " + std::string(what) + " pattern '" + source_ +
                  "' is not a valid RE2 expression: " + re_->error());
  }

  const std::string& source() const noexcept { return source_; }
  bool is_literal() const noexcept { return re_ == nullptr; }

  /// re.search(pattern, text) is not None.
  bool search(const Text& t) const {
    if (re_) return RE2::PartialMatch(re2::StringPiece(t.str().data(), t.str().size()), *re_);
    if (literal_.empty()) return true;
    bool found = false;
    each(t.chars(), [&](std::size_t) {
      found = true;
      return false;
    });
    return found;
  }

  /// len(re.findall(pattern, text)): non-overlapping, leftmost matches.
  std::size_t count(const Text& t) const {
    if (re_) {
      const re2::StringPiece in(t.str().data(), t.str().size());
      std::size_t n = 0, pos = 0;
      re2::StringPiece m;
      while (pos <= in.size() && re_->Match(in, pos, in.size(), RE2::UNANCHORED, &m, 1)) {
        ++n;
        std::size_t next = static_cast<std::size_t>(m.data() - in.data()) + m.size();
        if (m.empty()) { // step over one whole character after an empty match
          if (next >= in.size()) break;
          detail::utf8_next(t.str(), next);
        }
        pos = next;
      }
      return n;
    }
    const auto& s = t.chars();
    if (literal_.empty()) return s.size() + 1;
    std::size_t n = 0, next_free = 0;
    each(s, [&](std::size_t at) {
      if (at >= next_free) {
        ++n;
        next_free = at + literal_.size();
      }
      return true;
    });
    return n;
  }

  /// re.search(r"\b" + pattern + r"\b", text) is not None (Unicode word boundaries).
  bool search_word(const Text& t) const {
    if (re_)
      throw error("raif: pattern '" + source_ + "' cannot be matched between word boundaries: RE2 has no Unicode \\b");
    const auto& s = t.chars();
    auto boundary = [&](std::size_t p) {
      const bool a = p > 0 && is_word_char(s[p - 1]);
      const bool b = p < s.size() && is_word_char(s[p]);
      return a != b;
    };
    if (literal_.empty()) {
      for (std::size_t p = 0; p <= s.size(); ++p)
        if (boundary(p)) return true;
      return false;
    }
    bool found = false;
    each(s, [&](std::size_t at) {
      found = boundary(at) && boundary(at + literal_.size());
      return !found;
    });
    return found;
  }

private:
  template <class F> void each(std::u32string_view s, F&& f) const {
    if (ignore_case_)
      detail::kmp_each(
          s, literal_, [](char32_t c) { return fold_key(c); }, f); // a lambda inlines; a function pointer would not
    else
      detail::kmp_each(
          s, literal_, [](char32_t c) { return c; }, f);
  }

  std::string source_;
  bool ignore_case_ = false;
  std::u32string literal_;
  std::shared_ptr<RE2> re_;
};

} // namespace raif
