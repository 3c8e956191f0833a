"""copydesk command line: analyze, verify, clean, eval, batch, serve, check."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path
from typing import NoReturn

import click

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

EXIT_OK, EXIT_FLAGGED, EXIT_SKIPPED = 0, 1, 2


def _console(stderr: bool = False):
    from rich.console import Console

    # stderr lines (skipped inputs, the summary) are never wrapped: one line per message.
    return Console(stderr=stderr, highlight=False, soft_wrap=stderr)


def _fail(msg: str, code: int = 2) -> NoReturn:
    from .display import printable

    click.echo(f"copydesk: error: {printable(msg)}", err=True)
    sys.exit(code)


def _same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether two paths name one file: the same path once symbolic links are resolved, or (both
    existing) the same inode, which also catches hard links."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _store_files(db: str) -> list[tuple[str, str]]:
    """(what, path) of every file a SQLite store at ``db`` uses; none for a PostgreSQL URL."""
    if db.startswith(("postgres://", "postgresql://")) or not db.strip():
        return []
    out = []
    for base in dict.fromkeys((db, os.path.realpath(db))):
        out += [("the store", base)] + [
            (f"the store's {kind} file", base + sfx)
            for kind, sfx in (("write-ahead log", "-wal"), ("shared-memory", "-shm"), ("journal", "-journal"),
                              ("lock", ".lock"))
        ]
    return out


def _check_outputs(outputs: dict[str, Path | None], protected: list[tuple[str, str]]) -> None:
    """Refuse (one line, exit 2) before anything is written: an output that is the store or one of its
    files, or an input file; two outputs that are one file; an output whose folder does not exist."""
    given = [(opt, p) for opt, p in outputs.items() if p is not None and str(p) != "-"]
    for i, (opt, p) in enumerate(given):
        for what, q in protected:
            if _same_file(p, q):
                _fail(f"{opt} {p} is {what}; refusing to overwrite it (choose another file)")
        for opt2, p2 in given[:i]:
            if _same_file(p, p2):
                _fail(f"{opt2} and {opt} are the same file {p}; choose two files")
        folder = p.parent
        if not folder.is_dir():  # the words the OS would use when the write failed
            why = "Not a directory" if folder.exists() else "No such file or directory"
            _fail(f"cannot write {p}: {why}")


def _input_files(paths: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    """(what, path) of every file the inputs name (folders walked as ``analyze`` walks them)."""
    from .ingest import iter_files

    return [("an input file", str(p)) for p in iter_files(paths) if isinstance(p, Path)]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="copydesk")
def main() -> None:
    """Trace how one news story travels and mutates across outlets."""


@main.command(short_help='Group files into stories and rewrite families; report what each rewrite changed.')
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--db", default="copydesk.db", show_default=True, metavar="FILE|URL",
    help="Store: a SQLite file or a postgresql:// URL.",
)
@click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the full report as JSON.",
)
@click.option(
    "--html",
    "html_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the HTML report: one self-contained page, or for a large run an index page and a page "
    "per story in the folder FILE_stories/ beside it.",
)
@click.option("--no-claims", is_flag=True, help="Skip sentence alignment and claim checking (faster).")
@click.option("--quiet", "-q", is_flag=True, help="No terminal report and no progress; only errors and the summary line.")
@click.option(
    "--summary/--detail",
    "summary_only",
    default=None,
    help="Terminal report: only the one-screen summary, or the summary and every story with its articles, "
    "flagged claims and facts. Default: the detail for up to 20 stories of several articles, else the summary.",
)
@click.option(
    "--max-article-chars",
    type=click.IntRange(min=1),
    default=None,
    help="Reject articles longer than this (characters).",
)
@click.option(
    "--id-field",
    default="id",
    show_default=True,
    metavar="NAME",
    help="The JSONL field that holds each record's id (e.g. doc_id).",
)
def analyze(
    paths: tuple[str, ...],
    db: str,
    json_out: Path | None,
    html_out: Path | None,
    no_claims: bool,
    quiet: bool,
    summary_only: bool | None,
    max_article_chars: int | None,
    id_field: str,
) -> None:
    """Group PATHS (files or folders of .txt/.html/.jsonl/.warc) into stories and rewrite families,
    trace each article's source and report what each rewrite changed."""
    from .config import Limits, Settings
    from .display import plural, printable

    _check_outputs({"--json": json_out, "--html": html_out}, _store_files(db) + _input_files(paths))
    limits = Limits(max_article_chars=max_article_chars) if max_article_chars else Limits()
    settings = Settings(claims=not no_claims, limits=limits)
    err = _console(stderr=True)
    if not id_field.strip():
        _fail("--id-field needs a field name")
    skipped: list[str] = []
    ing, placed, report = _analyze_into_store(paths, db, settings, id_field, quiet, err, skipped)
    _write_reports(report, json_out, html_out, quiet, err)
    if not quiet:
        from .report.terminal import render

        render(report, _console(), mode=None if summary_only is None else ("summary" if summary_only else "detail"))
    n_multi = sum(1 for s in report["stories"] if len(s["articles"]) > 1)
    err.print(
        f"{ing.added} new, {ing.unchanged} already stored, {len(skipped)} skipped; {placed.placed} placed; "
        f"{plural(len(report['stories']), 'story')} ({n_multi} with several articles) in {printable(db)}",
        highlight=False,
        markup=False,
    )
    sys.exit(EXIT_SKIPPED if skipped else EXIT_OK)


