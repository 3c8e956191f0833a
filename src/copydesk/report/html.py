"""HTML rendering of the report: one self-contained page (inline CSS, JS and SVG; no network).

``render_html(report)`` renders the report object of ``build_report`` (the JSON of
``copydesk analyze --json``): a story list, per story the derivation graph as inline SVG,
per article a side-by-side view against its source with sentences labelled verbatim /
paraphrase / added, dropped source sentences, flagged claims with their evidence, artifacts
struck through and changed numbers, dates and quotes marked inside the sentence.

Every piece of article text goes through ``html.escape``; the report data is embedded as
JSON with ``<`` written as ``\\u003c`` so no text can close the script element. A
Content-Security-Policy allows only this page's own inline script (by hash) and no network.
``copydesk serve`` renders its pages with the same functions (``story_href`` points the
story links at the server instead of at anchors in the page).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from html import escape
from importlib import resources

from . import shared_and_single_facts

Href = Callable[[str], str]

RELATION_LABEL = {
    "reference": "★ reference",
    "rewrite": "↳ rewrite",
    "duplicate": "⧉ duplicate",
    "same_story": "∥ same story",
    "unrelated": "○ single",
}
ALIGN_LABEL = {"verbatim": "= verbatim", "paraphrase": "≈ paraphrase", "added": "+ added"}
STATUS_LABEL = {"unsupported": "? unsupported", "contradicted": "✗ contradicted", "supported": "✓ supported"}
UNIT_KINDS = ("number", "date", "quote")
SHORT_ARTIFACT = 12  # artifacts this short (markup, stray quotes) ride along with the next sentence


# ----------------------------------------------------------------------------- helpers


def e(s: object) -> str:
    """Escaped text for element content and quoted attribute values."""
    return escape("" if s is None else str(s), quote=True)


def short(aid: str, n: int = 14) -> str:
    return aid if len(aid) <= n else aid[: n - 2] + "…"


def anchor(prefix: str, ident: str) -> str:
    """An element id for any user-given id (ids may hold any character)."""
    if re.fullmatch(r"[A-Za-z0-9_.-]{1,80}", ident):
        return f"{prefix}-{ident}"
    return f"{prefix}-h{hashlib.sha1(ident.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}"


@lru_cache(maxsize=4)
def _asset(name: str) -> str:
    return resources.files("copydesk.report").joinpath("templates", name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def content_security_policy() -> str:
    """No network at view time; only this page's own script and style run."""
    return (
        f"default-src 'none'; img-src data:; style-src {_csp_hash(_asset('report.css'))}; "
        f"script-src {_csp_hash(_asset('report.js'))}; base-uri 'none'; form-action 'self'"
    )


