"""The dashboard's JSON API and pages through FastAPI's TestClient: values, 4xx on bad input, headers."""

from __future__ import annotations

import hashlib
import re
import shutil
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note about httpx vs httpx2
    from fastapi.testclient import TestClient

from bilateral.views.charts import Chart
from bilateral.web.app import CSP, PAGES, create_app

OFFICIAL_FY2024_25_TOTAL = 68_692_740_000.0  # DGCI&S, India–Russia FY2024-25 (the embedded official series)
OFFICIAL_FY2024_25_EXPORTS = 4_881_300_000.0
OFFICIAL_FY2010_11_EXPORTS = 1_689_500_000.0
OFFICIAL_FY2025_26_TOTAL = 59_863_130_000.0
TARGET_USD = 100e9
DEPARTURE = "2026-03-01"


@pytest.fixture(scope="module")
def web_store(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the loaded store (the app holds it open read-only for the whole module)."""
    dst = tmp_path_factory.mktemp("web") / "web.duckdb"
    shutil.copyfile(store_path, dst)
    return dst


@pytest.fixture(scope="module")
def client(web_store: Path):
    app = create_app(web_store)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- values -------------------------------------------------------------------------------------------
def test_overview_values(client: TestClient):
    r = client.get("/api/overview", params={"pair": "ind-rus", "period": "2024-25"})
    assert r.status_code == 200
    d = r.json()
    assert d["pair"] == "IND-RUS" and d["period"] == "FY2024-25"
    assert d["totals"]["total_trade_usd"] == OFFICIAL_FY2024_25_TOTAL
    assert d["totals"]["exports_usd"] == OFFICIAL_FY2024_25_EXPORTS
    assert d["totals"]["balance_usd"] == pytest.approx(2 * OFFICIAL_FY2024_25_EXPORTS - OFFICIAL_FY2024_25_TOTAL)
    assert d["totals"]["source"] == "official"
    # default period: the latest the store serves
    assert client.get("/api/overview").json()["period"] == "FY2025-26"


def test_totals_values(client: TestClient):
    d = client.get("/api/totals", params={"pair": "IND-RUS"}).json()
    first = d["totals"][0]
    assert (first["period"], first["exports_usd"], first["source"]) == ("FY2010-11", OFFICIAL_FY2010_11_EXPORTS, "official")
    assert [t["period"] for t in d["totals"]] == sorted(t["period"] for t in d["totals"])


def test_target_from_the_targets_file(client: TestClient):
    d = client.get("/api/target").json()
    assert d["target"]["usd"] == TARGET_USD and d["target"]["period"] == "FY2029-30"
    assert d["target"]["announced"] == "2025-12-05"
    assert d["base"]["period"] == "FY2025-26" and d["base"]["total_trade_usd"] == OFFICIAL_FY2025_26_TOTAL
    # required growth: (100 / 59.86313)^(1/4) - 1, four years from FY2025-26 to FY2029-30
    assert d["required_cagr"] == pytest.approx((TARGET_USD / OFFICIAL_FY2025_26_TOTAL) ** 0.25 - 1, rel=1e-12)
    assert 0.0 <= d["p_reach"]["low"] <= d["p_reach"]["chosen"] <= d["p_reach"]["high"] <= 1.0
    # the goal's history and the backtest's coverage come with it (issue #21)
    assert d["goal"]["set_on"] == "2024-07-09" and d["goal"]["set_base_period"] == "FY2023-24"
    assert d["goal"]["required_cagr_when_set"] == pytest.approx((TARGET_USD / 65_692.86e6) ** (1 / 6) - 1, rel=1e-12)
    assert d["backtest"]["coverage95_no_break"]["covered"] == d["backtest"]["forecasts_no_break"] == 28


def test_target_given_by_the_user(client: TestClient):
    d = client.get("/api/target", params={"target_usd": 80e9, "by": "2027-28"}).json()
    assert d["target"]["usd"] == 80e9 and d["target"]["period"] == "FY2027-28"
    assert d["required_cagr"] == pytest.approx((80e9 / OFFICIAL_FY2025_26_TOTAL) ** 0.5 - 1, rel=1e-12)
    assert "source" not in d["target"]  # not the target on file


def test_potential_values(client: TestClient):
    d = client.get("/api/potential", params={"top": 3}).json()
    assert (d["exporter"], d["market"], d["year"]) == ("IND", "RUS", 2024)
    assert [p["hs6"] for p in d["products"]] == ["870322", "020230", "120242"]
    p = d["products"][0]
    assert p["untapped_usd"] == pytest.approx(p["potential_usd"] - p["actual_usd"])
    pharma = client.get("/api/potential", params={"sector": "pharmaceuticals", "top": 5}).json()
    assert pharma["filters"]["sector"] == "pharmaceuticals"
    assert {q["sector"] for q in pharma["products"]} == {"pharmaceuticals"}
    one = client.get("/api/potential", params={"product": "870322"}).json()
    assert [q["hs6"] for q in one["products"]] == ["870322"]


def test_potential_absent_market_is_not_available(client: TestClient):
    r = client.get("/api/potential", params={"pair": "IND-USA"})
    assert r.status_code == 404
    assert r.json()["detail"].startswith("not available: USA is not an importer in the embedded 2024 release")
    page = client.get("/potential", params={"pair": "IND-USA"})
    assert page.status_code == 404 and "USA is not an importer" in page.text and "0.00" not in page.text


def test_potential_page_shows_distance_scope_and_diversification(client: TestClient):
    d = client.get("/api/potential", params={"top": 3}).json()
    (m,) = d["markets"]
    assert m["market"] == "RUS" and m["distance_km"] == pytest.approx(4341.881)
    dv = d["diversification"]
    assert dv["indicator"] == "diversification" and dv["products"]
    assert all(0 <= p["density"] <= 1 for p in dv["products"])
    page = client.get("/potential", params={"top": 3}).text
    assert "4,342 km" in page and "diversification-table" in page and dv["products"][0]["hs6"] in page


def test_corridors_values(client: TestClient):
    d = client.get("/api/corridors", params={"origin": "INNSA", "destination": "moscow", "date": DEPARTURE}).json()
    assert (d["from"], d["to"], d["date"], d["cargo"]) == ("INNSA", "RUMOW", DEPARTURE, "container")
    by = {c["corridor"]: c for c in d["corridors"]}
    assert by["suez-novorossiysk-rail"]["days_p50"] == 30.5  # weekly-to-fortnightly Russian-operated sailings
    assert by["suez-novorossiysk-rail"]["usd_per_teu_p50"] == 2890.0  # with the Black Sea war-risk premium
    assert {s["chokepoint"] for s in d["chokepoints"]} == {"red-sea", "hormuz", "black-sea"}
    assert d["geojson"]["type"] == "FeatureCollection"
    lines = [f for f in d["geojson"]["features"] if f["geometry"]["type"] == "LineString"]
    assert {f["properties"]["corridor"] for f in lines} == set(by)
    closed = client.get("/api/corridors", params={"date": DEPARTURE, "scenario": "red-sea-closed"}).json()
    assert closed["scenarios"] == ["red-sea-closed"]
    assert not {c["corridor"]: c for c in closed["corridors"]}["suez-novorossiysk-rail"]["open"]


def test_settlement_values(client: TestClient):
    d = client.get("/api/settlement").json()
    assert [s["scenario"] for s in d["scenarios"]] == ["status_quo", "more_rupee_invoicing", "export_push", "trade_only"]
    first = d["scenarios"][0]["rows"][0]
    assert (first["period"], first["flows"], first["exports_usd"]) == ("FY2022-23", "actual", 3_147_210_000.0)
    assert first["balance"] == "modelled" and d["scenarios"][0]["band"]["rows"][0]["period"] == "FY2022-23"
    assert first["closing_inr"] == pytest.approx(first["opening_inr"] + first["inflow_inr"] - first["outflows_inr"])
    one = client.get("/api/settlement", params={"scenario": "export_push"}).json()
    assert [s["scenario"] for s in one["scenarios"]] == ["export_push"]


def test_agenda_values(client: TestClient):
    d = client.get("/api/agenda").json()
    assert d["summit"]["place"] == "New Delhi" and len(d["commitments"]) == 18
    trade = client.get("/api/agenda", params={"pillar": "trade"}).json()["commitments"]
    assert trade and {c["pillar"] for c in trade} == {"trade"}
    assert "trade-target-100bn" in {c["id"] for c in trade}


def test_check_verdicts(client: TestClient):
    text = "India-Russia trade reached $68.7 billion in 2024-25, and India's exports to Russia were $9 billion."
    r = client.post("/api/check", json={"text": text, "date": "2025-12-05"})
    assert r.status_code == 200
    claims = r.json()["claims"]
    assert [(c["text"], c["verdict"]) for c in claims][0] == ("$68.7 billion", "consistent")
    assert claims[0]["our_value_usd"] == OFFICIAL_FY2024_25_TOTAL
    assert claims[1]["measure"] == "exports" and claims[1]["verdict"] != "consistent"


def test_pairs_and_health(client: TestClient):
    """/api/pairs: the pairs the read layer can serve, with their periods (the embedded store holds India's trade)."""
    assert client.get("/api/health").json() == {"status": "ok"}
    d = client.get("/api/pairs", params={"reporter": "IND"}).json()
    rus = next(c for c in d["pairs"] if c["partner"] == "RUS")
    assert rus["span"] == "FY2010-11–FY2025-26" and rus["sources"] == ["official", "embedded"]
    assert rus["partner_name"] == "Russia" and d["reporters"] == ["IND"]
    assert all(c["reporter"] == "IND" for c in d["pairs"])
    assert client.get("/api/pairs", params={"reporter": "nope"}).status_code == 422


def test_results_are_cached(client: TestClient):
    svc = client.app.state.service
    assert svc.overview("IND-RUS", "FY2024-25") is svc.overview("IND-RUS", "FY2024-25")


# -- bad input ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("url", "params", "status", "field", "words"), [
    ("/api/overview", {"pair": "INDRUS"}, 422, "pair", "not a country pair"),
    ("/api/overview", {"pair": "XXX-RUS"}, 422, "pair", "not a country code"),
    ("/api/overview", {"pair": "DEU-RUS"}, 404, None, "no trade figures for DEU-RUS"),
    ("/api/overview", {"period": "FY2024"}, 422, "period", "not a period"),
    ("/api/overview", {"period": "FY1900-01"}, 422, "period", "outside"),
    ("/api/totals", {"pair": "A" * 30}, 422, None, ""),
    ("/api/target", {"target_usd": -5}, 422, None, ""),
    ("/api/target", {"by": "soon"}, 422, "by", "not a period"),
    ("/api/target", {"by": "CY2030"}, 400, None, "count years differently"),
    ("/api/target", {"target_usd": 0.12}, 400, None, "is not above FY2025-26's total trade"),  # found by the fuzzer
    ("/api/potential", {"product": "87x"}, 422, "product", "not an HS code"),
    ("/api/potential", {"product": "8703221"}, 422, "product", "not an HS code"),
    ("/api/potential", {"sector": "spaceships"}, 422, "sector", "unknown sector"),
    ("/api/potential", {"top": 0}, 422, None, ""),
    ("/api/corridors", {"origin": "Atlantis"}, 422, "origin", "unknown place"),
    ("/api/corridors", {"origin": "../../etc/passwd"}, 422, "origin", "not a place"),
    ("/api/corridors", {"origin": "RUMOW", "destination": "Moscow"}, 422, "destination", "same place"),
    ("/api/corridors", {"scenario": "asteroid"}, 422, "scenario", "unknown scenario"),
    ("/api/corridors", {"cargo": "bulk"}, 422, None, ""),
    ("/api/corridors", {"date": "1850-01-01"}, 422, "date", "outside"),
    ("/api/settlement", {"scenario": "/etc/passwd"}, 422, "scenario", "unknown scenario"),
    ("/api/settlement", {"scenario": "settlement_scenarios.yml"}, 422, "scenario", "unknown scenario"),
    ("/api/settlement", {"from": "FY2022"}, 422, "from", "not a period"),
    ("/api/agenda", {"pillar": "cricket"}, 422, "pillar", "unknown pillar"),
    ("/api/agenda", {"status": "done"}, 422, "status", "unknown status"),
])
def test_bad_input_is_a_clear_4xx(client: TestClient, url: str, params: dict, status: int, field: str | None,
                                  words: str):
    r = client.get(url, params=params)
    assert r.status_code == status, r.text
    body = r.json()
    if field is not None:
        assert body["field"] == field
    if words:
        assert words in body["detail"]
        assert "\n" not in body["detail"] and "Traceback" not in body["detail"]


