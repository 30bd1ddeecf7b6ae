"""Latency of `/api/check` on a 200 kB HTML article, against the server's cheapest route (/api/health).

Posts through the app in-process (FastAPI's TestClient: the whole ASGI stack, body cap, reader, judge,
JSON), interleaved with the health check: a 200 kB article (three figures a paragraph). Medians and load.

    python bench/check_latency.py [--runs 7] [--store PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

PARA = ("<p>India's exports to Russia rose to $4.88 billion in FY2024-25, up 14.5% on the previous fiscal year, "
        "while imports from Russia were US$63.8 bn, officials said on {n}.</p>\n")


def article(size: int = 200_000) -> str:
    body = "".join(PARA.format(n=i) for i in range(size // len(PARA) + 1))
    return ("<html><head><meta property='article:published_time' content='2025-12-06'></head><body><article>"
            + body)[: size - 24] + "</article></body></html>"


def main() -> None:
    """Warm in-process posts through the app's whole ASGI stack (body cap, reader, judge, JSON)."""
    from fastapi.testclient import TestClient

    from bilateral.web.app import create_app

    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--store", type=Path, default=None)
    a = ap.parse_args()
    store = a.store or Path(tempfile.mkdtemp()) / "bench.duckdb"
    client = TestClient(create_app(store))
    doc = {"text": article()}
    client.post("/api/check", json=doc)  # warm-up: imports, first reads
    health, check = [], []
    for _ in range(a.runs):
        t = time.perf_counter()
        client.get("/api/health")
        health.append(time.perf_counter() - t)
        t = time.perf_counter()
        r = client.post("/api/check", json=doc)
        check.append(time.perf_counter() - t)
        assert r.status_code == 200, r.text[:200]
    print(f"article {len(doc['text']):,} characters, {len(r.json()['claims'])} claims; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"/api/check  median {statistics.median(check):.3f} s  (min {min(check):.3f}, max {max(check):.3f})")
    print(f"/api/health median {statistics.median(health) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
