"""How many k-means buckets an article must join (``BatchSettings.semantic_probes``).

    python bench/probes.py --work W [--probes 2,3,4,5]

Reads the document vectors a ``bench/scale.py --systems copydesk-local`` run left in ``W``
(``vectors.npy``, ``vectors.ids.json``) and the corpus truth (``W/corpus-N-SEED.jsonl.truth.json``),
and for each probe count runs the semantic candidate step alone (``candidates.semantic_neighbours``)
and prints its seconds, its pairs and the share of LLMFake (original, rewrite) pairs among them,
next to exact search over the same vectors (the ``brute-force`` rule). The default is the
fewest probes within 0.01 of exact search at 100k articles.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from copydesk import candidates as C  # noqa: E402
from copydesk.candidates import semantic_neighbours  # noqa: E402
from copydesk.config import Settings  # noqa: E402
from copydesk.runners.stages import BatchSettings  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--probes", default="2,3,4,5")
    args = ap.parse_args()
    ids = json.loads((args.work / "vectors.ids.json").read_text())
    vecs = np.load(args.work / "vectors.npy")
    truths = sorted(args.work.glob("corpus-*.jsonl.truth.json"))
    if not truths:
        raise SystemExit(f"no corpus truth in {args.work}")
    rewrites = [C.ordered(a, b) for a, b in json.loads(truths[0].read_text())["rewrites"]]
    s = Settings()
    t = time.perf_counter()
    exact = semantic_neighbours(ids, vecs, s, BatchSettings(semantic_bucket=len(ids) + 1,
                                                           max_semantic_bucket=len(ids) + 1))
    rows = [("exact", time.perf_counter() - t, exact)]
    for p in (int(x) for x in args.probes.split(",")):
        t = time.perf_counter()
        got = semantic_neighbours(ids, vecs, s, BatchSettings(semantic_probes=p))
        rows.append((f"probes={p}", time.perf_counter() - t, got))
    print(f"{len(ids):,} articles, {len(rewrites):,} rewrite pairs")
    print(f"{'search':<10} {'seconds':>8} {'pairs':>10} {'rewrite recall':>15} {'of exact':>9}")
    for name, secs, pairs in rows:
        rec = float(np.mean([p in pairs for p in rewrites]))
        share = len(pairs & exact) / max(len(exact), 1)
        print(f"{name:<10} {secs:>8.1f} {len(pairs):>10,} {rec:>15.4f} {share:>9.3f}")


if __name__ == "__main__":
    main()
