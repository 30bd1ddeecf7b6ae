"""Benchmark: `bilateral serve` on loopback — cold start, then 50 concurrent clients for 30 s.

1. Cold start: from launching `python -m bilateral.cli serve` (on a copy of a loaded store, so the
   embedded load is not counted) to the first answer of `/api/overview` — process start, imports,
   opening the store read-only, the first overview computed.
2. Load: N clients (default 50), each on its own keep-alive HTTP/1.1 connection, send requests
   back to back for D seconds (default 30), alternating `/api/overview` and `/api/target` (and the
   same with a fixed period and an explicit target, so four cached keys are exercised). Latency is
   measured per request from send to the last body byte; errors are non-200 answers, resets and
   time-outs. The server's peak memory is its VmHWM (peak resident set) from /proc at the end.

The client is a minimal asyncio HTTP/1.1 client in this process (no per-request thread), so the
load generator itself stays light on a small machine; it shares the CPUs with the server, and on a
machine shared with other work the latencies include that contention.

    python bench/serve_load.py [--clients 50] [--seconds 30] [--store PATH] [--pure-python]

Prints one JSON line with the figures and a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from harness import free_port, ready_store  # noqa: E402

PATHS = ("/api/overview?pair=IND-RUS", "/api/target?pair=IND-RUS", "/api/overview?pair=IND-RUS&period=FY2024-25",
         "/api/target?pair=IND-RUS&target_usd=100000000000&by=FY2029-30")
START_TIMEOUT_S = 180
REQUEST_TIMEOUT_S = 10


PURE_PYTHON = ("import sys, uvicorn; from bilateral.web.app import create_app; "
               "uvicorn.run(create_app(sys.argv[1]), host='127.0.0.1', port=int(sys.argv[2]), http='h11', "
               "loop='asyncio', log_level='warning')")


def start_server(store: Path, port: int, log: Path, pure_python: bool) -> tuple[subprocess.Popen[bytes], float]:
    """Launch `bilateral serve`; seconds from launch to the first 200 from /api/overview.

    ``pure_python``: the same app under uvicorn with its pure-Python HTTP parser (h11) and asyncio's
    event loop, as when uvicorn's optional httptools and uvloop are not installed.
    """
    url = f"http://127.0.0.1:{port}{PATHS[0]}"
    cmd = ([sys.executable, "-c", PURE_PYTHON, str(store), str(port)] if pure_python else
           [sys.executable, "-m", "bilateral.cli", "serve", "--port", str(port), "--store", str(store)])
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    while True:
        try:
            with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT_S) as r:
                if r.status == 200:
                    return proc, time.perf_counter() - t0
        except OSError:
            pass
        if proc.poll() is not None or time.perf_counter() - t0 > START_TIMEOUT_S:
            proc.kill()
            raise SystemExit(f"serve did not start: {log.read_text()[-2000:]}")
        time.sleep(0.02)


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    await reader.readexactly(length)
    return status


async def client(port: int, until: float, offset: int, latencies: list[float], errors: list[str]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = offset
    try:
        while time.perf_counter() < until:
            path = PATHS[i % len(PATHS)]
            i += 1
            req = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: keep-alive\r\n\r\n".encode()
            t0 = time.perf_counter()
            try:
                writer.write(req)
                await writer.drain()
                status = await asyncio.wait_for(_read_response(reader), REQUEST_TIMEOUT_S)
            except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
                errors.append(f"{path}: {type(exc).__name__}")
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            latencies.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(f"{path}: HTTP {status}")
    finally:
        writer.close()


async def load(port: int, clients: int, seconds: float) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    start = time.perf_counter()
    until = start + seconds
    await asyncio.gather(*(client(port, until, k, latencies, errors) for k in range(clients)))
    return latencies, errors, time.perf_counter() - start


def peak_rss_mb(pid: int) -> float | None:
    """Peak resident set (VmHWM) of a process, MB (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def quantile(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--store", type=Path, default=None, help="A loaded store to copy (default: a new embedded one).")
    ap.add_argument("--pure-python", action="store_true", help="Serve with uvicorn's h11 parser and asyncio loop "
                    "(as without the optional httptools and uvloop).")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = ready_store(args.store, folder)
        port = free_port()
        proc, cold = start_server(store, port, folder / "serve.log", args.pure_python)
        try:
            # the first target request computes the forecast (cold for that key): timed on its own
            t0 = time.perf_counter()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{PATHS[1]}", timeout=60) as r:
                r.read()
            first_target = time.perf_counter() - t0
            latencies, errors, elapsed = asyncio.run(load(port, args.clients, args.seconds))
            peak = peak_rss_mb(proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    ms = [x * 1000 for x in latencies]
    result = {
        "cold_start_to_first_overview_s": round(cold, 2),
        "first_target_s": round(first_target, 2),
        "clients": args.clients, "seconds": round(elapsed, 1), "requests": len(ms),
        "throughput_rps": round(len(ms) / elapsed, 1),
        "p50_ms": round(statistics.median(ms), 1) if ms else None,
        "p95_ms": round(quantile(ms, 0.95), 1) if ms else None,
        "p99_ms": round(quantile(ms, 0.99), 1) if ms else None,
        "max_ms": round(max(ms), 1) if ms else None,
        "errors": len(errors), "error_examples": sorted(set(errors))[:5],
        "server_peak_rss_mb": round(peak, 1) if peak is not None else None,
        "server": "uvicorn h11 + asyncio" if args.pure_python else "bilateral serve (uvicorn, best installed parser/loop)",
        "httptools_uvloop_installed": _installed("httptools") and _installed("uvloop"),
        "cpus": os.cpu_count(), "python": sys.version.split()[0],
    }
    print(json.dumps(result))
    print()
    print("| cold start → first overview | first target | clients × s | requests | req/s | p50 | p95 | p99 | errors | peak RSS |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {result['cold_start_to_first_overview_s']} s | {result['first_target_s']} s | {args.clients} × "
          f"{result['seconds']} | {result['requests']} | {result['throughput_rps']} | {result['p50_ms']} ms | "
          f"{result['p95_ms']} ms | {result['p99_ms']} ms | {result['errors']} | {result['server_peak_rss_mb']} MB |")


if __name__ == "__main__":
    main()
