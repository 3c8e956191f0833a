"""What a hard rule returns (:class:`Finding`), and the helpers the rules share: unit compatibility,
naming a version, quoting a span in a reason."""

from __future__ import annotations

from typing import NamedTuple

from ..records import Unit
from .index import PoolIndex
from .inputs import EvidenceSentence


def compat(a: Unit, b: Unit) -> bool | None:
    from ..featurize.units import compatible

    try:
        return compatible(a, b)
    except Exception:
        return None


TIME_UNITS = {"second", "minute", "hour", "day", "week", "month", "year", "decade", "century"}


class Finding(NamedTuple):
    """A verdict the hard rules reach whatever the model says, with its reason in plain words."""

    status: str  # contradicted | unsupported
    kind: str  # number | date | quote | attribution | entity | statement
    reason: str
    evidence: int | None = None  # pool index of the sentence compared, when one was
    rule: str = (
        ""  # which rule: unit_conflict, stance, negation, antonym, hedge, actor, unit_unstated, name, ...
    )


UNIT_RULES = ("unit_conflict", "unit_unstated", "name")  # the rules a heading or a question is checked by


def named_in_pool(who: str, index: PoolIndex) -> bool:
    """A source (person or outlet) any version names, in full or by its last word ("Howe")."""
    if not who:
        return True
    if who in index.attributions or who in index.lower or index.says(who):
        return True
    last = who.split()[-1]
    return len(last) > 2 and any(last in k.split() for k in index.entities)


def version_name(e: EvidenceSentence) -> str:
    return "the source" if e.article in ("", "source") else e.article


def quoted(text: str) -> str:
    """A span quoted in a reason: “…”, outer quotes and spaces stripped, long spans cut."""
    t = " ".join(text.strip().strip("“”\"'‘’,;:").split())
    return "“" + (t if len(t) <= 80 else t[:77].rstrip() + "…") + "”"
