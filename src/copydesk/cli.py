"""copydesk command line: analyze, verify, clean, eval, batch, serve, check."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

EXIT_OK, EXIT_FLAGGED, EXIT_SKIPPED = 0, 1, 2


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def _fail(msg: str, code: int = 2) -> None:
    click.echo(f"copydesk: error: {msg}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="copydesk")
def main() -> None:
    """Trace how one news story travels and mutates across outlets."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--db", default="copydesk.db", show_default=True, help="Store: a SQLite file or a postgresql:// URL.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), help="Write the full report as JSON.")
@click.option("--html", "html_out", type=click.Path(dir_okay=False, path_type=Path), help="Write a self-contained HTML report.")
@click.option("--no-claims", is_flag=True, help="Skip sentence alignment and claim checking (faster).")
@click.option("--quiet", "-q", is_flag=True, help="No terminal report, only errors and the summary line.")
@click.option("--max-article-chars", type=int, default=None, help="Reject articles longer than this (characters).")
def analyze(paths: tuple[str, ...], db: str, json_out: Path | None, html_out: Path | None, no_claims: bool,
            quiet: bool, max_article_chars: int | None) -> None:
    """Group PATHS (files or folders of .txt/.html/.jsonl/.warc) into stories and rewrite families,
    trace each article's source and report what each rewrite changed."""
    from .config import Limits, Settings
    from .ingest import IngestError, read_inputs
    from .pipeline import Pipeline
    from .report import build_report, to_json
    from .store import StoreError, open_store

    limits = Limits(max_article_chars=max_article_chars) if max_article_chars else Limits()
    settings = Settings(claims=not no_claims, limits=limits)
    err = _console(stderr=True)
    skipped: list[str] = []

    def articles():
        for item in read_inputs(paths, limits):
            if isinstance(item, IngestError):
                skipped.append(str(item))
                err.print(f"[yellow]skipped[/] {item}", markup=True, highlight=False)
            else:
                yield item

    try:
        store = open_store(db, lock=True)
    except StoreError as e:
        _fail(str(e))
    try:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}"),
                      TimeElapsedColumn(), console=err, transient=True, disable=quiet or not err.is_terminal) as bar:
            tasks: dict[str, int] = {}

            def progress(phase: str, done: int, total: int) -> None:
                if phase not in tasks:
                    tasks[phase] = bar.add_task(phase, total=total or None)
                bar.update(tasks[phase], completed=done, total=total or None)

            pipe = Pipeline(store, settings, progress=progress)
            ing = pipe.ingest(articles())
            for r in ing.rejected:
                skipped.append(r)
                err.print(f"[yellow]skipped[/] {r}", highlight=False)
            placed = pipe.place()
        report = build_report(store)
    except StoreError as e:
        _fail(str(e))
    finally:
        store.close()
    if json_out:
        json_out.write_text(to_json(report), encoding="utf-8")
    if html_out:
        from .report.html import render_html

        html_out.write_text(render_html(report), encoding="utf-8")
    if not quiet:
        from .report.terminal import render

        render(report, _console())
    n_multi = sum(1 for s in report["stories"] if len(s["articles"]) > 1)
    err.print(
        f"{ing.added} new, {ing.unchanged} already stored, {len(skipped)} skipped; {placed.placed} placed; "
        f"{len(report['stories'])} stories ({n_multi} with several articles) in {db}",
        highlight=False,
    )
    sys.exit(EXIT_SKIPPED if skipped else EXIT_OK)


@main.command()
@click.option("--db", default="copydesk.db", show_default=True, help="Store: a SQLite file or a postgresql:// URL.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def check(db: str, as_json: bool) -> None:
    """Verify a store's integrity and report its counts (exit 1 if anything is wrong)."""
    import json

    from .store import StoreError, open_store

    if not db.startswith(("postgres://", "postgresql://")) and not Path(db).exists():
        _fail(f"no store at {db}")
    try:
        store = open_store(db)
        res = store.check()
        store.close()
    except StoreError as e:
        _fail(str(e))
    except Exception as e:  # a corrupt file surfaces as sqlite3.DatabaseError
        _fail(f"store {db} is unreadable: {e}", 1)
    if as_json:
        click.echo(json.dumps(res, indent=2))
    else:
        counts = ", ".join(f"{k} {v}" for k, v in res["counts"].items())
        click.echo(f"{'ok' if res['ok'] else 'PROBLEMS'}: {db}: {counts}")
        for p in res["problems"]:
            click.echo(f"  - {p}")
    sys.exit(0 if res["ok"] else 1)


if __name__ == "__main__":
    main()
