"""Score: features of a candidate pair -> relation (duplicate | rewrite | same_story | unrelated).

Two tiers. The cheap tier (MinHash Jaccard, document-vector cosine, static-IDF term
cosine, entity and number overlap) decides unrelated vs same-story-or-stronger. Pairs
that pass get sentence-alignment coverage (both directions) from sentence vectors, which
separates rewrites of one text from independent reports of one event. The weights and
thresholds are fitted on development data by ``scripts/fit_relation_model.py`` and
loaded from ``copydesk/data/relation_model.json``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from .featurize.minhash import jaccard
from .featurize.terms import cosine
from .records import Features, Pair

STORY_FEATURES = ("jaccard", "doc_cos", "term_cos", "ent_cos", "ent_contain", "num_jac", "len_ratio")
FAMILY_FEATURES = STORY_FEATURES + ("cov_min", "cov_max", "align_mean")
ALIGN_MIN_SIM = 0.6  # a sentence "has a counterpart" when its best match is at least this similar


def _dict_cos(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    num = cosine(a, b)
    na = math.sqrt(sum(x * x for x in a.values()))
    nb = math.sqrt(sum(x * x for x in b.values()))
    return num / (na * nb)


def pair_features(fa: Features, fb: Features) -> dict[str, float]:
    """The cheap tier: symmetric features of two articles."""
    ea, eb = fa.entities, fb.entities
    shared = sum(min(ea[k], eb[k]) for k in ea.keys() & eb.keys())
    ent_contain = shared / min(sum(ea.values()), sum(eb.values())) if ea and eb else 0.0
    na, nb = fa.numbers, fb.numbers
    return {
        "jaccard": jaccard(fa.signature, fb.signature),
        "doc_cos": float(np.dot(fa.doc_vector, fb.doc_vector)),
        "term_cos": cosine(fa.terms, fb.terms),
        "ent_cos": _dict_cos(ea, eb),
        "ent_contain": ent_contain,
        "num_jac": len(na & nb) / len(na | nb) if na and nb else 0.0,
        "len_ratio": min(fa.n_tokens, fb.n_tokens) / max(fa.n_tokens, fb.n_tokens, 1),
    }


def similarity_matrix(va: np.ndarray, vb: np.ndarray) -> np.ndarray:
    if len(va) == 0 or len(vb) == 0:
        return np.zeros((len(va), len(vb)), np.float32)
    return va @ vb.T


def align_features(va: np.ndarray, vb: np.ndarray) -> dict[str, float]:
    """Sentence-alignment coverage: share of each side's sentences with a counterpart in the other."""
    sim = similarity_matrix(va, vb)
    if sim.size == 0:
        return {"cov_min": 0.0, "cov_max": 0.0, "align_mean": 0.0, "cov_ab": 0.0, "cov_ba": 0.0}
    best_a, best_b = sim.max(axis=1), sim.max(axis=0)
    cov_ab = float(np.mean(best_a >= ALIGN_MIN_SIM))
    cov_ba = float(np.mean(best_b >= ALIGN_MIN_SIM))
    return {
        "cov_min": min(cov_ab, cov_ba),
        "cov_max": max(cov_ab, cov_ba),
        "align_mean": float((best_a.mean() + best_b.mean()) / 2),
        "cov_ab": cov_ab,
        "cov_ba": cov_ba,
    }


@dataclass(frozen=True, slots=True)
class Logistic:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float

    def prob(self, x: dict[str, float]) -> float:
        z = self.intercept
        for f, m, s, c in zip(self.features, self.mean, self.scale, self.coef, strict=True):
            z += c * (x.get(f, 0.0) - m) / s
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    @classmethod
    def from_json(cls, d: dict) -> Logistic:
        return cls(tuple(d["features"]), tuple(d["mean"]), tuple(d["scale"]), tuple(d["coef"]),
                   float(d["intercept"]), float(d["threshold"]))


@dataclass(frozen=True, slots=True)
class RelationModel:
    story: Logistic  # P(same story or stronger)
    family: Logistic  # P(rewrite of one text | same story)
    duplicate_jaccard: float
    cluster_threshold: float  # average-link stops merging stories below this mean P(story)
    family_threshold: float  # ... and families below this mean P(family)
    meta: dict

    @classmethod
    def from_json(cls, d: dict) -> RelationModel:
        return cls(
            story=Logistic.from_json(d["story"]), family=Logistic.from_json(d["family"]),
            duplicate_jaccard=float(d["duplicate_jaccard"]),
            cluster_threshold=float(d["cluster_threshold"]),
            family_threshold=float(d["family_threshold"]), meta=d.get("meta", {}),
        )


@lru_cache(maxsize=1)
def default_model() -> RelationModel:
    text = resources.files("copydesk.data").joinpath("relation_model.json").read_text()
    return RelationModel.from_json(json.loads(text))


def story_prob(x: dict[str, float], model: RelationModel) -> float:
    if x.get("jaccard", 0.0) >= model.duplicate_jaccard:
        return 1.0
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
    return Pair(a, b, scores, "same_story", ps)
