#pragma once
/// @file
/// Compile-time lists of named models, and choosing one by name at run time.
///
/// A stage list is a Boost.Hana tuple of `Named<T>`: a name, a prototype value and a one-line doc.
/// `choose(list, name, key)` returns the chosen prototype as a `Chosen<AnyOf<List>>`: a
/// std::variant of the list's types (duplicates allowed: GRPO and Dr.GRPO are both GroupNorm)
/// whose call operator visits the alternative. It models whatever concept every alternative
/// models, is dispatched once per call, and compiles each model once, not once per combination
/// of stages. An unknown name is an error that lists the valid ones.
///
///   auto estimators = boost::hana::append(raif::stages::estimators(),          // one line adds
///                                         raif::Named<MyEstimator>{"mine", {}, "my estimator"});
///   auto a = raif::choose(estimators, "mine", "grpo.estimator");               // Chosen<...>
///   Eigen::ArrayXd adv = a(input);                                             // MyEstimator's

#include <raif/error.hpp>

#include <boost/hana/at.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/tuple.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace raif {

/// One model of a stage list.
template <class T> struct Named {
  using type = T;
  std::string_view name;
  T value{};
  std::string_view doc;
};

namespace detail {
template <class List> struct any_of;
template <class... N> struct any_of<boost::hana::tuple<N...>> { using type = std::variant<typename N::type...>; };
} // namespace detail

/// The variant of the types of `List` (a hana::tuple of Named<T>).
template <class List> using AnyOf = typename detail::any_of<std::remove_cvref_t<List>>::type;

/// A model chosen at run time: the variant, callable like its alternatives.
template <class Variant> struct Chosen : Variant {
  using Variant::Variant;
  Chosen(Variant v) : Variant(std::move(v)) {}
  template <class... Args> decltype(auto) operator()(Args&&... args) const {
    return std::visit([&](const auto& model) -> decltype(auto) { return model(std::forward<Args>(args)...); },
                      static_cast<const Variant&>(*this));
  }
  const Variant& variant() const { return *this; }
  Variant& variant() { return *this; }
};

namespace detail {
template <class T> struct is_chosen : std::false_type {};
template <class V> struct is_chosen<Chosen<V>> : std::true_type {};
} // namespace detail

/// `f(model)` for a plain model, or for the alternative a Chosen holds.
template <class Stage, class F> decltype(auto) visit_model(const Stage& stage, F&& f) {
  if constexpr (detail::is_chosen<Stage>::value)
    return std::visit(std::forward<F>(f), stage.variant());
  else
    return std::forward<F>(f)(stage);
}

/// The names of a list, comma-separated (for errors and docs).
template <class List> std::string names(const List& list) {
  std::string out;
  boost::hana::for_each(list, [&](const auto& n) { out += (out.empty() ? "" : ", ") + std::string(n.name); });
  return out;
}

/// The model called `name` in `list`; `key` (the config key) names the choice in errors.
template <class List> Chosen<AnyOf<List>> choose(const List& list, std::string_view name, std::string_view key) {
  constexpr std::size_t size = decltype(boost::hana::length(list))::value;
  std::optional<AnyOf<List>> out;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((!out && boost::hana::at_c<I>(list).name == name
          ? void(out.emplace(std::in_place_index<I>, boost::hana::at_c<I>(list).value))
          : void()),
     ...);
  }
  (std::make_index_sequence<size>{});
  if (!out)
    throw error("raif: config: " + std::string(key) + " = \"" + std::string(name) +
                "\" is not a model of this stage (" + names(list) + ")");
  return Chosen<AnyOf<List>>(std::move(*out));
}

} // namespace raif