def _analyze_into_store(paths, db: str, settings, id_field: str, quiet: bool, err, skipped: list[str]):
    """Read ``paths``, store and place their articles in the store ``db`` (progress bars on a terminal)
    and build the report. Skipped inputs are printed and appended to ``skipped``.
    Returns (ingest result, placement result, report)."""
    from rich.markup import escape

    from .display import printable
    from .ingest import IngestError, read_inputs
    from .report import build_report
    from .runners.incremental import Pipeline
    from .store import StoreError, open_store

    def warn(msg: str) -> None:
        err.print(f"[yellow]warning[/] {escape(printable(msg))}", markup=True, highlight=False)

    def articles():
        for item in read_inputs(paths, settings.limits, id_field=id_field, warn=warn):
            if isinstance(item, IngestError):
                skipped.append(str(item))
                err.print(f"[yellow]skipped[/] {escape(printable(item))}", markup=True, highlight=False)
            else:
                yield item

    try:
        store = open_store(db, lock=True)
    except StoreError as e:
        _fail(str(e))
    try:
        from .report.progress import StageBars

        with StageBars(err, enabled=not quiet and err.is_terminal) as bars:
            # The articles are read first, so that analysing them shows a total, a rate and an ETA.
            items = []
            bars.start("read", None)
            for n, item in enumerate(articles(), 1):
                items.append(item)
                bars.advance_to("read", n)
            totals = {"ingest": len(items)}
            pipe = Pipeline(store, settings, progress=bars.pipeline_callback(totals), workers=settings.n_threads)
            bars.start("ingest", len(items))
            ing = pipe.ingest(iter(items))
            del items
            for r in ing.rejected:
                skipped.append(r)
                err.print(f"[yellow]skipped[/] {escape(printable(r))}", highlight=False)
            if bars.enabled:
                totals["place"] = len(store.unplaced_ids())
                bars.start("place", totals["place"])
            placed = pipe.place()
        report = build_report(store)
    except StoreError as e:
        _fail(str(e))
    except sqlite3.DatabaseError as e:  # a read or write failing mid-run (a worker's included)
        _fail(
            f"store {db}: {e}; every article and placement committed so far is kept: "
            "run the same command again to resume"
        )
    finally:
        store.close()
    return ing, placed, report


