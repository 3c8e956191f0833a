"""Hard rules, each with a reason in plain words and the sentence it compared.

A number, duration, fraction, rank, date or quote that an aligned sentence, or a near one about the same
thing (a head noun in common: "truce" ~ "ceasefire"), states otherwise; a stance reversed ("declined to
comment" -> "confirmed"), a negation or antonym among the same neighbouring words, a hedge made certain
("could" -> "will"), actors swapped around the same verb, a statement given to another group of speakers
("prosecutors said" for "police said"), an event moved weeks or years back ("several years ago" for
"recently"); then what no version states: a number, date or quote in any form, an outlet, speaker or name, an
evaluative or causal clause, a clause inserted into a sentence that restates a version's; last, a closed-class word
(a nation, colour, month, number word, legal outcome ...) in the slot where a near sentence has another of
its class. :func:`hard_findings` returns the first that fires.
"""

from __future__ import annotations

import numpy as np

from .findings import Finding
from .index import PoolIndex
from .inputs import STATEMENT_MIN, ClaimInput
from .slot_rules import slot_swap
from .statement_rules import (
    actor_swap,
    added_evaluation,
    antonym_swap,
    hedge_removed,
    inserted_clause,
    negation_reversed,
    speaker_group_changed,
    stance_reversal,
)
from .unit_rules import name_unstated, rank_changed, relative_date_moved, unit_conflict, unit_unstated


def hard_findings(
    claim: ClaimInput, index: PoolIndex, sims: np.ndarray, near: list[int], aligned: list[int]
) -> Finding | None:
    """The first of the hard rules that fires, contradictions first: a unit stated otherwise, a stance,
    negation, antonym or hedge reversed, actors swapped; then what no version states: a unit, a name or
    outlet, an evaluative or causal clause; last the same-slot swap (last so that it only adds flags: every
    claim another rule flags keeps that rule's verdict). ``near``: pool indices at ``LOOSE_MIN`` or more,
    best first; ``aligned``: those at the alignment threshold. The statement rules compare with the closest sentences
    down to ``STATEMENT_MIN`` (a reworded sentence that merges two source sentences aligns with each
    less), each guarded by the words around what it compares."""
    close = [i for i in near[:3] if sims[i] >= STATEMENT_MIN]
    return (
        unit_conflict(claim, index, sims, near)
        or rank_changed(claim, index, sims, near)
        or relative_date_moved(claim, index, sims, near)
        or stance_reversal(claim, index, close)
        or negation_reversed(claim, index, close, near)
        or antonym_swap(claim, index, close)
        or hedge_removed(claim, index, close)
        or actor_swap(claim, index, aligned)
        or speaker_group_changed(claim, index, close)
        or unit_unstated(claim, index)
        or name_unstated(claim, index)
        or added_evaluation(claim, index, near)
        or inserted_clause(claim, index, sims, near)
        or slot_swap(claim, index, near)
    )
