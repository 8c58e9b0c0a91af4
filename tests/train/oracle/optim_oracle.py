"""torch.optim.AdamW / SGD + torch LambdaLR with transformers' schedule lambdas (optimization.py,
transcribed) over parameters and per-step gradients the C++ test wrote as raw f32.

argv: case folders, each with spec.json (params: [{name, shape}], steps, optim, lr, wd, betas, eps, max_grad_norm, schedule,
warmup, kwargs), init.f32 (all params concatenated), grads.f32 (steps x all params).
Prints a JSON list, per case: {"lrs": [lr used by each update], "norms": [...], "final": [all params]}.
"""
import json
import math
import sys
from functools import partial

import torch
from torch.optim.lr_scheduler import LambdaLR


def warm(s, w):
    return s / max(1, w)


def lam(kind, W, T, kw, base_lr, s):
    if kind == "constant":
        return 1.0
    if kind == "constant_with_warmup":
        return warm(s, W) if s < W else 1.0
    if kind == "linear":
        if s < W:
            return float(s) / float(max(1, W))
        return max(0.0, float(T - s) / float(max(1, T - W)))
    if kind == "cosine":
        if s < W:
            return float(s) / float(max(1, W))
        p = float(s - W) / float(max(1, T - W))
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(kw.get("num_cycles", 0.5)) * 2.0 * p)))
    if kind == "cosine_with_restarts":
        if s < W:
            return float(s) / float(max(1, W))
        p = float(s - W) / float(max(1, T - W))
        if p >= 1.0:
            return 0.0
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((float(kw.get("num_cycles", 1)) * p) % 1.0))))
    if kind == "polynomial":
        lr_end, power = kw.get("lr_end", 1e-7), kw.get("power", 1.0)
        if s < W:
            return float(s) / float(max(1, W))
        if s > T:
            return lr_end / base_lr
        decay = (base_lr - lr_end) * (1 - (s - W) / (T - W)) ** power + lr_end
        return decay / base_lr
    if kind == "inverse_sqrt":
        ts = kw.get("timescale", W if W else 10000)
        if s < W:
            return float(s) / float(max(1, W))
        return 1.0 / math.sqrt((s + ts - W) / ts)
    if kind == "cosine_with_min_lr":
        rate = kw["min_lr"] / base_lr if "min_lr" in kw else kw["min_lr_rate"]
        if s < W:
            return float(s) / float(max(1, W))
        p = float(s - W) / float(max(1, T - W))
        f = 0.5 * (1.0 + math.cos(math.pi * float(kw.get("num_cycles", 0.5)) * 2.0 * p))
        return max(0, f * (1 - rate) + rate)
    if kind == "warmup_stable_decay":
        D = kw["num_decay_steps"]
        S = kw.get("num_stable_steps", T - W - D)
        r = kw.get("min_lr_ratio", 0)
        if s < W:
            q = float(s) / float(max(1, W))
            f = q
            if kw.get("warmup_type", "linear") == "cosine":
                f = 0.5 * (1.0 - math.cos(math.pi * q))
            elif kw.get("warmup_type", "linear") == "1-sqrt":
                f = 1.0 - math.sqrt(1.0 - q)
            return f * (1.0 - r) + r
        if s < W + S:
            return 1.0
        if s < W + S + D:
            q = float(s - W - S) / float(max(1, D))
            dt = kw.get("decay_type", "cosine")
            if dt == "linear":
                f = 1.0 - q
            elif dt == "cosine":
                f = 0.5 * (1.0 + math.cos(math.pi * float(kw.get("num_cycles", 0.5)) * 2.0 * q))
            else:
                f = 1.0 - math.sqrt(q)
            return f * (1.0 - r) + r
        return r
    raise SystemExit("unknown schedule " + kind)


def run(spec_path, init_path, grads_path):
    spec = json.load(open(spec_path))
    sizes = [math.prod(p["shape"]) for p in spec["params"]]
    total = sum(sizes)
    init = torch.frombuffer(bytearray(open(init_path, "rb").read()), dtype=torch.float32)
    grads = torch.frombuffer(bytearray(open(grads_path, "rb").read()), dtype=torch.float32)
    steps = spec["steps"]
    assert init.numel() == total and grads.numel() == total * steps
    params, off = [], 0
    for p, n in zip(spec["params"], sizes):
        params.append(torch.nn.Parameter(init[off:off + n].clone().reshape(p["shape"])))
        off += n
    # Trainer's groups (training.md 2.6): no decay for bias / norm names.
    nd = [("bias" in p["name"].lower() or "layernorm" in p["name"].lower()) for p in spec["params"]]
    groups = [
        {"params": [q for q, n in zip(params, nd) if not n], "weight_decay": spec["wd"]},
        {"params": [q for q, n in zip(params, nd) if n], "weight_decay": 0.0},
    ]
    if spec["optim"] == "sgd":
        opt = torch.optim.SGD(groups, lr=spec["lr"], momentum=spec.get("momentum", 0.0))
    else:
        opt = torch.optim.AdamW(groups, lr=spec["lr"], betas=tuple(spec["betas"]), eps=spec["eps"])
    T, W = steps, spec["warmup"]
    if spec["schedule"] == "reduce_lr_on_plateau":
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **spec["kwargs"])
    else:
        sched = LambdaLR(opt, partial(lam, spec["schedule"], W, T, spec["kwargs"], spec["lr"]))
    metrics = spec.get("metrics", [])
    lrs, norms = [], []
    for k in range(steps):
        off = 0
        for p, n in zip(params, sizes):
            p.grad = grads[k * total + off:k * total + off + n].clone().reshape(p.shape)
            off += n
        if spec["max_grad_norm"] > 0:
            norms.append(float(torch.nn.utils.clip_grad_norm_(params, spec["max_grad_norm"])))
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        if spec["schedule"] == "reduce_lr_on_plateau":
            sched.step(metrics[k])
        else:
            sched.step()
    final = torch.cat([p.detach().reshape(-1) for p in params]).tolist()
    return {"lrs": lrs, "norms": norms, "final": final}


if __name__ == "__main__":
    # One process for every case (importing torch is the slow part): argv = case folders.
    print(json.dumps([run(d + "/spec.json", d + "/init.f32", d + "/grads.f32") for d in sys.argv[1:]]))
