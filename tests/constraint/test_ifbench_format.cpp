// IFBench format:*. Expected values are the official verdicts of ../shared/ifbench (fixture rows,
// quoted by key where they come from there) or hand computations from SPEC.md §3.16–3.58.
#include <raif/constraint/ifbench_format.hpp>

#include <boost/hana/for_each.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

using namespace raif;
using nlohmann::json;

namespace test_ifbench_format { // named, around the test cases too: these files share a unity TU
template <class C> bool ok(const C& c, std::string_view text) { return check(c, Text(text)); }
OptionsResponse options(std::string o) { return from_kwargs<OptionsResponse>(json{{"options", std::move(o)}}); }
SpecialBulletPoints list(std::string sep) { return from_kwargs<SpecialBulletPoints>(json{{"sep", std::move(sep)}}); }
std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}
constexpr std::size_t megabyte = 1 << 20;

TEST_CASE("text/emoji.hpp: emoji 2.15.0's single code points", "[constraint]") {
  for (char32_t c :
       {U'\u00A9', U'\u00AE', U'\u2122', U'\u2764', U'\u263A', U'\u2714', U'\U0001F355', U'\U0001F3FB', U'\U0001F3FF'})
    CHECK(is_emoji(c));
  for (char32_t c : {U'\uFE0F', U'\u200D', U'\u20E3', U'\U0001F1EB', U'0', U'9', U'#', U'*', U'a', U'\0'})
    CHECK_FALSE(is_emoji(c));
  std::size_t n = 0;
  for (char32_t c = 0; c < 0x110000; ++c) n += is_emoji(c);
  CHECK(n == 1400);
}

TEST_CASE("format:parentheses: five levels, then one matching closer; a mismatch resets", "[constraint]") {
  const NestedParentheses p;
  CHECK(ok(p, "((((( x )"));                              // 300294: no balance needed
  CHECK(ok(p, "{{{{{}}}}}"));                             // 300297
  CHECK(ok(p, "(a\n[b\n{c\n(d\n[e])}])"));                // 300303
  CHECK(ok(p, "(a [b {c (d [e])}])\n\n "));               // 300305
  CHECK_FALSE(ok(p, "(a [b {c (d ]) [e]}])"));            // 300299
  CHECK_FALSE(ok(p, "[link](http://x) (a (b (c (d))))")); // 300301: the link's depth does not add up
  CHECK_FALSE(ok(p, "(((())))"));
  CHECK_FALSE(ok(p, "((((("));
  CHECK_FALSE(ok(p, "<<<<<>"));
  CHECK_FALSE(ok(p, "\uFF08\uFF08\uFF08\uFF08\uFF08\uFF09")); // fullwidth brackets do not count
  CHECK_FALSE(ok(p, ""));

  SECTION("1 MB inputs") {
    CHECK_FALSE(ok(p, std::string(megabyte, '(')));
    CHECK(ok(p, std::string(megabyte, '(') + ")"));
    CHECK_FALSE(ok(p, repeat("(((())))", megabyte / 8)));
    CHECK_FALSE(ok(p, repeat("((((]", megabyte / 5))); // depth 4 then a reset, over and over
  }
}

TEST_CASE("format:quotes: three levels closed below the deepest reached", "[constraint]") {
  const NestedQuotes q;
  CHECK(ok(q, "He said \"she said 'they said \"hi\" to me' loudly\" today."));      // 300309
  CHECK(ok(q, "\"a 'b \"c 'd' c\" b' a\""));                                        // 300317
  CHECK(ok(q, "He said \"she said 'they said \"hi\" to me' loudly\" today.   \n")); // 300320
  CHECK_FALSE(ok(q, "\"a 'b \"c\" b'"));                                            // 300313: outer never closed
  CHECK_FALSE(ok(q, "He said \"don't 'go' now\" ok"));                              // 300315: the apostrophe opens
  CHECK_FALSE(ok(q, "''' \"\"\""));                                                 // 300321
  CHECK_FALSE(ok(q, ""));                                                           // 300322
  CHECK_FALSE(ok(q, "\u201Ca \u2018b \u201Cc\u201D b\u2019 a\u201D"));              // curly quotes are ignored

  SECTION("1 MB inputs") {
    const std::string opens = repeat("\"'", megabyte / 2);
    CHECK_FALSE(ok(q, opens));
    CHECK(ok(q, opens + "'\"'"));
    CHECK_FALSE(ok(q, repeat("\"a'b'\"", megabyte / 6))); // two levels at most
  }
}

