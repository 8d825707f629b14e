#!/usr/bin/env python3
"""Generate tests/data/python_regex_cases.jsonl: Python 3.11's `re` verdicts that raif's PyPattern
(include/raif/text/pattern.hpp) must reproduce, for kwargs IFEval hands to `re`.

Each line is one pattern and one text, with the verdict of every `re` call IFEval makes on a kwarg:
  search    re.search(p, text) is not None                  (case-sensitive; a plain search)
  count     len(re.findall(p, text))                         (detectable_format:multiple_sections
                                                              counts re.split pieces - 1, the same)
  search_i  re.search(p, text, re.IGNORECASE) is not None    (keywords:existence)
  count_i   len(re.findall(p, text, re.IGNORECASE))          (keywords:frequency)
  word_i    re.search(r"\\b" + p + r"\\b", text, re.I)        (keywords:forbidden_words)
  search_m  re.search(p, text, re.MULTILINE) is not None     (detectable_content:postscript)
A verdict is true/false or a count; "error" when `re` rejects the pattern (the official checker
would crash: raif must raise raif::error); "refused" is never written by this script (the C++ test
knows the few valid patterns raif declines, and reports them apart).

Catastrophic rows ("slow": true) are patterns on which Python backtracks for a very long time; the
script checks that (each call must exceed TIMEOUT seconds in a child process) and records
{"budget": true, "answer": <verdict>}, the answer computed by Python on an equivalent pattern
("equivalent": no blow-up, and the same verdicts on that text). raif must either raise the step-budget raif::error or,
where it runs the pattern in linear time, give exactly that answer -- never hang.

Long texts are written compactly: "text" is a list of [piece, times] pairs, concatenated.

The first line is not a case: {"ignorecase": {"cased": [...], "classes": [[...], ...]}} lists the
code points Python calls cased and, measured with `re` itself (re.fullmatch(re.escape(c), d,
re.IGNORECASE) for every pair of cased code points), the classes of characters IGNORECASE treats as
equal. An uncased character matches only itself (Python compiles it as a plain literal). raif's
expansion of IGNORECASE must give exactly these classes; the C++ test also measures how far PCRE2's
own caseless mode is from them.

Usage: python3.11 tools/gen_python_regex_cases.py > tests/data/python_regex_cases.jsonl
"""
import _sre
import json
import multiprocessing as mp
import re
import sys

assert sys.version_info[:2] == (3, 11), "run with Python 3.11, the IFEval reference"

TIMEOUT = 2.0
FUNCS = ("search", "count", "search_i", "count_i", "word_i", "search_m")


def evaluate(func, pattern, text):
    try:
        if func == "search":
            return re.search(pattern, text) is not None
        if func == "count":
            return sum(1 for _ in re.finditer(pattern, text))
        if func == "search_i":
            return re.search(pattern, text, re.IGNORECASE) is not None
        if func == "count_i":
            return sum(1 for _ in re.finditer(pattern, text, re.IGNORECASE))
        if func == "word_i":
            return re.search(r"\b" + pattern + r"\b", text, re.IGNORECASE) is not None
        if func == "search_m":
            return re.search(pattern, text, re.MULTILINE) is not None
    except (re.error, OverflowError, ValueError):
        return "error"
    raise ValueError(func)


def _child(func, pattern, text, q):
    q.put(evaluate(func, pattern, text))


def evaluate_with_timeout(func, pattern, text):
    """The verdict, or None when Python is still backtracking after TIMEOUT seconds."""
    q = mp.Queue()
    p = mp.Process(target=_child, args=(func, pattern, text, q))
    p.start()
    p.join(TIMEOUT)
    if p.is_alive():
        p.kill()
        p.join()
        return None
    return q.get()


def expand(text):
    return text if isinstance(text, str) else "".join(piece * times for piece, times in text)


