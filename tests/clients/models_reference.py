#!/usr/bin/python3
"""PyTorch reference for mhub's models (the outside oracle of tests/models/).

Builds BERT / RoBERTa / DistilBERT / GPT-2 / Llama / Mistral / Qwen2 and their heads from
PyTorch's own modules and functions (nn.Embedding, nn.LayerNorm, nn.Linear, F.softmax attention,
F.gelu, F.silu; RMSNorm and rotary written in a few lines of torch; GPT-2 Conv1D as x @ W + b),
loads them with the weights of a model folder (config.json + model.safetensors or shards with
model.safetensors.index.json, parsed here with json + torch.frombuffer, no transformers), and runs
jobs given as JSON.

Usage: models_reference.py JOBS.json OUT.json
  JOBS.json: {"jobs": [job, ...]} with job one of
    {"kind": "forward", "model": DIR, "task": TASK, "input_ids": [[..]], "attention_mask": [[..]]?,
     "token_type_ids": [[..]]?, "position_ids": [[..]]?, "generate_position_ids": true?}
    ("generate_position_ids": position ids as transformers' generate() derives them from the
     attention mask, cumsum(mask) - 1 with 1 at padding; without it and without "position_ids", a
     decoder's forward uses 0..T-1 over the padded row, as transformers' forward does)
    {"kind": "generate", "model": DIR, "input_ids": [[..]], "steps": N}  (greedy, no KV cache,
     full recompute each step; batch of one row)
  TASK: base | sequence-classification | token-classification | masked-lm | question-answering |
        causal-lm
  OUT.json: {"results": [{name: {"shape": [..], "values": [..]}} or {"tokens": [..]}, ...]}

Computation is float32 throughout; bf16/f16 weights are widened to float32 (the test allows the
rounding of mhub's bf16 matmuls).
"""
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16, "F64": torch.float64,
          "I64": torch.int64, "I32": torch.int32, "U8": torch.uint8, "I8": torch.int8, "BOOL": torch.bool}


# ----------------------------------------------------------------------------------- safetensors
def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        if e == b:
            t = torch.zeros(info["shape"], dtype=dtype)
        else:
            t = torch.frombuffer(bytearray(data[base + b:base + e]), dtype=dtype).reshape(info["shape"])
        out[name] = t.float() if t.is_floating_point() else t
    return out


def read_checkpoint(folder):
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            weight_map = json.load(f)["weight_map"]
        tensors = {}
        for shard in sorted(set(weight_map.values())):
            tensors.update(read_safetensors(os.path.join(folder, shard)))
        return tensors
    return read_safetensors(os.path.join(folder, "model.safetensors"))


class Weights:
    """Name lookup over a checkpoint accepting the variants real files use."""

    def __init__(self, tensors, prefix):
        self.t = tensors
        self.prefix = prefix

    def get(self, name, optional=False):
        for cand in (self.prefix + name, name):
            if cand in self.t:
                return self.t[cand]
            for a, b in ((".weight", ".gamma"), (".bias", ".beta")):
                if cand.endswith(a) and cand[:-len(a)] + b in self.t:
                    return self.t[cand[:-len(a)] + b]
        if optional:
            return None
        raise KeyError(name)


class Int8Linear:
    """Dynamic int8 quantization as CTranslate2 describes it (and mhub's LinearOptions I8): weights
    quantized once per output row with scale max|w|/127, activations per row on each call, round to
    nearest even, integer sums (exact here in float64), then dequantized and the bias added."""

    def __init__(self, weight, bias):
        w = weight.float()
        amax = w.abs().amax(dim=1, keepdim=True)
        inv = torch.where(amax > 0, 127.0 / amax, torch.zeros_like(amax))
        self.wq = torch.round(w * inv).double()
        self.sw = (amax / 127.0).squeeze(1)
        self.bias = None if bias is None else bias.float()

    def __call__(self, x):
        x = x.float()
        amax = x.abs().amax(dim=-1, keepdim=True)
        inv = torch.where(amax > 0, 127.0 / amax, torch.zeros_like(amax))
        xq = torch.round(x * inv).double()
        y = ((xq @ self.wq.T) * (amax / 127.0).double() * self.sw.double()).float()
        return y if self.bias is None else y + self.bias


