"""Checkable units: numbers, dates, quotes, attributions and entities, with spans.

Every extractor returns :class:`~copydesk.records.Unit` records whose ``key`` is a
normalised form: a rewrite that keeps a fact yields the same key ("a fifth",
"twenty percent", "20%" -> ``20|percent``), a rewrite that changes it yields a
different one. :func:`compatible` compares two units of the same kind more
loosely (rounding, shortened quotes, less specific dates, surname-only names).

Pure Python + ``re`` (plus a cached ``wordfreq`` lookup for word rarity); no model,
no spaCy. Spans are ``offset + position in text``. One module per kind of unit
(``dates``, ``numbers``, ``ranks``, ``quotes``, ``entities``, ``attributions``), their word lists
in ``lexicon``, the comparison in ``compare``; this module is their public API and
:func:`extract_units`, which runs them all.
"""

from __future__ import annotations

from copydesk.records import Unit

from .attributions import extract_attributions
from .compare import compatible, names_compatible
from .dates import extract_dates, extract_holidays, extract_quarters, holiday_spans
from .entities import entity_weights, extract_entities, nation_key, norm_name
from .numbers import (
    extract_age_ranges,
    extract_fortnights,
    extract_letter_temperatures,
    extract_magnitudes,
    extract_numbers,
    extract_numbers_and_dates,
    extract_year_to,
    signed_temperatures,
)
from .quotes import extract_quotes
from .ranks import bare_superlatives, extract_ranks
from .tallies import extract_tallies

__all__ = [
    "extract_age_ranges",
    "bare_superlatives",
    "compatible",
    "entity_weights",
    "extract_attributions",
    "extract_dates",
    "extract_fortnights",
    "extract_holidays",
    "extract_letter_temperatures",
    "extract_entities",
    "extract_magnitudes",
    "extract_numbers",
    "extract_numbers_and_dates",
    "extract_quarters",
    "extract_quotes",
    "extract_ranks",
    "extract_tallies",
    "extract_year_to",
    "extract_units",
    "names_compatible",
    "nation_key",
    "norm_name",
    "signed_temperatures",
]


def extract_units(text: str, offset: int = 0) -> list[Unit]:
    """All units in text; ``Unit.start``/``end`` are offset + position in text. Sorted by start."""
    numbers, units = extract_numbers_and_dates(text, offset)
    # Readings for claim checking only (the relation features keep extract_numbers' numbers): a tally
    # replaces the two counts inside it, "40 C" the bare 40, a calendar quarter the months or ordinal in it
    # ("the April-to-June quarter"), fortnights are weeks, a temperature below zero is signed.
    quarters = extract_quarters(text, offset)
    replacing = extract_tallies(text, offset) + extract_letter_temperatures(text, offset) + quarters
    numbers = [
        u for u in numbers if u.unit != "fortnight" and not any(u.start < t.end and t.start < u.end for t in replacing)
    ]
    units = [u for u in units if not any(u.start < q.end and q.start < u.end for q in quarters)]
    units += signed_temperatures(text, numbers, offset)
    units += replacing
    units += extract_fortnights(text, offset)
    units += extract_year_to(text, offset)
    units += extract_magnitudes(text, offset)
    units += extract_age_ranges(text, offset)
    units += extract_ranks(text, offset)
    units += extract_quotes(text, offset)
    units += extract_attributions(text, offset)
    holidays = holiday_spans(text)
    units += extract_holidays(text, offset, holidays)
    # A holiday is a date or a modifier ("a Halloween display"), never a name, as a weekday or a month is not.
    spans = [(offset + s, offset + e) for s, e, _ in holidays]
    spans += [(q.start, q.end) for q in quarters]  # "Q3" is a quarter, not a name
    units += [u for u in extract_entities(text, offset) if not any(s <= u.start < e for s, e in spans)]
    units.sort(key=lambda u: (u.start, u.end, u.kind))
    return units
