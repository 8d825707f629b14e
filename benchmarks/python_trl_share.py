#!/usr/bin/env python3
"""The reward's share of a TRL GRPOTrainer step, raif's reward vs the official IFEval Python
functions (lm-eval's copy of google-research's instruction_following_eval), on the IFEval prompts
with the GPT-4 responses as completions' stand-ins for the reward cost, in the same process.

    PYTHONPATH=build/python .venv-trl/bin/python benchmarks/python_trl_share.py

Needs trl, torch, transformers (python/scripts/install_trl.sh), lm_eval, langdetect, nltk with the
Punkt tables (NLTK_DATA pointing at a folder with tokenizers/punkt_tab/english), and the fixtures
../shared/ifeval and ../shared/qwen2-tokenizer. Prints JSON.
"""

import json
import os
import pathlib
import time

import raif

root = pathlib.Path(__file__).resolve().parents[2] / "shared"
ifeval_dir = pathlib.Path(os.environ.get("RAIF_IFEVAL_DIR", root / "ifeval"))


def jsonl(p):
    with open(p, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def official_reward():
    from lm_eval.tasks.ifeval import utils  # the official checker's code, as lm-eval ships it

    def f(prompts, completions, instruction_id_list, kwargs, **_):
        out = []
        for p, c, ids, kw in zip(prompts, completions, instruction_id_list, kwargs):
            text = c if isinstance(c, str) else c[-1]["content"]
            ex = utils.InputExample(key=0, instruction_id_list=ids, prompt=p, kwargs=kw)
            r = utils.test_instruction_following_strict(ex, text)
            out.append(sum(r.follow_instruction_list) / len(ids))
        return out
    return f


def timed(f, log):
    def g(*a, **kw):
        t = time.perf_counter()
        r = f(*a, **kw)
        log.append(time.perf_counter() - t)
        return r
    g.__name__ = getattr(f, "__name__", "reward")
    return g


def main():
    items = jsonl(ifeval_dir / "input_data.jsonl")
    responses = [r["response"] for r in jsonl(ifeval_dir / "input_response_data_gpt4_20231107_145030.jsonl")]
    rows = [{"prompt": it["prompt"], "instruction_id_list": it["instruction_id_list"],
             "kwargs": [{k: v for k, v in kw.items() if v is not None} for kw in it["kwargs"]]} for it in items]
    picks = [i % len(rows) for i in range(1024)]  # 1,024 completions, as a TRL reward call gets
    cols = dict(prompts=[rows[i]["prompt"] for i in picks], completions=[responses[i] for i in picks],
                instruction_id_list=[rows[i]["instruction_id_list"] for i in picks],
                kwargs=[rows[i]["kwargs"] for i in picks])
    n = len(cols["prompts"])
    out = {"completions": n, "nproc": os.cpu_count()}
    # 1. The reward call alone, in the same process (strict verdicts, share of instructions followed).
    for name, f in (("raif", raif.trl.reward(threads=1)), ("official", official_reward())):
        f(**cols)  # warm up
        t = time.perf_counter()
        values = f(**cols)
        out[f"{name}_reward_s"] = time.perf_counter() - t
        out[f"{name}_mean_reward"] = sum(values) / n
    out["reward_speedup"] = out["official_reward_s"] / out["raif_reward_s"]

    # 2. Its share of a GRPO step: a tiny random Qwen2 (1 layer) generating 64 tokens, rewarded as if
    # it had written the GPT-4 response of its prompt (so the reward does the real checks).
    import torch, transformers, trl
    from datasets import Dataset
    tok = transformers.AutoTokenizer.from_pretrained(str(root / "qwen2-tokenizer"))
    by_prompt = {r["prompt"]: resp for r, resp in zip(rows, responses)}
    train = Dataset.from_list(rows[:64])
    for name, base in (("raif", raif.trl.reward(threads=1)), ("official", official_reward())):
        def reward(prompts, completions, **kw):
            texts = [by_prompt[p if isinstance(p, str) else p[-1]["content"]] for p in prompts]
            return base(prompts, texts, **kw)
        log = []
        torch.manual_seed(0)
        cfg = transformers.Qwen2Config(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=1,
                                       num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=4096)
        args = trl.GRPOConfig(output_dir=f"/tmp/raif_trl_share_{name}", max_steps=4, per_device_train_batch_size=16,
                              num_generations=8, max_completion_length=64, logging_steps=1, report_to=[],
                              use_cpu=True, save_strategy="no")
        trainer = trl.GRPOTrainer(model=transformers.Qwen2ForCausalLM(cfg), processing_class=tok,
                                  reward_funcs=[timed(reward, log)], args=args, train_dataset=train)
        t = time.perf_counter()
        trainer.train()
        total = time.perf_counter() - t
        out[f"{name}_grpo_4_steps_s"] = total
        out[f"{name}_reward_share"] = sum(log) / total
    out["versions"] = {"trl": trl.__version__, "torch": torch.__version__, "transformers": transformers.__version__}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
