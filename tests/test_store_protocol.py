"""The ``Store`` protocol is complete and ``SQLStore`` implements it exactly, on SQLite and PostgreSQL;
``StoreView`` forwards all of it; the codec rebuilds what the clean stage made without running it."""

from __future__ import annotations

import inspect
import random
import threading

import numpy as np
import pytest

from copydesk.analyze import analyze_batch, rare_entities
from copydesk.clean import clean_article, strip_artifacts
from copydesk.config import Settings
from copydesk.featurize.minhash import band_keys
from copydesk.records import Article, Artifact
from copydesk.store import SQLStore, Store, StoreView, open_store
from copydesk.store.codec import VECTOR_DIM, analysis_from_json, analysis_to_json

SETTINGS = Settings(claims=False)
TEXTS = {
    "a": "Quake hits Springfield\nA strong earthquake struck Springfield on Monday, officials said. "
         "Dozens of homes were damaged, and 12 people were hurt.\nMORE STORIES\nShare this article",
    "b": "**Title:** Flood in Shelbyville\nRivers rose across Shelbyville on Tuesday. \"We lost everything,\" "
         "said resident Marge Bouvier. About 300 homes were evacuated.",
}


def _members(cls: type) -> set[str]:
    names = {n for n in dir(cls) if not n.startswith("_")} | {"__enter__", "__exit__"}
    return names - {n for n in dir(object) if not n.startswith("__")}


def _protocol_members() -> set[str]:
    return {n for n in Store.__dict__ if not n.startswith("_") or n in ("__enter__", "__exit__")} - {
        "__dict__", "__weakref__", "__doc__", "__module__", "__annotations__"
    }


def _signature(obj: object) -> list[tuple[str, object, object, str]]:
    """Parameters (name, kind, default, annotation), the annotation of ``self``'s own class aside."""
    sig = inspect.signature(obj)
    return [(p.name, p.kind, p.default, str(p.annotation)) for p in sig.parameters.values()]


@pytest.mark.parametrize("impl", [SQLStore, StoreView])
def test_implementation_has_exactly_the_protocol_members_with_the_same_signatures(impl):
    proto = _protocol_members()
    assert "transaction" in proto and "members_of" in proto and "reopen" in proto and "location" in proto
    assert "read_snapshot" in proto and "writer_lock" in proto
    public = {n for n in _members(impl) if n != "inner"}  # a view's one own attribute: the store it wraps
    if impl is SQLStore:
        public.add("location")  # an instance attribute (set in __init__), a property of the protocol
    assert public == proto
    for name in sorted(proto - {"location"}):
        assert _signature(getattr(impl, name)) == _signature(getattr(Store, name)), name
        ret = inspect.signature(getattr(impl, name)).return_annotation
        want = inspect.signature(getattr(Store, name)).return_annotation
        same = ret == want or (want == "Store" and ret in ("SQLStore", "StoreView"))
        # a @contextmanager generator is annotated with what it yields: Iterator[X] is a context manager of X
        same = same or (hasattr(getattr(impl, name), "__wrapped__") and
                        want == ret.replace("Iterator[", "AbstractContextManager["))
        assert same, name


def _check_instance(store: Store) -> None:
    """Every protocol member on an opened store, with the protocol's signature (bound methods)."""
    assert isinstance(store.location, str) and store.location
    for name in _protocol_members() - {"location"}:
        bound = getattr(store, name)
        assert _signature(bound) == _signature(getattr(Store, name))[1:], name


def _rows():
    arts = [Article(id=k, text=v) for k, v in TEXTS.items()]
    return analyze_batch(arts, SETTINGS, embed=False)


def _add(store, rows):
    sigs = np.vstack([r.features.signature for r in rows])
    store.add_analyses(rows, band_keys(sigs, SETTINGS.lsh_bands),
                       [rare_entities(r.features.entities, SETTINGS) for r in rows])


def _exercise(store: Store) -> None:
    """transaction, members_of, read_snapshot, rollback and the read-only reopen on one store."""
    _check_instance(store)
    rows = _rows()
    with store.transaction():
        _add(store, rows)
        store.replace_stories(
            [], [{"id": "s1", "title": "t", "articles": ["a", "b"]}],
            [{"article_id": i, "story": "s1", "family": "f", "relation": "reference", "source": None,
              "score": None} for i in ("a", "b")], {},
        )
    assert store.members_of(["s1"]) == {"a", "b"} and store.members_of(["nope"]) == set()
    store.rollback()  # nothing open: a no-op
    with store.read_snapshot():
        assert store.count_articles() == 2
    reader = store.reopen(read_only=True)
    try:
        _check_instance(reader)
        assert reader.location == store.location
        with reader.read_snapshot():
            assert sorted(reader.article_ids()) == ["a", "b"]
            assert reader.load_analyses(["a"])["a"].clean.text == rows[0].clean.text
    finally:
        reader.close()
    view = StoreView(store)
    _check_instance(view)
    assert view.location == store.location and view.members_of(["s1"]) == {"a", "b"}


def test_sqlite_store_implements_the_protocol(tmp_path):
    store = open_store(str(tmp_path / "s.db"))
    try:
        _exercise(store)
    finally:
        store.close()


@pytest.mark.postgres
def test_postgres_store_implements_the_protocol():
    import pg

    why = pg.why_unavailable()
    if why:
        pytest.skip(why)
    try:
        url = pg.new_database("protocol")
    except RuntimeError as e:
        pytest.skip(str(e))
    store = open_store(url)
    try:
        _exercise(store)
    finally:
        store.close()


def test_read_snapshot_does_not_see_a_write_made_during_it(tmp_path):
    db = str(tmp_path / "s.db")
    writer = open_store(db)
    rows = _rows()
    _add(writer, rows[:1])
    reader = open_store(db)
    try:
        with reader.read_snapshot():
            assert reader.count_articles() == 1
            t = threading.Thread(target=_add, args=(writer, rows[1:]))
            t.start()
            t.join()
            assert reader.count_articles() == 1  # the snapshot's state
        with reader.read_snapshot():
            assert reader.count_articles() == 2
    finally:
        reader.close()
        writer.close()


def test_codec_vector_width_is_the_embedders():
    from copydesk.featurize.embed import DIM

    assert VECTOR_DIM == DIM


def test_codec_rebuilds_the_clean_text_the_clean_stage_made():
    """The cleaned text read back from a stored analysis (copied out by the offset map) is the clean
    stage's, byte for byte: on real debris and on random artifact spans."""
    for text in [*TEXTS.values(), "", "x", "MORE STORIES\n"]:
        art = Article("x", text)
        clean = clean_article(art)
        back, _ = analysis_from_json(art, analysis_to_json(clean, ()))
        assert back == clean
    rng = random.Random(7)
    for _ in range(500):
        raw = "".join(rng.choice("ab \n\r€") for _ in range(rng.randrange(0, 40)))
        arts = []
        for _ in range(rng.randrange(0, 5)):
            s = rng.randrange(-2, len(raw) + 2)
            arts.append(Artifact("markup", s, s + rng.randrange(0, 8), ""))
        text, omap = strip_artifacts(raw, arts)
        assert omap.cleaned(raw, len(text)) == text
