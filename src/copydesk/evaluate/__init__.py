"""`copydesk eval`: measure copydesk on real data sets with the same code paths as the product.

Each task module exposes ``run(path, limit) -> dict`` returning flat metrics with the keys
named in the README (``n``, ``items_per_s``, ``b3_f1``, ...).
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

TASKS = {
    "stories": "copydesk.evaluate.stories",
    "rewrites": "copydesk.evaluate.rewrites",
    "paraphrase": "copydesk.evaluate.paraphrase",
    "claims": "copydesk.evaluate.claims",
    "align": "copydesk.evaluate.align",
}


def data_dir() -> Path:
    """Where the evaluation data lives: $COPYDESK_DATA, default ../shared/data."""
    return Path(os.environ.get("COPYDESK_DATA", "../shared/data"))


def iter_jsonl(
    path: str | os.PathLike[str],
    limit: int | None = None,
    what: str = "a JSON line",
    parse: Callable[[int, Any], Any] | None = None,
    errors: tuple[type[BaseException], ...] = (ValueError, KeyError, TypeError),
    detail: Callable[[BaseException], str] = str,
) -> Iterator[tuple[int, Any]]:
    """(line number, item) of each non-blank line of a JSONL file, the first ``limit`` of them.

    The item is the decoded line, or ``parse(line_no, decoded)`` when ``parse`` is given. A line
    that does not decode, or whose ``parse`` raises one of ``errors``, raises
    ``ValueError("{path}:{n}: not {what} ({detail(e)})")``. Lines after the ``limit``-th item are
    not read.
    """
    count = 0
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if parse is not None:
                    item = parse(n, item)
            except errors as e:
                raise ValueError(f"{path}:{n}: not {what} ({detail(e)})") from None
            yield n, item
            count += 1
            if limit is not None and count >= limit:
                return


def run_task(task: str, path: str | os.PathLike[str], limit: int | None = None) -> dict:
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; choose from {', '.join(TASKS)}")
    if limit is not None and limit <= 0:
        raise ValueError("--limit must be positive")
    mod = importlib.import_module(TASKS[task])
    return mod.run(Path(path), limit)


def print_table(task: str, path: Path, metrics: dict, console) -> None:
    from rich.table import Table

    t = Table(title=f"copydesk eval {task} — {path}", show_header=True, header_style="bold")
    t.add_column("metric")
    t.add_column("value", justify="right")
    for k, v in metrics.items():
        t.add_row(k, f"{v:.4f}" if isinstance(v, float) else str(v))
    console.print(t)