QUANTIZE_INT8 = False  # set while load() builds a model for a job with "quantize": "int8"


class MatMulAdd(nn.Module):
    """x @ W (+ b), W used as stored (a module, so that .to(dtype) converts it like nn.Linear's)."""

    def __init__(self, weight, bias):
        super().__init__()
        self.register_buffer("weight", weight)
        self.register_buffer("bias", bias)

    def forward(self, x):
        y = x @ self.weight
        return y if self.bias is None else y + self.bias


def projection(weight, bias=None):
    """An output projection over tied word embeddings or lm_head.weight (x @ W.T + b); in int8, like
    every linear layer (torch's quantize_dynamic quantizes lm_head too)."""
    weight = weight.detach()
    if QUANTIZE_INT8:
        return Int8Linear(weight, bias)
    return MatMulAdd(weight.T, bias)


def linear(w, name, bias=True, optional=False):
    weight = w.get(name + ".weight", optional)
    if weight is None:
        return None
    b = w.get(name + ".bias", optional=True) if bias else None
    if QUANTIZE_INT8:
        return Int8Linear(weight, b)
    m = nn.Linear(weight.shape[1], weight.shape[0], bias=b is not None)
    with torch.no_grad():
        m.weight.copy_(weight)
        if b is not None:
            m.bias.copy_(b)
    return m


def layer_norm(w, name, eps):
    weight = w.get(name + ".weight")
    m = nn.LayerNorm(weight.shape[0], eps=eps)
    with torch.no_grad():
        m.weight.copy_(weight)
        m.bias.copy_(w.get(name + ".bias"))
    return m


def embedding(w, name):
    weight = w.get(name + ".weight")
    m = nn.Embedding(weight.shape[0], weight.shape[1])
    with torch.no_grad():
        m.weight.copy_(weight)
    return m


def activation(name):
    if name in ("gelu",):
        return lambda x: F.gelu(x)
    if name in ("gelu_new", "gelu_pytorch_tanh", "gelu_fast"):
        return lambda x: F.gelu(x, approximate="tanh")
    if name == "relu":
        return F.relu
    if name in ("silu", "swish"):
        return F.silu
    raise ValueError("activation " + name)


def attention(q, k, v, bias):
    """q (B,h,T,d), k/v (B,h,S,d), bias (B,1,T,S) additive. Explicit softmax attention."""
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]) + bias.to(q.dtype)
    return F.softmax(scores, dim=-1) @ v


def padding_bias(mask, t):
    """(B,S) 1/0 mask -> additive (B,1,T,S) bias with finfo.min as transformers does."""
    neg = torch.finfo(torch.float32).min
    return ((1.0 - mask[:, None, None, :].float()) * neg).expand(-1, 1, t, -1)


def causal_bias(mask, t, window=None):
    """Additive (B,1,T,S) bias: causal over the last T of S positions, padding, and with `window` the
    sliding window of transformers' Mistral/Qwen2 masks (query q sees key k when q - k < window)."""
    neg = torch.finfo(torch.float32).min
    s = mask.shape[1]
    causal = torch.ones(t, s, dtype=torch.bool).tril(diagonal=s - t)
    if window:
        q_idx = torch.arange(s - t, s)[:, None]
        k_idx = torch.arange(s)[None, :]
        causal = causal & (q_idx - k_idx < window)
    allowed = causal[None, None] & (mask[:, None, None, :] != 0)
    bias = torch.zeros(allowed.shape)
    bias.masked_fill_(~allowed, neg)
    return bias


