"""Hostile users of the command line, the store and ingest (issue 21).

Output paths that would overwrite the store or an input, stores that are not copydesk's, terminal
injection through ids, titles and file names, CRLF offsets, invisible texts, ids that must round-trip,
and the inputs that used to end in a traceback. The rule everywhere: one line on stderr, exit 2,
nothing already stored lost.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from test_cli import no_traceback
from test_reliability import ENV, copydesk, story

# ----------------------------------------------------------------------------- helpers


def one_line_exit_2(res: subprocess.CompletedProcess, *needles: str) -> str:
    """The single stderr line of a refused command (exit 2, no traceback), checked for ``needles``."""
    no_traceback(res)
    assert res.returncode == 2, (res.returncode, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


def copydesk_stdin(data: bytes, *args: str) -> subprocess.CompletedProcess:
    """``copydesk ARGS`` with ``data`` on standard input; output decoded as UTF-8."""
    res = subprocess.run([sys.executable, "-m", "copydesk.cli", *args], input=data, capture_output=True, env=ENV,
                         timeout=300)
    return subprocess.CompletedProcess(res.args, res.returncode, res.stdout.decode("utf-8", "replace"),
                                       res.stderr.decode("utf-8", "replace"))


def raw_text(p: Path) -> str:
    """A file's text exactly as its bytes say (no newline translation, unlike ``Path.read_text``)."""
    return p.read_bytes().decode("utf-8")


def report_spans(report: dict):
    """(article id, start, end, text, kind) of every span of an analyze report."""
    for a in report["articles"]:
        own = a["id"]
        for x in a["artifacts"]:
            yield own, x["start"], x["end"], x["text"], "artifact"
        for x in a.get("alignment") or []:
            yield own, x["start"], x["end"], x["sentence"], "alignment"
            for s in x.get("source_sentences") or []:
                yield s["article"], s["start"], s["end"], s["text"], "alignment source"
        for c in a.get("claims") or []:
            yield own, c["start"], c["end"], c["text"], "claim"
        for d in a.get("dropped") or []:
            yield d["article"], d["start"], d["end"], d["text"], "dropped"


# ----------------------------------------------------------------------------- CRLF offsets


def test_crlf_report_spans_are_offsets_into_the_raw_file(tmp_path, seeds_dir):
    folder = tmp_path / "crlf"
    folder.mkdir()
    for p in sorted(seeds_dir.glob("*.txt")):
        lf = p.read_bytes().replace(b"\r\n", b"\n")
        (folder / p.name).write_bytes(lf.replace(b"\n", b"\r\n"))
    out = tmp_path / "r.json"
    res = copydesk("analyze", str(folder), "--db", str(tmp_path / "s.db"), "--json", str(out), "-q")
    assert res.returncode == 0, res.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    raw = {p.stem: raw_text(p) for p in folder.glob("*.txt")}
    assert all("\r\n" in t for t in raw.values())
    kinds: dict[str, int] = {}
    for aid, start, end, text, kind in report_spans(report):
        assert raw[aid][start:end] == text, (kind, aid, start, end, text[:60])
        kinds[kind] = kinds.get(kind, 0) + 1
    assert {"artifact", "alignment", "alignment source", "claim", "dropped"} <= kinds.keys(), kinds
    # The same analysis as the LF seeds: relations, artifacts, claims; only the offsets moved.
    lf_out = tmp_path / "lf.json"
    res = copydesk("analyze", str(seeds_dir), "--db", str(tmp_path / "lf.db"), "--json", str(lf_out), "-q")
    assert res.returncode == 0, res.stderr

    def summary(rep: dict) -> list:
        return [(a["id"], a["relation"], a["source"], [(x["kind"], x["text"].replace("\r", "")) for x in a["artifacts"]],
                 [(c["status"], c["text"]) for c in a.get("claims") or []]) for a in rep["articles"]]

    assert summary(report) == summary(json.loads(lf_out.read_text(encoding="utf-8")))


def test_crlf_file_stored_with_lf_before_is_still_the_same_article(tmp_path):
    """Stores written before CRLF was kept hold the LF text: the CRLF file is not a new version."""
    from copydesk.records import Article, content_hash

    text = story(0, "Springfield", "Earthquake")
    assert content_hash(Article("a", text.replace("\n", "\r\n"))) == content_hash(Article("a", text))
    assert content_hash(Article("a", text + " More.")) != content_hash(Article("a", text))


