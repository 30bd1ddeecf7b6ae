"""UN Comtrade client against a real local HTTP server replaying recorded responses.

The responses in fixtures/comtrade/ are HAND-WRITTEN in the API v1 layout (see make_fixtures.py):
made-up values that test the mechanics. No test touches the network.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from typer.testing import CliRunner

from bilateral.api import open_store
from bilateral.cli import app
from bilateral.errors import BilateralError, InputError
from bilateral.sources import comtrade, mirror

FIXTURES = Path(__file__).parent / "fixtures" / "comtrade"
SECRET = "TEST-KEY-0123456789-never-shown"
ISO = {"699": "IND", "643": "RUS"}


class Replay(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[dict[str, Any]] = []
        self.script: dict[tuple[str, str, str, str], list[tuple[Any, ...]]] = defaultdict(list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/data/v1/get"


class Handler(BaseHTTPRequestHandler):
    server: Replay

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        u = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        self.server.requests.append({"path": u.path, "params": q, "headers": dict(self.headers)})
        key = (ISO.get(q.get("reporterCode", ""), "?"), ISO.get(q.get("partnerCode", ""), "?"),
               q.get("period", ""), q.get("flowCode", ""))
        script = self.server.script.get(key)
        if script:
            action = script.pop(0)
            if action[0] == "sleep":
                time.sleep(action[1])
                return
            status, body, headers = action[1], action[2], action[3] if len(action) > 3 else {}
            self._send(status, body, headers)
            return
        path = FIXTURES / f"{key[0]}_{key[1]}_{key[2]}_{key[3]}_{q.get('cmdCode')}.json"
        if not path.exists():
            self._send(404, json.dumps({"statusCode": 404, "message": "Resource not found"}))
            return
        self._send(200, path.read_text(encoding="utf-8"))

    def _send(self, status: int, body: str, headers: dict[str, str] | None = None) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture()
def server():
    srv = Replay()
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def client(server: Replay, cache: Path, **kw: Any) -> comtrade.Client:
    return comtrade.Client(key=SECRET, base_url=server.url, cache_dir=cache, backoff=0.01,
                           timeout=kw.pop("timeout", 5.0), **kw)


def snapshot(store_path: Path) -> list[Any]:
    with open_store(store_path) as s:
        return s.con.execute("SELECT release, checksum, rows FROM releases ORDER BY release").fetchall() + \
            s.con.execute("SELECT count(*), sum(value_usd) FROM flows").fetchall()


# -- codes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("iso3", "code"), [
    ("FRA", 251), ("ITA", 381), ("USA", 842), ("IND", 699), ("NOR", 579), ("CHE", 757),  # Comtrade's own
    ("RUS", 643), ("CHN", 156), ("DEU", 276),  # M49
])
def test_comtrade_reporter_codes_are_mapped_explicitly(iso3, code):
    assert comtrade.comtrade_code(iso3) == code


def test_unknown_country_is_a_clear_error():
    with pytest.raises(BilateralError, match="no Comtrade code"):
        comtrade.comtrade_code("XXX")


# -- fetching -----------------------------------------------------------------------------------


def test_ingest_chunks_by_year_and_flow_caches_and_builds_mirror(server, tmp_path, fresh_store_path):
    c = client(server, tmp_path / "cache")
    with open_store(fresh_store_path) as s:
        r1 = comtrade.ingest(s, "IND", "RUS", {2021, 2022}, ["X", "M"], 0, c)
        r2 = comtrade.ingest(s, "RUS", "IND", {2021, 2022}, ["X", "M"], 0, client(server, tmp_path / "cache"))
        assert r1.fetched == 4 and len(r1.loaded) == 4
        assert r2.fetched == 4
        # the key went in the header, and the reporter as Comtrade's code for India
        assert all(req["headers"].get(comtrade.KEY_HEADER) == SECRET for req in server.requests)
        assert {req["params"]["reporterCode"] for req in server.requests} == {"699", "643"}
        assert all(SECRET not in json.dumps(req["params"]) for req in server.requests)
        rows = mirror.pair_flows(s, "RUS", "IND")
        by = {(r["period"], r["flow"]): r for r in rows}
        # 2021: Russia reported; 2022: silent, so India's reports stand in, CIF/FOB adjusted
        assert by[("CY2021", "import")]["estimate"] == "reported" and by[("CY2021", "import")]["grade"] == "A"
        assert by[("CY2022", "import")]["estimate"] == "mirror" and by[("CY2022", "import")]["grade"] == "C"
        assert by[("CY2022", "import")]["value_usd"] == pytest.approx(3_100_000_000.0 * mirror.CIF_FOB_FACTOR)
        assert by[("CY2022", "export")]["value_usd"] == pytest.approx(40_000_000_000.0 / mirror.CIF_FOB_FACTOR)
        # India reported both years: no mirror rows for it
        assert {r["estimate"] for r in mirror.pair_flows(s, "IND", "RUS")} == {"reported"}
    n = len(server.requests)
    with open_store(fresh_store_path) as s:
        r3 = comtrade.ingest(s, "IND", "RUS", {2021, 2022}, ["X", "M"], 0, client(server, tmp_path / "cache"))
    assert len(server.requests) == n, "cached chunks must not be fetched again"
    assert r3.from_cache == 4 and not r3.loaded and len(r3.skipped) == 4


def test_retries_429_with_back_off_then_succeeds(server, tmp_path, fresh_store_path):
    busy = json.dumps({"statusCode": 429, "message": "Rate limit is exceeded. Try again in 0 seconds."})
    server.script[("IND", "RUS", "2021", "X")] += [("status", 429, busy, {"Retry-After": "0"}),
                                                   ("status", 503, "Service Unavailable")]
    with open_store(fresh_store_path) as s:
        report = comtrade.ingest(s, "IND", "RUS", {2021}, ["X"], 0, client(server, tmp_path / "c"))
    assert len(report.loaded) == 1
    assert len([r for r in server.requests if r["params"]["flowCode"] == "X"]) == 3


def test_time_out_is_retried(server, tmp_path, fresh_store_path):
    server.script[("IND", "RUS", "2021", "X")] += [("sleep", 1.5)]
    with open_store(fresh_store_path) as s:
        report = comtrade.ingest(s, "IND", "RUS", {2021}, ["X"], 0, client(server, tmp_path / "c", timeout=0.5))
    assert len(report.loaded) == 1 and len(server.requests) == 2


def test_gives_up_after_bounded_retries_and_resumes_later(server, tmp_path, fresh_store_path):
    before = snapshot(fresh_store_path)
    server.script[("IND", "RUS", "2022", "M")] += [("status", 500, "boom")] * 10
    c = client(server, tmp_path / "c", retries=2)
    with open_store(fresh_store_path) as s, pytest.raises(BilateralError, match="2022 M TOTAL"):
        comtrade.ingest(s, "IND", "RUS", {2021, 2022}, ["X", "M"], 0, c)
    assert snapshot(fresh_store_path) == before, "a failed chunk must leave the store unchanged"
    assert len([r for r in server.requests if r["params"]["period"] == "2022" and r["params"]["flowCode"] == "M"]) == 3
    server.script.clear()
    server.requests.clear()
    with open_store(fresh_store_path) as s:
        report = comtrade.ingest(s, "IND", "RUS", {2021, 2022}, ["X", "M"], 0, client(server, tmp_path / "c"))
    # resumed: the three chunks fetched before were cached; only the failed one is fetched now
    assert [(r["params"]["period"], r["params"]["flowCode"]) for r in server.requests] == [("2022", "M")]
    assert len(report.loaded) == 4


@pytest.mark.parametrize(("status", "body", "message"), [
    (200, (FIXTURES / "error_body_200.json").read_text(), "HTTP 200 with an error: Invalid parameter"),
    (401, (FIXTURES / "apim_401.json").read_text(), "HTTP 401: the API key was refused"),
    (200, "<html><body>Service maintenance</body></html>", "body is not JSON"),
    (200, json.dumps({"elapsedTime": "0 secs", "count": 3, "data": [], "error": ""}), "count 3 but holds 0"),
])
def test_bad_answers_name_the_query_and_change_nothing(server, tmp_path, fresh_store_path, status, body, message):
    before = snapshot(fresh_store_path)
    server.script[("IND", "RUS", "2021", "M")] += [("status", status, body)]
    with open_store(fresh_store_path) as s, pytest.raises(InputError) as err:
        comtrade.ingest(s, "IND", "RUS", {2021}, ["X", "M"], 0, client(server, tmp_path / "c"))
    assert message in str(err.value) and "query C/A/HS IND->RUS 2021 M TOTAL" in str(err.value)
    assert snapshot(fresh_store_path) == before
    assert not list((tmp_path / "c").glob("*.json"))[1:], "a bad answer is never cached"


def test_cli_never_shows_the_key(server, tmp_path, fresh_store_path, monkeypatch):
    monkeypatch.setenv(comtrade.KEY_ENV, SECRET)
    monkeypatch.setenv(comtrade.URL_ENV, server.url)
    cache = tmp_path / "cache"
    server.script[("IND", "RUS", "2021", "M")] += [("status", 200, (FIXTURES / "error_body_200.json").read_text())]
    base = ["ingest", "comtrade", "--reporter", "IND", "--partner", "RUS", "--years", "2021", "--level", "0",
            "--store", str(fresh_store_path), "--cache", str(cache)]
    bad = CliRunner().invoke(app, base)
    assert bad.exit_code == 1 and "HTTP 200 with an error" in bad.stderr and SECRET not in bad.output
    ok = CliRunner().invoke(app, [*base, "--format", "json"])
    assert ok.exit_code == 0, ok.output
    assert SECRET not in ok.output
    for f in cache.rglob("*"):
        if f.is_file():
            assert SECRET not in f.read_text(encoding="utf-8")
    assert SECRET.encode() not in fresh_store_path.read_bytes()
    shown = CliRunner().invoke(app, ["flows", "--pair", "IND-RUS", "--store", str(fresh_store_path), "-f", "json"])
    assert shown.exit_code == 0 and json.loads(shown.output)[0]["grade"] == "A"


def test_missing_key_says_how_to_set_it(tmp_path, fresh_store_path, monkeypatch):
    monkeypatch.delenv(comtrade.KEY_ENV, raising=False)
    c = comtrade.Client(base_url="http://127.0.0.1:9/", cache_dir=tmp_path / "c")
    with open_store(fresh_store_path) as s, pytest.raises(BilateralError, match="COMTRADE_API_KEY"):
        comtrade.ingest(s, "IND", "RUS", {2021}, ["X"], 0, c)


def test_recorded_real_layout_parses(shared):
    """The real v1 response (China 2010, from comtradr's test data) maps to canonical rows."""
    doc = json.loads((shared / "comtrade-layout/comtrade_v1_goods_response.json").read_text())
    q = comtrade.Query("CHN", "ARG", 2010, "M", 0)
    rows = comtrade.rows_of(comtrade.check_response(200, json.dumps(doc), q), q)
    assert rows and {r["reporter"] for r in rows} == {"CHN"}
    assert {r["hs_revision"] for r in rows} == {"HS2007"}
    assert all(r["value_usd"] >= 0 and r["period"] == "CY2010" for r in rows)
    empty = json.loads((shared / "comtrade-layout/comtrade_v1_empty_response.json").read_text())
    assert comtrade.rows_of(comtrade.check_response(200, json.dumps(empty), q), q) == []
