#include <raif/eval/ifeval_io.hpp>

#include "../support/skip.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace raif;

TEST_CASE("Python float repr", "[eval]") {
  CHECK(python_float_repr(0.7707948243992606) == "0.7707948243992606");
  CHECK(python_float_repr(1.0) == "1.0");
  CHECK(python_float_repr(0.8) == "0.8");
  CHECK(python_float_repr(0.0) == "0.0");
  CHECK(python_float_repr(0.0001) == "0.0001");
  CHECK(python_float_repr(5e-05) == "5e-05");
  CHECK(python_float_repr(1e16) == "1e+16");
  CHECK(python_float_repr(123456789012345.0) == "123456789012345.0");
  CHECK(python_float_repr(2.0 / 3.0) == "0.6666666666666666");
}

TEST_CASE("Python json.dumps string escaping (ensure_ascii)", "[eval]") {
  std::string o;
  python_json_string(o, "a\"b\\c\n\t\x01\x7f\u00E9\U0001F600");
  CHECK(o == "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\\u00e9\\ud83d\\ude00\"");
}

TEST_CASE("Loose candidates (SPEC 1.6)", "[eval]") {
  const auto c = loose_candidates("*Title*\nbody **x**\nlast ");
  CHECK(c[0] == "*Title*\nbody **x**\nlast ");
  CHECK(c[1] == "Title\nbody x\nlast ");
  CHECK(c[2] == "body **x**\nlast");
  CHECK(c[3] == "*Title*\nbody **x**");
  CHECK(c[4] == "body **x**");
  CHECK(c[5] == "body x\nlast");
  CHECK(c[6] == "Title\nbody x");
  CHECK(c[7] == "body x");
  const auto one = loose_candidates("one line");
  for (std::size_t k = 2; k < 8; ++k) CHECK(one[k].empty());
}

TEST_CASE("Strict mode fails every instruction on a blank response", "[eval]") {
  const std::vector<AnyConstraint> cs{NoComma{}, NumberOfWords{.num_words = 5, .relation = Relation::less_than}};
  const auto v = evaluate_ifeval(cs, " \n\t");
  CHECK(v.strict == std::vector<bool>{false, false});
  CHECK(v.loose == std::vector<bool>{false, false});
  const auto w = evaluate_ifeval({EndPhrase{.end_phrase = "bye"}}, "Hello\n**bye**");
  CHECK(w.strict == std::vector<bool>{false});
  CHECK(w.loose == std::vector<bool>{true}); // candidate 2 removes the asterisks
}

TEST_CASE("IFEval's sentence constraints take Punkt from the context, trained English by default", "[eval]") {
  // NLTK's Punkt with the trained punkt_tab/english gives 2 sentences; PunktSentenceTokenizer()
  // (untrained) gives 4: "Mr." | "Smith went to the U.S." | "Army." | "He slept."
  const Text t("Mr. Smith went to the U.S. Army. He slept.");
  const PunktParameters untrained;
  const NumberOfSentences two{.num_sentences = 2, .relation = Relation::less_than};   // < 2
  const NumberOfSentences three{.num_sentences = 3, .relation = Relation::less_than}; // < 3
  CHECK(check(three, t));
  CHECK_FALSE(check(two, t));
  CHECK(check(three, t, Context{.punkt = &english_punkt()}));
  CHECK_FALSE(check(three, t, Context{.punkt = &untrained}));
  CHECK(check(NumberOfSentences{.num_sentences = 4, .relation = Relation::at_least}, t, Context{.punkt = &untrained}));
  const AnyConstraint any = three; // type-erased, as the evaluator holds it
  CHECK(any.check(t));
  CHECK_FALSE(any.check(t, Context{.punkt = &untrained}));
  // NLTK word_tokenize: ['I', 'saw', 'Mr.', 'BIG', '.', 'THEY', 'left', '.'] (trained) and
  // ['I', 'saw', 'Mr', '.', 'BIG', '.', 'THEY', 'left', '.'] (untrained): 3 all-capital tokens each.
  const CapitalWordFrequency caps{.capital_frequency = 3, .capital_relation = Relation::at_least};
  CHECK(check(caps, Text("I saw Mr. BIG. THEY left.")));
  CHECK(check(caps, Text("I saw Mr. BIG. THEY left."), Context{.punkt = &untrained}));
}

