#pragma once
/// @file
/// IFBench words:*: word-level checks, with the official checker's semantics
/// (../shared/ifbench/SPEC.md §3; decisions: docs/ifbench-conformance.md).

#include <raif/constraint/constraint.hpp>

#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

namespace raif {

/// The words:* constraint types of IFBench, as a compile-time list.
inline constexpr auto ifbench_words_types = boost::hana::tuple_t<>;

} // namespace raif
