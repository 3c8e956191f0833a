"""WARC archives (plain or gzip): the HTML responses of a crawl as articles, a cut-short archive
reported and the complete records before the cut kept."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path

from ..config import Limits
from ..records import Article
from .errors import IngestError, InputError
from .html import article_from_html
from .text import shown_path

WARC_SUFFIXES = {".warc", ".warc.gz", ".arc.gz"}


def read_warc(path: Path, limits: Limits) -> Iterator[Article | IngestError]:
    """HTML responses of a WARC (plain or gzip). A record cut short (a crawl interrupted mid-write)
    is reported and not used; the complete records before it are kept."""
    from warcio.archiveiterator import ArchiveIterator

    shown = shown_path(path)
    n = 0  # HTML responses seen
    end = 0  # byte offset just past the last complete record
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(4)
            fh.seek(0)
            if not head:
                yield IngestError(shown, "empty file")
                return
            if not (head.startswith(b"WARC") or head.startswith(b"\x1f\x8b")):
                yield IngestError(shown, "not a WARC file (no WARC header)")
                return
            records = ArchiveIterator(fh)
            # warcio writes a three-line warning with raw bytes to stderr for a record whose
            # Content-Length is wrong; the cut record is reported below in one line instead.
            records.INC_RECORD = ""
            for record in records:
                item = _warc_article(record, path, n + 1, limits)
                if item is not None:
                    n += 1
                records.read_to_end()
                complete = getattr(record.raw_stream, "limit", 0) == 0
                if item is not None:
                    if not complete:
                        uri = record.rec_headers.get_header("WARC-Target-URI")
                        item = IngestError(
                            shown, f"record {n} ({uri}): truncated record (file cut short); skipped"
                        )
                    yield item
                if not complete:
                    return
                end = records.get_record_offset() + records.get_record_length()
            if end < size:  # warcio stops silently on a record whose headers were cut off
                fh.seek(end)
                if fh.read(64).strip(b"\r\n\x00 "):
                    yield IngestError(
                        shown,
                        f"truncated or corrupt WARC after {n} HTML records "
                        "(the last record is incomplete); skipped the rest",
                    )
                    return
    except Exception as e:  # warcio/gzip raise many types on a corrupt archive
        yield IngestError(
            shown, f"truncated or corrupt WARC after {n} HTML records ({type(e).__name__}: {e})"
        )
        return
    if n == 0:
        yield IngestError(shown, "no HTML responses in WARC")


def _warc_article(record, path: Path, n: int, limits: Limits) -> Article | IngestError | None:
    """The article of one WARC record, an error, or None for a record that is not an HTML response."""
    if record.rec_type != "response":
        return None
    ctype = (record.http_headers.get_header("Content-Type") if record.http_headers else "") or ""
    if "html" not in ctype.lower():
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI")
    rid = f"{path.name.split('.')[0]}-{n}"
    try:
        data = record.content_stream().read(limits.max_warc_record_bytes + 1)
        if len(data) > limits.max_warc_record_bytes:
            raise InputError(f"record larger than {limits.max_warc_record_bytes:,} bytes")
        if getattr(record.raw_stream, "limit", 0):
            raise InputError("truncated record (file cut short); skipped")
        html = data.decode(_charset(ctype) or "utf-8", errors="replace")
        return article_from_html(rid, html, limits, url=uri, source_path=str(path))
    except InputError as e:
        return IngestError(shown_path(path), f"record {n} ({uri}): {e}")


def _charset(ctype: str) -> str | None:
    m = re.search(r"charset=([\w-]+)", ctype, re.I)
    if not m:
        return None
    try:
        codecs.lookup(m.group(1))
    except LookupError:
        return None
    return m.group(1)


