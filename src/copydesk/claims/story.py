"""What each version of a story changed, sentence by sentence: its alignment with its source, the verdict
on each of its claims against all other versions, and the story's facts."""

from __future__ import annotations

import json
from collections.abc import Mapping

import numpy as np

from ..align import align, aligned_json, dropped_json, reconcile
from ..records import AnalysisRow, Fact
from ..trace import TracedStory
from .facts import story_facts
from .inputs import STATUSES, evidence_pool, sentence_units
from .verifier import claim_json, claim_record, judge_claims, warm_trained_support


def story_details(
    traced: TracedStory, rows: Mapping[str, AnalysisRow], svecs: Mapping[str, np.ndarray], settings
) -> tuple[dict[str, str], list[Fact] | None]:
    """(per-article detail JSON, the story's facts) for a traced story; (``{}``, None) for a story of one
    article. The caller attaches the facts to the story."""
    members = list(traced.story.articles)
    if len(members) < 2:
        return {}, None
    warm_trained_support()
    units = {m: sentence_units(rows[m]) for m in members}
    source = {p.article_id: p.source for p in traced.placements}
    out: dict[str, str] = {}
    for m in members:
        out[m] = _article_details(m, source[m], members, rows, units, svecs)
    return out, story_facts(members, rows, units, svecs, traced.story.reference)


def _article_details(
    m: str,
    src: str | None,
    members,
    rows: Mapping[str, AnalysisRow],
    units: Mapping[str, list],
    svecs: Mapping[str, np.ndarray],
) -> str:
    """The detail JSON of one article: alignment with its source, claims, dropped sentences, counts."""
    sents = rows[m].sentences
    vecs = svecs[m]
    others = [o for o in members if o != m]
    pool, pool_vecs = evidence_pool(others, rows, units, svecs)
    judged = judge_claims(m, sents, units[m], vecs, pool, pool_vecs)
    alignment: list[dict] = []
    dropped: list[dict] = []
    if src is not None:
        al = align(sents, vecs, src, rows[src].sentences, svecs[src])
        records = [claim_record(c, v) for c, v in judged]
        alignment = [aligned_json(a) for a in reconcile(al.sentences, records, src)]
        dropped = dropped_json(al)
    claims = [claim_json(c, v) for c, v in judged]
    heads = {(c["start"], c["end"]) for c in claims if c["status"] == "heading"}
    counts = {
        k: sum(1 for a in alignment if a["label"] == k and (a["start"], a["end"]) not in heads)
        for k in ("verbatim", "paraphrase", "added")
    }
    counts.update({k: sum(1 for c in claims if c["status"] == k) for k in STATUSES})
    return json.dumps(
        {"alignment": alignment, "claims": claims, "dropped": dropped, "counts": counts},
        ensure_ascii=False,
        separators=(",", ":"),
    )
