"""Cluster: stories from same-story-or-stronger edges, families from rewrite edges.

Average-link agglomeration (an article joins a group only if it matches the group on
average, not through one member: the guard against chaining), over ids in sorted order
so the result does not depend on input order. Then, per story, a relative check
(``split_bimodal``): a group made of two tighter groups is split in two.

Work is bounded by the similarity edges, not by the square of a group's size, above
``DENSE_MAX`` members: a crawl's filler can chain tens of thousands of articles into one
component of candidate links, whose dense distance matrix would not fit in memory.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

import numpy as np

Edge = tuple[str, str]
V = TypeVar("V")

# Up to this many members, average-link runs on scipy's dense linkage; above, on the sparse
# similarity graph (:func:`_average_link_sparse`): the same clusters (average-link with
# missing pairs at similarity 0 merges only clusters joined by an edge), up to the order in
# which exactly tied merges are made.
DENSE_MAX = 2000


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


def within_groups(groups: Sequence[Sequence[str]], pairs: Mapping[Edge, V]) -> list[dict[Edge, V]]:
    """For each group, the entries of ``pairs`` whose two ends are both in it (one pass over
    the pairs, however many groups)."""
    group_of = {m: gi for gi, g in enumerate(groups) for m in g}
    out: list[dict[Edge, V]] = [{} for _ in groups]
    for k, v in pairs.items():
        gi = group_of.get(k[0])
        if gi is not None and group_of.get(k[1]) == gi:
            out[gi][k] = v
    return out


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
    if n > DENSE_MAX:
        return _average_link_sparse(order, sim, threshold)
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


def _average_link_sparse(order: list[str], sim: Mapping[Edge, float], threshold: float) -> list[list[str]]:
    """Average-link over the edges of ``sim`` only, for ``threshold`` > 0.

    The mean similarity of two clusters is the sum of their edges over the product of their
    sizes (a missing pair counts 0), so two clusters without an edge never reach a positive
    threshold: a heap of the joined pairs, merged best first (ties by cluster number, made in
    sorted-id order), stopping below the threshold. Memory and time follow the edges.
    """
    if threshold <= 0:
        return [order]
    index = {a: i for i, a in enumerate(order)}
    nbr: list[dict[int, float]] = [{} for _ in order]  # cluster -> {neighbour cluster: sum of similarities}
    for (a, b), s in sim.items():
        i, j = index.get(a), index.get(b)
        if i is None or j is None or i == j:
            continue
        v = min(max(s, 0.0), 1.0)
        nbr[i][j] = nbr[j][i] = v
    size = [1] * len(order)
    members: list[list[int] | None] = [[i] for i in range(len(order))]
    heap = [(-v, i, j) for i in range(len(order)) for j, v in nbr[i].items() if i < j and v > 0]
    heapq.heapify(heap)
    floor = threshold - 1e-9  # the dense form's cut tolerance
    while heap:
        neg, i, j = heapq.heappop(heap)
        if members[i] is None or members[j] is None:
            continue  # a cluster merged since this entry was pushed
        if -neg < floor:
            break
        c = len(size)
        size.append(size[i] + size[j])
        big, small = (nbr[i], nbr[j]) if len(nbr[i]) >= len(nbr[j]) else (nbr[j], nbr[i])
        merged = big
        for d, v in small.items():
            merged[d] = merged.get(d, 0.0) + v
        merged.pop(i, None)
        merged.pop(j, None)
        nbr.append(merged)
        nbr[i] = nbr[j] = {}
        members.append(members[i] + members[j])  # type: ignore[operator]
        members[i] = members[j] = None
        for d, v in merged.items():
            nd = nbr[d]
            nd.pop(i, None)
            nd.pop(j, None)
            nd[c] = v
            if v > 0:
                heapq.heappush(heap, (-v / (size[c] * size[d]), d, c))
    groups = [sorted(order[k] for k in m) for m in members if m is not None]
    return sorted(groups, key=lambda g: g[0])


def _sim_matrix(members: list[str], adj: Mapping[str, Mapping[str, float]]) -> np.ndarray:
    """Dense similarities of a group, read from each member's edges (missing pairs 0)."""
    index = {a: i for i, a in enumerate(members)}
    s = np.zeros((len(members), len(members)), dtype=np.float64)
    for i, a in enumerate(members):
        for b, v in adj.get(a, {}).items():
            j = index.get(b)
            if j is not None and j != i:
                s[i, j] = s[j, i] = min(max(v, 0.0), 1.0)
    return s


def _adjacency(sim: Mapping[Edge, float]) -> dict[str, dict[str, float]]:
    adj: dict[str, dict[str, float]] = {}
    for (a, b), v in sim.items():
        adj.setdefault(a, {})[b] = v
        adj.setdefault(b, {})[a] = v
    return adj


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
    groups: Iterable[Sequence[str]],
    sim: Mapping[Edge, float],
    ratio: float,
    min_part: int,
    keep: Iterable[Edge] = (),
) -> list[list[str]]:
    """Split groups made of two tighter groups, recursively.

    A group's weakest join (the last merge of average-link inside it) is undone when both halves
    have ``min_part`` members or more and the mean similarity across the halves is below
    ``ratio`` times the mean similarity inside the looser half (a half of one article: the
    other half). Average-link with one global threshold merges two reports of the same *kind*
    of event (two heavyweight title defences, two DUI arrests) when everything in that
    neighbourhood is similar; relative to how alike each event's own reports are, the two are
    still apart. ``sim`` as in :func:`average_link`. A join crossed by a pair of ``keep`` is never
    undone (none by default). Deterministic and independent of input order (members are sorted
    before the linkage).
    """
    keep = list(keep)
    out: list[list[str]] = []
    stack = [sorted(set(g)) for g in groups]
    adj = _adjacency(sim) if any(len(g) >= max(2 * min_part, 3) for g in stack) else {}
    while stack:
        g = stack.pop()
        if len(g) < max(2 * min_part, 3):
            out.append(g)
            continue
        s = _sim_matrix(g, adj)
        a, b = _top_split(s)
        if min(len(a), len(b)) < min_part:
            out.append(g)
            continue
        across = float(s[np.ix_(a, b)].mean())
        within = [w for w in (_mean_within(s, a), _mean_within(s, b)) if w is not None]
        side = {g[i]: 0 for i in a} | {g[i]: 1 for i in b} if keep else {}
        crossed = any(x in side and y in side and side[x] != side[y] for x, y in keep)
        if across < ratio * min(within) and not crossed:
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
