// The runtime twin: errors with JSON paths, and a property test against the template forms.
#include <raif/compose/compose.hpp>

#include <catch2/catch.hpp>

#include <random>

using namespace raif;
using nlohmann::json;

TEST_CASE("Bad specs name the JSON path", "[compose][runtime]") {
  const json leaf{{"constraint", "punctuation:no_comma"}};
  CHECK_THROWS_WITH(compile({{"and", {leaf, {{"constraint", "nope:nope"}}}}}),
                    Catch::Contains("$.and[1]") && Catch::Contains("unknown instruction id 'nope:nope'"));
  CHECK_THROWS_WITH(compile({{"and", json::array()}}), Catch::Contains("$.and: expected a non-empty list"));
  CHECK_THROWS_WITH(compile({{"or", {leaf}}}), Catch::Contains("$: unknown node kind 'or'"));
  CHECK_THROWS_WITH(compile({{"and",
                              {{{"constraint", "length_constraints:number_words"},
                                {"kwargs", {{"num_words", "x"}, {"relation", "at least"}}}}}}}),
                    Catch::Contains("$.and[0]") && Catch::Contains("'num_words'"));
  // Wrong arity: a positional chain has two steps; markers must cover every step.
  CHECK_THROWS_WITH(compile({{"chain", {{"segmenter", {{"positional", "line"}}}, {"steps", {{{"node", leaf}}}}}}}),
                    Catch::Contains("$.chain.steps: a positional chain has exactly 2 steps"));
  CHECK_THROWS_WITH(
      compile({{"chain", {{"segmenter", {{"markers", {"A:"}}}}, {"steps", {{{"node", leaf}}, {{"node", leaf}}}}}}}),
      Catch::Contains("$.chain.segmenter.markers: lists 1 markers for 2 steps"));
  CHECK_THROWS_WITH(
      compile(
          {{"chain", {{"segmenter", {{"delimiter", "***"}}}, {"gating", "sometimes"}, {"steps", {{{"node", leaf}}}}}}}),
      Catch::Contains("$.chain.gating"));
  CHECK_THROWS_WITH(
      compile({{"select", {{"condition", {{"oracle", "a"}}}, {"branches", {{{"label", "a"}, {"node", leaf}}}}}}}),
      Catch::Contains("$.select.branches[0]: with choice \"signature\" every branch needs a signature"));
  CHECK_THROWS_WITH(compile({{"chain",
                              {{"segmenter", {{"delimiter", "***"}}},
                               {"steps", {{{"node", leaf}, {"capture", {{{"var", "x"}, {"regex", "(a"}}}}}}}}}}),
                    Catch::Contains("$.chain.steps[0].capture[0].regex"));
  // Explicit dependencies: unknown names and cycles.
  json a = leaf, b{{"constraint", "startend:quotation"}};
  a["name"] = "a";
  a["deps"] = {"b"};
  b["name"] = "b";
  b["deps"] = {"a"};
  CHECK_THROWS_WITH(compile({{"and", {a, b}}}), Catch::Contains("cycle in explicit deps"));
  b["deps"] = {"zzz"};
  CHECK_THROWS_WITH(compile({{"and", {a, b}}}), Catch::Contains("$.and[1]") && Catch::Contains("unknown leaf 'zzz'"));
  // Depth limit.
  json deep = leaf;
  for (int i = 0; i < 5; ++i) deep = {{"and", {deep}}};
  CHECK_NOTHROW(compile(deep, {.max_depth = 5}));
  CHECK_THROWS_WITH(compile(deep, {.max_depth = 4}), Catch::Contains("deeper than the limit of 4"));
}

TEST_CASE("compile_ifeval rejects a value that is not IFEval's flat form with raif::error", "[compose][runtime]") {
  // Found by fuzz/targets/composition.cpp (regression-compile-ifeval-array): json::at threw its own
  // type_error for an array, out_of_range for an object without the field.
  CHECK_THROWS_MATCHES(compile_ifeval(json::array({1, "and"})), raif::error,
                       Catch::Message("raif: composition spec at $: expected an object with \"instruction_id_list\""));
  CHECK_THROWS_AS(compile_ifeval(json{{"kwargs", json::array()}}), raif::error);
  CHECK_THROWS_AS(compile_ifeval(json("punctuation:no_comma")), raif::error);
  CHECK_NOTHROW(compile_ifeval(json{{"instruction_id_list", {"punctuation:no_comma"}}}));
}

