"""Benchmark: Balassa RCA for all exporters × HS6 products of a BACI year.

Two modes:

- ``--store PATH --year 2024`` (the REAL matrix): RCA over the matrix stored in a bilateral store
  (``bilateral ingest baci ../shared/data/baci2024/world_hs6_2024.parquet``), computed by
  ``bilateral.models.indicators.rca_baci`` with no CSV pass, against ecomplexity's RCA on the same
  matrix as a pandas DataFrame already in memory. Load (store → DataFrame) and compute are reported
  separately; runs are interleaved; DuckDB and the numpy BLAS get the same thread count. Results
  must agree to 1e-9 (relative).
- ``CSV`` (a SYNTHETIC year from synth_baci.py): as before, both sides parse the CSV.

bilateral's RCA (DuckDB SQL straight over the CSV) against the `ecomplexity` package's RCA on the
same data, measured in the same run; checks both give the same numbers (max relative difference).
ecomplexity is timed twice: its full `ecomplexity()` call (which also computes ECI/PCI, density
and proximity) and only its RCA steps (`ComplexityData` rectangularise + `calculate_rca`), so the
ratio is not flattered by work bilateral does not do. Both sides include reading the CSV.

    python bench/synth_baci.py /tmp/synth            # SYNTHETIC data, ~10M rows
    python bench/rca_vs_ecomplexity.py /tmp/synth/BACI_HS17_Y2022_V202501.csv
    bilateral ingest baci ../shared/data/baci2024/world_hs6_2024.parquet --store /tmp/baci.duckdb
    python bench/rca_vs_ecomplexity.py --store /tmp/baci.duckdb --year 2024 --threads 2
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from bilateral.indicators.rca import rca_sql


def run_bilateral(path: Path) -> tuple[float, pd.DataFrame]:
    start = time.perf_counter()
    con = duckdb.connect()
    source = (f"SELECT i AS exporter, k AS product, v AS value FROM read_csv('{path}', header=true, "
              "columns={'t':'INTEGER','i':'INTEGER','j':'INTEGER','k':'VARCHAR','v':'DOUBLE','q':'DOUBLE'}, "
              "nullstr='NA')")
    out = con.execute(rca_sql(source)).df()
    return time.perf_counter() - start, out


def run_ecomplexity(path: Path, full: bool) -> tuple[float, pd.DataFrame]:
    from ecomplexity import ecomplexity
    from ecomplexity.ComplexityData import ComplexityData

    start = time.perf_counter()
    df = pd.read_csv(path, dtype={"k": str})
    agg = df.groupby(["t", "i", "k"], as_index=False)["v"].sum()
    cols = {"time": "t", "loc": "i", "prod": "k", "val": "v"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if full:
            res = ecomplexity(agg, cols, verbose=False)
            out = res[["i", "k", "rca"]].rename(columns={"i": "exporter", "k": "product"})
        else:
            cd = ComplexityData(agg, cols, "coerce")
            t = agg["t"].iloc[0]
            cd.create_full_df(t)
            cd.calculate_rca()
            idx = cd.data_t.index
            out = pd.DataFrame({"exporter": idx.get_level_values(0), "product": idx.get_level_values(1),
                                "rca": cd.rca_t.ravel()})
    return time.perf_counter() - start, out


def compare(ours: pd.DataFrame, theirs: pd.DataFrame) -> float:
    m = theirs[theirs.rca > 0].merge(ours, on=["exporter", "product"], suffixes=("_e", "_b"), how="outer")
    if m.rca_e.isna().any() or m.rca_b.isna().any():
        raise AssertionError("the two RCAs disagree on which cells are positive")
    return float(np.max(np.abs(m.rca_b - m.rca_e) / m.rca_e))


def ecomplexity_rca_steps(df: pd.DataFrame) -> tuple[float, float, pd.DataFrame]:
    """ecomplexity's RCA on an in-memory matrix (t, exporter, hs6, value): (aggregate s, RCA s, result)."""
    from ecomplexity.ComplexityData import ComplexityData

    start = time.perf_counter()
    agg = df.groupby(["t", "exporter", "hs6"], as_index=False, observed=True)["value"].sum()
    t_agg = time.perf_counter() - start
    start = time.perf_counter()
    cols = {"time": "t", "loc": "exporter", "prod": "hs6", "val": "value"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cd = ComplexityData(agg, cols, "coerce")
        cd.create_full_df(agg["t"].iloc[0])
        cd.calculate_rca()
    idx = cd.data_t.index
    out = pd.DataFrame({"exporter": idx.get_level_values(0), "product": idx.get_level_values(1),
                        "rca": cd.rca_t.ravel()})
    return t_agg, time.perf_counter() - start, out


def main_store(store: Path, year: int, threads: int, repeat: int, full: bool = False) -> None:
    from bilateral.models.indicators import rca_baci

    con = duckdb.connect(str(store), read_only=True)
    con.execute(f"SET threads = {threads}")
    start = time.perf_counter()
    df = con.execute(
        "SELECT f.t, c.iso3 AS exporter, f.k AS hs6, f.v AS value FROM baci_flows f "
        "JOIN baci_releases r ON r.release = f.release "
        "JOIN baci_countries c ON c.version = r.version AND c.code = f.i WHERE f.t = ?", [year]).df()
    t_load = time.perf_counter() - start
    from bilateral.indicators.rca import rca_matrix
    from bilateral.store.matrix import CACHE_DIR, baci_matrix

    class _Shim:  # what baci_matrix reads from a store
        def __init__(self) -> None:
            self.con, self.path = con, store

    for old in (store.parent / CACHE_DIR).glob("*.parquet"):
        old.unlink()
    start = time.perf_counter()
    matrix = baci_matrix(_Shim(), year)  # type: ignore[arg-type]
    t_cache = time.perf_counter() - start
    assert matrix is not None
    ours_s, cached_s, theirs_s, agg_s = [], [], [], []
    ours = theirs = None
    for _ in range(repeat):  # interleaved
        start = time.perf_counter()
        ours = rca_baci(con, year)
        ours_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        cached = rca_matrix(con, matrix)
        cached_s.append(time.perf_counter() - start)
        a, b, theirs = ecomplexity_rca_steps(df)
        agg_s.append(a)
        theirs_s.append(b)
    assert ours is not None and theirs is not None
    diff = compare(ours, theirs)
    cached_diff = compare(cached, theirs)
    best_theirs = min(a + b for a, b in zip(agg_s, theirs_s, strict=True))
    extra: dict[str, object] = {}
    if full:  # ecomplexity's main function (RCA plus ECI/PCI, density, proximity) on the same frame, once
        from ecomplexity import ecomplexity

        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = ecomplexity(df.groupby(["t", "exporter", "hs6"], as_index=False)["value"].sum(),
                              {"time": "t", "loc": "exporter", "prod": "hs6", "val": "value"}, verbose=False)
        t_full = time.perf_counter() - start
        full_diff = compare(ours, res[["exporter", "hs6", "rca"]].rename(columns={"hs6": "product"}))
        extra = {"ecomplexity_full_call_s": round(t_full, 2), "max_rel_diff_vs_full": full_diff,
                 "speedup_vs_full_call": round(t_full / min(ours_s), 1)}
    print(json.dumps({**extra,
        "mode": "store", "rows": len(df), "rca_cells": len(ours), "threads": threads,
        "load_store_to_pandas_s": round(t_load, 2),
        "bilateral_rca_over_store_s": [round(t, 2) for t in ours_s],
        "ecomplexity_groupby_s": [round(t, 2) for t in agg_s],
        "ecomplexity_rca_steps_s": [round(t, 2) for t in theirs_s],
        "marginal_cache_build_s": round(t_cache, 2),
        "bilateral_rca_cached_marginals_s": [round(t, 2) for t in cached_s],
        "max_rel_diff_cached": cached_diff,
        "speedup_cached_vs_groupby_plus_rca_steps": round(best_theirs / min(cached_s), 1),
        "speedup_cached_vs_rca_steps_only": round(min(theirs_s) / min(cached_s), 1),
        "max_rel_diff": diff, "identical_to_1e-9": max(diff, cached_diff) <= 1e-9,
        "speedup_vs_rca_steps_only": round(min(theirs_s) / min(ours_s), 1),
        "speedup_vs_groupby_plus_rca_steps": round(best_theirs / min(ours_s), 1)}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("csv", type=Path, nargs="?")
    ap.add_argument("--store", type=Path, help="a bilateral store with the matrix loaded (real-data mode)")
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-full", action="store_true", help="skip ecomplexity's full call")
    args = ap.parse_args()
    if args.store is not None:
        main_store(args.store, args.year, args.threads, args.repeat, full=not args.skip_full)
        return
    if args.csv is None:
        ap.error("give a CSV (synthetic mode) or --store PATH (real-data mode)")
    t_ours, ours = run_bilateral(args.csv)
    t_rca, theirs = run_ecomplexity(args.csv, full=False)
    result = {"file": args.csv.name, "rows_rca": len(ours), "bilateral_s": round(t_ours, 2),
              "ecomplexity_rca_steps_s": round(t_rca, 2),
              "max_rel_diff_vs_rca_steps": compare(ours, theirs),
              "speedup_vs_rca_steps": round(t_rca / t_ours, 1)}
    del theirs
    if not args.skip_full:
        t_full, full = run_ecomplexity(args.csv, full=True)
        result.update({"ecomplexity_full_s": round(t_full, 2), "max_rel_diff_vs_full": compare(ours, full),
                       "speedup_vs_full": round(t_full / t_ours, 1)})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
