"""Benchmark: Balassa RCA for all exporters × HS6 products of a (SYNTHETIC) BACI year.

bilateral's RCA (DuckDB SQL straight over the CSV) against the `ecomplexity` package's RCA on the
same data, measured in the same run; checks both give the same numbers (max relative difference).
ecomplexity is timed twice: its full `ecomplexity()` call (which also computes ECI/PCI, density
and proximity) and only its RCA steps (`ComplexityData` rectangularise + `calculate_rca`), so the
ratio is not flattered by work bilateral does not do. Both sides include reading the CSV.

    python bench/synth_baci.py /tmp/synth            # SYNTHETIC data, ~10M rows
    python bench/rca_vs_ecomplexity.py /tmp/synth/BACI_HS17_Y2022_V202501.csv
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("csv", type=Path)
    ap.add_argument("--skip-full", action="store_true", help="skip ecomplexity's full call")
    args = ap.parse_args()
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
