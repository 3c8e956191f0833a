"""Unit tests of ingest: each reader, the file walk, decoding and the per-input checks.

Every bad input must come back as an ``IngestError`` value (one line: file, line, reason),
never as an exception through the batch, and never as a half-read article.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
from pathlib import Path

import numpy as np
import pytest

from copydesk.config import Limits
from copydesk.ingest import (
    IngestError,
    InputError,
    article_from_html,
    binary_kind,
    decode_text,
    headline_of,
    iter_files,
    normalise_text,
    read_file,
    read_inputs,
    record_to_article,
    scrub,
)
from copydesk.records import Article

STORY = ("A strong earthquake struck the town of Springfield on Monday, officials said. "
         "Dozens of homes were damaged and roads were closed across the valley.")


def _arts(items):
    return [x for x in items if isinstance(x, Article)]


def _errs(items):
    return [x for x in items if isinstance(x, IngestError)]


def html_page(title: str, body: str) -> str:
    paras = "".join(f"<p>{p}</p>" for p in body.split("\n"))
    return (f"<html><head><title>{title}</title><meta name='author' content='A. Writer'></head>"
            f"<body><nav><a href='/'>Home</a> | <a href='/world'>World</a></nav>"
            f"<article><h1>{title}</h1>{paras}</article>"
            f"<footer>Copyright 2024 Example News</footer></body></html>")


def make_warc(path: Path, pages: list[tuple[str, str]], *, gz: bool = False, extra_records: bool = False) -> bytes:
    """A small WARC of HTML responses (url, html) written with warcio's own writer."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=gz)
    if extra_records:
        w.write_record(w.create_warcinfo_record(path.name, {"software": "test"}))
    for url, html in pages:
        hh = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(html.encode()), http_headers=hh))
        if extra_records:
            img = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(url + ".png", "response", payload=io.BytesIO(b"\x89PNG...."),
                                                http_headers=img))
    data = buf.getvalue()
    path.write_bytes(data)
    return data


def warc_pages(n: int) -> list[tuple[str, str]]:
    return [(f"http://news.example/{i}", html_page(f"Storm {i} hits the coast",
                                                   f"Storm number {i} hit the coast of Norway on Friday, cutting "
                                                   "power to thousands of homes and closing roads.\nOfficials "
                                                   f"said repairs to line {i} would take several days."))
            for i in range(n)]


# ----------------------------------------------------------------------------- txt


@pytest.mark.parametrize(("text", "title"), [
    ("Quake hits Springfield\n" + STORY, "Quake hits Springfield"),
    ("\n\n  Quake hits Springfield  \n" + STORY, "Quake hits Springfield"),
    ("## **Quake hits Springfield**\n" + STORY, "Quake hits Springfield"),
    (STORY, None),  # first line ends with a full stop: body, not headline
    ("Quake hits Springfield.\n" + STORY, None),
    ("Is this the end?\n" + STORY, None),
    ("“Quote as a first line”\n" + STORY, None),
    (" ".join(["word"] * 25) + "\n" + STORY, None),  # too long for a headline
    ("", None),
])
def test_txt_headline_rule(text, title):
    assert headline_of(text) == title


def test_read_txt(tmp_path):
    p = tmp_path / "quake story.txt"
    p.write_bytes(("Quake hits Springfield\r\n" + STORY + "\r\n").encode())
    [a] = read_file(p, Limits())
    assert isinstance(a, Article)
    assert a.id == "quake story"
    assert a.title == "Quake hits Springfield"
    assert a.text.startswith("Quake hits Springfield\r\nA strong")  # CRLF kept: offsets are the file's
    assert a.source_path == str(p)


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "empty file"),
    (b"  \n\t\r\n ", "only whitespace"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "binary file (PNG image)"),
    (gzip.compress(STORY.encode()), "binary file (gzip data)"),
    (b"%PDF-1.4 ...", "PDF document"),
    (b"abc\x00\x00\x00def", "NUL bytes"),
    ("Caf\u00e9 owners say prices will rise.".encode("latin-1"), "not UTF-8 text (byte 0xe9 at offset 3)"),
    ("ok caf\u00e9 ".encode() + "caf\u00e9".encode("cp1252"), "not UTF-8 text (byte 0xe9 at offset"),
])
def test_bad_txt_is_one_error(tmp_path, content, reason):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    [e] = read_file(p, Limits())
    assert isinstance(e, IngestError)
    assert e.path == str(p) and e.line is None
    assert reason in e.reason
    assert "\n" not in str(e)