def _write_reports(report: dict, json_out: Path | None, html_out: Path | None, quiet: bool, err) -> None:
    """Write the JSON and HTML reports asked for (the HTML page's unit marks computed here)."""
    from .report import to_json

    try:
        if json_out:
            json_out.write_text(to_json(report), encoding="utf-8")
        if html_out:
            from .display import plural
            from .report.marks import unit_marks
            from .report.page import write_html

            written = write_html(report, html_out, marks=unit_marks(report))
            if written.split and not quiet:
                err.print(f"HTML report split: index {html_out}, {plural(len(written.pages) - 1, 'page')} in {written.folder}/",
                          highlight=False, markup=False)
    except OSError as e:  # the store is complete; only the report file could not be written
        _fail(f"cannot write {e.filename}: {e.strerror or e}")


@main.command(short_help="Check a store's integrity and print its counts.")
@click.option(
    "--db", default="copydesk.db", show_default=True, metavar="FILE|URL",
    help="Store: a SQLite file or a postgresql:// URL.",
)
@click.option(
    "--json",
    "json_out",
    is_flag=False,
    flag_value="-",
    default=None,
    metavar="[FILE]",
    help="Write the result as JSON to FILE, or to stdout ('-', or --json alone).",
)
def check(db: str, json_out: str | None) -> None:
    """Verify a store's integrity and report its counts (exit 1 if anything is wrong)."""
    import json

    from .display import printable
    from .store import StoreError, open_store

    if not db.startswith(("postgres://", "postgresql://")) and not Path(db).exists():
        _fail(f"no store at {db}")
    if json_out not in (None, "-"):
        _check_outputs({"--json": Path(json_out)}, _store_files(db))
    try:
        store = open_store(db)
        res = store.check()
        store.close()
    except StoreError as e:
        _fail(str(e))
    except Exception as e:  # a corrupt file surfaces as sqlite3.DatabaseError
        _fail(f"store {db} is unreadable: {e}", 1)
    if json_out == "-":
        click.echo(json.dumps(res, indent=2))
    elif json_out is not None:
        try:
            Path(json_out).write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
        except OSError as e:
            _fail(f"cannot write {e.filename}: {e.strerror or e}")
    if json_out != "-":
        counts = ", ".join(f"{k} {v}" for k, v in res["counts"].items())
        click.echo(printable(f"{'ok' if res['ok'] else 'PROBLEMS'}: {db}: {counts}"))
        for p in res["problems"]:
            click.echo(printable(f"  - {p}"))
    sys.exit(0 if res["ok"] else 1)


def _read_text_arg(arg: str, stdin_used: list[bool]) -> str:
    """A file (txt or html) or '-' for standard input, as text; InputError on bad input."""
    from .config import Limits
    from .ingest import (
        IngestError,
        InputError,
        binary_kind,
        check_text,
        decode_text,
        normalise_text,
        read_file,
    )

    if arg == "-":
        if stdin_used:
            raise InputError("standard input ('-') can be used only once")
        stdin_used.append(True)
        data = sys.stdin.buffer.read()
        if not data.strip():
            raise InputError("<stdin>: empty input")
        if binary_kind(data):
            raise InputError(f"<stdin>: binary data ({binary_kind(data)}), not text")
        try:
            text = decode_text(data)
            check_text(normalise_text(text), Limits())
        except InputError as e:
            raise InputError(f"<stdin>: {e}") from None
        return text
    p = Path(arg)
    if not p.is_file():
        raise InputError(f"{arg}: no such file")
    items = list(read_file(p, Limits()))
    if len(items) != 1:
        raise InputError(f"{arg}: expected one article, found {len(items)}")
    if isinstance(items[0], IngestError):
        raise InputError(str(items[0]))
    return items[0].text


