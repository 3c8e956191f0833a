"""`copydesk eval align`: summary-sentence -> source-sentence alignment on SuperPAL-format files.

Each line is one gold alignment (``topic``, ``summary_sentence``, ``doc_sentence``). For each summary
sentence, the candidates are all distinct source sentences of its topic present in the file (the
full source documents are not shipped, so the pool is partial); they are ranked by the same scorer
as ``align.align`` (``align.similarity``: MiniLM cosine blended with a TF-IDF cosine whose IDF is
local to the topic's sentences), with all summary sentences of a topic scored in one call, as
``align.align`` scores all sentences of a rewrite against its source.

Metrics: ``recall_at_1`` (the top candidate is a gold sentence); ``gold_recall_at_3`` (the share of
all of a sentence's gold source sentences found in its top 3, averaged over summary sentences — a
sentence with more than three gold sources cannot reach 1, so ``gold_recall_at_3_ceiling`` gives the
best any ranking can score on the file); ``gold_recall_at_3_capped`` (the same share out of
min(3, gold)); ``mrr``; ``n`` (summary sentences); ``items_per_s``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from . import iter_jsonl

_BAD_LINE = (ValueError, KeyError, TypeError, AttributeError)  # AttributeError: a sentence is not a str


def _alignment(n: int, d: dict) -> tuple[str, str, str]:
    return str(d["topic"]), d["summary_sentence"].strip(), d["doc_sentence"].strip()


def load(path: Path, limit: int | None = None) -> dict[str, dict[str, set[str]]]:
    """{topic: {summary sentence: {gold source sentences}}} (``limit`` counts summary sentences)."""
    by: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    seen: set[tuple[str, str]] = set()
    # ``limit`` counts distinct summary sentences, not lines: every line is read (and checked).
    lines = iter_jsonl(path, None, "a SuperPAL alignment line", _alignment, errors=_BAD_LINE, detail=repr)
    for _, (topic, s, g) in lines:
        if (topic, s) not in seen:
            if limit is not None and len(seen) >= limit:
                continue
            seen.add((topic, s))
        by[topic][s].add(g)
    if not by:
        raise ValueError(f"{path}: no alignments")
    return {t: dict(v) for t, v in by.items()}


def run(path: Path, limit: int | None = None) -> dict:
    from ..align import similarity
    from ..config import Settings
    from ..featurize.embed import get_embedder

    data = load(path, limit)
    settings = Settings()
    emb = get_embedder()
    r1, g3, cap, ceil, rr = [], [], [], [], []
    t0 = time.perf_counter()
    for topic in sorted(data):
        sents = sorted(data[topic])
        cands = sorted({g for s in sents for g in data[topic][s]})
        vecs = emb.encode(sents + cands, max_tokens=settings.sentence_max_tokens)
        sim = similarity(sents, vecs[: len(sents)], cands, vecs[len(sents) :])
        for i, s in enumerate(sents):
            gold = data[topic][s]
            order = np.argsort(-sim[i], kind="stable")
            ranked = [cands[j] for j in order]
            top3 = set(ranked[:3])
            r1.append(ranked[0] in gold)
            g3.append(len(gold & top3) / len(gold))
            cap.append(len(gold & top3) / min(3, len(gold)))
            ceil.append(min(3, len(gold)) / len(gold))
            rr.append(1.0 / (1 + next(k for k, c in enumerate(ranked) if c in gold)))
    dt = time.perf_counter() - t0
    n = len(r1)
    return {
        "n": n,
        "recall_at_1": round(float(np.mean(r1)), 4),
        "gold_recall_at_3": round(float(np.mean(g3)), 4),
        "gold_recall_at_3_capped": round(float(np.mean(cap)), 4),
        "gold_recall_at_3_ceiling": round(float(np.mean(ceil)), 4),
        "mrr": round(float(np.mean(rr)), 4),
        "items_per_s": round(n / dt, 2) if dt > 0 else None,
    }
