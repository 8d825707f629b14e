// IFBench custom:* and repeat:* (SPEC §3.39-3.49, 3.53-3.55), the CSV reader (text/csv.hpp) and ASCII
// folding (text/ascii_fold.hpp). Expected values come from the SPEC, the fixture (../shared/ifbench,
// keys cited) or, for csv_read and ascii_fold, from Python 3.11 itself.
#include <raif/constraint/ifbench_custom.hpp>
#include <raif/text/ascii_fold.hpp>
#include <raif/text/csv.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace raif;
using nlohmann::json;

namespace ifbench_custom_test {
template <class C> bool ok(const C& c, std::string_view text) { return check(c, Text(text)); }

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

// Four questions of five options, question texts of increasing length (fixture key 300730's shape).
std::string four_questions(std::string_view option_label = ")") {
  const char* texts[] = {"Who painted it?", "Which movement began first?", "Which artist founded Cubism?",
                         "Which artist founded Cubism in Paris?"};
  std::string out;
  for (int q = 0; q < 4; ++q) {
    out += "Question "; // appended piece by piece: GCC 12 -O3 warns (-Wrestrict) on literal + string&&
    out += std::to_string(q + 1);
    out += ": ";
    out += texts[q];
    out += '\n';
    for (char o = 'A'; o <= 'E'; ++o) {
      out += o;
      out += option_label;
      out += " option\n";
    }
  }
  return out;
}

std::string city_csv(std::string_view newline = "\n") {
  std::string out = "ID,Country,City,Year,Count";
  for (int i = 1; i <= 7; ++i)
    out += std::string(newline) + std::to_string(i) + ",France,Paris,201" + std::to_string(i) + ",100";
  return out;
}

std::string product_csv(std::string_view special_row) {
  std::string out = "ProductID,Category,Brand,Price,Stock";
  for (int i = 1; i <= 14; ++i) { // appended piece by piece: GCC 12 -O3 warns (-Wrestrict) on "\n" + string&&
    out += '\n';
    out += i == 4 ? std::string(special_row) : std::to_string(i) + ",Tools,Acme,1.99,10";
  }
  return out;
}

std::string student_tsv(std::string_view third_row = "\"3\"\t\"Math\"\t\"A\"\t\"Fall\"\t\"93\"") {
  std::string out = "\"StudentID\"\t\"Subject\"\t\"Grade\"\t\"Semester\"\t\"Score\"\n\"1\"\t\"Math\"\t\"A\"\t\"Fall\"\t\"91\"\n"
                    "\"2\"\t\"Math\"\t\"A\"\t\"Fall\"\t\"92\"\n";
  out += third_row; // appended: GCC 12 -O3 warns (-Wrestrict) on literal + string&&
  return out;
}

// 52 lines in descending order, the first one "Zimbabwe".
std::string descending_lines(std::string_view prefix = "", std::string_view suffix = "") {
  std::string out = std::string(prefix) + "Zimbabwe" + std::string(suffix);
  for (int i = 50; i >= 0; --i) {
    std::string name = "Country";
    name += static_cast<char>('0' + i / 10);
    name += static_cast<char>('0' + i % 10);
    out += '\n';
    out += prefix;
    out += name;
    out += suffix;
  }
  return out;
}

std::vector<std::vector<std::string>> csv(std::string_view text, char32_t delimiter = U',') {
  std::vector<std::vector<std::string>> out;
  for (const auto& r : csv_read(text, {.delimiter = delimiter})) {
    out.emplace_back();
    for (const auto& f : r) out.back().push_back(utf8_encode(f));
  }
  return out;
}
using Rows = std::vector<std::vector<std::string>>;
} // namespace ifbench_custom_test

using namespace ifbench_custom_test;

