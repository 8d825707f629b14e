// IFBench words:* (all but words:start_verb) and syllapy's syllable count. Expected verdicts are the
// edge cases of ../shared/ifbench/SPEC.md §2.7 and §3 and rows of the conformance fixture (key in a
// comment); syllable counts are syllapy 0.7.2's own (Python), not raif's.
#include <raif/constraint/ifbench_words.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace raif;
using nlohmann::json;

namespace test_ifbench_words { // named, around the test cases too: these files share a unity TU
template <class C> bool ok(const C& c, std::string_view text) { return check(c, Text(text)); }

// n copies of `piece`, joined by `sep`.
std::string repeat(std::string_view piece, std::size_t n, std::string_view sep = " ") {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) (out += i ? sep : "") += piece;
  return out;
}
constexpr std::size_t one_mb = 1 << 20;

TEST_CASE("count_syllables is syllapy 0.7.2's count", "[text][ifbench]") {
  CHECK(count_syllables("banana") == 3);
  CHECK(count_syllables("cat") == 1);
  CHECK(count_syllables("rhythm") == 1);
  CHECK(count_syllables("beautiful") == 3);
  CHECK(count_syllables("idea") == 3);
  CHECK(count_syllables("reentry") == 2);
  CHECK(count_syllables("queue") == 1);
  CHECK(count_syllables("fly") == 1);
  CHECK(count_syllables("ale") == 1);
  CHECK(count_syllables("le") == 1);
  CHECK(count_syllables("e") == 1);
  CHECK(count_syllables("zzz") == 1); // no vowel group: at least 1
  CHECK(count_syllables("Table!") == 2);
  CHECK(count_syllables("\u00a0Hello\u00a0") == 2);
  CHECK(count_syllables("caf\u00e9") == 1);
  CHECK(count_syllables("\u0130ce") == 1);
  CHECK(count_syllables("\U0001F600") == 1); // symbols count 1
  // Empty after trimming, or a decimal digit: 0. `²` is not a decimal digit, Arabic-Indic `٣` is.
  CHECK(count_syllables("") == 0);
  CHECK(count_syllables("...") == 0);
  CHECK(count_syllables("2024") == 0);
  CHECK(count_syllables("x\u00b2") == 1);
  CHECK(count_syllables("x\u0663") == 0);
  CHECK(count_syllables("a-1") == 0);
  // The dictionary: hyphenated keys are found whole; `dr.` is a key but the trimmed `dr` is not.
  CHECK(count_syllables("e-mail") == 2);
  CHECK(count_syllables("E-Mail") == 2);
  CHECK(count_syllables("self-care") == 2);
  CHECK(count_syllables("and\\/or") == 1);
  CHECK(count_syllables("dr.") == 1);
  // Compounds split at the first hyphen; each part is trimmed again; a 0 part makes the whole 0.
  CHECK(count_syllables("well-known-fact") == 3);
  CHECK(count_syllables("a--b") == 2);
  CHECK(count_syllables("xyzzyx-") == 2);
  CHECK(count_syllables("a-\U0001F600") == 2);
  // Python's `.+` stops at a newline: no split when one follows the hyphen, a cut-off rest otherwise.
  CHECK(count_syllables("a-\nb") == 1);
  CHECK(count_syllables("ab-c\nde-f") == 2);
}

TEST_CASE("count_syllables is linear in the number of hyphens", "[text][ifbench]") {
  // syllapy recurses once per hyphen (RecursionError past about 1000); raif loops.
  const std::size_t n = one_mb / 3;
  CHECK(count_syllables(repeat("ab", n, "-")) == static_cast<std::int64_t>(n));
}

