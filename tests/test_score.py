"""Tests for copydesk.score: pair features, the two-tier relation model, the fitted JSON."""

from __future__ import annotations

import math

import numpy as np
import pytest

from copydesk.records import Features
from copydesk.score import (
    FAMILY_FEATURES,
    STORY_FEATURES,
    Logistic,
    RelationModel,
    align_features,
    classify,
    default_model,
    pair_features,
    split_numbers,
)


def feats(
    aid: str, sig_seed: int = 0, *, entities=None, numbers=(), terms=None, n_tokens: int = 100, vec=None
) -> Features:
    rng = np.random.default_rng(sig_seed)
    v = np.asarray(vec if vec is not None else rng.normal(size=384), np.float32)
    return Features(
        article_id=aid,
        signature=rng.integers(0, 2**32 - 1, size=128, dtype=np.uint32),
        doc_vector=v / np.linalg.norm(v),
        entities=entities if entities is not None else {"tara reid": 6.0, "promises": 4.0},
        numbers=frozenset(numbers),
        terms=terms if terms is not None else {"rehab": 0.8, "actress": 0.6},
        n_tokens=n_tokens,
    )


def test_default_model_is_fitted_and_complete() -> None:
    m = default_model()
    assert m.meta.get("fitted") is True, "relation_model.json must come from scripts/fit_relation_model.py"
    assert tuple(m.story.features) == STORY_FEATURES
    assert tuple(m.family.features) == FAMILY_FEATURES
    assert 0.0 < m.cluster_threshold < 1.0 and 0.0 < m.family_threshold < 1.0
    d = m.meta["direction"]
    assert len(d["features"]) == len(d["coef"]) == len(d["scale"])
    assert "cv" in m.meta and "procedure" in m.meta


def test_classify_near_identical_signatures_is_duplicate() -> None:
    a, b = feats("a", 1), feats("b", 1)  # same seed: same signature and vector
    x = pair_features(a, b)
    assert x["jaccard"] == pytest.approx(1.0)
    p = classify("b", "a", x, default_model())
    assert p.relation == "duplicate"
    assert (p.a, p.b) == ("a", "b")  # ordered by id whatever the call order
    assert p.scores["p_story"] == 1.0 and p.scores["p_family"] == 1.0


def test_classify_unrelated_for_nothing_in_common() -> None:
    a = feats("a", 1, entities={"tara reid": 6.0}, terms={"rehab": 1.0})
    b = feats("b", 2, entities={"qeshm": 6.0}, terms={"earthquake": 1.0}, numbers={"5.6|magnitude"})
    x = pair_features(a, b)
    assert x["ent_cos"] == 0.0 and x["term_cos"] == 0.0
    assert classify("a", "b", x, default_model()).relation == "unrelated"


def _near(seed: int, cos: float) -> np.ndarray:
    """A unit vector at cosine ``cos`` to ``feats(..., seed)``'s document vector."""
    rng = np.random.default_rng(seed)
    v = np.asarray(rng.normal(size=384), np.float32)
    v /= np.linalg.norm(v)
    w = np.asarray(np.random.default_rng(seed + 100).normal(size=384), np.float32)
    w -= (w @ v) * v
    w /= np.linalg.norm(w)
    return cos * v + math.sqrt(1 - cos * cos) * w


def test_two_events_of_one_kind_sharing_no_name_and_no_figure_are_not_one_story() -> None:
    """Template-like reports of two events (same wording, another town, another toll) below the document
    cosine radius are unrelated, however alike their words; one shared name, figure or day lets the
    model decide, and so does a close document vector."""
    words = {"flood": 0.5, "hit": 0.5, "officials": 0.5, "roads": 0.5}
    quake = feats("a", 1, entities={"springfield": 7.7}, numbers={"2|people"}, terms=words)

    def flood(entities, numbers, cos=0.45):
        return feats("b", 2, entities=entities, numbers=numbers, terms=words, vec=_near(1, cos))

    m = default_model()
    x = pair_features(quake, flood({"shelbyville": 10.9}, {"3|people"}))
    assert x["specifics_conflict"] == 1.0 and m.story.prob(x) > m.story.threshold  # the model alone: one story
    p = classify("a", "b", x, m)
    assert p.relation == "unrelated" and p.scores["p_story"] == 0.0
    same_day = feats("a", 1, entities={"springfield": 7.7}, numbers={"2|people", "date:md:5-12"}, terms=words)
    for a, b in (
        (quake, flood({"shelbyville": 10.9, "springfield": 7.7}, {"3|people"})),  # a shared place
        (quake, flood({"shelbyville": 10.9}, {"2|people"})),  # a shared figure
        (same_day, flood({"shelbyville": 10.9}, {"3|people", "date:md:5-12"})),  # a shared day
        (quake, flood({"shelbyville": 10.9}, set())),  # no figure to disagree on
        (quake, flood({"shelbyville": 10.9}, {"3|people"}, cos=0.8)),  # the documents are close
    ):
        y = pair_features(a, b)
        assert y["specifics_conflict"] == 0.0 or y["doc_cos"] >= 0.55
        assert classify("a", "b", y, m).scores["p_story"] > 0.0


