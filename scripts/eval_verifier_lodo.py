"""Out-of-dataset discrimination of the pairwise verifier on the four evaluation sets (no product path).

Protocol (the simplest one): each summary / claim / derived text is split into sentences; each
sentence's evidence is its top-2 source sentences by TF-IDF cosine (word 1-2 grams, IDF over the
source's sentences and the claim); the item's score is the max over its sentences of
1 - P(supported). Positive class = inconsistent / manipulated.

- SummEdits news (label 0 = inconsistent), AggreFact error types (label3 != supported),
  QAGS claims (label 0), LLMFake: ``rewrite_generation`` + ``open_ended_generation`` (manipulated)
  vs ``paraphrase_generation`` (faithful), as ``copydesk eval rewrites`` defines ``auc_manipulated``.
- Reported per set: ROC AUC, and balanced accuracy at the threshold chosen on the OTHER sets
  (leave-one-dataset-out: the threshold maximising the mean balanced accuracy over the other three
  sets plus the synthetic dev split of ``build_verifier_data.py``, one pair = one item there).

None of the four sets is in the verifier's training data, so every figure is out-of-dataset.

    .venv/bin/python scripts/eval_verifier_lodo.py [--model src/copydesk/data/verifier.onnx] [--write-meta]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from copydesk.evaluate.claims import load as load_claims  # noqa: E402
from copydesk.evaluate.metrics import balanced_accuracy, roc_auc  # noqa: E402
from copydesk.featurize.nli import PairClassifier, model_path  # noqa: E402
from copydesk.segment import sentence_spans  # noqa: E402

DATA = Path(os.environ.get("COPYDESK_DATA", ROOT.parent / "shared" / "data"))
SETS = {
    "summedits": DATA / "summedits_news" / "summedits_news.jsonl",
    "aggrefact": DATA / "aggrefact_errtypes" / "aggrefact_errtypes.jsonl",
    "qags": DATA / "qags" / "qags_claims.jsonl",
    "llmfake": DATA / "llmfake" / "pairs.jsonl",
}
MANIPULATED = ("rewrite_generation", "open_ended_generation")
FAITHFUL = "paraphrase_generation"


def sentences(text: str) -> list[str]:
    out = [" ".join(text[a:b].split()) for a, b in sentence_spans(text)]
    return [s for s in out if len(s.split()) >= 3] or [" ".join(text.split())]


def top_evidence(claims: list[str], doc_sents: list[str], k: int = 2) -> list[str]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english")
    try:
        m = vec.fit_transform(doc_sents + claims)
    except ValueError:
        return [" ".join(doc_sents[:k])] * len(claims)
    d, c = m[: len(doc_sents)], m[len(doc_sents):]
    sims = (c @ d.T).toarray()
    out = []
    for row in sims:
        top = sorted(np.argsort(-row)[:k])  # document order reads more naturally
        out.append(" ".join(doc_sents[j] for j in top))
    return out


def items(name: str, limit: int | None, llmfake_limit: int = 0) -> list[tuple[str, str, int]]:
    """(document, text to check, 1 if inconsistent/manipulated)."""
    if name == "llmfake":
        rows = []
        with open(SETS[name]) as fh:
            for line in fh:
                d = json.loads(line)
                if d["method"] in MANIPULATED or d["method"] == FAITHFUL:
                    rows.append((d["original_text"], d["derived_text"], int(d["method"] != FAITHFUL), d["method"]))
        if llmfake_limit:
            rng = random.Random(0)
            per = llmfake_limit // 3
            rows = [r for m in (FAITHFUL, *MANIPULATED) for r in rng.sample([x for x in rows if x[3] == m], per)]
        rows = [r[:3] for r in rows]
    else:
        rows = [(it.doc, it.summary, 1 - it.consistent) for it in load_claims(SETS[name])]
    if limit and len(rows) > limit:
        rows = random.Random(0).sample(rows, limit)
    return rows


def score_items(clf: PairClassifier, rows: list[tuple[str, str, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    claims, evs, owner = [], [], []
    for i, (doc, text, _) in enumerate(rows):
        cs = sentences(text)
        evs += top_evidence(cs, sentences(doc))
        claims += cs
        owner += [i] * len(cs)
    p = clf.predict(claims, evs)
    owner_a = np.asarray(owner)
    mx = np.zeros(len(rows))
    mean = np.zeros(len(rows))
    for i in range(len(rows)):
        s = 1.0 - p[owner_a == i, 0]
        mx[i], mean[i] = s.max(), s.mean()
    return np.array([r[2] for r in rows]), mx, mean


def best_threshold(sets: list[tuple[np.ndarray, np.ndarray]]) -> float:
    grid = np.linspace(0.01, 0.99, 99)
    vals = [np.mean([balanced_accuracy(y, (s >= t).astype(int)) for y, s in sets]) for t in grid]
    return float(grid[int(np.argmax(vals))])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=model_path())
    ap.add_argument("--dev", type=Path, default=Path("/work/verifier-data/dev.jsonl"))
    ap.add_argument("--limit", type=int, default=0, help="sample at most this many items per set")
    ap.add_argument("--llmfake-limit", type=int, default=300,
                    help="LLMFake items scored (a seeded sample, equal per method; 0 = all 1,062: ~20 min on 2 busy cores)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--write-meta", action="store_true", help="record the figures in verifier.json")
    args = ap.parse_args(argv)
    clf = PairClassifier(threads=args.threads, path=args.model)
    scored: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    timing = {}
    for name in SETS:
        t0 = time.perf_counter()
        scored[name] = score_items(clf, items(name, args.limit or None, args.llmfake_limit))
        timing[name] = round(time.perf_counter() - t0, 1)
        print(f"{name}: {len(scored[name][0])} items in {timing[name]} s", file=sys.stderr)
    with open(args.dev) as fh:
        dev = [json.loads(line) for line in fh]
    dev = random.Random(0).sample(dev, min(1500, len(dev)))
    pd = clf.predict([d["claim"] for d in dev], [d["evidence"] for d in dev])
    dev_y = np.array([int(d["label"] != "supported") for d in dev])
    dev_s = 1.0 - pd[:, 0]
    report: dict = {"protocol": __doc__.split("\n\n")[1].replace("\n", " "), "model": str(args.model), "sets": {}}
    for agg, col in (("max", 1), ("mean", 2)):
        for name in SETS:
            y, s = scored[name][0], scored[name][col]
            others = [(scored[o][0], scored[o][col]) for o in SETS if o != name] + [(dev_y, dev_s)]
            t = best_threshold(others)
            rec = report["sets"].setdefault(name, {"n": int(len(y)), "positives": int(y.sum()), "seconds": timing[name]})
            rec[f"auc_{agg}"] = round(float(roc_auc(y.tolist(), s.tolist()) or 0.0), 4)
            rec[f"lodo_threshold_{agg}"] = round(t, 2)
            rec[f"lodo_balanced_accuracy_{agg}"] = round(balanced_accuracy(y.tolist(), (s >= t).astype(int).tolist()), 4)
    report["synthetic_dev"] = {"n": len(dev), "auc": round(float(roc_auc(dev_y.tolist(), dev_s.tolist()) or 0), 4)}
    print(json.dumps(report, indent=1))
    if args.write_meta:
        meta_path = args.model.with_suffix(".json")
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        meta["lodo"] = report
        meta_path.write_text(json.dumps(meta, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
