"""The store: articles, their per-article analysis, LSH bands, pairs and stories.

``open_store(url)`` gives a SQLite store for a path (the embedded default) or a
PostgreSQL store for a ``postgresql://`` URL; both implement ``Store``.
"""

from __future__ import annotations

from .base import AnalysisRow, Store, StoreError, StoreLocked
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

    return SQLStore(
        connect_sqlite(url, read_only=read_only), dialect="sqlite", lock=lock, lock_timeout=lock_timeout,
        location=url, read_only=read_only,
    )


__all__ = ["AnalysisRow", "SQLStore", "Store", "StoreError", "StoreLocked", "open_store"]