TEST_CASE("Explicit dependencies gate transitively", "[compose][runtime]") {
  const auto spec = json{{"and",
                          {{{"constraint", "punctuation:no_comma"}, {"name", "nc"}},
                           {{"constraint", "startend:quotation"}, {"name", "q"}, {"deps", {"nc"}}},
                           {{"constraint", "detectable_format:title"}, {"deps", {"q"}}}}}};
  const auto n = compile(spec);
  const Verdict v = evaluate(n, "\"<<T>>, x\"");
  REQUIRE(v.leaves.size() == 3);
  CHECK(*v.leaves[0].raw == 0);
  CHECK(*v.leaves[1].raw == 1);
  CHECK(v.leaves[1].effective == 0); // depends on nc
  CHECK(*v.leaves[2].raw == 1);
  CHECK(v.leaves[2].effective == 0); // through q, transitively
  CHECK(v.leaves[2].reason == "gated: depends on 'q', which failed");
}

namespace {

std::mt19937 rng(12345);
template <class T> const T& pick(const std::vector<T>& v) {
  return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
}
int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
Gating any_gating() { return pick(std::vector<Gating>{Gating::step, Gating::ref, Gating::none}); }
Relation any_relation() { return uniform(0, 1) ? Relation::at_least : Relation::less_than; }

std::string random_response() {
  const std::vector<std::string> parts{"- apple\n- banana\n- cherry",
                                       "* one\n* two",
                                       "***",
                                       "---",
                                       "Yes",
                                       "No",
                                       "Sure! Yes",
                                       "{\"a\": 1, \"b\": 2}",
                                       "A: first part",
                                       "B: second part",
                                       "## Head\nbody text",
                                       "1. item\n2. item",
                                       "We are sorry",
                                       "Thank you again",
                                       "<<Title>>",
                                       "word, word",
                                       "banana split",
                                       "\"quoted\"",
                                       "",
                                       "  "};
  std::string r;
  const int n = uniform(0, 6);
  for (int i = 0; i < n; ++i) r += pick(parts) + (uniform(0, 2) ? "\n" : " ");
  return r;
}

// Compares the template with its runtime twin on random responses; also the spec round trip.
template <class N> void agree(const N& node, const json& fields, int responses = 25) {
  const json s = spec(node);
  const AnyNode r = compile(s);
  REQUIRE(r.spec() == s);
  const Context ctx{.fields = &fields};
  for (int i = 0; i < responses; ++i) {
    const std::string answer = random_response();
    const Verdict t = evaluate(node, answer, ctx);
    const Verdict v = evaluate(r, answer, ctx);
    INFO("spec: " << s.dump() << "\nanswer: " << json(answer).dump());
    REQUIRE(to_json(t) == to_json(v));
  }
}

} // namespace

