#pragma once
/// @file
/// NLTK 3.8's word_tokenize: Punkt sentences, then NLTKWordTokenizer (the "improved Treebank"
/// tokenizer) on each. Each regex substitution of NLTK's list is one linear pass here, in NLTK's
/// order, with Python's Unicode `\w`, `\d`, `\s` and IGNORECASE semantics.

#include <raif/text/punkt.hpp>
#include <raif/text/unicode.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace raif {

namespace detail::treebank {

// re.sub with a matcher m(s, i, out) that appends the replacement and returns how many characters
// it consumed at i (0: no match at i). Most passes match nothing in most sentences: then s is
// returned untouched, without a copy.
template <class M> std::u32string sub(std::u32string s, M&& m) {
  std::u32string out;
  std::size_t i = 0, n = 0;
  while (i < s.size() && (n = m(s, i, out)) == 0) ++i;
  if (i == s.size()) return s;
  std::u32string res;
  res.reserve(s.size() + s.size() / 4 + 8);
  res.append(s, 0, i);
  res += out;
  for (i += n; i < s.size();) {
    if (const std::size_t k = m(s, i, res))
      i += k;
    else
      res.push_back(s[i++]);
  }
  return res;
}

inline bool any_of(char32_t c, std::u32string_view set) { return set.find(c) != std::u32string_view::npos; }

// Pads a run of at least `min_len` characters `ch` at t[i] with spaces; returns its length or 0.
inline std::size_t pad_run(const std::u32string& t, std::size_t i, std::u32string& o, char32_t ch,
                           std::size_t min_len) {
  std::size_t k = i;
  while (k < t.size() && t[k] == ch) ++k;
  if (k - i < min_len || k == i) return 0;
  o += U' ';
  o.append(t, i, k - i);
  o += U' ';
  return k - i;
}

inline std::u32string pad_chars(std::u32string s, std::u32string_view set) {
  return sub(std::move(s), [&](const std::u32string& t, std::size_t i, std::u32string& o) -> std::size_t {
    if (!any_of(t[i], set)) return 0;
    o += U' ';
    o += t[i];
    o += U' ';
    return 1;
  });
}

inline std::u32string pad_literal(std::u32string s, std::u32string_view lit) {
  return sub(std::move(s), [&](const std::u32string& t, std::size_t i, std::u32string& o) -> std::size_t {
    if (std::u32string_view(t).substr(i, lit.size()) != lit) return 0;
    o += U' ';
    o += lit;
    o += U' ';
    return lit.size();
  });
}

inline bool fold_eq(std::u32string_view t, std::size_t i, std::u32string_view word) {
  if (i + word.size() > t.size()) return false;
  for (std::size_t k = 0; k < word.size(); ++k)
    if (fold_key(t[i + k]) != fold_key(word[k])) return false;
  return true;
}

inline bool boundary(std::u32string_view t, std::size_t p) {
  const bool a = p > 0 && is_word_char(t[p - 1]);
  const bool b = p < t.size() && is_word_char(t[p]);
  return a != b;
}

// Python `$` without MULTILINE: the end, or just before a final '\n'.
inline bool at_dollar(std::u32string_view t, std::size_t p) {
  return p == t.size() || (p + 1 == t.size() && t[p] == '\n');
}

// ([^\.])(\.)([CLOSERS]*)\s*$  ->  \1 \2<sep>\3<space>
inline std::u32string final_period(const std::u32string& s, std::u32string_view closers, bool space_after_period) {
  const std::size_t p = s.rfind(U'.');
  if (p == std::u32string::npos || p == 0 || s[p - 1] == '.') return s;
  std::size_t q = p + 1;
  while (q < s.size() && any_of(s[q], closers)) ++q;
  for (std::size_t k = q; k < s.size(); ++k)
    if (!is_py_space(s[k])) return s;
  std::u32string out = s.substr(0, p);
  out += space_after_period ? U" . " : U" .";
  out.append(s, p + 1, q - p - 1);
  out += U' ';
  return out;
}

// Which characters a sentence contains, so that passes that cannot match are skipped. The passes
// only insert spaces, except that '"' becomes "``" or "''": a '"' implies '`' and '\''.
struct Present {
  std::uint64_t ascii[2] = {0, 0};
  bool other_quotes = false; // any of « “ ‘ „ » ” ’
  explicit Present(std::u32string_view s) {
    for (char32_t c : s) {
      if (c < 128)
        ascii[c >> 6] |= std::uint64_t{1} << (c & 63);
      else if (c == 0xAB || c == 0xBB || (c >= 0x2018 && c <= 0x201E))
        other_quotes = true;
      else if (c == 0x212A || c == 0x17F || c == 0x130 || c == 0x131)
        ascii[1] |= ~std::uint64_t{0}; // odd folds: run all
    }
    if (has('"')) {
      ascii['`' >> 6] |= std::uint64_t{1} << ('`' & 63);
      ascii['\'' >> 6] |= std::uint64_t{1} << ('\'' & 63);
    }
  }
  bool has(char c) const { return (ascii[static_cast<unsigned char>(c) >> 6] >> (c & 63)) & 1; }
  bool any(std::string_view cs) const {
    for (char c : cs)
      if (has(c)) return true;
    return false;
  }
};

inline std::u32string tokenize_sentence(std::u32string s) {
  const Present in(s);
  // STARTING_QUOTES
  if (in.other_quotes || in.has('`'))
    s = sub(std::move(s), [](const std::u32string& t, std::size_t i, std::u32string& o) -> std::size_t {
      if (any_of(t[i], U"\u00AB\u201C\u2018\u201E")) {
        o += U' ';
        o += t[i];
        o += U' ';
        return 1;
      }
      return pad_run(t, i, o, U'`', 1); // [`]+
    });
  if (!s.empty() && s[0] == '"') s = U"``" + s.substr(1);
  if (in.has('`')) s = pad_literal(std::move(s), U"``");
  if (in.has('\''))
    s = sub(std::move(s), [](const std::u32string& t, std::size_t i, std::u32string& o) -> std::size_t {
      if (!any_of(t[i], U" ([{<")) return 0;
      std::size_t n = 0;
      if (i + 1 < t.size() && t[i + 1] == '"')
        n = 2;
      else if (i + 2 < t.size() && t[i + 1] == '\'' && t[i + 2] == '\'')
        n = 3;
      if (!n) return 0;
      o += t[i];
      o += U" `` ";
      return n;
    });
  if (in.has('\''))
    s = sub(std::move(s), [](const std::u32string& t, std::size_t i, std::u32string& o) -> std::size_t {
      // (?i)(\')(?!re|ve|ll|m|t|s|d|n)(\w)\b  ->  \1 \2
      if (t[i] != '\'' || i + 1 >= t.size()) return 0;
      for (std::u32string_view x : {U"re", U"ve", U"ll", U"m", U"t", U"s", U"d", U"n"})
        if (fold_eq(t, i + 1, x)) return 0;
      if (!is_word_char(t[i + 1]) || !boundary(t, i + 2)) return 0;
      o += U"' ";
      o += t[i + 1];
      return 2;
    });

  // PUNCTUATION
  if (in.has('.')) s = final_period(s, U"])}>\"'\u00BB\u201D\u2019 ", true);
  if (in.any(":,"))
    s = sub(std::move(s), [](const std::u32string& t, std::size_t i, std::u32string& o) -> std::size_t {
      if ((t[i] != ':' && t[i] != ',') || i + 1 >= t.size() || is_decimal(t[i + 1])) return 0;
      o += U' ';
      o += t[i];
      o += U' ';
      o += t[i + 1];
      return 2;
    });
  for (std::size_t i = in.any(":,") ? 0 : s.size(); i < s.size(); ++i) // ([:,])$
    if ((s[i] == ':' || s[i] == ',') && at_dollar(s, i + 1)) {
      s = s.substr(0, i) + U" " + s[i] + U" " + s.substr(i + 1);
      break;
    }
  if (in.has('.'))
    s = sub(std::move(s), [](const std::u32string& t, std::size_t i, std::u32string& o) -> std::size_t {
      return pad_run(t, i, o, U'.', 2); // \.{2,}
    });
  if (in.any(";@#$%&")) s = pad_chars(std::move(s), U";@#$%&");
  if (in.has('.')) s = final_period(s, U"])}>\"'", false);
  if (in.any("?!")) s = pad_chars(std::move(s), U"?!");
  if (in.has('\''))
    s = sub(std::move(s), [](const std::u32string& t, std::size_t i, std::u32string& o) -> std::size_t {
      if (t[i] == '\'' || i + 2 >= t.size() || t[i + 1] != '\'' || t[i + 2] != ' ') return 0;
      o += t[i];
      o += U" ' ";
      return 3;
    });
  if (in.has('*')) s = pad_chars(std::move(s), U"*");
  if (in.any("[](){}<>")) s = pad_chars(std::move(s), U"][(){}<>");
  if (in.has('-')) s = pad_literal(std::move(s), U"--");
  s = U" " + s + U" ";

  // ENDING_QUOTES
  if (in.other_quotes) s = pad_chars(std::move(s), U"\u00BB\u201D\u2019");
  if (in.has('\'')) s = pad_literal(std::move(s), U"''");
  if (in.has('"'))
    s = sub(std::move(s), [](const std::u32string& t, std::size_t i, std::u32string& o) -> std::size_t {
      if (t[i] != '"') return 0;
      o += U" '' ";
      return 1;
    });
  { // (\s+) -> " "  (Python's Unicode \s), before the clitic rules, as NLTK does
    std::u32string o;
    o.reserve(s.size());
    for (char32_t c : s)
      if (!is_py_space(c))
        o += c;
      else if (o.empty() || o.back() != U' ')
        o += U' ';
    s = std::move(o);
  }
  auto clitic = [](std::initializer_list<std::u32string_view> forms) {
    return [forms](const std::u32string& t, std::size_t i, std::u32string& o) -> std::size_t {
      if (t[i] == '\'' || t[i] == ' ') return 0;
      const std::u32string_view v(t);
      for (auto f : forms)
        if (v.substr(i + 1, f.size()) == f && i + 1 + f.size() < t.size() && t[i + 1 + f.size()] == ' ') {
          o += t[i];
          o += U' ';
          o += f;
          o += U' ';
          return f.size() + 2;
        }
      return 0;
    };
  };
  if (in.has('\'')) {
    s = sub(std::move(s), clitic({U"'s", U"'S", U"'m", U"'M", U"'d", U"'D", U"'"}));
    s = sub(std::move(s), clitic({U"'ll", U"'LL", U"'re", U"'RE", U"'ve", U"'VE", U"n't", U"N'T"}));
  }

  // CONTRACTIONS2 and CONTRACTIONS3, each pattern one pass.
  struct Split {
    std::u32string_view a, b;
    bool ws_after;
  };
  for (const Split& c : {Split{U"can", U"not", false}, Split{U"d", U"'ye", false}, Split{U"gim", U"me", false},
                         Split{U"gon", U"na", false}, Split{U"got", U"ta", false}, Split{U"lem", U"me", false},
                         Split{U"more", U"'n", false}, Split{U"wan", U"na", true}}) {
    const char first = static_cast<char>(c.a[0]);
    if (!in.has(first) && !in.has(static_cast<char>(first - 32))) continue;
    if (c.b[0] == '\'' && !in.has('\'')) continue;
    s = sub(std::move(s), [&](const std::u32string& t, std::size_t i, std::u32string& o) -> std::size_t {
      if (fold_key(t[i]) != static_cast<char32_t>(first) || !boundary(t, i) || !fold_eq(t, i, c.a) ||
          !fold_eq(t, i + c.a.size(), c.b))
        return 0;
      const std::size_t e = i + c.a.size() + c.b.size();
      if (c.ws_after ? !(e < t.size() && is_py_space(t[e])) : !boundary(t, e)) return 0;
      o += U' ';
      o.append(t, i, c.a.size());
      o += U' ';
      o.append(t, i + c.a.size(), c.b.size());
      o += U' ';
      return e - i;
    });
  }
  for (std::u32string_view b : {U"is", U"was"}) {
    if (!in.has('\'')) break;
    s = sub(std::move(s), [&](const std::u32string& t, std::size_t i, std::u32string& o) -> std::size_t {
      if (t[i] != ' ' || !fold_eq(t, i + 1, U"'t") || !fold_eq(t, i + 3, b) || !boundary(t, i + 3 + b.size())) return 0;
      o += U' ';
      o.append(t, i + 1, 2);
      o += U' ';
      o.append(t, i + 3, b.size());
      o += U' ';
      return 3 + b.size();
    });
  }
  return s;
}

} // namespace detail::treebank

