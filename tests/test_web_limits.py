"""The dashboard's bounds and manners: limits before reading, errors that echo nothing, headers on every error,
the Host allow-list, CSRF on the form, HEAD, HTML 404s, compressed and content-hashed assets.

In-process through TestClient, except the memory test, which posts 10 MB bodies to a real `bilateral serve`.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from bilateral.views.assets import bundles, static_bytes
from bilateral.web.app import CSP, create_app
from bilateral.web.middleware import BODY_MAX, QUERY_MAX_BYTES, QUERY_MAX_FIELDS

LOCAL = "http://127.0.0.1"
DEPARTURE = "2026-03-01"
ERROR_STATUSES = (400, 403, 404, 405, 413, 414, 422, 500)
PLOTLY_SRC = re.compile(r'<script src="/assets/[0-9a-f]{16}/vendor/plotly-(\w+)\.min\.js"')


@pytest.fixture(scope="module")
def app(store_path: Path, tmp_path_factory: pytest.TempPathFactory):
    dst = tmp_path_factory.mktemp("limits") / "limits.duckdb"
    shutil.copyfile(store_path, dst)
    application = create_app(dst)
    yield application
    application.state.service.close()


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app, base_url=LOCAL) as c:
        yield c


def _has_security_headers(r) -> bool:
    return (r.headers.get("content-security-policy") == CSP and r.headers.get("x-frame-options") == "DENY"
            and r.headers.get("x-content-type-options") == "nosniff")


# -- numbers as typed --------------------------------------------------------------------------------
@pytest.mark.parametrize("top", ["²", "٣", "1²", "¹⁰", "0", "201", "-1", "1e2", " "])
def test_top_must_be_ascii_digits_in_range(client: TestClient, top: str):
    page = client.get("/potential", params={"top": top})
    if top.strip() == "":
        assert page.status_code == 200  # blank: the default
        return
    assert page.status_code == 422, page.text[:200]
    assert "whole number from 1 to 200" in page.text and _has_security_headers(page)
    api = client.get("/api/potential", params={"top": top})
    assert api.status_code == 422 and api.json()["field"] == "top" and _has_security_headers(api)


# -- errors echo nothing ------------------------------------------------------------------------------
def test_a_validation_error_does_not_echo_its_input(client: TestClient):
    marker = "ZQXJ" * 1000  # 4,000 characters no message would contain by chance
    for r in (client.post("/api/check", json={"text": "trade was $5 bn", "pair": marker}),
              client.post("/api/check", json={"text": 12345, "date": marker}),
              client.post("/api/check", json={"text": "x", "date": "ZQXJ"}),
              client.get("/api/potential", params={"top": "ZQXJ"}),
              client.get("/api/potential", params={"sector": "ZQXJ"}),
              client.get("/api/overview", params={"pair": "ZQX-JQZ"}),
              client.get("/api/corridors", params={"origin": "ZQXJ"}),
              client.get("/api/target", params={"by": "ZQXJ"}),
              client.get("/potential", params={"top": "ZQXJ"}),
              client.get("/corridors", params={"cargo": "ZQXJ"})):
        assert r.status_code == 422, (r.request.url, r.text[:300])
        assert "ZQXJ" not in r.text and "zqxj" not in r.text.lower().replace('value="zqx-jqz"', "")
        # an API error is one line; a page is the error page (its pair selector lists the store's reporters)
        assert len(r.content) < (2_000 if "/api/" in str(r.request.url) else 60_000) and _has_security_headers(r)
    body = client.post("/api/check", json={"text": "trade was $5 bn", "pair": marker}).json()
    assert body == {"detail": "pair is longer than 20 characters", "field": "pair"}


def test_a_large_json_error_stays_small(client: TestClient):
    """A body just under the cap that fails validation: the 422 is one line, not the body back (issue 24)."""
    r = client.post("/api/check", json={"text": 5, "pair": "x" * 600_000})
    assert r.status_code == 422 and len(r.content) < 300


# -- every error carries the security headers -----------------------------------------------------------
def test_every_error_status_carries_the_headers(app, client: TestClient, post_form, monkeypatch):
    seen: dict[int, object] = {}
    seen[400] = TestClient(app, base_url="http://evil.example").get("/")
    seen[403] = client.post("/check", data={"text": "trade was $5 bn", "csrftoken": "forged"},
                            cookies={"csrftoken": "forged"})
    seen[404] = client.get("/no/such/page")
    seen[405] = client.delete("/api/overview")
    seen[413] = client.post("/api/overview", content=b"x" * (BODY_MAX + 1))
    seen[414] = client.get("/api/overview", params={"pair": "x" * (QUERY_MAX_BYTES + 1)})
    seen[422] = client.get("/api/overview", params={"pair": "nonsense"})

    def boom(*args: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app.state.service, "agenda", boom)
    with TestClient(app, base_url=LOCAL, raise_server_exceptions=False) as c:
        seen[500] = c.get("/api/agenda", params={"status": "achieved"})
        page500 = c.get("/agenda", params={"status": "stalled"})
    assert sorted(seen) == list(ERROR_STATUSES)
    for status, r in seen.items():
        assert r.status_code == status, (status, r.text[:200])  # type: ignore[attr-defined]
        assert _has_security_headers(r), status
    assert "secret internals" not in seen[500].text and seen[500].json()["detail"].startswith("the dashboard failed")
    assert page500.status_code == 500 and "text/html" in page500.headers["content-type"] and _has_security_headers(page500)
    assert "secret internals" not in page500.text


# -- unknown paths, HEAD -----------------------------------------------------------------------------
def test_unknown_html_paths_answer_an_html_404(client: TestClient):
    r = client.get("/nowhere")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "<h1>Not found" in r.text and "there is no page at this address" in r.text
    assert 'href="/?pair=IND-RUS"' in r.text  # the navigation is there
    api = client.get("/api/nowhere")
    assert api.status_code == 404 and api.json() == {"detail": "there is no API route at this address; see "
                                                               "/api/openapi.json"}


@pytest.mark.parametrize("path", ["/", "/agenda", "/check", "/api/health", "/api/totals", "/api/openapi.json"])
def test_head_is_served(client: TestClient, path: str):
    get = client.get(path, headers={"accept-encoding": "identity"})
    head = client.head(path, headers={"accept-encoding": "identity"})
    assert head.status_code == 200 == get.status_code
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert int(head.headers["content-length"]) == len(get.content)
    assert _has_security_headers(head)


# -- limits before reading ----------------------------------------------------------------------------
def test_query_limits(client: TestClient):
    long = client.get("/", params={"pair": "IND-RUS", "period": "x" * QUERY_MAX_BYTES})
    assert long.status_code == 414 and "text/html" in long.headers["content-type"]
    many = client.get("/api/potential", params=[("product", "30") for _ in range(QUERY_MAX_FIELDS + 1)])
    assert many.status_code == 422 and many.json()["detail"] == f"the query has more than {QUERY_MAX_FIELDS} fields"


def test_every_route_caps_its_body(client: TestClient):
    """One limit for every body: BODY_MAX on any route, CHECK_BODY_MAX on the claim checker's two."""
    for path in ("/api/overview", "/", "/api/docs", "/assets/x/app.js"):
        assert client.post(path, content=b"x" * (BODY_MAX + 1)).status_code == 413
        assert client.request("GET", path, content=b"x" * (BODY_MAX + 1)).status_code == 413
    assert client.post("/api/check", json={"text": "x" * (BODY_MAX * 2)}).status_code == 200  # a larger cap here


