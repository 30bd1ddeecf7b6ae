"""History at scale: a SYNTHETIC 30-year BACI panel, ingested a year at a time, RCA and potential over every year.

THE DATA ARE SYNTHETIC (``bench/synth_baci.py``: random, seeded, one seed per year, one universe of
200 real CEPII country codes with India among them and 5,000 HS6 codes): not trade statistics, only
rows of BACI's shape and layout. Each year is a CEPII BACI CSV (``BACI_HS17_Y<year>_V202501.csv``,
``--rows`` rows, 10 million by default, drawn from a pool of 1.1 × as many distinct cells made once
for the panel, so that most cells recur from year to year as in BACI; values drawn afresh each
year), generated just before its ingest (not timed) and deleted after it: the disk holds one CSV
at a time.

For each year, in order (as a user adds years to a store):

- ``ingest``: ``bilateral ingest baci DIR --years Y`` (the console script, a fresh process): wall,
  peak memory, the store's size on disk after it.

At each size in ``--sizes`` (number of years loaded), every job over all years loaded:

- ``rca/cli``: ``bilateral rca --year Y --out rca_Y.parquet`` for every year (the loop a user runs:
  every exporter × HS6, every row written); ``potential/cli``: ``bilateral potential --exporter IND
  --year Y --top 0 --format parquet --out pot_Y.parquet`` (India in every market × HS6, every row)
  for every year.
- ``export``: ``bilateral export flows_baci --format parquet --partition --out DIR`` (the panel as
  Parquet partitioned by year, what Spark reads; the other engines' parse, reported apart).
- ``rca/duckdb``, ``rca/spark`` (and ``potential/…``): one process per engine running the same SQL
  (:mod:`bilateral.engine`) over the exported Parquet for every year in one session: DuckDB
  in-memory with its default threads (2 here), Spark ``local[2]`` with ``--spark-memory`` for the
  driver (local mode: the executors run in it). RCA is written to Parquet by the engine, India's
  potential collected as Arrow. Engine order alternates between sizes.

Each measured command is a fresh process; the parent samples the resident memory of its whole process
tree (Python + Spark's JVM) every 0.1 s (``spark_vs_duckdb._tree_rss_kb``). The 1-minute load average
is read after each run. Results go to ``WORKDIR/results.jsonl`` (a rerun appends; ``--report`` prints
the tables from it).

    .venv/bin/python bench/history_panel.py --workdir /tmp/hp --sizes 1 3 10 30 --spark-sizes 1 3 10
    .venv/bin/python bench/history_panel.py --workdir /tmp/hp --report
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from spark_vs_duckdb import SAMPLE_S, _tree_rss_kb  # noqa: E402
from synth_baci import RELEASE, cell_pool, generate  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SHARED = Path(os.environ.get("BILATERAL_SHARED_DATA", REPO.parent / "shared" / "data"))
REAL_CODES = SHARED / "baci-meta" / "country_codes_V202201.csv"
FIRST_YEAR = 1995
UNIVERSE_SEED = 7
POOL_FACTOR = 1.1  # the panel's cells: each year draws its rows from 1.1 × rows distinct cells
EXPORTER = "IND"
MASTER = "local[2]"


def measure(cmd: list[str], env: dict[str, str] | None = None) -> dict:
    """Run ``cmd`` in a fresh process: wall seconds, peak RSS of its process tree (MB), exit code."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(SAMPLE_S)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode(errors="replace").strip().splitlines() if proc.stderr else []
    out = {"wall_s": wall, "peak_mb": peak / 1024, "rc": proc.returncode, "load1": os.getloadavg()[0]}
    if proc.returncode:
        out["error"] = err[-1] if err else ""
    return out


def du_mb(path: Path) -> float:
    """Bytes on disk under ``path`` (file or directory) in MB."""
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def record(work: Path, row: dict) -> None:
    row["utc"] = time.strftime("%H:%M:%S", time.gmtime())
    print(json.dumps(row), flush=True)
    with (work / "results.jsonl").open("a") as fh:
        fh.write(json.dumps(row) + "\n")


def cli_loop(args: list[str], years: list[int], out: Path, env: dict[str, str]) -> dict:
    """One fresh ``bilateral`` process per year: total wall, the largest peak, the slowest year."""
    out.mkdir(parents=True, exist_ok=True)
    runs: list[dict] = []
    for y in years:
        extra = ["--top", "0", "--format", "parquet"] if args[0] == "potential" else []
        r = measure([str(BIN / "bilateral"), *args, "--year", str(y), *extra, "--out", str(out / f"{y}.parquet")], env)
        if r["rc"]:
            return {**r, "years_done": len(runs)}
        runs.append(r)
    import pyarrow.parquet as pq

    return {"wall_s": sum(r["wall_s"] for r in runs), "peak_mb": max(r["peak_mb"] for r in runs),
            "max_year_s": max(r["wall_s"] for r in runs), "rc": 0, "load1": os.getloadavg()[0],
            "out_mb": du_mb(out), "rows": sum(pq.read_metadata(f).num_rows for f in out.glob("*.parquet"))}


