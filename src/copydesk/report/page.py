"""HTML rendering of the report: self-contained pages (inline CSS, JS and SVG; no network).

``render_html(report, marks=...)`` renders the report object of ``build_report`` (the JSON of
``copydesk analyze --json``) with its unit marks (``report.marks.unit_marks``, computed by the
caller: this module only renders): a story list, per story the derivation graph as inline SVG,
per article a side-by-side view against its source with sentences labelled verbatim /
paraphrase / added, dropped source sentences, flagged claims with their evidence, artifacts
struck through and changed numbers, dates and quotes marked inside the sentence.
``write_html(report, path, marks=...)`` writes it as one page, or for a large run as an index
page and a page per story (see ``write_html``). Graphs of ``DOT_MIN_NODES`` nodes or more are
laid out by Graphviz ``dot`` (the Debian package graphviz); without it, in rows (one line on
stderr says so).

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
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from . import shared_and_single_facts
from .marks import Mark, UnitMarks, article_sentences, short

Href = Callable[[str], str]

RELATION_LABEL = {
    "reference": "★ reference",
    "rewrite": "↳ rewrite",
    "duplicate": "⧉ duplicate",
    "same_story": "∥ same story",
    "unrelated": "○ single",
}
ALIGN_LABEL = {"verbatim": "= verbatim", "paraphrase": "≈ paraphrase", "added": "+ added"}
STATUS_LABEL = {"unsupported": "? unsupported", "contradicted": "✗ contradicted", "supported": "✓ supported",
                "heading": "— not a claim"}
FLAGGED = ("unsupported", "contradicted")  # claim statuses shown as flags (= claims.FLAGGED); "heading" is not
SHORT_ARTIFACT = 12  # artifacts this short (markup, stray quotes) ride along with the next sentence
GENERATOR_META = '<meta name="generator" content="copydesk">'
DOT_MIN_NODES = 8  # graphs this large are laid out by Graphviz dot; smaller ones in rows
GRAPH_FIT_WIDTH = 900  # px: the graph column of a 1280 px window, which dot's layout should fit
GRAPH_MIN_SCALE = 0.7  # a larger dot layout is shown at this scale and scrolls sideways in its box


# ----------------------------------------------------------------------------- helpers


def e(s: object) -> str:
    """Escaped text for element content and quoted attribute values."""
    return escape("" if s is None else str(s), quote=True)


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
        f"{GENERATOR_META}\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{e(content_security_policy())}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{e(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n"
        '<a class="skip" href="#main">Skip to the report</a>\n'
        f"{body}\n{data_block}<script>{js}</script>\n</body>\n</html>\n"
    )


def render_error_page(status: int, message: str, home_href: str = "/", link: tuple[str, str] | None = None) -> str:
    """A page for an error a browser hit (``copydesk serve``): the status, the message in words, and
    links to ``link`` (href, text; e.g. the story an old id merged into) and to the story list."""
    reason = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 409: "Conflict",
              413: "Too large", 415: "Unsupported content type", 422: "Cannot be processed",
              429: "Too many requests", 500: "Server error", 503: "Busy"}.get(status, "Error")
    extra = f'<p><a href="{e(link[0])}">{e(link[1])}</a></p>' if link else ""
    body = (
        '<header class="top"><h1><span class="logo" aria-hidden="true">¶</span> copydesk</h1></header>'
        f'<main id="main" tabindex="-1" class="error-page"><h2>{status} · {e(reason)}</h2>'
        f'<p class="error-message">{e(message)}</p>{extra}'
        f'<p><a href="{e(home_href)}">← all stories</a></p></main>'
    )
    return _page(f"{status} {reason} — copydesk", body)


# ----------------------------------------------------------------------------- inline marks


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


def _missing_links(story: dict) -> list[tuple[list[str], list[str], str]]:
    """Evidence items of a missing common source as (articles named, texts, shared words)."""
    ids = sorted(story["articles"], key=len, reverse=True)
    if not ids:
        return []
    head = re.compile("(?:^|; )(" + "|".join(re.escape(i) for i in ids) + "): ")
    out: list[tuple[list[str], list[str], str]] = []
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


@dataclass(frozen=True)
class GraphLayout:
    """Where each node (top-left corner) and each edge of a graph sit, in SVG pixels.

    ``edges`` maps (tail, head) to (SVG element, its geometry attributes, label x, label y);
    ``engine`` says which layout produced it ("dot" or "rows").
    """

    width: float
    height: float
    node_w: float
    node_h: float
    nodes: dict[str, tuple[float, float]]
    edges: dict[tuple[str, str], tuple[str, str, float, float]]
    engine: str


_DOT_WARNED: list[str] = []


def _warn_once(message: str) -> None:
    if message not in _DOT_WARNED:
        _DOT_WARNED.append(message)
        print(f"copydesk: {message}", file=sys.stderr)


@lru_cache(maxsize=1)
def _dot_binary() -> str | None:
    return shutil.which("dot")


@lru_cache(maxsize=512)
def _run_dot(source: str) -> str | None:
    """``dot -Tplain`` on ``source``; None (and one line on stderr) when Graphviz is missing or fails."""
    dot = _dot_binary()
    if dot is None:
        _warn_once(
            "Graphviz 'dot' not found: large derivation graphs use the simple row layout "
            "(install the Debian package graphviz)"
        )
        return None
    try:
        res = subprocess.run([dot, "-Tplain"], input=source, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        _warn_once(f"Graphviz 'dot' failed ({exc}): using the simple row layout")
        return None
    if res.returncode != 0:
        _warn_once(f"Graphviz 'dot' failed ({res.stderr.strip()[:200]}): using the simple row layout")
        return None
    return res.stdout


def _node_size(labels: Iterable[tuple[str, str, str]]) -> tuple[float, float]:
    """A node box wide enough for the widest of its three lines. Widths per character measured in
    chromium with DejaVu: id 7.53 px (monospace 12.5 px), relation <= 7.07 px (13 px), meta <= 6.07 px
    (11.5 px); 10 % slack and 10 px padding each side."""
    need = max((max(len(i) * 7.53, len(r) * 7.07, len(m) * 6.07) for i, r, m in labels), default=0.0)
    return max(130.0, min(220.0, round(need * 1.1) + 20)), 64.0


def _dot_layout(
    nodes: Sequence[str], edges: Sequence[tuple[str, str, str]], nw: float, nh: float, rankdir: str
) -> GraphLayout | None:
    """Graphviz ``dot`` places the nodes and routes the edges (splines) with their labels beside them.

    Leaves of a node with more than 8 leaf children alternate between one and two ranks away, so a
    wide fan-out wraps instead of making one very long rank (what Graphviz's ``unflatten -l 2`` does).
    """
    name = {n: f"n{i}" for i, n in enumerate(nodes)}
    has_out = {t for t, _, _ in edges}
    leaves: dict[str, list[str]] = {}
    for t, h, _ in edges:
        if h not in has_out:
            leaves.setdefault(t, []).append(h)
    minlen: dict[tuple[str, str], int] = {}
    for t, hs in leaves.items():
        if len(hs) > 8:
            for k, h in enumerate(hs):
                minlen[(t, h)] = 1 + k % 2
    lines = [
        "digraph g {",
        f'graph [rankdir={rankdir}, nodesep=0.22, ranksep=0.42, margin=0, pad=0, splines=true];',
        f'node [shape=box, fixedsize=true, width={nw / 72:.4f}, height={nh / 72:.4f}, label=""];',
        'edge [arrowhead=none, fontname="DejaVu Sans", fontsize=12.5];',
    ]
    lines += [f"{name[n]};" for n in nodes]
    for t, h, label in edges:
        text = label.replace("\\", "").replace('"', "")
        lines.append(f'{name[t]} -> {name[h]} [label="{text}", minlen={minlen.get((t, h), 1)}];')
    lines.append("}")
    out = _run_dot("\n".join(lines) + "\n")
    if out is None:
        return None
    back = {v: k for k, v in name.items()}
    pad = 16.0
    width = height = 0.0
    pos: dict[str, tuple[float, float]] = {}
    routes: dict[tuple[str, str], tuple[str, str, float, float]] = {}
    try:
        for line in out.splitlines():
            tok = shlex.split(line)
            if not tok:
                continue
            if tok[0] == "graph":
                width, height = float(tok[2]) * 72 + 2 * pad, float(tok[3]) * 72 + 2 * pad
            elif tok[0] == "node":
                x, y = float(tok[2]) * 72 + pad, height - pad - float(tok[3]) * 72
                pos[back[tok[1]]] = (x - nw / 2, y - nh / 2)
            elif tok[0] == "edge":
                n = int(tok[3])
                pts = [
                    (float(tok[4 + 2 * i]) * 72 + pad, height - pad - float(tok[5 + 2 * i]) * 72)
                    for i in range(n)
                ]
                rest = tok[4 + 2 * n :]
                lx, ly = (float(rest[1]) * 72 + pad, height - pad - float(rest[2]) * 72) if len(rest) > 3 else (
                    (pts[0][0] + pts[-1][0]) / 2,
                    (pts[0][1] + pts[-1][1]) / 2,
                )
                d = f"M{pts[0][0]:.1f},{pts[0][1]:.1f} C" + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts[1:])
                routes[(back[tok[1]], back[tok[2]])] = ("path", f'd="{d}"', lx, ly + 4)
    except (ValueError, IndexError, KeyError) as exc:
        _warn_once(f"unreadable Graphviz output ({exc}): using the simple row layout")
        return None
    if set(pos) != set(nodes):
        return None
    return GraphLayout(width, height, nw, nh, pos, routes, "dot")


def _rows_layout(
    rows: list[list[str]], edges: Sequence[tuple[str, str, str]], nw: float = 196, nh: float = 64
) -> GraphLayout:
    """Layers top-down, at most five nodes a row, straight edges (fine for small graphs)."""
    gx, gy, pad = 26, 64, 16
    cols = max((len(r) for r in rows), default=1)
    width = pad * 2 + cols * nw + (cols - 1) * gx
    height = pad * 2 + len(rows) * nh + (len(rows) - 1) * gy + 8
    pos: dict[str, tuple[float, float]] = {}
    for r, row in enumerate(rows):
        row_w = len(row) * nw + (len(row) - 1) * gx
        x0 = (width - row_w) / 2
        for c, m in enumerate(row):
            pos[m] = (x0 + c * (nw + gx), pad + r * (nh + gy))
    routes = {}
    for a, b, _ in edges:
        (ax, ay), (bx, by) = pos[a], pos[b]
        if abs(ay - by) < 1:  # same row: side to side
            x1, x2 = (ax + nw, bx) if ax < bx else (ax, bx + nw)
            y1 = y2 = ay + nh / 2
        else:
            x1, y1, x2, y2 = ax + nw / 2, ay + nh, bx + nw / 2, by
        geo = f'x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"'
        routes[(a, b)] = ("line", geo, (x1 + x2) / 2, (y1 + y2) / 2 - 4)
    return GraphLayout(width, height, nw, nh, pos, routes, "rows")


def layout_graph(
    rows: list[list[str]], edges: Sequence[tuple[str, str, str]], labels: Sequence[tuple[str, str, str]]
) -> GraphLayout:
    """Graphviz ``dot`` for graphs of ``DOT_MIN_NODES`` nodes or more, else (or without Graphviz) rows.

    ``dot`` lays the graph out top-down and left-to-right; the one shown at the larger scale in a
    ``GRAPH_FIT_WIDTH`` px column wins (at equal scale, the shorter one).
    """
    nodes = [n for row in rows for n in row]
    if len(nodes) >= DOT_MIN_NODES:
        nw, nh = _node_size(labels)
        best: GraphLayout | None = None
        for rankdir in ("TB", "LR"):
            lay = _dot_layout(nodes, edges, nw, nh, rankdir)
            if lay is None:
                break
            if best is None or (min(1, GRAPH_FIT_WIDTH / lay.width), -lay.height) > (
                min(1, GRAPH_FIT_WIDTH / best.width),
                -best.height,
            ):
                best = lay
        if best is not None:
            return best
    return _rows_layout(rows, edges)


def _shown_width(lay: GraphLayout) -> float:
    """Row layouts shrink to the column (CSS max-width); a dot layout shrinks to ``GRAPH_FIT_WIDTH``
    but never below ``GRAPH_MIN_SCALE``, its box scrolling sideways instead, so its text stays readable."""
    if lay.engine != "dot":
        return lay.width
    return max(min(lay.width, GRAPH_FIT_WIDTH), lay.width * GRAPH_MIN_SCALE)


@dataclass
class _Graph:
    """What the derivation graph of a story shows: its members, each one's parent, the rows of the
    fallback layout, the edges (tail, head, relation) with their labels, and the missing-source links."""

    members: list[str]
    ref: str | None
    parent: dict[str, str | None]
    rows: list[list[str]]
    edges: list[tuple[str, str, str]]
    labels: dict[tuple[str, str], str]
    links: list[tuple[list[str], list[str], str]]
    missing: bool


def _graph_model(story: dict, arts: dict[str, dict]) -> _Graph:
    """The nodes and edges of a story's derivation graph (no layout, no markup)."""
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
    in_graph = {m for row in rows for m in row}

    edges: list[tuple[str, str, str]] = []  # (tail, head, relation)
    labels: dict[tuple[str, str], str] = {}
    for m in members:
        p = parent.get(m)
        if p is None or p not in in_graph:
            continue
        rel = arts[m].get("relation") or "same_story"
        rel = rel if rel in ("rewrite", "duplicate", "same_story") else "same_story"
        score = arts[m].get("score")
        edges.append((p, m, rel))
        labels[(p, m)] = rel.replace("_", " ") + ("" if score is None else f" {score:.2f}")
    links = _missing_links(story) if missing else []
    if missing:
        # One edge to each topmost article that shares the facts (its descendants inherit them).
        named = {a for arts_named, _, _ in links for a in arts_named if a in in_graph}
        for a in sorted(named):
            if parent.get(a) not in named:
                edges.append(("__missing__", a, "missing"))
                # Unlabelled: the legend names the long dash, and a label there covered the rewrites' scores.
                labels[("__missing__", a)] = ""
    return _Graph(members, ref, parent, rows, edges, labels, links, missing)


def render_graph(story: dict, arts: dict[str, dict], art_href: Href) -> str:
    """The derivation graph of one story as an inline SVG (laid out by Graphviz ``dot`` when large)."""
    g = _graph_model(story, arts)
    members, ref, parent, rows, edges, labels, links, missing = (
        g.members, g.ref, g.parent, g.rows, g.edges, g.labels, g.links, g.missing
    )
    node_text: dict[str, tuple[str, str, str]] = {}
    for m in members:
        a = arts[m]
        rel = a.get("relation") or "unrelated"
        flagged = sum(1 for c in a.get("claims") or [] if c.get("status") in FLAGGED)
        node_text[m] = (short(m, 20), RELATION_LABEL.get(rel, rel), _node_meta(a, flagged))
    if missing:
        node_text["__missing__"] = ("? common source", "not in the set", f"{len(links)} shared facts")
    lay = layout_graph(rows, [(t, h, labels[(t, h)]) for t, h, _ in edges], list(node_text.values()))
    pos, nw, nh = lay.nodes, lay.node_w, lay.node_h

    sid = anchor("g", story["id"])
    parts = [
        f'<svg class="{"graph graph-dot" if lay.engine == "dot" else "graph"}" viewBox="0 0 {lay.width:.0f} {lay.height:.0f}" '
        f'width="{_shown_width(lay):.0f}" role="img" aria-labelledby="{sid}-t {sid}-d" xmlns="http://www.w3.org/2000/svg">',
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
    for t, h, rel in edges:
        tag, geo, lx, ly = lay.edges[(t, h)]
        parts.append(f'<{tag} class="edge edge-{rel}" {geo} marker-end="url(#{sid}-arr-{rel})"/>')
    # Labels after every edge, so no edge is drawn over a label.
    for t, h, _ in edges:
        if not labels[(t, h)]:
            continue
        _, _, lx, ly = lay.edges[(t, h)]
        parts.append(
            f'<text class="edge-label" x="{lx:.1f}" y="{ly:.1f}" text-anchor="middle">{e(labels[(t, h)])}</text>'
        )
    for m in members:
        x, y = pos[m]
        a = arts[m]
        rel = a.get("relation") or "unrelated"
        title = (a.get("title") or "").strip()
        tip = f"{m} — {RELATION_LABEL.get(rel, rel)}" + (f" — {title}" if title else "")
        parts.append(_node_svg(f"node node-{e(rel)}", art_href(m), tip, x, y, nw, nh, node_text[m]))
    if missing:
        x, y = pos["__missing__"]
        tip = "Common source not in the set: " + "; ".join(w for _, _, w in links if w)
        parts.append(
            _node_svg("node node-missing", "#" + anchor("missing", story["id"]), tip, x, y, nw, nh,
                      node_text["__missing__"])
        )
    parts.append("</svg>")
    return "".join(parts)


def _node_svg(
    cls: str, href: str, tip: str, x: float, y: float, nw: float, nh: float, text: tuple[str, str, str]
) -> str:
    n_id, n_rel, n_meta = text
    return (
        f'<a class="{cls}" href="{e(href)}" aria-label="{e(tip)}">'
        f"<title>{e(tip)}</title>"
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{nw:.0f}" height="{nh:.0f}" rx="8"/>'
        f'<text x="{x + 10:.1f}" y="{y + 21:.1f}" class="n-id">{e(n_id)}</text>'
        f'<text x="{x + 10:.1f}" y="{y + 39:.1f}" class="n-rel">{e(n_rel)}</text>'
        f'<text x="{x + 10:.1f}" y="{y + 55:.1f}" class="n-meta">{e(n_meta)}</text>'
        "</a>"
    )


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
    text: str,
    start: int,
    marks: list,
    claim: dict | None,
    ids: _Ids,
    art_href: Href,
    prefix: str = "",
    label: str | None = None,
) -> str:
    """One sentence; a flagged claim becomes a button that shows its evidence. ``prefix``: the labels
    before it (alignment label, short artifacts); ``label``: its alignment label against its source.

    The tags never contradict each other: a non-claim (heading, question, list label) says "not a
    claim"; a supported sentence its source lacks ("+ added") says which other versions state it."""
    inner = _inline(text, start, marks)
    if not claim or claim.get("status") not in FLAGGED:
        if claim and claim.get("status") == "heading":
            inner += (f' <span class="tag tag-heading" title="{e(claim.get("reason") or "not a claim")}">'
                      f"{e(STATUS_LABEL['heading'])}</span>")
        elif claim:
            sup = claim.get("support") or []
            tip = f"stated by {', '.join(sup)}" if sup else (claim.get("reason") or "supported")
            text_tag = (f"✓ stated by {', '.join(short(x) for x in sup)}" if label == "added" and sup
                        else f"✓ supported{f' by {len(sup)}' if sup else ''}")
            inner += f' <span class="tag tag-supported" title="{e(tip)}">{e(text_tag)}</span>'
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
            f'<span class="ev-title">Closest source sentence (compared):</span><ul>{evid[0]}</ul>'
            + (f'<span class="ev-title">Other close sentences:</span><ul>{"".join(evid[1:])}</ul>'
               if len(evid) > 1 else "")
            if evid
            else '<span class="ev-title">Nothing similar in the other versions.</span>'
        )
        + "</div></div>"
    )


