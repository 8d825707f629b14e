#pragma once
/// @file
/// Aggregation policies: how the active, counted leaves' effective scores become one number
/// (contract §6). Orthogonal to gating: gating decides the effective scores, a policy sums them up.

#include <raif/compose/verdict.hpp>

#include <string>
#include <string_view>
#include <variant>

namespace raif {

/// 1 if every leaf passes, else 0 (IFEval prompt-level, HSR, ISR).
struct AllOrNothing {
  double tau = 1.0;
  double operator()(const Verdict& v) const {
    for (const auto& l : v.leaves)
      if (l.scored() && l.effective < tau) return 0.0;
    return 1.0;
  }
};

/// Mean effective score (IFEval instruction-level, SSR, DRFR per item). Gating makes it
/// ComplexBench's dependency-aware DRFR; `DependencyAware` is the same formula, named for reports.
struct Fraction {
  double operator()(const Verdict& v) const {
    std::size_t n = 0;
    double s = 0;
    for (const auto& l : v.leaves)
      if (l.scored()) {
        ++n;
        s += l.effective;
      }
    return n ? s / static_cast<double>(n) : 0.0;
  }
};
struct DependencyAware : Fraction {};

/// RAIF Eq. 5: `hi` if every leaf passes, `lo` if none does, else the fraction that pass.
struct RaifPiecewise {
  double hi = 2.0, lo = -2.0, tau = 1.0;
  double operator()(const Verdict& v) const {
    std::size_t n = 0, passed = 0;
    double s = 0;
    for (const auto& l : v.leaves)
      if (l.scored()) {
        ++n;
        passed += l.effective >= tau;
        s += l.effective;
      }
    if (n == 0) return lo;
    if (passed == n) return hi;
    if (passed == 0) return lo;
    return s / static_cast<double>(n);
  }
};

/// CFBench's priority satisfaction: 0 if a primary leaf fails; only primaries -> 1; only
/// secondaries -> [fraction > 0.8]; mixed -> [0.5 + 0.5 * mean(secondary) > 0.8].
struct PriorityPolicy {
  double tau = 1.0, threshold = 0.8;
  double operator()(const Verdict& v) const {
    std::size_t n_primary = 0, n_secondary = 0;
    double secondary = 0;
    for (const auto* l : v.scored()) {
      if (l->priority == Priority::primary) {
        if (l->effective < tau) return 0.0;
        ++n_primary;
      } else {
        ++n_secondary;
        secondary += l->effective;
      }
    }
    if (n_secondary == 0) return n_primary ? 1.0 : 0.0;
    const double mean = secondary / static_cast<double>(n_secondary);
    return (n_primary == 0 ? mean : 0.5 + 0.5 * mean) > threshold ? 1.0 : 0.0;
  }
};

/// Weighted mean of effective scores (FB-Bench checklists).
struct Weighted {
  double operator()(const Verdict& v) const {
    double s = 0, w = 0;
    for (const auto* l : v.scored()) {
      s += l->weight * l->effective;
      w += l->weight;
    }
    return w > 0 ? s / w : 0.0;
  }
};

/// A policy chosen at run time (raif-score --policy, JSON specs).
using AnyPolicy = std::variant<AllOrNothing, Fraction, DependencyAware, RaifPiecewise, PriorityPolicy, Weighted>;

inline AnyPolicy policy_from_name(std::string_view name) {
  if (name == "all_or_nothing") return AllOrNothing{};
  if (name == "fraction") return Fraction{};
  if (name == "dependency_aware") return DependencyAware{};
  if (name == "raif") return RaifPiecewise{};
  if (name == "priority") return PriorityPolicy{};
  if (name == "weighted") return Weighted{};
  throw error("raif: unknown aggregation policy '" + std::string(name) +
              "' (expected all_or_nothing, fraction, dependency_aware, raif, priority or weighted)");
}

inline double aggregate(const AnyPolicy& p, const Verdict& v) {
  return std::visit([&](const auto& f) { return f(v); }, p);
}

} // namespace raif
