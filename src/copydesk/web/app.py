"""``copydesk serve``: the report pages live over a store, and the HTTP API (FastAPI).

Pages: ``/`` (story list, ``?q=`` searches) and ``/stories/{id}`` (a browser asking for HTML
gets the same page as ``analyze --html``; an API client gets JSON). API: ``POST /articles``,
``GET /stories``, ``GET /stories/{id}``, ``GET /articles/{id}``, ``GET /search?q=``,
``POST /verify``; OpenAPI schema at ``/openapi.json``.

Security: binds 127.0.0.1 unless told otherwise; no endpoint fetches a URL or opens a path
a client names (``url`` is stored as data); bodies are size-checked (Content-Length and the
streamed bytes) before parsing; errors are ``{"error": "..."}`` without stack traces; 400 and
413 answers never touch the store.

Hostile browsers and clients (see ``HostGuard``, ``check_write``, ``FramingGuard``):

- ``Host`` must name the server: 127.0.0.1, localhost, [::1], the ``--host`` address, or an
  ``--allowed-host`` value; anything else is 400 before any handler runs (DNS rebinding: a page
  on attacker.example resolving to 127.0.0.1 still sends ``Host: attacker.example``).
- Writes (``POST /articles``, ``POST /verify``) take only ``Content-Type: application/json``
  (415 otherwise: the types a cross-site HTML form or a "simple" fetch can send are refused),
  and a browser's cross-origin write is 403: an ``Origin`` that is not this server's own
  scheme://host:port, or ``Sec-Fetch-Site`` other than ``same-origin``/``none``. There are no
  CORS headers, so a cross-origin preflight gets no permission either.
- A request with both ``Content-Length`` and ``Transfer-Encoding`` is 400 and its connection is
  closed (RFC 9112 section 6.1), so bytes smuggled after it are never read as a request.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sys
import unicodedata
from collections.abc import Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..config import Limits, Settings
from ..report import build_report
from ..store import StoreError
from .errors import ApiError
from .service import (
    StoreService,
    article_detail,
    list_stories,
    store_error_status,
    story_summary,
)

log = logging.getLogger("copydesk.web")
DB_ENV = "COPYDESK_SERVE_DB"
HOSTS_ENV = "COPYDESK_SERVE_HOSTS"  # the extra allowed hosts, comma-separated, for uvicorn workers
LOOPBACK = ("127.0.0.1", "::1", "localhost")
WILDCARD_BINDS = ("0.0.0.0", "::", "")
JSON_TYPE = "application/json"
WRITE_FETCH_SITES = ("same-origin", "none")  # Sec-Fetch-Site values a write may come with


# ----------------------------------------------------------------------------- schema (docs)


class ArticleIn(BaseModel):
    """One article, with the fields of a JSONL input line. ``text`` is required."""

    id: str | None = Field(None, description="Your id (1-512 characters); default: a hash of the text")
    text: str = Field(..., description="The article text (plain text)")
    title: str | None = None
    url: str | None = Field(None, description="Stored as data only; never fetched")
    site: str | None = None
    published: str | None = Field(None, description="ISO 8601 date, when known")


class ClaimOut(BaseModel):
    text: str
    start: int
    end: int
    kind: str
    status: str
    reason: str | None = None
    support: list[str] = []
    evidence: list[dict] = []


class ArticleResult(BaseModel):
    id: str
    stored: str = Field(..., description="'new' or 'existing' (an identical re-post)")
    story: str | None
    story_size: int | None
    family: str | None
    relation: str | None = Field(None, description="reference | rewrite | duplicate | same_story | unrelated")
    source: str | None
    score: float | None
    flagged: list[ClaimOut] = Field(..., description="claims that are unsupported or contradicted")
    counts: dict[str, int] = {}


class IngestOut(BaseModel):
    added: int
    existing: int
    articles: list[ArticleResult]


class VerifyIn(BaseModel):
    sources: list[str] | str = Field(
        ..., description="The source text, or several for a rewrite that merges reports"
    )
    rewrite: str
    fail_on: list[str] | str | None = Field(
        None, description="any of unsupported, contradicted, artifact, dropped-quote (default: all)"
    )


class StoryOut(BaseModel):
    id: str
    title: str | None
    size: int
    reference: str | None
    articles: list[str]
    families: int
    common_source_missing: bool


class StoriesOut(BaseModel):
    total: int
    offset: int
    stories: list[StoryOut]


class ErrorOut(BaseModel):
    error: str


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Bad input (malformed JSON, missing text, wrong types)"},
    404: {"model": ErrorOut, "description": "Unknown id"},
    413: {"model": ErrorOut, "description": "Body, batch or work over the configured limits (see web/budget.py)"},
}


def _body_doc(model: type[BaseModel], batch: bool) -> dict:
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    schema = {"anyOf": [ref, {"type": "array", "items": ref}]} if batch else ref
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


# ----------------------------------------------------------------------------- hostile requests


def host_patterns(bind: str = "127.0.0.1", extra: Sequence[str] = ()) -> list[str]:
    """The ``Host`` names the server answers: loopback, the bound address, ``--allowed-host`` values.

    IPv6 literals are compared in brackets (``[::1]``), as they appear in a ``Host`` header."""

    def norm(h: str) -> str:
        h = h.strip().lower()
        return f"[{h}]" if ":" in h and not h.startswith("[") else h

    names = ["127.0.0.1", "localhost", "[::1]"]
    if bind not in WILDCARD_BINDS:
        names.append(norm(bind))
    names += [norm(h) for h in extra if h.strip()]
    return list(dict.fromkeys(names))


async def _send_error(send: Send, status: int, message: str, close: bool = False) -> None:
    body = json.dumps({"error": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class HostGuard:
    """Starlette's ``TrustedHostMiddleware`` over ``host_patterns``, answering its refusal as our
    ``{"error": ...}`` (400) with the name to pass to ``--allowed-host``."""

    def __init__(self, app: ASGIApp, allowed_hosts: Sequence[str]) -> None:
        self.app = app
        self.allowed = list(allowed_hosts)
        self._check = TrustedHostMiddleware(self._through, allowed_hosts=self.allowed, www_redirect=False)

    async def _through(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["copydesk.host_ok"] = True
        await self.app(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def refuse(message: Message) -> None:
            if scope.get("copydesk.host_ok"):
                await send(message)
            elif message["type"] == "http.response.start":
                host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")[:200]
                await _send_error(
                    send,
                    400,
                    f"Host {host!r} is not served here (accepted: {', '.join(self.allowed)}); "
                    "start copydesk serve with --allowed-host NAME to accept another name",
                    close=True,
                )

        await self._check(scope, receive, refuse)


class FramingGuard:
    """400 and close the connection for a request with both Content-Length and Transfer-Encoding.

    RFC 9112 section 6.1: such a request may be an attempt at request smuggling, and the server
    MUST close the connection after answering it. uvicorn's h11 parser (the one installed)
    frames it by Transfer-Encoding but keeps the connection open, so the bytes after the body
    would be read as a second request; ``Connection: close`` on this answer makes uvicorn close."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            names = {k.lower() for k, _v in scope.get("headers") or []}
            if b"content-length" in names and b"transfer-encoding" in names:
                log.warning("refused a request with both Content-Length and Transfer-Encoding")
                await _send_error(
                    send, 400, "both Content-Length and Transfer-Encoding given; send one", close=True
                )
                return
        await self.app(scope, receive, send)


