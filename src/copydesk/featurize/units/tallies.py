"""Tallies: a vote or a score given as two counts ("voted 58-42", "by 218 votes to 210", "won 3-1").

A tally is one fact: a rewrite that writes "52 to 48" for "58-42" changed it, which two bare numbers
("58", "42") each merely absent from the source cannot say. Claim checking only (the relation features
read the numbers of ``numbers.extract_numbers``)."""

from __future__ import annotations

import re

from copydesk.records import Unit

from .lexicon import WS, make_unit

# The words that make "N-M" or "N to M" a tally, within a few words of it: a vote or a contest.
_TALLY_WORD = (
    r"vot\w*|ballots?|margin|majority|tally|won|wins?|winning|beat|beats|beaten|defeat\w*|lost|loses?|losing|"
    r"victory|score\w*|passed|approved|rejected|upheld|ruled|draw|drew|led|leads?|trail\w*|final|records?"
)
_TALLY_WORD_RE = re.compile(rf"(?i:(?<![^\W_])(?:{_TALLY_WORD})(?![^\W_]))")
_TALLY_RE = re.compile(
    rf"(?<![\w.,$£€/:-])(?P<a>\d{{1,3}})(?:{WS}*[-–—]{WS}*|{WS}+(?:votes?{WS}+)?to{WS}+)(?P<b>\d{{1,3}})"
    rf"(?![\w%/:.,]\d|[\w%/°-])"
)
# A range of things counted, not a tally: "aged 18-24", "Weeks 14 - 16", "pages 5-10".
_RANGE_BEFORE_RE = re.compile(
    r"(?i:(?<![^\W_])(?:aged?|ages|weeks|days|months|years|hours|minutes|pages|chapters|rounds|games|laps|stages|"
    r"holes|nos?\.?|numbers|between|from)[ \u00a0]*)$"
)
WINDOW = 40  # characters either side searched for a tally word
# What may follow a tally: punctuation, or one of these ("won 5 to 10 contracts" is no tally).
_AFTER_RE = re.compile(
    r"(?i:[ \u00a0]*(?:[^\w\s]|$)|[ \u00a0]+(?:votes?|vote[ds]|in|on|against|with|victory|win|loss|defeat|margin|decision|"
    r"ruling|and|after|at|over|for|to|lead|majority|favou?r|count|tally|scoreline|draw|home|away|when|but|as|records?|"
    r"before|during|thanks|despite|while|which|that|earlier|last|this)(?![^\W_]))"
)


def tally_key(a: int, b: int) -> str:
    """``58:42|tally``, the larger count first: "won 58-42" and "lost 42-58" state the same tally."""
    hi, lo = max(a, b), min(a, b)
    return f"{hi}:{lo}|tally"


def extract_tallies(text: str, offset: int = 0) -> list[Unit]:
    """Number units (unit ``tally``, value the larger count) for two counts joined by a dash or "to" next
    to a word of voting or winning. Not ranges ("aged 18-24", "Weeks 14 - 16"), years, times ("3:1") or decimals."""
    out = []
    for m in _TALLY_RE.finditer(text):
        if not _AFTER_RE.match(text, m.end()):
            continue
        around = text[max(0, m.start() - WINDOW) : m.start()] + " " + text[m.end() : m.end() + WINDOW]
        if not _TALLY_WORD_RE.search(around) or _RANGE_BEFORE_RE.search(text, max(0, m.start() - 12), m.start()):
            continue
        a, b = int(m["a"]), int(m["b"])
        out.append(make_unit("number", text, m.start(), m.end(), offset, tally_key(a, b), float(max(a, b)), "tally"))
    return out
