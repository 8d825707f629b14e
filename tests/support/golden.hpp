#pragma once
// Test support: the golden fixture of ../shared/golden (verl and RAIF's OpenRLHF code run on the
// same inputs as raif's terms), loaded once; numbers with its "nan"/"inf" spellings; a loop over a
// function's cases that checks how many it read and keeps going past a case that throws; and the
// comparison of one value, where the peer's NaN/inf never passes by accident.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <exception>
#include <fstream>
#include <optional>
#include <string>
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

/// Runs `check(case)` on every case of (peer, function). There must be exactly `expected` of them
/// (the count in ../shared/golden/README.md), so a renamed or emptied section fails instead of
/// passing vacuously. A case that throws fails with its id and the others still run.
template <class F>
void for_each_case(std::string_view peer, std::string_view function, std::size_t expected, F&& check) {
  const auto cs = cases(peer, function);
  INFO("golden cases of " << peer << " " << function);
  REQUIRE(cs.size() == expected);
  for (const nlohmann::json* c : cs) {
    const std::string id = (*c)["id"];
    INFO("golden case " << id);
    try {
      check(*c);
    } catch (const std::exception& e) { FAIL_CHECK("golden case " << id << " threw: " << e.what()); }
  }
}

/// What raif gives where the peer's value is NaN or ±inf. Every comparison says which: a test
/// that has not thought about it fails on such a value rather than treating NaN == NaN as agreement.
enum class NonFinite {
  unexpected, ///< the peer never gives one here; if it does, the test must be extended
  same,       ///< raif follows the peer's convention and gives the same NaN or ±inf (the test says why)
  finite,     ///< downstream of a value where raif defines a finite one (asserted by the test) instead
};

/// got ≈ want within atol + rtol·|want|; a non-finite `want` is handled as `nonfinite` says.
inline bool agrees(double got, double want, double rtol, double atol, NonFinite nonfinite) {
  if (std::isfinite(want)) return std::abs(got - want) <= rtol * std::abs(want) + atol;
  if (nonfinite == NonFinite::unexpected) {
    FAIL_CHECK("the peer's value is " << want << ", which this comparison does not expect (raif gives " << got
                                      << "): say what raif defines there");
    return false;
  }
  if (nonfinite == NonFinite::finite) return std::isfinite(got);
  return std::isnan(want) ? std::isnan(got) : got == want;
}

} // namespace raif::test