def _origin_port(scheme: str, port: int | None) -> int:
    return port if port is not None else (443 if scheme == "https" else 80)


def check_write(request: Request) -> None:
    """A write must be JSON and must not come from another site's page (ApiError 403/415).

    - ``Sec-Fetch-Site`` (sent by browsers) other than same-origin/none -> 403.
    - ``Origin`` (sent by browsers on cross-origin requests and on POSTs) that is not this
      server's own origin, ``http://`` + the ``Host`` header (already checked), -> 403.
    - ``Content-Type`` other than application/json (any parameters) -> 415. Non-browser
      clients (curl, scripts) send neither Origin nor Sec-Fetch-Site and are not affected."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site.strip().lower() not in WRITE_FETCH_SITES:
        raise ApiError(403, f"cross-site write refused (Sec-Fetch-Site: {site[:40]!r})")
    origin = request.headers.get("origin")
    if origin is not None:
        host = request.headers.get("host", "")
        own = urlsplit(f"{request.url.scheme}://{host}")
        try:
            theirs = urlsplit(origin.strip())
            same = (
                theirs.scheme.lower() == own.scheme.lower()
                and (theirs.hostname or "") == (own.hostname or "")
                and _origin_port(theirs.scheme, theirs.port) == _origin_port(own.scheme, own.port)
                and not theirs.path
            )
        except ValueError:
            same = False
        if not same:
            raise ApiError(
                403, f"cross-origin write refused (Origin {origin[:100]!r} is not {own.scheme}://{host})"
            )
    ctype = request.headers.get("content-type")
    media = (ctype or "").split(";", 1)[0].strip().lower()
    if media != JSON_TYPE:
        got = f"got {ctype[:80]!r}" if ctype else "none given"
        raise ApiError(415, f"Content-Type must be {JSON_TYPE} ({got})")


def clean_query(q: str) -> str:
    """A search query without control characters (a NUL would end SQLite's LIKE pattern early and
    match every story), stripped."""
    return "".join(ch for ch in q if unicodedata.category(ch) != "Cc").strip()


# ----------------------------------------------------------------------------- body parsing


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) anything over ``limit`` bytes before it is all read."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            n = int(declared)
        except ValueError:
            raise ApiError(400, "bad Content-Length header") from None
        if n > limit:
            raise ApiError(413, f"request body too large ({n:,} bytes > limit {limit:,})")
    chunks, total = [], 0
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit:
                raise ApiError(413, f"request body too large (over the limit of {limit:,} bytes)")
            chunks.append(chunk)
    except ClientDisconnect:
        # Not an internal error: one line, and an answer no one will read.
        log.info("client went away after %s bytes of the body of %s %s", f"{total:,}", request.method,
                 request.url.path)
        raise ApiError(400, "client disconnected before the whole body was sent") from None
    return b"".join(chunks)


def parse_json(body: bytes) -> Any:
    if not body.strip():
        raise ApiError(400, "empty request body: send a JSON object or list")
    try:
        return json.loads(body)
    except UnicodeDecodeError:
        raise ApiError(400, "request body is not UTF-8 JSON") from None
    except json.JSONDecodeError as e:
        raise ApiError(400, f"malformed JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    except RecursionError:
        raise ApiError(400, "malformed JSON: nested too deeply") from None
    except ValueError as e:  # Python's limit on integer digits (sys.get_int_max_str_digits)
        if "digits" not in str(e):
            raise ApiError(400, f"malformed JSON: {e}") from None
        raise ApiError(
            422,
            f"a number in the JSON has more than {sys.get_int_max_str_digits():,} digits; "
            "ids, titles and fail_on are strings",
        ) from None


def parse_articles(body: bytes, limits: Limits) -> list:
    """The body of ``POST /articles`` -> validated ``Article`` records (ApiError on bad input)."""
    from ..ingest import InputError, record_to_article
    from ..records import Article

    data = parse_json(body)
    items = data if isinstance(data, list) else [data]
    if not isinstance(data, list | dict):
        raise ApiError(400, f"expected a JSON object or a list of objects, got {type(data).__name__}")
    if not items:
        raise ApiError(400, "empty list: no articles to store")
    if len(items) > limits.max_articles_per_request:
        raise ApiError(
            413,
            f"too many articles in one request ({len(items):,} > limit "
            f"{limits.max_articles_per_request:,}); split the batch",
        )
    out: list = []
    seen: dict[str, Article] = {}
    for i, obj in enumerate(items):
        where = f"article {i}" if isinstance(data, list) else "article"
        if not isinstance(obj, dict):
            raise ApiError(400, f"{where}: expected a JSON object, got {type(obj).__name__}")
        unknown = sorted(set(obj) - {"id", "text", "title", "url", "site", "published"})
        if unknown:
            raise ApiError(
                400,
                f"{where}: unknown field(s) {', '.join(map(repr, unknown))}; "
                "allowed: id, text, title, url, site, published",
            )
        if obj.get("id") is None and isinstance(obj.get("text"), str):
            # No id given: a content hash keeps re-posts idempotent.
            obj = dict(
                obj, id="sha-" + hashlib.sha256(obj["text"].encode("utf-8", "surrogatepass")).hexdigest()[:20]
            )
        try:
            art = record_to_article(obj, limits, source_path=None)
        except InputError as e:
            raise ApiError(
                400, f"{where}{' (id ' + repr(obj.get('id')) + ')' if obj.get('id') is not None else ''}: {e}"
            ) from None
        prev = seen.get(art.id)
        if prev is not None:
            if (prev.text, prev.title, prev.published) != (art.text, art.title, art.published):
                raise ApiError(
                    400, f"{where}: id {art.id!r} appears twice in the request with different content"
                )
            continue
        seen[art.id] = art
        out.append(art)
    return out


def parse_verify(body: bytes) -> tuple[list[str], str, Any]:
    data = parse_json(body)
    if not isinstance(data, dict):
        raise ApiError(400, 'expected a JSON object {"sources": [...], "rewrite": "..."}')
    unknown = sorted(set(data) - {"sources", "rewrite", "fail_on"})
    if unknown:
        raise ApiError(
            400, f"unknown field(s) {', '.join(map(repr, unknown))}; allowed: sources, rewrite, fail_on"
        )
    sources = data.get("sources")
    if isinstance(sources, str):
        sources = [sources]
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
        raise ApiError(400, "field 'sources' must be a string or a non-empty list of strings")
    rewrite = data.get("rewrite")
    if not isinstance(rewrite, str):
        raise ApiError(400, "field 'rewrite' must be a string")
    fail_on = data.get("fail_on")
    if fail_on is not None and not (
        isinstance(fail_on, str) or (isinstance(fail_on, list) and all(isinstance(x, str) for x in fail_on))
    ):
        raise ApiError(400, "field 'fail_on' must be a string or a list of strings")
    return sources, rewrite, fail_on


def count_sentences(text: str) -> int:
    """Sentences of ``text`` as ``verify`` segments it (cleaned first)."""
    from ..clean import clean_article
    from ..records import Article
    from ..segment import segment

    return len(segment(clean_article(Article(id="text", text=text))))


def wants_html(request: Request, fmt: str | None) -> bool:
    if fmt:
        return fmt == "html"
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept


def _story_path(sid: str) -> str:
    return "/stories/" + quote(sid, safe="")


def merged_story(store: Any, story_id: str) -> str | None:
    """The current id of the story that ``story_id`` merged into, or None (never such a story).

    A story's id is derived from its members, so it changes when articles join it; the store keeps
    the old ids in its alias table (``Store.story_alias``)."""
    current = store.story_alias(story_id)
    return current if isinstance(current, str) and current != story_id else None


def _story_page(report: dict) -> str:
    """The HTML page of a one-story report, its unit marks computed first (see ``report.marks``)."""
    from ..report.marks import unit_marks
    from ..report.page import render_html

    return render_html(report, marks=unit_marks(report), story_href=_story_path, home_href="/")


# ----------------------------------------------------------------------------- the app


def create_app(
    db: str,
    settings: Settings | None = None,
    *,
    warm: bool = True,
    readers: int = 4,
    host: str = "127.0.0.1",
    allowed_hosts: Sequence[str] = (),
) -> FastAPI:
    """The app over ``db``; ``host`` (the bound address) and ``allowed_hosts`` add to the loopback
    names accepted in ``Host`` (see ``host_patterns``)."""
    settings = settings or Settings()
    service = StoreService(db, settings, readers=readers)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await run_in_threadpool(service.start)
        if warm:
            await run_in_threadpool(warm_models)
        yield
        await run_in_threadpool(service.close)

    app = FastAPI(
        title="copydesk",
        version=_version(),
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        description="Trace how one news story travels and mutates across outlets. Post articles as they "
        "arrive; get back the story each joins, its source and what it changed.",
    )
    app.state.service = service
    # Added last = runs first: framing, then Host, then the routes.
    app.add_middleware(HostGuard, allowed_hosts=host_patterns(host, allowed_hosts))
    app.add_middleware(FramingGuard)
    _add_error_handlers(app)
    _add_security_headers(app)
    app.include_router(_page_routes(service))
    app.include_router(_write_routes(service, settings))
    app.include_router(_read_routes(service))
    app.include_router(_status_routes(service))
    app.include_router(_docs_routes())
    _document_bodies(app)
    return app


def is_browser(request: Request) -> bool:
    """A browser navigating (it asks for text/html and not for JSON): it gets HTML error pages."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept


