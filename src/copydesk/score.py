"""Score: features of a candidate pair -> relation (duplicate | rewrite | same_story | unrelated).

Two tiers. The cheap tier (MinHash Jaccard, document-vector cosine, static-IDF term
cosine, entity and number overlap, and calendar dates: two reports naming different years or
months are likely two events of one kind; below a document cosine of CONFLICT_MAX_COS, two reports
that name different people or places and different figures are two events whatever the model says)
decides unrelated vs same-story-or-stronger. Pairs
that pass get sentence-alignment coverage (both directions) from sentence vectors, which
separates rewrites of one text from independent reports of one event; a pair whose shorter text
follows the other sentence by sentence, in order (``in_order``), is a rewrite whatever its facts
say (a rewrite that bends names or figures is still that text's rewrite). The weights and
thresholds are fitted on development data by ``scripts/fit_relation_model.py`` (grouped
cross-validation; see ``meta`` in the JSON) and loaded from ``copydesk/data/relation_model.json``.
Only the JSON is read at run time.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

import numpy as np

from .featurize import DATE_PREFIX
from .featurize.minhash import jaccard
from .featurize.terms import cosine
from .records import Features, Pair

DATE_FEATURES = ("year_conflict", "month_conflict", "month_jac", "day_jac")
STORY_FEATURES = (
    "jaccard",
    "doc_cos",
    "term_cos",
    "ent_cos",
    "ent_contain",
    "num_jac",
    "len_ratio",
) + DATE_FEATURES
ALIGN_FEATURES = ("cov_min", "cov_max", "align_mean", "close_min", "close_max", "sim_top")
FAMILY_FEATURES = STORY_FEATURES + ALIGN_FEATURES
ALIGN_MIN_SIM = 0.6  # a sentence "has a counterpart" when its best match is at least this similar
CLOSE_MIN_SIM = 0.8  # ... and a close paraphrase of it when at least this (rewrites, not reports)
# A rewrite of one text follows it sentence by sentence: a pair whose shorter text has IN_ORDER_MIN_SENTENCES
# or more sentences, and IN_ORDER_MIN of them with a counterpart in the other in the same order, is a rewrite
# whatever P(family) says. P(family) weighs fact agreement (names, figures, dates), so a rewrite that bends
# those scored as an independent report: the relation was "rewrite" for 0.33 of the bent set's (original,
# name-bent paraphrase) pairs against 0.67 of (original, paraphrase). Chosen on ECB+ alone, whose same-story
# pairs are independent reports: the loosest rule that calls at most 2 % more of one half of its topics'
# aligned pairs rewrites (both halves chose it; the other half: 1.7-1.8 %). Inverted-pyramid reports of one
# event share an order too, hence the budget, and syndicated copies among ECB+'s reports are rightly caught.
IN_ORDER_MIN = 0.7
IN_ORDER_MIN_SENTENCES = 3


def _dict_cos(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    num = cosine(a, b)
    na = math.sqrt(sum(x * x for x in a.values()))
    nb = math.sqrt(sum(x * x for x in b.values()))
    return num / (na * nb)


def split_numbers(numbers: frozenset[str]) -> tuple[set[str], dict[str, set[str]]]:
    """(plain number keys, {"y"|"ym"|"md": date keys}) of ``Features.numbers``."""
    plain: set[str] = set()
    dates: dict[str, set[str]] = {"y": set(), "ym": set(), "md": set()}
    for k in numbers:
        if k.startswith(DATE_PREFIX):
            kind, _, value = k[len(DATE_PREFIX) :].partition(":")
            dates.setdefault(kind, set()).add(value)
        else:
            plain.add(k)
    return plain, dates


def _jac(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _conflict(a: set[str], b: set[str]) -> float:
    """1 when both name some and none agree (two different events), else 0."""
    return 1.0 if a and b and not (a & b) else 0.0


def pair_features(fa: Features, fb: Features) -> dict[str, float]:
    """The cheap tier: symmetric features of two articles."""
    ea, eb = fa.entities, fb.entities
    shared = sum(min(ea[k], eb[k]) for k in ea.keys() & eb.keys())
    ent_contain = shared / min(sum(ea.values()), sum(eb.values())) if ea and eb else 0.0
    na, da = split_numbers(fa.numbers)
    nb, db = split_numbers(fb.numbers)
    x = {
        "jaccard": jaccard(fa.signature, fb.signature),
        "doc_cos": float(np.dot(fa.doc_vector, fb.doc_vector)),
        "term_cos": cosine(fa.terms, fb.terms),
        "ent_cos": _dict_cos(ea, eb),
        "ent_contain": ent_contain,
        "num_jac": len(na & nb) / len(na | nb) if na and nb else 0.0,
        "len_ratio": min(fa.n_tokens, fb.n_tokens) / max(fa.n_tokens, fb.n_tokens, 1),
        "year_conflict": _conflict(da["y"], db["y"]),
        "month_conflict": _conflict(da["ym"], db["ym"]),
        "month_jac": _jac(da["ym"], db["ym"]),
        "day_jac": _jac(da["md"], db["md"]),
    }
    x["specifics_conflict"] = (
        _conflict(set(ea), set(eb)) * _conflict(na, nb)
        if not (x["month_jac"] or x["day_jac"])
        else 0.0
    )
    return x


def similarity_matrix(va: np.ndarray, vb: np.ndarray) -> np.ndarray:
    if len(va) == 0 or len(vb) == 0:
        return np.zeros((len(va), len(vb)), np.float32)
    return va @ vb.T


def align_features(va: np.ndarray, vb: np.ndarray) -> dict[str, float]:
    """Sentence-alignment coverage: share of each side's sentences with a counterpart in the other
    (``cov_*``, similarity >= 0.6) and with a close paraphrase (``close_*``, >= 0.8); mean best
    similarity; mean of the three most similar sentence pairs (``sim_top``); the shorter side's share of
    sentences matched in the same order (``in_order``, :func:`in_order`) and its sentences (``short_sentences``)."""
    sim = similarity_matrix(va, vb)
    if sim.size == 0:
        return {
            "cov_min": 0.0,
            "cov_max": 0.0,
            "align_mean": 0.0,
            "cov_ab": 0.0,
            "cov_ba": 0.0,
            "close_min": 0.0,
            "close_max": 0.0,
            "sim_top": 0.0,
            "in_order": 0.0,
            "short_sentences": float(min(sim.shape)),
        }
    best_a, best_b = sim.max(axis=1), sim.max(axis=0)
    cov_ab = float(np.mean(best_a >= ALIGN_MIN_SIM))
    cov_ba = float(np.mean(best_b >= ALIGN_MIN_SIM))
    close_ab = float(np.mean(best_a >= CLOSE_MIN_SIM))
    close_ba = float(np.mean(best_b >= CLOSE_MIN_SIM))
    flat = sim.ravel()
    top = np.partition(flat, len(flat) - 3)[-3:] if len(flat) > 3 else flat
    return {
        "cov_min": min(cov_ab, cov_ba),
        "cov_max": max(cov_ab, cov_ba),
        "align_mean": float((best_a.mean() + best_b.mean()) / 2),
        "cov_ab": cov_ab,
        "cov_ba": cov_ba,
        "close_min": min(close_ab, close_ba),
        "close_max": max(close_ab, close_ba),
        "sim_top": float(top.mean()),
        "in_order": in_order(sim if sim.shape[0] <= sim.shape[1] else sim.T),
        "short_sentences": float(min(sim.shape)),
    }


def in_order(sim: np.ndarray) -> float:
    """Share of the rows (the shorter text's sentences) whose best match in the other text (at least
    ALIGN_MIN_SIM) falls in the same order: the longest run of increasing match positions over the rows."""
    if sim.size == 0:
        return 0.0
    best = sim.argmax(axis=1)
    tails: list[int] = []  # patience sorting: tails[k] = least last position of an increasing run of k + 1
    for j in best[sim.max(axis=1) >= ALIGN_MIN_SIM]:
        k = bisect.bisect_left(tails, int(j))
        if k == len(tails):
            tails.append(int(j))
        else:
            tails[k] = int(j)
    return len(tails) / sim.shape[0]


def sigmoid(z: float) -> float:
    """The logistic function, clipped at |z| = 50 (every fitted model of the package uses it)."""
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


@dataclass(frozen=True, slots=True)
class Logistic:
    """A fitted logistic model on named features, standardised as ``(x - mean) / scale``: the
    relation model's two tiers and trace's direction model."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float

    def prob(self, x: Mapping[str, float]) -> float:
        z = self.intercept
        for f, m, s, c in zip(self.features, self.mean, self.scale, self.coef, strict=True):
            z += c * (x.get(f, 0.0) - m) / s
        return sigmoid(z)

    @classmethod
    def from_json(cls, d: Mapping) -> Logistic:
        """From its JSON object; ``mean`` (zeros), ``intercept`` (0) and ``threshold`` (0.5) may be
        left out (the direction model has none: its features are antisymmetric)."""
        n = len(d["features"])
        return cls(
            tuple(d["features"]),
            tuple(d["mean"]) if "mean" in d else (0.0,) * n,
            tuple(d["scale"]),
            tuple(d["coef"]),
            float(d.get("intercept", 0.0)),
            float(d.get("threshold", 0.5)),
        )


