"""Articles for the store tests and the one way they add analysed rows to a store (as the runners do:
band keys, rare entities and distinct terms beside each row)."""

from __future__ import annotations

import numpy as np

from copydesk.analyze import rare_entities
from copydesk.config import Settings
from copydesk.featurize.minhash import band_keys
from copydesk.featurize.terms import vocabulary
from copydesk.records import AnalysisRow
from copydesk.store import Store

SETTINGS = Settings(claims=False)
# Two short articles with boilerplate the clean stage removes ("MORE STORIES", a "**Title:**" marker).
TEXTS = {
    "a": "Quake hits Springfield\nA strong earthquake struck Springfield on Monday, officials said. "
         "Dozens of homes were damaged, and 12 people were hurt.\nMORE STORIES\nShare this article",
    "b": "**Title:** Flood in Shelbyville\nRivers rose across Shelbyville on Tuesday. \"We lost everything,\" "
         "said resident Marge Bouvier. About 300 homes were evacuated.",
}


def add_rows(store: Store, rows: list[AnalysisRow]) -> None:
    """``store.add_analyses`` of ``rows`` with their band keys, rare entities and terms under ``SETTINGS``."""
    sigs = np.vstack([r.features.signature for r in rows])
    store.add_analyses(rows, band_keys(sigs, SETTINGS.lsh_bands),
                       [rare_entities(r.features.entities, SETTINGS) for r in rows],
                       [vocabulary(r.clean.text) for r in rows])