def test_utf16_with_bom_is_decoded(tmp_path):
    for enc in ("utf-16", "utf-16-le", "utf-16-be"):
        p = tmp_path / f"{enc}.txt"
        bom = {"utf-16": b"", "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}[enc]
        p.write_bytes(bom + ("Flood warning\n" + STORY).encode(enc))
        [a] = read_file(p, Limits())
        assert isinstance(a, Article), a
        assert a.title == "Flood warning" and a.text.endswith("valley.")


def test_file_size_limit_before_reading(tmp_path):
    p = tmp_path / "huge.txt"
    with open(p, "wb") as fh:
        fh.truncate(3 * 1024 * 1024)  # sparse: costs nothing
    [e] = read_file(p, Limits(max_file_bytes=2 * 1024 * 1024))
    assert "file too large (3.0 MiB > limit 2.0 MiB)" in e.reason


def test_single_long_line_against_article_limit(tmp_path):
    p = tmp_path / "line.txt"
    p.write_text("word " * 300_000)  # 1.5 MB on one line: inside the file limit
    [e] = read_file(p, Limits())
    assert isinstance(e, IngestError) and "text too large (1,500,000 characters > limit 1,000,000)" in e.reason
    [a] = read_file(p, Limits(max_article_chars=2_000_000))  # accepted when the limit allows it
    assert isinstance(a, Article) and len(a.text) == 1_500_000


# ----------------------------------------------------------------------------- decoding


def test_decode_text():
    assert decode_text("héllo".encode()) == "héllo"
    assert decode_text(codecs.BOM_UTF8 + "héllo".encode()) == "héllo"
    assert decode_text("héllo ✓".encode("utf-16")) == "héllo ✓"
    assert decode_text(codecs.BOM_UTF16_BE + "héllo".encode("utf-16-be")) == "héllo"
    assert decode_text("héllo 🌍".encode("utf-32")) == "héllo 🌍"
    with pytest.raises(InputError, match=r"not UTF-8 text \(byte 0xe9 at offset 1\)"):
        decode_text("héllo".encode("latin-1"))
    with pytest.raises(InputError, match="invalid UTF-16"):
        decode_text(codecs.BOM_UTF16_LE + b"\x00\xd8")  # a lone high surrogate


def test_binary_kind():
    assert binary_kind(b"\x89PNG\r\n") == "PNG image"
    assert binary_kind(b"\x1f\x8b\x08") == "gzip data"
    assert binary_kind(b"\xff\xd8\xff\xe0") == "JPEG image"
    assert binary_kind(b"hello\x00world").startswith("binary data (NUL bytes")
    assert binary_kind("text".encode("utf-16")) is None  # a BOM: text, NULs and all
    assert binary_kind(b"plain text") is None


def test_normalise_and_scrub():
    assert normalise_text("a\r\nb\rc\x00d\x07e\tf") == "a\r\nb\ncde\tf"
    assert scrub("a\ud800b\udce9") == "a\ufffdb\ufffd"
    assert len(scrub("x\ud83dy")) == 3  # offsets of everything else are unchanged


# ----------------------------------------------------------------------------- html


def test_read_html_title_and_text(tmp_path):
    p = tmp_path / "page.html"
    p.write_text(html_page("Quake hits Springfield", STORY + "\nRescue teams worked through the night."))
    [a] = read_file(p, Limits())
    assert isinstance(a, Article), a
    assert a.id == "page"
    assert a.title == "Quake hits Springfield"
    assert "strong earthquake struck the town of Springfield" in a.text
    assert "Rescue teams worked through the night." in a.text
    assert "Copyright 2024" not in a.text and "Home" not in a.text.split("\n")


def test_html_script_only_page(tmp_path):
    p = tmp_path / "script.htm"
    p.write_text("<html><head><script>var x = 1;</script></head><body><script>document.write('<p>hi</p>')"
                 "</script><noscript></noscript></body></html>")
    [e] = read_file(p, Limits())
    assert isinstance(e, IngestError) and e.reason == "no article text found in HTML"


def test_html_deeply_nested_is_rejected_before_parsing(tmp_path):
    p = tmp_path / "deep.html"
    p.write_text("<html><body>" + "<div>" * 10_000 + "<p>" + STORY + "</p>" + "</div>" * 10_000 + "</body></html>")
    [e] = read_file(p, Limits())
    assert isinstance(e, IngestError)
    assert "HTML nested too deeply (10,002 levels > limit 256)" in e.reason
    # unclosed tags nest too
    p.write_text("<html><body>" + "<b>" * 10_000 + STORY)
    [e] = read_file(p, Limits())
    assert "nested too deeply" in e.reason


def test_html_depth_limit_matches_what_the_parser_keeps():
    inner = "<p>" + STORY + "</p>"
    ok = "<html><body>" + "<div>" * 250 + inner + "</div>" * 250 + "</body></html>"
    assert STORY in article_from_html("ok", ok, Limits()).text
    deep = "<html><body>" + "<div>" * 300 + inner + "</div>" * 300 + "</body></html>"
    with pytest.raises(InputError, match="nested too deeply"):
        article_from_html("deep", deep, Limits())


def test_html_unclosed_paragraphs_are_not_deep():
    # <p>, <li>, <td> close themselves: 600 unclosed paragraphs are 600 siblings, not 600 levels.
    body = "".join(f"<p>Paragraph {i} of a long report on the storm that hit the coast on Friday." for i in range(600))
    a = article_from_html("flat", f"<html><body><article>{body}</article></body></html>", Limits())
    assert "Paragraph 599" in a.text


def test_html_billion_laughs_is_not_expanded(tmp_path):
    decl = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    p = tmp_path / "laughs.html"
    p.write_text(f'<?xml version="1.0"?><!DOCTYPE lolz [{decl}]><html><body><p>&lol9;</p></body></html>')
    [e] = read_file(p, Limits())
    assert isinstance(e, IngestError) and "no article text found" in e.reason
    # The same declarations around real text: the text is kept, no entity is expanded.
    p.write_text(f'<!DOCTYPE html [{decl}]><html><head><title>Storm</title></head><body><article>'
                 f'<p>{STORY} &lol9; &amp; more.</p></article></body></html>')
    [a] = read_file(p, Limits())
    assert isinstance(a, Article), a
    assert "earthquake struck" in a.text and "lol" not in a.text and "& more" in a.text


# ----------------------------------------------------------------------------- jsonl


def _jsonl(tmp_path: Path, lines: list[str], name: str = "feed.jsonl", end: str = "\n") -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + end, encoding="utf-8")
    return p


