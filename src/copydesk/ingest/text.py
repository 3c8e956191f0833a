"""Plain text: bytes -> text (decoding without guessing), the text every offset refers to, the
checks every article text passes, and ``Article`` records from a text and its metadata."""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

from ..config import Limits
from ..display import is_furniture_line
from ..records import Article
from .errors import InputError

TEXT_SUFFIXES = {".txt", ".text"}

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
_MIB = 1024 * 1024


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
# Characters that show nothing: whitespace, controls and the zero-width / format characters
# (zero-width spaces and joiners, bidi controls, BOM, Hangul fillers), surrogates.
_VISIBLE = re.compile(
    r"[^\s\x00-\x1f\x7f-\x9f\u00ad\u034f\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"
    r"\u3164\ufeff\uffa0\ud800-\udfff]"
)


def scrub(s: str) -> str:
    """Lone surrogates (from JSON escapes like "\\ud800" or undecodable file names) -> U+FFFD.

    They cannot be encoded as UTF-8, so the store, the JSON report and the terminal would fail
    on them; one replacement character per surrogate keeps every other offset unchanged.
    """
    return _SURROGATE.sub("\ufffd", s)


def has_surrogate(s: str) -> bool:
    """Whether ``s`` holds a lone surrogate (which ``scrub`` would replace)."""
    return _SURROGATE.search(s) is not None


def shown_path(path: os.PathLike[str] | str) -> str:
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


_SENTENCE_END = re.compile(r"[.!?:;…\"”’)]\s*$")
_FURNITURE_LOOKAHEAD = 6  # leading lines a headline search passes over when they are furniture


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
    id = scrub(id)
    title, site, url, published, source_path = (
        None if v is None else scrub(v) for v in (title, site, url, published, source_path)
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


def read_text_file(path: Path, limits: Limits) -> str:
    """The decoded text of one .txt or .html file; ``InputError`` for a file over
    ``limits.max_file_bytes``, an empty or binary file, or text that is not UTF-8/16/32.
    ``OSError`` passes through (the caller reports it)."""
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
    return decode_text(data)
