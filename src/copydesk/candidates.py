"""Candidate pairs: which articles are worth scoring against each other. Pure functions over data,
one home for both paths: the incremental runner fetches the new articles' neighbours from the
store and calls :func:`radius_neighbours`; the batch engines call :func:`candidate_pairs` (local)
or the bucket functions below one group at a time (Spark).

For a whole corpus, every candidate source is "explode a key per article, group by key, emit pairs inside each
group", so the local engine (dicts) and the Spark job (``groupBy`` + ``applyInPandas``)
run the same functions on the same groups:

- copies: MinHash-LSH band keys (``(band, key)`` buckets);
- rare entities: posting lists of at most ``Settings.entity_max_postings`` articles, a pair
  kept when it shares at least ``Settings.entity_min_shared`` of them;
- paraphrase: spherical k-means buckets of the document vectors (SemDeDup-style), each
  article in its ``probes`` nearest buckets; inside a bucket, exact cosine; per article
  the ``vector_max_neighbours`` nearest at cosine >= ``vector_min_cosine`` over all its
  buckets, and never fewer than its ``vector_min_neighbours`` nearest at any cosine (3 by
  default; ``score.CONFLICT_MAX_COS`` keeps such a pair apart when the two texts name different
  people and figures). With one bucket (small corpora) this is exactly the store's vector search.

The centroids are trained on a deterministic sample (the articles with the smallest id
hashes), so both engines derive the same buckets.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np

from .config import Settings
from .featurize.embed import DIM

Pair = tuple[str, str]
RADIUS_BLOCK = 1024  # query rows a matrix product (the incremental runner's exact vector search)


class BucketSettings(Protocol):
    """The knobs of the batch candidate search (``runners.stages.BatchSettings`` has them)."""

    @property
    def semantic_probes(self) -> int: ...
    @property
    def semantic_bucket(self) -> int: ...
    @property
    def max_semantic_bucket(self) -> int: ...
    @property
    def kmeans_per_centroid(self) -> int: ...
    @property
    def kmeans_iters(self) -> int: ...
    @property
    def max_band_bucket(self) -> int: ...


def id_hash(article_id: str) -> int:
    """Stable 63-bit hash of an id (the same in every process, unlike ``hash``)."""
    d = hashlib.blake2b(article_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(d, "little") >> 1


def n_chunks(n: int, chunk_size: int) -> int:
    return max(1, math.ceil(n / chunk_size))


def chunk_of(article_id: str, chunks: int) -> int:
    """The analysis unit of an article: its embedding batches are fixed by this, in any engine."""
    return id_hash(article_id) % chunks


def ordered(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


# -- lexical and entity buckets -------------------------------------------------------------


def bucket_pairs(members: Iterable[str], max_size: int) -> list[Pair]:
    """Pairs inside one LSH bucket. An oversized bucket (boilerplate, mass duplicates) is
    linked as a star on its smallest id: still one component, linear in its size."""
    m = sorted(set(members))
    if len(m) < 2:
        return []
    if len(m) > max_size:
        return [(m[0], x) for x in m[1:]]
    return [(a, b) for i, a in enumerate(m) for b in m[i + 1 :]]


def entity_pairs(postings: Iterable[Iterable[str]], max_postings: int, min_shared: int) -> set[Pair]:
    """Pairs that share at least ``min_shared`` valid posting lists (the store's rule)."""
    shared: dict[Pair, int] = {}
    for members in postings:
        for p in posting_pairs(members, max_postings):
            shared[p] = shared.get(p, 0) + 1
    return {p for p, n in shared.items() if n >= min_shared}


def posting_pairs(members: Iterable[str], max_postings: int) -> list[Pair]:
    """Pairs sharing one rare entity; a name in more than ``max_postings`` articles says little
    (the store's rule: such posting lists are skipped)."""
    m = sorted(set(members))
    if len(m) < 2 or len(m) > max_postings:
        return []
    return [(a, b) for i, a in enumerate(m) for b in m[i + 1 :]]


# -- semantic buckets -------------------------------------------------------------------------


def semantic_k(n: int, probes: int, bucket_size: int) -> int:
    """Number of k-means buckets: one (exact search) until buckets would exceed ``bucket_size``."""
    k = math.ceil(n * probes / bucket_size)
    return 1 if k <= probes else k


def sample_size(k: int, per_centroid: int) -> int:
    return k * per_centroid


def train_centroids(vectors: np.ndarray, k: int, iters: int) -> np.ndarray:
    """Spherical k-means on ``vectors`` (rows in a fixed order); the first k rows seed it."""
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    k = min(k, len(x))
    cent = x[:k].copy()
    for _ in range(iters):
        lab = np.argmax(x @ cent.T, axis=1)
        sums = np.zeros_like(cent)
        np.add.at(sums, lab, x)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        keep = norms[:, 0] > 0  # an empty cluster keeps its centroid
        cent[keep] = sums[keep] / norms[keep]
    return cent


def assign_buckets(vectors: np.ndarray, centroids: np.ndarray, probes: int) -> np.ndarray:
    """(n, probes) indices of each vector's nearest centroids (ties: lower index first)."""
    if len(centroids) <= 1:
        return np.zeros((len(vectors), 1), np.int64)
    p = min(probes, len(centroids))
    sim = np.asarray(vectors, np.float32) @ centroids.T
    # A stable sort on the negated similarity breaks ties by centroid index.
    return np.argsort(-sim, axis=1, kind="stable")[:, :p].astype(np.int64)


def near_hits(row: np.ndarray, min_cos: float, max_n: int, min_n: int) -> np.ndarray:
    """Columns of one similarity row kept as neighbours: those at cosine >= ``min_cos``, the
    ``max_n`` best of them, and never fewer than the ``min_n`` best at any cosine (best first; ties
    by column, a stable sort). Excluded columns (the row's own) are set to -1 by the caller."""
    hits = np.flatnonzero(row >= min_cos)
    if len(hits) > max_n:
        hits = hits[np.argsort(-row[hits], kind="stable")[:max_n]]
    if len(hits) < min_n:
        hits = np.union1d(hits, _best(row, min_n))
    return hits


def _best(row: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` largest entries of ``row`` above -1 (ties by column): what a stable descending sort
    gives, in linear time (a partition finds the k-th value; only the ties at it are ordered)."""
    if k >= len(row):
        return np.flatnonzero(row > -1.0)
    kth = np.partition(row, len(row) - k)[len(row) - k]
    above = np.flatnonzero(row > kth)
    ties = np.flatnonzero(row == kth)[: k - len(above)]
    out = np.concatenate([above, ties])
    return out[row[out] > -1.0]


def keep_directed(cos_desc: Sequence[float], min_cos: float, max_n: int, min_n: int) -> int:
    """How many of one article's neighbours, sorted by cosine descending, :func:`near_hits` keeps:
    the radius ones up to ``max_n``, at least ``min_n``."""
    inside = sum(1 for c in cos_desc if c >= min_cos)
    return min(len(cos_desc), max(min(inside, max_n), min_n))


def bucket_neighbours(
    ids: Sequence[str],
    vectors: np.ndarray,
    min_cos: float,
    max_n: int,
    max_bucket: int,
    split_k: int = 0,
    depth: int = 0,
    min_n: int = 0,
) -> tuple[list[str], list[str], list[float]]:
    """Directed near neighbours inside one bucket: (a, b, cos) with cos >= min_cos, each a's
    ``max_n`` best (cos descending, then id), and at least its ``min_n`` nearest at any cosine.
    Members are put in id order first, so the result does not depend on the order they arrive in.
    A bucket over ``max_bucket`` is split with a second k-means (two probes), at most twice; past
    that it is searched exactly in blocks."""
    order = np.argsort(np.asarray(ids, dtype=object), kind="stable")
    sid = [ids[i] for i in order]
    vec = np.ascontiguousarray(np.asarray(vectors, np.float32)[order])
    n = len(sid)
    if n > max_bucket and depth < 2:
        k = split_k or math.ceil(2 * n / (max_bucket // 2))
        sample = sorted(range(n), key=lambda i: id_hash(sid[i]))[: sample_size(k, 64)]
        cent = train_centroids(vec[sample], k, 8)
        if len(cent) > 1:
            lab = assign_buckets(vec, cent, 2)
            out_a: list[str] = []
            out_b: list[str] = []
            out_c: list[float] = []
            for c in range(len(cent)):
                rows = np.flatnonzero((lab == c).any(axis=1))
                if len(rows) == n:  # the split did not split (identical vectors): search exactly
                    break
                a, b, s = bucket_neighbours(
                    [sid[i] for i in rows], vec[rows], min_cos, max_n, max_bucket, depth=depth + 1, min_n=min_n
                )
                out_a += a
                out_b += b
                out_c += s
            else:
                return merge_directed(out_a, out_b, out_c, max_n, min_cos, min_n)
    out_a, out_b, out_c = [], [], []
    ids_arr = np.asarray(sid, dtype=object)
    for start in range(0, n, 1024):
        sims = vec[start : start + 1024] @ vec.T
        for r in range(sims.shape[0]):
            row = sims[r]
            row[start + r] = -1.0
            hits = near_hits(row, min_cos, max_n, min_n)  # ties by id: members are in id order
            if len(hits):
                out_a.extend([sid[start + r]] * len(hits))
                out_b.extend(ids_arr[hits].tolist())
                out_c.extend(row[hits].astype(float).tolist())
    return out_a, out_b, out_c


def merge_directed(
    a: Sequence[str], b: Sequence[str], cos: Sequence[float], max_n: int, min_cos: float = -1.0, min_n: int = 0
) -> tuple[list[str], list[str], list[float]]:
    """Union of directed neighbour lists (from several buckets): each a's ``max_n`` best at
    cosine >= ``min_cos``, and at least its ``min_n`` best (:func:`keep_directed`)."""
    best: dict[str, dict[str, float]] = {}
    for x, y, c in zip(a, b, cos, strict=True):
        d = best.setdefault(x, {})
        if c > d.get(y, -2.0):
            d[y] = c
    out_a, out_b, out_c = [], [], []
    for x in sorted(best):
        top = sorted(best[x].items(), key=lambda kv: (-kv[1], kv[0]))
        for y, c in top[: keep_directed([c for _, c in top], min_cos, max_n, min_n)]:
            out_a.append(x)
            out_b.append(y)
            out_c.append(c)
    return out_a, out_b, out_c


def neighbour_pairs(a: Sequence[str], b: Sequence[str]) -> set[Pair]:
    """Undirected candidate pairs from merged directed neighbour lists."""
    return {ordered(x, y) for x, y in zip(a, b, strict=True) if x != y}


# -- exact vector search of new articles against a stored corpus --------------------------------


def radius_neighbours(
    new: Sequence[str],
    queries: np.ndarray,
    ids: Sequence[str],
    matrix: np.ndarray,
    min_cos: float,
    max_n: int,
    min_n: int = 0,
) -> set[Pair]:
    """Pairs (a < b) of each new article (row of ``queries``) with its ``max_n`` nearest articles of
    ``ids`` (rows of ``matrix``) at cosine >= ``min_cos``, and at least its ``min_n`` nearest at any
    cosine (itself excluded; ties by row order).

    Exact search in blocks of ``RADIUS_BLOCK`` query rows. A single query row is computed as a
    two-row product: BLAS gemv sums differ in the last bit from gemm's, and a lone new article
    (incremental runs, the API) must score as it would in a batch."""
    index = {x: k for k, x in enumerate(ids)}
    out: set[Pair] = set()
    for start in range(0, len(new), RADIUS_BLOCK):
        block = queries[start : start + RADIUS_BLOCK]
        sims = (np.vstack([block, block]) @ matrix.T)[:1] if len(block) == 1 else block @ matrix.T
        for r, a in enumerate(new[start : start + RADIUS_BLOCK]):
            row = sims[r]
            if a in index:
                row[index[a]] = -1.0
            hits = near_hits(row, min_cos, max_n, min_n)
            out.update(ordered(a, ids[int(h)]) for h in hits if ids[int(h)] != a)
    return out


# -- a whole corpus in memory (the local batch engine) -------------------------------------------


def semantic_neighbours(
    ids: Sequence[str], vectors: np.ndarray, settings: Settings, bs: BucketSettings
) -> set[Pair]:
    """The paraphrase candidates of a corpus: k-means buckets, exact search inside each."""
    n = len(ids)
    k = semantic_k(n, bs.semantic_probes, bs.semantic_bucket)
    if k == 1:
        buckets = {0: np.arange(n)}
    else:
        order = sorted(range(n), key=lambda i: id_hash(ids[i]))[: sample_size(k, bs.kmeans_per_centroid)]
        cent = train_centroids(vectors[order], k, bs.kmeans_iters)
        lab = assign_buckets(vectors, cent, bs.semantic_probes)
        groups: dict[int, list[int]] = defaultdict(list)
        for i, row in enumerate(lab):
            for c in row:
                groups[int(c)].append(i)
        buckets = {c: np.asarray(v) for c, v in groups.items()}
    da: list[str] = []
    db: list[str] = []
    dc: list[float] = []
    for c in sorted(buckets):
        rows = buckets[c]
        a, b, s = bucket_neighbours(
            [ids[int(i)] for i in rows],
            vectors[rows],
            settings.vector_min_cosine,
            settings.vector_max_neighbours,
            bs.max_semantic_bucket,
            min_n=settings.vector_min_neighbours,
        )
        da += a
        db += b
        dc += s
    a, b, _ = merge_directed(
        da, db, dc, settings.vector_max_neighbours, settings.vector_min_cosine, settings.vector_min_neighbours
    )
    return neighbour_pairs(a, b)


def candidate_pairs(
    ids: Sequence[str],
    bands: Sequence[Sequence[int]],
    entities: Sequence[Sequence[str]],
    vectors: np.ndarray | None,
    settings: Settings,
    bs: BucketSettings,
    counts: dict[str, int] | None = None,
) -> list[Pair]:
    """Union of LSH band, rare-entity and semantic-bucket candidates of a corpus, sorted: article
    ``ids[i]`` has band keys ``bands[i]``, rare entities ``entities[i]`` and document vector
    ``vectors[i]``. ``counts`` receives the running totals after each source."""
    counts = counts if counts is not None else {}
    by_band: dict[tuple[int, int], list[str]] = defaultdict(list)
    postings: dict[str, list[str]] = defaultdict(list)
    for i, keys, ents in zip(ids, bands, entities, strict=True):
        for b, key in enumerate(keys):
            by_band[(b, key)].append(i)
        for e in ents:
            postings[e].append(i)
    out: set[Pair] = set()
    for members in by_band.values():
        if len(members) > 1:
            out.update(bucket_pairs(members, bs.max_band_bucket))
    counts["band_pairs"] = len(out)
    out |= entity_pairs(postings.values(), settings.entity_max_postings, settings.entity_min_shared)
    counts["entity_band_pairs"] = len(out)
    vecs = vectors if vectors is not None and len(ids) else np.zeros((0, DIM), np.float32)
    out |= semantic_neighbours(list(ids), vecs, settings, bs)
    counts["candidates"] = len(out)
    return sorted(out)