@main.command(short_help='Check a rewrite against its source(s) before publication.')
@click.argument("source", required=False, metavar="SOURCE")
@click.argument("rewrite", required=False, metavar="REWRITE")
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="PATH",
    help="A source file (txt/html, or '-' for stdin) instead of the SOURCE argument; repeat for a rewrite "
    "that merges several reports (then give only REWRITE).",
)
@click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the verdict as JSON ('-' for stdout).",
)
@click.option(
    "--fail-on",
    default="unsupported,contradicted,artifact,dropped-quote",
    show_default=True,
    metavar="KINDS",
    help="What makes the check fail (exit 1): any of unsupported, contradicted, artifact, dropped-quote.",
)
@click.option(
    "--fix",
    "fix_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the rewrite with artifacts stripped to this file (claims untouched).",
)
@click.option(
    "--show-text/--no-show-text",
    default=None,
    help="After the findings, print the rewrite with the flagged spans marked. Default: on a terminal only.",
)
def verify(
    source: str | None,
    rewrite: str | None,
    sources: tuple[str, ...],
    json_out: Path | None,
    fail_on: str,
    fix_out: Path | None,
    show_text: bool | None,
) -> None:
    """Check REWRITE against SOURCE before publication.

    SOURCE and REWRITE are both required: files (txt/html), or '-' for standard input (for one of
    them). With --source PATH (repeatable) give only REWRITE.

    Prints the findings first, grouped: contradicted, unsupported, dropped quotes, artifacts; each
    with its text, the reason and the closest source sentence. Documents are named by their file names.

    Exit 0 when nothing in --fail-on is found, 1 when something is, 2 on bad input."""
    import json

    from .display import printable
    from .ingest import InputError
    from .report.verdict import document_names, name_documents
    from .verify import clean as clean_text
    from .verify import verify as run_verify

    src_args = list(sources)
    if source is not None and rewrite is None and src_args:
        rewrite, source = source, None
    if source is not None:
        src_args.insert(0, source)
    if not src_args or rewrite is None:
        _fail("give SOURCE and REWRITE (or --source A [--source B] REWRITE)")
    names = document_names(src_args, rewrite)
    inputs = [("an input file", a) for a in [*src_args, rewrite] if a != "-" and os.path.isfile(a)]
    _check_outputs({"--json": json_out, "--fix": fix_out}, inputs)
    stdin_used: list[bool] = []
    try:
        src_texts = [_read_text_arg(a, stdin_used) for a in src_args]
        rw_text = _read_text_arg(rewrite, stdin_used)
        report = run_verify(src_texts, rw_text, fail_on=fail_on)
    except (InputError, ValueError) as e:
        _fail(str(e))
    try:
        if fix_out is not None:
            from .display import plural

            fixed = clean_text(rw_text)
            fix_out.write_text(fixed.text, encoding="utf-8")
            click.echo(
                printable(
                    f"wrote {fix_out}: removed {plural(len(fixed.removed), 'artifact span')} "
                    f"({', '.join(sorted({a.kind for a in fixed.removed})) or 'none'})"
                ),
                err=True,
            )
        if json_out is not None:
            payload = json.dumps(name_documents(report.to_dict(), names), ensure_ascii=False, indent=2)
            if str(json_out) == "-":
                click.echo(payload)
            else:
                json_out.write_text(payload + "\n", encoding="utf-8")
    except OSError as e:
        _fail(f"cannot write {e.filename}: {e.strerror or e}")
    if json_out is None or str(json_out) != "-":
        from .report.terminal import render_verify

        console = _console()
        render_verify(report, console, names, show_text=console.is_terminal if show_text is None else show_text)
    sys.exit(EXIT_OK if report.ok else EXIT_FLAGGED)


@main.command("clean", short_help='Strip rewriting artifacts from a file.')
@click.argument("path")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout."
)
def clean_cmd(path: str, output: Path | None) -> None:
    """Strip rewriting artifacts from PATH (or '-') and print what was removed to stderr."""
    from .ingest import InputError
    from .verify import clean as clean_text

    _check_outputs({"-o": output}, [("the input file", path)] if path != "-" and os.path.isfile(path) else [])
    try:
        text = _read_text_arg(path, [])
    except InputError as e:
        _fail(str(e))
    res = clean_text(text)
    if output:
        try:
            output.write_text(res.text, encoding="utf-8")
        except OSError as e:
            _fail(f"cannot write {e.filename}: {e.strerror or e}")
    else:
        click.echo(res.text, nl=False)
    for a in res.removed:
        click.echo(f"removed {a.kind} [{a.start}:{a.end}] {a.text[:70]!r}", err=True)


