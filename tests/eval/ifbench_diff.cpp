// Developer tool: runs raif's IFBench checks over the conformance fixture and prints every verdict
// that differs from the official one, then a per-id tally. Rows whose ids raif does not register
// yet are counted as "missing", flagged rows (random defaults) as "skipped".
//   ifbench_diff <fixture dir> [id prefix]      e.g.  ifbench_diff ../shared/ifbench format:
// Built with -DRAIF_IFBENCH_FAMILY_HEADER='<raif/constraint/ifbench_format.hpp>'
// -DRAIF_IFBENCH_FAMILY_TYPES=ifbench_format_types it registers only that family (faster to build
// while the others are being written); by default all of Registry::ifbench().
#include "../support/ifbench_fixture.hpp"

#ifdef RAIF_IFBENCH_FAMILY_HEADER
#include RAIF_IFBENCH_FAMILY_HEADER
#include <boost/hana/for_each.hpp>
#else
#include <raif/constraint/ifbench.hpp>
#endif

#include <cstdio>
#include <exception>
#include <map>
#include <string>

int main(int argc, char** argv) try {
  if (argc < 2) {
    std::fprintf(stderr, "usage: ifbench_diff <fixture dir> [id prefix]\n");
    return 2;
  }
  const std::string prefix = argc > 2 ? argv[2] : "";
#ifdef RAIF_IFBENCH_FAMILY_HEADER
  raif::Registry reg;
  boost::hana::for_each(raif::RAIF_IFBENCH_FAMILY_TYPES, [&](auto t) { reg.add<typename decltype(t)::type>(); });
#else
  const auto& reg = raif::Registry::ifbench();
#endif
  struct Tally {
    int agree = 0, differ = 0, missing = 0, skipped = 0, errors = 0;
  };
  std::map<std::string, Tally> tally;
  int differ = 0, errors = 0;
  for (const auto& row : raif::test::load_ifbench_fixture(argv[1])) {
    const auto& ids = row.item.instruction_id_list;
    bool wanted = prefix.empty(), known = true;
    for (const auto& id : ids) {
      wanted = wanted || id.rfind(prefix, 0) == 0;
      known = known && reg.contains(id);
    }
    if (!wanted) continue;
    if (!known || row.skip()) {
      for (const auto& id : ids) ++(known ? tally[id].skipped : tally[id].missing);
      continue;
    }
    raif::IfevalVerdict v;
    try {
      const auto cs = row.item.constraints(reg);
      if (row.response)
        v = raif::evaluate_ifeval(cs, *row.response);
      else
        v.strict = v.loose = std::vector<bool>(ids.size(), false);
    } catch (const std::exception& e) {
      std::printf("key %lld: ERROR %s\n", static_cast<long long>(row.item.key), e.what());
      for (const auto& id : ids) ++tally[id].errors;
      ++errors;
      continue;
    }
    const auto& strict = row.official.at("follow_instruction_list_strict");
    const auto& loose = row.official.at("follow_instruction_list_loose");
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const bool ok = strict[i].get<bool>() == v.strict[i] && loose[i].get<bool>() == v.loose[i];
      ++(ok ? tally[ids[i]].agree : tally[ids[i]].differ);
      if (ok) continue;
      ++differ;
      std::string r = row.response ? row.response->substr(0, 160) : "<no response>";
      std::printf("key %lld %s: official strict=%d loose=%d, raif strict=%d loose=%d | %s | %s\n",
                  static_cast<long long>(row.item.key), ids[i].c_str(), strict[i].get<bool>(), loose[i].get<bool>(),
                  static_cast<int>(v.strict[i]), static_cast<int>(v.loose[i]),
                  row.official.at("flags").value("probe", "").c_str(), nlohmann::json(r).dump().c_str());
    }
  }
  std::printf("\n%-45s %6s %6s %7s %7s %6s\n", "id", "agree", "differ", "missing", "skipped", "errors");
  for (const auto& [id, t] : tally)
    std::printf("%-45s %6d %6d %7d %7d %6d\n", id.c_str(), t.agree, t.differ, t.missing, t.skipped, t.errors);
  return differ || errors ? 1 : 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "ifbench_diff: %s\n", e.what());
  return 2;
}
