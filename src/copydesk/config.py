"""One settings object for the whole pipeline, validated when it is made.

Every knob a user can set lives here with its default; a bad value raises ``ValueError`` naming
the field (``Settings(lsh_bands=0)`` -> "lsh_bands must be at least 1, got 0"). The thresholds
fitted on development data are not settings: they ship in ``copydesk/data/relation_model.json``
(written by ``scripts/fit_relation_model.py``) and are read by ``score.default_model()``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Limits:
    """Input limits; anything over them is rejected with a one-line error, never truncated silently.

    Every limit is a positive integer (``Limits(max_file_bytes=0)`` raises ``ValueError``), and
    each applies to one input, so one oversized file or line costs that input only:

    - ``max_file_bytes`` (20 MiB): size of one .txt/.html file on disk, checked before it is
      read. JSONL and WARC files are streamed and have no size limit of their own; their lines
      and records do.
    - ``max_article_chars`` (1,000,000): one article's text after decoding (and, for HTML,
      after extraction). A file inside ``max_file_bytes`` can still be over it: a 5 MB text on
      a single line is *rejected* ("text too large"), not cut, since an article that long is
      not news and every later stage is linear in it. ``copydesk analyze --max-article-chars``
      raises it; a long accepted line is segmented in pieces of at most 2,000 characters.
    - ``max_jsonl_line_bytes`` (2 MiB): one JSONL line; a longer line is skipped and reported
      with its line number, the lines after it are read.
    - ``max_warc_record_bytes`` (10 MiB): one WARC response body.
    - ``max_html_depth`` (256): tag nesting of one HTML page, measured by a linear scan before
      any parser sees it. 256 is what libxml2 (under trafilatura) parses; deeper content would
      be dropped silently, so a deeper page is rejected with a clear line instead.
    - ``max_articles_per_request`` (1,000) and ``max_request_bytes`` (10 MiB): one HTTP API
      call (answered 413 when over).
    """

    max_file_bytes: int = 20 * 1024 * 1024  # one .txt/.html file
    max_article_chars: int = 1_000_000  # one article's text after decoding
    max_jsonl_line_bytes: int = 2 * 1024 * 1024
    max_warc_record_bytes: int = 10 * 1024 * 1024
    max_html_depth: int = 256  # libxml2's own limit: deeper pages would lose text silently
    max_articles_per_request: int = 1_000  # HTTP API batch size
    max_request_bytes: int = 10 * 1024 * 1024  # HTTP API body size

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, bool) or not isinstance(v, int):
                raise ValueError(f"limit {f.name} must be an integer, got {type(v).__name__}")
            if v <= 0:
                raise ValueError(f"limit {f.name} must be positive")


@dataclass(frozen=True, slots=True)
class Settings:
    # featurize
    shingle_size: int = 5
    num_perm: int = 128
    lsh_bands: int = 32  # 32 bands x 4 rows: collision prob 0.5 at Jaccard ~0.42
    minhash_seed: int = 1
    doc_max_tokens: int = 128  # tokens of title + lead embedded as the document vector
    sentence_max_tokens: int = 64
    max_terms: int = 300  # strongest static-IDF terms kept per article
    # candidates
    vector_min_cosine: float = 0.55  # radius of the semantic candidate search
    vector_max_neighbours: int = 30  # bound per article: keeps candidate generation linear
    # ... and each article's nearest few at any cosine (0: off). A rewrite that restyles its lead (an
    # LLM's "open-ended" article) can sit below the radius while its source is among its three nearest
    # texts. Pairs below the radius that share no name and no figure are kept apart by
    # ``score.CONFLICT_MAX_COS`` (docs/measurements.md, session 23)
    vector_min_neighbours: int = 3
    entity_min_rarity: float = 3.0  # 7 - zipf of an entity's rarest word
    entity_max_postings: int = 200
    # ... and a pair through them must share at least this many (one shared name is mostly noise:
    # at 10k articles it gave 979k candidates, 98 % of them unrelated; see bench/README.md)
    entity_min_shared: int = 2
    # cluster
    max_exact_component: int = 400  # components larger than this cluster on candidate edges only
    threads: int = 0  # 0 = all cores
    # claims
    claims: bool = True
    limits: Limits = Limits()

    def __post_init__(self) -> None:
        for name, (lo, hi) in _RANGES.items():
            _check_number(name, getattr(self, name), lo, hi)
        if not isinstance(self.claims, bool):
            raise ValueError(f"claims must be true or false, got {self.claims!r}")
        if not isinstance(self.limits, Limits):
            raise ValueError(f"limits must be a Limits, got {type(self.limits).__name__}")
        if self.num_perm % self.lsh_bands:
            raise ValueError(f"num_perm ({self.num_perm}) must be a multiple of lsh_bands ({self.lsh_bands})")

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @property
    def n_threads(self) -> int:
        return self.threads or int(os.environ.get("COPYDESK_THREADS", 0)) or (os.cpu_count() or 1)



# Allowed range of every numeric setting, inclusive; None = unbounded. Integers must be ints.
_RANGES: dict[str, tuple[float | None, float | None]] = {
    "shingle_size": (1, 16),
    "num_perm": (1, 4096),
    "lsh_bands": (1, 4096),
    "minhash_seed": (0, 2**32 - 1),
    "doc_max_tokens": (8, 512),  # the encoder's position table has 512 entries
    "sentence_max_tokens": (8, 512),
    "max_terms": (1, None),
    "vector_min_cosine": (0.0, 1.0),
    "vector_max_neighbours": (1, None),
    "vector_min_neighbours": (0, None),
    "entity_min_rarity": (0.0, None),
    "entity_max_postings": (1, None),
    "entity_min_shared": (1, None),
    "max_exact_component": (2, None),
    "threads": (0, 1024),
}


def _check_number(name: str, value: Any, lo: float | None, hi: float | None) -> None:
    default = next(f.default for f in fields(Settings) if f.name == name)
    want_int = isinstance(default, int)
    if isinstance(value, bool) or not isinstance(value, int if want_int else (int, float)):
        kind = "an integer" if want_int else "a number"
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    if value != value:  # NaN
        raise ValueError(f"{name} must be a number, got nan")
    if lo is not None and value < lo:
        raise ValueError(f"{name} must be at least {lo}, got {value}")
    if hi is not None and value > hi:
        raise ValueError(f"{name} must be at most {hi}, got {value}")
