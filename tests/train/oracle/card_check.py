"""Reads a generated README.md the way the Hub does: YAML front matter parsed by PyYAML, model-index
checked with huggingface_hub's model_index_to_eval_results rules (name, results list, each with
task.type, dataset.name/type, metrics with type and value). Prints the parsed metadata as JSON."""
import json
import sys

import yaml

text = open(sys.argv[1]).read()
assert text.startswith("---\n"), "no front matter"
end = text.index("\n---\n", 4)
meta = yaml.safe_load(text[4:end])
assert isinstance(meta, dict)
for entry in meta.get("model-index", []):
    assert isinstance(entry["name"], str)
    for r in entry["results"]:
        assert isinstance(r["task"]["type"], str)
        assert isinstance(r["dataset"]["type"], str) and isinstance(r["dataset"]["name"], str)
        for m in r["metrics"]:
            assert isinstance(m["type"], str)
            assert "value" in m
print(json.dumps({"meta": meta, "body": text[end + 5:]}))
