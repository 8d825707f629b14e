// The IFBench table of docs/constraints.md runs: each row's kwargs build its constraint through
// Registry::ifbench(), and each example text follows (✓) or breaks (✗) it. The table is parsed, so
// the documentation cannot drift from the code.
#include <raif/constraint/ifbench.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

using namespace raif;

TEST_CASE("The IFBench examples of docs/constraints.md", "[constraint][docs][ifbench]") {
  std::ifstream in(RAIF_DOCS_DIR "/constraints.md");
  REQUIRE(in);
  const std::regex row(R"(^\| `([a-z_]+:[a-z_-]+)` \| `([A-Za-z]+)` \|)");
  const std::regex kwargs_span(R"(`(\{[^`]*\})`)");
  const std::regex example(R"((✓|✗) `("(?:[^"\\]|\\.)*")`)");
  bool in_section = false;
  std::size_t rows = 0, examples = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) in_section = line.find("IFBench") != std::string::npos;
    std::smatch m;
    if (!in_section || !std::regex_search(line, m, row)) continue;
    const std::string id = m[1];
    INFO(id);
    const std::string last = line.substr(line.rfind(" | ") + 3);
    std::smatch k;
    REQUIRE(std::regex_search(last, k, kwargs_span));
    const auto c = Registry::ifbench().make(id, nlohmann::json::parse(k[1].str()));
    CHECK(c.describe().find_first_not_of(' ') != std::string::npos);
    ++rows;
    for (std::sregex_iterator e(last.begin(), last.end(), example), end; e != end; ++e) {
      const bool follows = (*e)[1] == "✓";
      const auto text = nlohmann::json::parse((*e)[2].str()).get<std::string>();
      INFO((follows ? "follows: " : "breaks: ") << text);
      CHECK(c.check(Text(text)) == follows);
      ++examples;
    }
  }
  CHECK(rows == 58);
  CHECK(examples >= 110);
}