def error_response(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    """An error answer: ``{"error": message, **extra}`` for an API client, an HTML page for a browser."""
    if is_browser(request):
        from ..report.page import render_error_page

        link = (_story_path(extra["merged_into"]), "the story it is now part of") if extra.get("merged_into") else None
        return HTMLResponse(render_error_page(status, message, link=link), status_code=status, headers=headers)
    return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)


def _add_error_handlers(app: FastAPI) -> None:
    """Errors: ``{"error": "..."}`` for API clients and an HTML page for browsers (``error_response``),
    never a stack trace."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        headers = dict(exc.headers)
        if exc.status == 413:
            headers["Connection"] = "close"  # the unread rest of the body is not wanted
        return error_response(request, exc.status, exc.message, headers)

    @app.exception_handler(StoreError)
    async def _store_error(request: Request, exc: StoreError) -> Response:
        err = store_error_status(exc)
        return error_response(request, err.status, err.message, dict(err.headers))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        msg = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and msg == "Not Found":
            msg = f"no such endpoint: {request.method} {request.url.path}"
        return error_response(request, exc.status_code, msg, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for err in exc.errors()[:3]:
            loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body"))
            parts.append(f"{loc}: {err.get('msg', 'invalid')}" if loc else err.get("msg", "invalid"))
        return error_response(request, 400, "bad request: " + "; ".join(parts))

    @app.exception_handler(Exception)
    async def _internal_error(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return error_response(request, 500, f"internal error ({type(exc).__name__}); see the server log")


def _add_security_headers(app: FastAPI) -> None:
    """Headers on every answer: no sniffing, no referrer, no framing; a CSP on every HTML page."""

    @app.middleware("http")
    async def _headers(request: Request, call_next):
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if response.headers.get("content-type", "").startswith("text/html"):
            from ..report.page import content_security_policy

            response.headers.setdefault("Content-Security-Policy", content_security_policy())
        return response


def _page_routes(service: StoreService) -> APIRouter:
    """The HTML pages: the story list (``/``)."""
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse, summary="Story list (HTML page)", tags=["pages"])
    async def index(
        q: str = Query("", max_length=500), page: int = Query(1, ge=1, le=1_000_000)
    ) -> HTMLResponse:
        from ..report.page import render_index

        per_page = 100

        words = clean_query(q)

        def load(store: Any) -> tuple[list[dict], int]:
            if words:
                found = store.search_stories(words, limit=per_page)
                return found, len(found)
            return list_stories(store, (page - 1) * per_page, per_page)

        stories, total = await run_in_threadpool(service.read, load)
        return HTMLResponse(
            render_index(stories, story_href=_story_path, query=words, total=total, page=page, per_page=per_page)
        )

    return router


def _write_routes(service: StoreService, settings: Settings) -> APIRouter:
    """The JSON API's writes: ``POST /articles`` (store and place) and ``POST /verify`` (nothing stored)."""
    router = APIRouter()
    limits = settings.limits

    @router.post(
        "/articles",
        summary="Store articles and place them in stories",
        tags=["api"],
        response_model=IngestOut,
        responses={**ERRORS, 409: {"model": ErrorOut, "description": "Id already stored with another text"}},
        openapi_extra=_body_doc(ArticleIn, batch=True),
    )
    async def post_articles(request: Request) -> JSONResponse:
        """One article (a JSON object) or a batch (a list), with the JSONL fields. Each is cleaned,
        featurized and placed incrementally; the answer says, for each, its story, family, relation,
        source and flagged claims. Re-posting an identical article is idempotent."""
        check_write(request)
        body = await read_body(request, limits.max_request_bytes)
        articles = await run_in_threadpool(parse_articles, body, limits)
        service.budget.check_articles(articles)
        res = await service.ingest_async(articles)
        return JSONResponse({"added": res.added, "existing": res.existing, "articles": res.results})

    @router.post(
        "/verify",
        summary="Check a rewrite against its source(s) before publication",
        tags=["api"],
        responses=ERRORS,
        openapi_extra=_body_doc(VerifyIn, batch=False),
    )
    async def post_verify(request: Request) -> JSONResponse:
        """The same verdict as ``copydesk verify --json``: flagged claims with evidence, artifacts,
        dropped or altered quotes, ``ok`` and a summary. Nothing is stored."""
        from ..verify import verify

        check_write(request)
        body = await read_body(request, limits.max_request_bytes)
        sources, rewrite, fail_on = await run_in_threadpool(parse_verify, body)
        service.budget.check_verify(sources, rewrite)
        kwargs = {} if fail_on is None else {"fail_on": fail_on}

        def run() -> Any:
            service.budget.check_verify_sentences(sum(count_sentences(t) for t in [*sources, rewrite]))
            big = sum(map(len, sources)) + len(rewrite) > 60 * service.budget.heavy_sentences
            with service.heavy if big else contextlib.nullcontext():
                return verify(sources, rewrite, settings=settings, **kwargs)

        try:
            report = await run_in_threadpool(run)
        except ValueError as e:
            raise ApiError(400, str(e)) from None
        return JSONResponse(report.to_dict())

    return router


