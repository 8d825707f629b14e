#include <raif/constraint/ifeval.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>

using namespace raif;
using nlohmann::json;

namespace {
template <class C> bool ok(const C& c, std::string_view text) { return check(c, Text(text)); }
} // namespace

TEST_CASE("keywords:existence and keywords:frequency match anywhere, case-insensitively", "[constraint]") {
  CHECK(ok(Keywords{.keywords = {"le", "cat"}}, "People in education"));
  CHECK_FALSE(ok(Keywords{.keywords = {"dog"}}, "People in education"));
  CHECK(ok(KeywordFrequency{.keyword = " war ", .frequency = 2, .relation = Relation::at_least}, "software award"));
  CHECK_FALSE(
      ok(KeywordFrequency{.keyword = "war", .frequency = 2, .relation = Relation::less_than}, "software award"));
  CHECK(ok(KeywordFrequency{.keyword = "the", .frequency = 3, .relation = Relation::at_least}, "There, the other"));
}

TEST_CASE("keywords:forbidden_words uses word boundaries", "[constraint]") {
  const ForbiddenWords fw{.forbidden_words = {"war", "json"}};
  CHECK(ok(fw, "software"));
  CHECK_FALSE(ok(fw, "war's end"));
  CHECK_FALSE(ok(fw, "war-torn"));
  CHECK_FALSE(ok(fw, "Output JSON."));
  CHECK(ok(fw, ""));
  // A word with regex syntax is IFEval's r"\b" + word + r"\b" (verdicts from Python's re).
  const ForbiddenWords re{.forbidden_words = {"wa+r"}};
  CHECK_FALSE(ok(re, "Waaar zone"));
  CHECK(ok(re, "swaar"));
  const ForbiddenWords alt{.forbidden_words = {"a|b"}}; // \ba|b\b: "a" opening a word, or "b" closing one
  CHECK(ok(alt, "xa"));
  CHECK_FALSE(ok(alt, "ab"));
  CHECK_FALSE(ok(alt, "x b"));
  CHECK_THROWS_WITH(from_kwargs<ForbiddenWords>(json{{"forbidden_words", {"wa(r"}}}),
                    Catch::Contains("keywords:forbidden_words.forbidden_words"));
}

TEST_CASE("keywords:letter_frequency counts every occurrence in the lowercased text", "[constraint]") {
  CHECK(ok(LetterFrequency{.letter = "A", .let_frequency = 3, .let_relation = Relation::at_least}, "Banana"));
  CHECK_FALSE(ok(LetterFrequency{.letter = "a", .let_frequency = 3, .let_relation = Relation::less_than}, "Banana"));
  CHECK(ok(LetterFrequency{.letter = "i", .let_frequency = 1, .let_relation = Relation::at_least}, "\u0130")); // İ -> i̇
  // raif's documented rule for a non a-z letter: count that character.
  CHECK(ok(LetterFrequency{.letter = "#", .let_frequency = 2, .let_relation = Relation::at_least}, "#a #b"));
  CHECK_FALSE(ok(LetterFrequency{.letter = "#", .let_frequency = 3, .let_relation = Relation::at_least}, "#a #b"));
  CHECK_THROWS_WITH(
      from_kwargs<LetterFrequency>(json{{"letter", "ab"}, {"let_frequency", 1}, {"let_relation", "at least"}}),
      Catch::Contains("exactly one character"));
}

TEST_CASE("language:response_language", "[constraint]") {
  CHECK(ok(ResponseLanguage{.language = "de"}, "Das ist ein deutscher Satz mit vielen Worten."));
  CHECK_FALSE(ok(ResponseLanguage{.language = "en"}, "Das ist ein deutscher Satz mit vielen Worten."));
  CHECK(ok(ResponseLanguage{.language = "en"}, "12345 !!!")); // no features: counted as followed
  CHECK_THROWS_WITH(from_kwargs<ResponseLanguage>(json{{"language", "zh"}}),
                    Catch::Contains("not one of the supported"));
}

