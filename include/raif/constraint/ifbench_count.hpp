#pragma once
/// @file
/// IFBench count:* and ratio:*: counts and ratios (§3.1-3.9, 3.22, 3.27, 3.50), with the official checker's semantics
/// (../shared/ifbench/SPEC.md §3; decisions: docs/ifbench-conformance.md).

#include <raif/constraint/constraint.hpp>

#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

namespace raif {

/// The count:* and ratio:* constraint types of IFBench, as a compile-time list.
inline constexpr auto ifbench_count_types = boost::hana::tuple_t<>;

} // namespace raif
