"""Claims: is each sentence of a text supported, contradicted or unsupported by other versions?

No NLI model ships on the package registry, so the default verifier is built from parts:
order-free sentence retrieval by embedding similarity, a deterministic diff of the
checkable units (numbers, dates, quotes, attributions, entities), actor-swap and negation
checks, and a small logistic model over those signals fitted on development data
(``scripts/fit_claim_model.py`` -> ``copydesk/data/claim_model.json``). A different
verifier (a real NLI model, say) only has to implement ``Verifier.judge``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Protocol

import numpy as np

from .featurize.terms import rarity, tokens
from .records import SourceMatch, Unit

TOP_EVIDENCE = 3


@dataclass(frozen=True, slots=True)
class EvidenceSentence:
    article: str
    idx: int
    text: str
    units: tuple[Unit, ...]
    prev_text: str = ""  # the sentence before it, to resolve "both nations", "he"


@dataclass(frozen=True, slots=True)
class ClaimInput:
    article: str
    text: str
    start: int
    end: int
    units: tuple[Unit, ...]
    vector: np.ndarray
    prev_text: str = ""


@dataclass(frozen=True, slots=True)
class Verdict:
    status: str  # supported | unsupported | contradicted
    kind: str  # number | date | quote | attribution | entity | statement
    score: float  # P(not supported): higher = more suspicious
    reason: str
    evidence: tuple[SourceMatch, ...] = ()
    support: tuple[str, ...] = ()


class Verifier(Protocol):
    def judge(self, claim: ClaimInput, pool: Sequence[EvidenceSentence], pool_vectors: np.ndarray) -> Verdict: ...


# -- small linguistic checks ------------------------------------------------------------

_NEG = re.compile(r"\b(not|no|never|n't|none|nobody|neither|nor|without|denied|denies|deny|refused|rejects?|"
                  r"rejected|fail(?:ed|s)?)\b", re.I)
_ANTONYMS = [
    ("increase", "decrease"), ("rise", "fall"), ("rose", "fell"), ("won", "lost"), ("win", "lose"),
    ("accept", "reject"), ("accepted", "rejected"), ("support", "oppose"), ("supported", "opposed"),
    ("approve", "reject"), ("approved", "rejected"), ("higher", "lower"), ("more", "fewer"),
    ("before", "after"), ("guilty", "innocent"), ("confirmed", "denied"), ("allow", "ban"),
    ("allowed", "banned"), ("open", "closed"), ("arrested", "released"), ("killed", "injured"),
]
_ANT = {a: b for a, b in _ANTONYMS} | {b: a for a, b in _ANTONYMS}
_GROUP_REF = re.compile(r"\b(both (?:nations|countries|sides|leaders|governments|men|parties)|the two "
                        r"(?:nations|countries|sides|leaders|governments|men|parties))\b", re.I)
_DEMONYM = {
    "russian": "russia", "russia": "russia", "moscow": "russia", "kremlin": "russia",
    "ukrainian": "ukraine", "ukraine": "ukraine", "kyiv": "ukraine", "kiev": "ukraine",
    "us": "us", "u.s.": "us", "american": "us", "united states": "us", "washington": "us", "america": "us",
    "french": "france", "france": "france", "british": "uk", "uk": "uk", "britain": "uk",
    "chinese": "china", "china": "china", "german": "germany", "germany": "germany",
    "israeli": "israel", "israel": "israel", "iranian": "iran", "iran": "iran",
}
_ACTOR = re.compile(r"\b(" + "|".join(sorted((re.escape(k) for k in _DEMONYM), key=len, reverse=True)) + r")\b", re.I)
_OBJECT_MARK = re.compile(r"\b(to|against|with|from|on|toward|towards|for)\s+(?:the\s+)?$", re.I)
_PREDICATE = re.compile(
    r"\b(ha(?:s|ve|d)|is|are|was|were|will|would|said|says|told|proposed|propose|offered|demand(?:s|ed)?|"
    r"put forward|announced|agreed|launched|accused|claimed|rejected|accepted)\b", re.I)


def actors(text: str) -> tuple[set[str], set[str]]:
    """(subject actors, object actors): nations named before the main predicate, and after 'to'/'against'."""
    m = _PREDICATE.search(text)
    cut = m.start() if m else len(text)
    subj, obj = set(), set()
    for a in _ACTOR.finditer(text):
        key = _DEMONYM[a.group(1).lower()]
        before = text[max(0, a.start() - 12) : a.start()]
        if a.start() < cut and not _OBJECT_MARK.search(before):
            subj.add(key)
        elif _OBJECT_MARK.search(before):
            obj.add(key)
    return subj, obj


def resolved_subjects(text: str, prev_text: str) -> set[str]:
    """Subject nations, with "both nations"/"the two sides" resolved to those of the previous sentence."""
    subj, _ = actors(text)
    g = _GROUP_REF.search(text)
    m = _PREDICATE.search(text)
    if g and (m is None or g.start() < m.start()):
        prev = {_DEMONYM[x.group(1).lower()] for x in _ACTOR.finditer(prev_text)}
        subj |= prev
    return subj


def content_words(text: str) -> dict[str, float]:
    return {w: rarity(w) for w in tokens(text) if len(w) > 2 and rarity(w) >= 2.5}


def novelty(claim: str, evidence: Sequence[str]) -> float:
    """Rarity-weighted share of the claim's content words found in no evidence sentence."""
    cw = content_words(claim)
    if not cw:
        return 0.0
    seen: set[str] = set()
    for e in evidence:
        seen.update(tokens(e))
    stems = {w[:5] for w in seen}
    miss = sum(x for w, x in cw.items() if w not in seen and w[:5] not in stems)
    return miss / sum(cw.values())


