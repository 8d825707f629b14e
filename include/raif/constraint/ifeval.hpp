#pragma once
/// @file
/// The 25 IFEval constraints, with exactly the semantics of Google's checker
/// (../shared/ifeval/SPEC.md; differences and decisions: docs/ifeval-conformance.md).

#include <raif/constraint/any_constraint.hpp>
#include <raif/constraint/change_case.hpp>
#include <raif/constraint/combination.hpp>
#include <raif/constraint/content.hpp>
#include <raif/constraint/format.hpp>
#include <raif/constraint/keywords.hpp>
#include <raif/constraint/language.hpp>
#include <raif/constraint/length.hpp>
#include <raif/constraint/punctuation.hpp>
#include <raif/constraint/startend.hpp>

#include <boost/hana/for_each.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

namespace raif {

/// The IFEval constraint types, as a compile-time list (boost::hana types).
inline constexpr auto ifeval_constraint_types =
    boost::hana::tuple_t<Keywords, KeywordFrequency, ForbiddenWords, LetterFrequency, ResponseLanguage,
                         NumberOfSentences, NumberOfParagraphs, NumberOfWords, NthParagraphFirstWord,
                         NumberOfPlaceholders, Postscript, NumberOfBullets, ConstrainedResponse, NumberOfHighlights,
                         MultipleSections, JsonFormat, Title, TwoResponses, RepeatPrompt, EndPhrase, Quotation,
                         CapitalWordFrequency, EnglishCapital, EnglishLowercase, NoComma>;

#if RAIF_DETAIL_REGISTRY_BODIES
RAIF_DETAIL_REGISTRY_INLINE const Registry& Registry::ifeval() {
  static const Registry r = [] {
    Registry reg;
    boost::hana::for_each(ifeval_constraint_types, [&](auto t) { reg.add<typename decltype(t)::type>(); });
    return reg;
  }();
  return r;
}
#endif

} // namespace raif
