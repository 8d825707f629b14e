// From one constraint to a nested Chain with a Select inside, and a reward of your own.
// docs/tutorial-compose.md walks through it; the tests run it and compare its output.

#include <raif/compose/compose.hpp>
#include <raif/reward/reward.hpp>

#include <iostream>

using namespace raif;

// A reward term of your own: anything callable as RewardResult(const Sample&) const.
struct Brevity {
  std::int64_t max_words = 60;
  RewardResult operator()(const Sample& s) const {
    const auto n = static_cast<std::int64_t>(count_words(utf8_decode(extract_answer(s.response).answer)));
    const double v = n > max_words ? -0.5 : 0.0;
    return RewardResult{v, {{"brevity", v}}, std::nullopt};
  }
};

int main() {
  std::cout << std::boolalpha;

  // 1. One constraint.
  const NumberOfWords short_answer{.num_words = 60, .relation = Relation::less_than};
  std::cout << "1. " << short_answer.describe() << " -> " << check(short_answer, Text("Three little words")) << "\n";

  // 2. In parallel: And.
  const auto both = And{short_answer, NoComma{}};
  std::cout << "2. And: " << Fraction{}(evaluate(both, "Short, with a comma")) << "\n";

  // 3. In sequence, with a branch inside: "Part 1: exactly 3 fruits as '-' bullets. Then a line
  //    '***'. Part 2: a 3-line poem that names the second fruit; if the reader is a child (context
  //    age < 10) start it with 'For kids:' and use no commas, otherwise start with 'For adults:'
  //    and use the word 'verse'."
  using Kids = Branch<And<LineCount, ContainsVar, NoComma>, StartsWith>;
  using Adults = Branch<And<LineCount, ContainsVar, Keywords>, StartsWith>;
  using Poem = Select<ContextPredicate, Kids, Adults>;
  using Instruction = Chain<Delimiter, Step<NumberOfBullets>, Poem>;
  const Instruction instruction{
      .segmenter = {.line = "***"},
      .steps = {Step<NumberOfBullets>{.node = {.num_bullets = 3},
                                      .captures = {Capture{.var = "fruit", .list_item = 2}}},
                Poem{
                    .condition = {.field = "age", .op = "<", .value = 10, .then_label = "kids", .else_label = "adults"},
                    .branches = {Kids{.label = "kids",
                                      .node = And{LineCount{.num_lines = 4}, ContainsVar{.var = "fruit"}, NoComma{}},
                                      .signature = {.prefix = "For kids:"}},
                                 Adults{.label = "adults",
                                        .node = And{LineCount{.num_lines = 4}, ContainsVar{.var = "fruit"},
                                                    Keywords{.keywords = {"verse"}}},
                                        .signature = {.prefix = "For adults:"}}}}},
      .gating = Gating::step};

  const nlohmann::json child{{"age", 7}};
  const std::string answer = "- apple\n- mango\n- pear\n***\nFor kids:\nA mango so sweet\nyellow and neat\nyum yum yum";
  const Verdict v = evaluate(instruction, answer, Context{.fields = &child});
  std::cout << "3. Verdict for a child reader:\n" << to_text(v);
  std::cout << "   RAIF accuracy " << RaifPiecewise{}(v) << ", fraction " << Fraction{}(v) << "\n";

  // The same instruction as JSON, and back: the runtime twin gives the same verdict.
  const nlohmann::json json_spec = spec(instruction);
  const AnyNode twin = compile(json_spec);
  std::cout << "   runtime twin agrees: " << (to_json(evaluate(twin, answer, Context{.fields = &child})) == to_json(v))
            << "\n";

  // 4. Rewards: the RAIF reward (format + accuracy) plus a brevity term of your own.
  const auto reward = Sum(RaifReward<Instruction>{.spec = instruction}, Brevity{.max_words = 12});
  const nlohmann::json adult{{"age", 40}};
  for (const std::string& response :
       std::vector<std::string>{"<think>3 fruits, then a kids poem</think><answer>" + answer + "</answer>",
                                "<think>adult reader</think><answer>- fig\n- kiwi\n- lime\n***\nFor adults:\nThis "
                                "verse is for the kiwi\ngreen and small\nthat is all</answer>",
                                "<think>wrong branch</think><answer>- fig\n- kiwi\n- lime\n***\nFor kids:\nkiwi "
                                "kiwi\nsmall and green\nthe end</answer>",
                                "no tags at all"}) {
    const auto r = reward(Sample{.response = response, .context = &adult});
    std::cout << "4. reward " << r.value << " =";
    for (const auto& [k, x] : r.components) std::cout << " " << k << ":" << x;
    std::cout << "\n";
  }
}
