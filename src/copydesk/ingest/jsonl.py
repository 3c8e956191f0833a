"""JSON lines: one article per line (``text`` required, ``id`` and metadata optional), read with a
bound on every line; ``record_to_article`` is also how the API and the batch engines read a record."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path

from ..config import Limits
from ..records import Article
from .errors import IngestError, InputError
from .text import article_from_text, binary_kind, has_surrogate, shown_path

JSONL_SUFFIXES = {".jsonl", ".ndjson"}


def read_jsonl(
    path: Path, limits: Limits, id_field: str = "id", warn: Callable[[str], None] | None = None
) -> Iterator[tuple[Article | IngestError, int | None]]:
    """Records of a JSONL file. A record with no ``id`` but an id-like field (``doc_id``...) is refused
    with a line naming the field; for records with no id at all, ids ``<stem>-<line>`` are made up
    and ``warn`` gets one line per file saying so."""
    shown = shown_path(path)
    invented = 0
    if path.stat().st_size == 0:
        yield IngestError(shown, "empty file"), None
        return
    records = 0
    with open(path, "rb") as fh:
        head = fh.read(8)
        if binary_kind(head):
            yield IngestError(shown, f"binary file ({binary_kind(head)}), not JSON lines"), None
            return
        fh.seek(0)
        for lineno, raw in enumerate(_bounded_lines(fh, limits.max_jsonl_line_bytes), start=1):
            if isinstance(raw, InputError):
                records += 1
                yield IngestError(shown, str(raw), lineno), lineno
                continue
            if not raw.strip():
                continue
            records += 1
            try:
                obj = parse_json_line(raw, lineno == 1)
                if id_field == "id" and obj.get("id") is None:
                    other = id_like_field(obj)
                    if other is not None:
                        raise InputError(
                            f"no field 'id' but a field '{other}'; to use it as the id, run "
                            f"copydesk analyze --id-field {other}"
                        )
                    invented += "text" in obj
                yield (
                    record_to_article(obj, limits, path.stem, lineno, source_path=str(path), id_field=id_field),
                    lineno,
                )
            except InputError as e:
                yield IngestError(shown, str(e), lineno), lineno
    if not records:
        yield IngestError(shown, "no JSON lines in file (only whitespace)"), None
    if invented and warn is not None:
        warn(
            f"{shown}: {invented} record{'s' if invented != 1 else ''} without '{id_field}' got "
            f"line-number ids ({path.stem}-LINE); give each record an 'id' (or use --id-field NAME)"
        )


def _bounded_lines(fh: io.BufferedReader, max_bytes: int) -> Iterator[bytes | InputError]:
    """Lines of a binary file, refusing (and skipping) any line over ``max_bytes``."""
    while True:
        line = fh.readline(max_bytes + 1)
        if not line:
            return
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while True:  # skip the rest of the oversized line
                rest = fh.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
            yield InputError(f"line longer than {max_bytes:,} bytes; skipped")
            continue
        yield line


def parse_json_line(raw: bytes, first: bool) -> dict:
    """The JSON object of one line (``first``: a UTF-8 byte-order mark is allowed); ``InputError``
    naming what is wrong (not UTF-8, truncated, invalid, too deep, not an object)."""
    try:
        text = raw.decode("utf-8-sig" if first else "utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 (byte offset {e.start} in line)") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        if (
            not raw.endswith(b"\n")
            or e.msg.startswith(("Unterminated", "Expecting"))
            and e.pos >= len(text.rstrip()) - 1
        ):
            raise InputError(f"truncated JSON line ({e.msg})") from None
        raise InputError(f"invalid JSON ({e.msg} at column {e.colno})") from None
    except RecursionError:
        raise InputError("invalid JSON (nested too deeply)") from None
    except ValueError as e:  # e.g. an integer of more than 4,300 digits
        raise InputError(f"invalid JSON ({str(e).split(':')[0]})") from None
    if not isinstance(obj, dict):
        raise InputError(f"line is JSON {type(obj).__name__}, expected an object with 'id' and 'text'")
    return obj


MAX_ID_CHARS = 512
# Fields that hold a record's id in common corpora; a JSONL record with one of these and no ``id``
# is refused rather than numbered by line (the user names the field with ``--id-field``).
ID_LIKE_FIELDS = ("doc_id", "_id", "uuid", "article_id", "docid", "document_id", "guid")


def id_like_field(obj: dict) -> str | None:
    """The first id-like field (``ID_LIKE_FIELDS``) a record without ``id`` has, else None."""
    return next((k for k in ID_LIKE_FIELDS if obj.get(k) is not None), None)


def check_id(rid: object, field: str = "id") -> str:
    """The article id a record gives, exactly as given, or ``InputError`` (one line).

    A string or an integer (written in decimal); 1 to 512 characters with at least one that is not
    whitespace; no lone surrogates (they cannot be stored). Nothing is stripped or normalised: the id
    that comes back from the store, the report and the API is the one the user gave, slashes,
    spaces and all (terminal output escapes what a terminal would act on; see ``printable``).
    """
    if isinstance(rid, bool) or not isinstance(rid, str | int):
        raise InputError(f"field '{field}' must be a string, got {type(rid).__name__}")
    if isinstance(rid, int):
        if rid.bit_length() > 4000:  # > 1,200 digits: str() of a huge int is slow, or refused past 4,300
            raise InputError(f"field '{field}' must be 1 to {MAX_ID_CHARS} characters (an integer that long)")
        rid = str(rid)
    if len(rid) > MAX_ID_CHARS:
        raise InputError(f"field '{field}' must be 1 to {MAX_ID_CHARS} characters, got {len(rid):,}")
    if not rid.strip():
        raise InputError(f"field '{field}' must be 1 to {MAX_ID_CHARS} characters, not only whitespace")
    if has_surrogate(rid):
        raise InputError(f"field '{field}' holds a lone surrogate (invalid Unicode)")
    return rid


def record_to_article(
    obj: dict,
    limits: Limits,
    stem: str = "record",
    lineno: int = 0,
    source_path: str | None = None,
    id_field: str = "id",
) -> Article:
    """One JSON object (JSONL line or API body) -> Article; ``text`` required, ``id`` optional.

    The id is read from the field ``id_field`` (``--id-field``); a record that names another field
    than ``id`` must have it. Without an id the article is ``<stem>-<lineno>`` (or ``stem``)."""
    text = obj.get("text")
    if text is None:
        raise InputError("missing required field 'text'")
    if not isinstance(text, str):
        raise InputError(f"field 'text' must be a string, got {type(text).__name__}")
    rid = obj.get(id_field)
    if rid is None and id_field != "id":
        raise InputError(f"missing id field '{id_field}' (given by --id-field)")
    rid = check_id(rid, id_field) if rid is not None else (f"{stem}-{lineno}" if lineno else stem)
    meta: dict[str, str | None] = {}
    for key in ("title", "url", "site", "published"):
        v = obj.get(key)
        if v is not None and not isinstance(v, str):
            raise InputError(f"field '{key}' must be a string, got {type(v).__name__}")
        meta[key] = v
    return article_from_text(rid, text, limits, source_path=source_path, **meta)