def _pieces_html(
    s: dict, pieces: list[dict], marks: list, ids: _Ids, art_href: Href, prefix: str, label: str | None
) -> str:
    """A sentence holding several claims ("- Neutrality Clause: Russia demands ..."): each claim with
    its own tag, the text between them (a bullet dash) plain."""
    text, start = s["sentence"], s["start"]
    out, pos = [prefix], start
    for c in pieces:
        cs, ce = c.get("start", pos), c.get("end", pos)
        if cs > pos:
            out.append(_inline(text[pos - start : cs - start], pos, marks))
        out.append(_claim_html(text[cs - start : ce - start], cs, marks, c, ids, art_href, "", label))
        pos = ce
    if pos < start + len(text):
        out.append(_inline(text[pos - start :], pos, marks))
    return " ".join(x for x in out if x)


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


Row = tuple[int, str, str, str]  # (position, kind, left html, right html) of the side-by-side table


def _article_head(a: dict, art_href: Href, artifacts: list[dict]) -> str:
    """The article's heading (relation, id, title) and its line of counts."""
    aid, src, counts = a["id"], a.get("source"), a.get("counts") or {}
    rel = a.get("relation") or "unrelated"
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
            + (f" · {counts['heading']} not claims (headings, questions, labels)" if counts.get("heading") else "")
        )
    if artifacts:
        kinds = sorted({x.get("kind", "") for x in artifacts})
        meta.append(f"{plural(len(artifacts), 'artifact', 'artifacts')} ({e(', '.join(kinds))})")
    head.append(" · ".join(meta) + "</p></header>")
    return "".join(head)