def test_bad_claim_requests(client: TestClient):
    assert client.post("/api/check", json={"text": "   "}).status_code == 422
    assert client.post("/api/check", json={"text": "x" * (256 * 1024 + 1)}).status_code == 413  # tests/test_claims_web.py
    assert client.post("/api/check", json={"text": "trade was $5 bn", "pair": "nope"}).status_code == 422
    assert client.post("/api/check", json={"text": "trade was $5 bn", "date": "1066-10-14"}).status_code == 422
    assert client.post("/api/check", content=b"not json", headers={"content-type": "application/json"}).status_code == 422


def test_pages_show_errors_as_pages(client: TestClient, post_form):
    r = client.get("/", params={"pair": "DEU-RUS"})
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    assert "no trade figures for DEU-RUS" in r.text
    r = client.get("/potential", params={"top": "lots"})
    assert r.status_code == 422 and "whole number" in r.text
    r = post_form(client, {"text": "", "pair": "IND-RUS"})
    assert r.status_code == 422 and "the article is empty" in r.text


# -- pages, headers, assets ---------------------------------------------------------------------------
SCRIPT_SRC = re.compile(r'<script[^>]*\ssrc="([^"]+)"')


@pytest.mark.parametrize("path", [p for p, _ in PAGES] + ["/api/docs"])
def test_every_page_is_local_and_has_headers(client: TestClient, path: str):
    r = client.get(path, params={"date": DEPARTURE} if path == "/corridors" else None)
    assert r.status_code == 200
    assert r.headers["content-security-policy"] == CSP
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in CSP and "cdn" not in CSP
    assert all(src.startswith("/") for src in SCRIPT_SRC.findall(r.text))
    assert "cdn.plot.ly" not in r.text and "cdn.jsdelivr" not in r.text


