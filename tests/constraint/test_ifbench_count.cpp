// IFBench count:* and ratio:* (SPEC §3.1-3.9, 3.15, 3.22, 3.23, 3.27, 3.50). Expected values come from the SPEC's
// examples, the conformance fixture's rows (keys 300xxx, noted per line) and hand computation of the SPEC's rules
// (the double results quoted are Python's, e.g. (7 / 100) * 100 == 7.000000000000001).
#include <raif/constraint/any_constraint.hpp>
#include <raif/constraint/ifbench_count.hpp>
#include <raif/text/stopwords.hpp>

#include <boost/hana/for_each.hpp>
#include <catch2/catch.hpp>

#include <string>

using namespace raif;
using nlohmann::json;

// A named namespace around the whole file: the IFBench test files are compiled as one unity TU.
namespace test_ifbench_count {
template <class C> bool ok(const C& c, std::string_view text) { return check(c, Text(text)); }
std::string repeat(std::string_view unit, std::size_t bytes) {
  std::string s;
  while (s.size() < bytes) s += unit;
  return s;
}
std::string times(std::string_view unit, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += unit;
  return s;
}
const Registry& registry() {
  static const Registry r = [] {
    Registry reg;
    boost::hana::for_each(ifbench_count_types, [&](auto t) { reg.add<typename decltype(t)::type>(); });
    return reg;
  }();
  return r;
}
constexpr std::size_t megabyte = 1 << 20;

TEST_CASE("text/stopwords: NLTK's English list", "[constraint][ifbench]") {
  CHECK(detail::english_stop_words.size() == 198);
  for (auto w : {U"the", U"i", U"don", U"t", U"ma", U"y", U"should've", U"ain", U"o"}) CHECK(is_english_stop_word(w));
  for (auto w : {U"The", U"river", U"", U"dont", U"i\u0307"}) CHECK_FALSE(is_english_stop_word(w));
}

TEST_CASE("count:word_count_range: \\w+ runs within [min, max]", "[constraint][ifbench]") {
  const WordCountRange c{.min_words = 24, .max_words = 28};
  CHECK(ok(c, "Rapid river orchard sailor engine distant golden distant bridge canyon orchard compass canyon crimson "
              "river patient engine narrow mountain temple crimson meadow temple library.")); // 24 (300001)
  CHECK(ok(c, "I don't think it's a problem, isn't it? We can't stop, won't stop, shouldn't stop now here today "
              "ok.")); // 300005
  CHECK_FALSE(ok(c, "# Heading\n\n* **bold item** one two three\n* _italic_ four five six\n\n> quote seven eight nine "
                    "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen")); // 300007
  const WordCountRange r{.min_words = 3, .max_words = 5};
  CHECK(ok(r, "alpha beta gamma delta"));                 // 301078
  CHECK(ok(r, "don't 3.14"));                             // don, t, 3, 14
  CHECK(ok(r, "snake_case e-mail \xF0\x9F\x98\x80 ***")); // snake_case, e, mail: emoji and markdown are no words
  CHECK(ok(r, "a b c d e"));
  CHECK_FALSE(ok(r, "a b c d e f"));
  CHECK_FALSE(ok(r, "a b"));
  CHECK_FALSE(ok(WordCountRange{.min_words = 5, .max_words = 9}, "alpha beta gamma delta")); // 301078
  CHECK(registry().make("count:word_count_range", json{{"min_words", 24.0}, {"max_words", 28.0}}).check("a b") ==
        false);
  CHECK_THROWS_AS(registry().make("count:word_count_range", json{{"min_words", -1}, {"max_words", 28}}), error);
  CHECK_THROWS_AS(registry().make("count:word_count_range", json{{"min_words", 1}}), error); // random max
  CHECK_THROWS_AS(registry().make("count:word_count_range", json{{"min_words", 10}, {"max_words", 20}, {"N", 3}}),
                  error); // unknown kwarg (errors.jsonl 301088)
}

TEST_CASE("count:unique_word_count: distinct lower-cased words trimmed of ASCII punctuation", "[constraint][ifbench]") {
  const UniqueWordCount c{.N = 3};
  CHECK(ok(c, "apple pear plum"));
  CHECK_FALSE(ok(c, "Apple apple, (apple) pear")); // one word + pear
  CHECK(ok(c, "apple pear ..."));                  // "..." strips to "", which counts (300025)
  CHECK(ok(c, "apple \u201Capple\u201D pear"));    // curly quotes are not in P (300028)
  CHECK(ok(c, "apple\u3000pear\u00A0plum"));       // U+3000 and NBSP separate (300030)
  CHECK_FALSE(ok(c, "apple\u200Bpear plum"));      // U+200B does not
  CHECK(ok(c, "e-mail email plum"));               // 300033
  CHECK(ok(c, "STRASSE stra\u00DFe plum"));        // STRASSE -> strasse != straße
  CHECK(ok(c, "\u0130 i plum"));                   // İ lower-cases to i + U+0307, not i
  CHECK_FALSE(ok(c, "\u212Aelvin kelvin plum"));   // KELVIN SIGN lower-cases to ASCII k
  CHECK(ok(UniqueWordCount{.N = 0}, "x"));
  CHECK_THROWS_WITH(UniqueWordCount{.N = -1}.validate(), Catch::Contains("must not be negative"));
  CHECK_THROWS_AS(registry().make("count:unique_word_count", json::object()), error); // random N when absent
}

TEST_CASE("ratio:stop_words: (stop / words) * 100 <= percentage, in double", "[constraint][ifbench]") {
  auto text = [](int stop, int other) { return times("the ", stop) + times("river ", other); };
  CHECK(ok(StopWordPercentage{.percentage = 30}, text(3, 7)));        // exactly 30.0 (300043)
  CHECK_FALSE(ok(StopWordPercentage{.percentage = 55}, text(11, 9))); // 55.00000000000001 (300047)
  CHECK_FALSE(ok(StopWordPercentage{.percentage = 7}, text(7, 93)));  // 7.000000000000001 (300050)
  CHECK(ok(StopWordPercentage{.percentage = 8}, text(7, 93)));
  CHECK(ok(StopWordPercentage{.percentage = 29}, text(29, 71)));       // 28.999999999999996 (300051)
  CHECK_FALSE(ok(StopWordPercentage{.percentage = 14}, text(14, 86))); // 14.000000000000002
  CHECK_FALSE(ok(StopWordPercentage{.percentage = 14}, text(7, 43)));  // 7/50 likewise
  CHECK_FALSE(ok(StopWordPercentage{.percentage = 56.99}, text(57, 43)));
  CHECK(ok(StopWordPercentage{.percentage = 57}, text(57, 43))); // 56.99999999999999

  const StopWordPercentage c{.percentage = 27};
  CHECK_FALSE(ok(c, "THE RIVER AND THE MOUNTAIN OF GOLD.")); // 4 of 7 (300057)
  CHECK_FALSE(ok(c, "river river don't"));                   // don + t: 2 of 4
  CHECK(ok(c, "river river river \u0130"));                  // İ -> i̇ is no stop word: 0 of 4
  CHECK(ok(c, "river river river I"));                       // 1 of 4: 25.0
  CHECK(ok(StopWordPercentage{.percentage = 25}, "river river river I"));
  CHECK_FALSE(ok(StopWordPercentage{.percentage = 24.9}, "river river river I"));
  CHECK_FALSE(ok(StopWordPercentage{.percentage = 100}, "*** \xF0\x9F\x98\x80")); // no words: False
  CHECK_THROWS_AS(registry().make("ratio:stop_words", json{{"percentage", -5}}), error);
}

TEST_CASE("ratio:sentence_type: twice as many '.' sentences as '?' ones", "[constraint][ifbench]") {
  const SentenceTypeRatio c;
  CHECK(ok(c, "The sky is blue. The grass is green. Why is that?"));                    // 300066
  CHECK_FALSE(ok(c, "It rains. Does it pour?"));                                        // 300067
  CHECK_FALSE(ok(c, "A cat sleeps. A dog runs. A bird sings. Who watches? What now?")); // 300068
  CHECK(ok(c, "Dr. Smith is here. Mr. Jones left. Is it late?"));                       // 300071
  CHECK_FALSE(ok(c, "He said \"Stop.\" She said \"Go.\" Why?"));                        // ends in '"' (300074)
  CHECK(ok(c, "It costs $3.50. It is cheap. Is it?"));                                  // 300080
  CHECK_FALSE(ok(c, "A.B. C. D?"));                                                     // 300081
  CHECK(ok(c, "Wow! Great!"));                                                          // 0 = 2 * 0
  CHECK(ok(c, "no terminal punctuation"));
  CHECK(ok(c, "Really?! Yes!"));           // '?!' ends in '!'
  CHECK_FALSE(ok(c, "Hmm... Fine. Why?")); // NLTK 3.9.2: "Hmm... Fine." / "Why?"
}

TEST_CASE("ratio:sentence_balance: as many '.' as '?' as '!' sentences", "[constraint][ifbench]") {
  const SentenceBalance c;
  CHECK(ok(c, "plain words without punctuation"));       // 300087
  CHECK(ok(c, "It is late.\nIs it late?\nIt is late!")); // 300088
  CHECK_FALSE(ok(c, "Hmm... Why? Yes!"));                // 300091
  CHECK(ok(c, "Is it? It is. Wow! Is it? It is. Wow!")); // 300093
  CHECK_FALSE(ok(c, "Intro line.\nIs it? It is! Ok."));  // 300094 strict
  CHECK(ok(c, "Is it? It is! Ok."));                     // 300094's loose variant
  CHECK_FALSE(ok(c, "Is it? It is!"));
}

TEST_CASE("count:conjunctions: distinct spellings of conjunctions", "[constraint][ifbench]") {
  const ConjunctionCount five{.small_n = 5};
  CHECK_FALSE(ok(five, "android sandy oracle forage"));                      // 300106
  CHECK_FALSE(ok(five, "**and** but for nor"));                              // 4 (300107)
  CHECK_FALSE(ok(five, "and\u2026 but\u2026 for\u2026 nor\u2026 or\u2026")); // 300108
  CHECK(ok(five, "and And AND and, (and)"));                           // the official defect: 5 spellings of one word
  CHECK(ok(ConjunctionCount{.small_n = 2}, "and but"));                // 300109
  CHECK_FALSE(ok(ConjunctionCount{.small_n = 2}, "and and and"));      // 300110
  CHECK(ok(ConjunctionCount{.small_n = 4}, "and but for nor   \n\n")); // 300116
  CHECK(ok(ConjunctionCount{.small_n = 7}, "and but for nor or so yet"));
  CHECK_FALSE(ok(ConjunctionCount{.small_n = 2}, "and \u0130and")); // i̇and is no conjunction
  CHECK_THROWS_AS(registry().make("count:conjunctions", json{{"small_n", -2}}), error);
}

TEST_CASE("count:person_names: listed names between Unicode \\b", "[constraint][ifbench]") {
  const PersonNameCount c{.N = 3};
  CHECK_FALSE(ok(c, "emma, liam, noah"));                        // 300124
  CHECK_FALSE(ok(c, "EMMA LIAM NOAH"));                          // 300125
  CHECK(ok(c, "Emma's dog, Liam's cat and Noah's bird"));        // 300127
  CHECK(ok(c, "Mia-Grace and Ava-Lily"));                        // 300128
  CHECK_FALSE(ok(c, "Java, \u00E9Ava, _Ava, Ava2 and Ava"));     // 300129: only the last Ava
  CHECK(ok(c, "**Emma**, *Liam* and `Noah`"));                   // 300130
  CHECK_FALSE(ok(c, "Zo\u00EB, L\u00E9o, Chlo\u00E9 and Noah")); // 300131
  CHECK_FALSE(ok(c, "Emmanuel Emma Emma Emma"));                 // one name, three times
  CHECK(ok(c, "Ava e\u0301Ava Emma Leo")); // U+0301 is not \w, so the boundary before the second Ava holds
  CHECK(ok(PersonNameCount{.N = 50},
           "Emma Liam Sophia Jackson Olivia Noah Ava Lucas Isabella Mason Mia Ethan Charlotte Alexander Amelia "
           "Benjamin Harper Leo Zoe Daniel Chloe Samuel Lily Matthew Grace Owen Abigail Gabriel Ella Jacob Scarlett "
           "Nathan Victoria Elijah Layla Nicholas Audrey David Hannah Christopher Penelope Thomas Nora Andrew Aria "
           "Joseph Claire Ryan Stella Jonathan"));
  CHECK_THROWS_AS(registry().make("count:person_names", json{{"N", -1.0}}), error);
}

TEST_CASE("ratio:overlap: shared character trigrams within percentage +- 2", "[constraint][ifbench]") {
  // "abcdefghi#$%" has 10 trigrams, 7 in the reference: 70.0 exactly (300151)
  const std::string ref = "abcdefghij";
  CHECK_FALSE(ok(NGramOverlap{.reference_text = ref, .percentage = 73}, "abcdefghi#$%"));
  CHECK(ok(NGramOverlap{.reference_text = ref, .percentage = 72}, "abcdefghi#$%"));
  CHECK(ok(NGramOverlap{.reference_text = ref, .percentage = 68}, "abcdefghi#$%"));
  CHECK_FALSE(ok(NGramOverlap{.reference_text = ref, .percentage = 67.9}, "abcdefghi#$%"));
  // 11 of 20: 55.00000000000001 (300155)
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyz";
  CHECK(ok(NGramOverlap{.reference_text = alphabet, .percentage = 54}, "abcdefghijklm#$%&*+=?@"));
  CHECK_FALSE(ok(NGramOverlap{.reference_text = alphabet, .percentage = 53}, "abcdefghijklm#$%&*+=?@"));
  // 7 of 25: 28.000000000000004 fails the upper bound 28
  CHECK_FALSE(ok(NGramOverlap{.reference_text = "abcdefghi", .percentage = 26}, "abcdefghi#$%&*+=?@!^~<>{}[]"));
  CHECK(ok(NGramOverlap{.reference_text = "abcdefghi", .percentage = 27}, "abcdefghi#$%&*+=?@!^~<>{}[]"));
  const std::string fox = "The quick brown fox jumps over the lazy dog.";
  CHECK(ok(NGramOverlap{.reference_text = fox, .percentage = 96}, fox + "\n"));       // 300159
  CHECK_FALSE(ok(NGramOverlap{.reference_text = fox, .percentage = 95}, fox + "\n")); // 41 of 42: 97.619...
  CHECK(ok(NGramOverlap{.reference_text = fox, .percentage = 100}, fox));
  CHECK_FALSE(ok(NGramOverlap{.reference_text = fox, .percentage = 100}, "THE QUICK BROWN FOX"));  // case-sensitive
  CHECK_FALSE(ok(NGramOverlap{.reference_text = "ab", .percentage = 0}, "ab"));                    // no trigram: False
  CHECK(ok(NGramOverlap{.reference_text = "", .percentage = 0}, "abc"));                           // 0.0 in [-2, 2]
  CHECK(ok(NGramOverlap{.reference_text = "\u00E9t\u00E9!", .percentage = 100}, "\u00E9t\u00E9")); // code points
  CHECK_THROWS_WITH(registry().make("ratio:overlap", json{{"percentage", 50}}),
                    Catch::Contains("reference_text")); // errors.jsonl 301087
  CHECK_THROWS_AS(registry().make("ratio:overlap", json{{"reference_text", "x"}, {"percentage", -1}}), error);
}

TEST_CASE("count:numbers: runs of Unicode decimal digits once ASCII punctuation is deleted", "[constraint][ifbench]") {
  const NumbersCount two{.N = 2};
  CHECK(ok(two, "I have 2 cats and 3 dogs."));           // 300165
  CHECK_FALSE(ok(two, "I have 2 cats."));                // 300166
  CHECK(ok(two, "It costs 1,000,000 and 2-3 days."));    // 300168
  CHECK(ok(two, "At 10:30 on 2024-05-01"));              // 300169
  CHECK_FALSE(ok(two, "Squared\u00B2 and cubed\u00B3")); // 300173
  CHECK_FALSE(ok(two, "one two three"));                 // 300174
  CHECK(ok(two, "5 and 7.\n"));                          // 300177's loose variant
  CHECK_FALSE(ok(two, "5 and 7.\nSee page 9."));         // 300177 strict
  CHECK(ok(two, "a1b2"));
  CHECK(ok(two, "1st \u0663"));                              // Arabic-Indic three
  CHECK(ok(two, "\uFF13 and 3.14"));                         // fullwidth three
  CHECK_FALSE(ok(two, "3\u00B7 4 5"));                       // U+00B7 is not ASCII punctuation: 3 numbers
  CHECK(ok(NumbersCount{.N = 6}, "14, 21, 28, 35, 42, 49")); // 301061
  CHECK(ok(NumbersCount{.N = 0}, "no digits at all"));
  CHECK_THROWS_AS(registry().make("count:numbers", json{{"N", -3}}), error);
}

TEST_CASE("count:punctuation: an interrobang plus each of . , ! ? ; :", "[constraint][ifbench]") {
  const PunctuationCover c;
  CHECK_FALSE(ok(c, "Hello, world. Really?! Yes; no: maybe."));           // 300277
  CHECK_FALSE(ok(c, "Hello, world. Really? Yes; no: maybe! Why?"));       // 300281
  CHECK_FALSE(ok(c, "Hello\uFF0C world. Really?! Yes; no: maybe! Why?")); // 300282
  CHECK(ok(c, "!?!?, . ; :"));                                            // 300285
  CHECK(ok(c, "Line one, two.\nWhat?!\nOk; fine: yes! no?"));             // 300286
  CHECK(ok(c, "Hello, world. Really?! Yes; no: maybe! Why?"));
  CHECK_FALSE(ok(c, "Hello, world. Really\u203D Yes; no: maybe.")); // ‽ supplies neither ! nor ?
  CHECK(ok(c, "Hello, world. Really\u203D Yes; no: maybe! Why?"));
  CHECK_FALSE(ok(c, ". , ; : \u203D"));
  CHECK_FALSE(ok(c, "?!?. , ; :")); // the first '?!' is deleted: no '!' is left
  CHECK(ok(c, "?!?!. , ; :"));
}

TEST_CASE("ratio:sentence_words: three sentences of equal stripped length", "[constraint][ifbench]") {
  const CharacterCountUniqueWords c;
  CHECK_FALSE(ok(c, "Cats sit. Dogs run."));                                            // 300413
  CHECK(ok(c, "Cats \xF0\x9F\x90\x88. Dogs \xF0\x9F\x90\x95. Owls \xF0\x9F\xA6\x89.")); // 300417
  CHECK_FALSE(ok(c, "Here they are:\nCats sit. Dogs run. Owls fly."));                  // 300420 strict
  CHECK(ok(c, "Cats sit. Dogs run. Owls fly."));                                        // its loose variant
  CHECK_FALSE(ok(c, "Dr. Who sits. Dogs run far. Owls fly up."));                       // 300423
  CHECK(ok(c, "Cats sit. Cats sit. Cats sit."));                                        // words need not differ
  CHECK(ok(c, "   Cats sit. Dogs run. Owls fly.  "));                                   // leading spaces are stripped
  CHECK_FALSE(ok(c, "Cats sit. Dogs run. Owls fly. Bees hum."));
}

TEST_CASE("count:words_japanese: every N-th word is Japanese", "[constraint][ifbench]") {
  const NthWordJapanese five{.N = 5};
  CHECK_FALSE(ok(five, "one two three four five \u65E5\u672C"));                // 300428
  CHECK_FALSE(ok(five, "one two three \u65E5\u672C five"));                     // 300429
  CHECK(ok(five, "one two three four 123"));                                    // 300431
  CHECK(ok(five, "one two three four ..."));                                    // 300434
  CHECK(ok(five, "one two three four \u65E5\u672C\n\n"));                       // 300445
  CHECK(ok(five, "one two three four"));                                        // fewer than N words
  CHECK(ok(five, "one two three four \u00B2\u00B3"));                           // superscripts are isdigit
  CHECK(ok(five, "one two three four \uFF11\uFF12"));                           // fullwidth digits too
  CHECK(ok(five, "one two three four (\u3072)"));                               // hiragana, trimmed of brackets
  CHECK(ok(five, "one two three four x\u30AB"));                                // one katakana character suffices
  CHECK_FALSE(ok(five, "one two three four \uFF76\uFF80"));                     // halfwidth katakana
  CHECK_FALSE(ok(five, "one two three four \u3400"));                           // CJK extension A
  CHECK_FALSE(ok(five, "one two three four \uD55C"));                           // Hangul
  CHECK_FALSE(ok(five, "one two three four \u2014"));                           // em dash
  CHECK_FALSE(ok(five, "a b c d \u65E5 f g h i j"));                            // position 10
  CHECK(ok(NthWordJapanese{.N = 1}, "\u65E5\u672C \u6771\u4EAC \u5927\u962A")); // 300442
  CHECK_FALSE(ok(NthWordJapanese{.N = 1}, "\u65E5\u672C \u6771\u4EAC Osaka"));  // 300443
  // A float N: p % 2.5 == 0 at p = 5, 10, ...
  const NthWordJapanese half{.N = 2.5};
  CHECK_FALSE(ok(half, "a b c d e"));
  CHECK(ok(half, "a b c d \u65E5 f g h i \u672C"));
  CHECK(ok(half, "a b c d"));
  CHECK_THROWS_WITH(registry().make("count:words_japanese", json{{"N", 0}}),
                    Catch::Contains("ZeroDivisionError")); // errors.jsonl 301084
  CHECK_THROWS_AS(registry().make("count:words_japanese", json{{"N", 0.0}}), error);
  CHECK_THROWS_AS(registry().make("count:words_japanese", json{{"N", -5}}), error);
  CHECK_THROWS_AS(registry().make("count:words_japanese", json::object()), error);
}

TEST_CASE("count:pronouns: pronoun tokens of the lower-cased text", "[constraint][ifbench]") {
  const PronounCount five{.N = 5};
  CHECK_FALSE(ok(five, "I'm sure you're right, aren't they?"));            // i, you, they (300507)
  CHECK_FALSE(ok(five, "hi there friends"));                               // 300511
  CHECK_FALSE(ok(five, "him-self her-self you-know"));                     // 300513
  CHECK(ok(PronounCount{.N = 4}, "I you he she\n\n"));                     // 300515
  CHECK(ok(PronounCount{.N = 4}, "Sure!\nI think it is in it as I did.")); // 301058
  CHECK(ok(PronounCount{.N = 3}, "US and IT and This"));                   // lower-cased first
  CHECK(ok(PronounCount{.N = 3}, "he/she/it"));                            // '/' becomes a space
  CHECK_FALSE(ok(PronounCount{.N = 1}, "\u0130t is"));                     // İt -> i̇t
  CHECK(ok(PronounCount{.N = 2}, "I'm here, I'd say."));
  CHECK(ok(PronounCount{.N = 0}, "nothing"));
  CHECK(ok(PronounCount{.N = 1}, "nothing"));
  CHECK_THROWS_AS(registry().make("count:pronouns", json{{"N", -1}}), error);
}

TEST_CASE("count:keywords_multiple: keyword k occurs exactly 1, 2, 3, 5, 7 times", "[constraint][ifbench]") {
  const KeywordsMultiple c{.keyword1 = "kaleidoscope",
                           .keyword2 = "nebula",
                           .keyword3 = "whisper",
                           .keyword4 = "labyrinth",
                           .keyword5 = "paradox"};
  const std::string good = "kaleidoscope nebula nebula whisper whisper whisper labyrinth labyrinth labyrinth labyrinth "
                           "labyrinth paradox paradox paradox paradox paradox paradox paradox";
  CHECK(ok(c, good)); // 300909-like
  CHECK(ok(c, "KALEIDOSCOPE NEBULA NEBULA WHISPER WHISPER WHISPER LABYRINTH LABYRINTH LABYRINTH LABYRINTH "
              "LABYRINTH PARADOX PARADOX PARADOX PARADOX PARADOX PARADOX PARADOX")); // 300906
  CHECK_FALSE(ok(c, "Intro paradox\n" + good));                                      // 300911 strict
  CHECK_FALSE(ok(c, good + " whispers"));                                            // whispers contains whisper
  CHECK_FALSE(ok(c, "nebulanebula" + good.substr(12)));                              // keyword1 missing now
  const KeywordsMultiple overlap{.keyword1 = "x", .keyword2 = "aa", .keyword3 = "y", .keyword4 = "z", .keyword5 = "w"};
  const std::string rest = " y y y z z z z z w w w w w w w";
  CHECK(ok(overlap, "x aaaa" + rest));         // "aaaa".count("aa") == 2: non-overlapping
  CHECK(ok(overlap, "x aaa aa" + rest));       // 1 + 1
  CHECK(ok(overlap, "x aaaaa a" + rest));      // "aaaaa" holds two
  CHECK_FALSE(ok(overlap, "x aaaaaa" + rest)); // 3
  const std::string tail = " nebula nebula whisper whisper whisper labyrinth labyrinth labyrinth labyrinth labyrinth "
                           "paradox paradox paradox paradox paradox paradox paradox";
  auto with_first = [](std::string k) {
    return KeywordsMultiple{.keyword1 = std::move(k),
                            .keyword2 = "nebula",
                            .keyword3 = "whisper",
                            .keyword4 = "labyrinth",
                            .keyword5 = "paradox"};
  };
  CHECK(ok(with_first(" kelvin\n"), "\u212Aelvin" + tail));        // stripped keyword; KELVIN SIGN lower-cases to k
  CHECK_FALSE(ok(with_first("istanbul"), "\u0130STANBUL" + tail)); // İ lower-cases to i + U+0307
  CHECK(ok(with_first("\u0130stanbul"), "\u0130STANBUL" + tail));
  CHECK_FALSE(ok(with_first(""), "x" + tail)); // "" occurs len + 1 times, never once
  CHECK_THROWS_AS(registry().make("count:keywords_multiple", json{{"keyword1", "a"}}), error); // random keywords
}

TEST_CASE("count:* and ratio:* on 1 MB inputs", "[constraint][ifbench]") {
  CHECK(ok(WordCountRange{.min_words = 0, .max_words = 1 << 20}, repeat("ab ", megabyte)));
  CHECK_FALSE(ok(UniqueWordCount{.N = 3}, repeat("a b ", megabyte)));
  CHECK(ok(StopWordPercentage{.percentage = 50}, repeat("the river ", megabyte))); // exactly 50.0
  CHECK(ok(SentenceTypeRatio{}, repeat("The sky is blue. The sea is deep. Why is that? ", megabyte)));
  CHECK(ok(SentenceTypeRatio{}, repeat("a", megabyte))); // one sentence, no terminator
  CHECK(ok(SentenceBalance{}, repeat("Is it? It is. Wow! ", megabyte)));
  CHECK_FALSE(ok(SentenceBalance{}, repeat("!", megabyte)));
  CHECK_FALSE(ok(ConjunctionCount{.small_n = 2}, repeat("and ", megabyte)));
  CHECK_FALSE(ok(PersonNameCount{.N = 1}, repeat("Emmanuel ", megabyte)));
  CHECK_FALSE(ok(PersonNameCount{.N = 1}, repeat("Ava", megabyte)));
  CHECK(ok(NGramOverlap{.reference_text = "abcdefghij", .percentage = 80}, repeat("abcdefghij", megabyte))); // 8/10
  CHECK_FALSE(ok(NGramOverlap{.reference_text = repeat("\u4E00\u4E01\u4E02x", megabyte), .percentage = 50},
                 repeat("\u4E00\u4E01\u4E03", megabyte)));
  CHECK(ok(NumbersCount{.N = 1}, repeat("1.", megabyte)));
  CHECK(ok(PunctuationCover{}, repeat("a", megabyte) + "?!.,!?;:"));
  CHECK_FALSE(ok(PunctuationCover{}, repeat("?!", megabyte)));
  CHECK_FALSE(ok(CharacterCountUniqueWords{}, repeat("A", megabyte)));
  CHECK(ok(NthWordJapanese{.N = 2}, repeat("a \u65E5 ", megabyte)));
  CHECK(ok(PronounCount{.N = 300000}, repeat("it ", megabyte)));     // one sentence of 349,526 tokens
  CHECK(ok(PronounCount{.N = 149797}, repeat("It is. ", megabyte))); // 149,797 sentences
  CHECK_FALSE(ok(PronounCount{.N = 149798}, repeat("It is. ", megabyte)));
  CHECK_FALSE(ok(PronounCount{.N = 1}, repeat("\"'(", megabyte)));
  CHECK_FALSE(ok(
      KeywordsMultiple{
          .keyword1 = std::string(1000, 'a') + "b", .keyword2 = "a", .keyword3 = "a", .keyword4 = "a", .keyword5 = "a"},
      repeat("a", megabyte)));
}

TEST_CASE("count:* and ratio:* describe their parameters and round-trip through kwargs", "[constraint][ifbench]") {
  const WordCountRange range{.min_words = 24, .max_words = 28};
  CHECK_THAT(range.describe(), Catch::Contains("24") && Catch::Contains("28"));
  CHECK_THAT(StopWordPercentage{.percentage = 27.5}.describe(), Catch::Contains("27.5%"));
  CHECK_THAT(StopWordPercentage{.percentage = 27}.describe(), Catch::Contains(" 27%"));
  CHECK_THAT(NthWordJapanese{.N = 5}.describe(), Catch::Contains("multiple of 5 "));
  const NGramOverlap overlap{.reference_text = "Once upon a time", .percentage = 72};
  CHECK_THAT(overlap.describe(), Catch::Contains("72%") && Catch::Contains("Once upon a time"));
  const KeywordsMultiple keywords{
      .keyword1 = " door ", .keyword2 = "b", .keyword3 = "c", .keyword4 = "d", .keyword5 = "e"};
  CHECK_THAT(keywords.describe(), Catch::Contains("'door' exactly once") && Catch::Contains("'e' exactly seven times"));
  CHECK_THAT(PersonNameCount{.N = 3}.describe(), Catch::Contains("3") && Catch::Contains("Jonathan"));
  boost::hana::for_each(ifbench_count_types, [](auto t) {
    using C = typename decltype(t)::type;
    CHECK_FALSE(C{}.describe().empty());
  });
  const json kw = {{"reference_text", "abc"}, {"percentage", 72.0}};
  const auto c = registry().make("ratio:overlap", kw);
  CHECK(registry().make("ratio:overlap", c.kwargs()).describe() == c.describe());
}

} // namespace test_ifbench_count