def json_for_script(data: object) -> str:
    """JSON that is safe inside <script type="application/json">: no '<' can end the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _page(title: str, body: str, data: object | None = None) -> str:
    css, js = _asset("report.css"), _asset("report.js")
    data_block = (
        ""
        if data is None
        else f'<script type="application/json" id="copydesk-report">{json_for_script(data)}</script>\n'
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{e(content_security_policy())}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{e(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n"
        '<a class="skip" href="#main">Skip to the report</a>\n'
        f"{body}\n{data_block}<script>{js}</script>\n</body>\n</html>\n"
    )


# ----------------------------------------------------------------------------- units


@lru_cache(maxsize=50_000)
def _units(text: str) -> tuple:
    from ..featurize.units import extract_units

    try:
        return tuple(u for u in extract_units(text) if u.kind in UNIT_KINDS)
    except Exception:  # a unit extractor failing must not cost the page
        return ()


def unit_marks(
    sentence: str, offset: int, against: Iterable[tuple[str, str]], *, new_if_absent: bool
) -> list[tuple[int, int, str, str]]:
    """Numbers, dates and quotes of ``sentence`` that differ from the sentences ``against``.

    ``against`` holds (label, text) pairs, e.g. ("source", the aligned source sentence).
    Returns (start, end, css class, note) in absolute offsets: ``changed`` when a comparable
    unit there has another value, ``new`` when nothing comparable is there at all.
    """
    from ..featurize.units import compatible

    others = [(label, u) for label, text in against for u in _units(text)]
    out = []
    for u in _units(sentence):
        same_kind = [(label, v) for label, v in others if v.kind == u.kind]
        verdicts = [(compatible(u, v), label, v) for label, v in same_kind]
        if any(ok is True for ok, _, _ in verdicts):
            continue
        clash = next(((label, v) for ok, label, v in verdicts if ok is False), None)
        what = {"number": "number", "date": "date", "quote": "quote"}[u.kind]
        if clash is not None:
            was = clash[1].text.strip('“”"')
            note = f"{what} changed: {clash[0]} has “{was}”"
            out.append((offset + u.start, offset + u.end, "u-changed", note))
        elif new_if_absent and not same_kind:
            out.append((offset + u.start, offset + u.end, "u-new", f"{what} not in the source"))
    return out


def _inline(text: str, start: int, marks: Sequence[tuple[int, int, str, str]]) -> str:
    """``text`` (which begins at absolute offset ``start``) escaped, with non-overlapping marks."""
    out, pos = [], 0
    for ms, me, cls, note in sorted(marks, key=lambda m: (m[0], -m[1])):
        s, t = max(ms - start, 0), min(me - start, len(text))
        if s < pos or t <= s:
            continue  # overlaps a mark already placed, or outside the sentence
        out.append(e(text[pos:s]))
        if cls == "artifact":
            out.append(
                f'<del class="artifact" title="{e(note)}">{e(text[s:t])}</del>'
                f'<span class="tag tag-artifact">artifact: {e(note)}</span>'
            )
        else:
            out.append(
                f'<mark class="{cls}" title="{e(note)}">{e(text[s:t])}'
                f'<span class="u-note"> [{e(note)}]</span></mark>'
            )
        pos = t
    out.append(e(text[pos:]))
    return "".join(out)


# ----------------------------------------------------------------------------- graph


def _missing_links(story: dict) -> list[tuple[str, list[str], str]]:
    """Evidence items of a missing common source as (articles named, texts, shared words)."""
    ids = sorted(story["articles"], key=len, reverse=True)
    if not ids:
        return []
    head = re.compile("(?:^|; )(" + "|".join(re.escape(i) for i in ids) + "): ")
    out = []
    for item in story.get("evidence") or []:
        words = ""
        m = re.search(r" \(shared, absent from .*?: ([^()]*)\)$", item)
        body = item[: m.start()] if m else item
        if m:
            words = m.group(1)
        hits = list(head.finditer(body))
        arts, texts = [], []
        for k, h in enumerate(hits):
            end = hits[k + 1].start() if k + 1 < len(hits) else len(body)
            arts.append(h.group(1))
            texts.append(body[h.end() : end])
        out.append((arts, texts, words))
    return out


def render_graph(story: dict, arts: dict[str, dict], art_href: Href) -> str:
    """The derivation graph of one story as an inline SVG (layered, top-down)."""
    members = [m for m in story["articles"] if m in arts]
    ref = story.get("reference")
    parent: dict[str, str | None] = {}
    for m in members:
        src = arts[m].get("source")
        parent[m] = src if src in arts and src != m else (None if m == ref else ref)

    def depth(m: str, seen: frozenset = frozenset()) -> int:
        p = parent.get(m)
        if p is None or p in seen or p not in parent:
            return 0
        return 1 + depth(p, seen | {m})

    layers: dict[int, list[str]] = {}
    for m in sorted(members, key=lambda x: (x != ref, x)):
        layers.setdefault(depth(m), []).append(m)
    missing = bool(story.get("common_source_missing"))
    per_row = 5
    rows: list[list[str]] = []
    for d in sorted(layers):
        ms = layers[d]
        for i in range(0, len(ms), per_row):
            rows.append(ms[i : i + per_row])
    if missing and rows:
        rows[0] = rows[0] + ["__missing__"]
    nw, nh, gx, gy, pad = 196, 64, 26, 64, 16
    cols = max((len(r) for r in rows), default=1)
    width = pad * 2 + cols * nw + (cols - 1) * gx
    height = pad * 2 + len(rows) * nh + (len(rows) - 1) * gy + 8
    pos: dict[str, tuple[float, float]] = {}
    for r, row in enumerate(rows):
        row_w = len(row) * nw + (len(row) - 1) * gx
        x0 = (width - row_w) / 2
        for c, m in enumerate(row):
            pos[m] = (x0 + c * (nw + gx), pad + r * (nh + gy))
    sid = anchor("g", story["id"])
    parts = [
        f'<svg class="graph" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" role="img" '
        f'aria-labelledby="{sid}-t {sid}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{sid}-t">Derivation graph of the story</title>',
        f'<desc id="{sid}-d">{e(_graph_desc(members, ref, parent, arts, missing))}</desc>',
        "<defs>",
    ]
    for rel in ("rewrite", "duplicate", "same_story", "missing"):
        parts.append(
            f'<marker id="{sid}-arr-{rel}" class="arr arr-{rel}" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/>'
            "</marker>"
        )
    parts.append("</defs>")

    def edge(a: str, b: str, rel: str, label: str) -> None:
        (ax, ay), (bx, by) = pos[a], pos[b]
        if abs(ay - by) < 1:  # same row: side to side
            x1, x2 = (ax + nw, bx) if ax < bx else (ax, bx + nw)
            y1 = y2 = ay + nh / 2
        else:
            x1, y1, x2, y2 = ax + nw / 2, ay + nh, bx + nw / 2, by
        parts.append(
            f'<line class="edge edge-{rel}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'marker-end="url(#{sid}-arr-{rel})"/>'
        )
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        parts.append(
            f'<text class="edge-label" x="{mx:.1f}" y="{my - 4:.1f}" text-anchor="middle">{e(label)}</text>'
        )

    for m in members:
        p = parent.get(m)
        if p is None or p not in pos:
            continue
        rel = arts[m].get("relation") or "same_story"
        rel = rel if rel in ("rewrite", "duplicate", "same_story") else "same_story"
        score = arts[m].get("score")
        label = rel.replace("_", " ") + ("" if score is None else f" {score:.2f}")
        edge(p, m, rel, label)
    links = _missing_links(story) if missing else []
    if missing:
        # One edge to each topmost article that shares the facts (its descendants inherit them).
        named = {a for arts_named, _, _ in links for a in arts_named if a in pos}
        for a in sorted(named):
            if parent.get(a) not in named:
                edge("__missing__", a, "missing", "shared facts")
    for m in members:
        x, y = pos[m]
        a = arts[m]
        rel = a.get("relation") or "unrelated"
        flagged = sum(1 for c in a.get("claims") or [] if c.get("status") != "supported")
        title = (a.get("title") or "").strip()
        tip = f"{m} — {RELATION_LABEL.get(rel, rel)}" + (f" — {title}" if title else "")
        parts.append(
            f'<a class="node node-{e(rel)}" href="{e(art_href(m))}" aria-label="{e(tip)}">'
            f"<title>{e(tip)}</title>"
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{nw}" height="{nh}" rx="8"/>'
            f'<text x="{x + 10:.1f}" y="{y + 21:.1f}" class="n-id">{e(short(m, 20))}</text>'
            f'<text x="{x + 10:.1f}" y="{y + 39:.1f}" class="n-rel">{e(RELATION_LABEL.get(rel, rel))}</text>'
            f'<text x="{x + 10:.1f}" y="{y + 55:.1f}" class="n-meta">'
            f"{e(_node_meta(a, flagged))}</text>"
            "</a>"
        )
    if missing:
        x, y = pos["__missing__"]
        tip = "Common source not in the set: " + "; ".join(w for _, _, w in links if w)
        parts.append(
            f'<a class="node node-missing" href="#{e(anchor("missing", story["id"]))}" aria-label="{e(tip)}">'
            f"<title>{e(tip)}</title>"
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{nw}" height="{nh}" rx="8"/>'
            f'<text x="{x + 10:.1f}" y="{y + 21:.1f}" class="n-id">? common source</text>'
            f'<text x="{x + 10:.1f}" y="{y + 39:.1f}" class="n-rel">not in the set</text>'
            f'<text x="{x + 10:.1f}" y="{y + 55:.1f}" class="n-meta">{len(links)} shared facts</text>'
            "</a>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _node_meta(a: dict, flagged: int) -> str:
    bits = []
    if a.get("claims") is not None:
        bits.append(f"{flagged} flagged")
    n = len(a.get("artifacts") or [])
    if n:
        bits.append(f"{n} artifact{'s' if n != 1 else ''}")
    return " · ".join(bits)


def _graph_desc(members, ref, parent, arts, missing) -> str:
    bits = [f"Reference {ref}."]
    for m in members:
        if parent.get(m):
            bits.append(
                f"{m} is a {(arts[m].get('relation') or 'same_story').replace('_', ' ')} of {parent[m]}."
            )
    if missing:
        bits.append("A common source that is not in the set is inferred.")
    return " ".join(bits)


def graph_legend(present: set[str] | None = None) -> str:
    items = [
        ("rewrite", "rewrite (solid)"),
        ("duplicate", "duplicate (dotted)"),
        ("same_story", "same story, independent report (dashed)"),
        ("missing", "shared facts from a missing source (long dash)"),
    ]
    out = ['<ul class="legend" aria-label="Graph legend">']
    for rel, text in items:
        if present is not None and rel not in present:
            continue
        out.append(
            f'<li><svg width="34" height="10" aria-hidden="true"><line class="edge edge-{rel}" x1="1" y1="5" '
            f'x2="33" y2="5"/></svg>{e(text)}</li>'
        )
    out.append("</ul>")
    return "".join(out)


# ----------------------------------------------------------------------------- articles


class _Ids:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"


def _claim_html(
    text: str, start: int, marks: list, claim: dict | None, ids: _Ids, art_href: Href, prefix: str = ""
) -> str:
    """One sentence; a flagged claim becomes a button that shows its evidence. ``prefix``: the labels
    before it (alignment label, short artifacts)."""
    inner = _inline(text, start, marks)
    if not claim or claim.get("status") == "supported":
        if claim:
            sup = claim.get("support") or []
            tip = f"supported by {', '.join(sup)}" if sup else (claim.get("reason") or "supported")
            inner += (f' <span class="tag tag-supported" title="{e(tip)}">✓ supported'
                      f"{f' by {len(sup)}' if sup else ''}</span>")
        return f'{prefix}<span class="sent">{inner}</span>'
    status = claim.get("status", "unsupported")
    ev_id = ids("ev")
    evid = []
    for ev in (claim.get("evidence") or [])[:3]:
        art = ev.get("article", "")
        score = ev.get("score")
        evid.append(
            f'<li><a href="{e(art_href(art))}">{e(short(art))}</a>'
            f"{'' if score is None else f' <span class=score>{score:.2f}</span>'} "
            f"<q>{e(ev.get('text', ''))}</q></li>"
        )
    support = claim.get("support") or []
    return (
        f'<div class="claimbox">{prefix}'
        f'<span class="tag tag-{e(status)}">{e(STATUS_LABEL.get(status, status))} · {e(claim.get("kind", ""))}</span> '
        f'<button type="button" class="claim claim-{e(status)}" aria-expanded="false" aria-controls="{ev_id}">'
        f"{inner}</button>"
        f'<div class="evidence" id="{ev_id}" role="note">'
        f'<strong class="ev-head">{e(STATUS_LABEL.get(status, status))} ({e(claim.get("kind", ""))})</strong> '
        f'<span class="ev-reason">{e(claim.get("reason", ""))}</span>'
        + (
            f'<span class="ev-support">also stated by: {e(", ".join(short(s) for s in support))}</span>'
            if support
            else ""
        )
        + (
            f'<span class="ev-title">Closest in the other versions:</span><ul>{"".join(evid)}</ul>'
            if evid
            else '<span class="ev-title">Nothing similar in the other versions.</span>'
        )
        + "</div></div>"
    )


def _source_cell(sources: list[dict], art_href: Href) -> str:
    if not sources:
        return '<span class="none">— nothing in the source</span>'

    def one(s: dict) -> str:
        return (
            f'<span class="src"><span class="score" title="similarity to this sentence">{s.get("score", 0):.2f}'
            f"</span> {e(s.get('text', ''))}</span>"
        )

    out = one(sources[0])
    if len(sources) > 1:
        out += (
            f'<details class="more"><summary>{len(sources) - 1} more matching source sentence'
            f"{'s' if len(sources) > 2 else ''}</summary>"
            + "".join(one(s) for s in sources[1:])
            + "</details>"
        )
    return out


def render_article(a: dict, arts: dict[str, dict], art_href: Href, ids: _Ids) -> str:
    aid = a["id"]
    rel = a.get("relation") or "unrelated"
    src = a.get("source")
    counts = a.get("counts") or {}
    alignment = sorted(a.get("alignment") or [], key=lambda x: (x.get("start", 0), x.get("end", 0)))
    claims = {(c.get("start"), c.get("end")): c for c in a.get("claims") or []}
    artifacts = sorted(a.get("artifacts") or [], key=lambda x: (x.get("start", 0), x.get("end", 0)))
    head = [
        f'<article class="art" id="{e(anchor("art", aid))}" aria-labelledby="{e(anchor("h", aid))}">',
        '<header class="art-head">',
        f'<h3 id="{e(anchor("h", aid))}"><span class="rel rel-{e(rel)}">{e(RELATION_LABEL.get(rel, rel))}</span> '
        f'<code title="{e(aid)}">{e(short(aid, 24))}</code>'
        + (f' <span class="art-title">{e(a.get("title"))}</span>' if a.get("title") else "")
        + "</h3>",
        '<p class="art-meta">',
    ]
    meta = []
    if src:
        meta.append(f'source <a href="{e(art_href(src))}"><code>{e(short(src, 24))}</code></a>')
    if a.get("score") is not None:
        meta.append(f"score {a['score']:.2f}")
    if counts:
        meta.append(
            f"{counts.get('verbatim', 0)} verbatim · {counts.get('paraphrase', 0)} paraphrased · "
            f"{counts.get('added', 0)} added"
        )
        meta.append(
            f"{counts.get('supported', 0)} supported · {counts.get('unsupported', 0)} unsupported · "
            f"{counts.get('contradicted', 0)} contradicted"
        )
    if artifacts:
        kinds = sorted({x.get("kind", "") for x in artifacts})
        meta.append(f"{plural(len(artifacts), 'artifact', 'artifacts')} ({e(', '.join(kinds))})")
    head.append(" · ".join(meta) + "</p></header>")

    # Sentences of this article: from the alignment, else from the claims (the reference).
    two_col = bool(alignment) and src is not None
    sentences: list[dict] = (
        alignment
        if alignment
        else [
            {"sentence": c.get("text", ""), "start": c.get("start", 0), "end": c.get("end", 0)}
            for c in sorted(claims.values(), key=lambda c: (c.get("start", 0), c.get("end", 0)))
        ]
    )
    if not sentences and not artifacts:
        note = (
            "a story of its own: no other version to compare"
            if rel == "unrelated"
            else "no sentence detail (analysed with --no-claims)"
        )
        return "".join(head) + f'<p class="none">{e(note)}</p></article>'

    # Artifacts inside a sentence are struck through in it; the others get rows of their own
    # (short ones, such as markdown markup, ride with the next sentence).
    inside: dict[int, list] = {}
    rows: list[tuple[int, str, str, str]] = []  # (position, kind, left html, right html)
    pending: list[str] = []
    free = []
    for x in artifacts:
        xs, xe = x.get("start", 0), x.get("end", 0)
        host = next((i for i, s in enumerate(sentences) if xs < s["end"] and xe > s["start"]), None)
        if host is not None:
            inside.setdefault(host, []).append((xs, xe, "artifact", x.get("kind", "")))
        else:
            free.append(x)
    items: list[tuple[int, int, object]] = [(s["start"], 1, ("s", i)) for i, s in enumerate(sentences)]
    items += [(x.get("start", 0), 0, ("x", x)) for x in free]
    items.sort(key=lambda t: (t[0], t[1]))
    for pos, _, (kind, obj) in items:
        if kind == "x":
            x = obj
            html_x = (
                f'<del class="artifact">{e(x.get("text", ""))}</del>'
                f'<span class="tag tag-artifact">artifact: {e(x.get("kind", ""))}</span>'
            )
            if len(x.get("text", "").strip()) <= SHORT_ARTIFACT:
                pending.append(html_x)
            else:
                rows.append((pos, "artifact", '<span class="none">—</span>', html_x))
            continue
        s = sentences[obj]
        label = s.get("label")
        srcs = s.get("source_sentences") or []
        marks = list(inside.get(obj, []))
        claim = claims.get((s["start"], s["end"]))
        if label in ("verbatim", "paraphrase") and srcs:
            marks += unit_marks(
                s["sentence"],
                s["start"],
                [(short(x.get("article", "source")), x.get("text", "")) for x in srcs],
                new_if_absent=True,
            )
        if claim and claim.get("status") == "contradicted" and claim.get("kind") in UNIT_KINDS:
            marks += unit_marks(
                s["sentence"],
                s["start"],
                [(short(x.get("article", "")), x.get("text", "")) for x in claim.get("evidence") or []],
                new_if_absent=False,
            )
        prefix = "".join(pending) + (
            f'<span class="tag lab lab-{e(label)}">{e(ALIGN_LABEL.get(label, label))}</span> '
            if label
            else ""
        )
        pending = []
        right = _claim_html(s["sentence"], s["start"], marks, claim, ids, art_href, prefix)
        left = _source_cell(srcs, art_href) if two_col else ""
        rows.append((pos, label or "sentence", left, right))
    if pending:
        rows.append((10**12, "artifact", "", "".join(pending)))

    body = []
    if two_col:
        body.append(
            f'<table class="sbs"><caption class="vh">{e(aid)} against its source {e(src)}</caption>'
            f'<thead><tr><th scope="col">Source <code>{e(short(src, 24))}</code></th>'
            f'<th scope="col">This article <code>{e(short(aid, 24))}</code></th></tr></thead><tbody>'
        )
        for _, kind, left, right in rows:
            body.append(
                f'<tr class="row row-{e(kind)}"><td class="l" data-col="source">{left}</td>'
                f'<td class="r" data-col="this article">{right}</td></tr>'
            )
        dropped = a.get("dropped") or []
        if dropped:
            body.append(
                f'<tr class="row-sep"><th scope="rowgroup" colspan="2">Left out: {len(dropped)} source '
                "sentences with no counterpart here</th></tr>"
            )
            for d in dropped:
                body.append(
                    '<tr class="row row-dropped"><td class="l" data-col="source">'
                    f'<span class="tag lab lab-dropped">− dropped</span> <span class="dropped">{e(d.get("text", ""))}'
                    '</span></td><td class="r" data-col="this article"><span class="none">— left out</span></td></tr>'
                )
        body.append("</tbody></table>")
    else:
        why = (
            "reference of the story: no source in the set"
            if rel == "reference"
            else "no source to compare with"
        )
        body.append(
            f'<table class="sbs one"><caption class="vh">{e(aid)}</caption><thead><tr>'
            f'<th scope="col">{e(why.capitalize())}; its claims checked against the other versions</th>'
            "</tr></thead><tbody>"
        )
        for _, kind, _left, right in rows:
            body.append(f'<tr class="row row-{e(kind)}"><td class="r">{right}</td></tr>')
        body.append("</tbody></table>")
    return "".join(head) + "".join(body) + "</article>"


# ----------------------------------------------------------------------------- stories


def _story_stats(story: dict, arts: dict[str, dict]) -> tuple[int, int]:
    members = [arts[m] for m in story["articles"] if m in arts]
    flagged = sum(1 for a in members for c in a.get("claims") or [] if c.get("status") != "supported")
    artifacts = sum(len(a.get("artifacts") or []) for a in members)
    return flagged, artifacts


def render_facts(story: dict, art_href: Href) -> str:
    if not story.get("facts"):
        return ""
    n = len(story["articles"])
    agreed, single = shared_and_single_facts(story)

    def table(rows: list[dict], caption: str) -> str:
        out = [
            f'<table class="facts"><caption>{e(caption)}</caption><thead><tr><th scope="col">fact</th>'
            '<th scope="col">kind</th><th scope="col">stated by</th></tr></thead><tbody>'
        ]
        for f in rows:
            sup = f.get("support") or []
            out.append(
                f"<tr><td>{e(f.get('text', ''))}</td><td>{e(f.get('kind', ''))}</td><td>{len(sup)} of {n}: "
                + ", ".join(f'<a href="{e(art_href(s))}">{e(short(s, 8))}</a>' for s in sup)
                + "</td></tr>"
            )
        out.append("</tbody></table>")
        return "".join(out)

    parts = [
        f'<details class="facts-box"><summary>Facts across the versions '
        f'<span class="fx">({len(agreed)} shared · {len(single)} in one version only)</span></summary>'
    ]
    if agreed:
        parts.append(table(agreed, "Facts most versions support"))
    if single:
        parts.append(table(single, "Numbers, dates and quotes only one version has"))
    parts.append("</details>")
    return "".join(parts)


def story_title(story: dict) -> str:
    t = (story.get("title") or story["id"]).strip()
    return t + "…" if len(t) >= 160 and not re.search(r"[.!?”\"]$", t) else t


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _article_order(members: list[str], ref: str | None, arts: dict[str, dict]) -> list[str]:
    """Derived articles first, in the order of the graph (by depth, then id); the reference last."""

    def depth(m: str) -> int:
        d, seen = 0, {m}
        while (src := arts[m].get("source")) in arts and src not in seen:
            seen.add(src)
            m, d = src, d + 1
        return d

    derived = sorted((m for m in members if m != ref), key=lambda m: (depth(m), m))
    return derived + ([ref] if ref in arts else [])


def render_missing(story: dict, art_href: Href) -> str:
    out = [
        f'<aside class="missing" id="{e(anchor("missing", story["id"]))}" tabindex="-1">'
        "<h3>? Common source not in the set</h3><p>Derived articles share facts that the reference lacks: "
        "they probably drew on a source that is not in this set.</p><ul>"
    ]
    for arts_named, texts, words in _missing_links(story):
        who = ", ".join(f'<a href="{e(art_href(a))}"><code>{e(short(a, 8))}</code></a>' for a in arts_named)
        first = texts[0] if texts else ""
        out.append(f'<li><q class="ms-first">{e(first)}</q> <span class="ms-who">— in {who}</span>')
        if len(texts) > 1 or words:
            out.append(
                f'<details class="more"><summary>all {len(texts)} sentences</summary>'
                + "".join(
                    f'<span class="src"><code>{e(short(a, 8))}</code> {e(t)}</span>'
                    for a, t in zip(arts_named, texts, strict=True)
                )
                + (
                    f'<span class="ms-words">shared words the reference lacks: {e(words)}</span>'
                    if words
                    else ""
                )
                + "</details>"
            )
        out.append("</li>")
    out.append("</ul></aside>")
    return "".join(out)


def render_story(story: dict, arts: dict[str, dict], art_href: Href, ids: _Ids) -> str:
    sid = story["id"]
    members = [m for m in story["articles"] if m in arts]
    ref = story.get("reference")
    flagged, n_art = _story_stats(story, arts)
    title = story_title(story)
    out = [
        f'<section class="story" id="{e(anchor("story", sid))}" aria-labelledby="{e(anchor("sh", sid))}" '
        'tabindex="-1">',
        f'<h2 id="{e(anchor("sh", sid))}">{e(title)}</h2>',
        f'<p class="story-meta"><code>{e(sid)}</code> · {plural(len(members), "article", "articles")} · '
        f'{plural(len(story.get("families") or []), "family", "families")} · reference <a href="{e(art_href(ref))}">'
        f"<code>{e(short(ref or '', 24))}</code></a> · {plural(flagged, 'flagged claim', 'flagged claims')} · "
        f"{plural(n_art, 'artifact', 'artifacts')}</p>",
    ]
    top = []
    if len(members) > 1:
        present = {arts[m].get("relation") for m in members if m != ref}
        present = {r if r in ("rewrite", "duplicate") else "same_story" for r in present}
        if story.get("common_source_missing"):
            present.add("missing")
        top.append(
            '<figure class="graph-box">'
            + render_graph(story, arts, art_href)
            + f"<figcaption>{graph_legend(present)}</figcaption></figure>"
        )
    if story.get("common_source_missing"):
        top.append(render_missing(story, art_href))
    out.extend(top)
    out.append(render_facts(story, art_href))
    out.append(_key())
    for m in _article_order(members, ref, arts):
        out.append(render_article(arts[m], arts, art_href, ids))
    out.append("</section>")
    return "".join(out)


def _key() -> str:
    return (
        '<p class="key" aria-label="How to read the side-by-side view">'
        '<span class="tag lab lab-verbatim">= verbatim</span> <span class="tag lab lab-paraphrase">≈ paraphrase'
        '</span> <span class="tag lab lab-added">+ added</span> <span class="tag lab lab-dropped">− dropped</span> '
        '<span class="tag tag-unsupported">? unsupported</span> <span class="tag tag-contradicted">✗ contradicted'
        '</span> <del class="artifact">artifact</del> <mark class="u-changed">changed number/quote</mark> '
        '<mark class="u-new">new number</mark> <span>— select a flagged sentence to see its evidence.</span></p>'
    )


def story_list(
    stories: Sequence[dict], arts: dict[str, dict] | None, story_href: Href, current: str | None = None
) -> str:
    out = ['<ol class="story-list" id="story-list">']
    for s in stories:
        n = len(s.get("articles") or [])
        bits = [f"{n} article{'s' if n != 1 else ''}"]
        if arts is not None:
            flagged, n_art = _story_stats(s, arts)
            if flagged:
                bits.append(f"{flagged} flagged")
            if n_art:
                bits.append(f"{n_art} artifacts")
        if s.get("common_source_missing"):
            bits.append("missing source")
        cur = ' aria-current="page"' if s["id"] == current else ""
        out.append(
            f'<li><a href="{e(story_href(s["id"]))}"{cur}><span class="st">{e(s.get("title") or s["id"])}</span>'
            f'<span class="sm">{e(" · ".join(bits))}</span></a></li>'
        )
    out.append("</ol>")
    return "".join(out)


def render_html(
    report: dict,
    *,
    title: str = "copydesk report",
    story_href: Href | None = None,
    home_href: str | None = None,
    max_singles: int = 500,
) -> str:
    """The report as one self-contained HTML page.

    ``story_href`` maps a story id to a link (default: an anchor in this page); ``home_href``
    adds a link back to a story index (the server's ``/``).
    """
    arts = {a["id"]: a for a in report.get("articles") or []}
    stories = [s for s in report.get("stories") or [] if s.get("articles")]
    multi = [s for s in stories if len(s["articles"]) > 1]
    singles = [s for s in stories if len(s["articles"]) == 1]
    in_page = story_href is None
    href = story_href or (lambda sid: "#" + anchor("story", sid))

    def art_href(aid: str) -> str:
        a = arts.get(aid)
        if a is None or in_page or len(stories) == 1:
            return "#" + anchor("art", aid)
        return href(a["story"]) + "#" + anchor("art", aid)

    ids = _Ids()
    n_flagged = sum(1 for a in arts.values() for c in a.get("claims") or [] if c.get("status") != "supported")
    summary = (
        f"{plural(len(arts), 'article', 'articles')} · {plural(len(stories), 'story', 'stories')} "
        f"({len(multi)} with several versions) · {plural(n_flagged, 'flagged claim', 'flagged claims')}"
    )
    nav = ['<div class="side-col"><nav class="side" aria-label="Stories">']
    if home_href:
        nav.append(f'<p class="home"><a href="{e(home_href)}">← all stories</a></p>')
    nav.append(f'<h2>Stories <span class="count">{len(multi)}</span></h2>')
    nav.append(story_list(multi, arts, href, current=multi[0]["id"] if len(stories) == 1 and multi else None))
    if singles:
        nav.append(
            f'<p class="singles-link"><a href="#singles">{len(singles)} single-article stories</a></p>'
        )
    nav.append('<p class="kbd-help">Keys: ↑/↓ move through the list, Enter opens a story.</p></nav></div>')
    main = ['<main id="main" tabindex="-1">']
    if not stories:
        main.append('<p class="none">No stories in this report.</p>')
    for s in multi:
        main.append(render_story(s, arts, art_href, ids))
    if singles:
        main.append(
            '<section class="singles" id="singles" tabindex="-1"><h2>Articles with a story of their own</h2><ul>'
        )
        for s in singles[:max_singles]:
            a = arts.get(s["articles"][0])
            if a is None:
                continue
            kinds = sorted({x.get("kind", "") for x in a.get("artifacts") or []})
            main.append(
                f'<li id="{e(anchor("story", s["id"]))}"><span id="{e(anchor("art", a["id"]))}"></span>'
                f"<code>{e(short(a['id'], 24))}</code> {e(a.get('title') or s.get('title') or '')}"
                + (
                    f' <span class="tag tag-artifact">artifacts: {e(", ".join(kinds))}</span>'
                    if kinds
                    else ""
                )
                + "</li>"
            )
        if len(singles) > max_singles:
            main.append(f"<li>… and {len(singles) - max_singles} more (see the JSON report)</li>")
        main.append("</ul></section>")
    main.append("</main>")
    body = (
        f'<header class="top"><h1><span class="logo" aria-hidden="true">¶</span> copydesk</h1>'
        f'<p class="summary">{e(summary)}</p></header>'
        f'<div class="layout">{"".join(nav)}{"".join(main)}</div>'
    )
    page_title = title if len(multi) != 1 or not in_page else f"{multi[0].get('title') or title} — copydesk"
    if not in_page and len(stories) == 1:
        page_title = f"{stories[0].get('title') or stories[0]['id']} — copydesk"
    return _page(page_title, body, data=report)


def render_index(
    stories: Sequence[dict],
    *,
    story_href: Href,
    query: str = "",
    total: int | None = None,
    page: int = 1,
    per_page: int = 100,
    title: str = "copydesk stories",
) -> str:
    """The server's story list: stories (payloads as stored), a search box and paging."""
    total = len(stories) if total is None else total
    nav = [
        f'<form class="search" role="search" method="get" action="/"><label for="q">Search stories</label> '
        f'<input id="q" name="q" type="search" value="{e(query)}" placeholder="words in a title or text"> '
        '<button type="submit">Search</button></form>'
    ]
    body = [
        f'<header class="top"><h1><span class="logo" aria-hidden="true">¶</span> copydesk</h1>'
        f'<p class="summary">{e(f"{total} stories" + (f" matching “{query}”" if query else ""))}</p></header>',
        '<div class="layout index">',
        '<nav class="side wide" aria-label="Stories">',
        *nav,
        f'<h2>Stories <span class="count">{total}</span></h2>',
        story_list(stories, None, story_href),
    ]
    pages = max(1, -(-total // per_page))
    if pages > 1 and not query:
        links = []
        if page > 1:
            links.append(f'<a href="/?page={page - 1}" rel="prev">← previous</a>')
        links.append(f"page {page} of {pages}")
        if page < pages:
            links.append(f'<a href="/?page={page + 1}" rel="next">next →</a>')
        body.append(f'<p class="pager">{" · ".join(links)}</p>')
    body.append(
        '<p class="kbd-help">Keys: ↑/↓ move through the list, Enter opens a story.</p></nav>'
        '<main id="main" tabindex="-1" class="empty"></main></div>'
    )
    return _page(title, "".join(body))