def _artifact_html(x: dict) -> str:
    return (
        f'<del class="artifact">{e(x.get("text", ""))}</del>'
        f'<span class="tag tag-artifact">artifact: {e(x.get("kind", ""))}</span>'
    )


def _article_rows(
    a: dict,
    sentences: list[dict],
    artifacts: list[dict],
    sentence_marks: dict[int, tuple[Mark, ...]],
    ids: _Ids,
    art_href: Href,
    two_col: bool,
) -> list[Row]:
    """The rows of the side-by-side table, in text order. Artifacts inside a sentence are struck
    through in it; the others get rows of their own (short ones, such as markdown markup, ride with
    the next sentence)."""
    claims = {(c.get("start"), c.get("end")): c for c in a.get("claims") or []}
    inside: dict[int, list] = {}
    rows: list[Row] = []
    pending: list[str] = []
    free = []
    for x in artifacts:
        xs, xe = x.get("start", 0), x.get("end", 0)
        host = next((i for i, s in enumerate(sentences) if xs < s["end"] and xe > s["start"]), None)
        if host is not None:
            inside.setdefault(host, []).append((xs, xe, "artifact", x.get("kind", "")))
        else:
            free.append(x)
    items: list[tuple[int, int, tuple[str, Any]]] = [(s["start"], 1, ("s", i)) for i, s in enumerate(sentences)]
    items += [(x.get("start", 0), 0, ("x", x)) for x in free]
    items.sort(key=lambda t: (t[0], t[1]))
    for pos, _, (kind, obj) in items:
        if kind == "x":
            if len(obj.get("text", "").strip()) <= SHORT_ARTIFACT:
                pending.append(_artifact_html(obj))
            else:
                rows.append((pos, "artifact", '<span class="none">—</span>', _artifact_html(obj)))
            continue
        s = sentences[obj]
        label = s.get("label")
        marks = list(inside.get(obj, [])) + [(m.start, m.end, m.css, m.note) for m in sentence_marks.get(obj, ())]
        # The claims of this sentence: usually one with its span; a bullet label and its body are two.
        pieces = sorted((c for c in claims.values() if s["start"] <= c.get("start", -1) and
                         c.get("end", -1) <= s["end"]), key=lambda c: c.get("start", 0))
        claim = claims.get((s["start"], s["end"]))
        prefix = "".join(pending) + (
            f'<span class="tag lab lab-{e(label)}">{e(ALIGN_LABEL.get(label, label))}</span> '
            if label
            else ""
        )
        pending = []
        if claim is not None or not pieces:
            right = _claim_html(s["sentence"], s["start"], marks, claim, ids, art_href, prefix, label)
        else:
            right = _pieces_html(s, pieces, marks, ids, art_href, prefix, label)
        left = _source_cell(s.get("source_sentences") or [], art_href) if two_col else ""
        rows.append((pos, label or "sentence", left, right))
    if pending:
        rows.append((10**12, "artifact", "", "".join(pending)))
    return rows


