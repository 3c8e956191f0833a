"""Property tests (hypothesis) on the pure stages, and order independence of ``analyze``.

Each pure stage must take arbitrary unicode without crashing and keep every offset inside
its text, with ``text[start:end]`` equal to the span's own text; cleaning is idempotent;
``Limits`` validates its fields. Analysis must not depend on the order the files come in.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copydesk.align import align
from copydesk.clean import clean_article, detect_artifacts, find_title, strip_artifacts
from copydesk.config import Limits
from copydesk.featurize.units import extract_units
from copydesk.records import ARTIFACT_KINDS, Article, Sentence
from copydesk.segment import segment, sentence_spans

PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Arbitrary unicode (lone surrogates excluded: ingest replaces them before any stage runs) ...
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
# ... and news-like text built from the pieces the stages look for, so the interesting paths
# (headlines, quotes, numbers, dates, prompt leaks, markdown, boilerplate, repeats) are hit.
FRAGMENTS = [
    "Title: ", "**", "##", "# ", "*", "_", "`", "\n", "\n\n", " ", "  ", ". ", "? ", "! ", "…", ":", ";",
    "\"", "“", "”", "‘", "’", "'", "«", "»", "(", ")", "[", "]", "[Insert Current Date]", "Date: ",
    "The article text:", "Here is the rewritten article:", "As an AI language model,", "MORE STORIES",
    "Share this article", "Subscribe to our newsletter", "Read more:", "Advertisement",
    "Russia", "Ukraine", "NATO", "Vladimir Putin", "Donald Trump", "U.S.", "Mr. Smith", "Dr. Jones",
    "said", "told reporters", "according to", "on Monday", "last week", "March 3, 2021", "2024-03-01",
    "12", "3.5", "1,200", "20%", "a fifth", "twenty percent", "$4.5 billion", "30-day", "1990s",
    "the ceasefire", "talks", "in Kursk", "The war began in 2022.", "ıİßẞﬁ", "é", "e\u0301", "\u200b",
    "\u2028", "\t", "\r", "東京", "🙂", "١٢٣", "Ⅻ", "½", "−5", "x", "9" * 400, " " * 300, "\t" * 50,
]
NEWSY = st.lists(st.sampled_from(FRAGMENTS), max_size=60).map("".join)
TEXTS = st.one_of(ANY_TEXT, NEWSY, st.tuples(NEWSY, NEWSY).map(lambda t: t[0] + "\n" + t[0] + "\n" + t[1]))


def _spans_ok(spans, n):
    last = 0
    for s, e in spans:
        assert 0 <= last <= s < e <= n, (spans, n)
        last = e


@PROPS
@given(TEXTS)
def test_sentence_spans(text):
    spans = sentence_spans(text)
    _spans_ok(spans, len(text))
    for s, e in spans:
        piece = text[s:e]
        assert piece == piece.strip() and piece
        assert "\n" not in piece  # lines are hard breaks
        assert any(ch.isalnum() or ch == "_" for ch in piece)


@PROPS
@given(TEXTS, st.integers(0, 10_000))
def test_extract_units(text, offset):
    units = extract_units(text, offset=offset)
    for u in units:
        assert offset <= u.start < u.end <= offset + len(text), u
        assert text[u.start - offset : u.end - offset] == u.text
        assert u.kind in ("number", "date", "quote", "attribution", "entity")
        assert isinstance(u.key, str)
        if u.kind == "number":
            assert u.value is None or np.isfinite(u.value)
    assert [(u.start, u.end) for u in units] == sorted((u.start, u.end) for u in units)


@PROPS
@given(TEXTS, st.one_of(st.none(), NEWSY))
def test_detect_and_strip_artifacts(text, title):
    arts = detect_artifacts(text, title)
    _spans_ok([(a.start, a.end) for a in arts], len(text))
    for a in arts:
        assert a.kind in ARTIFACT_KINDS
        assert text[a.start : a.end] == a.text
    clean, omap = strip_artifacts(text, arts)
    assert len(clean) == len(text) - sum(a.end - a.start for a in arts)
    for i, ch in enumerate(clean):  # every cleaned character maps back to the same raw one
        assert text[omap.to_raw(i)] == ch


@PROPS
@given(TEXTS)
def test_cleaning_is_idempotent(text):
    title = find_title(text)
    clean, _ = strip_artifacts(text, detect_artifacts(text, title))
    again, _ = strip_artifacts(clean, detect_artifacts(clean, title))
    assert again == clean


@PROPS
@given(TEXTS, st.one_of(st.none(), NEWSY))
def test_segmented_article_offsets_point_into_raw_text(text, title):
    art = Article(id="x", text=text, title=title or None)
    c = clean_article(art)
    sents = segment(c)
    for i, s in enumerate(sents):
        assert s.idx == i and s.article_id == "x"
        assert 0 <= s.start <= s.end <= len(text)
        if s.end - s.start == len(s.text):
            assert text[s.start : s.end] == s.text


@pytest.mark.parametrize("line", [" " * 3000 + "x", "\t" * 3000, "#" * 3000 + " x", "- " * 1500 + "x", "* " * 1500,
                                  "**" + " " * 3000 + "Title" + " " * 3000 + ":", "Title:" + " " * 3000,
                                  "9" * 5000, "1," * 3000 + "5", "“" * 3000])
def test_stages_stay_linear_on_pathological_lines(line):
    """Long runs of blanks, markers or digits once took minutes (regex backtracking) or crashed
    (a 400-digit number overflowed to inf); each stage must stay well under a second here."""
    import time

    text = "Storm hits coast\n" + "\n".join([line, "The storm hit the coast on Friday, officials said.", line] * 3)
    t0 = time.process_time()
    c = clean_article(Article(id="p", text=text))
    sents = segment(c)
    for s in sents:
        extract_units(s.text, offset=s.start)
    assert time.process_time() - t0 < 5.0


def _vecs(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.standard_normal((n, 384)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _sentences(aid: str, text: str) -> list[Sentence]:
    return [Sentence(aid, i, s, e, text[s:e]) for i, (s, e) in enumerate(sentence_spans(text))]


@PROPS
@given(TEXTS, TEXTS, st.integers(0, 2**32 - 1), st.booleans())
def test_align(text, src, seed, shared):
    rng = np.random.default_rng(seed)
    if shared:
        src = src + "\n" + text  # some sentences align verbatim
    ss, rs = _sentences("r", text), _sentences("s", src)
    sv, rv = _vecs(rng, len(ss)), _vecs(rng, len(rs))
    al = align(ss, sv, "s", rs, rv)
    assert len(al.sentences) == len(ss) and al.source == "s"
    for o, s in zip(al.sentences, ss, strict=True):
        assert text[o.sentence.start : o.sentence.end] == o.sentence.text == s.text
        assert o.label in ("verbatim", "paraphrase", "added")
        for m in o.sources:
            assert m.article == "s" and src[m.start : m.end] == m.text
            assert np.isfinite(m.score)
    for d in al.dropped:
        assert src[d.start : d.end] == d.text


# ----------------------------------------------------------------------------- Limits

LIMIT_FIELDS = ("max_file_bytes", "max_article_chars", "max_jsonl_line_bytes", "max_warc_record_bytes",
                "max_html_depth", "max_articles_per_request", "max_request_bytes")


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(LIMIT_FIELDS), st.one_of(st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                                                st.text(max_size=5), st.booleans(), st.none()))
def test_limits_validation(field, value):
    ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
    if ok:
        assert getattr(Limits(**{field: value}), field) == value
    else:
        with pytest.raises(ValueError, match=field):
            Limits(**{field: value})


def test_limit_defaults_documented():
    doc = Limits.__doc__ or ""
    for f in LIMIT_FIELDS:
        assert f"``{f}``" in doc, f
    assert "5 MB text on" in doc  # the single-long-line decision is written down


# ----------------------------------------------------------------------------- order independence

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}

EXTRA = [
    {"id": "quake-a", "text": "Quake hits Springfield\nA magnitude 6.1 earthquake struck Springfield on Monday, "
                              "the geological survey said. At least 12 people were injured and 40 homes damaged."},
    {"id": "quake-b", "text": "Springfield shaken by strong quake\nAt least twelve people were hurt when a 6.1 "
                              "magnitude earthquake hit Springfield on Monday, damaging about 40 homes, "
                              "according to the geological survey."},
    {"id": "flood-a", "text": "Floods in Shelbyville\nHeavy rain flooded Shelbyville on Thursday, forcing 300 "
                              "residents from their homes, mayor Joe Quimby said."},
    {"id": "market-a", "text": "Acme shares tumble\nShares in Acme Corp fell 8% on Wednesday after the company "
                               "cut its annual profit forecast for the second time this year."},
]


def _analyze_json(inputs: list[Path], db: Path, out: Path) -> dict:
    res = subprocess.run([sys.executable, "-m", "copydesk.cli", "analyze", *map(str, inputs), "--db", str(db),
                          "--json", str(out), "-q"], capture_output=True, text=True, env=ENV, timeout=600)
    assert res.returncode == 0, res.stderr
    return json.loads(out.read_text())


def test_analysis_is_independent_of_input_order(tmp_path, seeds_dir):
    seeds = sorted(seeds_dir.glob("*.txt"))
    # Order 1: seeds in name order, then the JSONL in its order.
    one = tmp_path / "one"
    (one / "a").mkdir(parents=True)
    for p in seeds:
        shutil.copy(p, one / "a" / p.name)
    (one / "b.jsonl").write_text("".join(json.dumps(r) + "\n" for r in EXTRA))
    # Order 2: the JSONL first with its lines shuffled, then the seeds in reverse, each in a
    # folder whose name sorts it before the seeds that came earlier (ids are file stems: unchanged).
    two = tmp_path / "two"
    two.mkdir()
    lines = [json.dumps(r) + "\n" for r in EXTRA]
    random.Random(3).shuffle(lines)
    (two / "0.jsonl").write_text("".join(lines))
    for k, p in enumerate(reversed(seeds)):
        (two / f"d{k}").mkdir()
        shutil.copy(p, two / f"d{k}" / p.name)
    r1 = _analyze_json([one], tmp_path / "one.db", tmp_path / "one.json")
    r2 = _analyze_json([two], tmp_path / "two.db", tmp_path / "two.json")
    # the walk orders really differ
    with_seq = [tmp_path / "one.db", tmp_path / "two.db"]
    import sqlite3

    orders = []
    for db in with_seq:
        with sqlite3.connect(db) as c:
            orders.append([r[0] for r in c.execute("SELECT id FROM articles ORDER BY seq")])
    assert orders[0] != orders[1] and sorted(orders[0]) == sorted(orders[1])
    assert r1["stories"] == r2["stories"]
    rel = lambda r: [(a["id"], a["story"], a["family"], a["relation"], a["source"], a["score"]) for a in r["articles"]]  # noqa: E731
    assert rel(r1) == rel(r2)
    assert (tmp_path / "one.json").read_bytes() == (tmp_path / "two.json").read_bytes()
    # and the grouping is the expected one: the seeds together, the two quake reports together
    by_id = {a["id"]: a for a in r1["articles"]}
    assert len({by_id[p.stem]["story"] for p in seeds}) == 1
    assert by_id["quake-a"]["story"] == by_id["quake-b"]["story"] != by_id["flood-a"]["story"]


def test_one_article_at_a_time_equals_one_shot(tmp_path, seeds_dir):
    """Incremental in the extreme (as the HTTP API adds them): each article ingested and placed on
    its own, in reverse order, gives the one-shot report byte for byte."""
    from copydesk.config import Settings
    from copydesk.ingest import read_inputs
    from copydesk.report import build_report, to_json
    from copydesk.runners.incremental import Pipeline
    from copydesk.store import open_store

    arts = [a for a in read_inputs([seeds_dir]) if isinstance(a, Article)]
    arts += [Article(id=r["id"], text=r["text"]) for r in EXTRA[:2]]
    assert len(arts) == 7
    settings = Settings()
    with open_store(str(tmp_path / "one.db"), lock=True) as store:
        pipe = Pipeline(store, settings)
        pipe.ingest(arts)
        pipe.place()
        one_shot = to_json(build_report(store))
    with open_store(str(tmp_path / "each.db"), lock=True) as store:
        for a in reversed(arts):
            pipe = Pipeline(store, settings)
            assert pipe.ingest([a]).added == 1
            pipe.place()
        each = to_json(build_report(store))
    assert each == one_shot
