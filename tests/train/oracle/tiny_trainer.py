"""PyTorch reference of the Trainer loop over the test's TinyModel (tests/train/tiny_model.h):
torch autograd, torch.optim.AdamW with the Trainer's two groups, LambdaLR with transformers'
linear/cosine lambdas, clip_grad_norm_, batches in torch.randperm order seeded data_seed + epoch,
gradient accumulation with transformers' loss normalisation (num_items_in_batch for token mode,
per-micro-batch mean / accumulation steps otherwise).

argv: spec.json data.json init.f32 -> prints JSON {"losses": [...], "lrs": [...], "norms": [...], "final": [...]}
"""
import json
import math
import sys

import torch


def main():
    spec = json.load(open(sys.argv[1]))
    data = json.load(open(sys.argv[2]))
    flat = torch.frombuffer(bytearray(open(sys.argv[3], "rb").read()), dtype=torch.float32)
    V, H, C, tok = spec["vocab"], spec["hidden"], spec["classes"], spec["token_mode"]
    shapes = [("embeddings.weight", (V, H)), ("encoder.dense.weight", (H, H)), ("encoder.dense.bias", (H,)),
              ("classifier.weight", (C, H)), ("classifier.bias", (C,))]
    params, off = {}, 0
    for name, shp in shapes:
        n = math.prod(shp)
        params[name] = torch.nn.Parameter(flat[off:off + n].clone().reshape(shp))
        off += n
    nd = lambda n: "bias" in n.lower() or "layernorm" in n.lower()
    groups = [{"params": [p for n, p in params.items() if not nd(n)], "weight_decay": spec["wd"]},
              {"params": [p for n, p in params.items() if nd(n)], "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=spec["lr"], betas=(0.9, 0.999), eps=1e-8)
    bs, GA, N = spec["bs"], spec["ga"], len(data)
    L = (N + bs - 1) // bs
    upe = max((L + GA - 1) // GA, 1)
    T = spec["max_steps"]
    W = spec["warmup"]
    kind = spec["schedule"]

    def lam(s):
        if s < W:
            return float(s) / float(max(1, W))
        if kind == "linear":
            return max(0.0, float(T - s) / float(max(1, T - W)))
        p = float(s - W) / float(max(1, T - W))
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * p)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lam)

    def forward(rows):
        Tm = max(len(r["input_ids"]) for r in rows)
        ids = torch.zeros((len(rows), Tm), dtype=torch.long)
        mask = torch.zeros((len(rows), Tm))
        labels = torch.full((len(rows), Tm), -100, dtype=torch.long) if tok else torch.tensor([r["label"] for r in rows])
        for i, r in enumerate(rows):
            n = len(r["input_ids"])
            ids[i, :n] = torch.tensor(r["input_ids"])
            mask[i, :n] = 1
            if tok:
                labels[i, :n] = torch.tensor(r["labels"])
        e = params["embeddings.weight"][ids]
        h = torch.tanh(e @ params["encoder.dense.weight"].T + params["encoder.dense.bias"])
        if tok:
            logits = h @ params["classifier.weight"].T + params["classifier.bias"]
            return logits.reshape(-1, C), labels.reshape(-1)
        pooled = (h * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        return pooled @ params["classifier.weight"].T + params["classifier.bias"], labels

    losses, lrs, norms = [], [], []
    step = 0
    epochs = (T + upe - 1) // upe
    for ep in range(epochs):
        g = torch.Generator()
        g.manual_seed(spec["data_seed"] + ep)
        order = torch.randperm(N, generator=g).tolist()
        batches = [[data[i] for i in order[k * bs:(k + 1) * bs]] for k in range(L)]
        for u in range(L // GA + (L % GA > 0)):
            if step >= T:
                break
            mbs = batches[u * GA:(u + 1) * GA]
            items = 0
            if tok:
                items = sum(sum(1 for l in r["labels"] if l != -100) for b in mbs for r in b)
            total = 0.0
            for b in mbs:
                logits, labels = forward(b)
                if tok:
                    loss = torch.nn.functional.cross_entropy(logits, labels, ignore_index=-100, reduction="sum") / items
                else:
                    loss = torch.nn.functional.cross_entropy(logits, labels) / len(mbs)
                loss.backward()
                total += loss.item()
            norms.append(float(torch.nn.utils.clip_grad_norm_(list(params.values()), spec["max_grad_norm"])))
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
            opt.zero_grad()
            losses.append(total)
            step += 1
    final = torch.cat([p.detach().reshape(-1) for p in params.values()]).tolist()
    print(json.dumps({"losses": losses, "lrs": lrs, "norms": norms, "final": final}))


if __name__ == "__main__":
    main()
