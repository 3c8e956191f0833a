"""The two ways ingest refuses an input: ``InputError`` (raised for one document) and
``IngestError`` (the value a reader yields in its place, so a batch goes on)."""

from __future__ import annotations

from dataclasses import dataclass

from ..display import printable


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
