#pragma once
/// @file
/// Segmenters cut a span into the ordered segments of a Chain (contract §3). Each returns the
/// segments or why it could not; the Chain turns that into its segmentation gate leaf.
/// Options common to all: `count` (exact: as many pieces as steps; at_least: extra trailing pieces
/// ignored), `preamble` (text before the first piece: ignore or fail), `trim` (strip whitespace).

#include <raif/compose/node.hpp>
#include <raif/detail/json_answer.hpp>
#include <raif/error.hpp>
#include <raif/text/strip.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace raif {

enum class Count { exact, at_least };
enum class Preamble { ignore, fail };

/// The segments, or the reason segmentation failed.
struct Segments {
  std::vector<Span> spans;
  std::vector<std::string> owned; ///< text of segments that are not substrings of the answer
  std::string error;              ///< empty on success
  bool ok() const { return error.empty(); }
};

struct SegmentOptions {
  Count count = Count::exact;
  Preamble preamble = Preamble::ignore;
  bool trim = true;
};

namespace detail {
// Lines of span s as [begin, end) offsets of the answer (without the '\n').
inline std::vector<std::pair<std::size_t, std::size_t>> lines_of(const Span& s) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  std::size_t b = 0;
  for (;;) {
    const auto k = s.text.find('\n', b);
    const std::size_t e = k == std::string_view::npos ? s.text.size() : k;
    out.emplace_back(s.begin + b, s.begin + e);
    if (k == std::string_view::npos) return out;
    b = k + 1;
  }
}
inline Span sub_span(const Span& s, std::size_t b, std::size_t e, bool trim) {
  std::string_view t = s.text.substr(b - s.begin, e - b);
  if (trim) {
    const auto st = py_strip(t);
    b += static_cast<std::size_t>(st.data() - t.data());
    e = b + st.size();
    t = st;
  }
  return Span{b, e, t};
}
// Applies count and preamble rules to raw pieces [b, e); `preamble` is the text before the first.
inline Segments finish(const Span& s, std::vector<std::pair<std::size_t, std::size_t>> pieces, std::size_t n,
                       const SegmentOptions& o, std::string_view what, std::string_view preamble = {}) {
  Segments out;
  if (o.preamble == Preamble::fail && !py_strip(preamble).empty()) {
    out.error = std::string(what) + ": text before the first segment";
    return out;
  }
  if (pieces.size() < n || (o.count == Count::exact && pieces.size() != n)) {
    out.error = std::string(what) + ": found " + std::to_string(pieces.size()) + " segment(s), expected " +
                (o.count == Count::exact ? "" : "at least ") + std::to_string(n);
    return out;
  }
  for (std::size_t k = 0; k < n; ++k) out.spans.push_back(sub_span(s, pieces[k].first, pieces[k].second, o.trim));
  return out;
}
inline nlohmann::json options_json(const SegmentOptions& o) {
  return {{"count", o.count == Count::exact ? "exact" : "at_least"},
          {"preamble", o.preamble == Preamble::ignore ? "ignore" : "fail"},
          {"trim", o.trim}};
}
inline bool is_bullet_line(std::string_view l, std::size_t& body) {
  std::size_t i = 0;
  if (l.size() >= 2 && (l[0] == '-' || l[0] == '*' || l[0] == '+') && l[1] == ' ') {
    body = 2;
    return true;
  }
  while (i < l.size() && l[i] >= '0' && l[i] <= '9') ++i;
  if (i > 0 && i + 1 < l.size() && (l[i] == '.' || l[i] == ')') && l[i + 1] == ' ') {
    body = i + 2;
    return true;
  }
  return false;
}
} // namespace detail

/// Pieces between lines equal (after trimming) to `line`, e.g. "***" or "---".
struct Delimiter {
  std::string line = "***";
  SegmentOptions options{};
  Segments segment(const Span& s, std::size_t n) const {
    std::vector<std::pair<std::size_t, std::size_t>> pieces;
    std::size_t start = s.begin;
    for (auto [b, e] : detail::lines_of(s))
      if (py_strip(s.text.substr(b - s.begin, e - b)) == line) {
        pieces.emplace_back(start, b);
        start = std::min(e + 1, s.end);
      }
    if (pieces.empty()) {
      Segments none;
      none.error = "no delimiter line '" + line + "'";
      return none;
    }
    pieces.emplace_back(start, s.end);
    return detail::finish(s, std::move(pieces), n, options, "delimiter '" + line + "'");
  }
  nlohmann::json spec() const { return {{"delimiter", line}, {"options", detail::options_json(options)}}; }
};

