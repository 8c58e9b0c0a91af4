#!/usr/bin/env python3
"""Independent safetensors reader (stdlib only: struct + json + hashlib).

Usage: formats_read_safetensors.py FILE
Prints one JSON object describing the file's byte layout as this reader sees it:
  {"header_len": N, "header_padded_to_8": bool, "metadata": {...},
   "tensors": [{"name", "dtype", "shape", "begin", "end", "abs_offset", "sha256"}...] (file order),
   "errors": [...]}
Checks (reported in "errors"): offsets contiguous from 0, sizes match dtype x shape,
data end == file length. Exit status 0 even with errors, so the caller can compare them.
"""
import hashlib
import json
import struct
import sys

BITS = {
    "BOOL": 8, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8,
    "F8_E4M3FNUZ": 8, "F8_E5M2FNUZ": 8, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6,
    "I16": 16, "U16": 16, "F16": 16, "BF16": 16,
    "I32": 32, "U32": 32, "F32": 32,
    "C64": 64, "F64": 64, "I64": 64, "U64": 64,
}


def main():
    path = sys.argv[1]
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data_start = 8 + n
    errors = []
    metadata = header.pop("__metadata__", None)
    entries = sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"]))
    tensors = []
    expect = 0
    for name, info in entries:
        begin, end = info["data_offsets"]
        if begin != expect:
            errors.append("gap/overlap at %s" % name)
        count = 1
        for d in info["shape"]:
            count *= d
        if count * BITS[info["dtype"]] != (end - begin) * 8:
            errors.append("size mismatch at %s" % name)
        expect = end
        tensors.append({
            "name": name,
            "dtype": info["dtype"],
            "shape": info["shape"],
            "begin": begin,
            "end": end,
            "abs_offset": data_start + begin,
            "sha256": hashlib.sha256(blob[data_start + begin:data_start + end]).hexdigest(),
        })
    if data_start + expect != len(blob):
        errors.append("data end %d != file length %d" % (data_start + expect, len(blob)))
    out = {
        "header_len": n,
        "header_padded_to_8": n % 8 == 0,
        "header_first_byte": chr(blob[8]) if n else "",
        "metadata": metadata,
        "tensors": tensors,
        "errors": errors,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