TEST_CASE("format:options: exact mode for a/b/c option strings, else case and punctuation ignored", "[constraint]") {
  const auto ynm = options("yes/no/maybe");
  CHECK(ok(ynm, "YES!"));  // 300347
  CHECK(ok(ynm, " yes ")); // 300350
  CHECK(ok(ynm, "**Yes**"));
  CHECK(ok(ynm, "Maybe."));
  CHECK_FALSE(ok(ynm, "yes, definitely")); // 300349
  CHECK_FALSE(ok(ynm, "Yes\n"));           // 300352: the newline is not trimmed
  CHECK_FALSE(ok(ynm, "\nyes"));
  CHECK_FALSE(ok(ynm, "perhaps")); // 300354

  const auto know = options("I know or I don't know");
  CHECK(ok(know, "i DON'T know")); // 300358
  CHECK(ok(know, "I know."));
  CHECK_FALSE(ok(know, "I"));

  const auto abcd = options("a), b), c), d)");
  CHECK(ok(abcd, "a)"));
  CHECK(ok(abcd, "d)"));
  CHECK_FALSE(ok(abcd, "A)"));  // 300363
  CHECK_FALSE(ok(abcd, "a) ")); // 300364
  CHECK_FALSE(ok(abcd, "a)\n"));
  CHECK_FALSE(ok(abcd, "a"));
  CHECK_FALSE(ok(abcd, "e)"));       // 300366
  CHECK_FALSE(ok(abcd, "a) Paris")); // 300367

  const auto abc = options("A, B, C"); // exact mode, separator ','
  CHECK(ok(abc, "A"));
  CHECK_FALSE(ok(abc, "a")); // 300373

  const auto foa = options("for or against"); // the `or` inside `for` splits too: f, "", against
  CHECK_FALSE(ok(foa, "for"));                // 300369
  CHECK(ok(foa, "f"));
  CHECK(ok(foa, "Against!"));
  CHECK(ok(foa, "...")); // the empty option

  CHECK(ok(options("yes//no"), "..."));
  CHECK(ok(options("red, green"), "Green."));

  CHECK_THROWS_AS(options(""), error);
  CHECK_THROWS_WITH(options(""), Catch::Contains("format:options") && Catch::Contains("'options'"));
  CHECK_THROWS_WITH(from_kwargs<OptionsResponse>(json::object()), Catch::Contains("missing kwarg 'options'"));
  CHECK_THROWS_WITH(from_kwargs<OptionsResponse>(json{{"options", 3}}), Catch::Contains("not a string"));
  CHECK_THAT(options("yes/no/maybe").describe(), Catch::Contains("yes/no/maybe"));
}

TEST_CASE("format:newline: non-empty lines = words, ASCII punctuation deleted", "[constraint]") {
  const NewLineWords n;
  CHECK(ok(n, "one\ntwo\nthree"));      // 300376
  CHECK(ok(n, "Hello,\nworld!"));       // 300380
  CHECK(ok(n, "single"));               // 300388
  CHECK(ok(n, "one\n\ntwo\n"));         // empty lines are removed
  CHECK(ok(n, "one\n-\ntwo"));          // a punctuation-only line becomes empty
  CHECK(ok(n, "one\r\ntwo"));           // \r is whitespace
  CHECK_FALSE(ok(n, "one two\nthree")); // 300377
  CHECK_FALSE(ok(n, "Here you go:\none\ntwo"));
  CHECK_FALSE(ok(n, "one\n   \ntwo")); // a line of spaces is kept
  CHECK_FALSE(ok(n, "one\u00A0two"));  // NBSP splits words, not lines

  SECTION("1 MB inputs") {
    CHECK(ok(n, repeat("word\n\n", megabyte / 6)));
    CHECK(ok(n, std::string(megabyte, '\n'))); // no lines, no words (blank: the evaluator says False)
    CHECK_FALSE(ok(n, repeat("word\n \n", megabyte / 7)));
  }
}

