"""Benchmark: wall time of `bilateral overview` on the embedded data, first run and warm runs.

Baseline, measured in the same run: a bare Python interpreter start (`python -c pass`), the floor
any CLI pays. Prints a JSON line and a Markdown row for the README.

    python bench/overview_latency.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = str(Path(tmp) / "bench.duckdb")
        cli = [sys.executable, "-m", "bilateral.cli", "overview", "--fy", "2024-25", "--store", store]
        first = timed(cli)
        warm = [timed(cli) for _ in range(args.repeat)]
        floor = [timed([sys.executable, "-c", "pass"]) for _ in range(args.repeat)]
    result = {
        "first_run_s": round(first, 3),
        "warm_median_s": round(statistics.median(warm), 3),
        "python_start_median_s": round(statistics.median(floor), 3),
        "warm_over_python_start": round(statistics.median(warm) / statistics.median(floor), 1),
        "repeat": args.repeat,
    }
    print(json.dumps(result))
    print(f"| `bilateral overview` | {result['first_run_s']:.2f} s first run (loads the store) | "
          f"{result['warm_median_s']:.2f} s warm (median of {args.repeat}) | "
          f"{result['warm_over_python_start']}× a bare `python -c pass` "
          f"({result['python_start_median_s']:.3f} s) |")


if __name__ == "__main__":
    main()
