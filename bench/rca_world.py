"""Benchmark: `bilateral rca --year 2024` on the REAL world matrix against plain DuckDB SQL over the same Parquet.

    python bench/rca_world.py ../shared/data/baci2024/world_hs6_2024.parquet [--runs 3]

The matrix (9,933,867 rows, real) is ingested once into a new store (``bilateral ingest baci``, not
timed); the first ``rca`` read then builds the release's marginal cache (exports and imports by
country × HS6, kept as Parquet beside the store: computed once per release), also before timing.
Whole processes, interleaved A B A B after a warm-up round (``bench/harness.py``). Pairs:

- table: A ``bilateral rca --year 2024`` (the 20 strongest rows drawn, the cell count, India–Russia
  complementarity); B a Python script with DuckDB: Balassa RCA straight from the Parquet
  (aggregate exporter × HS6, exporter and product totals, world total), ordered as the command
  orders, the count and the first 20 rows printed;
- ``--out``: A ``bilateral rca --year 2024 --out rca.parquet``; B the same SQL in DuckDB ``COPY (…)
  TO 'rca.parquet' (FORMAT parquet, COMPRESSION zstd)``;
- ``--top 0``: A ``bilateral rca --year 2024 --top 0`` (every cell as a text line, to a file); B the
  same SQL with every row fetched and written as a text line by Python (to a file).

Parse vs compute: the baseline reads the Parquet in every run (it has no store); the command reads the
stored matrix's cached marginals. Both sides use DuckDB's default thread count (the machine's cores).
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

RCA = """
WITH x AS (SELECT exporter, hs6 AS product, sum(value_usd) AS v FROM read_parquet('{path}')
           GROUP BY ALL HAVING sum(value_usd) > 0),
e AS (SELECT exporter, sum(v) AS xi FROM x GROUP BY ALL),
p AS (SELECT product, sum(v) AS xk FROM x GROUP BY ALL),
w AS (SELECT sum(v) AS w FROM x)
SELECT x.exporter, x.product, x.v AS value, (x.v / e.xi) / (p.xk / w.w) AS rca
FROM x JOIN e USING (exporter) JOIN p USING (product), w
"""
ORDER = "ORDER BY exporter, rca DESC, product"
TABLE = """
import sys, duckdb
rca = sys.argv[2].format(path=sys.argv[1])
rows = duckdb.connect().execute(f"SELECT *, count(*) OVER () FROM ({rca}) {sys.argv[3]} LIMIT 20").fetchall()
print(f"RCA, {rows[0][4]:,} cells")
for e, p, v, r, _ in rows:
    print(f"{e:<8}  {p:<7}  {v / 1e6:>16,.2f}  {r:>10.2f}")
"""
COPY = """
import sys, duckdb
rca = sys.argv[2].format(path=sys.argv[1])
duckdb.connect().execute(f"COPY ({rca} {sys.argv[3]}) TO '{sys.argv[4]}' (FORMAT parquet, COMPRESSION zstd)")
"""
ALL = """
import sys, duckdb
rca = sys.argv[2].format(path=sys.argv[1])
cur = duckdb.connect().execute(f"{rca} {sys.argv[3]}")
out = sys.stdout
while batch := cur.fetchmany(8192):
    out.write("".join(f"{e:<8}  {p:<7}  {v / 1e6:>16,.2f}  {r:>10.2f}\\n" for e, p, v, r in batch))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("world", type=Path, help="the real matrix, ../shared/data/baci2024/world_hs6_2024.parquet")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--store", type=Path, default=None, help="a store holding the matrix already (else made)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-rca-world-"))
    try:
        store = args.store or tmp / "s.duckdb"
        if args.store is None:
            subprocess.run([str(BIN), "ingest", "baci", str(args.world), "--store", str(store), "-f", "json"],
                           check=True, stdout=subprocess.DEVNULL)
        rca = [str(BIN), "rca", "--year", "2024", "--store", str(store)]
        subprocess.run(rca, check=True, stdout=subprocess.DEVNULL)  # builds the marginal cache once
        base = [sys.executable, "-c"]
        world = str(args.world)
        a_out, b_out = tmp / "a.parquet", tmp / "b.parquet"
        pairs = [
            (Case("`bilateral rca --year 2024` (table, 20 rows)", rca),
             Case("DuckDB SQL RCA from the Parquet, count + 20 rows", [*base, TABLE, world, RCA, ORDER])),
            (Case("`bilateral rca --year 2024 --out rca.parquet`", [*rca, "--out", str(a_out)], remove(a_out)),
             Case("DuckDB `COPY (RCA) TO` Parquet", [*base, COPY, world, RCA, ORDER, str(b_out)], remove(b_out))),
            (Case("`bilateral rca --year 2024 --top 0` (every cell, to a file)", [*rca, "--top", "0"],
                  stdout_to=str(tmp / "a.txt")),
             Case("DuckDB SQL RCA, every row written as a line by Python", [*base, ALL, world, RCA, ORDER],
                  stdout_to=str(tmp / "b.txt"))),
        ]
        print(f"# REAL BACI 2024 world matrix; {args.runs} interleaved runs; DuckDB threads: default ({THREADS}) "
              f"on both sides; {load()}")
        for a, b in pairs:
            interleave([a, b], args.runs)
            print("\n" + table([a, b]))
            print(f"\nA/B wall {ratio(a, b):.2f}x, CPU {ratio(a, b, 'cpu'):.2f}x, peak memory "
                  f"{ratio(a, b, 'peak_mb'):.2f}x  ({load()})")
        lines = sum(1 for _ in (tmp / "a.txt").open())
        print(f"\n--top 0 wrote {lines:,} lines (title, header, rule, cells, two notes)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
