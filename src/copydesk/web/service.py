"""The store behind the server: one writer thread, a small pool of reader connections.

Writes (ingest + place) run one at a time on a dedicated thread that owns the writer
connection; each write also holds the store's cross-process writer lock (a file lock for
SQLite, an advisory lock for PostgreSQL) for just that request, so several API workers or a
concurrent ``copydesk analyze`` never write at once and never see "database is locked".
Reads use their own connections inside a read transaction (a consistent snapshot: SQLite
WAL / PostgreSQL REPEATABLE READ) and run concurrently with the writer.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from ..config import Settings
from ..featurize.embed import DIM
from ..records import AnalysisRow, Article, content_hash
from ..report import article_entry, build_report
from ..store import Store, StoreError, StoreLocked, StoreView, open_store
from .errors import ApiError

T = TypeVar("T")
log = logging.getLogger("copydesk.web")


@dataclass(frozen=True)
class IngestResult:
    results: list[dict]
    added: int
    existing: int


class DocVectorCache:
    """Every stored document vector, held in memory by the writer and topped up with the rows
    stored since the last call, so placing one article does not re-read the whole store.

    ``Store.all_doc_vectors`` reads every vector on each placement (3-4 s at 100,000 articles);
    here only the id list is re-read (an index scan, ~70 ms at 100,000) and the vectors of new
    ids are loaded. Articles are never updated in place, and ``article_ids`` is in storage order,
    so the cached ids are a prefix of the current ones; anything else triggers a full reload.
    """

    def __init__(self) -> None:
        self.ids: list[str] = []
        self._mat = np.zeros((0, DIM), np.float32)
        self.reloads = 0
        self._lock = threading.Lock()

    def snapshot(self) -> tuple[list[str], np.ndarray]:
        """The ids and vectors as of the last ``get`` (for a planner on another thread: rows are
        only ever appended, or the arrays replaced, so the returned view stays valid)."""
        with self._lock:
            return list(self.ids), self._mat[: len(self.ids)]

    def get(self, store: Store) -> tuple[list[str], np.ndarray]:
        with self._lock:
            return self._get(store)

    def _get(self, store: Store) -> tuple[list[str], np.ndarray]:
        if not self.ids:  # first fill: one bulk read of the vectors only
            ids, mat = store.all_doc_vectors()
            self.ids, self._mat = list(ids), np.array(mat, np.float32)
            return list(self.ids), self._mat[: len(self.ids)]
        ids = store.article_ids()
        n = len(self.ids)
        if len(ids) < n or (n and (ids[n - 1] != self.ids[-1] or ids[0] != self.ids[0])):
            self.ids, self._mat, n = [], np.zeros((0, DIM), np.float32), 0  # the store changed under us
            self.reloads += 1
        new = ids[n:]
        if new:
            feats = store.load_features(new)
            vecs = np.vstack([np.asarray(feats[i].doc_vector, np.float32) for i in new])
            if self._mat.shape[1] != vecs.shape[1]:
                self._mat = np.zeros((0, vecs.shape[1]), np.float32)
            if n + len(new) > len(self._mat):  # grow by doubling: appends stay cheap
                grown = np.zeros((max(2 * len(self._mat), n + len(new), 1024), vecs.shape[1]), np.float32)
                grown[:n] = self._mat[:n]
                self._mat = grown
            self._mat[n : n + len(new)] = vecs
            self.ids = self.ids + new if n else list(new)
        return list(self.ids), self._mat[: len(self.ids)]


class _CachedVectors(StoreView):
    """The writer's store, with ``all_doc_vectors`` answered from a ``DocVectorCache``."""

    def __init__(self, store: Store, cache: DocVectorCache) -> None:
        super().__init__(store)
        self._cache = cache

    def all_doc_vectors(self) -> tuple[list[str], np.ndarray]:
        return self._cache.get(self.inner)


