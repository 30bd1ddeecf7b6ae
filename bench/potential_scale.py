"""Benchmark: export potential on the REAL CEPII BACI 2024 matrix (../shared/data/baci2024/world_hs6_2024.parquet,
9,933,867 rows), bilateral's SQL (DuckDB) against a straightforward pandas implementation of the same
formulas, measured in the same run and checked for equal results.

Cases (each: load and compute reported separately; runs interleaved, ours/pandas/ours/pandas…):
- ``one``: one exporter (IND) against every market, every product;
- ``market``: every exporter against one market (RUS), every product;
- ``all``: every exporter × every market × every product (DuckDB only: the pandas version does not fit
  in memory on this machine), run in a child process so its peak memory (ru_maxrss) is its own.
  The result (~10^8 cells) is aggregated to exporter × market totals and written to Parquet.

Three pandas baselines, all checked equal to the first: the straightforward one (``pd.read_parquet``'s
default dtypes, object strings in pandas 2.x; both marginals aggregated over the whole matrix, as the
formulas are written); the same with the SQL's single-pass shortcut; and that with Arrow-backed strings.
Both sides use the same growth factors (bilateral.models.potential.growth_factors) and parameters, and
the same thread count (DuckDB ``threads``; pandas is single-threaded by construction).

    bilateral ingest baci ../shared/data/baci2024/world_hs6_2024.parquet --store /tmp/baci.duckdb
    python bench/potential_scale.py [--matrix PATH] [--store /tmp/baci.duckdb] [--repeat 2] [--threads 2]
                                    [--cases one,market,all]

Modes of the DuckDB side: ``table`` (the Parquet loaded into a plain DuckDB table, ISO3 strings) and
``store`` (the matrix as ``bilateral ingest baci`` stores it: numeric country codes, values in
thousands; the relations of bilateral.store.matrix.baci_matrix) and ``store_cached`` (the same with
its marginals cached as Parquet beside the store, as the CLI does after its first read; the cache
build is timed apart). The pandas side always starts from
the DataFrame in memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from bilateral.models.potential import Parameters, growth_factors, parameters, potential_sql
from bilateral.store.matrix import WorldMatrix, baci_matrix


def core_parameters() -> Parameters:
    """The parameters with every product in scope: these cases time the method's core (shares, ease,
    growth), as the pandas baselines below write it; the full method with the capacity rule and the
    distance term is timed by bench/potential_all.py against its own baseline."""
    return replace(parameters(), capacity_rca_min=0.0, capacity_min_exports_usd=0.0)


DEFAULT_MATRIX = Path(__file__).resolve().parents[2] / "shared" / "data" / "baci2024" / "world_hs6_2024.parquet"
KEYS = ["exporter", "importer", "hs6"]


def table_matrix(table: str = "world") -> WorldMatrix:
    flows = f"SELECT exporter, importer, hs6, value_usd FROM {table}"
    return WorldMatrix(
        year=2024, source="parquet", release="bench", flows=flows,
        exports=f"SELECT exporter, hs6, sum(value_usd) AS value_usd FROM {table} GROUP BY ALL",
        imports=f"SELECT importer, hs6, sum(value_usd) AS value_usd FROM {table} GROUP BY ALL")


def load_duckdb(path: Path, threads: int, memory: str = "3GB") -> tuple[float, duckdb.DuckDBPyConnection]:
    start = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute(f"SET memory_limit = '{memory}'")
    con.execute(f"CREATE TABLE world AS SELECT exporter, importer, hs6, value_usd FROM read_parquet('{path}')")
    return time.perf_counter() - start, con


def growth_table(codes: list[str], params: Parameters) -> pa.Table:
    g = growth_factors(codes, params)
    return pa.table({"iso3": list(g), "supply_factor": [v[0] for v in g.values()],
                     "demand_factor": [v[1] for v in g.values()]})


class _StoreShim:
    """What baci_matrix reads from a store: its DuckDB connection (and its path, for the cache)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path | None = None) -> None:
        self.con = con
        self.path = path


