"""The adapters, called exactly as TRL, verl and OpenRLHF call them (plain Python inputs shaped
as each passes them; the peers themselves are not needed)."""

import json

import pytest

import raif

IDS = [["punctuation:no_comma", "keywords:existence"], ["length_constraints:number_words"]]
# Hugging Face's IFEval columns: every kwarg key on every row, unused ones None.
KWARGS = [[{"keywords": None, "num_words": None, "relation": None},
           {"keywords": ["banana"], "num_words": None, "relation": None}],
          [{"keywords": None, "num_words": 3, "relation": "less than"}]]


def test_trl_plain_text_completions_from_ifeval_columns():
    f = raif.trl.reward()
    # GRPO repeats each row per generation; TRL passes every column as a list aligned with completions.
    out = f(prompts=["Write about fruit.", "Write about fruit.", "Be brief."],
            completions=["I like banana bread", "Bananas, apples", "Too many words here"],
            completion_ids=[[1], [2], [3]], trainer_state=None,
            instruction_id_list=[IDS[0], IDS[0], IDS[1]], kwargs=[KWARGS[0], KWARGS[0], KWARGS[1]])
    # fraction of the row's instructions followed: 2/2; "Bananas, apples" has a comma but contains
    # "banana" (IFEval's keyword check is a case-insensitive re.search, no word boundary): 1/2;
    # 4 words is not < 3: 0/1.
    assert out == [1.0, 0.5, 0.0]
    assert f.__name__ == "raif_ifeval"


def test_trl_conversational_completions():
    f = raif.trl.reward()
    prompts = [[{"role": "system", "content": "Be nice."}, {"role": "user", "content": "Fruit?"}]]
    completions = [[{"role": "assistant", "content": "banana, yes"}]]
    assert f(prompts=prompts, completions=completions, instruction_id_list=[IDS[0]], kwargs=[KWARGS[0]]) == [0.5]


def test_trl_spec_column_and_raif_kind():
    f = raif.trl.reward(kind="raif")
    spec = json.dumps({"and": [{"constraint": "keywords:existence", "kwargs": {"keywords": ["tea"]}}]})
    out = f(prompts=["p", "p"], completions=["<think>x</think><answer>tea time</answer>", "tea time"],
            spec=[spec, spec])
    assert out == [1.0 + 2.0, -1.0 - 2.0]  # format + accuracy; no tags: -1 and -2


def test_trl_fixed_spec_and_custom_reward():
    fixed = raif.trl.reward({"constraint": "punctuation:no_comma"}, policy="all_or_nothing")
    assert fixed(prompts=["p", "p"], completions=["a b", "a, b"]) == [1.0, 0.0]
    mine = raif.trl.reward(kind=raif.Scale(raif.AnswerReward(policy="fraction"), factor=10.0), name="x10")
    assert mine(prompts=["p"], completions=["a, b"], instruction_id_list=[["punctuation:no_comma"]]) == [0.0]
    assert mine.__name__ == "x10"


def test_trl_missing_columns_raise():
    with pytest.raises(ValueError, match="needs a 'spec' column"):
        raif.trl.reward()(prompts=["p"], completions=["c"])


def test_verl_compute_score():
    gt = {"instruction_id_list": IDS[0], "kwargs": KWARGS[0]}
    r = raif.verl.compute_score("ifeval", "I like banana bread", gt, {"index": 0})
    assert r["score"] == 1.0 and r["leaf_pass_rate"] == 1.0
    # ground_truth as a JSON string, as verl's parquet often stores it; keyword call as verl makes it.
    r = raif.verl.compute_score(data_source="ifeval", solution_str="banana, split", ground_truth=json.dumps(gt),
                                extra_info=None)
    assert r["score"] == 0.5
    batch = raif.verl.compute_score_batch(["ifeval"] * 2, ["I like banana bread", "banana, split"], [gt, gt], [{}, {}])
    assert [b["score"] for b in batch] == [1.0, 0.5]


def test_openrlhf_reward_func():
    prompts = ["<|user|>Fruit?<|assistant|>", "<|user|>Short?<|assistant|>"]
    queries = [prompts[0] + "I like banana bread", prompts[1] + "one two three four"]
    labels = [json.dumps({"instruction_id_list": IDS[0], "kwargs": KWARGS[0]}),
              json.dumps({"instruction_id_list": IDS[1], "kwargs": KWARGS[1]})]
    out = raif.openrlhf.reward_func(queries, prompts, labels)
    assert set(out) == {"rewards", "scores", "extra_logs"}
    assert [float(x) for x in out["rewards"]] == [1.0, 0.0]
    assert [float(x) for x in out["scores"]] == [1.0, 0.0]
