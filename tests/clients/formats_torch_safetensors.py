#!/usr/bin/env python3
"""PyTorch as the oracle for safetensors bytes (Debian python3-torch 1.13 has no `safetensors`
package, so the header is parsed here and tensors are built with torch.frombuffer).

  check FILE EXPECTED_JSON [FILE EXPECTED_JSON ...]
      Loads every tensor of each FILE into torch and compares it with EXPECTED_JSON
      ({name: {"dtype": "F32", "shape": [...], "values": [flat values]}}); exact equality.
      Prints "ok N" or the mismatches (exit 1).
  write FILE EXPECTED_JSON [--misaligned]
      Builds tensors with torch (seeded random values in F32, F16, BF16, F64, I64, I32, I16, I8,
      U8, BOOL), writes them to FILE with a writer of its own (keys in reverse name order; with
      --misaligned, a 1-byte U8 tensor first so later tensors sit at odd offsets), and writes the
      values torch holds to EXPECTED_JSON in the format above.
  shards DIR N_SHARDS
      Writes a Llama-shaped tiny checkpoint into DIR as N_SHARDS safetensors shards plus
      model.safetensors.index.json and config.json; prints {"total_parameters": sum(numel),
      "total_size": bytes, "tensors": count} computed by torch.
"""
import json
import struct
import sys

import torch

TORCH_DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
    "U8": torch.uint8, "BOOL": torch.bool,
}


def load(path):
    with open(path, "rb") as f:
        blob = bytearray(f.read())
    (n,) = struct.unpack("<Q", bytes(blob[:8]))
    header = json.loads(bytes(blob[8:8 + n]).decode("utf-8"))
    header.pop("__metadata__", None)
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = TORCH_DTYPES[info["dtype"]]
        count = 1
        for d in info["shape"]:
            count *= d
        if count == 0:
            t = torch.empty(info["shape"], dtype=dtype)
        elif dtype == torch.bfloat16:
            # bf16 through an int16 view of the same bytes.
            t = torch.frombuffer(blob, dtype=torch.int16, count=count, offset=8 + n + begin).view(torch.bfloat16)
        else:
            t = torch.frombuffer(blob, dtype=dtype, count=count, offset=8 + n + begin)
        out[name] = (info["dtype"], t.reshape(info["shape"]).clone())
    return out


def values_of(t):
    flat = t.reshape(-1)
    if t.dtype == torch.bool:
        return [int(v) for v in flat.tolist()]
    if t.dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
        return [float(v) for v in flat.double().tolist()]
    return [int(v) for v in flat.tolist()]


def check(path, expected_path):
    """Returns (problems, tensor count)."""
    tensors = load(path)
    with open(expected_path) as f:
        expected = json.load(f)
    problems = []
    if sorted(tensors) != sorted(expected):
        problems.append("names differ: %s vs %s" % (sorted(tensors), sorted(expected)))
    for name, want in expected.items():
        if name not in tensors:
            continue
        dtype, t = tensors[name]
        if dtype != want["dtype"]:
            problems.append("%s: dtype %s != %s" % (name, dtype, want["dtype"]))
        if list(t.shape) != want["shape"]:
            problems.append("%s: shape %s != %s" % (name, list(t.shape), want["shape"]))
        got = values_of(t)
        if got != want["values"]:
            problems.append("%s: values differ: torch %s, expected %s" % (name, got[:8], want["values"][:8]))
    return ["%s: %s" % (path, p) for p in problems], len(tensors)


def check_all(args):
    problems, count = [], 0
    for i in range(0, len(args), 2):
        p, n = check(args[i], args[i + 1])
        problems += p
        count += n
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print("ok %d" % count)


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    if t.dtype == torch.bool:
        t = t.to(torch.uint8)
    return t.numpy().tobytes() if hasattr(t, "numpy") else bytes(t.storage())


