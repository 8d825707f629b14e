"""TRL: a reward function for ``GRPOTrainer(reward_funcs=[raif.trl.reward(...)])``.

TRL calls ``f(prompts=..., completions=..., completion_ids=..., **columns)`` with every dataset
column as a keyword (one value per completion) and expects one float per completion. The
instructions come from IFEval's ``instruction_id_list``/``kwargs`` columns or a ``spec`` column
(a composition); completions may be plain text or conversational (lists of messages).
"""

from . import _raif
from ._columns import spec_from_columns, text_of


def reward(spec=None, *, kind="ifeval", policy="fraction", template="none", threads=0, name=None):
    """A TRL reward function.

    kind: "ifeval" — the row's instructions checked on the completion (IFEval strict), aggregated by
    ``policy`` ("fraction": the share followed, in [0, 1]; any of raif.POLICIES); "raif" — RAIF's
    format + accuracy reward (think/answer template unless ``template`` says otherwise); or a
    :class:`raif.Reward` of your own.
    spec: one composition for every row; by default each row's own from its columns.
    """
    if isinstance(kind, _raif.Reward):
        term = kind
    elif kind == "raif":
        term = _raif.raif_reward(spec, template if template != "none" else "think_answer")
    elif kind == "ifeval":
        term = _raif.answer_reward(spec, policy, template, 0.0)
    else:
        raise ValueError(f"raif: unknown reward kind {kind!r} (expected 'ifeval', 'raif' or a raif.Reward)")

    def raif_reward(prompts, completions, **kwargs):
        n = len(completions)
        specs = None
        if spec is None:
            ids, kws, sp = kwargs.get("instruction_id_list"), kwargs.get("kwargs"), kwargs.get("spec")
            specs = [spec_from_columns(ids[i] if ids is not None else None, kws[i] if kws is not None else None,
                                       sp[i] if sp is not None else None) for i in range(n)]
        ctx = kwargs.get("context")
        return term.values([text_of(c) for c in completions], prompts=[text_of(p) for p in prompts],
                           specs=specs, contexts=list(ctx) if ctx is not None else None, threads=threads)

    # TRL logs each reward under its function's __name__.
    raif_reward.__name__ = name or f"raif_{kind if isinstance(kind, str) else 'reward'}"
    return raif_reward