def negation_flip(claim: str, evidence: str) -> bool:
    nc, ne = len(_NEG.findall(claim)), len(_NEG.findall(evidence))
    if (nc == 0) != (ne == 0):
        return True
    cw, ew = set(tokens(claim)), set(tokens(evidence))
    return any(_ANT.get(w) in ew and w not in ew for w in cw)


# -- the default verifier -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClaimModel:
    features: tuple[str, ...]
    coef: tuple[float, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    intercept: float
    threshold: float  # P(not supported) at or above this -> flagged
    meta: dict = field(default_factory=dict)

    def prob(self, x: dict[str, float]) -> float:
        z = self.intercept + sum(c * (x.get(f, 0.0) - m) / s for f, c, m, s in
                                 zip(self.features, self.coef, self.mean, self.scale, strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


@lru_cache(maxsize=1)
def default_claim_model() -> ClaimModel:
    d = json.loads(resources.files("copydesk.data").joinpath("claim_model.json").read_text())
    return ClaimModel(tuple(d["features"]), tuple(d["coef"]), tuple(d["mean"]), tuple(d["scale"]),
                      float(d["intercept"]), float(d["threshold"]), d.get("meta", {}))


CLAIM_FEATURES = ("best_sim", "second_sim", "novelty", "novelty_top", "new_entities", "new_numbers",
                  "num_conflict", "neg_flip", "len_words")


def claim_features(claim: ClaimInput, pool: Sequence[EvidenceSentence], sims: np.ndarray) -> tuple[dict, list[int]]:
    order = np.argsort(-sims, kind="stable")[:TOP_EVIDENCE] if len(sims) else np.zeros(0, int)
    top = [int(i) for i in order]
    best = float(sims[top[0]]) if top else 0.0
    second = float(sims[top[1]]) if len(top) > 1 else 0.0
    pool_entities = {u.key for e in pool for u in e.units if u.kind == "entity"}
    pool_numbers = [u for e in pool for u in e.units if u.kind == "number"]
    new_ent = [u for u in claim.units if u.kind == "entity" and not _entity_known(u, pool_entities)]
    new_num = [u for u in claim.units if u.kind == "number" and not any(_compat(u, p) for p in pool_numbers)]
    top_units = [u for i in top for u in pool[i].units if u.kind == "number"]
    conflict = [u for u in claim.units if u.kind == "number" and any(_compat(u, p) is False for p in top_units)
                and not any(_compat(u, p) for p in top_units)]
    x = {
        "best_sim": best, "second_sim": second,
        "novelty": novelty(claim.text, [e.text for e in pool]) if pool else 1.0,
        "novelty_top": novelty(claim.text, [pool[i].text for i in top]) if top else 1.0,
        "new_entities": float(len(new_ent)), "new_numbers": float(len(new_num)),
        "num_conflict": float(len(conflict)),
        "neg_flip": float(bool(top) and best >= 0.6 and negation_flip(claim.text, pool[top[0]].text)),
        "len_words": math.log1p(len(claim.text.split())),
    }
    return x, top


def _compat(a: Unit, b: Unit) -> bool | None:
    from .featurize.units import compatible

    try:
        return compatible(a, b)
    except Exception:
        return None


def _entity_known(u: Unit, keys: set[str]) -> bool:
    if u.key in keys:
        return True
    last = u.key.split()[-1] if u.key else ""
    return any(k == last or k.endswith(" " + last) or u.key.endswith(" " + k) for k in keys)


class AlignmentVerifier:
    """Retrieval + unit diff + a fitted logistic model: the verifier used everywhere by default."""

    def __init__(self, model: ClaimModel | None = None, align_min: float = 0.55) -> None:
        self.model = model or default_claim_model()
        self.align_min = align_min

    def judge(self, claim: ClaimInput, pool: Sequence[EvidenceSentence], pool_vectors: np.ndarray) -> Verdict:
        sims = pool_vectors @ claim.vector if len(pool) else np.zeros(0, np.float32)
        x, top = claim_features(claim, pool, sims)
        evidence = tuple(SourceMatch(pool[i].article, pool[i].text, round(float(sims[i]), 4)) for i in top)
        aligned = [pool[i] for i in top if sims[i] >= self.align_min]
        support = tuple(sorted({pool[i].article for i in range(len(pool)) if sims[i] >= _support_sim(self)}))

        # 1. Hard contradictions on aligned evidence: a unit that the aligned sentence states otherwise.
        for kind in ("quote", "number", "date"):
            for u in (u for u in claim.units if u.kind == kind):
                same = [v for e in aligned for v in e.units if v.kind == kind]
                if not same:
                    continue
                verdicts = [_compat(u, v) for v in same]
                if any(v is True for v in verdicts):
                    continue
                if any(v is False for v in verdicts):
                    other = next(v for v, ok in zip(same, verdicts, strict=True) if ok is False)
                    return Verdict("contradicted", kind, 1.0,
                                   f"{kind} {u.text!r} differs from {other.text!r} in the aligned sentence",
                                   evidence, support)
        # 2. Actor swap: a nation acting here is only acted upon in the aligned evidence.
        if aligned:
            subj = resolved_subjects(claim.text, claim.prev_text)
            e0 = aligned[0]
            esubj, eobj = actors(e0.text)
            esubj |= resolved_subjects(e0.text, e0.prev_text)
            swapped = sorted((subj & eobj) - esubj)
            if swapped and esubj:
                return Verdict("contradicted", "entity", 1.0,
                               f"actor swap: {', '.join(swapped)} acts here but is on the receiving end in "
                               f"{e0.article}", evidence, support)
            if sims[top[0]] >= 0.6 and negation_flip(claim.text, e0.text):
                p = self.model.prob(x)
                if p >= self.model.threshold * 0.8:
                    return Verdict("contradicted", "statement", p, "negation or antonym flip against the "
                                   "aligned sentence", evidence, support)
        # 3. Attribution to a source no version names.
        pool_attr = {u.key.split(":", 1)[-1] for e in pool for u in e.units if u.kind == "attribution"}
        pool_text = " ".join(e.text.lower() for e in pool)
        for u in (u for u in claim.units if u.kind == "attribution"):
            who = u.key.split(":", 1)[-1]
            if who and who not in pool_attr and who not in pool_text:
                return Verdict("unsupported", "attribution", 1.0,
                               f"attribution {u.text!r}: no other version names {who}", evidence, support)
        # 4. Quotes no version contains.
        for u in (u for u in claim.units if u.kind == "quote" and len(u.key.split()) >= 4):
            if not any(_compat(u, v) for e in pool for v in e.units if v.kind == "quote") and \
                    u.key not in " ".join(re.sub(r"[^\w\s]", "", e.text.lower()) for e in pool):
                return Verdict("unsupported", "quote", 0.9, f"quote {u.text[:60]!r} appears in no other version",
                               evidence, support)
        # 5. The fitted model over similarity and novelty.
        p = self.model.prob(x)
        if p >= self.model.threshold:
            kind = "number" if x["new_numbers"] else "entity" if x["new_entities"] else "statement"
            why = (f"best match {x['best_sim']:.2f}; {x['novelty']:.0%} of its content words appear in no other "
                   "version" + (f"; names not found elsewhere: {x['new_entities']:.0f}" if x["new_entities"] else ""))
            return Verdict("unsupported", kind, p, why, evidence, support)
        return Verdict("supported", "statement", p, f"matched with similarity {x['best_sim']:.2f}", evidence,
                       support or tuple(sorted({e.article for e in aligned})))


def _support_sim(v: AlignmentVerifier) -> float:
    return float(v.model.meta.get("support_sim", 0.7))


@lru_cache(maxsize=1)
def default_verifier() -> AlignmentVerifier:
    return AlignmentVerifier()