def run_duckdb(con: duckdb.DuckDBPyConnection, exporters: list[str] | None, markets: list[str] | None,
               params: Parameters, matrix: WorldMatrix | None = None) -> tuple[float, pd.DataFrame]:
    start = time.perf_counter()
    sql = potential_sql(matrix or table_matrix(), exporters, markets, params, growth="SELECT * FROM growth")
    # fetched as Arrow (as the pandas side keeps Arrow-backed strings); converted for the check, untimed
    out = con.sql(f"SELECT exporter, importer, hs6, actual, potential, untapped FROM ({sql})").to_arrow_table()
    elapsed = time.perf_counter() - start
    return elapsed, out.to_pandas()


def load_pandas(path: Path, arrow_strings: bool) -> tuple[float, pd.DataFrame]:
    """The matrix as a DataFrame: pandas' default dtypes (object strings, as ``pd.read_parquet`` gives
    in pandas 2.x) or Arrow-backed strings (the faster, tuned variant)."""
    start = time.perf_counter()
    if arrow_strings:
        df = pq.read_table(path, columns=["exporter", "importer", "hs6", "value_usd"]).to_pandas(
            types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    else:
        df = pd.read_parquet(path, columns=["exporter", "importer", "hs6", "value_usd"])
    return time.perf_counter() - start, df


def run_pandas(df: pd.DataFrame, exporters: list[str] | None, markets: list[str] | None, params: Parameters,
               growth: pd.DataFrame, single_pass: bool = True) -> tuple[float, pd.DataFrame]:
    """The same formulas in pandas (groupby, merge, vector arithmetic).

    ``single_pass``: the SQL's shortcut (one full aggregation of the matrix: x_ik from the exporters'
    own rows when exporters are given). Without it, the formulas as written: both marginals
    aggregated over the whole matrix (the straightforward implementation).
    """
    start = time.perf_counter()
    if not single_pass:
        xk = df.groupby(["exporter", "hs6"], as_index=False)["value_usd"].sum().rename(columns={"value_usd": "x_ik"})
        wk = xk.groupby("hs6", as_index=False)["x_ik"].sum().rename(columns={"x_ik": "w_k"})
        mall = df.groupby(["importer", "hs6"], as_index=False)["value_usd"].sum().rename(
            columns={"value_usd": "m_jk"})
        mk = mall if markets is None else mall[mall.importer.isin(markets)]
        xi = xk if exporters is None else xk[xk.exporter.isin(exporters)]
    elif exporters is not None:
        mall = df.groupby(["importer", "hs6"], as_index=False)["value_usd"].sum().rename(
            columns={"value_usd": "m_jk"})
        wk = mall.groupby("hs6", as_index=False)["m_jk"].sum().rename(columns={"m_jk": "w_k"})
        mk = mall if markets is None else mall[mall.importer.isin(markets)]
        xi = df[df.exporter.isin(exporters)].groupby(["exporter", "hs6"], as_index=False)["value_usd"].sum().rename(
            columns={"value_usd": "x_ik"})
    else:
        xi = df.groupby(["exporter", "hs6"], as_index=False)["value_usd"].sum().rename(columns={"value_usd": "x_ik"})
        wk = xi.groupby("hs6", as_index=False)["x_ik"].sum().rename(columns={"x_ik": "w_k"})
        mk = df if markets is None else df[df.importer.isin(markets)]
        mk = mk.groupby(["importer", "hs6"], as_index=False)["value_usd"].sum().rename(columns={"value_usd": "m_jk"})
    mk = mk[mk.m_jk > 0]
    xi = xi[xi.x_ik > 0]
    sel = df
    if exporters is not None:
        sel = sel[sel.exporter.isin(exporters)]
    if markets is not None:
        sel = sel[sel.importer.isin(markets)]
    bil = sel.groupby(KEYS, as_index=False)["value_usd"].sum().rename(columns={"value_usd": "x_ijk"})
    cells = xi.merge(wk, on="hs6").merge(mk, on="hs6")
    cells = cells[cells.importer != cells.exporter]
    cells = cells.merge(bil, on=KEYS, how="left")
    cells["actual"] = cells.x_ijk.fillna(0.0)
    denom = cells.w_k - cells.m_jk
    cells["share"] = ((cells.x_ik - cells.actual) / denom.where(denom != 0)).fillna(0.0)
    cells["h"] = cells.share * cells.m_jk
    ease = cells.groupby(["exporter", "importer"], as_index=False).agg(a=("actual", "sum"), h=("h", "sum"))
    ease["ease"] = (ease.a / ease.h.where(ease.h != 0)).fillna(params.ease_min).clip(params.ease_min, params.ease_max)
    cells = cells.merge(ease[["exporter", "importer", "ease"]], on=["exporter", "importer"])
    cells = cells.merge(growth.rename(columns={"iso3": "exporter"})[["exporter", "supply_factor"]], on="exporter",
                        how="left")
    cells = cells.merge(growth.rename(columns={"iso3": "importer"})[["importer", "demand_factor"]], on="importer",
                        how="left")
    cells["potential"] = (cells.share * cells.supply_factor.fillna(1.0) * cells.m_jk * cells.demand_factor.fillna(1.0)
                          * params.tariff_factor * cells.ease)
    cells["untapped"] = (cells.potential - cells.actual).clip(lower=0.0)
    out = cells[["exporter", "importer", "hs6", "actual", "potential", "untapped"]].reset_index(drop=True)
    return time.perf_counter() - start, out


def compare(ours: pd.DataFrame, theirs: pd.DataFrame) -> dict[str, Any]:
    a = ours.assign(**{k: ours[k].astype(str) for k in KEYS})
    b = theirs.assign(**{k: theirs[k].astype(str) for k in KEYS})
    m = a.merge(b, on=KEYS, how="outer", suffixes=("_sql", "_pd"), indicator=True)
    only = int((m["_merge"] != "both").sum())
    both = m[m["_merge"] == "both"]
    scale = np.maximum(np.abs(both.potential_pd.to_numpy()), 1.0)
    rel = float(np.max(np.abs(both.potential_sql.to_numpy() - both.potential_pd.to_numpy()) / scale)) if len(both) else 0.0
    return {"cells": len(ours), "cells_only_one_side": only, "max_rel_diff_potential": rel}


def case_args(case: str) -> tuple[list[str] | None, list[str] | None]:
    return {"one": (["IND"], None), "market": (None, ["RUS"]), "all": (None, None)}[case]


def run_all_child(path: Path, threads: int, out: Path) -> None:
    """Child process: every exporter × market × product, aggregated to pair totals; prints JSON."""
    params = core_parameters()
    t_load, con = load_duckdb(path, threads)
    codes = [r[0] for r in con.execute(
        "SELECT DISTINCT exporter FROM world UNION SELECT DISTINCT importer FROM world").fetchall()]
    con.register("growth", growth_table(codes, params))
    start = time.perf_counter()
    sql = potential_sql(table_matrix(), None, None, params, growth="SELECT * FROM growth")
    con.execute(f"""COPY (SELECT exporter, importer, count(*) AS products, sum(actual) AS actual_usd,
                        sum(potential) AS potential_usd, sum(untapped) AS untapped_usd
                        FROM ({sql}) GROUP BY ALL ORDER BY exporter, importer)
                    TO '{out}' (FORMAT PARQUET)""")
    t_compute = time.perf_counter() - start
    cells, pairs = con.execute(f"SELECT sum(products), count(*) FROM read_parquet('{out}')").fetchall()[0]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"case": "all", "threads": threads, "load_s": round(t_load, 2), "compute_s": round(t_compute, 2),
                      "cells": int(cells), "pairs": int(pairs), "peak_rss_mb": round(peak_mb)}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--matrix", type=Path, default=DEFAULT_MATRIX)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cases", default="one,market,all")
    ap.add_argument("--store", type=Path, help="also run over this bilateral store (BACI 2024 ingested)")
    ap.add_argument("--child-all", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_all:
        run_all_child(args.matrix, args.threads, args.child_all)
        return
    cases = args.cases.split(",")
    params = core_parameters()
    results: list[dict[str, Any]] = []
    small = [c for c in cases if c != "all"]
    if small:
        t_load_sql, con = load_duckdb(args.matrix, args.threads)
        t_load_pd, df = load_pandas(args.matrix, arrow_strings=True)
        t_load_obj, df_obj = load_pandas(args.matrix, arrow_strings=False)
        codes = sorted(set(df.exporter.unique()) | set(df.importer.unique()))
        g = growth_table(codes, params)
        con.register("growth", g)
        gdf = g.to_pandas()
        print(json.dumps({"load_duckdb_table_s": round(t_load_sql, 2), "load_pandas_arrow_s": round(t_load_pd, 2),
                          "load_pandas_default_s": round(t_load_obj, 2), "rows": len(df),
                          "threads": args.threads}), flush=True)
        modes: list[tuple[str, duckdb.DuckDBPyConnection, WorldMatrix | None]] = [("table", con, None)]
        if args.store is not None:  # the matrix as `bilateral ingest baci` stores it
            scon = duckdb.connect(str(args.store), read_only=True)
            scon.execute(f"SET threads = {args.threads}")
            scon.register("growth", g)
            smatrix = baci_matrix(_StoreShim(scon), 2024)
            assert smatrix is not None, "no BACI 2024 in the store"
            modes.append(("store", scon, smatrix))
            # the marginals cached beside the store (computed once per loaded release): build timed apart
            cache = args.store.parent / ".bilateral-cache"
            for old in cache.glob("*.parquet"):
                old.unlink()
            start = time.perf_counter()
            cmatrix = baci_matrix(_StoreShim(scon, args.store), 2024)
            print(json.dumps({"marginal_cache_build_s": round(time.perf_counter() - start, 2)}), flush=True)
            assert cmatrix is not None
            modes.append(("store_cached", scon, cmatrix))
        variants = {"pandas_default_dtypes_straightforward": (df_obj, False),
                    "pandas_default_dtypes_single_pass": (df_obj, True),
                    "pandas_arrow_strings_single_pass": (df, True)}
        for case in small:
            ex, mk = case_args(case)
            times: dict[str, list[float]] = {f"duckdb_{m}": [] for m, _, _ in modes} | {v: [] for v in variants}
            outs: dict[str, pd.DataFrame] = {}
            for _ in range(args.repeat):  # interleaved: every implementation once per round
                for mode, mcon, matrix in modes:
                    t, outs[f"duckdb_{mode}"] = run_duckdb(mcon, ex, mk, params, matrix)
                    times[f"duckdb_{mode}"].append(t)
                for name, (frame, single) in variants.items():
                    t, outs[name] = run_pandas(frame, ex, mk, params, gdf, single_pass=single)
                    times[name].append(t)
            ref = outs["pandas_default_dtypes_straightforward"]
            checks = {name: compare(out, ref) for name, out in outs.items() if name != "pandas_default_dtypes_straightforward"}
            best_duckdb = min(min(times[f"duckdb_{m}"]) for m, _, _ in modes)
            r: dict[str, Any] = {
                "case": case, "cells": len(ref), "compute_s": {k: [round(t, 2) for t in v] for k, v in times.items()},
                "speedup_best_duckdb_vs": {v: round(min(times[v]) / best_duckdb, 1) for v in variants},
                "max_rel_diff_vs_straightforward": max(c["max_rel_diff_potential"] for c in checks.values()),
                "cells_only_one_side": max(c["cells_only_one_side"] for c in checks.values())}
            results.append(r)
            print(json.dumps(r), flush=True)
        con.close()
        del df
    if "all" in cases:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "pairs.parquet"
            start = time.perf_counter()
            proc = subprocess.run([sys.executable, __file__, "--matrix", str(args.matrix), "--threads",
                                   str(args.threads), "--child-all", str(out)], capture_output=True, text=True)
            wall = time.perf_counter() - start
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                raise SystemExit(proc.returncode)
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            r["wall_s"] = round(wall, 2)
            print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
