"""Benchmark: wall time of `bilateral overview` as a user runs it (the console script), first run and warm.

Baselines measured in the same run, interleaved with the command (A B C A B C …, same number of runs
each): a bare interpreter start (`python -c pass`) and `python -c "import duckdb"` — the floor any
DuckDB-backed CLI pays. With `--world PATH` (a world matrix in BACI's ISO3 layout, e.g.
../shared/data/baci2024/world_hs6_2024.parquet) it also loads that matrix into a second store (timed
once, not part of the ratio) and times a BACI-served pair (`--pair CHN-RUS --period CY2024`).

    python bench/overview_latency.py [--repeat 7] [--world ../shared/data/baci2024/world_hs6_2024.parquet]

Prints one JSON line and Markdown rows for the README. Report the machine's load beside the figures:
other work on a 2-core machine inflates every column, the ratios much less.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent / "bilateral"


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--world", type=Path, default=None, help="world matrix (ISO3 layout) for a BACI-served pair")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = str(Path(tmp) / "bench.duckdb")
        commands: dict[str, list[str]] = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "import duckdb": [sys.executable, "-c", "import duckdb"],
            "overview IND-RUS": [str(BIN), "overview", "--period", "2024-25", "--store", store],
        }
        first = timed(commands["overview IND-RUS"])
        ingest_s = None
        if args.world is not None:
            world_store = str(Path(tmp) / "world.duckdb")
            ingest_s = timed([str(BIN), "ingest", "baci", str(args.world), "--store", world_store])
            commands["overview CHN-RUS (BACI)"] = [str(BIN), "overview", "--pair", "CHN-RUS", "--period", "CY2024",
                                                   "--store", world_store]
        times: dict[str, list[float]] = {k: [] for k in commands}
        for _ in range(args.repeat):
            for name, cmd in commands.items():  # interleaved
                times[name].append(timed(cmd))
    med = {k: statistics.median(v) for k, v in times.items()}
    floor = med["import duckdb"]
    result = {
        "repeat": args.repeat,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "first_run_s": round(first, 3),
        "world_ingest_s": round(ingest_s, 2) if ingest_s is not None else None,
        "median_s": {k: round(v, 3) for k, v in med.items()},
        "over_import_duckdb": {k: round(v / floor, 2) for k, v in med.items()},
    }
    print(json.dumps(result))
    for name in commands:
        if name.startswith("overview"):
            print(f"| `bilateral {' '.join(commands[name][1:-2])}` | {med[name]:.2f} s warm (median of {args.repeat}) | "
                  f"{med[name] / floor:.1f}× `python -c \"import duckdb\"` ({floor:.3f} s); "
                  f"{med[name] / med['python -c pass']:.1f}× `python -c pass` ({med['python -c pass']:.3f} s) |")
    print(f"| first run (creates the store, loads the embedded data) | {first:.2f} s | |")


if __name__ == "__main__":
    main()
