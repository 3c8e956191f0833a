"""Static-IDF term vectors: a corpus-independent TF-IDF.

IDF comes from general English word frequency (wordfreq's Zipf scale) rather than from the
corpus, so a pair's score depends only on the two articles: incremental runs, the Spark
job and a one-shot run score every pair identically.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

_WORD = re.compile(r"[^\W_](?:[\w'’.-]*[^\W_])?")
_MAX_ZIPF = 7.5


@lru_cache(maxsize=200_000)
def rarity(word: str) -> float:
    """max(0, 7.5 - zipf(word)): 0 for "the", ~6.5 for a surname nobody uses."""
    from wordfreq import zipf_frequency

    return max(0.0, _MAX_ZIPF - zipf_frequency(word, "en"))


def tokens(text: str) -> list[str]:
    return [w.replace("’", "'") for w in _WORD.findall(text.lower())]


def term_vector(text: str, max_terms: int = 300) -> dict[str, float]:
    """L2-normalised {term: (1 + log tf) * rarity}, the ``max_terms`` strongest kept."""
    counts: dict[str, int] = {}
    for w in tokens(text):
        if len(w) > 1:
            counts[w] = counts.get(w, 0) + 1
    weights = {w: (1.0 + math.log(c)) * rarity(w) for w, c in counts.items()}
    weights = {w: x for w, x in weights.items() if x > 0}
    if len(weights) > max_terms:
        weights = dict(sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:max_terms])
    norm = math.sqrt(sum(x * x for x in weights.values())) or 1.0
    return {w: x / norm for w, x in weights.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    # Terms missing from b would add 0.0: skipping them gives the same bits, faster.
    return sum(x * b[w] for w, x in a.items() if w in b)