def _read_routes(service: StoreService) -> APIRouter:
    """The JSON API's reads: stories, one story (or its page), one article, search. Over 80 lines
    because it is four route declarations, each a decorator and a short body; splitting them further
    would only scatter one router over several functions."""
    router = APIRouter()

    @router.get(
        "/stories",
        summary="Stories, largest first",
        tags=["api"],
        response_model=StoriesOut,
        responses=ERRORS,
    )
    async def get_stories(
        offset: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=1000)
    ) -> JSONResponse:
        stories, total = await run_in_threadpool(service.read, lambda store: list_stories(store, offset, limit))
        return JSONResponse(
            {"total": total, "offset": offset, "stories": [story_summary(s) for s in stories]}
        )

    @router.get(
        "/stories/{story_id}",
        summary="One story: JSON report, or the HTML page for a browser",
        tags=["api", "pages"],
        responses={**ERRORS, 200: {"content": {"application/json": {}, "text/html": {}}}},
    )
    async def get_story(
        request: Request, story_id: str, format: str | None = Query(None, pattern="^(json|html)$")
    ) -> Response:
        """The story payload (articles, reference, families, facts, common source) and every
        article's entry with alignment, claims and dropped sentences. ``?format=html`` (or a
        browser's ``Accept: text/html``) gives the page."""
        report = await run_in_threadpool(service.read, lambda store: build_report(store, [story_id]))
        if not report["stories"]:
            merged = await run_in_threadpool(service.read, lambda store: merged_story(store, story_id))
            if merged is None:
                raise ApiError(404, f"no story with id {story_id!r}")
            if wants_html(request, format):  # a saved link: the browser follows to the story it joined
                return RedirectResponse(_story_path(merged) + (f"?format={format}" if format else ""), 308)
            return error_response(request, 404, f"story {story_id!r} merged into {merged!r}", merged_into=merged)
        if wants_html(request, format):
            return HTMLResponse(await run_in_threadpool(_story_page, report))
        return JSONResponse({"story": report["stories"][0], "articles": report["articles"]})

    @router.get(
        "/articles/{article_id:path}",
        summary="One article with its alignment and claims (ids may contain '/': send it as %2F or as is)",
        tags=["api"],
        responses=ERRORS,
    )
    async def get_article(
        request: Request, article_id: str, format: str | None = Query(None, pattern="^(json|html)$")
    ) -> Response:
        entry = await run_in_threadpool(service.read, lambda store: article_detail(store, article_id))
        if entry is None:
            raise ApiError(404, f"no article with id {article_id!r}")
        if wants_html(request, format) and entry.get("story"):
            from ..report.page import anchor

            return RedirectResponse(
                _story_path(entry["story"]) + "#" + anchor("art", article_id), status_code=303
            )
        return JSONResponse(entry)

    @router.get(
        "/search",
        summary="Stories whose articles contain the words",
        tags=["api"],
        response_model=StoriesOut,
        responses=ERRORS,
    )
    async def search(
        q: str = Query(..., min_length=1, max_length=500), limit: int = Query(20, ge=1, le=200)
    ) -> JSONResponse:
        if not q.strip():
            raise ApiError(400, "query 'q' is empty")
        words = clean_query(q)
        if not words:
            raise ApiError(422, "query 'q' has nothing to search for once control characters are removed")
        found = await run_in_threadpool(service.read, lambda store: store.search_stories(words, limit=limit))
        return JSONResponse({"total": len(found), "offset": 0, "stories": [story_summary(s) for s in found]})

    return router