def test_api_has_headers_too(client: TestClient):
    r = client.get("/api/overview")
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
    assert r.headers["content-type"] == "application/json"


def test_pages_carry_charts_with_sources(client: TestClient):
    r = client.get("/", params={"period": "FY2024-25"})
    assert r.text.count('class="chart-spec"') == 3
    assert "Source:" in r.text and "Download CSV" in r.text
    assert "US$68.69 bn" in r.text  # the KPI for FY2024-25
    assert "-US$58.93 bn" in r.text  # its balance: 4.8813 - (68.69274 - 4.8813) = -58.93014
    r = client.get("/corridors", params={"date": DEPARTURE})
    assert '"type": "scattergeo"' in r.text or '"type":"scattergeo"' in r.text


def test_check_form_returns_verdicts(client: TestClient, post_form):
    r = post_form(client, {"text": "India-Russia trade reached $68.7 billion in 2024-25.", "pair": "IND-RUS",
                                    "date": ""})
    assert r.status_code == 200
    assert 'id="verdicts"' in r.text and "consistent" in r.text


def test_text_is_escaped(client: TestClient, post_form):
    r = post_form(client, {"text": "<script>alert(1)</script> trade $5 bn in 2024-25", "pair": "IND-RUS"})
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;alert(1)" in r.text


