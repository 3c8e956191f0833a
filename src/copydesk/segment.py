"""Segment: sentences with raw-text offsets (Punkt via nupunkt; lines are hard breaks).

Headlines and list items have no full stop, so every line break ends a sentence; inside
a line nupunkt decides (it knows "U.S." and closing quotes).
"""

from __future__ import annotations

import re

from .records import CleanArticle, Sentence

_MAX_SENTENCE_CHARS = 2_000  # longer runs without punctuation are cut at a space
_HAS_WORD = re.compile(r"\w")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, whitespace trimmed, in order."""
    import nupunkt

    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        if not _HAS_WORD.search(line):
            continue
        for _s, (a, b) in nupunkt.sent_spans_with_text(line):
            a, b = _trim(line, a, b)
            while b - a > _MAX_SENTENCE_CHARS:
                cut = line.rfind(" ", a, a + _MAX_SENTENCE_CHARS)
                cut = cut if cut > a else a + _MAX_SENTENCE_CHARS
                spans.append((line_start + a, line_start + cut))
                a, b = _trim(line, cut, b)
            if b > a and _HAS_WORD.search(line, a, b):
                spans.append((line_start + a, line_start + b))
    return spans


def _trim(s: str, a: int, b: int) -> tuple[int, int]:
    while a < b and s[a].isspace():
        a += 1
    while b > a and s[b - 1].isspace():
        b -= 1
    return a, b


def segment(clean: CleanArticle) -> list[Sentence]:
    """Sentences of a cleaned article; offsets refer to the raw article text, the text is the cleaned
    wording (the raw slice, with mojibake repaired; a sentence that straddles a stripped artifact keeps
    the cleaned wording)."""
    out: list[Sentence] = []
    for a, b in sentence_spans(clean.text):
        ra, rb = clean.offset_map.span_to_raw(a, b)
        out.append(Sentence(clean.article.id, len(out), ra, rb, clean.text[a:b]))
    return out
