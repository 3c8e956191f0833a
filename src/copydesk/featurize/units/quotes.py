"""Quotes: quoted passages of four words or more, keyed by their lower-cased words."""

from __future__ import annotations

import re

from copydesk.records import Unit

from .lexicon import make_unit

_QUOTE_RES = (
    re.compile(r"“([^“”\n]{1,2000})”"),
    re.compile(r"«([^«»\n]{1,2000})»"),
    re.compile(r"(?<![\w\"])\"(?=[^\s\"])([^\"\n]{1,2000}?)(?<=\S)\"(?![^\W_])"),
)
_SQUOTE_RES = (
    re.compile(r"(?<![^\W_])‘(?=\S)([^‘\n]{1,600}?)(?<=\S)’(?![^\W_])"),
    re.compile(r"(?<![^\W_'])'(?=[A-Za-z])([^\n]{1,300}?)(?<=[^\s])'(?![^\W_])"),
)
_QTOKEN_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_ELLIPSIS_RE = re.compile(r"…|\.\s?\.\s?\.")


def _quote_key(inner: str) -> str:
    """Lowercased words, punctuation stripped; an ellipsis is kept as a " … " gap marker."""
    parts = []
    for part in _ELLIPSIS_RE.split(inner.replace("’", "'").replace("‘", "'")):
        toks = _QTOKEN_RE.findall(part.lower())
        if toks:
            parts.append(" ".join(toks))
    return " … ".join(parts)


def extract_quotes(text: str, offset: int = 0) -> list[Unit]:
    """Double-quoted passages (curly, straight, guillemets); single quotes only if ≥ 3 words."""
    spans: list[tuple[int, int, str]] = []
    for rx in _QUOTE_RES:
        for m in rx.finditer(text):
            key = _quote_key(m.group(1))
            if key:
                spans.append((m.start(), m.end(), key))
    for rx in _SQUOTE_RES:
        for m in rx.finditer(text):
            key = _quote_key(m.group(1))
            if key.count(" ") + 1 - 2 * key.count("…") >= 3:
                spans.append((m.start(), m.end(), key))
    spans.sort(key=lambda t: (t[0], t[0] - t[1]))
    out: list[Unit] = []
    last_end = -1
    for s, e, key in spans:
        if s < last_end:
            continue  # a quote inside another quote's span (mixed quote styles)
        out.append(make_unit("quote", text, s, e, offset, key))
        last_end = e
    return out