def write_file(path, named, metadata=None, misaligned=False):
    """named: list of (name, safetensors dtype, tensor). Writes in the given order."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    chunks = []
    offset = 0
    for name, dtype, t in named:
        b = tensor_bytes(t)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    text = json.dumps(header).encode("utf-8")
    if not misaligned:
        text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in chunks:
            f.write(b)


def make_tensors(misaligned):
    g = torch.Generator().manual_seed(1234)
    named = []
    for dtype in ["F32", "F16", "BF16", "F64"]:
        t = (torch.randn(3, 5, generator=g) * 10).to(TORCH_DTYPES[dtype])
        named.append(("w_" + dtype.lower(), dtype, t))
    for dtype, lo, hi in [("I64", -2**40, 2**40), ("I32", -2**30, 2**30), ("I16", -30000, 30000),
                          ("I8", -128, 128), ("U8", 0, 256)]:
        t = torch.randint(lo, hi, (4, 3), generator=g, dtype=torch.int64).to(TORCH_DTYPES[dtype])
        named.append(("i_" + dtype.lower(), dtype, t))
    named.append(("mask", "BOOL", torch.randint(0, 2, (2, 3, 2), generator=g).to(torch.bool)))
    named.append(("scalar", "F32", torch.tensor(3.25)))
    named.append(("empty", "F32", torch.zeros(0, 4)))
    named.reverse()  # not the reference writer's order: the reader must not care
    if misaligned:
        named.insert(0, ("odd_byte", "U8", torch.tensor([7], dtype=torch.uint8)))
    return named


def write(path, expected_path, misaligned):
    named = make_tensors(misaligned)
    write_file(path, named, metadata={"format": "pt", "source": "torch"}, misaligned=misaligned)
    expected = {name: {"dtype": dtype, "shape": list(t.shape), "values": values_of(t)} for name, dtype, t in named}
    with open(expected_path, "w") as f:
        json.dump(expected, f)


def shards(directory, n_shards):
    import os
    g = torch.Generator().manual_seed(99)
    hidden, inter, layers, vocab, heads, kv = 64, 160, 3, 300, 4, 2
    head_dim = hidden // heads
    named = [("model.embed_tokens.weight", torch.randn(vocab, hidden, generator=g))]
    for i in range(layers):
        p = "model.layers.%d." % i
        named += [
            (p + "input_layernorm.weight", torch.ones(hidden)),
            (p + "self_attn.q_proj.weight", torch.randn(heads * head_dim, hidden, generator=g)),
            (p + "self_attn.k_proj.weight", torch.randn(kv * head_dim, hidden, generator=g)),
            (p + "self_attn.v_proj.weight", torch.randn(kv * head_dim, hidden, generator=g)),
            (p + "self_attn.o_proj.weight", torch.randn(hidden, heads * head_dim, generator=g)),
            (p + "post_attention_layernorm.weight", torch.ones(hidden)),
            (p + "mlp.gate_proj.weight", torch.randn(inter, hidden, generator=g)),
            (p + "mlp.up_proj.weight", torch.randn(inter, hidden, generator=g)),
            (p + "mlp.down_proj.weight", torch.randn(hidden, inter, generator=g)),
        ]
    named += [("model.norm.weight", torch.ones(hidden)), ("lm_head.weight", torch.randn(vocab, hidden, generator=g))]
    named = [(name, t.to(torch.bfloat16)) for name, t in named]
    per = (len(named) + n_shards - 1) // n_shards
    weight_map = {}
    for s in range(n_shards):
        part = named[s * per:(s + 1) * per]
        fname = "model-%05d-of-%05d.safetensors" % (s + 1, n_shards)
        write_file(os.path.join(directory, fname), [(k, "BF16", t) for k, t in part], metadata={"format": "pt"})
        for k, _ in part:
            weight_map[k] = fname
    total_size = sum(t.numel() * t.element_size() for _, t in named)
    with open(os.path.join(directory, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total_size}, "weight_map": weight_map}, f, indent=2)
    config = {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": hidden,
        "intermediate_size": inter, "num_hidden_layers": layers, "num_attention_heads": heads,
        "num_key_value_heads": kv, "vocab_size": vocab, "torch_dtype": "bfloat16",
        "rms_norm_eps": 1e-5, "rope_theta": 500000.0, "tie_word_embeddings": False,
    }
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    print(json.dumps({"total_parameters": sum(t.numel() for _, t in named), "total_size": total_size,
                      "tensors": len(named)}))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "check":
        check_all(sys.argv[2:])
    elif mode == "write":
        write(sys.argv[2], sys.argv[3], "--misaligned" in sys.argv[4:])
    elif mode == "shards":
        shards(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit("unknown mode " + mode)
