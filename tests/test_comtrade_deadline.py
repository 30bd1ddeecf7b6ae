"""`ingest comtrade` never waits silently: an overall deadline, no retries on a name that does not
resolve, Retry-After beyond the deadline refused at once, progress events, one line for a bad code.

All against local servers (one that accepts connections and never answers); no network.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_comtrade import SECRET, Replay, snapshot
from typer.testing import CliRunner

from bilateral.api import open_store
from bilateral.cli import app
from bilateral.errors import BilateralError
from bilateral.sources import comtrade


@pytest.fixture()
def silent_url() -> Iterator[str]:
    """A server that accepts connections (the kernel's backlog) and never answers a request."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/data/v1/get"
    sock.close()


@pytest.fixture()
def server() -> Iterator[Replay]:
    srv = Replay()
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_silent_server_stops_at_the_deadline(silent_url, tmp_path, fresh_store_path):
    before = snapshot(fresh_store_path)
    c = comtrade.Client(key=SECRET, base_url=silent_url, cache_dir=tmp_path / "c", timeout=60, deadline=0.8)
    t0 = time.monotonic()
    with open_store(fresh_store_path) as s, pytest.raises(BilateralError) as err:
        comtrade.ingest(s, "IND", "RUS", {2021, 2022}, ["X", "M"], 0, c)
    elapsed = time.monotonic() - t0
    # the 60 s read time-out was cut to the deadline (bounds far from both, for a loaded machine)
    assert 0.7 <= elapsed < 30, elapsed
    assert str(err.value) == ("query C/A/HS IND->RUS 2021 X TOTAL: no answer (ReadTimeout) within the --deadline of "
                              "0.8 s; chunks fetched so far are cached, so run again to resume, or give a longer "
                              "--deadline")
    assert snapshot(fresh_store_path) == before


def test_cli_deadline_is_one_line_and_quick(silent_url, tmp_path, fresh_store_path, monkeypatch):
    monkeypatch.setenv(comtrade.KEY_ENV, SECRET)
    monkeypatch.setenv(comtrade.URL_ENV, silent_url)
    t0 = time.monotonic()
    r = CliRunner().invoke(app, ["ingest", "comtrade", "--years", "2021", "--level", "0", "--deadline", "0.5",
                                 "--store", str(fresh_store_path), "--cache", str(tmp_path / "c")])
    assert time.monotonic() - t0 < 30, "the 60 s read time-out was cut to the 0.5 s deadline"
    assert r.exit_code == 1, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: query C/A/HS IND->RUS 2021 X TOTAL: no answer")
    assert "within the --deadline of 0.5 s" in lines[0] and SECRET not in r.output


def test_name_that_does_not_resolve_is_not_retried(tmp_path, fresh_store_path, monkeypatch):
    calls: list[str] = []

    def no_dns(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    c = comtrade.Client(key=SECRET, base_url="http://comtrade.invalid/data/v1/get", cache_dir=tmp_path / "c",
                        retries=5, backoff=10.0)
    t0 = time.monotonic()
    with open_store(fresh_store_path) as s, pytest.raises(BilateralError) as err:
        comtrade.ingest(s, "IND", "RUS", {2021}, ["X"], 0, c)
    assert time.monotonic() - t0 < 5, "a retry would have waited the 10 s back-off"
    assert calls == ["comtrade.invalid"], "one look-up, no retries"
    assert str(err.value).startswith("query C/A/HS IND->RUS 2021 X TOTAL: cannot resolve the host name of "
                                     "http://comtrade.invalid/data/v1/get (")
    assert str(err.value).endswith("check the network connection (or $BILATERAL_COMTRADE_URL)")


def test_retry_after_beyond_the_deadline_is_refused_at_once(server, tmp_path, fresh_store_path):
    busy = json.dumps({"statusCode": 429, "message": "Rate limit is exceeded. Try again in 120 seconds."})
    server.script[("IND", "RUS", "2021", "X")] += [("status", 429, busy, {"Retry-After": "120"})]
    c = comtrade.Client(key=SECRET, base_url=server.url, cache_dir=tmp_path / "c", deadline=5)
    t0 = time.monotonic()
    with open_store(fresh_store_path) as s, pytest.raises(BilateralError) as err:
        comtrade.ingest(s, "IND", "RUS", {2021}, ["X"], 0, c)
    assert time.monotonic() - t0 < 4, "refused before the 5 s deadline, not waited out"
    assert "no answer (HTTP 429; the next retry would wait 120 s as Retry-After asks) within the --deadline of 5 s" \
        in str(err.value)
    assert len(server.requests) == 1


def test_retries_and_waits_are_reported(server, tmp_path, fresh_store_path):
    busy = json.dumps({"statusCode": 429, "message": "Rate limit is exceeded."})
    server.script[("IND", "RUS", "2021", "X")] += [("status", 429, busy, {"Retry-After": "0"}),
                                                   ("status", 503, "Service Unavailable")]
    events: list[str] = []
    c = comtrade.Client(key=SECRET, base_url=server.url, cache_dir=tmp_path / "c", backoff=0.01, status=events.append)
    with open_store(fresh_store_path) as s:
        report = comtrade.ingest(s, "IND", "RUS", {2021}, ["X"], 0, c, show_progress=True)
    assert len(report.loaded) == 1
    assert events == ["C/A/HS IND->RUS 2021 X TOTAL: HTTP 429; retry 1 of 5 in 0 s (waiting for Retry-After)",
                      "C/A/HS IND->RUS 2021 X TOTAL: HTTP 503; retry 2 of 5 in 0 s"]
    assert c.status == events.append, "the progress display hands the status callback back"


def test_retry_after_as_an_http_date():
    assert comtrade._retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait
    assert comtrade._retry_after("7") == 7.0
    assert comtrade._retry_after("soon") is None


def test_unknown_reporter_is_one_line_without_the_converter_log(tmp_path, fresh_store_path, monkeypatch):
    monkeypatch.setenv(comtrade.KEY_ENV, SECRET)
    r = CliRunner().invoke(app, ["ingest", "comtrade", "--reporter", "XXX", "--years", "2021",
                                 "--store", str(fresh_store_path), "--cache", str(tmp_path / "c")])
    assert r.exit_code == 2  # a bad option value: refused before any work
    assert r.output == ("error: --reporter: 'XXX' is not a country code; write an ISO3 code such as IND, RUS or DEU "
                        "(or a group code such as _CIS)\n")
    assert not Path(tmp_path / "c").exists()
