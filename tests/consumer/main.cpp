// A downstream project that uses the installed package.
#include <raif/constraint/ifeval.hpp>

#include <iostream>

int main() {
  const auto c =
      raif::Registry::ifeval().make("length_constraints:number_words", {{"num_words", 2}, {"relation", "at least"}});
  const bool ok = c.check(raif::Text("hello installed world")) && !raif::check(raif::NoComma{}, raif::Text("a, b"));
  std::cout << (ok ? "consumer ok" : "consumer FAILED") << "\n";
  return ok ? 0 : 1;
}
