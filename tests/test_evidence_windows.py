"""Evidence windows (``claims.inputs.EVIDENCE_WINDOWS``): a rewrite often restates two adjacent source
sentences in one, which then aligns with neither alone. The claim checker also compares a claim with every
two adjacent sentences joined; the rules still compare single sentences, and single-sentence scores are
unchanged (the windows are left out of the IDF)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import SEEDS
from copydesk import verify
from copydesk.analyze import analyze_batch, sentence_vectors
from copydesk.claims import evidence_pool, sentence_units
from copydesk.claims import inputs as claim_inputs
from copydesk.claims.index import PoolIndex
from copydesk.config import Settings
from copydesk.records import Article

CLAIM_FAILURES = ("unsupported", "contradicted")
SOURCE = (SEEDS / "000_dc2d94248d973954.txt").read_text(encoding="utf-8")
# Each restates two adjacent sentences of seed 000 in one, reworded.
MERGED = [
    "One big obstacle is Kursk, entered by Ukrainian troops last August and, by Putin's account, now wholly "
    "back under Russian control, a claim still in dispute.",
    "Kyiv's leader has charged that the Kremlin is trying to wreck the truce push, and the U.S. envoy who saw "
    "Putin in Moscow would not discuss trading land.",
]


@pytest.mark.parametrize("rewrite", MERGED)
def test_a_sentence_merging_two_source_sentences_is_supported(rewrite: str, monkeypatch) -> None:
    report = verify(SOURCE, rewrite, fail_on=CLAIM_FAILURES)  # a one-sentence rewrite drops the quotes
    assert report.ok, report.summary
    [claim] = report.claims
    assert claim.status == "supported"
    # The evidence it rests on is the two sentences together.
    assert any(s in claim.evidence[0].text for s in ("Kursk", "Zelensky")) and claim.evidence[0].text.count(". ") >= 1
    monkeypatch.setattr(claim_inputs, "EVIDENCE_WINDOWS", False)
    alone = verify(SOURCE, rewrite, fail_on=CLAIM_FAILURES)
    assert not alone.ok
    assert [c.status for c in alone.claims] == ["unsupported"], "without windows it aligns with neither sentence"


def test_a_bent_fact_in_a_merged_sentence_still_fails() -> None:
    bent = MERGED[0].replace("last August", "last March")
    report = verify(SOURCE, bent, fail_on=CLAIM_FAILURES)
    assert not report.ok
    [claim] = report.claims
    assert claim.status in ("unsupported", "contradicted") and "March" in claim.reason


def test_windows_add_matches_without_changing_single_sentence_scores(monkeypatch) -> None:
    s = Settings()
    rows = {r.article.id: r for r in analyze_batch([Article("src", SOURCE), Article("rw", MERGED[0])], s)}
    svecs = sentence_vectors(list(rows.values()), s)
    units = {k: sentence_units(r) for k, r in rows.items()}
    claim, vec = MERGED[0], svecs["rw"]
    monkeypatch.setattr(claim_inputs, "EVIDENCE_CLAUSES", False)
    monkeypatch.setattr(claim_inputs, "EVIDENCE_WINDOWS", False)
    pool0, v0 = evidence_pool(["src"], rows, units, svecs)
    monkeypatch.setattr(claim_inputs, "EVIDENCE_WINDOWS", True)
    pool1, v1 = evidence_pool(["src"], rows, units, svecs)
    n = len(rows["src"].sentences)
    assert len(pool0) == n and len(pool1) == 2 * n - 1
    assert all(e.window for e in pool1[n:]) and not any(e.window for e in pool1[:n])
    s0 = PoolIndex(pool0, v0, [claim]).query([claim], vec)[0]
    s1 = PoolIndex(pool1, v1, [claim]).query([claim], vec)[0]
    np.testing.assert_allclose(s1[:n], s0, rtol=1e-6)
    assert s1.max() > s0.max()
    # Clauses of long sentences are evidence of the same kind: they only add matches.
    monkeypatch.setattr(claim_inputs, "EVIDENCE_CLAUSES", True)
    pool2, v2 = evidence_pool(["src"], rows, units, svecs)
    assert len(pool2) > len(pool1) and all(e.window for e in pool2[n:]) and len(v2) == len(pool2)
    s2 = PoolIndex(pool2, v2, [claim]).query([claim], vec)[0]
    np.testing.assert_allclose(s2[:n], s0, rtol=1e-6)
