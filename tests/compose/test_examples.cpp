// The worked examples of ../shared/design/compositions.md §7, cell by cell, in both forms.
#include <raif/compose/compose.hpp>

#include <catch2/catch.hpp>

#include <cmath>

using namespace raif;
using nlohmann::json;

namespace {
double round3(double x) { return std::round(x * 1000) / 1000; }

// Evaluates the template and its runtime twin; checks they agree; returns the template verdict.
template <class N> Verdict both(const N& node, std::string_view answer, const Context& ctx = {}) {
  const Verdict t = evaluate(node, answer, ctx);
  const AnyNode r = compile(spec(node));
  const Verdict v = evaluate(r, answer, ctx);
  CHECK(to_json(t) == to_json(v));
  CHECK(r.spec() == spec(node)); // round trip
  return t;
}
std::string raw_string(const Verdict& v) { // e.g. "✓✗✓" over scored leaves' raw results
  std::string s;
  for (const auto* l : v.scored()) s += *l->raw >= 1 ? "+" : "-";
  return s;
}
std::string words(int n, std::string_view first = "") {
  std::string s(first);
  for (int i = 0; i < n - 1; ++i) s += " word";
  return s;
}
} // namespace

TEST_CASE("Example A: And", "[compose][contract]") {
  const auto instr =
      And{NumberOfWords{.num_words = 51, .relation = Relation::less_than}, Keywords{.keywords = {"eco-friendly"}},
          Leaf<EndPhrase>{.constraint = {.end_phrase = "Order now!"}, .priority = Priority::secondary}};
  const std::string answer = words(38, "Our eco-friendly") + " Order today!"; // 42 words ("eco-friendly" is 2)
  REQUIRE(count_words(utf8_decode(answer)) == 42);
  const Verdict v = both(instr, answer);
  CHECK(raw_string(v) == "++-");
  CHECK(AllOrNothing{}(v) == 0);
  CHECK(round3(Fraction{}(v)) == 0.667);
  CHECK(round3(DependencyAware{}(v)) == 0.667);
  CHECK(round3(RaifPiecewise{}(v)) == 0.667);
  CHECK(PriorityPolicy{}(v) == 0); // 0.5 + 0.5 * 0 <= 0.8
}

namespace {
// Example B: Part 1 exactly 3 '-' bullets (captures fruit2 = item 2); part 2 a 3-line poem naming it.
auto example_b(Gating g) {
  return Chain<Delimiter, Step<NumberOfBullets>, And<LineCount, ContainsVar>>{
      .segmenter = {.line = "***"},
      .steps = {Step<NumberOfBullets>{.node = {.num_bullets = 3},
                                      .captures = {Capture{.var = "fruit2", .list_item = 2}}},
                And{LineCount{.num_lines = 3}, ContainsVar{.var = "fruit2"}}},
      .gating = g};
}
const std::string poem = "A banana in the sun\nyellow and bright\nsweet as can be";
} // namespace

TEST_CASE("Example B: Chain with a capture", "[compose][contract]") {
  const std::string b1 = "- apple\n- banana\n- cherry\n***\n" + poem;
  const std::string b2 = "- apple\n- banana\n- cherry\n- date\n***\n" + poem;
  const std::string b3 = "- apple\n- banana\n- cherry\n" + poem;

  const Verdict v1 = both(example_b(Gating::step), b1);
  CHECK(raw_string(v1) == "++++");
  CHECK(Fraction{}(both(example_b(Gating::none), b1)) == 1.0);
  CHECK(DependencyAware{}(v1) == 1.0);
  CHECK(DependencyAware{}(both(example_b(Gating::ref), b1)) == 1.0);
  CHECK(RaifPiecewise{}(v1) == 2.0);

  const Verdict v2 = both(example_b(Gating::step), b2);
  CHECK(raw_string(v2) == "+-++");
  CHECK(Fraction{}(both(example_b(Gating::none), b2)) == 0.75);
  CHECK(DependencyAware{}(v2) == 0.25);                              // K2, K3 gated
  CHECK(DependencyAware{}(both(example_b(Gating::ref), b2)) == 0.5); // only K3 gated
  CHECK(RaifPiecewise{}(v2) == 0.25);

  const Verdict v3 = both(example_b(Gating::step), b3);
  CHECK(raw_string(v3) == "----"); // unresolvable spans fail
  CHECK(Fraction{}(both(example_b(Gating::none), b3)) == 0);
  CHECK(DependencyAware{}(v3) == 0);
  CHECK(DependencyAware{}(both(example_b(Gating::ref), b3)) == 0);
  CHECK(RaifPiecewise{}(v3) == -2.0);
}

namespace {
auto example_c(Gating g) {
  using Neg = Branch<And<StartsWith, NumberOfWords>, StartsWith>;
  using Pos = Branch<And<StartsWith, Keywords>, StartsWith>;
  return Select<ContextPredicate, Neg, Pos>{
      .condition = {.field = "rating", .op = "<=", .value = 2, .then_label = "negative", .else_label = "positive"},
      .branches = {Neg{.label = "negative",
                       .node = And{StartsWith{.prefix = "We are sorry"},
                                   NumberOfWords{.num_words = 60, .relation = Relation::less_than}},
                       .signature = {.prefix = "We are sorry"}},
                   Pos{.label = "positive",
                       .node = And{StartsWith{.prefix = "Thank you"}, Keywords{.keywords = {"again"}}},
                       .signature = {.prefix = "Thank you"}}},
      .gating = g};
}
} // namespace