def test_jsonl_fields(tmp_path):
    p = _jsonl(tmp_path, [
        json.dumps({"id": "a1", "text": STORY, "title": "Quake", "url": "http://x/1", "site": "x.com",
                    "published": "2024-03-01"}),
        json.dumps({"text": "Second article without an id, about a flood in the valley."}),
        "",
        json.dumps({"id": 17, "text": "A numeric id is accepted as a string."}),
    ])
    a, b, c = read_file(p, Limits())
    assert (a.id, a.title, a.url, a.site, a.published) == ("a1", "Quake", "http://x/1", "x.com", "2024-03-01")
    assert a.source_path == str(p)
    assert b.id == "feed-2" and b.title is None
    assert c.id == "17"


@pytest.mark.parametrize(("line", "reason"), [
    ("[1, 2, 3]", "line is JSON list, expected an object"),
    ('"just a string"', "line is JSON str"),
    (json.dumps({"id": "x"}), "missing required field 'text'"),
    (json.dumps({"id": "x", "text": 5}), "field 'text' must be a string, got int"),
    (json.dumps({"id": ["x"], "text": STORY}), "field 'id' must be a string, got list"),
    (json.dumps({"id": True, "text": STORY}), "field 'id' must be a string, got bool"),
    (json.dumps({"id": None, "title": 3, "text": STORY}), "field 'title' must be a string, got int"),
    (json.dumps({"id": "", "text": STORY}), "field 'id' must be 1 to 512 characters"),
    (json.dumps({"id": "x", "text": "   "}), "text is only whitespace"),
    ("{not json}", "invalid JSON"),
    ("[" * 100_000 + "]" * 100_000, "invalid JSON (nested too deeply)"),
    ('{"id": "n", "text": "x", "n": 1' + "0" * 5000 + "}", "invalid JSON (Exceeds the limit (4300 digits)"),
])
def test_jsonl_bad_line(tmp_path, line, reason):
    p = _jsonl(tmp_path, [json.dumps({"id": "ok1", "text": STORY}), line,
                          json.dumps({"id": "ok3", "text": STORY + " Again."})])
    items = list(read_file(p, Limits()))
    assert [a.id for a in _arts(items)] == ["ok1", "ok3"]  # the batch goes on
    [e] = _errs(items)
    assert e.line == 2 and reason in e.reason
    assert str(e).startswith(f"{p}:2: ")


