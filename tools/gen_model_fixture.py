#!/usr/bin/env python3
"""Model fixtures from the reference implementations.

- tests/data/qwen2_tiny/: a random Qwen2ForCausalLM (transformers) saved with save_pretrained
  (config.json + model.safetensors), and expected.json with its logits for a left-padded batch.
  raif's Qwen2 must load it by name and give the same logits.
- tests/data/python.safetensors: three tensors written by the `safetensors` package.

Usage: pip install torch transformers safetensors numpy; python3 tools/gen_model_fixture.py
"""
import json, os
import numpy as np
import torch
from safetensors.numpy import save_file
from transformers import Qwen2Config, Qwen2ForCausalLM

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
data = os.path.join(root, "tests", "data")
save_file({"a": (np.arange(6, dtype=np.float32).reshape(2, 3) / 4), "b": np.array([1, -2, 3], dtype=np.int64),
           "c": np.array([0.5, -1.25], dtype=np.float16)}, os.path.join(data, "python.safetensors"))

torch.manual_seed(0)
cfg = Qwen2Config(vocab_size=97, hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
                  num_key_value_heads=2, max_position_embeddings=128, rope_theta=10000.0, rms_norm_eps=1e-6,
                  tie_word_embeddings=False, torch_dtype="float32")
model = Qwen2ForCausalLM(cfg).eval()
with torch.no_grad():  # HF zero-initialises biases; random ones make the test see them
    for n, p in model.named_parameters():
        if n.endswith("bias") or n.endswith("norm.weight"):
            p.add_(torch.randn_like(p) * 0.1)
out = os.path.join(data, "qwen2_tiny")
model.save_pretrained(out, safe_serialization=True)
ids = torch.tensor([[0, 0, 0, 5, 17, 42, 8, 3, 91, 60], [11, 12, 13, 14, 15, 16, 17, 18, 19, 20]])
mask = torch.tensor([[0, 0, 0, 1, 1, 1, 1, 1, 1, 1], [1] * 10])
pos = (mask.cumsum(-1) - 1).clamp(min=0)
with torch.no_grad():
    logits = model(input_ids=ids, attention_mask=mask, position_ids=pos).logits
json.dump({"input_ids": ids.tolist(), "attention_mask": mask.tolist(), "logits": logits.tolist(),
           "transformers": __import__("transformers").__version__, "torch": torch.__version__},
          open(os.path.join(out, "expected.json"), "w"))
print("wrote", out, sorted(os.listdir(out)))
