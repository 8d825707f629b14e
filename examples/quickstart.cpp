// The README example. Built and run by the tests (tests/data/quickstart.out).
#include <iostream>
#include <raif/raif.hpp>

int main() {
  // Compile-time form: constraints are plain types with designated initialisers.
  const raif::NumberOfWords words{.num_words = 5, .relation = raif::Relation::at_least};
  const raif::ForbiddenWords banned{.forbidden_words = {"very"}};
  const std::string response = "Short answers are often the clearest ones.";
  std::cout << raif::check(words, raif::Text(response)) << raif::check(banned, raif::Text(response)) << "\n"; // 11

  // Runtime twin: the same constraint from IFEval's instruction id and kwargs.
  const auto c =
      raif::Registry::ifeval().make("length_constraints:number_words", {{"num_words", 5}, {"relation", "at least"}});
  std::cout << c.describe() << "\n"; // Answer with at least 5 words.

  // IFEval's strict and loose modes over several constraints.
  const auto v = raif::evaluate_ifeval({c, raif::NoComma{}}, "**Yes, really.**\nFive words are enough here.");
  std::cout << v.strict[1] << v.loose[1] << "\n"; // 01: loose drops the first line
}
