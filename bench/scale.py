"""Scale benchmark: copydesk against the tools users would pick instead, on one corpus.

    python bench/scale.py --n 10000 --json OUT.json [--systems a,b,...] [--master local[2]]

Systems (each runs in its own subprocess; ``peak_rss_mb`` is the larger of the sampled peak
of that process tree's summed proportional set size, PSS, every 0.2 s or less often when a
sample itself is slow, so Spark's JVM and Python workers count, and the child's own max RSS
plus its largest child's):

- ``copydesk-copies``: the copy path alone (shingles, MinHash, LSH, verification),
  ``copies.find_copies (bench/copies.py)`` (one process per 25,000 articles, at most one per
  core: one process below 50,000 articles here, two from 50,000 on);
- ``datasketch``: ``MinHash`` + ``MinHashLSH`` on the same word 5-shingles, the same
  threshold (the relation model's duplicate Jaccard) and the same verification;
- ``copydesk-local``: the whole batch pipeline without claim checking, one process
  (``copydesk batch --engine local``: read, analyze, candidates, score, cluster, trace, write);
- ``copydesk-spark``: the same through Spark ``local[2]`` (``--engine spark``);
- ``brute-force``: exact all-pairs cosine over copydesk's own document vectors (those the
  ``copydesk-local`` run computed), the same rule as the semantic path (top 30 at cosine
  >= 0.55); ``seconds`` is that search alone. The recall ceiling of the semantic path.

``recall_copies``: share of injected (source, copy) pairs found (a verified pair for the
copy systems; relation duplicate/rewrite or the same family for the pipelines; a
candidate for brute force). ``recall_rewrites``: share of LLMFake (original, rewrite)
pairs found (the same story for the pipelines). The corpus is described in ``corpus.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
SYSTEMS = ("copydesk-copies", "datasketch", "copydesk-local", "copydesk-spark", "brute-force")
BASELINE = {"copydesk-copies": "datasketch", "copydesk-local": "brute-force", "copydesk-spark": "copydesk-local"}


# -- memory of a process tree ------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            f = fh.read().rsplit(")", 1)[1].split()
        return int(f[11]) + int(f[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


class TreeMemory(threading.Thread):
    """Samples a process tree: peak summed PSS (``peak_mb``) and CPU time used (``cpu_s``)."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.peak_kb, self.done = pid, every, 0, threading.Event()
        self.ticks: dict[int, int] = {}

    def run(self) -> None:
        while not self.done.is_set():
            t = time.perf_counter()
            pids = _children(self.pid)
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(p) for p in pids))
            for p in pids:
                self.ticks[p] = max(self.ticks.get(p, 0), _cpu_ticks(p))
            # Reading PSS walks the page tables: on a process tree of several GB one sample takes
            # tens of ms, so wait at least 10x that (the sampler stays under ~10 % of a core).
            self.done.wait(max(self.every, 10 * (time.perf_counter() - t)))

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024

    @property
    def cpu_s(self) -> float:
        return sum(self.ticks.values()) / os.sysconf("SC_CLK_TCK")


# -- the systems (run in a child process) --------------------------------------------------------


def _load(corpus_path: Path):
    from corpus import Corpus

    return Corpus.read(corpus_path)


def _pair_recall(pairs: set[tuple[str, str]], truth: list[tuple[str, str]]) -> float:
    if not truth:
        return float("nan")
    return sum(1 for a, b in truth if (min(a, b), max(a, b)) in pairs) / len(truth)


def run_copies(corpus_path: Path, work: Path, master: str) -> dict:
    from copies import find_copies

    c = _load(corpus_path)
    ids = [a["id"] for a in c.articles]
    texts = [a["text"] for a in c.articles]
    t0 = time.perf_counter()
    pairs, _jac = find_copies(texts)  # one process per 25,000 texts, at most one per core
    secs = time.perf_counter() - t0
    found = {(min(ids[i], ids[j]), max(ids[i], ids[j])) for i, j in pairs.tolist()}
    return {"seconds": secs, "recall_copies": _pair_recall(found, c.copies),
            "recall_rewrites": _pair_recall(found, c.rewrites), "found_pairs": len(found)}