def split_heads(x, n):
    b, t, hd = x.shape
    return x.view(b, t, n, hd // n).transpose(1, 2)


def merge_heads(x):
    b, n, t, d = x.shape
    return x.transpose(1, 2).reshape(b, t, n * d)


# ------------------------------------------------------------------------------------ encoders
class Bert:
    def __init__(self, cfg, tensors, task):
        self.cfg = cfg
        self.roberta = cfg["model_type"] in ("roberta", "xlm-roberta")
        prefix = "roberta." if self.roberta else "bert."
        w = Weights(tensors, prefix)
        eps = cfg.get("layer_norm_eps", 1e-12)
        self.word = embedding(w, "embeddings.word_embeddings")
        self.pos = embedding(w, "embeddings.position_embeddings")
        self.tok = embedding(w, "embeddings.token_type_embeddings")
        self.emb_ln = layer_norm(w, "embeddings.LayerNorm", eps)
        self.heads = cfg["num_attention_heads"]
        self.act = activation(cfg.get("hidden_act", "gelu"))
        self.layers = []
        for i in range(cfg["num_hidden_layers"]):
            p = "encoder.layer.%d." % i
            self.layers.append(dict(
                q=linear(w, p + "attention.self.query"), k=linear(w, p + "attention.self.key"),
                v=linear(w, p + "attention.self.value"), o=linear(w, p + "attention.output.dense"),
                ln1=layer_norm(w, p + "attention.output.LayerNorm", eps),
                i=linear(w, p + "intermediate.dense"), out=linear(w, p + "output.dense"),
                ln2=layer_norm(w, p + "output.LayerNorm", eps)))
        self.pooler = linear(w, "pooler.dense", optional=True)
        self.task = task
        if task == "sequence-classification":
            if self.roberta:
                self.cls_dense = linear(w, "classifier.dense")
                self.cls_out = linear(w, "classifier.out_proj")
            else:
                self.classifier = linear(w, "classifier")
        elif task == "token-classification":
            self.classifier = linear(w, "classifier")
        elif task == "question-answering":
            self.qa = linear(w, "qa_outputs")
        elif task == "masked-lm":
            if self.roberta:
                self.mlm_dense = linear(w, "lm_head.dense")
                self.mlm_ln = layer_norm(w, "lm_head.layer_norm", eps)
                self.mlm_bias = w.get("lm_head.bias")
                self.mlm_act = activation("gelu")
            else:
                self.mlm_dense = linear(w, "cls.predictions.transform.dense")
                self.mlm_ln = layer_norm(w, "cls.predictions.transform.LayerNorm", eps)
                self.mlm_bias = w.get("cls.predictions.bias")
                self.mlm_act = self.act
            self.mlm_decoder = projection(self.word.weight, self.mlm_bias)

    def forward(self, ids, mask, tt, pos):
        b, t = ids.shape
        if pos is None:
            if self.roberta:
                pad = self.cfg.get("pad_token_id", 1)
                m = (ids != pad).long()
                pos = torch.cumsum(m, dim=1) * m + pad
            else:
                pos = torch.arange(t)[None].expand(b, t)
        if tt is None:
            tt = torch.zeros_like(ids)
        h = self.emb_ln(self.word(ids) + self.pos(pos) + self.tok(tt))
        bias = padding_bias(mask, t)
        for L in self.layers:
            ctx = merge_heads(attention(split_heads(L["q"](h), self.heads), split_heads(L["k"](h), self.heads),
                                        split_heads(L["v"](h), self.heads), bias))
            h = L["ln1"](h + L["o"](ctx))
            h = L["ln2"](h + L["out"](self.act(L["i"](h))))
        out = {}
        if self.task == "base":
            out["last_hidden_state"] = h
            if self.pooler is not None:
                out["pooler_output"] = torch.tanh(self.pooler(h[:, 0]))
        elif self.task == "sequence-classification":
            if self.roberta:
                out["logits"] = self.cls_out(torch.tanh(self.cls_dense(h[:, 0])))
            else:
                out["logits"] = self.classifier(torch.tanh(self.pooler(h[:, 0])))
        else:
            encoder_token_heads(self, h, out)
        return out


def encoder_token_heads(model, h, out):
    """The heads BERT and DistilBERT share, on the last hidden states h (B, T, H)."""
    if model.task == "token-classification":
        out["logits"] = model.classifier(h)
    elif model.task == "question-answering":
        lg = model.qa(h)
        out["start_logits"], out["end_logits"] = lg[..., 0], lg[..., 1]
    elif model.task == "masked-lm":
        out["logits"] = model.mlm_decoder(model.mlm_ln(model.mlm_act(model.mlm_dense(h))))


class DistilBert:
    def __init__(self, cfg, tensors, task):
        w = Weights(tensors, "distilbert.")
        eps = 1e-12
        self.word = embedding(w, "embeddings.word_embeddings")
        self.pos = embedding(w, "embeddings.position_embeddings")
        self.emb_ln = layer_norm(w, "embeddings.LayerNorm", eps)
        self.heads = cfg.get("n_heads", 12)
        self.act = activation(cfg.get("activation", "gelu"))
        self.layers = []
        for i in range(cfg.get("n_layers", 6)):
            p = "transformer.layer.%d." % i
            self.layers.append(dict(
                q=linear(w, p + "attention.q_lin"), k=linear(w, p + "attention.k_lin"),
                v=linear(w, p + "attention.v_lin"), o=linear(w, p + "attention.out_lin"),
                ln1=layer_norm(w, p + "sa_layer_norm", eps), l1=linear(w, p + "ffn.lin1"),
                l2=linear(w, p + "ffn.lin2"), ln2=layer_norm(w, p + "output_layer_norm", eps)))
        self.task = task
        if task == "sequence-classification":
            self.pre = linear(w, "pre_classifier")
            self.classifier = linear(w, "classifier")
        elif task == "token-classification":
            self.classifier = linear(w, "classifier")
        elif task == "question-answering":
            self.qa = linear(w, "qa_outputs")
        elif task == "masked-lm":
            self.mlm_dense = linear(w, "vocab_transform")
            self.mlm_act = self.act
            self.mlm_ln = layer_norm(w, "vocab_layer_norm", eps)
            self.mlm_decoder = projection(self.word.weight, w.get("vocab_projector.bias"))

    def forward(self, ids, mask, tt, pos):
        b, t = ids.shape
        if pos is None:
            pos = torch.arange(t)[None].expand(b, t)
        h = self.emb_ln(self.word(ids) + self.pos(pos))
        bias = padding_bias(mask, t)
        for L in self.layers:
            ctx = merge_heads(attention(split_heads(L["q"](h), self.heads), split_heads(L["k"](h), self.heads),
                                        split_heads(L["v"](h), self.heads), bias))
            h = L["ln1"](h + L["o"](ctx))
            h = L["ln2"](h + L["l2"](self.act(L["l1"](h))))
        out = {}
        if self.task == "base":
            out["last_hidden_state"] = h
        elif self.task == "sequence-classification":
            out["logits"] = self.classifier(F.relu(self.pre(h[:, 0])))
        else:
            encoder_token_heads(self, h, out)
        return out


# ------------------------------------------------------------------------------------ decoders
def last_non_pad(ids, pad):
    if pad is None:
        return torch.full((ids.shape[0],), ids.shape[1] - 1)
    idx = torch.arange(ids.shape[1])[None]
    return (idx * (ids != pad).long()).argmax(-1)


class Gpt2:
    def __init__(self, cfg, tensors, task):
        w = Weights(tensors, "transformer.")
        self.cfg = cfg
        eps = cfg.get("layer_norm_epsilon", 1e-5)
        self.wte = w.get("wte.weight")
        self.wpe = w.get("wpe.weight")
        self.heads = cfg.get("n_head", 12)
        self.act = activation(cfg.get("activation_function", "gelu_new"))
        self.layers = []
        for i in range(cfg.get("n_layer", 12)):
            p = "h.%d." % i
            c = lambda n: self.conv1d(w.get(p + n + ".weight"), w.get(p + n + ".bias"))
            self.layers.append(dict(
                ln1=layer_norm(w, p + "ln_1", eps), ln2=layer_norm(w, p + "ln_2", eps),
                qkv=c("attn.c_attn"), o=c("attn.c_proj"), fc=c("mlp.c_fc"), proj=c("mlp.c_proj")))
        self.ln_f = layer_norm(w, "ln_f", eps)
        self.task = task
        if task == "causal-lm":
            self.lm_head = projection(tensors.get("lm_head.weight", self.wte))
        elif task == "sequence-classification":
            self.score = linear(w, "score", bias=False)
        elif task == "token-classification":
            self.classifier = linear(w, "classifier")
        elif task == "question-answering":
            self.qa_outputs = linear(w, "qa_outputs")

    @staticmethod
    def conv1d(weight, bias):
        """GPT-2 Conv1D (weight stored (in, out)): x @ W + b, or int8 over W.T (its output rows)."""
        if QUANTIZE_INT8:
            return Int8Linear(weight.T.contiguous(), bias)
        return MatMulAdd(weight, bias)

    def forward(self, ids, mask, tt, pos, cache=None):
        """`cache`: None, or a list (one (k, v) per layer, initially empty) extended in place; `mask`
        then covers past + new positions."""
        b, t = ids.shape
        past = cache[0][0].shape[2] if cache else 0
        if pos is None:
            pos = torch.arange(past, past + t)[None].expand(b, t)
        h = self.wte[ids] + self.wpe[pos]
        bias = causal_bias(mask, t).to(h.dtype)
        n = h.shape[-1]
        for i, L in enumerate(self.layers):
            q, k, v = L["qkv"](L["ln1"](h)).split(n, dim=-1)
            k, v = split_heads(k, self.heads), split_heads(v, self.heads)
            if cache is not None:
                if len(cache) > i:
                    k = torch.cat((cache[i][0], k), dim=2)
                    v = torch.cat((cache[i][1], v), dim=2)
                    cache[i] = (k, v)
                else:
                    cache.append((k, v))
            ctx = merge_heads(attention(split_heads(q, self.heads), k, v, bias))
            h = h + L["o"](ctx)
            h = h + L["proj"](self.act(L["fc"](L["ln2"](h))))
        h = self.ln_f(h)
        return decoder_head(self, h, ids)


def decoder_head(model, h, ids):
    out = {}
    if model.task == "base":
        out["last_hidden_state"] = h
    elif model.task == "causal-lm":
        out["logits"] = model.lm_head(h)
    elif model.task == "sequence-classification":
        logits = model.score(h)
        out["logits"] = logits[torch.arange(h.shape[0]), last_non_pad(ids, model.cfg.get("pad_token_id"))]
    elif model.task == "token-classification":
        out["logits"] = (model.classifier if hasattr(model, "classifier") else model.score)(h)
    elif model.task == "question-answering":
        start, end = model.qa_outputs(h).split(1, dim=-1)
        out["start_logits"] = start.squeeze(-1)
        out["end_logits"] = end.squeeze(-1)
    return out


def rms_norm(x, weight, eps):
    return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rope_parameters(cfg, head_dim, seq_len=None):
    """(inv_freq, attention_factor) as transformers' modeling_rope_utils computes them for a forward
    over positions < seq_len (which matters for longrope only)."""
    params = cfg.get("rope_parameters") or {}
    theta = params.get("rope_theta", cfg.get("rope_theta", 10000.0))
    scaling = cfg.get("rope_scaling") or params
    rope_type = scaling.get("rope_type", scaling.get("type", "default")) if scaling else "default"
    max_pos = cfg.get("max_position_embeddings", 2048)
    dim = head_dim
    if rope_type == "yarn":
        orig = scaling.get("original_max_position_embeddings") or max_pos
        factor = scaling.get("factor")
        if factor is None:
            factor = max_pos / orig
        attention = scaling.get("attention_factor")
        if attention is None:
            def get_mscale(s, m=1.0):
                return 1.0 if s <= 1 else 0.1 * m * math.log(s) + 1.0
            mscale, mscale_all = scaling.get("mscale"), scaling.get("mscale_all_dim")
            attention = get_mscale(factor, mscale) / get_mscale(factor, mscale_all) if mscale and mscale_all \
                else get_mscale(factor)
        beta_fast, beta_slow = scaling.get("beta_fast") or 32, scaling.get("beta_slow") or 1

        def correction_dim(rotations):
            return dim * math.log(orig / (rotations * 2 * math.pi)) / (2 * math.log(theta))
        low, high = correction_dim(beta_fast), correction_dim(beta_slow)
        if scaling.get("truncate", True):
            low, high = math.floor(low), math.ceil(high)
        low, high = max(low, 0), min(high, dim - 1)
        if low == high:
            high += 0.001
        pos_freqs = theta ** (torch.arange(0, dim, 2).float() / dim)
        ramp = torch.clamp((torch.arange(dim // 2, dtype=torch.float32) - low) / (high - low), 0, 1)
        keep = 1 - ramp  # share of the original (extrapolated) frequency
        inv = (1.0 / (factor * pos_freqs)) * (1 - keep) + (1.0 / pos_freqs) * keep
        return inv, attention
    if rope_type == "longrope":
        orig = scaling.get("original_max_position_embeddings") or cfg.get("original_max_position_embeddings") or max_pos
        factor = scaling.get("factor")
        if factor is None:
            factor = max_pos / orig
        attention = scaling.get("attention_factor")
        if attention is None:
            attention = 1.0 if factor <= 1.0 else math.sqrt(1 + math.log(factor) / math.log(orig))
        ext = scaling["long_factor"] if seq_len and seq_len > orig else scaling["short_factor"]
        shape = torch.arange(0, dim, 2, dtype=torch.int64).float() / dim
        return 1.0 / (torch.tensor(ext, dtype=torch.float32) * theta ** shape), attention
    inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    if rope_type == "linear":
        inv = inv / scaling["factor"]
    elif rope_type == "llama3":
        factor, low, high = scaling["factor"], scaling["low_freq_factor"], scaling["high_freq_factor"]
        orig = scaling["original_max_position_embeddings"]
        wavelen = 2 * math.pi / inv
        smooth = (orig / wavelen - low) / (high - low)
        blended = (1 - smooth) * inv / factor + smooth * inv
        inv = torch.where(wavelen < orig / high, inv, torch.where(wavelen > orig / low, inv / factor, blended))
    elif rope_type != "default":
        raise ValueError("rope_type " + rope_type)
    return inv.float(), 1.0


def rope_inv_freq(cfg, head_dim):
    return rope_parameters(cfg, head_dim)[0]


def sliding_windows(cfg):
    """Per-layer sliding window (None = full attention), as MistralConfig / Qwen2Config set it up."""
    n = cfg["num_hidden_layers"]
    mt = cfg["model_type"]
    window = cfg.get("sliding_window", 4096)
    if mt == "qwen2" and not cfg.get("use_sliding_window", False):
        window = None
    if mt not in ("mistral", "qwen2") or not window:
        return [None] * n
    types = cfg.get("layer_types")
    if types is None:
        max_window_layers = cfg.get("max_window_layers", 28) if mt == "qwen2" else 0
        types = ["sliding_attention" if i >= max_window_layers else "full_attention" for i in range(n)]
    return [window if ty == "sliding_attention" else None for ty in types]


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class Llama:
    """Llama, Mistral and Qwen2 (q/k/v biases are loaded when the file has them)."""

    def __init__(self, cfg, tensors, task):
        # LlamaForQuestionAnswering / Qwen2ForQuestionAnswering keep the base model under "transformer."
        qa_transformer = task == "question-answering" and cfg["model_type"] != "mistral"
        w = Weights(tensors, "transformer." if qa_transformer else "model.")
        self.cfg = cfg
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        self.heads = cfg["num_attention_heads"]
        self.kv_heads = cfg.get("num_key_value_heads") or self.heads
        self.head_dim = cfg.get("head_dim") or cfg["hidden_size"] // self.heads
        self.embed = w.get("embed_tokens.weight")
        self.windows = sliding_windows(cfg)
        self.layers = []
        for i in range(cfg["num_hidden_layers"]):
            p = "layers.%d." % i
            self.layers.append(dict(
                n1=w.get(p + "input_layernorm.weight"), n2=w.get(p + "post_attention_layernorm.weight"),
                q=linear(w, p + "self_attn.q_proj"), k=linear(w, p + "self_attn.k_proj"),
                v=linear(w, p + "self_attn.v_proj"), o=linear(w, p + "self_attn.o_proj"),
                gate=linear(w, p + "mlp.gate_proj"), up=linear(w, p + "mlp.up_proj"), down=linear(w, p + "mlp.down_proj")))
        self.norm = w.get("norm.weight")
        self.task = task
        if task == "causal-lm":
            self.lm_head = projection(tensors.get("lm_head.weight", self.embed))
        elif task in ("sequence-classification", "token-classification"):
            self.score = linear(w, "score", bias=False)
        elif task == "question-answering":
            self.qa_outputs = linear(w, "qa_outputs")

    def forward(self, ids, mask, tt, pos):
        b, t = ids.shape
        if pos is None:
            pos = torch.arange(t)[None].expand(b, t)
        h = self.embed[ids]
        inv_freq, attention_factor = rope_parameters(self.cfg, self.head_dim, int(pos.max()) + 1)
        freqs = pos[..., None].float() * inv_freq  # (B,T,hd/2)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[:, None] * attention_factor, emb.sin()[:, None] * attention_factor  # (B,1,T,hd)
        rep = self.heads // self.kv_heads
        for L, window in zip(self.layers, self.windows):
            bias = causal_bias(mask, t, window)
            x = rms_norm(h, L["n1"], self.eps)
            q = split_heads(L["q"](x), self.heads)
            k = split_heads(L["k"](x), self.kv_heads)
            v = split_heads(L["v"](x), self.kv_heads)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            k = k.repeat_interleave(rep, dim=1)
            v = v.repeat_interleave(rep, dim=1)
            h = h + L["o"](merge_heads(attention(q, k, v, bias)))
            x = rms_norm(h, L["n2"], self.eps)
            h = h + L["down"](F.silu(L["gate"](x)) * L["up"](x))
        h = rms_norm(h, self.norm, self.eps)
        return decoder_head(self, h, ids)


ARCHS = {"bert": Bert, "roberta": Bert, "xlm-roberta": Bert, "distilbert": DistilBert, "gpt2": Gpt2,
         "llama": Llama, "mistral": Llama, "qwen2": Llama}

_cache = {}


def load(folder, task, quantize=None):
    global QUANTIZE_INT8
    key = (folder, task, quantize)
    if key not in _cache:
        with open(os.path.join(folder, "config.json")) as f:
            cfg = json.load(f)
        QUANTIZE_INT8 = quantize == "int8"
        try:
            _cache[key] = ARCHS[cfg["model_type"]](cfg, read_checkpoint(folder), task)
        finally:
            QUANTIZE_INT8 = False
    return _cache[key]


def as_tensor(rows):
    return None if rows is None else torch.tensor(rows, dtype=torch.long)


def generate_position_ids(mask):
    """transformers' GenerationMixin.prepare_inputs_for_generation: the count of real tokens before
    each position (cumsum of the attention mask minus one), 1 at padding positions."""
    pos = mask.long().cumsum(-1) - 1
    pos.masked_fill_(mask == 0, 1)
    return pos


def run_job(job):
    model = load(job["model"], job.get("task", "causal-lm"), job.get("quantize"))
    ids = as_tensor(job["input_ids"])
    mask = as_tensor(job.get("attention_mask"))
    if mask is None:
        mask = torch.ones_like(ids)
    with torch.no_grad():
        if job["kind"] == "forward":
            pos = as_tensor(job.get("position_ids"))
            if pos is None and job.get("generate_position_ids"):
                pos = generate_position_ids(mask)
            out = model.forward(ids, mask, as_tensor(job.get("token_type_ids")), pos)
            return {k: {"shape": list(v.shape), "values": v.reshape(-1).tolist()} for k, v in out.items()}
        if job["kind"] == "generate":
            tokens = ids[0].tolist()
            generated = []
            for _ in range(job["steps"]):
                x = torch.tensor([tokens])
                logits = model.forward(x, torch.ones_like(x), None, None)["logits"]
                nxt = int(logits[0, -1].argmax())
                tokens.append(nxt)
                generated.append(nxt)
            return {"tokens": generated}
    raise ValueError("job kind " + job["kind"])


def main():
    torch.set_num_threads(1)
    with open(sys.argv[1]) as f:
        jobs = json.load(f)["jobs"]
    results = [run_job(j) for j in jobs]
    with open(sys.argv[2], "w") as f:
        json.dump({"results": results}, f)


if __name__ == "__main__":
    main()