def trial(engine: str, job: str, data: Path, years: list[int], out: Path, memory: str) -> dict:
    """In this process: ``job`` over every year of the Parquet panel ``data`` in one engine session."""
    from bilateral.engine.backends import DuckDBEngine, SparkEngine, spark_session
    from bilateral.engine.compute import parquet_world, rca_table
    from bilateral.models.potential import default_growth, potential_table

    growth = default_growth()
    t0 = time.perf_counter()
    eng: DuckDBEngine | SparkEngine
    store = None
    if engine == "spark":
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        eng = SparkEngine(spark_session(MASTER, memory=memory))
    elif engine == "store":  # DuckDB on the store's connection, the years as `bilateral ingest baci` keeps them
        from bilateral.store.db import open_read_only

        store = open_read_only(data)
        assert store is not None, data
        eng = DuckDBEngine(store.con)
    else:
        eng = DuckDBEngine()
    started = time.perf_counter() - t0
    rows = 0
    for y in years:
        if store is not None:
            from bilateral.store.matrix import world_matrix

            m = world_matrix(store, y)
        else:
            m = parquet_world(eng, data, y)
        if job == "rca":
            rca_table(eng, m, out=out / str(y))
        else:
            rows += potential_table(eng, m, [EXPORTER], None, growth=growth).num_rows
    wall = time.perf_counter() - t0
    if isinstance(eng, SparkEngine):
        eng.spark.stop()
    return {"inner_wall_s": wall, "startup_s": started, "rows": rows}


def run_trial(engine: str, job: str, data: Path, years: list[int], out: Path, memory: str, env: dict[str, str]) -> dict:
    res = out.with_suffix(".json")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    r = measure([sys.executable, __file__, "--trial", engine, job, "--data", str(data), "--out", str(out),
                 "--memory", memory, "--result", str(res), "--years", *map(str, years)], env)
    if not r["rc"]:
        r |= json.loads(res.read_text())
        r["out_mb"] = du_mb(out)
    return r


