"""A real TRL GRPOTrainer, 2 steps on a tiny random Qwen2 with a raif reward. Runs when trl, torch
and transformers are importable (python/scripts/install_trl.sh puts them in a venv); skipped with
the reason otherwise. Needs the Qwen2 tokenizer fixture (RAIF_QWEN2_TOKENIZER_DIR or
../shared/qwen2-tokenizer)."""

import os
import pathlib

import pytest

import raif

trl = pytest.importorskip("trl", reason="TRL is not installed (python/scripts/install_trl.sh installs it into a venv)")
torch = pytest.importorskip("torch", reason="torch is not installed (python/scripts/install_trl.sh)")
transformers = pytest.importorskip("transformers", reason="transformers is not installed")


def test_grpo_two_steps_with_raif_reward(tmp_path):
    tok_dir = pathlib.Path(os.environ.get("RAIF_QWEN2_TOKENIZER_DIR",
                                          pathlib.Path(__file__).resolve().parents[3] / "shared/qwen2-tokenizer"))
    if not (tok_dir / "tokenizer.json").exists():
        pytest.skip(f"Qwen2 tokenizer fixture not found at {tok_dir}")
    from datasets import Dataset
    tok = transformers.AutoTokenizer.from_pretrained(str(tok_dir))
    torch.manual_seed(0)
    cfg = transformers.Qwen2Config(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                                   num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=256)
    model = transformers.Qwen2ForCausalLM(cfg)
    train = Dataset.from_list([{"prompt": "Say something without commas.",
                                "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}] * 8)
    calls = []
    reward = raif.trl.reward()

    def logged(prompts, completions, **kw):
        out = reward(prompts, completions, **kw)
        calls.append(out)
        return out

    args = trl.GRPOConfig(output_dir=str(tmp_path), max_steps=2, per_device_train_batch_size=4, num_generations=4,
                          max_completion_length=8, logging_steps=1, report_to=[], use_cpu=True, save_strategy="no")
    trainer = trl.GRPOTrainer(model=model, processing_class=tok, reward_funcs=[logged], args=args, train_dataset=train)
    trainer.train()
    assert len(calls) >= 2 and all(0.0 <= r <= 1.0 for c in calls for r in c)