def _two_column_table(a: dict, rows: list[Row]) -> str:
    """The article beside its source, then the source sentences it left out."""
    aid, src = a["id"], a.get("source") or ""
    body = [
        f'<table class="sbs"><caption class="vh">{e(aid)} against its source {e(src)}</caption>'
        f'<thead><tr><th scope="col">Source <code>{e(short(src, 24))}</code></th>'
        f'<th scope="col">This article <code>{e(short(aid, 24))}</code></th></tr></thead><tbody>'
    ]
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
    return "".join(body)


def _one_column_table(a: dict, rows: list[Row]) -> str:
    """An article with no source to compare with (the reference): its sentences and claim tags."""
    why = "reference of the story: no source in the set" if a.get("relation") == "reference" else (
        "no source to compare with"
    )
    body = [
        f'<table class="sbs one"><caption class="vh">{e(a["id"])}</caption><thead><tr>'
        f'<th scope="col">{e(why.capitalize())}; its claims checked against the other versions</th>'
        "</tr></thead><tbody>"
    ]
    for _, kind, _left, right in rows:
        body.append(f'<tr class="row row-{e(kind)}"><td class="r">{right}</td></tr>')
    body.append("</tbody></table>")
    return "".join(body)


def render_article(
    a: dict, arts: dict[str, dict], art_href: Href, ids: _Ids, sentence_marks: dict[int, tuple[Mark, ...]]
) -> str:
    """One article: its heading, then its sentences beside its source's (or alone, for the reference),
    with alignment labels, claim tags, struck artifacts and the unit marks ``sentence_marks``."""
    artifacts = sorted(a.get("artifacts") or [], key=lambda x: (x.get("start", 0), x.get("end", 0)))
    head = _article_head(a, art_href, artifacts)
    sentences = article_sentences(a)
    if not sentences and not artifacts:
        note = (
            "a story of its own: no other version to compare"
            if (a.get("relation") or "unrelated") == "unrelated"
            else "no sentence detail (analysed with --no-claims)"
        )
        return head + f'<p class="none">{e(note)}</p></article>'
    two_col = bool(a.get("alignment")) and a.get("source") is not None
    rows = _article_rows(a, sentences, artifacts, sentence_marks, ids, art_href, two_col)
    table = _two_column_table(a, rows) if two_col else _one_column_table(a, rows)
    return head + table + "</article>"


