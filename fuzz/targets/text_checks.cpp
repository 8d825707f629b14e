// Arbitrary bytes (not necessarily UTF-8) through the text utilities and every IFEval check.
// The input drives one IFEval constraint: which one, then each of its kwargs (absent, null, of the
// wrong type, or of its type with a value drawn from the input); the rest of the bytes is the
// response. The response also goes through the text utilities (UTF-8, words, Punkt sentences,
// Treebank tokens, language id, JSON validity, case, strip/split, a pattern from the input).
// Building may reject kwargs (raif::error); checking a response never throws.
#include "fuzz.hpp"

#include <raif/constraint/ifeval.hpp>
#include <raif/eval/ifeval.hpp>
#include <raif/text/json_validity.hpp>
#include <raif/text/langdetect.hpp>
#include <raif/text/pattern.hpp>
#include <raif/text/punkt.hpp>
#include <raif/text/split.hpp>
#include <raif/text/strip.hpp>
#include <raif/text/treebank.hpp>
#include <raif/text/words.hpp>

#include <boost/hana/accessors.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/second.hpp>

namespace {

using raif::fuzz::no_throw;

template <class T> nlohmann::json value_of(FuzzedDataProvider& in) {
  if constexpr (raif::detail::is_optional<T>::value) {
    return value_of<typename T::value_type>(in);
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    return in.ConsumeBool() ? in.ConsumeIntegralInRange<std::int64_t>(-2, 40) : in.ConsumeIntegral<std::int64_t>();
  } else if constexpr (std::is_same_v<T, raif::Relation>) {
    static const char* const names[] = {"less than", "at least", "more than", ""};
    return names[in.ConsumeIntegralInRange(0, 3)];
  } else if constexpr (std::is_same_v<T, std::string>) {
    // Language codes are a closed set: a random string would almost never name one.
    static const char* const common[] = {"en", "de", "fr", "ja", "zh-cn", "ru", "ar", "hi", "P.S.", "SECTION", "*"};
    if (in.ConsumeIntegralInRange(0, 3) == 0) return common[in.ConsumeIntegralInRange(0, 10)];
    return in.ConsumeRandomLengthString(24);
  } else {
    static_assert(std::is_same_v<T, std::vector<std::string>>, "a new kwarg type: draw its values here");
    nlohmann::json a = nlohmann::json::array();
    for (int n = in.ConsumeIntegralInRange(0, 3); n > 0; --n) a.push_back(in.ConsumeRandomLengthString(16));
    return a;
  }
}

// One kwarg: absent (nothing added), null, a value of another type, or one of its type.
template <class T> void add_kwarg(nlohmann::json& kw, const char* name, FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange(0, 7)) {
  case 0: return;
  case 1: kw[name] = nullptr; return;
  case 2: kw[name] = in.ConsumeBool() ? nlohmann::json(in.ConsumeFloatingPoint<double>()) : nlohmann::json("7"); return;
  default: kw[name] = value_of<T>(in);
  }
}

// An IFEval constraint chosen and parameterised by the input; empty if its kwargs were rejected.
raif::AnyConstraint draw_constraint(FuzzedDataProvider& in) {
  const auto which = in.ConsumeIntegralInRange<std::size_t>(0, 24);
  std::string id;
  nlohmann::json kw = nlohmann::json::object();
  std::size_t k = 0;
  boost::hana::for_each(raif::ifeval_constraint_types, [&](auto t) {
    using C = typename decltype(t)::type;
    if (k++ != which) return;
    id = C::id;
    if constexpr (raif::has_params<C>)
      boost::hana::for_each(boost::hana::accessors<C>(), [&](auto pair) {
        using T = std::remove_cvref_t<decltype(boost::hana::second(pair)(std::declval<C&>()))>;
        add_kwarg<T>(kw, boost::hana::to<char const*>(boost::hana::first(pair)), in);
      });
  });
  if (in.ConsumeIntegralInRange(0, 15) == 0) kw["unknown"] = 1;
  raif::AnyConstraint c;
  raif::fuzz::guard([&] { c = raif::Registry::ifeval().make(id, kw); });
  return c;
}

void text_utilities(std::string_view s, std::string_view pattern, bool ignore_case) {
  const raif::Text t(s);
  const std::u32string& cs = t.chars();
  if (raif::utf8_valid(s) && raif::utf8_encode(cs) != s) {
    std::fprintf(stderr, "raif fuzz: valid UTF-8 does not survive decode + encode\n");
    std::abort();
  }
  (void)raif::count_words(cs);
  (void)raif::count_sentences(cs);
  (void)raif::count_upper_tokens(cs);
  (void)raif::word_tokenize(cs);
  (void)raif::detect_language(t);
  (void)raif::python_json_valid(s);
  (void)raif::py_isupper(t.lower());
  (void)raif::py_islower(cs);
  (void)raif::py_strip(s);
  (void)raif::py_strip(std::u32string_view(cs));
  (void)raif::loose_candidates(s);
  if (!pattern.empty()) (void)raif::py_split(s, pattern);
  raif::PyPattern p;
  if (raif::fuzz::guard([&] { p = raif::PyPattern(std::string(pattern), ignore_case); })) {
    (void)p.search(t);
    (void)p.count(t);
    raif::fuzz::guard([&] { (void)p.search_word(t); }); // a regex runs as \b + pattern + \b
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const raif::AnyConstraint c = draw_constraint(in);
  const std::string pattern = in.ConsumeRandomLengthString(12);
  const bool ignore_case = in.ConsumeBool();
  const std::string response = in.ConsumeRemainingBytesAsString();
  no_throw([&] {
    if (c) {
      (void)c.check(raif::Text(response));
      (void)c.describe();
      (void)raif::Registry::ifeval().make(c.id(), c.kwargs()); // its kwargs read back
    }
    text_utilities(response, pattern, ignore_case);
  });
  return 0;
}
