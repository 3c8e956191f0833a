"""All serialisation of what the store keeps, in one place: an article's analysis (JSON), its
features (a row of bytes and JSON), pairs, stories, document and sentence vectors, and the
plain records (dicts of str/bytes/int) the batch engines carry in Spark rows and Parquet files.

What is written here and read back here is the analysis the store path reloads, so both batch
engines and the store reload the same article. The codec imports records only: no stage.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any, cast

import numpy as np

from ..records import (
    EMBED_DIM,
    AnalysisRow,
    Article,
    Artifact,
    CleanArticle,
    Features,
    OffsetMap,
    Pair,
    Sentence,
    Story,
    repair_mojibake,
)

ARTICLE_FIELDS = ("id", "text", "title", "site", "url", "published", "source_path")
FEATURE_FIELDS = ("signature", "doc_vector", "entities", "numbers", "terms", "n_tokens", "n_artifacts")


# -- an article's analysis: clean-up, offset map, sentence spans --------------------------------


def analysis_to_json(clean: CleanArticle, sentences: Sequence[Sentence]) -> str:
    """The analysis of one article as compact JSON: title, artifacts, offset map, sentence spans and
    the cleaned text's length (the cleaned text itself is rebuilt from the raw text on reading)."""
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
    """The cleaned article and its sentences from ``analysis_to_json``'s payload: the cleaned text is
    copied out of the raw text by the offset map (``OffsetMap.cleaned``), sentences are raw slices."""
    d = json.loads(payload)
    arts = tuple(Artifact(k, s, e, t) for k, s, e, t in d["artifacts"])
    om = OffsetMap(tuple(d["offset_map"][0]), tuple(d["offset_map"][1]))
    raw = repair_mojibake(article.text)  # as the clean stage read it (same length)
    clean = CleanArticle(article, om.cleaned(raw, d["clean_len"]), arts, om, d.get("title"))
    sents = tuple(Sentence(article.id, i, s, e, raw[s:e]) for i, (s, e) in enumerate(d["sentences"]))
    return clean, sents


# -- features ------------------------------------------------------------------------------------


def features_to_row(f: Features) -> dict[str, Any]:
    """The columns of ``FEATURE_FIELDS``: vectors as raw little-endian bytes, maps as sorted JSON."""
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
    """``Features`` from the values of ``FEATURE_FIELDS``, in that order."""
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


# -- vectors --------------------------------------------------------------------------------------


def doc_vectors_from_blobs(blobs: Sequence[bytes | memoryview]) -> np.ndarray:
    """The matrix (one row an article) of stored document vectors; (0, ``EMBED_DIM``) for none."""
    if not blobs:
        return np.zeros((0, EMBED_DIM), np.float32)
    return np.frombuffer(b"".join(bytes(b) for b in blobs), dtype=np.float32).reshape(len(blobs), -1)


def sentence_vectors_to_row(v: np.ndarray) -> tuple[int, bytes]:
    """(width, bytes) of an article's sentence-vector matrix; an empty matrix is stored with width
    ``EMBED_DIM``."""
    dim = int(v.shape[1]) if v.ndim == 2 and v.shape[1] else EMBED_DIM
    return dim, np.ascontiguousarray(v, np.float32).tobytes()


def sentence_vectors_from_row(dim: int, blob: bytes | memoryview) -> np.ndarray:
    """The matrix ``sentence_vectors_to_row`` stored."""
    return np.frombuffer(bytes(blob), dtype=np.float32).reshape(-1, int(dim))


def svec_to_bytes(v: np.ndarray) -> bytes:
    """Sentence vectors as the batch engines carry them (float32 bytes; the width is ``EMBED_DIM``)."""
    return np.ascontiguousarray(v, dtype=np.float32).tobytes()


def svec_from_bytes(b: bytes | bytearray | memoryview | None) -> np.ndarray:
    """The matrix ``svec_to_bytes`` wrote; (0, ``EMBED_DIM``) for none."""
    if b is None:
        return np.zeros((0, EMBED_DIM), np.float32)
    return np.frombuffer(bytes(b), dtype=np.float32).reshape(-1, EMBED_DIM)


# -- pairs and stories ----------------------------------------------------------------------------


def pair_to_json(p: Pair) -> str:
    """A pair's feature scores, rounded to 6 decimals, keys sorted."""
    return json.dumps({k: round(v, 6) for k, v in sorted(p.scores.items())}, separators=(",", ":"))


def pair_from_columns(a: str, b: str, relation: str, score: float, scores: str) -> Pair:
    """A pair as the store reloads it (scores as ``pair_to_json`` rounded them)."""
    return Pair(a, b, json.loads(scores), relation, score)


def story_record(story: Story) -> dict[str, Any]:
    """The story's JSON object, as stored and reported; ``facts`` only when claims were checked."""
    d: dict[str, Any] = {
        "id": story.id,
        "title": story.title,
        "articles": list(story.articles),
        "reference": story.reference,
        "families": [list(f) for f in story.families],
        "common_source_missing": story.common_source_missing,
        "evidence": list(story.evidence),
    }
    if story.facts is not None:
        d["facts"] = [asdict(f) for f in story.facts]
    return d


def story_to_json(story: Story) -> str:
    """A story's payload: ``story_record`` with keys sorted, non-ASCII kept."""
    return json.dumps(story_record(story), ensure_ascii=False, sort_keys=True)


def story_from_json(payload: str) -> dict:
    return json.loads(payload)


# -- plain records for the batch engines (Spark rows, Parquet files) -----------------------------


def article_record(a: Article) -> dict[str, Any]:
    """The ``ARTICLE_FIELDS`` of an article as a dict."""
    return {f: getattr(a, f) for f in ARTICLE_FIELDS}


def article_from_record(rec: Mapping[str, Any]) -> Article:
    return Article(**cast(dict[str, Any], {f: rec.get(f) for f in ARTICLE_FIELDS}))


def features_from_record(rec: Mapping[str, Any]) -> Features:
    return features_from_row(rec["id"], [rec[f] for f in FEATURE_FIELDS])


def row_from_record(rec: Mapping[str, Any]) -> AnalysisRow:
    """The article as the store would reload it (raw-text sentence slices, rebuilt clean text)."""
    art = article_from_record(rec)
    clean, sents = analysis_from_json(art, rec["analysis"])
    return AnalysisRow(art, clean, sents, features_from_record(rec))


def pair_record(p: Pair) -> dict[str, Any]:
    """A pair as a record (``pair_to_json`` scores)."""
    return {"a": p.a, "b": p.b, "relation": p.relation, "score": float(p.score), "scores": pair_to_json(p)}


def pair_from_record(rec: Mapping[str, Any]) -> Pair:
    """A pair as the store reloads it (scores rounded by ``pair_to_json``)."""
    return Pair(rec["a"], rec["b"], json.loads(rec["scores"]), rec["relation"], float(rec["score"]))


def doc_vector_of(rec: Mapping[str, Any]) -> np.ndarray:
    """The document vector of an article record."""
    return np.frombuffer(bytes(rec["doc_vector"]), dtype=np.float32)
