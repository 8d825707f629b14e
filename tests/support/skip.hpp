#pragma once
// Test support: skipping a test case that cannot run here (a fixture directory absent, no CUDA
// device) so that CTest reports it as skipped, with its reason, instead of passed. Catch2 v2 has no
// SKIP: RAIF_SKIP prints the reason, records the case and returns from it; tests/catch_main.cpp
// exits with raif::test::skip_exit_code when every case that ran was skipped, and CTest maps that
// code to "Not Run (Skipped)" (SKIP_RETURN_CODE in tests/CMakeLists.txt).

#include <catch2/catch.hpp>

#include <iostream>
#include <mutex>
#include <set>
#include <string>

namespace raif::test {

inline constexpr int skip_exit_code = 77; // Automake's convention, which CTest users know

/// Names of the test cases that skipped, for catch_main.cpp.
inline std::set<std::string>& skipped_cases() {
  static std::set<std::string> names;
  return names;
}

inline void record_skip(const std::string& reason) {
  static std::mutex m;
  const std::string name = Catch::getResultCapture().getCurrentTestName();
  std::lock_guard lock(m);
  skipped_cases().insert(name);
  // stdout, so that CTest's output and LastTest.log carry the reason next to "Skipped".
  std::cout << "SKIPPED: " << name << ": " << reason << std::endl;
}

} // namespace raif::test

/// Skips the current test case (call it from the case's body, not from a helper): prints and
/// records `reason`, then returns. Assertions already made in the case still count.
#define RAIF_SKIP(reason)                                                                                              \
  do {                                                                                                                 \
    ::raif::test::record_skip(reason);                                                                                 \
    return;                                                                                                            \
  } while (false)
