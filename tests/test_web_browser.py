"""End to end in Debian's headless chromium (Playwright, never a downloaded browser): the live
pages of ``copydesk serve`` and the static ``analyze --html`` report opened from disk."""

from __future__ import annotations

import re
import subprocess
import sys

import httpx
import pytest
from playwright.sync_api import expect

from conftest import SEEDS
from webserver import ServerProc, seed_articles

pytestmark = pytest.mark.browser


XSS_A = ("Kestrel Harbour Bridge Reopens After Repairs\n\n"
         "The Kestrel Harbour bridge reopened on Monday after 14 months of repairs, the city transport office said. "
         "Engineers replaced 220 steel cables and resurfaced the whole deck of the bridge. "
         "<script>window.__xss=1</script> "
         "Mayor Ilse Brandt said the work cost 48 million euros, which was below the original budget. "
         "Traffic had been diverted through the eastern tunnel since last spring, causing long delays. "
         "The transport office said buses would return to the bridge route on Friday morning.")
XSS_B = ("Kestrel Harbour Bridge Open Again After Long Repairs\n\n"
         "After 14 months of repairs, the Kestrel Harbour bridge reopened on Monday, the city transport office said. "
         "Engineers replaced 220 steel cables and resurfaced the entire deck. "
         "<img src=x onerror=\"window.__xss=2\"> "
         "Mayor Ilse Brandt said the repairs cost 58 million euros, below the original budget. "
         "Since last spring, traffic had been diverted through the eastern tunnel, causing long delays. "
         "Buses will return to the bridge route on Friday morning, the transport office said. "
         "Residents said they were relieved <script>window.__xss=3</script> that the works were over.")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = ServerProc(str(tmp_path_factory.mktemp("browser") / "store.db")).start()
    with httpx.Client(base_url=srv.url, timeout=180) as c:
        r = c.post("/articles", json=seed_articles())
        assert r.status_code == 200, r.text
        srv.seed_story = r.json()["articles"][0]["story"]
        r = c.post("/articles", json=[{"id": "xss-a", "text": XSS_A}, {"id": "xss-b", "text": XSS_B}])
        assert r.status_code == 200, r.text
        stories = {a["story"] for a in r.json()["articles"]}
        assert len(stories) == 1, "the two bridge articles should form one story"
        srv.xss_story = stories.pop()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def static_report(tmp_path_factory):
    d = tmp_path_factory.mktemp("static")
    inputs = d / "in"
    inputs.mkdir()
    for p in SEEDS.glob("*.txt"):
        (inputs / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    (inputs / "xss-a.txt").write_text(XSS_A, encoding="utf-8")
    (inputs / "xss-b.txt").write_text(XSS_B, encoding="utf-8")
    out = d / "report.html"
    res = subprocess.run([sys.executable, "-m", "copydesk.cli", "analyze", str(inputs), "--db", str(d / "s.db"),
                          "--html", str(out), "-q"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    return out


def tab_to_story_list(page) -> None:
    """Press Tab until a link of the story list has the focus (fails if 12 presses do not reach it)."""
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('#story-list a')"):
            return
    pytest.fail("the story list cannot be reached with Tab")


def text_without_labels(page) -> str:
    """The page's text without the inline labels (an artifact label may sit inside a struck span)."""
    return page.evaluate("(() => { const c = document.body.cloneNode(true);"
                         " c.querySelectorAll('.tag, script').forEach(t => t.remove()); return c.textContent; })()")


def no_horizontal_overflow(page) -> None:
    sw, iw = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert sw <= iw + 1, f"page scrolls sideways: {sw}px content in a {iw}px window"


def check_story_views(page, tmp_path, name: str) -> None:
    """Graph, side-by-side and a flagged claim's evidence (click, keyboard and hover)."""
    story = page.locator("section.story").first  # the seeds' story: the largest comes first
    graph = story.locator("svg.graph")
    graph.wait_for(state="visible")
    assert graph.bounding_box()["width"] > 200
    assert graph.locator("a.node").count() == 6  # five articles and the missing common source
    assert graph.locator(".node-reference").count() == 1 and graph.locator(".node-missing").count() == 1
    assert graph.locator("line.edge").count() >= 4
    sbs = story.locator("table.sbs:not(.one)").first
    sbs.wait_for(state="visible")
    assert sbs.locator("td.l").first.is_visible() and sbs.locator("td.r").first.is_visible()
    assert story.locator("td.r .lab-paraphrase").first.is_visible()
    assert story.locator("tr.row-dropped").count() >= 1
    assert story.locator("del.artifact").count() >= 1

    claim = story.locator("button.claim-unsupported, button.claim-contradicted").first
    claim.scroll_into_view_if_needed()
    ev = page.locator("#" + claim.get_attribute("aria-controls"))
    page.mouse.move(0, 0)
    assert not ev.is_visible()
    claim.click()
    assert claim.get_attribute("aria-expanded") == "true"
    ev.wait_for(state="visible")
    text = ev.inner_text()
    assert "unsupported" in text or "contradicted" in text
    assert "Closest source sentence (compared)" in text or "Nothing similar" in text
    page.screenshot(path=str(tmp_path / f"{name}-evidence.png"))
    page.keyboard.press("Escape")
    assert claim.get_attribute("aria-expanded") == "false"
    # Keyboard: focus the next flagged claim and press Enter.
    other = story.locator("button.claim").nth(1)
    other.focus()
    page.keyboard.press("Enter")
    assert other.get_attribute("aria-expanded") == "true"
    assert page.locator("#" + other.get_attribute("aria-controls")).is_visible()
    # Hover shows the evidence too, without a click.
    third = story.locator("button.claim").nth(2)
    third.hover()
    assert page.locator("#" + third.get_attribute("aria-controls")).is_visible()
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=False)


def test_live_story_list_keyboard_and_story_page(server, page, tmp_path):
    page.goto(server.url + "/")
    links = page.locator("#story-list a")
    assert links.count() >= 2
    # Tab from the top of the page to the first story.
    tab_to_story_list(page)
    first = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("ArrowDown")
    second = page.evaluate("document.activeElement.getAttribute('href')")
    assert second != first and second.startswith("/stories/")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.getAttribute('href')") == first
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "focused links must show a focus ring"
    page.screenshot(path=str(tmp_path / "index.png"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(first)
    assert first == f"/stories/{server.seed_story}"
    check_story_views(page, tmp_path, "live")
    assert page.locator("aside.missing").is_visible()
    assert page.errors == [], page.errors
    assert all(u.startswith(server.url) for u in page.requests), page.requests


def test_arrow_keys_work_as_the_hint_says_before_anything_has_the_focus(server, page):
    """The list's hint "↑/↓ move through the list": on a page just opened (nothing focused, no Tab
    pressed), ↓ goes to the list's first story and ↓ again to the next; once the reader is elsewhere
    (the focus on the page's text), the arrows scroll as usual."""
    page.goto(server.url + "/")
    assert "↑/↓ move through the list" in page.locator(".kbd-help").inner_text()
    assert page.evaluate("document.activeElement === document.body")
    page.keyboard.press("ArrowDown")
    first = page.evaluate("document.activeElement.getAttribute('href')")
    assert page.evaluate("document.activeElement.matches('#story-list a')") and first.startswith("/stories/")
    assert first == page.locator("#story-list a").first.get_attribute("href")
    page.keyboard.press("ArrowDown")
    second = page.evaluate("document.activeElement.getAttribute('href')")
    assert second != first and second.startswith("/stories/")
    page.evaluate("document.activeElement.blur(); document.querySelector('main').focus()")
    page.keyboard.press("ArrowDown")
    assert not page.evaluate("document.activeElement.matches('#story-list a')")
    assert page.errors == [], page.errors


def test_live_story_page_at_a_narrow_width(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 360, "height": 780})
    try:
        page.goto(f"{server.url}/stories/{server.seed_story}")
        page.locator("svg.graph").first.wait_for(state="visible")
        no_horizontal_overflow(page)
        box = page.locator("svg.graph").first.bounding_box()
        assert box["width"] <= 360
        claim = page.locator("button.claim").first
        claim.click()
        page.locator("#" + claim.get_attribute("aria-controls")).wait_for(state="visible")
        no_horizontal_overflow(page)
        # The two columns stack, each still labelled.
        cell = page.locator("table.sbs:not(.one) td.l").first
        assert page.evaluate("el => getComputedStyle(el).display", cell.element_handle()) == "block"
        page.screenshot(path=str(tmp_path / "narrow.png"), full_page=False)
    finally:
        page.close()


def test_article_script_shows_as_text(server, page, tmp_path):
    page.goto(f"{server.url}/stories/{server.xss_story}")
    page.locator("table.sbs").first.wait_for(state="visible")
    body = text_without_labels(page)
    assert "<script>window.__xss=1</script>" in body
    assert 'onerror="window.__xss=2"' in body
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("img").count() == 0
    page.screenshot(path=str(tmp_path / "xss.png"))


def test_static_report_from_disk(static_report, page, tmp_path):
    page.goto(static_report.as_uri())
    check_story_views(page, tmp_path, "static")
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert "<script>window.__xss=1</script>" in text_without_labels(page)
    # Keyboard through the story list: Tab to it, arrows along it, Enter opens the story.
    page.evaluate("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur()")
    page.focus("a.skip")
    tab_to_story_list(page)
    page.keyboard.press("ArrowDown")
    target = page.evaluate("document.activeElement.getAttribute('href')")
    assert target.startswith("#story-")
    page.keyboard.press("Enter")
    # Waits go through Playwright's locator assertions: wait_for_function evaluates its predicate with
    # eval() in the page, which the report's Content-Security-Policy (rightly) forbids.
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))
    # The list marks the open story from the hashchange event, which may run after the hash
    # itself has changed: wait for it (a timeout fails the test).
    expect(page.locator(f'#story-list a[href="{target}"]')).to_have_attribute("aria-current", re.compile(".*"),
                                                                             timeout=5000)
    assert page.evaluate("document.activeElement.id") == target[1:]
    assert page.errors == [], page.errors
    assert all(u.startswith("file://") for u in page.requests), page.requests
    page.set_viewport_size({"width": 360, "height": 780})
    no_horizontal_overflow(page)
    page.screenshot(path=str(tmp_path / "static-narrow.png"))