# ----------------------------------------------------------------------------- stories


def _story_stats(story: dict, arts: dict[str, dict]) -> tuple[int, int]:
    members = [arts[m] for m in story["articles"] if m in arts]
    flagged = sum(1 for a in members for c in a.get("claims") or [] if c.get("status") in FLAGGED)
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
    """The story's title as stored (shortened at a word boundary with "…" by ``trace``); a 160-character
    title without an end (from an older store) gets its "…"; never a second one."""
    t = (story.get("title") or story["id"]).strip()
    return t + "…" if len(t) >= 160 and not re.search(r"[.!?”\"…]$", t) else t


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


def render_story(story: dict, arts: dict[str, dict], art_href: Href, ids: _Ids, marks: UnitMarks) -> str:
    sid = story["id"]
    members = [m for m in story["articles"] if m in arts]
    ref = cast(str, story.get("reference"))  # trace gives every story one
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
        relations = {arts[m].get("relation") for m in members if m != ref}
        present = {r if r in ("rewrite", "duplicate") else "same_story" for r in relations}
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
        out.append(render_article(arts[m], arts, art_href, ids, marks.get(m, {})))
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
    stories: Sequence[dict],
    arts: dict[str, dict] | None,
    story_href: Href,
    current: str | None = None,
    search_text: Callable[[dict], str] | None = None,
) -> str:
    """Stories as a list of links; ``search_text`` adds words the index filter also matches."""
    out = ['<ol class="story-list" id="story-list">']
    for s in stories:
        n = len(s.get("articles") or [])
        bits = [f"{n} article{'s' if n != 1 else ''}"]
        if arts is not None:
            flagged, n_art = _story_stats(s, arts)
            if flagged:
                bits.append(f"{flagged} flagged")
            if n_art:
                bits.append(plural(n_art, "artifact", "artifacts"))
        if s.get("common_source_missing"):
            bits.append("missing source")
        cur = ' aria-current="page"' if s["id"] == current else ""
        q = f' data-q="{e(search_text(s))}"' if search_text else ""
        out.append(
            f'<li{q}><a href="{e(story_href(s["id"]))}"{cur}><span class="st">{e(s.get("title") or s["id"])}</span>'
            f'<span class="sm">{e(" · ".join(bits))}</span></a></li>'
        )
    out.append("</ol>")
    return "".join(out)