TEST_CASE("words:alphabet", "[constraint][ifbench]") {
  const AlphabetLoop c;
  CHECK(ok(c, "Zebra"));                          // 300194
  CHECK(ok(c, "**Apple** banana"));               // 300200
  CHECK(ok(c, "Apple banana cherry\n\n  "));      // 300203
  CHECK(ok(c, "yak zoo apple"));                  // z is followed by a
  CHECK(ok(c, "A - b"));                          // the hyphen is deleted
  CHECK(ok(c, "\u212aite lamp"));                 // 300198: KELVIN SIGN lower-cases to k
  CHECK(ok(c, "happy \u0130ce"));                 // a later İce lower-cases to i̇ce: starts with i
  CHECK_FALSE(ok(c, "\u0130ce jam"));             // 300195: the first İ lower-cases to two code points
  CHECK_FALSE(ok(c, "Apple \u201cbanana\u201d")); // 300191: curly quotes are not deleted
  CHECK_FALSE(ok(c, "1 apple banana"));           // 300192
  CHECK_FALSE(ok(c, "\u00c9clair fig"));
  CHECK_FALSE(ok(c, "Apple cherry"));
  CHECK_FALSE(ok(c, ""));
  CHECK_FALSE(ok(c, "... !!!"));
  std::string abc;
  for (std::size_t i = 0; abc.size() < one_mb; ++i) (abc += static_cast<char>('a' + i % 26)) += "x ";
  CHECK(ok(c, abc));
}

TEST_CASE("words:vowel", "[constraint][ifbench]") {
  const SingleVowelParagraph c;
  CHECK(ok(c, "A cat sat in a vast land and sang a sad, calm chant.")); // 269
  CHECK(ok(c, "Gym myths fly by"));                                     // 300211: y is not a vowel
  CHECK(ok(c, "caf\u00e9 cr\u00e8me"));                                 // 300212: accented vowels are not vowels
  CHECK(ok(c, "Line one\rline two"));                                   // 300217: a lone CR is not a line break
  CHECK(ok(c, "\n  a cat sat  \n"));                                    // stripped first
  CHECK_FALSE(ok(c, "Line one\r\nline two"));
  CHECK_FALSE(ok(c, "The quick brown fox"));         // 300208: e, u, i, o
  CHECK_FALSE(ok(c, "a e o \u0130"));                // İ lower-cases to i + U+0307
  CHECK_FALSE(ok(c, "Sure!\nI think it is in it.")); // 301058 (strict)
  CHECK(ok(c, repeat("a cat sat in a big hat", one_mb / 23)));
}

TEST_CASE("words:consonants", "[constraint][ifbench]") {
  const ConsonantCluster c;
  CHECK(ok(c, "Gym spry"));                        // 300228: y is a consonant
  CHECK(ok(c, "Strong, crisp.\n"));                // attached punctuation is harmless
  CHECK_FALSE(ok(c, "A strong word"));             // 300226
  CHECK_FALSE(ok(c, "don't won't"));               // 300230: the apostrophe breaks n't
  CHECK_FALSE(ok(c, "2024 strong"));               // 300232
  CHECK_FALSE(ok(c, "\U0001F600 strong"));         // 300233
  CHECK_FALSE(ok(c, "Sure, here:\nstrong crisp")); // 300237 (strict)
  CHECK(ok(c, ""));                                // no words (strict never gets here)
  CHECK(ok(c, repeat("strength", one_mb / 9)));
}

TEST_CASE("words:palindrome", "[constraint][ifbench]") {
  const Palindrome c;
  CHECK(ok(c, "level radar civic refer rotor kayak madam stats tenet racecar"));         // 300259
  CHECK_FALSE(ok(c, "level radar civic refer rotor kayak madam stats tenet"));           // 300260: 9
  CHECK(ok(c, repeat("level", 10)));                                                     // 300261
  CHECK(ok(c, "Racecar, Level! Radar. Civic? Refer; Rotor: Kayak (Madam) Stats Tenet")); // 300263
  CHECK_FALSE(ok(c, repeat("ab-ba", 10)));                                               // 300266: abba is 4
  CHECK(ok(c, repeat("abc-ba", 10)));
  CHECK_FALSE(ok(c, repeat("noon", 10)));
  CHECK_FALSE(ok(c, "A man a plan a canal Panama")); // 300272
  CHECK(ok(c, repeat("\U0001F600\U0001F600\U0001F600\U0001F600\U0001F600", 10)));
  CHECK(ok(c, repeat("level", one_mb / 6)));
}

