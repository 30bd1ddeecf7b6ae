"""The read-only dashboard: FastAPI routes, a JSON API under /api and HTML pages with Plotly charts.

``create_app(store_path)`` opens the store read-only only while requests read it and closes it
between them, so an ingest can run beside the server; after it commits, the next request sees the
new release (cached answers are dropped); ``bilateral serve`` makes sure the store exists and holds
the embedded release first. This module is the interface only: it checks each
request (:mod:`bilateral.web.validate`), asks the cached service for a view (:mod:`bilateral.views`)
and renders it: a page draws the view's figures and charts with a template, its API twin answers the
view's JSON. plotly.js is served from the installed plotly package and the static files (chart
script, style sheet, world outlines) from ``bilateral/views/static``, so the app works with no internet.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import Body, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import BaseModel, Field

from bilateral.errors import BilateralError, NotAvailableError
from bilateral.harmonise.pairs import DEFAULT_PAIR
from bilateral.views import formats
from bilateral.views.assets import STATIC_PACKAGE, plotly_js
from bilateral.views.corridors import DEFAULT_DESTINATION, DEFAULT_ORIGIN
from bilateral.web import validate
from bilateral.web.service import Result, Service
from bilateral.web.validate import WebInputError

__all__ = ["CHECK_ARTICLE_MAX", "CHECK_BODY_MAX", "CSP", "PAGES", "SECURITY_HEADERS", "CheckBodyLimit", "create_app"]

#: Content-Security-Policy: everything from this origin only (no CDN); Plotly sets inline styles
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
#: the pages, in the order of the navigation bar: (path, title)
PAGES: tuple[tuple[str, str], ...] = (("/", "Overview"), ("/target", "Target"), ("/potential", "Export potential"),
                                      ("/corridors", "Corridors"), ("/settlement", "Settlement"),
                                      ("/agenda", "Agenda"), ("/check", "Claim check"))
#: largest request body the claim-check routes (/check, /api/check) read, in bytes: a larger one is
#: refused with 413 before it is read (by its Content-Length, or as soon as a chunked body passes it).
#: It leaves room for a CHECK_ARTICLE_MAX article once JSON- or form-encoded.
CHECK_BODY_MAX = 640 * 1024
#: longest article the claim checker reads, in characters (a 200 kB article fits); longer: 413
CHECK_ARTICLE_MAX = 256 * 1024
#: the routes whose bodies :class:`CheckBodyLimit` caps
CHECK_ROUTES = frozenset({"/check", "/api/check"})
#: seconds a client is told to wait (Retry-After) while an ingest holds the store
BUSY_RETRY_SECONDS = 5
#: default number of products on the potential page
DEFAULT_TOP = 20
TOPOJSON_URL = "/static/topojson/"
PLOTLY_URL = "/vendor/plotly.min.js"

PairQ = Annotated[str, Query(max_length=20, description="Reporter and partner as ISO3, e.g. IND-RUS.")]
PeriodQ = Annotated[str | None, Query(max_length=20, description="FY2024-25 or CY2022 (default: latest).")]

class SecurityHeaders:
    """ASGI middleware adding the security headers to every response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in SECURITY_HEADERS if k not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CheckBodyLimit:
    """ASGI middleware: the claim-check routes' bodies are capped at CHECK_BODY_MAX before they are read.

    A Content-Length above the cap is answered 413 at once; a body without one is read chunk by
    chunk and refused (413) as soon as it passes the cap, so no more than the cap is ever held.
    ``/api/check`` reads JSON only: a body sent without ``Content-Type: application/json`` (what
    ``curl -d``, Python's urllib and a browser's ``fetch`` of a string send by default) is answered
    415 with the fix, before it is read, rather than a validation error that echoes the whole body.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("path") not in CHECK_ROUTES:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if scope.get("path") == "/api/check":
            media = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
            if media != b"application/json" and not media.endswith(b"+json"):
                got = f"Content-Type {media.decode('latin-1')!r}" if media else "no Content-Type"
                await self._refuse(scope, send, 415, "send the article as JSON, {\"text\": …}, with Content-Type: "
                                   f"application/json (the request has {got}); the page /check takes a form")
                return
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > CHECK_BODY_MAX):
            await self._refuse(scope, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            size += len(message.get("body", b""))
            if size > CHECK_BODY_MAX:
                await self._refuse(scope, send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope: dict[str, Any], send: Any, status: int = 413, msg: str = "") -> None:
        msg = msg or (f"the request is larger than {CHECK_BODY_MAX:,} bytes; the claim checker reads articles of up "
                      f"to {CHECK_ARTICLE_MAX:,} characters")
        if str(scope.get("path", "")).startswith("/api/"):
            body, ctype = json.dumps({"detail": msg, "field": "text"}).encode(), b"application/json"
        else:
            page = f"<!doctype html><title>Too large</title><p>{html.escape(msg)}</p>"
            body, ctype = page.encode(), b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


def _article_text(text: str) -> str:
    """The article from a check request: not empty (422), not longer than CHECK_ARTICLE_MAX (413)."""
    if len(text) > CHECK_ARTICLE_MAX:
        raise ArticleTooLarge(f"the article is {len(text):,} characters; at most {CHECK_ARTICLE_MAX:,} are checked")
    return validate.check_text(text)


class ArticleTooLarge(WebInputError):
    """An article longer than CHECK_ARTICLE_MAX (answered 413)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "text")