# ----------------------------------------------------------------------------- invisible texts

INVISIBLE = "\u200b\u200c\u200d\ufeff\u2060"


@pytest.mark.parametrize("text", [INVISIBLE, f" {INVISIBLE}\n\t\u200b \r\n\u2060", "\ufeff" * 50, "\u200b\n\u200b"],
                         ids=["five-kinds", "with-whitespace", "bom-run", "two-lines"])
def test_text_of_only_zero_width_characters_is_refused_as_empty(text):
    from copydesk.config import Limits
    from copydesk.ingest import InputError, article_from_text, record_to_article

    with pytest.raises(InputError, match="only zero-width characters and whitespace"):
        article_from_text("x", text, Limits())
    with pytest.raises(InputError, match="only zero-width characters"):
        record_to_article({"id": "x", "text": text}, Limits())
    assert article_from_text("x", text + "a", Limits()).text.endswith("a")  # one visible character is enough


def test_articles_of_three_words_are_placed_like_any_other(tmp_path):
    """Three headlines of three words, two of them one text: tracing hashes each on its own, and a text
    shorter than a shingle crashed analyze (an abort, nothing placed) until session 25."""
    lines = ["Fire downtown today.", "Fire downtown today!", "Fire downtown tonight."]
    src = tmp_path / "short.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in zip("abc", lines, strict=True)))
    res = copydesk("analyze", str(src), "--db", str(tmp_path / "s.db"), "--json", str(tmp_path / "o.json"), "-q")
    assert res.returncode == 0, res.stderr
    by_id = {a["id"]: a for a in json.loads((tmp_path / "o.json").read_text())["articles"]}
    assert by_id["b"]["source"] == "a" and by_id["b"]["relation"] == "duplicate"
    assert len({a["story"] for a in by_id.values()}) == 1


def test_analyze_skips_invisible_files_and_lines_and_stores_nothing_of_them(tmp_path):
    (tmp_path / "zw.txt").write_text(INVISIBLE + "\n" + INVISIBLE)
    (tmp_path / "feed.jsonl").write_text(json.dumps({"id": "zw", "text": INVISIBLE}) + "\n"
                                         + json.dumps({"id": "ok", "text": story(1, "Ogdenville", "Flood")}) + "\n")
    db = tmp_path / "s.db"
    res = copydesk("analyze", str(tmp_path / "zw.txt"), str(tmp_path / "feed.jsonl"), "--db", str(db), "--no-claims",
                   "-q")
    no_traceback(res)
    assert res.returncode == 2
    skips = [ln for ln in res.stderr.splitlines() if ln.startswith("skipped ")]
    assert skips == [
        f"skipped {tmp_path / 'zw.txt'}: text is only zero-width characters and whitespace (nothing visible)",
        f"skipped {tmp_path / 'feed.jsonl'}:1: text is only zero-width characters and whitespace (nothing visible)",
    ]
    with sqlite3.connect(db) as c:
        assert [r[0] for r in c.execute("SELECT id FROM articles")] == ["ok"]


def test_verify_refuses_an_invisible_rewrite_or_source(tmp_path, seeds_dir):
    src = seeds_dir / "000_dc2d94248d973954.txt"
    zw = tmp_path / "zw.txt"
    zw.write_text(INVISIBLE * 3)
    one_line_exit_2(copydesk("verify", str(src), str(zw)), str(zw), "only zero-width characters")
    one_line_exit_2(copydesk("verify", str(zw), str(src)), str(zw), "only zero-width characters")
    res = copydesk_stdin(INVISIBLE.encode(), "verify", "-", str(src))
    one_line_exit_2(res, "<stdin>: text is only zero-width characters")


# ----------------------------------------------------------------------------- stores that are not stores

ONE = story(0, "Springfield", "Earthquake")


@pytest.fixture
def one_article(tmp_path) -> Path:
    p = tmp_path / "in" / "quake.txt"
    p.parent.mkdir()
    p.write_text(ONE)
    return p


