"""Diff: what each version of a story changed, sentence by sentence.

Alignment is order-free and one-to-many (each sentence against every sentence of its
source); claims are judged against all other versions of the story by the verifier in
``claims``; facts are grouped across versions for corroboration.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

import numpy as np

from .claims import ClaimInput, EvidenceSentence, Verifier, default_verifier
from .records import Sentence, Unit
from .store.base import AnalysisRow

VERBATIM_SIM = 0.97
PARAPHRASE_SIM = 0.6
FACT_SIM = 0.72
MAX_SOURCES = 3
_NORM = re.compile(r"[\W_]+")


def _norm(s: str) -> str:
    return _NORM.sub(" ", s.lower()).strip()


def sentence_units(row: AnalysisRow) -> list[tuple[Unit, ...]]:
    from .featurize.units import extract_units

    return [tuple(extract_units(s.text, offset=s.start)) for s in row.sentences]


def align(sentences: Sequence[Sentence], vecs: np.ndarray, src_id: str, src_sentences: Sequence[Sentence],
          src_vecs: np.ndarray) -> tuple[list[dict], list[dict]]:
    """(alignment of each sentence against the source, source sentences left out)."""
    sim = vecs @ src_vecs.T if len(vecs) and len(src_vecs) else np.zeros((len(vecs), len(src_vecs)))
    out = []
    for i, s in enumerate(sentences):
        row = sim[i] if sim.shape[1] else np.zeros(0)
        order = np.argsort(-row, kind="stable")[:MAX_SOURCES] if len(row) else []
        matches = [j for j in order if row[j] >= PARAPHRASE_SIM]
        best = float(row[order[0]]) if len(order) else 0.0
        if matches and (best >= VERBATIM_SIM or _norm(s.text) == _norm(src_sentences[matches[0]].text)):
            label = "verbatim"
        elif matches:
            label = "paraphrase"
        else:
            label = "added"
        out.append({
            "sentence": s.text, "start": s.start, "end": s.end, "label": label,
            "source_sentences": [{"article": src_id, "text": src_sentences[j].text, "score": round(float(row[j]), 4),
                                  "start": src_sentences[j].start, "end": src_sentences[j].end} for j in matches],
        })
    dropped = []
    if sim.size:
        best_src = sim.max(axis=0)
        dropped = [{"article": src_id, "text": src_sentences[j].text, "start": src_sentences[j].start,
                    "end": src_sentences[j].end} for j in np.flatnonzero(best_src < PARAPHRASE_SIM)]
    elif len(src_sentences) and not len(sentences):
        dropped = [{"article": src_id, "text": s.text, "start": s.start, "end": s.end} for s in src_sentences]
    return out, dropped


def check_claims(article: str, sentences: Sequence[Sentence], units: Sequence[tuple[Unit, ...]], vecs: np.ndarray,
                 pool: Sequence[EvidenceSentence], pool_vecs: np.ndarray,
                 verifier: Verifier | None = None) -> list[dict]:
    """Verdict for every sentence of one text against a pool of evidence sentences."""
    verifier = verifier or default_verifier()
    out = []
    for i, s in enumerate(sentences):
        if len(s.text.split()) < 4:  # headlines fragments and labels are not claims
            continue
        claim = ClaimInput(article, s.text, s.start, s.end, units[i], vecs[i],
                           sentences[i - 1].text if i else "")
        v = verifier.judge(claim, pool, pool_vecs)
        out.append({
            "text": s.text, "start": s.start, "end": s.end, "kind": v.kind, "status": v.status,
            "score": round(v.score, 4), "reason": v.reason, "support": list(v.support),
            "evidence": [{"article": e.article, "text": e.text, "score": e.score} for e in v.evidence],
        })
    return out


def evidence_pool(ids: Sequence[str], rows: Mapping[str, AnalysisRow], units: Mapping[str, list],
                  svecs: Mapping[str, np.ndarray]) -> tuple[list[EvidenceSentence], np.ndarray]:
    pool: list[EvidenceSentence] = []
    vecs = []
    for aid in ids:
        sents = rows[aid].sentences
        for i, s in enumerate(sents):
            pool.append(EvidenceSentence(aid, i, s.text, units[aid][i], sents[i - 1].text if i else ""))
        vecs.append(svecs[aid])
    mat = np.vstack(vecs).astype(np.float32) if vecs else np.zeros((0, 384), np.float32)
    return pool, mat


def story_facts(members: Sequence[str], rows: Mapping[str, AnalysisRow], units: Mapping[str, list],
                svecs: Mapping[str, np.ndarray], reference: str) -> list[dict]:
    """Facts with the articles that state them: unit facts by normalised key, statements by similarity."""
    facts: dict[tuple[str, str], dict] = {}
    for aid in [reference] + [m for m in members if m != reference]:
        for su in units[aid]:
            for u in su:
                if u.kind not in ("number", "date", "quote"):
                    continue
                f = facts.setdefault((u.kind, u.key), {"text": u.text, "kind": u.kind, "support": []})
                if aid not in f["support"]:
                    f["support"].append(aid)
    out = [dict(f, support=sorted(f["support"])) for f in facts.values()]
    # Statement facts: greedy groups of mutually similar sentences, seeded from the reference.
    order = [reference] + [m for m in members if m != reference]
    taken: dict[str, set[int]] = {m: set() for m in members}
    for aid in order:
        va = svecs[aid]
        for i, s in enumerate(rows[aid].sentences):
            if i in taken[aid] or len(s.text.split()) < 6:
                continue
            support = [aid]
            taken[aid].add(i)
            for other in order:
                if other == aid or not len(svecs[other]):
                    continue
                sims = svecs[other] @ va[i]
                j = int(np.argmax(sims))
                if sims[j] >= FACT_SIM and j not in taken[other]:
                    taken[other].add(j)
                    support.append(other)
            out.append({"text": s.text, "kind": "statement", "support": sorted(support)})
    out.sort(key=lambda f: (-len(f["support"]), f["kind"], f["text"]))
    return out


def story_details(traced, rows: Mapping[str, AnalysisRow], svecs: Mapping[str, np.ndarray], settings) -> dict[str, str]:
    """Per-article detail JSON for a traced story; adds ``facts`` to the story payload."""
    members = traced.story["articles"]
    if len(members) < 2:
        return {}
    units = {m: sentence_units(rows[m]) for m in members}
    placement = {p["article_id"]: p for p in traced.placements}
    out: dict[str, str] = {}
    for m in members:
        src = placement[m]["source"]
        sents = rows[m].sentences
        vecs = svecs[m]
        alignment, dropped = ([], [])
        if src is not None:
            alignment, dropped = align(sents, vecs, src, rows[src].sentences, svecs[src])
        others = [o for o in members if o != m]
        pool, pool_vecs = evidence_pool(others, rows, units, svecs)
        claims = check_claims(m, sents, units[m], vecs, pool, pool_vecs)
        counts = {k: sum(1 for a in alignment if a["label"] == k) for k in ("verbatim", "paraphrase", "added")}
        counts.update({k: sum(1 for c in claims if c["status"] == k) for k in ("supported", "unsupported",
                                                                             "contradicted")})
        out[m] = json.dumps({"alignment": alignment, "claims": claims, "dropped": dropped, "counts": counts},
                            ensure_ascii=False, separators=(",", ":"))
    traced.story["facts"] = story_facts(members, rows, units, svecs, traced.story["reference"])
    return out
