"""Cluster: stories from same-story-or-stronger edges, families from rewrite edges.

Average-link agglomeration (an article joins a group only if it matches the group on
average, not through one member: the guard against chaining), over ids in sorted order
so the result does not depend on input order. Then, per story, a relative check
(``split_bimodal``): a group made of two tighter groups is split in two.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

Edge = tuple[str, str]


def components(nodes: Iterable[str], edges: Iterable[Edge]) -> list[list[str]]:
    """Connected components (sorted members, components sorted by first member)."""
    parent: dict[str, str] = {n: n for n in nodes}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for n in parent:
        groups.setdefault(find(n), []).append(n)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def average_link(ids: Iterable[str], sim: Mapping[Edge, float], threshold: float) -> list[list[str]]:
    """Groups whose members' mean pairwise similarity stays >= threshold at every merge.

    ``sim`` holds similarities in [0, 1] keyed by (a, b) with a < b; missing pairs count 0.
    """
    order = sorted(set(ids))
    n = len(order)
    if n <= 1:
        return [order] if order else []
    if n == 2:
        s = sim.get((order[0], order[1]), 0.0)
        return [order] if s >= threshold else [[order[0]], [order[1]]]
    from scipy.cluster.hierarchy import fcluster, linkage

    index = {a: i for i, a in enumerate(order)}
    dist = np.ones((n, n), dtype=np.float64)
    for (a, b), s in sim.items():
        if a in index and b in index:
            i, j = index[a], index[b]
            dist[i, j] = dist[j, i] = 1.0 - min(max(s, 0.0), 1.0)
    np.fill_diagonal(dist, 0.0)
    condensed = dist[np.triu_indices(n, 1)]
    tree = linkage(condensed, method="average")
    labels = fcluster(tree, t=1.0 - threshold + 1e-9, criterion="distance")
    groups: dict[int, list[str]] = {}
    for a, lab in zip(order, labels, strict=True):
        groups.setdefault(int(lab), []).append(a)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def _sim_matrix(members: list[str], sim: Mapping[Edge, float]) -> np.ndarray:
    n = len(members)
    s = np.zeros((n, n), dtype=np.float64)
    for i, a in enumerate(members):
        for j in range(i + 1, n):
            v = sim.get((a, members[j]), 0.0)
            s[i, j] = s[j, i] = min(max(v, 0.0), 1.0)
    return s


def _top_split(s: np.ndarray) -> tuple[list[int], list[int]]:
    """The two halves of the last average-link merge of a group (its weakest join)."""
    from scipy.cluster.hierarchy import linkage, to_tree

    n = len(s)
    dist = 1.0 - s
    np.fill_diagonal(dist, 0.0)
    root = to_tree(linkage(dist[np.triu_indices(n, 1)], method="average"))
    return sorted(root.get_left().pre_order()), sorted(root.get_right().pre_order())


def _mean_within(s: np.ndarray, idx: list[int]) -> float | None:
    if len(idx) < 2:
        return None
    sub = s[np.ix_(idx, idx)]
    return float(sub[np.triu_indices(len(idx), 1)].mean())


def split_bimodal(
    groups: Iterable[Sequence[str]], sim: Mapping[Edge, float], ratio: float, min_part: int
) -> list[list[str]]:
    """Split groups made of two tighter groups, recursively.

    A group's weakest join (the last merge of average-link inside it) is undone when both halves
    have ``min_part`` members or more and the mean similarity across the halves is below
    ``ratio`` times the mean similarity inside the looser half (a half of one article: the
    other half). Average-link with one global threshold merges two reports of the same *kind*
    of event (two heavyweight title defences, two DUI arrests) when everything in that
    neighbourhood is similar; relative to how alike each event's own reports are, the two are
    still apart. ``sim`` as in :func:`average_link`. Deterministic and independent of input
    order (members are sorted before the linkage).
    """
    out: list[list[str]] = []
    stack = [sorted(set(g)) for g in groups]
    while stack:
        g = stack.pop()
        if len(g) < max(2 * min_part, 3):
            out.append(g)
            continue
        s = _sim_matrix(g, sim)
        a, b = _top_split(s)
        if min(len(a), len(b)) < min_part:
            out.append(g)
            continue
        across = float(s[np.ix_(a, b)].mean())
        within = [w for w in (_mean_within(s, a), _mean_within(s, b)) if w is not None]
        if across < ratio * min(within):
            stack.append([g[i] for i in a])
            stack.append([g[i] for i in b])
        else:
            out.append(g)
    return sorted(out, key=lambda g: g[0])


def story_groups(ids: Iterable[str], sim: Mapping[Edge, float], model) -> list[list[str]]:
    """Stories of a component: average-link at the model's ``cluster_threshold``, then
    :func:`split_bimodal` when the model has a fitted ``split_ratio``."""
    groups = average_link(ids, sim, model.cluster_threshold)
    ratio = getattr(model, "split_ratio", None)
    if ratio:
        groups = split_bimodal(groups, sim, ratio, model.split_min_part)
    return groups
