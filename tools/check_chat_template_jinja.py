#!/usr/bin/env python3
"""Renders raif's Jinja chat templates with Jinja2 set up as Hugging Face transformers sets it up for
apply_chat_template (a sandboxed environment with trim_blocks, lstrip_blocks and loop controls), and
compares every rendering with the text raif's ChatML::render gave. Called by the tokenizer tests
(tests/tokenizer/test_tokenizer.cpp) with a JSON file:

    {"cases": [{"template": "...", "messages": [{"role": ..., "content": ...}],
                "add_generation_prompt": true, "expected": "..."}]}

Exit status: 0 when all agree, 1 with the first differences on stderr, 77 when Jinja2 is missing
(Debian: python3-jinja2)."""
import json
import sys

try:
    import jinja2
    import jinja2.ext
    from jinja2.sandbox import ImmutableSandboxedEnvironment
except ImportError:
    print("jinja2 is not installed (Debian: python3-jinja2)")
    sys.exit(77)


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
env.globals["raise_exception"] = raise_exception
with open(sys.argv[1], encoding="utf-8") as f:
    cases = json.load(f)["cases"]
wrong = 0
for i, case in enumerate(cases):
    text = env.from_string(case["template"]).render(
        messages=case["messages"], add_generation_prompt=case["add_generation_prompt"], tools=None, documents=None,
        bos_token="", eos_token="<|im_end|>", pad_token="<|pad|>")
    if text != case["expected"]:
        wrong += 1
        if wrong <= 3:
            print(f"case {i}: Jinja2 rendered {text!r}\n        raif rendered {case['expected']!r}", file=sys.stderr)
print(f"Jinja2 {jinja2.__version__}: {len(cases) - wrong} of {len(cases)} renderings equal raif's")
sys.exit(1 if wrong else 0)
