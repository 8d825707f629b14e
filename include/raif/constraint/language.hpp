#pragma once

#include <raif/constraint/constraint.hpp>
#include <raif/text/langdetect.hpp>

#include <array>
#include <string>

namespace raif {

namespace detail {
// The codes IFEval's language checker accepts, with the names it uses in its instruction text.
inline constexpr std::array<std::pair<std::string_view, std::string_view>, 30> ifeval_languages = {{
    {"en", "English"}, {"es", "Spanish"},    {"pt", "Portuguese"}, {"ar", "Arabic"},    {"hi", "Hindi"},
    {"fr", "French"},  {"ru", "Russian"},    {"de", "German"},     {"ja", "Japanese"},  {"it", "Italian"},
    {"bn", "Bengali"}, {"uk", "Ukrainian"},  {"th", "Thai"},       {"ur", "Urdu"},      {"ta", "Tamil"},
    {"te", "Telugu"},  {"bg", "Bulgarian"},  {"ko", "Korean"},     {"pl", "Polish"},    {"he", "Hebrew"},
    {"fa", "Persian"}, {"vi", "Vietnamese"}, {"ne", "Nepali"},     {"sw", "Swahili"},   {"kn", "Kannada"},
    {"mr", "Marathi"}, {"gu", "Gujarati"},   {"pa", "Punjabi"},    {"ml", "Malayalam"}, {"fi", "Finnish"},
}};
} // namespace detail

/// language:response_language — langdetect (seed 0) identifies the response as `language`. Text
/// with no usable n-grams (digits, punctuation, URLs only) counts as followed, as in IFEval.
struct ResponseLanguage {
  static constexpr std::string_view id = "language:response_language";
  BOOST_HANA_DEFINE_STRUCT(ResponseLanguage, (std::string, language));

  void validate() const {
    for (const auto& [code, name] : detail::ifeval_languages)
      if (code == language) return;
    std::string codes;
    for (const auto& [code, name] : detail::ifeval_languages) {
      if (!codes.empty()) codes += ' ';
      codes += code;
    }
    throw error("raif: instruction 'language:response_language': kwarg 'language' = \"" + language +
                "\" is not one of the supported ISO 639-1 codes: " + codes);
  }
  bool check(const Text& t) const {
    const auto lang = detect_language(t);
    return !lang || *lang == language;
  }
  std::string describe() const {
    std::string name = language;
    for (const auto& [code, n] : detail::ifeval_languages)
      if (code == language) name = n;
    return "Your entire response should be in " + name + ", no other language is allowed.";
  }
};

} // namespace raif
