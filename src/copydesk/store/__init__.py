"""The store: articles, their per-article analysis, LSH bands, pairs and stories.

``open_store(url)`` gives a SQLite store for a path (the embedded default) or a
PostgreSQL store for a ``postgresql://`` URL; both implement ``Store``.
"""

from __future__ import annotations

from ..records import AnalysisRow
from .base import Store, StoreError, StoreLocked
from .sql import SQLStore


def open_store(url: str, *, lock: bool = False, lock_timeout: float = 30.0, read_only: bool = False) -> Store:
    """Open (creating if needed) the store at ``url``.

    ``lock=True`` takes the store's writer lock for the life of the object: a second
    writer waits up to ``lock_timeout`` seconds, then gets ``StoreLocked``. ``read_only=True``
    opens an existing store for reads only (no lock, no schema set-up; SQLite refuses writes).
    """
    if url.startswith(("postgresql://", "postgres://")):
        from .postgres import connect_postgres

        return SQLStore(
            connect_postgres(url), dialect="postgres", lock=lock, lock_timeout=lock_timeout, location=url,
            read_only=read_only,
        )
    from .sqlite import connect_sqlite

    check_store_path(url)
    return SQLStore(
        connect_sqlite(url, read_only=read_only), dialect="sqlite", lock=lock, lock_timeout=lock_timeout,
        location=url, read_only=read_only,
    )


def check_store_path(path: str) -> None:
    """``StoreError`` for a SQLite store path that cannot hold a store: empty (SQLite would use a
    temporary database that vanishes at exit), ``:memory:``, a folder, or an existing file that is
    not a regular file (``/dev/null``, a pipe, a socket). Checked before anything is created, so a
    refused path leaves no lock file behind."""
    import os
    import stat

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


__all__ = ["AnalysisRow", "SQLStore", "Store", "StoreError", "StoreLocked", "check_store_path", "open_store"]