TEST_CASE("csv_read reads like Python 3.11's csv.reader over io.StringIO", "[text]") {
  CHECK(csv("").empty());
  CHECK(csv("a,b\nc") == Rows{{"a", "b"}, {"c"}});
  CHECK(csv("a,b\r\nc\r\n") == Rows{{"a", "b"}, {"c"}});
  CHECK(csv("a\n\nb") == Rows{{"a"}, {}, {"b"}}); // a blank line is an empty record
  CHECK(csv("\r\n") == Rows{{}});
  CHECK(csv("a,") == Rows{{"a", ""}});
  CHECK(csv("\"a\"b,c") == Rows{{"ab", "c"}}); // text after the closing quote is kept
  CHECK(csv("a\"b,\"c\"\"d\"") == Rows{{"a\"b", "c\"d"}});
  CHECK(csv("\"a\nb\",c") == Rows{{"a\nb", "c"}}); // a quoted field spans lines
  CHECK(csv("x,\"never closed\nstill") == Rows{{"x", "never closed\nstill"}});
  CHECK(csv("x,\"") == Rows{{"x", ""}});
  CHECK(csv(" \"a\"") == Rows{{" \"a\""}}); // quoted only if the first character is "
  CHECK(csv(std::string_view("a\0b", 3)) == Rows{{std::string("a\0b", 3)}});
  CHECK(csv("a\r") == Rows{{"a"}});         // a \r at the very end ends the last line
  CHECK(csv("\"a\rb\"") == Rows{{"a\rb"}}); // inside quotes \r is a character
  CHECK(csv("a\tb,c\t", U'\t') == Rows{{"a", "b,c", ""}});
  CHECK(csv("é,ü") == Rows{{"é", "ü"}});

  // A \r outside quotes that does not end the line: _csv.Error.
  CHECK_THROWS_AS(csv("a\rb"), CsvError);
  CHECK_THROWS_AS(csv("a,\rb\n"), CsvError);
  CHECK_THROWS_AS(csv("\rx"), CsvError);
  CHECK_THROWS_AS(csv("\"a\"\rb"), CsvError);
  CHECK_THROWS_WITH(csv("ok\nAc\rme,1\n"), Catch::Contains("CSV line 2") && Catch::Contains("_csv.Error") &&
                                               Catch::Contains("new-line character seen in unquoted field"));

  // Fields of up to 131072 characters; one more is _csv.Error.
  CHECK(csv(repeat("x", csv_field_limit))[0][0].size() == csv_field_limit);
  CHECK(csv("\"" + repeat("\"\"", csv_field_limit) + "\"")[0][0].size() == csv_field_limit);
  CHECK_THROWS_WITH(csv(repeat("x", csv_field_limit + 1)), Catch::Contains("field larger than field limit (131072)"));
}

TEST_CASE("csv_read on 1 MB inputs, and quotes that never close", "[text]") {
  CHECK(csv(repeat("a,b,c\n", 200000)).size() == 200000);
  CHECK(csv(repeat("\"a,\"\"b\"\"\",c\r\n", 100000)) == Rows(100000, {"a,\"b\"", "c"}));
  CHECK(csv(repeat("\n", 1 << 20)).size() == (1u << 20));
  // An unterminated quote swallows the rest of the input into one field: past 131072 characters
  // that is Python's "field larger than field limit".
  CHECK_THROWS_AS(csv("id,\"" + repeat("abc,def\n", 1 << 17)), CsvError);
  CHECK_THROWS_AS(csv(repeat("\"", 1 << 20)), CsvError); // "" pairs: 2^19 - 1 quote characters in one field
}

TEST_CASE("ascii_fold is NFKD with the non-ASCII code points dropped", "[text]") {
  CHECK(ascii_fold(U"São Tomé and Príncipe") == "Sao Tome and Principe");
  CHECK(ascii_fold(U"Reykjavík") == "Reykjavik");
  CHECK(ascii_fold(U"Stra\u00DFe \u0141\u00F3d\u017A") == "Strae odz"); // ß and Ł have no decomposition
  CHECK(ascii_fold(U"\uFB01 \u00BD \u2474 \uFF21\u00A0x") == "fi 12 (1) A x");
  CHECK(ascii_fold(U"e\u0301") == "e");
  CHECK(ascii_fold(U"\u4E2D\u6587 \U0001F600") == " ");
  CHECK(ascii_fold(U"\u3392") == "MHz");
  CHECK(ascii_fold(U'\uFF02') == "\"");
  CHECK(ascii_fold(U'A') == "A");
  CHECK(ascii_fold(U'\0').size() == 1);
}

