"""The shipped pairwise verifier (copydesk/data/verifier.onnx): torch-free, stable, and it tells a faithful
rewording from the same rewording with one fact bent."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from copydesk.featurize.nli import LABELS, get_pair_classifier, model_meta, model_path

# (evidence, faithful rewording, the same rewording with one fact bent)
CASES = [
    (
        "Deputy Foreign Minister Alexander Grushko said Moscow would demand that Ukraine remain neutral.",
        "Moscow will insist on Ukrainian neutrality, deputy foreign minister Alexander Grushko said.",
        "Moscow will insist on Ukrainian neutrality, deputy foreign minister Sergei Lavrov said.",
    ),
    (
        "The company said it would cut 1,200 jobs over the next two years.",
        "Over the coming two years the firm plans to eliminate 1,200 positions, it said.",
        "Over the coming two years the firm plans to eliminate 4,500 positions, it said.",
    ),
    (
        "Police arrested the suspect on Tuesday after a three-day search.",
        "The suspect was taken into custody by police on Tuesday following a search lasting three days.",
        "The suspect was not taken into custody by police on Tuesday following a search lasting three days.",
    ),
    pytest.param(
        "The actress checked into a rehab facility in Malibu, her publicist told People magazine.",
        "Her publicist told People magazine that the actress had entered a rehab center in Malibu.",
        "Her publicist told People magazine that the actress had entered a rehab center in Chicago.",
        # Measured: the shipped model (300 steps) misses most place swaps (synthetic dev: 0.54 on
        # "place"); here both score P(supported) 0.78-0.79. The deterministic unit diff must catch them.
        marks=pytest.mark.xfail(reason="the shipped verifier misses place swaps", strict=False),
    ),
    (
        "The ceasefire will last 30 days, officials from both sides said.",
        "Officials on both sides said the truce would hold for 30 days.",
        "Officials on both sides said the truce would hold for 45 days.",
    ),
]


@pytest.fixture(scope="module")
def clf():
    return get_pair_classifier(threads=1)


def test_ships_small_file_with_meta():
    path = model_path()
    assert path.exists()
    assert path.stat().st_size < 30e6
    assert model_meta()["labels"] == list(LABELS)


@pytest.mark.parametrize("evidence,faithful,bent", CASES)
def test_faithful_rewording_beats_bent_fact(clf, evidence, faithful, bent):
    p = clf.predict([faithful, bent], [evidence, evidence])
    assert p[0, 0] > p[1, 0], (faithful, bent, p)


def test_probabilities_sum_to_one_and_batching_is_stable(clf):
    cases = [c.values if hasattr(c, "values") else c for c in CASES]
    claims = [c for _, f, b in cases for c in (f, b)] + ["A short claim.", ""]
    evs = [e for e, _, _ in cases for _ in (0, 1)] + ["A completely different and much longer sentence about prices.", ""]
    together = clf.predict(claims, evs, batch_size=16)
    one_by_one = np.vstack([clf.predict([c], [e]) for c, e in zip(claims, evs, strict=True)])
    assert together.shape == (len(claims), len(LABELS))
    assert np.allclose(together.sum(axis=1), 1.0, atol=1e-5)
    assert np.abs(together - one_by_one).max() < 1e-4
    assert clf.predict([], []).shape == (0, len(LABELS))


def test_mismatched_lengths_rejected(clf):
    with pytest.raises(ValueError):
        clf.predict(["a"], [])


def test_import_does_not_load_torch():
    code = "import sys, copydesk.featurize.nli as n; n.get_pair_classifier(threads=1); assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