class ClaimRequest(BaseModel):
    """An article to check: its text, its date (resolves 'last year'), the pair it is about."""

    text: str = Field(..., description="The article's text or HTML (read as `bilateral check` reads a file; at most "
                      f"{CHECK_ARTICLE_MAX:,} characters, the request at most {CHECK_BODY_MAX:,} bytes).")
    date: dt.date | None = Field(None, description="The article's date, e.g. 2025-12-05 (default: found in the text).")
    pair: str = Field(DEFAULT_PAIR, max_length=20, description="The pair the article is about, e.g. IND-RUS.")


def _default_store() -> Path:
    from bilateral.store.db import default_store_path

    return default_store_path()


def _status_of(exc: BilateralError) -> int:
    from bilateral.store.db import StoreBusyError

    if isinstance(exc, ArticleTooLarge):
        return 413
    if isinstance(exc, WebInputError):
        return 422
    if isinstance(exc, NotAvailableError):
        return 404
    if isinstance(exc, StoreBusyError):
        return 503  # an ingest holds the store: try again shortly
    return 400


def _json(body: bytes) -> Response:
    return Response(content=body, media_type="application/json")


async def _answer(svc: Service, name: str, *args: Any) -> Response:
    """A cached answer straight from the event loop; a miss is computed in the thread pool."""
    from starlette.concurrency import run_in_threadpool

    hit = svc.lookup(name, *args)
    if hit is not None:
        return _json(hit.body)
    computed: Result = await run_in_threadpool(getattr(svc, name), *args)
    return _json(computed.body)