class StoreService:
    """The server's store: one writer thread for short write steps, readers for everything else.

    ``POST /articles`` runs in four steps, and only the second and fourth hold the writer:

    1. analysis (clean, segment, featurize) of the articles not stored yet, in the request's
       thread; the request's sentence budget is checked here;
    2. store: the ids and content hashes are checked against the store (409 for an id stored
       with another text) and the new rows written, in one transaction;
    3. plan: candidates, pair scores, sentence vectors, story tracing and claims for the
       request's unplaced articles, computed in the request's thread on a read snapshot
       (``Pipeline.plan_placement``): the costly part, which used to hold the writer;
    4. apply: the plan is written if the store still matches it, else planned again (another
       request placed into the same stories meanwhile); after ``PLAN_TRIES`` the writer places
       them itself.

    So a big request delays other clients' writes only by its store and apply steps; while it
    plans, their requests are stored, planned and applied beside it. At most one request over
    ``budget.heavy_sentences`` plans (or verifies) at a time, so a second big one waits rather
    than halving the CPU left for small ones. Articles stored but never placed (a crash
    between steps 2 and 4) are placed by any request that names them and, on start-up, by a
    background pass (``PLACE_CHUNK`` ids a step, so requests interleave).
    """

    PLAN_TRIES = 3
    PLACE_CHUNK = 32

    def __init__(
        self,
        db: str,
        settings: Settings | None = None,
        readers: int = 4,
        lock_timeout: float = 60.0,
        budget: Any = None,
    ) -> None:
        from .budget import DEFAULT_BUDGET

        self.db = db
        self.settings = settings or Settings()
        self.budget = budget or DEFAULT_BUDGET
        self.lock_timeout = lock_timeout
        self.is_postgres = db.startswith(("postgresql://", "postgres://"))
        self._jobs: queue.Queue = queue.Queue()
        self._writer = threading.Thread(target=self._writer_loop, name="copydesk-writer", daemon=True)
        self._writer_store: Store | None = None
        self._readers: queue.LifoQueue[Store] = queue.LifoQueue()
        self._reader_slots = threading.BoundedSemaphore(readers)
        self._closed = False
        self.batches = 0  # write steps run
        self._vectors = DocVectorCache()
        self.heavy = threading.Semaphore(1)  # one big analysis/plan/verify at a time
        self._backlog: threading.Thread | None = None
        self.backlog_placed = 0  # articles placed by the start-up pass

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        """Start the writer (opening its connection creates the schema); check a reader opens;
        start placing any stored-but-unplaced articles in the background."""
        self._writer.start()
        self.submit_write(self._vectors.get).result()  # also fills the vector cache
        unplaced = self.read(lambda store: store.unplaced_ids())
        if unplaced:
            log.info("%s stored articles are not placed in a story yet: placing them", f"{len(unplaced):,}")
            self._backlog = threading.Thread(
                target=self._place_backlog, name="copydesk-backlog", daemon=True
            )
            self._backlog.start()

    def close(self) -> None:
        self._closed = True
        if self._backlog is not None:
            self._backlog.join(timeout=60)
        if self._writer.is_alive():
            try:
                self.submit_write(self._close_writer).result(timeout=60)
            except Exception:  # pragma: no cover - closing on shutdown is best effort
                pass
            self._jobs.put(None)
            self._writer.join(timeout=30)
        while True:
            try:
                self._readers.get_nowait().close()
            except queue.Empty:
                break
            except Exception:  # pragma: no cover
                pass

    def _close_writer(self, store: Store) -> None:
        if self._writer_store is not None:
            self._writer_store.close()
            self._writer_store = None

    def _place_backlog(self) -> None:
        """Place what a crash left unplaced, a chunk a step, until none is left or the server stops."""
        try:
            while not self._closed:
                ids = self.read(lambda store: store.unplaced_ids()[: self.PLACE_CHUNK])
                if not ids:
                    break
                self.place(ids)
                self.backlog_placed += len(ids)
            log.info("placed %s articles left unplaced", f"{self.backlog_placed:,}")
        except Exception:  # the next request naming them, or the next start, places them
            if not self._closed:
                log.exception("placing the unplaced articles failed")

    # -- writes: one thread, short steps ---------------------------------------------------

    def submit_write(self, fn: Callable[[Store], T]) -> Future[T]:
        """Run ``fn(store)`` on the writer thread, holding the store's writer lock."""
        fut: Future = Future()
        self._jobs.put((fn, fut))
        return fut

    def ingest(self, articles: Sequence[Article]) -> IngestResult:
        """Store and place ``articles``; the answer for each (the four steps above, in this thread)."""
        rows = self.analyse(articles)
        new = self.submit_write(functools.partial(self._store_rows, articles=articles, rows=rows)).result()
        return self.place_and_answer(articles, new)

    async def ingest_async(self, articles: Sequence[Article]) -> IngestResult:
        """``ingest`` for the event loop: the steps run in worker threads, the writer's steps are
        awaited without holding one. A request that goes away before the writer reaches its
        store step is dropped; once stored, its articles are placed."""
        import asyncio

        from fastapi.concurrency import run_in_threadpool

        rows = await run_in_threadpool(self.analyse, articles)
        fut = self.submit_write(functools.partial(self._store_rows, articles=articles, rows=rows))
        new = await asyncio.wrap_future(fut)
        return await run_in_threadpool(self.place_and_answer, articles, new)

    def analyse(self, articles: Sequence[Article]) -> list[AnalysisRow]:
        """Analysis of the articles not stored yet (step 1); 413 over the sentence budget."""
        from ..analyze import analyze_batch

        stored = self.read(lambda store: store.stored_hashes([a.id for a in articles]))
        todo = [a for a in articles if a.id not in stored]
        if not todo:
            return []
        with self.heavy if self.is_heavy(todo) else contextlib.nullcontext():
            rows = analyze_batch(todo, self.settings)
        self.budget.check_sentences(sum(len(r.sentences) for r in rows))
        return rows

    def is_heavy(self, articles: Sequence[Article]) -> bool:
        """Big enough to go through the heavy lane: about ``budget.heavy_sentences`` sentences
        (60 characters a sentence, known before segmenting)."""
        return sum(len(a.text) for a in articles) > 60 * self.budget.heavy_sentences

    def _store_rows(self, store: Store, articles: Sequence[Article], rows: Sequence[AnalysisRow]) -> set[str]:
        """Step 2, on the writer: 409 for an id stored with another text, else store the new rows;
        the ids this request added."""
        from ..runners.incremental import Pipeline

        self.batches += 1
        hashes = {a.id: content_hash(a) for a in articles}
        stored = store.stored_hashes(list(hashes))
        clash = [i for i, h in hashes.items() if stored.get(i, h) != h]
        if clash:
            raise ApiError(
                409,
                f"article id {clash[0]!r} is already stored with a different text; give the new version its own id"
                + (f" ({len(clash)} such ids)" if len(clash) > 1 else ""),
            )
        new = [r for r in rows if r.article.id not in stored]
        missing = [a for a in articles if a.id not in stored and a.id not in {r.article.id for r in new}]
        if missing:  # stored when analysis began, not now: cannot happen (articles are never deleted)
            raise StoreError(f"article {missing[0].id!r} vanished from the store")
        if new:
            pipe = Pipeline(store, self.settings)
            pipe.check_features_version()
            pipe.store_rows(new)
            self._vectors.get(store)  # the new vectors, for the plans that follow
        return {r.article.id for r in new}

    def place(self, ids: Sequence[str], heavy: bool = True) -> None:
        """Place the unplaced articles of ``ids``: plan on a reader, apply on the writer (steps 3-4).
        ``heavy``: plan in the one heavy lane (big requests, the start-up pass)."""
        from ..runners.incremental import Pipeline, PlanningStore

        for _ in range(self.PLAN_TRIES):
            vectors = self._vectors.snapshot()  # before the read snapshot: all of these are in it

            def plan(store: Store, vectors: Any = vectors) -> Any:
                return Pipeline(PlanningStore(store, vectors), self.settings).plan_placement(ids)

            unplaced = self.read(lambda store: Pipeline(store, self.settings).unplaced_of(ids))
            if not unplaced:
                return
            with self.heavy if heavy else contextlib.nullcontext():
                p = self.read(plan)
            def apply(store: Store, p: Any = p) -> bool:
                return Pipeline(_CachedVectors(store, self._vectors), self.settings).apply_placement(p)

            if self.submit_write(apply).result():
                return
            log.info("placement of %s articles raced another write: planning again", len(p.new))
        self.submit_write(
            lambda store: Pipeline(_CachedVectors(store, self._vectors), self.settings).place(only=ids)
        ).result()

    def place_and_answer(self, articles: Sequence[Article], new: set[str]) -> IngestResult:
        ids = [a.id for a in articles]
        self.place(ids, heavy=self.is_heavy(articles))
        results = self.read(lambda store: article_results(store, ids))
        for r in results:
            r["stored"] = "new" if r["id"] in new else "existing"
        return IngestResult(results, len(new), len(results) - len(new))

    def _writer_loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fn, fut = job
            self._settle(fut, functools.partial(self._with_store, fn))

    @staticmethod
    def _settle(fut: Future, fn: Callable[[], Any]) -> None:
        if not fut.set_running_or_notify_cancel():
            return
        try:
            fut.set_result(fn())
        except BaseException as e:  # handed to the waiting request
            fut.set_exception(e)

    def _with_store(self, fn: Callable[[Store], T]) -> T:
        if self._writer_store is None:
            self._writer_store = open_store(self.db)
        store = self._writer_store
        try:
            with store.writer_lock(self.lock_timeout):
                out = fn(store)
            store.rollback()  # end any read transaction the step opened (PostgreSQL)
            return out
        except BaseException:
            try:
                store.rollback()
            except Exception:
                # A broken connection: drop it, the next write opens a new one.
                try:
                    store.close()
                except Exception:
                    pass
                self._writer_store = None
            raise

    # -- reads --------------------------------------------------------------------------

    def read(self, fn: Callable[[Store], T]) -> T:
        """Run ``fn(store)`` on a reader connection inside one read snapshot (``Store.read_snapshot``).

        A connection goes back to the pool only when ``fn`` and the end of its snapshot both
        succeeded; when only ending the snapshot failed, ``fn``'s answer still stands."""
        if self._closed:
            raise ApiError(503, "server is shutting down")
        with self._reader_slots:
            try:
                store = self._readers.get_nowait()
            except queue.Empty:
                store = open_store(self.db)
            done = healthy = False
            try:
                with store.read_snapshot():
                    out = fn(store)
                    done = True
                healthy = True
            except Exception:
                if not done:
                    raise
            finally:
                if healthy:
                    self._readers.put(store)
                else:
                    with contextlib.suppress(Exception):
                        store.close()
            return out