def test_pair_features_are_symmetric() -> None:
    a = feats("a", 1, numbers={"10|people", "date:y:2013", "date:md:9-18"}, n_tokens=80)
    b = feats("b", 2, entities={"tara reid": 6.0, "jack ketsoyan": 5.0}, numbers={"10|people", "date:y:2008"})
    xa, xb = pair_features(a, b), pair_features(b, a)
    assert xa.keys() >= set(STORY_FEATURES)
    for k in xa:
        assert xa[k] == pytest.approx(xb[k]), k


def test_date_features() -> None:
    a = feats("a", 1, numbers={"10|people", "date:y:2013", "date:ym:2013-9", "date:md:9-18"})
    b = feats("b", 2, numbers={"10|people", "date:y:2008", "date:ym:2008-12"})
    c = feats("c", 3, numbers={"date:y:2013", "date:ym:2013-9", "date:md:9-18"})
    x = pair_features(a, b)
    assert x["year_conflict"] == 1.0 and x["month_conflict"] == 1.0 and x["month_jac"] == 0.0
    assert x["num_jac"] == 1.0  # dates do not count as numbers
    y = pair_features(a, c)
    assert y["year_conflict"] == 0.0 and y["month_jac"] == 1.0 and y["day_jac"] == 1.0
    plain, dates = split_numbers(a.numbers)
    assert plain == {"10|people"} and dates["y"] == {"2013"}


def test_align_features() -> None:
    rng = np.random.default_rng(0)
    v = rng.normal(size=(4, 384)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    same = align_features(v, v)
    assert same["cov_min"] == 1.0 and same["close_min"] == 1.0 and same["align_mean"] == pytest.approx(1.0)
    half = align_features(v, v[:2])
    assert half["cov_max"] == 1.0 and half["cov_min"] == 0.5
    empty = align_features(v, np.zeros((0, 384), np.float32))
    assert empty["cov_min"] == 0.0 and set(empty) >= set(FAMILY_FEATURES) - set(STORY_FEATURES)


def test_logistic_prob_and_model_round_trip() -> None:
    lg = Logistic(("f",), (0.0,), (2.0,), (4.0,), -1.0, 0.5)
    assert lg.prob({"f": 0.5}) == pytest.approx(1 / (1 + math.exp(0.0)))
    assert lg.prob({"f": 1e9}) == pytest.approx(1.0)
    assert lg.prob({}) == pytest.approx(1 / (1 + math.exp(1.0)))
    m = default_model()
    other = m.with_direction({"features": ["d_cov"], "coef": [1.0], "scale": [1.0]})
    assert other.meta["direction"]["features"] == ["d_cov"] and m.meta["direction"] != other.meta["direction"]
    assert m.with_direction(None) is m
    assert isinstance(
        RelationModel.from_json(
            {
                "duplicate_jaccard": 0.5,
                "cluster_threshold": 0.4,
                "family_threshold": 0.4,
                "story": {
                    "features": ["a"],
                    "mean": [0],
                    "scale": [1],
                    "coef": [1],
                    "intercept": 0,
                    "threshold": 0.5,
                },
                "family": {
                    "features": ["a"],
                    "mean": [0],
                    "scale": [1],
                    "coef": [1],
                    "intercept": 0,
                    "threshold": 0.5,
                },
            }
        ),
        RelationModel,
    )


def _restated(v: np.ndarray, cos: float, seed: int) -> np.ndarray:
    """Each row of ``v`` restated: a unit vector at cosine ``cos`` to it."""
    n = np.random.default_rng(seed).normal(size=v.shape).astype(np.float32)
    n -= (n * v).sum(axis=1, keepdims=True) * v
    n /= np.linalg.norm(n, axis=1, keepdims=True)
    return (cos * v + math.sqrt(1 - cos * cos) * n).astype(np.float32)


def test_a_rewrite_that_follows_its_source_in_order_is_a_rewrite_whatever_its_facts_say() -> None:
    """A paraphrase that restates its source sentence by sentence but bends the main name and the figures:
    P(family) weighs the disagreeing facts and calls it an independent report of the story. It follows the
    source in order, so it is a rewrite (issue 20: finding the bends is the claim checker's job). The same
    sentences in another order, or a text of two sentences, are left to P(family)."""
    rng = np.random.default_rng(3)
    src = rng.normal(size=(6, 384)).astype(np.float32)
    src /= np.linalg.norm(src, axis=1, keepdims=True)
    rw = _restated(src[:5], 0.7, 4)  # five of the six sentences restated, in order
    a = feats("a", 1, entities={"dana ruiz": 9.0, "elm street": 8.0}, numbers={"400|visitors", "7|votes"})
    b = feats("b", 2, entities={"maria lopez": 9.0, "elm street": 8.0}, numbers={"900|visitors", "5|votes"},
              vec=_near(1, 0.8))
    m = default_model()
    x = {**pair_features(a, b), **align_features(src, rw)}
    assert x["in_order"] == 1.0 and x["short_sentences"] == 5.0
    assert m.story.prob(x) >= m.story.threshold and m.family.prob(x) < m.family.threshold  # the model: same story
    assert classify("a", "b", x, m).relation == "rewrite"
    shuffled = {**x, **align_features(src, rw[[4, 2, 0, 3, 1]])}
    assert shuffled["in_order"] == pytest.approx(2 / 5) and shuffled["cov_min"] == x["cov_min"]
    assert classify("a", "b", shuffled, m).relation == "same_story"
    short = {**x, **align_features(src, rw[:2])}
    assert short["in_order"] == 1.0 and classify("a", "b", short, m).relation == "same_story"
