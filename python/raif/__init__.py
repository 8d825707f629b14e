"""raif's verifiers, compositions and rewards for Python (the C++ headers, bound with pybind11).

IFEval's strict and loose verdicts, composition specs evaluated to verdict trees under every
aggregation policy, and RAIF's rewards with their combinators, scored on raif's thread pool with the
GIL released. Errors raise :class:`raif.Error` (a ``ValueError``) with the C++ messages.
Adapters: :mod:`raif.trl`, :mod:`raif.verl`, :mod:`raif.openrlhf`.
"""

from ._raif import (POLICIES, Composition, Error, Reward, answer_reward, clip, describe, evaluate_ifeval,
                    format_reward, gate_on, ifeval_ids, raif_reward, scale, sum_of)

__all__ = [
    "POLICIES", "Composition", "Error", "Reward", "ifeval_ids", "describe", "evaluate_ifeval",
    "FormatReward", "AnswerReward", "RaifReward", "Sum", "WeightedSum", "GateOn", "Clip", "Scale",
    "ifeval_spec", "trl", "verl", "openrlhf",
]

# The C++ names (raif::FormatReward, raif::Sum, ...) as Python callables.
FormatReward = format_reward
AnswerReward = answer_reward
RaifReward = raif_reward


def Sum(*terms):
    """Sum of reward terms; components merged in order (a repeated name gets #2, #3)."""
    return sum_of(list(terms))


def WeightedSum(*weighted):
    """WeightedSum((term, weight), ...)."""
    return sum_of([t for t, _ in weighted], [float(w) for _, w in weighted])


GateOn, Clip, Scale = gate_on, clip, scale


def ifeval_spec(instruction_id_list, kwargs=None):
    """IFEval's flat form as a spec: every instruction must hold (an And of leaves)."""
    spec = {"instruction_id_list": list(instruction_id_list)}
    if kwargs is not None:
        spec["kwargs"] = [dict(k) if k is not None else {} for k in kwargs]
    return spec


from . import openrlhf, trl, verl  # noqa: E402  (the adapters use the names above)
