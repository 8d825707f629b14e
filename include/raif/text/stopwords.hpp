#pragma once
/// @file
/// NLTK's English stop-word list, the one IFBench's ratio:stop_words counts.
/// Data: NLTK corpora/stopwords English list of 2025-02-20, 198 words in NLTK's order (NLTK's README: from the Snowball
/// stop-word files in PostgreSQL, BSD licence; augmented in nltk/nltk_data#22); copy: ../shared/ifbench/data/.

#include <array>
#include <string_view>
#include <unordered_set>

namespace raif {

namespace detail {
// clang-format off
inline constexpr std::array<std::u32string_view, 198> english_stop_words = {
    U"a", U"about", U"above", U"after", U"again", U"against", U"ain", U"all", U"am", U"an", U"and", U"any", U"are",
    U"aren", U"aren't", U"as", U"at", U"be", U"because", U"been", U"before", U"being", U"below", U"between", U"both",
    U"but", U"by", U"can", U"couldn", U"couldn't", U"d", U"did", U"didn", U"didn't", U"do", U"does", U"doesn",
    U"doesn't", U"doing", U"don", U"don't", U"down", U"during", U"each", U"few", U"for", U"from", U"further", U"had",
    U"hadn", U"hadn't", U"has", U"hasn", U"hasn't", U"have", U"haven", U"haven't", U"having", U"he", U"he'd",
    U"he'll", U"her", U"here", U"hers", U"herself", U"he's", U"him", U"himself", U"his", U"how", U"i", U"i'd", U"if",
    U"i'll", U"i'm", U"in", U"into", U"is", U"isn", U"isn't", U"it", U"it'd", U"it'll", U"it's", U"its", U"itself",
    U"i've", U"just", U"ll", U"m", U"ma", U"me", U"mightn", U"mightn't", U"more", U"most", U"mustn", U"mustn't",
    U"my", U"myself", U"needn", U"needn't", U"no", U"nor", U"not", U"now", U"o", U"of", U"off", U"on", U"once",
    U"only", U"or", U"other", U"our", U"ours", U"ourselves", U"out", U"over", U"own", U"re", U"s", U"same", U"shan",
    U"shan't", U"she", U"she'd", U"she'll", U"she's", U"should", U"shouldn", U"shouldn't", U"should've", U"so",
    U"some", U"such", U"t", U"than", U"that", U"that'll", U"the", U"their", U"theirs", U"them", U"themselves",
    U"then", U"there", U"these", U"they", U"they'd", U"they'll", U"they're", U"they've", U"this", U"those",
    U"through", U"to", U"too", U"under", U"until", U"up", U"ve", U"very", U"was", U"wasn", U"wasn't", U"we", U"we'd",
    U"we'll", U"we're", U"were", U"weren", U"weren't", U"we've", U"what", U"when", U"where", U"which", U"while",
    U"who", U"whom", U"why", U"will", U"with", U"won", U"won't", U"wouldn", U"wouldn't", U"y", U"you", U"you'd",
    U"you'll", U"your", U"you're", U"yours", U"yourself", U"yourselves", U"you've",
};
// clang-format on
} // namespace detail

/// True iff `lowered_token` is one of NLTK's 198 English stop words (exact, case-sensitive
/// comparison: lower-case the token first, as NLTK's users do with str.lower()).
inline bool is_english_stop_word(std::u32string_view lowered_token) {
  static const std::unordered_set<std::u32string_view> set(detail::english_stop_words.begin(),
                                                           detail::english_stop_words.end());
  return set.count(lowered_token) != 0;
}

} // namespace raif