@dataclass(frozen=True, slots=True)
class RelationModel:
    story: Logistic  # P(same story or stronger)
    family: Logistic  # P(rewrite of one text | same story)
    duplicate_jaccard: float
    cluster_threshold: float  # average-link stops merging stories below this mean P(story)
    family_threshold: float  # ... and families below this mean P(family)
    meta: dict
    split_ratio: float | None = None  # cluster.split_bimodal: split when across < ratio x within
    split_min_part: int = 3  # ... and both halves have at least this many articles

    def with_direction(self, direction: dict | None) -> RelationModel:
        """The same model with another direction model (``meta.direction``); itself if None."""
        return replace(self, meta={**self.meta, "direction": direction}) if direction else self

    @classmethod
    def from_json(cls, d: dict) -> RelationModel:
        return cls(
            story=Logistic.from_json(d["story"]),
            family=Logistic.from_json(d["family"]),
            duplicate_jaccard=float(d["duplicate_jaccard"]),
            cluster_threshold=float(d["cluster_threshold"]),
            family_threshold=float(d["family_threshold"]),
            meta=d.get("meta", {}),
            split_ratio=float(d["split_ratio"]) if d.get("split_ratio") else None,
            split_min_part=int(d.get("split_min_part", 3)),
        )


@lru_cache(maxsize=1)
def default_model() -> RelationModel:
    text = resources.files("copydesk.data").joinpath("relation_model.json").read_text()
    return RelationModel.from_json(json.loads(text))


