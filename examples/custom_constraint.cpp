// Writing a constraint of your own: a type with an id, parameters declared once, a check and a
// description. It then works everywhere a built-in one does: check(), AnyConstraint, the
// Registry (so it can be built from JSON kwargs), and the IFEval evaluation helpers.

#include <raif/constraint/ifeval.hpp>
#include <raif/eval/ifeval.hpp>

#include <iostream>

// --- the constraint: 14 lines ---------------------------------------------------------------------
struct EndsWithQuestion {
  static constexpr std::string_view id = "custom:ends_with_question";
  BOOST_HANA_DEFINE_STRUCT(EndsWithQuestion, (std::int64_t, min_questions));

  bool check(const raif::Text& t) const {
    const auto s = raif::py_strip(t.chars());
    std::int64_t n = 0;
    for (char32_t c : s) n += (c == '?');
    return !s.empty() && s.back() == '?' && n >= min_questions;
  }
  std::string describe() const {
    return "End your response with a question, and ask at least " + std::to_string(min_questions) + " questions.";
  }
};
// ----------------------------------------------------------------------------------------------------

int main() {
  const EndsWithQuestion c{.min_questions = 2};
  std::cout << c.describe() << "\n";
  for (std::string_view r : {"Why? Because.", "Why? Really?", "No questions here."})
    std::cout << "check(\"" << r << "\") = " << std::boolalpha << raif::check(c, raif::Text(r)) << "\n";

  // The runtime twin: register the type, then build it from JSON kwargs.
  raif::Registry reg = raif::Registry::ifeval();
  reg.add<EndsWithQuestion>();
  const auto any = reg.make("custom:ends_with_question", {{"min_questions", 1}});
  std::cout << any.id() << " " << any.kwargs().dump() << " -> " << any.check(raif::Text("Ok?")) << "\n";
  try {
    reg.make("custom:ends_with_question", {{"min_questions", "two"}});
  } catch (const raif::error& e) { std::cout << "error: " << e.what() << "\n"; }

  // Mixed with IFEval constraints, strict and loose.
  const std::vector<raif::AnyConstraint> cs{c, raif::NoComma{},
                                            raif::NumberOfWords{.num_words = 3, .relation = raif::Relation::at_least}};
  const auto v = raif::evaluate_ifeval(cs, "**Why not?**\nWhat then?");
  for (std::size_t i = 0; i < cs.size(); ++i)
    std::cout << cs[i].id() << ": strict " << v.strict[i] << ", loose " << v.loose[i] << "\n";
}
