"""Hostile users of ``copydesk serve`` (issue 21, the HTTP half), against a real server over loopback.

Cross-site writes, DNS rebinding, request smuggling, the per-request work budget, other clients
answered while a big request runs, articles left unplaced by a crash, and odd input (huge
integers, NUL in a query, ids with slashes, a client leaving mid-body).
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time

import httpx
import pytest

from webserver import ServerProc, synthetic_article

JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("hostile") / "store.db")
    srv = ServerProc(db, args=["--allowed-host", "copydesk.lan"]).start()
    yield srv
    srv.stop()


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


def n_articles(client: httpx.Client) -> int:
    return client.get("/health").json()["articles"]


def article(i: int, seed: int = 21) -> dict:
    return synthetic_article(i, seed=seed)


# -- cross-site writes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers, kwargs",
    [
        ({"Content-Type": "text/plain"}, {}),
        ({"Content-Type": "application/x-www-form-urlencoded"}, {}),
        ({}, {}),  # no Content-Type at all
        (None, {"files": {"f": ("a.json", b"{}", "application/json")}}),  # multipart form
    ],
    ids=["text-plain", "form", "missing", "multipart"],
)
def test_writes_need_a_json_content_type(server, client, headers, kwargs):
    before = n_articles(client)
    body = json.dumps(article(1)).encode()
    for path in ("/articles", "/verify"):
        if headers is None:
            r = client.post(path, **kwargs)
        else:
            r = client.post(path, content=body, headers=headers)
        assert r.status_code == 415, (path, r.status_code, r.text)
        assert "application/json" in r.json()["error"]
    assert n_articles(client) == before


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://127.0.0.1:1"},  # same host, another port: another origin
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
def test_cross_origin_browser_writes_are_403(server, client, headers):
    before = n_articles(client)
    r = client.post("/articles", json=article(2), headers=headers)
    assert r.status_code == 403, r.text
    assert "access-control-allow-origin" not in r.headers
    r = client.post("/verify", json={"sources": "A text.", "rewrite": "A text."}, headers=headers)
    assert r.status_code == 403, r.text
    assert n_articles(client) == before


def test_same_origin_browser_write_is_accepted(server, client):
    r = client.post("/articles", json=article(3), headers={"Origin": server.url, "Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 200, r.text
    assert r.json()["articles"][0]["story"] is not None


def test_no_cors_permission_is_given(server, client):
    r = client.options("/articles", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST",
                                             "Access-Control-Request-Headers": "content-type"})
    assert r.status_code >= 400
    assert not any(k.lower().startswith("access-control-") for k in r.headers)


# -- DNS rebinding --------------------------------------------------------------------------------


def test_foreign_host_header_is_400_and_stores_nothing(server, client):
    before = n_articles(client)
    evil = {"Host": "attacker.example"}
    assert client.get("/health", headers=evil).status_code == 400
    assert client.get("/stories", headers=evil).status_code == 400
    r = client.post("/articles", json=article(4), headers=evil)
    assert r.status_code == 400 and "--allowed-host" in r.json()["error"]
    assert n_articles(client) == before
    port = server.port
    for ok in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"copydesk.lan:{port}", "localhost"):
        assert client.get("/health", headers={"Host": ok}).status_code == 200, ok


# -- request smuggling and disconnects ------------------------------------------------------------


def _raw(server, data: bytes, wait: float = 5.0) -> tuple[bytes, bool]:
    """Send ``data``, read until the server closes (True) or ``wait`` seconds pass (False)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as s:
        s.sendall(data)
        out = b""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except TimeoutError:
                return out, False
            if not chunk:
                return out, True
            out += chunk
        return out, False


def test_content_length_and_transfer_encoding_is_400_and_closed(server):
    smuggled = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    req = (b"POST /articles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled)
    out, closed = _raw(server, req)
    assert out.startswith(b"HTTP/1.1 400"), out[:200]
    assert closed, "the connection stayed open after a Content-Length + Transfer-Encoding request"
    assert out.count(b"HTTP/1.1 ") == 1, "the smuggled request was answered"


def test_client_leaving_mid_body_is_not_an_internal_error(server, client):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"POST /articles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 100000\r\n\r\n{\"text\": \"half a bo")
        time.sleep(0.5)
    deadline = time.monotonic() + 10
    while "client went away" not in server.log() and time.monotonic() < deadline:
        time.sleep(0.2)
    log = server.log()
    assert "client went away" in log
    assert "Traceback" not in log and "internal error" not in log and "ClientDisconnect" not in log
    assert client.get("/health").status_code == 200


