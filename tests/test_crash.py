"""Crash safety: ``copydesk analyze`` killed with SIGKILL at random points, then re-run.

After the kills and one re-run to completion the store must pass ``copydesk check``, hold
every article exactly once, and give a ``--json`` report byte-identical to that of one
uninterrupted run into a fresh store. Kill points are drawn from a seeded RNG: some while
articles are being ingested (a given number of them already committed), some while they are
being placed into stories, some at a random time after the start.

A second writer on the same store waits for the first (the writer lock) and never corrupts it.

The CI version kills twice on ~700 short articles; the full one (``@slow``) four times on
3,000.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def build_corpus(data_dir: Path, path: Path, n: int) -> list[str]:
    """``n`` short articles (a headline-free pair of ECB+ sentences each) as JSONL; their ids."""
    ids: list[str] = []
    with open(data_dir / "ecbplus" / "documents.jsonl", encoding="utf-8") as src, open(path, "w") as out:
        for line in src:
            doc = json.loads(line)
            sents = [s for s in doc["sentences"] if len(s.split()) >= 5]
            for k in range(0, len(sents) - 1, 2):
                if len(ids) >= n:
                    return ids
                aid = f"{doc['doc_id']}-{k}"
                out.write(json.dumps({"id": aid, "text": sents[k] + " " + sents[k + 1]}) + "\n")
                ids.append(aid)
    assert len(ids) == n, f"ECB+ has only {len(ids)} sentence pairs"
    return ids


def start(corpus: Path, db: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "copydesk.cli", "analyze", str(corpus), "--db", str(db),
                             "--no-claims", "-q", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=ENV)


def run(corpus: Path, db: Path, *extra: str) -> subprocess.CompletedProcess:
    p = start(corpus, db, *extra)
    out, err = p.communicate(timeout=1200)
    return subprocess.CompletedProcess(p.args, p.returncode, out, err)


def check(db: Path) -> dict:
    res = subprocess.run([sys.executable, "-m", "copydesk.cli", "check", "--db", str(db), "--json"],
                         capture_output=True, text=True, env=ENV, timeout=300)
    assert "Traceback" not in res.stderr, res.stderr
    assert res.returncode == 0, res.stdout + res.stderr
    return json.loads(res.stdout)


def progress(db: Path) -> tuple[int, int]:
    """(articles stored, articles placed), read without taking the writer lock."""
    if not db.exists():
        return 0, 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as c:
            row = c.execute("SELECT COUNT(*), COALESCE(SUM(placed), 0) FROM articles").fetchone()
            return int(row[0]), int(row[1])
    except sqlite3.OperationalError:  # no tables yet
        return 0, 0


def timed_run(corpus: Path, db: Path, n: int, *extra: str) -> tuple[subprocess.CompletedProcess, dict[str, float]]:
    """A run to completion, and when (seconds from the start) all n articles were stored, the first
    was placed, all were placed, and the process ended."""
    p = start(corpus, db, *extra)
    t0 = time.monotonic()
    times: dict[str, float] = {}
    while p.poll() is None:
        stored, placed = progress(db)
        now = time.monotonic() - t0
        if stored >= n:
            times.setdefault("stored", now)
        if placed > 0:
            times.setdefault("first_placed", now)
        if placed >= n:
            times.setdefault("placed", now)
        time.sleep(0.05)
    out, err = p.communicate(timeout=60)
    times["end"] = time.monotonic() - t0
    for k in ("stored", "first_placed", "placed"):
        times.setdefault(k, times["end"])
    return subprocess.CompletedProcess(p.args, p.returncode, out, err), times


def kill_at(corpus: Path, db: Path, how: str, target: float, n: int, deadline: float) -> dict:
    """Start analyze and SIGKILL it once ``target`` x n articles are stored ("ingest") or placed in
    stories ("place"), or ``target`` seconds after the start ("time")."""
    p = start(corpus, db)
    t0 = time.monotonic()
    while p.poll() is None and time.monotonic() - t0 < deadline:
        stored, placed = progress(db)
        now = time.monotonic()
        if how == "ingest" and stored >= target * n:
            break
        if how == "place" and stored >= n and placed >= max(1, target * n):
            break
        if how == "time" and now - t0 >= target:
            break
        time.sleep(0.05)
    finished = p.poll() is not None
    if not finished:
        p.send_signal(signal.SIGKILL)
    p.communicate(timeout=60)
    stored, placed = progress(db)
    return {"how": how, "target": round(target, 2), "after_s": round(time.monotonic() - t0, 1),
            "killed": not finished, "stored": stored, "placed": placed, "rc": p.returncode}


def crash_and_compare(tmp_path: Path, data_dir: Path, n: int, plan: list[tuple[str, float]]) -> list[dict]:
    """``plan``: ("ingest", fraction of the articles stored), ("place", fraction of them placed in
    stories) or ("time", fraction of the uninterrupted run's time)."""
    corpus = tmp_path / "corpus.jsonl"
    ids = build_corpus(data_dir, corpus, n)
    # the uninterrupted run into a fresh store
    ref, times = timed_run(corpus, tmp_path / "ref.db", n, "--json", str(tmp_path / "ref.json"))
    t_ref = times["end"]
    assert ref.returncode == 0, ref.stderr
    # the crashed runs
    db = tmp_path / "crash.db"
    log = []
    for how, target in plan:
        if how == "time":
            target *= t_ref
        log.append(kill_at(corpus, db, how, target, n, deadline=3 * t_ref + 60))
        res = check(db)  # after every kill the store is consistent (if not yet complete)
        assert res["ok"], res
        assert res["counts"]["articles"] == log[-1]["stored"]
    print(f"\nuninterrupted run of {n} articles: {times}; kills: {log}")  # shown with any failure below
    final = run(corpus, db, "--json", str(tmp_path / "crash.json"))
    assert final.returncode == 0, final.stderr
    assert "Traceback" not in final.stderr
    res = check(db)
    assert res["ok"] and res["problems"] == []
    assert res["counts"]["articles"] == len(set(ids)) == res["counts"]["placements"]
    assert res["counts"]["unplaced"] == 0
    with sqlite3.connect(db) as c:
        stored = [r[0] for r in c.execute("SELECT id FROM articles")]
    assert sorted(stored) == sorted(ids)  # every article, exactly once
    crashed, ref_json = (tmp_path / "crash.json").read_text(), (tmp_path / "ref.json").read_text()
    if crashed != ref_json:
        import difflib

        diff = "".join(list(difflib.unified_diff(ref_json.splitlines(True), crashed.splitlines(True), "ref", "crash"))[:80])
        pytest.fail(f"report after the crashes differs from the uninterrupted one:\n{diff}")
    return [x for x in log if x["killed"]]


def test_sigkill_during_ingest_and_placement(tmp_path, data_dir):
    rng = random.Random(20240309)
    plan = [("ingest", rng.uniform(0.3, 0.7)), ("place", rng.uniform(0.05, 0.4))]
    killed = crash_and_compare(tmp_path, data_dir, 700, plan)
    assert len(killed) == 2
    assert any(k["stored"] < 700 for k in killed)  # one kill landed mid-ingest ...
    assert any(k["stored"] == 700 and 0 < k["placed"] < 700 for k in killed)  # ... one mid-placement


@pytest.mark.slow
def test_sigkill_many_times_full(tmp_path, data_dir):
    rng = random.Random(7)
    plan = [("ingest", rng.uniform(0.1, 0.4)), ("time", rng.uniform(0.1, 0.6)), ("ingest", rng.uniform(0.6, 0.9)),
            ("place", rng.uniform(0.05, 0.4))]
    killed = crash_and_compare(tmp_path, data_dir, 3000, plan)
    assert len(killed) >= 3


# ----------------------------------------------------------------------------- two writers


def test_second_writer_waits_and_store_stays_sound(tmp_path, data_dir, seeds_dir):
    corpus = tmp_path / "corpus.jsonl"
    build_corpus(data_dir, corpus, 400)  # two ingest batches, then placement
    db = tmp_path / "shared.db"
    first = start(corpus, db)
    t0 = time.monotonic()
    while progress(db)[0] == 0 and first.poll() is None and time.monotonic() - t0 < 300:
        time.sleep(0.02)
    assert first.poll() is None, "the first writer finished too soon for the test"
    # a second writer with five articles (a few seconds of work) starts while the first writes
    second = start(seeds_dir, db)
    mid = check(db)  # and a reader meanwhile sees a consistent store
    assert mid["ok"], mid
    out1, err1 = first.communicate(timeout=900)
    second_done_before_first = second.poll() is not None
    out2, err2 = second.communicate(timeout=900)
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    assert "Traceback" not in err1 + err2
    assert not second_done_before_first  # it waited for the writer lock
    assert "400 new" in err1 and "5 new, 0 already stored" in err2
    res = check(db)
    assert res["ok"] and res["counts"]["articles"] == 405 and res["counts"]["unplaced"] == 0


@pytest.mark.slow
def test_second_writer_gives_up_with_a_clear_message(tmp_path, seeds_dir):
    """While another process holds the writer lock, analyze waits 30 s, then says why it stops."""
    import fcntl

    db = tmp_path / "locked.db"
    fd = os.open(str(db) + ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        res = run(seeds_dir, db)
    finally:
        os.close(fd)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert "is being written by another copydesk process" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