TEST_CASE("words:prime_lengths", "[constraint][ifbench]") {
  const PrimeLengths c;
  CHECK(ok(c, "Do not go"));                 // 300325
  CHECK(ok(c, "hello world"));               // 300329
  CHECK(ok(c, "Do not go  \n\n"));           // 300340
  CHECK_FALSE(ok(c, "It's fine"));           // 300327: its (3), fine (4)
  CHECK_FALSE(ok(c, "word"));                // 300330
  CHECK_FALSE(ok(c, "I doth not aspire"));   // 248: I is 1
  CHECK_FALSE(ok(c, std::string(101, 'b'))); // 300336: prime, but above 97
  CHECK(ok(c, std::string(97, 'b')));
  CHECK_FALSE(ok(c, "caf\u00e9"));  // NFC: 4 code points
  CHECK(ok(c, "cafe\u0301"));       // NFD: 5 code points
  CHECK_FALSE(ok(c, "\U0001F600")); // length 1
  CHECK(ok(c, "..."));              // no words
  CHECK(ok(c, repeat("go", one_mb / 3)));
}

TEST_CASE("words:repeats", "[constraint][ifbench]") {
  CHECK(ok(LimitedWordRepeat{.small_n = 2}, "the cat and the dog")); // 300468
  CHECK_FALSE(ok(LimitedWordRepeat{.small_n = 2}, "The the THE"));   // 300470
  CHECK(ok(LimitedWordRepeat{.small_n = 2}, "\u201cthe\u201d the")); // 300474
  CHECK(ok(LimitedWordRepeat{.small_n = 2}, "x y x   \n\n"));        // 300479
  CHECK(ok(LimitedWordRepeat{.small_n = 2}, "word-word word"));      // 300480
  CHECK_FALSE(ok(LimitedWordRepeat{.small_n = 2}, "end. end, end"));
  CHECK_FALSE(ok(LimitedWordRepeat{.small_n = 1}, "don't dont"));
  CHECK_FALSE(ok(LimitedWordRepeat{.small_n = 1}, "Do not go go"));           // 301066
  CHECK(from_kwargs<LimitedWordRepeat>(json{{"small_n", 4.0}}).small_n == 4); // the data writes 4.0
  CHECK_THROWS_AS(from_kwargs<LimitedWordRepeat>(json::object()), error);     // official: random 1-5
  std::string distinct;
  for (std::size_t i = 0; distinct.size() < one_mb; ++i) (distinct += "w" + std::to_string(i)) += " ";
  CHECK(ok(LimitedWordRepeat{.small_n = 1}, distinct));
}

TEST_CASE("words:odd_even_syllables", "[constraint][ifbench]") {
  const AlternateParitySyllables c;
  CHECK(ok(c, "cat 2024 dog"));         // 300523: a number has 0 syllables (even)
  CHECK(ok(c, "cat apple dog   \n\n")); // 300533
  CHECK(ok(c, "banana"));
  CHECK_FALSE(ok(c, "banana cat"));                      // 300526: 3 then 1
  CHECK_FALSE(ok(c, "rhythm cat"));                      // 300527
  CHECK_FALSE(ok(c, "caf\u00e9 cat"));                   // 300531
  CHECK_FALSE(ok(c, "Intro line here:\ncat apple dog")); // 300532 (strict)
  CHECK(ok(c, repeat("cat apple", one_mb / 10)));
  CHECK(ok(c, repeat("ab", one_mb / 3, "-"))); // hyphens deleted: one long word
}