def at_size(work: Path, n: int, years: list[int], spark: bool, cli_potential: bool, memory: str,
            env: dict[str, str]) -> None:
    store_dir = work / "store"
    record(work, {"step": "size", "years": n, "rows_per_year": None, "store_mb": du_mb(store_dir)})
    jobs = [("rca", ["rca"])] + ([("potential", ["potential", "--exporter", EXPORTER])] if cli_potential else [])
    for job, args in jobs:
        out = work / "out" / f"{job}_cli"
        shutil.rmtree(out, ignore_errors=True)
        record(work, {"step": f"{job}/cli", "years": n, **cli_loop(args, years, out, env)})
        shutil.rmtree(out, ignore_errors=True)
    for job in ("rca", "potential"):
        out = work / "out" / f"{job}_store"
        record(work, {"step": f"{job}/store", "years": n,
                      **run_trial("store", job, store_dir / "store.duckdb", years, out, memory, env)})
        shutil.rmtree(out, ignore_errors=True)
    if not spark:
        return
    panel = work / "panel"
    shutil.rmtree(panel, ignore_errors=True)
    r = measure([str(BIN / "bilateral"), "export", "flows_baci", "--format", "parquet", "--partition",
                 "--out", str(panel)], env)
    record(work, {"step": "export", "years": n, **r, "parquet_mb": du_mb(panel) if panel.exists() else None})
    engines = ["duckdb", "spark"]
    if n % 2:
        engines.reverse()
    for job in ("rca", "potential"):
        for engine in engines:
            out = work / "out" / f"{job}_{engine}"
            record(work, {"step": f"{job}/{engine}", "years": n,
                          **run_trial(engine, job, panel, years, out, memory, env)})
            shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(panel, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 3, 10, 30], help="years loaded at each measurement")
    ap.add_argument("--spark-sizes", type=int, nargs="*", default=[1, 3, 10], help="the sizes Spark runs at too")
    ap.add_argument("--cli-potential-sizes", type=int, nargs="*", default=[1, 3],
                    help="the sizes the per-year `bilateral potential --top 0` loop runs at (about 40 s a year)")
    ap.add_argument("--rows", type=int, default=10_000_000, help="rows per year")
    ap.add_argument("--spark-memory", default="4g")
    ap.add_argument("--report", action="store_true", help="print the tables from WORKDIR/results.jsonl")
    ap.add_argument("--trial", nargs=2, metavar=("ENGINE", "JOB"), help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--memory", help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--years", type=int, nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.trial:
        a.result.write_text(json.dumps(trial(a.trial[0], a.trial[1], a.data, a.years, a.out, a.memory)))
        return
    if a.workdir is None:
        ap.error("--workdir is required")
    if a.report:
        report(a.workdir)
        return
    work = a.workdir
    work.mkdir(parents=True, exist_ok=True)
    (work / "store").mkdir(exist_ok=True)
    env = dict(os.environ, BILATERAL_STORE=str(work / "store" / "store.duckdb"),
               BILATERAL_SHARED_DATA=str(SHARED))
    csv_dir = work / "csv"
    import duckdb
    import pyspark

    record(work, {"step": "start", "rows_per_year": a.rows, "duckdb": duckdb.__version__,
                  "pyspark": pyspark.__version__, "master": MASTER, "spark_memory": a.spark_memory,
                  "cpus": os.cpu_count(), "sizes": a.sizes, "spark_sizes": a.spark_sizes})
    done = len(list((work / "store").glob("*.duckdb"))) and _years_loaded(work)
    import numpy as np

    pool_path = work / f"cells_{a.rows}.npy"
    if not pool_path.exists():
        t = time.perf_counter()
        np.save(work / "cells.tmp.npy", cell_pool(int(a.rows * POOL_FACTOR), UNIVERSE_SEED, REAL_CODES))
        (work / "cells.tmp.npy").rename(pool_path)
        record(work, {"step": "pool", "seconds": time.perf_counter() - t})
    pool = np.load(pool_path)
    if done in a.sizes:  # resumed: measure the size it stopped at again
        at_size(work, done, list(range(FIRST_YEAR, FIRST_YEAR + done)), done in a.spark_sizes,
                done in a.cli_potential_sizes, a.spark_memory, env)
    for n in range(done + 1, max(a.sizes) + 1):
        year = FIRST_YEAR + n - 1
        t = time.perf_counter()
        generate(csv_dir, a.rows, seed=year, year=year, universe_seed=UNIVERSE_SEED, country_codes=REAL_CODES,
                 key_pool=pool)
        gen_s = time.perf_counter() - t
        csv_mb = du_mb(csv_dir / f"BACI_HS17_Y{year}_{RELEASE}.csv")
        r = measure([str(BIN / "bilateral"), "ingest", "baci", str(csv_dir), "--years", str(year)], env)
        (csv_dir / f"BACI_HS17_Y{year}_{RELEASE}.csv").unlink()
        record(work, {"step": "ingest", "years": n, "year": year, "generate_s": gen_s, "csv_mb": csv_mb, **r,
                      "store_mb": du_mb(work / "store"), "store_file_mb": du_mb(work / "store" / "store.duckdb")})
        if r["rc"]:
            sys.exit(f"ingest of {year} failed: {r.get('error')}")
        if n in a.sizes:
            at_size(work, n, list(range(FIRST_YEAR, year + 1)), n in a.spark_sizes, n in a.cli_potential_sizes,
                    a.spark_memory, env)


def _years_loaded(work: Path) -> int:
    if not (work / "results.jsonl").exists():
        return 0
    rows = [json.loads(line) for line in (work / "results.jsonl").read_text().splitlines()]
    return max((r["years"] for r in rows if r.get("step") == "ingest" and not r.get("rc")), default=0)


def report(work: Path) -> None:
    """The markdown tables of a run from ``WORKDIR/results.jsonl``."""
    rows = [json.loads(line) for line in (work / "results.jsonl").read_text().splitlines()]
    print("| year # | ingest s | peak MB | store MB | load |\n|---:|---:|---:|---:|---:|")
    for r in rows:
        if r["step"] == "ingest":
            print(f"| {r['years']} | {r['wall_s']:.1f} | {r['peak_mb']:,.0f} | {r['store_mb']:,.0f} | {r['load1']:.1f} |")
    print("\n| years | step | wall s | peak MB | notes | load |\n|---:|---|---:|---:|---|---:|")
    for r in rows:
        if r["step"] in ("start", "pool", "ingest", "size"):
            continue
        if r.get("rc"):
            print(f"| {r['years']} | {r['step']} | failed: {r.get('error', '')[:80]} | {r['peak_mb']:,.0f} | | |")
            continue
        notes = []
        if "startup_s" in r:
            notes.append(f"start-up {r['startup_s']:.1f} s")
        if "max_year_s" in r:
            notes.append(f"slowest year {r['max_year_s']:.1f} s")
        if r.get("parquet_mb"):
            notes.append(f"Parquet {r['parquet_mb']:,.0f} MB")
        if r.get("rows"):
            notes.append(f"{r['rows']:,} rows")
        print(f"| {r['years']} | {r['step']} | {r['wall_s']:.1f} | {r['peak_mb']:,.0f} | {'; '.join(notes)} | "
              f"{r['load1']:.1f} |")


if __name__ == "__main__":
    main()
