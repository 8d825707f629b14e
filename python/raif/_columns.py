"""Reading a row's instructions from dataset columns (shared by the adapters)."""

import json


def _clean_kwargs(kw):
    # Hugging Face datasets store IFEval's kwargs as one Arrow struct, so every row carries every
    # key, unused ones as None; the official loader drops them the same way.
    if kw is None:
        return {}
    if isinstance(kw, str):
        kw = json.loads(kw)
    return {k: v for k, v in kw.items() if v is not None}


def spec_from_columns(instruction_id_list=None, kwargs=None, spec=None):
    """A spec from IFEval's columns, or the `spec` column (a composition, as a dict or JSON string)."""
    if spec is not None:
        return spec
    if instruction_id_list is None:
        raise ValueError("raif: a row needs a 'spec' column, or IFEval's 'instruction_id_list' (and 'kwargs')")
    if isinstance(kwargs, str):
        kwargs = json.loads(kwargs)
    ids = list(instruction_id_list)
    kws = [_clean_kwargs(k) for k in kwargs] if kwargs is not None else [{} for _ in ids]
    return {"instruction_id_list": ids, "kwargs": kws}


def text_of(message_or_text):
    """A plain-text completion or prompt, or the content of a conversational one."""
    if isinstance(message_or_text, str):
        return message_or_text
    # Conversational: a list of {"role", "content"} messages. A completion's text is its last
    # message; a prompt's is the last user turn (what the instructions were given in).
    messages = list(message_or_text)
    users = [m for m in messages if m.get("role") == "user"]
    last = users[-1] if users else messages[-1]
    return last["content"] if isinstance(last["content"], str) else "".join(
        part.get("text", "") for part in last["content"])
