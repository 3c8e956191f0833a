"""Worker processes for one machine's cores: scheduling only, no stage of its own.

The per-article part of the pipeline (clean, segment, featurize, the document vector) is a
pure function of each article, so its chunks can run in any process in any grouping and give
the same bits (the embedder quantises per token: a vector does not depend on its batch).
``ArticleWorkers`` maps ``analyze.analyze_batch`` over chunks in forked processes, in order; the
caller (the one process that writes the store) gets the rows back. On Spark the same function
runs per partition. ``fork_map`` runs any function over the caller's in-memory state in forked
processes; ``place_in_workers`` places components there with a ``ComponentPlacer``.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

from ..analyze import analyze_batch
from ..config import Settings
from ..records import AnalysisRow, Article

T = TypeVar("T")
CHUNK = 32  # articles a task: small enough to balance two workers, large enough to amortise pickling


def _init_worker() -> None:
    # Each worker is one core: one forward pass at a time (the embedder built after the fork).
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


# -- work on the writer's state, in forked processes ------------------------------------------

_STATE: Any = None  # what a forked task reads: set before the fork, inherited (never pickled)


def _start_worker(setup: Callable[[Any], Any] | None) -> None:
    global _STATE
    _init_worker()
    if setup is not None:
        _STATE = setup(_STATE)


def _fork_call(args: tuple[Callable[[Any, Any], T], Any]) -> T:
    fn, item = args
    return fn(_STATE, item)


def fork_map(
    fn: Callable[[Any, Any], T],
    items: Sequence[Any],
    state: Any,
    n: int,
    setup: Callable[[Any], Any] | None = None,
) -> Iterator[T]:
    """``fn(state, item)`` for each item in ``n`` forked processes, in order.

    ``state`` (the writer's in-memory data: features, caches, a placer) reaches the workers
    by the fork, not by pickling; only items and results cross the pipe. ``setup``, if given,
    runs once in each worker and its result is the state the worker's tasks get (a placer
    reading its own connection). ``fn`` and ``setup`` must be module-level functions and must
    not write the store.
    """
    global _STATE
    _STATE = state
    # Objects alive now go to the permanent generation: the workers' garbage collector then
    # leaves them alone instead of touching (and so copying) every inherited page.
    gc.freeze()
    try:
        with mp.get_context("fork").Pool(n, initializer=_start_worker, initargs=(setup,)) as pool:
            yield from pool.imap(_fork_call, [(fn, item) for item in items])
    finally:
        gc.unfreeze()
        _STATE = None


# -- placement ----------------------------------------------------------------------------------

PLACE_CHUNK = 32  # articles a placement task (whole components; most are single articles)


class ComponentPlacer(Protocol):
    """Places one component (sorted ids) reading a store, writing nothing."""

    def place(self, comp: list[str]) -> Any: ...

    def for_worker(self) -> ComponentPlacer:
        """The placer a forked worker uses: the same, reading through its own connection."""
        ...


def _worker_placer(placer: ComponentPlacer) -> ComponentPlacer:
    return placer.for_worker()


def _place_chunk(placer: ComponentPlacer, comps: list[list[str]]) -> list[Any]:
    return [placer.place(comp) for comp in comps]


def place_in_workers(placer: ComponentPlacer, comps: Sequence[list[str]], n: int) -> Iterator[Any]:
    """``placer.place(comp)`` for each component in ``n`` forked processes, in order.

    Placing a component reads the store and computes (story grouping, tracing, claims); the
    workers do that, each with its own read-only connection (``placer.for_worker``), while the
    calling process writes the results as they arrive: the store keeps one writer, and the
    written rows are the same as placing every component in the caller. (A worker inherits the
    writer's open lock file; it never unlocks it, and the writer's unlock releases it.)
    """
    chunks: list[list[list[str]]] = [[]]
    size = 0
    for comp in comps:
        if size >= PLACE_CHUNK:
            chunks.append([])
            size = 0
        chunks[-1].append(comp)
        size += len(comp)
    for placed in fork_map(_place_chunk, chunks, placer, n, _worker_placer):
        yield from placed
