"""Time ``trace.trace_story`` on one story of N near-identical copies, each carrying a number of its own.

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

import numpy as np

from copydesk.analyze import analyze_batch
from copydesk.config import Settings
from copydesk.records import EMBED_DIM, Article, Pair
from copydesk.score import default_model
from copydesk.trace import trace_story

TEXT = [
    "The city council voted 7 to 2 on Monday to close the Elm Street library branch at the end of June.",
    "Council member Dana Ruiz, who opposed the closure, said the branch serves about 400 visitors a week.",
    "The library system faces a budget gap of $3.2 million this year, according to its director, Paul Ng.",
    "Staff at the branch will be moved to the central library and two other branches, officials said.",
    "It was not clear what would happen to the building, which the city has owned since 1962.",
    "Residents who spoke at the meeting asked the council to look for other ways to save money.",
    "Several of them said that the branch was the only quiet place in the neighbourhood to study.",
    "The council is expected to take up the rest of the library budget at its meeting next month.",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    base = "\n".join(TEXT * 3)
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
