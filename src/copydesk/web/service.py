"""The store behind the server: one writer thread, a small pool of reader connections.

Writes (ingest + place) run one at a time on a dedicated thread that owns the writer
connection; each write also holds the store's cross-process writer lock (a file lock for
SQLite, an advisory lock for PostgreSQL) for just that request, so several API workers or a
concurrent ``copydesk analyze`` never write at once and never see "database is locked".
Reads use their own connections inside a read transaction (a consistent snapshot: SQLite
WAL / PostgreSQL REPEATABLE READ) and run concurrently with the writer.
"""

from __future__ import annotations

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
from ..records import Article
from ..report import article_entry
from ..store import StoreError, open_store
from ..store.base import content_hash

T = TypeVar("T")
log = logging.getLogger("copydesk.web")


class ApiError(Exception):
    """An error answered as ``{"error": message}`` with ``status``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


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
        self._mat = np.zeros((0, 384), np.float32)
        self.reloads = 0

    def get(self, store: Any) -> tuple[list[str], np.ndarray]:
        if not self.ids:  # first fill: one bulk read of the vectors only
            ids, mat = store.all_doc_vectors()
            self.ids, self._mat = list(ids), np.array(mat, np.float32)
            return list(self.ids), self._mat[: len(self.ids)]
        ids = store.article_ids()
        n = len(self.ids)
        if len(ids) < n or (n and (ids[n - 1] != self.ids[-1] or ids[0] != self.ids[0])):
            self.ids, self._mat, n = [], np.zeros((0, 384), np.float32), 0  # the store changed under us
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


class _CachedVectors:
    """The writer's store, with ``all_doc_vectors`` answered from a ``DocVectorCache``."""

    def __init__(self, store: Any, cache: DocVectorCache) -> None:
        self._store = store
        self._cache = cache

    def all_doc_vectors(self) -> tuple[list[str], np.ndarray]:
        return self._cache.get(self._store)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@dataclass
class _IngestJob:
    articles: Sequence[Article]
    future: Future


