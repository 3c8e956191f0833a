"""Ingest: files and folders of .txt / .html / .jsonl / .warc(.gz) -> ``Article`` records.

Per-document problems become ``IngestError`` values yielded beside the articles, never
exceptions through the batch, so one bad file costs one line of output and nothing else.

One module a reader: ``text`` (decoding, normalisation, checks, plain-text articles), ``html``
(main-text extraction), ``jsonl`` (records, ids), ``warc`` (crawl archives), and ``files`` (the
walk over files and folders, and ``read_inputs``). Their public names are importable from here.
"""

from __future__ import annotations

from .errors import IngestError, InputError
from .files import iter_files, read_file, read_inputs, suffix_of
from .html import HTML_SUFFIXES, Extracted, article_from_html, extract_html, max_depth
from .jsonl import (
    ID_LIKE_FIELDS,
    JSONL_SUFFIXES,
    MAX_ID_CHARS,
    check_id,
    id_like_field,
    parse_json_line,
    read_jsonl,
    record_to_article,
)
from .text import (
    TEXT_SUFFIXES,
    article_from_text,
    binary_kind,
    check_text,
    decode_text,
    headline_of,
    normalise_text,
    read_text_file,
    scrub,
    shown_path,
)
from .warc import WARC_SUFFIXES, read_warc

__all__ = [
    "HTML_SUFFIXES",
    "ID_LIKE_FIELDS",
    "JSONL_SUFFIXES",
    "MAX_ID_CHARS",
    "TEXT_SUFFIXES",
    "WARC_SUFFIXES",
    "Extracted",
    "IngestError",
    "InputError",
    "article_from_html",
    "article_from_text",
    "binary_kind",
    "check_id",
    "check_text",
    "decode_text",
    "extract_html",
    "headline_of",
    "id_like_field",
    "iter_files",
    "max_depth",
    "normalise_text",
    "parse_json_line",
    "read_file",
    "read_inputs",
    "read_jsonl",
    "read_text_file",
    "read_warc",
    "record_to_article",
    "scrub",
    "shown_path",
    "suffix_of",
]