TEST_CASE("format:emoji: each sentence ends with an emoji or the next one starts with one", "[constraint]") {
  const EmojiSentence e;
  CHECK(ok(e, "I love pizza \U0001F355. It is tasty \U0001F60B."));   // 300393
  CHECK(ok(e, "I love pizza. \U0001F355 It is tasty \U0001F60B"));    // 300394
  CHECK(ok(e, "Great \U0001F44D\U0001F3FD."));                        // 300398: skin tone
  CHECK(ok(e, "Family \U0001F468\u200D\U0001F469\u200D\U0001F467.")); // 300399: ZWJ sequence
  CHECK(ok(e, "Pizza \U0001F355 ."));                                 // 300403
  CHECK(ok(e, "Love \u2764\uFE0F."));                                 // emoji + VS16
  CHECK(ok(e, "Great Day \U0001F31E. Nice Night \U0001F319."));       // 301070
  CHECK_FALSE(ok(e, "Sure!\nI love pizza \U0001F355."));              // 300404
  CHECK_FALSE(ok(e, "pizza \U0001F355 time."));                       // emoji not at the end
  CHECK_FALSE(ok(e, "France \U0001F1EB\U0001F1F7."));                 // a flag: regional indicators
  CHECK_FALSE(ok(e, "One 1\uFE0F\u20E3."));                           // a keycap
  CHECK_FALSE(ok(e, "The sun is warm \U0001F31E. The sun is warm.")); // like 300410
  CHECK_FALSE(ok(e, "..."));                                          // nothing left of the sentence
}

TEST_CASE("format:line_indent: strictly increasing leading spaces after the official blank-line removal",
          "[constraint]") {
  const IndentStairs s;
  CHECK(ok(s, "a\n b\n  c")); // 300602
  CHECK(ok(s, "a\n\n b"));    // 300607
  CHECK(ok(s, "a\n b\n"));    // 300609
  CHECK(ok(s, "a\n   \n b")); // 300610
  CHECK(ok(s, "  a\n   b"));  // 300611
  CHECK(ok(s, "one line"));
  CHECK_FALSE(ok(s, "    Title\n a\n  b")); // 300613
  CHECK_FALSE(ok(s, "a\n\n\n b"));          // two blank lines: one survives, indentation 0
  CHECK_FALSE(ok(s, "a\n b\n\n\n"));        // a trailing \n\n\n leaves one blank line
  CHECK_FALSE(ok(s, "\n\n x\n"));           // the removal deletes the first equal line: " x", "" remain
  CHECK_FALSE(ok(s, "a\n\t b"));            // a tab is not indentation
  CHECK_FALSE(ok(s, "a\n\u00A0b"));         // nor is NBSP
  CHECK_FALSE(ok(s, "a\na"));

  SECTION("the one-pass removal equals the official list.remove loop") {
    // The official procedure, literally (quadratic), on short random texts.
    auto official = [](const std::string& text) {
      std::vector<std::u32string> lines;
      const std::u32string u = utf8_decode(text);
      for (auto l : py_split(std::u32string_view(u), std::u32string_view(U"\n"))) lines.emplace_back(l);
      for (std::size_t k = 0; k < lines.size(); ++k)
        if (py_strip(lines[k]).empty()) lines.erase(std::find(lines.begin(), lines.end(), lines[k]));
      auto indent = [](const std::u32string& l) -> std::size_t {
        return py_strip(l).empty() ? 0 : l.find_first_not_of(U' ');
      };
      for (std::size_t i = 1; i < lines.size(); ++i)
        if (indent(lines[i]) <= indent(lines[i - 1])) return false;
      return true;
    };
    const std::vector<std::string> pieces = {"", " ", "  ", "\t", "a", " a", "  a", "   a", "    a"};
    std::mt19937 rng(20240601);
    std::size_t passing = 0;
    for (int round = 0; round < 20000; ++round) {
      std::string text;
      const int n = static_cast<int>(rng() % 9);
      for (int i = 0; i < n; ++i) text += (i ? "\n" : "") + pieces[rng() % pieces.size()];
      const bool want = official(text);
      passing += want;
      INFO(json(text).dump());
      REQUIRE(ok(s, text) == want);
    }
    CHECK(passing > 100);
  }

  SECTION("1 MB inputs") {
    CHECK_FALSE(ok(s, std::string(megabyte, '\n'))); // half the blank lines survive
    CHECK_FALSE(ok(s, repeat("a\n\n\n", megabyte / 4)));
    std::string stairs; // 1400 steps separated by blank lines, about 1 MB
    for (std::size_t i = 0; i < 1400; ++i) stairs += (i ? "\n\n" : "") + std::string(i, ' ') + "step";
    CHECK(stairs.size() > 950000);
    CHECK(ok(s, stairs));
    CHECK_FALSE(ok(s, stairs + "\n\n")); // a trailing blank line survives
    std::string distinct;                // blank lines that are all different
    for (std::size_t i = 0; distinct.size() < megabyte; ++i) distinct += std::string(i % 2000, ' ') + "\n";
    CHECK_FALSE(ok(s, distinct));
  }
}

