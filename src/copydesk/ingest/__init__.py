"""Ingest: files and folders of .txt / .html / .jsonl / .warc(.gz) -> ``Article`` records.

Per-document problems become ``IngestError`` values yielded beside the articles, never
exceptions through the batch, so one bad file costs one line of output and nothing else.
"""

from __future__ import annotations

import bisect
import codecs
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..config import Limits
from ..records import Article

TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
WARC_SUFFIXES = {".warc", ".warc.gz", ".arc.gz"}

_MAGIC = (
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"%PDF", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"BZh", "bzip2 data"),
    (b"\x7fELF", "executable"),
)


@dataclass(frozen=True, slots=True)
class IngestError:
    """One input the batch skipped, and why."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return printable(f"{where}: {self.reason}")


class InputError(ValueError):
    """Bad input from a user: reported as one line, never as a traceback."""


def suffix_of(path: Path) -> str:
    name = path.name.lower()
    for multi in (".warc.gz", ".arc.gz"):
        if name.endswith(multi):
            return multi
    return path.suffix.lower()


def iter_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path | IngestError]:
    """Every supported file under the given paths, in a stable order, each once.

    Folders are walked recursively; symlink loops and unreadable folders are reported.
    """
    seen: set[str] = set()
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            yield IngestError(_shown(p), "no such file or folder")
            continue
        if p.is_dir():
            yield from _walk(p, seen, set())
        elif not p.is_file():
            yield IngestError(_shown(p), "not a regular file (device, socket or pipe); skipped")
        else:
            real = os.path.realpath(p)
            if real not in seen:
                seen.add(real)
                yield p


def _walk(folder: Path, seen: set[str], active: set[str]) -> Iterator[Path | IngestError]:
    real_dir = os.path.realpath(folder)
    if real_dir in active:
        yield IngestError(_shown(folder), "symlink loop: folder already being read; skipped")
        return
    active = active | {real_dir}
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as e:
        yield IngestError(_shown(folder), f"cannot read folder: {e.strerror or e}")
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()
            is_file = entry.is_file()
        except OSError:
            is_dir = is_file = False
        if is_dir:
            yield from _walk(path, seen, active)
        elif suffix_of(path) in TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES | WARC_SUFFIXES:
            if not is_file and (entry.is_symlink() and not os.path.exists(path)):
                yield IngestError(_shown(path), "broken symbolic link; skipped")
                continue
            if not is_file:
                yield IngestError(_shown(path), "not a regular file (device, socket or pipe); skipped")
                continue
            real = os.path.realpath(path)
            if real not in seen:
                seen.add(real)
                yield path


def binary_kind(data: bytes) -> str | None:
    """Name of a binary format recognised from the first bytes, or None for text."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    head = data[:4096]
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "binary data (NUL bytes; UTF-16 text needs a byte-order mark)"
    return None


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 or UTF-32 with a BOM; anything else is an ``InputError``.

    No guessing: Latin-1 or mixed encodings are refused (one line naming the first bad byte)
    rather than decoded into mojibake that would then be stored and compared.
    """
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        try:
            return data.decode("utf-32")
        except UnicodeDecodeError as e:
            raise InputError(f"invalid UTF-32 text at byte {e.start}") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise InputError(f"invalid UTF-16 text at byte {e.start}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        bad = data[e.start : e.start + 1].hex()
        raise InputError(
            f"not UTF-8 text (byte 0x{bad} at offset {e.start}); re-encode the file as UTF-8"
        ) from None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_LONE_CR = re.compile(r"\r(?!\n)")
# Anything a terminal would act on or not show: C0/C1 controls and DEL, format characters (zero-width
# spaces and joiners, bidi overrides, BOM), line and paragraph separators, surrogates.
_UNPRINTABLE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u180e\u200b-\u200f\u2028-\u202e"
    r"\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
# Characters that show nothing: whitespace and the zero-width / format characters above.
_VISIBLE = re.compile(
    r"[^\s\x00-\x1f\x7f-\x9f\u00ad\u034f\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"
    r"\u3164\ufeff\uffa0\ud800-\udfff]"
)
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(m: re.Match[str]) -> str:
    c = m.group()
    if c in _ESCAPES:
        return _ESCAPES[c]
    n = ord(c)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def printable(s: object) -> str:
    """``s`` as one line that is safe to print on a terminal: every control, format or separator
    character (ESC, newline, NUL, zero-width and bidi characters, ...) written as a Python-style
    escape (``\\x1b``, ``\\n``, ``\\u202e``); everything else, non-ASCII letters included, unchanged.

    The one escaping function for user data (ids, titles, file names, texts, error reasons)
    printed by the command line. Backslashes are left as they are, so escaping twice changes
    nothing. Rich markup (``[bold]``) is not this function's business: print the result with
    markup off or through ``rich.markup.escape``.
    """
    s = s if isinstance(s, str) else str(s)
    return _UNPRINTABLE.sub(_escape_char, s)


def printable_text(text: str) -> tuple[str, Callable[[int], int]]:
    """A whole text for display on several lines: escaped as ``printable`` does, except that
    newlines and tabs are kept and a CRLF line end is shown as a plain newline; with the function
    that maps an offset of ``text`` to the same place in the displayed text (for highlighting spans)."""
    starts: list[int] = []  # offset just past each replaced character in ``text``
    shifts: list[int] = []  # cumulative change of length up to there
    parts: list[str] = []
    pos = shift = 0
    for m in _UNPRINTABLE.finditer(text):
        c, i = m.group(), m.start()
        if c in "\n\t":
            continue
        rep = "" if c == "\r" and text.startswith("\n", i + 1) else _escape_char(m)
        parts += [text[pos:i], rep]
        pos = i + 1
        shift += len(rep) - 1
        starts.append(pos)
        shifts.append(shift)
    if not starts:
        return text, lambda offset: offset
    parts.append(text[pos:])

    def to_display(offset: int) -> int:
        k = bisect.bisect_right(starts, offset)
        return offset + (shifts[k - 1] if k else 0)

    return "".join(parts), to_display


def scrub(s: str) -> str:
    """Lone surrogates (from JSON escapes like "\\ud800" or undecodable file names) -> U+FFFD.

    They cannot be encoded as UTF-8, so the store, the JSON report and the terminal would fail
    on them; one replacement character per surrogate keeps every other offset unchanged.
    """
    return _SURROGATE.sub("\ufffd", s)


def _shown(path: os.PathLike[str] | str) -> str:
    """A path as text that can be printed and stored (undecodable bytes shown as U+FFFD)."""
    return scrub(str(path))


def normalise_text(text: str) -> str:
    """The text every offset refers to: the text as given, with a lone carriage return (old Mac line
    ends) made a newline, control characters other than tab, newline and carriage return dropped
    and lone surrogates replaced.

    Windows line ends (CRLF) are kept, so the offsets of a CRLF file are offsets into the file's
    own text; every later stage treats the carriage return as the whitespace it is (the analysis
    of a CRLF file equals that of its LF copy, spans shifted by the carriage returns before them).
    """
    text = _LONE_CR.sub("\n", text)
    return scrub(_CONTROL.sub("", text))


def check_text(text: str, limits: Limits) -> None:
    """``InputError`` for a text that is empty, shows nothing (only whitespace and zero-width or other
    invisible characters such as U+200B, U+200D, U+FEFF, U+2060) or is over ``limits``."""
    if not text.strip():
        raise InputError("empty text" if not text else "text is only whitespace")
    if not _VISIBLE.search(text):
        raise InputError("text is only zero-width characters and whitespace (nothing visible)")
    if len(text) > limits.max_article_chars:
        raise InputError(
            f"text too large ({len(text):,} characters > limit {limits.max_article_chars:,}); "
            "raise Limits.max_article_chars (--max-article-chars) to accept it"
        )


_MIB = 1024 * 1024
_SENTENCE_END = re.compile(r"[.!?:;…\"”’)]\s*$")


_BYLINE = re.compile(r"(?i)(?:by|von|par|por|written by|posted by|reporting by)\s+\S.{0,80}")
_BYLINE_NAME = re.compile(r"(?:[A-Z][\w'’.-]*|and|&|de|van|von|der|la|le|,)(?:\s+|$)")
_TIMESTAMP = re.compile(
    r"(?i)(?:updated|posted|published|last updated|first published)?[:\s]*"
    r"(?:\d+\s+(?:minutes?|hours?|days?)\s+ago|\d{1,2}\s*:\s*\d{2}(?:\s*:\s*\d{2})?\s*(?:[ap]\.?m\.?)?"
    r"(?:\s*[A-Z]{2,4})?)"
)
_FURNITURE_LOOKAHEAD = 6  # leading lines a headline search passes over when they are furniture


def is_furniture_line(line: str) -> bool:
    """Whether a line is a dateline, a timestamp or a byline, which is never a title:
    "September 18th, 2013, 05: 31 GMT", "MONDAY, MAY 23, 2005", "Updated 3 hours ago", "By Jane Doe"."""
    from ..clean import _is_datey

    line = line.strip().strip("*_#|-–—: ").strip()
    if not line:
        return False
    if _is_datey(line) or _TIMESTAMP.fullmatch(line):
        return True
    parts = re.split(r"\s[|/]\s", line)  # "PUBLISHED FRIDAY, MARCH 8, 2013 AT 12: 46 PM / UPDATED AT 12: 48 PM"
    if len(parts) > 1 and all(_is_datey(p) or _TIMESTAMP.fullmatch(p.strip()) for p in parts):
        return True
    m = _BYLINE.fullmatch(line)
    if m:  # "By" followed by names only (capitalised words, "and", commas), not "By the sea, a city..."
        rest = line.split(None, 1)[1] if not line.lower().startswith(("written", "posted", "reporting")) \
            else line.split(None, 2)[2]
        return len(rest.split()) <= 8 and _BYLINE_NAME.sub("", rest + " ").strip() == ""
    return False


def shorten(text: str, limit: int) -> str:
    """``text`` on one line in at most ``limit`` characters, cut at a word boundary with "…" when it is
    longer (never mid-word; a single word longer than ``limit`` is cut and marked with "…")."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " " and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-–—") + "…"


