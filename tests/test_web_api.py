"""The HTTP API over real HTTP, against SQLite and a real PostgreSQL server started by the tests."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

import pg
from webserver import ServerProc, n_articles, seed_articles, stored_ids, synthetic_article

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory):
    if request.param == "postgres":
        db = pg.database_or_skip("api")
    else:
        db = str(tmp_path_factory.mktemp("api") / "store.db")
    srv = ServerProc(db).start()
    # The seeds, posted once: most tests look at them.
    r = httpx.post(srv.url + "/articles", json=seed_articles(), timeout=180)
    assert r.status_code == 200, r.text
    srv.seed_answer = r.json()
    yield srv
    srv.stop()


def test_openapi_lists_the_endpoints(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path, method in [("/articles", "post"), ("/stories", "get"), ("/stories/{story_id}", "get"),
                         ("/articles/{article_id}", "get"), ("/search", "get"), ("/verify", "post")]:
        assert method in paths[path], path
    body = paths["/articles"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "anyOf" in body  # one object or a list
    assert "ArticleIn" in spec["components"]["schemas"]


def test_seeds_form_one_story(server, client):
    arts = server.seed_answer["articles"]
    assert server.seed_answer["added"] == 5
    assert len({a["story"] for a in arts}) == 1
    by = {a["id"][:3]: a for a in arts}
    assert by["000"]["relation"] == "reference" and by["000"]["source"] is None
    for k in ("001", "002", "003", "004"):
        assert by[k]["relation"] in ("rewrite", "duplicate", "same_story")
        assert by[k]["source"] is not None
        assert by[k]["story_size"] == 5
    # 003 invented the CNN confirmation: flagged with its evidence.
    cnn = [c for c in by["003"]["flagged"] if "CNN" in c["text"]]
    assert cnn and cnn[0]["status"] in ("unsupported", "contradicted") and "evidence" in cnn[0]

    stories = client.get("/stories").json()
    assert stories["total"] >= 1
    top = stories["stories"][0]
    assert top["size"] == 5 and top["id"] == arts[0]["story"]

    story = client.get(f"/stories/{top['id']}").json()
    assert story["story"]["id"] == top["id"] and story["story"]["reference"].startswith("000")
    assert {a["id"] for a in story["articles"]} == {a["id"] for a in arts}
    assert story["story"]["facts"]

    a3 = client.get(f"/articles/{by['003']['id']}").json()
    assert a3["alignment"] and a3["claims"] and a3["story"] == top["id"]
    assert a3["text"].startswith(seed_articles()[3]["text"][:40])
    labels = {s["label"] for s in a3["alignment"]}
    assert labels <= {"verbatim", "paraphrase", "added"} and "added" in labels

    hits = client.get("/search", params={"q": "Grushko"}).json()["stories"]
    assert [s["id"] for s in hits] == [top["id"]]
    assert client.get("/search", params={"q": "zzqx-nothing-like-this"}).json()["stories"] == []
    # LIKE wildcards are searched literally ("20%" is in 002; no seed has "_" or "0%x").
    assert [s["id"] for s in client.get("/search", params={"q": "20%"}).json()["stories"]] == [top["id"]]
    assert client.get("/search", params={"q": "_"}).json()["stories"] == []
    assert client.get("/search", params={"q": "0%x"}).json()["stories"] == []


def test_story_page_for_a_browser(server, client):
    sid = server.seed_answer["articles"][0]["story"]
    r = client.get(f"/stories/{sid}", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<svg" in r.text and 'class="sbs"' in r.text
    assert "default-src 'none'" in r.headers["content-security-policy"]
    index = client.get("/", headers={"Accept": "text/html"})
    assert index.status_code == 200 and f'href="/stories/{sid}"' in index.text


def test_repost_is_idempotent(server, client):
    before = n_articles(client)
    first = {a["id"]: a for a in server.seed_answer["articles"]}
    again = client.post("/articles", json=seed_articles()).json()
    assert again["added"] == 0 and again["existing"] == 5
    for a in again["articles"]:
        f = first[a["id"]]
        assert a["stored"] == "existing"
        for k in ("story", "family", "relation", "source", "flagged"):
            assert a[k] == f[k], k
    one = client.post("/articles", json=seed_articles()[2]).json()["articles"][0]
    assert one["story"] == first[one["id"]]["story"] and one["stored"] == "existing"
    assert n_articles(client) == before
    assert sorted(stored_ids(server.db)) == sorted(set(stored_ids(server.db)))


def test_same_id_different_text_is_refused(server, client):
    before = n_articles(client)
    seed = seed_articles()[0]
    r = client.post("/articles", json={"id": seed["id"], "text": seed["text"] + "\nOne more sentence here."})
    assert r.status_code == 409 and "different text" in r.json()["error"]
    # Within one request, too.
    r = client.post("/articles", json=[{"id": "dup-1", "text": "A first text about one thing."},
                                       {"id": "dup-1", "text": "A second, different text."}])
    assert r.status_code == 400 and "twice" in r.json()["error"]
    assert n_articles(client) == before


BAD_BODIES = [
    (b"{not json", "malformed JSON"),
    (b"", "empty request body"),
    (b"\xff\xfe\xfa garbage", ""),
    (b'"just a string"', "expected a JSON object"),
    (b"42", "expected a JSON object"),
    (b"[]", "empty list"),
    (b"[1, 2]", "expected a JSON object"),
    (b'{"title": "no text"}', "missing required field 'text'"),
    (b'{"text": 12}', "'text' must be a string"),
    (b'{"text": null}', "missing required field 'text'"),
    (b'{"text": "ok text", "id": [1]}', "'id' must be a string"),
    (b'{"text": "ok text", "title": 5}', "'title' must be a string"),
    (b'{"text": "   "}', "whitespace"),
    (b'{"text": "fine", "password": "x"}', "unknown field"),
    (b'[{"text": "a valid first article text"}, {"text": 3}]', "article 1"),
    (b"[" * 100_000, "malformed JSON"),
]


@pytest.mark.parametrize("body,message", BAD_BODIES, ids=[f"bad{i}" for i in range(len(BAD_BODIES))])
def test_bad_input_is_400_and_stores_nothing(server, client, body, message):
    before = n_articles(client)
    r = client.post("/articles", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert message in err
    assert "Traceback" not in r.text
    assert n_articles(client) == before


def test_too_large_is_413_and_stores_nothing(server, client):
    before = n_articles(client)
    # Too many articles in one request (limit 1,000): a small body, refused after parsing.
    r = client.post("/articles", json=[{"text": f"article number {i} text"} for i in range(1001)])
    assert r.status_code == 413 and "too many articles" in r.json()["error"]
    # Over max_request_bytes (10 MB), by Content-Length: refused before reading the body.
    big = b'{"text": "' + b"x" * (10 * 1024 * 1024 + 10) + b'"}'
    r = client.post("/articles", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and "too large" in r.json()["error"]
    # Chunked (no Content-Length): refused while streaming, as soon as the limit is passed.
    def chunks():
        yield b'{"text": "'
        for _ in range(200):
            yield b"y" * 65536
        yield b'"}'

    r = client.post("/articles", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413, r.text
    r = client.post("/verify", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert n_articles(client) == before


def test_unknown_ids_are_404(client):
    for path in ("/stories/story-doesnotexist", "/articles/no-such-article", "/no/such/endpoint"):
        r = client.get(path)
        assert r.status_code == 404 and r.json()["error"], path
    assert client.get("/search").status_code == 400  # q is required
    assert client.get("/stories", params={"limit": "many"}).status_code == 400


def test_verify_seeds(client):
    seeds = seed_articles()
    r = client.post("/verify", json={"sources": [seeds[0]["text"]], "rewrite": seeds[3]["text"]})
    assert r.status_code == 200
    v = r.json()
    assert v["ok"] is False and "unsupported" in v["failed_on"]
    assert any("CNN" in c["text"] for c in v["flagged"])
    same = client.post("/verify", json={"sources": seeds[0]["text"], "rewrite": seeds[0]["text"]}).json()
    assert same["ok"] is True
    for bad in ({"rewrite": "x"}, {"sources": [1], "rewrite": "x"}, {"sources": ["a"], "rewrite": None},
                {"sources": ["some text"], "rewrite": "other text", "fail_on": "everything"}):
        r = client.post("/verify", json=bad)
        assert r.status_code == 400 and r.json()["error"], bad


def test_binds_loopback_only(server):
    """The default host is 127.0.0.1: the listening socket is on loopback, not 0.0.0.0."""
    port_hex = f"{server.port:04X}"
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "0A" and local.endswith(":" + port_hex):
                listening.append(local.split(":")[0])
    if not listening:
        pytest.skip("cannot read the socket table")
    assert listening == ["0100007F"], listening


def test_url_field_is_never_fetched(server, client):
    """A client-given url is data: the server never connects to it nor reads a path from it."""
    hits: list[bytes] = []
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    sock.settimeout(0.2)
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
                hits.append(conn.recv(100))
                conn.close()
            except OSError:
                pass

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        trap = f"http://127.0.0.1:{sock.getsockname()[1]}/article.html"
        arts = [dict(synthetic_article(1, seed=77), url=trap),
                dict(synthetic_article(2, seed=77), url="file:///etc/passwd")]
        r = client.post("/articles", json=arts)
        assert r.status_code == 200
        got = client.get(f"/articles/{arts[1]['id']}").json()
        assert got["url"] == "file:///etc/passwd" and "root:" not in got["text"]
        assert client.get(f"/articles/{arts[0]['id']}").json()["url"] == trap
        time.sleep(0.5)
    finally:
        stop.set()
        t.join(2)
        sock.close()
    assert hits == []


def test_concurrent_clients_store_each_article_exactly_once(server):
    """6 clients x 10 posts at once, overlapping on purpose: every client also re-posts the same
    seed and two shared articles. No 5xx, no "database is locked", each article stored once."""
    n_clients, n_posts = 6, 10
    shared = [synthetic_article(i, seed=99) for i in range(2)]
    before = set(stored_ids(server.db))

    def client_run(k: int) -> list[tuple[int, str, float]]:
        out = []
        with httpx.Client(base_url=server.url, timeout=180) as c:
            for j in range(n_posts):
                if j == 0:
                    body = seed_articles()[1]
                elif j in (3, 7):
                    body = shared[j == 7]
                else:
                    body = synthetic_article(k * 100 + j, seed=42)
                t = time.perf_counter()
                r = c.post("/articles", json=body)
                out.append((r.status_code, r.text, time.perf_counter() - t))
        return out

    t0 = time.monotonic()
    with ThreadPoolExecutor(n_clients) as pool:
        results = [x for xs in pool.map(client_run, range(n_clients)) for x in xs]
    elapsed = time.monotonic() - t0
    assert elapsed < 150, f"load test took {elapsed:.0f} s"
    statuses = [s for s, _, _ in results]
    assert all(s == 200 for s in statuses), [(s, b[:200]) for s, b, _ in results if s != 200]
    assert not any("locked" in b.lower() for _, b, _ in results)
    ids = stored_ids(server.db)
    assert len(ids) == len(set(ids)), "an article was stored twice"
    expected = ({synthetic_article(k * 100 + j, seed=42)["id"] for k in range(n_clients) for j in range(n_posts)
                 if j not in (0, 3, 7)} | {a["id"] for a in shared})
    assert expected <= set(ids)
    assert set(ids) - before == expected
    # Every stored article was placed in a story.
    with httpx.Client(base_url=server.url, timeout=60) as c:
        for aid in sorted(expected)[:5]:
            assert c.get(f"/articles/{aid}").json()["story"] is not None


def test_racing_versions_of_one_id(server):
    """Several clients post the same new id with different texts at once: one wins, the others get
    409, whether their requests share a write batch or not; the store keeps one version."""
    base = synthetic_article(5, seed=123)
    bodies = [dict(base, text=base["text"] + f" Version {k} adds this closing sentence.") for k in range(4)]
    barrier = threading.Barrier(len(bodies))

    def post(body):
        with httpx.Client(base_url=server.url, timeout=120) as c:
            barrier.wait()
            return c.post("/articles", json=body)

    with ThreadPoolExecutor(len(bodies)) as pool:
        answers = list(pool.map(post, bodies))
    codes = sorted(r.status_code for r in answers)
    assert codes == [200, 409, 409, 409], [r.text[:200] for r in answers]
    winner = next(b for b, r in zip(bodies, answers, strict=True) if r.status_code == 200)
    assert stored_ids(server.db).count(base["id"]) == 1
    with httpx.Client(base_url=server.url, timeout=60) as c:
        assert c.get(f"/articles/{base['id']}").json()["text"] == winner["text"]


def test_doc_vector_cache_tops_up_and_reloads():
    """The writer's in-memory vectors equal the store's after appends, and reload if the store changes."""
    import numpy as np

    from copydesk.web.service import DocVectorCache

    class Feats:
        def __init__(self, v):
            self.doc_vector = v

    class FakeStore:
        def __init__(self):
            self.rows: dict[str, np.ndarray] = {}
            self.loaded: set[str] = set()

        def article_ids(self):
            return list(self.rows)

        def load_features(self, ids):
            assert not set(ids) & self.loaded, "a vector was read twice"
            self.loaded |= set(ids)
            return {i: Feats(self.rows[i]) for i in ids}

        def all_doc_vectors(self):
            return list(self.rows), np.vstack(list(self.rows.values()))

    rng = np.random.default_rng(0)
    store, cache = FakeStore(), DocVectorCache()
    for step in range(1, 40):
        for _ in range(step % 7 + 1):
            store.rows[f"a{len(store.rows)}"] = rng.standard_normal(384).astype(np.float32)
        ids, mat = cache.get(store)
        want_ids, want = store.all_doc_vectors()
        assert ids == want_ids and np.array_equal(mat, want)
    assert 0 < len(store.loaded) < len(store.rows)  # the first fill is one bulk read, then only new rows
    store.rows = {"b0": rng.standard_normal(384).astype(np.float32)}
    ids, mat = cache.get(store)
    assert ids == ["b0"] and cache.reloads == 1
