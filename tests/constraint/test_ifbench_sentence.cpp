// IFBench sentence:* (SPEC §3.13, §3.26, §3.31). Expected values come from the SPEC's examples,
// the conformance fixture's rows (keys 300xxx) and hand computation of the SPEC's rules.
#include <raif/constraint/ifbench_sentence.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace raif;
using nlohmann::json;

namespace test_ifbench_sentence { // named, around the test cases too: these files share a unity TU
template <class C> bool ok(const C& c, std::string_view text) { return check(c, Text(text)); }
std::string repeat(std::string_view unit, std::size_t bytes) {
  std::string s;
  while (s.size() < bytes) s += unit;
  return s;
}

TEST_CASE("sentence:alliteration_increment: scores must strictly increase", "[constraint][ifbench]") {
  const AlliterationIncrement c;
  CHECK_FALSE(ok(c, "Big bad bears. Cats run."));                          // 3 then 0 (fixture 300244)
  CHECK(ok(c, "Big bad. Big bad bears. Silly snakes slither slowly."));    // 2 < 3 < 4 (300246)
  CHECK(ok(c, "1 1. 2 2 2."));                                             // digits alliterate (300249)
  CHECK(ok(c, "Cats run.\nBig bad bears.\nSilly snakes slither slowly.")); // (300251)
  CHECK(ok(c, "Big bad bears\nSilly snakes slither slowly."));             // one sentence (300252)
  CHECK(ok(c, "Cats run."));                                               // 0 > -1
  CHECK(ok(c, "Cats run. Apes ate ants. Big bears bite, cats creep."));    // 0, 2+1, 2+1+2
  CHECK_FALSE(ok(c, "Cats run. Apes ate ants. Big bears bite cats."));     // 0, 3, 3
  CHECK(ok(c, "Cats run. Big -- bad."));                                   // "--" is dropped: 0, 2
  CHECK(ok(c, "Cats run. (Big) **bad**."));                                // only the left end is trimmed
  CHECK(ok(c, "Cats run. Apple ANT."));                                    // lowercased: 0, 2
  CHECK(ok(c, "Cats run. \xC4\xB0"
              "ce ice.")); // İce -> i̇ce starts with i
}

TEST_CASE("sentence:keyword: the N-th sentence contains the word between \\b, ignoring case", "[constraint][ifbench]") {
  const SentenceKeyword m{.word = "metricism", .N = 3};
  CHECK(ok(m, "This is sentence 1. This is sentence 2. The pre-metricism era."));    // 300491
  CHECK_FALSE(ok(m, "This is sentence 1. This is sentence 2. The _metricism var.")); // 300492
  CHECK_FALSE(ok(m, "This is sentence 1. This is sentence 2. The metricisms var."));
  CHECK(ok(m, "This is sentence 1. Dr. Who is two. The metricism is here."));                   // 300495
  CHECK_FALSE(ok(m, "Line one\nline two\nThe metricism is here."));                             // 300496
  CHECK_FALSE(ok(m, "Intro.\nThis is sentence 1. This is sentence 2. The metricism is here.")); // 300497
  CHECK(ok(m, "Intro.\nThis is sentence 1. The metricism is here."));                           // 300498
  CHECK(ok(m, "One. Two. THE METRICISM."));
  CHECK_FALSE(ok(m, "One. The metricism. Three."));                                                  // wrong sentence
  CHECK_FALSE(ok(SentenceKeyword{.word = "eat", .N = 6}, "The eat is here. Then it rains. I ate.")); // 300500
  CHECK(ok(SentenceKeyword{.word = "sun", .N = 1}, "The \xC5\xBFun rises."));                        // ſun ~ sun
  CHECK(ok(SentenceKeyword{.word = "kelvin", .N = 1}, "In \xE2\x84\xAA"
                                                      "elvin.")); // KELVIN SIGN ~ k
  CHECK_FALSE(ok(SentenceKeyword{.word = "STRASSE", .N = 1}, "Die stra\xC3\x9F"
                                                             "e.")); // ß is not SS
  // The word is regex-escaped: metacharacters are literal, and \b still applies on both sides.
  CHECK(ok(SentenceKeyword{.word = "C++", .N = 1}, "We use C++11 here."));
  CHECK_FALSE(ok(SentenceKeyword{.word = "C++", .N = 1}, "We use C++ here.")); // no \b between + and space
  CHECK_FALSE(ok(SentenceKeyword{.word = "a.c", .N = 1}, "We use abc here."));
  CHECK(ok(SentenceKeyword{.word = "a.c", .N = 1}, "We use A.C here."));
}

TEST_CASE("sentence:keyword: kwargs the official checker randomises are errors", "[constraint][ifbench]") {
  CHECK_THROWS_AS(from_kwargs<SentenceKeyword>(json{{"word", "x"}, {"N", 0}}), error);
  CHECK_THROWS_WITH(from_kwargs<SentenceKeyword>(json{{"word", "x"}, {"N", 0.0}}), Catch::Contains("non-zero"));
  CHECK_THROWS_WITH(from_kwargs<SentenceKeyword>(json{{"word", "x"}, {"N", -2}}), Catch::Contains("positive"));
  CHECK_THROWS_WITH(from_kwargs<SentenceKeyword>(json{{"word", ""}, {"N", 3}}), Catch::Contains("'word'"));
  CHECK_THROWS_AS(from_kwargs<SentenceKeyword>(json{{"word", "x"}}), error);
  CHECK_THROWS_AS(from_kwargs<SentenceKeyword>(json{{"N", 3}, {"word", nullptr}}), error);
  CHECK(from_kwargs<SentenceKeyword>(json{{"word", "x"}, {"N", 3.0}}).N == 3);
}

TEST_CASE("sentence:increment: each sentence has exactly small_n more words", "[constraint][ifbench]") {
  const SentenceIncrement one{.small_n = 1};
  CHECK(ok(one, "I run. I run fast. I run very fast."));                                         // 300570
  CHECK(ok(SentenceIncrement{.small_n = 3}, "Go go. Go go go go go. Go go go go go go go go.")); // 300572
  CHECK(ok(one, "I run\nI run fast."));                                                          // 300579
  CHECK_FALSE(ok(one, "Here is my answer.\nI run. I run fast."));                                // 300580
  CHECK(ok(one, "I run. I run fast.   \n\n"));                                                   // 300581
  CHECK(ok(one, "Just one sentence here."));
  CHECK_FALSE(ok(one, "I run. I run very fast."));
  CHECK(ok(one, "Cats - dogs. Cats eat dogs."));              // "A - b." has 2 words
  CHECK(ok(one, "It's 3.14 today. Don't stop now, please.")); // don't and 3.14 are one word each
  CHECK_FALSE(ok(one, "Cats run. Cats run."));
  CHECK(ok(SentenceIncrement{.small_n = 0}, "Cats run. Cats run.")); // raif: 0 means equal counts
  CHECK_THROWS_AS(from_kwargs<SentenceIncrement>(json::object()), error);
}

TEST_CASE("sentence:*: 1 MB adversarial inputs", "[constraint][ifbench]") {
  const std::size_t mb = 1 << 20;
  const std::string go = repeat("Go. ", mb); // 262144 one-word sentences
  CHECK_FALSE(ok(AlliterationIncrement{}, go));
  CHECK_FALSE(ok(SentenceIncrement{.small_n = 1}, go));
  CHECK(ok(SentenceIncrement{.small_n = 0}, go));
  CHECK(ok(SentenceKeyword{.word = "go", .N = 262144}, go));
  CHECK_FALSE(ok(SentenceKeyword{.word = "go", .N = 262145}, go));
  // Long tokens full of candidate sentence ends, and no whitespace at all.
  for (const auto& s :
       {repeat("a.(", mb), repeat("a.)", mb), repeat("x. ", mb), repeat("A.\" ", mb), repeat("a", mb)}) {
    CHECK_NOTHROW(ok(AlliterationIncrement{}, s));
    CHECK_NOTHROW(ok(SentenceIncrement{.small_n = 1}, s));
    CHECK_NOTHROW(ok(SentenceKeyword{.word = "a", .N = 2}, s));
  }
  // KMP over a text and a keyword made of one repeated letter; \b only at the ends of the run.
  const std::string run = repeat("a", mb);
  CHECK_FALSE(ok(SentenceKeyword{.word = repeat("a", 4096) + "b", .N = 1}, run));
  CHECK_FALSE(ok(SentenceKeyword{.word = repeat("a", 4096), .N = 1}, run));
  CHECK(ok(SentenceKeyword{.word = repeat("a", 4096), .N = 1}, run + " " + repeat("a", 4096)));
}

} // namespace test_ifbench_sentence