/// The number of nltk.word_tokenize(text) tokens for which str.isupper() holds (IFEval's
/// capital_word_frequency), without materialising the tokens.
inline std::size_t count_upper_tokens(std::u32string_view text, const PunktParameters& params = {}) {
  std::size_t n = 0;
  for (const auto& [b, e] : punkt_sentence_spans(text, params)) {
    const auto sentence = text.substr(b, e - b);
    bool cased = false;
    for (char32_t c : sentence) cased = cased || is_upper(c);
    if (!cased) continue; // no uppercase letter: no token can be upper
    const std::u32string t = detail::treebank::tokenize_sentence(std::u32string(sentence));
    for_each_py_word(t, [&](std::u32string_view w) { n += py_isupper(w); });
  }
  return n;
}

/// nltk.word_tokenize(text) (NLTK 3.8): Punkt sentences, then the improved Treebank tokenizer.
inline std::vector<std::u32string> word_tokenize(std::u32string_view text, const PunktParameters& params = {}) {
  std::vector<std::u32string> tokens;
  for (const auto& [b, e] : punkt_sentence_spans(text, params)) {
    const std::u32string t = detail::treebank::tokenize_sentence(std::u32string(text.substr(b, e - b)));
    for_each_py_word(t, [&](std::u32string_view w) { tokens.emplace_back(w); });
  }
  return tokens;
}

} // namespace raif