TEST_CASE("custom:multiples: the \\d runs are exactly 14 21 28 35 42 49", "[constraint][ifbench]") {
  const PrintMultiples c;
  CHECK(ok(c, "14,21,28,35,42,49"));          // 300709
  CHECK(ok(c, "14, 21, 28, 35, 42, 49\n\n")); // 300721
  CHECK(ok(c, "Here: 14; 21; 28; 35; 42 and 49."));
  CHECK_FALSE(ok(c, "Multiples of 7 from 10 to 50:\n14, 21, 28, 35, 42, 49")); // 300713
  CHECK_FALSE(ok(c, "14, 21, 28, 35, 42, 49, 56"));                            // 300714
  CHECK_FALSE(ok(c, "\uFF11\uFF14, 21, 28, 35, 42, 49"));                      // 300717: fullwidth
  CHECK_FALSE(ok(c, "014, 21, 28, 35, 42, 49"));
  CHECK_FALSE(ok(c, "14, 21, 28, 35, 42"));
  CHECK_FALSE(ok(c, ""));
  CHECK(ok(c, repeat("no digits here. ", 1 << 16) + "14, 21, 28, 35, 42, 49"));
  CHECK_FALSE(ok(c, repeat("14 ", 350000)));
}

TEST_CASE("custom:mcq_count_length: 4 questions, 5 options each, growing question texts", "[constraint][ifbench]") {
  const MultipleChoiceQuestions c;
  CHECK(ok(c, four_questions()));
  CHECK(ok(c, four_questions(".")));                          // 300736: "A." options
  CHECK(ok(c, four_questions("|")));                          // A| is an option
  CHECK(ok(c, four_questions() + "\n\n"));                    // 300739
  CHECK(ok(c, four_questions() + "Explanation: text after")); // 300730: ignored
  CHECK_FALSE(ok(c, "**" + four_questions()));                // 300733: must start with "Question"
  CHECK_FALSE(ok(c, "Here are the questions.\n" + four_questions()));
  std::string three = four_questions();
  three = three.substr(0, three.find("Question 4"));
  CHECK_FALSE(ok(c, three)); // 300728
  std::string paren = four_questions();
  paren.replace(paren.find("A)"), 2, "(A)"); // (A) is not an option: four options left
  CHECK_FALSE(ok(c, paren));
  std::string sixth = four_questions();
  sixth.insert(sixth.find("Question 2"), "F) ignored\n"); // F) lines are ignored
  CHECK(ok(c, sixth));
  std::string extra = four_questions();
  extra.insert(extra.find("Question 2"), "e) one too many\n");
  CHECK_FALSE(ok(c, extra));
  std::string equal = four_questions();
  equal.replace(equal.find("Who painted it?"), 15, "Which movement began first?"); // 300738: equal lengths
  CHECK_FALSE(ok(c, equal));
  CHECK_FALSE(ok(c, ""));
  CHECK_FALSE(ok(c, "Question"));
  // 1 MB: long runs of newlines before a "Question" that is not a label.
  CHECK_FALSE(ok(c, "Question 1: " + repeat(repeat("\n", 1000) + "Question x", 1000)));
  CHECK(ok(c, four_questions() + repeat("\n", 1 << 20) + "Question")); // the last question's tail
  CHECK(ok(c, four_questions() + repeat("F) more\n", 1 << 17)));
}

TEST_CASE("custom:reverse_newline: 52 descending folded lines from a Zimbabwe line on", "[constraint][ifbench]") {
  const ReverseNewline c;
  CHECK(ok(c, descending_lines()));
  CHECK(ok(c, descending_lines("- ")));       // 300745: trimmed
  CHECK(ok(c, descending_lines("**", "**"))); // 300753: trimmed
  CHECK(ok(c, descending_lines("", "\r")));   // 300752: \r is not trimmed, but sorts alike
  CHECK(ok(c, "Sure, here they are:\n\n" + descending_lines() + "\nAaa\nAaa")); // duplicates allowed
  std::string numbered; // "1. Zimbabwe", "2. Country50", ...: the numbers are kept and ascend
  int number = 0;
  for (auto line : py_split(std::string_view(descending_lines()), std::string_view("\n")))
    numbered += std::to_string(++number) + ". " + std::string(line) + "\n";
  CHECK_FALSE(ok(c, numbered));
  std::string lower = descending_lines();
  lower[0] = 'z';
  CHECK_FALSE(ok(c, lower)); // 300751: case-sensitive search for "Zimbabwe"
  std::string short_list = descending_lines();
  short_list = short_list.substr(0, short_list.rfind('\n'));
  CHECK_FALSE(ok(c, short_list)); // 51 lines
  // 300745 vs 300757: "São Tomé" sorts as "Sao Tome", after "Senegal" in descending order.
  std::string tail = descending_lines();
  tail = tail.substr(tail.find("Country47"));
  CHECK(ok(c, "Zimbabwe\nSenegal\nS\u00E3o Tom\u00E9\nRwanda\n" + tail));
  CHECK_FALSE(ok(c, "Zimbabwe\nS\u00E3o Tom\u00E9\nSenegal\nRwanda\n" + tail));
  CHECK(ok(c, descending_lines() + repeat("\nA", 1 << 19)));
  CHECK_FALSE(ok(c, descending_lines() + repeat("\nA", 1 << 19) + "\nB"));
}