def stored_ids(db: Path) -> list[str]:
    with sqlite3.connect(db) as c:
        return [r[0] for r in c.execute("SELECT id FROM articles ORDER BY id")]


def sqlite_tables(db: Path) -> list[str]:
    with sqlite3.connect(db) as c:
        return sorted(r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))


@pytest.mark.parametrize("db", ["", " ", ":memory:"])
def test_store_that_would_vanish_is_refused_without_a_lock_file(tmp_path, one_article, db):
    res = copydesk("analyze", str(one_article), "--db", db, "--no-claims", "-q", cwd=tmp_path)
    one_line_exit_2(res, "copydesk: error: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]  # no lock file, no database
    one_line_exit_2(copydesk("check", "--db", db, cwd=tmp_path))


@pytest.mark.parametrize(("schema", "needle"), [
    (["CREATE TABLE users (id INTEGER, name TEXT)", "INSERT INTO users VALUES (1, 'ann')"],
     "not a copydesk store (a database with other tables: users)"),
    (["CREATE TABLE meta (name TEXT, v INTEGER)", "INSERT INTO meta VALUES ('x', 1)"],
     "its 'meta' table is another program's"),
    (["CREATE TABLE meta (key TEXT, value TEXT)", "INSERT INTO meta VALUES ('owner', 'other')",
      "CREATE TABLE posts (body TEXT)"], "its 'meta' table is another program's"),
], ids=["other-tables", "meta-other-columns", "meta-without-version"])
def test_another_programs_sqlite_file_is_refused_and_left_alone(tmp_path, one_article, schema, needle):
    db = tmp_path / "theirs.db"
    with sqlite3.connect(db) as c:
        for stmt in schema:
            c.execute(stmt)
    before = db.read_bytes()
    for args in (("analyze", str(one_article), "--no-claims", "-q"), ("check",)):
        one_line_exit_2(copydesk(*args, "--db", str(db)), f"copydesk: error: {db} ", needle, "give another --db")
    assert db.read_bytes() == before
    assert not (tmp_path / "theirs.db.lock").exists()


def test_a_copydesk_store_with_an_extra_table_of_the_users_still_opens(tmp_path, one_article):
    db = tmp_path / "s.db"
    assert copydesk("analyze", str(one_article), "--db", str(db), "--no-claims", "-q").returncode == 0
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE my_notes (article_id TEXT, note TEXT)")
    res = copydesk("analyze", str(one_article), "--db", str(db), "--no-claims", "-q")
    assert res.returncode == 0, res.stderr
    assert "0 new, 1 already stored" in res.stderr


def test_store_api_refuses_a_foreign_database(tmp_path):
    from copydesk.store import StoreError, open_store

    db = tmp_path / "theirs.db"
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE users (id INTEGER)")
    with pytest.raises(StoreError, match="not a copydesk store"):
        open_store(str(db), lock=True)
    assert sqlite_tables(db) == ["users"]
    with pytest.raises(StoreError, match="a folder"):
        open_store(str(tmp_path))


def test_db_dev_null_is_one_line(one_article):
    made = [p for p in (Path("/dev/null.lock"), Path("/dev/null-journal"), Path("/dev/null-wal")) if not p.exists()]
    try:
        res = copydesk("analyze", str(one_article), "--db", "/dev/null", "--no-claims", "-q")
        one_line_exit_2(res, "store /dev/null is not a regular file")
        assert not any(p.exists() for p in made)
    finally:
        for p in made:  # the old code created these; remove only what this test made
            p.unlink(missing_ok=True)


def test_store_whose_lock_path_is_a_folder_is_one_line_and_keeps_its_articles(tmp_path, one_article):
    db = tmp_path / "s.db"
    assert copydesk("analyze", str(one_article), "--db", str(db), "--no-claims", "-q").returncode == 0
    lock = tmp_path / "s.db.lock"
    lock.unlink()
    lock.mkdir()
    other = tmp_path / "in" / "flood.txt"
    other.write_text(story(1, "Shelbyville", "Flood"))
    res = copydesk("analyze", str(other), "--db", str(db), "--no-claims", "-q")
    one_line_exit_2(res, f"cannot open the writer lock {lock}: Is a directory")
    assert stored_ids(db) == ["quake"]


# ----------------------------------------------------------------------------- outputs that would overwrite


@pytest.fixture
def stored(tmp_path, one_article) -> tuple[Path, Path]:
    """A store holding one article, and the folder of its input."""
    db = tmp_path / "s.db"
    res = copydesk("analyze", str(one_article.parent), "--db", str(db), "--no-claims", "-q")
    assert res.returncode == 0, res.stderr
    return db, one_article.parent


def store_intact(db: Path) -> None:
    from copydesk.store import open_store

    s = open_store(str(db))
    try:
        assert s.article_ids() == ["quake"] and s.check()["ok"]
    finally:
        s.close()


@pytest.mark.parametrize("target", ["store", "wal", "shm", "lock", "symlink", "hardlink", "dotted", "input"])
@pytest.mark.parametrize("opt", ["--json", "--html"])
def test_analyze_refuses_a_report_over_the_store_or_an_input(tmp_path, stored, opt, target):
    db, inputs = stored
    quake = inputs / "quake.txt"
    before = quake.read_bytes()
    path = {"store": db, "wal": Path(f"{db}-wal"), "shm": Path(f"{db}-shm"), "lock": Path(f"{db}.lock"),
            "symlink": tmp_path / "link.json", "hardlink": tmp_path / "hard.json",
            "dotted": inputs / ".." / "s.db", "input": quake}[target]
    if target == "symlink":
        path.symlink_to(db)
    if target == "hardlink":
        Path(path).hardlink_to(db)
    res = copydesk("analyze", str(inputs), "--db", str(db), opt, str(path), "--no-claims", "-q")
    what = "an input file" if target == "input" else "the store"
    one_line_exit_2(res, f"copydesk: error: {opt} {path} is {what}", "refusing to overwrite it")
    store_intact(db)
    assert quake.read_bytes() == before


def test_analyze_refuses_before_creating_a_new_store(tmp_path, one_article):
    db = tmp_path / "new.db"
    res = copydesk("analyze", str(one_article), "--db", str(db), "--json", str(db), "--no-claims", "-q")
    one_line_exit_2(res, "is the store")
    assert not db.exists() and not Path(f"{db}.lock").exists()


def test_analyze_refuses_json_and_html_into_one_file(tmp_path, one_article):
    out = tmp_path / "r.out"
    res = copydesk("analyze", str(one_article), "--db", str(tmp_path / "s.db"), "--json", str(out), "--html", str(out),
                   "--no-claims", "-q")
    one_line_exit_2(res, "--json and --html are the same file")
    assert not out.exists() and not (tmp_path / "s.db").exists()


def test_verify_and_clean_refuse_to_overwrite_their_inputs(tmp_path, seeds_dir):
    src, rw = tmp_path / "src.txt", tmp_path / "rw.txt"
    src.write_bytes((seeds_dir / "000_dc2d94248d973954.txt").read_bytes())
    rw.write_bytes((seeds_dir / "002_29101901bd87bdbd.txt").read_bytes())
    before = (src.read_bytes(), rw.read_bytes())
    one_line_exit_2(copydesk("verify", str(src), str(rw), "--json", str(src)), f"--json {src} is an input file")
    one_line_exit_2(copydesk("verify", str(src), str(rw), "--fix", str(rw)), f"--fix {rw} is an input file")
    one_line_exit_2(copydesk("verify", "--source", str(src), str(rw), "--fix", str(tmp_path / "." / "src.txt")),
                    "is an input file")
    one_line_exit_2(copydesk("verify", str(src), str(rw), "--fix", str(tmp_path / "f.txt"), "--json",
                             str(tmp_path / "f.txt")), "--json and --fix are the same file")
    one_line_exit_2(copydesk("clean", str(rw), "-o", str(rw)), f"-o {rw} is the input file")
    assert (src.read_bytes(), rw.read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rw.txt", "src.txt"]


def test_outputs_into_a_missing_folder_are_one_line(tmp_path, seeds_dir):
    src, rw = seeds_dir / "000_dc2d94248d973954.txt", seeds_dir / "002_29101901bd87bdbd.txt"
    missing = tmp_path / "no such folder" / "out.txt"
    line = f"copydesk: error: cannot write {missing}: No such file or directory"
    assert one_line_exit_2(copydesk("verify", str(src), str(rw), "--json", str(missing))) == line
    assert one_line_exit_2(copydesk("verify", str(src), str(rw), "--fix", str(missing))) == line
    assert one_line_exit_2(copydesk("clean", str(rw), "-o", str(missing))) == line
    assert not missing.parent.exists()


# ----------------------------------------------------------------------------- terminal injection

CLEAR = "\x1b[2J\x1b[H"
OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07"  # write "rm -rf ~" to the clipboard
TITLE = "\x1b]0;pwned\x07"


def no_raw_escapes(*outputs: str) -> None:
    for out in outputs:
        assert "\x1b" not in out and "\x07" not in out and "\x00" not in out, out[:400]


def test_ids_and_titles_cannot_drive_the_terminal_or_rich_markup(tmp_path):
    a, b = story(0, "Springfield", "Earthquake"), story(1, "Shelbyville", "Flood")
    lines = [
        {"id": f"wire{CLEAR}1", "title": f"Quake{OSC52}", "text": a},
        {"id": f"wire{TITLE}2", "title": f"Quake{OSC52} [bold red]ALERT[/] [/nope]", "text": a + " More to follow."},
        {"id": "solo\u202eevil", "title": f"Flood{TITLE} [link=http://x.example]click[/link]", "text": b},
    ]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(x) + "\n" for x in lines))
    db = tmp_path / f"s{CLEAR}.db"
    res = subprocess.run([sys.executable, "-m", "copydesk.cli", "analyze", str(feed), "--db", str(db), "--no-claims"],
                         capture_output=True, text=True, env={**ENV, "COLUMNS": "300"}, timeout=300)
    no_traceback(res)
    assert res.returncode == 0, res.stderr
    no_raw_escapes(res.stdout, res.stderr)
    assert "\u202e" not in res.stdout
    flat = res.stdout.replace("\n", "")
    assert "wire\\x1b[2J\\x1b[H1" in flat and "wire\\x1b]0;pwned\\x072" in flat
    assert "Quake\\x1b]52;c;cm0gLXJmIH4=\\x07" in flat
    assert "solo\\u202eevil" in flat
    assert "[bold red]ALERT[/] [/nope]" in flat  # printed as typed, not read as markup
    assert "[link=http://x.example]click[/link]" in flat
    assert res.stderr.strip().endswith(f"in {str(db).replace(CLEAR, chr(92) + 'x1b[2J' + chr(92) + 'x1b[H')}")
    check = copydesk("check", "--db", str(db))
    assert check.returncode == 0, check.stderr
    no_raw_escapes(check.stdout)
    assert len(check.stdout.strip().splitlines()) == 1