def test_assets_are_served_locally(client: TestClient):
    page = client.get("/corridors", params={"date": DEPARTURE}).text
    plotly = re.search(r'<script src="(/assets/[0-9a-f]{16}/vendor/plotly-geo\.min\.js)"', page)
    assert plotly is not None  # the corridor map needs scattergeo: the geo bundle
    js = client.get(plotly.group(1), headers={"accept-encoding": "identity"})
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert b"plotly.js v4.1.1 partial bundle" in js.content[:200]
    topo_url = re.search(r'data-topojson="([^"]+)"', page).group(1)
    topo = client.get(topo_url + "world_110m.json")
    assert topo.status_code == 200 and set(topo.json()["objects"]) >= {"countries", "land", "coastlines", "ocean"}
    app_js = re.search(r'<script src="(/assets/[0-9a-f]{16}/app\.js)"', page).group(1)
    assert client.get(app_js).status_code == 200
    assert client.get("/assets/0000000000000000/app.js").status_code == 404  # a stale hash
    assert client.get(app_js.replace("app.js", "../../web/app.py")).status_code == 404
    assert client.get("/static/app.js").status_code == 404  # no unhashed copies


def test_openapi_documents_the_api(client: TestClient):
    spec = client.get("/api/openapi.json").json()
    assert {"/api/overview", "/api/totals", "/api/target", "/api/potential", "/api/corridors", "/api/settlement",
            "/api/agenda", "/api/check"} <= set(spec["paths"])
    assert "post" in spec["paths"]["/api/check"]


