"""The local engine: every batch stage on one machine, with dicts where Spark has shuffles.

The order of work mirrors :mod:`.spark` step by step; both call the functions of
:mod:`.stages` and :mod:`.candidates` on the same groups (chunks, buckets, components).
Per-article analysis runs in one worker process per core, sentences are encoded by the
driver's encoder threads, the rest runs in the driver; the tables do not depend on the
number of cores (``tests/test_batch.py``).
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import candidates as C
from ..analyze import assemble_sentence_vectors, encode_sentences, sentence_texts
from ..cluster import components
from ..config import Settings
from ..place import LINKED
from ..records import AnalysisRow, Article, Features, TermStats
from ..score import RelationModel, default_model, needs_alignment, score_cheap
from ..store.codec import doc_vector_of, features_from_record, pair_from_record, pair_record, row_from_record
from .stages import BatchSettings, analyze_chunk, place_batch_component
from .workers import ArticleWorkers

# ``progress(stage, done, total)``, both counts in articles: ``analyze`` (articles analysed), ``score``
# (candidates found and first tier scored, the share of pairs done scaled to the articles), ``encode``
# (sentence vectors of the articles in components of several, the share of distinct sentences done
# scaled to those articles), ``place`` (articles placed). Each stage reports its total when it starts
# and ``done == total`` when it ends.
Progress = Callable[[str, int, int], None]
PROGRESS_STEP = 2_048  # pairs scored between two progress calls
ENCODE_STEP = 4_096  # distinct sentences encoded between two progress calls


def _quiet(phase: str, done: int, total: int) -> None:
    pass


@dataclass
class BatchResult:
    articles: list[dict[str, Any]]
    pairs: Any  # a pyarrow Table (a, b, relation, score, scores): a million pairs fit in little memory
    stories: list[dict[str, Any]]
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    vectors: tuple[list[str], np.ndarray] | None = None  # document vectors, when asked for


def pairs_table(scored: list[tuple], new_pairs: list[dict[str, Any]]):
    """The pairs table: first-tier pairs that need no alignment, plus every pair the
    components (re)scored, sorted by (a, b)."""
    import pyarrow as pa

    from .tables import arrow_schemas

    keep = [r for r in scored if r[5] is None] + [
        (p["a"], p["b"], p["relation"], p["score"], p["scores"], None) for p in new_pairs
    ]
    keep.sort(key=lambda r: (r[0], r[1]))
    cols = list(zip(*keep, strict=True)) if keep else [(), (), (), (), (), ()]
    names = ["a", "b", "relation", "score", "scores"]
    return pa.Table.from_arrays([pa.array(cols[k]) for k in range(5)], schema=arrow_schemas()["pairs"]).select(names)


Scored = list[tuple[str, str, str, float, str, str | None]]


def run_local(
    articles: Sequence[Article],
    settings: Settings,
    bs: BatchSettings | None = None,
    model: RelationModel | None = None,
    progress: Progress | None = None,
    keep_vectors: bool = False,
) -> BatchResult:
    """The batch pipeline on one machine, in the steps of the Spark job: analysis, candidates,
    first tier, components, sentence vectors, placement; ``timings`` holds each step's seconds."""
    bs = bs or BatchSettings()
    model = model or default_model()
    progress = progress or _quiet
    timings: dict[str, float] = {}
    counts: dict[str, int] = {"articles": len(articles)}
    t0 = time.perf_counter()

    records = _analyze(articles, settings, bs, progress)
    terms = _term_stats(records)
    timings["analyze"] = time.perf_counter() - t0

    t = time.perf_counter()
    progress("score", 0, len(records))
    vecs = np.vstack([doc_vector_of(r) for r in records]) if records else None
    cands = C.candidate_pairs(
        [r["id"] for r in records], [r["bands"] for r in records], [r["ents"] for r in records], vecs,
        settings, bs, counts,
    )
    del vecs
    timings["candidates"] = time.perf_counter() - t

    t = time.perf_counter()
    scored = _first_tier(records, cands, model, progress)
    del cands
    counts["pairs_aligned"] = sum(1 for r in scored if r[5] is not None)
    timings["score"] = time.perf_counter() - t

    # connected components over first-tier links (the second tier never adds a link)
    t = time.perf_counter()
    comps = components([r["id"] for r in records], [(r[0], r[1]) for r in scored if r[2] in LINKED])
    in_comp = _pairs_by_component(comps, scored)
    timings["components"] = time.perf_counter() - t

    # sentence vectors of the members of components, each distinct sentence encoded once
    t = time.perf_counter()
    rows = _RowCache({r["id"]: r for r in records})
    needed = sorted(m for comp in comps if len(comp) > 1 for m in comp)
    svecs = _sentence_vectors([rows.get(i) for i in needed], settings, progress)
    counts["sentence_vectors"] = len(svecs)
    timings["sentence_vectors"] = time.perf_counter() - t

    t = time.perf_counter()
    out_articles, out_stories, new_pairs = _place(
        comps, in_comp, scored, rows, svecs, settings, model, terms, progress
    )
    timings["place"] = time.perf_counter() - t
    out_pairs = pairs_table(scored, new_pairs)
    del scored
    counts["pairs"] = out_pairs.num_rows
    timings["total"] = time.perf_counter() - t0
    vectors = None
    if keep_vectors:
        vectors = ([r["id"] for r in records], np.vstack([doc_vector_of(r) for r in records]))
    return BatchResult(out_articles, out_pairs, out_stories, timings, counts, vectors)


