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
#include <vector>

namespace raif {

/// The trained English Punkt parameters (built once, on first use; thread-safe).
inline const PunktParameters& english_punkt() {
  static const PunktParameters params = [] {
    namespace data = detail::punkt_english;
    PunktParameters p;
    for (auto t : data::abbrev_types) p.abbrev_types.emplace(t);
    for (auto t : data::sent_starters) p.sent_starters.emplace(t);
    for (const auto& c : data::collocations) p.collocations.emplace(std::string(c.first), std::string(c.second));
    for (const auto& o : data::ortho_context) p.ortho_context.emplace(std::string(o.type), o.flags);
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
