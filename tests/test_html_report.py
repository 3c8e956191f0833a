"""The HTML report (``render_html``, ``write_html``), checked as text; test_web_browser and test_html_scale
drive the browser."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path
from urllib.parse import unquote

import pytest

from conftest import SEEDS
from copydesk.report import page as page_mod
from copydesk.report.marks import unit_marks
from copydesk.report.page import anchor, json_for_script, story_folder


def render_html(report: dict, **kw) -> str:
    """The page as its callers render it: the report's unit marks computed first, then passed."""
    return page_mod.render_html(report, marks=unit_marks(report), **kw)


def write_html(report: dict, path, **kw) -> page_mod.HtmlFiles:
    return page_mod.write_html(report, path, marks=unit_marks(report), **kw)


HOSTILE = '</script><script>window.__xss=1</script><img src=x onerror="window.__xss=2"> & "quotes" \u2028'


@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory) -> dict:
    from copydesk.config import Limits
    from copydesk.ingest import IngestError, read_inputs
    from copydesk.report import build_report
    from copydesk.runners.incremental import Pipeline
    from copydesk.store import open_store

    db = tmp_path_factory.mktemp("html") / "store.db"
    store = open_store(str(db), lock=True)
    try:
        pipe = Pipeline(store)
        pipe.ingest(a for a in read_inputs([str(SEEDS)], Limits()) if not isinstance(a, IngestError))
        pipe.place()
        return build_report(store)
    finally:
        store.close()


@pytest.fixture(scope="module")
def seeds_html(seeds_report) -> str:
    return render_html(seeds_report)


def embedded_json(html: str) -> object:
    m = re.search(r'<script type="application/json" id="copydesk-report">(.*?)</script>', html, re.S)
    assert m
    return json.loads(m.group(1))


def hostile_report() -> dict:
    """A report whose every text field is an attack."""
    def claim(text, start, status="unsupported", kind="quote"):
        return {"text": text, "start": start, "end": start + len(text), "kind": kind, "status": status,
                "reason": HOSTILE, "support": ["b" + HOSTILE],
                "evidence": [{"article": "b" + HOSTILE, "text": HOSTILE, "score": 0.5}]}
    s1 = "Officials said <script>window.__xss=3</script> a 60-day ceasefire began."
    s2 = "A second sentence with <b>bold</b> &amp; entities."
    a = {"id": "a" + HOSTILE, "title": HOSTILE, "story": "s" + HOSTILE, "family": "f", "relation": "rewrite",
         "source": "b" + HOSTILE, "score": 0.9,
         "artifacts": [{"kind": "prompt_leak" + HOSTILE, "start": 200, "end": 230, "text": HOSTILE}],
         "alignment": [{"sentence": s1, "start": 0, "end": len(s1), "label": "paraphrase",
                        "source_sentences": [{"article": "b" + HOSTILE, "text": "Officials said a 30-day ceasefire "
                                              "began.", "score": 0.9, "start": 0, "end": 40}]},
                       {"sentence": s2, "start": 100, "end": 100 + len(s2), "label": "added", "source_sentences": []}],
         "claims": [claim(s1, 0, "contradicted", "number"), claim(s2, 100)],
         "dropped": [{"article": "b" + HOSTILE, "text": HOSTILE, "start": 0, "end": 5}],
         "counts": {"verbatim": 0, "paraphrase": 1, "added": 1, "supported": 0, "unsupported": 1, "contradicted": 1}}
    b = {"id": "b" + HOSTILE, "title": HOSTILE, "story": "s" + HOSTILE, "family": "f", "relation": "reference",
         "source": None, "score": None, "artifacts": [], "claims": [claim(HOSTILE + " long enough", 0)],
         "alignment": [], "dropped": []}
    story = {"id": "s" + HOSTILE, "title": HOSTILE, "articles": [a["id"], b["id"]], "reference": b["id"],
             "families": [[a["id"], b["id"]]], "common_source_missing": True,
             "evidence": [f"{a['id']}: {HOSTILE}; {b['id']}: {HOSTILE} (shared, absent from x: {HOSTILE})"],
             "facts": [{"text": HOSTILE, "kind": "quote", "support": [a["id"]]},
                       {"text": HOSTILE, "kind": "statement", "support": [a["id"], b["id"]]}]}
    return {"articles": [a, b], "stories": [story]}


