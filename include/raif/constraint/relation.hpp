#pragma once

#include <cstdint>
#include <string_view>

namespace raif {

/// IFEval's comparison of a count with a threshold: "less than" (count < n) or "at least" (count >= n).
enum class Relation { less_than, at_least };

inline constexpr std::string_view to_string(Relation r) noexcept {
  return r == Relation::less_than ? "less than" : "at least";
}

/// Applies a relation.
inline constexpr bool compare(std::int64_t count, Relation r, std::int64_t n) noexcept {
  return r == Relation::less_than ? count < n : count >= n;
}

} // namespace raif
