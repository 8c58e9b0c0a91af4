#!/usr/bin/python3
"""PyTorch peer for bench/core_matmul_bench.cpp: times F.linear (y = x W^T + b, W stored (out, in))
for each "M K N dtype" argument and prints one JSON line per shape with seconds per call.
Run with OPENBLAS_CORETYPE=Cooperlake; threads from --threads (torch.set_num_threads)."""
import json
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


def main():
    args = sys.argv[1:]
    threads = int(args[args.index("--threads") + 1])
    min_time = float(args[args.index("--min-time") + 1])
    shapes = [a for a in args if a.count(",") == 3]
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    with torch.inference_mode():
        for s in shapes:
            m, k, n, dt = s.split(",")
            m, k, n = int(m), int(k), int(n)
            dtype = torch.bfloat16 if dt == "bf16" else torch.float32
            x = torch.randn(m, k).to(dtype)
            w = (torch.randn(n, k) * 0.02).to(dtype)
            b = torch.zeros(n).to(dtype)
            sec = bench(lambda: F.linear(x, w, b), min_time)
            print(json.dumps({"shape": s, "seconds": sec}), flush=True)


if __name__ == "__main__":
    main()
