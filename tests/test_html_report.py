"""The self-contained HTML report (``render_html``), checked as text; see test_web_browser for the browser."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest

from conftest import SEEDS
from copydesk.report.html import json_for_script, render_html

HOSTILE = '</script><script>window.__xss=1</script><img src=x onerror="window.__xss=2"> & "quotes" \u2028'


@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory) -> dict:
    from copydesk.config import Limits
    from copydesk.ingest import IngestError, read_inputs
    from copydesk.pipeline import Pipeline
    from copydesk.report import build_report
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
    flagged = sum(1 for a in seeds_report["articles"] for c in a["claims"] if c["status"] != "supported")
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