def _summary(arts: dict[str, dict], stories: Sequence[dict]) -> str:
    n_multi = sum(1 for s in stories if len(s["articles"]) > 1)
    n_flagged = sum(1 for a in arts.values() for c in a.get("claims") or [] if c.get("status") in FLAGGED)
    return (
        f"{plural(len(arts), 'article', 'articles')} · {plural(len(stories), 'story', 'stories')} "
        f"({n_multi} with several versions) · {plural(n_flagged, 'flagged claim', 'flagged claims')}"
    )


def _singles_section(singles: Sequence[dict], arts: dict[str, dict], max_singles: int) -> str:
    out = ['<section class="singles" id="singles" tabindex="-1"><h2>Articles with a story of their own</h2><ul>']
    for s in singles[:max_singles]:
        a = arts.get(s["articles"][0])
        if a is None:
            continue
        kinds = sorted({x.get("kind", "") for x in a.get("artifacts") or []})
        out.append(
            f'<li id="{e(anchor("story", s["id"]))}"><span id="{e(anchor("art", a["id"]))}"></span>'
            f"<code>{e(short(a['id'], 24))}</code> {e(a.get('title') or s.get('title') or '')}"
            + (f' <span class="tag tag-artifact">artifacts: {e(", ".join(kinds))}</span>' if kinds else "")
            + "</li>"
        )
    if len(singles) > max_singles:
        out.append(f"<li>… and {len(singles) - max_singles} more (see the JSON report)</li>")
    out.append("</ul></section>")
    return "".join(out)


