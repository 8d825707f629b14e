#pragma once
// Test support: the golden fixture of ../shared/golden (verl and RAIF's OpenRLHF code run on the
// same inputs as raif's terms), loaded once; numbers with its "nan"/"inf" spellings.

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <optional>
#include <string_view>
#include <vector>

namespace raif::test {

inline const nlohmann::json* golden() {
  static const std::optional<nlohmann::json> g = []() -> std::optional<nlohmann::json> {
    std::ifstream in(RAIF_GOLDEN_DIR "/objective_golden.json");
    if (!in) return std::nullopt;
    return nlohmann::json::parse(in);
  }();
  return g ? &*g : nullptr;
}

inline double num(const nlohmann::json& v) {
  if (v.is_string()) return v == "nan" ? NAN : v == "inf" ? INFINITY : -INFINITY;
  return v.get<double>();
}

inline std::vector<const nlohmann::json*> cases(std::string_view peer, std::string_view function) {
  std::vector<const nlohmann::json*> out;
  for (const auto& c : *golden())
    if (c["peer"] == peer && c["function"] == function) out.push_back(&c);
  return out;
}

} // namespace raif::test
