"""Errors raise raif.Error (a ValueError) with the C++ raif::error messages."""

import pytest

import raif

IDS = ", ".join(raif.ifeval_ids())


def test_error_is_a_value_error():
    assert issubclass(raif.Error, ValueError)


def test_unknown_instruction_id_message():
    with pytest.raises(raif.Error) as e:
        raif.describe("nope:nope")
    assert str(e.value) == f"raif: unknown instruction id 'nope:nope' (known: {IDS})"


def test_ifeval_batch_names_prompt_key_and_instruction():
    # IfevalItem::constraints prefixes the prompt key and the instruction index, as raif-ifeval does.
    with pytest.raises(raif.Error) as e:
        raif.evaluate_ifeval(["x", "y"], [["punctuation:no_comma"], ["punctuation:no_comma", "nope:nope"]],
                             keys=[1000, 1001])
    assert str(e.value) == f"prompt key 1001, instruction 1: raif: unknown instruction id 'nope:nope' (known: {IDS})"


def test_bad_kwarg_message():
    with pytest.raises(raif.Error) as e:
        raif.describe("length_constraints:number_words", {"num_words": "x"})
    assert str(e.value) == ("raif: instruction 'length_constraints:number_words': kwarg 'num_words' = \"x\" "
                            "is not an integer")


def test_spec_errors_name_the_json_path():
    with pytest.raises(raif.Error, match=r"\$\.and\[1\].*unknown instruction id 'nope:nope'"):
        raif.Composition({"and": [{"constraint": "punctuation:no_comma"}, {"constraint": "nope:nope"}]})
    with pytest.raises(raif.Error, match=r"\$\.and: expected a non-empty list"):
        raif.Composition('{"and": []}')
    with pytest.raises(raif.Error, match="invalid JSON"):
        raif.Composition("{oops")


def test_batch_errors_name_the_sample():
    with pytest.raises(raif.Error, match=r"^specs\[1\]: .*unknown instruction id 'nope:nope'"):
        raif.RaifReward().values(["a", "b"], specs=[{"instruction_id_list": ["punctuation:no_comma"]},
                                                    {"instruction_id_list": ["nope:nope"]}])
    with pytest.raises(raif.Error, match="got 1 specs for 2 responses"):
        raif.RaifReward().values(["a", "b"], specs=[None])


def test_unknown_policy_and_template():
    with pytest.raises(raif.Error) as e:
        raif.Composition({"constraint": "punctuation:no_comma"}).score("x", "median")
    assert str(e.value) == ("raif: unknown aggregation policy 'median' (expected all_or_nothing, fraction, "
                            "dependency_aware, raif, priority or weighted)")
    with pytest.raises(raif.Error, match="unknown template 'xml'"):
        raif.FormatReward(template="xml")
