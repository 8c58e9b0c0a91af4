#!/usr/bin/python3
"""PyTorch autograd oracle for mhub's trainable models (tests/models/models_train_parity_test.cpp).

Loads a model folder written by mhub's SavePretrained (config.json + model.safetensors, parsed here
with json + torch.frombuffer; transformers is not used), builds the forward of transformers'
BertFor* / GPT2LMHeadModel in eval mode (no dropout) out of plain torch ops that mirror
modeling_bert.py / modeling_gpt2.py line by line, computes the head's loss exactly as transformers
does (reference training.md section 5), and writes the loss and the gradient of every parameter.

Usage: train_grad_oracle.py JOBS.json
       train_grad_oracle.py --bench CONFIG.json BATCH SEQ STEPS   (bench/models_train_step_bench.cpp:
       a BERT sequence-classification or GPT-2 causal-LM train step (by the config's model_type),
       forward + loss + backward, on random weights;
       prints {"ms": mean ms per step after one warm-up, "cpu_ms": CPU ms per step, "peak_rss_mb": ru_maxrss})
  JOBS: {"jobs": [job, ...]} (one process for all: importing torch takes seconds), job =
       {"out": OUT.safetensors, "model": DIR, "task": TASK, "input_ids": [[..]], "attention_mask": [[..]]?,
        "token_type_ids": [[..]]?, "labels": [..]? (ints, per row or per token),
        "float_labels": [[..]]?, "start_positions": [..]?, "end_positions": [..]?,
        "label_smoothing": eps?}
  OUT: float32 tensors "__loss__" (shape [1]) and one per parameter, by its checkpoint name.
"""
import json
import math
import struct
import sys

import torch
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[8 + n + b:8 + n + e]), dtype=DTYPES[info["dtype"]])
        out[name] = t.reshape(info["shape"]).float().clone().requires_grad_(True)
    return out


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().float().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def act_fn(name):
    if name == "gelu":
        return F.gelu
    if name in ("gelu_new", "gelu_pytorch_tanh", "gelu_fast"):
        return lambda x: F.gelu(x, approximate="tanh")
    if name == "relu":
        return F.relu
    if name in ("silu", "swish"):
        return F.silu
    raise ValueError(name)


