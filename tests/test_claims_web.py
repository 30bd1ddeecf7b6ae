"""The claim checker through the web app: the same reader as the CLI, a capped body, a bounded answer."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bilateral.cli import app as cli
from bilateral.web.app import CHECK_ARTICLE_MAX, CHECK_BODY_MAX, create_app

ARTICLES = Path(__file__).parent / "fixtures" / "articles"
CORPUS = yaml.safe_load((Path(__file__).parent / "fixtures" / "claims_corpus.yml").read_text(encoding="utf-8"))["cases"]


@pytest.fixture(scope="module")
def web(store_path: Path):
    application = create_app(store_path)
    with TestClient(application) as c:
        yield c
    application.state.service.close()


def _verdicts(rows: list[dict]) -> list[tuple]:
    return [(r["text"], r["measure"], r["period"], r["verdict"], r["our_value"], r["reason"]) for r in rows]


@pytest.mark.parametrize("name", ["summit_wrap.txt", "traps.txt", "record_trade.html"])
def test_web_and_cli_give_identical_verdicts(web: TestClient, store_path: Path, name: str):
    r = CliRunner().invoke(cli, ["check", str(ARTICLES / name), "--format", "json", "--store", str(store_path)])
    assert r.exit_code == 0, r.output
    from_cli = json.loads(r.stdout)
    text = (ARTICLES / name).read_text(encoding="utf-8")
    api = web.post("/api/check", json={"text": text})
    assert api.status_code == 200
    assert _verdicts(api.json()["claims"]) == _verdicts(from_cli) and len(from_cli) >= 5
    page = web.post("/check", data={"text": text, "pair": "IND-RUS"})
    assert page.status_code == 200
    assert page.text.count('class="verdict verdict-') == len(from_cli)


def test_web_and_library_agree_on_the_corpus(web: TestClient):
    from bilateral.agenda.claims import check_text

    svc = web.app.state.service  # type: ignore[attr-defined]
    for case in CORPUS[::5]:
        when = case.get("date")
        with svc.reading() as store:  # the service opens the store only while something reads it
            lib = [c.to_dict() for c in check_text(store, case["text"], date=when if isinstance(when, date) else None)]
        body = {"text": case["text"], **({"date": when.isoformat()} if isinstance(when, date) else {})}
        assert _verdicts(web.post("/api/check", json=body).json()["claims"]) == _verdicts(lib), case["id"]


def test_pasted_html_is_read_like_a_file(web: TestClient):
    html = (ARTICLES / "record_trade.html").read_text(encoding="utf-8")
    d = web.post("/api/check", json={"text": html}).json()
    assert d["date"] == "2026-01-21"  # the page's published time, kept
    texts = [c["text"] for c in d["claims"]]
    assert "US$ 999 billion" not in texts and "$5 billion" not in texts  # numbers inside <script> are no claims
    assert texts[1] == "US$68.7 billion" and d["claims"][1]["verdict"] == "consistent"


def test_a_claim_carries_its_sentence_not_the_paragraph(web: TestClient):
    para = "<p>" + " ".join(["Trade was $68.7 billion in 2024-25 and exports were $4.9 billion in 2024-25"] * 600) + "</p>"
    assert len(para) > 40_000
    r = web.post("/api/check", json={"text": para * 1})
    assert r.status_code == 200
    claims = r.json()["claims"]
    assert len(claims) == 1200 and max(len(c["sentence"]) for c in claims) <= 1_000
    assert len(r.content) < 3_000_000  # was 133 MB for 50 kB of repeated paragraphs


def test_a_body_over_the_cap_is_refused_before_it_is_read(store_path: Path):
    application = create_app(store_path)
    received: list[int] = []
    sent: list[dict] = []

    async def receive() -> dict:
        received.append(1)
        return {"type": "http.request", "body": b"x" * 1024, "more_body": True}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/check", "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(100 * 1024 * 1024).encode())],
        "query_string": b"", "asgi": {"version": "3.0"}, "http_version": "1.1", "scheme": "http",
        "server": ("test", 80), "client": ("test", 1), "root_path": ""}
    asyncio.run(application(scope, receive, send))
    assert received == [] and sent[0]["status"] == 413  # answered from the header alone
    assert b"640" in sent[1]["body"] or str(CHECK_BODY_MAX).encode() in sent[1]["body"].replace(b",", b"")
    # no Content-Length (chunked): read until the cap is passed, then refused
    received.clear()
    sent.clear()
    chunked = {**scope, "headers": [(b"content-type", b"application/json")]}
    asyncio.run(application(chunked, receive, send))
    assert sent[0]["status"] == 413 and len(received) == CHECK_BODY_MAX // 1024 + 1
    application.state.service.close()


def test_sizes(web: TestClient):
    assert web.post("/api/check", content=b"{" + b" " * (CHECK_BODY_MAX + 1) + b"}",
                    headers={"content-type": "application/json"}).status_code == 413
    too_long = web.post("/api/check", json={"text": "Trade rose. " * (CHECK_ARTICLE_MAX // 12 + 1)})
    assert too_long.status_code == 413 and "characters" in too_long.json()["detail"]
    assert web.post("/check", data={"text": "x" * (CHECK_BODY_MAX + 1)}).status_code == 413


def test_a_200_kb_article_is_answered(web: TestClient):
    """Correctness of a 200 kB answer (its speed is measured by bench/check_latency.py, not asserted here)."""
    para = ("<p>India's exports to Russia rose to $4.88 billion in FY2024-25, up 14.5% on the previous fiscal year, "
            "while imports from Russia were US$63.8 bn, officials said on {n}.</p>\n")
    html = "<html><body><article>" + "".join(para.format(n=i) for i in range(1500)) + "</article></body></html>"
    html = html[: 200_000 - 30] + "</article></body></html>"
    r = web.post("/api/check", json={"text": html, "date": "2025-12-06"})
    assert r.status_code == 200
    verdicts = {(c["text"], c["verdict"]) for c in r.json()["claims"]}
    assert verdicts == {("$4.88 billion", "consistent"), ("14.5%", "consistent"), ("US$63.8 bn", "consistent")}


@pytest.fixture(scope="module")
def live(store_path: Path):
    """The app behind a real uvicorn server on loopback (in a thread): real HTTP parsing, chunked bodies."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    application = create_app(store_path)
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    application.state.service.close()