def headline_of(text: str) -> str | None:
    """A short first line without closing punctuation is the headline (txt convention).

    Leading datelines, timestamps and bylines (``is_furniture_line``) are passed over: they are
    never the headline."""
    skipped = 0
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if is_furniture_line(line) and skipped < _FURNITURE_LOOKAHEAD:
            skipped += 1
            continue
        words = line.split()
        if len(words) <= 20 and not _SENTENCE_END.search(line):
            return line.strip("*# ").strip() or None
        return None
    return None


def article_from_text(
    id: str,
    text: str,
    limits: Limits,
    *,
    title: str | None = None,
    site: str | None = None,
    url: str | None = None,
    published: str | None = None,
    source_path: str | None = None,
) -> Article:
    text = normalise_text(text)
    check_text(text, limits)
    id, title, site, url, published, source_path = (
        None if v is None else scrub(v) for v in (id, title, site, url, published, source_path)
    )
    return Article(
        id=id,
        text=text,
        title=title if title is not None else headline_of(text),
        site=site,
        url=url,
        published=published,
        source_path=source_path,
    )


# ---------------------------------------------------------------------------- readers


def read_file(path: Path, limits: Limits) -> Iterator[Article | IngestError]:
    """Articles of one file, errors as values."""
    for item, _line in _read_located(path, limits, "id", None):
        yield item