TEST_CASE("custom:word_reverse: a substring test for 'bald eagle' on the reversed words", "[constraint][ifbench]") {
  const WordReverseOrder c;
  CHECK(ok(c, "Eagle bald the is animal the.")); // 300761
  CHECK(ok(c, "eagle, bald"));                   // 300765
  CHECK(ok(c, "eagle\u00A0bald"));               // 300768
  CHECK(ok(c, "eagle bald   \n"));               // 300770
  CHECK(ok(c, "eaglex xbald"));                  // 300772
  CHECK_FALSE(ok(c, "The bald eagle"));
  CHECK_FALSE(ok(c, "eaglebald"));
  CHECK(ok(c, repeat("river mountain ", 1 << 16) + "eagle bald"));
  CHECK_FALSE(ok(c, repeat("bald ", 1 << 18) + "eagle")); // reversed: "eagle bald bald ..."
}

TEST_CASE("custom:character_reverse: 'elgae dlab' in the lowercased text", "[constraint][ifbench]") {
  const CharacterReverseOrder c;
  CHECK(ok(c, "elgae dlab ehT"));                            // 273
  CHECK(ok(c, "Elgae Dlab"));                                // 300790
  CHECK(ok(c, "Sure!\nelgae dlab"));                         // 300787
  CHECK_FALSE(ok(c, "The bald eagle"));                      // 300783
  CHECK_FALSE(ok(c, "elgaedlab"));                           // 300784
  CHECK_FALSE(ok(c, "elgae\u00A0dlab"));                     // 300786
  CHECK(ok(c, repeat("elgae dla", 1 << 17) + "elgae dlab")); // 1 MB
}

TEST_CASE("custom:sentence_alphabet: 26 Punkt sentences starting a..z", "[constraint][ifbench]") {
  const SentenceAlphabet c;
  const char* first_words[] = {"Apples",  "Bring", "Calm",       "Days",   "Every",  "Fresh",  "Garden",
                               "Holds",   "Idle",  "Joyful",     "Kites",  "Lift",   "Many",   "New",
                               "Old",     "Paths", "Quietly",    "Rising", "Softly", "Toward", "Upper",
                               "Valleys", "Where", "Xylophones", "Yield",  "Zest"}; // 300795
  std::string upper, lower, lines;
  for (std::string w : first_words) {
    upper += w + " came next. ";
    lines += w + " came next.\n";
    w[0] = static_cast<char>(w[0] + 32);
    lower += w + " came next. ";
  }
  CHECK(ok(c, upper));
  CHECK(ok(c, lower));                                      // 300800
  CHECK(ok(c, lines));                                      // 300801
  CHECK_FALSE(ok(c, "Also more. " + upper));                // 300808
  CHECK_FALSE(ok(c, upper.substr(0, upper.rfind("Zest")))); // 300796: 25 sentences
  CHECK_FALSE(ok(c, "\"" + upper));                         // a leading quote fails
  std::string unterminated = upper;
  for (auto& ch : unterminated)
    if (ch == '.') ch = '\n'; // newlines alone do not split
  CHECK_FALSE(ok(c, unterminated));
  std::string longer; // ~1 MB, 26 long sentences
  for (char k = 'A'; k <= 'Z'; ++k) longer += std::string(1, k) + "pples" + repeat(" went", 8000) + ". ";
  CHECK(ok(c, longer));
}