namespace {
struct Fixture {
  std::vector<IfevalItem> items;
  std::unordered_map<std::string, std::string> responses;
  std::vector<nlohmann::json> official;
};
// The fixture with the official verdicts of `results` (official_results_gpt4.jsonl: untrained
// Punkt; official_results_gpt4_trained_punkt.jsonl: NLTK's trained English model).
std::optional<Fixture> load_fixture(const char* results) {
  const std::filesystem::path dir = RAIF_IFEVAL_DIR;
  if (!std::filesystem::exists(dir / results)) return std::nullopt;
  Fixture f;
  f.items = read_ifeval_input((dir / "input_data.jsonl").string());
  f.responses = read_ifeval_responses((dir / "input_response_data_gpt4_20231107_145030.jsonl").string());
  read_jsonl((dir / results).string(), [&](const nlohmann::json& j, std::size_t) { f.official.push_back(j); });
  return f;
}

struct Agreement {
  std::size_t exact = 0, exact_agree = 0, flagged = 0, flagged_agree = 0;
  std::vector<std::string> disagreements; // on rows not flagged
};
// raif's verdicts under `ctx` vs the fixture's, strict and loose; a row is flagged when the
// fixture marks it nondeterministic (random letter) or, where `approximate_flagged`, approximate.
Agreement compare_with_fixture(const Fixture& f, const Context& ctx, bool approximate_flagged) {
  Agreement a;
  for (std::size_t p = 0; p < f.items.size(); ++p) {
    const auto& item = f.items[p];
    const auto& off = f.official[p];
    REQUIRE(off["key"] == item.key);
    const auto v = evaluate_ifeval(item.constraints(), f.responses.at(item.prompt), ctx);
    for (std::size_t i = 0; i < item.instruction_id_list.size(); ++i) {
      const bool is_flagged = off["nondeterministic"][i].get<bool>() ||
                              (approximate_flagged && off["approximate"][i].get<bool>());
      for (const char* mode : {"strict", "loose"}) {
        const bool ours = std::string_view(mode) == "strict" ? v.strict[i] : v.loose[i];
        const bool agree = ours == off[mode][i].get<bool>();
        (is_flagged ? a.flagged : a.exact) += 1;
        (is_flagged ? a.flagged_agree : a.exact_agree) += agree;
        if (!agree && !is_flagged)
          a.disagreements.push_back(std::to_string(item.key) + " " + mode + " " + item.instruction_id_list[i]);
      }
    }
  }
  return a;
}
} // namespace

TEST_CASE("IFEval conformance: every verdict of the official checker with trained Punkt (the default)",
          "[eval][conformance]") {
  const auto f = load_fixture("official_results_gpt4_trained_punkt.jsonl");
  if (!f) RAIF_SKIP("IFEval fixture not found at " RAIF_IFEVAL_DIR " (set -DRAIF_IFEVAL_DIR=...)");
  REQUIRE(f->items.size() == 541);
  REQUIRE(f->official.size() == 541);
  const auto a = compare_with_fixture(*f, Context{}, false);
  INFO("disagreements: " << nlohmann::json(a.disagreements).dump());
  CHECK(a.exact == 2 * (834 - 2)); // every row but the 2 random letters (keys 1122, 1129)
  CHECK(a.exact_agree == a.exact);
  CHECK(a.flagged == 2 * 2);
}