def test_self_contained(seeds_html):
    html = seeds_html
    assert html.startswith("<!DOCTYPE html>")
    page = html.split('<script type="application/json"')[0]
    assert "<link" not in page and " src=" not in page and "@import" not in page
    assert not re.search(r"url\((?!#)", page)  # only references to the page's own SVG markers
    urls = set(re.findall(r"https?://[^\s\"'<>]+", page))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls
    assert "default-src 'none'" in unescape(html)  # the page may not load anything, even if asked to


def test_csp_allows_exactly_the_inline_script_and_style(seeds_html):
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', seeds_html).group(1)
    script = re.search(r"<script>(.*?)</script>", seeds_html, re.S).group(1)
    style = re.search(r"<style>(.*?)</style>", seeds_html, re.S).group(1)
    for body in (script, style):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"sha256-{digest}" in csp


def test_embedded_json_is_the_report(seeds_report, seeds_html):
    assert embedded_json(seeds_html) == json.loads(json.dumps(seeds_report))


def test_seed_story_views(seeds_report, seeds_html):
    html = seeds_html
    story = seeds_report["stories"][0]
    # The derivation graph: a node per article, and the missing common source.
    svg = re.search(r'<svg class="graph".*?</svg>', html, re.S).group(0)
    assert svg.count('class="node node-') == len(story["articles"]) + (1 if story["common_source_missing"] else 0)
    assert "node-reference" in svg and "edge-rewrite" in svg
    if story["common_source_missing"]:
        assert "node-missing" in svg and "edge-missing" in svg and "Common source not in the set" in html
    # Side by side: one two-column table per derived article, a one-column table for the reference.
    derived = [a for a in seeds_report["articles"] if a["source"]]
    assert html.count('<table class="sbs">') == len(derived)
    assert html.count('<table class="sbs one">') == 1
    # Labels in words beside the colours.
    for label in ("≈ paraphrase", "+ added", "− dropped"):
        assert label in html
    n_dropped = sum(len(a.get("dropped") or []) for a in seeds_report["articles"])
    assert html.count('<tr class="row row-dropped">') == n_dropped
    # Artifacts struck through with their kind (002: prompt leak and repeated body).
    kinds = {x["kind"] for a in seeds_report["articles"] for x in a["artifacts"]}
    assert {"prompt_leak", "duplicated_body"} <= kinds
    for k in kinds:
        assert f"artifact: {k}" in html
    assert html.count('<del class="artifact"') >= sum(len(a["artifacts"]) for a in seeds_report["articles"])
    # Every flagged claim is a button with its evidence.
    flagged = sum(1 for a in seeds_report["articles"] for c in a["claims"]
                  if c["status"] in ("unsupported", "contradicted"))  # "heading": not a claim (issue 19)
    assert html.count('<button type="button" class="claim claim-') == flagged
    assert len(re.findall(r'<div class="evidence" id="ev\d+" role="note">', html)) == flagged
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "element ids must be unique"
    # The CNN attribution that 003 invented is flagged.
    assert re.search(r'claim-(unsupported|contradicted)"[^>]*>[^<]*confirmed to CNN', html)
    # Facts across versions.
    assert "Facts most versions support" in html and "30-day" in html


def test_escapes_every_text(tmp_path):
    report = hostile_report()
    html = render_html(report)
    assert html.count("<script") == 2  # the JSON block and the page's own script
    assert html.count("</script>") == 2
    assert "<img" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp;amp; entities" in html
    assert embedded_json(html) == report


def test_changed_number_is_marked_in_the_sentence():
    html = render_html(hostile_report())
    m = re.search(r'<mark class="u-changed" title="([^"]+)">60-day', html)
    assert m and "30-day" in m.group(1)


def test_json_for_script_cannot_close_the_element():
    s = json_for_script({"a": "</script><!-- <script>", "b": "\u2028"})
    assert "<" not in s and ">" not in s
    assert json.loads(s) == {"a": "</script><!-- <script>", "b": "\u2028"}


def test_empty_and_no_claims_reports():
    assert "No stories" in render_html({"articles": [], "stories": []})
    a = {"id": "x", "title": "T", "story": "s", "family": "f", "relation": "reference", "source": None, "score": None,
         "artifacts": []}
    b = dict(a, id="y", relation="rewrite", source="x", score=0.8)
    html = render_html({"articles": [a, b], "stories": [{"id": "s", "title": "T", "articles": ["x", "y"],
                                                          "reference": "x", "families": [["x", "y"]]}]})
    assert "--no-claims" in html and "<svg" in html


