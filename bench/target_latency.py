"""Benchmark: wall time of `bilateral target` (warm store), with a chart, and `--backtest`.

Wall and CPU time (user + sys) of each command: on a shared machine the wall time grows with
the load, the CPU time much less. Also the in-process CPU breakdown of one run (imports, opening
the store, the model with the backtest that calibrates and chooses it, the model again for another
target with that backtest kept for the process, rendering), and
two baselines measured in the same run: a bare interpreter start (`python -c pass`) and
`python -c "import duckdb"`. Prints a JSON line and Markdown rows for the README.

    python bench/target_latency.py [--repeat 5]

Until `target` is registered from bilateral/commands/target.py (in bilateral.commands.MODULES),
the command is run through a two-line shim that registers it on a bare typer app; the output says so.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DUCKDB = "python -c 'import duckdb'"
SHIM = ("import sys, typer; from bilateral.commands.target import register; app = typer.Typer(); "
        "app.callback()(lambda: None); register(app); sys.argv[0] = 'bilateral'; app()")
BREAKDOWN = """
import time, json, sys
t0 = time.process_time()
from bilateral.api import open_store, parse_pair
from bilateral.models.target import track
from bilateral.report.target_render import render_target
from rich.console import Console
import io
t1 = time.process_time()
s = open_store(sys.argv[1]); t2 = time.process_time()
r = track(s, parse_pair("IND-RUS"), target_usd=100e9, by="FY2029-30"); t3 = time.process_time()
track(s, parse_pair("IND-RUS"), target_usd=80e9, by="FY2029-30"); t4 = time.process_time()
render_target(r, Console(file=io.StringIO(), width=100)); t5 = time.process_time()
print(json.dumps({"imports_s": round(t1 - t0, 3), "open_store_s": round(t2 - t1, 3),
                  "model_with_backtest_s": round(t3 - t2, 3), "model_backtest_cached_s": round(t4 - t3, 3),
                  "render_s": round(t5 - t4, 3)}))
"""


CPU: dict[str, list[float]] = {}


def timed(cmd: list[str], key: str = "") -> float:
    """Wall time of a command; its CPU time (user + sys, all threads) is kept under ``key``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if key:
        CPU.setdefault(key, []).append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from bilateral.commands import MODULES

    registered = "target" in MODULES
    base = [sys.executable, "-m", "bilateral.cli"] if registered else [sys.executable, "-c", SHIM]
    with tempfile.TemporaryDirectory() as tmp:
        store = str(Path(tmp) / "bench.duckdb")
        plain = base + ["target", "--store", store]
        timed(plain)  # first run loads the store
        runs: dict[str, list[float]] = {"target": [], "target --chart png": [], "target --backtest": [],
                                        "python -c pass": [], "python -c 'import duckdb'": []}
        for _ in range(args.repeat):  # interleaved, the same number of runs each
            runs["target"].append(timed(plain, "target"))
            runs["target --chart png"].append(timed(plain + ["--chart", str(Path(tmp) / "t.png")], "target --chart png"))
            runs["target --backtest"].append(timed(base + ["target", "--backtest", "--store", store], "target --backtest"))
            runs["python -c pass"].append(timed([sys.executable, "-c", "pass"], "python -c pass"))
            runs["python -c 'import duckdb'"].append(timed([sys.executable, "-c", "import duckdb"], DUCKDB))
        parts = json.loads(subprocess.run([sys.executable, "-c", BREAKDOWN, store], check=True, capture_output=True,
                                          text=True).stdout)
    med = {k: round(statistics.median(v), 3) for k, v in runs.items()}
    cpu = {k: round(statistics.median(v), 3) for k, v in CPU.items()}
    print(json.dumps({"wall_median_s": med, "cpu_median_s": cpu, "repeat": args.repeat, "cores": os.cpu_count(),
                      "load_average_1min": round(os.getloadavg()[0], 2),
                      "via": "bilateral.cli" if registered else "shim", "breakdown_cpu_s": parts}))
    for k in ("target", "target --chart png", "target --backtest"):
        print(f"| `bilateral {k}` | {med[k]:.2f} s wall, {cpu[k]:.2f} s CPU (median of {args.repeat}) | "
              f"{med[k] / med[DUCKDB]:.1f}× `import duckdb` ({med[DUCKDB]:.2f} s) |")


if __name__ == "__main__":
    main()
