#!/usr/bin/python3
"""PyTorch peer of bench/models_seq2seq_bench.cpp: beam search over a T5 checkpoint written by mhub,
with the encoder run once and a decoder KV cache (self-attention keys/values grown by one position
per step and reordered with the beams; cross-attention keys/values computed once), as
transformers' T5 generate() works; the beam bookkeeping is seq2seq_oracle.generate (a port of
BeamSearchScorer). fp32, 2 threads.

  seq2seq_bench_peer.py DIR SRC_LEN NUM_BEAMS MAX_LENGTH RUNS
    -> {"ms": [per-run ms], "sequences": [[..]]}   (input ids: (i*7+3) % V, as the C++ side)
"""
import json
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__)))
import seq2seq_oracle as so  # noqa: E402


def t5_stepper(model, enc, mask, o):
    H, D = model.h, model.dkv
    layers = range(model.n_dec)
    state = {"k": [None] * model.n_dec, "v": [None] * model.n_dec, "ck": [], "cv": [], "src": None}
    B, S, _ = enc.shape
    for i in layers:  # cross keys/values once per encoder row
        p = f"decoder.block.{i}.layer.1.EncDecAttention"
        state["ck"].append(model.lin(enc, p + ".k").view(B, S, H, D).transpose(1, 2))
        state["cv"].append(model.lin(enc, p + ".v").view(B, S, H, D).transpose(1, 2))
    cross_bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    table = model.w["decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"]

    def step(seqs, rows_src, reorder):
        R, T = seqs.shape
        pos = T - 1
        if reorder is not None:
            for i in layers:
                state["k"][i] = state["k"][i].index_select(0, reorder)
                state["v"][i] = state["v"][i].index_select(0, reorder)
        h = model.w["shared.weight"][seqs[:, -1:]]  # (R,1,d)
        b = so.t5_bucket(torch.arange(T) - pos, False, model.nb, model.md)
        pos_bias = table[b].t()[None, :, None, :]  # (1,H,1,T)
        for i in layers:
            p = f"decoder.block.{i}.layer"
            x = model.norm(h, p + ".0.layer_norm.weight")
            a = p + ".0.SelfAttention"
            q = model.lin(x, a + ".q").view(R, 1, H, D).transpose(1, 2)
            k = model.lin(x, a + ".k").view(R, 1, H, D).transpose(1, 2)
            v = model.lin(x, a + ".v").view(R, 1, H, D).transpose(1, 2)
            state["k"][i] = k if state["k"][i] is None else torch.cat([state["k"][i], k], 2)
            state["v"][i] = v if state["v"][i] is None else torch.cat([state["v"][i], v], 2)
            w = F.softmax(q @ state["k"][i].transpose(-1, -2) + pos_bias, dim=-1)
            h = h + model.lin((w @ state["v"][i]).transpose(1, 2).reshape(R, 1, -1), a + ".o")
            x = model.norm(h, p + ".1.layer_norm.weight")
            c = p + ".1.EncDecAttention"
            q = model.lin(x, c + ".q").view(R, 1, H, D).transpose(1, 2)
            ck, cv = state["ck"][i][rows_src], state["cv"][i][rows_src]
            w = F.softmax(q @ ck.transpose(-1, -2) + cross_bias[rows_src], dim=-1)
            h = h + model.lin((w @ cv).transpose(1, 2).reshape(R, 1, -1), c + ".o")
            h = h + model.ffn(model.norm(h, p + ".2.layer_norm.weight"), p + ".2")
        return model.head(model.norm(h, "decoder.final_layer_norm.weight"))[:, -1, :]

    return step


def main():
    folder, src_len, beams, max_length, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), \
        int(sys.argv[5])
    torch.set_num_threads(2)
    model = so.load(folder)
    V = model.w["shared.weight"].shape[0]
    ids = torch.tensor([[(i * 7 + 3) % V for i in range(src_len)]])
    mask = torch.ones_like(ids)
    o = {"num_beams": beams, "max_length": max_length, "min_length": max_length, "eos_token_id": [1],
         "pad_token_id": 0, "decoder_start_token_id": 0, "length_penalty": 2.0, "early_stopping": True,
         "no_repeat_ngram_size": 3}
    times, out = [], None
    with torch.no_grad():
        for _ in range(runs):
            t0 = time.perf_counter()
            out = so.generate(model, ids, mask, o, make_stepper=t5_stepper)
            times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"ms": times, "sequences": out["sequences"]}))


if __name__ == "__main__":
    main()