def test_a_newline_in_a_file_name_cannot_forge_a_second_line(tmp_path):
    evil = tmp_path / f"evil\nskipped PASSWD: forged{CLEAR}.txt"
    evil.write_text("")
    ok = tmp_path / "ok.txt"
    ok.write_text(story(2, "Ogdenville", "Tornado"))
    res = copydesk("analyze", str(evil), str(ok), "--db", str(tmp_path / "s.db"), "--no-claims", "-q")
    no_traceback(res)
    assert res.returncode == 2
    no_raw_escapes(res.stderr)
    lines = res.stderr.strip().splitlines()
    assert [ln for ln in lines if ln.startswith("skipped")] == [
        f"skipped {tmp_path}/evil\\nskipped PASSWD: forged\\x1b[2J\\x1b[H.txt: empty file"]
    assert lines[-1].startswith("1 new, 0 already stored, 1 skipped")
    # batch prints its skip lines the same way
    res = copydesk("batch", "--engine", "local", str(evil), "--out", str(tmp_path / "out"))
    assert "Traceback" not in res.stderr
    no_raw_escapes(res.stderr)
    assert "skipped PASSWD" not in [ln[:14] for ln in res.stderr.splitlines()]
    assert f"skipped {tmp_path}/evil\\nskipped PASSWD" in res.stderr


