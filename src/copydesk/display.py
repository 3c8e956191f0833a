"""Text for display: terminal-safe escaping of user data, one-line shortening, and the lines
(datelines, timestamps, bylines) that are never a title.

Neutral: used by the command line, the report renderers, tracing and ingest alike; it imports no
reader, renderer or store.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

from .clean import is_datey

# Anything a terminal would act on or not show: C0/C1 controls and DEL, format characters (zero-width
# spaces and joiners, bidi overrides, BOM), line and paragraph separators, surrogates.
_UNPRINTABLE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u180e\u200b-\u200f\u2028-\u202e"
    r"\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(m: re.Match[str]) -> str:
    c = m.group()
    if c in _ESCAPES:
        return _ESCAPES[c]
    n = ord(c)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def printable(s: object) -> str:
    """``s`` as one line that is safe to print on a terminal: every control, format or separator
    character (ESC, newline, NUL, zero-width and bidi characters, ...) written as a Python-style
    escape (``\\x1b``, ``\\n``, ``\\u202e``); everything else, non-ASCII letters included, unchanged.

    The one escaping function for user data (ids, titles, file names, texts, error reasons)
    printed by the command line. Backslashes are left as they are, so escaping twice changes
    nothing. Rich markup (``[bold]``) is not this function's business: print the result with
    markup off or through ``rich.markup.escape``.
    """
    s = s if isinstance(s, str) else str(s)
    return _UNPRINTABLE.sub(_escape_char, s)


def printable_text(text: str) -> tuple[str, Callable[[int], int]]:
    """A whole text for display on several lines: escaped as ``printable`` does, except that
    newlines and tabs are kept and a CRLF line end is shown as a plain newline; with the function
    that maps an offset of ``text`` to the same place in the displayed text (for highlighting spans)."""
    starts: list[int] = []  # offset just past each replaced character in ``text``
    shifts: list[int] = []  # cumulative change of length up to there
    parts: list[str] = []
    pos = shift = 0
    for m in _UNPRINTABLE.finditer(text):
        c, i = m.group(), m.start()
        if c in "\n\t":
            continue
        rep = "" if c == "\r" and text.startswith("\n", i + 1) else _escape_char(m)
        parts += [text[pos:i], rep]
        pos = i + 1
        shift += len(rep) - 1
        starts.append(pos)
        shifts.append(shift)
    if not starts:
        return text, lambda offset: offset
    parts.append(text[pos:])

    def to_display(offset: int) -> int:
        k = bisect.bisect_right(starts, offset)
        return offset + (shifts[k - 1] if k else 0)

    return "".join(parts), to_display


_BYLINE = re.compile(r"(?i)(?:by|von|par|por|written by|posted by|reporting by)\s+\S.{0,80}")
_BYLINE_NAME = re.compile(r"(?:[A-Z][\w'’.-]*|and|&|de|van|von|der|la|le|,)(?:\s+|$)")
_TIMESTAMP = re.compile(
    r"(?i)(?:updated|posted|published|last updated|first published)?[:\s]*"
    r"(?:\d+\s+(?:minutes?|hours?|days?)\s+ago|\d{1,2}\s*:\s*\d{2}(?:\s*:\s*\d{2})?\s*(?:[ap]\.?m\.?)?"
    r"(?:\s*[A-Z]{2,4})?)"
)


def is_furniture_line(line: str) -> bool:
    """Whether a line is a dateline, a timestamp or a byline, which is never a title:
    "September 18th, 2013, 05: 31 GMT", "MONDAY, MAY 23, 2005", "Updated 3 hours ago", "By Jane Doe"."""
    line = line.strip().strip("*_#|-–—: ").strip()
    if not line:
        return False
    if is_datey(line) or _TIMESTAMP.fullmatch(line):
        return True
    parts = re.split(r"\s[|/]\s", line)  # "PUBLISHED FRIDAY, MARCH 8, 2013 AT 12: 46 PM / UPDATED AT 12: 48 PM"
    if len(parts) > 1 and all(is_datey(p) or _TIMESTAMP.fullmatch(p.strip()) for p in parts):
        return True
    m = _BYLINE.fullmatch(line)
    if m:  # "By" followed by names only (capitalised words, "and", commas), not "By the sea, a city..."
        rest = line.split(None, 1)[1] if not line.lower().startswith(("written", "posted", "reporting")) \
            else line.split(None, 2)[2]
        return len(rest.split()) <= 8 and _BYLINE_NAME.sub("", rest + " ").strip() == ""
    return False


def shorten(text: str, limit: int) -> str:
    """``text`` on one line in at most ``limit`` characters, cut at a word boundary with "…" when it is
    longer (never mid-word; a single word longer than ``limit`` is cut and marked with "…")."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " " and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-–—") + "…"
