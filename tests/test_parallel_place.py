"""Placement on several cores: the first scoring tier and the per-component placement run in
forked workers (``runners.workers.fork_map``), the store keeps one writer. The report must be the one
a single process writes, byte for byte, claims included; and the store pieces this relies on
(read-only connections, nested transactions) must behave."""

from __future__ import annotations

import json
import sqlite3

import pytest

from copydesk.config import Settings
from copydesk.records import Article
from copydesk.report import build_report, to_json
from copydesk.runners import incremental as P
from copydesk.runners import workers as parallel
from copydesk.store import open_store


def _articles(data_dir, seed_texts, n_docs: int = 90) -> list[Article]:
    arts = [Article(id=f"seed-{k}", text=t) for k, t in sorted(seed_texts.items())]
    with open(data_dir / "ecbplus" / "documents.jsonl", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            arts.append(Article(id=doc["doc_id"], text=doc["text"], title=doc.get("title")))
            if len(arts) >= n_docs:
                break
    return arts


def _analyze(path, arts, workers: int) -> tuple[str, P.PlaceStats]:
    with open_store(str(path), lock=True) as store:
        pipe = P.Pipeline(store, Settings(claims=True), workers=workers)
        pipe.ingest(iter(arts))
        stats = pipe.place()
        return to_json(build_report(store)), stats


def test_placement_in_workers_equals_one_process(tmp_path, data_dir, seed_texts, monkeypatch):
    arts = _articles(data_dir, seed_texts)
    one, s1 = _analyze(tmp_path / "one.db", arts, workers=1)
    # Small thresholds, so this corpus goes through the forked paths (the defaults are for 10,000s).
    monkeypatch.setattr(P, "PARALLEL_MIN_COMPONENTS", 2)
    monkeypatch.setattr(P, "SCORE_CHUNK", 16)
    monkeypatch.setattr(P, "WRITE_BATCH", 3)
    monkeypatch.setattr(parallel, "PLACE_CHUNK", 4)
    calls = []
    real = parallel.fork_map

    def counting(fn, items, *a, **k):
        calls.append(fn.__name__)
        return real(fn, items, *a, **k)

    monkeypatch.setattr(P, "fork_map", counting)
    monkeypatch.setattr(parallel, "fork_map", counting)
    two, s2 = _analyze(tmp_path / "two.db", arts, workers=2)
    assert {"_first_tier_task", "_place_chunk"} <= set(calls)
    assert two == one
    assert (s2.placed, s2.pairs_scored, s2.stories_touched) == (s1.placed, s1.pairs_scored, s1.stories_touched)
    report = json.loads(two)
    seeds = {a["story"] for a in report["articles"] if a["id"].startswith("seed-")}
    assert len(seeds) == 1  # the five seeds are still one story
    assert any(a.get("claims") for a in report["articles"])  # claims went through the workers
    # The pairs a worker scored and the sentence vectors it encoded were stored by the writer.
    tables = {}
    for name in ("one", "two"):
        with sqlite3.connect(tmp_path / f"{name}.db") as c:
            tables[name] = (
                c.execute("SELECT a, b, relation, score, scores FROM pairs ORDER BY a, b").fetchall(),
                c.execute("SELECT article_id, vectors FROM sentence_vectors ORDER BY article_id").fetchall(),
            )
    assert tables["two"] == tables["one"]
    assert len(tables["one"][0]) > len(arts) and len(tables["one"][1]) > 0


def test_placement_workers_are_forked_outside_any_transaction(tmp_path, data_dir, seed_texts, monkeypatch):
    """A worker forked while the writer's connection is inside a transaction inherits SQLite's lock
    bookkeeping for the file, and its own read-only connection may then read pages the writer's
    checkpoint overwrites. The workers must start while the writer holds no transaction."""
    arts = _articles(data_dir, seed_texts, n_docs=40)
    monkeypatch.setattr(P, "PARALLEL_MIN_COMPONENTS", 2)
    monkeypatch.setattr(P, "WRITE_BATCH", 3)
    monkeypatch.setattr(parallel, "PLACE_CHUNK", 4)
    with open_store(str(tmp_path / "s.db"), lock=True) as store:
        at_fork = []
        real = parallel.fork_map

        def spying(fn, items, *a, **k):
            at_fork.append((fn.__name__, store._conn._c.in_transaction))
            yield from real(fn, items, *a, **k)

        monkeypatch.setattr(parallel, "fork_map", spying)
        pipe = P.Pipeline(store, Settings(claims=False), workers=2)
        pipe.ingest(iter(arts))
        assert pipe.place().placed == len(arts)
    assert ("_place_chunk", False) in at_fork
    assert all(not in_tx for _fn, in_tx in at_fork), at_fork


def test_read_only_store_reads_and_refuses_writes(tmp_path):
    db = str(tmp_path / "s.db")
    with open_store(db, lock=True) as store:
        store.set_meta("k", "v")
        ro = open_store(db, read_only=True)
        assert ro.get_meta("k") == "v"
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            ro.set_meta("k", "w")
        ro.close()
        assert store.get_meta("k") == "v"


def test_read_only_store_does_not_take_the_writer_lock(tmp_path):
    db = str(tmp_path / "s.db")
    with open_store(db, lock=True):
        ro = open_store(db, read_only=True, lock=True, lock_timeout=0.1)  # no StoreLocked
        assert ro.get_meta("schema_version")
        ro.close()


def test_nested_transactions_commit_or_roll_back_as_one(tmp_path):
    db = str(tmp_path / "s.db")
    with open_store(db, lock=True) as store:
        with store.transaction():
            store.set_meta("a", "1")
            store.set_meta("b", "1")  # set_meta is a transaction of its own, joined here
        assert (store.get_meta("a"), store.get_meta("b")) == ("1", "1")
        with pytest.raises(RuntimeError), store.transaction():
            store.set_meta("a", "2")
            raise RuntimeError("crash in the middle of a batch")
        assert store.get_meta("a") == "1"  # the inner write went with the outer rollback
        store.set_meta("c", "1")  # and the store takes new transactions after it
        assert store.get_meta("c") == "1"
