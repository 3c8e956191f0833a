"""Facts of a story: what its versions state, with the articles that state each."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..records import AnalysisRow, Fact

FACT_SIM = 0.72  # embedding cosine at which two sentences state the same fact
MIN_STATEMENT_WORDS = 6  # shorter sentences are not statement facts
UNIT_FACT_KINDS = ("number", "date", "quote")


def story_facts(
    members: Sequence[str],
    rows: Mapping[str, AnalysisRow],
    units: Mapping[str, list],
    svecs: Mapping[str, np.ndarray],
    reference: str,
) -> list[Fact]:
    """Facts with the articles that state them: unit facts by normalised key, statements by similarity
    (greedy groups of mutually similar sentences, seeded from the reference); most supported first."""
    order = [reference] + [m for m in members if m != reference]
    out = _unit_facts(order, units) + _statement_facts(order, members, rows, svecs)
    out.sort(key=lambda f: (-len(f.support), f.kind, f.text))
    return out


def _unit_facts(order: Sequence[str], units: Mapping[str, list]) -> list[Fact]:
    facts: dict[tuple[str, str], tuple[str, str, list[str]]] = {}
    for aid in order:
        for su in units[aid]:
            for u in su:
                if u.kind not in UNIT_FACT_KINDS:
                    continue
                f = facts.setdefault((u.kind, u.key), (u.text, u.kind, []))
                if aid not in f[2]:
                    f[2].append(aid)
    return [Fact(text, kind, tuple(sorted(support))) for text, kind, support in facts.values()]


def _statement_facts(
    order: Sequence[str],
    members: Sequence[str],
    rows: Mapping[str, AnalysisRow],
    svecs: Mapping[str, np.ndarray],
) -> list[Fact]:
    out = []
    taken: dict[str, set[int]] = {m: set() for m in members}
    for aid in order:
        va = svecs[aid]
        for i, s in enumerate(rows[aid].sentences):
            if i in taken[aid] or len(s.text.split()) < MIN_STATEMENT_WORDS:
                continue
            support = [aid]
            taken[aid].add(i)
            for other in order:
                if other == aid or not len(svecs[other]):
                    continue
                sims = svecs[other] @ va[i]
                j = int(np.argmax(sims))
                if sims[j] >= FACT_SIM and j not in taken[other]:
                    taken[other].add(j)
                    support.append(other)
            out.append(Fact(s.text, "statement", tuple(sorted(support))))
    return out
