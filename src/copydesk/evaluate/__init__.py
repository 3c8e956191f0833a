"""`copydesk eval`: measure copydesk on real data sets with the same code paths as the product.

Each task module exposes ``run(path, limit) -> dict`` returning flat metrics with the keys
named in the README (``n``, ``items_per_s``, ``b3_f1``, ...).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

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