def _urlopen(req) -> tuple[int, bytes]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_a_live_server_reads_json_and_says_what_else_to_send(live: str):
    """urllib (like `curl -d`) sends form-urlencoded unless told: once a 422 echoing the body, now a 415 saying what to send."""
    import urllib.request

    body = json.dumps({"text": "India's exports to Russia were $4.88 billion in FY2024-25.", "date": "2025-12-06"}).encode()
    status, answer = _urlopen(urllib.request.Request(live + "/api/check", data=body, method="POST"))
    assert status == 415
    detail = json.loads(answer)["detail"]
    assert "Content-Type: application/json" in detail and "application/x-www-form-urlencoded" in detail
    assert len(answer) < 1_000  # the article is not echoed back
    for ctype in ("application/json", "application/json; charset=utf-8"):
        status, answer = _urlopen(urllib.request.Request(live + "/api/check", data=body, method="POST",
                                                         headers={"Content-Type": ctype}))
        assert status == 200
        claim = json.loads(answer)["claims"][0]
        assert (claim["text"], claim["period"], claim["verdict"]) == ("$4.88 billion", "FY2024-25", "consistent")
    # the form page still takes a form
    form = urllib.request.Request(live + "/check", data=b"text=Exports+to+Russia+were+%244.88+billion+in+FY2024-25.",
                                  method="POST")
    status, page = _urlopen(form)
    assert status == 200 and b"$4.88 billion" in page


def test_a_live_server_reads_a_chunked_body_and_refuses_one_over_the_cap(live: str):
    import http.client
    from urllib.parse import urlsplit

    host = urlsplit(live)

    def post(chunks) -> tuple[int, bytes]:
        c = http.client.HTTPConnection(host.hostname, host.port, timeout=120)
        c.request("POST", "/api/check", body=iter(chunks), encode_chunked=True,
                  headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
        r = c.getresponse()
        out = r.status, r.read()
        c.close()
        return out

    body = json.dumps({"text": "Bilateral trade was $68.7 billion in FY2024-25.", "date": "2025-12-06"}).encode()
    status, answer = post([body[:17], body[17:40], body[40:]])
    assert status == 200 and json.loads(answer)["claims"][0]["verdict"] == "consistent"
    status, answer = post([b'{"text": "'] + [b"x" * 65_536] * (CHECK_BODY_MAX // 65_536 + 1) + [b'"}'])
    assert status == 413 and "larger than" in json.loads(answer)["detail"]
