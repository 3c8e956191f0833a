"""The command line: ``copydesk check`` on good, corrupt and missing stores; ``analyze`` is
incremental (adding files later gives the one-shot result) and idempotent (a re-run adds
nothing and writes byte-identical JSON)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def copydesk(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "copydesk.cli", *args], capture_output=True, text=True, env=ENV,
                          timeout=timeout)


def no_traceback(res: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in res.stderr and "Traceback" not in res.stdout, res.stderr


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory, seeds_dir) -> Path:
    """The seeds analysed into a store (without claims: fast)."""
    d = tmp_path_factory.mktemp("cli")
    db = d / "seeds.db"
    res = copydesk("analyze", str(seeds_dir), "--db", str(db), "--no-claims", "-q")
    assert res.returncode == 0, res.stderr
    return db


def _copy(db: Path, dest: Path) -> Path:
    shutil.copy(db, dest)
    return dest


# ----------------------------------------------------------------------------- check


def test_check_good_store(seeds_store):
    res = copydesk("check", "--db", str(seeds_store))
    no_traceback(res)
    assert res.returncode == 0
    assert res.stdout.startswith(f"ok: {seeds_store}: articles 5, features 5, ")
    assert "placements 5, unplaced 0" in res.stdout
    res = copydesk("check", "--db", str(seeds_store), "--json")
    d = json.loads(res.stdout)
    assert d["ok"] is True and d["problems"] == [] and d["counts"]["articles"] == 5 and d["counts"]["stories"] == 1


def test_check_missing_store(tmp_path):
    res = copydesk("check", "--db", str(tmp_path / "nope.db"))
    no_traceback(res)
    assert res.returncode != 0
    assert res.stderr.strip() == f"copydesk: error: no store at {tmp_path / 'nope.db'}"
    assert not (tmp_path / "nope.db").exists()


def _one_error_line(res: subprocess.CompletedProcess, db: Path) -> str:
    no_traceback(res)
    assert res.returncode != 0
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("copydesk: error: ") and str(db) in lines[0]
    return lines[0]


def test_check_random_bytes(tmp_path):
    db = tmp_path / "random.db"
    db.write_bytes(os.urandom(64 * 1024))
    assert "file is not a database" in _one_error_line(copydesk("check", "--db", str(db)), db)


def test_check_truncated_store(seeds_store, tmp_path):
    db = _copy(seeds_store, tmp_path / "cut.db")
    with open(db, "r+b") as fh:
        fh.truncate(db.stat().st_size // 2)
    assert "malformed" in _one_error_line(copydesk("check", "--db", str(db)), db)


def test_check_overwritten_header(seeds_store, tmp_path):
    db = _copy(seeds_store, tmp_path / "head.db")
    with open(db, "r+b") as fh:
        fh.write(b"not sqlite at all")
    _one_error_line(copydesk("check", "--db", str(db)), db)


def test_check_corrupt_pages(seeds_store, tmp_path):
    db = _copy(seeds_store, tmp_path / "pages.db")
    size = db.stat().st_size
    with open(db, "r+b") as fh:
        fh.seek(size // 2)
        fh.write(bytes(range(256)) * 32)
    res = copydesk("check", "--db", str(db))
    no_traceback(res)
    assert res.returncode != 0
    assert "malformed" in res.stderr or res.stdout.startswith("PROBLEMS")


def test_check_reports_problems(seeds_store, tmp_path):
    db = _copy(seeds_store, tmp_path / "incons.db")
    with sqlite3.connect(db) as c:
        c.execute("DELETE FROM features WHERE article_id = (SELECT MIN(id) FROM articles)")
    res = copydesk("check", "--db", str(db))
    no_traceback(res)
    assert res.returncode == 1
    assert res.stdout.startswith(f"PROBLEMS: {db}: articles 5, features 4")
    assert "  - 1 articles without features" in res.stdout


def test_analyze_on_corrupt_store_is_one_line(tmp_path, seeds_dir):
    db = tmp_path / "bad.db"
    db.write_bytes(b"garbage" * 1000)
    res = copydesk("analyze", str(seeds_dir / "000_dc2d94248d973954.txt"), "--db", str(db), "--no-claims", "-q")
    assert "file is not a database" in _one_error_line(res, db)


def test_unwritable_report_path_is_one_line(tmp_path, seeds_dir):
    out = tmp_path / "no such folder" / "r.json"
    res = copydesk("analyze", str(seeds_dir / "000_dc2d94248d973954.txt"), "--db", str(tmp_path / "w.db"),
                   "--no-claims", "-q", "--json", str(out))
    no_traceback(res)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[0] == f"copydesk: error: cannot write {out}: No such file or directory"


# ----------------------------------------------------------------------------- incremental


def test_incremental_equals_one_shot_and_rerun_is_identical(tmp_path, seeds_dir):
    first = tmp_path / "first"
    first.mkdir()
    for p in sorted(seeds_dir.glob("*.txt"))[:3]:
        shutil.copy(p, first / p.name)
    inc, one = tmp_path / "inc.db", tmp_path / "one.db"
    r1 = copydesk("analyze", str(first), "--db", str(inc), "-q")
    assert r1.returncode == 0 and "3 new" in r1.stderr, r1.stderr
    r2 = copydesk("analyze", str(seeds_dir), "--db", str(inc), "-q", "--json", str(tmp_path / "inc.json"))
    assert r2.returncode == 0 and "2 new, 3 already stored" in r2.stderr, r2.stderr
    r3 = copydesk("analyze", str(seeds_dir), "--db", str(one), "-q", "--json", str(tmp_path / "one.json"))
    assert r3.returncode == 0 and "5 new" in r3.stderr
    inc_json, one_json = (tmp_path / "inc.json").read_bytes(), (tmp_path / "one.json").read_bytes()
    assert inc_json == one_json
    # re-running on the same inputs adds nothing and gives byte-identical JSON
    r4 = copydesk("analyze", str(seeds_dir), "--db", str(inc), "-q", "--json", str(tmp_path / "again.json"))
    assert r4.returncode == 0 and "0 new, 5 already stored" in r4.stderr and "0 placed" in r4.stderr
    assert (tmp_path / "again.json").read_bytes() == one_json
    report = json.loads(one_json)
    assert len(report["stories"]) == 1 and len(report["articles"]) == 5
    for db in (inc, one):
        chk = copydesk("check", "--db", str(db))
        assert chk.returncode == 0 and "articles 5," in chk.stdout


def test_store_featurized_otherwise_is_refused_and_left_alone(seeds_store, tmp_path, seeds_dir):
    """A store whose articles were featurized with other settings (an earlier copydesk: another document
    vector length, another encoder) must not silently take new articles compared on different features."""
    db = _copy(seeds_store, tmp_path / "old.db")
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value = 'minilm-old;doc_tokens=128' WHERE key = 'features_version'")
    con.commit()
    before = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    con.close()
    extra = tmp_path / "extra.txt"
    extra.write_text("Storm hits coast\nA storm hit the coast of Brittany on Sunday, cutting power to 20,000 homes.\n")
    res = copydesk("analyze", str(extra), "--db", str(db), "--no-claims", "-q")
    no_traceback(res)
    assert res.returncode == 2
    assert "featurized with other settings" in res.stderr and "minilm-old" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == before
    con.close()
    # The same copydesk on its own store goes on adding.
    same = _copy(seeds_store, tmp_path / "same.db")
    res = copydesk("analyze", str(extra), "--db", str(same), "--no-claims", "-q")
    assert res.returncode == 0, res.stderr


def test_a_store_failing_mid_placement_is_one_line_and_the_rerun_resumes(tmp_path, seeds_dir, monkeypatch):
    """A store read failing in the middle of placement (seen once in a placement worker at 10,000
    articles: "database disk image is malformed", the file intact) is one error line naming the way
    out, the stored articles are kept, and the same command run again places them."""
    from click.testing import CliRunner

    from copydesk.cli import main
    from copydesk.runners import incremental

    def failing(self, only=None):
        raise sqlite3.DatabaseError("database disk image is malformed")

    db = tmp_path / "s.db"
    args = ["analyze", str(seeds_dir), "--db", str(db), "--no-claims", "-q"]
    with monkeypatch.context() as m:
        m.setattr(incremental.Pipeline, "place", failing)
        res = CliRunner().invoke(main, args)
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.output
    assert "database disk image is malformed" in lines[0] and "run the same command again to resume" in lines[0]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    assert "0 new, 5 already stored, 0 skipped; 5 placed" in res.stderr