def _status_routes(service: StoreService) -> APIRouter:
    """``GET /health``: liveness and the store's article count."""
    router = APIRouter()

    @router.get("/health", summary="Liveness and store counts", tags=["api"])
    async def health() -> JSONResponse:
        n = await run_in_threadpool(service.read, lambda store: store.count_articles())
        return JSONResponse(
            {
                "ok": True,
                "articles": n,
                "store": "postgresql" if service.is_postgres else "sqlite",
                "write_batches": service.batches,
            }
        )

    return router


DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'"
)


def swagger_assets() -> Path | None:
    """The folder of Swagger UI's files, from the installed package swagger-ui-bundle (no CDN)."""
    try:
        import swagger_ui_bundle
    except ImportError:
        return None
    folder = Path(swagger_ui_bundle.swagger_ui_path)
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def _docs_page() -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>copydesk API</title>\n"
        '<link rel="stylesheet" href="/docs/assets/swagger-ui.css">\n</head>\n<body>\n'
        '<div id="swagger-ui"></div>\n'
        '<script src="/docs/assets/swagger-ui-bundle.js"></script>\n'
        '<script src="/docs/init.js"></script>\n</body>\n</html>\n'
    )


DOCS_INIT = (
    'window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true, '
    "validatorUrl: null, presets: [SwaggerUIBundle.presets.apis], layout: \"BaseLayout\"});\n"
)
DOCS_ASSETS = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript"}


