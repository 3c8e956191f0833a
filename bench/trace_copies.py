"""Time ``trace.trace_story`` on one story of N copies of seed 000, each carrying a number of its own.

    python bench/trace_copies.py [--n 200] [--repeat 3]

The worst case of the near-copy rules (``trace.copy_order``, ``trace.bend_between``): every pair of
members is a near-copy, and every pair has values of its own, so each reaches the sentence matching of
``trace.bent_values``. Sentence vectors are random unit vectors (tracing does not embed); the scored
pairs are a star around the first copy.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from copydesk.analyze import analyze_batch
from copydesk.config import Settings
from copydesk.records import EMBED_DIM, Article, Pair
from copydesk.score import default_model
from copydesk.trace import trace_story

SEED = Path(__file__).resolve().parent.parent / "examples" / "seeds" / "000_dc2d94248d973954.txt"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    base = SEED.read_text(encoding="utf-8")
    arts = [Article(f"w{i:04d}", base + f"\nUpdate {i}: crews reached block {i + 10}.") for i in range(args.n)]
    rows = {r.article.id: r for r in analyze_batch(arts, Settings(claims=False), embed=False)}
    rng = np.random.default_rng(0)
    svecs = {}
    for k, r in rows.items():
        v = rng.normal(size=(len(r.sentences), EMBED_DIM)).astype(np.float32)
        svecs[k] = v / np.linalg.norm(v, axis=1, keepdims=True)
    ids = sorted(rows)
    scores = {"p_story": 1.0, "p_family": 0.95}
    pairs = {(ids[0], m): Pair(ids[0], m, scores, "duplicate", 0.95) for m in ids[1:]}
    model = default_model()
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        trace_story(ids, rows, svecs, pairs, model)
        times.append(time.perf_counter() - t)
    print(f"trace_story, {args.n} near-copies: median {statistics.median(times):.2f} s (runs {', '.join(f'{x:.2f}' for x in times)})")


if __name__ == "__main__":
    main()