TEST_CASE("Property: random compositions (depth <= 4) give identical verdicts in both forms",
          "[compose][runtime][property]") {
  for (int round = 0; round < 40; ++round) {
    const json fields{{"rating", uniform(1, 5)}, {"kind", pick(std::vector<std::string>{"x", "y", "z"})}};
    // depth 1
    const std::string keyword = pick(std::vector<std::string>{"yes", "banana", "word"});
    agree(And{NumberOfWords{.num_words = uniform(1, 8), .relation = any_relation()}, Keywords{.keywords = {keyword}},
              NoComma{}},
          fields);
    // depth 2: Chain with a capture. (Built member by member: GCC 12 warns falsely about
    // designated-initialiser temporaries holding strings here.)
    Chain<Delimiter, Step<NumberOfBullets>, And<LineCount, ContainsVar>> chain;
    chain.segmenter.line = pick(std::vector<std::string>{"***", "---"});
    chain.segmenter.options.count = uniform(0, 1) ? Count::exact : Count::at_least;
    std::get<0>(chain.steps).node.num_bullets = uniform(1, 4);
    std::get<0>(chain.steps).captures = {Capture{.var = "f", .list_item = uniform(1, 3)}};
    std::get<1>(chain.steps) = And{LineCount{.num_lines = uniform(1, 3)}, ContainsVar{.var = "f"}};
    chain.gating = any_gating();
    chain.gate_counts = uniform(0, 1) == 1;
    agree(chain, fields);
    // depth 2: Select on a context predicate with signatures
    using Neg = Branch<And<StartsWith, NumberOfWords>, StartsWith>;
    using Pos = Branch<Keywords, StartsWith>;
    const std::string op = pick(std::vector<std::string>{"<=", ">", "=="});
    const json threshold = uniform(1, 5);
    agree(
        Select<ContextPredicate, Neg, Pos>{
            .condition = {.field = "rating", .op = op, .value = threshold, .then_label = "neg", .else_label = "pos"},
            .branches = {Neg{.label = "neg",
                             .node = And{StartsWith{.prefix = "We"},
                                         NumberOfWords{.num_words = 5, .relation = any_relation()}},
                             .signature = {.prefix = "We"}},
                         Pos{.label = "pos", .node = {.keywords = {"again"}}, .signature = {.prefix = "Thank"}}},
            .gating = uniform(0, 1) ? Gating::step : Gating::none,
            .gate_counts = uniform(0, 1) == 1},
        fields);
    // depth 3: Chain -> Select with a declared choice
    using Yes = Branch<And<JsonObject, JsonKeyCount>>;
    using No = Branch<NumberOfWords>;
    using Sel = Select<OracleLabel, Yes, No>;
    const std::string oracle = pick(std::vector<std::string>{"Yes", "No"});
    agree(
        Chain<Positional, Step<Equals>, Sel>{
            .segmenter = {.unit = uniform(0, 1) ? Positional::line : Positional::paragraph},
            .steps = {Step<Equals>{.node = {.value = "Yes"},
                                   .captures = {Capture{.var = "d", .regex = "(\\w+)", .group = 1}}},
                      Sel{.condition = {.label = oracle},
                          .branches = {Yes{.label = "Yes",
                                           .node = And{JsonObject{}, JsonKeyCount{.num_keys = uniform(1, 3)}}},
                                       No{.label = "No", .node = {.num_words = 4, .relation = any_relation()}}},
                          .declared_var = "d",
                          .gating = uniform(0, 1) ? Gating::step : Gating::none,
                          .gate_counts = uniform(0, 1) == 1}},
            .gating = any_gating()},
        fields);
    // depth 4: And -> Chain(markers) -> And -> Select(context label, self-referential sibling) -> Chain(list items)
    using Inner = Chain<ListItems, NumberOfWords, Leaf<Keywords>>;
    using Sel2 = Select<ContextLabel, Branch<Keywords, StartsWith>, Branch<Inner, StartsWith>, Branch<NoComma>>;
    using Sel3 = Select<SelfReferential<Title>, Branch<NoComma>, Branch<Quotation>>;
    agree(And{Chain<Markers, And<NoComma, Sel2>, Sel3>{
                  .segmenter = {.markers = {"A:", "B:"},
                                .options = {.preamble = uniform(0, 1) ? Preamble::fail : Preamble::ignore}},
                  .steps = {And{NoComma{}, Sel2{.condition = {.field = "kind"},
                                                .branches = {Branch<Keywords, StartsWith>{
                                                                 .label = "x",
                                                                 .node = {.keywords = {"first"}},
                                                                 .signature = {.prefix = "first"}},
                                                             Branch<Inner, StartsWith>{
                                                                 .label = "y",
                                                                 .node = Inner{.steps = {NumberOfWords{
                                                                                             .num_words = 1, .relation = Relation::at_least},
                                                                                         Leaf<Keywords>{.constraint = {.keywords = {"item"}},
                                                                                                        .weight = 2,
                                                                                                        .priority = Priority::secondary}}},
                                                                 .signature = {.prefix = "1."}},
                                                             Branch<NoComma>{.label = "else"}}}},
                            Sel3{.condition = {.condition = {}, .then_label = "t", .else_label = "f"},
                                 .branches = {Branch<NoComma>{.label = "t"}, Branch<Quotation>{.label = "f"}}}},
                  .gating = any_gating()},
              LineCount{.num_lines = uniform(1, 5)}},
          fields);
  }
}

