"""RaifReward, AnswerReward, FormatReward and the combinators over batches; expected values from
the paper's definitions (format +1/-1; accuracy 2 all pass, -2 none or format fails, else the
fraction) and the combinators' (reward/combinators.hpp)."""

import pytest

import raif

SPEC = {"instruction_id_list": ["punctuation:no_comma", "keywords:existence"],
        "kwargs": [{}, {"keywords": ["banana"]}]}
GOOD = "<think>plan</think><answer>I like banana bread</answer>"  # both pass
HALF = "<think>plan</think><answer>I like bread</answer>"         # no banana: 1 of 2
BAD_FORMAT = "I like banana bread"                                  # no tags


def test_raif_reward_values_and_components():
    r = raif.RaifReward(SPEC)
    out = r.score_batch([GOOD, HALF, BAD_FORMAT])
    assert [o["reward"] for o in out] == [1 + 2, 1 + 0.5, -1 - 2]
    assert out[0]["components"] == {"format": 1.0, "accuracy": 2.0, "leaf_pass_rate": 1.0}
    assert out[1]["components"] == {"format": 1.0, "accuracy": 0.5, "leaf_pass_rate": 0.5}
    assert out[2]["components"] == {"format": -1.0, "accuracy": -2.0, "leaf_pass_rate": 0.0}
    assert r.values([GOOD, HALF, BAD_FORMAT]) == [3.0, 1.5, -3.0]


def test_verdicts_on_request():
    out = raif.RaifReward(SPEC).score_batch([HALF, BAD_FORMAT], verdicts=True)
    assert [l["raw"] for l in out[0]["verdict"]["leaves"]] == [1.0, 0.0]
    assert out[1]["verdict"] is None  # the answer is not evaluated when the format fails
    assert raif.RaifReward(SPEC).score_batch([HALF])[0]["verdict"] is None


def test_per_sample_specs():
    # One reward, each row its own instructions (as in TRL and verl datasets).
    r = raif.RaifReward()
    specs = [SPEC, {"instruction_id_list": ["keywords:existence"], "kwargs": [{"keywords": ["kiwi"]}]}]
    assert r.values([GOOD, GOOD], specs=specs) == [3.0, -1.0]
    with pytest.raises(raif.Error, match="no composition"):
        r.values([GOOD])


def test_answer_reward_policies_and_template():
    texts = [GOOD, HALF]
    assert raif.AnswerReward(SPEC, policy="fraction", template="think_answer").values(texts) == [1.0, 0.5]
    assert raif.AnswerReward(SPEC, policy="all_or_nothing", template="think_answer").values(texts) == [1.0, 0.0]
    # template "none": the whole response is the answer; the tags hold no comma and no banana here.
    assert raif.AnswerReward(SPEC, policy="fraction").values(["a banana", "a, b"]) == [1.0, 0.0]
    # think_only: the answer is what follows </think>
    assert raif.AnswerReward(SPEC, policy="fraction", template="think_only").values(
        ["<think>x, y</think>banana"]) == [1.0]


def test_combinators():
    fmt = raif.FormatReward()
    acc = raif.AnswerReward(SPEC, policy="fraction", template="think_answer", format_fail=0.0)
    s = raif.Sum(fmt, fmt).score_batch([GOOD])[0]
    assert s["reward"] == 2.0 and s["components"] == {"format": 1.0, "format#2": 1.0}
    w = raif.WeightedSum((fmt, 0.5), (acc, 2.0)).values([HALF, BAD_FORMAT])
    assert w == [0.5 * 1 + 2.0 * 0.5, 0.5 * -1 + 2.0 * 0.0]
    g = raif.GateOn(fmt, acc, threshold=1.0, otherwise=-5.0).score_batch([HALF, BAD_FORMAT])
    assert g[0]["reward"] == 0.5 and g[0]["components"]["gate"] == 1.0
    assert g[1]["reward"] == -5.0 and g[1]["components"] == {"gate": 0.0, "format": -1.0}
    assert raif.Clip(raif.RaifReward(SPEC), lo=-1.0, hi=1.0).values([GOOD, BAD_FORMAT]) == [1.0, -1.0]
    assert raif.Scale(raif.RaifReward(SPEC), factor=0.5).values([GOOD]) == [1.5]
    assert "GateOn(FormatReward" in repr(raif.GateOn(fmt, acc))


def test_results_independent_of_threads():
    texts = [GOOD, HALF, BAD_FORMAT] * 50
    r = raif.RaifReward(SPEC)
    assert r.score_batch(texts, threads=1, verdicts=True) == r.score_batch(texts, threads=4, verdicts=True)


def test_context_fields_reach_the_constraints():
    # A Select whose right branch is a context field (oracle label); the branch the answer took is
    # the one whose signature holds. Right branch taken: 1; wrong branch: the selection gate fails.
    spec = {"select": {"condition": {"context_label": "case"}, "branches": [
        {"label": "lower", "signature": {"constraint": "change_case:english_lowercase"},
         "node": {"constraint": "change_case:english_lowercase"}},
        {"label": "upper", "signature": {"constraint": "change_case:english_capital"},
         "node": {"constraint": "change_case:english_capital"}}]}}
    r = raif.AnswerReward(spec, policy="all_or_nothing")
    assert r.values(["THE WEATHER IS LOVELY TODAY AND WE WALK IN THE PARK."] * 2, contexts=[{"case": "upper"}, {"case": "lower"}]) == [1.0, 0.0]
