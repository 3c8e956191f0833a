"""SQLite connection for the embedded store: WAL, NORMAL sync, a generous busy timeout, reads through mmap."""

from __future__ import annotations

import os
import sqlite3
import stat
import urllib.parse

from .base import StoreError

MMAP_BYTES = 2**31  # address space, not memory: pages are shared with the OS page cache
CACHE_KIB = 65536  # SQLite's own page cache per connection (default 2 MiB)


def check_store_path(path: str) -> None:
    """``StoreError`` for a SQLite store path that cannot hold a store: empty (SQLite would use a
    temporary database that vanishes at exit), ``:memory:``, a folder, or an existing file that is
    not a regular file (``/dev/null``, a pipe, a socket). Checked before anything is created, so a
    refused path leaves no lock file behind."""
    if not path.strip():
        raise StoreError("no store given (an empty path); give a file path or a postgresql:// URL")
    if path == ":memory:" or path.startswith("file::memory:"):
        raise StoreError(f"store {path} would vanish when copydesk exits; give a file path")
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as e:
        raise StoreError(f"cannot use store {path}: {e.strerror or e}") from None
    if stat.S_ISDIR(mode):
        raise StoreError(f"store {path} is a folder; give a file path")
    if not stat.S_ISREG(mode):
        raise StoreError(f"store {path} is not a regular file (a device, pipe or socket)")


def connect_sqlite(path: str, *, read_only: bool = False) -> _AutoCommitting:
    """A connection to the store at ``path``; ``read_only`` opens an existing store for reading
    only (a placement worker: any write raises instead of racing the writer)."""
    try:
        if read_only:
            uri = "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=ro"
            conn = sqlite3.connect(uri, uri=True, timeout=60.0, isolation_level=None, check_same_thread=False)
        else:
            # WAL (written into the file's header) is switched on by SQLStore once the file is known
            # to be empty or a copydesk store: another program's database is refused unchanged.
            conn = sqlite3.connect(path, timeout=60.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=60000")
        conn.execute("PRAGMA foreign_keys=OFF")
        # Reads through a memory map, not a read() call per page: band and posting look-ups are
        # B-tree probes over pages the OS already caches (1.5x more look-ups a second against
        # 100,000 stored, bench/placement.py: 17,700 vs 11,500). SQLite clamps the size to its compile-time limit.
        conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    except sqlite3.DatabaseError as e:
        raise StoreError(f"cannot open store {path}: {e}") from None
    # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
    return _AutoCommitting(conn)


class _AutoCommitting:
    """sqlite3 in autocommit mode, with commit/rollback that are no-ops outside a transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._c = conn

    def cursor(self) -> sqlite3.Cursor:
        return self._c.cursor()

    def execute(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        return self._c.execute(sql, params)

    def commit(self) -> None:
        if self._c.in_transaction:
            self._c.execute("COMMIT")

    def rollback(self) -> None:
        if self._c.in_transaction:
            self._c.execute("ROLLBACK")

    def close(self) -> None:
        self._c.close()
