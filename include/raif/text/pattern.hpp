#pragma once
// IFEval hands some kwargs to Python's `re` (keywords, forbidden words, postscript markers, section
// splitters). raif gives them Python 3.11's verdicts:
//  * a kwarg without regex metacharacters (every one in the official data) is matched natively,
//    with Python's exact IGNORECASE equivalence and Unicode `\b` (KMP: O(n + m));
//  * a real regular expression is parsed as Python's re/_parser.py parses it (same syntax, same
//    errors) into a tree in which the flags are already applied: \w \d \s, `.`, ^ and $ become
//    explicit code-point classes and assertions, and IGNORECASE becomes explicit classes under
//    Python's equivalence (simple lowercase plus re._casefix), so neither engine's own case folding
//    or Unicode classes are ever used;
//  * the tree runs on RE2 (linear time) when RE2 can run it with Python's meaning, after rewrites
//    that keep the meaning: a possessive quantifier or atomic group whose backtracking could never
//    matter becomes a plain one, a `\b` between two known characters is decided, a lookaround of one
//    character class merges into its neighbour, and -- for a search, which only asks whether a
//    match exists -- a `\b`, lookaround or `$` at the edge of the pattern consumes its context;
//  * what remains (backreferences, general lookaround, `\b` between unknown characters, ...) runs on
//    PCRE2 under a step budget (detail/pcre2_regex.hpp): a raif::error says the budget was exceeded
//    where Python would backtrack for a very long time.

#include <raif/error.hpp>
#include <raif/text/detail/pcre2_regex.hpp>
#include <raif/text/text.hpp>

#include <re2/re2.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace raif {