TEST_CASE("length_constraints:number_paragraphs splits on ***", "[constraint]") {
  auto p = [](std::int64_t n) { return NumberOfParagraphs{.num_paragraphs = n}; };
  CHECK(ok(p(2), "a\n***\nb"));
  CHECK(ok(p(2), "***\na\n***\nb\n***")); // leading and trailing dividers tolerated
  CHECK_FALSE(ok(p(3), "a\n******\nb"));  // empty interior piece
  CHECK(ok(p(2), "a ****b"));             // "a", "*b"
  CHECK(ok(p(3), "x ***bold*** y"));      // a markdown span splits
  CHECK(ok(p(1), "a\n\nb"));              // blank lines are irrelevant
}

TEST_CASE("length_constraints:number_words and number_sentences", "[constraint]") {
  CHECK(ok(NumberOfWords{.num_words = 4, .relation = Relation::at_least}, "don't 3.14"));
  CHECK(ok(NumberOfWords{.num_words = 5, .relation = Relation::less_than}, "don't 3.14"));
  CHECK(ok(NumberOfSentences{.num_sentences = 3, .relation = Relation::less_than}, "One. Two."));
  CHECK_FALSE(ok(NumberOfSentences{.num_sentences = 2, .relation = Relation::less_than}, "One. Two."));
}

TEST_CASE("length_constraints:nth_paragraph_first_word (SPEC 4.9)", "[constraint]") {
  auto c = [](std::int64_t n, std::int64_t k, std::string w) {
    return NthParagraphFirstWord{.num_paragraphs = n, .nth_paragraph = k, .first_word = std::move(w)};
  };
  CHECK(ok(c(2, 2, "Second"), "First one.\n\nsecond, then."));
  CHECK_FALSE(ok(c(2, 2, "bold"), "x\n\n**Bold** y")); // asterisks stay part of the word
  CHECK_FALSE(ok(c(2, 2, "word"), "x\n\n\"'word y"));  // '"\'word' -> empty first word
  CHECK(ok(c(2, 2, "word"), "x\n\n'\"word y"));
  CHECK(ok(c(2, 2, "a"), "\n\na\n\nb"));       // the leading empty piece keeps index 1
  CHECK_FALSE(ok(c(2, 2, "b"), "a\n\n\n\nb")); // P[1] is empty
  CHECK_THROWS(
      from_kwargs<NthParagraphFirstWord>(json{{"num_paragraphs", 2}, {"nth_paragraph", 3}, {"first_word", "x"}}));
}

TEST_CASE("detectable_content:number_placeholders and postscript", "[constraint]") {
  auto ph = [](std::int64_t n) { return NumberOfPlaceholders{.num_placeholders = n}; };
  CHECK(ok(ph(3), "[] [a](http://x) [[b]]"));
  CHECK_FALSE(ok(ph(1), "[a\nb]"));
  CHECK(ok(ph(1), "[[[[ [x]"));
  auto ps = [](std::string m) { return Postscript{.postscript_marker = std::move(m)}; };
  CHECK(ok(ps("P.S."), "sent via U.S.P.S. today"));
  CHECK(ok(ps("P.S."), "P.P.S. hi"));
  CHECK_FALSE(ok(ps("P.S."), "PS: hi"));
  CHECK_FALSE(ok(ps("P.S."), "P.S hi"));
  CHECK(ok(ps("P.P.S"), "p. p. s later"));
  CHECK(ok(ps(" Note: "), "x\nNOTE: y"));
  // A marker with regex syntax runs inside IFEval's \s* + marker + .*$, MULTILINE (Python's re).
  CHECK(ok(ps("^p.s"), "hello\nP.S hi"));
  CHECK_FALSE(ok(ps("^p.s"), "x p.s hi"));
  CHECK(ok(ps("note$"), "a note\nb"));
  CHECK_FALSE(ok(ps("note$"), "a notes\nb"));
}

TEST_CASE("detectable_format:number_bullet_lists (SPEC 4.12)", "[constraint]") {
  CHECK(NumberOfBullets::count(U"* a\n* b\n- c") == 3);
  CHECK(NumberOfBullets::count(U"*italic* start") == 1);
  CHECK(NumberOfBullets::count(U"**bold** start") == 0);
  CHECK(NumberOfBullets::count(U"---\n-5 degrees") == 2);
  CHECK(NumberOfBullets::count(U"+ a\n1. b") == 0);
  CHECK(NumberOfBullets::count(U"*\n* b\n* c") == 2); // a lone '*' swallows the next line
  CHECK(NumberOfBullets::count(U"  \n\n  * a") == 1);
  CHECK(ok(NumberOfBullets{.num_bullets = 2}, "* a\n* b"));
}