def test_skip_lines_of_a_corrupt_warc_show_no_raw_bytes(tmp_path):
    import gzip

    from test_reliability import _html, _warc

    cut = _warc([(f"http://news.example/{OSC52}{CLEAR}", _html("Storm", story(1, "Port", "Gale")))])
    (tmp_path / "cut.warc").write_bytes(cut[:-60])
    (tmp_path / "junk.warc.gz").write_bytes(gzip.compress(f"WARC{TITLE} {CLEAR}\x00zz\r\n\r\n".encode()))
    (tmp_path / "badlen.warc").write_bytes(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 2\r\n\r\n"
                                           b"hello\x1b[2J\x00\r\n\r\n")
    res = copydesk("analyze", str(tmp_path), "--db", str(tmp_path / "s.db"), "--no-claims", "-q")
    no_traceback(res)
    assert res.returncode == 2
    no_raw_escapes(res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 4 and all(ln.startswith("skipped ") for ln in lines[:3]), res.stderr  # no warcio warning
    assert "news.example/\\x1b]52;c;cm0gLXJmIH4=\\x07\\x1b[2J\\x1b[H): truncated record" in res.stderr


def test_verify_output_escapes_the_texts_and_keeps_the_marks_in_place(tmp_path, seeds_dir):
    from copydesk.display import printable, printable_text

    src = seeds_dir / "000_dc2d94248d973954.txt"
    rw = raw_text(seeds_dir / "002_29101901bd87bdbd.txt").replace("\n", "\r\n")
    rw = rw.replace("Russia", "Rus\u202esia [/nope] [bold]", 1)
    res = copydesk_stdin(rw.encode(), "verify", str(src), "-")
    no_traceback(res)
    assert res.returncode in (0, 1)
    no_raw_escapes(res.stdout, res.stderr)
    assert "\u202e" not in res.stdout and "\r" not in res.stdout
    assert "Rus\\u202esia [/nope] [bold]" in res.stdout
    # the display text and its offset map: every character of the text is where the map says
    text = "a\r\nb\x1bc\u200bd\te"
    shown, at = printable_text(text)
    assert shown == "a\nb\\x1bc\\u200bd\te"
    for i, c in enumerate(text):
        if c not in "\r\x1b\u200b":
            assert shown[at(i)] == c
    assert shown[at(3):at(7)] == "b\\x1bc\\u200b" and at(len(text)) == len(shown)
    assert printable(printable(text)) == printable(text) == "a\\r\\nb\\x1bc\\u200bd\\te"


# ----------------------------------------------------------------------------- tracebacks that are now one line


def test_batch_out_under_a_regular_file_or_around_its_input_is_one_line(tmp_path):
    feed = tmp_path / "in" / "feed.jsonl"
    feed.parent.mkdir()
    feed.write_text(json.dumps({"id": "a", "text": ONE}) + "\n")
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    one_line_exit_2(copydesk("batch", "--engine", "local", str(feed), "--out", str(afile / "sub")),
                    f"copydesk: error: --out {afile / 'sub'}: {afile} is a file, not a folder")
    assert afile.read_text() == "not a folder"
    one_line_exit_2(copydesk("batch", "--engine", "local", str(feed), "--out", str(tmp_path)),
                    f"the input {feed} is in this folder")
    assert feed.read_text().startswith('{"id": "a"')


@pytest.mark.parametrize("args", [("--port", "70000"), ("--port", "-1"), ("--port", "0"), ("--workers", "0")])
def test_serve_bad_port_or_workers_is_a_usage_error(tmp_path, args):
    res = copydesk("serve", "--db", str(tmp_path / "s.db"), *args, timeout=60)
    no_traceback(res)
    assert res.returncode == 2
    assert f"Invalid value for '{args[0]}'" in res.stderr and args[1] in res.stderr
    assert not (tmp_path / "s.db").exists()


@pytest.mark.parametrize(("task", "lines", "needle"), [
    ("stories", [{"doc_id": 1, "text": "A quake hit the town.", "story_id": 1}, {"doc_id": 2, "text": None, "story_id": 1}],
     ":2: not an ECB+ document line (field 'text' must be a non-empty string, got null)"),
    ("stories", [{"doc_id": 1, "text": 7, "story_id": 1}],
     ":1: not an ECB+ document line (field 'text' must be a non-empty string, got int)"),
    ("paraphrase", [{"sentence1": "A quake hit.", "sentence2": None, "label": 1}],
     ":1: not a sentence-pair line with a label (field 'sentence2' must be a string, got null)"),
])
def test_eval_rows_with_null_text_are_one_line_naming_the_row(tmp_path, task, lines, needle):
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(x) + "\n" for x in lines))
    one_line_exit_2(copydesk("eval", task, "--data", str(data)), f"copydesk: error: {data}{needle}")


