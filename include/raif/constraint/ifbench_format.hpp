#pragma once
/// @file
/// IFBench format:*: format checks, with the official checker's semantics
/// (../shared/ifbench/SPEC.md §3; decisions: docs/ifbench-conformance.md).

#include <raif/constraint/constraint.hpp>

#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

namespace raif {

/// The format:* constraint types of IFBench, as a compile-time list.
inline constexpr auto ifbench_format_types = boost::hana::tuple_t<>;

} // namespace raif
