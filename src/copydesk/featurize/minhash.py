"""Lexical copy signal: word shingles -> MinHash signatures -> LSH band keys, vectorised.

Tokenising is done on bytes with numpy (no per-word Python loop): a word is a run of
ASCII letters/digits or non-ASCII bytes; its hash is a polynomial hash mod 2**64 taken
from prefix sums, then mixed (splitmix64). Shingle hashes combine k consecutive word
hashes; rensa computes the signatures from one flat buffer for a whole batch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

ALGORITHM = "words-splitmix-rensa-r1"  # stored with every signature; bump when hashing changes

_U64 = np.uint64
_P = _U64(1_099_511_628_211)  # odd multiplier: invertible mod 2**64
_P_INV = _U64(pow(1_099_511_628_211, -1, 2**64))

_WORD_BYTE = np.zeros(256, dtype=bool)
for _c in b"abcdefghijklmnopqrstuvwxyz0123456789":
    _WORD_BYTE[_c] = True
_WORD_BYTE[128:] = True  # UTF-8 bytes of non-ASCII letters


def _splitmix(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = x + _U64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> _U64(27))) * _U64(0x94D049BB133111EB)
        return x ^ (x >> _U64(31))


_POW_CACHE: dict[str, np.ndarray] = {}


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """P**i and P**-i mod 2**64 for i < n (grown on demand, cached)."""
    have = _POW_CACHE.get("p")
    if have is None or len(have) < n:
        m = max(n, 1 << 16, 2 * (0 if have is None else len(have)))
        with np.errstate(over="ignore"):
            p = np.cumprod(np.full(m, _P, dtype=_U64), dtype=_U64)
            pi = np.cumprod(np.full(m, _P_INV, dtype=_U64), dtype=_U64)
        _POW_CACHE["p"] = np.concatenate([[_U64(1)], p[:-1]])
        _POW_CACHE["pi"] = np.concatenate([[_U64(1)], pi[:-1]])
    return _POW_CACHE["p"][:n], _POW_CACHE["pi"][:n]


def word_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of the lowercased words of every text, flat, plus per-text offsets (len n+1)."""
    if not texts:
        return np.zeros(0, _U64), np.zeros(1, np.int64)
    parts = [t.lower().encode("utf-8", "surrogatepass") for t in texts]
    joined = b" ".join(parts) + b" "
    b = np.frombuffer(joined, dtype=np.uint8)
    word = _WORD_BYTE[b]
    # Word boundaries from transitions of the word mask.
    edges = np.flatnonzero(np.diff(np.concatenate([[False], word, [False]]).astype(np.int8)))
    starts, ends = edges[0::2], edges[1::2]
    pw, pwi = _powers(len(b) + 1)
    with np.errstate(over="ignore"):
        prefix = np.concatenate([[_U64(0)], np.cumsum(b.astype(_U64) * pw[: len(b)], dtype=_U64)])
        h = (prefix[ends] - prefix[starts]) * pwi[starts]
    h = _splitmix(h ^ (ends - starts).astype(_U64))
    # Which text each word belongs to: text i spans bytes [bounds[i], bounds[i+1]).
    lens = np.fromiter((len(p) + 1 for p in parts), dtype=np.int64, count=len(parts))
    bounds = np.concatenate([[0], np.cumsum(lens)])
    offsets = np.searchsorted(starts, bounds)
    return h, offsets


def shingle_hashes(hashes: np.ndarray, offsets: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """k-word shingle hashes per text (a text shorter than k words gives one shingle of all its words)."""
    n_docs = len(offsets) - 1
    counts = np.diff(offsets)
    out_counts = np.where(counts >= k, counts - k + 1, np.minimum(counts, 1))
    total = len(hashes)
    if total == 0:
        return np.zeros(0, _U64), np.zeros(n_docs + 1, np.int64)
    # Combine k consecutive word hashes for every start position, then keep valid windows.
    acc = hashes.copy()
    with np.errstate(over="ignore"):
        for j in range(1, k):
            nxt = np.zeros(total, _U64)
            nxt[: total - j] = hashes[j:]
            acc = _splitmix(acc * _U64(31) + nxt)
    doc_of = np.repeat(np.arange(n_docs), counts)
    pos = np.arange(total) - offsets[doc_of]
    keep = pos < out_counts[doc_of]
    # For short docs the window spills into the next doc: recompute their shingle from own words.
    flat = acc[keep]
    out_offsets = np.concatenate([[0], np.cumsum(out_counts)])
    short = np.flatnonzero((counts > 0) & (counts < k))
    for d in short:
        h = hashes[offsets[d]]
        with np.errstate(over="ignore"):
            for w in hashes[offsets[d] + 1 : offsets[d + 1]]:
                h = _splitmix(np.array([h * _U64(31) + w], _U64))[0]
        flat[out_offsets[d]] = h
    return flat, out_offsets


def signatures(texts: Sequence[str], k: int = 5, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """MinHash signatures (len(texts), num_perm) uint32 of the k-word shingles of each text."""
    import rensa

    if not texts:
        return np.zeros((0, num_perm), np.uint32)
    wh, wo = word_hashes(texts)
    sh, so = shingle_hashes(wh, wo, k)
    empty = np.diff(so) == 0
    m = rensa.RMinHash.digest_matrix_from_flat_token_hashes(sh, so.astype(np.uint64), num_perm, seed)
    sig = np.asarray(m.to_rows(), dtype=np.uint32).reshape(len(texts), num_perm)
    sig[empty] = np.iinfo(np.uint32).max  # an empty text matches nothing
    return sig


def band_keys(sig: np.ndarray, bands: int) -> np.ndarray:
    """(n, bands) int64 LSH band keys: a hash of each band's rows (band index mixed in)."""
    n, num_perm = sig.shape
    rows = num_perm // bands
    x = sig.reshape(n, bands, rows).astype(_U64)
    h = np.broadcast_to(np.arange(bands, dtype=_U64), (n, bands)).copy()
    for r in range(rows):
        h = _splitmix(h * _U64(0x100000001B3) ^ x[:, :, r])
    return (h >> _U64(1)).astype(np.int64)  # non-negative: fits SQLite INTEGER


def jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """MinHash estimate of shingle Jaccard; 0 when either text was empty."""
    if sig_a[0] == np.iinfo(np.uint32).max and np.all(sig_a == sig_a[0]):
        return 0.0
    return float(np.mean(sig_a == sig_b))