# -- queries shared by the API and the pages ---------------------------------------------------


def article_results(store: Store, ids: Sequence[str]) -> list[dict]:
    """What ``POST /articles`` answers for each article: where it went and what it changed."""
    placements = store.placements(list(ids))
    details = store.details(list(ids))
    stories: dict[str, dict | None] = {}
    out = []
    for aid in dict.fromkeys(ids):
        p = placements.get(aid)
        d = json.loads(details.get(aid) or "{}")
        story = None
        if p is not None:
            if p["story"] not in stories:
                stories[p["story"]] = store.story(p["story"])
            story = stories[p["story"]]
        out.append(
            {
                "id": aid,
                "story": p["story"] if p else None,
                "story_size": len(story["articles"]) if story else None,
                "family": p["family"] if p else None,
                "relation": p["relation"] if p else None,
                "source": p["source"] if p else None,
                "score": p["score"] if p else None,
                "flagged": [
                    c for c in d.get("claims") or [] if c.get("status") in ("unsupported", "contradicted")
                ],
                "counts": d.get("counts") or {},
            }
        )
    return out


def list_stories(store: Store, offset: int, limit: int) -> tuple[list[dict], int]:
    """A page of stories, largest first (then by id), and the total: sizes come from the placements
    table, so only the payloads of the page are read (not every story's, as ``stories()`` does)."""
    sizes: dict[str, int] = {}
    for p in store.placements().values():
        sizes[p["story"]] = sizes.get(p["story"], 0) + 1
    order = sorted(sizes, key=lambda sid: (-sizes[sid], sid))
    page = [s for s in (store.story(sid) for sid in order[offset : offset + limit]) if s is not None]
    return page, len(order)


