"""The SQLite store: round trips, idempotent adds, atomic swaps, schema checks and the writer lock."""

from __future__ import annotations

import sqlite3
import threading
import time

import numpy as np
import pytest

import store_data
from copydesk.analyze import analyze_batch, rare_entities
from copydesk.featurize.terms import corpus_stats
from copydesk.records import Article, Placement, Story
from copydesk.store import StoreError, StoreLocked, open_store
from copydesk.store.base import SCHEMA_VERSION
from store_data import SETTINGS, add_rows

TEXTS = {
    **store_data.TEXTS,
    "c": "Market update. Shares in Acme Corp fell 8% on Wednesday after the company cut its forecast.",
}


def _rows(ids=None, texts=TEXTS):
    arts = [Article(id=k, text=v, source_path=f"/in/{k}.txt") for k, v in texts.items() if ids is None or k in ids]
    return analyze_batch(arts, SETTINGS, embed=False)


@pytest.fixture
def store(tmp_path):
    s = open_store(str(tmp_path / "s.db"))
    yield s
    s.close()


def test_round_trip(store):
    rows = _rows()
    add_rows(store, rows)
    back = store.load_analyses(list(TEXTS))
    assert set(back) == set(TEXTS)
    for r in rows:
        b = back[r.article.id]
        assert b.article == r.article
        assert b.clean.text == r.clean.text
        assert b.clean.title == r.clean.title
        assert b.clean.artifacts == r.clean.artifacts
        assert b.clean.offset_map == r.clean.offset_map
        assert b.sentences == r.sentences
        f, g = b.features, r.features
        assert np.array_equal(f.signature, g.signature) and f.signature.dtype == np.asarray(g.signature).dtype
        assert np.array_equal(f.doc_vector, g.doc_vector)
        assert f.entities == g.entities and f.numbers == g.numbers and f.terms == g.terms
        assert (f.n_tokens, f.n_artifacts) == (g.n_tokens, g.n_artifacts)
    assert any(r.clean.artifacts for r in rows)  # the round trip covered artifacts
    assert store.count_articles() == 3 and store.article_ids() == ["a", "b", "c"]
    assert store.unplaced_ids() == ["a", "b", "c"]
    assert store.load_articles(["b"])["b"].source_path == "/in/b.txt"


def test_round_trip_survives_reopen(tmp_path):
    path = str(tmp_path / "r.db")
    with open_store(path) as s:
        add_rows(s, _rows())
    with open_store(path) as s:
        assert s.load_analyses(["a"])["a"].clean.text == _rows(["a"])[0].clean.text
        assert s.check()["ok"]


def test_readding_the_same_ids_adds_nothing(store):
    rows = _rows()
    add_rows(store, rows)
    before = store.check()["counts"]
    add_rows(store, rows)
    add_rows(store, _rows(["b"]))
    assert store.check()["counts"] == before
    hashes = store.stored_hashes(["a", "b", "c", "zzz"])
    assert set(hashes) == {"a", "b", "c"}


def test_schema_version_mismatch(tmp_path):
    path = str(tmp_path / "v.db")
    with open_store(path) as s:
        s.set_meta("schema_version", str(SCHEMA_VERSION + 41))
    with pytest.raises(StoreError, match=rf"schema version {SCHEMA_VERSION + 41}, this copydesk needs"):
        open_store(path)


def test_not_a_database(tmp_path):
    p = tmp_path / "junk.db"
    p.write_bytes(b"this is not a sqlite database at all, just text" * 100)
    with pytest.raises(StoreError, match="junk.db"):
        open_store(str(p))


def _story(sid, members):
    return Story(sid, f"title {sid}", tuple(members), members[0], (tuple(members),), common_source_missing=False)


def _placements(sid, members):
    return [Placement(m, sid, f"fam-{m}", "reference" if i == 0 else "rewrite",
                      None if i == 0 else members[0], None if i == 0 else 0.5)
            for i, m in enumerate(members)]


def _snapshot(path):
    with sqlite3.connect(path) as c:
        return {t: sorted(c.execute(f"SELECT * FROM {t}").fetchall())
                for t in ("articles", "stories", "placements", "pairs", "features")}


def test_replace_stories(store):
    add_rows(store, _rows())
    store.replace_stories([], [_story("s1", ["a", "b"]), _story("s2", ["c"])],
                          _placements("s1", ["a", "b"]) + _placements("s2", ["c"]), {"b": '{"x": 1}'})
    assert store.unplaced_ids() == []
    assert {s["id"] for s in store.stories()} == {"s1", "s2"}
    assert store.details(["b"]) == {"b": '{"x": 1}'}
    store.replace_stories(["s1", "s2"], [_story("s3", ["a", "b", "c"])], _placements("s3", ["a", "b", "c"]), {})
    assert [s["id"] for s in store.stories()] == ["s3"]
    assert {p["story"] for p in store.placements().values()} == {"s3"}
    assert store.check()["ok"]


