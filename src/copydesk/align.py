"""Alignment: which sentences of a source each sentence of a version restates, and its scorer.

The scorer (:func:`similarity`, :class:`SentenceIndex`) is order-free: every sentence against every
sentence of the other side, a blend of MiniLM cosine and a lexical TF-IDF cosine over light stems whose
IDF is taken over the sentences at hand (both sides), so words every version repeats weigh little and
the rare words two sentences share weigh much. :func:`align` labels each sentence verbatim, paraphrase
or added and lists the source sentences left out; the claim verifier retrieves its evidence with the
same scorer, and ``copydesk eval align`` measures it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from .featurize.embed import DIM
from .featurize.terms import sentence_info
from .records import AlignedSentence, Alignment, Claim, Sentence, SourceMatch

W_EMB = 0.25  # weight of the embedding cosine in the alignment score (the rest: lexical TF-IDF cosine)
ALIGN_MIN = 0.35  # alignment score at which an evidence sentence counts as "the same statement"
VERBATIM_SIM = 0.97  # embedding cosine at which two sentences are the same wording
PARAPHRASE_SIM = ALIGN_MIN  # alignment score (:func:`similarity`) at which a sentence has a source
MAX_SOURCES = 3  # source sentences kept per aligned sentence
_NORM = re.compile(r"[\W_]+")


class SentenceIndex:
    """The lexical side of the scorer over a set of sentences (the pool), computed once.

    IDF is taken over the pool and ``extra_texts`` (the sentences that will query it); ``in_idf`` (one
    flag per pool text) leaves texts out of it that only repeat others (the claim checker's windows of
    two adjacent sentences), so they add matches without changing any other score."""

    def __init__(
        self,
        texts: Sequence[str],
        vectors: np.ndarray,
        extra_texts: Sequence[str] = (),
        in_idf: Sequence[bool] | None = None,
    ) -> None:
        self.vectors = (
            np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
            if len(texts)
            else np.zeros((0, DIM), np.float32)
        )
        self.infos = [sentence_info(t) for t in texts]
        counted = self.infos if in_idf is None else [i for i, k in zip(self.infos, in_idf, strict=True) if k]
        df = Counter(s for i in counted for s in i[2])
        for t in extra_texts:
            df.update(sentence_info(t)[2])
        n = len(counted) + len(extra_texts) + 1
        self.idf = {s: math.log((n + 1) / (d + 1)) + 1.0 for s, d in df.items()}
        self.max_idf = math.log(n + 1) + 1.0
        self.vocab: dict[str, int] = {}
        self.lex = self._lex_matrix([i[1] for i in self.infos], grow=True)

    def _lex_matrix(self, stem_lists: Sequence[Sequence[str]], grow: bool = False):
        """L2-normalised (1 + log tf) * idf rows (unknown stems get max idf) over the pool's vocabulary.

        ``grow`` adds new stems to the vocabulary (building the pool side); a query's stems the pool
        lacks still count in its norm but have no column: they can only lower its cosine.
        """
        from scipy.sparse import csr_matrix

        vocab = self.vocab
        idf, max_idf = self.idf, self.max_idf
        rows, cols, vals = [], [], []
        for r, sts in enumerate(stem_lists):
            ws = [(s, lt * idf.get(s, max_idf)) for s, lt in _log_tf(tuple(sts))]
            norm = math.sqrt(sum(v * v for _s, v in ws)) or 1.0
            for s, v in ws:
                j = vocab.setdefault(s, len(vocab)) if grow else vocab.get(s)
                if j is not None:
                    rows.append(r)
                    cols.append(j)
                    vals.append(v / norm)
        return csr_matrix((vals, (rows, cols)), shape=(len(stem_lists), max(len(vocab), 1)))

    def query(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """Alignment scores (len(texts), len(pool)): W_EMB * cosine + (1 - W_EMB) * lexical cosine."""
        if not len(self.infos) or not len(texts):
            return np.zeros((len(texts), len(self.infos)), np.float32)
        q = self._lex_matrix([sentence_info(t)[1] for t in texts])
        lex = (q @ self.lex.T).toarray()
        emb = np.asarray(vectors, np.float32).reshape(len(texts), -1) @ self.vectors.T
        return (W_EMB * emb + (1.0 - W_EMB) * lex).astype(np.float32)


@lru_cache(maxsize=200_000)
def _log_tf(stems: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    """(stem, 1 + log tf) of a sentence's stems of two or more characters, in order of first occurrence:
    the part of a TF-IDF row that does not depend on the pool, computed once per sentence (a story's
    sentences are in the pool of every other version)."""
    c = Counter(s for s in stems if len(s) > 1)
    return tuple((s, 1.0 + math.log(k)) for s, k in c.items())


def similarity(
    texts: Sequence[str], vectors: np.ndarray, pool_texts: Sequence[str], pool_vectors: np.ndarray
) -> np.ndarray:
    """The alignment scorer on plain texts: (len(texts), len(pool_texts)) scores in about [0, 1].

    IDF is taken over both sides together, as for a story: the words every sentence repeats weigh
    little. :func:`align`, the verifier's retrieval and ``copydesk eval align`` all use it.
    """
    return SentenceIndex(pool_texts, pool_vectors, extra_texts=texts).query(texts, vectors)


def _norm(s: str) -> str:
    return _NORM.sub(" ", s.lower()).strip()


def align(
    sentences: Sequence[Sentence],
    vecs: np.ndarray,
    src_id: str,
    src_sentences: Sequence[Sentence],
    src_vecs: np.ndarray,
) -> Alignment:
    """Each sentence against the source, and the source sentences left out.

    Scores are :func:`similarity` (the scorer ``copydesk eval align`` measures); each sentence keeps up
    to ``MAX_SOURCES`` source sentences at ``PARAPHRASE_SIM`` or more, so a merge shows two sources and a
    split shows one source twice.
    """
    texts = [s.text for s in sentences]
    src_texts = [s.text for s in src_sentences]
    if len(sentences) and len(src_sentences):
        sim = similarity(texts, vecs, src_texts, src_vecs)
        emb = np.asarray(vecs, np.float32) @ np.asarray(src_vecs, np.float32).T
    else:
        sim = emb = np.zeros((len(sentences), len(src_sentences)), np.float32)
    out = []
    for i, s in enumerate(sentences):
        row = sim[i] if sim.shape[1] else np.zeros(0)
        order = np.argsort(-row, kind="stable")[:MAX_SOURCES] if len(row) else np.zeros(0, np.int64)
        matches = [int(j) for j in order if row[j] >= PARAPHRASE_SIM]
        if matches and (
            emb[i, matches[0]] >= VERBATIM_SIM or _norm(s.text) == _norm(src_sentences[matches[0]].text)
        ):
            label = "verbatim"
        elif matches:
            label = "paraphrase"
        else:
            label = "added"
        sources = tuple(
            SourceMatch(
                src_id,
                src_sentences[j].text,
                round(float(row[j]), 4),
                src_sentences[j].start,
                src_sentences[j].end,
            )
            for j in matches
        )
        out.append(AlignedSentence(s, label, sources))
    dropped: tuple[Sentence, ...] = ()
    if sim.size:
        best_src = sim.max(axis=0)
        dropped = tuple(src_sentences[int(j)] for j in np.flatnonzero(best_src < PARAPHRASE_SIM))
    elif len(src_sentences) and not len(sentences):
        dropped = tuple(src_sentences)
    return Alignment(src_id, tuple(out), dropped)


def reconcile(
    sentences: Sequence[AlignedSentence], claims: Sequence[Claim], src_id: str
) -> list[AlignedSentence]:
    """The alignment made to agree with the claim verdicts: a sentence the alignment calls "added" whose
    claim is supported by a sentence of the source itself (the two scorers take IDF over slightly
    different sentence sets, so they can straddle the threshold) is a paraphrase of that sentence."""
    by_span = {(c.start, c.end): c for c in claims}
    out = []
    for a in sentences:
        c = by_span.get((a.sentence.start, a.sentence.end))
        if a.label == "added" and c is not None and c.status == "supported":
            ev = [e for e in c.evidence if e.article == src_id and e.score >= PARAPHRASE_SIM]
            if not ev and c.evidence and c.evidence[0].article == src_id:
                ev = list(
                    c.evidence[:1]
                )  # the sentence stating the same figures ("a fifth" ~ "20%"), however long
            if ev:
                a = AlignedSentence(
                    a.sentence, "paraphrase", tuple(SourceMatch(src_id, e.text, e.score) for e in ev)
                )
        out.append(a)
    return out


def aligned_json(a: AlignedSentence) -> dict:
    """An aligned sentence as written in the detail JSON and the verify report (a source's span only
    where the alignment found it, not where a claim's evidence supplied it)."""
    return {
        "sentence": a.sentence.text,
        "start": a.sentence.start,
        "end": a.sentence.end,
        "label": a.label,
        "source_sentences": [
            {"article": m.article, "text": m.text, "score": m.score}
            | ({"start": m.start, "end": m.end} if m.start >= 0 else {})
            for m in a.sources
        ],
    }


def dropped_json(alignment: Alignment) -> list[dict]:
    """The source sentences an alignment left out, as written in the detail JSON and the verify report."""
    return [
        {"article": alignment.source, "text": s.text, "start": s.start, "end": s.end}
        for s in alignment.dropped
    ]
