#!/usr/bin/env python
"""Reference accuracy when the ORIGINAL has edited copies: the mirror of the bent set.

Usage::

    python scripts/mirror_bent_reference.py [--data $COPYDESK_DATA/llmfake/pairs.jsonl] [--seed 20]

``scripts/build_bent_rewrites.py`` bends the faithful paraphrase, never the original, so a ranking
that discounts edited copies could gain there only because of how that set is built. This script
builds the other case: each LLMFake original with its derived texts and up to four bent copies of
the original itself (numbers, dates, names, a fabricated paragraph; the same edit functions and
seeds), analyses them through the product's pipeline, and traces each story
(``trace.trace_story``) three ways: as shipped (near-copy groups count as one opponent, and inside a
group of three or more versions the medoid comes first: session 25), the groups without the medoid
(sessions 22-24), and every member its own group (the sums before session 22). It prints the share of
stories whose reference is the original, each way. The data is read at run time and never copied.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build_bent_rewrites as bent  # noqa: E402

EDITS = (bent.bend_numbers, bent.bend_dates, bent.bend_names, bent.bend_fabricated)


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import copydesk.trace as trace
    from copydesk.evaluate import rewrites
    from copydesk.records import Article
    from copydesk.score import default_model

    data = Path(os.environ.get("COPYDESK_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=data / "llmfake" / "pairs.jsonl")
    ap.add_argument("--seed", type=int, default=20)
    args = ap.parse_args(argv)

    derived: dict[str, list[str]] = defaultdict(list)
    for p in rewrites.load(args.data):
        derived[p["original"]].append(p["derived"])
    arts: list[Article] = []
    stories: dict[str, list[str]] = {}
    for k, text in enumerate(sorted(derived)):
        oid = f"o{k:04d}"
        members = [oid]
        arts.append(Article(oid, text))
        for j, d in enumerate(derived[text]):
            arts.append(Article(f"{oid}-d{j}", d))
            members.append(f"{oid}-d{j}")
        n_bent = 0
        for edit in EDITS:
            t = edit(text, bent._rng(args.seed, oid, edit.__name__))
            if t and t != text:
                arts.append(Article(f"{oid}-b{n_bent}", t))
                members.append(f"{oid}-b{n_bent}")
                n_bent += 1
        if n_bent:
            stories[oid] = sorted(members)
    model = default_model()
    _stored, rows, svecs, _stories, _placed = rewrites.analyse(arts, model)
    shipped, medoid = trace._copy_groups, trace._group_spread
    modes = (
        ("shipped", shipped, medoid),
        ("groups_without_medoid", shipped, lambda *args: {}),
        ("member_sums", lambda ms, copies: {m: m for m in ms}, medoid),
    )
    out = {}
    for mode, groups, spread in modes:
        trace._copy_groups, trace._group_spread = groups, spread
        hits = [trace.trace_story(m, rows, svecs, {}, model).story.reference == o for o, m in stories.items()]
        out[mode] = {"reference_accuracy": round(sum(hits) / len(hits), 4), "stories": len(hits)}
    trace._copy_groups, trace._group_spread = shipped, medoid
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