TEST_CASE("detectable_format:number_highlighted_sections (SPEC 4.14)", "[constraint]") {
  CHECK(NumberOfHighlights::count(U"*a*") == 1);
  CHECK(NumberOfHighlights::count(U"**bold**") == 1);
  CHECK(NumberOfHighlights::count(U"***a***") == 2);
  CHECK(NumberOfHighlights::count(U"* *") == 0);
  CHECK(NumberOfHighlights::count(U"*a\nb*") == 0);
}

TEST_CASE("detectable_format:multiple_sections (SPEC 4.15)", "[constraint]") {
  auto n = [](std::string sp, std::string_view text, std::int64_t k) {
    return ok(MultipleSections{.section_spliter = std::move(sp), .num_sections = k}, text);
  };
  CHECK(n("SECTION", "SECTION1 x SECTION\n2 y", 2));
  CHECK(n("SECTION", "SECTION 1.5", 1));
  CHECK_FALSE(n("SECTION", "SECTIONS 2 SECTION X Section 1", 1));
  CHECK(n("Section", "SubSection 2", 1));
  CHECK(n(" Day ", "Day 1\nDay 2", 2));
  CHECK(n("Part|Chapter", "Part 1 Chapter 2", 2)); // a regex splitter runs on RE2
  // IFEval concatenates without a group: \s?Part|Chapter\s?\d+\s?, so a bare "Part" counts.
  CHECK(n("Part|Chapter", "Part x Chapter 1", 2));
  CHECK_FALSE(n("Part|Chapter", "x y", 1));
}

TEST_CASE("detectable_format:json_format, title, constrained_response", "[constraint]") {
  CHECK(ok(JsonFormat{}, "```json\n{\"a\": 1}\n```"));
  CHECK(ok(JsonFormat{}, "```JSON{}```"));
  CHECK(ok(JsonFormat{}, "\"hello\""));
  CHECK_FALSE(ok(JsonFormat{}, "```python\n{}\n```"));
  CHECK(ok(Title{}, "<<a>> x <<>>"));
  CHECK_FALSE(ok(Title{}, "<<>>"));
  CHECK_FALSE(ok(Title{}, "<< >>"));
  CHECK_FALSE(ok(Title{}, "<<>>>"));
  CHECK_FALSE(ok(Title{}, "<<split\ntitle>>"));
  CHECK(ok(ConstrainedResponse{}, "Thinking... My answer is maybe."));
  CHECK_FALSE(ok(ConstrainedResponse{}, "My answer is yes"));
}

TEST_CASE("combination:two_responses and repeat_prompt (SPEC 4.18-4.19)", "[constraint]") {
  CHECK(ok(TwoResponses{}, "a\n******\nb"));
  CHECK(ok(TwoResponses{}, "a\n*******\nb")); // stray '*' starts the second response
  CHECK_FALSE(ok(TwoResponses{}, "a\n************\nb"));
  CHECK(ok(TwoResponses{}, "******\na\n******\nb\n******"));
  CHECK_FALSE(ok(TwoResponses{}, "same\n******\n same "));
  CHECK(ok(RepeatPrompt{.prompt_to_repeat = " Write a Poem. "}, "  write a poem. Here it is"));
  CHECK_FALSE(ok(RepeatPrompt{.prompt_to_repeat = "Write a poem"}, "Sure! Write a poem"));
}

TEST_CASE("startend:end_checker and quotation (SPEC 4.20-4.21)", "[constraint]") {
  const EndPhrase e{.end_phrase = "Is there anything else I can help with?"};
  CHECK(ok(e, "... is there anything else I can help with?\"\n"));
  CHECK(ok(e, "x Is there anything else I can help with?\" "));
  CHECK_FALSE(ok(e, "x Is there anything else I can help with?**"));
  CHECK(ok(Quotation{}, " \"\" "));
  CHECK_FALSE(ok(Quotation{}, "\""));
  CHECK_FALSE(ok(Quotation{}, "\u201Chi\u201D"));
}