def _analyze(
    articles: Sequence[Article], settings: Settings, bs: BatchSettings, progress: Progress
) -> list[dict[str, Any]]:
    """Per chunk: clean, segment, featurize (fixed chunks, id order inside), one worker process
    per core; the records in id order."""
    chunks = C.n_chunks(len(articles), bs.chunk_size)
    groups: dict[int, list[Article]] = defaultdict(list)
    for a in articles:
        groups[C.chunk_of(a.id, chunks)].append(a)
    records: list[dict[str, Any]] = []
    progress("analyze", 0, len(articles))
    with ArticleWorkers(settings.n_threads, settings) as workers:
        for recs in workers.map(analyze_chunk, [groups[c] for c in sorted(groups)]):
            records.extend(recs)
            progress("analyze", len(records), len(articles))
    records.sort(key=lambda r: r["id"])
    return records


def _term_stats(records: list[dict[str, Any]]) -> TermStats:
    """The corpus document frequencies over every record (each record's ``vocab``, dropped here)."""
    df: Counter[str] = Counter()
    for r in records:
        df.update(r.pop("vocab"))
    return TermStats(len(records), df)


def _first_tier(
    records: Sequence[dict[str, Any]], cands: Sequence[tuple[str, str]], model: RelationModel,
    progress: Progress = _quiet,
) -> Scored:
    """The first tier of every candidate (the second runs per component, where it is needed), kept
    in stored form as the Spark job carries it: one tuple (a, b, relation, score, scores JSON,
    cheap features JSON if the pair needs alignment). Progress: the ``score`` stage, in articles."""
    feats: dict[str, Features] = {r["id"]: features_from_record(r) for r in records}
    scored: Scored = []
    n = len(records)
    for j, (a, b) in enumerate(cands, 1):
        x, p = score_cheap(a, b, feats[a], feats[b], model)
        rec = pair_record(p)
        scored.append((a, b, rec["relation"], rec["score"], rec["scores"],
                       json.dumps(x) if needs_alignment(p) else None))
        if j % PROGRESS_STEP == 0:
            progress("score", j * n // len(cands), n)
    progress("score", n, n)
    return scored


def _sentence_vectors(rows: Sequence[AnalysisRow], settings: Settings, progress: Progress) -> dict[str, np.ndarray]:
    """``analyze.sentence_vectors`` of ``rows`` (each distinct sentence encoded once), encoded in
    slices so that the ``encode`` stage shows progress, in articles; a sentence's vector does not
    depend on what it is encoded with (``encode_sentences``), so the slices change no vector."""
    texts = sentence_texts(rows)
    n = len(rows)
    progress("encode", 0, n)
    parts = []
    for k in range(0, len(texts), ENCODE_STEP):
        parts.append(encode_sentences(texts[k : k + ENCODE_STEP], settings))
        progress("encode", min(k + ENCODE_STEP, len(texts)) * n // len(texts), n)
    progress("encode", n, n)
    vecs = np.vstack(parts) if parts else encode_sentences([], settings)
    return assemble_sentence_vectors(rows, dict(zip(texts, vecs, strict=True)))


def _pairs_by_component(comps: Sequence[Sequence[str]], scored: Scored) -> dict[int, list[int]]:
    """Component index -> indices (into ``scored``) of its pairs, for components of several articles."""
    comp_of = {m: i for i, comp in enumerate(comps) if len(comp) > 1 for m in comp}
    in_comp: dict[int, list[int]] = defaultdict(list)
    for j, r in enumerate(scored):
        c = comp_of.get(r[0])
        if c is not None and comp_of.get(r[1]) == c:
            in_comp[c].append(j)
    return in_comp


class _RowCache:
    """Analysis rows rebuilt from records on first use, dropped once their component is placed."""

    def __init__(self, by_id: dict[str, dict[str, Any]]) -> None:
        self.by_id = by_id
        self.rows: dict[str, AnalysisRow] = {}

    def get(self, i: str) -> AnalysisRow:
        r = self.rows.get(i)
        if r is None:
            r = self.rows[i] = row_from_record(self.by_id[i])
        return r

    def drop(self, i: str) -> None:
        self.rows.pop(i, None)


def _place(
    comps: Sequence[Sequence[str]],
    in_comp: dict[int, list[int]],
    scored: Scored,
    rows: _RowCache,
    svecs: dict[str, np.ndarray],
    settings: Settings,
    model: RelationModel,
    terms: TermStats,
    progress: Progress,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Per component: second tier, completion, stories, tracing (``place_batch_component``); the
    article and story rows sorted by id, and the pairs the components (re)scored. Each
    component's rows and sentence vectors are freed once it is placed."""
    out_articles: list[dict[str, Any]] = []
    out_stories: list[dict[str, Any]] = []
    new_pairs: list[dict[str, Any]] = []
    n_articles = sum(len(comp) for comp in comps)
    progress("place", 0, n_articles)
    placed_articles = 0
    for i, comp in enumerate(comps):
        comp_rows = {m: rows.get(m) for m in comp}
        comp_first = {}
        for j in in_comp.get(i, ()):
            a, b, rel, score, scores, x = scored[j]
            pair = pair_from_record({"a": a, "b": b, "relation": rel, "score": score, "scores": scores})
            comp_first[(a, b)] = (json.loads(x) if x is not None else None, pair)
        comp_svecs = {m: svecs[m] for m in comp if m in svecs}
        placed = place_batch_component(comp, comp_rows, comp_first, comp_svecs, settings, model, terms)
        out_articles.extend(placed.articles)
        out_stories.extend(placed.stories)
        new_pairs.extend(placed.new_pairs)
        for m in comp:
            rows.drop(m)
            svecs.pop(m, None)
        placed_articles += len(comp)
        progress("place", placed_articles, n_articles)
    out_articles.sort(key=lambda r: r["id"])
    out_stories.sort(key=lambda r: r["id"])
    return out_articles, out_stories, new_pairs