def run_datasketch(corpus_path: Path, work: Path, master: str) -> dict:
    import re

    from datasketch import MinHash, MinHashLSH

    from copydesk.config import Settings
    from copydesk.score import default_model

    s = Settings()
    threshold = default_model().duplicate_jaccard
    word = re.compile(r"[a-z0-9\u0080-\U0010ffff]+")  # copydesk's words: ASCII alnum or non-ASCII runs
    c = _load(corpus_path)
    ids = [a["id"] for a in c.articles]
    texts = [a["text"] for a in c.articles]
    t0 = time.perf_counter()
    k = s.shingle_size
    mhs = []
    for t in texts:
        w = word.findall(t.lower())
        sh = {" ".join(w[i : i + k]).encode("utf-8") for i in range(max(1, len(w) - k + 1))} if w else set()
        m = MinHash(num_perm=s.num_perm, seed=s.minhash_seed)
        m.update_batch(list(sh))
        mhs.append(m)
    lsh = MinHashLSH(threshold=threshold, num_perm=s.num_perm)
    with lsh.insertion_session() as sess:
        for i, m in enumerate(mhs):
            sess.insert(i, m)
    found = set()
    for i, m in enumerate(mhs):
        for j in lsh.query(m):
            if j > i and m.jaccard(mhs[j]) >= threshold:
                found.add((min(ids[i], ids[j]), max(ids[i], ids[j])))
    secs = time.perf_counter() - t0
    return {"seconds": secs, "recall_copies": _pair_recall(found, c.copies),
            "recall_rewrites": _pair_recall(found, c.rewrites), "found_pairs": len(found)}


def _overrides():
    """Settings for the pipelines: the defaults, or ``--set key=value`` changes (experiments)."""
    from dataclasses import fields

    from copydesk.config import Settings

    raw = json.loads(os.environ.get("COPYDESK_BENCH_SET", "{}"))
    types = {f.name: f.type for f in fields(Settings)}
    conv = {"int": int, "float": float, "bool": lambda v: v.lower() in ("1", "true", "yes")}
    return Settings().with_(**{k: conv.get(str(types[k]), str)(v) for k, v in raw.items()})


def _pipeline_recalls(articles, pairs, c) -> dict:
    fam = dict(zip(articles["id"], articles["family"], strict=True))
    story = dict(zip(articles["id"], articles["story"], strict=True))
    strong = {(a, b) for a, b, r in zip(pairs["a"], pairs["b"], pairs["relation"], strict=True)
              if r in ("duplicate", "rewrite")}

    def copy_found(a: str, b: str) -> bool:
        return (min(a, b), max(a, b)) in strong or fam.get(a) == fam.get(b)

    rc = sum(copy_found(a, b) for a, b in c.copies) / max(len(c.copies), 1)
    rr = sum(story.get(a) == story.get(b) for a, b in c.rewrites) / max(len(c.rewrites), 1)
    scored = set(zip(pairs["a"], pairs["b"], strict=True))
    cand = sum((min(a, b), max(a, b)) in scored for a, b in c.rewrites) / max(len(c.rewrites), 1)
    # candidate_recall_rewrites: the rewrite pair was scored at all (what candidates found);
    # the gap to recall_rewrites is the classifier's and the clustering's.
    return {"recall_copies": rc, "recall_rewrites": rr, "candidate_recall_rewrites": round(cand, 4),
            "stories": len(set(story.values()))}


def run_local(corpus_path: Path, work: Path, master: str) -> dict:
    import numpy as np
    import pandas as pd

    from copydesk.runners.inputs import read_local
    from copydesk.runners.local import run_local as run
    from copydesk.runners.stages import batch_settings
    from copydesk.runners.tables import prepare_out_dir, write_local

    c = _load(corpus_path)
    out = work / "local-out"
    t0 = time.perf_counter()
    arts, _skipped = read_local([str(corpus_path)])
    res = run(arts, batch_settings(_overrides()), keep_vectors=True)
    prepare_out_dir(out)
    for name in ("articles", "pairs", "stories"):
        write_local(out, name, getattr(res, name))
    secs = time.perf_counter() - t0
    ids, vecs = res.vectors
    np.save(work / "vectors.npy", vecs)
    (work / "vectors.ids.json").write_text(json.dumps(ids))
    row = {"seconds": secs, **_pipeline_recalls(pd.DataFrame(res.articles), res.pairs.to_pandas(), c)}
    row["stage_seconds"] = {k: round(v, 1) for k, v in res.timings.items()}
    row["counts"] = res.counts
    return row


