"""The dashboard and the brief in headless Chromium (Playwright driving Debian's /usr/bin/chromium).

A real `bilateral serve` runs on 127.0.0.1 and a free port, on a private copy of the test store;
every request the page makes to another origin is blocked and recorded (the network is off for the
page), and a test fails on any. Screenshots go to tests/browser/artefacts/ (git-ignored).
Skipped, with the reason, where Chromium or the playwright package is absent.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTEFACTS = Path(__file__).resolve().parent / "artefacts"
START_TIMEOUT_S = 60
#: the widths every page is looked at: a common laptop and a phone (iPhone 12-15 CSS width)
DESKTOP_WIDTH = 1366
PHONE_WIDTH = 390
CHART_TIMEOUT_MS = 30_000
DEPARTURE = "2026-03-01"
PAGES = [("/", "Overview"), ("/target", "Target"), ("/potential", "Export potential"),
         (f"/corridors?date={DEPARTURE}", "Corridors"), ("/settlement", "Settlement"), ("/agenda", "Agenda"),
         ("/check", "Claim check"), ("/api/docs", "API")]

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed (apt-get install -y chromium)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(store: Path, folder: Path) -> Iterator[str]:
    """`bilateral serve` on ``store`` in a subprocess on a free loopback port; its base URL (stopped on exit)."""
    port = _free_port()
    log = (folder / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "bilateral.cli", "serve", "--port", str(port), "--store", str(store)],
                            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "NO_COLOR": "1"})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"bilateral serve did not start: {(folder / 'serve.log').read_text()[-2000:]}")
        time.sleep(0.2)
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def server(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`bilateral serve` on a private copy of the test store; its base URL."""
    folder = tmp_path_factory.mktemp("serve")
    store = folder / "serve.duckdb"
    shutil.copyfile(store_path, store)
    with serve(store, folder) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


class Watch:
    """A page with its console errors, page errors and every request to another origin.

    Requests are recorded, not intercepted (interception would switch off the browser's cache and
    reload plotly.js on every page); a request to another origin fails the test, and the CSP would
    refuse it anyway. The brief is opened in a context with the network switched off.
    """

    def __init__(self, context: Any, allowed: tuple[str, ...]) -> None:
        self.page = context.new_page()
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))

        def seen(req: Any) -> None:
            self.requests.append(req.url)
            if not req.url.startswith(allowed):
                self.blocked.append(req.url)

        self.page.on("request", seen)
        self.page.on("response", lambda r: self.errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)

    def charts_drawn(self) -> dict[str, Any]:
        self.page.wait_for_function("() => window.bilateralCharts && window.bilateralCharts.total > 0 && "
                                    "window.bilateralCharts.rendered + window.bilateralCharts.failed === "
                                    "window.bilateralCharts.total", timeout=CHART_TIMEOUT_MS)
        state = self.page.evaluate("() => window.bilateralCharts")
        assert state["failed"] == 0, state["errors"]
        return dict(state)

    def traces(self) -> dict[str, int]:
        """Points drawn per chart (summed over its traces), read from the plotted divs."""
        return dict(self.page.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll('.plot'))
            .map(d => [d.id, (d.data || []).reduce((n, t) => n + ((t.x || t.lon || []).length), 0)]))"""))

    def shot(self, name: str) -> Path:
        ARTEFACTS.mkdir(exist_ok=True)
        path = ARTEFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.page.close()


@pytest.fixture(scope="module")
def context(browser: Any) -> Iterator[Any]:
    """One browser context for the dashboard's tests, so plotly.js is fetched once and then cached."""
    ctx = browser.new_context(viewport={"width": DESKTOP_WIDTH, "height": 900}, accept_downloads=True)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture()
def watch(context: Any, server: str) -> Iterator[Watch]:
    w = Watch(context, (server, "data:", "blob:"))
    try:
        yield w
    finally:
        w.close()


@pytest.mark.parametrize(("path", "title"), PAGES, ids=[t for _, t in PAGES])
def test_page_loads_and_charts_render(watch: Watch, server: str, path: str, title: str):
    resp = watch.page.goto(server + path)
    assert resp is not None and resp.status == 200
    assert watch.page.locator("h1").inner_text().startswith(title)
    if path.startswith(("/check", "/api/docs")):
        watch.page.wait_for_load_state("load")
    else:
        state = watch.charts_drawn()
        points = watch.traces()
        assert len(points) == state["total"] and all(n > 0 for n in points.values()), points
        assert watch.page.locator("figcaption .source").count() == state["total"]
    shot = watch.shot("page-" + (title.lower().replace(" ", "-")))
    print(f"screenshot: {shot}")
    assert watch.errors == []
    assert watch.blocked == []