def render_html(
    report: dict,
    *,
    marks: UnitMarks,
    title: str = "copydesk report",
    story_href: Href | None = None,
    home_href: str | None = None,
    max_singles: int = 500,
    neighbours: tuple[str | None, str | None] = (None, None),
) -> str:
    """The report as one self-contained HTML page.

    ``marks`` are the report's unit marks (``report.marks.unit_marks``), computed where the report is
    built: this module only renders.

    ``story_href`` maps a story id to a link (default: an anchor in this page); ``home_href``
    adds a link back to a story index (the server's ``/``, or the index of a split report);
    ``neighbours`` are the links to the previous and next story page, if any.
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
    nav = ['<div class="side-col"><nav class="side" aria-label="Stories">']
    if home_href:
        nav.append(f'<p class="home"><a href="{e(home_href)}">← all stories</a></p>')
    prev_href, next_href = neighbours
    if prev_href or next_href:
        links = [f'<a href="{e(prev_href)}" rel="prev">← previous story</a>'] if prev_href else []
        links += [f'<a href="{e(next_href)}" rel="next">next story →</a>'] if next_href else []
        nav.append(f'<p class="pager">{" · ".join(links)}</p>')
    nav.append(f'<h2>Stories <span class="count">{len(multi)}</span></h2>')
    nav.append(story_list(multi, arts, href, current=multi[0]["id"] if len(stories) == 1 and multi else None))
    if singles:
        nav.append(
            f'<p class="singles-link"><a href="#singles">{plural(len(singles), "single-article story", "single-article stories")}</a></p>'
        )
    nav.append('<p class="kbd-help">Keys: ↑/↓ move through the list, Enter opens a story.</p></nav></div>')
    main = ['<main id="main" tabindex="-1">']
    if not stories:
        main.append('<p class="none">No stories in this report.</p>')
    for s in multi:
        main.append(render_story(s, arts, art_href, ids, marks))
    if singles:
        main.append(_singles_section(singles, arts, max_singles))
    main.append("</main>")
    body = (
        f'<header class="top"><h1><span class="logo" aria-hidden="true">¶</span> copydesk</h1>'
        f'<p class="summary">{e(_summary(arts, stories))}</p></header>'
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
        f'<p class="summary">{e(plural(total, "story", "stories") + (f" matching “{query}”" if query else ""))}</p></header>',
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


# ----------------------------------------------------------------------------- report files


# A report larger than this as one page is split into an index and a page per story. As one page, the 772
# ECB+ documents (66 stories with several articles) made 27 MB and took 24.5 s to render in chromium.
MAX_PAGE_BYTES = 1_500_000
MAX_PAGE_STORIES = 25  # ... and so is one with more stories of several articles than this
INDEX_PAGE_STORIES = 1000  # stories per index page of a split report


@dataclass(frozen=True)
class HtmlFiles:
    """What ``write_html`` wrote: the index (or the only page) first, then the story pages."""

    pages: tuple[Path, ...]
    folder: Path | None  # the story pages' folder of a split report, else None

    @property
    def split(self) -> bool:
        return self.folder is not None

    @property
    def first_page_bytes(self) -> int:
        return self.pages[0].stat().st_size

    @property
    def total_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.pages)


def story_folder(path: Path) -> Path:
    """Where the story pages of the report ``path`` go: ``report.html`` -> ``report_stories/``."""
    return path.with_name(path.stem + "_stories")


def _page_names(stories: Sequence[dict]) -> dict[str, str]:
    """A file name per story: its id when that is a safe file name, else a hash of the id (never two
    names that differ only by case, never the name of an index page)."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for s in stories:
        sid = s["id"]
        name = sid
        if (
            not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}", sid)
            or re.fullmatch(r"index-\d+", sid, re.I)
            or sid.lower() in used
        ):
            name = "story-h" + hashlib.sha1(sid.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        used.add(name.lower())
        names[sid] = name + ".html"
    return names


def render_split_index(
    report: dict,
    stories: Sequence[dict],
    *,
    story_href: Href,
    page: int,
    pages: int,
    page_href: Callable[[int], str],
    folder_name: str,
    title: str = "copydesk report",
    max_singles: int = 500,
) -> str:
    """One index page of a split report: the run's summary, a filter box, and links to story pages.

    The single-article stories (which have no page of their own) are listed on the first index page.
    """
    arts = {a["id"]: a for a in report.get("articles") or []}
    every = [s for s in report.get("stories") or [] if s.get("articles")]
    singles = [s for s in every if len(s["articles"]) == 1]
    n_multi = len(every) - len(singles)

    def search_text(s: dict) -> str:
        bits = [s["id"]]
        for m in s["articles"]:
            a = arts.get(m) or {}
            bits += [m, a.get("title") or ""]
        return " ".join(bits)

    body = [
        f'<header class="top"><h1><span class="logo" aria-hidden="true">¶</span> copydesk</h1>'
        f'<p class="summary">{e(_summary(arts, every))}</p></header>',
        '<div class="layout index"><nav class="side wide" aria-label="Stories">',
        f'<p class="split-note">One page per story, in the folder <code>{e(folder_name)}/</code> next to this '
        "file; each opens from the list below.</p>",
        '<div class="search"><label for="story-filter">Filter stories</label> '
        '<input id="story-filter" type="search" placeholder="words of a title, or an article id" '
        'aria-describedby="story-filter-count"> <span id="story-filter-count" class="fx" aria-live="polite">'
        "</span></div>",
        f'<h2>Stories <span class="count">{n_multi}</span></h2>',
        story_list(stories, arts, story_href, search_text=search_text),
    ]
    if pages > 1:
        links = [f'<a href="{e(page_href(page - 1))}" rel="prev">← previous</a>'] if page > 1 else []
        links.append(f"page {page} of {pages}")
        links += [f'<a href="{e(page_href(page + 1))}" rel="next">next →</a>'] if page < pages else []
        body.append(f'<p class="pager">{" · ".join(links)}</p>')
    if singles and page == 1:
        body.append(_singles_section(singles, arts, max_singles))
    body.append(
        '<p class="kbd-help">Keys: ↑/↓ move through the list, Enter opens a story.</p></nav>'
        '<main id="main" tabindex="-1" class="empty"></main></div>'
    )
    return _page(title if pages == 1 else f"{title} (page {page} of {pages})", "".join(body))


def write_html(
    report: dict,
    path: Path | str,
    *,
    marks: UnitMarks,
    title: str = "copydesk report",
    max_page_bytes: int = MAX_PAGE_BYTES,
    max_page_stories: int = MAX_PAGE_STORIES,
    per_index_page: int = INDEX_PAGE_STORIES,
) -> HtmlFiles:
    """Write the report for reading from disk (file://, no server, no network).

    A report of at most ``max_page_stories`` stories with several articles and ``max_page_bytes``
    is one self-contained page (``render_html``). A larger one is split so that no page holds the
    whole run: ``path`` is an index (summary, a filter box and a link per story, ``per_index_page``
    stories a page) and each story with several articles gets a page of its own in
    ``story_folder(path)``, with its part of the report's JSON embedded. Pages that an earlier split
    run left in that folder are removed.
    """
    path = Path(path)
    folder = story_folder(path)
    n_multi = sum(1 for s in report.get("stories") or [] if len(s.get("articles") or []) > 1)
    page = None
    if n_multi <= max_page_stories and len(json_for_script(report).encode("utf-8")) <= max_page_bytes:
        page = render_html(report, title=title, marks=marks)
        if len(page.encode("utf-8")) > max_page_bytes:
            page = None
    if page is not None:
        path.write_text(page, encoding="utf-8")
        _remove_stale(folder, keep=set())
        return HtmlFiles((path,), None)

    arts = {a["id"]: a for a in report.get("articles") or []}
    stories = [s for s in report.get("stories") or [] if s.get("articles")]
    multi = [s for s in stories if len(s["articles"]) > 1]
    names = _page_names(multi)
    n_index = max(1, -(-len(multi) // per_index_page))
    index_of = {s["id"]: i // per_index_page + 1 for i, s in enumerate(multi)}
    folder.mkdir(parents=True, exist_ok=True)
    top, sub_url = "../" + quote(path.name), quote(folder.name)  # links, whatever the file name holds

    def index_from_folder(k: int) -> str:
        return top if k == 1 else f"index-{k}.html"

    written = [path]
    for k in range(1, n_index + 1):
        chunk = multi[(k - 1) * per_index_page : k * per_index_page]
        first = k == 1
        html = render_split_index(
            report, chunk, page=k, pages=n_index, folder_name=folder.name, title=title,
            story_href=(lambda sid: f"{sub_url}/{names[sid]}") if first else (lambda sid: names[sid]),
            page_href=(lambda j: f"{sub_url}/index-{j}.html") if first else index_from_folder,
        )
        out = path if first else folder / f"index-{k}.html"
        out.write_text(html, encoding="utf-8")
        if not first:
            written.append(out)
    for i, s in enumerate(multi):
        sub = {"articles": [arts[m] for m in s["articles"] if m in arts], "stories": [s]}
        html = render_html(
            sub,
            marks=marks,
            title=title,
            story_href=lambda sid: names.get(sid, "#"),
            home_href=index_from_folder(index_of[s["id"]]),
            neighbours=(
                names[multi[i - 1]["id"]] if i > 0 else None,
                names[multi[i + 1]["id"]] if i + 1 < len(multi) else None,
            ),
        )
        out = folder / names[s["id"]]
        out.write_text(html, encoding="utf-8")
        written.append(out)
    _remove_stale(folder, keep={p.name for p in written[1:]})
    return HtmlFiles(tuple(written), folder)


def _remove_stale(folder: Path, keep: set[str]) -> None:
    """Delete the pages an earlier run of ``write_html`` wrote into ``folder`` and this one did not
    (only HTML files that carry this generator's mark)."""
    if not folder.is_dir():
        return
    for p in folder.glob("*.html"):
        if p.name in keep or not p.is_file():
            continue
        with p.open("rb") as fh:
            if GENERATOR_META.encode() in fh.read(1000):
                p.unlink()
    if not any(folder.iterdir()):
        folder.rmdir()