# (topic, patterns, texts): every pattern against every text of its group.
GROUPS = [
    ("possessive", [r"a*+a", r"a++b", r"\d++\.", r"x?+x", r"(?:ab)*+ab", r"a{2,4}+a", r"[a-z]*+\d",
                    r"\w++!", r"a*+", r"(?:a|b)++c", r"\s*+$", r"[^,]++,",
                    # each iteration of a possessive repeat is atomic: X{2}+ is (?>X)(?>X), not (?>X{2})
                    r"(\w*[a]|\u0130){2}+", r"(?:a|ab){2}+c", r"(?:\w*a|b){1,3}+"],
     ["aaa", "aab", "123.45", "xx", "ababab", "aaaaa", "abc1", "hi!", "", "abbac", "  \n", "x,y,", "\u0131A",
      "abac", "aab"]),
    ("atomic", [r"(?>a+)b", r"(?>a+)a", r"(?>ab|a)b", r"(?>x*?)y", r"(?>\d+)\.\d", r"(?>(a+))\1",
                r"(?>a*b+)c", r"(?>\w+)\b", r"(?>a|ab)c"],
     ["aab", "aaa", "abb", "xxy", "3.14", "aaaa", "aabbc", "word!", "abc", "ac"]),
    ("backref", [r"(a)\1", r"(\w+) \1", r"(?P<w>\w)(?P=w)", r"(a|b)\1+", r"(\w)\1", r"(s)\1", r"(i)\1",
                 r"(k)\1", r"(ß)\1", r"\b(\w+)\s+\1\b", r"(a)|\1", r"(\d)(\d)\2\1"],
     ["aa", "the the", "abba", "abbb", "Aa", "sS", "s\u017f", "iI", "\u0130i", "\u0131i", "kK", "k\u212a",
      "\u00df\u1e9e", "is is it", "1221", "ab"]),
    ("lookaround", [r"a(?=b)", r"a(?!b)", r"(?<=a)b", r"(?<!a)b", r"(?<=\d{3})x", r"\w+(?=,)", r"(?<=^|\s)w",
                    r"foo(?!bar)", r"(?=\w)\D", r"(?!_)\w+", r"(?<=[aeiou])\w", r"\d+(?= dollars)",
                    r"(?<!\w)cat(?!\w)", r"(?=a)", r"x(?<=x)", r"(?<=ab|cd)e", r"(?<=a|bc)d"],
     ["ab", "ac", "cb", "123x", "a,b,", " w", "foobar foobaz", "_a1 b", "ea", "5 dollars", "a cat.",
      "concatenate", "", "cde abe", "bcd"]),
    ("word_boundary", [r"\bcaf\u00e9\b", r"\b\u00e9", r"\b\d+\b", r"\b\u6771\u4eac\b", r"\Bx\B", r"\b", r"\B",
                       r"\w\b", r"\b_", r"\bé\w*", r"\Bing\b", r"x\b\.", r"a\bb", r"a\Bb", r"\b \b"],
     ["caf\u00e9!", "caf\u00e9s", "un caf\u00e9", "_caf\u00e9", "1caf\u00e9", "caf\u00e9\u0301", "\u0663\u0664 x",
      "a12", "\u6771\u4eac", "\u6771\u4eac\u5927\u5b66", "axa", "x", "", " ", "_", "\u00e9t\u00e9", "singing",
      "x.", "ab", "a b"]),
    ("ignorecase", [r"[s]", r"[k]", r"[\u212a]", r"[\u017f]", r"[\u00df]", r"[\u1e9e]", r"ss+", r"[i]",
                    r"[\u0130]", r"[\u0131]", r"[I]", r"[a-z]+", r"[^a-z]", r"[^k]", r"[\u00b5]", r"[\u03bc]",
                    r"[\u01c5]", r"[\u03a3]", r"[\u03c2]", r"[\u03b2]", r"[\u03d0]", r"k+", r"(?:\u017f)",
                    r"[\u1c80]", r"[\U00010400]", r"[\U00010428-\U0001042a]", r"[\u0345]", r"[\u1fbe]"],
     ["s", "S", "\u017f", "k", "K", "\u212a", "\u00df", "\u1e9e", "ss", "i", "I", "\u0130", "\u0131",
      "\u00b5", "\u03bc", "\u039c", "\u01c4", "\u01c5", "\u01c6", "\u03a3", "\u03c3", "\u03c2", "\u03b2",
      "\u03d0", "\u0432", "\u1c80", "\U00010400", "\U00010428", "\U00010402", "\u0345", "\u03b9", "\u1fbe"]),
    ("classes", [r"\d+", r"\w+", r"\s+", r"[\w-]+", r"\x41", r"\u00e9", r"\U0001F600", r"\0", r"\101", r"[\1]",
                 r".", r"(?s).", r"[^\W\d]+", r"[\s\S]", r"\D\S\W", r"[a\-z]", r"[]a]", r"[^]a]", r"[-a]",
                 r"\N{EM DASH}", r"[\x1c-\x1f]", r"\W+"],
     ["\u0663\u0664", "\u00b2", "na\u00efve", "x\u00b2", "\u216b", "a\u0301", "\x1c", "\u00a0", "\u200b",
      "a-b", "A", "\u00e9", "\U0001F600", "\x00", "\x01", "\n", "abc_1", "-", "]", "\u2014", "a b\tc"]),
    ("anchors", [r"^a", r"a$", r"$", r"^", r"\Aa", r"a\Z", r"^$", r"a$\n", r"\n$", r"(?m)^b", r"(?m)a$",
                 r"(?m)^", r"(?m)$", r"^\s*$", r"b$|c"],
     ["a", "a\n", "a\n\n", "ba", "a\nb", "a\nb\n", "", "\n", "c\n"]),
    ("empty_matches", [r"|a", r"a??", r"x*", r"a*?", r"(?:)", r"a|", r"(|a)+", r"(a|)+", r"(a*)*", r"(a*)+b",
                       r"(?:a*?)+", r"\b|a", r"(?=a)|a", r"a*|b", r"(?:a|)*b",
                       # bounded repeats of a body that can match empty: Python's zero-width rule
                       r"(B|(\S*?)){,2}", r"(?:|x){0,3}", r"(a?){2,4}", r"(?:x*?){0,3}?", r"(?:b|a*?){1,3}",
                       r"(?:(a)|b?){0,3}\1"],
     ["a", "aa", "abxd", "ab", "", "baab", "aab", "\u0131B", "xxab"]),
    ("flags", [r"(?i)abc", r"(?x) a b c # comment", r"(?a)\w+", r"(?a:\w)+", r"(?i:A)b", r"(?-i:a)",
               r"a(?i)b", r"(?u)\w", r"(?L)a", r"(?ii)x", r"(?x)[ ]", r"(?x)a\ b", r"(?s:.)", r"(?m:^b)",
               r"(?ai)k", r"(?i)(?a)\u212a", r"(?a)(?u)x", r"(?au)x", r"(?x)(?# c )a"],
     ["ABC", "abc", "\u00e9", "Ab", "aB", "A", "a b", "x", "\n", "a\nb", "\u212a", "k"]),
    ("invalid", [r"(", r")", r"[a", r"a**", r"*a", r"a{3,2}", r"\1", r"(?P<1>a)", r"(?<=a+)b", r"\p{L}", r"\z",
                 r"(?P=x)", r"a{,}", r"x{2,}", "\\", r"(?<n>a)", r"a{4294967295}", r"(a)(?<=\1)", r"[z-a]",
                 r"[\w-z]", r"(?(2)a|b)(c)", r"(?(1)a|b|c)", r"\8", r"[\8]", r"a{1,2}{3}", r"(?P<a>x)(?P<a>y)",
                 r"{1}", r"x{", r"x{1", r"x{a}", r"(?#unclosed"],
     ["a", "aaaa", "x{", "xx", "{1}", "x{a}", "bc"]),
    ("conditional", [r"(a)?(?(1)b|c)", r'(?P<q>")?\w+(?(q)")', r"(a)?b(?(1)c)", r"(?(1)a|b)(x)"],
     ["ab", "c", '"w"', "w", '"w', "bc", "abc", "bx", "ax"]),
    ("words", [r"colou?r", r"run|walk", r"U.S.", r"c\+\+", r"wa+r", r"\w+ing", r"(?<=x)y", r"a|", r".*",
               r"\$5", r"e\.g\.", r"caf[e\u00e9]", r"[^a-z]+", r"(?:the)", r"o"],
     ["my colour", "the colors", "running", "walked", "U.S. army", "USA", "c++ code", "waaar", "singing now",
      "xy", "a", "", "$5 off", "e.g. this", "caf\u00e9!", "123", "The end", "o-o"]),
]

