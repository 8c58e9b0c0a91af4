"""Reference metrics written from sklearn's precision_recall_fscore_support / accuracy_score and
seqeval's get_entities (chakki-works/seqeval, default lenient mode), as evaluate calls them.
(Debian has no python3-sklearn installed here, so this follows their sources by hand.)

stdin: JSON list of cases {"kind": "prf"|"seqeval", ...}; stdout: JSON list of results.
"""
import json
import sys


def prf(y_true, y_pred, average, pos_label=1):
    labels = sorted(set(y_true) | set(y_pred))
    if average == "binary":
        labels = [pos_label]
    tp = {l: 0 for l in labels}
    fp = dict(tp)
    fn = dict(tp)
    sup = dict(tp)
    for t, p in zip(y_true, y_pred):
        for l in labels:
            tp[l] += t == l and p == l
            fp[l] += t != l and p == l
            fn[l] += t == l and p != l
            sup[l] += t == l

    def div(a, b):
        return a / b if b else 0.0

    if average in ("binary", "micro"):
        TP, FP, FN = sum(tp.values()), sum(fp.values()), sum(fn.values())
        return [div(TP, TP + FP), div(TP, TP + FN), div(2 * TP, 2 * TP + FP + FN)]
    P = [div(tp[l], tp[l] + fp[l]) for l in labels]
    R = [div(tp[l], tp[l] + fn[l]) for l in labels]
    F = [div(2 * tp[l], 2 * tp[l] + fp[l] + fn[l]) for l in labels]
    w = [sup[l] for l in labels] if average == "weighted" else [1] * len(labels)
    s = sum(w)
    if s == 0:
        return [0.0, 0.0, 0.0]
    return [sum(a * b for a, b in zip(P, w)) / s, sum(a * b for a, b in zip(R, w)) / s,
            sum(a * b for a, b in zip(F, w)) / s]


def end_of_chunk(prev_tag, tag, prev_type, type_):
    if prev_tag in ("E", "S"):
        return True
    if prev_tag in ("B", "I") and tag in ("B", "S", "O"):
        return True
    return prev_tag != "O" and prev_tag != "." and prev_type != type_


def start_of_chunk(prev_tag, tag, prev_type, type_):
    if tag in ("B", "S"):
        return True
    if prev_tag in ("E", "S", "O") and tag in ("E", "I"):
        return True
    return tag != "O" and tag != "." and prev_type != type_


def get_entities(seq):
    if any(isinstance(s, list) for s in seq):
        seq = [item for sublist in seq for item in sublist + ["O"]]
    prev_tag, prev_type, begin, chunks = "O", "", 0, []
    for i, chunk in enumerate(seq + ["O"]):
        tag = chunk[0]
        type_ = chunk[1:].split("-", maxsplit=1)[-1] or "_"
        if end_of_chunk(prev_tag, tag, prev_type, type_):
            chunks.append((prev_type, begin, i - 1))
        if start_of_chunk(prev_tag, tag, prev_type, type_):
            begin = i
        prev_tag, prev_type = tag, type_
    return chunks


def seqeval(y_true, y_pred):
    te, pe = set(get_entities(y_true)), set(get_entities(y_pred))
    types = sorted({e[0] for e in te | pe})
    out = {}
    TP = P = T = 0
    for ty in types:
        t = {e for e in te if e[0] == ty}
        p = {e for e in pe if e[0] == ty}
        tp = len(t & p)
        out[ty] = {"precision": tp / len(p) if p else 0.0, "recall": tp / len(t) if t else 0.0,
                   "f1": 2 * tp / (len(p) + len(t)) if (p or t) else 0.0, "number": len(t)}
        TP, P, T = TP + tp, P + len(p), T + len(t)
    flat_t = [x for s in y_true for x in s]
    flat_p = [x for s in y_pred for x in s]
    out["overall_precision"] = TP / P if P else 0.0
    out["overall_recall"] = TP / T if T else 0.0
    out["overall_f1"] = 2 * TP / (P + T) if (P + T) else 0.0
    out["overall_accuracy"] = sum(a == b for a, b in zip(flat_t, flat_p)) / len(flat_t)
    return out


results = []
for case in json.load(sys.stdin):
    if case["kind"] == "prf":
        results.append(prf(case["y_true"], case["y_pred"], case["average"]))
    else:
        results.append(seqeval(case["y_true"], case["y_pred"]))
print(json.dumps(results))
