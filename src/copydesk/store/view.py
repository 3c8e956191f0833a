"""``StoreView``: a ``Store`` that forwards every member to another store, written out member by
member (no ``__getattr__``), for wrappers that change a few answers (a server's cached document
vectors, a planner that records its writes) and stay a complete ``Store``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any

import numpy as np

from ..records import AnalysisRow, Article, Features, Pair, Placement, Story, TermStats
from .base import Store


class StoreView:
    """Forwards every ``Store`` member to ``inner``; subclasses override what they answer
    differently. Closing a view closes the store it wraps."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner

    @property
    def location(self) -> str:
        return self.inner.location

    # -- connection, transactions, locks
    def close(self) -> None:
        self.inner.close()

    def __enter__(self) -> StoreView:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def reopen(self, *, read_only: bool = True) -> Store:
        return self.inner.reopen(read_only=read_only)

    def transaction(self) -> AbstractContextManager[None]:
        return self.inner.transaction()

    def writer_lock(self, timeout: float = 30.0) -> AbstractContextManager[None]:
        return self.inner.writer_lock(timeout)

    def read_snapshot(self) -> AbstractContextManager[None]:
        return self.inner.read_snapshot()

    def rollback(self) -> None:
        self.inner.rollback()

    # -- meta
    def get_meta(self, key: str) -> str | None:
        return self.inner.get_meta(key)

    def set_meta(self, key: str, value: str) -> None:
        self.inner.set_meta(key, value)

    # -- articles and their analyses
    def stored_hashes(self, ids: Sequence[str]) -> dict[str, str]:
        return self.inner.stored_hashes(ids)

    def add_analyses(
        self,
        rows: Sequence[AnalysisRow],
        bands: np.ndarray | None,
        entity_keys: Sequence[Sequence[str]],
        vocabularies: Sequence[Sequence[str]],
    ) -> None:
        self.inner.add_analyses(rows, bands, entity_keys, vocabularies)

    def unplaced_ids(self) -> list[str]:
        return self.inner.unplaced_ids()

    def article_ids(self) -> list[str]:
        return self.inner.article_ids()

    def count_articles(self) -> int:
        return self.inner.count_articles()

    def load_articles(self, ids: Sequence[str]) -> dict[str, Article]:
        return self.inner.load_articles(ids)

    def load_analyses(self, ids: Sequence[str]) -> dict[str, AnalysisRow]:
        return self.inner.load_analyses(ids)

    def load_features(self, ids: Sequence[str]) -> dict[str, Features]:
        return self.inner.load_features(ids)

    def term_stats(self, terms: Iterable[str]) -> TermStats:
        return self.inner.term_stats(terms)

    def all_doc_vectors(self) -> tuple[list[str], np.ndarray]:
        return self.inner.all_doc_vectors()

    # -- candidates
    def band_candidates(self, article_id: str, keys: Sequence[int]) -> set[str]:
        return self.inner.band_candidates(article_id, keys)

    def entity_candidates(
        self, article_id: str, keys: Sequence[str], max_postings: int, min_shared: int = 1
    ) -> set[str]:
        return self.inner.entity_candidates(article_id, keys, max_postings, min_shared)

    # -- sentence vectors and pairs
    def get_sentence_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        return self.inner.get_sentence_vectors(ids)

    def put_sentence_vectors(self, vectors: dict[str, np.ndarray]) -> None:
        self.inner.put_sentence_vectors(vectors)

    def put_pairs(self, pairs: Sequence[Pair]) -> None:
        self.inner.put_pairs(pairs)

    def pairs_among(self, ids: Sequence[str]) -> dict[tuple[str, str], Pair]:
        return self.inner.pairs_among(ids)

    def linked(self, ids: Sequence[str], relations: Sequence[str]) -> set[str]:
        return self.inner.linked(ids, relations)

    # -- stories and placements
    def stories_of(self, ids: Sequence[str]) -> set[str]:
        return self.inner.stories_of(ids)

    def members_of(self, story_ids: Sequence[str]) -> set[str]:
        return self.inner.members_of(story_ids)

    def story_alias(self, story_id: str) -> str | None:
        return self.inner.story_alias(story_id)

    def replace_stories(
        self,
        old_story_ids: Sequence[str],
        stories: Sequence[Story],
        placements: Sequence[Placement],
        details: dict[str, str],
    ) -> None:
        self.inner.replace_stories(old_story_ids, stories, placements, details)

    def stories(self) -> list[dict]:
        return self.inner.stories()

    def story(self, story_id: str) -> dict | None:
        return self.inner.story(story_id)

    def placements(self, ids: Sequence[str] | None = None) -> dict[str, dict]:
        return self.inner.placements(ids)

    def details(self, ids: Sequence[str]) -> dict[str, str]:
        return self.inner.details(ids)

    def search_stories(self, query: str, limit: int = 20) -> list[dict]:
        return self.inner.search_stories(query, limit)

    # -- checks
    def check(self) -> dict[str, Any]:
        return self.inner.check()