/// Segment k is the text after marker k up to marker k+1; each marker must occur, in order.
struct Markers {
  std::vector<std::string> markers;
  SegmentOptions options{};
  Segments segment(const Span& s, std::size_t n) const {
    std::vector<std::size_t> at;
    std::size_t from = 0;
    for (const auto& m : markers) {
      const auto k = s.text.find(m, from);
      if (k == std::string_view::npos) {
        Segments none;
        none.error = "marker '" + m + "' missing or out of order";
        return none;
      }
      at.push_back(k);
      from = k + m.size();
    }
    std::vector<std::pair<std::size_t, std::size_t>> pieces;
    for (std::size_t i = 0; i < at.size(); ++i)
      pieces.emplace_back(s.begin + at[i] + markers[i].size(), i + 1 < at.size() ? s.begin + at[i + 1] : s.end);
    return detail::finish(s, std::move(pieces), n, options, "markers",
                          at.empty() ? std::string_view() : s.text.substr(0, at[0]));
  }
  nlohmann::json spec() const { return {{"markers", markers}, {"options", detail::options_json(options)}}; }
};

/// The body under each Markdown heading of `level` ("## Title" for 2).
struct Headings {
  int level = 2;
  SegmentOptions options{};
  Segments segment(const Span& s, std::size_t n) const {
    const std::string hashes(static_cast<std::size_t>(level), '#');
    std::vector<std::pair<std::size_t, std::size_t>> heads; // heading line [b, e)
    for (auto [b, e] : detail::lines_of(s)) {
      const auto l = s.text.substr(b - s.begin, e - b);
      if (l.starts_with(hashes) && l.size() > hashes.size() && l[hashes.size()] == ' ') heads.emplace_back(b, e);
    }
    std::vector<std::pair<std::size_t, std::size_t>> pieces;
    for (std::size_t i = 0; i < heads.size(); ++i)
      pieces.emplace_back(std::min(heads[i].second + 1, s.end), i + 1 < heads.size() ? heads[i + 1].first : s.end);
    return detail::finish(s, std::move(pieces), n, options, "level-" + std::to_string(level) + " headings",
                          heads.empty() ? s.text : s.text.substr(0, heads[0].first - s.begin));
  }
  nlohmann::json spec() const { return {{"headings", level}, {"options", detail::options_json(options)}}; }
};

/// Top-level list items ("- x", "* x", "+ x", "1. x", "1) x" at the start of a line); an item
/// runs until the next item; indented continuation lines belong to it.
struct ListItems {
  SegmentOptions options{};
  Segments segment(const Span& s, std::size_t n) const {
    std::vector<std::pair<std::size_t, std::size_t>> pieces;
    std::size_t first = s.end;
    for (auto [b, e] : detail::lines_of(s)) {
      std::size_t body = 0;
      if (detail::is_bullet_line(s.text.substr(b - s.begin, e - b), body)) {
        if (!pieces.empty())
          pieces.back().second = b;
        else
          first = b;
        pieces.emplace_back(b + body, s.end);
      }
    }
    return detail::finish(s, std::move(pieces), n, options, "list items", s.text.substr(0, first - s.begin));
  }
  nlohmann::json spec() const { return {{"list_items", true}, {"options", detail::options_json(options)}}; }
};

