"""The stage functions both batch engines call: per chunk of articles, per pair, per component.

They wrap the stages (``analyze.analyze_batch``, ``score.score_cheap`` / ``score_aligned``,
``place.place_component``) in the order the incremental runner applies them, on plain records (dicts of str/bytes/int/list) that a
Spark row or a Parquet file can carry. Records use the store's own serialisation
(``analysis_to_json``, ``features_to_row``, ``pair_to_json``), so an article reloaded by
either engine is the article the store path would reload.

Determinism across engines: the int8 embedder quantises activations per token, so a
text's vector does not depend on its batch-mates or padding; document and sentence vectors
are functions of their text alone, in any engine, partition or order. Each distinct sentence text is encoded once per run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..analyze import analyze_batch, rare_entities, sentence_vectors
from ..cluster import components, within_groups
from ..config import Settings
from ..featurize.minhash import band_keys
from ..featurize.terms import vocabulary
from ..place import LINKED, place_component
from ..records import AnalysisRow, Article, Pair, Placement, Story, TermStats
from ..score import RelationModel, score_aligned
from ..store.codec import (
    analysis_to_json,
    article_record,
    features_to_row,
    pair_from_record,
    pair_record,
)


@dataclass(frozen=True, slots=True)
class BatchSettings:
    """Scheduling knobs of ``copydesk batch`` (results do not depend on them except where noted)."""

    chunk_size: int = 64  # articles per analysis task (the unit Spark schedules)
    # k-means buckets each article joins (a result, not only a schedule: it changes the semantic
    # candidates once there are several buckets, above 2,000 articles): the fewest whose rewrite-candidate
    # recall at 100k is within 0.01 of exact search (bench/probes.py: 2 -> 0.922, 3 -> 0.966, 4 -> 0.977,
    # exact 0.983)
    semantic_probes: int = 4
    semantic_bucket: int = 2_000  # target bucket size; below it the vector search is exact
    max_semantic_bucket: int = 6_000  # larger buckets are split again
    kmeans_per_centroid: int = 64  # training sample per centroid
    kmeans_iters: int = 10
    max_band_bucket: int = 1_000  # larger LSH buckets are linked as a star

    def __post_init__(self) -> None:
        for name in (
            "chunk_size",
            "semantic_probes",
            "semantic_bucket",
            "kmeans_per_centroid",
            "kmeans_iters",
            "max_band_bucket",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1")
        if self.max_semantic_bucket < self.semantic_bucket:
            raise ValueError("max_semantic_bucket must be >= semantic_bucket")


def batch_settings(settings: Settings | None = None) -> Settings:
    """The analyze settings a batch run uses: the defaults, without claim checking."""
    return (settings or Settings()).with_(claims=False)


# -- per chunk: ingest -> clean -> segment -> featurize ----------------------------------------






def analyze_chunk(articles: Sequence[Article], settings: Settings) -> list[dict[str, Any]]:
    """Per-article stages for one chunk, in id order (so embedding batches are fixed)."""
    arts = sorted(articles, key=lambda a: a.id)
    if not arts:
        return []
    rows = analyze_batch(arts, settings)
    bands = band_keys(np.vstack([r.features.signature for r in rows]), settings.lsh_bands)
    out = []
    for i, r in enumerate(rows):
        rec = article_record(r.article)
        rec["analysis"] = analysis_to_json(r.clean, r.sentences)
        rec.update(features_to_row(r.features))
        rec["bands"] = [int(k) for k in bands[i]]
        rec["ents"] = rare_entities(r.features.entities, settings)
        rec["vocab"] = vocabulary(r.clean.text)  # for the corpus document frequencies
        out.append(rec)
    return out


# -- sentence vectors (second scoring tier, tracing) --------------------------------------------


# -- per pair ------------------------------------------------------------------------------------


# -- per component: align, complete, cluster, trace ---------------------------------------------

FirstTier = Mapping[tuple[str, str], tuple[dict[str, float] | None, Pair]]


@dataclass
class Placed:
    """What one component produced: output rows and the pairs it (re)scored."""

    articles: list[dict[str, Any]]
    stories: list[dict[str, Any]]
    new_pairs: list[dict[str, Any]]


def place_batch_component(
    members: Sequence[str],
    rows: Mapping[str, AnalysisRow],
    first: FirstTier,
    svecs: Mapping[str, np.ndarray],
    settings: Settings,
    model: RelationModel,
    terms: TermStats,
) -> Placed:
    """Placement of one component of first-tier links, as the incremental runner would place it.
    ``terms``: the document frequencies over the whole input (at least of the members' terms).

    ``first`` holds the first-tier pairs among the members: ``(x, pair)``, with ``x`` (the
    cheap features) set for the pairs that need the second tier. Here: the second tier for
    those; the final components (a second-tier pair is never unrelated when its first tier
    was not, but splitting on the final links keeps this exact for any model); per final
    component, ``place.place_component``. Pairs are used as the store reloads them.

    ``svecs`` holds sentence vectors computed upstream (per chunk, for the members of
    components); any still missing are encoded here together, in id order.
    """
    have = dict(svecs)

    def get_svecs(ids: Sequence[str]) -> dict[str, np.ndarray]:
        want = sorted(i for i in ids if i not in have)
        if want:
            have.update(sentence_vectors([rows[i] for i in want], settings))
        return {i: have[i] for i in ids}

    first = {k: v for k, v in first.items() if k[0] in rows and k[1] in rows}
    need = [k for k, (x, _p) in first.items() if x is not None]
    sv = get_svecs(sorted({i for k in need for i in k})) if need else {}
    pairs: dict[tuple[str, str], Pair] = {}
    out_pairs: list[dict[str, Any]] = []
    for k, (x, p) in sorted(first.items()):
        if x is not None:
            p = score_aligned(k[0], k[1], x, sv[k[0]], sv[k[1]], model)
            out_pairs.append(pair_record(p))
        pairs[k] = pair_from_record(pair_record(p))  # as the store reloads it
    art_rows: list[dict[str, Any]] = []
    story_rows: list[dict[str, Any]] = []
    linked = [k for k, p in pairs.items() if p.relation in LINKED]
    final = components(sorted(rows), linked)
    for comp, cpairs in zip(final, within_groups(final, pairs), strict=True):
        placed = place_component(comp, cpairs, rows, get_svecs, settings, model, lambda _terms: terms)
        out_pairs.extend(pair_record(p) for _k, p in sorted(placed.new_pairs.items()))
        story_rows.extend(story_output(st) for st in placed.stories)
        art_rows.extend(article_output(rows[pl.article_id], pl) for pl in placed.placements)
    return Placed(art_rows, story_rows, out_pairs)


# -- output rows (the Parquet tables) --------------------------------------------------------------


def article_output(row: AnalysisRow, placement: Placement) -> dict[str, Any]:
    """A row of the ``articles`` table."""
    return {
        "id": row.article.id,
        "title": row.clean.title,
        "story": placement.story,
        "family": placement.family,
        "relation": placement.relation,
        "source": placement.source,
        "score": placement.score,
        "artifacts": [
            {"kind": a.kind, "start": a.start, "end": a.end, "text": a.text} for a in row.clean.artifacts
        ],
    }


def story_output(story: Story) -> dict[str, Any]:
    """A row of the ``stories`` table."""
    return {
        "id": story.id,
        "title": story.title,
        "articles": list(story.articles),
        "reference": story.reference,
        "families": [list(f) for f in story.families],
        "common_source_missing": bool(story.common_source_missing),
        "evidence": list(story.evidence),
    }