def test_corridor_map_draws_world_outlines_from_the_app(watch: Watch, server: str):
    watch.page.goto(f"{server}/corridors?date={DEPARTURE}")
    watch.charts_drawn()
    assert any(re.search(r"/assets/[0-9a-f]{16}/topojson/world_110m\.json$", u) for u in watch.requests)
    countries = watch.page.locator("#plot-corridor-map .geo .countries path, #plot-corridor-map .geo path.js-line")
    assert countries.count() > 0
    assert watch.page.locator("#plot-corridor-map .scattergeo").count() > 0
    assert watch.blocked == [] and watch.errors == []


@pytest.mark.parametrize("width", [1366, 390])
def test_corridor_map_fills_its_width_with_no_blank_band(browser: Any, server: str, width: int):
    """Issue 22: the map is sized to its width (desktop and phone): no band under it, legend right below."""
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    w = Watch(ctx, (server, "data:", "blob:"))
    try:
        w.page.goto(f"{server}/corridors?date={DEPARTURE}")
        w.charts_drawn()
        box = w.page.evaluate("""() => {
            const d = document.querySelector('#plot-corridor-map'), r = d.getBoundingClientRect();
            const g = d.querySelector('g.geo').getBoundingClientRect();
            const l = d.querySelector('g.legend').getBoundingClientRect();
            return {width: r.width, bottom: r.bottom, mapWidth: g.width, mapBottom: g.bottom,
                    legendTop: l.top, legendBottom: l.bottom};
        }""")
        w.shot(f"corridor-map-{width}")
        assert box["mapWidth"] >= 0.88 * box["width"], box
        assert box["legendTop"] - box["mapBottom"] < 40, box
        assert box["bottom"] - box["legendBottom"] < 40, box
        assert w.errors == [] and w.blocked == []
    finally:
        w.close()
        ctx.close()


def test_pair_selector_and_navigation(watch: Watch, server: str):
    p = watch.page
    p.goto(f"{server}/target")
    watch.charts_drawn()
    # the selector offers the pairs the store can serve, each partner with its periods
    assert p.eval_on_selector_all("#reporter-select option", "els => els.map(e => e.value)") == ["IND"]
    russia = p.locator("#partner-select option[value=RUS]").inner_text()
    assert russia == "Russia (RUS) · FY2010-11–FY2025-26"
    p.select_option("#partner-select", "RUS")
    p.click(".pair-form button")
    p.wait_for_load_state("load")
    assert "pair=IND-RUS" in p.url and "/target" in p.url
    assert p.locator(".pair-label").inner_text() == "IND-RUS"
    watch.charts_drawn()
    p.click("nav a[data-page='/settlement']")
    p.wait_for_load_state("load")
    assert "/settlement?pair=IND-RUS" in p.url and p.locator("h1").inner_text().startswith("Settlement")
    watch.charts_drawn()
    p.select_option("select[name=scenario]", "export_push")
    p.click("form.filters button")
    p.wait_for_load_state("load")
    assert "scenario=export_push" in p.url
    assert p.locator("#settlement-table tbody tr").count() == 1
    # a pair with no data: the header follows it, the page says what to load, not a traceback
    p.goto(f"{server}/?pair=DEU-RUS")
    assert p.locator(".pair-label").inner_text() == "DEU-RUS"
    assert "no trade figures for DEU-RUS" in p.locator(".error").inner_text()
    watch.shot("pair-without-data")
    # a pair held only the other way round links to it
    p.goto(f"{server}/?pair=RUS-IND")
    assert "--pair" not in p.locator(".error").inner_text()
    p.click("#pair-hint")
    p.wait_for_load_state("load")
    assert p.locator(".pair-label").inner_text() == "IND-RUS" and "pair=IND-RUS" in p.url
    watch.charts_drawn()
    assert watch.blocked == []
    assert [e for e in watch.errors if "404" not in e] == []  # the error pages' own status, nothing else


def test_period_selector(watch: Watch, server: str):
    p = watch.page
    p.goto(f"{server}/")
    watch.charts_drawn()
    p.select_option("#period-select", "FY2024-25")
    p.click("form.filters button")
    p.wait_for_load_state("load")
    assert p.locator("#kpi-total").inner_text() == "US$68.69 bn"
    watch.charts_drawn()
    assert watch.errors == []


def test_claim_check_returns_verdicts(watch: Watch, server: str):
    p = watch.page
    p.goto(f"{server}/check")
    p.fill("#check-text", "India-Russia trade reached $68.7 billion in 2024-25, and India's exports to Russia "
                          "were $4.9 billion.")
    p.click("#check-submit")
    p.wait_for_selector("#verdicts")
    rows = p.locator("#verdicts tbody tr")
    assert rows.count() == 2
    assert p.locator("#verdicts .verdict").all_inner_texts() == ["consistent", "consistent"]
    watch.shot("claim-check")
    assert watch.errors == [] and watch.blocked == []


def test_csv_download(watch: Watch, server: str, tmp_path: Path):
    p = watch.page
    p.goto(f"{server}/")
    watch.charts_drawn()
    with p.expect_download() as dl:
        p.click("#chart-overview-series button.csv")
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(str(path))
    lines = path.read_text().splitlines()
    assert dl.value.suggested_filename == "overview-series.csv"
    assert lines[0] == "period,exports_usd,imports_usd,total_trade_usd,balance_usd,status,source"
    assert lines[1] == "FY2010-11,1689500000,3600020000,5289520000,-1910520000,final,official"


