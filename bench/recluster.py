"""Re-cluster scored pairs into stories with other story similarities (an experiment, not the product).

    python bench/recluster.py --batch W/local-out --truth W/corpus-10000-7.jsonl.truth.json
    python bench/recluster.py --ecb                       # ECB+ dev through a temporary store

``--batch`` reads the pairs and articles tables of a ``copydesk batch`` run (``bench/scale.py
--work W`` leaves them in ``W/local-out``) and prints, per rule, the share of the corpus's LLM
rewrites in their original's story (``recall_rewrites``). ``--ecb`` analyses the ECB+ dev
documents as ``copydesk eval stories`` does and prints B-cubed F1 and ARI per rule. The pairs
are the product's; only the similarity that average-link and ``split_bimodal`` cluster on, or
the split rule, changes. The first rule is the product's own (``cluster.story_groups`` on P(story)).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from copydesk import cluster as CL
from copydesk.place import LINKED
from copydesk.records import Pair
from copydesk.score import default_model

FAMILY = ("duplicate", "rewrite")


def _p_story(p: Pair) -> float:
    return p.scores.get("p_story", 0.0)


def _family_one(p: Pair) -> float:
    return 1.0 if p.relation in FAMILY else _p_story(p)


def _family_or(p: Pair) -> float:
    ps = _p_story(p)
    return ps + p.scores.get("p_family", 0.0) * (1.0 - ps) if p.relation == "rewrite" else ps


Rule = Callable[[list[str], Mapping[tuple[str, str], Pair]], list[list[str]]]


def _similarity_rule(f: Callable[[Pair], float]) -> Rule:
    def rule(comp, pairs):
        return CL.story_groups(comp, {k: f(p) for k, p in pairs.items()}, default_model())

    return rule


def _no_split_across_rewrites(comp, pairs):
    m = default_model()
    sim = {k: _p_story(p) for k, p in pairs.items()}
    groups = CL.average_link(comp, sim, m.cluster_threshold)
    keep = [k for k, p in pairs.items() if p.relation in FAMILY]
    return CL.split_bimodal(groups, sim, m.split_ratio, m.split_min_part, keep=keep)


RULES: dict[str, Rule] = {
    "P(story) (the product)": _similarity_rule(_p_story),
    "1 for a duplicate or rewrite pair": _similarity_rule(_family_one),
    "P(story) + P(family)(1 - P(story)) for a rewrite pair": _similarity_rule(_family_or),
    "P(story), never split across a duplicate or rewrite pair": _no_split_across_rewrites,
}


def stories(ids: list[str], pairs: Mapping[tuple[str, str], Pair], rule: Rule) -> dict[str, str]:
    comps = CL.components(ids, [k for k, p in pairs.items() if p.relation in LINKED])
    out = {}
    for comp, cp in zip(comps, CL.within_groups(comps, pairs), strict=True):
        for g in rule(comp, cp):
            out.update({m: min(g) for m in g})
    return out


def batch_pairs(folder: Path) -> tuple[list[str], dict[tuple[str, str], Pair]]:
    import pandas as pd

    p = pd.read_parquet(folder / "pairs")
    ids = list(pd.read_parquet(folder / "articles")["id"])
    pairs = {
        (a, b): Pair(a, b, json.loads(s), r, sc)
        for a, b, r, sc, s in zip(p["a"], p["b"], p["relation"], p["score"], p["scores"], strict=True)
    }
    return ids, pairs


def ecb_pairs(data: Path) -> tuple[list[str], dict[tuple[str, str], Pair], list[str]]:
    from copydesk.config import Settings
    from copydesk.evaluate.stories import load
    from copydesk.records import Article
    from copydesk.runners.incremental import Pipeline
    from copydesk.store import open_store

    docs = load(data / "ecbplus" / "documents.jsonl")
    ids = [d["id"] for d in docs]
    with tempfile.TemporaryDirectory(prefix="copydesk-recluster-") as tmp:
        store = open_store(str(Path(tmp) / "ecb.db"))
        try:
            pipe = Pipeline(store, Settings(claims=False))
            pipe.ingest(Article(d["id"], d["text"]) for d in docs)
            pipe.place()
            pairs = store.pairs_among(ids)
        finally:
            store.close()
    return ids, pairs, [d["story"] for d in docs]


def main(argv: list[str] | None = None) -> int:
    import os

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batch", type=Path, help="a copydesk batch output folder (articles/, pairs/)")
    ap.add_argument("--truth", type=Path, help="the bench corpus's truth file (with --batch)")
    ap.add_argument("--ecb", action="store_true", help="ECB+ dev documents from $COPYDESK_DATA")
    args = ap.parse_args(argv)
    if not args.ecb and not (args.batch and args.truth):
        ap.error("give --batch and --truth, or --ecb")
    if args.batch:
        ids, pairs = batch_pairs(args.batch)
        truth = json.loads(args.truth.read_text())["rewrites"]
        for name, rule in RULES.items():
            st = stories(ids, pairs, rule)
            rr = sum(st[o] == st[r] for o, r in truth) / len(truth)
            print(f"{args.batch}  {name:58s} recall_rewrites {rr:.4f}  stories {len(set(st.values()))}")
    if args.ecb:
        from copydesk.evaluate.metrics import ari, bcubed

        data = Path(os.environ.get("COPYDESK_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
        ids, pairs, gold = ecb_pairs(data)
        for name, rule in RULES.items():
            st = stories(ids, pairs, rule)
            guess = [st[i] for i in ids]
            _p, _r, f = bcubed(gold, guess)
            print(f"ECB+  {name:58s} B3 F1 {f:.4f}  ARI {ari(gold, guess):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
