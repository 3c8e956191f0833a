"""Per-article stages in worker processes, for one machine's cores.

The per-article part of the pipeline (clean, segment, featurize, the document vector) is a
pure function of each article, so its chunks can run in any process in any grouping and give
the same bits (the embedder quantises per token: a vector does not depend on its batch).
``ArticleWorkers`` maps ``analyze_batch`` over chunks in forked processes, in order; the caller
(the one process that writes the store) gets the rows back. On Spark the same function runs per
partition.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from .config import Settings
from .records import Article
from .store.base import AnalysisRow

T = TypeVar("T")
CHUNK = 32  # articles a task: small enough to balance two workers, large enough to amortise pickling


def _init_worker() -> None:
    # Each worker is one core: one forward pass at a time (the embedder built after the fork).
    import os

    os.environ["COPYDESK_THREADS"] = "1"
    os.environ["TOKENIZERS_PARALLELISM"] = "false"


def _call(args: tuple[Callable[[Sequence[Article], Settings], list[T]], list[Article], Settings]) -> list[T]:
    fn, articles, settings = args
    return fn(articles, settings)


class Pending:
    """Rows being computed; :meth:`get` waits for them (once)."""

    def __init__(self, get: Callable[[], list[AnalysisRow]]) -> None:
        self._get = get

    def get(self) -> list[AnalysisRow]:
        return self._get()


class ArticleWorkers:
    """A pool of ``n`` forked processes running per-article stages; ``n == 1`` runs in-process.

    Use as a context manager; the pool starts on the first call that has enough work for it.
    """

    def __init__(self, n: int, settings: Settings) -> None:
        self.n = max(1, n)
        self.settings = settings
        self._pool: mp.pool.Pool | None = None

    def __enter__(self) -> ArticleWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def submit(self, articles: Sequence[Article]) -> Pending:
        """Start ``analyze_batch(articles)`` in chunks on the workers and return at once;
        ``.get()`` gives the rows in input order.

        The workers compute while the caller does other work (the store writes the previous
        batch). Without a pool the work is done in ``get``.
        """
        from .pipeline import analyze_batch

        if self.n == 1 or len(articles) < 2 * CHUNK:
            return Pending(lambda: analyze_batch(articles, self.settings))
        chunks = [list(articles[i : i + CHUNK]) for i in range(0, len(articles), CHUNK)]
        res = self._started().map_async(_call, [(analyze_batch, c, self.settings) for c in chunks])
        return Pending(lambda: [row for rows in res.get() for row in rows])

    def map(
        self, fn: Callable[[Sequence[Article], Settings], list[T]], groups: Sequence[Sequence[Article]]
    ) -> Iterator[list[T]]:
        """``fn(group, settings)`` for each group, in order (``fn`` a module-level function)."""
        if self.n == 1 or len(groups) < 2:
            for g in groups:
                yield fn(g, self.settings)
            return
        yield from self._started().imap(_call, [(fn, list(g), self.settings) for g in groups])

    def _started(self) -> mp.pool.Pool:
        if self._pool is None:
            self._pool = mp.get_context("fork").Pool(self.n, initializer=_init_worker)
        return self._pool