@main.command("eval", short_help='Measure a task on a real data set.')
@click.argument("task", type=click.Choice(["stories", "rewrites", "paraphrase", "claims", "align"]), metavar="TASK")
@click.option(
    "--data",
    "data",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A JSONL file in the format of ../shared/data (ECB+, LLMFake, MRPC, SummEdits/QAGS/AggreFact, SuperPAL).",
)
@click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the metrics as flat JSON.",
)
@click.option("--limit", type=int, default=None, help="Use only the first N items (a bounded sample).")
def eval_cmd(task: str, data: Path, json_out: Path | None, limit: int | None) -> None:
    """Measure TASK on a real data set with the same code paths as analyze/verify.

    TASK is one of stories, rewrites, paraphrase, claims, align."""
    import json

    from .evaluate import print_table, run_task

    _check_outputs({"--json": json_out}, [("the --data file", str(data))])
    try:
        metrics = run_task(task, data, limit=limit)
    except ValueError as e:
        _fail(str(e))
    print_table(task, data, metrics, _console())
    if json_out:
        try:
            json_out.write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        except OSError as e:
            _fail(f"cannot write {e.filename}: {e.strerror or e}")


@main.command(short_help='Analyse a corpus on Spark (or locally) into Parquet tables.')
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--engine",
    type=click.Choice(["spark", "local"]),
    default="spark",
    show_default=True,
    help="Run on Spark (--master) or in this process with one worker per core.",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the Parquet tables articles/, pairs/, stories/.",
)
@click.option(
    "--master",
    default="local[2]",
    show_default=True,
    metavar="URL",
    help="Spark master URL (local[N] or spark://host:port).",
)
@click.option("--partitions", type=click.IntRange(min=1), default=None, metavar="N",
              help="Spark partitions (default: 2 x cores).")
@click.option(
    "--id-field",
    default="id",
    show_default=True,
    metavar="NAME",
    help="The JSONL field (or Parquet column) that holds each record's id (e.g. doc_id).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress; only errors, skipped inputs and the summary line.")
def batch(
    inputs: tuple[str, ...], engine: str, out_dir: Path, master: str, partitions: int | None, id_field: str,
    quiet: bool,
) -> None:
    """Batch analysis of INPUTS (JSONL/Parquet files, folders, or URLs read by Spark), writing Parquet
    tables. On a terminal, a progress bar per stage counts articles."""
    from rich.markup import escape

    from .display import printable
    from .report.progress import StageBars
    from .runners.batch import run_batch

    if not id_field.strip():
        _fail("--id-field needs a field name")
    err = _console(stderr=True)

    def warn(msg: str) -> None:
        err.print(f"[yellow]warning[/] {escape(printable(msg))}", markup=True, highlight=False)

    try:
        with StageBars(err, enabled=not quiet and err.is_terminal) as bars:
            summary = run_batch(
                list(inputs), engine=engine, out_dir=out_dir, master=master, partitions=partitions,
                progress=bars.pipeline_callback({}), id_field=id_field, warn=warn,
            )
    except ValueError as e:
        _fail(str(e))
    except OSError as e:  # the out folder could not be made or written
        _fail(f"cannot write {e.filename}: {e.strerror or e}")
    click.echo(printable(summary), err=True)


@main.command(short_help='Serve the web UI and the HTTP API over a store.')
@click.option(
    "--db", default="copydesk.db", show_default=True, metavar="FILE|URL",
    help="Store: a SQLite file or a postgresql:// URL.",
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, metavar="ADDRESS", help="Interface to bind (loopback by default)."
)
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="TCP port to listen on."
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Worker processes (PostgreSQL store only).",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="Another name accepted in the Host header (besides 127.0.0.1, localhost, [::1] and --host); repeatable.",
)
def serve(db: str, host: str, port: int, workers: int, allowed_hosts: tuple[str, ...]) -> None:
    """Serve the web UI and the HTTP API over a store."""
    from .web.app import serve as run_server

    run_server(db=db, host=host, port=port, workers=workers, allowed_hosts=allowed_hosts)


if __name__ == "__main__":
    main()
