"""Cost of claim checking on one 20-article story (a benchmark, not a test).

Takes the ``--articles`` first documents of the largest gold story of ECB+ (``$COPYDESK_DATA/
ecbplus/documents.jsonl``: 20 reports of one event by different outlets) and runs, in fresh
stores, ``copydesk analyze`` with claim checking (alignment, claims, dropped sentences, story
facts) and the named baseline ``--no-claims`` (the same command without them), each
``--repeat`` times. The claim checking cost is the difference of the medians; both include
process start and model load.

    python bench/claims_story.py --articles 20 --repeat 3
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    data = Path(os.environ.get("COPYDESK_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
    docs = [json.loads(line) for line in (data / "ecbplus" / "documents.jsonl").open(encoding="utf-8")]
    story, _ = collections.Counter(d["story_id"] for d in docs).most_common(1)[0]
    chosen = [d for d in docs if d["story_id"] == story][: args.articles]
    exe = str(Path(sys.executable).with_name("copydesk"))
    with tempfile.TemporaryDirectory(prefix="copydesk-claims-bench-") as tmp:
        src = Path(tmp) / "story.jsonl"
        src.write_text("".join(json.dumps({"id": str(d["doc_id"]), "text": d["text"]}) + "\n" for d in chosen))
        times: dict[str, list[float]] = {"with-claims": [], "no-claims": []}
        out: dict[str, dict] = {}
        for r in range(args.repeat):
            for name, extra in (("with-claims", []), ("no-claims", ["--no-claims"])):
                db, js = Path(tmp) / f"{name}-{r}.db", Path(tmp) / f"{name}-{r}.json"
                t = time.perf_counter()
                subprocess.run([exe, "analyze", str(src), "--db", str(db), "-q", "--json", str(js), *extra],
                               check=True, capture_output=True)
                times[name].append(time.perf_counter() - t)
                out[name] = json.loads(js.read_text())
    rep = out["with-claims"]
    arts = rep["articles"]
    biggest = max(rep["stories"], key=lambda s: len(s["articles"]))
    n_claims = sum(len(a.get("claims", [])) for a in arts)
    n_sent = sum(len(a.get("alignment", [])) for a in arts)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"ECB+ story {story}: {len(chosen)} articles, {n_sent} sentences aligned, {n_claims} claims checked; "
          f"largest predicted story {len(biggest['articles'])} articles, {len(biggest.get('facts', []))} facts")
    for k, v in times.items():
        print(f"{k:<12} median {med[k]:.2f} s  runs {', '.join(f'{x:.2f}' for x in v)}")
    print(f"claim checking adds {med['with-claims'] - med['no-claims']:.2f} s "
          f"({med['with-claims'] / med['no-claims']:.2f}x the --no-claims run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
