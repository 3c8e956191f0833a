"""PostgreSQL connection for the shared store (psycopg 3).

Autocommit is off: ``SQLStore`` opens and commits its own transactions (one per batch of
articles, one per re-clustering). Several API workers can share one database; writers
serialise on an advisory lock (``SQLStore.writer_lock``).
"""

from __future__ import annotations

import re
from typing import Any

from .base import StoreError


def redact(url: str) -> str:
    """The URL with any password replaced, for messages."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)


def connect_postgres(url: str, *, connect_timeout: int = 10) -> Any:
    """A psycopg connection to ``url`` (``postgresql://user[:password]@host[:port]/dbname``)."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is in requirements/base.txt
        raise StoreError("a postgresql:// store needs psycopg 3: pip install 'psycopg[binary]'") from None
    try:
        conn = psycopg.connect(
            url, autocommit=False, connect_timeout=connect_timeout, application_name="copydesk"
        )
    except psycopg.Error as e:
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise StoreError(f"cannot connect to PostgreSQL store {redact(url)}: {first}") from None
    except ValueError as e:  # a malformed URL / connection string
        raise StoreError(f"bad PostgreSQL URL {redact(url)}: {e}") from None
    return conn