def test_jsonl_truncated_last_line(tmp_path):
    p = _jsonl(tmp_path, [json.dumps({"id": "a", "text": STORY}), '{"id": "b", "text": "cut off in the mid'],
               end="")
    a, e = read_file(p, Limits())
    assert a.id == "a"
    assert e.line == 2 and e.reason.startswith("truncated JSON line")


def test_jsonl_line_limit_skips_only_that_line(tmp_path):
    p = _jsonl(tmp_path, [json.dumps({"id": "a", "text": STORY}), json.dumps({"id": "big", "text": "x " * 5000}),
                          json.dumps({"id": "c", "text": STORY + " More."})])
    items = list(read_file(p, Limits(max_jsonl_line_bytes=2000)))
    assert [a.id for a in _arts(items)] == ["a", "c"]
    [e] = _errs(items)
    assert e.line == 2 and "line longer than 2,000 bytes" in e.reason


def test_jsonl_empty_whitespace_binary(tmp_path):
    (tmp_path / "e.jsonl").write_bytes(b"")
    (tmp_path / "w.jsonl").write_bytes(b"\n  \n\n")
    (tmp_path / "g.jsonl").write_bytes(gzip.compress(b'{"id": "a", "text": "x"}\n'))
    (tmp_path / "bom.jsonl").write_bytes(codecs.BOM_UTF8 + json.dumps({"id": "b", "text": STORY}).encode() + b"\n")
    (tmp_path / "l1.jsonl").write_bytes(b'{"id": "c", "text": "caf\xe9"}\n')
    assert [e.reason for e in read_file(tmp_path / "e.jsonl", Limits())] == ["empty file"]
    assert [e.reason for e in read_file(tmp_path / "w.jsonl", Limits())] == ["no JSON lines in file (only whitespace)"]
    assert "binary file (gzip data)" in next(read_file(tmp_path / "g.jsonl", Limits())).reason
    assert next(read_file(tmp_path / "bom.jsonl", Limits())).id == "b"
    [e] = read_file(tmp_path / "l1.jsonl", Limits())
    assert e.line == 1 and "not UTF-8" in e.reason


def test_jsonl_lone_surrogate_is_replaced(tmp_path):
    p = _jsonl(tmp_path, ['{"id": "s", "text": "Lone \\udc00 surrogate in a flood story."}',
                          '{"id": "s\\ud800", "text": "An id that cannot be stored as given."}'])
    a, e = read_file(p, Limits())
    assert a.id == "s" and a.text == "Lone \ufffd surrogate in a flood story."
    a.text.encode("utf-8")  # storable
    assert e.line == 2 and "lone surrogate" in e.reason  # an id is kept exactly or refused, never altered


def test_record_to_article_defaults():
    a = record_to_article({"text": STORY}, Limits(), stem="api")
    assert a.id == "api" and a.title is None  # first line is a sentence: no headline
    a = record_to_article({"id": " padded ", "text": "Headline here\n" + STORY}, Limits())
    assert a.id == " padded " and a.title == "Headline here"  # ids are kept exactly as given


