"""Featurize: per-article signals for candidate search and pair scoring.

MinHash (copies), a document vector (paraphrase), static-IDF terms, entities and
normalised numbers (rewrites keep names and figures). Batched: one call per batch of
articles, so the embedder sees full batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from ..config import Settings
from ..records import CleanArticle, Features, Sentence, Unit
from . import minhash
from .embed import DIM
from .terms import term_vector


def lead_text(clean: CleanArticle, sentences: Sequence[Sentence], max_chars: int = 1200) -> str:
    """Title plus the first sentences: what the document vector embeds."""
    parts: list[str] = []
    title = (clean.title or "").strip()
    if title:
        parts.append(title)
    size = len(title)
    for s in sentences:
        if title and s.text.strip() == title:
            continue
        parts.append(s.text)
        size += len(s.text)
        if size >= max_chars:
            break
    return "\n".join(parts) or clean.text[:max_chars]


DATE_PREFIX = "date:"


def date_keys(dates: Iterable[Unit]) -> frozenset[str]:
    """Calendar dates among ``dates`` (``units.extract_dates``), as keys kept with the numbers
    (``Features.numbers``): ``date:y:2013`` (a year), ``date:ym:2013-9`` (a month of a year),
    ``date:md:9-18`` (a day of a month). Relative dates and weekdays are left out: they do not
    pin an event down."""
    out: set[str] = set()
    for u in dates:
        f = dict(part.split(":", 1) for part in u.key.split("|") if ":" in part)
        y, m, d = f.get("year"), f.get("month"), f.get("day")
        if y:
            out.add(f"{DATE_PREFIX}y:{y}")
            if m:
                out.add(f"{DATE_PREFIX}ym:{y}-{m}")
        if m and d:
            out.add(f"{DATE_PREFIX}md:{m}-{d}")
    return frozenset(out)


def featurize_batch(
    cleans: Sequence[CleanArticle],
    sentences: Sequence[Sequence[Sentence]],
    settings: Settings,
    embed: bool = True,
) -> list[Features]:
    """Features for a batch of cleaned, segmented articles (same order)."""
    from .units import entity_weights, extract_numbers_and_dates

    texts = [c.text for c in cleans]
    sigs = minhash.signatures(texts, settings.shingle_size, settings.num_perm, settings.minhash_seed)
    if embed and cleans:
        from .embed import get_embedder

        # One lead a forward pass: at 128 tokens batches are slower (71 vs 62 leads/s on one core,
        # padding and attention), while sentences gain from batches (embed.SENTENCE_BATCH). Same bits either way.
        vecs = get_embedder().encode(
            [lead_text(c, s) for c, s in zip(cleans, sentences, strict=True)],
            max_tokens=settings.doc_max_tokens,
            batch_size=1,
        )
    else:
        vecs = np.zeros((len(cleans), DIM), np.float32)
    out = []
    for i, c in enumerate(cleans):
        numbers, dates = extract_numbers_and_dates(c.text)
        nums = frozenset(u.key for u in numbers) | date_keys(dates)
        out.append(
            Features(
                article_id=c.article.id,
                signature=sigs[i],
                doc_vector=vecs[i],
                entities=entity_weights(c.text),
                numbers=nums,
                terms=term_vector(c.text, settings.max_terms),
                n_tokens=len(c.text.split()),
                n_artifacts=len(c.artifacts),
            )
        )
    return out
