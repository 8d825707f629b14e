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

from transformers import AutoTokenizer, GenerationConfig

folder = pathlib.Path(sys.argv[1])
run = folder.parent
system = None
for line in (run / "config.toml").read_text().splitlines():
    if line.startswith("system = "):  # [data] system, as TOML's basic string: JSON reads it
        system = json.loads(line.split(" = ", 1)[1].split("  #")[0])
        break
tok = AutoTokenizer.from_pretrained(folder)
gen = GenerationConfig.from_pretrained(folder)
checked = 0
with open(run / "responses_final.jsonl") as f:
    for line in f:
        user = json.loads(line)["prompt"]
        want = f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"
        for messages in ([{"role": "user", "content": user}],
                         [{"role": "system", "content": system}, {"role": "user", "content": user}]):
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
