"""Tests for copydesk.cluster: average-link stories and connected components."""

from __future__ import annotations

import random
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from copydesk.cluster import (
    DENSE_MAX,
    _average_link_sparse,
    average_link,
    components,
    split_bimodal,
    story_groups,
    within_groups,
)


def _key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def test_average_link_does_not_chain() -> None:
    # A~B and B~C are strong, A~C is nothing: single-link would make one group, average-link must not.
    sim = {("a", "b"): 0.9, ("b", "c"): 0.9}
    groups = average_link(["a", "b", "c"], sim, 0.5)
    assert len(groups) == 2
    assert ["a", "b", "c"] not in groups
    assert sorted(len(g) for g in groups) == [1, 2]


def test_average_link_joins_a_coherent_group() -> None:
    sim = {("a", "b"): 0.9, ("b", "c"): 0.8, ("a", "c"): 0.7, ("c", "d"): 0.1}
    assert average_link(["d", "c", "b", "a"], sim, 0.5) == [["a", "b", "c"], ["d"]]


def test_average_link_threshold_is_inclusive_and_missing_pairs_count_zero() -> None:
    assert average_link(["x", "y"], {("x", "y"): 0.5}, 0.5) == [["x", "y"]]
    assert average_link(["x", "y"], {}, 0.5) == [["x"], ["y"]]
    # A missing pair counts 0: joining z to {x, y} averages (0.9 + 0) / 2 = 0.45.
    sim = {("x", "y"): 0.9, ("y", "z"): 0.9}
    assert average_link(["x", "y", "z"], sim, 0.4) == [["x", "y", "z"]]
    assert average_link(["x", "y", "z"], sim, 0.5) != [["x", "y", "z"]]


def test_average_link_trivial_inputs() -> None:
    assert average_link([], {}, 0.5) == []
    assert average_link(["only"], {}, 0.5) == [["only"]]
    assert average_link(["a", "a", "b"], {("a", "b"): 1.0}, 0.5) == [["a", "b"]]


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=3, max_value=12),
    st.integers(min_value=0, max_value=10_000),
    st.floats(min_value=0.05, max_value=0.95),
)
def test_average_link_is_input_order_independent(n: int, seed: int, threshold: float) -> None:
    rng = random.Random(seed)
    ids = [f"doc{i:02d}" for i in range(n)]
    sim = {}
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if rng.random() < 0.7:
                sim[_key(a, b)] = round(rng.random(), 3)
    want = average_link(ids, sim, threshold)
    shuffled_ids = ids[:]
    rng.shuffle(shuffled_ids)
    items = list(sim.items())
    rng.shuffle(items)
    assert average_link(shuffled_ids, dict(items), threshold) == want
    # Every id lands in exactly one sorted group.
    assert sorted(m for g in want for m in g) == ids
    assert all(g == sorted(g) for g in want)


def test_components() -> None:
    got = components(["e", "a", "b", "c", "d"], [("b", "a"), ("c", "d")])
    assert got == [["a", "b"], ["c", "d"], ["e"]]
    assert components([], []) == []


def _two_events(across: float, n: int = 4) -> tuple[list[str], dict[tuple[str, str], float]]:
    """Two events of one kind: n reports each, 0.9 alike inside an event, ``across`` between."""
    a = [f"a{i}" for i in range(n)]
    b = [f"b{i}" for i in range(n)]
    sim = {}
    for group in (a, b):
        for i, x in enumerate(group):
            for y in group[i + 1 :]:
                sim[_key(x, y)] = 0.9
    for x in a:
        for y in b:
            sim[_key(x, y)] = across
    return a + b, sim


def test_split_bimodal_separates_two_tight_events() -> None:
    ids, sim = _two_events(0.4)
    merged = average_link(ids, sim, 0.3)
    assert merged == [sorted(ids)]  # one global threshold merges the two events
    assert split_bimodal(merged, sim, 0.7, 3) == [["a0", "a1", "a2", "a3"], ["b0", "b1", "b2", "b3"]]
    # Close enough across (0.8 >= 0.7 x 0.9): one event, left whole.
    ids, sim = _two_events(0.8)
    assert split_bimodal([ids], sim, 0.7, 3) == [sorted(ids)]
    # Halves smaller than min_part are never split off.
    ids, sim = _two_events(0.1, n=2)
    assert split_bimodal([ids], sim, 0.7, 3) == [sorted(ids)]


def test_split_bimodal_never_splits_across_a_kept_pair() -> None:
    ids, sim = _two_events(0.4)
    assert split_bimodal([ids], sim, 0.7, 3, keep=[("a0", "b2")]) == [sorted(ids)]
    # A kept pair inside one half does not stop the split.
    assert split_bimodal([ids], sim, 0.7, 3, keep=[("a0", "a1")]) == [ids[:4], ids[4:]]


def test_story_groups_uses_the_model() -> None:
    ids, sim = _two_events(0.4)
    without = SimpleNamespace(cluster_threshold=0.3, split_ratio=None, split_min_part=3)
    with_split = SimpleNamespace(cluster_threshold=0.3, split_ratio=0.7, split_min_part=3)
    assert story_groups(ids, sim, without) == [sorted(ids)]
    assert story_groups(list(reversed(ids)), sim, with_split) == [ids[:4], ids[4:]]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=3, max_value=40),
    st.integers(min_value=0, max_value=10_000),
    st.floats(min_value=0.05, max_value=0.9),
    st.floats(min_value=0.05, max_value=0.9),
)
def test_sparse_average_link_gives_the_dense_clusters(n: int, seed: int, threshold: float, density: float) -> None:
    """Above DENSE_MAX members average-link runs on the edges alone; without exact ties it must
    give scipy's clusters (random similarities, so ties have probability zero)."""
    rng = random.Random(seed)
    ids = [f"doc{i:02d}" for i in range(n)]
    sim = {}
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if rng.random() < density:
                sim[(a, b)] = rng.random()
    assert _average_link_sparse(ids, sim, threshold) == average_link(ids, sim, threshold)


def test_average_link_on_a_component_too_large_for_a_dense_matrix() -> None:
    # 30,000 articles chained by candidate links: a dense distance matrix would need ~10 GB.
    n = 30_000
    ids = [f"a{i:05d}" for i in range(n)]
    assert n > DENSE_MAX
    sim = {}
    for i in range(n - 1):
        sim[(ids[i], ids[i + 1])] = 0.9 if i % 2 == 0 else 0.3  # strong pairs, weak links between them
    groups = average_link(ids, sim, 0.5)
    assert groups == [[ids[i], ids[i + 1]] for i in range(0, n, 2)]
    # Two pairs joined by one 0.3 link average 0.3 / 4 = 0.075: no chaining at any higher threshold.
    assert len(average_link(ids, sim, 0.08)) == n // 2
    assert len(average_link(ids, sim, 0.07)) < n // 2


def test_within_groups_splits_pairs_by_group() -> None:
    pairs = {("a", "b"): 1, ("b", "c"): 2, ("c", "d"): 3, ("d", "e"): 4}
    assert within_groups([["a", "b", "c"], ["d", "e"]], pairs) == [{("a", "b"): 1, ("b", "c"): 2}, {("d", "e"): 4}]
