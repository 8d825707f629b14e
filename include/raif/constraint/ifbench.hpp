#pragma once
/// @file
/// IFBench's 58 out-of-distribution constraints (AllenAI, arXiv 2507.02833), with exactly the
/// semantics of the official checker (../shared/ifbench/SPEC.md; differences and decisions:
/// docs/ifbench-conformance.md), and Registry::ifbench(): those 58 and IFEval's 25, as the official
/// IFBench registry holds them.

#include <raif/constraint/ifbench_count.hpp>
#include <raif/constraint/ifbench_custom.hpp>
#include <raif/constraint/ifbench_format.hpp>
#include <raif/constraint/ifbench_sentence.hpp>
#include <raif/constraint/ifbench_start_verb.hpp>
#include <raif/constraint/ifbench_words.hpp>
#include <raif/constraint/ifeval.hpp>

#include <boost/hana/concat.hpp>
#include <boost/hana/for_each.hpp>

namespace raif {

/// The 58 IFBench constraint types, as a compile-time list (boost::hana types).
inline constexpr auto ifbench_constraint_types = boost::hana::concat(
    boost::hana::concat(boost::hana::concat(ifbench_count_types, ifbench_words_types),
                        boost::hana::concat(ifbench_sentence_types, ifbench_format_types)),
    boost::hana::concat(ifbench_custom_types, ifbench_start_verb_types));

#if RAIF_DETAIL_REGISTRY_BODIES
RAIF_DETAIL_REGISTRY_INLINE const Registry& Registry::ifbench() {
  static const Registry r = [] {
    Registry reg;
    boost::hana::for_each(ifeval_constraint_types, [&](auto t) { reg.add<typename decltype(t)::type>(); });
    boost::hana::for_each(ifbench_constraint_types, [&](auto t) { reg.add<typename decltype(t)::type>(); });
    return reg;
  }();
  return r;
}
#endif

} // namespace raif