def create_app(store_path: Path | str | None = None, *, store: Any = None) -> FastAPI:
    """The app over the store at ``store_path`` (opened read-only), or over an open ``store``."""
    reader = None
    if store is None:  # opened per request, so that an ingest can run beside the server (see SharedReader)
        from bilateral.store.db import SharedReader

        reader = SharedReader(store_path if store_path is not None else _default_store())
        store = reader.store
    svc = Service(store, Path(store.path) if getattr(store, "path", None) else None, reader)
    env = Environment(loader=PackageLoader("bilateral.web", "templates"), autoescape=select_autoescape(["html"]))
    # the store stays open across lifespans (test clients start and stop the app per request); whoever
    # created the app closes it: ``app.state.service.close()`` (``bilateral serve`` does when uvicorn returns)
    app = FastAPI(title="bilateral dashboard", version=_version(),
                  description="Read-only JSON API behind the bilateral dashboard: every figure names its source.",
                  docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    app.state.service = svc
    app.add_middleware(CheckBodyLimit)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(packages=[(STATIC_PACKAGE, "static")]), name="static")

    @app.exception_handler(BilateralError)
    async def bilateral_error(request: Request, exc: BilateralError) -> Response:
        status = _status_of(exc)
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        headers = {"retry-after": str(BUSY_RETRY_SECONDS)} if status == 503 else None
        if request.url.path.startswith("/api/"):
            content: dict[str, Any] = {"detail": msg}
            if isinstance(exc, WebInputError):
                content["field"] = exc.field
            return JSONResponse(content, status_code=status, headers=headers)
        typed = request.query_params.get("pair", "")[:20]
        try:  # the header follows the pair asked for, when it is one
            asked = validate.check_pair(typed) if typed else DEFAULT_PAIR
        except WebInputError:
            asked = DEFAULT_PAIR
        return HTMLResponse(_page(env, "error.html", request, title="Not available", status=status,
                                  message=page_message(msg, PAGE_COMMANDS.get(request.url.path, "")), pair=asked,
                                  typed=typed,
                                  pair_hint=getattr(exc, "pair_hint", None)), status_code=status, headers=headers)

    # -- static assets from other packages ----------------------------------------------------------
    @app.get(PLOTLY_URL, include_in_schema=False)
    def plotly_asset() -> Response:
        return Response(plotly_js(), media_type="text/javascript",
                        headers={"cache-control": "public, max-age=86400"})

    # -- JSON API -----------------------------------------------------------------------------------
    @app.get("/api/health", tags=["meta"])
    def health() -> dict[str, str]:
        """Liveness: the app answers and the store is open."""
        return {"status": "ok"}

    @app.get("/api/pairs", tags=["meta"])
    async def pairs(reporter: Annotated[str | None, Query(max_length=6, description="Only this reporter's pairs "
                                                          "(ISO3, e.g. CHN).")] = None) -> Response:
        """The pairs the store can serve, each with its periods and sources, and every reporter (the pair selector)."""
        return await _answer(svc, "pairs", validate.check_country(reporter, "reporter") if reporter else None)

    @app.get("/pair", include_in_schema=False)
    def choose_pair(reporter: str = "", partner: str = "", page: str = "/") -> Response:
        """The pair selector's form: to ``page`` (one of the dashboard's pages) for the chosen pair."""
        pair = validate.check_pair(f"{reporter}-{partner}")
        path = page if page in {path for path, _ in PAGES} else "/"
        return RedirectResponse(f"{path}?{urlencode({'pair': pair})}", status_code=303)

    @app.get("/api/overview", tags=["overview"])
    async def api_overview(pair: PairQ = DEFAULT_PAIR, period: PeriodQ = None) -> Response:
        """Where the partnership stands in a period: totals, balance, detail, sectors, top products, notes."""
        return await _answer(svc, "overview", validate.check_pair(pair), validate.check_period(period))

    @app.get("/api/totals", tags=["overview"])
    async def api_totals(pair: PairQ = DEFAULT_PAIR) -> Response:
        """Yearly exports, imports, total and balance, each with the source that serves it."""
        return await _answer(svc, "totals", validate.check_pair(pair))

    @app.get("/api/indicators", tags=["overview"])
    async def api_indicators(pair: PairQ = DEFAULT_PAIR, period: PeriodQ = None) -> Response:
        """Every indicator (name, title, unit, description, sources) with its value for the pair and period."""
        return await _answer(svc, "indicators", validate.check_pair(pair), validate.check_period(period))

    @app.get("/api/flows", tags=["overview"])
    async def api_flows(pair: PairQ = DEFAULT_PAIR,
                        source: Annotated[str | None, Query(max_length=40, description="Only this source "
                                                            "(default: the best per figure).")] = None,
                        level: Annotated[int, Query(ge=0, le=8, description="HS level: 0 (totals), 2, 4, 6, 8.")] = 0
                        ) -> Response:
        """The pair's flows by period at an HS level, each figure with its source, release and quality grade."""
        return await _answer(svc, "flows", validate.check_pair(pair), validate.check_source(source),
                             validate.check_level(level))

    @app.get("/api/target", tags=["target"])
    async def api_target(pair: PairQ = DEFAULT_PAIR,
                   target_usd: Annotated[float | None, Query(gt=0, le=validate.MAX_TARGET_USD,
                                                             description="Target total trade, US$.")] = None,
                   by: Annotated[str | None, Query(max_length=20, description="Target period, e.g. FY2029-30.")] = None,
                   base: PeriodQ = None) -> Response:
        """Required against achieved growth, the forecast with intervals, p(reach), the gap (target from file by default)."""
        return await _answer(svc, "target", validate.check_pair(pair), validate.check_target_usd(target_usd),
                             validate.check_period(by, "by"), validate.check_period(base, "base"))

    @app.get("/api/potential", tags=["potential"])
    async def api_potential(pair: PairQ = DEFAULT_PAIR,
                      sector: Annotated[str | None, Query(max_length=40, description="Summit sector id or prefix.")] = None,
                      product: Annotated[list[str] | None, Query(description="HS codes (2, 4 or 6 digits).")] = None,
                      top: Annotated[int, Query(ge=1, le=validate.MAX_TOP)] = DEFAULT_TOP,
                      exclude_sanction_risk: bool = False) -> Response:
        """Untapped export potential of the pair's reporter in the partner's market, by HS6 and sector."""
        return await _answer(svc, "potential", validate.check_pair(pair), validate.check_sector(sector),
                             validate.check_hs_codes(product), top, exclude_sanction_risk)

    @app.get("/api/corridors", tags=["corridors"])
    def api_corridors(origin: Annotated[str, Query(max_length=validate.PLACE_MAX)] = DEFAULT_ORIGIN,
                      destination: Annotated[str, Query(max_length=validate.PLACE_MAX)] = DEFAULT_DESTINATION,
                      when: Annotated[date | None, Query(alias="date", description="Departure (default today).")] = None,
                      scenario: Annotated[list[str] | None, Query(description="Scenario switches.")] = None,
                      cargo: Annotated[str, Query(pattern="^(container|tanker)$")] = "container") -> Response:
        """Corridors for one trip: days and cost P50/P90, CO2e, open or closed, and the legs as GeoJSON."""
        return _json(_corridors(svc, origin, destination, when, scenario, cargo).body)

    @app.get("/api/settlement", tags=["settlement"])
    async def api_settlement(pair: PairQ = DEFAULT_PAIR,
                       scenario: Annotated[str | None, Query(max_length=40, description="A shipped scenario.")] = None,
                       start: Annotated[str | None, Query(alias="from", max_length=20)] = None,
                       end: Annotated[str | None, Query(alias="to", max_length=20)] = None) -> Response:
        """The modelled rupee balance path under the shipped scenarios (or one of them)."""
        return await _answer(svc, "settlement", validate.check_pair(pair), validate.check_settlement_scenario(scenario),
                             validate.check_period(start, "from"), validate.check_period(end, "to"))

    @app.get("/api/agenda", tags=["agenda"])
    def api_agenda(pillar: Annotated[str | None, Query(max_length=40)] = None,
                   status: Annotated[str | None, Query(max_length=40)] = None) -> Response:
        """The summit's commitments with their status and evidence (filter by pillar and status)."""
        return _json(_agenda(svc, pillar, status).body)

    @app.post("/api/check", tags=["agenda"])
    def api_check(req: Annotated[ClaimRequest, Body()]) -> Response:
        """Every quantitative claim of an article (text or HTML) with its verdict, our figure and its source.

        The body is JSON (`Content-Type: application/json`; any other type is answered 415), capped at
        CHECK_BODY_MAX bytes (413 before it is read); the article is read as `bilateral check` reads a
        file (HTML converted, scripts ignored, the publication date kept).
        """
        return _json(svc.check(_article_text(req.text), validate.check_date(req.date, "date"),
                               validate.check_pair(req.pair)).body)

    # -- pages --------------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page_overview(request: Request, pair: str = DEFAULT_PAIR, period: str | None = None) -> HTMLResponse:
        p = validate.check_pair(pair)
        per = validate.check_period(period)
        view = svc.overview(p, per).value
        ov = view.data
        ind = svc.indicators(p, per).data["indicators"]
        series = [r["period"] for r in ov.get("series") or []]
        return HTMLResponse(_page(env, "overview.html", request, title="Overview", pair=p, ov=ov, charts=view.charts,
                                  periods=series[::-1], indicators=ind))

    @app.get("/target", response_class=HTMLResponse, include_in_schema=False)
    def page_target(request: Request, pair: str = DEFAULT_PAIR, target_usd: str | None = None,
                    by: str | None = None) -> HTMLResponse:
        p = validate.check_pair(pair)
        usd = _float_or_none(target_usd, "target_usd")
        view = svc.target(p, validate.check_target_usd(usd), validate.check_period(by, "by"), None).value
        return HTMLResponse(_page(env, "target.html", request, title="Target", pair=p, tr=view.data,
                                  charts=view.charts))

    @app.get("/potential", response_class=HTMLResponse, include_in_schema=False)
    def page_potential(request: Request, pair: str = DEFAULT_PAIR, sector: str | None = None,
                       top: str | None = None) -> HTMLResponse:
        from bilateral.harmonise.sectors import titles

        p = validate.check_pair(pair)
        n = _int_or_default(top, DEFAULT_TOP, "top")
        sec = validate.check_sector(sector)
        view = svc.potential(p, sec, (), n, False).value
        return HTMLResponse(_page(env, "potential.html", request, title="Export potential", pair=p, pr=view.data,
                                  sector=sec or "", top=n, sectors=titles(), charts=view.charts))

    @app.get("/corridors", response_class=HTMLResponse, include_in_schema=False)
    def page_corridors(request: Request, pair: str = DEFAULT_PAIR, origin: str = DEFAULT_ORIGIN,
                       destination: str = DEFAULT_DESTINATION, when: Annotated[str | None, Query(alias="date")] = None,
                       scenario: Annotated[list[str] | None, Query()] = None,
                       cargo: str = "container") -> HTMLResponse:
        from bilateral.corridors.legs import places
        from bilateral.corridors.seasonality import SCENARIOS

        p = validate.check_pair(pair)
        d = _date_or_none(when)
        if cargo not in ("container", "tanker"):
            raise WebInputError(f"unknown cargo {cargo[:20]!r}; use container or tanker", "cargo")
        view = _corridors(svc, origin, destination, d, scenario, cargo).value
        cmp = view.data
        return HTMLResponse(_page(env, "corridors.html", request, title="Corridors", pair=p, cmp=cmp,
                                  places=sorted(places().values(), key=lambda x: x.name), scenarios=SCENARIOS,
                                  chosen=set(cmp.get("scenarios") or []), charts=view.charts))

    @app.get("/settlement", response_class=HTMLResponse, include_in_schema=False)
    def page_settlement(request: Request, pair: str = DEFAULT_PAIR, scenario: str | None = None) -> HTMLResponse:
        from bilateral.views.settlement import scenario_names

        p = validate.check_pair(pair)
        sc = validate.check_settlement_scenario(scenario)
        view = svc.settlement(p, sc, None, None).value
        return HTMLResponse(_page(env, "settlement.html", request, title="Settlement", pair=p, run=view.data,
                                  scenario=sc or "", scenario_names=scenario_names(), charts=view.charts))

    @app.get("/agenda", response_class=HTMLResponse, include_in_schema=False)
    def page_agenda(request: Request, pair: str = DEFAULT_PAIR, pillar: str | None = None,
                    status: str | None = None) -> HTMLResponse:
        from bilateral.agenda.schema import PILLARS, STATUSES

        p = validate.check_pair(pair)
        view = _agenda(svc, pillar or None, status or None).value
        return HTMLResponse(_page(env, "agenda.html", request, title="Agenda", pair=p, ag=view.data, pillars=PILLARS,
                                  statuses=STATUSES, pillar=pillar or "", status=status or "", charts=view.charts))

    @app.get("/check", response_class=HTMLResponse, include_in_schema=False)
    def page_check(request: Request, pair: str = DEFAULT_PAIR) -> HTMLResponse:
        p = validate.check_pair(pair)
        return HTMLResponse(_page(env, "check.html", request, title="Claim check", pair=p, text="", when="",
                                  result=None))

    @app.post("/check", response_class=HTMLResponse, include_in_schema=False)
    async def page_check_post(request: Request) -> HTMLResponse:
        from starlette.concurrency import run_in_threadpool

        body = await request.body()  # at most CHECK_BODY_MAX bytes (CheckBodyLimit)
        form = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
        p = validate.check_pair((form.get("pair") or [DEFAULT_PAIR])[0])
        text = _article_text((form.get("text") or [""])[0])
        when_text = (form.get("date") or [""])[0].strip()
        when = _date_or_none(when_text)
        res = await run_in_threadpool(svc.check, text, when, p)
        return HTMLResponse(_page(env, "check.html", request, title="Claim check", pair=p, text=text,
                                  when=when_text, result=res.data))

    @app.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        """The API's endpoints from the OpenAPI schema, drawn here (Swagger UI would need a CDN)."""
        return HTMLResponse(_page(env, "apidocs.html", request, title="API", pair=DEFAULT_PAIR,
                                  schema=app.openapi()))

    return app


