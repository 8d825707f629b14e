#pragma once
// Internals: run-time indexing into a tuple (Chain's steps, Select's branches).

#include <cstddef>
#include <tuple>

namespace raif::detail {

// Calls f on element k of a tuple (k known at run time).
template <class Tuple, class F> void visit_at(const Tuple& t, std::size_t k, F&& f) {
  std::size_t i = 0;
  std::apply([&](const auto&... e) { ((i++ == k ? f(e) : void()), ...); }, t);
}

} // namespace raif::detail
