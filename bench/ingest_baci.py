"""Benchmark: ingesting one BACI year — the command a user runs vs DuckDB's read_csv vs tuned pandas.

Run on a SYNTHETIC year written by ``bench/synth_baci.py`` (random numbers in BACI's real layout,
not trade statistics):

    python bench/synth_baci.py /tmp/baci10m            # ~10 million rows, ~340 MB
    python bench/ingest_baci.py /tmp/baci10m [--runs 3]

Every approach runs the same number of times, interleaved (A B C D, A B C D, …), each in a fresh
process writing a new DuckDB file, timed from process start until the data are committed and the
file closed; peak resident memory from ``/usr/bin/time``. Approaches:

- ``bilateral ingest baci FOLDER --store NEW`` — the console script a user runs (sha256 of the
  file, layout checks, load, value/code/unique-key checks, provenance row, one transaction);
- ``duckdb read_csv``: ``CREATE TABLE t AS SELECT …, TRY_CAST(trim(q) AS DOUBLE) FROM read_csv(file)``
  with typed columns (k as text; q as text, trimmed, because BACI pads ``NA``) — the baseline;
- ``pandas (C engine)``: ``pd.read_csv`` tuned as a competent user would — ``usecols``, a dtype for
  every column (k as text), ``na_values=['NA']``, ``skipinitialspace=True`` (BACI pads ``NA``) —
  then the frame inserted into DuckDB; single-threaded;
- ``pandas (pyarrow engine)``: the same with ``engine='pyarrow'`` (multi-threaded parse).

Thread counts: DuckDB uses every core (``SET threads`` = the machine's count, stated in the
output), pandas' C engine one, the pyarrow engine every core. Prints a table, the ratios and the
machine's load average.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

THREADS = os.cpu_count() or 1
BIN = Path(sys.executable).parent / "bilateral"

DUCKDB = r"""
import sys, duckdb
from pathlib import Path
folder, db, threads = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
csv = next(folder.glob("BACI_*_Y*_V*.csv"))
con = duckdb.connect(db)
con.execute(f"SET threads = {threads}")
con.execute("CREATE TABLE t AS SELECT t, i, j, k, v, TRY_CAST(trim(q) AS DOUBLE) AS q FROM read_csv(?, header = true, "
            "auto_detect = false, delim = ',', columns = {'t': 'SMALLINT', 'i': 'SMALLINT', 'j': 'SMALLINT', "
            "'k': 'VARCHAR', 'v': 'DOUBLE', 'q': 'VARCHAR'})", [str(csv)])
con.close()
"""

PANDAS = r"""
import sys, duckdb, pandas as pd
from pathlib import Path
folder, db, engine = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
csv = next(folder.glob("BACI_*_Y*_V*.csv"))
dtypes = {"t": "int16", "i": "int16", "j": "int16", "k": str, "v": "float64", "q": "float64"}
kwargs = dict(usecols=list(dtypes), dtype=dtypes, na_values=["NA"], keep_default_na=False)
if engine == "c":
    df = pd.read_csv(csv, skipinitialspace=True, **kwargs)
else:  # the pyarrow engine takes no skipinitialspace: q (padded NA, empty) as text, then converted
    df = pd.read_csv(csv, engine="pyarrow", usecols=list(dtypes), dtype={**dtypes, "q": str})
    df["q"] = pd.to_numeric(df["q"].str.strip(), errors="coerce")
con = duckdb.connect(db)
con.register("df", df)
con.execute("CREATE TABLE t AS SELECT * FROM df")
con.close()
"""

LABELS = {"bilateral": "bilateral ingest baci (the command)", "duckdb": "duckdb read_csv, typed (baseline)",
          "pandas_c": "pandas read_csv tuned, C engine", "pandas_arrow": "pandas read_csv tuned, pyarrow"}


def run_one(kind: str, folder: Path) -> tuple[float, float]:
    """(seconds, peak MB) of one run in a fresh process and a new store."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    db = str(tmp / "b.duckdb")
    cmd = {"bilateral": [str(BIN), "ingest", "baci", str(folder), "--store", db, "--format", "json"],
           "duckdb": [sys.executable, "-c", DUCKDB, str(folder), db, str(THREADS)],
           "pandas_c": [sys.executable, "-c", PANDAS, str(folder), db, "c"],
           "pandas_arrow": [sys.executable, "-c", PANDAS, str(folder), db, "pyarrow"]}[kind]
    try:
        out = subprocess.run(["/usr/bin/time", "-f", "%e %M", *cmd], check=True, capture_output=True, text=True)
        seconds, kb = out.stderr.strip().splitlines()[-1].split()
        return float(seconds), float(kb) / 1024
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path, help="folder written by bench/synth_baci.py (SYNTHETIC data)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    kinds = ("duckdb", "bilateral", "pandas_c", "pandas_arrow")
    results: dict[str, list[tuple[float, float]]] = {k: [] for k in kinds}
    for _ in range(args.runs):
        for kind in kinds:  # interleaved
            results[kind].append(run_one(kind, args.folder))
    med = {k: statistics.median(s for s, _ in v) for k, v in results.items()}
    peak = {k: max(m for _, m in v) for k, v in results.items()}
    print(f"SYNTHETIC BACI year in {args.folder}; {args.runs} interleaved runs each; medians; "
          f"DuckDB threads {THREADS}, pandas C engine 1 thread, pyarrow engine {THREADS}; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'approach':42s} {'seconds':>8s} {'peak MB':>8s}")
    for kind in kinds:
        print(f"{LABELS[kind]:42s} {med[kind]:8.2f} {peak[kind]:8.0f}")
    print(f"bilateral / duckdb read_csv:       {med['bilateral'] / med['duckdb']:.2f}x (aim: within 1.5x)")
    print(f"pandas C engine / bilateral:       {med['pandas_c'] / med['bilateral']:.2f}x")
    print(f"pandas pyarrow engine / bilateral: {med['pandas_arrow'] / med['bilateral']:.2f}x")


if __name__ == "__main__":
    main()
