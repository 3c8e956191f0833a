"""What a user sees at the command line (issue 22): JSONL ids read from ``--id-field`` or refused
with a line naming the id-like field found; help texts that show required arguments as required and
say what an option takes; counts with the right plural; titles that are never a dateline or byline
and never cut mid-word."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "COLUMNS": "100"}

FIRE = (
    "A fire destroyed the old textile mill in Lowell on Monday night, the city's fire chief said. "
    "Nobody was hurt, and forty firefighters fought the blaze for six hours before it was contained."
)
VOTE = (
    "The city council of Springfield voted seven to two on Tuesday to close the municipal swimming pool "
    "for good, citing repair costs of 4.2 million dollars that the budget could not carry this year."
)


def copydesk(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "copydesk.cli", *args], capture_output=True, text=True, env=ENV, timeout=timeout
    )


def _analyze(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict | None]:
    out = tmp_path / "report.json"
    db = tmp_path / "store.db"
    for p in (out, db):
        if p.exists():
            p.unlink()
    res = copydesk("analyze", *args, "--db", str(db), "--no-claims", "-q", "--json", str(out))
    assert "Traceback" not in res.stderr, res.stderr
    return res, (json.loads(out.read_text()) if out.exists() else None)


def test_jsonl_id_field_is_read_or_refused_never_invented_silently(tmp_path):
    docs = tmp_path / "documents.jsonl"
    docs.write_text("".join(json.dumps({"doc_id": f"1_{i}ecb", "text": FIRE}) + "\n" for i in (10, 11, 12)),
                    encoding="utf-8")
    # without --id-field: refused, one line for the file (not one per record) naming the field found
    res, _ = _analyze(tmp_path, str(docs))
    assert res.returncode == 2
    lines = [ln for ln in res.stderr.splitlines() if "doc_id" in ln]
    assert len(lines) == 1, res.stderr
    assert "3 records skipped" in lines[0] and "no field 'id' but a field 'doc_id'" in lines[0]
    assert "--id-field doc_id" in lines[0]
    # with --id-field: the ids are the field's values
    res, report = _analyze(tmp_path, str(docs), "--id-field", "doc_id")
    assert res.returncode == 0, res.stderr
    assert sorted(a["id"] for a in report["articles"]) == ["1_10ecb", "1_11ecb", "1_12ecb"]
    assert "1 story " in res.stderr and "1 stories" not in res.stderr  # the summary's plural
    # records with no id at all: line-number ids, and one warning line for the file
    bare = tmp_path / "bare.jsonl"
    bare.write_text(json.dumps({"text": FIRE}) + "\n" + json.dumps({"text": VOTE}) + "\n", encoding="utf-8")
    res, report = _analyze(tmp_path, str(bare))
    assert res.returncode == 0, res.stderr
    assert sorted(a["id"] for a in report["articles"]) == ["bare-1", "bare-2"]
    warnings = [ln for ln in res.stderr.splitlines() if ln.startswith("warning")]
    assert len(warnings) == 1 and "2 records without 'id' got line-number ids" in warnings[0], res.stderr
    assert "2 stories" in res.stderr


def test_help_shows_required_arguments_and_what_options_take():
    res = copydesk("verify", "--help")
    assert res.returncode == 0
    assert "verify [OPTIONS] SOURCE REWRITE\n" in res.stdout
    assert "[SOURCE]" not in res.stdout and "[REWRITE]" not in res.stdout
    assert "--source PATH" in res.stdout and "--source TEXT" not in res.stdout
    assert "standard input" in " ".join(res.stdout.split())
    res = copydesk("serve", "--help")
    port = next(ln for ln in res.stdout.splitlines() if "--port" in ln)
    assert "port to listen on" in port
    res = copydesk("analyze", "--help")
    assert "--id-field NAME" in res.stdout


def test_titles_are_never_datelines_or_bylines_nor_cut_mid_word(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "mill.txt").write_text(
        "September 18th, 2013, 05: 31 GMT\nBy Jane Doe\n\nFire destroys Lowell textile mill\n\n" + FIRE,
        encoding="utf-8",
    )
    (folder / "pool.txt").write_text("MONDAY, MAY 23, 2005\n\n" + VOTE + "\n", encoding="utf-8")
    res, report = _analyze(tmp_path, str(folder))
    assert res.returncode == 0, res.stderr
    titles = {a["id"]: a["title"] for a in report["articles"]}
    assert titles["mill"] == "Fire destroys Lowell textile mill"
    story = {s["articles"][0]: s["title"] for s in report["stories"]}
    assert story["mill"] == "Fire destroys Lowell textile mill"
    # no headline: the story is titled by its first real sentence, shortened at a word boundary
    pool = story["pool"]
    assert "2005" not in pool and pool.endswith("…") and len(pool) <= 160
    assert VOTE.startswith(pool[:-1]) and VOTE[len(pool) - 1] == " ", pool


def test_every_command_and_option_has_complete_help():
    """``copydesk --help`` lists each command with a summary that is not cut off; every option of every
    command says what it does, and takes a named value (never a bare TEXT)."""
    from click import Option

    from copydesk.cli import main

    res = copydesk("--help")
    listed = res.stdout.split("Commands:")[1]
    assert "..." not in listed and "…" not in listed
    for name, cmd in main.commands.items():
        assert name in listed
        for p in cmd.params:
            if isinstance(p, Option) and p.name != "help":
                assert p.help, f"{name} {p.opts[0]} has no help"
        helptext = copydesk(name, "--help").stdout
        assert " TEXT " not in helptext, (name, helptext)
    assert "eval [OPTIONS] TASK" in " ".join(copydesk("eval", "--help").stdout.split())


def test_check_json_takes_a_file_like_every_other_json_option(tmp_path):
    db = tmp_path / "s.db"
    (tmp_path / "a.txt").write_text(FIRE, encoding="utf-8")
    assert copydesk("analyze", str(tmp_path / "a.txt"), "--db", str(db), "-q", "--no-claims").returncode == 0
    res = copydesk("check", "--db", str(db), "--json", str(tmp_path / "check.json"))
    assert res.returncode == 0 and res.stdout.startswith("ok: "), res.stdout + res.stderr
    assert json.loads((tmp_path / "check.json").read_text())["ok"] is True
    for alone in (["--json"], ["--json", "-"]):  # to standard output, as before
        res = copydesk("check", "--db", str(db), *alone)
        assert json.loads(res.stdout)["counts"]["articles"] == 1
    res = copydesk("check", "--db", str(db), "--json", str(db))  # never over the store
    assert res.returncode == 2 and "is the store" in res.stderr


def test_long_story_titles_end_at_a_word_with_one_ellipsis():
    from copydesk.display import shorten
    from copydesk.report.page import story_title

    long = ("The city council of Springfield voted seven to two on Tuesday to close the municipal swimming pool "
            "permanently, barring any swimmer from the premises, citing repair costs of millions")
    short = shorten(long, 160)
    assert len(short) <= 160 and short.endswith("…") and long.startswith(short[:-1])
    assert long[len(short) - 1] == " "  # the cut falls between words, never "permanently barr"
    assert story_title({"id": "s", "title": short}) == short  # the page adds no second "…"
