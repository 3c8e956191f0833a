"""The store: articles, their per-article analysis, LSH bands, pairs and stories.

``open_store(url)`` gives a SQLite store for a path (the embedded default) or a
PostgreSQL store for a ``postgresql://`` URL; both are a ``SQLStore``, which implements
the ``Store`` protocol exactly. ``store.codec`` holds all serialisation.
"""

from __future__ import annotations

from .base import Store, StoreError, StoreLocked
from .sql import SQLStore, open_sql_store
from .sqlite import check_store_path
from .view import StoreView


def open_store(url: str, *, lock: bool = False, lock_timeout: float = 30.0, read_only: bool = False) -> Store:
    """Open (creating if needed) the store at ``url``.

    ``lock=True`` takes the store's writer lock for the life of the object: a second
    writer waits up to ``lock_timeout`` seconds, then gets ``StoreLocked``. ``read_only=True``
    opens an existing store for reads only (no lock, no schema set-up; SQLite refuses writes).
    """
    return open_sql_store(url, lock=lock, lock_timeout=lock_timeout, read_only=read_only)


__all__ = ["SQLStore", "Store", "StoreError", "StoreLocked", "StoreView", "check_store_path", "open_store"]
