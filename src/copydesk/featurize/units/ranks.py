"""Ranks: an ordinal before a superlative ("the second-largest city", "the third most populous state",
"the 4th-biggest bank"), as a number unit whose value is the rank and whose unit names what is ranked
("rank largest"), so "second-largest" and "third-largest" are the same kind of fact with another value.

A bare superlative ("the largest city") is rank 1 only against a stated rank: it is no unit (news copy is
full of "biggest" that a source words "largest"), and :func:`bare_superlatives` finds it for the claim
rule that compares it with a rank an aligned sentence states.
"""

from __future__ import annotations

import re

from copydesk.records import Unit

from ..terms import zipf
from .lexicon import WS, fmt, make_unit
from .numbers import ORDINAL_VALUE

# "largest" and "biggest" rank the same thing; other superlatives are compared as written.
_SAME_DIMENSION = {"biggest": "largest", "greatest": "largest"}
# Words ending in "-est" that are no superlative.
_NOT_SUPERLATIVE = frozenset(
    "interest forest modest earnest digest honest harvest protest request contest suggest arrest invest "
    "manifest conquest behest unrest inquest bequest midwest northwest southwest everest".split()
)
_ORDINAL = "|".join(w for w, v in ORDINAL_VALUE.items() if v >= 2)
_SUP = rf"(?:most|least){WS}+[a-z][a-z-]+|best|worst|[a-z]{{2,}}est"
_RANK_RE = re.compile(
    rf"(?<![^\W_])(?P<ord>(?i:{_ORDINAL})|\d{{1,2}}(?:st|nd|rd|th))(?:-|{WS}+)(?P<sup>{_SUP})(?![^\W_])"
)
_BARE_RE = re.compile(
    rf"(?i:(?<![^\W_])(?:the|its|their|his|her|our|[a-z]+[’']s){WS}+)(?P<sup>{_SUP})(?![^\W_])"
)


def dimension(sup: str) -> str | None:
    """What a superlative ranks by ("most populous" -> "most populous", "biggest" -> "largest"), or None
    for a word that only ends like one ("interest", "forest")."""
    low = " ".join(sup.lower().split())
    if low.startswith(("most ", "least ")) or low in ("best", "worst"):
        return low
    if low in _NOT_SUPERLATIVE or not low.endswith("est"):
        return None
    stem = low[:-3]
    bases = (stem, stem + "e", stem[:-1] + "y" if stem.endswith("i") else "", stem[:-1] if stem[-1:] == stem[-2:-1] else "")
    if not any(b and zipf(b) >= 3.0 for b in bases):
        return None
    return _SAME_DIMENSION.get(low, low)


def _ordinal(word: str) -> int | None:
    low = word.lower()
    if low in ORDINAL_VALUE:
        return ORDINAL_VALUE[low]
    digits = low[:-2]
    return int(digits) if digits.isdigit() else None


def extract_ranks(text: str, offset: int = 0) -> list[Unit]:
    """Number units ``N|rank <dimension>`` for "second-largest", "third most populous", "4th-biggest"."""
    out = []
    for m in _RANK_RE.finditer(text):
        dim, n = dimension(m["sup"]), _ordinal(m["ord"])
        if dim is None or n is None or n < 2:
            continue
        out.append(make_unit("number", text, m.start(), m.end(), offset, f"{fmt(n)}|rank {dim}", float(n), f"rank {dim}"))
    return out


def bare_superlatives(text: str) -> list[tuple[int, int, str]]:
    """(start, end, dimension) of each superlative without an ordinal ("the largest", "Europe's biggest"):
    rank 1 of what it ranks."""
    ranked = [(m.start(), m.end()) for m in _RANK_RE.finditer(text)]
    out = []
    for m in _BARE_RE.finditer(text):
        s, e = m.span("sup")
        dim = dimension(m["sup"])
        if dim is not None and not any(a <= s < b for a, b in ranked):
            out.append((s, e, dim))
    return out