class StoreService:
    def __init__(
        self,
        db: str,
        settings: Settings | None = None,
        readers: int = 4,
        lock_timeout: float = 60.0,
        max_batch: int = 64,
    ) -> None:
        self.db = db
        self.settings = settings or Settings()
        self.lock_timeout = lock_timeout
        self.max_batch = max_batch
        self.is_postgres = db.startswith(("postgresql://", "postgres://"))
        self._jobs: queue.Queue = queue.Queue()
        self._writer = threading.Thread(target=self._writer_loop, name="copydesk-writer", daemon=True)
        self._writer_store: Any = None
        self._readers: queue.LifoQueue = queue.LifoQueue()
        self._reader_slots = threading.BoundedSemaphore(readers)
        self._closed = False
        self.batches = 0  # write batches run (several requests may share one)
        self._vectors = DocVectorCache()

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        """Start the writer (opening its connection creates the schema); check a reader opens."""
        self._writer.start()
        self.submit_write(self._vectors.get).result()  # also fills the vector cache
        self.read(lambda store: store.count_articles())

    def close(self) -> None:
        self._closed = True
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

    def _close_writer(self, store: Any) -> None:
        if self._writer_store is not None:
            self._writer_store.close()
            self._writer_store = None

    # -- writes: one thread, group commit -------------------------------------------------

    def submit_write(self, fn: Callable[[Any], T]) -> Future[T]:
        """Run ``fn(store)`` on the writer thread, holding the store's writer lock."""
        fut: Future = Future()
        self._jobs.put((fn, fut))
        return fut

    def ingest(self, articles: Sequence[Article]) -> IngestResult:
        """Store and place ``articles``; the answer for each. Blocks until the writer has done it.

        Requests that queue up while the writer is busy are ingested and placed together (one
        batch, one placement pass: group commit), each still answered on its own."""
        fut: Future = Future()
        self._jobs.put(_IngestJob(articles, fut))
        return fut.result()

    async def ingest_async(self, articles: Sequence[Article]) -> IngestResult:
        """``ingest`` for the event loop: waits without holding a worker thread. A request that goes
        away before the writer reaches it is dropped; once started, its batch completes."""
        import asyncio

        fut: Future = Future()
        self._jobs.put(_IngestJob(articles, fut))
        return await asyncio.wrap_future(fut)

    def _writer_loop(self) -> None:
        held: list = []
        while True:
            job = held.pop(0) if held else self._jobs.get()
            if job is None:
                return
            if not isinstance(job, _IngestJob):
                fn, fut = job
                self._settle(fut, functools.partial(self._with_store, fn))
                continue
            if not job.future.set_running_or_notify_cancel():
                continue  # the client went away before its turn
            batch, n = [job], len(job.articles)
            while n < self.max_batch:
                try:
                    nxt = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if not isinstance(nxt, _IngestJob):
                    held.append(nxt)  # runs right after this batch
                    break
                if nxt.future.set_running_or_notify_cancel():
                    batch.append(nxt)
                    n += len(nxt.articles)
            try:
                self._run_ingest(batch)
            except BaseException as e:  # the writer thread must outlive any one batch
                log.exception("write batch failed")
                for j in batch:
                    if not j.future.done():
                        j.future.set_exception(e)

    @staticmethod
    def _settle(fut: Future, fn: Callable[[], Any]) -> None:
        if not fut.set_running_or_notify_cancel():
            return
        try:
            fut.set_result(fn())
        except BaseException as e:  # handed to the waiting request
            fut.set_exception(e)

    def _with_store(self, fn: Callable[[Any], T]) -> T:
        if self._writer_store is None:
            self._writer_store = open_store(self.db)
        store = self._writer_store
        try:
            with store.writer_lock(self.lock_timeout):
                return fn(store)
        except BaseException:
            try:
                store.conn.rollback()
            except Exception:
                # A broken connection: drop it, the next write opens a new one.
                try:
                    store.close()
                except Exception:
                    pass
                self._writer_store = None
            raise

    def _run_ingest(self, batch: list[_IngestJob]) -> None:
        self.batches += 1
        try:
            answers = self._with_store(functools.partial(self._ingest_jobs, batch=batch))
        except Exception as e:
            if len(batch) == 1 or isinstance(e, StoreError):
                for job in batch:
                    job.future.set_exception(e)
                return
            # One bad request must not fail the others: retry them one by one.
            for job in batch:
                self._run_ingest([job])
            return
        for job, ans in zip(batch, answers, strict=True):
            if isinstance(ans, BaseException):
                job.future.set_exception(ans)
            else:
                job.future.set_result(ans)

    def _ingest_jobs(self, store: Any, batch: list[_IngestJob]) -> list:
        """Ingest and place the articles of several requests at once; an answer (or error) for each."""
        from ..pipeline import Pipeline

        all_ids = list(dict.fromkeys(a.id for job in batch for a in job.articles))
        stored = store.stored_hashes(all_ids)
        claimed: dict[str, str] = {}  # id -> hash, by the requests earlier in this batch
        accepted: list[tuple[_IngestJob, set[str]]] = []
        answers: list = [None] * len(batch)
        todo: list[Article] = []
        for k, job in enumerate(batch):
            hashes = {a.id: content_hash(a) for a in job.articles}
            clash = [i for i, h in hashes.items() if stored.get(i, claimed.get(i, h)) != h]
            if clash:
                answers[k] = ApiError(
                    409,
                    f"article id {clash[0]!r} is already stored with a different text; "
                    "give the new version its own id"
                    + (f" ({len(clash)} such ids)" if len(clash) > 1 else ""),
                )
                continue
            new = {i for i in hashes if i not in stored and i not in claimed}
            for a in job.articles:
                if a.id in new:
                    todo.append(a)
            claimed.update(hashes)
            accepted.append((job, new))
        if todo:
            pipe = Pipeline(_CachedVectors(store, self._vectors), self.settings)
            stats = pipe.ingest(todo)
            if stats.rejected:  # a writer outside this lock slipped in: should not happen
                raise StoreError(stats.rejected[0])
            pipe.place()
        for k, job in enumerate(batch):
            if answers[k] is not None:
                continue
            new = next(n for j, n in accepted if j is job)
            results = article_results(store, [a.id for a in job.articles])
            for r in results:
                r["stored"] = "new" if r["id"] in new else "existing"
            answers[k] = IngestResult(results, len(new), len(results) - len(new))
        store.conn.rollback()  # end the read transaction the answers opened (PostgreSQL)
        return answers

    # -- reads --------------------------------------------------------------------------

    def read(self, fn: Callable[[Any], T]) -> T:
        """Run ``fn(store)`` on a reader connection inside one read transaction."""
        if self._closed:
            raise ApiError(503, "server is shutting down")
        with self._reader_slots:
            try:
                store = self._readers.get_nowait()
            except queue.Empty:
                store = self._open_reader()
            ok = False
            try:
                self._begin_read(store)
                out = fn(store)
                ok = True
                return out
            finally:
                try:
                    store.conn.rollback()
                except Exception:
                    ok = False
                if ok:
                    self._readers.put(store)
                else:
                    try:
                        store.close()
                    except Exception:
                        pass

    def _open_reader(self) -> Any:
        store = open_store(self.db)
        if self.is_postgres:
            from psycopg import IsolationLevel

            store.conn.rollback()
            store.conn.isolation_level = IsolationLevel.REPEATABLE_READ
        return store

    def _begin_read(self, store: Any) -> None:
        if not self.is_postgres:
            store.conn.execute("BEGIN")  # deferred: a snapshot for the request, no write lock


# -- queries shared by the API and the pages ---------------------------------------------------


def article_results(store: Any, ids: Sequence[str]) -> list[dict]:
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
                "flagged": [c for c in d.get("claims") or [] if c.get("status") != "supported"],
                "counts": d.get("counts") or {},
            }
        )
    return out


def list_stories(store: Any, offset: int, limit: int) -> tuple[list[dict], int]:
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


def story_report(store: Any, story_id: str) -> dict | None:
    """The report object (as ``build_report``) restricted to one story, read by its id."""
    s = store.story(story_id)
    if s is None:
        return None
    ids = sorted(s["articles"])
    rows = store.load_analyses(ids)
    placements = store.placements(ids)
    details = store.details(ids)
    arts = []
    for aid in ids:
        if aid not in rows or aid not in placements:
            continue
        r = rows[aid]
        arts.append(
            article_entry(
                aid,
                r.clean.title,
                placements[aid],
                [[a.kind, a.start, a.end, a.text] for a in r.clean.artifacts],
                json.loads(details.get(aid) or "{}"),
            )
        )
    return {"articles": arts, "stories": [s]}


def article_detail(store: Any, aid: str) -> dict | None:
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
    from ..store import StoreLocked

    if isinstance(e, StoreLocked):
        return ApiError(503, str(e), {"Retry-After": "5"})
    return ApiError(503, f"store unavailable: {e}")
