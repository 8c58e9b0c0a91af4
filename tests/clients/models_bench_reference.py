#!/usr/bin/python3
"""PyTorch side of bench/models_*_bench.cpp: times the reference models of models_reference.py
on a model folder written by mhub, at PyTorch's best here (2 threads; run with
OPENBLAS_CORETYPE=Cooperlake; bf16 weights for the bf16 figures).

  models_bench_reference.py encoder DIR DTYPE BATCH SEQ RUNS   -> {"ms": [per-run ms, ...]}
  models_bench_reference.py encoder-serve DIR DTYPE BATCH SEQ  -> prints "ready" after a warm-up, then
      one forward per "run" line on stdin, answering its ms on a line; exits on "quit" or EOF
      (lets the C++ bench alternate its own runs with PyTorch's under the same machine load)
  models_bench_reference.py decode DIR DTYPE PROMPT_LEN NEW    -> {"tok_per_s": x, "tokens": [...]}
DTYPE: float32 | bfloat16. Inputs are the same deterministic ids the C++ side uses (i*7+3 % V).
"""
import json
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, __import__("os").path.dirname(__file__))
import models_reference as ref  # noqa: E402


def cast(obj, dtype):
    """Converts every tensor and module held (also in lists/dicts) by a reference model."""
    for name, value in list(vars(obj).items()):
        setattr(obj, name, cast_value(value, dtype))


def cast_value(value, dtype):
    if isinstance(value, torch.Tensor) and value.is_floating_point():
        return value.to(dtype)
    if isinstance(value, nn.Module):
        return value.to(dtype)
    if isinstance(value, list):
        return [cast_value(v, dtype) for v in value]
    if isinstance(value, tuple):
        return tuple(cast_value(v, dtype) for v in value)
    if isinstance(value, dict):
        return {k: cast_value(v, dtype) for k, v in value.items()}
    return value


def ids(n, vocab, offset=0):
    return [((i + offset) * 7 + 3) % vocab for i in range(n)]


def warm_encoder(folder, dtype, batch, seq):
    """The reference encoder in `dtype`, its (batch, seq) inputs and mask, after one warm-up forward."""
    model = ref.load(folder, "base")
    if dtype != torch.float32:
        cast(model, dtype)
    vocab = model.word.weight.shape[0]
    x = torch.tensor([ids(seq, vocab, b) for b in range(batch)])
    mask = torch.ones_like(x)
    model.forward(x, mask, None, None)  # warm-up
    return model, x, mask


def main():
    torch.set_num_threads(2)
    mode, folder, dtype_name = sys.argv[1], sys.argv[2], sys.argv[3]
    dtype = torch.bfloat16 if dtype_name == "bfloat16" else torch.float32
    with torch.no_grad():
        if mode == "encoder":
            runs = int(sys.argv[6])
            model, x, mask = warm_encoder(folder, dtype, int(sys.argv[4]), int(sys.argv[5]))
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                model.forward(x, mask, None, None)
                times.append((time.perf_counter() - t0) * 1000)
            print(json.dumps({"ms": times}))
        elif mode == "encoder-serve":
            model, x, mask = warm_encoder(folder, dtype, int(sys.argv[4]), int(sys.argv[5]))
            print("ready", flush=True)
            for line in sys.stdin:
                if line.strip() != "run":
                    break
                t0 = time.perf_counter()
                model.forward(x, mask, None, None)
                print((time.perf_counter() - t0) * 1000, flush=True)
        elif mode == "decode":
            prompt_len, new = int(sys.argv[4]), int(sys.argv[5])
            model = ref.load(folder, "causal-lm")
            if dtype != torch.float32:
                cast(model, dtype)
            vocab = model.wte.shape[0]
            tokens = ids(prompt_len, vocab)
            cache = []
            x = torch.tensor([tokens])
            logits = model.forward(x, torch.ones_like(x), None, None, cache)["logits"]
            out = []
            t0 = time.perf_counter()
            for _ in range(new):
                nxt = int(logits[0, -1].float().argmax())
                out.append(nxt)
                tokens.append(nxt)
                x = torch.tensor([[nxt]])
                logits = model.forward(x, torch.ones(1, len(tokens), dtype=torch.long), None, None, cache)["logits"]
            elapsed = time.perf_counter() - t0
            print(json.dumps({"tok_per_s": new / elapsed, "tokens": out}))


if __name__ == "__main__":
    main()
