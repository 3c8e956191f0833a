"""The evidence index: everything the verifier needs from a pool of evidence sentences, computed once."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ..align import SentenceIndex
from ..records import Unit
from .inputs import EvidenceSentence

_NON_WORD_RE = re.compile(r"[^\w\s]|_")
_SPACES_RE = re.compile(r"\s+")


def plain_words(text: str) -> str:
    """Lower-cased words joined by single spaces, every punctuation mark a space."""
    return _SPACES_RE.sub(" ", _NON_WORD_RE.sub(" ", text.lower())).strip()


PREFIX_LEN = 5


class PoolIndex(SentenceIndex):
    """Everything the verifier needs from an evidence pool, computed once per pool: the alignment
    scorer's index (:class:`~copydesk.align.SentenceIndex`) plus the pool's words, stems, bigrams and units."""

    def __init__(
        self, pool: Sequence[EvidenceSentence], vectors: np.ndarray, extra_texts: Sequence[str] = ()
    ) -> None:
        self.pool = pool
        super().__init__([e.text for e in pool], vectors, extra_texts, [not e.window for e in pool])
        infos = self.infos
        self.stem_sets = [i[2] for i in infos]
        self.all_words = frozenset(w for i in infos for w in i[0])
        self.all_stems = frozenset(s for i in infos for s in i[2])
        # Word beginnings: a derived form shares its first letters ("comparison" ~ "compares").
        self.prefixes = frozenset(w[:PREFIX_LEN] for w in self.all_words if len(w) >= PREFIX_LEN)
        self.bigrams = frozenset(b for i in infos for b in i[3])
        self.entities = frozenset(u.key for e in pool for u in e.units if u.kind == "entity")
        self.numbers = [tuple(u for u in e.units if u.kind == "number") for e in pool]
        self.all_numbers = tuple(u for ns in self.numbers for u in ns)
        self.attributions = frozenset(
            u.key.split(":", 1)[-1] for e in pool for u in e.units if u.kind == "attribution"
        )
        self.quotes = tuple(u for e in pool for u in e.units if u.kind == "quote")
        self.dates = tuple(u for e in pool for u in e.units if u.kind == "date")
        self.lower = " ".join(e.text.lower() for e in pool)
        self.plain = " " + " ".join(plain_words(e.text) for e in pool) + " "

    def says(self, phrase: str) -> bool:
        """Some version has the words of ``phrase`` in a row, whatever the punctuation between or in them
        ("you'll" = "you’ll" = "you ll", "Kardashian-Jenner" = "Kardashian Jenner")."""
        words = plain_words(phrase)
        return bool(words) and f" {words} " in self.plain

    def entity_known(self, u: Unit) -> bool:
        if u.key in self.entities:
            return True
        last = u.key.split()[-1] if u.key else ""
        if any(k == last or k.endswith(" " + last) or u.key.endswith(" " + k) for k in self.entities):
            return True
        return self.says(u.key)