TEST_CASE("words:last_first", "[constraint][ifbench]") {
  const LastWordFirstNext c;
  CHECK(ok(c, "I like cats. Cats like me.\n\n"));               // 300547
  CHECK(ok(c, "I like caf\u00e9. CAF\u00c9 is fine."));         // 300548
  CHECK(ok(c, "I like cats. Cats like dogs. Dogs like cats.")); // 300549
  CHECK(ok(c, "Only one sentence here"));
  CHECK_FALSE(ok(c, "I like cats! Cats, they purr."));      // 300540: "Cats," keeps its comma
  CHECK_FALSE(ok(c, "He said \"go.\" Go now."));            // 300541: the last word is "go (left quote kept)
  CHECK_FALSE(ok(c, "Intro.\nI like cats. Cats like me.")); // 300546 (strict)
  CHECK(ok(c, "Go to C++. C is fine."));                    // C++ as a last word becomes C
  CHECK_FALSE(ok(c, "Go to C++. C++ is fine."));            // but as a first word stays C++
  CHECK_FALSE(ok(c, "Go home. ... Yes."));                  // the second sentence trims to nothing
  CHECK(ok(c, repeat("River flows to river.", one_mb / 22)));
}

TEST_CASE("words:paragraph_last_first", "[constraint][ifbench]") {
  const ParagraphLastFirstWordMatch c;
  CHECK(ok(c, "Word\nAnother"));                // 300559
  CHECK(ok(c, "Hello there HELLO"));            // 300561
  CHECK(ok(c, "Hello world hello.\n\n   \t"));  // 300564
  CHECK(ok(c, "... !!!"));                      // 300565
  CHECK(ok(c, "caf\u00e9 au lait CAF\u00c9"));  // 300566
  CHECK_FALSE(ok(c, "hello, world hello"));     // internal punctuation stays
  CHECK_FALSE(ok(c, "**bold** text **bold**")); // bold** vs **bold
  CHECK_FALSE(ok(c, "\u2014 a b \u2014 x"));    // em dashes are not trimmed
  CHECK_FALSE(ok(c, "cat is a cat\ndog is a cat"));
  CHECK(ok(c, repeat("river is the river", one_mb / 19, "\n")));
  CHECK(ok(c, std::string(one_mb, '\n')));
}

TEST_CASE("words:no_consecutive", "[constraint][ifbench]") {
  const NoConsecutiveFirstLetter c;
  CHECK(ok(c, "Apple banana cherry apple"));             // 300586
  CHECK(ok(c, "\u00e9clair eagle"));                     // 300594
  CHECK_FALSE(ok(c, "Apple ant"));                       // 300587
  CHECK_FALSE(ok(c, "Apple ... ant"));                   // a punctuation-only word vanishes
  CHECK_FALSE(ok(c, "Sure sounds good:\nApple banana")); // 300597 (strict)
  CHECK_FALSE(ok(c, "\u0130ce ink"));                    // İ lower-cases to i + U+0307
  CHECK(ok(c, repeat("apple banana cherry", one_mb / 20)));
}