def test_replace_stories_is_atomic(store, tmp_path, monkeypatch):
    add_rows(store, _rows())
    store.replace_stories([], [_story("s1", ["a", "b"]), _story("s2", ["c"])],
                          _placements("s1", ["a", "b"]) + _placements("s2", ["c"]), {})
    before = _snapshot(tmp_path / "s.db")
    real_many = store._many
    calls = []

    def failing_many(sql, rows):
        calls.append(sql)
        if sql.lstrip().startswith("INSERT INTO placements"):
            raise RuntimeError("simulated crash in the middle of the transaction")
        return real_many(sql, rows)

    monkeypatch.setattr(store, "_many", failing_many)
    with pytest.raises(RuntimeError, match="simulated crash"):
        store.replace_stories(["s1", "s2"], [_story("s3", ["a", "b", "c"])], _placements("s3", ["a", "b", "c"]), {})
    assert any(c.lstrip().startswith("INSERT INTO stories") for c in calls)  # it failed half-way through
    monkeypatch.undo()
    assert _snapshot(tmp_path / "s.db") == before
    assert store.check()["ok"]
    # the store is usable afterwards
    store.replace_stories(["s1", "s2"], [_story("s3", ["a", "b", "c"])], _placements("s3", ["a", "b", "c"]), {})
    assert [s["id"] for s in store.stories()] == ["s3"]


def _crash_adding_at(store, tmp_path, monkeypatch, table: str) -> None:
    """With "a" stored, adding "b" and "c" fails at the write into ``table``: the store is as before."""
    add_rows(store, _rows(["a"]))
    before = _snapshot(tmp_path / "s.db")
    real_many = store._many

    def failing_many(sql, rows):
        if f"INTO {table}" in sql:
            raise RuntimeError(f"simulated crash at the write into {table}")
        return real_many(sql, rows)

    monkeypatch.setattr(store, "_many", failing_many)
    with pytest.raises(RuntimeError):
        add_rows(store, _rows(["b", "c"]))
    monkeypatch.undo()
    assert _snapshot(tmp_path / "s.db") == before
    assert store.count_articles() == 1


def test_add_analyses_is_atomic(store, tmp_path, monkeypatch):
    _crash_adding_at(store, tmp_path, monkeypatch, "bands")  # after articles and features were written


def test_check_finds_inconsistencies(store, tmp_path):
    add_rows(store, _rows())
    res = store.check()
    assert res["ok"] and res["counts"]["articles"] == 3 and res["counts"]["unplaced"] == 3
    with sqlite3.connect(tmp_path / "s.db") as c:
        c.execute("DELETE FROM features WHERE article_id = 'b'")
        c.execute("INSERT INTO placements (article_id, story, family, relation, source, score, detail) "
                  "VALUES ('c', 'nowhere', 'f', 'reference', NULL, NULL, '{}')")
    res = store.check()
    assert not res["ok"]
    text = "; ".join(res["problems"])
    assert "1 articles without features" in text
    assert "placed but not marked placed" in text
    assert "1 placements point to a missing story" in text


def test_writer_lock(tmp_path):
    path = str(tmp_path / "l.db")
    first = open_store(path, lock=True)
    t0 = time.monotonic()
    with pytest.raises(StoreLocked, match="is being written by another copydesk process"):
        open_store(path, lock=True, lock_timeout=0.5)
    assert 0.4 < time.monotonic() - t0 < 5
    # readers are not blocked
    with open_store(path) as reader:
        assert reader.count_articles() == 0
    # a waiting writer gets the lock as soon as the first one is done
    got = []

    def second():
        s = open_store(path, lock=True, lock_timeout=10)
        got.append(time.monotonic())
        s.close()

    t = threading.Thread(target=second)
    t.start()
    time.sleep(0.3)
    assert not got
    released = time.monotonic()
    first.close()
    t.join(10)
    assert got and got[0] >= released


def test_entity_candidates_need_enough_shared_names(store):
    """A pair through rare names needs ``min_shared`` of them in common; a name in more than
    ``max_postings`` articles counts for nothing."""
    texts = {
        "x": "Grushko told Izvestia that Moscow wants guarantees from Witkoff.",
        "y": "Grushko spoke in Kazan about Witkoff and the talks.",
        "z": "Grushko visited Murmansk on Friday.",
    }
    rows = _rows(texts=texts)
    add_rows(store, rows)
    ents = {r.article.id: rare_entities(r.features.entities, SETTINGS) for r in rows}
    shared_xy = set(ents["x"]) & set(ents["y"])
    shared_xz = set(ents["x"]) & set(ents["z"])
    assert len(shared_xy) >= 2 and len(shared_xz) == 1, ents
    assert store.entity_candidates("x", ents["x"], 200, 1) == {"y", "z"}
    assert store.entity_candidates("x", ents["x"], 200, 2) == {"y"}
    # "grushko" is in all three: at max_postings=2 it is too common, and x, y share one name left
    assert store.entity_candidates("x", ents["x"], 2, 1) == {"y"}
    assert store.entity_candidates("x", ents["x"], 2, 2) == set()


def test_document_frequencies_count_each_stored_article_once(store, tmp_path, monkeypatch):
    """The store's term document frequencies are those of the stored articles' clean texts: kept as
    articles arrive, unchanged by re-adding them, and written with them or not at all."""
    _crash_adding_at(store, tmp_path, monkeypatch, "term_df")  # the last write of a batch

    rows = _rows()
    add_rows(store, rows)
    add_rows(store, rows)
    want = corpus_stats(r.clean.text for r in rows)
    got = store.term_stats(list(want.df) + ["neverseen"])
    assert got.n_docs == 3 and dict(got.df) == dict(want.df)
    assert got.df["springfield"] == 1 and got.df["on"] == 3  # "on Monday", "on Tuesday", "on Wednesday"
    assert "share" not in got.df  # the page boilerplate the clean stage removed is not counted
    assert store.check()["ok"]
    with sqlite3.connect(tmp_path / "s.db") as c:
        c.execute("UPDATE term_df SET df = 9 WHERE term = 'springfield'")
    assert "1 terms counted in more articles than are stored" in "; ".join(store.check()["problems"])