def run_spark(corpus_path: Path, work: Path, master: str) -> dict:
    import pandas as pd

    from copydesk.runners.batch import run_batch

    c = _load(corpus_path)
    out = work / "spark-out"
    t0 = time.perf_counter()
    stats: dict = {}
    summary = run_batch([str(corpus_path)], engine="spark", out_dir=out, master=master, settings=_overrides(),
                        stats=stats)
    secs = time.perf_counter() - t0
    arts = pd.read_parquet(out / "articles")
    pairs = pd.read_parquet(out / "pairs")
    stages = stats.pop("stage_seconds", {})
    return {"seconds": secs, "summary": summary, **_pipeline_recalls(arts, pairs, c),
            "stage_seconds": {k: round(v, 1) for k, v in stages.items()}, "counts": stats}


def run_brute(corpus_path: Path, work: Path, master: str) -> dict:
    import numpy as np

    from copydesk.config import Settings

    c = _load(corpus_path)
    vec_path = work / "vectors.npy"
    if not vec_path.exists():
        raise SystemExit("brute-force needs the document vectors of a copydesk-local run in the same --work folder")
    ids = json.loads((work / "vectors.ids.json").read_text())
    vecs = np.load(vec_path)
    s = Settings()
    t0 = time.perf_counter()
    found: set[tuple[str, str]] = set()
    n = len(ids)
    for start in range(0, n, 2048):
        sims = vecs[start : start + 2048] @ vecs.T
        for r in range(sims.shape[0]):
            row = sims[r]
            row[start + r] = -1.0
            hits = np.flatnonzero(row >= s.vector_min_cosine)
            if len(hits) > s.vector_max_neighbours:
                hits = hits[np.argpartition(-row[hits], s.vector_max_neighbours)[: s.vector_max_neighbours]]
            a = ids[start + r]
            for h in hits.tolist():
                b = ids[h]
                found.add((a, b) if a < b else (b, a))
    secs = time.perf_counter() - t0
    return {"seconds": secs, "recall_copies": _pair_recall(found, c.copies),
            "recall_rewrites": _pair_recall(found, c.rewrites), "found_pairs": len(found)}


RUNNERS = {"copydesk-copies": run_copies, "datasketch": run_datasketch, "copydesk-local": run_local,
           "copydesk-spark": run_spark, "brute-force": run_brute}


# -- driver ------------------------------------------------------------------------------------


def run_system(system: str, corpus_path: Path, work: Path, master: str, timeout: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", system, "--corpus", str(corpus_path),
           "--work", str(work), "--master", master]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    mem = TreeMemory(proc.pid)
    mem.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        mem.done.set()
        return {"error": f"timed out after {timeout:.0f} s"}
    mem.done.set()
    mem.join()
    if proc.returncode != 0:
        return {"error": (err.strip().splitlines() or ["failed"])[-1]}
    res = json.loads(out.strip().splitlines()[-1])
    # Sampled tree PSS misses short peaks; the child's own max RSS (+ its largest child) bounds them.
    res["peak_rss_mb"] = round(max(mem.peak_mb, res.get("own_maxrss_mb", 0.0)), 1)
    res["cpu_seconds"] = round(mem.cpu_s, 1)  # whole process tree, including start-up
    return res


def fmt(x, spec: str) -> str:
    return "-" if x is None or (isinstance(x, float) and x != x) else format(x, spec)


