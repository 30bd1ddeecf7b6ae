"""Benchmark: warm `bilateral overview` against `python -c "import duckdb"`, whole processes, wall and CPU.

    python bench/startup.py [--runs 7]

A new store is made once (the first run creates it and loads the embedded release; not timed), then
interleaved A B C after a warm-up round (``bench/harness.py``): A ``bilateral overview --period
2024-25`` on that store (the India–Russia page as a table), B ``python -c "import duckdb"`` (the floor
any DuckDB-backed command pays), C ``python -c pass`` (the interpreter alone). Wall and CPU (user +
system) are reported, each as the median of the paired ratios A/B. Where the time goes is printed
once from ``python -X importtime`` (imports) and in-process timers (the command's queries and drawing).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from harness import BIN, Case, interleave, load, ratio, table  # noqa: E402

SPLIT = """
import os, sys, time
c0 = time.process_time(); w0 = time.perf_counter()
import duckdb
c1 = time.process_time(); w1 = time.perf_counter()
import bilateral.cli, bilateral.models.overview, bilateral.report.render
c2 = time.process_time(); w2 = time.perf_counter()
sys.argv = ["bilateral", "overview", "--period", "2024-25", "--store", sys.argv[1]]
out, sys.stdout = sys.stdout, open(os.devnull, "w")
try:
    bilateral.cli.main()
except SystemExit:
    pass
sys.stdout = out
c3 = time.process_time(); w3 = time.perf_counter()
print(f"in process (CPU s / wall s): import duckdb {c1 - c0:.3f} / {w1 - w0:.3f}; the CLI's other imports "
      f"{c2 - c1:.3f} / {w2 - w1:.3f}; the command (store open, queries, drawing) {c3 - c2:.3f} / {w3 - w2:.3f}")
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    try:
        store = tmp / "s.duckdb"
        overview = [str(BIN), "overview", "--period", "2024-25", "--store", str(store)]
        subprocess.run(overview, check=True, stdout=subprocess.DEVNULL)  # creates the store
        env_note = "" if "PYTHONDONTWRITEBYTECODE" not in os.environ else (
            " (PYTHONDONTWRITEBYTECODE is set: run `python -m compileall` on the environment first, "
            "or every import compiles from source)")
        a = Case("warm `bilateral overview --period 2024-25`", overview)
        b = Case("`python -c \"import duckdb\"`", [sys.executable, "-c", "import duckdb"])
        c = Case("`python -c pass`", [sys.executable, "-c", "pass"])
        interleave([a, b, c], args.runs)
        print(f"# {args.runs} interleaved runs; {load()}{env_note}\n")
        print(table([a, b, c]))
        print(f"\noverview / import duckdb: wall {ratio(a, b):.2f}x, CPU {ratio(a, b, 'cpu'):.2f}x  ({load()})")
        print(subprocess.run([sys.executable, "-c", SPLIT, str(store)], check=True, capture_output=True,
                             text=True).stdout.strip())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
