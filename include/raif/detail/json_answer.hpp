#pragma once
// Internals: an answer read as JSON, optionally inside a ``` or ```json fence (used by the JSON
// leaves and the JsonKeys segmenter alike).

#include <raif/text/strip.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>

namespace raif::detail {

inline std::optional<nlohmann::json> parse_json_answer(std::string_view s) {
  s = py_strip(s);
  if (s.starts_with("```json"))
    s.remove_prefix(7);
  else if (s.starts_with("```"))
    s.remove_prefix(3);
  if (s.ends_with("```")) s.remove_suffix(3);
  try {
    return nlohmann::json::parse(s);
  } catch (const nlohmann::json::exception&) { return std::nullopt; }
}

} // namespace raif::detail
