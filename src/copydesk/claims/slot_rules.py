"""Same-slot swap: a word of a closed class (a nation, colour, month, weekday, season, compass direction,
gender, ordinal, number word, crime or legal outcome) standing where a near sentence has another word of
the same class, between the same two words ("of a Canadian who" / "of an American who"), when no version
has the claim's word at all.

Stricter than the model's ``class_swap`` feature (any word of the class anywhere in the two sentences):
the slot and the absence from every version are what keep it off faithful rewrites, which reword around
such words but keep them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..featurize.terms import STOP, WORD, norm_word
from ..featurize.units import nation_key
from ..featurize.units.lexicon import MONTH_NAMES, SMALL, WEEKDAY_NAMES
from ..featurize.units.numbers import ORDINAL_VALUE
from .checks import CLASS_OF
from .findings import Finding, quoted, version_name
from .index import PoolIndex
from .inputs import ClaimInput


def _class_words(cls: str) -> list[str]:
    """The words of one of the claim checks' closed classes (:data:`checks.CLASS_OF`)."""
    return [w for w, c in CLASS_OF.items() if c == cls]


# Words of one class with one value are the same thing said two ways.
_SAME = {"gray": "grey", "fall": "autumn"} | {w: w.removesuffix("ern") for w in _class_words("direction")}

_VALUED: dict[str, dict[str, str]] = {
    **{c: {w: _SAME.get(w, w) for w in _class_words(c)} for c in ("colour", "season", "direction")},
    "month": {m: m for m in MONTH_NAMES},
    "weekday": {d: d for d in WEEKDAY_NAMES},
    "gender": {
        **{
            w: "male"
            for w in "man men boy boys male he him his himself husband father son brother mr king".split()
        },
        **{
            w: "female"
            for w in "woman women girl girls female she her hers herself wife mother daughter sister "
            "mrs ms queen".split()
        },
    },
    "ordinal": {w: w for w, v in ORDINAL_VALUE.items() if v <= 10},
    "number": {w: str(v) for w, v in SMALL.items() if w not in ("a", "an")},
    "crime": {w: w for w in "murder manslaughter assault robbery fraud rape kidnapping".split()},
    "legal": {
        "arrested": "arrested",
        "detained": "arrested",
        "charged": "charged",
        "indicted": "charged",
        "convicted": "convicted",
        "acquitted": "acquitted",
        "cleared": "acquitted",
        "released": "released",
        "freed": "released",
        "jailed": "jailed",
        "imprisoned": "jailed",
        "sentenced": "jailed",
    },
}
_CLASS_OF: dict[str, tuple[str, str]] = {w: (c, v) for c, ws in _VALUED.items() for w, v in ws.items()}
_ARTICLE = {"an": "a"}
_EDGE = ("<s>", "</s>")
_CAP = re.compile(r"[A-Z]")


def _slot_class(raw: str, low: str) -> tuple[str, str] | None:
    """(class, value) of one word: a nation only when capitalised ("us" the pronoun is none)."""
    if _CAP.match(raw):
        k = nation_key(low)
        if k is not None:
            return "nation", k
    return _CLASS_OF.get(low)


@lru_cache(maxsize=20_000)
def _slots(
    text: str,
) -> tuple[tuple[str, ...], tuple[tuple[str, str] | None, ...], tuple[tuple[int, int], ...]]:
    """(words with "an" written "a" and the sentence edges marked, each word's class, each word's span)."""
    ms = [m for m in WORD.finditer(text) if norm_word(m.group())]
    lows = [norm_word(m.group()) for m in ms]
    toks = (_EDGE[0], *(_ARTICLE.get(w, w) for w in lows), _EDGE[1])
    cls = (None, *(_slot_class(m.group(), w) for m, w in zip(ms, lows, strict=True)), None)
    spans = ((0, 0), *((m.start(), m.end()) for m in ms), (len(text), len(text)))
    return toks, cls, spans


@lru_cache(maxsize=64)
def _pool_values(all_words: frozenset[str]) -> frozenset[tuple[str, str]]:
    """Every (class, value) any version states as a word (numbers also in digits), from the pool's words."""
    out = {_CLASS_OF[w] for w in all_words if w in _CLASS_OF}
    out |= {("nation", k) for w in all_words if (k := nation_key(w)) is not None}
    out |= {("number", w) for w in all_words if w.isdigit()}
    return frozenset(out)


def _same_slot(wc: tuple[str, ...], we: tuple[str, ...], k: int, j: int) -> bool:
    """Word ``k`` of ``wc`` and word ``j`` of ``we`` stand between the same words: the word before and the
    word after are the same, or one of them is and the word after the other is a content word both have
    at the same distance ("where Ukrainian forces launched" / "where Polish troops launched": "where"
    before, "launched" two after). A word alone between the sentence's edges has no slot."""

    def same(d: int) -> bool:
        a, b = k + d, j + d
        return 0 <= a < len(wc) and 0 <= b < len(we) and wc[a] == we[b]

    def far(d: int) -> bool:
        return same(d) and wc[k + d] not in STOP and wc[k + d] not in _EDGE

    left, right = same(-1), same(1)
    if left and right:
        return not (wc[k - 1] in _EDGE and wc[k + 1] in _EDGE)
    return (left and far(2)) or (right and far(-2))


def slot_swap(claim: ClaimInput, index: PoolIndex, near: list[int]) -> Finding | None:
    """A closed-class word of the claim whose slot (:func:`_same_slot`; "a" for "an") holds another word of
    the same class in one of the three nearest sentences (``near``: best first), where no version states
    the claim's value and the claim does not state that sentence's ("gallons of pink and green paint" /
    "gallons of yellow and blue paint")."""
    wc, cc, sc = _slots(claim.text)
    if not any(cc):
        return None
    have = _pool_values(index.all_words)
    mine = frozenset(c for c in cc if c)
    for i in near[:3]:
        e = index.pool[i]
        we, ce, se = _slots(e.text)
        for k, a in enumerate(cc):
            if a is None or a in have:
                continue
            for j, b in enumerate(ce):
                if b is None or b[0] != a[0] or b in mine:
                    continue
                if not _same_slot(wc, we, k, j):
                    continue
                mine_word = claim.text[sc[k][0] : sc[k][1]]
                theirs = e.text[se[j][0] : se[j][1]]
                return Finding(
                    "contradicted",
                    "entity" if a[0] == "nation" else "statement",
                    f"{quoted(mine_word)} here; {version_name(e)} says {quoted(theirs)} in the same place "
                    f"({quoted(e.text[se[j - 1][0] : se[j + 1][1]])})",
                    i,
                    rule="slot_swap",
                )
    return None