TEST_CASE("Example C: Select on a context predicate", "[compose][contract]") {
  const json fields{{"rating", 1}};
  const Context ctx{.fields = &fields};
  const std::string c1 = words(42, "We are sorry about"), c2 = words(38, "Thank you, come again"),
                    c3 = words(72, "We are sorry about");
  const Verdict v1 = both(example_c(Gating::step), c1, ctx);
  CHECK(raw_string(v1) == "+++");
  CHECK(v1.scored().size() == 3); // P1, P2 inactive
  CHECK(Fraction{}(both(example_c(Gating::none), c1, ctx)) == 1.0);
  CHECK(DependencyAware{}(v1) == 1.0);
  CHECK(RaifPiecewise{}(v1) == 2.0);
  CHECK(RaifPiecewise{}(both(example_c(Gating::none), c1, ctx)) == 2.0);

  const Verdict v2 = both(example_c(Gating::step), c2, ctx);
  CHECK(raw_string(v2) == "--+");
  CHECK(round3(Fraction{}(both(example_c(Gating::none), c2, ctx))) == 0.333);
  CHECK(DependencyAware{}(v2) == 0);
  CHECK(RaifPiecewise{}(v2) == -2.0);
  CHECK(round3(RaifPiecewise{}(both(example_c(Gating::none), c2, ctx))) == 0.333);
  CHECK(v2.leaves[0].reason == "chose 'positive', expected 'negative'");

  const Verdict v3 = both(example_c(Gating::step), c3, ctx);
  CHECK(raw_string(v3) == "++-");
  CHECK(round3(Fraction{}(both(example_c(Gating::none), c3, ctx))) == 0.667);
  CHECK(round3(DependencyAware{}(v3)) == 0.667);
  CHECK(round3(RaifPiecewise{}(v3)) == 0.667);
  CHECK(round3(RaifPiecewise{}(both(example_c(Gating::none), c3, ctx))) == 0.667);
}

namespace {
auto example_d(bool seg_counts) {
  using Yes = Branch<And<JsonObject, JsonKeyCount, JsonFieldEquals>>;
  using No = Branch<NumberOfWords>;
  using Sel = Select<OracleLabel, Yes, No>;
  return Chain<Positional, Step<Equals>, Sel>{
      .segmenter = {.unit = Positional::line},
      .steps = {Step<Equals>{.node = {.value = "Yes"},
                             .captures = {Capture{.var = "decision", .regex = "(.*)", .group = 1}}},
                Sel{.condition = {.label = "Yes"},
                    .branches = {Yes{.label = "Yes",
                                     .node = And{JsonObject{}, JsonKeyCount{.num_keys = 12},
                                                 JsonFieldEquals{.key = "February", .value = "29"}}},
                                 No{.label = "No",
                                    .node = NumberOfWords{.num_words = 20, .relation = Relation::less_than}}},
                    .declared_var = "decision",
                    .gate_counts = false}}, // D1 doubles as the selection gate
      .gate_counts = seg_counts};
}
std::string months(int feb) {
  return "{\"January\": 31, \"February\": " + std::to_string(feb) +
         ", \"March\": 31, \"April\": 30, \"May\": 31, \"June\": 30, "
         "\"July\": 31, \"August\": 31, \"September\": 30, \"October\": 31, \"November\": 30, \"December\": 31}";
}
} // namespace

TEST_CASE("Example D: nested Chain -> Select", "[compose][contract]") {
  const Verdict d1 = both(example_d(true), "Yes\n" + months(29));
  CHECK(raw_string(d1) == "+++++");
  CHECK(d1.scored().size() == 5);
  CHECK(DependencyAware{}(d1) == 1.0);
  CHECK(RaifPiecewise{}(d1) == 2.0);
  CHECK(AllOrNothing{}(d1) == 1);

  const Verdict d2 = both(example_d(true), "No\nIt is a leap year with 366 days.");
  CHECK(raw_string(d2) == "+----");
  CHECK(DependencyAware{}(d2) == 0.2);
  CHECK(RaifPiecewise{}(d2) == 0.2);
  CHECK(AllOrNothing{}(d2) == 0);

  const Verdict d3 = both(example_d(true), "Yes\n" + months(28));
  CHECK(raw_string(d3) == "++++-");
  CHECK(DependencyAware{}(d3) == 0.8);
  CHECK(RaifPiecewise{}(d3) == 0.8);
  CHECK(AllOrNothing{}(d3) == 0);

  const Verdict d4 = both(example_d(true), "Sure! Yes\n" + months(29));
  CHECK(raw_string(d4) == "+-+++");
  CHECK(DependencyAware{}(d4) == 0.2);
  CHECK(RaifPiecewise{}(d4) == 0.2);
  CHECK(AllOrNothing{}(d4) == 0);

  // With the segmentation gate not counted, D2 has 0 of 4 and RAIF gives -2.
  const Verdict d2b = both(example_d(false), "No\nIt is a leap year with 366 days.");
  CHECK(d2b.scored().size() == 4);
  CHECK(RaifPiecewise{}(d2b) == -2.0);
}