# ----------------------------------------------------------------------------- duplicate ids


def test_duplicate_ids_rejected_with_both_places(tmp_path):
    p = _jsonl(tmp_path, [
        json.dumps({"id": "d", "text": STORY}),
        json.dumps({"id": "d", "text": "A different text under the same id."}),
        json.dumps({"id": "d", "text": STORY}),  # the same article again: idempotent, silent
        json.dumps({"id": "d", "text": STORY, "title": "Another title"}),  # other content
    ])
    (tmp_path / "later").mkdir()  # walked after feed.jsonl
    (tmp_path / "later" / "d.txt").write_text("Other words in a text file named like the id.")
    items = list(read_inputs([tmp_path]))
    [a] = _arts(items)
    assert a.id == "d" and a.text == STORY
    errs = _errs(items)
    assert [(e.path, e.line) for e in errs] == [(str(p), 2), (str(p), 4), (str(tmp_path / "later" / "d.txt"), None)]
    for e in errs:
        assert f"duplicate id 'd' with different content (first seen at {p}:1); rejected" in e.reason


# ----------------------------------------------------------------------------- warc


def test_read_warc(tmp_path):
    p = tmp_path / "crawl.warc"
    make_warc(p, warc_pages(3), extra_records=True)
    arts = list(read_file(p, Limits()))
    assert [a.id for a in arts] == ["crawl-1", "crawl-2", "crawl-3"]
    assert [a.url for a in arts] == ["http://news.example/0", "http://news.example/1", "http://news.example/2"]
    assert arts[1].title == "Storm 1 hits the coast"
    assert "Storm number 1 hit the coast of Norway" in arts[1].text


def test_read_warc_gz(tmp_path):
    p = tmp_path / "crawl.warc.gz"
    make_warc(p, warc_pages(2), gz=True)
    assert [a.id for a in read_file(p, Limits())] == ["crawl-1", "crawl-2"]


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("cut", [30, 150, 300, 450])
def test_truncated_warc_keeps_records_before_the_cut(tmp_path, gz, cut):
    p = tmp_path / ("cut.warc.gz" if gz else "cut.warc")
    data = make_warc(p, warc_pages(3), gz=gz)
    p.write_bytes(data[: len(data) - cut])
    items = list(read_file(p, Limits()))
    arts, errs = _arts(items), _errs(items)
    assert len(errs) == 1, items
    assert "truncated" in errs[0].reason
    # whatever was cut, the complete records before it are kept whole, and nothing partial
    assert [a.id for a in arts] == ["cut-1", "cut-2"][: len(arts)]
    assert len(arts) >= 1
    for a in arts:
        assert a.text.endswith("would take several days.")


def test_warc_without_html_and_not_a_warc(tmp_path):
    p = tmp_path / "info.warc"
    make_warc(p, [], extra_records=True)  # a warcinfo record only
    assert [e.reason for e in read_file(p, Limits())] == ["no HTML responses in WARC"]
    q = tmp_path / "fake.warc"
    q.write_text("this is not a warc")
    assert [e.reason for e in read_file(q, Limits())] == ["not a WARC file (no WARC header)"]
    r = tmp_path / "empty.warc.gz"
    r.write_bytes(b"")
    assert [e.reason for e in read_file(r, Limits())] == ["empty file"]


# ----------------------------------------------------------------------------- walking


