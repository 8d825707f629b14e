#pragma once
/// @file
/// Reading fields of a JSON document from outside (tokenizer.json, config.json, a safetensors
/// header) so that every bad value is a raif::error naming the file and the field, never a
/// nlohmann::json::type_error or out_of_range, and so that error messages stay short and bounded
/// whatever the input holds.

#include <raif/error.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace raif::detail {

/// `s` quoted for a message, cut to `max` bytes (a tensor name or a token may be megabytes long).
inline std::string quote(std::string_view s, std::size_t max = 80) {
  if (s.size() <= max) return "'" + std::string(s) + "'";
  return "'" + std::string(s.substr(0, max)) + "...' (" + std::to_string(s.size()) + " bytes)";
}

/// A short rendering of a JSON value for a message: shallow values dumped (cut at 80 bytes), deep
/// ones named by their type only, since dumping recurses once per nesting level and a 100 MB
/// header of '[' would overflow the stack.
inline std::string json_excerpt(const nlohmann::json& v) {
  std::vector<std::pair<const nlohmann::json*, int>> todo{{&v, 0}};
  std::size_t seen = 0;
  while (!todo.empty()) { // iterative depth probe, stopped early
    auto [p, depth] = todo.back();
    todo.pop_back();
    if (depth > 4 || ++seen > 64) return std::string("a ") + (v.is_object() ? "large object" : "large array");
    if (p->is_structured())
      for (const auto& c : *p) todo.emplace_back(&c, depth + 1);
  }
  auto s = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (s.size() > 80) s = s.substr(0, 80) + "...";
  return s;
}

/// "the file: field 'x': why": the one shape of a field error.
inline error field_error(const std::string& where, const std::string& field, const std::string& why) {
  return error("raif: " + where + ": field '" + field + "': " + why);
}

/// j[key] if j is an object holding it, else nullptr (a missing field, or j not an object).
inline const nlohmann::json* find_field(const nlohmann::json& j, const std::string& key) {
  if (!j.is_object()) return nullptr;
  const auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

/// The field `key` of the object j (named `field` in messages); an error if missing.
inline const nlohmann::json& require_field(const nlohmann::json& j, const std::string& key, const std::string& where,
                                           const std::string& field) {
  if (!j.is_object()) throw error("raif: " + where + ": '" + field + "' is inside a value that is not an object");
  const auto* v = find_field(j, key);
  if (!v) throw field_error(where, field, "missing");
  return *v;
}

inline const char* json_kind(const nlohmann::json& v) {
  switch (v.type()) {
  case nlohmann::json::value_t::null: return "null";
  case nlohmann::json::value_t::object: return "an object";
  case nlohmann::json::value_t::array: return "an array";
  case nlohmann::json::value_t::string: return "a string";
  case nlohmann::json::value_t::boolean: return "a boolean";
  case nlohmann::json::value_t::number_integer:
  case nlohmann::json::value_t::number_unsigned: return "an integer";
  case nlohmann::json::value_t::number_float: return "a number";
  default: return "a binary value";
  }
}

inline error wrong_type(const nlohmann::json& v, const std::string& where, const std::string& field,
                        const char* expected) {
  return field_error(where, field,
                     std::string("expected ") + expected + ", got " + json_kind(v) + " " + json_excerpt(v));
}

inline const std::string& as_string(const nlohmann::json& v, const std::string& where, const std::string& field) {
  if (!v.is_string()) throw wrong_type(v, where, field, "a string");
  return v.get_ref<const std::string&>();
}
inline bool as_bool(const nlohmann::json& v, const std::string& where, const std::string& field) {
  if (!v.is_boolean()) throw wrong_type(v, where, field, "true or false");
  return v.get<bool>();
}
/// An integer in [lo, hi]. Integral floats (3.0) are refused: Hugging Face's readers (serde)
/// refuse them too.
inline std::int64_t as_int(const nlohmann::json& v, const std::string& where, const std::string& field,
                           std::int64_t lo = std::numeric_limits<std::int64_t>::min(),
                           std::int64_t hi = std::numeric_limits<std::int64_t>::max()) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(hi))
      throw field_error(where, field, std::to_string(u) + " is above the largest allowed, " + std::to_string(hi));
    return static_cast<std::int64_t>(u);
  }
  if (!v.is_number_integer()) throw wrong_type(v, where, field, "an integer");
  const auto i = v.get<std::int64_t>();
  if (i < lo || i > hi)
    throw field_error(where, field,
                      std::to_string(i) + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
  return i;
}
/// A non-negative integer of 64 bits (offsets, shape entries).
inline std::uint64_t as_uint(const nlohmann::json& v, const std::string& where, const std::string& field) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer()) // nlohmann stores non-negative literals as unsigned: this one is negative
    throw field_error(where, field, std::to_string(v.get<std::int64_t>()) + " is negative");
  throw wrong_type(v, where, field, "a non-negative integer");
}
/// A finite number (JSON has no NaN or infinity, but 1e999 parses as infinity).
inline double as_double(const nlohmann::json& v, const std::string& where, const std::string& field) {
  if (!v.is_number()) throw wrong_type(v, where, field, "a number");
  const double d = v.get<double>();
  if (!std::isfinite(d)) throw field_error(where, field, std::to_string(d) + " is not finite");
  return d;
}

} // namespace raif::detail
