// IFBench conformance: every verdict of the official checker on the fixture (../shared/ifbench),
// strict and loose, and the evaluator's own rules (response lookup, missing responses, errors).
#include <raif/constraint/ifbench.hpp>

#include "../support/ifbench_fixture.hpp"
#include "../support/skip.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

using namespace raif;

namespace test_ifbench_eval { // named, around the test cases too: these files share a unity TU
std::optional<std::vector<test::IfbenchRow>> fixture() {
  const std::filesystem::path dir = RAIF_IFBENCH_DIR;
  if (!std::filesystem::exists(dir / "official_results.jsonl")) return std::nullopt;
  return test::load_ifbench_fixture(dir);
}

TEST_CASE("IFBench registry: the 58 out-of-distribution ids and IFEval's 25", "[eval][ifbench]") {
  const auto ids = Registry::ifbench().ids();
  CHECK(ids.size() == 83);
  std::size_t ood = 0;
  for (const auto& id : ids) ood += !Registry::ifeval().contains(id);
  CHECK(ood == 58);
  CHECK(decltype(boost::hana::length(ifbench_constraint_types))::value == 58);
}

TEST_CASE("IFBench conformance: per-instruction agreement with the official checker", "[eval][ifbench][conformance]") {
  const auto rows = fixture();
  if (!rows) RAIF_SKIP("IFBench fixture not found at " RAIF_IFBENCH_DIR " (set -DRAIF_IFBENCH_DIR=...)");
  REQUIRE(rows->size() == 548);
  std::size_t compared = 0, agree = 0, skipped = 0;
  std::set<std::string> ids_seen;
  std::vector<std::string> disagreements;
  for (const auto& row : *rows) {
    const auto& ids = row.item.instruction_id_list;
    if (row.skip()) {
      ++skipped;
      continue;
    }
    IfevalVerdict v;
    if (row.response)
      v = evaluate_ifeval(row.item.constraints(Registry::ifbench()), *row.response);
    else
      v.strict = v.loose = std::vector<bool>(ids.size(), false);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      ids_seen.insert(ids[i]);
      for (const char* mode : {"strict", "loose"}) {
        const bool ours = std::string_view(mode) == "strict" ? v.strict[i] : v.loose[i];
        const bool official = row.official.at(std::string("follow_instruction_list_") + mode)[i].get<bool>();
        ++compared;
        if (ours == official)
          ++agree;
        else
          disagreements.push_back(std::to_string(row.item.key) + " " + mode + " " + ids[i]);
      }
    }
  }
  INFO("disagreements: " << nlohmann::json(disagreements).dump());
  CHECK(skipped == 2); // the two random-default probes (flags.uses_random_default)
  CHECK(ids_seen.size() == 58);
  CHECK(agree == compared);
}

TEST_CASE("IFBench conformance: the official error inputs get a raif::error", "[eval][ifbench][conformance]") {
  const std::filesystem::path dir = RAIF_IFBENCH_DIR;
  if (!std::filesystem::exists(dir / "errors.jsonl"))
    RAIF_SKIP("IFBench fixture not found at " RAIF_IFBENCH_DIR " (set -DRAIF_IFBENCH_DIR=...)");
  std::size_t n = 0;
  read_jsonl((dir / "errors.jsonl").string(), [&](const nlohmann::json& j, std::size_t no) {
    auto row = j; // the error rows carry no prompt (no checker reads it)
    row["prompt"] = "error case";
    const auto item = parse_ifeval_input_row(row, "errors.jsonl", no);
    INFO("key " << item.key << ": " << j.at("strict_error").dump());
    CHECK_THROWS_AS(evaluate_ifeval(item.constraints(Registry::ifbench()), j.at("response").get<std::string>()),
                    raif::error);
    ++n;
  });
  CHECK(n == 6);
}

} // namespace test_ifbench_eval
