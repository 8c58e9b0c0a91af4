"""Oracle for mhub's QA evaluation: transformers' examples/pytorch/question-answering/utils_qa.py
postprocess_qa_predictions (numpy argsort, n-best, max_answer_length, the SQuAD v2 null score) and
the `squad` / `squad_v2` metrics of `evaluate` (SQuAD's official normalize_answer, exact match,
token F1), rewritten here from their published behaviour.

  python3 qa_postprocess.py IN.json OUT.json
IN: {"examples":[{id,context,answers:{text}}], "features":[{example_index, offsets:[[s,e]|null]}],
     "start_logits":[[..]], "end_logits":[[..]], "v2":bool, "n_best_size", "max_answer_length",
     "null_score_diff_threshold", "metric_only":{"predictions":{id:text},"references":{id:[texts]}}|null}
OUT: {"predictions":{id:text}, "metrics":{...}}"""
import collections
import json
import re
import string
import sys

import numpy as np


def normalize_answer(s):
    def remove_articles(text):
        return re.sub(r"\b(a|an|the)\b", " ", text)

    def white_space_fix(text):
        return " ".join(text.split())

    def remove_punc(text):
        exclude = set(string.punctuation)
        return "".join(ch for ch in text if ch not in exclude)

    return white_space_fix(remove_articles(remove_punc(s.lower())))


def f1_v1(prediction, ground_truth):
    p = normalize_answer(prediction).split()
    g = normalize_answer(ground_truth).split()
    common = collections.Counter(p) & collections.Counter(g)
    num_same = sum(common.values())
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(p)
    recall = 1.0 * num_same / len(g)
    return (2 * precision * recall) / (precision + recall)


def squad_v1(predictions, references):
    em = f1 = 0.0
    for qid, golds in references.items():
        pred = predictions[qid]
        em += max(float(normalize_answer(pred) == normalize_answer(g)) for g in golds)
        f1 += max(f1_v1(pred, g) for g in golds)
    n = len(references)
    return {"exact_match": 100.0 * em / n, "f1": 100.0 * f1 / n}


def get_tokens(s):
    if not s:
        return []
    return normalize_answer(s).split()


def f1_v2(a_gold, a_pred):
    g, p = get_tokens(a_gold), get_tokens(a_pred)
    common = collections.Counter(g) & collections.Counter(p)
    num_same = sum(common.values())
    if len(g) == 0 or len(p) == 0:
        return int(g == p)
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(p)
    recall = 1.0 * num_same / len(g)
    return (2 * precision * recall) / (precision + recall)


def squad_v2(predictions, references):
    exact, f1, has = {}, {}, {}
    for qid, golds_raw in references.items():
        has[qid] = bool(golds_raw)
        golds = [a for a in golds_raw if normalize_answer(a)] or [""]
        pred = predictions[qid]
        exact[qid] = max(int(normalize_answer(a) == normalize_answer(pred)) for a in golds)
        f1[qid] = max(f1_v2(a, pred) for a in golds)
    out = {"exact": 100.0 * sum(exact.values()) / len(exact), "f1": 100.0 * sum(f1.values()) / len(f1),
           "total": len(exact)}
    for name, keep in (("HasAns", True), ("NoAns", False)):
        ids = [k for k in exact if has[k] == keep]
        if ids:
            out[name + "_exact"] = 100.0 * sum(exact[k] for k in ids) / len(ids)
            out[name + "_f1"] = 100.0 * sum(f1[k] for k in ids) / len(ids)
            out[name + "_total"] = len(ids)
    return out


def postprocess(examples, features, all_start, all_end, v2, n_best_size, max_answer_length, threshold):
    per_example = collections.defaultdict(list)
    for i, f in enumerate(features):
        per_example[f["example_index"]].append(i)
    all_predictions = {}
    for ei, example in enumerate(examples):
        min_null = None
        prelim = []
        for fi in per_example[ei]:
            start_logits = all_start[fi]
            end_logits = all_end[fi]
            offset_mapping = features[fi]["offsets"]
            feature_null_score = start_logits[0] + end_logits[0]
            if min_null is None or min_null["score"] > feature_null_score:
                min_null = {"offsets": (0, 0), "score": feature_null_score, "start_logit": start_logits[0],
                            "end_logit": end_logits[0]}
            start_indexes = np.argsort(start_logits, kind="stable")[-1: -n_best_size - 1: -1].tolist()
            end_indexes = np.argsort(end_logits, kind="stable")[-1: -n_best_size - 1: -1].tolist()
            for s in start_indexes:
                for e in end_indexes:
                    if (s >= len(offset_mapping) or e >= len(offset_mapping) or offset_mapping[s] is None
                            or len(offset_mapping[s]) < 2 or offset_mapping[e] is None or len(offset_mapping[e]) < 2):
                        continue
                    if e < s or e - s + 1 > max_answer_length:
                        continue
                    prelim.append({"offsets": (offset_mapping[s][0], offset_mapping[e][1]),
                                   "score": start_logits[s] + end_logits[e], "start_logit": start_logits[s],
                                   "end_logit": end_logits[e]})
        if v2 and min_null is not None:
            prelim.append(min_null)
            null_score = min_null["score"]
        predictions = sorted(prelim, key=lambda x: x["score"], reverse=True)[:n_best_size]
        if v2 and min_null is not None and not any(p["offsets"] == (0, 0) for p in predictions):
            predictions.append(min_null)
        context = example["context"]
        for p in predictions:
            o = p["offsets"]
            p["text"] = context[o[0]: o[1]]
        if len(predictions) == 0 or (len(predictions) == 1 and predictions[0]["text"] == ""):
            predictions.insert(0, {"text": "empty", "start_logit": 0.0, "end_logit": 0.0, "score": 0.0})
        if not v2:
            all_predictions[example["id"]] = predictions[0]["text"]
        else:
            i = 0
            while predictions[i]["text"] == "":
                i += 1
            best = predictions[i]
            diff = null_score - best["start_logit"] - best["end_logit"]
            all_predictions[example["id"]] = "" if diff > threshold else best["text"]
    return all_predictions


def main():
    req = json.load(open(sys.argv[1]))
    out = {}
    if req.get("metric_only"):
        m = req["metric_only"]
        preds, refs = m["predictions"], m["references"]
    else:
        start = np.array(req["start_logits"], dtype=np.float32)
        end = np.array(req["end_logits"], dtype=np.float32)
        preds = postprocess(req["examples"], req["features"], start, end, req["v2"], req["n_best_size"],
                            req["max_answer_length"], req["null_score_diff_threshold"])
        refs = {e["id"]: e["answers"]["text"] for e in req["examples"]}
    out["predictions"] = preds
    out["metrics"] = squad_v2(preds, refs) if req.get("v2") else squad_v1(preds, refs)
    json.dump(out, open(sys.argv[2], "w"))


main()
