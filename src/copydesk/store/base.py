"""Store interface and the (de)serialisation of what it keeps."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import numpy as np

from ..records import (
    AnalysisRow,
    Article,
    Artifact,
    CleanArticle,
    Features,
    OffsetMap,
    Pair,
    Sentence,
)

SCHEMA_VERSION = 1


class StoreError(RuntimeError):
    """The store cannot be used (wrong schema, corrupt, ...); the message says why."""


class StoreLocked(StoreError):
    """Another copydesk process is writing to this store."""


# -- serialisation --------------------------------------------------------------------


def analysis_to_json(clean: CleanArticle, sentences: Sequence[Sentence]) -> str:
    return json.dumps(
        {
            "title": clean.title,
            "artifacts": [[a.kind, a.start, a.end, a.text] for a in clean.artifacts],
            "offset_map": [list(clean.offset_map.clean_starts), list(clean.offset_map.raw_starts)],
            "sentences": [[s.start, s.end] for s in sentences],
            "clean_len": len(clean.text),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def analysis_from_json(article: Article, payload: str) -> tuple[CleanArticle, tuple[Sentence, ...]]:
    d = json.loads(payload)
    arts = tuple(Artifact(k, s, e, t) for k, s, e, t in d["artifacts"])
    om = OffsetMap(tuple(d["offset_map"][0]), tuple(d["offset_map"][1]))
    clean_text = _rebuild_clean(article.text, arts)
    clean = CleanArticle(article, clean_text, arts, om, d.get("title"))
    sents = tuple(Sentence(article.id, i, s, e, article.text[s:e]) for i, (s, e) in enumerate(d["sentences"]))
    return clean, sents


def _rebuild_clean(raw: str, artifacts: Iterable[Artifact]) -> str:
    from ..clean import strip_artifacts

    return strip_artifacts(raw, list(artifacts))[0]


def features_to_row(f: Features) -> dict[str, Any]:
    return {
        "signature": np.ascontiguousarray(f.signature, dtype=np.uint32).tobytes(),
        "doc_vector": np.ascontiguousarray(f.doc_vector, dtype=np.float32).tobytes(),
        "entities": json.dumps(f.entities, ensure_ascii=False, sort_keys=True),
        "numbers": json.dumps(sorted(f.numbers), ensure_ascii=False),
        "terms": json.dumps(f.terms, ensure_ascii=False, sort_keys=True),
        "n_tokens": f.n_tokens,
        "n_artifacts": f.n_artifacts,
    }


def features_from_row(article_id: str, r: Sequence[Any]) -> Features:
    sig, vec, ents, nums, terms, n_tokens, n_art = r
    return Features(
        article_id=article_id,
        signature=np.frombuffer(bytes(sig), dtype=np.uint32),
        doc_vector=np.frombuffer(bytes(vec), dtype=np.float32),
        entities=json.loads(ents),
        numbers=frozenset(json.loads(nums)),
        terms=json.loads(terms),
        n_tokens=int(n_tokens),
        n_artifacts=int(n_art),
    )


def pair_to_json(p: Pair) -> str:
    return json.dumps({k: round(v, 6) for k, v in sorted(p.scores.items())}, separators=(",", ":"))


class Store(Protocol):
    """What the pipeline, the API and the checks need from a store."""

    location: str

    def close(self) -> None: ...
    def stored_hashes(self, ids: Sequence[str]) -> dict[str, str]: ...
    def add_analyses(
        self, rows: Sequence[AnalysisRow], bands: np.ndarray | None, entity_keys: Sequence[Sequence[str]]
    ) -> None: ...
    def unplaced_ids(self) -> list[str]: ...
    def article_ids(self) -> list[str]: ...
    def count_articles(self) -> int: ...
    def get_meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...
    def load_articles(self, ids: Sequence[str]) -> dict[str, Article]: ...
    def load_analyses(self, ids: Sequence[str]) -> dict[str, AnalysisRow]: ...
    def load_features(self, ids: Sequence[str]) -> dict[str, Features]: ...
    def all_doc_vectors(self) -> tuple[list[str], np.ndarray]: ...
    def band_candidates(self, article_id: str, keys: Sequence[int]) -> set[str]: ...
    def entity_candidates(
        self, article_id: str, keys: Sequence[str], max_postings: int, min_shared: int = 1
    ) -> set[str]: ...
    def get_sentence_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]: ...
    def put_sentence_vectors(self, vectors: dict[str, np.ndarray]) -> None: ...
    def put_pairs(self, pairs: Sequence[Pair]) -> None: ...
    def pairs_among(self, ids: Sequence[str]) -> dict[tuple[str, str], Pair]: ...
    def linked(self, ids: Sequence[str], relations: Sequence[str]) -> set[str]: ...
    def stories_of(self, ids: Sequence[str]) -> set[str]: ...
    def replace_stories(
        self,
        old_story_ids: Sequence[str],
        stories: Sequence[dict],
        placements: Sequence[dict],
        details: dict[str, str],
    ) -> None: ...
    def stories(self) -> list[dict]: ...
    def story(self, story_id: str) -> dict | None: ...
    def placements(self, ids: Sequence[str] | None = None) -> dict[str, dict]: ...
    def details(self, ids: Sequence[str]) -> dict[str, str]: ...
    def search_stories(self, query: str, limit: int = 20) -> list[dict]: ...
    def check(self) -> dict[str, Any]: ...
