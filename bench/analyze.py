"""Wall time and peak memory of ``copydesk analyze`` (a benchmark, not a test).

For each ``--n`` it builds the benchmark corpus of ``bench/corpus.py`` (real articles, injected
near-copies, real LLM rewrites beside their originals, synthetic filler beyond the real ones),
then runs the real command in a fresh store, as a user would::

    copydesk analyze CORPUS.jsonl --db FRESH.db --no-claims -q --json OUT.json

twice: ``copydesk`` (one worker process and one encoder pass per core, the default) and the
named baseline ``one-core`` (the same command with ``COPYDESK_THREADS=1``), and prints articles/s,
the speed-up over the baseline, peak memory (summed PSS of the process tree, sampled every 0.2 s)
and memory per article. Both runs must write the same JSON report (the result does not depend on
the number of cores); the script fails if they differ.

    python bench/analyze.py --n 1000 10000 --json OUT.json [--claims] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import build  # noqa: E402
from scale import TreeMemory  # noqa: E402


def run_analyze(corpus: Path, work: Path, name: str, env: dict[str, str], claims: bool) -> dict:
    db, out = work / f"{name}.db", work / f"{name}.json"
    for f in work.glob(f"{name}.db*"):
        f.unlink()
    cmd = [str(Path(sys.executable).with_name("copydesk")), "analyze", str(corpus), "--db", str(db), "-q",
           "--json", str(out)]
    if not claims:
        cmd.append("--no-claims")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    mem = TreeMemory(proc.pid)
    mem.start()
    stdout, stderr = proc.communicate()
    secs = time.perf_counter() - t0
    mem.done.set()
    mem.join()
    if proc.returncode != 0:
        raise SystemExit(f"{name}: exit {proc.returncode}\n{stderr[-2000:]}")
    return {"seconds": round(secs, 1), "peak_mb": round(mem.peak_mb), "cpu_s": round(mem.cpu_s, 1),
            "report_sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
            "summary": ((stdout + stderr).strip().splitlines() or [""])[-1]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--work", type=Path, default=Path("/tmp/copydesk-bench-analyze"))
    ap.add_argument("--json", type=Path)
    ap.add_argument("--claims", action="store_true", help="with claim checking (default: --no-claims)")
    ap.add_argument("--skip-baseline", action="store_true", help="only the default run")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.n:
        corpus = args.work / f"corpus-{n}.jsonl"
        if not corpus.exists():
            build(n).write(corpus)
        runs = {"copydesk": {}} if args.skip_baseline else {"copydesk": {}, "one-core": {"COPYDESK_THREADS": "1"}}
        got = {name: run_analyze(corpus, args.work, f"{name}-{n}", env, args.claims) for name, env in runs.items()}
        for name, r in got.items():
            row = {"system": name, "n": n, **r, "articles_per_s": round(n / r["seconds"], 1),
                   "mb_per_1k_articles": round(r["peak_mb"] / n * 1000, 1)}
            if name != "one-core" and "one-core" in got:
                row["speedup_vs_one_core"] = round(got["one-core"]["seconds"] / r["seconds"], 2)
                row["same_report"] = r["report_sha256"] == got["one-core"]["report_sha256"]
            rows.append(row)
            print(f"{name:<10} n={n:<7} {r['seconds']:>8.1f} s {row['articles_per_s']:>7.1f} art/s "
                  f"peak {r['peak_mb']:>6} MB ({row['mb_per_1k_articles']} MB/1k) cpu {r['cpu_s']} s"
                  + (f"  {row['speedup_vs_one_core']}x one-core, same report: {row['same_report']}"
                     if "speedup_vs_one_core" in row else ""), flush=True)
            print(f"           {r['summary']}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    bad = [r for r in rows if r.get("same_report") is False]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
