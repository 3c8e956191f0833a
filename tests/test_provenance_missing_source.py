"""The "common source not in the set" call (``trace.common_source_missing``) on LLM rewrites.

Rewrites of one text written in one register share the register's paraphrase words ("encounter",
"instantly") that the original never uses; that is no fact from a missing source. A real LLMFake
dev story (one GossipCop original, its faithful paraphrase and its LLM rewrite) must not claim a
missing source while the original is in the set, and must claim it once the original is removed
and the remaining versions share its names and numbers the new reference lacks. The dev pairs are
read from ``COPYDESK_DATA`` at test time (LLMFake has no stated licence: never copied here).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from copydesk.analyze import analyze_batch
from copydesk.config import Settings
from copydesk.records import Article, Story
from copydesk.score import default_model
from copydesk.trace import common_source_missing, specifics, trace_story


def _rows(*arts: Article):
    return {r.article.id: r for r in analyze_batch(list(arts), Settings(claims=False), embed=False)}


def test_shared_register_words_are_not_a_missing_source() -> None:
    """Two rewrites sharing rare paraphrase words the reference lacks, in aligned sentences with
    no number or name in common: no call (the rule before issue 20 made one)."""
    ref = (
        "They met at a players' lounge and fell in love at first sight.\n"
        "He retired from the game after his last match, wearing boots with his children's names."
    )
    d1 = (
        "Their first encounter took place at a lounge, where they fell in love instantly.\n"
        "He concluded his career with boots featuring the names of his children."
    )
    d2 = (
        "Fate would grant them an encounter at a lounge, where love instantly blossomed.\n"
        "He concluded his career, his final boots featuring the names of his children."
    )
    rows = _rows(Article("ref", ref), Article("d1", d1), Article("d2", d2))
    v = np.random.default_rng(3).normal(size=(6, 384)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    # The derived sentences align with each other (0.8) and loosely with the reference's (0.45).
    pair0 = v[0] * 0.6 + v[2] * 0.8
    pair1 = v[1] * 0.6 + v[3] * 0.8
    svecs = {
        "ref": v[[0, 1]],
        "d1": np.stack([pair0, pair1]),
        "d2": np.stack([pair0 * 0.9 + v[4] * 0.44, pair1]),
    }
    svecs = {k: x / np.linalg.norm(x, axis=1, keepdims=True) for k, x in svecs.items()}
    assert not specifics(d1.split("\n")[0]) & specifics(d2.split("\n")[0])
    assert common_source_missing("ref", ["d1", "d2"], rows, svecs) == (False, [])


def test_specifics_are_numbers_names_and_very_rare_words() -> None:
    got = specifics(
        "The singer told Star magazine that Katie Holmes unquestioningly paid 2,000 dollars in 2013."
    )
    assert {"2013", "star", "katie", "holmes", "unques"} <= got
    assert "singer" not in got and "the" not in got  # a sentence's first word is no name


# One GossipCop item of LLMFake dev (ids of its pairs): the original is a 211-word scrape.
ITEM = "gossipcop-610873029"


@pytest.fixture(scope="module")
def dev_story(data_dir):
    from copydesk.evaluate.rewrites import analyse, articles_for, load

    path = data_dir / "llmfake" / "pairs.jsonl"
    if not path.exists():
        pytest.skip(f"{path} not found")
    pairs = [p for p in load(path) if p["id"].endswith(ITEM)]
    assert {p["method"] for p in pairs} == {
        "paraphrase_generation",
        "rewrite_generation",
        "open_ended_generation",
    }
    arts, o_ids, d_ids = articles_for(pairs)
    model = default_model()
    stored, rows, svecs, _stories, _placed = analyse(arts, model)
    by_method = {p["method"]: d for p, d in zip(pairs, d_ids, strict=True)}
    return stored, rows, svecs, o_ids[0], by_method, model


def _trace(members, stored, rows, svecs, model) -> Story:
    mset = set(members)
    sub = {k: p for k, p in stored.items() if k[0] in mset and k[1] in mset}
    return trace_story(sorted(members), rows, svecs, sub, model).story


def test_a_real_rewrite_story_with_its_original_claims_no_missing_source(dev_story) -> None:
    stored, rows, svecs, orig, by_method, model = dev_story
    members = [orig, by_method["paraphrase_generation"], by_method["rewrite_generation"]]
    story = _trace(members, stored, rows, svecs, model)
    assert story.reference == orig
    assert story.common_source_missing is False, json.dumps(list(story.evidence), indent=1)


def test_with_the_original_removed_the_missing_source_is_claimed(dev_story) -> None:
    stored, rows, svecs, orig, by_method, model = dev_story
    story = _trace(list(by_method.values()), stored, rows, svecs, model)
    assert story.common_source_missing is True
    assert story.evidence and all(
        story.reference not in e.split(" (shared")[0] for e in story.evidence
    )
