"""OpenRLHF: ``--remote_rm_url <site-packages>/raif/openrlhf.py --label_key <column>``.

OpenRLHF loads this file and calls ``reward_func(queries, prompts, labels)``: ``queries`` are
prompt + response as decoded, ``labels`` the ``--label_key`` column, here each row's instructions (a
composition or IFEval's ``{"instruction_id_list", "kwargs"}``, dict or JSON string). It returns
``{"rewards", "scores", "extra_logs"}`` as torch tensors (lists when torch is not importable).
"""

import json
import os

from . import _raif
from ._columns import spec_from_columns

_KIND = os.environ.get("RAIF_OPENRLHF_REWARD", "ifeval")
_TERM = _raif.raif_reward(None, "think_answer") if _KIND == "raif" else _raif.answer_reward(None, "fraction", "none", 0.0)


def _spec(label):
    spec = json.loads(label) if isinstance(label, str) else label
    if isinstance(spec, dict) and "instruction_id_list" in spec:
        spec = spec_from_columns(spec["instruction_id_list"], spec.get("kwargs"))
    return spec


def reward_func(queries, prompts, labels, **kwargs):
    # The response is what follows the prompt in the query (OpenRLHF decodes them together).
    responses = [q[len(p):] if q.startswith(p) else q for q, p in zip(queries, prompts)]
    rs = _TERM.score_batch(responses, prompts=list(prompts), specs=[_spec(l) for l in labels])
    rewards = [r["reward"] for r in rs]
    # scores (for dynamic filtering) in [0, 1]: the fraction of the row's instructions followed.
    scores = [r["components"]["leaf_pass_rate"] for r in rs]
    try:
        import torch
        rewards, scores = torch.tensor(rewards, dtype=torch.float), torch.tensor(scores, dtype=torch.float)
    except ImportError:
        pass
    return {"rewards": rewards, "scores": scores, "extra_logs": {"raif_leaf_pass_rate": scores}}
