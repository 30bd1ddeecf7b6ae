"""Benchmark: ingesting one BACI year — bilateral vs DuckDB's own read_csv vs a plain pandas load.

Run on a SYNTHETIC year written by ``bench/synth_baci.py`` (random numbers in BACI's real layout,
not trade statistics):

    python bench/synth_baci.py /tmp/baci10m            # ~10 million rows, ~370 MB
    python bench/ingest_baci.py /tmp/baci10m [--runs 3] [--pandas-runs 1]

Each approach runs in its own fresh process, into its own new DuckDB file, timed until the data
are committed and the file closed; the process reports its own peak resident memory. Measured:

- ``bilateral``: ``bilateral.sources.baci.ingest`` — the real command's code (sha256 of the file,
  layout checks, load, value/code/key checks, provenance row, one transaction);
- ``duckdb read_csv``: ``CREATE TABLE t AS SELECT * FROM read_csv(file)`` — the baseline;
- ``pandas``: ``pd.read_csv(file, dtype={'k': str})`` then the DataFrame inserted into DuckDB.

Prints a table and the ratios. Medians over ``--runs``.
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

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
kind, folder, db = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
csv = next(folder.glob("BACI_*_Y*_V*.csv"))
t0 = time.perf_counter()
if kind == "bilateral":
    from bilateral.sources import baci
    from bilateral.store.db import Store
    with Store(db) as s:
        rows = sum(r["rows"] for r in baci.ingest(s, folder).loaded if "rejected" in r)
elif kind == "duckdb":
    import duckdb
    con = duckdb.connect(db)
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [str(csv)])
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    con.close()
else:
    import duckdb, pandas as pd
    df = pd.read_csv(csv, dtype={"k": str})
    con = duckdb.connect(db)
    con.register("df", df)
    con.execute("CREATE TABLE t AS SELECT * FROM df")
    rows = len(df)
    con.close()
seconds = time.perf_counter() - t0
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "rows": rows}))
"""

LABELS = {"bilateral": "bilateral ingest baci", "duckdb": "duckdb read_csv → table (baseline)",
          "pandas": "pandas read_csv → DuckDB"}


def run_one(kind: str, folder: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, "-c", CHILD, kind, str(folder), str(Path(tmp) / "b.duckdb")],
                             check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path, help="folder written by bench/synth_baci.py (SYNTHETIC data)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pandas-runs", type=int, default=1)
    args = ap.parse_args()
    results: dict[str, list[dict[str, float]]] = {}
    for kind, runs in (("duckdb", args.runs), ("bilateral", args.runs), ("pandas", args.pandas_runs)):
        results[kind] = [run_one(kind, args.folder) for _ in range(runs)]
    med = {k: statistics.median(r["seconds"] for r in v) for k, v in results.items()}
    peak = {k: max(r["peak_mb"] for r in v) for k, v in results.items()}
    rows = int(results["bilateral"][0]["rows"])
    print(f"SYNTHETIC BACI year, {rows:,} rows ({time.strftime('%Y-%m-%d')}, median of runs)")
    print(f"{'approach':40s} {'seconds':>8s} {'peak MB':>8s}")
    for kind in ("duckdb", "bilateral", "pandas"):
        print(f"{LABELS[kind]:40s} {med[kind]:8.2f} {peak[kind]:8.0f}")
    print(f"bilateral / duckdb read_csv: {med['bilateral'] / med['duckdb']:.2f}x (aim: within 1.5x)")
    print(f"pandas / bilateral:          {med['pandas'] / med['bilateral']:.1f}x faster (aim: at least 5x)")
    print(f"bilateral peak memory:       {peak['bilateral']:.0f} MB (aim: under 2,048 MB)")


if __name__ == "__main__":
    main()
