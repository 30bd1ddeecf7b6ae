"""DuckDB vs Spark (local[2]) on the real world matrix: wall time and peak memory, 1 to 3 years.

Data: the real CEPII BACI 2024 matrix ``../shared/data/baci2024/world_hs6_2024.parquet`` (10 million
exporter × importer × HS6 rows) as year 2024, plus SYNTHETIC years 2025 and 2026 built from it by
scaling every value deterministically (× (1 + 0.03·(year − 2024)) × (1 + (hs6 mod 7 − 3)/100)); they
are not trade statistics, only more rows of the same shape. All three are written once as Parquet
partitioned by year (``year=…/``), the layout both engines read.

Jobs (the same SQL text on both engines, :mod:`bilateral.engine`), for the first N years, one query
per year, result collected to the driver as Arrow:

- ``rca``: Balassa RCA of every exporter × HS6 (``bilateral rca``);
- ``potential``: export potential of India in every market × HS6 (``bilateral potential --exporter IND``).

Each trial is a fresh process; the parent samples the resident memory of its whole process tree
(Python + Spark's JVM) every 0.1 s. Trials are interleaved (engine innermost) so that the load of
the shared machine falls on both engines alike. Spark's time includes starting its JVM; the start-up
alone is reported too.

    .venv/bin/python bench/spark_vs_duckdb.py [--reps 1] [--years 1 2 3] [--memory 4g] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORLD = REPO.parent / "shared" / "data" / "baci2024" / "world_hs6_2024.parquet"
FIRST_YEAR = 2024
SYNTHETIC_GROWTH = 0.03
SAMPLE_S = 0.1
MASTER = "local[2]"


def build_years(dest: Path, years: int) -> Path:
    """Year 2024 (real) and synthetic later years, partitioned by year, under ``dest`` (reused if there)."""
    import duckdb

    dest.mkdir(parents=True, exist_ok=True)
    out = dest / f"world_{years}y"
    if out.exists():
        return out
    tmp = dest / f".world_{years}y.part"
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    parts = [f"SELECT {FIRST_YEAR + n} AS year, exporter, importer, hs6, "
             f"CAST(value_usd AS DOUBLE) * (1 + {SYNTHETIC_GROWTH} * {n}) * (1 + (CAST(hs6 AS INTEGER) % 7 - 3) / 100.0)"
             f" AS value_usd FROM read_parquet('{WORLD}')" if n else
             f"SELECT {FIRST_YEAR} AS year, exporter, importer, hs6, CAST(value_usd AS DOUBLE) AS value_usd "
             f"FROM read_parquet('{WORLD}')" for n in range(years)]
    con.execute(f"COPY ({' UNION ALL '.join(parts)}) TO '{tmp}' (FORMAT parquet, PARTITION_BY (year), "
                "COMPRESSION zstd)")
    tmp.rename(out)
    return out


def trial(engine: str, job: str, years: int, data: Path, memory: str) -> dict:
    """One run (in this process): the job over the first ``years`` years; timings and row counts."""
    from bilateral.engine.backends import DuckDBEngine, SparkEngine, spark_session
    from bilateral.engine.compute import parquet_world, rca_table
    from bilateral.models.potential import default_growth, potential_table

    growth = default_growth()
    t0 = time.perf_counter()
    if engine == "spark":
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        eng = SparkEngine(spark_session(MASTER, memory=memory))
    else:
        eng = DuckDBEngine()
    started = time.perf_counter() - t0
    rows = 0
    for n in range(years):
        m = parquet_world(eng, data, FIRST_YEAR + n)
        t = rca_table(eng, m) if job == "rca" else potential_table(eng, m, ["IND"], None, growth=growth)
        rows += t.num_rows
    wall = time.perf_counter() - t0
    if isinstance(eng, SparkEngine):
        eng.spark.stop()
    return {"engine": engine, "job": job, "years": years, "wall_s": wall, "startup_s": started, "rows": rows}


def _tree_rss_kb(root: int) -> int:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def run_trial(engine: str, job: str, years: int, data: Path, memory: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as res:
        proc = subprocess.Popen([sys.executable, __file__, "--trial", engine, job, str(years), "--data", str(data),
                                 "--memory", memory, "--result", res.name],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss_kb(proc.pid))
            time.sleep(SAMPLE_S)
        if proc.returncode != 0:
            return {"engine": engine, "job": job, "years": years, "error": proc.returncode}
        out = json.loads(Path(res.name).read_text())
    out["peak_rss_mb"] = peak / 1024
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--years", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--jobs", nargs="+", default=["rca", "potential"])
    ap.add_argument("--memory", default="4g", help="Spark driver memory (local mode: the executors run in it)")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "bilateral-bench-spark")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--trial", nargs=3, metavar=("ENGINE", "JOB", "YEARS"), help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.trial:
        engine, job, years = a.trial
        a.result.write_text(json.dumps(trial(engine, job, int(years), a.data, a.memory)))
        return
    if not WORLD.exists():
        sys.exit(f"{WORLD} not found (the shared data folder)")
    a.cache.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    data = build_years(a.cache, max(a.years))
    print(f"data: {data} (2024 real, later years synthetic) ready in {time.perf_counter() - t:.1f} s", flush=True)
    results = []
    for rep in range(a.reps):
        for years in a.years:
            for job in a.jobs:
                for engine in ("duckdb", "spark"):
                    r = run_trial(engine, job, years, data, a.memory)
                    r["rep"] = rep
                    results.append(r)
                    print(json.dumps(r), flush=True)
    print("\n| job | years | engine | wall s | of which start-up s | peak RSS MB | rows |\n|---|---|---|---|---|---|---|")
    for r in sorted(results, key=lambda r: (r["job"], r["years"], r["engine"], r["rep"])):
        if "error" in r:
            print(f"| {r['job']} | {r['years']} | {r['engine']} | failed (exit {r['error']}) | | | |")
            continue
        print(f"| {r['job']} | {r['years']} | {r['engine']} | {r['wall_s']:.1f} | {r['startup_s']:.1f} | "
              f"{r['peak_rss_mb']:,.0f} | {r['rows']:,} |")
    if a.json:
        a.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
