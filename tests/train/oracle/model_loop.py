"""The Trainer loop in PyTorch over the grad helper's line-by-line BERT / GPT-2 oracle
(tests/models/oracle/train_grad_oracle.py: transformers' forward and loss in plain torch ops):
torch.optim.AdamW (two groups), LambdaLR linear/cosine with warmup, clip_grad_norm_, gradient
accumulation (mean loss / GA per micro-batch, or sum / num_items_in_batch when "sum_items").

argv: spec.json -> {"model": DIR, "task", "lr", "wd", "warmup", "schedule", "steps",
                    "updates": [[job, ...], ...]}; prints {"losses": [...]}.
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
    cfg = json.load(open(spec["model"] + "/config.json"))
    P = g.read_safetensors(spec["model"] + "/model.safetensors")
    nd = lambda n: any(k in n.lower() for k in ("bias", "layernorm", "ln_"))
    groups = [{"params": [p for n, p in P.items() if not nd(n)], "weight_decay": spec["wd"]},
              {"params": [p for n, p in P.items() if nd(n)], "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=spec["lr"], betas=(0.9, 0.999), eps=1e-8)
    T, W = spec["steps"], spec["warmup"]

    def lam(s):
        if s < W:
            return float(s) / float(max(1, W))
        p = float(s - W) / float(max(1, T - W))
        if spec["schedule"] == "linear":
            return max(0.0, float(T - s) / float(max(1, T - W)))
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * p)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lam)
    loss_fn = g.bert_loss if cfg["model_type"] == "bert" else g.gpt2_loss
    losses = []
    for update in spec["updates"]:
        total = 0.0
        for job in update:
            loss = loss_fn(cfg, P, spec["task"], job)
            if "items" in job:  # loss kwargs: the mean over this micro-batch's items -> sum / update items
                loss = loss * job["items"] / job["update_items"]
            else:
                loss = loss / len(update)
            loss.backward()
            total += loss.item()
        torch.nn.utils.clip_grad_norm_(list(P.values()), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        losses.append(total)
    print(json.dumps({"losses": losses}))


if __name__ == "__main__":
    main()