TEST_CASE("custom:european_capitals_sort: the 27 capitals, north to south, comma-separated", "[constraint][ifbench]") {
  const EuropeanCapitalsSort c;
  const std::string list = "Reykjavik, Helsinki, Oslo, Tallinn, Stockholm, Riga, Moscow, Copenhagen, Vilnius, Minsk, "
                           "Dublin, Berlin, Amsterdam, Warsaw, London, Brussels, Prague, Luxembourg, Paris, Vienna, "
                           "Bratislava, Budapest, Vaduz, Chisinau, Bern, Ljubljana, Zagreb";
  CHECK(ok(c, list));                                    // 300812
  CHECK(ok(c, list + ","));                              // 300815
  CHECK(ok(c, list + "\n\n"));                           // 300823
  CHECK(ok(c, "Reykjav\u00EDk" + list.substr(9)));       // folded
  CHECK(ok(c, "Reykjavik,,Helsinki" + list.substr(19))); // blank item dropped
  CHECK_FALSE(ok(c, list + "."));                        // 300814
  CHECK_FALSE(ok(c, list + ", Rome"));                   // 300819
  CHECK_FALSE(ok(c, list.substr(0, list.rfind(", ")) + " and Zagreb"));
  CHECK_FALSE(ok(c, "Capitals: " + list));
  CHECK_FALSE(ok(c, repeat(",", 1 << 20) + list + "x"));
  CHECK(ok(c, repeat(" ,", 1 << 19) + list));
}

TEST_CASE("custom:csv_city: 8 CSV records, header ID,Country,City,Year,Count", "[constraint][ifbench]") {
  const CityCSV c;
  CHECK(ok(c, city_csv()));        // 300828
  CHECK(ok(c, city_csv("\r\n")));  // 300834
  CHECK(ok(c, city_csv() + "\n")); // 300835
  std::string quoted = city_csv();
  quoted.replace(0, 26, "\"ID\",\"Country\",\"City\",\"Year\",\"Count\"");
  CHECK(ok(c, quoted)); // 300830
  // piece inserted `offset` bytes after `anchor` (built by appending: GCC 12's -Wrestrict misreads
  // an insert at a found position as a possible overlap)
  auto inserted = [](const std::string& s, std::string_view anchor, std::size_t offset, std::string_view piece) {
    const std::size_t at = s.find(anchor) + offset;
    std::string out = s.substr(0, at);
    out += piece;
    out += s.substr(at);
    return out;
  };
  const std::string nul = inserted(city_csv(), "France", 4, std::string_view("\0", 1));
  CHECK(ok(c, nul));                                                // 300839
  CHECK_FALSE(ok(c, city_csv().substr(0, city_csv().rfind('\n')))); // 300831: 6 rows
  CHECK_FALSE(ok(c, "ID, Country, City, Year, Count" + city_csv().substr(26)));
  CHECK_FALSE(ok(c, "```\n" + city_csv() + "\n```")); // fence lines are records
  CHECK_FALSE(ok(c, city_csv() + "\n\n"));            // a blank line is a record
  const std::string cr = inserted(city_csv(), "Paris", 2, "\r");
  CHECK_THROWS_WITH(ok(c, cr), Catch::Contains("custom:csv_city") && Catch::Contains("_csv.Error"));
  CHECK_FALSE(ok(c, repeat("a,b,c,d,e\n", 100000)));
  CHECK_THROWS_AS(ok(c, city_csv() + "\n\"" + repeat("x", 1 << 20)), error);
}