def test_cli_writes_the_html_report(tmp_path):
    out = tmp_path / "report.html"
    res = subprocess.run([sys.executable, "-m", "copydesk.cli", "analyze", str(SEEDS), "--db", str(tmp_path / "s.db"),
                          "--html", str(out), "-q"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and 'class="sbs"' in html
    assert Path(out).stat().st_size < 2_000_000


# ----------------------------------------------------------------------------- large runs


def tree_story(sid: str, n: int, *, missing: bool = False) -> tuple[dict, list[dict]]:
    """A story of ``n`` articles: a reference, rewrites of it and rewrites of those (no claims)."""
    ids = [f"{sid}-a{i:02d}" for i in range(n)]
    arts = [{"id": ids[0], "title": f"Story {sid} reference", "story": sid, "family": "f", "relation": "reference",
             "source": None, "score": None, "artifacts": []}]
    for i in range(1, n):
        src = ids[0] if i < 6 else ids[1 + i % 5]
        rel = "same_story" if i % 4 == 0 else "rewrite"
        arts.append({"id": ids[i], "title": f"Version {i} of {sid}", "story": sid, "family": "f", "relation": rel,
                     "source": src, "score": 0.5 + i / 100, "artifacts": []})
    story = {"id": sid, "title": f"Story {sid} about harbour repairs", "articles": ids, "reference": ids[0],
             "families": [ids], "common_source_missing": missing,
             "evidence": [f"{ids[1]}: a shared sentence; {ids[2]}: a shared sentence (shared, absent from {ids[0]}: "
                          "words)"] if missing else []}
    return story, arts


def many_stories(n: int, size: int = 3) -> dict:
    report: dict = {"articles": [], "stories": []}
    for k in range(n):
        story, arts = tree_story(f"story-{k:03d}", size)
        report["stories"].append(story)
        report["articles"] += arts
    return report


def svg_rects(svg: str) -> list[tuple[float, float, float, float]]:
    return [tuple(map(float, m)) for m in
            re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', svg)]


needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")


@needs_dot
def test_large_graph_is_laid_out_by_dot():
    story, arts = tree_story("big", 24, missing=True)
    html = render_html({"articles": arts, "stories": [story]})
    svg = re.search(r'<svg class="graph graph-dot".*?</svg>', html, re.S).group(0)
    rects = svg_rects(svg)
    assert len(rects) == 25  # 24 articles and the missing common source
    for i, (x, y, w, h) in enumerate(rects):  # no node hides another
        for x2, y2, w2, h2 in rects[i + 1:]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y
    assert svg.count('<path class="edge edge-') == 23 + 2  # one per derived article, two from the missing source
    assert "<line" not in svg
    # Every node still links to its article's view on the page.
    for a in arts:
        assert f'href="#{anchor("art", a["id"])}"' in svg and f'id="{anchor("art", a["id"])}"' in html
    # Each article's edge shows its relation and score; the missing source's edges carry no label (the legend
    # names them), which in the seeds' graph covered the scores of the rewrites they cross.
    labels = re.findall(r'<text class="edge-label"[^>]*>([^<]*)</text>', svg)
    assert sorted(labels) == sorted(f"{a['relation'].replace('_', ' ')} {a['score']:.2f}" for a in arts[1:])


def test_without_dot_the_rows_layout_is_used_and_said_once(monkeypatch, capsys):
    import copydesk.report.page as h

    monkeypatch.setattr(h, "_dot_binary", lambda: None)
    monkeypatch.setattr(h, "_DOT_WARNED", [])
    h._run_dot.cache_clear()
    try:
        for sid in ("one", "two"):
            story, arts = tree_story(sid, 12)
            html = render_html({"articles": arts, "stories": [story]})
            assert '<svg class="graph"' in html and "<line" in html
    finally:
        h._run_dot.cache_clear()
    err = capsys.readouterr().err
    assert err.count("Graphviz 'dot' not found") == 1 and "graphviz" in err


def test_small_report_stays_one_page(tmp_path):
    out = tmp_path / "report.html"
    files = write_html(many_stories(3), out)
    assert not files.split and files.pages == (out,)
    html = out.read_text(encoding="utf-8")
    assert html.count('<section class="story"') == 3 and not story_folder(out).exists()


def test_large_report_is_an_index_and_a_page_per_story(tmp_path):
    report = many_stories(40)
    out = tmp_path / "report.html"
    files = write_html(report, out)
    assert files.split and files.folder == tmp_path / "report_stories"
    index = out.read_text(encoding="utf-8")
    assert 'id="copydesk-report"' not in index and '<section class="story"' not in index
    assert 'id="story-filter"' in index and "40 with several versions" in unescape(index)
    hrefs = re.findall(r'<li data-q="[^"]*"><a href="([^"]+)"', index)
    assert len(hrefs) == 40
    for story, href in zip(report["stories"], hrefs, strict=True):
        page = (tmp_path / unescape(href)).read_text(encoding="utf-8")
        assert page.count('<section class="story"') == 1 and f"<code>{story['id']}</code>" in page
        assert 'href="../report.html">← all stories' in page
        data = embedded_json(page)  # the page embeds its story and articles only
        assert [s["id"] for s in data["stories"]] == [story["id"]]
        assert {a["id"] for a in data["articles"]} == set(story["articles"])
    first, second = (tmp_path / unescape(hrefs[0])).read_text(), (tmp_path / unescape(hrefs[1])).read_text()
    assert 'rel="next"' in first and 'rel="prev"' not in first and 'rel="prev"' in second
    assert files.first_page_bytes < 100_000 < files.total_bytes

    # A later, smaller run into the same file removes the pages it no longer writes.
    files = write_html(many_stories(30), out)
    assert len(list(files.folder.glob("*.html"))) == 30
    write_html(many_stories(2), out)
    assert not files.folder.exists()


def test_split_index_pages_link_to_each_other(tmp_path):
    out = tmp_path / "run 1#.html"  # a file name that must be escaped in links
    files = write_html(many_stories(25), out, max_page_stories=5, per_index_page=10)
    index_pages = [out, files.folder / "index-2.html", files.folder / "index-3.html"]
    assert all(p in files.pages for p in index_pages)
    for k, page in enumerate(index_pages, 1):
        html = page.read_text(encoding="utf-8")
        assert f"page {k} of 3" in html
        links = [unquote(unescape(h)) for h in re.findall(r'<a href="([^"#]+)"', html)]
        for link in links:
            assert (page.parent / link).is_file(), (page, link)
    assert "Stories <span" in files.folder.joinpath("index-3.html").read_text()


def test_story_page_names_stay_in_their_folder(tmp_path):
    report = many_stories(2)
    for bad, story in zip(("../../etc/passwd", "index-2"), report["stories"], strict=True):
        old = story["id"]
        story["id"] = bad
        for a in report["articles"]:
            if a["story"] == old:
                a["story"] = bad
    files = write_html(report, tmp_path / "r.html", max_page_stories=1)
    assert all(p.parent in (tmp_path, files.folder) for p in files.pages)
    assert len(files.pages) == 3 and len({p.name for p in files.pages}) == 3


def test_unit_marks_are_built_with_the_report_not_while_rendering(seeds_report, seeds_html, monkeypatch):
    """Issue 18: the page's unit marks are data computed from the report (``report.marks``); rendering
    with them never runs the unit extractors, and gives the same page; they stay out of the JSON."""
    import copydesk.report.marks as marks_mod
    from copydesk.report import to_json

    marks = marks_mod.unit_marks(seeds_report)
    assert any(m.css in ("u-changed", "u-new") for per in marks.values() for ms in per.values() for m in ms)

    def boom(*_a, **_k):
        raise AssertionError("featurize.units called while rendering")

    monkeypatch.setattr(marks_mod, "_units", boom)
    monkeypatch.setattr("copydesk.featurize.units.extract_units", boom)
    assert page_mod.render_html(seeds_report, marks=marks) == seeds_html
    assert "u-changed" not in to_json(seeds_report) and "u-new" not in to_json(seeds_report)


def test_the_renderer_only_renders():
    """Issue 18: ``report.page`` takes the unit marks from its caller; it imports no stage (nothing
    from ``featurize`` or ``claims``) and never calls ``unit_marks``."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(page_mod.__file__).read_text(encoding="utf-8"))
    imported = {
        (n.module or "") + ":" + a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names
    } | {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not [i for i in imported if "featurize" in i or "claims" in i or i.endswith(":unit_marks")]
