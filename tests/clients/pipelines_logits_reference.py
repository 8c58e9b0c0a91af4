#!/usr/bin/env python3
"""Reference logits processing in PyTorch, written from transformers' logits_process.py semantics
(RepetitionPenalty, NoRepeatNGram, Temperature, TopK, TopP, MinP in _get_logits_processor's order).
Reads JSON lines {"logits": [...], "context": [...], "params": {...}} on stdin and prints the
processed logits (with -inf as null) one JSON line each."""
import json
import sys

import torch


def no_repeat_ngram_banned(context, n):
    if n <= 0 or len(context) + 1 < n:
        return []
    ngrams = {}
    for i in range(len(context) - n + 1):
        gram = tuple(context[i:i + n])
        ngrams.setdefault(gram[:-1], []).append(gram[-1])
    prefix = tuple(context[len(context) - n + 1:])
    return ngrams.get(prefix, [])


def process(logits, context, p):
    scores = torch.tensor([logits], dtype=torch.float32)
    ids = torch.tensor([context], dtype=torch.long)
    rp = p.get("repetition_penalty", 1.0)
    if rp != 1.0 and len(context) > 0:
        score = torch.gather(scores, 1, ids)
        score = torch.where(score < 0, score * rp, score / rp)
        scores.scatter_(1, ids, score)
    n = p.get("no_repeat_ngram_size", 0)
    for b in no_repeat_ngram_banned(context, n):
        scores[0, b] = -float("inf")
    if not p.get("do_sample", False):
        return scores[0]
    keep = p.get("min_tokens_to_keep", 1)
    t = p.get("temperature", 1.0)
    if t != 1.0:
        scores = scores / t
    k = p.get("top_k", 50)
    if k and k > 0:
        k = min(max(k, keep), scores.size(-1))
        remove = scores < torch.topk(scores, k)[0][..., -1, None]
        scores = scores.masked_fill(remove, -float("inf"))
    top_p = p.get("top_p", 1.0)
    if top_p < 1.0:
        sorted_logits, sorted_indices = torch.sort(scores, descending=False)
        cum = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
        sorted_remove = cum <= (1 - top_p)
        sorted_remove[..., -keep:] = 0
        remove = sorted_remove.scatter(1, sorted_indices, sorted_remove)
        scores = scores.masked_fill(remove, -float("inf"))
    min_p = p.get("min_p", 0.0)
    if min_p > 0:
        probs = torch.softmax(scores, dim=-1)
        top = probs.amax(dim=-1, keepdim=True)
        remove = probs < min_p * top
        sorted_indices = torch.argsort(scores, descending=True, dim=-1)
        sorted_remove = torch.gather(remove, dim=-1, index=sorted_indices)
        sorted_remove[..., :keep] = False
        remove = sorted_remove.scatter(1, sorted_indices, sorted_remove)
        scores = scores.masked_fill(remove, -float("inf"))
    return scores[0]


for line in sys.stdin:
    if not line.strip():
        continue
    req = json.loads(line)
    out = process(req["logits"], req["context"], req["params"])
    print(json.dumps([None if v == -float("inf") else float(v) for v in out.tolist()]))