TEST_CASE("words:keywords_specific_position", "[constraint][ifbench]") {
  const auto at = [](std::string k, std::int64_t n, std::int64_t m) {
    return KeywordSpecificPosition{.keyword = std::move(k), .n = {n}, .m = {m}};
  };
  CHECK(ok(at("hello", 1, 1), "\"Hello\" world.")); // 300928: the opening quote is not a word
  CHECK(ok(at("giggle", 2, 3), "First one here. Then the giggle came."));
  CHECK_FALSE(ok(at("giggle", 2, 4), "First one here. Then the giggle came."));
  CHECK(ok(at("giggle", 1, 3), "Then the giggle came. First one here."));
  CHECK_FALSE(ok(at("giggle", 2, 3), "Then the giggle came. First one here.")); // 300926: wrong sentence
  CHECK(ok(at("giggle", 2, 3), "First. A, b, giggle."));                        // 300925: commas are not words
  CHECK(ok(at("giggle", 2, 4), "First. I don't giggle."));                      // n't is a word
  CHECK_FALSE(ok(at("giggle", 3, 1), "One. Two."));                             // 300922: too few sentences
  CHECK_FALSE(ok(at("giggle", 1, 5), "One two three."));                        // too few words
  CHECK(from_kwargs<KeywordSpecificPosition>(json{{"keyword", "giggle"}, {"n", 22}, {"m", 33}}).m.value == 33);
  for (const auto& bad : {json{{"keyword", "x"}, {"n", 0}, {"m", 1}}, json{{"keyword", "x"}, {"n", 1}, {"m", 0}},
                          json{{"keyword", ""}, {"n", 1}, {"m", 1}}})
    CHECK_THROWS_WITH(from_kwargs<KeywordSpecificPosition>(bad), Catch::Contains("random"));
  CHECK_THROWS_WITH(from_kwargs<KeywordSpecificPosition>(json{{"keyword", "x"}, {"n", -1}, {"m", 1}}),
                    Catch::Contains("must be positive"));
  CHECK_THROWS_WITH(from_kwargs<KeywordSpecificPosition>(json{{"keyword", "x"}, {"n", 22.0}, {"m", 33}}),
                    Catch::Contains("JSON integer")); // the official checker raises TypeError
  CHECK_THROWS_AS(ok(at("x", 0, 1), "text"), error);  // also when built without validation
  const std::string one_sentence = repeat("word", one_mb / 5) + " giggle.";
  CHECK(ok(at("giggle", 1, static_cast<std::int64_t>(one_mb / 5 + 1)), one_sentence));
  CHECK_FALSE(ok(at("giggle", 1, 3), repeat("Go.", one_mb / 4)));
}

TEST_CASE("words:words_position", "[constraint][ifbench]") {
  const WordsPosition vibrant{.keyword = "vibrant"};
  CHECK(ok(vibrant, "The vibrant city feels vibrant today"));                     // 300936
  CHECK(ok(vibrant, "The VIBRANT city is Vibrant today."));                       // the final "." is punctuation
  CHECK(ok(WordsPosition{.keyword = "whisper"}, "I whisper then whisper back.")); // 300947
  CHECK(ok(vibrant, "vibrant vibrant"));
  CHECK_FALSE(ok(vibrant, "The vibrant city feels vibrant \"today.\""));          // 300940: '' is not punctuation
  CHECK_FALSE(ok(vibrant, "The vibrant city is vibrant today..."));               // ... is not punctuation
  CHECK_FALSE(ok(vibrant, "The, vibrant city vibrant today."));                   // 300944: the comma is a token
  CHECK_FALSE(ok(vibrant, "Intro line.\nThe vibrant city feels vibrant today.")); // 300946 (strict)
  CHECK_FALSE(ok(vibrant, "vibrant."));                                           // final punctuation needs 3 tokens
  CHECK_FALSE(ok(vibrant, "vibrant"));
  CHECK_THROWS_AS(from_kwargs<WordsPosition>(json::object()), error); // official: a random keyword
  CHECK(ok(vibrant, "A vibrant " + repeat("river", one_mb / 6) + " vibrant end."));
  CHECK_FALSE(ok(vibrant, "A vibrant " + repeat("Go.", one_mb / 4)));
}

TEST_CASE("every words:* type describes its parameters", "[constraint][ifbench]") {
  CHECK_THAT(LimitedWordRepeat{.small_n = 3}.describe(), Catch::Contains("3"));
  const auto k = KeywordSpecificPosition{.keyword = "giggle", .n = {22}, .m = {33}}.describe();
  CHECK_THAT(k, Catch::Contains("giggle") && Catch::Contains("22") && Catch::Contains("33"));
  CHECK_THAT(WordsPosition{.keyword = "vibrant"}.describe(), Catch::Contains("vibrant"));
}

} // namespace test_ifbench_words
