"""Sentence alignment, claim checking and story facts on small texts (align.py, claims/)."""

from __future__ import annotations

import numpy as np
import pytest

from copydesk.align import align, similarity
from copydesk.claims import EvidenceSentence, claim_json, judge_claims
from copydesk.featurize.embed import get_embedder
from copydesk.featurize.units import extract_units
from copydesk.records import Sentence


def sents(aid: str, texts: list[str]) -> list[Sentence]:
    out, pos = [], 0
    for i, t in enumerate(texts):
        out.append(Sentence(aid, i, pos, pos + len(t), t))
        pos += len(t) + 1
    return out


def vecs(texts: list[str]) -> np.ndarray:
    return get_embedder().encode(texts, max_tokens=64)


SRC = [
    "The city council approved a budget of $12 million for the new bridge on Monday.",
    "Mayor Anna Kowalski said construction would start in March and last two years.",
    "Opponents argued that the money should go to schools instead.",
]


def test_similarity_ranks_the_same_statement_first():
    q = ["Construction will begin in March and take two years, Mayor Kowalski said."]
    sim = similarity(q, vecs(q), SRC, vecs(SRC))
    assert sim.shape == (1, 3)
    assert int(np.argmax(sim[0])) == 1


def test_align_is_order_free_and_marks_added_and_dropped():
    rw = [
        "Mayor Anna Kowalski said construction would start in March and last two years.",
        "On Monday the council approved $12 million for the new bridge.",
        "The bridge will be painted bright green, a designer told the Daily Planet.",
    ]
    al = align(sents("b", rw), vecs(rw), "a", sents("a", SRC), vecs(SRC))
    labels = [a.label for a in al.sentences]
    assert labels[0] == "verbatim"
    assert labels[1] == "paraphrase" and al.sentences[1].sources[0].text == SRC[0]
    assert labels[2] == "added"
    assert [d.text for d in al.dropped] == [SRC[2]]


def test_align_one_to_many_merge():
    rw = ["The council approved a $12 million bridge budget on Monday, and Mayor Kowalski said construction "
          "would start in March and last two years."]
    al = align(sents("b", rw), vecs(rw), "a", sents("a", SRC), vecs(SRC))
    got = {s.text for s in al.sentences[0].sources}
    assert {SRC[0], SRC[1]} <= got


def _pool(texts: list[str]) -> tuple[list[EvidenceSentence], np.ndarray]:
    return ([EvidenceSentence("src", i, t, tuple(extract_units(t)), texts[i - 1] if i else "")
             for i, t in enumerate(texts)], vecs(texts))


@pytest.mark.parametrize("claim, status", [
    ("The council approved a budget of $12 million for the new bridge on Monday.", "supported"),
    ("The council approved a budget of $15 million for the new bridge on Monday.", "contradicted"),
    ("Mayor Anna Kowalski said construction would start in March and last two years, she told CNN.", "unsupported"),
])
def test_check_claims_statuses(claim, status):
    pool, pv = _pool(SRC)
    judged = judge_claims("b", sents("b", [claim]), [tuple(extract_units(claim))], vecs([claim]), pool, pv)
    out = [claim_json(c, v) for c, v in judged]
    assert out[0]["status"] == status, out[0]
    assert out[0]["evidence"] and 0.0 <= out[0]["score"] <= 1.0


def test_short_fragments_are_not_claims():
    pool, pv = _pool(SRC)
    out = [claim_json(c, v) for c, v in judge_claims("b", sents("b", ["Bridge news"]), [()], vecs(["Bridge news"]), pool, pv)]
    assert out == []
