"""Benchmark of the pre-publication gate (`copydesk.verify`), run on demand.

1. Latency of one verify call on a ~600-word source/rewrite pair with the models warm: p50 and p99
   over --repeat calls (the pair: seed 000 + 002 trimmed/extended to ~600 words each).
2. On LLMFake dev pairs ($COPYDESK_DATA/llmfake/pairs.jsonl): the share of `paraphrase_generation`
   rewrites that pass, the share of `rewrite_generation`/`open_ended_generation` rewrites that fail,
   and the ROC AUC of the verdict score (``VerifyReport.score``: claims flagged over the square root of
   those checked; ``auc_verdict_share`` by ``risk``, the share flagged) for manipulated vs faithful.
   Named baseline, same pairs, same run (the data README's simple baseline): the share of the
   rewrite's sentences whose TF-IDF cosine (scikit-learn, fitted on the pair) to every source
   sentence is below 0.3, i.e. sentences nothing in the source matches.

    python bench/verify_gate.py --limit 300 --repeat 50 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent


def words(text: str, n: int) -> str:
    w = text.split()
    while len(w) < n:
        w = w + w
    return " ".join(w[:n])


def latency(repeat: int) -> dict:
    from copydesk import verify

    seeds = sorted((ROOT / "examples" / "seeds").glob("*.txt"))
    src = words(seeds[0].read_text() + "\n" + seeds[1].read_text(), 600)
    rw = words(seeds[2].read_text(), 600)
    verify(src, rw)  # warm: models load once per process
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        verify(src, rw)
        times.append(time.perf_counter() - t0)
    times.sort()
    return {"calls": repeat, "p50_ms": 1000 * statistics.median(times),
            "p99_ms": 1000 * times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))],
            "source_words": len(src.split()), "rewrite_words": len(rw.split())}


def unmatched_share(source: str, rewrite: str, cut: float = 0.3) -> float:
    """Baseline verdict score: share of the rewrite's sentences with TF-IDF cosine < cut to every source sentence."""
    import nupunkt
    from sklearn.feature_extraction.text import TfidfVectorizer

    src = [x for x in nupunkt.sent_tokenize(source) if x.strip()]
    rw = [x for x in nupunkt.sent_tokenize(rewrite) if x.strip()]
    if not src or not rw:
        return 0.0
    try:
        m = TfidfVectorizer().fit(src + rw)
    except ValueError:  # no word at all
        return 0.0
    sim = (m.transform(rw) @ m.transform(src).T).toarray()
    return float((sim.max(axis=1) < cut).mean())


def llmfake(limit: int | None) -> dict:
    from copydesk import verify
    from copydesk.evaluate.metrics import roc_auc

    path = Path(os.environ.get("COPYDESK_DATA", ROOT.parent / "shared" / "data")) / "llmfake" / "pairs.jsonl"
    rows = [json.loads(line) for line in path.open()]
    if limit:
        rows = rows[:limit]
    labels, scores, risks, base, passed = [], [], [], [], {}
    t_base = 0.0
    t0 = time.perf_counter()
    for r in rows:
        try:
            rep = verify(r["original_text"], r["derived_text"], fail_on="unsupported,contradicted")
        except ValueError:
            continue
        manipulated = int(r["method"] != "paraphrase_generation")
        labels.append(manipulated)
        scores.append(rep.score)
        risks.append(rep.risk)
        passed.setdefault(r["method"], []).append(rep.ok)
        tb = time.perf_counter()
        base.append(unmatched_share(r["original_text"], r["derived_text"]))
        t_base += time.perf_counter() - tb
    dt = time.perf_counter() - t0 - t_base
    out = {"n": len(labels), "pairs_per_s": len(labels) / dt, "auc_verdict_score": roc_auc(labels, scores),
           "auc_verdict_share": roc_auc(labels, risks), "baseline_auc_unmatched_share": roc_auc(labels, base)}
    auc, base_auc = out["auc_verdict_score"], out["baseline_auc_unmatched_share"]
    # No AUC when the pairs taken (a small --limit) hold one class only.
    out["auc_gain_over_baseline"] = auc - base_auc if auc is not None and base_auc is not None else None
    for method, oks in sorted(passed.items()):
        share = sum(oks) / len(oks)
        out[f"{method}_pass" if method == "paraphrase_generation" else f"{method}_fail"] = (
            share if method == "paraphrase_generation" else 1 - share)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="LLMFake pairs to use (default: all)")
    ap.add_argument("--repeat", type=int, default=50, help="verify calls for the latency figure")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    res = {"latency": latency(args.repeat), "llmfake": llmfake(args.limit)}
    for section, vals in res.items():
        print(f"[{section}]")
        for k, v in vals.items():
            print(f"  {k:32s} {v:.4f}" if isinstance(v, float) else f"  {k:32s} {v}")
    if args.json:
        args.json.write_text(json.dumps(res, indent=2) + "\n")


if __name__ == "__main__":
    main()
