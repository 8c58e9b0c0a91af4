"""PEFT's merge_and_unload in torch, for `mhub run` on an adapter: reads a base folder and a LoRA
adapter folder (adapter_config.json + adapter_model.safetensors, PEFT names), writes OUT/model.safetensors
with W + scaling * (B @ A) (transposed when fan_in_fan_out) and modules_to_save replaced.

argv: BASE_DIR ADAPTER_DIR OUT_DIR (config/tokenizer files are copied by the caller)."""
import json
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "models", "oracle"))
import train_grad_oracle as g  # noqa: E402

base_dir, adapter_dir, out_dir = sys.argv[1:4]
cfg = json.load(open(adapter_dir + "/adapter_config.json"))
W = {k: v.detach() for k, v in g.read_safetensors(base_dir + "/model.safetensors").items()}
A = {k: v.detach() for k, v in g.read_safetensors(adapter_dir + "/adapter_model.safetensors").items()}
s = cfg["lora_alpha"] / (math.sqrt(cfg["r"]) if cfg.get("use_rslora") else cfg["r"])
prefix = "base_model.model."
for name, t in A.items():
    rest = name[len(prefix):]
    if rest.endswith(".lora_A.weight"):
        path = rest[: -len(".lora_A.weight")]
        delta = A[prefix + path + ".lora_B.weight"] @ t
        W[path + ".weight"] = W[path + ".weight"] + s * (delta.T if cfg.get("fan_in_fan_out") else delta)
    elif not rest.endswith(".lora_B.weight"):
        W[rest] = t
os.makedirs(out_dir, exist_ok=True)
g.write_safetensors(out_dir + "/model.safetensors", W)
