"""Files and folders: every supported file under the given paths, each read by its reader
(by suffix), and ``read_inputs``, the articles of them all with ids checked unique."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..config import Limits
from ..records import Article, content_hash
from .errors import IngestError, InputError
from .html import HTML_SUFFIXES, article_from_html
from .jsonl import JSONL_SUFFIXES, read_jsonl
from .text import TEXT_SUFFIXES, article_from_text, read_text_file, shown_path
from .warc import WARC_SUFFIXES, read_warc


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
            yield IngestError(shown_path(p), "no such file or folder")
            continue
        if p.is_dir():
            yield from _walk(p, seen, set())
        elif not p.is_file():
            yield IngestError(shown_path(p), "not a regular file (device, socket or pipe); skipped")
        else:
            real = os.path.realpath(p)
            if real not in seen:
                seen.add(real)
                yield p


def _walk(folder: Path, seen: set[str], active: set[str]) -> Iterator[Path | IngestError]:
    real_dir = os.path.realpath(folder)
    if real_dir in active:
        yield IngestError(shown_path(folder), "symlink loop: folder already being read; skipped")
        return
    active = active | {real_dir}
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as e:
        yield IngestError(shown_path(folder), f"cannot read folder: {e.strerror or e}")
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
                yield IngestError(shown_path(path), "broken symbolic link; skipped")
                continue
            if not is_file:
                yield IngestError(shown_path(path), "not a regular file (device, socket or pipe); skipped")
                continue
            real = os.path.realpath(path)
            if real not in seen:
                seen.add(real)
                yield path


def read_file(path: Path, limits: Limits) -> Iterator[Article | IngestError]:
    """Articles of one file, errors as values."""
    for item, _line in _read_located(path, limits, "id", None):
        yield item


def _read_located(
    path: Path, limits: Limits, id_field: str, warn: Callable[[str], None] | None
) -> Iterator[tuple[Article | IngestError, int | None]]:
    """Articles (or errors) of one file, each with its JSONL line number (None elsewhere)."""
    sfx = suffix_of(path)
    shown = shown_path(path)
    try:
        if sfx in JSONL_SUFFIXES:
            yield from read_jsonl(path, limits, id_field, warn)
            return
        if sfx in WARC_SUFFIXES:
            for item in read_warc(path, limits):
                yield item, None
            return
        text = read_text_file(path, limits)
        if sfx in HTML_SUFFIXES:
            yield article_from_html(path.stem, text, limits, source_path=str(path)), None
        else:
            yield article_from_text(path.stem, text, limits, source_path=str(path)), None
    except InputError as e:
        yield IngestError(shown, str(e)), None
    except OSError as e:
        yield IngestError(shown, f"cannot read file: {e.strerror or e}"), None


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
            where = shown_path(item) + (f":{line}" if line is not None else "")
            h = content_hash(art)
            prev = first_seen.get(art.id)
            if prev is not None:
                if prev[0] != h:
                    yield IngestError(
                        shown_path(item),
                        f"duplicate id {art.id!r} with different content (first seen at "
                        f"{prev[1]}); rejected: give each version its own id",
                        line,
                    )
                continue  # same id, same content: the same article again
            first_seen[art.id] = (h, where)
            yield art