# Patterns on which Python backtracks for a very long time: (pattern, text, equivalent).
SLOW = [
    (r"(a+)+$", [["a", 40], ["!", 1]], r"a+$"),
    (r"(x+x+)+y", [["x", 40]], r"xx+y"),
    (r"(a|aa)+$", [["a", 60], ["b", 1]], r"a+$"),
    (r"^(\w+\s?)*$", [["word ", 30], ["!", 1]], r"^(?:\w+(?:\s\w+)*\s?)?$"),
    (r"(a|aa)+(?=b)", [["a", 60]], r"a+b"),
    (r"(a+)+\1b", [["a", 40]], r"aa+b"),
    (r"(a+)+\b", [["a", 40], ["b", 1]], r"a+\b"),
    (r"(\w+)+(?<=!)", [["w", 40]], r"\w+!"),
    (r"((ab)*)+\2c", [["ab", 40]], r"ababc"),
    (r"(?=(a+)+$)a", [["a", 40], ["!", 1]], r"a+$"),
]


def row(rid, topic, pattern, text):
    t = expand(text)
    out = {"id": rid, "topic": topic, "pattern": pattern, "text": text}
    for f in FUNCS:
        out[f] = evaluate(f, pattern, t)
    return out


def slow_row(rid, pattern, text, equivalent):
    t = expand(text)
    out = {"id": rid, "topic": "catastrophic", "pattern": pattern, "text": text, "slow": True}
    if equivalent:
        out["equivalent"] = equivalent
    for f in FUNCS:
        v = evaluate_with_timeout(f, pattern, t)
        if v is not None:
            out[f] = v
            continue
        answer = None
        if equivalent:
            answer = evaluate(f, equivalent, t)
        out[f] = {"budget": True, "answer": answer}
    return out