# -- helpers ------------------------------------------------------------------------------------------
def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("bilateral")
    except PackageNotFoundError:  # a source checkout without metadata: the app still runs
        return "dev"


def _float_or_none(text: str | None, field: str) -> float | None:
    if text is None or text.strip() == "":
        return None
    try:
        return float(text)
    except ValueError:
        raise WebInputError(f"{field} {text[:20]!r} is not a number (US$, e.g. 100e9)", field) from None


def _int_or_default(text: str | None, default: int, field: str) -> int:
    if text is None or text.strip() == "":
        return default
    if not text.strip().isdigit() or not 1 <= int(text) <= validate.MAX_TOP:
        raise WebInputError(f"{field} must be a whole number from 1 to {validate.MAX_TOP}", field)
    return int(text)


def _date_or_none(text: str | None) -> date | None:
    if text is None or text.strip() == "":
        return None
    try:
        d = date.fromisoformat(text.strip())
    except ValueError:
        raise WebInputError(f"date {text[:20]!r} is not a date; write YYYY-MM-DD, e.g. 2026-03-01", "date") from None
    return validate.check_date(d)


def _corridors(svc: Service, origin: str, destination: str, when: date | None, scenario: list[str] | None,
               cargo: str) -> Any:
    o = validate.check_place(origin, "origin")
    d = validate.check_place(destination, "destination")
    if o == d:
        raise WebInputError("origin and destination are the same place", "destination")
    day = validate.check_date(when) or date.today()
    return svc.corridors(o, d, day, validate.check_scenario_names(scenario), cargo)


