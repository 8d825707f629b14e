// A downstream project that uses the installed package, header-only: the registries' inline
// definitions are compiled here (raif's own targets build them once, RAIF_SEPARATE_REGISTRIES).
#include <raif/compose/leaves.hpp>
#include <raif/constraint/ifeval.hpp>

#include <iostream>

int main() {
  const auto c =
      raif::Registry::ifeval().make("length_constraints:number_words", {{"num_words", 2}, {"relation", "at least"}});
  const auto pronouns = raif::standard_registry().make("count:pronouns", {{"N", 2}}); // an IFBench id
  const bool ok = c.check(raif::Text("hello installed world")) && !raif::check(raif::NoComma{}, raif::Text("a, b")) &&
                  pronouns.check(raif::Text("I think you agree.")) && !pronouns.check(raif::Text("I agree."));
  std::cout << (ok ? "consumer ok" : "consumer FAILED") << "\n";
  return ok ? 0 : 1;
}
