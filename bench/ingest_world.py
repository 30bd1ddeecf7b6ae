"""Benchmark: `bilateral ingest baci` of the REAL 2024 world matrix, as Parquet and as CEPII CSV, against DuckDB's own load.

    python bench/ingest_world.py ../shared/data/baci2024/world_hs6_2024.parquet [--runs 3] [--csv-dir DIR]

The matrix (9,933,867 rows) is real. Its CEPII CSV form (``BACI_HS17_Y2024_V202501.csv``, header
``t,i,j,k,v,q``) is written once by ``bench/cepii_csv.py`` (into ``--csv-dir``, or a temporary folder):
every cell is the real matrix, the quantities are SYNTHETIC (see that script).

Whole processes, interleaved A B A B with a warm-up round (``bench/harness.py``), a fresh store file
for every run of a fresh load. Cases:

- Parquet: A ``bilateral ingest baci world_hs6_2024.parquet --store NEW`` (sha256 of the file, one
  scan for the years and distinct codes, one ``INSERT … SELECT`` from ``read_parquet`` with the codes
  numbered and each value checked, unique keys, provenance row, one transaction); B DuckDB
  ``CREATE TABLE t AS SELECT * FROM read_parquet(…)`` into a new file.
- CEPII CSV: A ``bilateral ingest baci FOLDER --store NEW``; B DuckDB ``read_csv`` with every column
  typed (as BACI's: t, i, j SMALLINT, k text, v DOUBLE, q text made a number, ``NA`` → NULL), into a
  new file. Parse alone: C ``SELECT count(*), sum(v), sum(q)`` over the same typed ``read_csv``,
  nothing stored (what reading the text costs; the rest of B is writing the table).
- No-op re-ingest of each (the store already holds the file): A only, against ``sha256sum`` of the
  file (the checksum every no-op must compute) and ``python -c "import duckdb"``.

DuckDB runs with its default thread count (the machine's cores, stated) in both A and B.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from harness import BIN, THREADS, Case, interleave, load, ratio, remove, table  # noqa: E402

CTAS_PARQUET = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("CREATE TABLE t AS SELECT * FROM read_parquet(?)", [sys.argv[2]])
con.close()
"""
TYPED_CSV = ("read_csv(?, header = true, auto_detect = false, delim = ',', columns = {'t': 'SMALLINT', "
             "'i': 'SMALLINT', 'j': 'SMALLINT', 'k': 'VARCHAR', 'v': 'DOUBLE', 'q': 'VARCHAR'})")
Q = "CASE WHEN trim(q) IN ('NA', '') THEN NULL ELSE CAST(q AS DOUBLE) END"
CTAS_CSV = f"""
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("CREATE TABLE t AS SELECT t, i, j, k, v, {Q} AS q FROM {TYPED_CSV}", [sys.argv[2]])
con.close()
"""
PARSE_CSV = f"""
import sys, duckdb
con = duckdb.connect()
print(con.execute("SELECT count(*), sum(v), sum({Q}) FROM {TYPED_CSV}", [sys.argv[1]]).fetchall())
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("world", type=Path, help="the real matrix, ../shared/data/baci2024/world_hs6_2024.parquet")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--csv-dir", type=Path, default=None, help="its CEPII CSV form (written here when missing)")
    ap.add_argument("--only", choices=("parquet", "csv", "noop"), action="append", default=None)
    args = ap.parse_args()
    only = set(args.only or ("parquet", "csv", "noop"))
    tmp = Path(tempfile.mkdtemp(prefix="bench-ingest-world-"))
    try:
        csv_dir = args.csv_dir or tmp / "cepii"
        if "csv" in only or "noop" in only:
            if not any(csv_dir.glob("BACI_HS17_Y2024_*.csv")):
                subprocess.run([sys.executable, str(Path(__file__).parent / "cepii_csv.py"), str(args.world),
                                str(csv_dir)], check=True)
            csv_file = next(csv_dir.glob("BACI_HS17_Y2024_*.csv"))
        print(f"# {load()}; DuckDB threads: default ({THREADS}) in every command; {args.runs} interleaved runs")
        a_db, b_db = tmp / "a.duckdb", tmp / "b.duckdb"
        if "parquet" in only:
            a = Case("`bilateral ingest baci world_hs6_2024.parquet`, fresh store",
                     [str(BIN), "ingest", "baci", str(args.world), "--store", str(a_db), "-f", "json"], remove(a_db))
            b = Case("DuckDB `CREATE TABLE AS SELECT * FROM read_parquet`",
                     [sys.executable, "-c", CTAS_PARQUET, str(b_db), str(args.world)], remove(b_db))
            interleave([a, b], args.runs)
            print("\n## Parquet (REAL matrix)\n" + table([a, b]))
            print(f"\nA/B wall {ratio(a, b):.2f}x, CPU {ratio(a, b, 'cpu'):.2f}x, peak memory "
                  f"{ratio(a, b, 'peak_mb'):.2f}x  ({load()})")
        if "csv" in only:
            a = Case("`bilateral ingest baci` of the CEPII CSV folder, fresh store",
                     [str(BIN), "ingest", "baci", str(csv_dir), "--store", str(a_db), "-f", "json"], remove(a_db))
            b = Case("DuckDB typed `read_csv` → table", [sys.executable, "-c", CTAS_CSV, str(b_db), str(csv_file)],
                     remove(b_db))
            c = Case("DuckDB typed `read_csv`, parse only (count, sums)", [sys.executable, "-c", PARSE_CSV, str(csv_file)])
            interleave([a, b, c], args.runs)
            print("\n## CEPII CSV (REAL cells, SYNTHETIC q)\n" + table([a, b, c]))
            print(f"\nA/B wall {ratio(a, b):.2f}x, CPU {ratio(a, b, 'cpu'):.2f}x, peak memory "
                  f"{ratio(a, b, 'peak_mb'):.2f}x; parse share of B (C/B wall) {ratio(c, b):.2f}  ({load()})")
        if "noop" in only:
            pq_db, csv_db = tmp / "p.duckdb", tmp / "c.duckdb"
            for src, db in ((args.world, pq_db), (csv_dir, csv_db)):
                subprocess.run([str(BIN), "ingest", "baci", str(src), "--store", str(db), "-f", "json"], check=True,
                               stdout=subprocess.DEVNULL)
            cases = [Case("no-op re-ingest, Parquet", [str(BIN), "ingest", "baci", str(args.world), "--store", str(pq_db),
                                                        "-f", "json"]),
                     Case("no-op re-ingest, CEPII CSV", [str(BIN), "ingest", "baci", str(csv_dir), "--store",
                                                          str(csv_db), "-f", "json"]),
                     Case("`sha256sum` of the CSV (the checksum a no-op computes)", ["sha256sum", str(csv_file)]),
                     Case("`python -c \"import duckdb\"`", [sys.executable, "-c", "import duckdb"])]
            interleave(cases, args.runs)
            print("\n## No-op re-ingest\n" + table(cases) + f"\n\n({load()})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