def heads_split(x, n):
    b, t, c = x.shape
    return x.view(b, t, n, c // n).transpose(1, 2)


def heads_merge(x):
    b, n, t, d = x.shape
    return x.transpose(1, 2).reshape(b, t, n * d)


def bert_loss(cfg, P, task, job):
    ids = torch.tensor(job["input_ids"])
    b, t = ids.shape
    mask = torch.tensor(job["attention_mask"]) if "attention_mask" in job else torch.ones_like(ids)
    tt = torch.tensor(job["token_type_ids"]) if "token_type_ids" in job else torch.zeros_like(ids)
    eps = cfg.get("layer_norm_eps", 1e-12)
    nh = cfg["num_attention_heads"]
    act = act_fn(cfg.get("hidden_act", "gelu"))
    hsz = cfg["hidden_size"]
    ls = job.get("label_smoothing", 0.0)
    p = lambda n: P["bert." + n]
    ln = lambda x, n, src=p: F.layer_norm(x, (x.shape[-1],), src(n + ".weight"), src(n + ".bias"), eps)
    lin = lambda x, n, src=p: F.linear(x, src(n + ".weight"), src(n + ".bias"))
    # BertEmbeddings: word (padding_idx = pad_token_id) + absolute position + token type, LN
    pos = torch.arange(t)[None].expand(b, t)
    h = (F.embedding(ids, p("embeddings.word_embeddings.weight"), padding_idx=cfg.get("pad_token_id", 0)) +
         F.embedding(pos, p("embeddings.position_embeddings.weight")) +
         F.embedding(tt, p("embeddings.token_type_embeddings.weight")))
    h = ln(h, "embeddings.LayerNorm")
    # extended attention mask: (1 - mask) * finfo.min added to the scores
    bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    for i in range(cfg["num_hidden_layers"]):
        L = "encoder.layer.%d." % i
        q = heads_split(lin(h, L + "attention.self.query"), nh)
        k = heads_split(lin(h, L + "attention.self.key"), nh)
        v = heads_split(lin(h, L + "attention.self.value"), nh)
        scores = q @ k.transpose(-1, -2) / math.sqrt(hsz // nh) + bias
        ctx = heads_merge(F.softmax(scores, dim=-1) @ v)
        h = ln(lin(ctx, L + "attention.output.dense") + h, L + "attention.output.LayerNorm")
        h = ln(lin(act(lin(h, L + "intermediate.dense")), L + "output.dense") + h, L + "output.LayerNorm")
    top = lambda n: P[n]
    if task == "sequence-classification":
        pooled = torch.tanh(lin(h[:, 0], "pooler.dense"))
        logits = lin(pooled, "classifier", top)
        nl = logits.shape[-1]
        ptype = cfg.get("problem_type")
        if ptype is None:
            if nl == 1:
                ptype = "regression"
            elif "labels" in job:
                ptype = "single_label_classification"
            else:
                ptype = "multi_label_classification"
        if ptype == "regression":
            y = torch.tensor(job["float_labels"], dtype=torch.float32)
            return F.mse_loss(logits.squeeze(), y.squeeze()) if nl == 1 else F.mse_loss(logits, y)
        if ptype == "single_label_classification":
            return F.cross_entropy(logits.view(-1, nl), torch.tensor(job["labels"]).view(-1), label_smoothing=ls)
        return F.binary_cross_entropy_with_logits(logits, torch.tensor(job["float_labels"], dtype=torch.float32))
    if task == "token-classification":
        logits = lin(h, "classifier", top)
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), torch.tensor(job["labels"]).view(-1),
                               ignore_index=-100, label_smoothing=ls)
    if task == "question-answering":
        logits = lin(h, "qa_outputs", top)
        start, end = logits[..., 0], logits[..., 1]
        ignored = start.shape[1]
        sp = torch.tensor(job["start_positions"]).clamp(0, ignored)
        ep = torch.tensor(job["end_positions"]).clamp(0, ignored)
        return (F.cross_entropy(start, sp, ignore_index=ignored) + F.cross_entropy(end, ep, ignore_index=ignored)) / 2
    if task == "masked-lm":
        x = lin(h, "cls.predictions.transform.dense", top)
        x = F.layer_norm(act(x), (hsz,), P["cls.predictions.transform.LayerNorm.weight"],
                         P["cls.predictions.transform.LayerNorm.bias"], eps)
        logits = F.linear(x, p("embeddings.word_embeddings.weight"), P["cls.predictions.bias"])
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), torch.tensor(job["labels"]).view(-1),
                               ignore_index=-100, label_smoothing=ls)
    raise ValueError(task)


def gpt2_loss(cfg, P, task, job):
    ids = torch.tensor(job["input_ids"])
    b, t = ids.shape
    mask = torch.tensor(job["attention_mask"]) if "attention_mask" in job else torch.ones_like(ids)
    eps = cfg.get("layer_norm_epsilon", 1e-5)
    nh = cfg.get("n_head", 12)
    act = act_fn(cfg.get("activation_function", "gelu_new"))
    p = lambda n: P["transformer." + n]
    ln = lambda x, n: F.layer_norm(x, (x.shape[-1],), p(n + ".weight"), p(n + ".bias"), eps)
    conv1d = lambda x, n: x @ p(n + ".weight") + p(n + ".bias")  # Conv1D: weight (in, out)
    wte = p("wte.weight")
    h = F.embedding(ids, wte) + F.embedding(torch.arange(t)[None].expand(b, t), p("wpe.weight"))
    n = h.shape[-1]
    causal = torch.ones(t, t, dtype=torch.bool).tril()
    pad_bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    for i in range(cfg.get("n_layer", 12)):
        L = "h.%d." % i
        q, k, v = conv1d(ln(h, L + "ln_1"), L + "attn.c_attn").split(n, dim=-1)
        q, k, v = heads_split(q, nh), heads_split(k, nh), heads_split(v, nh)
        scores = q @ k.transpose(-1, -2) / math.sqrt(n // nh)
        scores = torch.where(causal, scores, torch.tensor(torch.finfo(torch.float32).min)) + pad_bias
        h = h + conv1d(heads_merge(F.softmax(scores, dim=-1) @ v), L + "attn.c_proj")
        h = h + conv1d(act(conv1d(ln(h, L + "ln_2"), L + "mlp.c_fc")), L + "mlp.c_proj")
    logits = F.linear(ln(h, "ln_f"), wte)
    # ForCausalLMLoss: labels padded with one -100 on the right and shifted by one
    labels = F.pad(torch.tensor(job["labels"]), (0, 1), value=-100)[..., 1:]
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100,
                           label_smoothing=job.get("label_smoothing", 0.0))


