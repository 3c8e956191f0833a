"""Words and terms: one tokeniser, a light stemmer, one word-rarity scale, static-IDF term vectors.

Words (:func:`words`, :func:`stem`, :func:`sentence_info`) are what alignment and the claim
verifier compare. Rarity (:func:`rarity`) is ``MAX_ZIPF - zipf(word)`` on wordfreq's Zipf scale;
the entity weights use the same scale lowered by half a point (:func:`rarity_from_zipf`).

Term vectors: IDF comes from general English word frequency rather than from the corpus, so a
pair's score depends only on the two articles: incremental runs, the Spark job and a one-shot
run score every pair identically.

Corpus TF-IDF (:func:`vocabulary`, :func:`tfidf_vector`): plain sublinear TF-IDF with the IDF of
the corpus at hand (``records.TermStats``), for ranking which of several candidates a text is
closest to, where a word common in this corpus (a celebrity's name in a celebrity corpus) must
count for little although general English rarely uses it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache

from ..records import TermStats

WORD = re.compile(r"[^\W_](?:[\w'’.-]*[^\W_])?")


_ACRONYM = re.compile(r"^(?:[a-z]\.){2,}[a-z]?\.?$")
STOP = frozenset(
    """
the a an of and or to in on at for by with from as is are was were be been being has have had it its this
that these those he she they his her their him them we our you your i my me who whom which what when where
why how than then there here also but if so such into over after before about said says say will would can
could may might must shall should do does did up out more most some any all each other very just while
its it's s 's t one per via
""".split()
)
_IRREGULAR = {
    "pled": "plead",
    "pleaded": "plead",
    "went": "go",
    "gone": "go",
    "took": "take",
    "taken": "take",
    "made": "make",
    "told": "tell",
    "said": "say",
    "says": "say",
    "saw": "see",
    "seen": "see",
    "found": "find",
    "left": "leave",
    "held": "hold",
    "won": "win",
    "lost": "lose",
    "fell": "fall",
    "fallen": "fall",
    "rose": "rise",
    "risen": "rise",
    "began": "begin",
    "begun": "begin",
    "brought": "bring",
    "bought": "buy",
    "sold": "sell",
    "thought": "think",
    "caught": "catch",
    "fought": "fight",
    "sought": "seek",
    "taught": "teach",
    "met": "meet",
    "led": "lead",
    "paid": "pay",
    "ran": "run",
    "wrote": "write",
    "written": "write",
    "gave": "give",
    "given": "give",
    "got": "get",
    "gotten": "get",
    "came": "come",
    "knew": "know",
    "known": "know",
    "shot": "shoot",
    "struck": "strike",
    "stole": "steal",
    "stolen": "steal",
    "drove": "drive",
    "driven": "drive",
    "flew": "fly",
    "flown": "fly",
    "hit": "hit",
    "kept": "keep",
    "sent": "send",
    "spent": "spend",
    "built": "build",
    "felt": "feel",
    "men": "man",
    "women": "woman",
    "children": "child",
    "people": "person",
    "died": "die",
    "dies": "die",
    "dead": "die",
    "death": "die",
    "killed": "kill",
    "arrested": "arrest",
    "u.s": "us",
    "u.k": "uk",
    "america": "us",
    "american": "us",
    "americans": "us",
    "britain": "uk",
    "british": "uk",
}


def norm_word(w: str) -> str:
    w = w.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if "." in w and _ACRONYM.match(w + ("." if not w.endswith(".") else "")):
        w = w.replace(".", "")
    return w.strip(".'")


@lru_cache(maxsize=100_000)
def stem(w: str) -> str:
    """A light stemmer: irregular forms, then one common suffix, then the first 7 letters."""
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    for suf in ("ingly", "edly", "ings", "ing", "ied", "ies", "ed", "es", "s", "ly"):
        if len(w) > len(suf) + 3 and w.endswith(suf):
            w = w[: -len(suf)]
            break
    return w[:7]


@lru_cache(maxsize=50_000)
def words(text: str) -> tuple[str, ...]:
    return tuple(x for x in (norm_word(m) for m in WORD.findall(text)) if x)


@lru_cache(maxsize=50_000)
def sentence_info(
    text: str,
) -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str], frozenset[tuple[str, str]]]:
    """(words, stems, stem set, content-stem bigrams) of one sentence; cached per sentence."""
    ws = words(text)
    st = tuple(stem(w) for w in ws)
    content = [s for w, s in zip(ws, st, strict=True) if w not in STOP]
    return ws, st, frozenset(st), frozenset(zip(content, content[1:], strict=False))


MAX_ZIPF = 7.5  # the top of the rarity scale: a word this frequent (or more) has rarity 0


@lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    """wordfreq's Zipf frequency of an English word (0.0 for an unknown word), cached."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


def rarity_from_zipf(z: float, floor: float = 0.0, offset: float = 0.0) -> float:
    """The one word-rarity scale: ``MAX_ZIPF - z``, lowered by ``offset``, never below ``floor``."""
    return max(floor, (MAX_ZIPF - offset) - z)


@lru_cache(maxsize=200_000)
def rarity(word: str) -> float:
    """max(0, 7.5 - zipf(word)): 0 for "the", ~6.5 for a surname nobody uses."""
    return rarity_from_zipf(zipf(word))


def tokens(text: str) -> list[str]:
    return [w.replace("’", "'") for w in WORD.findall(text.lower())]


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
    """Cosine of two term vectors from :func:`term_vector`: their dot product, as both are L2-normalised
    (for other vectors it is only the dot product)."""
    if len(a) > len(b):
        a, b = b, a
    # Terms missing from b would add 0.0: skipping them gives the same bits, faster.
    return sum(x * b[w] for w, x in a.items() if w in b)


@lru_cache(maxsize=4_096)
def term_counts(text: str) -> Counter[str]:
    """{alphanumeric token: count}: the terms of corpus TF-IDF (cached: placement asks twice per
    story member; callers must not modify the result)."""
    return Counter(w for w in tokens(text) if w.isalnum())


def vocabulary(text: str) -> list[str]:
    """The distinct terms of a text, sorted: what one article adds to the corpus document frequencies."""
    return sorted(term_counts(text))


def idf(df: int, n_docs: int) -> float:
    """Smoothed IDF, ``log((1 + n) / (1 + df)) + 1`` (as scikit-learn's ``smooth_idf``)."""
    return math.log((1 + n_docs) / (1 + df)) + 1.0


def tfidf_vector(counts: Mapping[str, int], df: Mapping[str, int], n_docs: int) -> dict[str, float]:
    """L2-normalised {term: (1 + log tf) * idf}; a term missing from ``df`` counts as in one document."""
    v = {w: (1.0 + math.log(c)) * idf(df.get(w, 1), n_docs) for w, c in counts.items() if c > 0}
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {w: x / norm for w, x in v.items()}


def corpus_stats(texts: Iterable[str]) -> TermStats:
    """Document frequencies counted over ``texts`` (what the store keeps as articles arrive)."""
    df: Counter[str] = Counter()
    n = 0
    for t in texts:
        df.update(vocabulary(t))
        n += 1
    return TermStats(n, df)
