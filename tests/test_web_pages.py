"""What a browser and an API client see from ``copydesk serve`` (issue 22): HTML error pages for a browser,
JSON errors for API clients, /docs served offline from the installed Swagger UI package, and an old
story id that merged into another redirecting there."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from copydesk.web import app as web

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = web.create_app(str(tmp_path_factory.mktemp("pages") / "store.db"), warm=False,
                         allowed_hosts=["testserver"])
    with TestClient(app) as c:
        yield c


def test_browser_gets_html_error_pages_and_api_clients_json(client):
    for path in ("/no-such-page", "/stories/story-nope", "/search?q="):
        r = client.get(path, headers=BROWSER)
        assert r.status_code in (400, 404, 422), (path, r.status_code)
        assert r.headers["content-type"].startswith("text/html"), path
        assert "<!DOCTYPE html>" in r.text and "all stories" in r.text and '{"error"' not in r.text
        r = client.get(path)
        assert r.headers["content-type"].startswith("application/json") and "error" in r.json()
    r = client.get("/stories/story-nope", headers=BROWSER)
    assert "no story with id" in r.text


def test_docs_are_served_offline(client):
    if web.swagger_assets() is None:
        pytest.skip("swagger-ui-bundle is not installed")
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert not re.search(r"(src|href)=\"(https?:)?//", r.text)  # nothing from another host
    assert "connect-src 'self'" in r.headers["content-security-policy"]
    for src in re.findall(r'(?:src|href)="(/[^"]+)"', r.text):
        asset = client.get(src)
        assert asset.status_code == 200 and len(asset.content) > 20, src
    assert "SwaggerUIBundle" in client.get("/docs/assets/swagger-ui-bundle.js").text
    assert "/openapi.json" in client.get("/docs/init.js").text
    assert client.get("/docs/assets/../../etc/passwd").status_code == 404


def test_merged_story_id_redirects_in_the_ui_and_names_the_new_id_in_the_api(client):
    """A story's id changes when an article joins it; the old id still leads to the story."""
    text = ("The council approved 12 new electric buses on Monday, the mayor said. The buses arrive in May "
            "and will serve the northern districts. The purchase cost 9 million euros, the city said.")
    client.post("/articles", json={"id": "bus-1", "text": text})
    old = client.get("/articles/bus-1").json()["story"]
    client.post("/articles", json={"id": "bus-2", "text": text.replace("on Monday", "on Monday evening")})
    new = client.get("/articles/bus-2").json()["story"]
    assert client.get("/articles/bus-1").json()["story"] == new != old  # one story, with a new id
    r = client.get(f"/stories/{old}", headers=BROWSER, follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"] == f"/stories/{new}"
    r = client.get(f"/stories/{old}")
    assert r.status_code == 404 and r.json()["merged_into"] == new and new in r.json()["error"]
    assert client.get("/stories/story-never").json() == {"error": "no story with id 'story-never'"}


def test_aliases_follow_merges_and_collapse_chains(tmp_path):
    from copydesk.store import open_store

    store = open_store(str(tmp_path / "s.db"))
    def place(old, sid, members):
        store.replace_stories(old, [{"id": sid, "title": None, "articles": members, "reference": members[0],
                                     "families": [members], "common_source_missing": False, "evidence": []}],
                              [{"article_id": m, "story": sid, "family": "f", "relation": "reference",
                                "source": None, "score": None} for m in members], {})
    place([], "s-a", ["a"])
    place(["s-a"], "s-ab", ["a", "b"])
    place(["s-ab"], "s-abc", ["a", "b", "c"])
    assert store.story_alias("s-a") == store.story_alias("s-ab") == "s-abc"  # no chain to follow
    assert store.story_alias("s-abc") is None and store.story_alias("nope") is None
    place(["s-abc"], "s-a", ["a"])  # an id that is a story again is no alias any more
    assert store.story_alias("s-a") is None
    store.close()