def _docs_routes() -> APIRouter:
    """``/docs``: interactive API documentation (Swagger UI) served from the installed package, with
    no request to any other host; its assets under ``/docs/assets/``."""
    router = APIRouter(include_in_schema=False)

    @router.get("/docs")
    async def docs() -> Response:
        if swagger_assets() is None:
            raise ApiError(503, "interactive docs need the package swagger-ui-bundle; the schema is at /openapi.json")
        return HTMLResponse(_docs_page(), headers={"Content-Security-Policy": DOCS_CSP})

    @router.get("/docs/init.js")
    async def docs_init() -> Response:
        return Response(DOCS_INIT, media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    @router.get("/docs/assets/{name}")
    async def docs_asset(name: str) -> Response:
        folder = swagger_assets()
        if folder is None or name not in DOCS_ASSETS:
            raise ApiError(404, f"no such file: /docs/assets/{name}")
        data = await run_in_threadpool((folder / name).read_bytes)
        return Response(data, media_type=DOCS_ASSETS[name], headers={"Cache-Control": "max-age=86400"})

    return router


def _document_bodies(app: FastAPI) -> None:
    """Make the schema document the request bodies the write endpoints parse by hand."""
    _extra_models = (ArticleIn, VerifyIn)
    app.openapi_schema = None
    base_openapi = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = base_openapi()
        comps = schema.setdefault("components", {}).setdefault("schemas", {})
        for m in _extra_models:
            comps.setdefault(m.__name__, m.model_json_schema(ref_template="#/components/schemas/{model}"))
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("copydesk")
    except Exception:  # pragma: no cover
        return "0"


def warm_models() -> None:
    """Load the sentence encoder, the claim and relation models once, before the first request."""
    from ..score import default_model
    from ..verify import verify

    default_model()
    text = (
        "The city council approved 12 new buses on Monday, the mayor said. "
        "\u201cWe need them,\u201d she told reporters."
    )
    verify(text, text)


def app_from_env() -> FastAPI:
    """Factory for uvicorn workers (``--workers N``): the store comes from $COPYDESK_SERVE_DB."""
    db = os.environ.get(DB_ENV)
    if not db:
        raise RuntimeError(f"{DB_ENV} is not set")
    bind, _, extra = os.environ.get(HOSTS_ENV, "127.0.0.1").partition(",")
    return create_app(db, host=bind, allowed_hosts=[h for h in extra.split(",") if h])


def serve(
    db: str, host: str = "127.0.0.1", port: int = 8000, workers: int = 1, allowed_hosts: Sequence[str] = ()
) -> None:
    """Run the server (``copydesk serve``). ``allowed_hosts``: further names accepted in ``Host``.

    uvicorn runs with its h11 parser named explicitly (``http="h11"``): the framing guard above is
    what makes a Content-Length + Transfer-Encoding request close its connection, and it is tested
    with that parser."""
    import uvicorn

    bad = [h for h in allowed_hosts if not h.strip() or any(c in h for c in "/ ,*@")]
    if bad:
        _die(f"--allowed-host {bad[0]!r}: give a host name or address, without scheme, port or wildcard")
    if host in WILDCARD_BINDS and not allowed_hosts:
        print(
            f"copydesk: warning: binding {host or 'every interface'}: only the loopback names are accepted in "
            "the Host header; add --allowed-host NAME for each name clients use to reach this machine",
            file=sys.stderr,
        )

    is_pg = db.startswith(("postgresql://", "postgres://"))
    if workers < 1:
        _die("--workers must be at least 1")
    if workers > 1 and not is_pg:
        _die(
            "several workers need a PostgreSQL store (--db postgresql://...); a SQLite store is served by one "
            "worker, which already serialises writes and reads concurrently"
        )
    if host not in LOOPBACK:
        print(
            f"copydesk: warning: binding {host}: the API will be reachable from other machines; it has no "
            "authentication",
            file=sys.stderr,
        )
    if not is_pg:
        parent = Path(db).expanduser().resolve().parent
        if not parent.is_dir():
            _die(f"no folder {parent} for the store {db}")
    from ..store import open_store

    try:  # fail early with one line, rather than from inside the server's startup
        open_store(db).close()
    except StoreError as e:
        _die(str(e))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        if workers == 1:
            uvicorn.run(
                create_app(db, host=host, allowed_hosts=allowed_hosts),
                host=host,
                port=port,
                http="h11",
                log_level="info",
                access_log=False,
                timeout_graceful_shutdown=10,
            )
        else:
            os.environ[DB_ENV] = db
            os.environ[HOSTS_ENV] = ",".join([host, *allowed_hosts])
            uvicorn.run(
                "copydesk.web.app:app_from_env",
                factory=True,
                host=host,
                port=port,
                http="h11",
                workers=workers,
                log_level="info",
                access_log=False,
                timeout_graceful_shutdown=10,
            )
    except StoreError as e:
        _die(str(e))


def _die(msg: str) -> None:
    print(f"copydesk: error: {msg}", file=sys.stderr)
    sys.exit(2)
