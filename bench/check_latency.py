"""Latency of `/api/check` on a 200 kB HTML article, against the server's cheapest route (/api/health).

Two 200 kB articles, both posted as HTML (`{"text": …}`, the form a user pastes):
- **worst case**: 200 kB of dense figure sentences (three figures a paragraph, about 3,500 in all),
  the case the issue's "a 200 kB article in under 1 s" is judged on;
- **realistic**: 200 kB of English prose (the project's own README and docs, tables and code
  dropped, cycled) with the 77 paragraphs of the claim corpus spread through it (figures as dense
  as a long real article: one paragraph in a dozen has any).

Timed two ways, interleaved with the health route in the same run:
- in-process (FastAPI's TestClient: the whole ASGI stack — body cap, JSON, reader, judge, JSON out),
  wall and CPU time of the process;
- with ``--serve``: against a live ``bilateral serve`` on 127.0.0.1 (uvicorn, a real socket),
  through urllib, as a client would post it.

Reported apart: reading (HTML to text and date), extracting (sentences, figures, attribution),
judging (the store's reads), in CPU seconds. Medians, with the load average.

    python bench/check_latency.py [--runs 7] [--store PATH] [--serve]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SIZE = 200_000
PARA = ("<p>India's exports to Russia rose to $4.88 billion in FY2024-25, up 14.5% on the previous fiscal year, "
        "while imports from Russia were US$63.8 bn, officials said on {n}.</p>\n")
HEAD = "<html><head><meta property='article:published_time' content='2025-12-06'></head><body><article>"
TAIL = "</article></body></html>"


def article(size: int = SIZE) -> str:
    """The worst case: ``size`` characters of HTML, three figures in every one-sentence paragraph."""
    body = "".join(PARA.format(n=i) for i in range(size // len(PARA) + 1))
    return (HEAD + body)[: size - len(TAIL)] + TAIL


def _prose() -> list[str]:
    """Paragraphs of English prose from the project's README and docs (headings, tables, code, lists dropped)."""
    paras: list[str] = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
        for block in re.split(r"\n\s*\n", text):
            lines = [ln for ln in block.splitlines() if ln.strip()]
            if not lines or any(ln.lstrip().startswith(("#", "|", "-", "*", ">", "<")) for ln in lines):
                continue
            words = " ".join(" ".join(lines).split())
            words = re.sub(r"\[([^]]*)\]\([^)]*\)", r"\1", words).replace("`", "").replace("**", "")
            if len(words) > 80:
                paras.append(words)
    return paras