def story_summary(s: dict) -> dict:
    return {
        "id": s["id"],
        "title": s.get("title"),
        "size": len(s.get("articles") or []),
        "reference": s.get("reference"),
        "articles": s.get("articles") or [],
        "families": len(s.get("families") or []),
        "common_source_missing": bool(s.get("common_source_missing")),
    }


class _OneStory(StoreView):
    """A store whose stories are one story: ``build_report`` over it is the report of that story,
    reading that story's payload only (``Store.stories`` reads every story's)."""

    def __init__(self, store: Store, story: dict) -> None:
        super().__init__(store)
        self._story = story

    def stories(self) -> list[dict]:
        return [self._story]


def story_report(store: Store, story_id: str) -> dict | None:
    """The report object (``report.build_report``) restricted to one story, read by its id."""
    s = store.story(story_id)
    if s is None:
        return None
    return build_report(_OneStory(store, s))


def article_detail(store: Store, aid: str) -> dict | None:
    rows = store.load_analyses([aid])
    if aid not in rows:
        return None
    r = rows[aid]
    p = store.placements([aid]).get(aid) or {
        "story": None,
        "family": None,
        "relation": None,
        "source": None,
        "score": None,
    }
    d = json.loads(store.details([aid]).get(aid) or "{}")
    entry = article_entry(
        aid, r.clean.title, p, [[a.kind, a.start, a.end, a.text] for a in r.clean.artifacts], d
    )
    a = r.article
    entry.update(
        {
            "text": a.text,
            "site": a.site,
            "url": a.url,
            "published": a.published,
            "placed": p["story"] is not None,
        }
    )
    return entry


def store_error_status(e: StoreError) -> ApiError:
    if isinstance(e, StoreLocked):
        return ApiError(503, str(e), {"Retry-After": "5"})
    return ApiError(503, f"store unavailable: {e}")
