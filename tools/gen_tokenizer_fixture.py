#!/usr/bin/env python3
"""Tokenizer fixtures from Hugging Face `tokenizers` (the reference implementation).

1. Trains a Qwen2-style byte-level BPE in Python (NFC, Split with Qwen2's pattern, ByteLevel) on
   the IFEval prompts and writes tests/data/hf_tokenizer.json with Python's encodings of test
   strings (tests/data/hf_tokenizer_encodings.json): raif must load it and encode identically.
2. Encodes the same strings with raif's own tokenizer.json (tests/data/raif_tokenizer.json, written
   by the C++ test with RAIF_WRITE_FIXTURES=1) into tests/data/raif_tokenizer_hf_encodings.json.

Usage: pip install tokenizers==0.23.3; python3 tools/gen_tokenizer_fixture.py [../shared/ifeval]
"""
import json, os, sys
from tokenizers import Tokenizer, Regex, models, normalizers, pre_tokenizers, decoders, trainers

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
data = os.path.join(root, "tests", "data")
ifeval = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "ifeval")
prompts = [json.loads(l)["prompt"] for l in open(os.path.join(ifeval, "input_data.jsonl")) if l.strip()]
QWEN2 = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>", "<answer>", "</answer>", "<|pad|>"]

tricky = [
    "Hello world's  test 123!!\n\n x", "I'M (x)  2024\n  \nend ", "don't STOP   me\r\n\r\nnow",
    "Caf\u00e9 vs Cafe\u0301 (NFC)", "\u6771\u4eac\u30bf\u30ef\u30fc 333m \U0001F5FC", "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",
    "<|im_start|>user\nWrap it in <answer> tags</answer><|im_end|>\n", "tabs\tand\u00a0nbsp\u2003em", "  leading and trailing  ",
    "P.S. ***\n* bullet\n- dash", "{\"json\": [1, 2.5e3, null]}", "x" * 300, "", " ", "\n", "123456789", "e\u0301\u0301",
    "\u2164\u2165 roman \u00bd", "emoji \U0001F468\u200d\U0001F469\u200d\U0001F467 family", "'s'S'll'LL 're",
]
cases = tricky + prompts[:60]

tok = Tokenizer(models.BPE())
tok.normalizer = normalizers.NFC()
tok.pre_tokenizer = pre_tokenizers.Sequence([
    pre_tokenizers.Split(Regex(QWEN2), behavior="isolated", invert=False),
    pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
tok.decoder = decoders.ByteLevel()
trainer = trainers.BpeTrainer(vocab_size=700, special_tokens=SPECIALS, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                              show_progress=False)
tok.train_from_iterator(prompts, trainer)
tok.save(os.path.join(data, "hf_tokenizer.json"))
with open(os.path.join(data, "hf_tokenizer_encodings.json"), "w") as f:
    json.dump([{"text": t, "ids": tok.encode(t).ids} for t in cases], f, ensure_ascii=False, indent=0)

raif = os.path.join(data, "raif_tokenizer.json")
if os.path.exists(raif):
    r = Tokenizer.from_file(raif)
    enc = [{"text": t, "ids": r.encode(t).ids} for t in cases]
    for e in enc:
        assert r.decode(e["ids"], skip_special_tokens=False) == e["text"], e["text"]
    with open(os.path.join(data, "raif_tokenizer_hf_encodings.json"), "w") as f:
        json.dump(enc, f, ensure_ascii=False, indent=0)
# the pre-tokenizer examples the C++ test states by hand, checked here against the reference
gpt2 = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
qwen = pre_tokenizers.Split(Regex(QWEN2), behavior="isolated")
print([p for p, _ in qwen.pre_tokenize_str("I'M (x)  2024\n  \nend ")])
print([p for p, _ in gpt2.pre_tokenize_str("Hello world's  test 123!!\n\n x")])
