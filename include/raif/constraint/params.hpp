#pragma once
// Parameters are declared once, with BOOST_HANA_DEFINE_STRUCT inside the constraint; reading them
// from IFEval kwargs JSON and writing them back follow from that declaration. Errors name the
// instruction id, the field and the bad value.

#include <raif/constraint/relation.hpp>
#include <raif/error.hpp>

#include <boost/hana/accessors.hpp>
#include <boost/hana/at_key.hpp>
#include <boost/hana/concept/struct.hpp>
#include <boost/hana/define_struct.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/keys.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/second.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace raif {

/// A parameter that must be written as a JSON integer (`3`, not `3.0`): list and slice indices, for
/// which the official IFBench checker raises TypeError on a float. Other integer parameters accept
/// whole floats, as IFBench's data writes most counts as `5.0`.
struct Index {
  std::int64_t value = 0;
  friend bool operator==(const Index&, const Index&) = default;
};

namespace detail {
template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};

[[noreturn]] inline void bad_kwarg(std::string_view id, std::string_view field, const nlohmann::json& v,
                                   std::string_view want) {
  throw error("raif: instruction '" + std::string(id) + "': kwarg '" + std::string(field) + "' = " + v.dump() +
              " is not " + std::string(want));
}

// A double that converts to int64 exactly (3.0, not 3.5, nan or 1e300: converting those is UB).
inline bool whole_int64(double d) noexcept {
  return d >= -0x1p63 && d < 0x1p63 && d == static_cast<double>(static_cast<std::int64_t>(d));
}

template <class T> void read_value(std::string_view id, std::string_view field, const nlohmann::json& v, T& out) {
  if constexpr (std::is_same_v<T, std::int64_t>) {
    if (v.is_number_integer())
      out = v.get<std::int64_t>();
    else if (v.is_number_float() && whole_int64(v.get<double>()))
      out = static_cast<std::int64_t>(v.get<double>());
    else
      bad_kwarg(id, field, v, "an integer");
  } else if constexpr (std::is_same_v<T, Index>) {
    if (!v.is_number_integer()) bad_kwarg(id, field, v, "a JSON integer (an index: 3, not 3.0)");
    out.value = v.get<std::int64_t>();
  } else if constexpr (std::is_same_v<T, double>) {
    if (!v.is_number()) bad_kwarg(id, field, v, "a number");
    out = v.get<double>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) bad_kwarg(id, field, v, "a string");
    out = v.get<std::string>();
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    if (!v.is_array()) bad_kwarg(id, field, v, "a list of strings");
    out.clear();
    for (const auto& e : v) {
      if (!e.is_string()) bad_kwarg(id, field, v, "a list of strings");
      out.push_back(e.get<std::string>());
    }
  } else if constexpr (std::is_same_v<T, Relation>) {
    if (v == "less than")
      out = Relation::less_than;
    else if (v == "at least")
      out = Relation::at_least;
    else
      bad_kwarg(id, field, v, "\"less than\" or \"at least\"");
  } else if constexpr (is_optional<T>::value) {
    typename T::value_type x{};
    read_value(id, field, v, x);
    out = std::move(x);
  } else {
    static_assert(sizeof(T) == 0, "raif: unsupported parameter type; use std::int64_t, raif::Index, double, std::string, "
                                  "std::vector<std::string>, raif::Relation or std::optional of one");
  }
}

template <class T> nlohmann::json write_value(const T& v) {
  if constexpr (std::is_same_v<T, Relation>)
    return std::string(to_string(v));
  else if constexpr (std::is_same_v<T, Index>)
    return v.value;
  else if constexpr (is_optional<T>::value)
    return v ? write_value(*v) : nlohmann::json(nullptr);
  else
    return v;
}
} // namespace detail

/// True for a type whose parameters are declared with BOOST_HANA_DEFINE_STRUCT.
template <class C> inline constexpr bool has_params = boost::hana::Struct<C>::value;

/// Number of declared parameters (0 for a type without BOOST_HANA_DEFINE_STRUCT).
template <class C> constexpr std::size_t param_count() {
  if constexpr (has_params<C>)
    return decltype(boost::hana::length(boost::hana::accessors<C>()))::value;
  else
    return 0;
}

/// Builds C from IFEval-style kwargs. A JSON null counts as absent, also for a key C does not have
/// (redistributions of IFEval list every kwarg of every id, mostly null); an absent parameter is an
/// error unless it is a std::optional; an unknown key with a value is an error.
template <class C> C from_kwargs(const nlohmann::json& kwargs) {
  const std::string_view id = C::id;
  if (!kwargs.is_null() && !kwargs.is_object())
    throw error("raif: instruction '" + std::string(id) + "': kwargs must be a JSON object, got " + kwargs.dump());
  C c{};
  std::size_t used = 0;
  if constexpr (has_params<C>) {
    boost::hana::for_each(boost::hana::accessors<C>(), [&](auto pair) {
      const std::string_view name = boost::hana::to<char const*>(boost::hana::first(pair));
      auto& field = boost::hana::second(pair)(c);
      using T = std::remove_cvref_t<decltype(field)>;
      const nlohmann::json* v = nullptr;
      if (kwargs.is_object()) {
        auto it = kwargs.find(std::string(name));
        if (it != kwargs.end()) {
          ++used;
          if (!it->is_null()) v = &*it;
        }
      }
      if (v)
        detail::read_value(id, name, *v, field);
      else if constexpr (!detail::is_optional<T>::value)
        throw error("raif: instruction '" + std::string(id) + "': missing kwarg '" + std::string(name) + "'");
    });
  }
  if (kwargs.is_object() && used != kwargs.size()) {
    for (const auto& item : kwargs.items()) { // not a structured binding: Clang 14 cannot capture one
      const std::string& k = item.key();
      if (item.value().is_null()) continue; // absent, even where C has no such parameter
      bool known = false;
      if constexpr (has_params<C>)
        boost::hana::for_each(boost::hana::keys(c),
                              [&](auto key) { known = known || k == boost::hana::to<char const*>(key); });
      if (!known) {
        std::string names;
        if constexpr (has_params<C>)
          boost::hana::for_each(boost::hana::keys(c), [&](auto key) {
            if (!names.empty()) names += ", ";
            names += boost::hana::to<char const*>(key);
          });
        throw error("raif: instruction '" + std::string(id) + "': unknown kwarg '" + k +
                    "' (expected: " + (names.empty() ? std::string("none") : names) + ")");
      }
    }
  }
  if constexpr (requires { c.validate(); }) c.validate();
  return c;
}

/// Writes C's parameters as IFEval-style kwargs (absent optionals are omitted).
template <class C> nlohmann::json to_kwargs(const C& c) {
  nlohmann::json j = nlohmann::json::object();
  if constexpr (has_params<C>) {
    boost::hana::for_each(boost::hana::accessors<C>(), [&](auto pair) {
      const auto& field = boost::hana::second(pair)(c);
      nlohmann::json v = detail::write_value(field);
      if (!v.is_null()) j[boost::hana::to<char const*>(boost::hana::first(pair))] = std::move(v);
    });
  }
  return j;
}

} // namespace raif