def _read_located(
    path: Path, limits: Limits, id_field: str, warn: Callable[[str], None] | None
) -> Iterator[tuple[Article | IngestError, int | None]]:
    """Articles (or errors) of one file, each with its JSONL line number (None elsewhere)."""
    sfx = suffix_of(path)
    shown = _shown(path)
    try:
        if sfx in JSONL_SUFFIXES:
            yield from _read_jsonl(path, limits, id_field, warn)
            return
        if sfx in WARC_SUFFIXES:
            for item in _read_warc(path, limits):
                yield item, None
            return
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise InputError(
                f"file too large ({size / _MIB:.1f} MiB > limit {limits.max_file_bytes / _MIB:.1f} MiB); "
                "raise Limits.max_file_bytes to accept it"
            )
        data = path.read_bytes()
        if not data:
            raise InputError("empty file")
        kind = binary_kind(data)
        if kind:
            raise InputError(f"binary file ({kind}), not text")
        text = decode_text(data)
        if sfx in HTML_SUFFIXES:
            yield article_from_html(path.stem, text, limits, source_path=str(path)), None
        else:
            yield article_from_text(path.stem, text, limits, source_path=str(path)), None
    except InputError as e:
        yield IngestError(shown, str(e)), None
    except OSError as e:
        yield IngestError(shown, f"cannot read file: {e.strerror or e}"), None


