"""Benchmark of ``POST /articles`` on a running ``copydesk serve`` (a benchmark, not a test).

1. Builds a base store of --size articles (cached in --work):
   - the first 1,000 are real news analysed by the real pipeline: ECB+ documents and LLMFake
     originals with their GPT rewrites ($COPYDESK_DATA), or synthetic articles without the data;
   - beyond 1,000, the store is filled with *clones* of those analysed rows under new ids, each
     placed as a story of its own, with random MinHash signatures and random document vectors and
     no entity postings: bulk "other stories" that cost what a large store costs (row counts, index
     depth, the vector scan over every stored document) without being candidates of new articles.
     Analysing 100,000 articles for real takes hours on 2 cores (about 9 articles/s measured).
2. Serves a copy of that store and posts --posts new articles one at a time: p50/p99 latency.
   The new articles are LLMFake pairs (original, then its rewrite, which joins the original's
   story) or synthetic articles.
3. Load: --clients concurrent clients x --load-posts posts each (distinct articles plus a few
   posted by every client), p50/p99, no 5xx, and every article stored exactly once.

    python bench/api_latency.py --size 1000 --posts 40 --clients 8 --load-posts 25
    python bench/api_latency.py --size 100000 --posts 40 --clients 8 --load-posts 10
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the test helpers: server process, synthetic articles


def data_dir() -> Path | None:
    d = Path(os.environ.get("COPYDESK_DATA", ROOT.parent / "shared" / "data"))
    return d if (d / "llmfake" / "pairs.jsonl").exists() else None


def real_texts() -> tuple[list[dict], list[dict]]:
    """(base articles, articles to post later): ECB+ + the first LLMFake pairs; the other pairs."""
    d = data_dir()
    if d is None:
        return [], []
    base, later = [], []
    for line in (d / "ecbplus" / "documents.jsonl").read_text(encoding="utf-8").splitlines():
        o = json.loads(line)
        base.append({"id": f"ecb-{o['doc_id']}", "text": " ".join(o["sentences"])})
    pairs = [json.loads(x) for x in (d / "llmfake" / "pairs.jsonl").read_text(encoding="utf-8").splitlines()]
    pairs = [p for p in pairs if len(p["original_text"].split()) >= 40]
    n_base = max(0, (1000 - len(base)) // 2)
    for i, p in enumerate(pairs):
        pair = [{"id": f"llm-{p['id']}-orig", "text": p["original_text"]},
                {"id": f"llm-{p['id']}-rw", "text": p["derived_text"]}]
        (base if i < n_base else later).extend(pair)
    return base[:1000], later


def percentiles(xs: list[float]) -> dict:
    xs = sorted(xs)
    q = statistics.quantiles(xs, n=100, method="inclusive") if len(xs) > 1 else xs * 99
    return {"n": len(xs), "p50_ms": round(1000 * statistics.median(xs), 1), "p99_ms": round(1000 * q[98], 1),
            "mean_ms": round(1000 * statistics.fmean(xs), 1), "max_ms": round(1000 * xs[-1], 1)}


def build_base(path: Path, size: int, base_articles: list[dict]) -> None:
    from copydesk.config import Limits
    from copydesk.ingest import InputError, record_to_article
    from copydesk.runners.incremental import Pipeline
    from copydesk.store import open_store
    from webserver import synthetic_article

    real = path.with_name("base-1000.db")
    if not real.exists():
        t = time.perf_counter()
        tmp = real.with_suffix(".tmp.db")
        for f in tmp.parent.glob(tmp.name + "*"):
            f.unlink()
        store = open_store(str(tmp), lock=True)
        arts = []
        for a in base_articles or [synthetic_article(i, seed=1000) for i in range(1000)]:
            try:
                arts.append(record_to_article(a, Limits()))
            except InputError:
                pass
        pipe = Pipeline(store)
        pipe.ingest(arts)
        pipe.place()
        n = store.count_articles()
        store.close()
        for f in tmp.parent.glob(tmp.name + "[-.]*"):  # -wal, -shm, .lock
            f.unlink()
        tmp.rename(real)
        print(f"built {real} with {n} analysed articles in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    if size <= 1000:
        if path != real:
            shutil.copy(real, path)
        return
    t = time.perf_counter()
    shutil.copy(real, path)
    clone_into(path, size)
    print(f"built {path} with {size} articles (clones beyond the first 1,000) in {time.perf_counter() - t:.0f} s",
          file=sys.stderr)


def clone_into(path: Path, size: int, batch: int = 2000) -> None:
    import numpy as np

    from copydesk.records import AnalysisRow, Article, Features, Placement, Story
    from copydesk.store import open_store
    from copydesk.trace import family_id, story_id

    store = open_store(str(path), lock=True)
    ids = store.article_ids()
    rows = store.load_analyses(ids)
    rng = np.random.default_rng(7)
    n, k = len(ids), 0
    while n < size:
        chunk = []
        for _ in range(min(batch, size - n)):
            base = rows[ids[k % len(ids)]]
            k += 1
            aid = f"clone-{k:06d}"
            art = Article(aid, base.article.text, base.article.title, base.article.site, None, None, None)
            f = base.features
            vec = rng.standard_normal(f.doc_vector.shape[0]).astype(np.float32)
            vec /= np.linalg.norm(vec)
            feats = Features(aid, rng.integers(0, 2**32 - 1, f.signature.shape[0], dtype=np.uint32), vec,
                             {}, f.numbers, f.terms, f.n_tokens, f.n_artifacts)
            chunk.append(AnalysisRow(art, base.clean, base.sentences, feats))
        from copydesk.featurize.minhash import band_keys
        from copydesk.featurize.terms import vocabulary

        bands = band_keys(np.vstack([r.features.signature for r in chunk]), store_settings_bands())
        store.add_analyses(chunk, bands, [[] for _ in chunk], [vocabulary(r.clean.text) for r in chunk])
        stories, placements = [], []
        for r in chunk:
            m = r.article.id
            sid = story_id([m])
            stories.append(Story(sid, r.clean.title, (m,), m, ((m,),), common_source_missing=False))
            placements.append(Placement(m, sid, family_id([m]), "unrelated", source=None, score=None))
        store.replace_stories([], stories, placements, {})
        n += len(chunk)
    store.close()
    path.with_name(path.name + ".lock").unlink(missing_ok=True)


def store_settings_bands() -> int:
    from copydesk.config import Settings

    return Settings().lsh_bands


def post_sequential(url: str, articles: list[dict]) -> dict:
    import httpx

    times, rel = [], {}
    with httpx.Client(base_url=url, timeout=600) as c:
        for a in articles:
            t = time.perf_counter()
            r = c.post("/articles", json=a)
            times.append(time.perf_counter() - t)
            if r.status_code != 200:
                raise SystemExit(f"POST failed: {r.status_code} {r.text[:300]}")
            x = r.json()["articles"][0]
            rel[x["relation"]] = rel.get(x["relation"], 0) + 1
    return {**percentiles(times), "relations": rel}


def post_load(url: str, db: str, clients: int, per_client: int, pool: list[dict]) -> dict:
    import httpx

    from webserver import stored_ids

    shared = pool[:2]
    rest = pool[2:]
    if len(rest) < clients * per_client:
        raise SystemExit(f"not enough articles for the load test ({len(rest)})")
    before = set(stored_ids(db))

    def run(k: int) -> list[tuple[int, float, bool]]:
        out = []
        with httpx.Client(base_url=url, timeout=600) as c:
            for j in range(per_client):
                body = (shared[0] if j == 1 else shared[1] if j == per_client // 2
                        else rest[k * per_client + j])
                t = time.perf_counter()
                r = c.post("/articles", json=body)
                out.append((r.status_code, time.perf_counter() - t, "locked" in r.text.lower()))
        return out

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as ex:
        res = [x for xs in ex.map(run, range(clients)) for x in xs]
    wall = time.perf_counter() - t0
    ids = stored_ids(db)
    sent = {rest[k * per_client + j]["id"] for k in range(clients) for j in range(per_client)
            if j not in (1, per_client // 2)} | {a["id"] for a in shared}
    new = set(ids) - before
    return {**percentiles([t for _, t, _ in res]), "requests": len(res), "wall_s": round(wall, 1),
            "throughput_rps": round(len(res) / wall, 2),
            "status_counts": {str(s): sum(1 for x, _, _ in res if x == s) for s in sorted({x for x, _, _ in res})},
            "locked_errors": sum(1 for *_, lk in res if lk),
            "duplicates_in_store": len(ids) - len(set(ids)),
            "exactly_once": len(ids) == len(set(ids)) and new == sent}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=1000, help="articles in the store before posting")
    ap.add_argument("--posts", type=int, default=40, help="sequential single-article posts to time")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--load-posts", type=int, default=25, help="posts per client in the load test (0: skip)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/copydesk-bench"), help="folder for the stores")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args()

    from webserver import ServerProc, synthetic_article

    args.work.mkdir(parents=True, exist_ok=True)
    base_arts, later = real_texts()
    base = args.work / f"base-{args.size}.db"
    if not base.exists():
        build_base(base, args.size, base_arts)
    run_db = args.work / f"run-{args.size}.db"
    for f in args.work.glob(run_db.name + "*"):
        f.unlink()
    shutil.copy(base, run_db)
    need = args.posts + args.clients * args.load_posts + 10
    # Real texts first (LLMFake pairs); synthetic articles fill the rest of a long load test.
    pool = later + [synthetic_article(i, seed=2000) for i in range(max(0, need - len(later)))]
    seq, pool = pool[: args.posts], pool[args.posts :]
    srv = ServerProc(str(run_db)).start()
    try:
        out = {"store_articles": args.size, "texts": f"{min(len(later), need)} real (LLMFake), {max(0, need - len(later))} synthetic"}
        out["sequential"] = post_sequential(srv.url, seq)
        print(json.dumps(out, indent=2))
        if args.load_posts:
            out["load"] = {"clients": args.clients, "posts_per_client": args.load_posts,
                           **post_load(srv.url, str(run_db), args.clients, args.load_posts, pool)}
            print(json.dumps(out["load"], indent=2))
    finally:
        srv.stop()
        for f in args.work.glob(run_db.name + "*"):
            f.unlink()
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