TEST_CASE("custom:csv_special_character: header, 15 records, a quoted field with a special character",
          "[constraint][ifbench]") {
  const SpecialCharacterCSV c;
  CHECK(ok(c, product_csv("4,Tools,\"Acme & Sons\",4.99,40")));
  CHECK(ok(c, "ProductID, Category, Brand, Price, Stock" +
                  product_csv("4,Tools,\"Acme & Sons\",4.99,40").substr(36))); // 300849
  CHECK(ok(c, "\"ProductID\",\t\"Category\",Brand,Price,Stock" +
                  product_csv("4,Tools,\"Acme & Sons\",4.99,40").substr(36)));
  CHECK_FALSE(ok(c, product_csv("4,Tools,Acme,4.99,40")));     // 300846
  CHECK_FALSE(ok(c, product_csv("4,Tools,Acme's,4.99,40")));   // 300855: unquoted special
  CHECK_FALSE(ok(c, product_csv("4,Tools,\"Acme\",4.99,40"))); // quoted, nothing special
  CHECK_FALSE(ok(c, "Product ID,Category,Brand,Price,Stock" + product_csv("4,T,\"A&B\",4,4").substr(36)));
  // 300848: a bad record after the special one is never checked.
  std::string later_bad = product_csv("4,Tools,\"Acme & Sons\",4.99,40");
  later_bad.replace(later_bad.find("10,Tools,Acme,1.99,10"), 21, "10,Tools,Acme,1.99");
  CHECK(ok(c, later_bad));
  std::string earlier_bad = product_csv("4,Tools,\"Acme & Sons\",4.99,40");
  earlier_bad.replace(earlier_bad.find("2,Tools,Acme,1.99,10"), 20, "2,Tools,Acme,1.99");
  CHECK_FALSE(ok(c, earlier_bad));
  std::string thirteen = product_csv("4,Tools,\"Acme & Sons\",4.99,40");
  CHECK_FALSE(ok(c, thirteen.substr(0, thirteen.rfind('\n')))); // 300852
  // errors.jsonl 300858: a lone \r in an unquoted field.
  std::string cr = product_csv("4,Tools,\"Acme & Sons\",4.99,40");
  cr.replace(cr.find("5,Tools,Acme"), 12, "5,Tools,Ac\rme");
  CHECK_THROWS_WITH(ok(c, cr), Catch::Contains("custom:csv_special_character") && Catch::Contains("_csv.Error") &&
                                   Catch::Contains("line 6"));
  CHECK_FALSE(ok(c, product_csv("4,Tools,Acme,4.99,40") + repeat("\n1,2,3,4,5", 100000)));
  CHECK_THROWS_AS(ok(c, product_csv("4,Tools,\"" + repeat("x", 1 << 20))), error);
}

TEST_CASE("custom:csv_quotes: tab-separated, 4 records, every field quoted", "[constraint][ifbench]") {
  const QuotesCSV c;
  CHECK(ok(c, student_tsv()));                                             // 300862
  CHECK(ok(c, student_tsv(" \"3\" \t\"Math\"\t\"A\"\t\"Fall\"\t\"93\""))); // 300870
  CHECK(ok(c, student_tsv("\"3\"\t\"\"\t\"A\"\t\"Fall\"\t\"93\"")));       // "" is a quoted empty field
  std::string crlf = student_tsv();
  for (std::size_t k = crlf.find('\n'); k != std::string::npos; k = crlf.find('\n', k + 2)) crlf.insert(k, 1, '\r');
  CHECK(ok(c, crlf));                                                                          // 300874
  CHECK_FALSE(ok(c, student_tsv("\"3\"\t\"Math\"\tA\t\"Fall\"\t\"93\"")));                     // 300867
  CHECK_FALSE(ok(c, "StudentID\tSubject\tGrade\tSemester\tScore" + student_tsv().substr(48))); // header unquoted
  CHECK_FALSE(ok(c, "```\n" + student_tsv() + "\n```"));                                       // 300872 (strict)
  std::string commas = student_tsv();
  for (auto& ch : commas)
    if (ch == '\t') ch = ',';
  CHECK_FALSE(ok(c, commas));                                                       // 300864
  CHECK_FALSE(ok(c, student_tsv() + "\n\"4\"\t\"Math\"\t\"A\"\t\"Fall\"\t\"94\"")); // 5 records
  // The empty tab-separated field: the official checker raises IndexError.
  CHECK_THROWS_WITH(ok(c, student_tsv("\"3\"\t\t\"A\"\t\"Fall\"\t\"93\"")),
                    Catch::Contains("custom:csv_quotes") && Catch::Contains("field 2 of record 4") &&
                        Catch::Contains("IndexError"));
  CHECK_THROWS_WITH(ok(c, student_tsv("\"3\"\t\"Math\"\t\"A\"\t\"Fall\"\t  ")), Catch::Contains("IndexError"));
  CHECK_FALSE(ok(c, student_tsv("\"3\"\t\"Math\"\t\"A\"\t\"Fall\"") + "\t\t")); // 6 fields: False first
  CHECK_THROWS_WITH(ok(c, student_tsv("\"3\"\tMa\rth\t\"A\"\t\"Fall\"\t\"93\"")), Catch::Contains("_csv.Error"));
  CHECK(ok(c, student_tsv("\"3\"\t\"" + repeat("M", 48000) + "\"\t\"A\"\t\"Fall\"\t\"93\""))); // 300881
  CHECK_THROWS_AS(ok(c, student_tsv("\"3\"\t\"" + repeat("M", 1 << 20))), error);
  CHECK_FALSE(ok(c, student_tsv() + repeat("\n\"1\"", 1 << 18)));
}

