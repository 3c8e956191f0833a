"""Provenance of the benchmark corpus's known pairs, read off a ``copydesk analyze --json`` report.

    python bench/corpus.py --n 1000 --out C.jsonl
    copydesk analyze C.jsonl --no-claims -q --json R.json
    python bench/provenance.py C.jsonl.truth.json R.json [--json OUT]

For the corpus truth's (source, near-copy) and (original, LLM rewrite) pairs: the share whose
derived text has its true source as its ``source``, whose true source is an ancestor of it (up its
chain of sources), whose derived text is instead an ancestor of its source (the direction
reversed), that land in one story, and whose story's reference is the true source.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def ancestor(a: str, b: str, source: dict[str, str | None]) -> bool:
    """Is ``a`` up ``b``'s chain of sources?"""
    x, seen = source.get(b), set()
    while x is not None and x not in seen:
        if x == a:
            return True
        seen.add(x)
        x = source.get(x)
    return False


def provenance(truth: dict, report: dict) -> dict[str, dict[str, float]]:
    art = {a["id"]: a for a in report["articles"]}
    source = {k: a["source"] for k, a in art.items()}
    reference = {s["id"]: s["reference"] for s in report["stories"]}
    out = {}
    for name in ("copies", "rewrites"):
        pairs = [(s, d) for s, d in truth[name] if s in art and d in art]
        n = max(len(pairs), 1)
        out[name] = {
            "n": len(pairs),
            "source_is_true_source": sum(art[d]["source"] == s for s, d in pairs) / n,
            "true_source_is_ancestor": sum(ancestor(s, d, source) for s, d in pairs) / n,
            "reversed": sum(ancestor(d, s, source) for s, d in pairs) / n,
            "same_story": sum(art[d]["story"] == art[s]["story"] for s, d in pairs) / n,
            "reference_is_true_source": sum(reference[art[s]["story"]] == s for s, d in pairs) / n,
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("truth", type=Path)
    ap.add_argument("report", type=Path)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    got = provenance(json.loads(args.truth.read_text()), json.loads(args.report.read_text()))
    for name, row in got.items():
        print(f"{name:9s} " + "  ".join(f"{k} {v:.3f}" if k != "n" else f"n {v}" for k, v in row.items()))
    if args.json:
        args.json.write_text(json.dumps(got, indent=2))


if __name__ == "__main__":
    main()
