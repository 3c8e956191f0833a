"""Inputs of ``copydesk batch``: JSONL and Parquet files (records with ``id``, ``text`` and
optional ``title``, ``url``, ``site``, ``published``), any other format ``analyze`` reads,
folders of them, and glob patterns.

Local paths are read here, on the driver, with the same readers as ``analyze``
(``read_inputs`` / ``record_to_article``), so both engines start from the same articles.
URLs with a scheme (``s3://``, ``hdfs://``, ``gs://``, ``file://``…) are left to Spark's
readers (see :mod:`.spark`).
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..config import Limits
from ..ingest import IngestError, InputError, read_inputs, record_to_article
from ..records import Article, content_hash

RECORD_FIELDS = ("id", "text", "title", "url", "site", "published")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(path: str) -> bool:
    return bool(_SCHEME.match(path))


def split_inputs(inputs: Sequence[str]) -> tuple[list[str], list[str]]:
    """(local paths, URLs). A local glob pattern is expanded; one that matches nothing is an error."""
    local, remote = [], []
    for raw in inputs:
        if is_url(raw):
            remote.append(raw)
        elif not os.path.exists(raw) and glob.has_magic(raw):
            hits = sorted(glob.glob(raw, recursive=True))
            if not hits:
                raise ValueError(f"{raw}: no file matches this pattern")
            local.extend(hits)
        else:
            local.append(raw)
    return local, remote


def _parquet_files(paths: Sequence[str]) -> tuple[list[Path], list[str]]:
    """Parquet files under ``paths`` (sorted), and the other paths for ``read_inputs``."""
    pq_files: list[Path] = []
    other: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            pq_files.extend(sorted(x for x in p.rglob("*.parquet") if x.is_file()))
            other.append(raw)  # read_inputs walks the rest of the folder (it skips .parquet)
        elif p.suffix.lower() == ".parquet":
            pq_files.append(p)
        else:
            other.append(raw)
    return pq_files, other


def _read_parquet(path: Path, limits: Limits) -> Iterator[Article | IngestError]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as e:  # pyarrow raises several types for a corrupt or foreign file
        yield IngestError(str(path), f"not a readable Parquet file ({type(e).__name__}: {e})")
        return
    names = set(pf.schema_arrow.names)
    if "text" not in names:
        yield IngestError(str(path), "Parquet file has no 'text' column")
        return
    cols = [c for c in RECORD_FIELDS if c in names]
    lineno = 0
    for batch in pf.iter_batches(batch_size=4096, columns=cols):
        for rec in batch.to_pylist():
            lineno += 1
            obj = {k: v for k, v in rec.items() if v is not None}
            try:
                yield record_to_article(obj, limits, path.stem, lineno, source_path=str(path))
            except InputError as e:
                yield IngestError(str(path), f"row {lineno}: {e}")


def read_local(paths: Sequence[str], limits: Limits | None = None) -> tuple[list[Article], list[str]]:
    """Articles of local files/folders and the reasons anything was skipped.

    Ids are unique: a repeated id with the same content (``records.content_hash``: text, title
    and date, as ``analyze`` decides it) is the same article; with other content the later one
    is rejected.
    """
    limits = limits or Limits()
    pq_files, other = _parquet_files(paths)
    seen: dict[str, tuple[str, str]] = {}
    articles: list[Article] = []
    skipped: list[str] = []

    def take(items: Iterator[Article | IngestError]) -> None:
        for item in items:
            if isinstance(item, IngestError):
                skipped.append(str(item))
                continue
            h = content_hash(item)
            prev = seen.get(item.id)
            if prev is not None:
                if prev[0] != h:
                    skipped.append(
                        f"{item.source_path or item.id}: duplicate id {item.id!r} with different text "
                        f"(first seen in {prev[1]}); rejected"
                    )
                continue
            seen[item.id] = (h, item.source_path or "")
            articles.append(item)

    if other:
        take(read_inputs(other, limits))
    for f in pq_files:
        take(_read_parquet(f, limits))
    return articles, skipped
