// Catch2's runner, plus skipped cases (tests/support/skip.hpp): when every test case that ran
// skipped, exit with skip_exit_code so CTest reports "Skipped"; a run with some cases skipped and
// others passed lists the skipped ones. Failures keep Catch's exit code; a run in which no case
// matched fails.
#define CATCH_CONFIG_RUNNER
#include "support/skip.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <iostream>

namespace {

std::size_t cases_run = 0;

struct CountCases : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  void testCaseStarting(const Catch::TestCaseInfo& info) override {
    TestEventListenerBase::testCaseStarting(info);
    ++cases_run;
  }
};

} // namespace

CATCH_REGISTER_LISTENER(CountCases)

int main(int argc, char* argv[]) {
  Catch::Session session;
  if (const int bad = session.applyCommandLine(argc, argv)) return bad;
  const int rc = session.run();
  const auto& cd = session.configData();
  // A test spec that matches no case (a renamed case, a mangled name) must not pass having run nothing.
  if (rc == 0 && cases_run == 0 && !cd.listTests && !cd.listTestNamesOnly && !cd.listTags && !cd.listReporters &&
      !cd.showHelp) {
    std::cerr << "no test case matched the command line: nothing ran\n";
    return 1;
  }
  const auto& skipped = raif::test::skipped_cases();
  if (rc != 0 || skipped.empty()) return rc;
  if (skipped.size() == cases_run) return raif::test::skip_exit_code;
  std::cout << skipped.size() << " of " << cases_run << " test cases skipped:\n";
  for (const auto& name : skipped) std::cout << "  " << name << "\n";
  return 0;
}
