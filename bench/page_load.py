"""Benchmark: each dashboard page loaded warm in Chromium, from navigation to every chart drawn.

A real `bilateral serve` runs on loopback (on a copy of a loaded store); Debian's Chromium
(/usr/bin/chromium, driven by Playwright, headless, 1366 × 900) opens each page once to warm the
server's cache and the browser's, then loads it again ``--runs`` times. A load is timed from
``page.goto`` to the ``load`` event and, on a page with charts, to the moment the chart script reports
every chart drawn (``window.bilateralCharts``); that is what a user waits for. Per page: the median and
the slowest warm load, the HTML's server time (Navigation Timing: request start to response end),
the bytes the warm load fetched over the network (cached files fetch none), and a cold load: the page
opened in a new browser context (empty cache), its time to charts drawn and the bytes it fetched
(compressed, as sent).

Baseline in the same run: ``--compare PATH`` starts a second server from another checkout of the
code (``PYTHONPATH=PATH``, e.g. a worktree of the commit before the change) and loads every page from
both servers interleaved (A B A B …), in separate browser contexts, so both see the same machine.

    python bench/page_load.py [--runs 7] [--store PATH] [--compare PATH]

Prints one JSON line with the figures, then a Markdown table. The machine's load average is printed
with them: on a shared machine the absolute times are upper bounds; the ratios come from the
interleaved runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from harness import free_port, ready_store  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
DEPARTURE = "2026-03-01"
PAGES = ("/", "/target", "/potential", f"/corridors?date={DEPARTURE}", "/settlement", "/agenda", "/check", "/api/docs")
START_TIMEOUT_S = 180
CHARTS_TIMEOUT_MS = 60_000
VIEWPORT = {"width": 1366, "height": 900}
DRAWN = ("() => !document.querySelector('script.chart-spec') || (window.bilateralCharts && "
         "window.bilateralCharts.total > 0 && window.bilateralCharts.rendered + window.bilateralCharts.failed === "
         "window.bilateralCharts.total)")
NETWORK = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  return {server_ms: nav.responseEnd - nav.requestStart,
          fetched: nav.transferSize + res.reduce((n, r) => n + r.transferSize, 0),
          files: 1 + res.length};
}"""


def start(store: Path, code: Path | None, folder: Path, name: str) -> tuple[subprocess.Popen[bytes], str]:
    """`bilateral serve` from this checkout or from ``code`` (a private store copy each); its base URL."""
    copy = folder / f"{name}.duckdb"
    shutil.copyfile(store, copy)
    port = free_port()
    env = {**os.environ, "NO_COLOR": "1"}
    if code is not None:
        env["PYTHONPATH"] = str(code)
    proc = subprocess.Popen([sys.executable, "-m", "bilateral.cli", "serve", "--port", str(port), "--store", str(copy)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=str(code or Path.cwd()))
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(base + "/api/health", timeout=5):
                return proc, base
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise SystemExit(f"{name}: bilateral serve did not start") from None
            time.sleep(0.3)


def load(page: Any, url: str) -> dict[str, float]:
    """One load: seconds to the load event and to every chart drawn; the network figures."""
    t0 = time.perf_counter()
    page.goto(url, wait_until="load")
    t_load = time.perf_counter() - t0
    page.wait_for_function(DRAWN, timeout=CHARTS_TIMEOUT_MS)
    t_drawn = time.perf_counter() - t0
    net = page.evaluate(NETWORK)
    return {"load_s": t_load, "drawn_s": t_drawn, "server_ms": float(net["server_ms"]),
            "fetched": float(net["fetched"]), "files": float(net["files"])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7, help="warm loads per page and server (default 7)")
    ap.add_argument("--store", type=Path, help="a loaded store to copy (default: a new one with the embedded data)")
    ap.add_argument("--compare", type=Path, help="another checkout of bilateral to load the same pages from")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = ready_store(args.store, folder)
        servers = {"this": start(store, None, folder, "this")}
        if args.compare is not None:
            servers["baseline"] = start(store, args.compare.resolve(), folder, "baseline")
        results: dict[str, dict[str, list[dict[str, float]]]] = {n: {p: [] for p in PAGES} for n in servers}
        first: dict[str, dict[str, dict[str, float]]] = {n: {} for n in servers}
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                contexts = {n: browser.new_context(viewport=VIEWPORT) for n in servers}
                pages = {n: contexts[n].new_page() for n in servers}
                for path in PAGES:  # the first visit: fills the server's cache and the browser's
                    for name, (_, base) in servers.items():
                        load(pages[name], base + path)
                for path in PAGES:  # a cold load: a new context, nothing cached in the browser
                    for name, (_, base) in servers.items():
                        ctx = browser.new_context(viewport=VIEWPORT)
                        first[name][path] = load(ctx.new_page(), base + path)
                        ctx.close()
                for _ in range(args.runs):
                    for path in PAGES:
                        for name, (_, base) in servers.items():  # interleaved: this, baseline, this, …
                            results[name][path].append(load(pages[name], base + path))
                browser.close()
        finally:
            for proc, _ in servers.values():
                proc.terminate()
                proc.wait(timeout=20)
    summary: dict[str, Any] = {"load_average": os.getloadavg(), "runs": args.runs, "pages": {}}
    for path in PAGES:
        row: dict[str, Any] = {}
        for name in servers:
            runs = results[name][path]
            row[name] = {"drawn_median_s": round(statistics.median(r["drawn_s"] for r in runs), 3),
                         "drawn_max_s": round(max(r["drawn_s"] for r in runs), 3),
                         "load_median_s": round(statistics.median(r["load_s"] for r in runs), 3),
                         "server_median_ms": round(statistics.median(r["server_ms"] for r in runs), 1),
                         "warm_fetched_bytes": int(statistics.median(r["fetched"] for r in runs)),
                         "cold_drawn_s": round(first[name][path]["drawn_s"], 3),
                         "cold_fetched_bytes": int(first[name][path]["fetched"]),
                         "files": int(first[name][path]["files"])}
        summary["pages"][path] = row
    print(json.dumps(summary))
    names = list(servers)
    head = "| page | " + " | ".join(f"{n}: warm, to charts drawn, median (max) | {n}: HTML server time | "
                                     f"{n}: cold (empty cache) | {n}: cold fetched" for n in names) + " |"
    print(head)
    print("|---" * (1 + 4 * len(names)) + "|")
    for path, row in summary["pages"].items():
        cells = []
        for n in names:
            r = row[n]
            cells += [f"{r['drawn_median_s']:.2f} s ({r['drawn_max_s']:.2f} s)", f"{r['server_median_ms']:.0f} ms",
                      f"{r['cold_drawn_s']:.2f} s", f"{r['cold_fetched_bytes'] / 1e6:.2f} MB"]
        print(f"| `{path}` | " + " | ".join(cells) + " |")
    la = summary["load_average"]
    print(f"\nload average {la[0]:.1f} {la[1]:.1f} {la[2]:.1f}; {args.runs} warm loads per page and server")


if __name__ == "__main__":
    main()