def run(job):
    with open(job["model"] + "/config.json") as f:
        cfg = json.load(f)
    P = read_safetensors(job["model"] + "/model.safetensors")
    torch.manual_seed(0)
    if cfg["model_type"] == "bert":
        loss = bert_loss(cfg, P, job["task"], job)
    elif cfg["model_type"] == "gpt2":
        loss = gpt2_loss(cfg, P, job["task"], job)
    else:
        raise ValueError(cfg["model_type"])
    loss.backward()
    out = {"__loss__": loss.detach().reshape(1)}
    for name, t in P.items():
        out[name] = t.grad if t.grad is not None else torch.zeros_like(t)
    write_safetensors(job["out"], out)


def bench(config_path, batch, seq, steps):
    import resource
    import time
    with open(config_path) as f:
        cfg = json.load(f)
    torch.manual_seed(0)
    if cfg["model_type"] == "gpt2":
        c, v, n = cfg["n_embd"], cfg["vocab_size"], cfg.get("n_inner") or 4 * cfg["n_embd"]
        shapes = {"wte.weight": (v, c), "wpe.weight": (cfg["n_positions"], c), "ln_f.weight": (c,), "ln_f.bias": (c,)}
        for layer in range(cfg["n_layer"]):
            L = "h.%d." % layer
            for name, (fi, fo) in (("attn.c_attn", (c, 3 * c)), ("attn.c_proj", (c, c)), ("mlp.c_fc", (c, n)),
                                   ("mlp.c_proj", (n, c))):
                shapes[L + name + ".weight"], shapes[L + name + ".bias"] = (fi, fo), (fo,)
            for name in ("ln_1", "ln_2"):
                shapes[L + name + ".weight"], shapes[L + name + ".bias"] = (c,), (c,)
        P = {"transformer." + n: (torch.randn(s) * 0.02).requires_grad_(True) for n, s in shapes.items()}
        ids = torch.randint(0, v, (batch, seq)).tolist()
        job = {"input_ids": ids, "labels": ids}
        loss_fn = lambda: gpt2_loss(cfg, P, "causal-lm", job)
    else:
        h, i, v = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
        shapes = {"embeddings.word_embeddings.weight": (v, h),
                  "embeddings.position_embeddings.weight": (cfg["max_position_embeddings"], h),
                  "embeddings.token_type_embeddings.weight": (cfg["type_vocab_size"], h),
                  "embeddings.LayerNorm.weight": (h,), "embeddings.LayerNorm.bias": (h,),
                  "pooler.dense.weight": (h, h), "pooler.dense.bias": (h,)}
        for layer in range(cfg["num_hidden_layers"]):
            L = "encoder.layer.%d." % layer
            for n in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"):
                shapes[L + n + ".weight"], shapes[L + n + ".bias"] = (h, h), (h,)
            shapes[L + "intermediate.dense.weight"], shapes[L + "intermediate.dense.bias"] = (i, h), (i,)
            shapes[L + "output.dense.weight"], shapes[L + "output.dense.bias"] = (h, i), (h,)
            for n in ("attention.output.LayerNorm", "output.LayerNorm"):
                shapes[L + n + ".weight"], shapes[L + n + ".bias"] = (h,), (h,)
        P = {"bert." + n: (torch.randn(s) * 0.02).requires_grad_(True) for n, s in shapes.items()}
        P["classifier.weight"] = (torch.randn(2, h) * 0.02).requires_grad_(True)
        P["classifier.bias"] = torch.zeros(2).requires_grad_(True)
        job = {"input_ids": torch.randint(1, v, (batch, seq)).tolist(),
               "labels": torch.randint(0, 2, (batch,)).tolist()}
        loss_fn = lambda: bert_loss(cfg, P, "sequence-classification", job)
    times, cpu = [], 0.0
    for step in range(steps + 1):
        t0 = time.perf_counter()
        c0 = resource.getrusage(resource.RUSAGE_SELF)
        for t in P.values():
            t.grad = None
        loss_fn().backward()
        times.append(time.perf_counter() - t0)
        c1 = resource.getrusage(resource.RUSAGE_SELF)
        if step > 0:
            cpu += (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"ms": 1000.0 * sum(times[1:]) / steps, "cpu_ms": 1000.0 * cpu / steps, "peak_rss_mb": rss,
                      "threads": torch.get_num_threads()}))


def main():
    if sys.argv[1] == "--bench":
        bench(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
        return
    with open(sys.argv[1]) as f:
        jobs = json.load(f)["jobs"]
    for job in jobs:
        run(job)


if __name__ == "__main__":
    main()