def test_no_endpoint_writes_the_store(web_store: Path, client: TestClient):
    before = _sha(web_store)
    for url in ("/api/overview", "/api/target", "/api/potential", "/api/settlement", "/api/agenda", "/"):
        assert client.get(url).status_code == 200
    client.post("/api/check", json={"text": "trade was $50 bn in 2023-24"})
    assert client.app.state.service.store.read_only
    assert _sha(web_store) == before


def test_chart_csv_hand_worked():
    c = Chart("x", "X", {"data": [], "layout": {}}, ("period", "value", "note"),
              ((" FY2024-25", 1.5, 'say "hi", twice'), ("FY2025-26", None, "")), "test")
    assert c.csv() == 'period,value,note\n FY2024-25,1.5,"say ""hi"", twice"\nFY2025-26,,\n'
    assert c.has_data and not Chart("y", "Y", {}, ("a",), (), "s").has_data


# -- the command ----------------------------------------------------------------------------------------
def test_serve_command_starts_and_answers(web_store: Path, tmp_path: Path):
    """`bilateral serve` in a real process: start-up record as JSON, answers on loopback, read-only store."""
    import json
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store = tmp_path / "serve.duckdb"
    shutil.copyfile(web_store, store)
    before = _sha(store)
    record = tmp_path / "serve.json"
    proc = subprocess.Popen([sys.executable, "-m", "bilateral.cli", "serve", "--port", str(port), "--store", str(store),
                             "--format", "json", "--out", str(record)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "NO_COLOR": "1"})
    try:
        deadline = time.monotonic() + 60
        body = None
        while body is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/totals", timeout=5) as r:
                    body = json.loads(r.read())
                    assert r.headers["X-Frame-Options"] == "DENY"
            except OSError:
                time.sleep(0.2)
        assert body is not None, proc.stderr.read().decode() if proc.poll() is not None else "no answer in 60 s"
        assert body["totals"][0]["exports_usd"] == OFFICIAL_FY2010_11_EXPORTS
        rec = json.loads(record.read_text())
        assert rec["url"] == f"http://127.0.0.1:{port}/" and rec["read_only"] is True and rec["pid"] == proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert _sha(store) == before


def test_serve_refuses_a_busy_port(web_store: Path):
    import socket

    from typer.testing import CliRunner

    from bilateral.cli import app

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = CliRunner().invoke(app, ["serve", "--port", str(port), "--store", str(web_store)])
    assert r.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in r.stderr and r.stderr.count("\n") == 1


def test_indicators_and_flows(client: TestClient):
    ind = client.get("/api/indicators", params={"period": "FY2024-25"}).json()
    by = {i["name"]: i for i in ind["indicators"]}
    assert by["trade_balance"]["value"] == pytest.approx(2 * OFFICIAL_FY2024_25_EXPORTS - OFFICIAL_FY2024_25_TOTAL)
    assert by["trade_balance"]["unit"] == "US$"
    fl = client.get("/api/flows").json()["flows"]
    first = fl[0]
    assert (first["period"], first["flow"], first["value_usd"], first["grade"]) == ("FY2010-11", "export",
                                                                                   OFFICIAL_FY2010_11_EXPORTS, "A")
    hs2 = client.get("/api/flows", params={"level": 2}).json()
    assert hs2["level"] == 2 and hs2["flows"]
    assert client.get("/api/flows", params={"level": 3}).json()["field"] == "level"
    assert client.get("/api/flows", params={"source": "/etc/passwd"}).json()["field"] == "source"


def test_concurrent_uncached_requests(web_store: Path):
    """Many threads asking different uncached questions at once: every answer right (one store lock)."""
    from concurrent.futures import ThreadPoolExecutor

    app = create_app(web_store)
    periods = [f"FY20{y}-{y + 1}" for y in range(17, 25)]

    def ask(period: str) -> tuple[str, float]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            c = TestClient(app, base_url="http://127.0.0.1")
        d = c.get("/api/overview", params={"period": period}).json()
        return d["period"], d["totals"]["total_trade_usd"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(ask, periods * 2))
    totals = {t["period"]: t["total_trade_usd"] for t in TestClient(app, base_url="http://127.0.0.1").get("/api/totals").json()["totals"]}
    assert answers == [(p, totals[p]) for p in periods * 2]
    app.state.service.close()