def _agenda(svc: Service, pillar: str | None, status: str | None) -> Any:
    from bilateral.agenda.schema import PILLARS, STATUSES

    if pillar is not None and pillar not in PILLARS:
        raise WebInputError(f"unknown pillar {pillar[:40]!r}; use one of {', '.join(PILLARS)}", "pillar")
    if status is not None and status not in STATUSES:
        raise WebInputError(f"unknown status {status[:40]!r}; use one of {', '.join(STATUSES)}", "status")
    return svc.agenda(pillar, status)


#: command-line options as the dashboard's fields name them (a message on a page never names an option)
OPTION_FIELDS: dict[str, str] = {
    "--pair": "the Pair field", "--period": "the Period field", "--fy": "the Period field",
    "--target-usd": "the Target field", "--by": "the By field", "--from": "the From field", "--to": "the To field",
    "--date": "the Departure field", "--cargo": "the Cargo field", "--top": "the Products field",
    "--scenario": "the Scenario field", "--sector": "the Sector field", "--pillar": "the Pillar field",
    "--status": "the Status field",
}
_OPTION = re.compile(r"--[a-z][a-z-]*")


#: the command each page answers as (what a page names when an option has no field on it)
PAGE_COMMANDS: dict[str, str] = {"/": "overview", "/target": "target", "/potential": "potential",
                                 "/corridors": "corridors", "/settlement": "settlement", "/agenda": "agenda",
                                 "/check": "check"}


