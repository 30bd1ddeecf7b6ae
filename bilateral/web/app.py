"""The read-only dashboard: FastAPI routes, a JSON API under /api and HTML pages with Plotly charts.

``create_app(store_path)`` opens the store read-only only while requests read it and closes it
between them, so an ingest can run beside the server; after it commits, the next request sees the
new release (cached answers are dropped); ``bilateral serve`` makes sure the store exists and holds
the embedded release first. This module is the interface only: it checks each
request (:mod:`bilateral.web.validate`), asks the cached service for a view (:mod:`bilateral.views`)
and renders it: a page draws the view's figures and charts with a template, its API twin answers the
view's JSON. The static files (the partial plotly.js bundles, chart and pair-selector scripts, style
sheet, world outlines) are served from ``bilateral/views/static`` under content-hashed URLs, so the app
works with no internet.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, urlencode

from fastapi import Body, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from bilateral.agenda.schema import PILLARS, STATUSES
from bilateral.corridors.seasonality import SCENARIOS as corridor_scenario_names
from bilateral.errors import BilateralError, NotAvailableError
from bilateral.harmonise.pairs import DEFAULT_PAIR
from bilateral.harmonise.sectors import titles as sector_titles
from bilateral.views import formats
from bilateral.views.assets import bundle_for
from bilateral.views.corridors import DEFAULT_DESTINATION, DEFAULT_ORIGIN
from bilateral.views.labels import named_categories, pillar_title, product_description, sanction_category_title, sector_title
from bilateral.views.overview import source_names
from bilateral.views.settlement import scenario_names
from bilateral.views.wording import PAGE_COMMANDS, PARAMETER_FIELDS, as_html, for_api, page_message
from bilateral.web import validate
from bilateral.web.assets import ASSET_PREFIX, CACHE_FOREVER, AssetStore
from bilateral.web.middleware import HeadAsGet, RequestLimits, SecurityHeaders, json_refusal
from bilateral.web.schemas import openapi_with_payloads
from bilateral.web.service import Result, Service
from bilateral.web.validate import WebInputError

__all__ = ["CHECK_ARTICLE_MAX", "CHECK_BODY_MAX", "CSP", "LOOPBACK_HOSTS", "PAGES", "SECURITY_HEADERS", "create_app"]

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
    (b"cross-origin-resource-policy", b"same-origin"),
)
#: Host headers answered by default: the loopback names (a DNS-rebinding page gets 400);
#: ``bilateral serve --allow-host NAME`` adds others
LOOPBACK_HOSTS: tuple[str, ...] = ("127.0.0.1", "localhost", "::1", "[::1]")
#: the pages, in the order of the navigation bar: (path, title)
PAGES: tuple[tuple[str, str], ...] = (("/", "Overview"), ("/target", "Target"), ("/potential", "Export potential"),
                                      ("/corridors", "Corridors"), ("/settlement", "Settlement"),
                                      ("/agenda", "Agenda"), ("/check", "Claim check"))
#: largest request body the claim-check routes (/check, /api/check) read, in bytes (every other route reads at
#: most :data:`bilateral.web.middleware.BODY_MAX`): a larger one is refused with 413 before it is read (by its
#: Content-Length, or as soon as a chunked body passes it). It leaves room for a CHECK_ARTICLE_MAX article
#: once JSON- or form-encoded.
CHECK_BODY_MAX = 640 * 1024
#: longest article the claim checker reads, in characters (a 200 kB article fits); longer: 413
CHECK_ARTICLE_MAX = 256 * 1024
#: the routes whose bodies may be as large as CHECK_BODY_MAX
CHECK_ROUTES = ("/check", "/api/check")
#: the routes that read JSON bodies only (another Content-Type is answered 415 before the body is read)
JSON_ROUTES = ("/api/check",)
#: seconds a client is told to wait (Retry-After) while an ingest holds the store
BUSY_RETRY_SECONDS = 5
#: default number of products on the potential page
DEFAULT_TOP = 20
#: a whole number as typed in a form (ASCII digits only: "²" or "٣" is not a number of products)
WHOLE_NUMBER = re.compile(r"[0-9]{1,6}")
#: what a parameter refused by its pattern should look like
_PERIOD_HINT = ("is not a period: write a fiscal year as FY2024-25 or a calendar year as CY2022 (years outside "
                "2000-2100 are refused)")
PATTERN_HINTS: dict[str, str] = {"pair": "is not a country pair: write two ISO3 codes joined by a dash, e.g. IND-RUS",
                                 "period": _PERIOD_HINT, "by": _PERIOD_HINT, "base": _PERIOD_HINT,
                                 "from": _PERIOD_HINT, "to": _PERIOD_HINT,
                                 "product": "is not an HS code of 2, 4 or 6 digits (e.g. 300490)"}
#: the CSRF token's form field and cookie (asgi-csrf, double-submit with a signed cookie)
CSRF_FIELD = "csrftoken"

#: the API's query parameters as its schema states them: the forms the checks below accept (an ISO3 code
#: that is well formed but unknown, or a rule across two parameters, is refused with 422 by the check)
PAIR_PATTERN = r"^(?:[A-Za-z]{3}|_[A-Za-z0-9]{1,5})-(?:[A-Za-z]{3}|_[A-Za-z0-9]{1,5})$"
COUNTRY_PATTERN = r"^(?:[A-Za-z]{3}|_[A-Za-z0-9]{1,5})$"
PERIOD_PATTERN = r"^(?:(?:FY)?(?:20[0-9]{2}|2100)-[0-9]{2}|(?:CY)?(?:20[0-9]{2}|2100))$"
HS_PATTERN = r"^[0-9]{2}(?:[0-9]{2}){0,2}$"
PairQ = Annotated[str, Query(max_length=20, pattern=PAIR_PATTERN,
                             description="Reporter and partner as ISO3 codes (or a group code such as _CIS), e.g. IND-RUS.")]
PeriodQ = Annotated[str | None, Query(max_length=20, pattern=PERIOD_PATTERN,
                                      description="A fiscal year FY2024-25 or a calendar year CY2022 (default: latest).")]


def _enum(values: Sequence[Any], description: str) -> Any:
    """A query parameter whose schema lists the values the check accepts (read from the data files)."""
    return Query(description=description, json_schema_extra={"enum": list(values)})


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
                      f"{CHECK_ARTICLE_MAX:,} characters, the request at most {CHECK_BODY_MAX:,} bytes: longer is 413).",
                      json_schema_extra={"pattern": r"\S", "maxLength": CHECK_ARTICLE_MAX})
    date: dt.date | None = Field(None, description="The article's date, e.g. 2025-12-05 (default: found in the text).")
    pair: str = Field(DEFAULT_PAIR, max_length=20, pattern=PAIR_PATTERN,
                      description="The pair the article is about, e.g. IND-RUS.")


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


def create_app(store_path: Path | str | None = None, *, store: Any = None,
               allowed_hosts: Sequence[str] = LOOPBACK_HOSTS) -> FastAPI:
    """The app over the store at ``store_path`` (opened read-only), or over an open ``store``.

    ``allowed_hosts``: the Host header values answered (others get 400, against DNS rebinding).
    """
    import secrets

    from asgi_csrf import asgi_csrf
    from starlette_compress import CompressMiddleware

    reader = None
    if store is None:  # opened per request, so that an ingest can run beside the server (see SharedReader)
        from bilateral.store.db import SharedReader

        reader = SharedReader(store_path if store_path is not None else _default_store())
        store = reader.store
    svc = Service(store, Path(store.path) if getattr(store, "path", None) else None, reader)
    env = Environment(loader=PackageLoader("bilateral.web", "templates"), autoescape=select_autoescape(["html"]))
    env.filters.update(ticked=as_html, pillar=pillar_title, sector=sector_title, sanction=sanction_category_title,
                       describe=product_description)  # names, not ids
    assets = AssetStore()
    # the store stays open across lifespans (test clients start and stop the app per request); whoever
    # created the app closes it: ``app.state.service.close()`` (``bilateral serve`` does when uvicorn returns)
    app = FastAPI(title="bilateral dashboard", version=_version(),
                  description="Read-only JSON API behind the bilateral dashboard: every figure names its source.",
                  docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    app.state.service = svc
    app.state.assets = assets
    fastapi_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        # every operation's 200 body and error answers, from the views' types (bilateral.web.schemas)
        if app.openapi_schema is None:
            app.openapi_schema = openapi_with_payloads(fastapi_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    def refusal(path: str, status: int, message: str) -> tuple[bytes, bytes]:
        if path.startswith("/api/"):
            return json_refusal(path, status, message, "text" if status == 413 and path in CHECK_ROUTES else None)
        page = _page(env, "error.html", None, assets, title=_STATUS_TITLES.get(status, "Not available"),
                     status=status, message=message, pair=DEFAULT_PAIR)
        return page.encode("utf-8"), b"text/html; charset=utf-8"

    async def csrf_failed(scope: dict[str, Any], send: Any, message_id: Any) -> None:
        body, ctype = refusal(str(scope.get("path", "")), 403, "the form has expired or came from another site; "
                              "reload the page and submit it again")
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    # innermost first: compression, CSRF on forms, HEAD, limits before reading, Host allow-list, headers on all
    app.add_middleware(CompressMiddleware, zstd=False, minimum_size=1024)
    app.add_middleware(asgi_csrf, signing_secret=secrets.token_hex(32), always_protect={"/check"},
                       skip_if_scope=lambda scope: str(scope.get("path", "")).startswith("/api/"),
                       cookie_samesite="Strict", send_csrf_failed=csrf_failed)
    app.add_middleware(RequestLimits, refusal=refusal, body_limits={r: CHECK_BODY_MAX for r in CHECK_ROUTES},
                       json_only=JSON_ROUTES,
                       body_message={r: (f"the request is larger than {CHECK_BODY_MAX:,} bytes; the claim checker "
                                         f"reads articles of up to {CHECK_ARTICLE_MAX:,} characters")
                                     for r in CHECK_ROUTES})
    app.add_middleware(HeadAsGet)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts), www_redirect=False)
    app.add_middleware(SecurityHeaders, headers=SECURITY_HEADERS)

    def error_response(request: Request, status: int, msg: str, field: str | None = None,
                       pair_hint: str | None = None) -> Response:
        headers = {"retry-after": str(BUSY_RETRY_SECONDS)} if status == 503 else None
        if request.url.path.startswith("/api/"):
            content: dict[str, Any] = {"detail": for_api(msg) or msg}
            if field is not None:
                content["field"] = field
            return JSONResponse(content, status_code=status, headers=headers)
        typed = request.query_params.get("pair", "")[:20]
        try:  # the header follows the pair asked for, when it is one
            asked = validate.check_pair(typed) if typed else DEFAULT_PAIR
        except WebInputError:
            asked = DEFAULT_PAIR
        label = PARAMETER_FIELDS.get(field or "")
        if label and msg.startswith(field + " "):  # type: ignore[operator]
            msg = label[0].upper() + label[1:] + msg[len(field or ""):]
        return HTMLResponse(_page(env, "error.html", request, assets, title=_STATUS_TITLES.get(status, "Not available"),
                                  status=status, message=page_message(msg, PAGE_COMMANDS.get(request.url.path, "")),
                                  pair=asked, typed=typed, pair_hint=pair_hint),
                            status_code=status, headers=headers)

    @app.exception_handler(BilateralError)
    async def bilateral_error(request: Request, exc: BilateralError) -> Response:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return error_response(request, _status_of(exc), msg, exc.field if isinstance(exc, WebInputError) else None,
                              getattr(exc, "pair_hint", None))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        field, msg = _validation_message(exc)
        return error_response(request, 422, msg, field)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        msg = {404: f"there is no page at this address; the pages are {', '.join(p for p, _ in PAGES)} and /api/docs",
               405: "this address does not answer that method"}.get(exc.status_code, "the request was refused")
        if request.url.path.startswith("/api/") and exc.status_code == 404:
            msg = "there is no API route at this address; see /api/openapi.json"
        resp = error_response(request, exc.status_code, msg)
        for k, v in (exc.headers or {}).items():
            resp.headers[k] = v
        return resp

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        # Starlette sends this from outside every middleware: the security headers are added here
        resp = error_response(request, 500, "the dashboard failed on this request; the error is in the server's log")
        for k, v in SECURITY_HEADERS:
            resp.headers[k.decode()] = v.decode()
        return resp

    # -- static files: content-hashed, compressed, cached for a year -------------------------------------
    @app.get(ASSET_PREFIX + "/{digest}/{path:path}", include_in_schema=False)
    def asset(request: Request, digest: str, path: str) -> Response:
        found = assets.get(digest, path)
        if found is None:
            raise StarletteHTTPException(404)
        headers = {"cache-control": CACHE_FOREVER, "etag": found.etag, "vary": "Accept-Encoding"}
        if found.etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        encoding, body = assets.encoded(found, request.headers.get("accept-encoding", ""))
        if encoding is not None:
            headers["content-encoding"] = encoding
        return Response(body, media_type=found.media_type, headers=headers)

    # -- JSON API -----------------------------------------------------------------------------------
    @app.get("/api/health", tags=["meta"])
    def health() -> dict[str, str]:
        """Liveness: the app answers and the store is open."""
        return {"status": "ok"}

    @app.get("/api/pairs", tags=["meta"])
    async def pairs(reporter: Annotated[str | None, Query(max_length=6, pattern=COUNTRY_PATTERN,
                                                          description="Only this reporter's pairs (ISO3, e.g. CHN)."
                                                          )] = None) -> Response:
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
                        source: Annotated[str | None, _enum(source_names(), "Only this source (default: the best "
                                                            "per figure).")] = None,
                        level: Annotated[int, _enum(validate.HS_LEVELS, "HS level: 0 (totals), 2, 4, 6, 8.")] = 0
                        ) -> Response:
        """The pair's flows by period at an HS level, each figure with its source, release and quality grade."""
        return await _answer(svc, "flows", validate.check_pair(pair), validate.check_source(_given(source, "source")),
                             validate.check_level(level))

    @app.get("/api/target", tags=["target"])
    async def api_target(pair: PairQ = DEFAULT_PAIR,
                   target_usd: Annotated[float | None, Query(gt=0, le=validate.MAX_TARGET_USD,
                                                             description="Target total trade, US$.")] = None,
                   by: Annotated[str | None, Query(max_length=20, pattern=PERIOD_PATTERN,
                                                   description="Target period, e.g. FY2029-30.")] = None,
                   base: PeriodQ = None) -> Response:
        """Required against achieved growth, the forecast with intervals, p(reach), the gap (target from file by default)."""
        return await _answer(svc, "target", validate.check_pair(pair), validate.check_target_usd(target_usd),
                             validate.check_period(by, "by"), validate.check_period(base, "base"))

    @app.get("/api/potential", tags=["potential"])
    async def api_potential(pair: PairQ = DEFAULT_PAIR,
                      sector: Annotated[str | None, _enum(list(sector_titles()), "A summit sector.")] = None,
                      product: Annotated[list[str] | None, Query(max_length=validate.MAX_PRODUCTS,
                                                                 description="HS codes (2, 4 or 6 digits).",
                                                                 json_schema_extra={"items": {"type": "string",
                                                                                              "pattern": HS_PATTERN}})
                                         ] = None,
                      top: Annotated[int, Query(ge=1, le=validate.MAX_TOP)] = DEFAULT_TOP,
                      exclude_sanction_risk: bool = False) -> Response:
        """Untapped export potential of the pair's reporter in the partner's market, by HS6 and sector."""
        return await _answer(svc, "potential", validate.check_pair(pair), validate.check_sector_id(_given(sector, "sector")),
                             validate.check_hs_codes(product), top, exclude_sanction_risk)

    @app.get("/api/corridors", tags=["corridors"])
    def api_corridors(origin: Annotated[str, Query(max_length=validate.PLACE_MAX)] = DEFAULT_ORIGIN,
                      destination: Annotated[str, Query(max_length=validate.PLACE_MAX)] = DEFAULT_DESTINATION,
                      when: Annotated[date | None, Query(alias="date", description="Departure (default today).")] = None,
                      scenario: Annotated[list[str] | None, Query(description="Scenario switches.", json_schema_extra={
                          "items": {"type": "string", "enum": list(corridor_scenario_names)}})] = None,
                      cargo: Annotated[Literal["container", "tanker"], Query()] = "container") -> Response:
        """Corridors for one trip: days and cost P50/P90, CO2e, open or closed, and the legs as GeoJSON."""
        return _json(_corridors(svc, origin, destination, when, scenario, cargo).body)

    @app.get("/api/settlement", tags=["settlement"])
    async def api_settlement(pair: PairQ = DEFAULT_PAIR,
                       scenario: Annotated[str | None, _enum(scenario_names(), "A shipped scenario.")] = None,
                       start: Annotated[str | None, Query(alias="from", max_length=20, pattern=PERIOD_PATTERN)] = None,
                       end: Annotated[str | None, Query(alias="to", max_length=20, pattern=PERIOD_PATTERN)] = None
                       ) -> Response:
        """The modelled rupee balance path under the shipped scenarios (or one of them)."""
        return await _answer(svc, "settlement", validate.check_pair(pair),
                             validate.check_settlement_scenario(_given(scenario, "scenario")),
                             validate.check_period(start, "from"), validate.check_period(end, "to"))

    @app.get("/api/agenda", tags=["agenda"])
    def api_agenda(pillar: Annotated[str | None, _enum(PILLARS, "A pillar of the summit's agenda.")] = None,
                   status: Annotated[str | None, _enum(STATUSES, "A commitment's status.")] = None) -> Response:
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
        return HTMLResponse(_page(env, "overview.html", request, assets, title="Overview", pair=p, ov=ov, charts=view.charts,
                                  periods=series[::-1], indicators=ind))

    @app.get("/target", response_class=HTMLResponse, include_in_schema=False)
    def page_target(request: Request, pair: str = DEFAULT_PAIR, target_usd: str | None = None,
                    by: str | None = None) -> HTMLResponse:
        p = validate.check_pair(pair)
        usd = _float_or_none(target_usd, "target_usd")
        view = svc.target(p, validate.check_target_usd(usd), validate.check_period(by, "by"), None).value
        return HTMLResponse(_page(env, "target.html", request, assets, title="Target", pair=p, tr=view.data,
                                  charts=view.charts))

    @app.get("/potential", response_class=HTMLResponse, include_in_schema=False)
    def page_potential(request: Request, pair: str = DEFAULT_PAIR, sector: str | None = None,
                       top: str | None = None) -> HTMLResponse:
        from bilateral.harmonise.sectors import titles

        p = validate.check_pair(pair)
        n = _int_or_default(top, DEFAULT_TOP, "top")
        sec = validate.check_sector(sector)
        view = svc.potential(p, sec, (), n, False).value
        return HTMLResponse(_page(env, "potential.html", request, assets, title="Export potential", pair=p, pr=view.data,
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
            raise WebInputError("unknown cargo; use container or tanker", "cargo")
        view = _corridors(svc, origin, destination, d, scenario, cargo).value
        cmp = view.data
        return HTMLResponse(_page(env, "corridors.html", request, assets, title="Corridors", pair=p, cmp=cmp,
                                  places=sorted(places().values(), key=lambda x: x.name), scenarios=SCENARIOS,
                                  chosen=set(cmp.get("scenarios") or []), charts=view.charts))

    @app.get("/settlement", response_class=HTMLResponse, include_in_schema=False)
    def page_settlement(request: Request, pair: str = DEFAULT_PAIR, scenario: str | None = None) -> HTMLResponse:
        from bilateral.views.settlement import scenario_names

        p = validate.check_pair(pair)
        sc = validate.check_settlement_scenario(scenario)
        view = svc.settlement(p, sc, None, None).value
        return HTMLResponse(_page(env, "settlement.html", request, assets, title="Settlement", pair=p, run=view.data,
                                  scenario=sc or "", scenario_names=scenario_names(), charts=view.charts))

    @app.get("/agenda", response_class=HTMLResponse, include_in_schema=False)
    def page_agenda(request: Request, pair: str = DEFAULT_PAIR, pillar: str | None = None,
                    status: str | None = None) -> HTMLResponse:
        from bilateral.agenda.schema import PILLARS, STATUSES

        p = validate.check_pair(pair)
        view = _agenda(svc, pillar or None, status or None).value
        return HTMLResponse(_page(env, "agenda.html", request, assets, title="Agenda", pair=p, ag=view.data, pillars=PILLARS,
                                  statuses=STATUSES, pillar=pillar or "", status=status or "", charts=view.charts))

    @app.get("/check", response_class=HTMLResponse, include_in_schema=False)
    def page_check(request: Request, pair: str = DEFAULT_PAIR) -> HTMLResponse:
        p = validate.check_pair(pair)
        return HTMLResponse(_page(env, "check.html", request, assets, title="Claim check", pair=p, text="", when="",
                                  result=None))

    @app.post("/check", response_class=HTMLResponse, include_in_schema=False)
    async def page_check_post(request: Request) -> HTMLResponse:
        from starlette.concurrency import run_in_threadpool

        body = await request.body()  # at most CHECK_BODY_MAX bytes, UTF-8, few fields (RequestLimits)
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        p = validate.check_pair((form.get("pair") or [DEFAULT_PAIR])[0])
        text = _article_text((form.get("text") or [""])[0])
        when_text = (form.get("date") or [""])[0].strip()
        when = _date_or_none(when_text)
        res = await run_in_threadpool(svc.check, text, when, p)
        return HTMLResponse(_page(env, "check.html", request, assets, title="Claim check", pair=p, text=text,
                                  when=when_text, result=res.data))

    @app.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        """The API's endpoints from the OpenAPI schema, drawn here (Swagger UI would need a CDN)."""
        return HTMLResponse(_page(env, "apidocs.html", request, assets, title="API", pair=DEFAULT_PAIR,
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
        raise WebInputError(f"{field} is not a number (US$, e.g. 100e9)", field) from None


def _int_or_default(text: str | None, default: int, field: str) -> int:
    if text is None or text.strip() == "":
        return default
    if not WHOLE_NUMBER.fullmatch(text.strip()) or not 1 <= int(text) <= validate.MAX_TOP:
        raise WebInputError(f"{field} must be a whole number from 1 to {validate.MAX_TOP}", field)
    return int(text)


def _date_or_none(text: str | None) -> date | None:
    if text is None or text.strip() == "":
        return None
    try:
        d = date.fromisoformat(text.strip())
    except ValueError:
        raise WebInputError("date is not a date; write YYYY-MM-DD, e.g. 2026-03-01", "date") from None
    return validate.check_date(d)


def _corridors(svc: Service, origin: str, destination: str, when: date | None, scenario: list[str] | None,
               cargo: str) -> Any:
    o = validate.check_place(origin, "origin")
    d = validate.check_place(destination, "destination")
    if o == d:
        raise WebInputError("origin and destination are the same place", "destination")
    day = validate.check_date(when) or date.today()
    return svc.corridors(o, d, day, validate.check_scenario_names(scenario), cargo)


def _given(value: str | None, field: str) -> str | None:
    """An API parameter that was sent must name something: an empty value is refused (the form's blank is None)."""
    if value is not None and value == "":
        raise WebInputError(f"{field} is empty; leave it out for all, or give one of the values the schema lists",
                            field)
    return value


def _agenda(svc: Service, pillar: str | None, status: str | None) -> Any:
    from bilateral.agenda.schema import PILLARS, STATUSES

    if pillar is not None and pillar not in PILLARS:
        raise WebInputError(f"unknown pillar; use one of {', '.join(PILLARS)}", "pillar")
    if status is not None and status not in STATUSES:
        raise WebInputError(f"unknown status; use one of {', '.join(STATUSES)}", "status")
    return svc.agenda(pillar, status)


def _selector(request: Request | None, pair: str) -> dict[str, Any]:
    """The pair selector: the reporters the store serves and the current reporter's partners with their periods.

    Without a request (a refusal sent before the app reads anything) the selector holds the pair alone.
    """
    from bilateral.harmonise.countries import country_name

    reporter, partner = pair.split("-", 1)
    if request is None:
        return {"reporter": reporter, "partner": partner, "reporters": [(reporter, country_name(reporter))],
                "partners": [(partner, country_name(partner))]}
    svc: Service = request.app.state.service
    mine = svc.pairs(reporter).data
    partners = [(c["partner"], f"{country_name(c['partner'])} ({c['partner']}) · {c['span']}") for c in mine["pairs"]]
    if partner not in {code for code, _ in partners}:
        partners.insert(0, (partner, f"{country_name(partner)} ({partner}) · no data"))
    reporters = [(code, f"{country_name(code)} ({code})") for code in mine["reporters"]]
    if reporter not in mine["reporters"]:
        reporters.insert(0, (reporter, f"{country_name(reporter)} ({reporter}) · no data"))
    return {"reporter": reporter, "partner": partner, "reporters": reporters, "partners": partners}


def _page(env: Environment, template: str, request: Request | None, assets: AssetStore, **ctx: Any) -> str:
    """Render a page with the navigation, the pair selector, its static files and the chart helpers.

    plotly.js is linked only when the page has a chart to draw, and then the smallest bundle that
    draws its trace types (:func:`bilateral.views.assets.bundle_for`).
    """
    pair = ctx.get("pair", DEFAULT_PAIR)
    request_path = request.url.path if request is not None else ""

    def link(path: str, **params: Any) -> str:
        q = {"pair": pair, **{k: v for k, v in params.items() if v not in (None, "")}}
        return f"{path}?{urlencode(q, doseq=True)}"

    bundle = bundle_for(ctx.get("charts") or ())
    csrf = request.scope.get(CSRF_FIELD) if request is not None else None
    return env.get_template(template).render(
        request_path=request_path, pages=PAGES, link=link, selector=_selector(request, pair),
        plotly_url=assets.url(bundle.path) if bundle is not None else None,
        app_js_url=assets.url("app.js"), pairs_js_url=assets.url("pairs.js"), style_url=assets.url("style.css"),
        fields=lambda text: as_html(page_message(named_categories(str(text)), PAGE_COMMANDS.get(request_path, ""))),
        topojson_url=assets.folder_url("topojson/world_110m.json"), csrf_field=CSRF_FIELD,
        csrf_token=csrf() if callable(csrf) and template == "check.html" else "",
        fmt=formats, esc=html.escape, dumps=json.dumps, **ctx)


#: page titles of error statuses
_STATUS_TITLES = {400: "Bad request", 403: "Refused", 404: "Not found", 405: "Not allowed", 413: "Too large",
                  414: "Too long", 422: "Check the form", 500: "Server error", 503: "Busy"}


def _validation_message(exc: RequestValidationError) -> tuple[str | None, str]:
    """The first problem of a request FastAPI refused, as (field, one line) without the value sent."""
    errors = exc.errors()
    if not errors:
        return None, "the request is not valid"
    first = errors[0]
    loc = [str(x) for x in first.get("loc", ()) if x not in ("query", "body", "path", "header", "cookie")]
    field = loc[0] if loc else None
    where = ".".join(loc) if loc else "the request"
    kind = str(first.get("type", ""))
    ctx = first.get("ctx") or {}
    if kind == "missing":
        what = "is required"
    elif kind in ("json_invalid", "model_attributes_type", "dict_type"):
        what = "must be a JSON object"
    elif kind.startswith("string_too_long"):
        what = f"is longer than {ctx.get('max_length')} characters"
    elif kind in ("less_than_equal", "greater_than_equal", "greater_than", "less_than"):
        bounds = {"less_than_equal": "at most", "greater_than_equal": "at least", "greater_than": "above",
                  "less_than": "below"}[kind]
        limit = ctx.get("le", ctx.get("ge", ctx.get("gt", ctx.get("lt"))))
        what = f"must be {bounds} {limit}"
    elif kind == "string_pattern_mismatch":
        what = PATTERN_HINTS.get(field or "", "is not in the accepted form (see /api/openapi.json)")
    elif kind.startswith(("int_", "float_", "bool_", "date_", "string_")):
        expected = {"int": "a whole number", "float": "a number", "bool": "true or false", "date": "a date (YYYY-MM-DD)",
                    "string": "text"}[kind.split("_", 1)[0]]
        what = f"must be {expected}"
    else:
        what = "is not valid"
    extra = f" and {len(errors) - 1} more problem(s)" if len(errors) > 1 else ""
    return field, f"{where} {what}{extra}"
