"""The copy path alone, for a whole corpus in memory: shingles -> MinHash -> LSH -> verified pairs.

The same signatures and band keys as the analyze pipeline (``featurize.minhash``); the LSH
buckets are found by one sort of all band keys (no per-article Python loop), and each
candidate pair is verified on its signatures (estimated Jaccard >= ``threshold``).
Signatures are computed in ``workers`` processes; everything after that is a few numpy
passes. This is what ``bench/scale.py`` measures as ``copydesk-copies``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from copydesk.config import Settings
from copydesk.featurize.minhash import band_keys, rensa_started, signatures

_EMPTY = np.iinfo(np.uint32).max
_TEXTS: Sequence[str] = ()  # set before forking workers (inherited, never pickled)


def _sig_slice(bounds: tuple[int, int, int, int, int]) -> np.ndarray:
    start, end, k, num_perm, seed = bounds
    return signatures(_TEXTS[start:end], k, num_perm, seed)


def corpus_signatures(texts: Sequence[str], settings: Settings, workers: int = 1, batch: int = 2500) -> np.ndarray:
    """(n, num_perm) signatures, in batches (2,500 texts keep the byte buffers in cache),
    computed by ``workers`` forked processes (they inherit the texts) for large inputs.

    A child forked after this process has started rensa's thread pool would wait on it
    forever, so once this process has computed signatures itself, it computes them alone.
    """
    global _TEXTS
    s = settings
    n = len(texts)
    size = max(1, min(batch, -(-n // max(workers, 1))))
    jobs = [(i, min(i + size, n), s.shingle_size, s.num_perm, s.minhash_seed) for i in range(0, n, size)]
    if not jobs:
        return np.zeros((0, s.num_perm), np.uint32)
    if workers <= 1 or len(jobs) < 2 or rensa_started():
        return np.vstack([signatures(texts[a:b], k, p, sd) for a, b, k, p, sd in jobs])
    import multiprocessing as mp

    _TEXTS = texts
    try:
        with mp.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_sig_slice, jobs, chunksize=1)
    finally:
        _TEXTS = ()
    return np.vstack(parts)


def band_candidates(bands: np.ndarray, max_bucket: int = 1000) -> np.ndarray:
    """(m, 2) int64 index pairs (i < j, unique) sharing at least one band key.

    All keys are sorted once; each run of equal keys is a bucket. A bucket larger than
    ``max_bucket`` is linked as a star on its first member (as the batch engines do).
    """
    n, nb = bands.shape
    if n < 2:
        return np.zeros((0, 2), np.int64)
    keys = bands.reshape(-1)
    doc = np.repeat(np.arange(n, dtype=np.int64), nb)
    order = np.argsort(keys, kind="stable")
    k, d = keys[order], doc[order]
    starts = np.flatnonzero(np.concatenate([[True], k[1:] != k[:-1]]))
    lengths = np.diff(np.concatenate([starts, [len(k)]]))
    out = []
    for length in np.unique(lengths[lengths > 1]):
        s = starts[lengths == length]
        members = d[s[:, None] + np.arange(length)]  # (runs, length), members in doc order
        if length > max_bucket:
            a = np.repeat(members[:, :1], length - 1, axis=1).reshape(-1)
            b = members[:, 1:].reshape(-1)
        else:
            i, j = np.triu_indices(length, 1)
            a, b = members[:, i].reshape(-1), members[:, j].reshape(-1)
        out.append(np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1))
    if not out:
        return np.zeros((0, 2), np.int64)
    pairs = np.concatenate(out)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    uniq = np.unique(pairs[:, 0] * n + pairs[:, 1])
    return np.stack([uniq // n, uniq % n], axis=1)


def verify(
    sig: np.ndarray, pairs: np.ndarray, threshold: float, chunk: int = 200_000
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs whose estimated Jaccard is >= threshold, and those estimates (0 for empty texts)."""
    empty = np.all(sig == _EMPTY, axis=1)
    keep, jac = [], []
    for start in range(0, len(pairs), chunk):
        p = pairs[start : start + chunk]
        j = np.mean(sig[p[:, 0]] == sig[p[:, 1]], axis=1)
        j[empty[p[:, 0]] | empty[p[:, 1]]] = 0.0
        ok = j >= threshold
        keep.append(p[ok])
        jac.append(j[ok])
    if not keep:
        return np.zeros((0, 2), np.int64), np.zeros(0)
    return np.concatenate(keep), np.concatenate(jac)


def find_copies(
    texts: Sequence[str], settings: Settings | None = None, threshold: float | None = None,
    workers: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Near-duplicate pairs of ``texts`` (index pairs i < j) and their estimated Jaccard.

    ``threshold`` defaults to the relation model's ``duplicate_jaccard`` (a pair at or above
    it is what ``analyze`` calls a duplicate). ``workers`` defaults to one process per
    25,000 texts, at most one per core (below that, forking costs more than it saves).
    """
    import os

    from copydesk.score import default_model

    s = settings or Settings()
    t = default_model().duplicate_jaccard if threshold is None else threshold
    if not 0.0 < t <= 1.0:
        raise ValueError("threshold must be in (0.0, 1.0]")
    if workers is None:  # the cores this process may run on (a container's affinity), not the machine's
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        workers = max(1, min(cores, len(texts) // 25_000))
    sig = corpus_signatures(texts, s, workers)
    cands = band_candidates(band_keys(sig, s.lsh_bands))
    return verify(sig, cands, t)
