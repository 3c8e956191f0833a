"""The per-article stages over a batch of articles, and the sentence vectors placement needs.

``analyze_batch`` (clean -> segment -> featurize) is a pure function of each article: the
incremental runner, both batch engines, ``verify`` and the web service call it on any grouping
of articles and get the same rows. Sentence vectors are functions of their text alone (the int8
encoder quantises activations per token), so they too may be computed in any grouping.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .clean import clean_article
from .config import Settings
from .featurize import featurize_batch
from .featurize.embed import DIM
from .records import AnalysisRow, Article
from .segment import segment


def analyze_batch(articles: Sequence[Article], settings: Settings, embed: bool = True) -> list[AnalysisRow]:
    """Per-article stages for a batch: pure function of the articles and settings."""
    cleans = [clean_article(a) for a in articles]
    sents = [segment(c) for c in cleans]
    # The int8 model quantises activations per token, so a vector does not depend on its batch-mates:
    # incremental, resumed or reordered runs equal one-shot runs.
    feats = featurize_batch(cleans, sents, settings, embed=embed)
    return [AnalysisRow(a, c, tuple(s), f) for a, c, s, f in zip(articles, cleans, sents, feats, strict=True)]


def rare_entities(entities: dict[str, float], settings: Settings) -> list[str]:
    """The entity keys rare enough to propose candidates (``Settings.entity_min_rarity``), sorted."""
    return sorted(k for k, w in entities.items() if w >= settings.entity_min_rarity)


def sentence_texts(rows: Sequence[AnalysisRow]) -> list[str]:
    """The distinct sentence texts of ``rows``, in first-seen order."""
    return list(dict.fromkeys(s.text for r in rows for s in r.sentences))


def assemble_sentence_vectors(
    rows: Sequence[AnalysisRow], vectors: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Each article's (n_sentences, DIM) matrix from vectors keyed by sentence text."""
    out = {}
    for r in rows:
        v = [vectors[s.text] for s in r.sentences]
        out[r.article.id] = np.vstack(v).astype(np.float32) if v else np.zeros((0, DIM), np.float32)
    return out


def encode_sentences(texts: Sequence[str], settings: Settings) -> np.ndarray:
    """Sentence vectors of ``texts``. A text's vector is the same whatever else is encoded with
    it (the int8 model quantises per token), so callers may encode in any grouping: each
    distinct sentence once, in chunks, on Spark partitions."""
    from .featurize.embed import get_embedder

    if not texts:
        return np.zeros((0, DIM), np.float32)
    return get_embedder().encode(list(texts), max_tokens=settings.sentence_max_tokens)


def sentence_vectors(rows: Sequence[AnalysisRow], settings: Settings) -> dict[str, np.ndarray]:
    """Embeddings of every sentence of each article, {id: (n_sentences, DIM)}; each distinct
    sentence is encoded once (republished copies share most of their sentences)."""
    texts = sentence_texts(rows)
    return assemble_sentence_vectors(rows, dict(zip(texts, encode_sentences(texts, settings), strict=True)))


def features_version(settings: Settings) -> str:
    """What stored per-article features depend on: the encoder file and the featurize settings. A
    store whose articles were featurized otherwise cannot take new ones (their vectors and bands
    would not be comparable), so the incremental runner refuses instead of mixing them."""
    from .featurize.embed import MODEL_VERSION

    s = settings
    return (
        f"{MODEL_VERSION};shingles={s.shingle_size};perm={s.num_perm};bands={s.lsh_bands};seed={s.minhash_seed};"
        f"doc_tokens={s.doc_max_tokens};sentence_tokens={s.sentence_max_tokens};terms={s.max_terms};"
        f"entity_rarity={s.entity_min_rarity}"
    )