TEST_CASE("change_case checks (SPEC 4.22-4.24)", "[constraint]") {
  CHECK(ok(CapitalWordFrequency{.capital_frequency = 2, .capital_relation = Relation::at_least}, "DON'T"));
  CHECK_FALSE(ok(CapitalWordFrequency{.capital_frequency = 2, .capital_relation = Relation::at_least}, "WELL-KNOWN"));
  CHECK(ok(EnglishLowercase{}, "this is an english sentence written in lowercase letters only."));
  CHECK_FALSE(ok(EnglishLowercase{}, "This is not lowercase."));
  CHECK_FALSE(ok(EnglishLowercase{}, "123"));
  CHECK(ok(EnglishCapital{}, "THIS IS AN ENGLISH SENTENCE WRITTEN IN CAPITAL LETTERS ONLY."));
  CHECK(ok(NoComma{}, "a\uFF0Cb"));
  CHECK_FALSE(ok(NoComma{}, "a,b"));
}

TEST_CASE("kwargs: parsed from the declaration, errors name id, field and value", "[constraint][registry]") {
  const auto& reg = Registry::ifeval();
  CHECK(reg.ids().size() == 25);
  CHECK_THROWS_WITH(reg.make("keywords:nope"), Catch::Contains("unknown instruction id 'keywords:nope'"));
  CHECK_THROWS_WITH(reg.make("length_constraints:number_words", json{{"num_words", "ten"}, {"relation", "at least"}}),
                    Catch::Contains("'length_constraints:number_words'") && Catch::Contains("'num_words'") &&
                        Catch::Contains("\"ten\"") && Catch::Contains("integer"));
  CHECK_THROWS_WITH(reg.make("length_constraints:number_words", json{{"num_words", 3}, {"relation", "at most"}}),
                    Catch::Contains("\"at most\""));
  CHECK_THROWS_WITH(reg.make("length_constraints:number_words", json{{"num_words", 3}}),
                    Catch::Contains("missing kwarg 'relation'"));
  CHECK_THROWS_WITH(reg.make("punctuation:no_comma", json{{"extra", 1}}), Catch::Contains("unknown kwarg 'extra'"));
  CHECK_THROWS_WITH(reg.make("keywords:existence", json{{"keywords", {1, 2}}}), Catch::Contains("list of strings"));
  // A JSON null is an absent key, even for keys the constraint does not have: the Hugging Face
  // redistribution of IFEval lists every kwarg of every id, mostly null.
  CHECK(reg.make("punctuation:no_comma", json{{"num_words", nullptr}, {"relation", nullptr}}).check(Text("x")));
  CHECK_THROWS_WITH(reg.make("length_constraints:number_words", json{{"num_words", nullptr}, {"relation", "at least"}}),
                    Catch::Contains("missing kwarg 'num_words'"));
}

TEST_CASE("kwargs: an integer written as a float converts only when exact and in range", "[constraint][registry]") {
  // Found by fuzz/targets/text_checks.cpp (regression-kwarg-float-overflows-int64): 1e300 was cast
  // to int64 before the check, which is undefined behaviour (UBSan: float-cast-overflow; on x86
  // the old code happened to reject it too, so this case tells the difference only under UBSan).
  const auto words = [](const json& n) {
    return from_kwargs<NumberOfWords>(json{{"num_words", n}, {"relation", "at least"}}).num_words;
  };
  CHECK(words(3.0) == 3);
  CHECK(words(-0x1p63) == INT64_MIN);
  CHECK(words(0x1p62) == std::int64_t{1} << 62);
  for (const double bad : {3.5, 1e300, -1e300, 0x1p63, std::numeric_limits<double>::infinity(),
                           std::numeric_limits<double>::quiet_NaN()})
    CHECK_THROWS_WITH(words(bad), Catch::Contains("'num_words'") && Catch::Contains("an integer"));
}

