"""Unit marks: the numbers, dates and quotes of each article sentence that differ from what it is
compared with, computed once when the report is built for a renderer (never while rendering).

``unit_marks(report)`` reads the JSON report object of ``build_report`` and returns, per article id,
per sentence index (in the order of ``article_sentences``), the marks the HTML page shows inside that
sentence. The marks are data for the renderer only: they are not part of the JSON report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

UNIT_KINDS = ("number", "date", "quote")


@dataclass(frozen=True)
class Mark:
    """A span of an article (absolute character offsets) to mark, its css class and its note."""

    start: int
    end: int
    css: str  # "u-changed" (another value where it was compared) or "u-new" (nothing comparable there)
    note: str


# article id -> sentence index -> the marks inside that sentence
UnitMarks = dict[str, dict[int, tuple[Mark, ...]]]


def short(aid: str, n: int = 14) -> str:
    """An article id shortened for a label or a note ("000_dc2d9424…"); the full id stays in the data."""
    return aid if len(aid) <= n else aid[: n - 2] + "…"


def article_sentences(a: dict) -> list[dict]:
    """The sentences of an article entry as the page shows them: its alignment, ordered by position;
    without one (the reference), its claims as sentences."""
    alignment = sorted(a.get("alignment") or [], key=lambda x: (x.get("start", 0), x.get("end", 0)))
    if alignment:
        return alignment
    claims = {(c.get("start"), c.get("end")): c for c in a.get("claims") or []}
    return [
        {"sentence": c.get("text", ""), "start": c.get("start", 0), "end": c.get("end", 0)}
        for c in sorted(claims.values(), key=lambda c: (c.get("start", 0), c.get("end", 0)))
    ]


@lru_cache(maxsize=50_000)
def _units(text: str) -> tuple:
    from ..featurize.units import extract_units

    try:
        return tuple(u for u in extract_units(text) if u.kind in UNIT_KINDS)
    except Exception:  # a unit extractor failing must not cost the page
        return ()


def sentence_unit_marks(
    sentence: str,
    offset: int,
    against: Iterable[tuple[str, str]],
    *,
    new_if_absent: bool,
    known: Iterable[str] = (),
) -> list[Mark]:
    """Numbers, dates and quotes of ``sentence`` that differ from the sentences ``against``.

    ``against`` holds (label, text) pairs, e.g. ("source", the aligned source sentence).
    Returns marks in absolute offsets: ``u-changed`` when a comparable unit there has another value,
    ``u-new`` when nothing comparable is there at all. A unit that any sentence of ``known`` (the whole
    source) states is never marked: "30-day" is not "new" because the aligned sentence lacks it while
    another sentence of the source says "30-day ceasefire".
    """
    from ..featurize.units import compatible

    others = [(label, u) for label, text in against for u in _units(text)]
    elsewhere = [u for text in known for u in _units(text)]
    out = []
    for u in _units(sentence):
        same_kind = [(label, v) for label, v in others if v.kind == u.kind]
        verdicts = [(compatible(u, v), label, v) for label, v in same_kind]
        if any(ok is True for ok, _, _ in verdicts) or any(
            v.kind == u.kind and compatible(u, v) is True for v in elsewhere
        ):
            continue
        clash = next(((label, v) for ok, label, v in verdicts if ok is False), None)
        if clash is not None:
            was = clash[1].text.strip('“”"')
            out.append(Mark(offset + u.start, offset + u.end, "u-changed", f"{u.kind} changed: {clash[0]} has “{was}”"))
        elif new_if_absent and not same_kind:
            out.append(Mark(offset + u.start, offset + u.end, "u-new", f"{u.kind} not in the source"))
    return out


def _article_marks(a: dict, arts: dict[str, dict]) -> dict[int, tuple[Mark, ...]]:
    """Per sentence of ``a``: units that changed against its aligned source sentences (kept and
    paraphrased sentences), and units of its contradicted number/date/quote claims against their evidence."""
    src = a.get("source")
    src_known = [c.get("text", "") for c in (arts.get(src) or {}).get("claims") or []] if src else []
    claims = list({(c.get("start"), c.get("end")): c for c in a.get("claims") or []}.values())
    out: dict[int, tuple[Mark, ...]] = {}
    for i, s in enumerate(article_sentences(a)):
        marks: list[Mark] = []
        srcs = s.get("source_sentences") or []
        if s.get("label") in ("verbatim", "paraphrase") and srcs:
            marks += sentence_unit_marks(
                s["sentence"], s["start"], [(short(x.get("article", "source")), x.get("text", "")) for x in srcs],
                new_if_absent=True, known=src_known,
            )
        pieces = sorted((c for c in claims if s["start"] <= c.get("start", -1) and c.get("end", -1) <= s["end"]),
                        key=lambda c: c.get("start", 0))
        for c in pieces:
            if c.get("status") == "contradicted" and c.get("kind") in UNIT_KINDS:
                marks += sentence_unit_marks(
                    s["sentence"], s["start"],
                    [(short(x.get("article", "")), x.get("text", "")) for x in c.get("evidence") or []],
                    new_if_absent=False,
                )
        if marks:
            out[i] = tuple(marks)
    return out


def unit_marks(report: dict) -> UnitMarks:
    """The unit marks of every article of ``report`` (see the module docstring)."""
    arts = {a["id"]: a for a in report.get("articles") or []}
    return {aid: m for aid, a in arts.items() if (m := _article_marks(a, arts))}
