"""The work one HTTP request may cause: a budget of characters and sentences, well below the CLI's limits.

Placing articles that join one story costs about the square of the story's sentences (every
article's claims are checked against the other articles' sentences), whatever the characters:
two near-copies of 50,000 characters (470 sentences each) took 3.8 s of CPU to place, a
100,000-character text of short number-laden sentences (3,167) joining its copy 97 s. So the
budget counts sentences, after segmentation, as well as characters, before any analysis:

- ``POST /articles``: at most ``articles_chars`` characters of text and titles in one request,
  at most ``article_chars`` in one article, and at most ``articles_sentences`` sentences in
  the articles the request adds (ids already stored cost nothing);
- ``POST /verify``: at most ``verify_chars`` characters and ``verify_sentences`` sentences in
  the sources and the rewrite together.

Beyond it the answer is 413 with the budget in the message, and nothing is stored. The CLI
(``copydesk analyze``, ``verify``) keeps ``Limits.max_article_chars`` (1,000,000 a text).

Measured at the budget (through ``StoreService.ingest``, empty store, 2 cores shared with other
jobs at load 13): four near-copies, 212,000 characters, 1,986 sentences: 9.0 s CPU (46 s wall);
two number-laden near-copies, 64,000 characters, 1,994 sentences: 11.6 s CPU (51 s wall); peak
RSS of the process 322-375 MB; ``/verify`` of four sources and a rewrite, 100,000 characters, 938 sentences:
3.0 s CPU. A story that keeps growing across requests costs more per request (the whole
story is traced again when an article joins it): the request joining it pays, while other
clients' requests are stored and placed beside it.

The server also runs the costly part of placement outside its one writer (see
``StoreService``), so a request inside the budget delays other clients' writes by its short
store and write steps only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..records import Article
from .errors import ApiError


@dataclass(frozen=True, slots=True)
class RequestBudget:
    article_chars: int = 100_000  # one article's text (the CLI takes 1,000,000)
    articles_chars: int = 250_000  # texts and titles of one POST /articles
    articles_sentences: int = 2_000  # sentences of the new articles of one POST /articles
    verify_chars: int = 100_000  # sources and rewrite of one POST /verify
    verify_sentences: int = 1_000
    heavy_sentences: int = 200  # above this, a request's analysis waits for the one heavy lane

    def check_articles(self, articles: Sequence[Article]) -> None:
        """413 when the request's characters are over the budget (before any analysis)."""
        for a in articles:
            if len(a.text) > self.article_chars:
                raise ApiError(
                    413,
                    f"article {a.id!r}: text too large for one HTTP request ({len(a.text):,} characters > "
                    f"budget {self.article_chars:,}); the command line (copydesk analyze) takes longer texts",
                )
        total = sum(len(a.text) + len(a.title or "") for a in articles)
        if total > self.articles_chars:
            raise ApiError(
                413,
                f"request too large: {total:,} characters of text > budget {self.articles_chars:,} a request; "
                "split the batch",
            )

    def check_sentences(self, n: int) -> None:
        if n > self.articles_sentences:
            raise ApiError(
                413,
                f"request too large: its new articles have {n:,} sentences > budget "
                f"{self.articles_sentences:,} a request; split the batch",
            )

    def check_verify(self, sources: Sequence[str], rewrite: str) -> None:
        total = sum(map(len, sources)) + len(rewrite)
        if total > self.verify_chars:
            raise ApiError(
                413,
                f"verify request too large: {total:,} characters in sources and rewrite > budget "
                f"{self.verify_chars:,}; the command line (copydesk verify) takes longer texts",
            )

    def check_verify_sentences(self, n: int) -> None:
        if n > self.verify_sentences:
            raise ApiError(
                413,
                f"verify request too large: {n:,} sentences in sources and rewrite > budget "
                f"{self.verify_sentences:,}; the command line (copydesk verify) takes longer texts",
            )


DEFAULT_BUDGET = RequestBudget()
