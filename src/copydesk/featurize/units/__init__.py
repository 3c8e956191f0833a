"""Checkable units: numbers, dates, quotes, attributions and entities, with spans."""

from __future__ import annotations

from .lexicon import (
    compatible,
    entity_weights,
    extract_attributions,
    extract_dates,
    extract_entities,
    extract_numbers,
    extract_numbers_and_dates,
    extract_quotes,
    extract_units,
)

__all__ = [
    "compatible",
    "entity_weights",
    "extract_attributions",
    "extract_dates",
    "extract_entities",
    "extract_numbers",
    "extract_numbers_and_dates",
    "extract_quotes",
    "extract_units",
]
