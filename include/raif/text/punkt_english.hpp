#pragma once
/// @file
/// NLTK's trained English Punkt model, embedded: what `nltk.sent_tokenize(text)` uses, and what
/// the IFBench checker and the published IFEval numbers were computed with. Data: NLTK's
/// punkt_tab/english (Apache-2.0), generated into detail/punkt_english_data.hpp by
/// tools/gen_punkt_english.py.

#include <raif/text/detail/punkt_english_data.hpp>
#include <raif/text/punkt.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace raif {

namespace detail {
// Calls f(line) for each line of the embedded text chunks (each line ends with '\n').
template <std::size_t N, class F> void for_each_data_line(const std::string_view (&chunks)[N], F&& f) {
  for (std::string_view chunk : chunks)
    for (std::size_t nl; (nl = chunk.find('\n')) != std::string_view::npos; chunk.remove_prefix(nl + 1))
      f(chunk.substr(0, nl));
}
// "a\tb" -> {"a", "b"}.
inline std::pair<std::string, std::string> split_tab(std::string_view line) {
  const auto tab = line.find('\t');
  return {std::string(line.substr(0, tab)), std::string(line.substr(tab + 1))};
}
} // namespace detail

/// The trained English Punkt parameters (built once, on first use; thread-safe).
inline const PunktParameters& english_punkt() {
  static const PunktParameters params = [] {
    namespace data = detail::punkt_english;
    PunktParameters p;
    detail::for_each_data_line(data::abbrev_types, [&](std::string_view t) { p.abbrev_types.emplace(t); });
    detail::for_each_data_line(data::sent_starters, [&](std::string_view t) { p.sent_starters.emplace(t); });
    detail::for_each_data_line(data::collocations, [&](std::string_view l) { p.collocations.insert(detail::split_tab(l)); });
    detail::for_each_data_line(data::ortho_context, [&](std::string_view l) {
      auto [type, flags] = detail::split_tab(l);
      p.ortho_context.emplace(std::move(type), std::stoi(flags));
    });
    return p;
  }();
  return params;
}

/// nltk.sent_tokenize(text): the sentences of `text` by the trained English model, as views into it.
inline std::vector<std::u32string_view> english_sentences(std::u32string_view text) {
  std::vector<std::u32string_view> out;
  for (const auto& [b, e] : punkt_sentence_spans(text, english_punkt())) out.push_back(text.substr(b, e - b));
  return out;
}

} // namespace raif