TEST_CASE("format:quote_unquote: no quote directly followed by a quote or ending the text", "[constraint]") {
  const QuoteExplanation q;
  CHECK(ok(q, "\"To be or not to be\" means existence.")); // 300620
  CHECK(ok(q, "\"Quote\" explained.   \n\n"));             // 300632
  CHECK(ok(q, "No quotation at all."));
  CHECK(ok(q, "\u201CCurly\u201D"));         // curly quotes are ignored
  CHECK(ok(q, "He wrote '\"' twice"));       // '"' is deleted first
  CHECK_FALSE(ok(q, "He said \"hi\"."));     // 300621
  CHECK_FALSE(ok(q, "Ends with \"quote\"")); // 300625
  CHECK_FALSE(ok(q, "\"x\"\n\"y\""));        // 300627: whitespace deleted, quotes adjacent
  CHECK_FALSE(ok(q, "\"\""));                // 300633
  CHECK_FALSE(ok(q, "It is \"x\" 2023."));   // digits and punctuation after the quote are trimmed
}

TEST_CASE("format:list: the separator twice, non-overlapping, anywhere", "[constraint]") {
  CHECK(ok(list("-"), "- apples\n- pears"));                        // 300637
  CHECK(ok(list("-"), "well-known and self-aware"));                // 300639
  CHECK_FALSE(ok(list("-"), "\u2014 dash \u2014 dash"));            // 300640
  CHECK(ok(list("SEPARATOR"), "SEPARATOR apples SEPARATOR pears")); // 300641
  CHECK_FALSE(ok(list("SEPARATOR"), "separator a SEPARATOR b"));
  CHECK_FALSE(ok(list("!?!?"), "!?!?!?")); // 300645
  CHECK(ok(list("!?!?"), "!?!?!?!?"));     // 300646
  CHECK_FALSE(ok(list("..."), "....."));   // 300649
  CHECK(ok(list("..."), "......"));
  CHECK_THROWS_WITH(list(""), Catch::Contains("format:list") && Catch::Contains("'sep'"));
  CHECK_THROWS_WITH(from_kwargs<SpecialBulletPoints>(json::object()), Catch::Contains("missing kwarg 'sep'"));
  CHECK_THAT(list("!?!?").describe(), Catch::Contains("!?!?"));
}

TEST_CASE("format:thesis: a non-blank <i>/<em> thesis followed by text, with the official slices", "[constraint]") {
  const ItalicsThesis t;
  CHECK(ok(t, "<i>Thesis</i> and the rest."));
  CHECK(ok(t, "Intro <em>Thesis</em> rest"));
  CHECK(ok(t, "<em>Thesis</em>"));          // the rest starts at the '>' of </em>
  CHECK(ok(t, "<em></em>"));                // and the thesis is the '>' of <em>
  CHECK(ok(t, "<i>Thesis</em> rest"));      // mixed tags
  CHECK_FALSE(ok(t, "<i>Thesis</i>"));      // nothing after
  CHECK_FALSE(ok(t, "<i>Thesis</i>  \n"));  // only whitespace after
  CHECK_FALSE(ok(t, "<i> </i> rest"));      // blank thesis
  CHECK_FALSE(ok(t, "<I>Thesis</I> rest")); // tags are case-sensitive
  CHECK_FALSE(ok(t, "<i>Thesis never closed"));
  CHECK_FALSE(ok(t, "*Thesis* rest"));
}

TEST_CASE("format:sub-bullets: every piece after a '*' contains a '-'", "[constraint]") {
  const SubBulletPoints s;
  CHECK(ok(s, "* Fruit\n  - apple\n* Veg\n  - leek"));
  CHECK(ok(s, "No asterisks at all."));
  CHECK_FALSE(ok(s, "* Fruit\n* Veg\n  - leek"));
  CHECK_FALSE(ok(s, "**Bold** - x")); // the empty piece between ** has no '-'
  CHECK_FALSE(ok(s, "text *"));
}

