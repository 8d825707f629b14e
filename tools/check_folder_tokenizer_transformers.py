#!/usr/bin/env python3
"""A raif run's warmstart/ or final/ folder, read by Hugging Face transformers (a side check, run by
hand: docs/models.md has its result). transformers needs no PyTorch for this part:

    python3 -m venv /tmp/hf && /tmp/hf/bin/pip install transformers jinja2
    /tmp/hf/bin/python tools/check_folder_tokenizer_transformers.py runs/default/final

Checks that AutoTokenizer loads the folder; that apply_chat_template renders raif's ChatML prompt of
every held-out instruction in the run's responses_final.jsonl (with and without a system message:
data.system is the default) to exactly that text, and tokenized, to the text's ids (raif's
tokenizer.json gives the same ids as HF tokenizers: tests/tokenizer); that eos and pad are
<|im_end|> and <|pad|>; and that GenerationConfig stops on <|im_end|> and <|endoftext|>."""
import json
import pathlib
import sys
import tomllib

from transformers import AutoTokenizer, GenerationConfig

folder = pathlib.Path(sys.argv[1])
run = folder.parent
with open(run / "config.toml", "rb") as f:
    system = tomllib.load(f)["data"]["system"]
tok = AutoTokenizer.from_pretrained(folder)
gen = GenerationConfig.from_pretrained(folder)
checked = 0
with open(run / "responses_final.jsonl") as f:
    for line in f:
        user = json.loads(line)["prompt"]
        turn = f"<|im_start|>system\n{system}<|im_end|>\n" if system else ""  # raif's prompt: no empty system turn
        want = f"{turn}<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"
        conversations = [[{"role": "user", "content": user}]]
        if system:
            conversations.append([{"role": "system", "content": system}, {"role": "user", "content": user}])
        for messages in conversations:
            text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
            assert text == want, (text, want)
            ids = tok.apply_chat_template(messages, tokenize=True, add_generation_prompt=True)
            ids = ids["input_ids"] if isinstance(ids, dict) or hasattr(ids, "keys") else ids
            assert ids == tok(want, add_special_tokens=False)["input_ids"]
            checked += 1
assert tok.eos_token == "<|im_end|>" and tok.pad_token == "<|pad|>", (tok.eos_token, tok.pad_token)
stops = gen.eos_token_id if isinstance(gen.eos_token_id, list) else [gen.eos_token_id]
assert tok.convert_ids_to_tokens(stops) == ["<|im_end|>", "<|endoftext|>"], stops
print(f"{folder}: transformers {__import__('transformers').__version__} read it; {checked} chat renderings equal "
      f"raif's ChatML, eos/pad/stop ids as raif's")