# -- odd input ------------------------------------------------------------------------------------


def test_huge_integers_are_422_not_500(client):
    huge = "9" * 5000
    bodies = [
        ("/articles", f'{{"id": {huge}, "text": "A short text about a bridge."}}'),
        ("/articles", f'{{"title": {huge}, "text": "A short text about a bridge."}}'),
        ("/verify", f'{{"sources": "A text.", "rewrite": "A text.", "fail_on": {huge}}}'),
    ]
    for path, body in bodies:
        r = client.post(path, content=body.encode(), headers=JSON)
        assert r.status_code == 422, (path, r.status_code, r.text[:300])
        assert "digits" in r.json()["error"]


def test_nul_in_search_does_not_match_every_story(client):
    r = client.post("/articles", json=[article(10), article(11)])
    assert r.status_code == 200
    r = client.get("/search", params={"q": "\x00"})
    assert r.status_code == 422 or r.json()["total"] == 0, r.text
    r = client.get("/search", params={"q": "zzqx\x00"})  # a real word that matches nothing, and a NUL
    assert r.status_code == 200 and r.json()["total"] == 0
    assert client.get("/", params={"q": "\x00"}).status_code == 200


def test_ids_with_slashes_round_trip(client):
    body = dict(article(12), id="wire/2024/123")
    r = client.post("/articles", json=body)
    assert r.status_code == 200 and r.json()["articles"][0]["id"] == "wire/2024/123"
    for path in ("/articles/wire%2F2024%2F123", "/articles/wire/2024/123"):
        got = client.get(path)
        assert got.status_code == 200, (path, got.text)
        assert got.json()["id"] == "wire/2024/123" and got.json()["text"] == body["text"]
    assert client.get("/articles/wire%2F2024%2F999").status_code == 404


# -- the work budget ------------------------------------------------------------------------------


def test_requests_over_the_budget_are_413_and_store_nothing(client):
    from copydesk.web.budget import DEFAULT_BUDGET as B

    before = n_articles(client)
    long_text = ("The council met again on Monday to discuss the budget for the new bridge. " * 2000)
    assert len(long_text) > B.article_chars
    r = client.post("/articles", json={"id": "too-long", "text": long_text})
    assert r.status_code == 413 and f"{B.article_chars:,}" in r.json()["error"]
    # Under the characters a request, over its sentences: many short ones.
    short = " ".join(f"Item {i} sold." for i in range(B.articles_sentences + 500))
    assert len(short) < B.article_chars
    r = client.post("/articles", json={"id": "too-many-sentences", "text": short})
    assert r.status_code == 413 and f"{B.articles_sentences:,}" in r.json()["error"], r.text
    several = [{"id": f"part-{i}", "text": long_text[: B.article_chars - 10]} for i in range(3)]
    r = client.post("/articles", json=several)
    assert r.status_code == 413 and f"{B.articles_chars:,}" in r.json()["error"]
    r = client.post("/verify", json={"sources": [long_text[:60_000]] * 2, "rewrite": "A short rewrite."})
    assert r.status_code == 413 and f"{B.verify_chars:,}" in r.json()["error"]
    r = client.post("/verify", json={"sources": short[:20_000], "rewrite": short[:20_000]})
    assert r.status_code == 413 and f"{B.verify_sentences:,}" in r.json()["error"], r.text
    assert n_articles(client) == before


