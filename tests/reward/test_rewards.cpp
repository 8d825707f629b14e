#include <raif/compose/compose.hpp>
#include <raif/judge/lookup_judge.hpp>
#include <raif/reward/reward.hpp>

#include <catch2/catch.hpp>

using namespace raif;
using nlohmann::json;

TEST_CASE("Answer extraction and the format check (method.md §2)", "[reward]") {
  const auto ok = extract_answer("<think>plan</think>\n<answer>Hi</answer>\n");
  CHECK(ok.well_formed);
  CHECK(ok.think == "plan");
  CHECK(ok.answer == "Hi");
  CHECK(extract_answer("  <think></think><answer>x</answer>").well_formed); // empty think is fine by default
  CHECK_FALSE(extract_answer("<think>a</think> hmm <answer>x</answer>").well_formed);
  CHECK_FALSE(extract_answer("<think>a</think><answer>x</answer> extra").well_formed);
  CHECK_FALSE(extract_answer("<answer>x</answer>").well_formed);
  CHECK_FALSE(extract_answer("<think>a</think><answer>x</answer><answer>y</answer>").well_formed);
  CHECK(extract_answer("<think>a</think><answer>x</answer><answer>y</answer>").answer == "y"); // the last one
  const ChatTemplate r1{.think_only = true};
  CHECK(extract_answer("<think>a</think>The answer.", r1).answer == "The answer.");
  CHECK(extract_answer("<think>a</think>The answer.", r1).well_formed);
  CHECK_FALSE(extract_answer("<think>a</think>  ", r1).well_formed);
  const ChatTemplate custom{
      .think_open = "<reason>", .think_close = "</reason>", .answer_open = "<final>", .answer_close = "</final>"};
  CHECK(extract_answer("<reason>r</reason><final>f</final>", custom).answer == "f");
}

TEST_CASE("FormatReward and the released code's non-empty-think option", "[reward]") {
  CHECK(FormatReward{}(Sample{.response = "<think></think><answer>x</answer>"}).value == 1);
  CHECK(FormatReward{.require_nonempty_think = true}(Sample{.response = "<think> </think><answer>x</answer>"}).value ==
        -1);
  CHECK(FormatReward{.require_nonempty_think =
                         true}(Sample{.response = "<think>reasoning process here</think><answer>x</answer>"})
            .value == -1);
  CHECK(FormatReward{}(Sample{.response = "no tags"}).value == -1);
}

TEST_CASE("RAIF reward = format + piecewise accuracy, in [-3, 3] (example A: R = 1.667)", "[reward]") {
  const auto spec = And{NumberOfWords{.num_words = 51, .relation = Relation::less_than},
                        Keywords{.keywords = {"eco-friendly"}}, EndPhrase{.end_phrase = "Order now!"}};
  const RaifReward<decltype(spec)> r{.spec = spec};
  const auto some = r(Sample{.response = "<think>plan</think><answer>Our eco-friendly bottle. Order today!</answer>"});
  CHECK(std::round(some.value * 1000) / 1000 == 1.667);
  CHECK(some.component("format") == 1);
  CHECK(std::round(some.component("accuracy") * 1000) / 1000 == 0.667);
  CHECK(std::round(some.component("leaf_pass_rate") * 1000) / 1000 == 0.667);
  REQUIRE(some.verdict);
  CHECK(some.verdict->leaves.size() == 3);
  CHECK(r(Sample{.response = "<think>x</think><answer>Our eco-friendly bottle. Order now!</answer>"}).value == 3);
  CHECK(r(Sample{.response = "<think>x</think><answer>" + std::string(60, 'x') + ", " +
                             std::string("a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f g h i j k l "
                                         "m n o p q r s t u v w x y z") +
                             "</answer>"})
            .value == -1);                                                         // none pass: 1 - 2
  CHECK(r(Sample{.response = "Our eco-friendly bottle. Order now!"}).value == -3); // format fails: -1 - 2
}

TEST_CASE("Combinators", "[reward]") {
  const FormatReward f;
  const Sample good{.response = "<think>t</think><answer>a</answer>"}, bad{.response = "x"};
  CHECK(Sum(f, f)(good).value == 2);
  CHECK(Sum(f, f)(good).components.size() == 2);
  CHECK(Sum(f, f)(good).components[1].first == "format#2");
  CHECK(WeightedSum<FormatReward, FormatReward>{.weights = {0.25, 2}}(bad).value == -2.25);
  const auto g = GateOn<FormatReward, Scale<FormatReward>>{
      .gate = f, .term = {.term = f, .factor = 3}, .threshold = 1, .otherwise = -5};
  CHECK(g(good).value == 3);
  CHECK(g(bad).value == -5);
  CHECK(g(bad).component("gate") == 0);
  CHECK(Clip<Scale<FormatReward>>{.term = {.term = f, .factor = 10}, .lo = -2, .hi = 2}(good).value == 2);
}

TEST_CASE("Judge-verified leaves, batched; results independent of thread count", "[reward][judge]") {
  LookupJudge lj;
  lj.add("Is the answer free of commas?", NoComma{}).add("Is it polite?", Keywords{.keywords = {"please"}});
  const Judge judge = lj;
  const auto spec =
      compile({{"and",
                {{{"constraint", "judge:question"}, {"kwargs", {{"question", "Is the answer free of commas?"}}}},
                 {{"constraint", "judge:question"}, {"kwargs", {{"question", "Is it polite?"}}}},
                 {{"constraint", "length_constraints:number_words"},
                  {"kwargs", {{"num_words", 3}, {"relation", "at least"}}}}}}});
  const RaifReward<AnyNode> reward{.spec = spec};
  std::vector<std::string> responses;
  std::vector<Sample> samples;
  for (int i = 0; i < 40; ++i)
    responses.push_back("<think>t</think><answer>" + std::string(i % 2 ? "please, " : "please ") +
                        std::string(i % 3 ? "do it now" : "go") + "</answer>");
  for (const auto& r : responses) samples.push_back(Sample{.prompt = "Ask nicely.", .response = r});
  const auto one = score_batch(reward, samples, 1, &judge);
  const std::size_t calls_after_one = lj.calls();
  const auto four = score_batch(reward, samples, 4, &judge);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    CHECK(one[i].value == four[i].value);
    CHECK(to_json(*one[i].verdict) == to_json(*four[i].verdict));
  }
  CHECK(calls_after_one == 1); // every judge query of the batch in one call
  // Hand-computed: "please do it now" passes all three -> 1 + 2; "please, go" fails commas and length.
  CHECK(one[4].value == 3);                               // i = 4: "please do it now"
  CHECK(std::round(one[3].value * 1000) / 1000 == 1.333); // i = 3: "please, go": 1 of 3 leaves -> 1 + 1/3
}

TEST_CASE("A judge leaf without a judge fails loudly", "[reward][judge]") {
  const auto spec = compile({{"constraint", "judge:question"}, {"kwargs", {{"question", "Good?"}}}});
  CHECK_THROWS_WITH(RaifReward<AnyNode>{.spec = spec}(Sample{.response = "<think>t</think><answer>a</answer>"}),
                    Catch::Contains("needs a judge"));
}
