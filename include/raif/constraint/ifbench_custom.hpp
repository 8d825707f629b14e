#pragma once
/// @file
/// IFBench custom:* and repeat:*: custom tasks and repeats, with the official checker's semantics
/// (../shared/ifbench/SPEC.md §3; decisions: docs/ifbench-conformance.md).

#include <raif/constraint/constraint.hpp>

#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

namespace raif {

/// The custom:* and repeat:* constraint types of IFBench, as a compile-time list.
inline constexpr auto ifbench_custom_types = boost::hana::tuple_t<>;

} // namespace raif