def test_huge_integers_as_id_or_title_are_one_line():
    from copydesk.config import Limits
    from copydesk.ingest import InputError, record_to_article

    for obj, needle in (({"id": 10**5000, "text": ONE}, "field 'id' must be 1 to 512 characters"),
                        ({"id": 10**600, "text": ONE}, "field 'id' must be 1 to 512 characters, got 601"),
                        ({"id": "x", "title": 10**5000, "text": ONE}, "field 'title' must be a string, got int")):
        with pytest.raises(InputError, match=needle.replace("(", r"\(")):
            record_to_article(obj, Limits())
    assert record_to_article({"id": 10**500, "text": ONE}, Limits()).id == "1" + "0" * 500


def test_huge_integers_in_jsonl_are_skip_lines(tmp_path):
    big = "9" * 5000
    feed = tmp_path / "feed.jsonl"
    feed.write_text(f'{{"id": {big}, "text": "x"}}\n' + f'{{"id": "t", "title": {big}, "text": "x"}}\n'
                    + json.dumps({"id": "ok", "text": ONE}) + "\n")
    res = copydesk("analyze", str(feed), "--db", str(tmp_path / "s.db"), "--no-claims", "-q")
    no_traceback(res)
    assert res.returncode == 2
    skips = [ln for ln in res.stderr.splitlines() if ln.startswith("skipped ")]
    assert len(skips) == 2 and all("Exceeds the limit (4300 digits)" in ln for ln in skips), skips
    assert "1 new" in res.stderr


