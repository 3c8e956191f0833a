"""Non-claims: headings, questions, bullet labels, datelines and bylines (:func:`claim_role`).

Headings, subheadings, questions, bullet labels ("Neutrality Clause:"), datelines and bylines state
nothing a reader could check: they get the status "heading" (not flagged, not counted), though the
numbers, dates, quotes and names of a heading or question are still checked (a headline that invents
"45-day" is flagged).
"""

from __future__ import annotations

import re

from ..featurize.units.lexicon import MONTHS, WEEKDAY_NAMES

_BULLET_RE = re.compile(r"^(?:[-–—•▪◦●*]\s*)+(?=\S)")
_LABEL_WORD = r"(?:[A-Z0-9][\w'’&/.-]*)"
_LABEL_RE = re.compile(  # used with .match(text, pos): anchored at pos
    rf"{_LABEL_WORD}(?:\s+(?:{_LABEL_WORD}|of|and|the|in|for|to|on|at|a|an|&|vs\.?|with|by)){{0,5}}"
    r"\s*:(?=\s+\S)"
)
_QUESTION_RE = re.compile(r"\?[\"'”’)\]]*\s*$")
_TERMINAL_RE = re.compile(r"[.!?…;,][\"'”’)\]*_]*\s*$")
_BYLINE_RE = re.compile(
    r"^(?i:by|written by|reporting by|reported by|words by|story by|editing by)\s+"
    r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}"
    r"(?:\s*(?:,|and|&)\s*[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})*"
    r"(?:\s*[,|–—-]\s*[\w .'’-]{0,40})?\s*$"
)
_DATELINE_WORDS = frozenset(
    """updated published posted last first date on at am pm a.m p.m et est edt gmt bst utc cet cest ist pt pst
    pdt ct cst mt jst aest hrs hours""".split()
)
_MONTH_WORDS = frozenset(MONTHS) | frozenset(WEEKDAY_NAMES)  # month names and abbreviations, weekdays


ROLE_REASON = {
    "heading": "a heading, not a claim",
    "question": "a question, not a claim",
    "label": "a list label, not a claim",
    "dateline": "a dateline, not a claim",
    "byline": "a byline, not a claim",
}


def split_label(text: str) -> tuple[int, int]:
    """(end of a leading bullet marker, end of a bullet label after it) in ``text``; 0 where there is none.

    "- Neutrality Clause: Russia demands ..." -> (2, 20): the dash, then "Neutrality Clause:".
    """
    m = _BULLET_RE.match(text)
    b = m.end() if m else 0
    lab = _LABEL_RE.match(text, b)
    if lab is None or len(lab.group().split()) > 6:
        return b, 0
    return b, lab.end()


def _dateline(text: str) -> bool:
    """Only a date, a time, a time zone, "Updated:" and a place or agency in capitals ("MOSCOW (Reuters)")."""
    toks = re.findall(r"[^\W_]+(?:\.[^\W_]+)*\.?", text)
    if not toks or len(toks) > 14:
        return False
    dated = False
    for t in toks:
        low = t.lower().rstrip(".")
        if t[0].isdigit() or low in _MONTH_WORDS:
            dated = True
        elif not (low in _DATELINE_WORDS or (t.isupper() and len(t) > 1) or low in ("reuters", "ap", "afp")):
            return False
    return dated


def claim_role(text: str, last: bool = False) -> str:
    """What a sentence is: "claim", or a non-claim: "question", "byline", "dateline", "heading".

    A heading is a line that ends without a full stop (segmentation cuts at line breaks, so a sentence
    without terminal punctuation ends its line) and is not the text's last sentence (a one-line summary
    without a full stop is a claim); a line ending in a colon is a heading when it is short ("Key
    elements:"), a lead-in to a list otherwise.
    """
    t = text[split_label(text)[0] :].strip().strip("*_#").strip()
    if not t:
        return "heading"
    if _QUESTION_RE.search(t):
        return "question"
    if _BYLINE_RE.match(t):
        return "byline"
    if _dateline(t):
        return "dateline"
    if last:
        return "claim"
    n = len(t.split())
    if t.endswith(":"):
        return "heading" if n <= 6 else "claim"
    if not _TERMINAL_RE.search(t) and n <= 16:
        return "heading"
    return "claim"