def print_table(rows: list[dict]) -> None:
    by = {r["system"]: r for r in rows}
    width = max([16] + [len(r["system"]) for r in rows])
    print(f"{'system':{width}s} {'n':>7s} {'seconds':>9s} {'art/s':>9s} {'cpu s':>8s} {'peak MB':>8s} "
          f"{'rec copy':>8s} {'rec rw':>7s}  vs baseline")
    for r in rows:
        if "error" in r:
            print(f"{r['system']:{width}s} {r['n']:7d}  error: {r['error']}")
            continue
        note = ""
        name, _, label = r["system"].partition(" ")
        base_name = BASELINE.get(name, "")
        if label and base_name == "copydesk-local":
            base_name += " " + label
        base = by.get(base_name)
        if base and "error" not in base:
            if name == "copydesk-copies":
                note = (f"{r['articles_per_s'] / base['articles_per_s']:.1f}x datasketch speed, "
                        f"recall_copies {r['recall_copies'] - base['recall_copies']:+.3f}")
            elif name == "copydesk-local":
                note = f"recall_rewrites {r['recall_rewrites'] - base['recall_rewrites']:+.3f} vs brute-force"
            elif name == "copydesk-spark":
                note = f"{r['seconds'] / base['seconds']:.2f}x copydesk-local time"
        print(f"{r['system']:{width}s} {r['n']:7d} {r['seconds']:9.2f} {r['articles_per_s']:9.1f} "
              f"{fmt(r.get('cpu_seconds'), '8.1f')} {fmt(r.get('peak_rss_mb'), '8.0f')} {fmt(r['recall_copies'], '8.3f')} "
              f"{fmt(r['recall_rewrites'], '7.3f')}  {note}")
    for r in rows:  # per-stage wall seconds of the pipelines
        if r.get("stage_seconds"):
            print(f"  {r['system']} stages (s): " + ", ".join(f"{k} {v:.1f}" for k, v in r["stage_seconds"].items()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="corpus size (articles)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path, help="write the rows here")
    ap.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset of: " + ", ".join(SYSTEMS))
    ap.add_argument("--master", default="local[2]", help="Spark master for copydesk-spark")
    ap.add_argument("--work", type=Path, help="folder for the corpus and outputs (default: a temporary folder)")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per system")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="change a pipeline setting (copydesk.config.Settings) for an experiment; "
                         "rows are then labelled with the changes")
    ap.add_argument("--resume", action="store_true",
                    help="reuse rows already measured in --work for this n and seed (run systems one at a time)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        import resource

        res = RUNNERS[args.child](args.corpus, args.work, args.master)
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        res["own_maxrss_mb"] = own / 1024
        print(json.dumps(res))
        return 0

    changes = dict(kv.split("=", 1) for kv in args.set)
    if changes:
        from dataclasses import fields

        from copydesk.config import Settings

        names = {f.name for f in fields(Settings)}
        for k in changes:
            if k not in names:
                ap.error(f"--set {k}: not a setting (choose from {', '.join(sorted(names))})")
        os.environ["COPYDESK_BENCH_SET"] = json.dumps(changes)
    label = "".join(f" {k}={v}" for k, v in sorted(changes.items()))
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    bad = [s for s in systems if s not in SYSTEMS]
    if bad:
        ap.error(f"unknown system {bad[0]!r}; choose from {', '.join(SYSTEMS)}")
    if "brute-force" in systems and "copydesk-local" in systems:  # it reuses local's vectors
        systems = [s for s in systems if s != "brute-force"] + ["brute-force"]
    work = args.work or Path(tempfile.mkdtemp(prefix="copydesk-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    from corpus import build

    corpus_path = work / f"corpus-{args.n}-{args.seed}.jsonl"
    if not corpus_path.exists():
        c = build(args.n, args.seed)
        c.write(corpus_path)
        print(f"corpus: {len(c.articles)} articles, {len(c.copies)} copy pairs, {len(c.rewrites)} rewrite pairs "
              f"{c.kinds} -> {corpus_path}", file=sys.stderr)
    rows = []
    saved = work / "rows"
    saved.mkdir(exist_ok=True)
    for system in systems:
        tag = "".join(f"-{k}={v}" for k, v in sorted(changes.items()))
        done = saved / f"{system}-{args.n}-{args.seed}{tag}.json"
        if args.resume and done.exists():
            rows.append(json.loads(done.read_text()))
            print(f"{system}: measured earlier in {work}", file=sys.stderr)
            continue
        print(f"running {system} ...", file=sys.stderr, flush=True)
        res = run_system(system, corpus_path, work, args.master, args.timeout)
        row = {"system": system + (label if system in ("copydesk-local", "copydesk-spark") else ""), "n": args.n}
        if "error" in res:
            row["error"] = res["error"]
        else:
            row.update({
                "seconds": round(res["seconds"], 3),
                "articles_per_s": round(args.n / res["seconds"], 1),
                "peak_rss_mb": res["peak_rss_mb"],
                "recall_copies": round(res["recall_copies"], 4),
                "recall_rewrites": round(res["recall_rewrites"], 4),
            })
            for extra in ("cpu_seconds", "candidate_recall_rewrites", "stage_seconds", "counts", "found_pairs",
                          "summary"):
                if extra in res:
                    row[extra] = res[extra]
        rows.append(row)
        if "error" not in row:
            done.write_text(json.dumps(row))
        print(json.dumps(row), file=sys.stderr, flush=True)
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
