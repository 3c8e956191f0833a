"""Progress of the long steps of ``analyze``, shown on a terminal: one bar per stage, each counting
articles (the unit the summary line uses) with its total, rate and time left, and each stopping when its
stage ends. Off with ``-q`` and when standard error is not a terminal (a pipe or a log file)."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

STAGE_LABEL = {"read": "read", "ingest": "analyze", "place": "place"}


class StageBars:
    """Bars for the stages of a run. ``start(stage, total)`` opens a stage (and ends the one before);
    ``advance_to(stage, done)`` moves it; ``pipeline_callback`` adapts the pipeline's
    ``progress(phase, done, total)`` calls, whose ``place`` phase counts components, to articles."""

    def __init__(self, console: Console, enabled: bool) -> None:
        self.enabled = enabled
        self._bar = Progress(
            TextColumn("{task.description:<8}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("articles · {task.fields[rate]}"),
            TextColumn("· left"),
            TimeRemainingColumn(),
            TextColumn("· took"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
            disable=not enabled,
        )
        self._tasks: dict[str, TaskID] = {}
        self._totals: dict[str, int | None] = {}
        self._current: str | None = None

    def __enter__(self) -> StageBars:
        self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()
        self._bar.__exit__(None, None, None)

    def start(self, stage: str, total: int | None) -> None:
        """Open ``stage`` with ``total`` articles (None: not known yet); the previous stage ends."""
        if stage == self._current:
            return
        self.finish()
        self._totals[stage] = total
        self._tasks[stage] = self._bar.add_task(STAGE_LABEL.get(stage, stage), total=total, rate="")
        self._current = stage

    def advance_to(self, stage: str, done: int) -> None:
        if stage != self._current:
            self.start(stage, None)
        task = self._tasks[stage]
        total = self._totals.get(stage)
        done = min(done, total) if total else done
        elapsed = self._bar.tasks[self._task_index(task)].elapsed or 0.0
        rate = f"{done / elapsed:,.1f}/s" if done and elapsed > 0.5 else ""
        self._bar.update(task, completed=done, rate=rate)

    def finish(self) -> None:
        """End the current stage: its bar shows what was done, and its clock stops."""
        if self._current is None:
            return
        task = self._tasks[self._current]
        done = self._bar.tasks[self._task_index(task)].completed
        self._bar.update(task, total=done, completed=done)
        self._bar.stop_task(task)
        self._current = None

    def _task_index(self, task: TaskID) -> int:
        return next(i for i, t in enumerate(self._bar.tasks) if t.id == task)

    def pipeline_callback(self, totals: dict[str, int]) -> Callable[[str, int, int], None]:
        """A ``progress(phase, done, total)`` for ``Pipeline``: ``totals`` holds the articles of each
        phase (``ingest``: the articles read; ``place``: the unplaced articles). A phase that counts
        something else (``place`` counts components) is scaled to its articles, so its bar ends at
        the "placed" figure of the summary line."""

        def progress(phase: str, done: int, total: int) -> None:
            articles = totals.get(phase)
            if phase != self._current:
                self.start(phase, articles or total or None)
            if articles and total and total != articles:
                done = round(done * articles / total)
            self.advance_to(phase, done)

        return progress
