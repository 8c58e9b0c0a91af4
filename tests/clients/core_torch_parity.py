#!/usr/bin/python3
"""Outside oracle for mhub_core kernels: computes with PyTorch what tests/core/torch_parity_test.cpp
computed with mhub, from the same inputs.

usage: core_torch_parity.py DIR
DIR holds <name>.bin (little-endian f32) and shapes.txt ("name d0 d1 ..." per line); writes
torch_<output>.bin files (f32, or int16 bit patterns for the bf16/f16 conversions).
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F


def main(d):
    shapes = {}
    with open(os.path.join(d, "shapes.txt")) as f:
        for line in f:
            parts = line.split()
            shapes[parts[0]] = [int(p) for p in parts[1:]]

    def load(name):
        a = np.fromfile(os.path.join(d, name + ".bin"), dtype="<f4").reshape(shapes[name])
        return torch.from_numpy(a.copy())

    def save(name, t):
        t.detach().contiguous().numpy().tofile(os.path.join(d, "torch_" + name + ".bin"))

    x, w, b = load("x"), load("w"), load("b")
    C = x.shape[-1]
    save("layer_norm", F.layer_norm(x, (C,), w, b, eps=1e-5))
    save("gelu_erf", F.gelu(x))
    save("gelu_tanh", F.gelu(x, approximate="tanh"))
    save("softmax", F.softmax(x * 3.0, dim=-1))
    save("silu", F.silu(x))
    # LlamaRMSNorm.forward from transformers, run by torch
    var = x.pow(2).mean(-1, keepdim=True)
    save("rms_norm", w * (x * torch.rsqrt(var + 1e-6)))
    save("bf16_bits", x.to(torch.bfloat16).view(torch.int16).to(torch.float32))
    save("f16_bits", x.to(torch.float16).view(torch.int16).to(torch.float32))

    a, lw, lb = load("a"), load("lw"), load("lb")
    save("linear", F.linear(a, lw, lb))
    save("linear_bf16", F.linear(a.to(torch.bfloat16), lw.to(torch.bfloat16), lb.to(torch.bfloat16)).float())

    # attention, written as transformers' eager path: softmax(q k^T / sqrt(d) + mask) v, GQA by repeat_kv
    q, k, v = load("q"), load("k"), load("v")  # (B,H,T,D), (B,Hkv,T,D)
    key_mask = load("key_mask")  # (B,T) of 0/1
    Bq, H, T, D = q.shape
    G = H // k.shape[1]
    k = k.repeat_interleave(G, dim=1)
    v = v.repeat_interleave(G, dim=1)
    scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(D)
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    allowed = causal[None, None] & (key_mask[:, None, None, :] > 0)
    scores = scores.masked_fill(~allowed, torch.finfo(torch.float32).min)
    save("attention", torch.matmul(F.softmax(scores, dim=-1), v))

    # rotary: LlamaRotaryEmbedding default rope + apply_rotary_pos_emb (rotate_half)
    rq = load("rope_x")  # (B,H,T,D)
    dim = rq.shape[-1]
    base = 10000.0
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    pos = torch.arange(rq.shape[2]).float()
    freqs = pos[:, None] @ inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()

    def rotate_half(t):
        t1, t2 = t[..., : t.shape[-1] // 2], t[..., t.shape[-1] // 2:]
        return torch.cat((-t2, t1), dim=-1)

    save("rope", rq * cos + rotate_half(rq) * sin)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main(sys.argv[1])