TEST_CASE("Runtime twin: same verdicts, kwargs round-trip", "[constraint][registry]") {
  const NumberOfWords c{.num_words = 3, .relation = Relation::at_least};
  const AnyConstraint a = Registry::ifeval().make(NumberOfWords::id, to_kwargs(c));
  CHECK(a.id() == NumberOfWords::id);
  CHECK(a.kwargs() == json{{"num_words", 3}, {"relation", "at least"}});
  CHECK(a.describe() == c.describe());
  for (std::string_view t : {"", "one two", "one two three", "a b c d"}) CHECK(a.check(Text(t)) == check(c, Text(t)));
  boost::hana::for_each(ifeval_constraint_types, [](auto t) {
    using C = typename decltype(t)::type;
    static_assert(constraint<C>);
    CHECK_FALSE(C{}.describe().empty());
  });
}

TEST_CASE("The examples of docs/constraints.md", "[constraint][docs]") {
  const auto& reg = Registry::ifeval();
  auto yes = [&](std::string_view id, const json& kw, std::string_view text) {
    return reg.make(id, kw).check(Text(text));
  };
  CHECK(yes("keywords:existence", {{"keywords", {"le"}}}, "People"));
  CHECK(yes("keywords:frequency", {{"keyword", "war"}, {"frequency", 2}, {"relation", "at least"}}, "software award"));
  CHECK(yes("keywords:forbidden_words", {{"forbidden_words", {"war"}}}, "software"));
  CHECK_FALSE(yes("keywords:forbidden_words", {{"forbidden_words", {"war"}}}, "war-torn"));
  CHECK(yes("keywords:letter_frequency", {{"letter", "a"}, {"let_frequency", 3}, {"let_relation", "at least"}},
            "Banana"));
  CHECK(yes("language:response_language", {{"language", "de"}}, "Das ist ein deutscher Satz mit vielen Worten."));
  CHECK(yes("length_constraints:number_sentences", {{"num_sentences", 3}, {"relation", "less than"}}, "One. Two."));
  CHECK(yes("length_constraints:number_paragraphs", {{"num_paragraphs", 2}}, "a\n***\nb"));
  CHECK_FALSE(yes("length_constraints:number_paragraphs", {{"num_paragraphs", 2}}, "a\n******\nb"));
  CHECK(yes("length_constraints:number_words", {{"num_words", 4}, {"relation", "at least"}}, "don't 3.14"));
  CHECK(yes("length_constraints:nth_paragraph_first_word",
            {{"num_paragraphs", 2}, {"nth_paragraph", 2}, {"first_word", "second"}}, "First.\n\nSecond, then."));
  CHECK(yes("detectable_content:number_placeholders", {{"num_placeholders", 2}}, "[name] [date]"));
  CHECK(yes("detectable_content:postscript", {{"postscript_marker", "P.S."}}, "...\nP.S. see you"));
  CHECK(yes("detectable_format:number_bullet_lists", {{"num_bullets", 2}}, "* a\n* b"));
  CHECK(yes("detectable_format:constrained_response", json::object(), "My answer is no."));
  CHECK(yes("detectable_format:number_highlighted_sections", {{"num_highlights", 2}}, "*a* and **b**"));
  CHECK(yes("detectable_format:multiple_sections", {{"section_spliter", "SECTION"}, {"num_sections", 2}},
            "SECTION 1 x SECTION 2 y"));
  CHECK(yes("detectable_format:json_format", json::object(), "```json\n{\"a\": 1}\n```"));
  CHECK(yes("detectable_format:title", json::object(), "<<Ode>>\ntext"));
  CHECK_FALSE(yes("detectable_format:title", json::object(), "<< >>"));
  CHECK(yes("combination:two_responses", json::object(), "a\n******\nb"));
  CHECK(yes("combination:repeat_prompt", {{"prompt_to_repeat", "Write a poem"}}, "write a poem. Roses are red"));
  CHECK(yes("startend:end_checker", {{"end_phrase", "Bye."}}, "See you.\nbye.\""));
  CHECK(yes("startend:quotation", json::object(), "\"Hi\""));
  CHECK(
      yes("change_case:capital_word_frequency", {{"capital_frequency", 2}, {"capital_relation", "at least"}}, "DON'T"));
  CHECK(yes("change_case:english_capital", json::object(), "THIS IS ENGLISH TEXT IN CAPITALS."));
  CHECK(yes("change_case:english_lowercase", json::object(), "this is english text in lowercase."));
  CHECK(yes("punctuation:no_comma", json::object(), "a\uFF0Cb"));
  CHECK_FALSE(yes("punctuation:no_comma", json::object(), "a, b"));
}