TEST_CASE("custom:date_format_list: comma-separated YYYY-MM-DD dates, 1769 to 1821", "[constraint][ifbench]") {
  const DateFormatList c;
  CHECK(ok(c, "1821-12-31, 1769-01-01")); // 300885
  CHECK(ok(c, "1800-02-29"));
  CHECK(ok(c, "1801-02-29"));                                               // leap years ignored
  CHECK(ok(c, "1800-00-00"));                                               // month and day 00 accepted
  CHECK(ok(c, "1800-04-30 ,1800-06-30  \n"));                               // 300898
  CHECK(ok(c, "\uFF11\uFF18\uFF10\uFF10-01-01"));                           // fullwidth digits are \d
  CHECK(ok(c, "\u0661\u0668\u0660\u0660-\u0661\u0662-\u0663\u0661"));       // Arabic-Indic 1800-12-31
  CHECK_FALSE(ok(c, "\u0661\u0668\u0660\u0660-\u0660\u0664-\u0663\u0661")); // 1800-04-31
  CHECK_FALSE(ok(c, "1768-01-01"));                                         // 300883
  CHECK_FALSE(ok(c, "1822-01-01"));
  CHECK_FALSE(ok(c, "1800-13-01")); // 300886
  CHECK_FALSE(ok(c, "1800-04-31")); // 300888
  CHECK_FALSE(ok(c, "1800-02-30"));
  CHECK_FALSE(ok(c, "1800-01-01, 1800-01-02,")); // 300892: trailing comma
  CHECK_FALSE(ok(c, "1800-01-01\n1800-01-02"));  // 300893
  CHECK_FALSE(ok(c, "1800-1-01"));
  CHECK_FALSE(ok(c, "\u00B9800-01-01")); // superscript one is a digit, not \d
  CHECK(ok(c, repeat("1800-01-01, ", 87000) + "1821-12-31"));
  CHECK_FALSE(ok(c, repeat("1800-01-01, ", 87000) + "1821-12-32"));
}

TEST_CASE("repeat:repeat_change: words after the first equal the prompt's, text differs", "[constraint][ifbench]") {
  const auto c = from_kwargs<RepeatChange>(
      json{{"prompt_to_repeat", "Write a python program to implement a simple JPEG compression algorithm."}});
  CHECK(ok(c, "Create a python program to implement a simple JPEG compression algorithm."));     // 300951
  CHECK(ok(c, "write a python program to implement a simple JPEG compression algorithm."));      // 300954
  CHECK(ok(c, "**Create** a python program to implement a simple JPEG compression algorithm.")); // 300960
  CHECK(ok(c, "Write a python program to implement a simple JPEG compression algorithm.\n"));    // not identical
  CHECK(ok(c, "Write  a python\nprogram to implement a simple JPEG compression algorithm."));
  CHECK_FALSE(ok(c, "Write a python program to implement a simple JPEG compression algorithm.")); // 300952
  CHECK_FALSE(ok(c, "Create a Python program to implement a simple JPEG compression algorithm."));
  CHECK_FALSE(ok(c, "Create a python program to implement a simple JPEG compression algorithm"));
  CHECK_THROWS_WITH(from_kwargs<RepeatChange>(json{{"prompt_to_repeat", ""}}),
                    Catch::Contains("repeat:repeat_change") && Catch::Contains("prompt_to_repeat") &&
                        Catch::Contains("ValueError"));
  CHECK_THROWS_AS(from_kwargs<RepeatChange>(json::object()), error);
  const RepeatChange big{.prompt_to_repeat = "First" + repeat(" word", 200000)};
  CHECK(ok(big, "Second" + repeat(" word", 200000)));
  CHECK_FALSE(ok(big, "Second" + repeat(" word", 199999)));
}

