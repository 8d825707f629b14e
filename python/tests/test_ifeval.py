"""IFEval through the module: every verdict of the fixture equals the official checker's (which
the C++ conformance test also matches), descriptions, and the README example."""

import raif


def test_fixture_verdicts_equal_official(ifeval_fixture):
    items, responses, official = ifeval_fixture
    assert len(items) == 541 and len(official) == 541
    out = raif.evaluate_ifeval([responses[it["prompt"]] for it in items], [it["instruction_id_list"] for it in items],
                               [it["kwargs"] for it in items], keys=[it["key"] for it in items])
    disagreements, n = [], 0
    for it, off, (strict, loose) in zip(items, official, out):
        assert off["key"] == it["key"]
        for mode, ours in (("strict", strict), ("loose", loose)):
            for i, v in enumerate(ours):
                n += 1
                if v != off[mode][i]:
                    disagreements.append((it["key"], mode, it["instruction_id_list"][i]))
    assert n == 2 * 834  # 1,668 verdicts
    # raif's default Punkt is NLTK's trained English model, as the published numbers used; this
    # fixture was made with the untrained one, and the two differ on this verdict only
    # (../shared/ifeval/README.md, docs/ifeval-conformance.md).
    assert disagreements == [(1174, "loose", "length_constraints:number_sentences")]


def test_fixture_verdicts_independent_of_threads(ifeval_fixture):
    items, responses, _ = ifeval_fixture
    args = ([responses[it["prompt"]] for it in items], [it["instruction_id_list"] for it in items],
            [it["kwargs"] for it in items])
    assert raif.evaluate_ifeval(*args, threads=1) == raif.evaluate_ifeval(*args, threads=3)


def test_readme_example():
    # README: strict fails no_comma ("Yes, really."), loose drops the first line and passes.
    v = raif.evaluate_ifeval(["**Yes, really.**\nFive words are enough here."],
                             [["length_constraints:number_words", "punctuation:no_comma"]],
                             [[{"num_words": 5, "relation": "at least"}, {}]])
    assert v == [([True, False], [True, True])]


def test_registry_ids_and_descriptions():
    ids = raif.ifeval_ids()
    assert len(ids) == 25 and ids == sorted(ids)
    assert "punctuation:no_comma" in ids
    assert raif.describe("length_constraints:number_words",
                         {"num_words": 5, "relation": "at least"}) == "Answer with at least 5 words."
    assert raif.describe("punctuation:no_comma") == "In your entire response, refrain from the use of any commas."


def test_hf_style_kwargs_with_none_values():
    # Hugging Face's IFEval rows carry every kwarg key, unused ones None.
    kw = {"num_words": 3, "relation": "less than", "keywords": None, "num_highlights": None}
    assert raif.evaluate_ifeval(["one two"], [["length_constraints:number_words"]], [[kw]]) == [([True], [True])]
