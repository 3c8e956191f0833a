"""Incremental placement look-ups against a large store (a benchmark, not a test).

What a new article costs the store before any scoring: its LSH band look-ups (the copy
candidates of ``Pipeline.candidates``). The store holds the 32 band rows of each of ``--n``
articles of the benchmark corpus (``bench/corpus.py``: real news, near-copies, LLM rewrites,
synthetic filler), written by the store's own ``add_analyses`` schema (``bands(band, key,
article_id)`` primary key, ``WITHOUT ROWID``); then ``--queries`` new articles (near-copies of
stored ones, so most have hits, and fresh ones) are looked up one at a time:

- ``copydesk``: ``SQLStore.band_candidates`` (one ``WITH q(band, key) AS (VALUES ...)`` join per
  article, which uses the primary key);
- ``in-values`` (the named baseline, same run, same store): ``WHERE (band, key) IN (VALUES ...)``,
  the form that scans the table.

Both must return the same candidates. ``python bench/placement.py --n 100000 --queries 2000``
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import build, near_copy  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--baseline-queries", type=int, default=40, help="the baseline scans: keep it small")
    ap.add_argument("--work", type=Path, default=Path("/tmp/copydesk-bench-placement"))
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    from copies import corpus_signatures

    from copydesk.config import Settings
    from copydesk.featurize.minhash import band_keys
    from copydesk.store import open_store

    s = Settings()
    args.work.mkdir(parents=True, exist_ok=True)
    db = args.work / f"bands-{args.n}.db"
    corpus = build(args.n)
    texts = [a["text"] for a in corpus.articles]
    ids = [a["id"] for a in corpus.articles]
    if not db.exists():
        t = time.perf_counter()
        store = open_store(str(db))  # the store's schema
        store.close()
        keys = band_keys(corpus_signatures(texts, s), s.lsh_bands)
        con = sqlite3.connect(db)
        with con:
            con.executemany(
                "INSERT INTO bands (band, key, article_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                ((b, int(k), ids[i]) for i in range(len(ids)) for b, k in enumerate(keys[i])),
            )
        con.close()
        print(f"store: {args.n} articles x {s.lsh_bands} band rows in {time.perf_counter() - t:.1f} s", flush=True)

    rng = random.Random(11)
    vocab = sorted({w for t in texts[:300] for w in t.split() if w.isalpha()})
    picks = rng.sample(range(len(texts)), args.queries)
    new = [near_copy(texts[i], rng, vocab) if k % 2 == 0 else texts[picks[(k + 1) % len(picks)]][::-1]
           for k, i in enumerate(picks)]
    qkeys = band_keys(corpus_signatures(new, s), s.lsh_bands)

    store = open_store(str(db))
    try:
        t = time.perf_counter()
        got = [store.band_candidates(f"new-{k}", qkeys[k].tolist()) for k in range(len(new))]
        secs = time.perf_counter() - t
    finally:
        store.close()
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    nb = min(args.baseline_queries, len(new))
    t = time.perf_counter()
    base = []
    for k in range(nb):
        values = ",".join("(?, ?)" for _ in range(s.lsh_bands))
        params = [x for b, key in enumerate(qkeys[k].tolist()) for x in (b, int(key))]
        rows = con.execute(
            f"SELECT DISTINCT article_id FROM bands WHERE (band, key) IN (VALUES {values})", params
        ).fetchall()
        base.append({r[0] for r in rows})
    bsecs = time.perf_counter() - t
    con.close()
    same = all(base[k] == got[k] for k in range(nb))
    with_hits = sum(1 for g in got if g)
    rows = [
        {"system": "copydesk", "n_stored": args.n, "queries": len(new), "seconds": round(secs, 3),
         "articles_per_s": round(len(new) / secs, 1), "queries_with_candidates": with_hits},
        {"system": "in-values", "n_stored": args.n, "queries": nb, "seconds": round(bsecs, 3),
         "articles_per_s": round(nb / bsecs, 1)},
    ]
    ratio = rows[0]["articles_per_s"] / rows[1]["articles_per_s"]
    for r in rows:
        print(f"{r['system']:<10} stored={r['n_stored']:<7} queries={r['queries']:<5} {r['seconds']:>8.3f} s "
              f"{r['articles_per_s']:>10.1f} articles/s", flush=True)
    print(f"copydesk / in-values: {ratio:.0f}x; {with_hits} of {len(new)} new articles have band candidates; "
          f"same candidates on the baseline's {nb}: {same}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