# ----------------------------------------------------------------------------- ids round-trip


ODD_IDS = ["wire/2024/123", "a/../b", "/leading/slash", "trailing/", " padded id ", "100%2F", "x?y#z",
           "ñandú/東京", "a\\b", "tab\there"]


def test_ids_round_trip_exactly_through_the_store_and_the_report(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": aid, "text": story(i, f"Town {i}", "Storm")}) + "\n"
                            for i, aid in enumerate(ODD_IDS)))
    db, out = tmp_path / "s.db", tmp_path / "r.json"
    res = copydesk("analyze", str(feed), "--db", str(db), "--json", str(out), "--no-claims", "-q")
    assert res.returncode == 0, res.stderr
    assert sorted(stored_ids(db)) == sorted(ODD_IDS)
    assert sorted(a["id"] for a in json.loads(out.read_text(encoding="utf-8"))["articles"]) == sorted(ODD_IDS)
    res = copydesk("analyze", str(feed), "--db", str(db), "--no-claims", "-q")  # the same ids again: nothing new
    assert res.returncode == 0 and f"0 new, {len(ODD_IDS)} already stored" in res.stderr

    from copydesk.store import open_store

    s = open_store(str(db))
    try:
        assert sorted(s.load_articles(ODD_IDS)) == sorted(ODD_IDS)
    finally:
        s.close()


@pytest.mark.parametrize(("rid", "needle"), [("", "not only whitespace"), ("   ", "not only whitespace"),
                                             ("x" * 513, "got 513"), ("a\ud800", "lone surrogate")])
def test_ids_that_cannot_round_trip_are_refused(rid, needle):
    from copydesk.config import Limits
    from copydesk.ingest import InputError, check_id, record_to_article

    with pytest.raises(InputError, match=needle):
        record_to_article({"id": rid, "text": ONE}, Limits())
    with pytest.raises(InputError, match=needle):
        check_id(rid)


def test_store_search_for_a_nul_matches_nothing(stored):
    from copydesk.store import open_store

    db, _ = stored
    s = open_store(str(db))
    try:
        assert len(s.search_stories("Springfield")) == 1
        assert s.search_stories("\x00") == [] and s.search_stories("") == []
        assert s.search_stories("no such words\x00") == []
        assert len(s.search_stories("Spring\x00field")) == 1
    finally:
        s.close()
