"""Reads a tokenizer_config.json with Python's json module and prints, as one JSON object, the
fields the way transformers interprets them (AddedToken dicts -> their content, int(1e30) and
larger -> "no-limit", chat_template string -> {"default": ...}, list -> {name: template})."""
import json
import sys

with open(sys.argv[1], encoding="utf-8") as f:
    c = json.load(f)


def token(v):
    if isinstance(v, dict):
        return v["content"]
    return v


mml = c.get("model_max_length")
if mml is None or mml >= 2**63 - 1:
    mml = "no-limit"
else:
    mml = int(mml)

ct = c.get("chat_template")
if ct is None:
    templates = {}
elif isinstance(ct, str):
    templates = {"default": ct}
else:
    templates = {t["name"]: t["template"] for t in ct}

out = {
    "tokenizer_class": c.get("tokenizer_class") or "",
    "model_max_length": mml,
    "padding_side": c.get("padding_side") or "right",
    "truncation_side": c.get("truncation_side") or "right",
    "additional_special_tokens": [token(t) for t in (c.get("additional_special_tokens") or [])],
    "add_bos_token": c.get("add_bos_token"),
    "add_eos_token": c.get("add_eos_token"),
    "clean_up_tokenization_spaces": c.get("clean_up_tokenization_spaces"),
    "split_special_tokens": bool(c.get("split_special_tokens", False)),
    "chat_templates": templates,
}
for name in ["bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token", "mask_token"]:
    out[name] = token(c.get(name))
print(json.dumps(out))
