#!/usr/bin/env python3
"""Does a checkpoint that raif wrote load in Hugging Face transformers with the same logits?

    build/benchmarks/random_checkpoint --logits DIR /tmp/raif_logits.json   # raif's logits for DIR
    python3 tools/check_checkpoint_transformers.py DIR /tmp/raif_logits.json

Loads DIR with Qwen2ForCausalLM.from_pretrained (float32), runs the batch of the JSON (its
input_ids and attention_mask, positions counted from the first real token as raif does) and prints
the largest absolute difference from raif's logits over real tokens, and the largest logit. Exits 1
when the difference exceeds --tolerance (default 1e-4). A side script, run once (docs/models.md):
never part of the library or of the default test run.
Needs: pip install torch transformers safetensors numpy
"""
import argparse, json, sys

import numpy as np
import torch
import transformers
from transformers import Qwen2ForCausalLM

ap = argparse.ArgumentParser()
ap.add_argument("checkpoint")
ap.add_argument("raif_logits")
ap.add_argument("--tolerance", type=float, default=1e-4)
a = ap.parse_args()

raif = json.load(open(a.raif_logits))
ids = torch.tensor(raif["input_ids"])
mask = torch.tensor(raif["attention_mask"])
want = np.asarray(raif["logits"], dtype=np.float32).reshape(raif["shape"])
model = Qwen2ForCausalLM.from_pretrained(a.checkpoint, torch_dtype=torch.float32).eval()
pos = (mask.cumsum(-1) - 1).clamp(min=0)
with torch.no_grad():
    got = model(input_ids=ids, attention_mask=mask, position_ids=pos).logits.float().numpy()
real = mask.numpy().astype(bool)
diff = float(np.abs(got - want)[real].max())
print(json.dumps({"checkpoint": a.checkpoint, "transformers": transformers.__version__, "torch": torch.__version__,
                  "tied": model.config.tie_word_embeddings,
                  "dtype_on_disk": json.load(open(a.checkpoint + "/config.json")).get("torch_dtype"),
                  "max_abs_diff": diff, "max_abs_logit": float(np.abs(want[real]).max())}))
sys.exit(0 if diff <= a.tolerance else 1)
