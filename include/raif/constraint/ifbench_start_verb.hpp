#pragma once
/// @file
/// IFBench words:start_verb, with the official checker's semantics (../shared/ifbench/SPEC.md
/// §3.24): NLTK's word_tokenize (§2.5) and NLTK 3.9.2's English pos_tag (§2.6). A header of its own
/// so that only the translation units that use it compile the embedded tagger model.

#include <raif/constraint/constraint.hpp>
#include <raif/text/pos_tag.hpp>
#include <raif/text/punkt.hpp>
#include <raif/text/punkt_english.hpp>
#include <raif/text/treebank.hpp>

#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace raif {

namespace detail::ifbench_start_verb {
// The first `count` (or more) tokens of nltk.word_tokenize(text): word_tokenize's own steps (Punkt
// sentences, then the Treebank tokenizer on each), stopped once enough tokens are out, so a long
// response is split into sentences but only its first sentence(s) are tokenized.
inline std::vector<std::u32string> first_tokens(std::u32string_view text, std::size_t count) {
  std::vector<std::u32string> tokens;
  for (const auto& [b, e] : punkt_sentence_spans(text, english_punkt())) {
    const std::u32string t = treebank::tokenize_sentence(std::u32string(text.substr(b, e - b)));
    for_each_py_word(t, [&](std::u32string_view w) { tokens.emplace_back(w); });
    if (tokens.size() >= count) break;
  }
  return tokens;
}
} // namespace detail::ifbench_start_verb

/// words:start_verb — the first token of NLTK's word_tokenize(T) gets a verb tag (VB, VBD, VBG,
/// VBN, VBP, VBZ) from NLTK's pos_tag, which looks at it and the next two tokens; no token fails.
/// As officially, imperatives the tagger reads as nouns fail (`Be kind.`, `List three items.`)
/// and markdown emphasis is a token of its own (`**Write**` starts with `*`).
struct StartWithVerb {
  static constexpr std::string_view id = "words:start_verb";

  bool check(const Text& t) const {
    const auto tokens = detail::ifbench_start_verb::first_tokens(t.chars(), 3);
    return pos_tag_first(tokens).find("VB") != std::string_view::npos;
  }
  std::string describe() const { return "Make the very first word of your response a verb."; }
};

/// The words:start_verb constraint type of IFBench, as a compile-time list.
inline constexpr auto ifbench_start_verb_types = boost::hana::tuple_t<StartWithVerb>;

} // namespace raif
