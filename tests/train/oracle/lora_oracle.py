"""LoRA in PyTorch, as PEFT's lora.Linear computes it (no PEFT import: it is not installed here):
each target's weight is W0 + scaling * (B @ A) (transposed for GPT-2's Conv1D, fan_in_fan_out),
W0 frozen, A/B and the modules_to_save tensors trained by torch.optim.AdamW (decay / no-decay groups
by transformers' name rule), LambdaLR linear warmup, clip_grad_norm_(1.0), gradient accumulation,
over the grad helper's line-by-line transformers forward (tests/models/oracle/train_grad_oracle.py).
Reads the base folder and the initial adapter folder (adapter_config.json + adapter_model.safetensors
in PEFT's layout, as mhub wrote them).

argv: spec.json -> {"base", "adapter", "task", "lr", "wd", "warmup", "steps", "updates": [[job..]..],
                    "out": OUT.safetensors}; prints {"losses": [...]}, writes the final adapter tensors.
"""
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "models", "oracle"))
import train_grad_oracle as g  # noqa: E402


def main():
    spec = json.load(open(sys.argv[1]))
    cfg = json.load(open(spec["base"] + "/config.json"))
    acfg = json.load(open(spec["adapter"] + "/adapter_config.json"))
    base = {k: v.detach() for k, v in g.read_safetensors(spec["base"] + "/model.safetensors").items()}
    adapter = g.read_safetensors(spec["adapter"] + "/adapter_model.safetensors")
    r, alpha = acfg["r"], acfg["lora_alpha"]
    scaling = alpha / math.sqrt(r) if acfg.get("use_rslora") else alpha / r
    prefix = "base_model.model."
    targets, saved = [], {}
    for name in adapter:
        rest = name[len(prefix):]
        if rest.endswith(".lora_A.weight"):
            targets.append(rest[: -len(".lora_A.weight")])
        elif not rest.endswith(".lora_B.weight"):
            saved[rest] = name
    nd = lambda n: any(k in n.lower() for k in ("bias", "layernorm", "ln_"))
    params = list(adapter.items())
    groups = [{"params": [p for n, p in params if not nd(n)], "weight_decay": spec["wd"]},
              {"params": [p for n, p in params if nd(n)], "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=spec["lr"], betas=(0.9, 0.999), eps=1e-8)
    T, W = spec["steps"], spec["warmup"]
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: float(s) / max(1, W) if s < W else max(0.0, float(T - s) / max(1, T - W)))
    loss_fn = g.bert_loss if cfg["model_type"] == "bert" else g.gpt2_loss

    def weights():
        P = dict(base)
        for path in targets:
            delta = adapter[prefix + path + ".lora_B.weight"] @ adapter[prefix + path + ".lora_A.weight"]
            if acfg.get("fan_in_fan_out"):
                delta = delta.T
            P[path + ".weight"] = base[path + ".weight"] + scaling * delta
        for rest, name in saved.items():
            P[rest] = adapter[name]
        return P

    losses = []
    for update in spec["updates"]:
        total = 0.0
        for job in update:
            loss = loss_fn(cfg, weights(), spec["task"], job)
            if "items" in job:
                loss = loss * job["items"] / job["update_items"]
            else:
                loss = loss / len(update)
            loss.backward()
            total += loss.item()
        torch.nn.utils.clip_grad_norm_([p for _, p in params], 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        losses.append(total)
    g.write_safetensors(spec["out"], dict(params))
    print(json.dumps({"losses": losses}))


if __name__ == "__main__":
    main()
