// Python regular expressions in IFEval kwargs: raif's PyPattern against Python 3.11's `re`.
// Expected values come from tests/data/python_regex_cases.jsonl (tools/gen_python_regex_cases.py
// runs `re` itself); the hand-written cases below are checked against Python the same way.
#include <raif/text/pattern.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#ifndef RAIF_TEST_DATA
#define RAIF_TEST_DATA "tests/data"
#endif

using namespace raif;

namespace python_regex_test {

using nlohmann::json;

// Valid Python patterns raif declines, each with the reason its error must give.
const std::map<std::string, std::string> refused = {{"\\N{EM DASH}", "\\N{EM DASH}"}};

struct Outcome {
  enum Kind { value, error, budget } kind = value;
  std::int64_t v = 0;
  std::string message;
};

Outcome run(const std::string& func, const std::string& pattern, const Text& t) {
  Outcome o;
  try {
    if (func == "search") o.v = PyPattern(pattern, false).search(t);
    if (func == "count") o.v = static_cast<std::int64_t>(PyPattern(pattern, false).count(t));
    if (func == "search_i") o.v = PyPattern(pattern, true).search(t);
    if (func == "count_i") o.v = static_cast<std::int64_t>(PyPattern(pattern, true).count(t));
    if (func == "word_i") o.v = PyPattern::word_bounded(pattern, true).search(t);
    if (func == "search_m") o.v = PyPattern(pattern, false, "regex", true).search(t);
  } catch (const raif::error& e) {
    o.message = e.what();
    o.kind = o.message.find("step budget") != std::string::npos ? Outcome::budget : Outcome::error;
  }
  return o;
}

std::string expand(const json& text) {
  if (text.is_string()) return text.get<std::string>();
  std::string s;
  for (const auto& piece : text)
    for (int k = 0; k < piece[1].get<int>(); ++k) s += piece[0].get<std::string>();
  return s;
}

std::int64_t as_value(const json& v) { return v.is_boolean() ? v.get<bool>() : v.get<std::int64_t>(); }

std::vector<json> load() {
  std::ifstream in(RAIF_TEST_DATA "/python_regex_cases.jsonl");
  std::vector<json> rows;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) rows.push_back(json::parse(line));
  return rows;
}

const char* const funcs[] = {"search", "count", "search_i", "count_i", "word_i", "search_m"};

} // namespace python_regex_test

TEST_CASE("Python regex verdicts: raif agrees with re on every case it runs", "[text][python_regex]") {
  using namespace python_regex_test;
  const auto rows = load();
  REQUIRE(rows.size() > 1000);
  std::size_t verdicts = 0, agree = 0, errors_agree = 0, declined = 0, budget_thrown = 0, budget_answered = 0;
  std::map<std::string, std::size_t> per_topic_total, per_topic_agree;
  double worst_budget_ms = 0;
  for (const auto& r : rows) {
    if (r.contains("ignorecase")) continue;
    const std::string pattern = r["pattern"], topic = r["topic"];
    const std::string text = expand(r["text"]);
    const Text t(text);
    for (const char* f : funcs) {
      const json& want = r[f];
      const auto t0 = std::chrono::steady_clock::now();
      const Outcome got = run(f, pattern, t);
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      ++verdicts;
      INFO("row " << r["id"] << " " << f << " pattern '" << pattern << "' text " << r["text"].dump() << " want "
                  << want.dump() << " got " << got.v << " " << got.message);
      if (refused.count(pattern) && !(want.is_string() && want == "error")) {
        CHECK(got.kind == Outcome::error);
        CHECK_THAT(got.message, Catch::Contains(refused.at(pattern)));
        ++declined;
        continue;
      }
      ++per_topic_total[topic];
      if (want.is_object()) { // catastrophic for Python: raif refuses on budget, or answers right
        if (got.kind == Outcome::budget) {
          ++budget_thrown;
          ++agree;
          ++per_topic_agree[topic];
          worst_budget_ms = std::max(worst_budget_ms, ms);
          continue;
        }
        REQUIRE(got.kind == Outcome::value);
        REQUIRE(!want["answer"].is_null());
        CHECK(got.v == as_value(want["answer"]));
        if (got.v == as_value(want["answer"])) {
          ++budget_answered;
          ++agree;
          ++per_topic_agree[topic];
        }
        continue;
      }
      if (want.is_string()) { // "error": Python's re rejects the pattern
        CHECK(got.kind == Outcome::error);
        CHECK_THAT(got.message, Catch::Contains("not a valid Python regular expression"));
        if (got.kind == Outcome::error) {
          ++errors_agree;
          ++agree;
          ++per_topic_agree[topic];
        }
        continue;
      }
      CHECK(got.kind == Outcome::value);
      CHECK(got.v == as_value(want));
      if (got.kind == Outcome::value && got.v == as_value(want)) {
        ++agree;
        ++per_topic_agree[topic];
      }
    }
  }
  std::cout << "python_regex_cases: " << agree << "/" << verdicts - declined << " verdicts agree with Python 3.11 ("
            << errors_agree << " of them re.error -> raif::error; " << budget_thrown
            << " catastrophic ones refused on the step budget, worst " << worst_budget_ms << " ms; " << budget_answered
            << " catastrophic ones answered in linear time); " << declined << " verdicts declined (valid Python raif "
            << "does not run)\n";
  for (const auto& [topic, n] : per_topic_total)
    std::cout << "  " << topic << ": " << per_topic_agree[topic] << "/" << n << "\n";
}

