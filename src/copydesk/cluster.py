"""Cluster: stories from same-story-or-stronger edges, families from rewrite edges.

Average-link agglomeration (an article joins a group only if it matches the group on
average, not through one member: the guard against chaining), over ids in sorted order
so the result does not depend on input order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

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
