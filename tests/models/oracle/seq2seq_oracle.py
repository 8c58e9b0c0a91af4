#!/usr/bin/python3
"""PyTorch reference for mhub's encoder-decoder models and beam search (tests/models/models_seq2seq_test).

Mirrors transformers' modeling_t5.py (T5Attention with relative position buckets, T5LayerNorm,
T5DenseActDense / T5DenseGatedActDense, the tied-head rescaling) and modeling_bart.py /
modeling_marian.py (post-LN layers, learned positions at offset 2 + layernorm_embedding, or
sinusoidal positions; final_logits_bias) in plain torch ops (nn.functional, no transformers: it is
not installed here), loading the weights mhub saved (models_reference.read_checkpoint).

Generation follows transformers' generate(): greedy search, and beam search as BeamSearchScorer /
BeamHypotheses (generation/beam_search.py, with decoder_prompt_len) and the beam loop of
generation/utils.py: log_softmax -> logits processors (NoRepeatNGram, bad words, MinLength,
ForcedBOS, ForcedEOS) -> + beam scores -> topk(max(2, 1 + n_eos) * num_beams). Every step
recomputes the whole decoder (no cache), so the cache of the C++ side is checked too.

Usage: seq2seq_oracle.py JOBS.json OUT.json
  {"kind": "forward", "model": DIR, "input_ids": [[..]], "attention_mask": [[..]], "decoder_input_ids": [[..]]}
     -> {"encoder_last_hidden_state", "decoder_hidden", "logits"} as {"shape", "values"}
  {"kind": "generate", "model": DIR, "input_ids": [[..]], "attention_mask": [[..]]?, "options": {...}}
     -> {"sequences": [[..]], "scores": [..]}   (encoder-decoder, or decoder-only for gpt2/llama dirs)
  options: num_beams, max_length, min_length, length_penalty, early_stopping (true/false/"never"),
           num_return_sequences, no_repeat_ngram_size, eos_token_id (list), pad_token_id,
           decoder_start_token_id, forced_bos_token_id, forced_eos_token_id, bad_token_ids
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "clients"))
import models_reference as ref  # noqa: E402  (read_checkpoint, decoder-only models)


def act_fn(name):
    return {"relu": F.relu, "gelu": F.gelu, "gelu_new": lambda x: F.gelu(x, approximate="tanh"),
            "silu": F.silu, "swish": F.silu}[name]


# -------------------------------------------------------------------------------------------- T5
def t5_bucket(rel, bidirectional, num_buckets, max_distance):
    """T5Attention._relative_position_bucket."""
    buckets = torch.zeros_like(rel)
    if bidirectional:
        num_buckets //= 2
        buckets += (rel > 0).long() * num_buckets
        rel = torch.abs(rel)
    else:
        rel = -torch.min(rel, torch.zeros_like(rel))
    max_exact = num_buckets // 2
    is_small = rel < max_exact
    large = max_exact + (torch.log(rel.float() / max_exact) / math.log(max_distance / max_exact)
                         * (num_buckets - max_exact)).long()
    large = torch.min(large, torch.full_like(large, num_buckets - 1))
    return buckets + torch.where(is_small, rel, large)


class T5:
    def __init__(self, cfg, w):
        self.cfg, self.w = cfg, w
        self.d = cfg.get("d_model", 512)
        self.h = cfg.get("num_heads", 8)
        self.dkv = cfg.get("d_kv", 64)
        self.eps = cfg.get("layer_norm_epsilon", 1e-6)
        self.nb = cfg.get("relative_attention_num_buckets", 32)
        self.md = cfg.get("relative_attention_max_distance", 128)
        proj = cfg.get("feed_forward_proj", "relu")
        self.gated = proj.startswith("gated-")
        act = proj.split("-")[-1]
        self.act = act_fn("gelu_new" if proj == "gated-gelu" else act)
        self.n_enc = cfg.get("num_layers", 6)
        self.n_dec = cfg.get("num_decoder_layers") or self.n_enc
        self.tied = cfg.get("tie_word_embeddings", True)

    def norm(self, x, name):
        var = x.pow(2).mean(-1, keepdim=True)
        return self.w[name] * (x * torch.rsqrt(var + self.eps))

    def lin(self, x, name):
        return x @ self.w[name + ".weight"].t()

    def bias(self, prefix, q_len, k_len, bidirectional):
        ctx = torch.arange(q_len)[:, None]
        mem = torch.arange(k_len)[None, :]
        b = t5_bucket(mem - ctx, bidirectional, self.nb, self.md)
        table = self.w[prefix + ".block.0.layer.0.SelfAttention.relative_attention_bias.weight"]
        return table[b].permute(2, 0, 1).unsqueeze(0)  # (1, H, q, k)

    def attn(self, x, kv, name, pos_bias):
        B, T, _ = x.shape
        q = self.lin(x, name + ".q").view(B, T, self.h, self.dkv).transpose(1, 2)
        k = self.lin(kv, name + ".k").view(B, kv.shape[1], self.h, self.dkv).transpose(1, 2)
        v = self.lin(kv, name + ".v").view(B, kv.shape[1], self.h, self.dkv).transpose(1, 2)
        scores = q @ k.transpose(-1, -2) + pos_bias  # no 1/sqrt(d): folded into T5's init
        p = F.softmax(scores.float(), dim=-1)
        return self.lin((p @ v).transpose(1, 2).reshape(B, T, -1), name + ".o")

    def ffn(self, x, p):
        if self.gated:
            hdn = self.act(self.lin(x, p + ".DenseReluDense.wi_0")) * self.lin(x, p + ".DenseReluDense.wi_1")
        else:
            hdn = self.act(self.lin(x, p + ".DenseReluDense.wi"))
        return self.lin(hdn, p + ".DenseReluDense.wo")

    def encode(self, ids, mask):
        h = self.w["shared.weight"][ids]
        T = ids.shape[1]
        ext = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        pb = self.bias("encoder", T, T, True) + ext
        for i in range(self.n_enc):
            p = f"encoder.block.{i}.layer"
            x = self.norm(h, p + ".0.layer_norm.weight")
            h = h + self.attn(x, x, p + ".0.SelfAttention", pb)
            h = h + self.ffn(self.norm(h, p + ".1.layer_norm.weight"), p + ".1")
        return self.norm(h, "encoder.final_layer_norm.weight")

    def decode(self, dec_ids, enc, mask):
        h = self.w["shared.weight"][dec_ids]
        T = dec_ids.shape[1]
        causal = torch.triu(torch.full((T, T), torch.finfo(torch.float32).min), 1)
        pb = self.bias("decoder", T, T, False) + causal
        cross = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for i in range(self.n_dec):
            p = f"decoder.block.{i}.layer"
            x = self.norm(h, p + ".0.layer_norm.weight")
            h = h + self.attn(x, x, p + ".0.SelfAttention", pb)
            h = h + self.attn(self.norm(h, p + ".1.layer_norm.weight"), enc, p + ".1.EncDecAttention", cross)
            h = h + self.ffn(self.norm(h, p + ".2.layer_norm.weight"), p + ".2")
        return self.norm(h, "decoder.final_layer_norm.weight")

    def head(self, h):
        if self.tied:
            return (h * self.d ** -0.5) @ self.w["shared.weight"].t()
        return h @ self.w["lm_head.weight"].t()


# ---------------------------------------------------------------------------------- BART, Marian
def sinusoidal(n_pos, dim):
    """MarianSinusoidalPositionalEmbedding._init_weight."""
    import numpy as np
    enc = np.array([[pos / np.power(10000, 2 * (j // 2) / dim) for j in range(dim)] for pos in range(n_pos)])
    out = torch.zeros(n_pos, dim)
    sentinel = dim // 2 if dim % 2 == 0 else (dim // 2) + 1
    out[:, 0:sentinel] = torch.FloatTensor(np.sin(enc[:, 0::2]))
    out[:, sentinel:] = torch.FloatTensor(np.cos(enc[:, 1::2]))
    return out


class Bart:
    def __init__(self, cfg, w):
        self.cfg, self.w = cfg, w
        self.marian = cfg["model_type"] == "marian"
        self.d = cfg.get("d_model", 1024)
        self.scale = math.sqrt(self.d) if cfg.get("scale_embedding", False) else 1.0
        self.act = act_fn(cfg.get("activation_function", "gelu"))
        self.heads = {"encoder": cfg.get("encoder_attention_heads", 16), "decoder": cfg.get("decoder_attention_heads", 16)}
        self.layers = {"encoder": cfg.get("encoder_layers", 12), "decoder": cfg.get("decoder_layers", 12)}
        if self.marian:
            self.sin = sinusoidal(cfg.get("max_position_embeddings", 1024), self.d)

    def lin(self, x, name):
        return F.linear(x, self.w[name + ".weight"], self.w[name + ".bias"])

    def ln(self, x, name):
        return F.layer_norm(x, (self.d,), self.w[name + ".weight"], self.w[name + ".bias"], 1e-5)

    def embed(self, stack, ids):
        T = ids.shape[1]
        h = self.w["model.shared.weight"][ids] * self.scale
        if self.marian:
            return h + self.sin[:T]
        h = h + self.w[f"model.{stack}.embed_positions.weight"][torch.arange(T) + 2]
        return self.ln(h, f"model.{stack}.layernorm_embedding")

    def attn(self, x, kv, name, heads, bias):
        B, T, _ = x.shape
        hd = self.d // heads
        q = (self.lin(x, name + ".q_proj") * hd ** -0.5).view(B, T, heads, hd).transpose(1, 2)
        k = self.lin(kv, name + ".k_proj").view(B, kv.shape[1], heads, hd).transpose(1, 2)
        v = self.lin(kv, name + ".v_proj").view(B, kv.shape[1], heads, hd).transpose(1, 2)
        p = F.softmax(q @ k.transpose(-1, -2) + bias, dim=-1)
        return self.lin((p @ v).transpose(1, 2).reshape(B, T, self.d), name + ".out_proj")

    def encode(self, ids, mask):
        h = self.embed("encoder", ids)
        bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for i in range(self.layers["encoder"]):
            p = f"model.encoder.layers.{i}"
            h = self.ln(h + self.attn(h, h, p + ".self_attn", self.heads["encoder"], bias), p + ".self_attn_layer_norm")
            h = self.ln(h + self.lin(self.act(self.lin(h, p + ".fc1")), p + ".fc2"), p + ".final_layer_norm")
        return h

    def decode(self, dec_ids, enc, mask):
        h = self.embed("decoder", dec_ids)
        T = dec_ids.shape[1]
        causal = torch.triu(torch.full((T, T), torch.finfo(torch.float32).min), 1)
        cross = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        H = self.heads["decoder"]
        for i in range(self.layers["decoder"]):
            p = f"model.decoder.layers.{i}"
            h = self.ln(h + self.attn(h, h, p + ".self_attn", H, causal), p + ".self_attn_layer_norm")
            h = self.ln(h + self.attn(h, enc, p + ".encoder_attn", H, cross), p + ".encoder_attn_layer_norm")
            h = self.ln(h + self.lin(self.act(self.lin(h, p + ".fc1")), p + ".fc2"), p + ".final_layer_norm")
        return h

    def head(self, h):
        w = self.w.get("lm_head.weight", self.w["model.shared.weight"])
        return h @ w.t() + self.w["final_logits_bias"]


_models = {}


def load(folder):
    if folder not in _models:
        _models[folder] = load_uncached(folder)
    return _models[folder]


def load_uncached(folder):
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    w = ref.read_checkpoint(folder)
    if cfg["model_type"] == "t5":
        return T5(cfg, w)
    if cfg["model_type"] in ("bart", "marian"):
        return Bart(cfg, w)
    return ref.load(folder, "causal-lm")  # decoder-only


# ------------------------------------------------------------------------------------ generation
def process(scores, seqs, o):
    """The logits processors on (rows, V) scores; seqs (rows, cur_len) ids so far."""
    cur_len = seqs.shape[1]
    n = o.get("no_repeat_ngram_size", 0)
    if n > 0 and cur_len + 1 >= n:  # NoRepeatNGramLogitsProcessor
        for r in range(seqs.shape[0]):
            toks = seqs[r].tolist()
            grams = {}
            for s in range(len(toks) - n + 1):
                grams.setdefault(tuple(toks[s:s + n - 1]), []).append(toks[s + n - 1])
            for t in grams.get(tuple(toks[cur_len + 1 - n:cur_len]), []):
                scores[r, t] = -float("inf")
    for t in o.get("bad_token_ids", []):
        scores[:, t] = -float("inf")
    if cur_len < o.get("min_length", 0):
        for e in o["eos_token_id"]:
            scores[:, e] = -float("inf")
    if o.get("forced_bos_token_id") is not None and cur_len == 1:
        scores[:, :] = -float("inf")
        scores[:, o["forced_bos_token_id"]] = 0
    if o.get("forced_eos_token_id") is not None and cur_len == o["max_length"] - 1:
        scores[:, :] = -float("inf")
        scores[:, o["forced_eos_token_id"]] = 0
    return scores


class Hyps:
    """BeamHypotheses."""

    def __init__(self, o):
        self.o, self.beams, self.worst = o, [], 1e9

    def add(self, hyp, sum_logprobs, generated_len):
        score = sum_logprobs / (generated_len ** self.o.get("length_penalty", 1.0))
        if len(self.beams) < self.o["num_beams"] or score > self.worst:
            self.beams.append((score, hyp))
            if len(self.beams) > self.o["num_beams"]:
                ranked = sorted([(s, i) for i, (s, _) in enumerate(self.beams)])
                del self.beams[ranked[0][1]]
                self.worst = ranked[1][0]
            else:
                self.worst = min(score, self.worst)

    def is_done(self, best_sum_logprobs, cur_len, prompt_len):
        o = self.o
        if len(self.beams) < o["num_beams"]:
            return False
        es, lp = o.get("early_stopping", False), o.get("length_penalty", 1.0)
        if es is True:
            return True
        if es == "never" and lp > 0.0:
            highest = best_sum_logprobs / (o["max_length"] - prompt_len) ** lp
        else:
            highest = best_sum_logprobs / (cur_len - prompt_len) ** lp
        return self.worst >= highest


def generate(model, ids, mask, o, make_stepper=None):
    """make_stepper(model, enc, mask, o) -> fn(seqs, rows_src, reorder) giving the next logits with
    a cache (reorder: the rows the new ones continue, None at the first step); default: recompute."""
    seq2seq = isinstance(model, (T5, Bart))
    if seq2seq:
        enc = model.encode(ids, mask)
        prompts = torch.full((ids.shape[0], 1), o["decoder_start_token_id"], dtype=torch.long)
    else:
        prompts = ids

    def recompute(seqs, rows_src, reorder):
        if seq2seq:
            e, m = enc[rows_src], mask[rows_src]
            return model.head(model.decode(seqs, e, m))[:, -1, :]
        return model.forward(seqs, torch.ones_like(seqs), None, None)["logits"][:, -1, :]

    logits_of = make_stepper(model, enc, mask, o) if make_stepper else recompute

    eos = o["eos_token_id"]
    pad = o.get("pad_token_id")
    K = o.get("num_beams", 1)
    B = prompts.shape[0]
    if K == 1:  # greedy search
        seqs = prompts.clone()
        unfinished = torch.ones(B, dtype=torch.bool)
        if pad is None:
            pad = eos[0]
        while seqs.shape[1] < o["max_length"]:
            scores = process(logits_of(seqs, torch.arange(B), None), seqs, o)
            nxt = scores.argmax(-1)
            nxt = torch.where(unfinished, nxt, torch.full_like(nxt, pad))
            seqs = torch.cat([seqs, nxt[:, None]], -1)
            unfinished &= ~torch.tensor([int(t) in eos for t in nxt])
            if not unfinished.any():
                break
        return {"sequences": seqs.tolist(), "scores": []}

    prompt_len = prompts.shape[1]
    seqs = prompts.repeat_interleave(K, 0)
    src = torch.arange(B).repeat_interleave(K)
    beam_scores = torch.zeros(B, K)
    beam_scores[:, 1:] = -1e9
    beam_scores = beam_scores.view(-1)
    hyps = [Hyps(o) for _ in range(B)]
    done = [False] * B
    reorder = None
    while True:
        logits = logits_of(seqs, src, reorder)
        scores = process(F.log_softmax(logits, dim=-1), seqs, o)
        scores = scores + beam_scores[:, None]
        V = scores.shape[-1]
        scores = scores.view(B, K * V)
        top, idx = torch.topk(scores, max(2, 1 + len(eos)) * K, dim=1, largest=True, sorted=True)
        beam, tok = idx // V, idx % V
        cur_len = seqs.shape[1] + 1
        n_scores = torch.zeros(B, K)
        n_tokens = torch.zeros(B, K, dtype=torch.long)
        n_rows = torch.zeros(B, K, dtype=torch.long)
        for b in range(B):
            if done[b]:
                n_tokens[b, :] = pad
                n_rows[b, :] = b * K
                continue
            filled = 0
            for rank in range(top.shape[1]):
                row = b * K + int(beam[b, rank])
                if int(tok[b, rank]) in eos:
                    if rank >= K:
                        continue
                    hyps[b].add(seqs[row].clone(), top[b, rank].item(), cur_len - prompt_len)
                else:
                    n_scores[b, filled] = top[b, rank]
                    n_tokens[b, filled] = tok[b, rank]
                    n_rows[b, filled] = row
                    filled += 1
                if filled == K:
                    break
            done[b] = done[b] or hyps[b].is_done(top[b].max().item(), cur_len, prompt_len)
        n_rows = n_rows.view(-1)
        reorder = n_rows
        seqs = torch.cat([seqs[n_rows], n_tokens.view(-1, 1)], -1)
        src = src[n_rows]
        beam_scores = n_scores.view(-1)
        if all(done) or seqs.shape[1] >= o["max_length"]:
            break
    best, best_scores = [], []
    for b in range(B):
        if not done[b]:
            for k in range(K):
                r = b * K + k
                hyps[b].add(seqs[r], beam_scores[r].item(), seqs.shape[1] - prompt_len)
        ranked = sorted(hyps[b].beams, key=lambda x: x[0])
        for _ in range(o.get("num_return_sequences", 1)):
            s, h = ranked.pop()
            best.append(h.tolist())
            best_scores.append(s)
    width = min(max(len(h) for h in best) + 1, o["max_length"])
    out = []
    for h in best:
        if len(h) < width:
            h = h + [eos[0]]
        out.append(h + [pad] * (width - len(h)))
    return {"sequences": out, "scores": best_scores}


def tensor_out(t):
    return {"shape": list(t.shape), "values": t.reshape(-1).tolist()}


def run_job(job):
    model = load(job["model"])
    ids = torch.tensor(job["input_ids"], dtype=torch.long)
    mask = torch.tensor(job["attention_mask"], dtype=torch.long) if job.get("attention_mask") else torch.ones_like(ids)
    with torch.no_grad():
        if job["kind"] == "forward":
            dec = torch.tensor(job["decoder_input_ids"], dtype=torch.long)
            enc = model.encode(ids, mask)
            hid = model.decode(dec, enc, mask)
            return {"encoder_last_hidden_state": tensor_out(enc), "decoder_hidden": tensor_out(hid),
                    "logits": tensor_out(model.head(hid))}
        if job["kind"] == "generate":
            return generate(model, ids, mask, job["options"])
    raise ValueError("job kind " + job["kind"])


def main():
    torch.set_num_threads(1)
    with open(sys.argv[1]) as f:
        jobs = json.load(f)["jobs"]
    with open(sys.argv[2], "w") as f:
        json.dump({"results": [run_job(j) for j in jobs]}, f)


if __name__ == "__main__":
    main()