TEST_CASE("IGNORECASE: raif's classes are Python's, measured with re on every cased code point", "[text][python_regex]") {
  using namespace python_regex_test;
  const auto rows = load();
  REQUIRE(!rows.empty());
  REQUIRE(rows[0].contains("ignorecase"));
  const auto& ic = rows[0]["ignorecase"];
  std::set<std::vector<char32_t>> python;
  for (const auto& cls : ic["classes"]) python.insert(cls.get<std::vector<char32_t>>());
  std::set<std::vector<char32_t>> raif_classes(detail::pyre::fold_classes().begin(), detail::pyre::fold_classes().end());
  CHECK(raif_classes == python);
  CHECK(python.size() == 1427);

  // PCRE2's own caseless matching (UCP, Unicode case folding) against Python's: raif never uses it,
  // and this shows why. For each cased character c, the cased characters `(?i)c` matches.
  const auto cased = ic["cased"].get<std::vector<char32_t>>();
  std::map<char32_t, const std::vector<char32_t>*> class_of;
  for (const auto& cls : python)
    for (char32_t c : cls) class_of[c] = &cls;
  std::u32string all(cased.begin(), cased.end());
  const std::string subject = utf8_encode(all);
  std::size_t differ = 0;
  std::vector<std::string> examples;
  for (char32_t c : cased) {
    std::string pat = "(?i)";
    detail::pyre::put_cp(pat, c);
    int err = 0;
    PCRE2_SIZE off = 0;
    pcre2_code_8* re = pcre2_compile_8(reinterpret_cast<PCRE2_SPTR8>(pat.data()), pat.size(), PCRE2_UTF | PCRE2_UCP,
                                       &err, &off, nullptr);
    REQUIRE(re);
    pcre2_match_data_8* md = pcre2_match_data_create_from_pattern_8(re, nullptr);
    std::vector<char32_t> got;
    for (std::size_t pos = 0; pos < subject.size();) {
      if (pcre2_match_8(re, reinterpret_cast<PCRE2_SPTR8>(subject.data()), subject.size(), pos, 0, md, nullptr) < 0)
        break;
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer_8(md);
      std::size_t i = ov[0];
      got.push_back(detail::utf8_next(subject, i));
      pos = ov[1];
    }
    pcre2_match_data_free_8(md);
    pcre2_code_free_8(re);
    const std::vector<char32_t> want = class_of.count(c) ? *class_of[c] : std::vector<char32_t>{c};
    if (got != want) {
      ++differ;
      if (examples.size() < 8) {
        std::string e = "U+" + std::to_string(c) + ": python {";
        for (char32_t x : want) e += " " + std::to_string(x);
        e += " } pcre2 {";
        for (char32_t x : got) e += " " + std::to_string(x);
        examples.push_back(e + " }");
      }
    }
  }
  std::cout << "PCRE2 10.42 caseless (UCP) differs from Python's IGNORECASE for " << differ << " of " << cased.size()
            << " cased code points, e.g.\n";
  for (const auto& e : examples) std::cout << "  " << e << "\n";
  CHECK(differ > 0); // if this ever reaches 0, the expansion could go (but stays correct)
}
