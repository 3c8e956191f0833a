"""The copy path alone (``bench/copies.py``, measured by ``bench/scale.py``): band candidates and
``find_copies``. Run with ``pytest bench/test_copies.py`` (bench code, not the package: not in ``tests/``)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from copies import band_candidates, find_copies  # noqa: E402


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted((HERE.parent / "examples" / "seeds").glob("*.txt"))}


def test_band_candidates_match_a_dict_grouping():
    rng = np.random.default_rng(1)
    bands = rng.integers(0, 40, size=(200, 4))
    want = set()
    for b in range(4):
        groups: dict[int, list[int]] = {}
        for i, k in enumerate(bands[:, b]):
            groups.setdefault(int(k) + 1000 * b, []).append(i)
        for m in groups.values():
            want |= {(x, y) for i, x in enumerate(m) for y in m[i + 1 :]}
    # keys are unique across bands (band_keys mixes the band index in)
    got = {tuple(p) for p in band_candidates(bands + 1000 * np.arange(4)).tolist()}
    assert got == want
    star = band_candidates(np.zeros((5, 1), np.int64), max_bucket=3)
    assert star.tolist() == [[0, 1], [0, 2], [0, 3], [0, 4]]


def test_find_copies_finds_a_near_duplicate(seed_texts):
    base = seed_texts["000"]
    copy = base.replace("Putin", "Mr Putin", 1).replace("ceasefire", "truce", 1)
    texts = [base, seed_texts["001"], copy, ""]
    pairs, jac = find_copies(texts)
    assert pairs.tolist() == [[0, 2]]
    assert jac[0] > 0.8