def _near_copies(n_sentences: int, k: int, seed: int) -> list[dict]:
    """``k`` near-copies (a word in 50 changed) of one text of about ``n_sentences`` sentences."""
    parts, i = [], 0
    while sum(p.count(". ") + 1 for p in parts) < n_sentences:
        parts.append(synthetic_article(i, seed=seed)["text"])
        i += 1
    base = "\n\n".join(parts)
    out = []
    for j in range(k):
        r = random.Random(j)
        words = base.split(" ")
        for _ in range(len(words) // 50):
            x = r.randrange(len(words))
            words[x] = words[x][::-1]
        out.append({"id": f"big-{seed}-{j}", "text": " ".join(words)})
    return out


def test_small_post_is_answered_while_a_big_one_runs(server):
    """A big request inside the budget (three near-copies, ~1,500 sentences in one story: about 13 s
    of CPU to place) must not hold up another client's one-article POST."""
    big = _near_copies(500, 3, seed=31)
    assert sum(len(a["text"]) for a in big) < 250_000
    answer: dict = {}

    def post_big() -> None:
        with httpx.Client(base_url=server.url, timeout=300) as c:
            t = time.perf_counter()
            r = c.post("/articles", json=big)
            answer.update(status=r.status_code, text=r.text[:300], seconds=time.perf_counter() - t)

    th = threading.Thread(target=post_big, daemon=True)
    th.start()
    time.sleep(2.0)  # the big request is analysed, stored and planning by now
    assert th.is_alive(), f"the big request finished too fast to test anything: {answer}"
    with httpx.Client(base_url=server.url, timeout=60) as c:
        t = time.perf_counter()
        r = c.post("/articles", json=article(40, seed=32))
        small = time.perf_counter() - t
    assert r.status_code == 200 and r.json()["articles"][0]["story"] is not None, r.text
    print(f"small POST {small:.1f} s while the big one ran")
    assert small < 10, f"a one-article POST took {small:.1f} s while a big request ran"
    th.join(240)
    assert answer.get("status") == 200, answer
    print(f"big POST {answer['seconds']:.1f} s")
    assert answer["seconds"] > small


# -- crash between storing and placing ------------------------------------------------------------


def test_unplaced_articles_are_placed_on_start_and_a_retry_gets_them_placed(tmp_path):
    """What a SIGKILL between the store and place steps leaves: articles stored, none placed."""
    from copydesk.records import Article
    from copydesk.runners.incremental import Pipeline
    from copydesk.store import open_store

    db = str(tmp_path / "crashed.db")
    batch = [article(i, seed=55) for i in range(40)]
    store = open_store(db)
    try:
        Pipeline(store).ingest([Article(id=a["id"], text=a["text"], title=a["title"]) for a in batch])
        assert len(store.unplaced_ids()) == len(batch)
    finally:
        store.close()
    srv = ServerProc(db).start()
    try:
        with httpx.Client(base_url=srv.url, timeout=120) as c:
            # The retry right away: its own articles are placed before it is answered.
            r = c.post("/articles", json=batch[:5])
            assert r.status_code == 200, r.text
            got = r.json()
            assert (got["added"], got["existing"]) == (0, 5)
            assert all(a["story"] is not None for a in got["articles"]), got["articles"]
            # The rest is placed by the start-up pass, with no request naming it.
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                if all(c.get(f"/articles/{a['id']}").json()["placed"] for a in batch[5:]):
                    break
                time.sleep(1)
            assert all(c.get(f"/articles/{a['id']}").json()["story"] for a in batch), "left unplaced"
    finally:
        srv.stop()
    store = open_store(db)
    try:
        assert store.unplaced_ids() == []
        assert not store.check()["problems"]
    finally:
        store.close()


def test_planned_placement_writes_what_place_writes(tmp_path):
    """Planning on a read snapshot and applying on the writer gives the stories and placements that
    ``Pipeline.place`` gives; a plan made stale by another write is refused, not written."""
    from copydesk.records import Article
    from copydesk.runners.incremental import Pipeline, PlanningStore
    from copydesk.store import open_store
    from webserver import seed_articles

    arts = [Article(id=a["id"], text=a["text"]) for a in seed_articles()]
    arts += [Article(id=a["id"], text=a["text"], title=a["title"]) for a in map(article, range(60, 64))]
    first, rest = arts[:2], arts[2:]

    def tables(store):
        return store.placements(), sorted(store.stories(), key=lambda s: s["id"])

    direct = open_store(str(tmp_path / "direct.db"))
    planned = open_store(str(tmp_path / "planned.db"))
    try:
        for batch in (first, rest):  # two steps: the second joins stories the first made
            p = Pipeline(direct)
            p.ingest(batch)
            p.place()
            q = Pipeline(planned)
            q.ingest(batch)
            plan = Pipeline(PlanningStore(planned)).plan_placement([a.id for a in batch])
            assert planned.unplaced_ids() == [a.id for a in batch], "planning wrote"
            assert q.apply_placement(plan)
        assert tables(planned) == tables(direct)
        # A stale plan: the story it was computed against has changed since.
        extra = Article(id="seed-copy", text=arts[0].text + "\nA sentence added by a second outlet.")
        late = Article(id="seed-copy-2", text=arts[0].text + "\nAnother outlet adds this line.")
        q.ingest([extra, late])
        plan = Pipeline(PlanningStore(planned)).plan_placement(["seed-copy"])
        q.place(only=["seed-copy-2"])  # joins the same story first
        before = tables(planned)
        assert q.apply_placement(plan) is False
        assert tables(planned) == before and not planned.check()["problems"]
    finally:
        direct.close()
        planned.close()
