#pragma once
/// @file
/// Answer extraction and the format check for chat templates (method.md §2): the answer is the
/// text of the last <answer>…</answer>, or, for think-only templates (DeepSeek-R1 style), the text
/// after </think>. Tag names are configurable.

#include <raif/text/strip.hpp>

#include <string>
#include <string_view>

namespace raif {

struct ChatTemplate {
  std::string think_open = "<think>", think_close = "</think>";
  std::string answer_open = "<answer>", answer_close = "</answer>";
  bool think_only = false; ///< no answer tags: the answer is what follows the think block
  bool plain = false;      ///< no template: the whole response is the answer (always well formed)
};

/// The parts of a response.
struct Extraction {
  bool well_formed = false; ///< exactly one think block, then (for tagged templates) exactly one answer block
  std::string_view think;   ///< the reasoning text (inside the think tags)
  std::string_view answer;  ///< the answer text; the last <answer> block even when malformed
  std::size_t answer_offset = 0;
  std::string why; ///< why it is not well formed
};

namespace detail {
inline std::size_t count_of(std::string_view s, std::string_view t) {
  std::size_t n = 0;
  for (std::size_t k = s.find(t); k != std::string_view::npos; k = s.find(t, k + t.size())) ++n;
  return n;
}
} // namespace detail

/// Splits a response into think and answer parts and checks the format: nothing but whitespace
/// before <think>, between </think> and <answer>, and after </answer>.
inline Extraction extract_answer(std::string_view r, const ChatTemplate& t = {}) {
  Extraction e;
  if (t.plain) {
    e.well_formed = true;
    e.answer = r;
    return e;
  }
  const std::string_view s = py_strip(r);
  // The answer (even for malformed responses: callers may still want to look at it).
  if (t.think_only) {
    const auto c = r.rfind(t.think_close);
    if (c != std::string_view::npos) {
      e.answer_offset = c + t.think_close.size();
      e.answer = r.substr(e.answer_offset);
    }
  } else {
    const auto o = r.rfind(t.answer_open);
    if (o != std::string_view::npos) {
      const auto c = r.find(t.answer_close, o + t.answer_open.size());
      e.answer_offset = o + t.answer_open.size();
      e.answer = r.substr(e.answer_offset, c == std::string_view::npos ? std::string_view::npos : c - e.answer_offset);
    }
  }
  auto fail = [&](std::string why) {
    e.why = std::move(why);
    return e;
  };
  if (detail::count_of(s, t.think_open) != 1 || detail::count_of(s, t.think_close) != 1)
    return fail("needs exactly one " + t.think_open + "…" + t.think_close);
  if (!s.starts_with(t.think_open)) return fail("text before " + t.think_open);
  const auto tc = s.find(t.think_close);
  e.think = s.substr(t.think_open.size(), tc - t.think_open.size());
  std::string_view rest = s.substr(tc + t.think_close.size());
  if (t.think_only) {
    if (py_strip(rest).empty()) return fail("no answer after " + t.think_close);
    e.well_formed = true;
    return e;
  }
  if (detail::count_of(s, t.answer_open) != 1 || detail::count_of(s, t.answer_close) != 1)
    return fail("needs exactly one " + t.answer_open + "…" + t.answer_close);
  rest = py_strip(rest);
  if (!rest.starts_with(t.answer_open)) return fail("text between " + t.think_close + " and " + t.answer_open);
  if (!rest.ends_with(t.answer_close)) return fail("text after " + t.answer_close);
  e.well_formed = true;
  return e;
}

} // namespace raif
