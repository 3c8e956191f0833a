"""Lexical copy signal: word shingles -> MinHash signatures -> LSH band keys, vectorised.

Tokenising is done on bytes with numpy, a whole batch at a time (no per-word Python loop):
a word is a run of ASCII letters/digits or non-ASCII bytes of the lowercased UTF-8 text.
A word's hash folds its bytes eight at a time (one unaligned 64-bit load per 8 bytes, so
the work is per word, not per byte) and is mixed with splitmix64; a shingle hash is a
polynomial in k consecutive word hashes, mixed once. rensa computes the signatures from
one flat buffer for the whole batch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_U64 = np.uint64
_ALL = _U64(0xFFFFFFFFFFFFFFFF)
_WORD_MUL = _U64(0x9FB21C651E98DF25)  # odd constants (from the Moremur/rrmxmx mixers)
_SHINGLE_MUL = _U64(0xC2B2AE3D27D4EB4F)

# bytes.translate table: 1 for a word byte, 0 otherwise.
_WORD_TABLE = bytes(
    1 if (c >= 128 or chr(c).isascii() and chr(c).isalnum() and not chr(c).isupper()) else 0
    for c in range(256)
)


def _splitmix(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = x + _U64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> _U64(27))) * _U64(0x94D049BB133111EB)
        return x ^ (x >> _U64(31))


def word_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of the lowercased words of every text, flat, plus per-text offsets (len n+1)."""
    if not texts:
        return np.zeros(0, _U64), np.zeros(1, np.int64)
    parts = [t.lower().encode("utf-8", "surrogatepass") for t in texts]
    joined = b" " + b" ".join(parts) + b" "
    mask = np.frombuffer(joined.translate(_WORD_TABLE), dtype=bool)
    # Word boundaries from transitions of the word mask (the buffer starts and ends with a separator).
    edges = np.flatnonzero(mask[1:] != mask[:-1]) + 1
    starts, ends = edges[0::2], edges[1::2]
    lens = ends - starts
    # Unaligned little-endian 64-bit loads at any byte offset: one gather per 8 bytes of a word.
    buf = joined + b"\x00" * 8
    load = np.ndarray(shape=(len(joined),), dtype="<u8", buffer=buf, strides=(1,))
    with np.errstate(over="ignore"):
        h = _splitmix(lens.astype(_U64) * _WORD_MUL + (load[starts] & _byte_mask(lens)))
        idx = np.flatnonzero(lens > 8)
        chunk = 1
        while len(idx):  # words longer than 8 bytes: fold the next 8
            left = lens[idx] - 8 * chunk
            v = load[starts[idx] + 8 * chunk] & _byte_mask(left)
            h[idx] = _splitmix(h[idx] * _WORD_MUL + v)
            idx = idx[left > 8]
            chunk += 1
    # Which text each word belongs to: text i spans bytes [bounds[i], bounds[i+1]).
    sizes = np.fromiter((len(p) + 1 for p in parts), dtype=np.int64, count=len(parts))
    bounds = np.concatenate([[1], 1 + np.cumsum(sizes)])
    offsets = np.searchsorted(starts, bounds)
    return h, offsets


def _byte_mask(n: np.ndarray) -> np.ndarray:
    """Masks keeping the low min(n, 8) bytes of a 64-bit value (n >= 1)."""
    return _ALL >> ((_U64(8) - np.minimum(n, 8).astype(_U64)) << _U64(3))


def shingle_hashes(hashes: np.ndarray, offsets: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """k-word shingle hashes per text (a text shorter than k words gives one shingle of all its words)."""
    n_docs = len(offsets) - 1
    counts = np.diff(offsets)
    out_counts = np.where(counts >= k, counts - k + 1, np.minimum(counts, 1))
    out_offsets = np.concatenate([[0], np.cumsum(out_counts)])
    total = len(hashes)
    if total == 0:
        return np.zeros(0, _U64), np.zeros(n_docs + 1, np.int64)
    # Horner over the k words starting at every position; windows that run past the end of
    # their text are dropped (a short text keeps its first window, cut at its own end).
    acc = hashes.copy()
    keep = np.ones(total, dtype=bool)
    ends = offsets[1:]
    with np.errstate(over="ignore"):
        for j in range(1, min(k, total)):  # no window of j + 1 words past the words there are
            head = acc[: total - j]
            head *= _SHINGLE_MUL
            head += hashes[j:]
            keep[(ends - j)[counts > j]] = False
        short = np.flatnonzero((counts > 0) & (counts < k))
        if len(short):
            first = offsets[short]
            h = hashes[first]
            for j in range(1, k - 1):
                more = counts[short] > j
                if not more.any():
                    break
                h = np.where(more, h * _SHINGLE_MUL + hashes[np.where(more, first + j, first)], h)
            acc[first] = h
    return _splitmix(acc[keep]), out_offsets


_RENSA_STARTED = False  # rensa runs a rayon thread pool; a process forked after it starts must not use it


def rensa_started() -> bool:
    """Whether this process has computed signatures (so rensa's threads exist: fork with care)."""
    return _RENSA_STARTED


def signatures(texts: Sequence[str], k: int = 5, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """MinHash signatures (len(texts), num_perm) uint32 of the k-word shingles of each text."""
    import rensa

    global _RENSA_STARTED
    _RENSA_STARTED = True
    if not texts:
        return np.zeros((0, num_perm), np.uint32)
    wh, wo = word_hashes(texts)
    sh, so = shingle_hashes(wh, wo, k)
    empty = np.diff(so) == 0
    m = rensa.RMinHash.digest_matrix_from_flat_token_hashes(sh, so.astype(np.uint64), num_perm, seed)
    sig = np.array(m.to_rows(), dtype=np.uint32).reshape(len(texts), num_perm)
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


def shingle_profile(text: str, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """A text's distinct k-word shingle hashes (sorted) and all its shingle hashes in text order: for
    exact containment between two near-copies and for where in a text the other's gaps lie."""
    wh, wo = word_hashes([text])
    sh, _so = shingle_hashes(wh, wo, k)
    return np.unique(sh), sh


def containment(a: np.ndarray, b: np.ndarray) -> float:
    """The share of the distinct shingles ``a`` that ``b`` holds too (both from :func:`shingle_profile`)."""
    if len(a) == 0:
        return 0.0
    return len(np.intersect1d(a, b, assume_unique=True)) / len(a)