def realistic_article(size: int = SIZE) -> str:
    """A long article: ``size`` characters of HTML prose with the claim corpus's 77 paragraphs spread through it."""
    import html

    corpus = [c["text"] for c in yaml.safe_load((ROOT / "tests" / "fixtures" / "claims_corpus.yml")
                                                .read_text(encoding="utf-8"))["cases"]]
    prose = _prose()
    parts, n, room = [], 0, size - len(HEAD) - len(TAIL)
    every = max(1, (room // 260) // len(corpus))  # paragraphs of prose between two corpus paragraphs
    while room > 0:
        text = corpus[(n // every) % len(corpus)] if n % every == every - 1 else prose[n % len(prose)]
        p = f"<p>{html.escape(text)}</p>\n"
        parts.append(p[:room])
        room -= len(p)
        n += 1
    return HEAD + "".join(parts) + TAIL


def _stages(doc: str, store: object) -> tuple[float, float, float, int]:
    """CPU seconds of reading, extracting and judging one article, called directly (``store``: the app's)."""
    from bilateral.agenda.claims import judge, prepare, read_document

    c0 = time.process_time()
    art = read_document(doc)
    c1 = time.process_time()
    prepared = prepare(art)
    c2 = time.process_time()
    judge(store, prepared)
    c3 = time.process_time()
    return c1 - c0, c2 - c1, c3 - c2, len(prepared.claims)


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux /proc), or NaN elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post(url: str, doc: str) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=json.dumps({"text": doc}).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return r.status, r.read()


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=60) as r:
        r.read()
        return r.status


def main() -> None:
    """Interleaved runs: health, worst case, health, realistic; in-process and (``--serve``) over a socket."""
    from fastapi.testclient import TestClient

    from bilateral.web.app import create_app

    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--store", type=Path, default=None)
    ap.add_argument("--serve", action="store_true", help="also time a live `bilateral serve` over a socket")
    a = ap.parse_args()
    store = a.store or Path(tempfile.mkdtemp()) / "bench.duckdb"
    docs = {"worst": article(), "realistic": realistic_article()}
    if not store.exists():  # the app opens the store read-only: create it (the embedded release) first
        import bilateral.api as api

        with api.open_store(store):
            pass
    app = create_app(store)
    client = TestClient(app)
    claims = {}
    for name, doc in docs.items():  # warm-up: imports, first reads, the store created
        r = client.post("/api/check", json={"text": doc})
        assert r.status_code == 200, r.text[:300]
        claims[name] = len(r.json()["claims"])
    wall: dict[str, list[float]] = {"health": [], "worst": [], "realistic": []}
    cpu: dict[str, list[float]] = {"health": [], "worst": [], "realistic": []}
    for _ in range(a.runs):
        for name in ("health", "worst", "health", "realistic"):
            t, c = time.perf_counter(), time.process_time()
            r = client.get("/api/health") if name == "health" else client.post("/api/check", json={"text": docs[name]})
            wall[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)
            assert r.status_code == 200, r.text[:300]
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {a.runs} interleaved runs; medians")
    print(f"/api/health (in-process)  wall {statistics.median(wall['health']) * 1000:7.1f} ms   "
          f"cpu {statistics.median(cpu['health']) * 1000:7.1f} ms")
    for name in ("worst", "realistic"):
        st = [_stages(docs[name], app.state.service.store) for _ in range(3)]
        print(f"/api/check {name:9s} ({len(docs[name]):,} chars, {claims[name]:,} claims, in-process)  "
              f"wall {statistics.median(wall[name]):.3f} s (min {min(wall[name]):.3f}, max {max(wall[name]):.3f})  "
              f"cpu {statistics.median(cpu[name]):.3f} s; stages (cpu, median of 3): "
              f"read {statistics.median(s[0] for s in st):.3f} s, extract {statistics.median(s[1] for s in st):.3f} s, "
              f"judge {statistics.median(s[2] for s in st):.3f} s")
    app.state.service.close()  # the live server opens the store itself
    if a.serve:
        _serve(store, docs, a.runs)


def _serve(store: Path, docs: dict[str, str], runs: int) -> None:
    """The same posts against a live `bilateral serve` (uvicorn on 127.0.0.1), through urllib."""
    port = _free_port()
    exe = Path(sys.executable).with_name("bilateral")
    proc = subprocess.Popen([str(exe), "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(base + "/api/health")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("bilateral serve did not start: "
                                     + (proc.stderr.read().decode()[-500:] if proc.stderr else "")) from None
                time.sleep(0.3)
        for doc in docs.values():
            _post(base + "/api/check", doc)  # warm-up
        wall: dict[str, list[float]] = {"health": [], "worst": [], "realistic": []}
        cpu: dict[str, list[float]] = {"health": [], "worst": [], "realistic": []}
        for _ in range(runs):
            for name in ("health", "worst", "health", "realistic"):
                t, c = time.perf_counter(), _cpu_of(proc.pid)
                status = _get(base + "/api/health") if name == "health" else _post(base + "/api/check", docs[name])[0]
                wall[name].append(time.perf_counter() - t)
                cpu[name].append(_cpu_of(proc.pid) - c)
                assert status == 200, status
        load = os.getloadavg()
        print(f"live `bilateral serve` (127.0.0.1, urllib), load average {load[0]:.2f}: "
              f"health {statistics.median(wall['health']) * 1000:.1f} ms; "
              + "; ".join(f"{n} wall {statistics.median(wall[n]):.3f} s (min {min(wall[n]):.3f}), server cpu "
                          f"{statistics.median(cpu[n]):.2f} s" for n in ("worst", "realistic")))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
