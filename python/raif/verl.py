"""verl: ``custom_reward_function.path=<site-packages>/raif/verl.py`` (name ``compute_score``).

verl's reward manager calls ``compute_score(data_source, solution_str, ground_truth, extra_info)``
per response; ``ground_truth`` (the row's ``reward_model.ground_truth``) holds the instructions: a
composition or IFEval's ``{"instruction_id_list", "kwargs"}``, as a dict or a JSON string. A dict
return is logged key by key, its ``score`` is the reward. ``compute_score_batch`` is the same for
verl's BatchRewardManager (lists in, list out).
"""

import functools
import json
import os

from . import _raif
from ._columns import spec_from_columns

# RAIF_VERL_REWARD=raif switches to RAIF's format + accuracy reward (think/answer template);
# the default is the fraction of instructions followed by the whole response.
_KIND = os.environ.get("RAIF_VERL_REWARD", "ifeval")
_TERM = _raif.raif_reward(None, "think_answer") if _KIND == "raif" else _raif.answer_reward(None, "fraction", "none", 0.0)


@functools.lru_cache(maxsize=4096)
def _compiled(key):
    spec = json.loads(key)
    if isinstance(spec, dict) and "instruction_id_list" in spec:
        spec = spec_from_columns(spec["instruction_id_list"], spec.get("kwargs"))
    return _raif.Composition(spec)


def _spec(ground_truth):
    # verl's parquet rows may hold the spec as a JSON string or as a dict (numpy arrays for lists).
    if not isinstance(ground_truth, str):
        ground_truth = json.dumps(ground_truth, sort_keys=True, default=lambda o: o.tolist())
    return _compiled(ground_truth)


def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    r = _TERM.score_batch([solution_str], specs=[_spec(ground_truth)], threads=1)[0]
    return {"score": r["reward"], **r["components"]}


def compute_score_batch(data_sources, solution_strs, ground_truths, extra_infos=None, **kwargs):
    rs = _TERM.score_batch(list(solution_strs), specs=[_spec(g) for g in ground_truths])
    return [{"score": r["reward"], **r["components"]} for r in rs]