def page_message(message: str, command: str = "") -> str:
    """A report's message as a page shows it: an option becomes the page's field, or the command that has it.

    ``--period`` reads "the Period field"; an option no page has (``--brent``) reads as the command that
    takes it (`` `bilateral target --brent` ``), when ``command`` names it. A command in backticks
    (``bilateral ingest baci FILE``) is what would load more data, which no page does: kept whole.
    """
    def option(m: re.Match[str]) -> str:
        name = m.group(0)
        if name in OPTION_FIELDS:
            return OPTION_FIELDS[name]
        return f"`bilateral {command} {name}`" if command else name[2:]

    parts = message.split("`")
    for i in range(len(parts)):
        if i % 2 == 0:  # outside backticks
            parts[i] = _OPTION.sub(option, parts[i])
        elif parts[i].startswith("--") and command:  # an option alone in backticks: the command that takes it
            parts[i] = f"bilateral {command} {parts[i]}"
    return "`".join(parts)


def _selector(request: Request, pair: str) -> dict[str, Any]:
    """The pair selector: the reporters the store serves and the current reporter's partners with their periods."""
    from bilateral.harmonise.countries import country_name

    svc: Service = request.app.state.service
    reporter, partner = pair.split("-", 1)
    mine = svc.pairs(reporter).data
    partners = [(c["partner"], f"{country_name(c['partner'])} ({c['partner']}) · {c['span']}") for c in mine["pairs"]]
    if partner not in {code for code, _ in partners}:
        partners.insert(0, (partner, f"{country_name(partner)} ({partner}) · no data"))
    reporters = [(code, f"{country_name(code)} ({code})") for code in mine["reporters"]]
    if reporter not in mine["reporters"]:
        reporters.insert(0, (reporter, f"{country_name(reporter)} ({reporter}) · no data"))
    return {"reporter": reporter, "partner": partner, "reporters": reporters, "partners": partners}


def _page(env: Environment, template: str, request: Request, **ctx: Any) -> str:
    """Render a page with the navigation, the pair selector and the chart helpers."""
    pair = ctx.get("pair", DEFAULT_PAIR)

    def link(path: str, **params: Any) -> str:
        q = {"pair": pair, **{k: v for k, v in params.items() if v not in (None, "")}}
        return f"{path}?{urlencode(q, doseq=True)}"

    return env.get_template(template).render(
        request_path=request.url.path, pages=PAGES, link=link, selector=_selector(request, pair), plotly_url=PLOTLY_URL,
        fields=lambda text: page_message(str(text), PAGE_COMMANDS.get(request.url.path, "")),
        topojson_url=TOPOJSON_URL, fmt=formats, esc=html.escape, dumps=json.dumps, **ctx)