/// Segment k is the value at key k of the answer parsed as a JSON object: a top-level key, or a
/// JSON Pointer path when it starts with '/' ("/order/items/0"). Strings are unquoted, other
/// values compact JSON.
struct JsonKeys {
  std::vector<std::string> keys;
  SegmentOptions options{};
  Segments segment(const Span& s, std::size_t n) const {
    Segments out;
    const auto parsed = detail::parse_json_answer(s.text);
    if (!parsed || !parsed->is_object()) {
      out.error = "not a JSON object";
      return out;
    }
    const nlohmann::json& j = *parsed;
    for (const auto& k : keys) {
      const nlohmann::json* v = nullptr;
      if (k.starts_with('/')) {
        try {
          const nlohmann::json::json_pointer ptr(k);
          if (j.contains(ptr)) v = &j.at(ptr);
        } catch (const nlohmann::json::exception&) {
          out.error = "invalid JSON path '" + k + "'";
          return out;
        }
      } else if (auto it = j.find(k); it != j.end()) {
        v = &*it;
      }
      if (!v) {
        out.error = "missing key '" + k + "'";
        return out;
      }
      out.owned.push_back(v->is_string() ? v->get<std::string>() : v->dump());
    }
    if (keys.size() < n || (options.count == Count::exact && keys.size() != n)) {
      out.error = "spec lists " + std::to_string(keys.size()) + " keys for " + std::to_string(n) + " steps";
      return out;
    }
    for (std::size_t k = 0; k < n; ++k) out.spans.push_back(Span{s.begin, s.end, out.owned[k]});
    return out;
  }
  nlohmann::json spec() const { return {{"json_keys", keys}, {"options", detail::options_json(options)}}; }
};

/// Two segments by position: the first line or paragraph, and the rest.
struct Positional {
  enum Unit { line, paragraph } unit = line;
  SegmentOptions options{};
  Segments segment(const Span& s, std::size_t n) const {
    const std::string_view text = py_strip(s.text);
    const std::size_t off = s.begin + static_cast<std::size_t>(text.data() - s.text.data());
    const auto k = text.find(unit == line ? "\n" : "\n\n");
    std::vector<std::pair<std::size_t, std::size_t>> pieces;
    if (!text.empty()) pieces.emplace_back(off, k == std::string_view::npos ? off + text.size() : off + k);
    if (k != std::string_view::npos) pieces.emplace_back(off + k + (unit == line ? 1 : 2), off + text.size());
    return detail::finish(s, std::move(pieces), n, options,
                          unit == line ? "first line / rest" : "first paragraph / rest");
  }
  nlohmann::json spec() const {
    return {{"positional", unit == line ? "line" : "paragraph"}, {"options", detail::options_json(options)}};
  }
};

/// A value a Chain step binds from its segment for later leaves (contract §3, captures).
/// Exactly one source: `list_item` (1-based top-level list item), `json_field` (top-level key of
/// the segment parsed as a JSON object), or `regex` with `group`.
struct Capture {
  std::string var;
  int list_item = 0;
  std::string json_field{};
  std::string regex{};
  int group = 1;

  std::optional<std::string> extract(std::string_view seg) const;
  nlohmann::json spec() const {
    nlohmann::json j{{"var", var}};
    if (list_item)
      j["list_item"] = list_item;
    else if (!json_field.empty())
      j["json_field"] = json_field;
    else
      j["regex"] = regex, j["group"] = group;
    return j;
  }
};

} // namespace raif

#include <re2/re2.h>

namespace raif {

inline std::optional<std::string> Capture::extract(std::string_view seg) const {
  if (list_item > 0) {
    const auto items = ListItems{.options = {.count = Count::at_least}}.segment(Span{0, seg.size(), seg},
                                                                                static_cast<std::size_t>(list_item));
    if (!items.ok()) return std::nullopt;
    return std::string(items.spans[static_cast<std::size_t>(list_item - 1)].text);
  }
  if (!json_field.empty()) {
    const auto parts = JsonKeys{.keys = {json_field}}.segment(Span{0, seg.size(), seg}, 1);
    if (!parts.ok()) return std::nullopt;
    return parts.owned[0];
  }
  RE2::Options quiet;
  quiet.set_log_errors(false);
  RE2 re(regex, quiet);
  if (!re.ok()) throw error("raif: capture '" + var + "': invalid regex '" + regex + "': " + re.error());
  if (group < 0 || group > re.NumberOfCapturingGroups())
    throw error("raif: capture '" + var + "': regex '" + regex + "' has no group " + std::to_string(group));
  std::vector<re2::StringPiece> m(static_cast<std::size_t>(group) + 1);
  if (!re.Match(re2::StringPiece(seg.data(), seg.size()), 0, seg.size(), RE2::UNANCHORED, m.data(), group + 1))
    return std::nullopt;
  return std::string(m[static_cast<std::size_t>(group)].data(), m[static_cast<std::size_t>(group)].size());
}

} // namespace raif