# Below this document cosine (the candidate search's default radius) the embedding alone is no evidence
# of one event: two reports that each name people or places and each give figures, and share none of
# them (nor a month or a day), tell two events of one kind, whatever the fitted model makes of their
# wording. Template-like reports of two events ("An earthquake hit Springfield on Monday ... 2 people
# were hurt", "A flood hit Shelbyville on Monday ... 3 people were hurt": document cosine 0.45) otherwise
# score p_story 0.56 against a threshold of 0.34.
CONFLICT_MAX_COS = 0.55


def story_prob(x: dict[str, float], model: RelationModel) -> float:
    if x.get("jaccard", 0.0) >= model.duplicate_jaccard:
        return 1.0
    if x.get("specifics_conflict", 0.0) and x.get("doc_cos", 1.0) < CONFLICT_MAX_COS:
        return 0.0
    return model.story.prob(x)


def classify(a: str, b: str, x: dict[str, float], model: RelationModel) -> Pair:
    """Relation of a pair whose features ``x`` hold the cheap tier and, if computed, alignment."""
    if a > b:
        a, b = b, a
    ps = story_prob(x, model)
    scores = dict(x)
    scores["p_story"] = ps
    if x.get("jaccard", 0.0) >= model.duplicate_jaccard:
        scores["p_family"] = 1.0
        return Pair(a, b, scores, "duplicate", x["jaccard"])
    if ps < model.story.threshold:
        return Pair(a, b, scores, "unrelated", ps)
    if "cov_min" not in x:
        return Pair(a, b, scores, "same_story", ps)
    pf = model.family.prob(x)
    scores["p_family"] = pf
    if pf >= model.family.threshold:
        return Pair(a, b, scores, "rewrite", pf)
    if follows_in_order(x):
        return Pair(a, b, scores, "rewrite", x["in_order"])
    return Pair(a, b, scores, "same_story", ps)


