"""What the verifier reads: evidence sentences, claims, and the alignment levels it judges them at."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..featurize.embed import DIM
from ..records import AnalysisRow, Sentence, Unit
from .roles import claim_role, split_label

TOP_EVIDENCE = 3  # evidence sentences a verdict lists
SUPPORT_MIN = (
    0.45  # alignment score at which an evidence sentence supports a claim (an article id in ``support``)
)
LOOSE_MIN = 0.2  # a sentence this close may state another value for the same thing (same head noun)
STATEMENT_MIN = 0.3  # ... and be the one a negation, antonym, stance or hedge of the claim reverses
FLAGGED = ("unsupported", "contradicted")  # the statuses a user is warned about (and a gate fails on)
MIN_CLAIM_WORDS = 4  # shorter sentences (headline fragments, stray words) are not claims
STATUSES = ("supported", *FLAGGED, "heading")  # "heading": not a claim (heading, question, label, ...)


# Adjacent sentence pairs as evidence too (:func:`evidence_pool`). Chosen leave-one-dataset-out against
# single sentences only (``scripts/claims_lodo.py --alt-records``); the switch is for that comparison.
EVIDENCE_WINDOWS = True
# Clauses of long sentences as evidence too: a rewrite restating one clause of a long source sentence ("she
# liked game nights in with her celebrity pals whereas he would rather hit the town") shares few of that
# sentence's words in all, and its lexical cosine is diluted by the rest. A clause keeps its sentence's vector.
EVIDENCE_CLAUSES = True
CLAUSE_SENTENCE_WORDS = 20  # sentences this long or longer are also split into clauses
CLAUSE_MIN_WORDS = 5  # a shorter piece joins the clause before it
_CLAUSE_SPLIT_RE = re.compile(
    r"\s*[,;:()\u2013\u2014]\s*|\s+-\s+|\s+(?=(?:while|whereas|but|although|though|because)\b)", re.I
)


def clauses(text: str) -> list[str]:
    """The clauses of a long sentence (``CLAUSE_SENTENCE_WORDS`` words or more), split at commas, semicolons,
    colons, brackets, dashes and before "while", "whereas", "but", "although", "because"; a piece of
    fewer than ``CLAUSE_MIN_WORDS`` words joins the one before it. [] for a shorter sentence or one clause."""
    if len(text.split()) < CLAUSE_SENTENCE_WORDS:
        return []
    out: list[str] = []
    pos = 0
    for m in (*_CLAUSE_SPLIT_RE.finditer(text), None):
        end = m.start() if m else len(text)
        piece = text[pos:end].strip()
        pos = m.end() if m else len(text)
        if not piece:
            continue
        if out and min(len(piece.split()), len(out[-1].split())) < CLAUSE_MIN_WORDS:
            out[-1] = f"{out[-1]} {piece}"  # a short piece, or one after a short clause: joined
        else:
            out.append(piece)
    return out if len(out) > 1 else []


@dataclass(frozen=True, slots=True)
class EvidenceSentence:
    """One sentence of another version, as the verifier compares a claim with it."""

    article: str
    idx: int
    text: str
    units: tuple[Unit, ...]
    prev_text: str = ""  # the sentence before it, to resolve "both nations", "he"
    # Two adjacent sentences joined, or a clause of one: alignment support only, never a rule's comparison.
    window: bool = False


@dataclass(frozen=True, slots=True)
class ClaimInput:
    """One claim to judge: a sentence (or a bullet label) of a text, its units and its vector."""

    article: str
    text: str
    start: int
    end: int
    units: tuple[Unit, ...]
    vector: np.ndarray
    prev_text: str = ""
    role: str = "claim"  # claim | heading | question | label | dateline | byline (see :func:`claim_role`)


def sentence_units(row: AnalysisRow) -> list[tuple[Unit, ...]]:
    """The units of each sentence of an analysed article, spans in the article's text."""
    from ..featurize.units import extract_units

    return [tuple(extract_units(s.text, offset=s.start)) for s in row.sentences]


def claim_inputs(
    article: str,
    sentences: Sequence[Sentence],
    units: Sequence[tuple[Unit, ...]],
    vecs: np.ndarray,
) -> list[ClaimInput]:
    """The claims of one text, each with its role (:func:`claim_role`): every sentence of
    ``MIN_CLAIM_WORDS`` words or more, its bullet marker left out; a bullet label ("- Neutrality Clause:
    Russia demands ...") is a claim of its own with the role "label", the rest is judged as a claim."""
    out: list[ClaimInput] = []
    last = len(sentences) - 1
    for i, s in enumerate(sentences):
        prev = sentences[i - 1].text if i else ""
        b, lab = split_label(s.text)
        if lab:
            lab_units = tuple(u for u in units[i] if u.end <= s.start + lab)
            start, end = s.start + b, s.start + lab
            out.append(ClaimInput(article, s.text[b:lab], start, end, lab_units, vecs[i], prev, "label"))
            b = lab + len(s.text[lab:]) - len(s.text[lab:].lstrip())
        text = s.text[b:]
        if len(text.split()) < MIN_CLAIM_WORDS:
            continue  # headline fragments and stray words are not claims
        body_units = tuple(u for u in units[i] if u.start >= s.start + b)
        role = claim_role(text, last=i == last)
        out.append(ClaimInput(article, text, s.start + b, s.end, body_units, vecs[i], prev, role))
    return out


def evidence_pool(
    ids: Sequence[str],
    rows: Mapping[str, AnalysisRow],
    units: Mapping[str, list],
    svecs: Mapping[str, np.ndarray],
) -> tuple[list[EvidenceSentence], np.ndarray]:
    """Every sentence of the articles ``ids`` as evidence, and their vectors (one row each); with
    ``EVIDENCE_WINDOWS``, also every two adjacent sentences of an article as one piece of evidence
    (their text joined, their units together, the normalised sum of their vectors): a rewrite often
    restates two source sentences in one, which then aligns with neither alone."""
    pool: list[EvidenceSentence] = []
    vecs = []
    for aid in ids:
        sents = rows[aid].sentences
        for i, s in enumerate(sents):
            pool.append(EvidenceSentence(aid, i, s.text, units[aid][i], sents[i - 1].text if i else ""))
        vecs.append(svecs[aid])
        if EVIDENCE_WINDOWS and len(sents) > 1:
            for i in range(len(sents) - 1):
                pool.append(
                    EvidenceSentence(
                        aid,
                        i,
                        sents[i].text + " " + sents[i + 1].text,
                        (*units[aid][i], *units[aid][i + 1]),
                        sents[i - 1].text if i else "",
                        window=True,
                    )
                )
            pair = svecs[aid][:-1] + svecs[aid][1:]
            vecs.append(pair / np.maximum(np.linalg.norm(pair, axis=1, keepdims=True), 1e-9))
        if EVIDENCE_CLAUSES:
            rows_of: list[int] = []
            for i, s in enumerate(sents):
                for c in clauses(s.text):
                    units_c = tuple(u for u in units[aid][i] if u.text in c)
                    pool.append(EvidenceSentence(aid, i, c, units_c, sents[i - 1].text if i else "", window=True))
                    rows_of.append(i)
            if rows_of:
                vecs.append(svecs[aid][rows_of])
    mat = np.vstack(vecs).astype(np.float32) if vecs else np.zeros((0, DIM), np.float32)
    return pool, mat
