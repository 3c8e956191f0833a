"""``copydesk batch``: the analyze pipeline over a whole corpus, on Spark or in one process,
writing Parquet tables (``articles/``, ``pairs/``, ``stories/``; see :mod:`.tables`).
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

from ..config import Settings
from ..display import printable
from .stages import BatchSettings, batch_settings

ENGINES = ("spark", "local")
_MASTER = re.compile(r"^(local(\[(\*|\d+)(,\d+)?\])?|spark://\S+|yarn|k8s://\S+|mesos://\S+)$")
MAX_SKIP_LINES = 20


def _validate(inputs: list[str], engine: str, master: str, partitions: int | None) -> None:
    if not inputs:
        raise ValueError("give at least one input (JSONL/Parquet files, folders or URLs)")
    if engine not in ENGINES:
        raise ValueError(f"--engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if partitions is not None and partitions < 1:
        raise ValueError("--partitions must be >= 1")
    if engine == "spark" and not _MASTER.match(master or ""):
        raise ValueError(
            f"--master {master!r}: expected local, local[N], local[*], spark://HOST:PORT, yarn or k8s://…"
        )


def check_out_dir(out: Path, local_inputs: list[str]) -> None:
    """``ValueError`` (one line) for an ``--out`` that cannot be a folder of tables: one of its parents
    is a file, or it is an input or holds one (its tables are replaced, so that input would be lost).
    Checked before any input is read or anything is written."""
    for parent in (out, *out.parents):
        if parent.exists():
            if not parent.is_dir():
                raise ValueError(f"--out {out}: {parent} is a file, not a folder")
            break
    real_out = os.path.realpath(out)
    for raw in local_inputs:
        real_in = os.path.realpath(raw)
        if real_in == real_out or real_in.startswith(real_out.rstrip(os.sep) + os.sep):
            raise ValueError(f"--out {out}: the input {raw} is in this folder, whose tables are replaced; "
                             "choose another --out")


def run_batch(
    inputs: list[str],
    engine: str = "spark",
    out_dir: Path | str = "batch-out",
    master: str = "local[2]",
    partitions: int | None = None,
    settings: Settings | None = None,
    batch: BatchSettings | None = None,
    stats: dict | None = None,
) -> str:
    """Run the batch pipeline and write the tables; returns a one-line summary.

    ``stats``, if given, receives the engine's counts and ``stage_seconds`` (benchmarks).
    Raises ``ValueError`` for user errors (bad option, no input, nothing readable).
    """
    from .inputs import read_local, split_inputs
    from .tables import prepare_out_dir

    _validate(inputs, engine, master, partitions)
    out = Path(out_dir) if not isinstance(out_dir, str) or "://" not in out_dir else out_dir
    s = batch_settings(settings)
    bs = batch or BatchSettings()
    t0 = time.perf_counter()
    local_paths, urls = split_inputs(inputs)
    if isinstance(out, Path):
        check_out_dir(out, local_paths)
    if urls and engine != "spark":
        raise ValueError(f"{urls[0]}: URLs are read by Spark; use --engine spark (or give a local path)")
    if engine == "local" and not isinstance(out, Path):
        raise ValueError(f"--out {out}: the local engine writes to a local folder; use --engine spark for a URL")
    articles, skipped = read_local(local_paths, s.limits) if local_paths else ([], [])
    for line in skipped[:MAX_SKIP_LINES]:
        print(f"skipped {printable(line)}", file=sys.stderr)
    if len(skipped) > MAX_SKIP_LINES:
        print(f"... and {len(skipped) - MAX_SKIP_LINES} more skipped", file=sys.stderr)
    if not articles and not urls:
        raise ValueError(
            "no readable article in the inputs" + (f" ({len(skipped)} skipped)" if skipped else "")
        )
    if isinstance(out, Path):
        prepare_out_dir(out)
    if engine == "local":
        from .local import run_local
        from .tables import write_local

        assert isinstance(out, Path)  # checked above
        res = run_local(articles, s, bs)
        for name, rows in (("articles", res.articles), ("pairs", res.pairs), ("stories", res.stories)):
            write_local(out, name, rows)
        n_art, n_pairs = len(res.articles), res.pairs.num_rows
        n_stories = len(res.stories)
        n_multi = sum(1 for x in res.stories if len(x["articles"]) > 1)
        n_skipped = len(skipped)
        if stats is not None:
            stats.update(res.counts)
            stats["stage_seconds"] = dict(res.timings)
    else:
        from .spark import run_spark

        summary = run_spark(articles, urls, s, bs, out, master, partitions)
        n_art, n_pairs, n_stories, n_multi = (summary[k] for k in ("articles", "pairs", "stories", "multi"))
        n_skipped = len(skipped) + summary.get("skipped", 0)
        if stats is not None:
            stats.update(summary)
    secs = time.perf_counter() - t0
    return (
        f"{n_art} articles ({n_skipped} skipped), {n_pairs} pairs scored, {n_stories} stories "
        f"({n_multi} with several articles) -> {out} [{engine}, {secs:.1f} s, {n_art / max(secs, 1e-9):.1f} articles/s]"
    )