TEST_CASE("format:no_bullets_bullets: two sentences of prose, then two or more '*' lines", "[constraint]") {
  const SomeBulletPoints b;
  CHECK(ok(b, "One. Two.\n* a\n* b"));
  CHECK(ok(b, "One.\nTwo.\n* a\n* b\n* c"));
  CHECK(ok(b, "One. Two.\n**Bold** a\n* b"));   // a line starting with ** is a bullet
  CHECK_FALSE(ok(b, "One. Two.\n* a\n* b\n"));  // the trailing empty line is prose after bullets
  CHECK_FALSE(ok(b, "One. Two.\n* a\n\n* b"));  // blank line between bullets
  CHECK_FALSE(ok(b, "One.\n\nTwo.\n* a\n* b")); // blank line ends the prose part
  CHECK_FALSE(ok(b, "One.\n* a\n* b"));         // one sentence only
  CHECK_FALSE(ok(b, "One. Two.\n- a\n- b"));    // '-' lines are prose
  CHECK_FALSE(ok(b, "One. Two.\n* a"));         // one bullet
  CHECK_FALSE(ok(b, "One. Two.\n* a\nThree.\n* b"));

  SECTION("1 MB inputs") {
    const std::string prose = repeat("One sentence here. Another one there.\n", megabyte / 38);
    CHECK(ok(b, prose + "* a\n* b"));
    CHECK_FALSE(ok(b, prose + "* a\n* b\n"));
    CHECK(ok(b, repeat("Word word. ", megabyte / 11) + "\n* a\n* b"));
    CHECK_FALSE(ok(b, "One. Two.\n" + repeat("* a\n", megabyte / 4))); // ends with an empty line
    CHECK(ok(b, "One. Two.\n" + repeat("* a\n", megabyte / 4) + "* end"));
  }
}

TEST_CASE("format:title_case: every alphabetic token capitalised", "[constraint]") {
  const TitleCase t;
  CHECK(ok(t, "The Quick Brown Fox Jumps"));
  CHECK(ok(t, "USA Today"));
  CHECK(ok(t, "My New iPhone And eBay"));
  CHECK(ok(t, "McDonald"));
  CHECK(ok(t, "A Tale Of Two Cities"));
  CHECK(ok(t, "It's Fine"));       // the token 's is skipped
  CHECK(ok(t, "3 Cats, 2 Dogs!")); // digits and punctuation are skipped
  CHECK_FALSE(ok(t, "Lord of the Rings"));
  CHECK_FALSE(ok(t, "a Tale"));
  CHECK_FALSE(ok(t, "Don't Stop")); // the token n't
  CHECK_FALSE(ok(t, "hELLO"));
}

TEST_CASE("format:output_template: the three headings, case-sensitive", "[constraint]") {
  const OutputTemplate o;
  CHECK(ok(o, "My Answer: yes\nMy Conclusion: so\nFuture Outlook: bright"));
  CHECK(ok(o, "Future Outlook: b My Conclusion: s My Answer: y"));
  CHECK_FALSE(ok(o, "**My Answer**: yes\nMy Conclusion: so\nFuture Outlook: bright"));
  CHECK_FALSE(ok(o, "my answer: yes\nMy Conclusion: so\nFuture Outlook: bright"));
}

TEST_CASE("format:no_whitespace: no character of Python's isspace set", "[constraint]") {
  const NoWhitespace w;
  CHECK(ok(w, "NoSpacesHere"));
  CHECK(ok(w, "a\u200Bb\uFEFFc\u180Ed")); // ZWSP, BOM, MONGOLIAN VOWEL SEPARATOR are not whitespace
  for (std::string_view c : {" ", "\t", "\n", "\r", "\x1c", "\x1f", "\u0085", "\u00A0", "\u2028", "\u3000"})
    CHECK_FALSE(ok(w, std::string("a").append(c).append("b")));
  CHECK_FALSE(ok(w, "trailing\n"));
}

TEST_CASE("the format:* types: ids, kwargs and descriptions", "[constraint]") {
  std::vector<std::string> ids;
  boost::hana::for_each(ifbench_format_types, [&](auto type) {
    using C = typename decltype(type)::type;
    ids.emplace_back(C::id);
    CHECK(std::string(C::id).rfind("format:", 0) == 0);
  });
  CHECK(ids.size() == 14);
  CHECK(from_kwargs<NestedQuotes>(json::object()).describe().size() > 20);
  CHECK_THROWS_WITH(from_kwargs<NoWhitespace>(json{{"sep", "-"}}), Catch::Contains("unknown kwarg 'sep'"));
}

} // namespace test_ifbench_format
