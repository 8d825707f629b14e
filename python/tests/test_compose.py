"""Compositions: specs from dicts and JSON strings, verdict trees, and every aggregation policy
against values computed by hand from the policies' definitions (compose/policy.hpp)."""

import json

import pytest

import raif

# no_comma (primary, weight 1), >= 3 words (secondary, weight 2), mentions "banana" (secondary, weight 3).
SPEC = {"and": [
    {"constraint": "punctuation:no_comma"},
    {"constraint": "length_constraints:number_words", "kwargs": {"num_words": 3, "relation": "at least"},
     "weight": 2, "priority": "secondary"},
    {"constraint": "keywords:existence", "kwargs": {"keywords": ["banana"]}, "weight": 3, "priority": "secondary"},
]}


def test_dict_and_json_string_compile_alike():
    a, b = raif.Composition(SPEC), raif.Composition(json.dumps(SPEC))
    assert a.spec() == b.spec()
    assert a.evaluate("Apples are red and sweet.") == b.evaluate("Apples are red and sweet.")


def test_verdict_tree():
    v = raif.Composition(SPEC).evaluate("Apples are red and sweet.")
    assert [l["id"] for l in v["leaves"]] == ["punctuation:no_comma", "length_constraints:number_words",
                                              "keywords:existence"]
    assert [l["raw"] for l in v["leaves"]] == [1.0, 1.0, 0.0]
    assert v["leaves"][1]["weight"] == 2 and v["leaves"][2]["priority"] == "secondary"
    assert "reason" in v["leaves"][2] and "reason" not in v["leaves"][0]
    root = v["tree"]
    assert root["passed"] is False and root["children"][0]["kind"] == "and"
    assert len(root["children"][0]["children"]) == 3
    assert v["self_referential"] is False


@pytest.mark.parametrize("answer, expected", [
    # passes no_comma and >= 3 words, misses banana: scores 1, 1, 0 with weights 1, 2, 3.
    ("Apples are red and sweet.", {"all_or_nothing": 0.0, "fraction": 2 / 3, "dependency_aware": 2 / 3,
                                   "raif": 2 / 3, "weighted": 3 / 6,
                                   # primary passes; 0.5 + 0.5 * mean(1, 0) = 0.75, not > 0.8
                                   "priority": 0.0}),
    ("I like banana bread", {"all_or_nothing": 1.0, "fraction": 1.0, "dependency_aware": 1.0, "raif": 2.0,
                             "weighted": 1.0, "priority": 1.0}),
    ("Yes, no", {"all_or_nothing": 0.0, "fraction": 0.0, "dependency_aware": 0.0, "raif": -2.0, "weighted": 0.0,
                 "priority": 0.0}),
    # only the primary fails: Priority gives 0 whatever the secondaries, Weighted 5/6.
    ("Bananas, apples and pears", {"all_or_nothing": 0.0, "fraction": 2 / 3, "dependency_aware": 2 / 3,
                                   "raif": 2 / 3, "weighted": 5 / 6, "priority": 0.0}),
])
def test_every_policy(answer, expected):
    c = raif.Composition(SPEC)
    assert set(raif.POLICIES) == set(expected)
    scores = c.evaluate(answer)["scores"]
    for policy, value in expected.items():
        assert scores[policy] == pytest.approx(value), policy
        assert c.score(answer, policy) == pytest.approx(value), policy


def test_ifeval_flat_form_is_an_and():
    c = raif.Composition(raif.ifeval_spec(["punctuation:no_comma", "keywords:existence"],
                                          [None, {"keywords": ["banana"]}]))
    assert c.spec() == {"and": [{"constraint": "punctuation:no_comma", "kwargs": {}},
                                {"constraint": "keywords:existence", "kwargs": {"keywords": ["banana"]}}]}
    assert c.score("banana split", "fraction") == 1.0


def test_chain_step_gating():
    # Two steps split at a line "***": step 1 all lowercase, step 2 without commas. Step gating:
    # step 2's leaves count only when step 1 is complete, so its raw pass becomes effective 0.
    spec = {"chain": {"segmenter": {"delimiter": "***"}, "steps": [
        {"node": {"constraint": "change_case:english_lowercase"}}, {"node": {"constraint": "punctuation:no_comma"}}]}}
    c = raif.Composition(spec)
    assert c.evaluate("first part\n***\nsecond part")["scores"]["all_or_nothing"] == 1.0
    leaves = {l["id"]: l for l in c.evaluate("First Part\n***\nsecond part")["leaves"]}
    assert leaves["change_case:english_lowercase"]["raw"] == 0.0
    assert leaves["punctuation:no_comma"]["raw"] == 1.0
    assert leaves["punctuation:no_comma"]["effective"] == 0.0