def test_brief_opens_offline(browser: Any, store_path: Path, tmp_path: Path):
    from typer.testing import CliRunner

    from bilateral.cli import app
    from bilateral.report.brief import BRIEF_SECTIONS

    store = tmp_path / "b.duckdb"
    shutil.copyfile(store_path, store)
    out = tmp_path / "brief.html"
    r = CliRunner().invoke(app, ["brief", "--out", str(out), "--store", str(store)])
    assert r.exit_code == 0, r.output
    offline = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
    w = Watch(offline, ("file:", "data:", "blob:"))
    try:
        w.page.goto(out.as_uri())
        state = w.charts_drawn()
        assert state["total"] >= 8
        points = w.traces()
        assert all(n > 0 for n in points.values()), points
        sections = w.page.eval_on_selector_all("section[data-section]", "els => els.map(e => e.dataset.section)")
        assert sections == list(BRIEF_SECTIONS)
        assert w.page.locator("#plot-corridor-map .geo path").count() > 0  # outlines from the inlined topojson
        # every headline figure on one line, whole (not wrapped, not cut), at the printed column's width
        cut = w.page.evaluate("""() => Array.from(document.querySelectorAll('.kpi b'))
            .filter(b => b.scrollWidth > b.clientWidth + 1 || b.getClientRects().length > 1).map(b => b.textContent)""")
        assert cut == []
        assert w.page.locator(".modebar").count() == 0  # no chart toolbar in the brief
        shot = w.shot("brief")
        print(f"screenshot: {shot}")
        assert w.blocked == [] and w.errors == []
    finally:
        offline.close()


#: pages without a chart: they must not fetch plotly.js at all
CHARTLESS = [("/check", "Claim check"), ("/api/docs", "API"), ("/no-such-page", "Not found"), ("/?pair=DEU-RUS", "Not")]


@pytest.mark.parametrize(("path", "title"), CHARTLESS, ids=[p for p, _ in CHARTLESS])
def test_a_page_without_a_chart_fetches_no_plotly(browser: Any, server: str, path: str, title: str):
    ctx = browser.new_context(viewport={"width": DESKTOP_WIDTH, "height": 900})  # a cold cache: every fetch is seen
    try:
        w = Watch(ctx, (server, "data:", "blob:"))
        w.page.goto(server + path)
        w.page.wait_for_load_state("load")
        assert w.page.locator("h1").inner_text().startswith(title)
        assert [u for u in w.requests if "plotly" in u] == []
        assert w.page.evaluate("() => typeof window.Plotly") == "undefined"
        assert w.blocked == []
    finally:
        ctx.close()


def test_chart_pages_fetch_the_bundle_their_traces_need(browser: Any, server: str):
    ctx = browser.new_context(viewport={"width": DESKTOP_WIDTH, "height": 900})
    try:
        w = Watch(ctx, (server, "data:", "blob:"))
        for path, bundle in (("/", "basic"), (f"/corridors?date={DEPARTURE}", "geo")):
            w.requests.clear()
            w.page.goto(server + path)
            w.charts_drawn()
            assert [u.rsplit("/", 1)[1] for u in w.requests if "plotly" in u] == [f"plotly-{bundle}.min.js"]
        assert w.errors == [] and w.blocked == []
    finally:
        ctx.close()


PHONE_PAGES = PAGES + [("/no-such-page", "Not found")]


@pytest.mark.parametrize(("path", "title"), PHONE_PAGES, ids=[t for _, t in PHONE_PAGES])
def test_phone_width_has_no_sideways_scroll(browser: Any, server: str, path: str, title: str):
    ctx = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 844}, device_scale_factor=1, is_mobile=True,
                              has_touch=True)
    try:
        w = Watch(ctx, (server, "data:", "blob:"))
        w.page.goto(server + path)
        if "class=\"chart-spec\"" in w.page.content():
            w.charts_drawn()
        else:
            w.page.wait_for_load_state("load")
        assert w.page.locator("h1").inner_text().startswith(title)
        wide = w.page.evaluate("""() => ({doc: document.documentElement.scrollWidth, body: document.body.scrollWidth,
            offenders: Array.from(document.querySelectorAll('body *')).filter(e => {
                const r = e.getBoundingClientRect(); return r.right > window.innerWidth + 1 && r.width > 0 &&
                !e.closest('.table-wrap') && getComputedStyle(e).position !== 'fixed'; })
              .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))})""")
        shot = w.shot("phone-" + re.sub(r"[^a-z]+", "-", title.lower()).strip("-"))
        print(f"screenshot: {shot}")
        assert wide["doc"] <= PHONE_WIDTH and wide["body"] <= PHONE_WIDTH, wide
        assert w.errors == [] or all("404" in e for e in w.errors), w.errors
    finally:
        ctx.close()
