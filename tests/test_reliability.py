"""Hostile and broken inputs, end to end through the ``copydesk`` command.

One batch mixes every kind of bad input with good articles. The command must print one
line per skipped input naming the file (and the line, for JSONL) and the reason, go on with
the batch, store the good articles and nothing half-read, exit 2, and never show a traceback.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "COLUMNS": "80"}


def copydesk(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "copydesk.cli", *args], capture_output=True, text=True,
                          env=ENV, cwd=cwd, timeout=timeout)


def story(i: int, place: str, what: str) -> str:
    return (f"{what} in {place}\n"
            f"A {what.lower()} hit {place} on Monday, officials said, and {i + 2} people were hurt. "
            f"Roads around {place} were closed while crews inspected the damage.\n"
            f"The mayor of {place} said schools would reopen on Thursday.")


def _warc(pages: list[tuple[str, str]]) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=False)
    for url, html in pages:
        hh = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(html.encode()), http_headers=hh))
    return buf.getvalue()


def _html(title: str, text: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in text.split("\n")[1:])
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>"


# file (relative) -> reason shown for it; JSONL entries carry ":line"
EXPECTED_SKIPS = {
    "bad/empty.txt": "empty file",
    "bad/blank.txt": "text is only whitespace",
    "bad/image.txt": "binary file (PNG image), not text",
    "bad/zipped.txt": "binary file (gzip data), not text",
    "bad/latin1.txt": "not UTF-8 text (byte 0xe9 at offset 22)",
    "bad/mixed.txt": "not UTF-8 text (byte 0xe9 at offset",
    "bad/huge.txt": "file too large (50.0 MiB > limit 20.0 MiB)",
    "bad/oneline.txt": "text too large (5,242,880 characters > limit 1,000,000)",
    "bad/feed.jsonl:2": "line is JSON list, expected an object",
    "bad/feed.jsonl:3": "missing required field 'text'",
    "bad/feed.jsonl:4": "field 'id' must be a string, got list",
    "bad/feed.jsonl:5": "duplicate id 'j1' with different content (first seen at bad/feed.jsonl:1); rejected",
    "bad/feed.jsonl:8": "truncated JSON line",
    "bad/deep.html": "HTML nested too deeply (10,002 levels > limit 256)",
    "bad/laughs.html": "no article text found in HTML",
    "bad/script.html": "no article text found in HTML",
    "bad/crawl.warc": "record 3 (http://news.example/2): truncated record",
    "bad/loop/up": "symlink loop",
}
GOOD_IDS = {
    "quake report", "it's \"quoted\"", "ñandú – 東京", "flood utf16", "page", "j1", "j7", "crawl-1", "crawl-2",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    good, bad = root / "good", root / "bad"
    good.mkdir()
    bad.mkdir()
    (good / "quake report.txt").write_text(story(0, "Springfield", "Earthquake"))
    (good / "it's \"quoted\".txt").write_text(story(1, "Shelbyville", "Flood"))
    (good / "ñandú – 東京.txt").write_text(story(2, "Ogdenville", "Tornado"))
    (good / "flood utf16.txt").write_bytes(story(3, "North Haverbrook", "Landslide").encode("utf-16"))
    (good / "page.html").write_text(_html("Wildfire near Capital City", story(4, "Capital City", "Wildfire")))

    (bad / "empty.txt").write_bytes(b"")
    (bad / "blank.txt").write_text(" \n\t\n   \n")
    (bad / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (bad / "zipped.txt").write_bytes(gzip.compress(story(5, "Brockway", "Storm").encode()))
    (bad / "latin1.txt").write_bytes("Prices rise at the caf\u00e9 in M\u00fcnchen.".encode("latin-1"))
    (bad / "mixed.txt").write_bytes("Caf\u00e9 in UTF-8, then ".encode() + "caf\u00e9 in Latin-1.".encode("latin-1"))
    line = ("The committee met again today to discuss the budget for the coming year. " * 14)[:1023] + "\n"
    with open(bad / "huge.txt", "w") as fh:  # 50 MiB of real text
        fh.write(line * (50 * 1024))
    (bad / "oneline.txt").write_text(("word " * (5 * 1024 * 1024 // 5))[:-1] + "\n" * 1)
    lines = [
        json.dumps({"id": "j1", "text": story(6, "Cypress Creek", "Blizzard")}),
        "[1, 2, 3]",
        json.dumps({"id": "j3", "title": "No text here"}),
        json.dumps({"id": ["j4"], "text": story(7, "Waverly Hills", "Hailstorm")}),
        json.dumps({"id": "j1", "text": "A different article that reuses the id j1."}),
        json.dumps({"id": "j1", "text": story(6, "Cypress Creek", "Blizzard")}),  # same again: silent
        json.dumps({"id": "j7", "text": story(8, "Ogden Falls", "Heatwave")}),
        '{"id": "j8", "text": "This line was cut off in the mid',
    ]
    (bad / "feed.jsonl").write_text("\n".join(lines))
    (bad / "deep.html").write_text("<html><body>" + "<div>" * 10_000 + "<p>deep</p>" + "</div>" * 10_000 + "</body></html>")
    ents = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    (bad / "laughs.html").write_text(f'<?xml version="1.0"?><!DOCTYPE lolz [{ents}]><html><body><p>&lol9;</p></body></html>')
    (bad / "script.html").write_text("<html><head><script>var a = 1;</script></head><body>"
                                     "<script>document.write('<p>hello</p>')</script></body></html>")
    data = _warc([(f"http://news.example/{i}", _html(f"Storm {i} on the coast", story(10 + i, f"Port {i}", "Gale")))
                  for i in range(3)])
    (bad / "crawl.warc").write_bytes(data[:-120])  # the third record is cut short
    (bad / "loop").mkdir()
    os.symlink("..", bad / "loop" / "up")
    return root


@pytest.fixture(scope="module")
def run(corpus: Path):
    db = corpus / "store.db"
    first = copydesk("analyze", "good", "bad", "--db", str(db), "--json", str(corpus / "a.json"), "--no-claims", "-q",
                     cwd=corpus)
    second = copydesk("analyze", "good", "bad", "--db", str(db), "--json", str(corpus / "b.json"), "--no-claims", "-q",
                      cwd=corpus)
    return corpus, db, first, second


def _skip_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("skipped ")]


def test_one_line_per_bad_input_and_exit_2(run):
    _corpus, _db, first, _ = run
    assert first.returncode == 2, first.stderr
    assert "Traceback" not in first.stderr and "Traceback" not in first.stdout
    lines = _skip_lines(first.stderr)
    got: dict[str, str] = {}
    for ln in lines:
        m = re.match(r"skipped (bad/[^:]+(?::\d+)?): (.*)$", ln)
        assert m, f"not one 'skipped FILE[:LINE]: reason' line: {ln!r}"
        assert m.group(1) not in got, f"reported twice: {ln}"
        got[m.group(1)] = m.group(2)
    assert set(got) == set(EXPECTED_SKIPS), (sorted(got), first.stderr)
    for where, reason in EXPECTED_SKIPS.items():
        assert reason in got[where], (where, got[where])
    # every other stderr line is the summary; nothing wrapped onto a second line
    others = [ln for ln in first.stderr.splitlines() if ln and not ln.startswith("skipped ")]
    assert len(others) == 1 and others[0].startswith(f"{len(GOOD_IDS)} new, 0 already stored, "
                                                     f"{len(EXPECTED_SKIPS)} skipped"), others


def test_good_inputs_stored_and_nothing_half_way(run):
    corpus, db, first, _ = run
    report = json.loads((corpus / "a.json").read_text())
    assert {a["id"] for a in report["articles"]} == GOOD_IDS
    with sqlite3.connect(db) as c:
        rows = dict(c.execute("SELECT id, text FROM articles").fetchall())
    assert set(rows) == GOOD_IDS
    assert rows["j1"].startswith("Blizzard in Cypress Creek")  # the first j1, not the rejected one
    assert rows["crawl-2"].rstrip().endswith("schools would reopen on Thursday.")
    assert "flood utf16" in rows and rows["flood utf16"].startswith("Landslide in North Haverbrook")
    chk = copydesk("check", "--db", str(db), "--json")
    assert chk.returncode == 0, chk.stdout + chk.stderr
    res = json.loads(chk.stdout)
    assert res["ok"] and res["problems"] == []
    assert res["counts"]["articles"] == len(GOOD_IDS) == res["counts"]["placements"]
    assert res["counts"]["unplaced"] == 0


def test_rerun_adds_nothing_and_reports_the_same(run):
    corpus, _db, _first, second = run
    assert second.returncode == 2
    assert "Traceback" not in second.stderr
    assert f"0 new, {len(GOOD_IDS)} already stored, {len(EXPECTED_SKIPS)} skipped" in second.stderr
    assert (corpus / "a.json").read_bytes() == (corpus / "b.json").read_bytes()


def test_explicit_paths_missing_and_odd_names(run, tmp_path):
    corpus, *_ = run
    db = tmp_path / "x.db"
    res = copydesk("analyze", str(corpus / "good" / "it's \"quoted\".txt"), str(corpus / "good" / "ñandú – 東京.txt"),
                   str(tmp_path / "no such.txt"), "--db", str(db), "--no-claims", "-q")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert _skip_lines(res.stderr) == [f"skipped {tmp_path / 'no such.txt'}: no such file or folder"]
    assert "2 new" in res.stderr


def test_all_good_exits_0(run, tmp_path):
    corpus, *_ = run
    res = copydesk("analyze", str(corpus / "good" / "quake report.txt"), "--db", str(tmp_path / "g.db"), "--no-claims",
                   "-q")
    assert res.returncode == 0, res.stderr
    assert _skip_lines(res.stderr) == [] and "1 new" in res.stderr


def test_bad_option_values_are_usage_errors(tmp_path):
    res = copydesk("analyze", str(tmp_path), "--db", str(tmp_path / "o.db"), "--max-article-chars", "-5")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "--max-article-chars" in res.stderr
    assert not (tmp_path / "o.db").exists()
