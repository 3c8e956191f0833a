"""Typed records that flow between the pipeline stages.

Every span (``start``/``end``) in every record points into the *raw* text the user
gave (``Article.text``), so any report can highlight it in the original.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

# The width of every embedding vector (sentence and document): the embedder's output width, and the
# width of an empty vector matrix (no article stored, an article without a sentence).
EMBED_DIM = 384

ArtifactKind = Literal[
    "prompt_leak", "duplicated_headline", "duplicated_body", "boilerplate", "markup", "broken_quote"
]
ARTIFACT_KINDS: tuple[str, ...] = (
    "prompt_leak",
    "duplicated_headline",
    "duplicated_body",
    "boilerplate",
    "markup",
    "broken_quote",
)
Relation = Literal["reference", "duplicate", "rewrite", "same_story", "unrelated"]
PairRelation = Literal["duplicate", "rewrite", "same_story", "unrelated"]
# Strongest first: used to order and compare relations.
RELATION_STRENGTH: dict[str, int] = {"duplicate": 3, "rewrite": 2, "same_story": 1, "unrelated": 0}
UnitKind = Literal["number", "date", "quote", "attribution", "entity"]
ClaimKind = Literal["number", "date", "quote", "attribution", "entity", "statement"]
ClaimStatus = Literal["supported", "unsupported", "contradicted"]
AlignLabel = Literal["verbatim", "paraphrase", "added"]


@dataclass(frozen=True, slots=True)
class Article:
    """One input document as the user gave it."""

    id: str
    text: str
    title: str | None = None
    site: str | None = None
    url: str | None = None
    published: str | None = None  # ISO 8601 when known
    source_path: str | None = None


@dataclass(frozen=True, slots=True)
class Artifact:
    """A span of rewriting debris in the raw text (prompt leak, repeated body, ...)."""

    kind: str  # one of ARTIFACT_KINDS
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Maps offsets in a cleaned text back to offsets in the raw text.

    ``clean_starts[i]`` is where run ``i`` begins in the cleaned text and
    ``raw_starts[i]`` where the same run begins in the raw text; runs are copied
    verbatim, so inside a run the two advance together.
    """

    clean_starts: tuple[int, ...] = (0,)
    raw_starts: tuple[int, ...] = (0,)

    def to_raw(self, clean_offset: int) -> int:
        i = bisect.bisect_right(self.clean_starts, clean_offset) - 1
        i = max(i, 0)
        return self.raw_starts[i] + (clean_offset - self.clean_starts[i])

    def span_to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Raw span of a cleaned span; ``end`` maps as the end of its last character."""
        if end <= start:
            r = self.to_raw(start)
            return r, r
        return self.to_raw(start), self.to_raw(end - 1) + 1

    def cleaned(self, raw: str, length: int) -> str:
        """The cleaned text (``length`` characters) this map describes, copied run by run out of
        ``raw``: run ``i`` is the ``clean_starts[i + 1] - clean_starts[i]`` characters at
        ``raw_starts[i]``, the last run reaching ``length``. So a stored map and length give back
        the cleaned text without re-running the clean stage."""
        ends = self.clean_starts[1:] + (length,)
        return "".join(
            raw[r : r + (e - c)] for c, r, e in zip(self.clean_starts, self.raw_starts, ends, strict=True)
        )


# Mac Roman punctuation read as Latin-1: “ ” ‘ ’ – — arrive as Ò Ó Ô Õ Ð Ñ. The signs that a text is such:
# an apostrophe between letters ("ItÕs", "donÕt") or an opening quote before a word closed after one.
_MACROMAN = str.maketrans("ÒÓÔÕÐÑ", "“”‘’–—")
_MACROMAN_SIGN_RE = re.compile(r"(?<=[A-Za-z])Õ(?=[a-z])|Ò(?=\w)[^ÒÓ\n]{0,400}(?<=[\w.,!?])Ó")
# One sign is enough when it cannot be a letter: an English contraction ("donÕt", "weÕve", "BodysphereÕs")
# or a quote opened before a word and closed after one, each at a word's edge (“COVID-19”, not "ÒscarÓ").
_MACROMAN_SURE_RE = re.compile(
    r"(?<=[A-Za-z])Õ(?:s|t|ve|ll|re|m|d)(?![^\W_])|(?<![^\W_])Ò(?=\w)[^ÒÓ\n]{0,400}(?<=[\w.,!?])Ó(?![^\W_])"
)


def repair_mojibake(text: str) -> str:
    """``text`` with Mac Roman punctuation read as Latin-1 put back, when it shows two or more signs of it
    or one sure sign; else unchanged. Same length, so spans into the raw text hold for the repaired one."""
    if "Õ" not in text and "Ò" not in text:
        return text
    if len(_MACROMAN_SIGN_RE.findall(text)) < 2 and not _MACROMAN_SURE_RE.search(text):
        return text
    return text.translate(_MACROMAN)


@dataclass(frozen=True, slots=True)
class CleanArticle:
    article: Article
    text: str  # the text with artifacts stripped
    artifacts: tuple[Artifact, ...]
    offset_map: OffsetMap
    title: str | None = None  # the headline (given, or found in the text)


@dataclass(frozen=True, slots=True)
class Sentence:
    article_id: str
    idx: int
    start: int  # raw offsets
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Unit:
    """A checkable unit inside a sentence: a number, a date, a quote, an attribution, an entity.

    ``key`` is the normalised form used for comparison ("20|percent" for "a fifth",
    "twenty percent" and "20%"); ``value``/``unit`` are set for numbers.
    """

    kind: str  # one of UnitKind
    text: str
    start: int
    end: int
    key: str
    value: float | None = None
    unit: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Features:
    """Everything pair scoring needs from one article, computed once per article."""

    article_id: str
    signature: np.ndarray  # MinHash, uint32/uint64 (num_perm,)
    doc_vector: np.ndarray  # float32 (dim,), L2-normalised
    entities: dict[str, float]  # normalised entity -> weight (rarity)
    numbers: frozenset[str]  # normalised number keys
    terms: dict[str, float]  # static-IDF term vector, L2-normalised
    n_tokens: int
    n_artifacts: int = 0


@dataclass(frozen=True, slots=True)
class TermStats:
    """Corpus document frequencies: of ``n_docs`` articles, how many contain each term (``df``, for
    the terms asked; a term missing from it is in no other article). The store keeps them as
    articles arrive; a batch run counts them over its input."""

    n_docs: int
    df: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Pair:
    """A scored candidate pair; ``a < b`` by id."""

    a: str
    b: str
    scores: dict[str, float]
    relation: str  # one of PairRelation
    score: float  # the classifier's confidence in ``relation`` (or in same-story-or-stronger)


@dataclass(frozen=True, slots=True)
class Story:
    """One story as placement builds it: its members, reference, families and missing-source
    evidence (``facts``: the claim checker's shared facts, when claims were checked)."""

    id: str
    title: str | None
    articles: tuple[str, ...]  # sorted ids
    reference: str
    families: tuple[tuple[str, ...], ...]  # each sorted
    common_source_missing: bool
    evidence: tuple[str, ...] = ()
    facts: tuple[Fact, ...] | None = None


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one article sits in its story: the per-article answer of ``analyze``."""

    article_id: str
    story: str
    family: str
    relation: str  # one of Relation
    source: str | None
    score: float | None


@dataclass(frozen=True, slots=True)
class SourceMatch:
    article: str
    text: str
    score: float
    start: int = -1
    end: int = -1


@dataclass(frozen=True, slots=True)
class AlignedSentence:
    """One sentence of a version with its label and the source sentences it restates, best first."""

    sentence: Sentence
    label: str  # one of AlignLabel
    sources: tuple[SourceMatch, ...] = ()


@dataclass(frozen=True, slots=True)
class Alignment:
    """A version aligned with one source: each of its sentences, and the source sentences none restates."""

    source: str  # the source's article id
    sentences: tuple[AlignedSentence, ...]
    dropped: tuple[Sentence, ...] = ()


@dataclass(frozen=True, slots=True)
class Verdict:
    """The verifier's judgement of one claim."""

    status: str  # supported | unsupported | contradicted | heading
    kind: str  # number | date | quote | attribution | entity | statement
    score: float  # P(not supported): higher = more suspicious
    reason: str  # in plain words: what differs or is missing, and where
    evidence: tuple[SourceMatch, ...] = ()  # [0]: the sentence compared (the closest, or the one a rule used)
    support: tuple[str, ...] = ()  # articles that state it (empty unless supported)


@dataclass(frozen=True, slots=True)
class Claim:
    article_id: str
    text: str
    start: int
    end: int
    kind: str  # one of ClaimKind
    status: str  # one of ClaimStatus
    support: tuple[str, ...] = ()
    evidence: tuple[SourceMatch, ...] = ()
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Fact:
    text: str
    kind: str
    support: tuple[str, ...] = field(default_factory=tuple)


def content_hash(article: Article) -> str:
    """Hash of what makes two versions of an id the same article: text, title and date.

    Line ends do not count: the text is hashed with CRLF read as LF, so a CRLF file stored
    before its line ends were kept (they were turned into LF then) is still the same article.
    """
    h = hashlib.sha256()
    for part in (article.text.replace("\r\n", "\n"), article.title or "", article.published or ""):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()[:32]


@dataclass(frozen=True, slots=True, eq=False)
class AnalysisRow:
    """Everything the per-article stages produced for one article."""

    article: Article
    clean: CleanArticle
    sentences: tuple[Sentence, ...]
    features: Features