TEST_CASE("repeat:repeat_simple: exactly the sentence, case-insensitive, stripped", "[constraint][ifbench]") {
  const RepeatSimple c;
  CHECK(ok(c, "ONLY OUTPUT THIS SENTENCE HERE, IGNORE ALL OTHER REQUESTS."));               // 300968
  CHECK(ok(c, "Only output this sentence here, ignore all other requests.   \n\n"));        // 300971
  CHECK_FALSE(ok(c, "\"Only output this sentence here, ignore all other requests.\""));     // 300970
  CHECK_FALSE(ok(c, "Sure:\nOnly output this sentence here, ignore all other requests."));  // 300973 (strict)
  CHECK_FALSE(ok(c, "Only  output  this  sentence  here,  ignore  all  other  requests.")); // 300976
  CHECK_FALSE(ok(c, "Only output this sentence here ignore all other requests."));
  CHECK_FALSE(ok(c, repeat("Only output this sentence here, ignore all other requests. ", 20000)));
}

TEST_CASE("repeat:repeat_span: characters n_start..n_end of the prompt, inclusive", "[constraint][ifbench]") {
  const std::string prompt = "Write a descriptive, fictional, imaginative screenplay of a fish.";
  const auto c = from_kwargs<RepeatSpan>(json{{"prompt_to_repeat", prompt}, {"n_start", 5}, {"n_end", 15}});
  CHECK(ok(c, "a descript")); // 300985: the span " a descript", stripped
  CHECK(ok(c, " A DESCRIPT \n"));
  CHECK_FALSE(ok(c, " a descrip"));      // 300989: end - 1
  CHECK_FALSE(ok(c, "** a descript**")); // 300994 (strict)
  CHECK_FALSE(ok(c, prompt));            // 300995
  const RepeatSpan first{.prompt_to_repeat = "The walls are solid", .n_start = {0}, .n_end = {7}};
  CHECK(ok(first, "The wall")); // 300987
  const RepeatSpan past_end{.prompt_to_repeat = "abcdef", .n_start = {3}, .n_end = {100}};
  CHECK(ok(past_end, "def"));
  const RepeatSpan negative{.prompt_to_repeat = "abcdef", .n_start = {-3}, .n_end = {-2}}; // Python's "abcdef"[-3:-1]
  CHECK(ok(negative, "de"));
  const RepeatSpan empty_span{.prompt_to_repeat = "abcdef", .n_start = {4}, .n_end = {1}};
  CHECK_FALSE(ok(empty_span, "x"));
  const RepeatSpan huge{.prompt_to_repeat = "abcdef", .n_start = {-1000}, .n_end = {INT64_MAX}};
  CHECK(ok(huge, "ABCDEF"));
  // errors.jsonl 301086: float indices (the official checker raises TypeError).
  CHECK_THROWS_WITH(from_kwargs<RepeatSpan>(json{{"prompt_to_repeat", "abcdef"}, {"n_start", 1.0}, {"n_end", 3.0}}),
                    Catch::Contains("n_start") && Catch::Contains("JSON integer"));
  CHECK_THROWS_AS(from_kwargs<RepeatSpan>(json{{"prompt_to_repeat", "abcdef"}, {"n_start", 1}}), error);
  const RepeatSpan big{.prompt_to_repeat = repeat("x", 1 << 20), .n_start = {0}, .n_end = {(1 << 20) - 1}};
  CHECK(ok(big, repeat("X", 1 << 20)));
}

TEST_CASE("custom:* and repeat:* describe their parameters", "[constraint][ifbench]") {
  const RepeatSpan span{.prompt_to_repeat = "abcdef", .n_start = {1}, .n_end = {3}};
  CHECK_THAT(span.describe(), Catch::Contains("abcdef") && Catch::Contains("1") && Catch::Contains("3"));
  CHECK_THAT(RepeatChange{.prompt_to_repeat = "Say hi"}.describe(), Catch::Contains("Say hi"));
  static_assert(decltype(boost::hana::length(ifbench_custom_types))::value == 14);
}
