// IFBench words:start_verb (SPEC §3.24). Expected values come from the SPEC's examples, the
// conformance fixture's rows (keys 300xxx) and NLTK 3.9.2 (nltk.pos_tag(nltk.word_tokenize(T))).
#include <raif/constraint/ifbench_start_verb.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace raif;

namespace start_verb_test {
bool starts_with_verb(std::string_view text) { return check(StartWithVerb{}, Text(text)); }
std::string repeat_to(std::string_view unit, std::size_t bytes) {
  std::string s;
  while (s.size() < bytes) s += unit;
  return s;
}
} // namespace start_verb_test

TEST_CASE("words:start_verb: the first token's tag is VB*", "[constraint][ifbench]") {
  using start_verb_test::starts_with_verb;
  // SPEC §3.24
  CHECK(starts_with_verb("Write a poem."));
  CHECK(starts_with_verb("Running is healthy.")); // VBG
  CHECK_FALSE(starts_with_verb("Be kind."));      // NNP
  CHECK_FALSE(starts_with_verb("Explain why."));
  CHECK_FALSE(starts_with_verb("Go home."));
  CHECK_FALSE(starts_with_verb("List three items.")); // NN
  CHECK_FALSE(starts_with_verb("**Write** a poem.")); // the first token is "*"
  // fixture
  CHECK(starts_with_verb("Write a poem about the sea."));         // 300449
  CHECK(starts_with_verb("Consider the following."));             // 300452
  CHECK_FALSE(starts_with_verb("Sure! Write it."));               // 300455
  CHECK(starts_with_verb("Tell me more."));                       // 300459
  CHECK_FALSE(starts_with_verb("2 write"));                       // 300461
  CHECK_FALSE(starts_with_verb("Write the poem. Poem is done.")); // 301074
  // no token at all
  CHECK_FALSE(starts_with_verb(""));
  CHECK_FALSE(starts_with_verb(" \n\t"));
  CHECK(StartWithVerb::id == "words:start_verb");
  CHECK_FALSE(StartWithVerb{}.describe().empty());
}

TEST_CASE("words:start_verb: the tag looks two tokens ahead, across sentences", "[constraint][ifbench]") {
  using start_verb_test::starts_with_verb;
  // The first sentence has two tokens ("See", "."); the third comes from the next sentence.
  CHECK(starts_with_verb("See. The sea is calm.")); // VB
  CHECK_FALSE(starts_with_verb("See."));            // NNP
  CHECK_FALSE(starts_with_verb("Take. Today."));    // NNP
  CHECK(starts_with_verb("Take."));                 // VB
  CHECK(starts_with_verb("Try. This is it."));      // VB
  CHECK_FALSE(starts_with_verb("Try."));            // NNP
}

TEST_CASE("words:start_verb: first_tokens is word_tokenize's prefix", "[constraint][ifbench]") {
  for (std::u32string_view text :
       {U"See. The sea is calm.", U"Go. Now.", U"\"Hi,\" she said. (Really?)", U"A. B. C. D.", U"", U"  ",
        U"e.g. this is fine. yes", U"I'm don't can't gonna cannot 'tis"}) {
    const auto all = word_tokenize(text, english_punkt());
    const auto some = detail::ifbench_start_verb::first_tokens(text, 3);
    CHECK(some.size() >= std::min<std::size_t>(3, all.size()));
    CHECK(std::equal(some.begin(), some.end(), all.begin(), all.begin() + static_cast<std::ptrdiff_t>(some.size())));
  }
}

TEST_CASE("words:start_verb: 1 MB inputs", "[constraint][ifbench]") {
  using namespace start_verb_test;
  // Verdicts from NLTK on the same inputs.
  CHECK_FALSE(starts_with_verb(repeat_to("Write ", 1u << 20)));       // one sentence: Write/NNP Write Write
  CHECK(starts_with_verb("Write it. " + repeat_to("a. ", 1u << 20))); // many sentences: Write/VB it .
  CHECK_FALSE(starts_with_verb(repeat_to("*", 1u << 20)));            // */JJ * *
  CHECK_FALSE(starts_with_verb(std::string(1u << 20, 'a')));          // one 1 MB token: NN
}
