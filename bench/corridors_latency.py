"""Benchmark: wall time of `bilateral corridors` comparing every corridor for one origin and destination.

Interleaved runs: each round times the CLI (`--format json`, Nhava Sheva → Moscow, all nine container
corridors), the baseline `python -c "import bilateral"` and `bilateral --help` (the CLI framework with
every command registered) back to back, so load on the machine hits all alike. The first CLI run
(compiling .pyc, cold file cache) is reported apart. Also times the
library call in one process: first `compare()` (reads the data files and the sea-leg cache, runs the
Monte Carlo) and a repeated one (in-process cache). Target: warm CLI under 1 s. The children's CPU
seconds are reported too: on a shared, loaded machine wall time is mostly waiting for a core.

    python bench/corridors_latency.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from datetime import date

CLI = [sys.executable, "-m", "bilateral.cli", "corridors", "--from", "INNSA", "--to", "Moscow",
       "--date", "2026-03-15", "--format", "json"]
BASELINE = [sys.executable, "-c", "import bilateral"]
#: the CLI framework alone (typer and every command registered), the floor for any command
HELP = [sys.executable, "-m", "bilateral.cli", "--help"]
TARGET_S = 1.0


CPU: dict[str, list[float]] = {}


def timed(cmd: list[str]) -> float:
    """Wall seconds; the child's CPU seconds (user + system, less sensitive to a loaded machine) go to CPU."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU.setdefault(" ".join(cmd[1:4]), []).append(cpu)
    return wall


def in_process() -> tuple[float, float]:
    from bilateral.corridors import compare

    t0 = time.perf_counter()
    compare("INNSA", "Moscow", date(2026, 3, 15))
    t1 = time.perf_counter()
    compare("INNSA", "Moscow", date(2026, 3, 15))
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    first = timed(CLI)
    warm, base, helps = [], [], []
    for _ in range(args.repeat):
        warm.append(timed(CLI))
        base.append(timed(BASELINE))
        helps.append(timed(HELP))
    lib_first, lib_again = in_process()
    w, b, h = statistics.median(warm), statistics.median(base), statistics.median(helps)
    result = {
        "cli_first_run_s": round(first, 3),
        "cli_warm_median_s": round(w, 3),
        "cli_warm_max_s": round(max(warm), 3),
        "import_bilateral_median_s": round(b, 3),
        "cli_minus_import_s": round(w - b, 3),
        "bilateral_help_median_s": round(h, 3),
        "cli_minus_help_s": round(w - h, 3),
        "compare_first_in_process_s": round(lib_first, 4),
        "compare_again_in_process_s": round(lib_again, 6),
        "cpu_s_median": {k: round(statistics.median(v), 3) for k, v in CPU.items()},
        "under_target": w < TARGET_S,
        "repeat": args.repeat,
    }
    print(json.dumps(result))  # noqa: T201
    print(f"| `bilateral corridors` (9 corridors, INNSA→Moscow) | {w:.2f} s warm (median of {args.repeat}, "  # noqa: T201
          f"max {max(warm):.2f}) | `import bilateral` {b:.2f} s, `bilateral --help` {h:.2f} s | "
          f"CPU {result['cpu_s_median'][' '.join(CLI[1:4])]:.2f} s | "  # type: ignore[index]
          f"library compare() {lib_first * 1000:.0f} ms first, {lib_again * 1e6:.0f} µs cached |")


if __name__ == "__main__":
    main()
