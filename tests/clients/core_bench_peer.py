#!/usr/bin/python3
"""PyTorch peer for bench/core_{matmul,attention}_bench.cpp. Reads one request per stdin line and
answers each with one JSON line {"shape": <request>, "seconds": <per call>}, so the benches can
interleave their runs with the peer's. Requests:
  linear M,K,N,f32|bf16       F.linear(x, W, b), W stored (out, in) as nn.Linear
  attention B,Tq,Tk,H,D,causal  transformers' eager attention on (B, H, T, D):
                                softmax(q k^T / sqrt(D) + mask) v
Run with OPENBLAS_CORETYPE=Cooperlake; --threads N sets torch.set_num_threads."""
import json
import math
import sys
import time

import torch
import torch.nn.functional as F


def bench(fn, min_time):
    for _ in range(3):
        fn()
    n, t0 = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        el = time.perf_counter() - t0
        if el >= min_time and n >= 3:
            return el / n


def linear(spec):
    m, k, n, dt = spec.split(",")
    m, k, n = int(m), int(k), int(n)
    dtype = torch.bfloat16 if dt == "bf16" else torch.float32
    x = torch.randn(m, k).to(dtype)
    w = (torch.randn(n, k) * 0.02).to(dtype)
    b = torch.zeros(n).to(dtype)
    return lambda: F.linear(x, w, b)


def attention(spec):
    b, tq, tk, h, d, causal = (int(v) for v in spec.split(","))
    q, k, v = torch.randn(b, h, tq, d), torch.randn(b, h, tk, d), torch.randn(b, h, tk, d)
    mask = torch.zeros(b, 1, tq, tk)
    if causal:
        allowed = torch.ones(tq, tk, dtype=torch.bool).tril(diagonal=tk - tq)
        mask = mask.masked_fill(~allowed, torch.finfo(torch.float32).min)

    def run():
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d) + mask
        return torch.matmul(torch.softmax(scores, dim=-1), v)

    return run


def main():
    args = sys.argv[1:]
    torch.set_num_threads(int(args[args.index("--threads") + 1]))
    min_time = float(args[args.index("--min-time") + 1])
    torch.manual_seed(0)
    print(json.dumps({"ready": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    with torch.inference_mode():
        for line in sys.stdin:
            if not line.strip():
                continue
            kind, spec = line.split()
            fn = linear(spec) if kind == "linear" else attention(spec)
            print(json.dumps({"shape": spec, "seconds": bench(fn, min_time)}), flush=True)


if __name__ == "__main__":
    main()
