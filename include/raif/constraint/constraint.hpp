#pragma once
/// @file
/// The `constraint` concept: one verifiable property of a response.
///
/// Definition: a type C with
///  - `static constexpr std::string_view id` — a stable id (IFEval's, e.g. "punctuation:no_comma");
///  - `bool check(const raif::Text&) const` or `bool check(const raif::Text&, const raif::Context&) const`;
///  - `std::string describe() const` — the instruction it stands for, in plain words.
/// Parameters are ordinary members declared with BOOST_HANA_DEFINE_STRUCT, which gives JSON kwargs
/// for free (see params.hpp); an optional `void validate() const` rejects impossible values.
/// Laws: check is a pure function of (parameters, text, context); describe names every parameter.
/// Models: the 25 IFEval constraints (constraint/ifeval.hpp), user types (examples/custom_constraint.cpp).

#include <raif/constraint/params.hpp>
#include <raif/text/text.hpp>

#include <nlohmann/json.hpp>

#include <concepts>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace raif {

class Judge;
struct PunktParameters;

/// What a check may consult besides the response: the prompt, the item's context fields, values
/// captured by earlier Chain steps, a judge for judge-verified leaves, and the Punkt parameters of
/// the constraints that split sentences.
struct Context {
  std::string_view prompt;
  const nlohmann::json* fields = nullptr;
  const std::map<std::string, std::string, std::less<>>* vars = nullptr;
  const Judge* judge = nullptr;
  /// Punkt parameters for IFEval's number_sentences and capital_word_frequency; nullptr means
  /// NLTK's trained English model (english_punkt()), which the published IFEval numbers used.
  /// Point it at a `PunktParameters{}` for NLTK's untrained tokenizer (docs/ifeval-conformance.md).
  const PunktParameters* punkt = nullptr;

  /// A captured value, if a Chain step bound it.
  std::optional<std::string_view> var(std::string_view name) const {
    if (!vars) return std::nullopt;
    auto it = vars->find(name);
    if (it == vars->end()) return std::nullopt;
    return std::string_view(it->second);
  }
};

namespace detail {
template <class C>
concept checks_text = requires(const C& c, const Text& t) {
  { c.check(t) } -> std::convertible_to<bool>;
};
template <class C>
concept checks_text_in_context = requires(const C& c, const Text& t, const Context& x) {
  { c.check(t, x) } -> std::convertible_to<bool>;
};
template <class C>
concept reads_vars = requires(const C& c) {
  { c.reads() } -> std::convertible_to<std::vector<std::string>>;
};
template <class C>
concept has_id = requires {
  { C::id } -> std::convertible_to<std::string_view>;
};
template <class C>
concept describable = requires(const C& c) {
  { c.describe() } -> std::convertible_to<std::string>;
};
} // namespace detail

template <class C>
concept constraint = detail::has_id<C> && detail::describable<C> &&
    (detail::checks_text<C> || detail::checks_text_in_context<C>);

/// Checks c on a text; the context is passed to constraints that take one.
template <class C> bool check(const C& c, const Text& t, const Context& x = {}) {
  static_assert(detail::has_id<C>,
                "raif: a constraint needs `static constexpr std::string_view id = \"family:name\";`");
  static_assert(detail::describable<C>,
                "raif: a constraint needs `std::string describe() const` (the instruction in words)");
  static_assert(detail::checks_text<C> || detail::checks_text_in_context<C>,
                "raif: a constraint needs `bool check(const raif::Text&) const` (or with a `const raif::Context&`)");
  if constexpr (detail::checks_text_in_context<C>)
    return c.check(t, x);
  else
    return c.check(t);
}

} // namespace raif