namespace detail {
inline bool has_regex_meta(std::string_view p) noexcept {
  return p.find_first_of(".^$*+?{}[]\\|()") != std::string_view::npos;
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

namespace pyre {

inline constexpr char32_t max_cp = 0x10FFFF;

/// A set of code points: sorted, disjoint, non-adjacent ranges.
struct CpSet {
  std::vector<std::pair<char32_t, char32_t>> r;

  static CpSet range(char32_t lo, char32_t hi) {
    CpSet s;
    s.r.emplace_back(lo, hi);
    return s;
  }
  static CpSet one(char32_t c) { return range(c, c); }
  static CpSet all() { return range(0, max_cp); }
  template <class Pred> static CpSet where(Pred p) {
    CpSet s;
    for (char32_t c = 0; c <= max_cp; ++c)
      if (p(c)) {
        if (!s.r.empty() && s.r.back().second + 1 == c)
          s.r.back().second = c;
        else
          s.r.emplace_back(c, c);
      }
    return s;
  }
  /// Adds ranges in any order; normalize() restores the invariant.
  void add(char32_t lo, char32_t hi) { r.emplace_back(lo, hi); }
  void add(const CpSet& o) { r.insert(r.end(), o.r.begin(), o.r.end()); }
  void normalize() {
    std::sort(r.begin(), r.end());
    std::vector<std::pair<char32_t, char32_t>> out;
    for (const auto& [lo, hi] : r) {
      if (!out.empty() && lo <= out.back().second + 1)
        out.back().second = std::max(out.back().second, hi);
      else
        out.emplace_back(lo, hi);
    }
    r = std::move(out);
  }
  bool empty() const noexcept { return r.empty(); }
  bool contains(char32_t c) const noexcept {
    auto it = std::upper_bound(r.begin(), r.end(), c, [](char32_t v, const auto& p) { return v < p.first; });
    return it != r.begin() && std::prev(it)->second >= c;
  }
  CpSet complement() const {
    CpSet s;
    std::uint32_t next = 0;
    for (const auto& [lo, hi] : r) {
      if (lo > next) s.r.emplace_back(next, lo - 1);
      next = static_cast<std::uint32_t>(hi) + 1;
    }
    if (next <= max_cp) s.r.emplace_back(next, max_cp);
    return s;
  }
  CpSet intersect(const CpSet& o) const {
    CpSet s;
    for (std::size_t i = 0, j = 0; i < r.size() && j < o.r.size();) {
      const char32_t lo = std::max(r[i].first, o.r[j].first), hi = std::min(r[i].second, o.r[j].second);
      if (lo <= hi) s.r.emplace_back(lo, hi);
      if (r[i].second < o.r[j].second)
        ++i;
      else
        ++j;
    }
    return s;
  }
  CpSet minus(const CpSet& o) const { return intersect(o.complement()); }
  bool subset_of(const CpSet& o) const { return minus(o).empty(); }
  bool disjoint(const CpSet& o) const { return intersect(o).empty(); }
  bool operator==(const CpSet&) const = default;
};

// Python's classes (re's CATEGORY_UNI_* on str, or the ASCII ones under re.ASCII), built once from
// the same predicates as the rest of raif's text layer.
inline const CpSet& word_set(bool ascii) {
  static const CpSet uni = CpSet::where([](char32_t c) { return is_word_char(c); });
  static const CpSet asc = [] {
    CpSet s;
    s.add('0', '9');
    s.add('A', 'Z');
    s.add('_', '_');
    s.add('a', 'z');
    s.normalize();
    return s;
  }();
  return ascii ? asc : uni;
}
inline const CpSet& digit_set(bool ascii) {
  static const CpSet uni = CpSet::where([](char32_t c) { return is_decimal(c); });
  static const CpSet asc = CpSet::range('0', '9');
  return ascii ? asc : uni;
}
inline const CpSet& space_set(bool ascii) {
  static const CpSet uni = CpSet::where([](char32_t c) { return is_py_space(c); });
  static const CpSet asc = [] {
    CpSet s;
    s.add(0x09, 0x0D);
    s.add(0x20, 0x20);
    s.normalize();
    return s;
  }();
  return ascii ? asc : uni;
}

// The classes of re.IGNORECASE's equivalence that have more than one member. Python matches a
// literal, or a class member, c against a character ch under IGNORECASE iff fold_key(c) ==
// fold_key(ch) (tools/gen_python_regex_cases.py checks this against re on every code point).
inline const std::vector<std::vector<char32_t>>& fold_classes() {
  static const std::vector<std::vector<char32_t>> classes = [] {
    std::map<char32_t, std::vector<char32_t>> by_key;
    for (char32_t c = 0; c <= max_cp; ++c)
      if (const char32_t k = fold_key(c); k != c) by_key[k].push_back(c);
    std::vector<std::vector<char32_t>> out;
    for (auto& [k, members] : by_key) {
      members.push_back(k); // the key is its own class's representative
      std::sort(members.begin(), members.end());
      out.push_back(std::move(members));
    }
    return out;
  }();
  return classes;
}
// Characters that simple lowercase changes (for lowering a subject; see Lowering).
inline const std::vector<char32_t>& lowered_by_lower() {
  static const std::vector<char32_t> v = [] {
    std::vector<char32_t> out;
    for (char32_t c = 0; c <= max_cp; ++c)
      if (simple_lower(c) != c) out.push_back(c);
    return out;
  }();
  return v;
}

/// Everything that matches some member of `s` under IGNORECASE (ASCII letters only under re.ASCII).
inline CpSet case_closure(CpSet s, bool ascii) {
  CpSet extra;
  if (ascii) {
    for (char32_t c = 'A'; c <= 'Z'; ++c)
      if (s.contains(c) || s.contains(c + 32)) {
        extra.add(c, c);
        extra.add(c + 32, c + 32);
      }
  } else {
    for (const auto& cls : fold_classes())
      if (std::any_of(cls.begin(), cls.end(), [&](char32_t c) { return s.contains(c); }))
        for (char32_t c : cls) extra.add(c, c);
  }
  s.add(extra);
  s.normalize();
  return s;
}

// ---------------------------------------------------------------------------------------------
// The tree. Flags are applied while parsing, so a node means the same under any engine.

enum class Op : std::uint8_t { set, seq, alt, repeat, group, backref, at, look, atomic, cond };
enum class At : std::uint8_t {
  text_begin,   // \A, ^
  line_begin,   // ^ under MULTILINE
  text_end,     // \Z
  py_end,       // $: at the end, or before a final '\n'
  line_end,     // $ under MULTILINE
  boundary,     // \b
  non_boundary, // \B (never in an empty string)
};
enum class Greed : std::uint8_t { greedy, lazy, possessive };
inline constexpr std::uint32_t unbounded = 0xFFFFFFFFu; // Python's MAXREPEAT

struct Node {
  Op op = Op::seq;
  CpSet set;              // set
  std::vector<Node> kids; // seq, alt; repeat, group, look, atomic: one; cond: yes (and no)
  std::uint32_t min = 0, max = 0;
  Greed greed = Greed::greedy;
  int group = 0;          // group: capturing number (0: none); backref, cond: the group referred to
  At at = At::text_begin; // at
  bool ascii = false;     // at (\b, \B): ASCII word characters; backref: ASCII lowercase
  bool icase = false;     // backref under IGNORECASE: Python compares lowercased characters
  bool behind = false, negate = false; // look
};

inline Node set_node(CpSet s) {
  Node n;
  n.op = Op::set;
  n.set = std::move(s);
  return n;
}
inline Node at_node(At a, bool ascii = false) {
  Node n;
  n.op = Op::at;
  n.at = a;
  n.ascii = ascii;
  return n;
}
inline Node wrap(Op op, Node kid) {
  Node n;
  n.op = op;
  n.kids.push_back(std::move(kid));
  return n;
}

/// A pattern Python accepts but raif cannot run (named in the error).
struct Refused {
  std::string why;
};
/// A pattern Python itself rejects (re.error), with Python's message and position.
struct Invalid {
  std::string why;
  std::size_t pos;
};

struct Flags {
  bool i = false, m = false, s = false, x = false, a = false, u = false;
};

// ---------------------------------------------------------------------------------------------
// The parser: CPython 3.11 Lib/re/_parser.py, function for function, with its error messages.

class Parser {
public:
  Parser(std::u32string_view s, Flags f) : s_(s), state_(f) {}

  Node parse() {
    Node p = parse_sub(state_.x, 0, state_);
    if (state_.a && state_.u) fail("ASCII and UNICODE flags are incompatible");
    if (!peek().end) fail("unbalanced parenthesis");
    for (const auto& [g, pos] : cond_refs_)
      if (g >= groups()) throw Invalid{"invalid group reference " + std::to_string(g), pos};
    // The deprecated TEMPLATE flag (?t) only makes Python's compiler reject repeats.
    if (template_ && has_repeat(p)) throw Invalid{"internal: unsupported template operator", 0};
    return p;
  }

private:
  static bool has_repeat(const Node& n) {
    return n.op == Op::repeat || std::any_of(n.kids.begin(), n.kids.end(), has_repeat);
  }
  struct Tok {
    char32_t c = 0;
    bool esc = false, end = true;
  };
  struct Width {
    std::uint64_t lo = 0, hi = 0;
  };
  static constexpr std::uint64_t max_width = ~std::uint64_t{0};
  static constexpr int max_groups = 1073741823; // _sre.MAXGROUPS on 64-bit builds
  enum : int { F_I = 1, F_M = 2, F_S = 4, F_X = 8, F_A = 16, F_U = 32, F_L = 64, F_T = 128 };

  [[noreturn]] void fail(const std::string& msg, std::size_t back = 0) const {
    throw Invalid{msg, i_ >= back ? i_ - back : 0};
  }
  static std::string narrow(std::u32string_view s) { return utf8_encode(s); }

  // Tokenizer: a token is one character, or a backslash and the character after it.
  Tok peek() const {
    if (i_ >= s_.size()) return {};
    if (s_[i_] == '\\') {
      if (i_ + 1 >= s_.size()) throw Invalid{"bad escape (end of pattern)", s_.size() - 1};
      return {s_[i_ + 1], true, false};
    }
    return {s_[i_], false, false};
  }
  Tok get() {
    const Tok t = peek();
    if (!t.end) i_ += t.esc ? 2 : 1;
    return t;
  }
  bool next_is(char32_t c) const {
    const Tok t = peek();
    return !t.end && !t.esc && t.c == c;
  }
  bool match(char32_t c) {
    if (!next_is(c)) return false;
    get();
    return true;
  }
  static bool is_digit(char32_t c) { return c >= '0' && c <= '9'; }
  static bool is_oct(char32_t c) { return c >= '0' && c <= '7'; }
  static bool is_hex(char32_t c) { return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
  static bool is_ascii_letter(char32_t c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
  template <class Pred> std::u32string getwhile(std::size_t n, Pred pred) {
    std::u32string r;
    for (std::size_t k = 0; k < n; ++k) {
      const Tok t = peek();
      if (t.end || t.esc || !pred(t.c)) break;
      r += get().c;
    }
    return r;
  }
  std::u32string getuntil(char32_t term, const std::string& name) {
    std::u32string r;
    for (;;) {
      const Tok t = get();
      if (t.end) {
        if (r.empty()) fail("missing " + name);
        fail("missing " + narrow(std::u32string(1, term)) + ", unterminated name", r.size());
      }
      if (!t.esc && t.c == term) {
        if (r.empty()) fail("missing " + name, 1);
        break;
      }
      if (t.esc) r += '\\';
      r += t.c;
    }
    return r;
  }
  static bool is_identifier(std::u32string_view s) { // str.isidentifier(), close enough for names
    if (s.empty() || !(s[0] == '_' || is_letter(s[0]))) return false;
    return std::all_of(s.begin(), s.end(), [](char32_t c) { return is_word_char(c); });
  }
  void check_group_name(std::u32string_view name, std::size_t offset) const {
    if (!is_identifier(name)) fail("bad character in group name '" + narrow(name) + "'", name.size() + offset);
  }

  int groups() const { return static_cast<int>(widths_.size()); }
  bool check_group(int gid) const { return gid < groups() && widths_[gid].has_value(); }
  void check_lookbehind_group(int gid) const {
    if (!lookbehind_groups_) return;
    if (!check_group(gid)) fail("cannot refer to an open group");
    if (gid >= *lookbehind_groups_) fail("cannot refer to group defined in the same lookbehind subpattern");
  }
  int open_group(const std::optional<std::u32string>& name) {
    const int gid = groups();
    widths_.emplace_back();
    if (groups() > max_groups) fail("too many groups");
    if (name) {
      if (auto it = names_.find(*name); it != names_.end())
        fail("redefinition of group name '" + narrow(*name) + "' as group " + std::to_string(gid) + "; was group " +
                 std::to_string(it->second),
             name->size() + 1);
      names_[*name] = gid;
    }
    return gid;
  }

  static std::uint64_t sat_add(std::uint64_t a, std::uint64_t b) { return a > max_width - b ? max_width : a + b; }
  static std::uint64_t sat_mul(std::uint64_t a, std::uint64_t b) {
    return (a != 0 && b > max_width / a) ? max_width : a * b;
  }
  // SubPattern.getwidth()
  Width width(const Node& n) const {
    switch (n.op) {
    case Op::set: return {1, 1};
    case Op::seq: {
      Width w;
      for (const auto& k : n.kids) {
        const Width kw = width(k);
        w.lo = sat_add(w.lo, kw.lo);
        w.hi = sat_add(w.hi, kw.hi);
      }
      return w;
    }
    case Op::alt: {
      Width w{max_width, 0};
      for (const auto& k : n.kids) {
        const Width kw = width(k);
        w.lo = std::min(w.lo, kw.lo);
        w.hi = std::max(w.hi, kw.hi);
      }
      return w;
    }
    case Op::repeat: {
      const Width kw = width(n.kids[0]);
      return {sat_mul(kw.lo, n.min), (n.max == unbounded && kw.hi) ? max_width : sat_mul(kw.hi, n.max)};
    }
    case Op::group:
    case Op::atomic: return width(n.kids[0]);
    case Op::backref: return *widths_[n.group];
    case Op::cond: {
      Width w = width(n.kids[0]);
      if (n.kids.size() > 1) {
        const Width no = width(n.kids[1]);
        w.lo = std::min(w.lo, no.lo);
        w.hi = std::max(w.hi, no.hi);
      } else {
        w.lo = 0;
      }
      return w;
    }
    case Op::at:
    case Op::look: return {0, 0};
    }
    return {};
  }

  Node literal(char32_t c, const Flags& f) const {
    return set_node(f.i ? case_closure(CpSet::one(c), f.a) : CpSet::one(c));
  }
  static CpSet category(char32_t c, const Flags& f) {
    switch (c) {
    case 'd': return digit_set(f.a);
    case 'D': return digit_set(f.a).complement();
    case 's': return space_set(f.a);
    case 'S': return space_set(f.a).complement();
    case 'w': return word_set(f.a);
    default: return word_set(f.a).complement(); // 'W'
    }
  }
  static bool is_category(char32_t c) {
    return c == 'd' || c == 'D' || c == 's' || c == 'S' || c == 'w' || c == 'W';
  }
  static std::optional<char32_t> simple_escape(char32_t c) { // ESCAPES
    switch (c) {
    case 'a': return 7;
    case 'b': return 8;
    case 'f': return 12;
    case 'n': return 10;
    case 'r': return 13;
    case 't': return 9;
    case 'v': return 11;
    case '\\': return '\\';
    default: return std::nullopt;
    }
  }
  static std::uint32_t from_digits(std::u32string_view d, int base) {
    std::uint64_t v = 0;
    for (char32_t c : d) {
      v = v * base + (is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
      if (v > 0xFFFFFFFFull) return 0xFFFFFFFFu;
    }
    return static_cast<std::uint32_t>(v);
  }
  // \x \u \U \N: the code point, or nullopt when `c` is none of them. `esc` is "\c" so far.
  std::optional<char32_t> hex_escape(char32_t c) {
    const std::size_t n = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
    if (c == 'N') {
      if (!match('{')) fail("missing {");
      const std::u32string name = getuntil('}', "character name");
      throw Refused{"uses the named character \\N{" + narrow(name) + "}, which raif does not resolve; write the "
                    "character itself"};
    }
    if (!n) return std::nullopt;
    const std::u32string digits = getwhile(n, is_hex);
    if (digits.size() != n)
      fail("incomplete escape \\" + narrow(std::u32string(1, c)) + narrow(digits), digits.size() + 2);
    const std::uint32_t v = from_digits(digits, 16);
    if (v > max_cp) fail("bad escape \\" + narrow(std::u32string(1, c)) + narrow(digits), digits.size() + 2);
    return static_cast<char32_t>(v);
  }

  // _escape: an escape outside a class. The token (backslash + c) is consumed.
  Node escape(char32_t c, const Flags& f) {
    switch (c) {
    case 'A': return at_node(At::text_begin);
    case 'Z': return at_node(At::text_end);
    case 'b': return at_node(At::boundary, f.a);
    case 'B': return at_node(At::non_boundary, f.a);
    default: break;
    }
    if (is_category(c)) return set_node(category(c, f));
    if (auto e = simple_escape(c)) return literal(*e, f);
    if (auto h = hex_escape(c)) return literal(*h, f);
    if (c == '0') {
      const std::u32string more = getwhile(2, is_oct);
      return literal(from_digits(U"0" + more, 8), f);
    }
    if (is_digit(c)) {
      std::u32string esc(1, c);
      if (!peek().end && !peek().esc && is_digit(peek().c)) {
        esc += get().c;
        if (is_oct(esc[0]) && is_oct(esc[1]) && !peek().end && !peek().esc && is_oct(peek().c)) {
          esc += get().c;
          const std::uint32_t v = from_digits(esc, 8);
          if (v > 0377) fail("octal escape value \\" + narrow(esc) + " outside of range 0-0o377", esc.size() + 1);
          return literal(v, f);
        }
      }
      const std::uint32_t gid = from_digits(esc, 10);
      if (gid < static_cast<std::uint32_t>(groups())) {
        if (!check_group(static_cast<int>(gid))) fail("cannot refer to an open group", esc.size() + 1);
        check_lookbehind_group(static_cast<int>(gid));
        return backref(static_cast<int>(gid), f);
      }
      fail("invalid group reference " + std::to_string(gid), esc.size());
    }
    if (is_ascii_letter(c)) fail("bad escape \\" + narrow(std::u32string(1, c)), 2);
    return literal(c, f);
  }
  static Node backref(int gid, const Flags& f) {
    Node n;
    n.op = Op::backref;
    n.group = gid;
    n.icase = f.i;
    n.ascii = f.a;
    return n;
  }

  struct ClassItem {
    bool is_char = true;
    char32_t c = 0;
    CpSet set;
  };
  // _class_escape
  ClassItem class_escape(char32_t c, const Flags& f) {
    if (auto e = simple_escape(c)) return {true, *e, {}};
    if (is_category(c)) return {false, 0, category(c, f)};
    if (auto h = hex_escape(c)) return {true, *h, {}};
    if (is_oct(c)) {
      const std::u32string d = std::u32string(1, c) + getwhile(2, is_oct);
      const std::uint32_t v = from_digits(d, 8);
      if (v > 0377) fail("octal escape value \\" + narrow(d) + " outside of range 0-0o377", d.size() + 1);
      return {true, v, {}};
    }
    if (is_digit(c) || is_ascii_letter(c)) fail("bad escape \\" + narrow(std::u32string(1, c)), 2);
    return {true, c, {}};
  }

  Node parse_class(const Flags& f, std::size_t here) {
    const bool negate = match('^');
    CpSet chars, cats;
    bool any = false;
    for (;;) {
      Tok t = get();
      if (t.end) throw Invalid{"unterminated character set", here};
      if (!t.esc && t.c == ']' && any) break;
      ClassItem a = t.esc ? class_escape(t.c, f) : ClassItem{true, t.c, {}};
      any = true;
      if (match('-')) {
        const Tok u = get();
        if (u.end) throw Invalid{"unterminated character set", here};
        if (!u.esc && u.c == ']') {
          if (a.is_char)
            chars.add(a.c, a.c);
          else
            cats.add(a.set);
          chars.add('-', '-');
          break;
        }
        const ClassItem b = u.esc ? class_escape(u.c, f) : ClassItem{true, u.c, {}};
        if (!a.is_char || !b.is_char || b.c < a.c) fail("bad character range");
        chars.add(a.c, b.c);
      } else if (a.is_char) {
        chars.add(a.c, a.c);
      } else {
        cats.add(a.set);
      }
    }
    chars.normalize();
    if (f.i) chars = case_closure(std::move(chars), f.a);
    chars.add(cats);
    chars.normalize();
    return set_node(negate ? chars.complement() : std::move(chars));
  }

  // _parse_flags: nullopt for global flags (already applied to state_).
  static int flag_bit(char32_t c) {
    switch (c) {
    case 'i': return F_I;
    case 'L': return F_L;
    case 'm': return F_M;
    case 's': return F_S;
    case 'x': return F_X;
    case 'a': return F_A;
    case 't': return F_T;
    case 'u': return F_U;
    default: return 0;
    }
  }
  std::optional<std::pair<int, int>> parse_flags(char32_t ch) {
    constexpr int type_flags = F_A | F_L | F_U;
    int add = 0, del = 0;
    Tok t{ch, false, false};
    if (ch != '-') {
      for (;;) {
        const int flag = flag_bit(t.c);
        if (t.c == 'L') fail("bad inline flags: cannot use 'L' flag with a str pattern");
        add |= flag;
        if ((flag & type_flags) && (add & type_flags) != flag)
          fail("bad inline flags: flags 'a', 'u' and 'L' are incompatible");
        t = get();
        if (t.end) fail("missing -, : or )");
        if (!t.esc && (t.c == ')' || t.c == '-' || t.c == ':')) break;
        if (t.esc || !flag_bit(t.c)) fail(!t.esc && is_letter(t.c) ? "unknown flag" : "missing -, : or )", 1);
      }
    }
    if (!t.esc && t.c == ')') {
      if (add & F_T) template_ = true;
      if (add & F_I) state_.i = true;
      if (add & F_M) state_.m = true;
      if (add & F_S) state_.s = true;
      if (add & F_X) state_.x = true;
      if (add & F_A) state_.a = true;
      if (add & F_U) state_.u = true;
      return std::nullopt;
    }
    if (add & F_T) fail("bad inline flags: cannot turn on global flag", 1);
    if (t.c == '-') {
      t = get();
      if (t.end) fail("missing flag");
      if (t.esc || !flag_bit(t.c)) fail(!t.esc && is_letter(t.c) ? "unknown flag" : "missing flag", 1);
      for (;;) {
        const int flag = flag_bit(t.c);
        if (flag & type_flags) fail("bad inline flags: cannot turn off flags 'a', 'u' and 'L'");
        del |= flag;
        t = get();
        if (t.end) fail("missing :");
        if (!t.esc && t.c == ':') break;
        if (t.esc || !flag_bit(t.c)) fail(!t.esc && is_letter(t.c) ? "unknown flag" : "missing :", 1);
      }
    }
    if (del & F_T) fail("bad inline flags: cannot turn off global flag", 1);
    if (add & del) fail("bad inline flags: flag turned on and off", 1);
    return std::pair{add, del};
  }
  static Flags combine(Flags f, int add, int del) {
    if (add & (F_A | F_U | F_L)) f.a = f.u = false;
    auto apply = [&](bool& b, int bit) {
      if (add & bit) b = true;
      if (del & bit) b = false;
    };
    apply(f.i, F_I);
    apply(f.m, F_M);
    apply(f.s, F_S);
    apply(f.x, F_X);
    apply(f.a, F_A);
    apply(f.u, F_U);
    return f;
  }

  // Python unpacks, at the end of each sequence, the groups that neither capture nor are atomic;
  // keeping sequences flat helps the rewrites.
  static Node make_seq(std::vector<Node> items) {
    std::vector<Node> flat;
    for (auto& n : items) {
      if (n.op == Op::group && n.group == 0) {
        Node inner = std::move(n.kids[0]);
        if (inner.op == Op::seq)
          for (auto& k : inner.kids) flat.push_back(std::move(k));
        else
          flat.push_back(std::move(inner));
      } else {
        flat.push_back(std::move(n));
      }
    }
    if (flat.size() == 1) return std::move(flat[0]);
    Node n;
    n.op = Op::seq;
    n.kids = std::move(flat);
    return n;
  }

  // _parse_sub: an alternation.
  Node parse_sub(bool verbose, int nested, Flags f) {
    std::vector<Node> items;
    for (;;) {
      items.push_back(parse_seq(verbose, nested + 1, nested == 0 && items.empty(), nested == 0 ? state_ : f));
      if (!match('|')) break;
      if (!nested) verbose = state_.x;
    }
    if (items.size() == 1) return std::move(items[0]);
    Node n;
    n.op = Op::alt;
    n.kids = std::move(items);
    return n;
  }

  // _parse: a sequence.
  Node parse_seq(bool verbose, int nested, bool first, Flags f) {
    std::vector<Node> items;
    for (;;) {
      const Tok tok = peek();
      if (tok.end || (!tok.esc && (tok.c == '|' || tok.c == ')'))) break;
      get();
      const char32_t c = tok.c;
      if (verbose && !tok.esc) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') continue;
        if (c == '#') {
          for (;;) {
            const Tok t = get();
            if (t.end || (!t.esc && t.c == '\n')) break;
          }
          continue;
        }
      }
      if (tok.esc) {
        items.push_back(escape(c, f));
        continue;
      }
      switch (c) {
      case '[': items.push_back(parse_class(f, i_ - 1)); break;
      case '*':
      case '+':
      case '?':
      case '{': {
        const std::size_t here = i_;
        std::uint32_t lo = 0, hi = unbounded;
        if (c == '?') hi = 1;
        if (c == '+') lo = 1;
        if (c == '{') {
          if (next_is('}')) {
            items.push_back(literal('{', f));
            break;
          }
          std::u32string a, b;
          while (!peek().end && !peek().esc && is_digit(peek().c)) a += get().c;
          if (match(',')) {
            while (!peek().end && !peek().esc && is_digit(peek().c)) b += get().c;
          } else {
            b = a;
          }
          if (!match('}')) {
            items.push_back(literal('{', f));
            i_ = here;
            break;
          }
          if (!a.empty()) {
            lo = from_digits(a, 10);
            if (lo >= unbounded) throw Invalid{"the repetition number is too large", here};
          }
          if (!b.empty()) {
            hi = from_digits(b, 10);
            if (hi >= unbounded) throw Invalid{"the repetition number is too large", here};
            if (hi < lo) fail("min repeat greater than max repeat", i_ - here);
          }
        }
        if (items.empty() || items.back().op == Op::at) fail("nothing to repeat", i_ - here + 1);
        if (items.back().op == Op::repeat) fail("multiple repeat", i_ - here + 1);
        Node r;
        r.op = Op::repeat;
        r.min = lo;
        r.max = hi;
        r.greed = match('?') ? Greed::lazy : match('+') ? Greed::possessive : Greed::greedy;
        Node& item = items.back();
        r.kids.push_back(item.op == Op::group && item.group == 0 ? std::move(item.kids[0]) : std::move(item));
        item = std::move(r);
        break;
      }
      case '.': items.push_back(set_node(f.s ? CpSet::all() : CpSet::one('\n').complement())); break;
      case '(': {
        std::optional<Node> n = parse_group(verbose, nested, first, items.size(), f);
        if (n) {
          items.push_back(std::move(*n));
        } else if (global_seen_) { // global flags apply from here on (they can only come first)
          global_seen_ = false;
          f = state_;
          verbose = state_.x;
        }
        break;
      }
      case '^': items.push_back(at_node(f.m ? At::line_begin : At::text_begin)); break;
      case '$': items.push_back(at_node(f.m ? At::line_end : At::py_end)); break;
      default: items.push_back(literal(c, f)); break;
      }
    }
    return make_seq(std::move(items));
  }

  // The part of _parse after "(": nullopt for a comment or global flags.
  std::optional<Node> parse_group(bool verbose, int nested, bool first, std::size_t appended, Flags f) {
    const std::size_t start = i_ - 1;
    bool capture = true, atomic = false;
    std::optional<std::u32string> name;
    int add = 0, del = 0;
    if (match('?')) {
      const Tok t = get();
      if (t.end) fail("unexpected end of pattern");
      if (t.esc) fail("unknown extension ?\\" + narrow(std::u32string(1, t.c)), 3);
      const char32_t ch = t.c;
      if (ch == 'P') {
        if (match('<')) {
          name = getuntil('>', "group name");
          check_group_name(*name, 1);
        } else if (match('=')) {
          const std::u32string ref = getuntil(')', "group name");
          check_group_name(ref, 1);
          auto it = names_.find(ref);
          if (it == names_.end()) fail("unknown group name '" + narrow(ref) + "'", ref.size() + 1);
          if (!check_group(it->second)) fail("cannot refer to an open group", ref.size() + 1);
          check_lookbehind_group(it->second);
          return backref(it->second, f);
        } else {
          const Tok u = get();
          if (u.end) fail("unexpected end of pattern");
          fail("unknown extension ?P" + narrow(std::u32string(1, u.c)), 3);
        }
      } else if (ch == ':') {
        capture = false;
      } else if (ch == '#') {
        for (;;) {
          if (peek().end) throw Invalid{"missing ), unterminated comment", start};
          const Tok u = get();
          if (!u.esc && u.c == ')') break;
        }
        return std::nullopt;
      } else if (ch == '=' || ch == '!' || ch == '<') {
        bool behind = false, negate = ch == '!';
        std::optional<int> outer = lookbehind_groups_;
        if (ch == '<') {
          const Tok u = get();
          if (u.end) fail("unexpected end of pattern");
          if (u.esc || (u.c != '=' && u.c != '!')) fail("unknown extension ?<" + narrow(std::u32string(1, u.c)), 3);
          behind = true;
          negate = u.c == '!';
          if (!lookbehind_groups_) lookbehind_groups_ = groups();
        }
        Node p = parse_sub(verbose, nested + 1, f);
        if (behind && !outer) lookbehind_groups_.reset();
        if (!match(')')) throw Invalid{"missing ), unterminated subpattern", start};
        if (behind) {
          const Width w = width(p);
          if (w.lo > 0xFFFFFFFFull) throw Invalid{"looks too much behind", start};
          if (w.lo != w.hi) throw Invalid{"look-behind requires fixed-width pattern", start};
        }
        Node n = wrap(Op::look, std::move(p));
        n.behind = behind;
        n.negate = negate;
        return n;
      } else if (ch == '(') {
        const std::u32string cond = getuntil(')', "group name");
        int gid = 0;
        if (is_identifier(cond)) {
          auto it = names_.find(cond);
          if (it == names_.end()) fail("unknown group name '" + narrow(cond) + "'", cond.size() + 1);
          gid = it->second;
        } else {
          if (cond.empty() || !std::all_of(cond.begin(), cond.end(), is_digit))
            fail("bad character in group name '" + narrow(cond) + "'", cond.size() + 1);
          const std::uint32_t g = from_digits(cond, 10);
          if (g == 0) fail("bad group number", cond.size() + 1);
          if (g >= static_cast<std::uint32_t>(max_groups))
            fail("invalid group reference " + std::to_string(g), cond.size() + 1);
          gid = static_cast<int>(g);
          cond_refs_.emplace(gid, i_ - cond.size() - 1);
        }
        check_lookbehind_group(gid);
        Node n;
        n.op = Op::cond;
        n.group = gid;
        n.kids.push_back(parse_seq(verbose, nested + 1, false, f));
        if (match('|')) {
          n.kids.push_back(parse_seq(verbose, nested + 1, false, f));
          if (next_is('|')) fail("conditional backref with more than two branches");
        }
        if (!match(')')) throw Invalid{"missing ), unterminated subpattern", start};
        return n;
      } else if (ch == '>') {
        capture = false;
        atomic = true;
      } else if (flag_bit(ch) || ch == '-') {
        auto fl = parse_flags(ch);
        if (!fl) {
          if (!first || appended) throw Invalid{"global flags not at the start of the expression", start};
          global_seen_ = true;
          return std::nullopt;
        }
        add = fl->first;
        del = fl->second;
        capture = false;
      } else {
        fail("unknown extension ?" + narrow(std::u32string(1, ch)), 2);
      }
    }
    const int gid = capture ? open_group(name) : 0;
    const bool sub_verbose = (verbose || (add & F_X)) && !(del & F_X);
    Node p = parse_sub(sub_verbose, nested + 1, combine(f, add, del));
    if (!match(')')) throw Invalid{"missing ), unterminated subpattern", start};
    if (gid) widths_[gid] = width(p);
    Node n = wrap(atomic ? Op::atomic : Op::group, std::move(p));
    n.group = gid;
    return n;
  }

  std::u32string_view s_;
  std::size_t i_ = 0;
  Flags state_;
  bool global_seen_ = false;
  bool template_ = false;
  std::vector<std::optional<Width>> widths_{Width{}}; // group 0 (the whole match) is always "closed"
  std::map<std::u32string, int> names_;
  std::optional<int> lookbehind_groups_;
  std::multimap<int, std::size_t> cond_refs_;
};

// ---------------------------------------------------------------------------------------------
// What can come first (or last) in a match of a node: `chars`, whether the node can match empty
// (`nullable`), and `certain`: no assertion, backreference or condition is looked at before the
// first (after the last) consumed character, so the neighbour of the match really is in `chars`.

struct Edge {
  CpSet chars;
  bool nullable = true;
  bool certain = true;
};

inline Edge edge_of(const Node& n, bool first);
inline Edge edge_of_items(const std::vector<Node>& items, std::size_t from, std::size_t to, bool first) {
  Edge e;
  for (std::size_t k = 0; k < to - from; ++k) {
    const Edge ke = edge_of(items[first ? from + k : to - 1 - k], first);
    e.chars.add(ke.chars);
    e.certain = e.certain && ke.certain;
    if (!ke.nullable) {
      e.nullable = false;
      break;
    }
  }
  e.chars.normalize();
  return e;
}
inline Edge edge_of(const Node& n, bool first) {
  switch (n.op) {
  case Op::set: return {n.set, false, true};
  case Op::seq: return edge_of_items(n.kids, 0, n.kids.size(), first);
  case Op::alt: {
    Edge e{{}, false, true};
    for (const auto& k : n.kids) {
      const Edge ke = edge_of(k, first);
      e.chars.add(ke.chars);
      e.nullable = e.nullable || ke.nullable;
      e.certain = e.certain && ke.certain;
    }
    e.chars.normalize();
    return e;
  }
  case Op::repeat: {
    if (n.max == 0) return {};
    Edge e = edge_of(n.kids[0], first);
    e.nullable = e.nullable || n.min == 0;
    return e;
  }
  case Op::group:
  case Op::atomic: return edge_of(n.kids[0], first);
  case Op::at:
  case Op::look: return {{}, true, false};
  case Op::backref:
  case Op::cond: return {CpSet::all(), true, false};
  }
  return {};
}

enum class Side : std::uint8_t { word, non_word, mixed };
inline Side side_of(const CpSet& chars, bool ascii) {
  const CpSet& w = word_set(ascii);
  if (chars.subset_of(w)) return Side::word;
  if (chars.disjoint(w)) return Side::non_word;
  return Side::mixed;
}

/// The single character class a node stands for (a set, possibly inside groups), or null.
inline const CpSet* as_set(const Node& n) {
  if (n.op == Op::set) return &n.set;
  if ((n.op == Op::group || n.op == Op::seq) && n.kids.size() == 1) return as_set(n.kids[0]);
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Rewrites that keep Python's meaning and bring a pattern within RE2's reach (they may drop
// capturing groups: RE2 programs never report groups).

/// What follows a node up to the end of the pattern, as an Edge (the end itself: nullable, certain).
inline Edge follow(const std::vector<Node>& items, std::size_t from, const Edge& cont) {
  Edge e = edge_of_items(items, from, items.size(), true);
  if (e.nullable) {
    e.chars.add(cont.chars);
    e.chars.normalize();
    e.certain = e.certain && cont.certain;
    e.nullable = cont.nullable;
  }
  return e;
}

/// A possessive repeat of one class equals the greedy one when giving characters back could never
/// help what follows: the count is fixed, or what follows cannot start with the class (and starts
/// with no assertion), or can end the match right there. (Only for one class: Python makes each
/// iteration of a possessive repeat atomic, so X{2}+ is (?>X)(?>X), not X{2}.)
inline bool possessive_is_greedy(const Node& rep, const Edge& cont) {
  const CpSet* c = as_set(rep.kids[0]);
  return c && (rep.min == rep.max || (cont.certain && (cont.nullable || c->disjoint(cont.chars))));
}

inline void simplify(Node& n, const Edge& cont);

// Static rules inside one sequence; true when something changed.
inline bool simplify_local(std::vector<Node>& items) {
  for (std::size_t k = 0; k < items.size(); ++k) {
    Node& n = items[k];
    // \b\b -> \b: an assertion twice at the same place is the assertion.
    if (n.op == Op::at && k + 1 < items.size() && items[k + 1].op == Op::at && items[k + 1].at == n.at &&
        items[k + 1].ascii == n.ascii) {
      items.erase(items.begin() + static_cast<std::ptrdiff_t>(k));
      return true;
    }
    // (?=C)D -> [C&D], (?!C)D -> [D-C]; also before a repeat of D that takes at least one.
    if (n.op == Op::look && !n.behind && k + 1 < items.size()) {
      if (const CpSet* c = as_set(n.kids[0])) {
        Node& next = items[k + 1];
        if (const CpSet* d = as_set(next)) {
          CpSet merged = n.negate ? d->minus(*c) : d->intersect(*c);
          next = set_node(std::move(merged));
          items.erase(items.begin() + static_cast<std::ptrdiff_t>(k));
          return true;
        }
        if (next.op == Op::repeat && next.min >= 1 && next.greed != Greed::possessive) {
          if (const CpSet* d2 = as_set(next.kids[0])) {
            CpSet merged = n.negate ? d2->minus(*c) : d2->intersect(*c);
            next.min -= 1;
            if (next.max != unbounded) next.max -= 1;
            n = set_node(std::move(merged));
            return true;
          }
        }
      }
    }
    // D(?<=C) -> [C&D], D(?<!C) -> [D-C].
    if (n.op == Op::look && n.behind && k > 0) {
      if (const CpSet* c = as_set(n.kids[0])) {
        if (const CpSet* d = as_set(items[k - 1])) {
          CpSet merged = n.negate ? d->minus(*c) : d->intersect(*c);
          items[k - 1] = set_node(std::move(merged));
          items.erase(items.begin() + static_cast<std::ptrdiff_t>(k));
          return true;
        }
      }
    }
    // \b or \B between two characters whose kinds are known.
    if (n.op == Op::at && (n.at == At::boundary || n.at == At::non_boundary) && k > 0 && k + 1 < items.size()) {
      const Edge l = edge_of_items(items, 0, k, false), r = edge_of_items(items, k + 1, items.size(), true);
      if (l.certain && !l.nullable && r.certain && !r.nullable) {
        const Side ls = side_of(l.chars, n.ascii), rs = side_of(r.chars, n.ascii);
        if (ls != Side::mixed && rs != Side::mixed) {
          const bool holds = (ls != rs) == (n.at == At::boundary);
          if (holds) {
            items.erase(items.begin() + static_cast<std::ptrdiff_t>(k));
          } else {
            n = set_node(CpSet{}); // can never match
          }
          return true;
        }
      }
    }
  }
  return false;
}

inline void simplify_seq(std::vector<Node>& items, const Edge& cont) {
  while (simplify_local(items)) {
  }
  for (std::size_t k = 0; k < items.size(); ++k) simplify(items[k], follow(items, k + 1, cont));
  while (simplify_local(items)) {
  }
}

// (?>X) equals X when X has one way to match: a sequence of classes and repeats of classes where
// each repeat but the last is followed inside X by something that cannot start with its class.
// The last repeat then behaves as a possessive one (or, if lazy, takes its minimum).
inline bool atomic_to_plain(Node& n, const Edge& cont) {
  Node& kid = n.kids[0];
  std::vector<Node>* items = nullptr;
  std::vector<Node> single;
  if (kid.op == Op::seq) {
    items = &kid.kids;
  } else {
    single.push_back(kid);
    items = &single;
  }
  for (std::size_t j = 0; j < items->size(); ++j) {
    Node& it = (*items)[j];
    if (as_set(it)) continue;
    if (it.op != Op::repeat || !as_set(it.kids[0])) return false;
    if (it.min == it.max) continue;
    if (j + 1 < items->size()) {
      const Edge r = edge_of_items(*items, j + 1, items->size(), true);
      if (!(r.certain && !r.nullable && as_set(it.kids[0])->disjoint(r.chars))) return false;
      continue;
    }
    if (it.greed == Greed::lazy) {
      it.max = it.min;
      continue;
    }
    if (!possessive_is_greedy(it, cont)) return false;
    it.greed = Greed::greedy;
  }
  for (auto& it : *items)
    if (it.op == Op::repeat && it.greed == Greed::possessive) it.greed = Greed::greedy;
  Node plain;
  plain.op = Op::seq;
  plain.kids = std::move(*items);
  n = std::move(plain);
  return true;
}

inline void simplify(Node& n, const Edge& cont) {
  switch (n.op) {
  case Op::seq: simplify_seq(n.kids, cont); break;
  case Op::alt:
  case Op::cond:
    for (auto& k : n.kids) simplify(k, cont);
    break;
  case Op::group: simplify(n.kids[0], cont); break;
  case Op::look: simplify(n.kids[0], Edge{}); break;
  case Op::repeat: {
    const Edge body = edge_of(n.kids[0], true);
    Edge again{body.chars, cont.nullable && (n.min <= 1 || body.nullable), body.certain && cont.certain};
    again.chars.add(cont.chars);
    again.chars.normalize();
    simplify(n.kids[0], again);
    if (n.greed == Greed::possessive && possessive_is_greedy(n, cont)) n.greed = Greed::greedy;
    break;
  }
  case Op::atomic:
    simplify(n.kids[0], cont);
    atomic_to_plain(n, cont);
    break;
  default: break;
  }
}

/// For a search, which only asks whether some match exists, an assertion at the edge of a top-level
/// branch can consume the character it looks at: \bfoo -> (?:\A|\W)foo, foo(?=x) -> foox,
/// foo$ -> foo\n?\z.
inline bool edge_rewrite(std::vector<Node>& items) {
  if (items.empty()) return false;
  auto alt2 = [](Node a, Node b) {
    Node n;
    n.op = Op::alt;
    n.kids.push_back(std::move(a));
    n.kids.push_back(std::move(b));
    return n;
  };
  Node& head = items.front();
  if (head.op == Op::at && (head.at == At::boundary || head.at == At::non_boundary)) {
    const Edge r = edge_of_items(items, 1, items.size(), true);
    if (r.certain && !r.nullable) {
      const Side s = side_of(r.chars, head.ascii);
      if (s != Side::mixed) {
        const bool prev_word = (s == Side::non_word) == (head.at == At::boundary);
        const bool ascii = head.ascii;
        head = prev_word ? set_node(word_set(ascii)) : alt2(at_node(At::text_begin), set_node(word_set(ascii).complement()));
        return true;
      }
    }
  }
  if (head.op == Op::look && head.behind) {
    if (!head.negate) {
      head = wrap(Op::group, std::move(head.kids[0]));
      return true;
    }
    if (const CpSet* c = as_set(head.kids[0])) {
      head = alt2(at_node(At::text_begin), set_node(c->complement()));
      return true;
    }
  }
  Node& last = items.back();
  if (last.op == Op::at && (last.at == At::boundary || last.at == At::non_boundary)) {
    const Edge l = edge_of_items(items, 0, items.size() - 1, false);
    if (l.certain && !l.nullable) {
      const Side s = side_of(l.chars, last.ascii);
      if (s != Side::mixed) {
        const bool next_word = (s == Side::non_word) == (last.at == At::boundary);
        const bool ascii = last.ascii;
        last = next_word ? set_node(word_set(ascii)) : alt2(set_node(word_set(ascii).complement()), at_node(At::text_end));
        return true;
      }
    }
  }
  if (last.op == Op::look && !last.behind) {
    if (!last.negate) {
      last = wrap(Op::group, std::move(last.kids[0]));
      return true;
    }
    if (const CpSet* c = as_set(last.kids[0])) {
      last = alt2(set_node(c->complement()), at_node(At::text_end));
      return true;
    }
  }
  if (last.op == Op::at && last.at == At::py_end) {
    Node nl;
    nl.op = Op::repeat;
    nl.min = 0;
    nl.max = 1;
    nl.kids.push_back(set_node(CpSet::one('\n')));
    last = std::move(nl);
    items.push_back(at_node(At::text_end));
    return true;
  }
  return false;
}

inline void search_rewrite(Node& n) {
  if (n.op == Op::alt) {
    for (auto& k : n.kids) search_rewrite(k);
    return;
  }
  if (n.op == Op::group) {
    search_rewrite(n.kids[0]);
    return;
  }
  if (n.op != Op::seq) n = wrap(Op::seq, std::move(n));
  while (edge_rewrite(n.kids)) simplify_seq(n.kids, Edge{});
}

// ---------------------------------------------------------------------------------------------
// Emitters. Both engines read the same explicit syntax for classes: \x{HHHH} escapes, never a
// surrogate (UTF-8 text has none, and neither engine accepts one).

inline void put_cp(std::string& out, char32_t c) {
  static constexpr char hex[] = "0123456789abcdef";
  char buf[8];
  int n = 0;
  do {
    buf[n++] = hex[c & 0xF];
    c >>= 4;
  } while (c);
  out += "\\x{";
  while (n) out += buf[--n];
  out += '}';
}
/// The class as engine syntax, or "" when it is empty.
inline std::string class_syntax(const CpSet& s) {
  const CpSet t = s.minus(CpSet::range(0xD800, 0xDFFF));
  std::string out;
  if (t.empty()) return out;
  if (t.r.size() == 1 && t.r[0].first == t.r[0].second) {
    put_cp(out, t.r[0].first);
    return out;
  }
  out += '[';
  for (const auto& [lo, hi] : t.r) {
    put_cp(out, lo);
    if (hi != lo) {
      if (hi > lo + 1) out += '-';
      put_cp(out, hi);
    }
  }
  out += ']';
  return out;
}
inline std::string quantifier(const Node& n) {
  std::string q;
  if (n.min == 0 && n.max == unbounded)
    q = "*";
  else if (n.min == 1 && n.max == unbounded)
    q = "+";
  else if (n.min == 0 && n.max == 1)
    q = "?";
  else if (n.max == unbounded)
    q = "{" + std::to_string(n.min) + ",}";
  else if (n.min == n.max)
    q = "{" + std::to_string(n.min) + "}";
  else
    q = "{" + std::to_string(n.min) + "," + std::to_string(n.max) + "}";
  if (n.greed == Greed::lazy) q += '?';
  if (n.greed == Greed::possessive) q += '+';
  return q;
}

/// RE2 syntax with the same meaning, or nullopt. A Python `$` becomes \z and sets `py_end`: the
/// program is then right only for texts that do not end with '\n'.
inline std::optional<std::string> to_re2(const Node& n, bool& py_end) {
  switch (n.op) {
  case Op::set: {
    std::string c = class_syntax(n.set);
    return c.empty() ? "[^\\x{0}-\\x{10ffff}]" : c;
  }
  case Op::seq: {
    std::string out;
    for (const auto& k : n.kids) {
      auto s = to_re2(k, py_end);
      if (!s) return std::nullopt;
      out += *s;
    }
    return out;
  }
  case Op::alt: {
    std::string out = "(?:";
    for (std::size_t i = 0; i < n.kids.size(); ++i) {
      auto s = to_re2(n.kids[i], py_end);
      if (!s) return std::nullopt;
      out += (i ? "|" : "") + *s;
    }
    return out + ")";
  }
  case Op::repeat: {
    if (n.greed == Greed::possessive) return std::nullopt;
    if (n.min > 1000 || (n.max != unbounded && n.max > 1000)) return std::nullopt; // RE2's limit
    auto s = to_re2(n.kids[0], py_end);
    if (!s) return std::nullopt;
    return "(?:" + *s + ")" + quantifier(n);
  }
  case Op::group: {
    auto s = to_re2(n.kids[0], py_end);
    if (!s) return std::nullopt;
    return "(?:" + *s + ")";
  }
  case Op::at:
    switch (n.at) {
    case At::text_begin: return "\\A";
    case At::line_begin: return "(?m:^)";
    case At::text_end: return "\\z";
    case At::line_end: return "(?m:$)";
    case At::py_end: py_end = true; return "\\z";
    default: return std::nullopt; // RE2's \b is ASCII-only
    }
  default: return std::nullopt; // backreferences, lookaround, atomic groups, conditions
  }
}

/// A bounded repeat whose body can match empty, with two or more optional iterations. Python tries
/// an optional iteration only if the previous optional one consumed something (sre's zero-width
/// protection); RE2 and PCRE2 expand a bounded repeat into copies without that rule, so the first
/// match they find can differ from Python's (whether there is a match cannot). Unbounded repeats
/// agree: all three stop at an empty iteration.
inline bool needs_zero_width_rule(const Node& n) {
  return n.op == Op::repeat && n.max != unbounded && n.max - n.min >= 2 && n.greed != Greed::possessive &&
         !as_set(n.kids[0]) && edge_of(n.kids[0], true).nullable;
}
inline bool any_node(const Node& n, bool (*pred)(const Node&)) {
  return pred(n) || std::any_of(n.kids.begin(), n.kids.end(), [&](const Node& k) { return any_node(k, pred); });
}

/// PCRE2 syntax with the same meaning, with a callout at each backtracking choice point (the step
/// counter of detail/pcre2_regex.hpp). A large class (Python's \w has some 700 ranges) is written
/// once, in a (?(DEFINE)...) group at the end, and called as a subroutine wherever it is used:
/// inlined, a few of them would pass PCRE2's limit on compiled size. The DEFINE groups come after
/// every group of the Python pattern, so backreference numbers are unchanged.
class Pcre2Writer {
public:
  std::string pattern(const Node& root) {
    collect_references(root);
    // Pass one numbers the groups (Python's, and the auxiliary ones of needs_zero_width_rule);
    // pass two writes the pattern with Python's backreferences renumbered.
    emit(root);
    numbered_ = true;
    next_group_ = 0;
    defs_.clear();
    std::string body = "(?C)(?:" + emit(root) + ")";
    if (defs_.empty()) return body;
    std::vector<const std::string*> by_index(defs_.size());
    for (const auto& [syntax, index] : defs_) by_index[index] = &syntax;
    body += "(?(DEFINE)";
    for (std::size_t i = 0; i < by_index.size(); ++i) body += "(?<raif" + std::to_string(i) + ">" + *by_index[i] + ")";
    return body + ")";
  }

private:
  // Only groups that a backreference or condition refers to capture in PCRE2 (the others cannot
  // change a match), so copies of a repeated body never duplicate a group that matters.
  void collect_references(const Node& n) {
    if (n.op == Op::backref || n.op == Op::cond) referenced_.insert(n.group);
    for (const auto& k : n.kids) collect_references(k);
  }
  bool referenced_inside(const Node& n) const {
    if (n.op == Op::group && referenced_.count(n.group)) return true;
    return std::any_of(n.kids.begin(), n.kids.end(), [&](const Node& k) { return referenced_inside(k); });
  }
  std::string ref(int python_group) const {
    auto it = numbers_.find(python_group);
    return std::to_string(numbered_ && it != numbers_.end() ? it->second : python_group);
  }
  // X{min,max} under Python's zero-width rule: X{min}, then up to max-min iterations, each after
  // the first only if the one before consumed something -- (?C{g}) fails when group g, the previous
  // iteration, is empty (detail/pcre2_regex.hpp).
  std::string zero_width_chain(const Node& n) {
    if (referenced_inside(n.kids[0]))
      throw Refused{"repeats a group that can match empty a bounded number of times (" + quantifier(n) +
                    ") and refers back to a group inside it, which raif cannot run with Python's rule for empty "
                    "iterations"};
    const std::uint32_t k = n.max - n.min;
    if (k > 64)
      throw Refused{"repeats a group that can match empty up to " + std::to_string(n.max) +
                    " times, which raif cannot run with Python's rule for empty iterations beyond 64"};
    const std::string opt = n.greed == Greed::lazy ? ")??" : ")?";
    std::string out;
    if (n.min) out += "(?:" + emit(n.kids[0]) + "){" + std::to_string(n.min) + "}";
    return out + "(?:" + iterations(n.kids[0], k, opt) + opt + "(?C)";
  }
  // One iteration, then (if it consumed something) up to j-1 more. Groups are numbered in the order
  // they open, so this iteration's group is numbered before any group inside X.
  std::string iterations(const Node& x, std::uint32_t j, const std::string& opt) {
    if (j == 1) return "(?:" + emit(x) + ")";
    const int g = ++next_group_;
    std::string first = emit(x);
    return "(" + first + ")(?:(?C{" + std::to_string(g) + "})" + iterations(x, j - 1, opt) + opt;
  }

  std::string cls(const CpSet& set) {
    std::string c = class_syntax(set);
    if (c.empty()) return "(*FAIL)";
    if (c.size() < 256) return c;
    const auto [it, fresh] = defs_.emplace(std::move(c), defs_.size());
    return "(?&raif" + std::to_string(it->second) + ")";
  }

  std::string emit(const Node& n) {
    switch (n.op) {
    case Op::set: return cls(n.set);
    case Op::seq: {
      std::string out;
      for (const auto& k : n.kids) out += emit(k);
      return out;
    }
    case Op::alt: {
      std::string out = "(?:";
      for (std::size_t i = 0; i < n.kids.size(); ++i) out += (i ? "|(?C)" : "(?C)") + emit(n.kids[i]);
      return out + ")";
    }
    case Op::repeat: {
      if (n.min > 65535 || (n.max != unbounded && n.max > 65535))
        throw Refused{"repeats more than 65535 times (" + quantifier(n) + "), beyond PCRE2's limit"};
      if (needs_zero_width_rule(n)) return zero_width_chain(n);
      // Python's possessive repeat runs each iteration as an atomic group (sre's POSSESSIVE_REPEAT);
      // PCRE2's would backtrack between iterations inside the repeat.
      std::string out = (n.greed == Greed::possessive ? "(?>" : "(?:") + emit(n.kids[0]) + ")" + quantifier(n);
      if (n.min != n.max && n.greed != Greed::possessive) out += "(?C)";
      return out;
    }
    case Op::group: {
      if (!n.group || !referenced_.count(n.group)) return "(?:" + emit(n.kids[0]) + ")";
      numbers_[n.group] = ++next_group_;
      return "(" + emit(n.kids[0]) + ")";
    }
    case Op::backref: return "\\g{" + ref(n.group) + "}";
    case Op::at: {
      switch (n.at) {
      case At::text_begin: return "\\A";
      case At::line_begin: return "(?<![^\\n])";
      case At::text_end: return "\\z";
      case At::py_end: return "(?=\\n?\\z)";
      case At::line_end: return "(?![^\\n])";
      case At::boundary:
      case At::non_boundary: {
        const std::string w = cls(word_set(n.ascii));
        if (n.at == At::boundary) return "(?:(?<=" + w + ")(?!" + w + ")|(?<!" + w + ")(?=" + w + "))";
        return "(?!\\A\\z)(?:(?<=" + w + ")(?=" + w + ")|(?<!" + w + ")(?!" + w + "))";
      }
      }
      return "";
    }
    case Op::look:
      return std::string(n.behind ? (n.negate ? "(?<!" : "(?<=") : (n.negate ? "(?!" : "(?=")) + emit(n.kids[0]) +
             ")";
    case Op::atomic: return "(?>" + emit(n.kids[0]) + ")";
    case Op::cond: {
      std::string out = "(?(" + ref(n.group) + ")" + emit(n.kids[0]);
      if (n.kids.size() > 1) out += "|" + emit(n.kids[1]);
      return out + ")";
    }
    }
    return "";
  }

  std::map<std::string, std::size_t> defs_;
  std::set<int> referenced_;
  std::map<int, int> numbers_; // Python group -> PCRE2 group
  int next_group_ = 0;
  bool numbered_ = false;
};

// ---------------------------------------------------------------------------------------------
// Backreferences under IGNORECASE: Python compares lowercased characters (without re._casefix),
// which PCRE2's caseless mode does not reproduce. raif lowercases the subject instead (character by
// character, so counts and positions in code points are unchanged) and compares exactly -- right
// when every other part of the pattern matches a character and its lowercase alike.

enum class Lowering : std::uint8_t { none, unicode, ascii };

inline void collect(const Node& n, bool& icase_uni, bool& icase_ascii, bool& exact_ref,
                    std::vector<const CpSet*>& sets) {
  if (n.op == Op::set) sets.push_back(&n.set);
  if (n.op == Op::backref) (n.icase ? (n.ascii ? icase_ascii : icase_uni) : exact_ref) = true;
  for (const auto& k : n.kids) collect(k, icase_uni, icase_ascii, exact_ref, sets);
}
inline Lowering lowering_for(const Node& root) {
  bool uni = false, asc = false, exact = false;
  std::vector<const CpSet*> sets;
  collect(root, uni, asc, exact, sets);
  if (!uni && !asc) return Lowering::none;
  if ((uni && asc) || exact)
    throw Refused{"mixes a case-insensitive backreference with case-sensitive ones or with re.ASCII ones"};
  for (const CpSet* s : sets) {
    bool invariant = true;
    if (asc) {
      for (char32_t c = 'A'; c <= 'Z' && invariant; ++c) invariant = s->contains(c) == s->contains(c + 32);
    } else {
      for (char32_t c : lowered_by_lower()) {
        if (s->contains(c) != s->contains(simple_lower(c))) {
          invariant = false;
          break;
        }
      }
    }
    if (!invariant)
      throw Refused{"has a case-insensitive backreference and also matches case-sensitively elsewhere"};
  }
  return uni ? Lowering::unicode : Lowering::ascii;
}

/// Can the first match in Python's order be empty where a non-empty match starts at the same place?
/// Only through a lazy quantifier or an alternative that can match empty ahead of another: with
/// greedy quantifiers alone, backtracking has tried (and seen fail) every way of consuming more
/// before it settles for an empty match. (After an empty match Python looks for a non-empty one at
/// the same place, which RE2 cannot order; see PyPattern::count.)
inline bool prefers_empty(const Node& n) {
  if (n.op == Op::repeat && n.greed == Greed::lazy) return true;
  if (n.op == Op::alt)
    for (std::size_t i = 0; i + 1 < n.kids.size(); ++i)
      if (edge_of(n.kids[i], true).nullable) return true;
  return std::any_of(n.kids.begin(), n.kids.end(), [](const Node& k) { return prefers_empty(k); });
}

// ---------------------------------------------------------------------------------------------

/// A pattern compiled for every engine that can run it. Immutable; shared between threads.
struct Compiled {
  std::unique_ptr<RE2> exact;         // right for search and count (null: RE2 cannot run it)
  bool exact_py_end = false;          // ... but only for texts that do not end with '\n'
  bool exact_prefers_empty = false;   // count() may need PCRE2 after an empty match
  std::unique_ptr<RE2> search;        // right for search only (edge rewrites), when exact is not enough
  bool search_py_end = false;
  std::unique_ptr<Pcre2Program> pcre2;
  std::string pcre2_problem; // why there is no PCRE2 program
  Lowering lowering = Lowering::none;
};

inline std::unique_ptr<RE2> make_re2(const std::string& syntax) {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_max_mem(64 << 20);
  auto re = std::make_unique<RE2>(syntax, o);
  if (!re->ok()) return nullptr;
  return re;
}

inline std::shared_ptr<const Compiled> compile(const std::string& source, Flags flags, std::string_view what) {
  auto name = [&] { return "raif: " + std::string(what) + " pattern '" + source + "'"; };
  Node root;
  try {
    root = Parser(utf8_decode(source), flags).parse();
  } catch (const Invalid& e) {
    throw error(name() + " is not a valid Python regular expression: " + e.why + " at position " +
                std::to_string(e.pos) + " (Python's re.compile would raise re.error)");
  } catch (const Refused& e) {
    throw error(name() + " " + e.why);
  }
  auto c = std::make_shared<Compiled>();
  Node r = root;
  simplify(r, Edge{});
  if (any_node(r, needs_zero_width_rule)) {
    // RE2 finds the same matches but maybe not Python's first one: search only (below).
  } else if (auto s = to_re2(r, c->exact_py_end)) {
    c->exact = make_re2(*s);
    c->exact_prefers_empty = prefers_empty(r);
  }
  if (!c->exact || c->exact_py_end) {
    Node rs = r;
    search_rewrite(rs);
    if (auto s = to_re2(rs, c->search_py_end)) c->search = make_re2(*s);
  }
  try {
    c->lowering = lowering_for(root);
    c->pcre2 = std::make_unique<Pcre2Program>(Pcre2Writer().pattern(root));
    if (!c->pcre2->ok()) {
      c->pcre2_problem = "cannot be compiled by PCRE2: " + c->pcre2->error();
      c->pcre2.reset();
    }
  } catch (const Refused& e) {
    c->pcre2_problem = e.why;
  }
  // Without a PCRE2 program, RE2 must cover every text and every count (an exact program that is
  // right whatever the text ends with, and never needs PCRE2 after an empty match).
  if (!c->pcre2 && (!c->exact || c->exact_py_end || c->exact_prefers_empty))
    throw error(name() + " " + c->pcre2_problem);
  return c;
}

/// Compiled patterns, shared by every PyPattern with the same source and flags (constraints build
/// their patterns on each check; compiling is the expensive part). Thread-safe; bounded.
inline std::shared_ptr<const Compiled> compiled(const std::string& source, Flags flags, std::string_view what) {
  static std::mutex m;
  static std::unordered_map<std::string, std::shared_ptr<const Compiled>> cache;
  const std::string key = std::string(flags.i ? "i" : "-") + (flags.m ? "m" : "-") + source;
  {
    std::lock_guard lock(m);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  auto c = compile(source, flags, what); // outside the lock: may take milliseconds, may throw
  std::lock_guard lock(m);
  if (cache.size() >= 4096) cache.clear();
  cache.emplace(key, c);
  return c;
}

} // namespace pyre
} // namespace detail

/// A kwarg that Python's IFEval would use as a regular expression.
class PyPattern {
public:
  PyPattern() = default;
  /// @param source the pattern text; @param ignore_case Python re.IGNORECASE;
  /// @param what names the kwarg in error messages (e.g. "keywords:existence.keywords");
  /// @param multiline Python re.MULTILINE (^ and $ at line boundaries).
  /// Throws raif::error when Python would reject the pattern, or when raif cannot run it.
  PyPattern(std::string source, bool ignore_case, std::string_view what = "regex", bool multiline = false)
      : source_(std::move(source)), what_(what), ignore_case_(ignore_case) {
    if (!detail::has_regex_meta(source_)) {
      literal_ = utf8_decode(source_);
      return;
    }
    detail::pyre::Flags f;
    f.i = ignore_case;
    f.m = multiline;
    compiled_ = detail::pyre::compiled(source_, f, what_);
  }

  /// The pattern `\b` + word + `\b`, as IFEval builds it for forbidden words (a string
  /// concatenation: "a|b" gives `\ba|b\b`).
  static PyPattern word_bounded(const std::string& word, bool ignore_case, std::string_view what = "regex") {
    if (detail::has_regex_meta(word)) return PyPattern("\\b" + word + "\\b", ignore_case, what);
    PyPattern p(word, ignore_case, what);
    p.bounded_ = true;
    return p;
  }

  const std::string& source() const noexcept { return source_; }
  bool is_literal() const noexcept { return compiled_ == nullptr; }

  /// re.search(pattern, text) is not None.
  bool search(const Text& t) const {
    if (compiled_) return search_regex(t);
    if (literal_.empty() && !bounded_) return true;
    bool found = false;
    each_bounded(t.chars(), [&](std::size_t) {
      found = true;
      return false;
    });
    return found;
  }

  /// len(re.findall(pattern, text)) (also len(re.split(pattern, text)) - 1): non-overlapping,
  /// leftmost matches; after an empty match the next one may start at the same place only if it is
  /// not empty.
  std::size_t count(const Text& t) const {
    if (compiled_) return count_regex(t);
    const auto& s = t.chars();
    if (literal_.empty() && !bounded_) return s.size() + 1;
    std::size_t n = 0, next_free = 0;
    each_bounded(s, [&](std::size_t at) {
      if (at >= next_free) {
        ++n;
        next_free = at + literal_.size() + (literal_.empty() ? 1 : 0);
      }
      return true;
    });
    return n;
  }

  /// re.search(r"\b" + pattern + r"\b", text) is not None (Unicode word boundaries).
  bool search_word(const Text& t) const {
    if (compiled_) return word_bounded(source_, ignore_case_, what_).search(t);
    PyPattern p = *this;
    p.bounded_ = true;
    return p.search(t);
  }

private:
  // The text as the engines take it: valid UTF-8 (an invalid byte reads as U+FFFD, as in
  // Text::chars()), lowercased when a case-insensitive backreference needs it.
  std::string_view subject(const Text& t, std::string& buf, bool for_pcre2) const {
    using detail::pyre::Lowering;
    const Lowering low = for_pcre2 ? compiled_->lowering : Lowering::none;
    if (low == Lowering::none) {
      if (utf8_valid(t.str())) return t.str();
      buf = utf8_encode(t.chars());
      return buf;
    }
    std::u32string s = t.chars();
    for (char32_t& c : s) c = low == Lowering::ascii ? ((c >= 'A' && c <= 'Z') ? c + 32 : c) : simple_lower(c);
    buf = utf8_encode(s);
    return buf;
  }
  [[noreturn]] void over_budget(const detail::Pcre2Program::Run& run, std::size_t bytes) const {
    const std::string spent =
        run.memory_exceeded()
            ? std::to_string(detail::Pcre2Budget::heap_limit_kib / 1024) + " MiB of backtracking memory, after " +
                  std::to_string(run.steps()) + " of its " + std::to_string(run.limit()) + " steps"
            : std::to_string(run.limit()) + " backtracking steps";
    throw error("raif: " + what_ + " pattern '" + source_ + "' exceeded its step budget (" + spent + " for this " +
                std::to_string(bytes) + "-byte text): Python's re would backtrack for a very long time here; " +
                "simplify the pattern");
  }
  const detail::Pcre2Program& pcre2() const {
    if (!compiled_->pcre2) throw error("raif: " + what_ + " pattern '" + source_ + "' " + compiled_->pcre2_problem);
    return *compiled_->pcre2;
  }

  bool search_regex(const Text& t) const {
    const auto& c = *compiled_;
    std::string buf;
    const std::string_view s = subject(t, buf, false);
    const bool ends_nl = !s.empty() && s.back() == '\n';
    const re2::StringPiece in(s.data(), s.size());
    if (c.exact && (!c.exact_py_end || !ends_nl)) return RE2::PartialMatch(in, *c.exact);
    if (c.search && (!c.search_py_end || !ends_nl)) return RE2::PartialMatch(in, *c.search);
    std::string pbuf;
    const std::string_view ps = c.lowering == detail::pyre::Lowering::none ? s : subject(t, pbuf, true);
    detail::Pcre2Program::Run run(pcre2(), ps);
    std::size_t b = 0, e = 0;
    const auto st = run.find(0, false, false, b, e);
    if (st == detail::Pcre2Program::Status::budget) over_budget(run, ps.size());
    return st == detail::Pcre2Program::Status::match;
  }

  std::size_t count_regex(const Text& t) const {
    using Status = detail::Pcre2Program::Status;
    const auto& c = *compiled_;
    std::string buf;
    const std::string_view s = subject(t, buf, false);
    const bool ends_nl = !s.empty() && s.back() == '\n';
    std::size_t n = 0, b = 0, e = 0;
    if (c.exact && (!c.exact_py_end || !ends_nl)) {
      const re2::StringPiece in(s.data(), s.size());
      std::optional<detail::Pcre2Program::Run> run; // only for a non-empty match after an empty one
      re2::StringPiece m;
      for (std::size_t pos = 0; pos <= s.size();) {
        if (!c.exact->Match(in, pos, s.size(), RE2::UNANCHORED, &m, 1)) break;
        ++n;
        b = static_cast<std::size_t>(m.data() - in.data());
        pos = b + m.size();
        if (!m.empty()) continue;
        // Python tries next for a non-empty match at the same place. Unless the pattern can prefer
        // an empty match there is none (prefers_empty); otherwise PCRE2 finds the one Python would.
        if (b >= s.size()) break;
        if (c.exact_prefers_empty) {
          if (!run) run.emplace(pcre2(), s);
          const Status st = run->find(b, true, true, b, e);
          if (st == Status::budget) over_budget(*run, s.size());
          if (st == Status::match) {
            ++n;
            pos = e;
            continue;
          }
        }
        detail::utf8_next(s, pos); // step over one whole character
      }
      return n;
    }
    std::string pbuf;
    const std::string_view ps = c.lowering == detail::pyre::Lowering::none ? s : subject(t, pbuf, true);
    detail::Pcre2Program::Run run(pcre2(), ps);
    bool not_empty = false;
    for (std::size_t pos = 0; pos <= ps.size();) {
      const Status st = run.find(pos, not_empty, false, b, e);
      if (st == Status::budget) over_budget(run, ps.size());
      if (st == Status::no_match) break;
      ++n;
      not_empty = e == b;
      pos = e;
    }
    return n;
  }

  // Occurrences of the literal (overlapping; between word boundaries when bounded_).
  template <class F> void each_bounded(std::u32string_view s, F&& f) const {
    auto boundary = [&](std::size_t p) {
      const bool a = p > 0 && is_word_char(s[p - 1]);
      const bool b = p < s.size() && is_word_char(s[p]);
      return a != b;
    };
    if (literal_.empty()) { // bounded: every boundary is an (empty) match
      for (std::size_t p = 0; p <= s.size(); ++p)
        if (boundary(p) && !f(p)) return;
      return;
    }
    auto on = [&](std::size_t at) { return (bounded_ && !(boundary(at) && boundary(at + literal_.size()))) || f(at); };
    if (ignore_case_)
      detail::kmp_each(
          s, literal_, [](char32_t c) { return fold_key(c); }, on); // a lambda inlines; a function pointer would not
    else
      detail::kmp_each(
          s, literal_, [](char32_t c) { return c; }, on);
  }

  std::string source_;
  std::string what_ = "regex";
  bool ignore_case_ = false;
  bool bounded_ = false;
  std::u32string literal_;
  std::shared_ptr<const detail::pyre::Compiled> compiled_;
};

} // namespace raif