TEST_CASE("Laws: And is associative in its leaves; And of one constraint is the constraint", "[compose][laws]") {
  const NoComma a;
  const NumberOfWords b{.num_words = 3, .relation = Relation::at_least};
  const Keywords c{.keywords = {"x"}};
  auto leaves = [](const Verdict& v) {
    json out = json::array();
    for (const auto& l : v.leaves) out.push_back({std::string(l.id), *l.raw, l.effective});
    return out;
  };
  for (std::string_view answer : {"", "x y z", "a, b", "x, y, z w", "nothing here at all"}) {
    const Verdict flat = evaluate(And{a, b, c}, answer);
    CHECK(leaves(evaluate(And{a, And{b, c}}, answer)) == leaves(flat));
    CHECK(leaves(evaluate(And{And{a, b}, c}, answer)) == leaves(flat));
    for (const auto& policy : {AnyPolicy{Fraction{}}, AnyPolicy{RaifPiecewise{}}, AnyPolicy{AllOrNothing{}}})
      CHECK(aggregate(policy, evaluate(And{a, And{b, c}}, answer)) == aggregate(policy, flat));
    CHECK(leaves(evaluate(And{b}, answer)) == leaves(evaluate(b, answer)));
  }
}

TEST_CASE("Segmenters: JSON keys and paths, markers with preamble, headings, list items", "[compose][segmenters]") {
  const std::string doc = R"({"summary": "Short.", "order": {"items": ["tea", "cake"]}})";
  const auto js = JsonKeys{.keys = {"summary", "/order/items/1"}}.segment(Span{0, doc.size(), doc}, 2);
  REQUIRE(js.ok());
  CHECK(js.spans[0].text == "Short.");
  CHECK(js.spans[1].text == "cake");
  CHECK(JsonKeys{.keys = {"/order/none"}}.segment(Span{0, doc.size(), doc}, 1).error == "missing key '/order/none'");
  const std::string m = "Intro\nStep 1: a\nStep 2: b";
  CHECK(Markers{.markers = {"Step 1:", "Step 2:"}}.segment(Span{0, m.size(), m}, 2).spans[1].text == "b");
  CHECK_FALSE(Markers{.markers = {"Step 1:", "Step 2:"}, .options = {.preamble = Preamble::fail}}
                  .segment(Span{0, m.size(), m}, 2)
                  .ok());
  CHECK_FALSE(Markers{.markers = {"Step 2:", "Step 1:"}}.segment(Span{0, m.size(), m}, 2).ok()); // out of order
  const std::string h = "# Title\n## A\nalpha\n## B\nbeta\n### sub\nmore";
  const auto hs = Headings{.level = 2}.segment(Span{0, h.size(), h}, 2);
  REQUIRE(hs.ok());
  CHECK(hs.spans[0].text == "alpha");
  CHECK(hs.spans[1].text == "beta\n### sub\nmore");
  const std::string l = "Items:\n1. one\n   continued\n2) two\n- three";
  const auto ls = ListItems{.options = {.count = Count::at_least}}.segment(Span{0, l.size(), l}, 2);
  REQUIRE(ls.ok());
  CHECK(ls.spans[0].text == "one\n   continued");
  CHECK(ls.spans[1].text == "two");
  CHECK_FALSE(ListItems{}.segment(Span{0, l.size(), l}, 2).ok()); // exact: 3 items for 2 steps
  const std::string d = "a\n***\nb\n***\nc";
  CHECK(Delimiter{}.segment(Span{0, d.size(), d}, 3).ok());
  CHECK_FALSE(Delimiter{}.segment(Span{0, d.size(), d}, 2).ok());
  CHECK(Delimiter{.options = {.count = Count::at_least}}.segment(Span{0, d.size(), d}, 2).ok());
  const std::string p = "  First line\nrest\nmore  ";
  const auto ps = Positional{}.segment(Span{0, p.size(), p}, 2);
  REQUIRE(ps.ok());
  CHECK(ps.spans[0].text == "First line");
  CHECK(ps.spans[1].text == "rest\nmore");
  CHECK(ps.spans[0].begin == 2); // spans are offsets into the answer
}