def test_iter_files_order_and_filter(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a").mkdir()
    for name in ("b/2.txt", "b/1.html", "a/z.jsonl", "a/y.warc.gz", "top.text", "skip.pdf", "a/notes.csv"):
        (tmp_path / name).write_text("x")
    got = [p.relative_to(tmp_path).as_posix() for p in iter_files([tmp_path])]
    assert got == ["a/y.warc.gz", "a/z.jsonl", "b/1.html", "b/2.txt", "top.text"]
    # the same file twice (as a folder member and by name) is read once
    again = list(iter_files([tmp_path / "b", tmp_path / "b" / "2.txt", tmp_path / "missing"]))
    assert [str(x) for x in again[:2]] == [str(tmp_path / "b/1.html"), str(tmp_path / "b/2.txt")]
    assert isinstance(again[2], IngestError) and again[2].reason == "no such file or folder"


def test_iter_files_symlink_loop(tmp_path):
    (tmp_path / "d" / "e").mkdir(parents=True)
    (tmp_path / "d" / "e" / "x.txt").write_text(STORY)
    os.symlink("..", tmp_path / "d" / "e" / "up")
    os.symlink(tmp_path / "d", tmp_path / "d" / "self")
    os.symlink(tmp_path / "nowhere.txt", tmp_path / "d" / "broken.txt")
    items = list(iter_files([tmp_path]))
    files = [x for x in items if not isinstance(x, IngestError)]
    errs = [x for x in items if isinstance(x, IngestError)]
    assert files == [tmp_path / "d" / "e" / "x.txt"]
    assert sorted((Path(e.path).name, e.reason) for e in errs) == [
        ("broken.txt", "broken symbolic link; skipped"),
        ("self", "symlink loop: folder already being read; skipped"),
        ("up", "symlink loop: folder already being read; skipped"),
    ]


def test_iter_files_fifo_is_not_read(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    [e] = iter_files([tmp_path])
    assert e.reason.startswith("not a regular file")
    [e] = iter_files([tmp_path / "pipe.txt"])
    assert e.reason.startswith("not a regular file")


def test_odd_file_names(tmp_path):
    names = ["with space.txt", "it's \"quoted\".txt", "ñandú – 東京.txt", "[bold]markup[red].txt"]
    for i, n in enumerate(names):
        (tmp_path / n).write_text(f"Headline {i}\n{STORY} Number {i}.")
    raw = os.fsencode(tmp_path) + b"/caf\xe9 latin1 name.txt"
    with open(raw, "wb") as fh:
        fh.write(f"Headline x\n{STORY}".encode())
    arts = list(read_inputs([tmp_path]))
    ids = sorted(a.id for a in arts)
    assert ids == sorted([n[:-4] for n in names] + ["caf\ufffd latin1 name"])
    for a in arts:
        a.id.encode("utf-8")
        a.source_path.encode("utf-8")


# ----------------------------------------------------------------------------- pipelined ingest


def test_pipelined_ingest_with_workers_equals_one_process(tmp_path):
    """The workers analyse the next batch while the store writes this one: the stored articles,
    features and counts must equal a one-process ingest, and an id repeated in the next batch
    (before this one is stored) is still seen: same text unchanged, other text rejected."""
    import random

    from copydesk.config import Settings
    from copydesk.runners.incremental import Pipeline
    from copydesk.store import open_store

    rng = random.Random(5)
    words = STORY.replace(",", "").replace(".", "").split()
    texts = [" ".join(rng.choice(words) for _ in range(40)) + "." for _ in range(150)]
    arts = [Article(id=f"a{i:03d}", text=t) for i, t in enumerate(texts)]
    # batch_size 70: a00 and a69 come again in the second batch, one unchanged, one with new text.
    stream = arts[:70] + [arts[0], Article(id="a069", text="Another text under an id already sent.")] + arts[70:]
    out = {}
    for workers, batch in ((1, 256), (2, 70)):
        with open_store(str(tmp_path / f"w{workers}.db"), lock=True) as store:
            stats = Pipeline(store, Settings(claims=False), workers=workers, batch_size=batch).ingest(iter(stream))
            ids = sorted(store.stored_hashes([a.id for a in arts]))
            feats = store.load_features(ids)
        out[workers] = (stats, ids, feats)
    (s1, ids1, f1), (s2, ids2, f2) = out[1], out[2]
    assert ids1 == ids2 == [a.id for a in arts]
    assert (s2.added, s2.unchanged, len(s2.rejected)) == (s1.added, s1.unchanged, len(s1.rejected)) == (150, 1, 1)
    assert "'a069' is already stored with a different text" in s2.rejected[0]
    for i in ids1:
        assert np.array_equal(f1[i].doc_vector, f2[i].doc_vector) and np.array_equal(f1[i].signature, f2[i].signature)