def test_forms_must_be_utf8_and_small(client: TestClient, post_form):
    page = client.get("/check")
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    bad = client.post("/check", content=b"csrftoken=" + token.encode() + b"&text=\xff\xfe",
                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert bad.status_code == 400 and "not UTF-8" in bad.text
    many = client.post("/check", content="&".join(f"f{i}=1" for i in range(40)).encode(),
                       headers={"content-type": "application/x-www-form-urlencoded"})
    assert many.status_code == 422


# -- Host allow-list, CSRF ----------------------------------------------------------------------------
@pytest.mark.parametrize(("host", "status"), [("127.0.0.1", 200), ("localhost:8000", 200), ("[::1]:8000", 200),
                                              ("attacker.example", 400), ("127.0.0.1.nip.io", 400), ("", 400)])
def test_host_allow_list(app, host: str, status: int):
    c = TestClient(app, base_url=LOCAL)
    r = c.get("/api/health", headers={"host": host})
    assert r.status_code == status and _has_security_headers(r)


def test_host_allow_list_is_configurable(store_path: Path, tmp_path: Path):
    dst = tmp_path / "h.duckdb"
    shutil.copyfile(store_path, dst)
    application = create_app(dst, allowed_hosts=("dashboard.example.org",))
    try:
        ok = TestClient(application, base_url="http://dashboard.example.org").get("/api/health")
        refused = TestClient(application, base_url=LOCAL).get("/api/health")
        assert ok.status_code == 200 and refused.status_code == 400
    finally:
        application.state.service.close()


def test_serve_allow_host_option():
    from bilateral.commands.web import _allowed_hosts
    from bilateral.errors import BilateralError

    assert _allowed_hosts("127.0.0.1", []) == ("127.0.0.1", "localhost", "::1", "[::1]")
    assert _allowed_hosts("0.0.0.0", ["Dash.Example.org"]) == ("127.0.0.1", "localhost", "::1", "[::1]", "dash.example.org")
    assert _allowed_hosts("192.168.1.5", []) == ("127.0.0.1", "localhost", "::1", "[::1]", "192.168.1.5")
    with pytest.raises(BilateralError, match="--allow-host takes a host name"):
        _allowed_hosts("127.0.0.1", ["a/b"])


def test_the_form_needs_its_csrf_token(app, client: TestClient, post_form):
    fresh = TestClient(app, base_url=LOCAL)
    no_cookie = fresh.post("/check", data={"text": "India-Russia trade was $68.7 bn in 2024-25."})
    assert no_cookie.status_code == 403 and "reload the page" in no_cookie.text
    fresh.get("/check")  # the cookie, but a forged field
    forged = fresh.post("/check", data={"text": "trade was $5 bn", "csrftoken": "forged"})
    assert forged.status_code == 403
    cross_site = TestClient(app, base_url=LOCAL)
    token = re.search(r'name="csrftoken" value="([^"]+)"', cross_site.get("/check").text).group(1)
    cross_site.cookies.clear()  # another site's page cannot send our cookie (SameSite=Strict) nor read the token
    assert cross_site.post("/check", data={"text": "trade was $5 bn", "csrftoken": token}).status_code == 403
    ok = post_form(client, {"text": "India-Russia trade was $68.7 bn in 2024-25.", "pair": "IND-RUS"})
    assert ok.status_code == 200 and "consistent" in ok.text
    cookie = client.get("/check").headers.get("set-cookie", "") or "csrftoken set earlier"
    assert "SameSite=Strict" in cookie or cookie == "csrftoken set earlier"


def test_the_json_api_needs_json(client: TestClient):
    """A cross-site form can post text/plain without a preflight; the API reads JSON only."""
    r = client.post("/api/check", content=b'{"text": "trade was $5 bn"}', headers={"content-type": "text/plain"})
    assert r.status_code == 415 and "Content-Type: application/json" in r.json()["detail"]
    assert _has_security_headers(r)


# -- assets: hashed, compressed, cached; plotly only where a chart is drawn ------------------------------
def test_bundles_match_their_manifest():
    manifest = json.loads(static_bytes("vendor", "bundles.json"))
    assert manifest["plotly_js"] == "4.1.1"
    for b in bundles():
        entry = manifest["bundles"][b.name]
        js = static_bytes("vendor", b.file)
        assert hashlib.sha256(js).hexdigest() == entry["sha256"] == b.sha256 and len(js) == entry["bytes"]
        assert hashlib.sha256(static_bytes("vendor", b.file + ".br")).hexdigest() == entry["br_sha256"]
        gz = static_bytes("vendor", b.file + ".gz")
        assert hashlib.sha256(gz).hexdigest() == entry["gz_sha256"] and gzip.decompress(gz) == js
    assert [b.name for b in bundles()] == ["basic", "geo"]
    assert bundles()[0].traces == {"scatter", "bar"} and bundles()[1].traces == {"scatter", "bar", "scattergeo"}
    assert b"MIT License" in static_bytes("vendor", "LICENSE-plotly.js")


@pytest.mark.parametrize(("path", "bundle"), [("/", "basic"), ("/target", "basic"), ("/potential", "basic"),
                                              (f"/corridors?date={DEPARTURE}", "geo"), ("/settlement", "basic"),
                                              ("/agenda", "basic"), ("/check", None), ("/api/docs", None),
                                              ("/nowhere", None), ("/?pair=DEU-RUS", None)])
def test_plotly_only_where_a_chart_is_drawn(client: TestClient, path: str, bundle: str | None):
    r = client.get(path)
    found = PLOTLY_SRC.findall(r.text)
    assert found == ([bundle] if bundle else []), found
    assert ('class="chart-spec"' in r.text) == (bundle is not None)


def test_assets_are_compressed_and_cached_for_a_year(client: TestClient):
    page = client.get("/corridors", params={"date": DEPARTURE}).text
    url = re.search(r'<script src="(/assets/[0-9a-f]{16}/vendor/plotly-geo\.min\.js)"', page).group(1)
    geo = next(b for b in bundles() if b.name == "geo")
    assert url.split("/")[2] == geo.sha256[:16]
    for enc, suffix in (("br", ".br"), ("gzip", ".gz")):
        r = client.get(url, headers={"accept-encoding": enc})
        assert r.headers["content-encoding"] == enc and r.headers["vary"] == "Accept-Encoding"
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert int(r.headers["content-length"]) == len(static_bytes("vendor", geo.file + suffix))
        assert r.content == static_bytes("vendor", geo.file)  # httpx decodes it
    plain = client.get(url, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and len(plain.content) == geo.bytes
    again = client.get(url, headers={"if-none-match": plain.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    css = re.search(r'href="(/assets/[0-9a-f]{16}/style\.css)"', page).group(1)
    r = client.get(css, headers={"accept-encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and r.content == static_bytes("style.css")


def test_pages_and_json_are_compressed(client: TestClient):
    for path in ("/", "/api/overview", "/api/openapi.json"):
        br = client.get(path, headers={"accept-encoding": "br"})
        gz = client.get(path, headers={"accept-encoding": "gzip"})
        plain = client.get(path, headers={"accept-encoding": "identity"})
        assert br.headers["content-encoding"] == "br" and gz.headers["content-encoding"] == "gzip"
        assert br.content == gz.content == plain.content
        assert int(br.headers["content-length"]) < len(plain.content) / 3


# -- a real server: a 10 MB body refused without holding it ------------------------------------------------
def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _post_raw(port: int, path: str, size: int, chunked: bool) -> int:
    """POST ``size`` bytes; the status line the server answers (it may answer before the body is sent)."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        head += "Transfer-Encoding: chunked\r\n\r\n" if chunked else f"Content-Length: {size}\r\n\r\n"
        s.sendall(head.encode())
        block = b"x" * 65536
        sent = 0
        try:
            while sent < size:
                data = (f"{len(block):x}\r\n".encode() + block + b"\r\n") if chunked else block
                s.sendall(data)
                sent += len(block)
            if chunked:
                s.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed before reading it all: that is the point
        reply = b""
        try:
            while b"\r\n" not in reply:
                part = s.recv(4096)
                if not part:
                    break
                reply += part
        except OSError:
            pass
    return int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/1.1 ") else -1


@pytest.mark.slow
def test_ten_megabyte_posts_are_refused_without_memory_growth(store_path: Path, tmp_path: Path):
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    store = tmp_path / "mem.duckdb"
    shutil.copyfile(store_path, store)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "bilateral.cli", "serve", "--port", str(port), "--store", str(store)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "NO_COLOR": "1"})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2):
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
        _post_raw(port, "/api/check", 1024, chunked=False)  # warm the path once
        before = _rss_kb(proc.pid)
        statuses = [_post_raw(port, path, 10 * 1024 * 1024, chunked)
                    for path in ("/api/check", "/check", "/api/overview") for chunked in (False, True)]
        growth_mb = (_rss_kb(proc.pid) - before) / 1024
        assert statuses == [413] * 6
        print(f"six 10 MB posts refused with 413; the server grew by {growth_mb:.1f} MB")
        assert growth_mb < 20, f"the server grew by {growth_mb:.1f} MB"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


# -- wording: fields and buttons, not command-line options ------------------------------------------------
def test_wording_for_pages_the_api_and_the_brief():
    from bilateral.views.wording import as_html, for_api, for_reader, page_message

    note = "Target year FY2029-30; change it with --by (and the value with --target-usd)."
    assert page_message(note) == "Target year FY2029-30; change it with the By field (and the value with the Target field)."
    assert for_api(note) == "Target year FY2029-30; change it with by (and the value with target_usd)."
    assert for_reader(note) == "Target year FY2029-30."
    load = "no figures for DEU-RUS; give --period CY2024 or load `bilateral ingest baci FILE --years 2024`"
    assert for_api(load) == "no figures for DEU-RUS; give period CY2024 or load `bilateral ingest baci FILE --years 2024`"
    assert for_reader(load) == "no figures for DEU-RUS"  # the clause with an option goes, with the command in it
    assert for_reader("no figures; load them with `bilateral ingest baci FILE --years 2024`") == (
        "no figures; load them with `bilateral ingest baci FILE --years 2024`")  # what to load stays
    assert for_reader("Read them in each scenario's `assumptions`; see `--backtest`.") == (
        "Read them in each scenario's `assumptions`.")
    assert str(as_html("load `a <b> --c` now")) == "load <code>a &lt;b&gt; --c</code> now"
    assert str(as_html("one ` alone")) == "one ` alone"


@pytest.mark.parametrize("path", ["/", "/target", "/potential", "/settlement", f"/corridors?date={DEPARTURE}", "/agenda"])
def test_pages_speak_of_fields_not_options(client: TestClient, path: str):
    text = re.sub(r"<script.*?</script>", " ", client.get(path).text, flags=re.S)
    text = re.sub(r"<style.*?</style>", " ", text, flags=re.S)
    text = re.sub(r"<code>.*?</code>", " ", text)  # a command that would load data, set as code (#23)
    assert re.search(r"(?<![\w-])--[a-z]", re.sub(r"<[^>]+>", " ", text)) is None
    assert "`" not in re.sub(r"<[^>]+>", " ", text)


def test_page_errors_name_the_field(client: TestClient):
    r = client.get("/target", params={"pair": "DEU-RUS"})
    main = r.text.split("<main>")[1]
    assert "give the Target field and the By field" in main and "--" not in main
    r = client.get("/potential", params={"top": "lots"})
    assert "The Products field must be a whole number from 1 to 200" in r.text
    api = client.get("/api/target", params={"pair": "DEU-RUS"}).json()
    assert api["detail"] == "no target on file for DEU-RUS; give target_usd and by (e.g. FY2029-30)"