def _read_jsonl(
    path: Path, limits: Limits, id_field: str = "id", warn: Callable[[str], None] | None = None
) -> Iterator[tuple[Article | IngestError, int | None]]:
    """Records of a JSONL file. A record with no ``id`` but an id-like field (``doc_id``...) is refused
    with a line naming the field; for records with no id at all, ids ``<stem>-<line>`` are made up
    and ``warn`` gets one line per file saying so."""
    shown = _shown(path)
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
                obj = _parse_json_line(raw, lineno == 1)
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


def _parse_json_line(raw: bytes, first: bool) -> dict:
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
    if _SURROGATE.search(rid):
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


def article_from_html(
    id: str, html: str, limits: Limits, *, url: str | None = None, source_path: str | None = None
) -> Article:
    """Main text, title, date and site of an HTML page via trafilatura."""
    from .html import extract_html

    extracted = extract_html(html, limits, url=url)
    return article_from_text(
        id,
        extracted.text,
        limits,
        title=extracted.title,
        site=extracted.site,
        url=url or extracted.url,
        published=extracted.date,
        source_path=source_path,
    )


def _read_warc(path: Path, limits: Limits) -> Iterator[Article | IngestError]:
    """HTML responses of a WARC (plain or gzip). A record cut short (a crawl interrupted mid-write)
    is reported and not used; the complete records before it are kept."""
    from warcio.archiveiterator import ArchiveIterator

    shown = _shown(path)
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
        return IngestError(_shown(path), f"record {n} ({uri}): {e}")


def _charset(ctype: str) -> str | None:
    m = re.search(r"charset=([\w-]+)", ctype, re.I)
    if not m:
        return None
    try:
        codecs.lookup(m.group(1))
    except LookupError:
        return None
    return m.group(1)


def read_inputs(
    paths: Iterable[str | os.PathLike[str]],
    limits: Limits | None = None,
    *,
    id_field: str = "id",
    warn: Callable[[str], None] | None = None,
) -> Iterator[Article | IngestError]:
    """Articles of every file under ``paths``, in a stable order.

    JSONL ids come from the field ``id_field``; ``warn`` receives one line per JSONL file whose
    records had no id and were numbered by line.

    Ids must be unique across the inputs: a second article with an id already read and other
    content (text, title or date) is rejected with a line naming both places, never merged;
    the same id with the same content again is the same article and is passed over silently.
    """
    from ..records import content_hash

    limits = limits or Limits()
    first_seen: dict[str, tuple[str, str]] = {}
    for item in iter_files(paths):
        if isinstance(item, IngestError):
            yield item
            continue
        for art, line in _read_located(item, limits, id_field, warn):
            if isinstance(art, IngestError):
                yield art
                continue
            where = _shown(item) + (f":{line}" if line is not None else "")
            h = content_hash(art)
            prev = first_seen.get(art.id)
            if prev is not None:
                if prev[0] != h:
                    yield IngestError(
                        _shown(item),
                        f"duplicate id {art.id!r} with different content (first seen at "
                        f"{prev[1]}); rejected: give each version its own id",
                        line,
                    )
                continue  # same id, same content: the same article again
            first_seen[art.id] = (h, where)
            yield art
