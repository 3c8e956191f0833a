"""HTML pages: main-text extraction (trafilatura), guarded against hostile pages, and the
``Article`` of a page."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..config import Limits
from ..records import Article
from .errors import InputError
from .text import article_from_text

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}

_DECL = re.compile(r"<!DOCTYPE[^>\[]*(\[.*?\])?\s*>|<!ENTITY[^>]*>", re.I | re.S)
_ENTITY_NAME = re.compile(r"<!ENTITY\s+%?\s*([\w.:-]+)", re.I)
_HTML_ENTITIES = frozenset(("amp", "lt", "gt", "quot", "apos", "nbsp"))
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)[^>]*?(/?)>")
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# Tags whose end tag is optional: a parser closes an open one when the next starts ("<p>a<p>b"
# are siblings), so counting them would take an ordinary page with unclosed paragraphs for a
# deep one.
_IMPLIED_END = frozenset("p li dt dd td th tr option optgroup rt rp tbody thead tfoot colgroup".split())


@dataclass(frozen=True, slots=True)
class Extracted:
    text: str
    title: str | None
    date: str | None
    site: str | None
    url: str | None


def max_depth(html: str) -> int:
    """Deepest tag nesting, from a linear scan of the tags (no parse)."""
    depth = best = 0
    for m in _TAG.finditer(html):
        closing, name, selfclose = m.group(1), m.group(2).lower(), m.group(3)
        if name in _VOID or name in _IMPLIED_END or selfclose:
            continue
        if closing:
            depth = max(depth - 1, 0)
        else:
            depth += 1
            best = max(best, depth)
    return best


def extract_html(html: str, limits: Limits, url: str | None = None) -> Extracted:
    # Entity declarations are never needed for news text and are how entity-expansion
    # ("billion laughs") attacks work: drop them before any parser sees the page, and the
    # references to the entities they declared (nothing can expand them any more).
    declared = set(_ENTITY_NAME.findall(html)) - _HTML_ENTITIES
    html = _DECL.sub("", html)
    if declared:
        html = re.sub(r"&(?:" + "|".join(map(re.escape, sorted(declared))) + r");", "", html)
    depth = max_depth(html)
    if depth > limits.max_html_depth:
        raise InputError(f"HTML nested too deeply ({depth:,} levels > limit {limits.max_html_depth:,})")
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, favor_precision=True
        )
    except RecursionError:
        raise InputError("HTML nested too deeply to parse") from None
    except Exception as e:  # trafilatura/lxml raise many types on broken markup
        raise InputError(f"HTML could not be parsed ({type(e).__name__})") from None
    if doc is None:
        raise InputError("no article text found in HTML")
    get = doc.get if isinstance(doc, dict) else (lambda k: getattr(doc, k, None))
    text = get("text") or ""
    if not text.strip():
        raise InputError("no article text found in HTML")
    return Extracted(text=text, title=get("title"), date=get("date"), site=get("sitename"), url=get("url"))


def article_from_html(
    id: str, html: str, limits: Limits, *, url: str | None = None, source_path: str | None = None
) -> Article:
    """Main text, title, date and site of an HTML page via trafilatura."""
    extracted = extract_html(html, limits, url=url)
    return article_from_text(
        id,
        extracted.text,
        limits,
        title=extracted.title,
        site=extracted.site,
        url=url or extracted.url,
        published=extracted.date,
        source_path=source_path,
    )
