"""One SQL store for SQLite and PostgreSQL (a portable subset; dialect differences named here).

Writes are batched transactions: an article, its analysis, its bands, its entity
postings and its terms' document frequencies commit together or not at all; placements (stories) commit in one transaction
per re-clustering. Every query is parameterised.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from ..records import AnalysisRow, Article, Features, Pair, Placement, Story, TermStats, content_hash
from .base import SCHEMA_VERSION, StoreError, StoreLocked
from .codec import (
    analysis_from_json,
    analysis_to_json,
    doc_vectors_from_blobs,
    features_from_row,
    features_to_row,
    pair_from_columns,
    pair_to_json,
    sentence_vectors_from_row,
    sentence_vectors_to_row,
    story_from_json,
    story_to_json,
)
from .postgres import connect_postgres
from .sqlite import check_store_path, connect_sqlite

_CHUNK = 500  # ids per IN (...) query
_OUR_TABLES = frozenset(
    "meta articles features bands entity_postings sentence_vectors pairs stories placements story_alias "
    "term_df".split()
)


def _is_db_error(e: BaseException) -> bool:
    """An error of the database driver (sqlite3 or psycopg), as opposed to a bug."""
    import sqlite3

    if isinstance(e, sqlite3.Error):
        return True
    return type(e).__module__.split(".")[0] == "psycopg" and isinstance(e, Exception)


def _schema(dialect: str) -> list[str]:
    blob = "BYTEA" if dialect == "postgres" else "BLOB"
    no_rowid = "" if dialect == "postgres" else " WITHOUT ROWID"
    return [
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        f"""CREATE TABLE IF NOT EXISTS articles (
            id TEXT PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL, text TEXT NOT NULL,
            title TEXT, site TEXT, url TEXT, published TEXT, source_path TEXT,
            analysis TEXT NOT NULL, placed INTEGER NOT NULL DEFAULT 0){no_rowid}""",
        "CREATE INDEX IF NOT EXISTS articles_unplaced ON articles (placed, seq)",
        f"""CREATE TABLE IF NOT EXISTS features (
            article_id TEXT PRIMARY KEY, signature {blob} NOT NULL, doc_vector {blob} NOT NULL,
            entities TEXT NOT NULL, numbers TEXT NOT NULL, terms TEXT NOT NULL,
            n_tokens INTEGER NOT NULL, n_artifacts INTEGER NOT NULL){no_rowid}""",
        f"""CREATE TABLE IF NOT EXISTS bands (
            band INTEGER NOT NULL, key BIGINT NOT NULL, article_id TEXT NOT NULL,
            PRIMARY KEY (band, key, article_id)){no_rowid}""",
        f"""CREATE TABLE IF NOT EXISTS entity_postings (
            entity TEXT NOT NULL, article_id TEXT NOT NULL, PRIMARY KEY (entity, article_id)){no_rowid}""",
        f"""CREATE TABLE IF NOT EXISTS sentence_vectors (
            article_id TEXT PRIMARY KEY, dim INTEGER NOT NULL, vectors {blob} NOT NULL){no_rowid}""",
        f"""CREATE TABLE IF NOT EXISTS pairs (
            a TEXT NOT NULL, b TEXT NOT NULL, relation TEXT NOT NULL, score DOUBLE PRECISION NOT NULL,
            scores TEXT NOT NULL, PRIMARY KEY (a, b)){no_rowid}""",
        "CREATE INDEX IF NOT EXISTS pairs_b ON pairs (b)",
        f"""CREATE TABLE IF NOT EXISTS stories (
            id TEXT PRIMARY KEY, title TEXT, payload TEXT NOT NULL){no_rowid}""",
        f"""CREATE TABLE IF NOT EXISTS placements (
            article_id TEXT PRIMARY KEY, story TEXT NOT NULL, family TEXT NOT NULL, relation TEXT NOT NULL,
            source TEXT, score DOUBLE PRECISION, detail TEXT NOT NULL){no_rowid}""",
        "CREATE INDEX IF NOT EXISTS placements_story ON placements (story)",
        # A story's id is derived from its members; when articles join it the old id is kept here,
        # pointing at the story its members went to (chains collapsed: always a current id).
        # Corpus document frequencies (``records.TermStats``): of the stored articles, how many contain
        # each term (``featurize.terms.vocabulary`` of the clean text), kept with the articles.
        f"""CREATE TABLE IF NOT EXISTS term_df (
            term TEXT PRIMARY KEY, df BIGINT NOT NULL){no_rowid}""",
        f"""CREATE TABLE IF NOT EXISTS story_alias (
            old_id TEXT PRIMARY KEY, new_id TEXT NOT NULL){no_rowid}""",
    ]


_OUR_INDEXES = frozenset(
    re.findall(r"CREATE INDEX IF NOT EXISTS (\w+)", "\n".join(_schema("sqlite")))
)
# The query listing the tables or the indexes of the current schema, by (dialect, kind).
_CATALOGUE = {
    ("postgres", "table"): "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()",
    ("postgres", "index"): "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()",
    ("sqlite", "table"): "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    ("sqlite", "index"): "SELECT name FROM sqlite_master WHERE type = 'index'",
}


def open_sql_store(
    url: str, *, lock: bool = False, lock_timeout: float = 30.0, read_only: bool = False
) -> SQLStore:
    """The store at ``url``: PostgreSQL for a ``postgresql://`` URL, else the SQLite file at that path
    (checked by ``check_store_path`` first). See ``open_store``."""
    if url.startswith(("postgresql://", "postgres://")):
        return SQLStore(
            connect_postgres(url), dialect="postgres", lock=lock, lock_timeout=lock_timeout, location=url,
            read_only=read_only,
        )
    check_store_path(url)
    return SQLStore(
        connect_sqlite(url, read_only=read_only), dialect="sqlite", lock=lock, lock_timeout=lock_timeout,
        location=url, read_only=read_only,
    )


class SQLStore:
    """The ``Store`` on SQLite or PostgreSQL (``dialect``); its public members are exactly the
    protocol's."""

    def __init__(
        self, conn: Any, *, dialect: str, lock: bool, lock_timeout: float, location: str, read_only: bool = False
    ) -> None:
        self._conn = conn
        self._dialect = dialect
        self.location = location
        self._lock_fd: int | None = None
        self._lock_held = False
        self._tx_depth = 0
        self._ph = "%s" if dialect == "postgres" else "?"
        if read_only:  # a reader of an existing store: no lock, no schema set-up
            return
        try:
            self._check_ours()  # before the lock: another program's database gets no lock file either
            if self._dialect == "sqlite":
                self._exec("PRAGMA journal_mode=WAL")
            if lock:
                self._acquire_lock(lock_timeout)
            self._init_schema()
        except BaseException as e:
            self.close()
            if isinstance(e, StoreError) or not _is_db_error(e):
                raise
            first = (str(e).strip().splitlines() or [type(e).__name__])[0]
            raise StoreError(f"cannot use store {self.location}: {first}") from None

    # -- plumbing ---------------------------------------------------------------------

    def _q(self, sql: str) -> str:
        return sql.replace("?", self._ph) if self._ph != "?" else sql

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> Any:
        cur = self._conn.cursor()
        cur.execute(self._q(sql), tuple(params))
        return cur

    def _many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._conn.cursor().executemany(self._q(sql), rows)

    def reopen(self, *, read_only: bool = True) -> SQLStore:
        """Another connection to the same store (``open_store(location, read_only=read_only)``): a
        read-only one takes no lock and sets nothing up (a placement worker, a reader)."""
        return open_sql_store(self.location, read_only=read_only)

    def rollback(self) -> None:
        """End the transaction open on this connection without writing anything: the read transaction
        PostgreSQL opens at a first query (reads outside ``read_snapshot``). Not for use inside
        ``transaction()``. Raises the driver's error when the connection is broken (then close it)."""
        self._conn.rollback()

    @contextmanager
    def read_snapshot(self) -> Iterator[None]:
        """Every read in the block sees one state of the store while writers go on (SQLite: a deferred
        transaction in WAL mode; PostgreSQL: one REPEATABLE READ transaction). Nothing is written; the
        transaction ends with the block (a failure to end it after a failed block is not raised over
        the block's own error)."""
        self._conn.rollback()  # a snapshot starts fresh: end any implicit read transaction
        previous = None
        if self._dialect == "postgres":
            from psycopg import IsolationLevel

            previous = self._conn.isolation_level
            self._conn.isolation_level = IsolationLevel.REPEATABLE_READ
        else:
            self._conn.execute("BEGIN")  # deferred: a snapshot at the first read, no write lock
        try:
            yield
        except BaseException:
            with contextlib.suppress(Exception):
                self._end_snapshot(previous)
            raise
        self._end_snapshot(previous)

    def _end_snapshot(self, isolation: Any) -> None:
        self._conn.rollback()
        if self._dialect == "postgres":
            self._conn.isolation_level = isolation

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic write. Nested calls join the outermost transaction (placement writes a
        batch of components as one commit, each component's writes being transactions too)."""
        if self._tx_depth:
            self._tx_depth += 1
            try:
                yield
            finally:
                self._tx_depth -= 1
            return
        if self._dialect == "sqlite":
            self._conn.execute("BEGIN IMMEDIATE")
        self._tx_depth = 1
        try:
            yield
        except BaseException:
            self._conn.rollback()
            raise
        else:
            self._conn.commit()
        finally:
            self._tx_depth = 0

    def _acquire_lock(self, timeout: float) -> None:
        if self._dialect == "postgres":
            # Writers serialise on one advisory lock (released with the session).
            deadline = time.monotonic() + timeout
            while True:
                got = self._exec("SELECT pg_try_advisory_lock(7263540)").fetchone()[0]
                self._conn.commit()
                if got:
                    self._lock_held = True
                    return
                if time.monotonic() > deadline:
                    raise StoreLocked(f"store {self.location} is being written by another copydesk process")
                time.sleep(0.2)
        import fcntl

        path = self.location + ".lock"
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise StoreError(f"cannot open the writer lock {path}: {e.strerror or e}") from None
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(fd)
                    raise StoreLocked(
                        f"store {self.location} is being written by another copydesk process "
                        f"(waited {timeout:.0f} s); try again when it finishes"
                    ) from None
                time.sleep(0.1)
        self._lock_fd = fd
        self._lock_held = True

    def _release_lock(self) -> None:
        if not self._lock_held:
            return
        self._lock_held = False
        if self._dialect == "postgres":
            # Anything still open here is reads (writes commit in transaction()); end it first,
            # since an aborted transaction would refuse the unlock.
            self._conn.rollback()
            self._exec("SELECT pg_advisory_unlock(7263540)")
            self._conn.commit()
        elif self._lock_fd is not None:
            import fcntl

            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    @contextmanager
    def writer_lock(self, timeout: float = 30.0) -> Iterator[None]:
        """Hold the writer lock for one block: a server takes it per write request rather than for
        the life of the store (``lock=True``), so several processes can share one store."""
        if self._lock_held:
            yield
            return
        self._acquire_lock(timeout)
        try:
            yield
        finally:
            self._release_lock()

    def _names(self, kind: str) -> set[str]:
        """Names of the database's ``kind`` ("table" or "index") in the current schema."""
        return {r[0] for r in self._exec(_CATALOGUE[self._dialect, kind]).fetchall()}

    def _check_ours(self) -> None:
        """``StoreError`` unless the database is empty or a copydesk store.

        A copydesk store has a ``meta (key, value)`` table with a ``schema_version`` row (written in
        the same transaction as the tables). A SQLite file with other tables and no such row is
        another program's database: copydesk would add its tables to it, so it is refused. A
        PostgreSQL schema may hold other applications' tables beside a new store; there only a
        ``meta`` table that is not copydesk's is refused.
        """
        tables = self._names("table")
        if self._dialect == "postgres":
            self._conn.rollback()
        if not tables:
            return
        foreign = sorted(tables - _OUR_TABLES)
        if "meta" not in tables:
            if self._dialect == "postgres":
                return
            shown = ", ".join(foreign[:4]) + (", ..." if len(foreign) > 4 else "")
            raise StoreError(
                f"{self.location} is not a copydesk store (a database with other tables: {shown}); "
                "give another --db"
            )
        row = None
        try:
            row = self._exec("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except Exception as e:
            if not _is_db_error(e):
                raise
        finally:
            if self._dialect == "postgres":
                self._conn.rollback()
        if row is None:
            raise StoreError(
                f"{self.location} is not a copydesk store (its 'meta' table is another program's); "
                "give another --db"
            )

    def _schema_current(self) -> bool:
        """Every table and index exists and the schema version is this copydesk's: opening the
        store then runs no DDL. On PostgreSQL, ``CREATE INDEX IF NOT EXISTS`` takes a SHARE lock on
        its table even when the index exists, so a process opening the store while another writes
        (two API workers) deadlocked against the writer's row-exclusive locks."""
        try:
            if not (_OUR_TABLES <= self._names("table") and _OUR_INDEXES <= self._names("index")):
                return False
            row = self._exec("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            return row is not None and int(row[0]) == SCHEMA_VERSION
        finally:
            if self._dialect == "postgres":
                self._conn.rollback()

    def _init_schema(self) -> None:
        if self._schema_current():
            return
        with self.transaction():
            if self._dialect == "postgres":
                # Concurrent CREATE TABLE IF NOT EXISTS can collide in PostgreSQL's catalog
                # (several API workers starting at once): serialise schema setup.
                self._exec("SELECT pg_advisory_xact_lock(7263541)")
            self._exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            row = self._exec("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is not None and int(row[0]) != SCHEMA_VERSION:
                raise StoreError(
                    f"store {self.location} has schema version {row[0]}, this copydesk needs "
                    f"{SCHEMA_VERSION}; re-run analyze into a new --db"
                )
            for stmt in _schema(self._dialect):
                self._exec(stmt)
            if row is None:
                self._exec(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
                )

    def close(self) -> None:
        try:
            self._conn.close()
        finally:
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None

    def __enter__(self) -> SQLStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _chunks(self, ids: Sequence[str]) -> Iterator[Sequence[str]]:
        for i in range(0, len(ids), _CHUNK):
            yield ids[i : i + _CHUNK]

    def _select_in(self, sql: str, ids: Sequence[str]) -> Iterator[tuple]:
        """Run ``sql`` (with one ``{in}`` placeholder for an id list) over ``ids`` in chunks."""
        ids = list(dict.fromkeys(ids))
        for chunk in self._chunks(ids):
            marks = ",".join("?" * len(chunk))
            yield from self._exec(sql.format(**{"in": marks}), chunk).fetchall()

    # -- meta ---------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self._exec("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self._exec(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # -- articles -----------------------------------------------------------------------

    def stored_hashes(self, ids: Sequence[str]) -> dict[str, str]:
        return dict(self._select_in("SELECT id, hash FROM articles WHERE id IN ({in})", ids))

    def add_analyses(
        self,
        rows: Sequence[AnalysisRow],
        bands: np.ndarray | None,
        entity_keys: Sequence[Sequence[str]],
        vocabularies: Sequence[Sequence[str]],
    ) -> None:
        """Insert a batch of analysed articles atomically; ids already stored are skipped. Each row
        comes with its band keys, rare entities and distinct terms (``featurize.terms.vocabulary``)."""
        if not rows:
            return
        with self.transaction():
            seq0 = self._exec("SELECT COALESCE(MAX(seq), 0) FROM articles").fetchone()[0]
            present = set(self.stored_hashes([r.article.id for r in rows]))
            art_rows: list[tuple] = []
            feat_rows: list[tuple] = []
            band_rows: list[tuple[int, int, str]] = []
            ent_rows: list[tuple[str, str]] = []
            df: Counter[str] = Counter()
            for i, r in enumerate(rows):
                a = r.article
                if a.id in present:
                    continue
                present.add(a.id)
                art_rows.append(
                    (
                        a.id,
                        seq0 + i + 1,
                        content_hash(a),
                        a.text,
                        a.title,
                        a.site,
                        a.url,
                        a.published,
                        a.source_path,
                        analysis_to_json(r.clean, r.sentences),
                    )
                )
                fr = features_to_row(r.features)
                feat_rows.append(
                    (
                        a.id,
                        fr["signature"],
                        fr["doc_vector"],
                        fr["entities"],
                        fr["numbers"],
                        fr["terms"],
                        fr["n_tokens"],
                        fr["n_artifacts"],
                    )
                )
                if bands is not None:
                    band_rows.extend((b, int(k), a.id) for b, k in enumerate(bands[i]))
                ent_rows.extend((e, a.id) for e in entity_keys[i])
                df.update(set(vocabularies[i]))
            self._many(
                "INSERT INTO articles (id, seq, hash, text, title, site, url, published, source_path, analysis) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                art_rows,
            )
            self._many(
                "INSERT INTO features (article_id, signature, doc_vector, entities, numbers, terms, n_tokens, "
                "n_artifacts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                feat_rows,
            )
            self._many(
                "INSERT INTO bands (band, key, article_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", band_rows
            )
            self._many(
                "INSERT INTO entity_postings (entity, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                ent_rows,
            )
            self._many(
                "INSERT INTO term_df (term, df) VALUES (?, ?) "
                "ON CONFLICT (term) DO UPDATE SET df = term_df.df + excluded.df",
                sorted(df.items()),
            )

    def unplaced_ids(self) -> list[str]:
        return [r[0] for r in self._exec("SELECT id FROM articles WHERE placed = 0 ORDER BY seq").fetchall()]

    def article_ids(self) -> list[str]:
        return [r[0] for r in self._exec("SELECT id FROM articles ORDER BY seq").fetchall()]

    def count_articles(self) -> int:
        return int(self._exec("SELECT COUNT(*) FROM articles").fetchone()[0])

    def load_articles(self, ids: Sequence[str]) -> dict[str, Article]:
        out = {}
        for r in self._select_in(
            "SELECT id, text, title, site, url, published, source_path FROM articles WHERE id IN ({in})", ids
        ):
            out[r[0]] = Article(*r)
        return out

    def load_analyses(self, ids: Sequence[str]) -> dict[str, AnalysisRow]:
        feats = self.load_features(ids)
        out = {}
        for r in self._select_in(
            "SELECT id, text, title, site, url, published, source_path, analysis FROM articles "
            "WHERE id IN ({in})",
            ids,
        ):
            art = Article(*r[:7])
            clean, sents = analysis_from_json(art, r[7])
            out[art.id] = AnalysisRow(art, clean, sents, feats[art.id])
        return out

    def term_stats(self, terms: Iterable[str]) -> TermStats:
        """The document frequencies of ``terms`` over the stored articles."""
        want = sorted(set(terms))
        df = {r[0]: int(r[1]) for r in self._select_in("SELECT term, df FROM term_df WHERE term IN ({in})", want)}
        return TermStats(self.count_articles(), df)

    def load_features(self, ids: Sequence[str]) -> dict[str, Features]:
        return {
            r[0]: features_from_row(r[0], r[1:])
            for r in self._select_in(
                "SELECT article_id, signature, doc_vector, entities, numbers, terms, n_tokens, n_artifacts "
                "FROM features WHERE article_id IN ({in})",
                ids,
            )
        }

    def all_doc_vectors(self) -> tuple[list[str], np.ndarray]:
        rows = self._exec(
            "SELECT f.article_id, f.doc_vector FROM features f JOIN articles a ON a.id = f.article_id ORDER BY a.seq"
        ).fetchall()
        return [r[0] for r in rows], doc_vectors_from_blobs([r[1] for r in rows])

    # -- candidates ---------------------------------------------------------------------

    def band_candidates(self, article_id: str, keys: Sequence[int]) -> set[str]:
        # One join against a VALUES list per article uses the (band, key) primary key;
        # "(band, key) IN (VALUES ...)" does not (it scans).
        values = ",".join("(?, ?)" for _ in keys)
        params: list[Any] = []
        for b, k in enumerate(keys):
            params += [b, int(k)]
        sql = (
            f"WITH q(band, key) AS (VALUES {values}) SELECT DISTINCT bands.article_id FROM q "
            "JOIN bands ON bands.band = q.band AND bands.key = q.key WHERE bands.article_id <> ?"
        )
        return {r[0] for r in self._exec(sql, params + [article_id]).fetchall()}

    def entity_candidates(
        self, article_id: str, keys: Sequence[str], max_postings: int, min_shared: int = 1
    ) -> set[str]:
        shared: dict[str, int] = {}
        for k in keys:
            rows = self._exec(
                "SELECT article_id FROM entity_postings WHERE entity = ? LIMIT ?", (k, max_postings + 1)
            ).fetchall()
            if len(rows) <= max_postings:  # a name in hundreds of articles says little
                for (r,) in rows:
                    shared[r] = shared.get(r, 0) + 1
        shared.pop(article_id, None)
        return {r for r, n in shared.items() if n >= min_shared}

    # -- sentence vectors -----------------------------------------------------------------

    def get_sentence_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        return {
            r[0]: sentence_vectors_from_row(r[1], r[2])
            for r in self._select_in(
                "SELECT article_id, dim, vectors FROM sentence_vectors WHERE article_id IN ({in})", ids
            )
        }

    def put_sentence_vectors(self, vectors: dict[str, np.ndarray]) -> None:
        rows = [(k, *sentence_vectors_to_row(v)) for k, v in vectors.items()]
        with self.transaction():
            self._many(
                "INSERT INTO sentence_vectors (article_id, dim, vectors) VALUES (?, ?, ?) "
                "ON CONFLICT (article_id) DO NOTHING",
                rows,
            )

    # -- pairs ----------------------------------------------------------------------------

    def put_pairs(self, pairs: Sequence[Pair]) -> None:
        rows = [(p.a, p.b, p.relation, float(p.score), pair_to_json(p)) for p in pairs]
        with self.transaction():
            self._many(
                "INSERT INTO pairs (a, b, relation, score, scores) VALUES (?, ?, ?, ?, ?) ON CONFLICT (a, b) "
                "DO UPDATE SET relation = excluded.relation, score = excluded.score, scores = excluded.scores",
                rows,
            )

    def pairs_among(self, ids: Sequence[str]) -> dict[tuple[str, str], Pair]:
        wanted = set(ids)
        out = {}
        for a, b, rel, score, scores in self._select_in(
            "SELECT a, b, relation, score, scores FROM pairs WHERE a IN ({in})", list(wanted)
        ):
            if b in wanted:
                out[(a, b)] = pair_from_columns(a, b, rel, score, scores)
        return out

    def linked(self, ids: Sequence[str], relations: Sequence[str]) -> set[str]:
        """Articles joined to ``ids`` by a pair of one of ``relations`` (one hop)."""
        rel = set(relations)
        out: set[str] = set()
        for _a, b, r in self._select_in("SELECT a, b, relation FROM pairs WHERE a IN ({in})", ids):
            if r in rel:
                out.add(b)
        for a, _b, r in self._select_in("SELECT a, b, relation FROM pairs WHERE b IN ({in})", ids):
            if r in rel:
                out.add(a)
        return out

    # -- stories ----------------------------------------------------------------------------

    def stories_of(self, ids: Sequence[str]) -> set[str]:
        return {r[0] for r in self._select_in("SELECT story FROM placements WHERE article_id IN ({in})", ids)}

    def members_of(self, story_ids: Sequence[str]) -> set[str]:
        return {
            r[0]
            for r in self._select_in("SELECT article_id FROM placements WHERE story IN ({in})", story_ids)
        }

    def replace_stories(
        self,
        old_story_ids: Sequence[str],
        stories: Sequence[Story],
        placements: Sequence[Placement],
        details: dict[str, str],
    ) -> None:
        """Swap old stories for new ones and mark their articles placed, in one transaction. Each old
        id that is not a new story's id becomes an alias of the new story holding most of its
        members (ties to the smaller id), and aliases that pointed at it follow."""
        with self.transaction():
            self._record_aliases(old_story_ids, stories, placements)
            for chunk in self._chunks(list(old_story_ids)):
                marks = ",".join("?" * len(chunk))
                self._exec(f"DELETE FROM placements WHERE story IN ({marks})", chunk)
                self._exec(f"DELETE FROM stories WHERE id IN ({marks})", chunk)
            self._many(
                "INSERT INTO stories (id, title, payload) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "title = excluded.title, payload = excluded.payload",
                [(s.id, s.title, story_to_json(s)) for s in stories],
            )
            self._many(
                "INSERT INTO placements (article_id, story, family, relation, source, score, detail) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET story = excluded.story, "
                "family = excluded.family, relation = excluded.relation, source = excluded.source, "
                "score = excluded.score, detail = excluded.detail",
                [
                    (p.article_id, p.story, p.family, p.relation, p.source, p.score, details.get(p.article_id, "{}"))
                    for p in placements
                ],
            )
            self._many(
                "UPDATE articles SET placed = 1 WHERE id = ?", [(p.article_id,) for p in placements]
            )

    def _record_aliases(
        self, old_ids: Sequence[str], stories: Sequence[Story], placements: Sequence[Placement]
    ) -> None:
        new_ids = {s.id for s in stories}
        story_of = {p.article_id: p.story for p in placements}
        votes: dict[str, dict[str, int]] = {}
        for chunk in self._chunks([o for o in old_ids if o not in new_ids]):
            marks = ",".join("?" * len(chunk))
            for article_id, old in self._exec(
                f"SELECT article_id, story FROM placements WHERE story IN ({marks})", chunk
            ).fetchall():
                if article_id in story_of:
                    tally = votes.setdefault(old, {})
                    tally[story_of[article_id]] = tally.get(story_of[article_id], 0) + 1
        moves = {old: min(t, key=lambda sid: (-t[sid], sid)) for old, t in votes.items()}
        for old, new in sorted(moves.items()):
            self._exec("UPDATE story_alias SET new_id = ? WHERE new_id = ?", (new, old))
        self._many(
            "INSERT INTO story_alias (old_id, new_id) VALUES (?, ?) ON CONFLICT (old_id) DO UPDATE SET "
            "new_id = excluded.new_id",
            sorted(moves.items()),
        )
        for chunk in self._chunks(sorted(new_ids)):  # an id that is a story again is no alias
            self._exec(f"DELETE FROM story_alias WHERE old_id IN ({','.join('?' * len(chunk))})", chunk)

    def story_alias(self, story_id: str) -> str | None:
        """The current id of the story that ``story_id`` merged into; None if it never did."""
        row = self._exec("SELECT new_id FROM story_alias WHERE old_id = ?", (story_id,)).fetchone()
        return None if row is None else str(row[0])

    def stories(self) -> list[dict]:
        return [story_from_json(r[0]) for r in self._exec("SELECT payload FROM stories ORDER BY id").fetchall()]

    def story(self, story_id: str) -> dict | None:
        row = self._exec("SELECT payload FROM stories WHERE id = ?", (story_id,)).fetchone()
        return None if row is None else story_from_json(row[0])

    def placements(self, ids: Sequence[str] | None = None) -> dict[str, dict]:
        cols = "article_id, story, family, relation, source, score"
        rows = (
            self._exec(f"SELECT {cols} FROM placements").fetchall()
            if ids is None
            else list(self._select_in(f"SELECT {cols} FROM placements WHERE article_id IN ({{in}})", ids))
        )
        return {
            r[0]: dict(zip(("article_id", "story", "family", "relation", "source", "score"), r, strict=True))
            for r in rows
        }

    def details(self, ids: Sequence[str]) -> dict[str, str]:
        return dict(
            self._select_in("SELECT article_id, detail FROM placements WHERE article_id IN ({in})", ids)
        )

    def search_stories(self, query: str, limit: int = 20) -> list[dict]:
        """Stories with an article whose title or text contains ``query``; none for an empty query.

        NUL characters are removed first: SQLite's LIKE ends a pattern at a NUL, so ``"\\x00"`` would
        otherwise be the pattern ``"%"`` and match every story."""
        query = query.replace("\x00", "")
        if not query:
            return []
        like = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self._exec(
            "SELECT DISTINCT p.story FROM placements p JOIN articles a ON a.id = p.article_id "
            "WHERE a.title LIKE ? ESCAPE '\\' OR a.text LIKE ? ESCAPE '\\' ORDER BY p.story LIMIT ?",
            (like, like, limit),
        ).fetchall()
        return [s for s in (self.story(r[0]) for r in rows) if s is not None]

    # -- checks -----------------------------------------------------------------------------

    def check(self) -> dict[str, Any]:
        """Integrity check and counts; ``problems`` lists anything inconsistent."""
        problems: list[str] = []
        if self._dialect == "sqlite":
            res = self._exec("PRAGMA integrity_check").fetchall()
            if [r[0] for r in res] != ["ok"]:
                problems.append("sqlite integrity_check: " + "; ".join(r[0] for r in res[:5]))
        counts = {
            t: int(self._exec(f"SELECT COUNT(*) FROM {t}").fetchone()[0])
            for t in ("articles", "features", "bands", "pairs", "stories", "placements")
        }
        missing = self._exec(
            "SELECT COUNT(*) FROM articles a LEFT JOIN features f ON f.article_id = a.id WHERE f.article_id IS NULL"
        ).fetchone()[0]
        if missing:
            problems.append(f"{missing} articles without features")
        orphans = self._exec(
            "SELECT COUNT(*) FROM features f LEFT JOIN articles a ON a.id = f.article_id WHERE a.id IS NULL"
        ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} feature rows without an article")
        unplaced_with_story = self._exec(
            "SELECT COUNT(*) FROM articles a JOIN placements p ON p.article_id = a.id WHERE a.placed = 0"
        ).fetchone()[0]
        if unplaced_with_story:
            problems.append(f"{unplaced_with_story} articles placed but not marked placed")
        dangling = self._exec(
            "SELECT COUNT(*) FROM placements p LEFT JOIN stories s ON s.id = p.story WHERE s.id IS NULL"
        ).fetchone()[0]
        if dangling:
            problems.append(f"{dangling} placements point to a missing story")
        over = self._exec("SELECT COUNT(*) FROM term_df WHERE df > (SELECT COUNT(*) FROM articles)").fetchone()[0]
        if over:
            problems.append(f"{over} terms counted in more articles than are stored")
        counts["unplaced"] = int(self._exec("SELECT COUNT(*) FROM articles WHERE placed = 0").fetchone()[0])
        return {"ok": not problems, "problems": problems, "counts": counts, "schema_version": SCHEMA_VERSION}