def follows_in_order(x: Mapping[str, float]) -> bool:
    """The shorter text of the pair follows the other sentence by sentence (IN_ORDER_MIN, IN_ORDER_MIN_SENTENCES)."""
    return x.get("short_sentences", 0.0) >= IN_ORDER_MIN_SENTENCES and x.get("in_order", 0.0) >= IN_ORDER_MIN


def score_cheap(
    a: str, b: str, fa: Features, fb: Features, model: RelationModel
) -> tuple[dict[str, float], Pair]:
    """First tier: the cheap features of a pair and the relation they decide."""
    x = pair_features(fa, fb)
    return x, classify(a, b, x, model)


def needs_alignment(p: Pair) -> bool:
    """Pairs that may be rewrites get the second tier (sentence alignment)."""
    return p.relation != "unrelated" and p.relation != "duplicate"


def score_aligned(
    a: str, b: str, x: Mapping[str, float], va: np.ndarray, vb: np.ndarray, model: RelationModel
) -> Pair:
    """Second tier: the relation once the sentence alignment of the two articles is known."""
    return classify(a, b, {**x, **align_features(va, vb)}, model)


# -- both tiers over a list of pairs ---------------------------------------------------------------

Key = tuple[str, str]
FirstTier = dict[Key, tuple[dict[str, float], Pair]]
SentenceVectors = Callable[[Sequence[str]], Mapping[str, np.ndarray]]  # ids -> {id: (n, DIM)}


def first_tier(cands: Sequence[Key], features: Mapping[str, Features], model: RelationModel) -> FirstTier:
    """The cheap tier for ``cands``: {pair: (cheap features, relation)}, in the order given."""
    return {(a, b): score_cheap(a, b, features[a], features[b], model) for a, b in cands}


def second_tier(first: FirstTier, svecs: SentenceVectors, model: RelationModel) -> dict[Key, Pair]:
    """The final relation of each first-tier pair: the pairs that may be rewrites aligned on their
    sentences (``svecs`` asked once, for their articles in id order), the others as they are."""
    need = [k for k, (_x, p) in first.items() if needs_alignment(p)]
    sv = svecs(sorted({x for k in need for x in k})) if need else {}
    out: dict[Key, Pair] = {}
    for k, (x, p) in first.items():
        out[k] = score_aligned(k[0], k[1], x, sv[k[0]], sv[k[1]], model) if needs_alignment(p) else p
    return out


def score_pairs(
    cands: Sequence[Key], features: Mapping[str, Features], svecs: SentenceVectors, model: RelationModel
) -> dict[Key, Pair]:
    """Both tiers for a list of pairs: {pair: scored pair}, in the order given."""
    return second_tier(first_tier(cands, features, model), svecs, model)
