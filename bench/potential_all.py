"""Baseline for `bilateral potential --all`: the same method in pandas, chunked by exporter, marginals once.

Every exporter × market × HS6 in scope of the REAL CEPII BACI 2024 matrix
(../shared/data/baci2024/world_hs6_2024.parquet, 9,933,867 rows), written to one Parquet file with
the columns the command writes. A competent pandas implementation: typed columns (categoricals
for the codes), the marginals (exports and imports by country × HS6, world totals, RCA, each
market's trade-weighted supplier distance) computed once over the whole matrix, then one chunk per
exporter (its products in scope × every market importing them, its bilateral cells, the pair
factors), each chunk appended to the Parquet file. Same inputs as the command: the growth factors,
GeoDist distances and India's national supply come from the library (bilateral.models.potential),
so the two differ only in how they compute. pandas is single-threaded; DuckDB's thread count is
stated by the command.

    # A: the command; B: this baseline (time both whole processes, interleaved, e.g. with /usr/bin/time -v)
    bilateral potential --all --matrix ../shared/data/baci2024/world_hs6_2024.parquet --year 2024 --out a.parquet
    python bench/potential_all.py --matrix ../shared/data/baci2024/world_hs6_2024.parquet --out b.parquet
    python bench/potential_all.py --check a.parquet b.parquet     # equal to 1e-9?
    # or all of it: N interleaved rounds A B (and P, DuckDB's bare read of the file: A's parse), medians, check
    python bench/potential_all.py --bench 3 --workdir /tmp/pa

Each run is a whole process; its wall time is read around it, its CPU (user + sys) and peak memory
(max RSS) from the kernel's accounting of that child (os.wait4). Parse and compute apart: B prints
its own load time (Parquet read and typed); A reads the file inside its queries, so its parse is
measured as P, DuckDB reading the same columns of the same file into a table (same threads) in its
own process in the same round.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

SHARED = Path(os.environ.get("BILATERAL_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
DEFAULT_MATRIX = SHARED / "baci2024" / "world_hs6_2024.parquet"
COLUMNS = ("exporter", "importer", "hs6", "national", "rca", "x_ik", "m_jk", "actual", "share", "dist_km",
           "supplier_km", "distance_factor", "ease", "supply_growth", "demand_growth", "potential", "untapped")
KEYS = ["exporter", "importer", "hs6"]


def inputs(store: Path | None) -> tuple[Any, dict[str, tuple[float, float]], pd.DataFrame, dict[tuple[str, str], float]]:
    """Parameters, growth factors, distances and national supply, as the command takes them."""
    from bilateral.models.potential import parameters
    from bilateral.models.potential.parameters import growth_of_every_country
    from bilateral.store.matrix import distances_table

    params = parameters()
    national: dict[tuple[str, str], float] = {}
    if store is not None and params.supply_side == "national":
        from bilateral.api import open_store
        from bilateral.models.potential.supply import national_supply

        with open_store(store, read_only=True) as s:
            supply = national_supply(s, "IND", 2024, ("DEU", "ESP", "FRA", "GBR", "NLD", "USA"))
        if supply is not None:
            national = {("IND", k): v for k, v in supply.values.items()}
    return params, growth_of_every_country(params), distances_table().to_pandas(), national


def run(matrix: Path, out: Path, store: Path | None) -> dict[str, float]:
    t0 = time.perf_counter()
    params, growth, dist, national = inputs(store)
    df = pq.read_table(matrix, columns=["exporter", "importer", "hs6", "value_usd"]).to_pandas()
    # typed: one category set for both country columns (their codes index the distance matrix), HS6 as category
    countries = pd.CategoricalDtype(sorted(set(df.exporter.unique()) | set(df.importer.unique())))
    df["exporter"] = df.exporter.astype(countries)
    df["importer"] = df.importer.astype(countries)
    df["hs6"] = df.hs6.astype("category")
    df = df[df.value_usd > 0]
    t_load = time.perf_counter() - t0
    # -- marginals, once
    names = list(countries.categories)
    pos = {c: i for i, c in enumerate(names)}
    dmat = np.full((len(names), len(names)), np.nan)
    for e, i, km in dist.itertuples(index=False):
        if e in pos and i in pos:
            dmat[pos[e], pos[i]] = km
    ecode, icode = df.exporter.cat.codes.to_numpy(), df.importer.cat.codes.to_numpy()
    d = dmat[ecode, icode]
    v = df.value_usd.to_numpy()
    sd = pd.DataFrame({"importer": df.importer, "hs6": df.hs6, "vd": np.where(np.isnan(d), 0.0, v * d),
                       "vk": np.where(np.isnan(d), 0.0, v)}).groupby(["importer", "hs6"], observed=True).sum()
    supplier_km = (sd.vd / sd.vk.where(sd.vk != 0)).rename("supplier_km")
    mk = df.groupby(["importer", "hs6"], observed=True)["value_usd"].sum().rename("m_jk")
    mk = pd.concat([mk, supplier_km], axis=1).reset_index()
    mk = mk[mk.m_jk > 0]
    mk["importer"] = mk.importer.astype(str)
    mk["hs6"] = mk.hs6.astype(str)
    xs = df.groupby(["exporter", "hs6"], observed=True)["value_usd"].sum().rename("x_matrix").reset_index()
    xs = xs.astype({"exporter": str, "hs6": str})
    if national:
        nat = pd.DataFrame([(e, k, val) for (e, k), val in national.items()], columns=["exporter", "hs6", "x_nat"])
        nat = nat[nat.hs6.isin(set(xs.hs6))]
        xs = xs.merge(nat, on=["exporter", "hs6"], how="outer")
    else:
        xs["x_nat"] = np.nan
    xs["national"] = xs.x_nat.notna()
    xs["x_ik"] = xs.x_nat.where(xs.national, xs.x_matrix)
    xs = xs[xs.x_ik > 0]
    wk = xs.groupby("hs6")["x_ik"].sum().rename("w_k")
    xt = xs.groupby("exporter")["x_ik"].sum().rename("x_i")
    w = xs.x_ik.sum()
    xs = xs.join(wk, on="hs6").join(xt, on="exporter")
    xs["rca"] = (xs.x_ik / xs.x_i) / (xs.w_k / w)
    rca_ok = xs.rca >= params.capacity_rca_min if params.capacity_rca_min > 0 else True
    exp_ok = xs.x_ik >= params.capacity_min_exports_usd if params.capacity_min_exports_usd > 0 else True
    scope = xs[(rca_ok & exp_ok) if params.capacity_rule == "all" else (rca_ok | exp_ok)]
    # each exporter's bilateral cells: one sort, then slices
    order = np.argsort(ecode, kind="stable")
    starts = np.searchsorted(ecode[order], np.arange(len(names) + 1))
    imp_s, hs_s, v_s = df.importer.to_numpy()[order], df.hs6.to_numpy()[order], v[order]
    g = pd.DataFrame([(c, val[0], val[1]) for c, val in growth.items()], columns=["iso3", "sg", "dg"]).set_index("iso3")
    t_marginals = time.perf_counter() - t0 - t_load
    # -- one chunk per exporter
    writer = None
    rows = 0
    tmp = out.with_name(out.name + ".part")
    try:
        for ex, xi in scope.groupby("exporter", sort=True):
            c = xi[["exporter", "hs6", "national", "rca", "x_ik", "w_k"]].merge(mk, on="hs6")
            c = c[c.importer != ex]
            if c.empty:
                continue
            a, b = starts[pos[ex]], starts[pos[ex] + 1]
            bil = pd.DataFrame({"importer": np.asarray(imp_s[a:b], dtype=object),
                                "hs6": np.asarray(hs_s[a:b], dtype=object),
                                "x_ijk": v_s[a:b]})
            c = c.merge(bil, on=["importer", "hs6"], how="left")
            c["actual"] = c.x_ijk.fillna(0.0)
            denom = c.w_k - c.m_jk
            c["share"] = ((c.x_ik - c.actual).clip(lower=0.0) / denom.where(denom != 0)).fillna(0.0)
            c["dist_km"] = c.importer.map(pd.Series(dmat[pos[ex]], index=names))
            ok = (c.dist_km > 0) & (c.supplier_km > 0)
            c["distance_factor"] = np.where(ok, (c.dist_km / c.supplier_km) ** (-params.distance_elasticity), 1.0)
            c["h"] = c.share * c.m_jk * c.distance_factor * params.tariff_factor
            pair = c.groupby("importer", as_index=False).agg(a=("actual", "sum"), h=("h", "sum"))
            pair["ease"] = (pair.a / pair.h.where(pair.h != 0)).fillna(params.ease_min).clip(
                params.ease_min, params.ease_max)
            c = c.merge(pair[["importer", "ease"]], on="importer")
            c["supply_growth"] = g.sg.get(ex, 1.0)
            c["demand_growth"] = c.importer.map(g.dg).fillna(1.0)
            c["potential"] = (c.share * c.supply_growth * c.m_jk * c.demand_growth * params.tariff_factor
                              * c.distance_factor * c.ease)
            c["untapped"] = (c.potential - c.actual).clip(lower=0.0)
            table = pa.Table.from_pandas(c[list(COLUMNS)], preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
            writer.write_table(table)
            rows += len(c)
    finally:
        if writer is not None:
            writer.close()
    tmp.replace(out)
    return {"load_s": round(t_load, 2), "marginals_s": round(t_marginals, 2),
            "total_s": round(time.perf_counter() - t0, 2), "rows": rows}


def check(a: Path, b: Path) -> dict[str, Any]:
    """Compare two outputs cell by cell: rows on one side only, max relative difference of potential."""
    x = pq.read_table(a, columns=[*KEYS, "potential", "untapped"]).to_pandas()
    y = pq.read_table(b, columns=[*KEYS, "potential", "untapped"]).to_pandas()
    m = x.merge(y, on=KEYS, how="outer", suffixes=("_a", "_b"), indicator=True)
    both = m[m["_merge"] == "both"]
    scale = np.maximum(np.abs(both.potential_b.to_numpy()), 1.0)
    return {"rows_a": len(x), "rows_b": len(y), "one_side_only": int((m["_merge"] != "both").sum()),
            "max_rel_diff_potential": float(np.max(np.abs(both.potential_a - both.potential_b) / scale))}


def _timed(cmd: list[str], log: Path) -> dict[str, float]:
    """Run ``cmd`` as a child (output to ``log``): wall s, cpu s (user + sys) and peak MiB of that child."""
    import subprocess

    with log.open("ab") as fh:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"error: {' '.join(cmd)} exited {proc.returncode}; see {log}")
    return {"wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "peak_mib": ru.ru_maxrss / 1024}


def bench(matrix: Path, rounds: int, workdir: Path, store: Path) -> dict[str, Any]:
    """``rounds`` interleaved rounds of A (the command), B (this baseline) and P (DuckDB's read of the file)."""
    import json
    import shutil
    import statistics

    from bilateral.api import open_store

    workdir.mkdir(parents=True, exist_ok=True)
    open_store(store).close()  # made (and the embedded release loaded) before, not in, the first timed run
    log = workdir / "bench.log"
    exe = Path(sys.executable)
    cli = shutil.which("bilateral", path=str(exe.parent)) or "bilateral"
    a_cmd = [cli, "potential", "--all", "--matrix", str(matrix), "--year", "2024", "--out", str(workdir / "a.parquet"),
             "--store", str(store)]
    b_cmd = [str(exe), __file__, "--matrix", str(matrix), "--out", str(workdir / "b.parquet"), "--store", str(store)]
    p_cmd = [str(exe), "-c", "import duckdb, sys; duckdb.connect().execute(\"CREATE TABLE f AS SELECT exporter, "
             "importer, hs6, value_usd FROM read_parquet(?)\", [sys.argv[1]])", str(matrix)]
    runs: dict[str, list[dict[str, float]]] = {"A": [], "B": [], "P": []}
    b_load: list[float] = []
    for n in range(rounds):
        for name, cmd in (("A", a_cmd), ("B", b_cmd), ("P", p_cmd)):
            r = _timed(cmd, log)
            runs[name].append(r)
            print(json.dumps({"round": n + 1, "run": name, **{k: round(v, 2) for k, v in r.items()},
                              "load_avg_1m": os.getloadavg()[0]}), flush=True)
        last = [line for line in log.read_text().splitlines() if line.startswith("{'load_s'")]
        b_load.append(float(last[-1].split("'load_s': ")[1].split(",")[0]))

    def med(name: str, key: str) -> float:
        return round(statistics.median(r[key] for r in runs[name]), 2)

    ratios = [b["wall_s"] / a["wall_s"] for a, b in zip(runs["A"], runs["B"], strict=True)]
    return {"rounds": rounds, "threads_duckdb": os.cpu_count(), "threads_pandas": 1,
            "A_wall_s": med("A", "wall_s"), "B_wall_s": med("B", "wall_s"),
            "B_over_A_wall_paired_median": round(statistics.median(ratios), 2),
            "B_over_A_wall_paired": [round(x, 2) for x in ratios],
            "A_cpu_s": med("A", "cpu_s"), "B_cpu_s": med("B", "cpu_s"),
            "A_peak_mib": med("A", "peak_mib"), "B_peak_mib": med("B", "peak_mib"),
            "A_parse_s (P: DuckDB reads the file)": med("P", "wall_s"),
            "A_compute_s (A - P)": round(med("A", "wall_s") - med("P", "wall_s"), 2),
            "B_parse_s (its load_s)": round(statistics.median(b_load), 2),
            "B_compute_s": round(med("B", "wall_s") - statistics.median(b_load), 2),
            "check": check(workdir / "a.parquet", workdir / "b.parquet")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--matrix", type=Path, default=DEFAULT_MATRIX)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--store", type=Path, help="store holding India's national exports (default: $BILATERAL_STORE)")
    ap.add_argument("--check", nargs=2, type=Path, metavar=("A", "B"))
    ap.add_argument("--bench", type=int, metavar="ROUNDS", help="interleaved rounds of A (the command) and B (this)")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/potential-all-bench"))
    args = ap.parse_args()
    if args.check:
        print(check(*args.check))
        return
    if args.bench:
        from bilateral.store.db import default_store_path

        print(bench(args.matrix, args.bench, args.workdir, args.store or default_store_path()))
        return
    if args.out is None:
        sys.exit("give --out FILE.parquet")
    store = args.store
    if store is None:
        from bilateral.store.db import default_store_path

        store = default_store_path()
    print(run(args.matrix, args.out, store))


if __name__ == "__main__":
    main()