TEST_CASE("IFEval conformance: every verdict of the official checker with untrained Punkt (Context::punkt)",
          "[eval][conformance]") {
  const auto f = load_fixture("official_results_gpt4.jsonl");
  if (!f) RAIF_SKIP("IFEval fixture not found at " RAIF_IFEVAL_DIR " (set -DRAIF_IFEVAL_DIR=...)");
  REQUIRE(f->items.size() == 541);
  REQUIRE(f->official.size() == 541);
  const PunktParameters untrained;
  const auto a = compare_with_fixture(*f, Context{.punkt = &untrained}, true);
  INFO("disagreements: " << nlohmann::json(a.disagreements).dump());
  CHECK(a.exact == 2 * (834 - 79)); // 77 approximate + 2 nondeterministic instructions are flagged
  CHECK(a.exact_agree == a.exact);
  // The untrained Punkt that made this fixture is the one chosen, so flagged rows agree as well
  // (the random letters of 1122 and 1129 happen to agree with raif's rule under the fixture's seed).
  CHECK(a.flagged_agree == a.flagged);
}

TEST_CASE("IFEval conformance: the published GPT-4 headline numbers", "[eval][conformance]") {
  const auto f = load_fixture("official_results_gpt4_trained_punkt.jsonl");
  if (!f) RAIF_SKIP("IFEval fixture not found at " RAIF_IFEVAL_DIR " (set -DRAIF_IFEVAL_DIR=...)");
  std::vector<std::vector<bool>> strict, loose;
  for (const auto& item : f->items) {
    auto v = evaluate_ifeval(item.constraints(), f->responses.at(item.prompt)); // trained Punkt, as published
    // The random letters of 1122 and 1129 failed once in the strict pass and twice in the loose
    // pass of the published run (../shared/ifeval/README.md).
    for (std::size_t i = 0; i < item.instruction_id_list.size(); ++i)
      if ((item.key == 1122 || item.key == 1129) && item.instruction_id_list[i] == "keywords:letter_frequency") {
        v.strict[i] = item.key == 1122;
        v.loose[i] = false;
      }
    strict.push_back(v.strict);
    loose.push_back(v.loose);
  }
  const auto s = summarize_ifeval(f->items, strict), l = summarize_ifeval(f->items, loose);
  auto pct = [](const Accuracy& a) { return std::round(a.value() * 10000) / 100; };
  CHECK(pct(s.prompt) == 76.89);
  CHECK(pct(s.instruction) == 83.57);
  CHECK(pct(l.prompt) == 79.30);
  CHECK(pct(l.instruction) == 85.37);
}

TEST_CASE("IFEval input errors name file, line and field", "[eval]") {
  const auto dir = std::filesystem::temp_directory_path() / "raif_test_io";
  std::filesystem::create_directories(dir);
  auto write = [&](const char* name, const std::string& text) {
    std::ofstream(dir / name, std::ios::binary) << text;
    return (dir / name).string();
  };
  const auto bad_json =
      write("a.jsonl", "{\"key\": 1, \"prompt\": \"p\", \"instruction_id_list\": [], \"kwargs\": []}\n{oops\n");
  CHECK_THROWS_WITH(read_ifeval_input(bad_json), Catch::Contains("a.jsonl:2:"));
  const auto bad_field = // a string of digits is a valid key (IFBench's), a string of letters is not
      write("b.jsonl", "{\"key\": \"one\", \"prompt\": \"p\", \"instruction_id_list\": [], \"kwargs\": []}\n");
  CHECK_THROWS_WITH(read_ifeval_input(bad_field), Catch::Contains("b.jsonl:1: field 'key'"));
  const auto bad_utf8 = write("c.jsonl", "{\"prompt\": \"p\", \"response\": \"\xFF\"}\n");
  CHECK_THROWS_WITH(read_ifeval_responses(bad_utf8), Catch::Contains("c.jsonl:1:"));
  const auto bad_resp = write("d.jsonl", "{\"prompt\": \"p\", \"response\": 3}\n");
  CHECK_THROWS_WITH(read_ifeval_responses(bad_resp), Catch::Contains("d.jsonl:1: field 'response' must be a string"));
  std::filesystem::remove_all(dir);
}
