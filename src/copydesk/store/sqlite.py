"""SQLite connection for the embedded store: WAL, NORMAL sync, a generous busy timeout."""

from __future__ import annotations

import sqlite3

from .base import StoreError


def connect_sqlite(path: str) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(path, timeout=60.0, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=60000")
        conn.execute("PRAGMA foreign_keys=OFF")
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