def ignorecase_classes():
    cased = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and _sre.unicode_iscased(c)]
    # An uncased character is its own lowercase and no other character lowercases to it, so it
    # forms a class alone (Python emits it as a plain literal under IGNORECASE).
    for d in range(0x110000):
        lo = _sre.unicode_tolower(d)
        assert lo == d or _sre.unicode_iscased(lo), hex(d)
    subject = "".join(map(chr, cased))
    classes, seen = [], set()
    for c in cased:
        if c in seen:
            continue
        members = sorted(ord(m.group()) for m in re.finditer(re.escape(chr(c)), subject, re.IGNORECASE))
        assert c in members
        seen.update(members)
        if len(members) > 1:
            classes.append(members)
    # The relation is an equivalence: each member's own class is the same.
    for cls in classes:
        for c in cls:
            got = sorted(ord(m.group()) for m in re.finditer(re.escape(chr(c)), subject, re.IGNORECASE))
            assert got == cls, (hex(c), cls, got)
    return {"cased": cased, "classes": classes}


def main():
    sys.stdout.write(json.dumps({"ignorecase": ignorecase_classes()}, separators=(",", ":")) + "\n")
    rows = []
    for topic, patterns, texts in GROUPS:
        for p in patterns:
            for t in texts:
                rows.append(row(len(rows) + 1, topic, p, t))
    for p, t, eq in SLOW:
        rows.append(slow_row(len(rows) + 1, p, t, eq))
    for r in rows:
        sys.stdout.write(json.dumps(r, ensure_ascii=True, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
