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

namespace {
struct Fixture {
  std::vector<IfevalItem> items;
  std::unordered_map<std::string, std::string> responses;
  std::vector<nlohmann::json> official;
};
std::optional<Fixture> load_fixture() {
  const std::filesystem::path dir = RAIF_IFEVAL_DIR;
  if (!std::filesystem::exists(dir / "official_results_gpt4.jsonl")) return std::nullopt;
  Fixture f;
  f.items = read_ifeval_input((dir / "input_data.jsonl").string());
  f.responses = read_ifeval_responses((dir / "input_response_data_gpt4_20231107_145030.jsonl").string());
  read_jsonl((dir / "official_results_gpt4.jsonl").string(),
             [&](const nlohmann::json& j, std::size_t) { f.official.push_back(j); });
  return f;
}
} // namespace

TEST_CASE("IFEval conformance: per-instruction agreement with the official checker", "[eval][conformance]") {
  const auto f = load_fixture();
  if (!f) RAIF_SKIP("IFEval fixture not found at " RAIF_IFEVAL_DIR " (set -DRAIF_IFEVAL_DIR=...)");
  REQUIRE(f->items.size() == 541);
  REQUIRE(f->official.size() == 541);
  std::size_t exact = 0, exact_agree = 0, flagged = 0, flagged_agree = 0;
  std::vector<std::string> disagreements;
  for (std::size_t p = 0; p < f->items.size(); ++p) {
    const auto& item = f->items[p];
    const auto& off = f->official[p];
    REQUIRE(off["key"] == item.key);
    const auto v = evaluate_ifeval(item.constraints(), f->responses.at(item.prompt));
    for (std::size_t i = 0; i < item.instruction_id_list.size(); ++i) {
      const bool is_flagged = off["approximate"][i].get<bool>() || off["nondeterministic"][i].get<bool>();
      for (const char* mode : {"strict", "loose"}) {
        const bool ours = std::string_view(mode) == "strict" ? v.strict[i] : v.loose[i];
        const bool agree = ours == off[mode][i].get<bool>();
        (is_flagged ? flagged : exact) += 1;
        (is_flagged ? flagged_agree : exact_agree) += agree;
        if (!agree && !is_flagged)
          disagreements.push_back(std::to_string(item.key) + " " + mode + " " + item.instruction_id_list[i]);
      }
    }
  }
  INFO("disagreements: " << nlohmann::json(disagreements).dump());
  CHECK(exact == 2 * (834 - 79)); // 77 approximate + 2 nondeterministic instructions are flagged
  CHECK(exact_agree == exact);
  // The untrained Punkt that made the fixture is raif's default, so flagged rows agree as well.
  CHECK(flagged_agree == flagged);
}

TEST_CASE("IFEval conformance: the published GPT-4 headline numbers", "[eval][conformance]") {
  const auto f = load_fixture();
  if (!f) RAIF_SKIP("IFEval fixture not found at " RAIF_IFEVAL_DIR " (set -DRAIF_IFEVAL_DIR=...)");
  std::vector<std::vector<bool>> strict, loose;
  for (const auto& item : f->items) {
    auto v = evaluate_ifeval(item.constraints(), f->responses.at(item.prompt));
    // Flagged rows resolved as ../shared/ifeval/README.md explains: the trained Punkt model splits
    // key 1174's loose number_sentences differently, and the random letters of 1122 and 1129
    // failed once in the strict pass and twice in the loose pass of the published run.
    for (std::size_t i = 0; i < item.instruction_id_list.size(); ++i) {
      const auto& id = item.instruction_id_list[i];
      if (item.key == 1174 && id == "length_constraints:number_sentences") v.loose[i] = false;
      if ((item.key == 1122 || item.key == 1129) && id == "keywords:letter_frequency") {
        v.strict[i] = item.key == 1122;
        v.loose[i] = false;
      }
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
  const auto bad_field =
      write("b.jsonl", "{\"key\": \"1\", \"prompt\": \"p\", \"instruction_id_list\": [], \"kwargs\": []}\n");
  CHECK_THROWS_WITH(read_ifeval_input(bad_field), Catch::Contains("b.jsonl:1: field 'key'"));
  const auto bad_utf8 = write("c.jsonl", "{\"prompt\": \"p\", \"response\": \"\xFF\"}\n");
  CHECK_THROWS_WITH(read_ifeval_responses(bad_utf8), Catch::Contains("c.jsonl:1:"));
  const auto bad_resp = write("d.jsonl", "{\"prompt\": \"p\", \"response\": 3}\n");
  CHECK_THROWS_WITH(read_ifeval_responses(bad_resp), Catch::Contains("d.jsonl:1: field 'response' must be a string"));
  std::filesystem::remove_all(dir);
}
