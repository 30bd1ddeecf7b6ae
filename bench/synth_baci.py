"""SYNTHETIC BACI year generator: writes a CEPII BACI yearly file in the real layout.

THE DATA ARE SYNTHETIC (random, seeded), for benchmarks and tests only; they are not trade
statistics. Layout as published: ``BACI_HS17_Y<year>_V<release>.csv`` with header ``t,i,j,k,v,q``
(v in thousands of US dollars, q in metric tons, k a 6-character HS6 code with leading zeros),
plus ``country_codes_V<release>.csv`` and ``product_codes_HS17_V<release>.csv``.

Shape: about 200 exporters/importers × 5,000 HS6 products, heavy-tailed country sizes and product
popularity (log-normal), gravity-like values, about 10 million non-zero cells by default.

    python bench/synth_baci.py OUT_DIR [--rows 10000000] [--seed 7] [--year 2022]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

RELEASE = "V202501"
N_COUNTRIES = 200
N_PRODUCTS = 5000
MISSING_QUANTITY_SHARE = 0.03


def product_codes(rng: np.random.Generator, n: int) -> np.ndarray:
    chapters = np.array([c for c in range(1, 98) if c != 77])
    codes: set[str] = set()
    while len(codes) < n:
        c = rng.choice(chapters)
        codes.add(f"{c:02d}{rng.integers(1, 100):02d}{rng.integers(0, 100):02d}")
    return np.array(sorted(codes))


def generate(out: Path, rows: int = 10_000_000, seed: int = 7, year: int = 2022) -> Path:
    """Write one synthetic BACI year into ``out``; returns the path of the flows file."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    countries = np.sort(rng.choice(np.arange(4, 900), size=N_COUNTRIES, replace=False))
    products = product_codes(rng, N_PRODUCTS)
    size = rng.lognormal(0.0, 1.6, N_COUNTRIES)
    popularity = rng.lognormal(0.0, 1.2, N_PRODUCTS)
    key = np.empty(0, dtype=np.int64)
    while key.size < rows:  # heavy tails collide often: draw until enough distinct cells
        draws = int((rows - key.size) * 1.5) + 1000
        i = rng.choice(N_COUNTRIES, size=draws, p=size / size.sum())
        j = rng.choice(N_COUNTRIES, size=draws, p=size / size.sum())
        k = rng.choice(N_PRODUCTS, size=draws, p=popularity / popularity.sum())
        keep = i != j
        new = (i[keep].astype(np.int64) * N_COUNTRIES + j[keep]) * N_PRODUCTS + k[keep]
        key = np.unique(np.concatenate([key, new]))
    key = rng.permutation(key)[:rows]
    key = np.sort(key)
    kk = key % N_PRODUCTS
    jj = (key // N_PRODUCTS) % N_COUNTRIES
    ii = key // (N_PRODUCTS * N_COUNTRIES)
    gravity = np.sqrt(size[ii] * size[jj])
    v = np.round(rng.lognormal(2.0, 2.2, key.size) * gravity, 3) + 0.001
    q = np.round(v * rng.lognormal(-1.0, 1.5, key.size), 3)
    # as published: three decimals, and a missing quantity written NA (padded in some releases)
    v_text = pa.array(v).cast(pa.decimal128(18, 3)).cast(pa.string())
    q_text = pa.array(q).cast(pa.decimal128(18, 3)).cast(pa.string()).to_numpy(zero_copy_only=False)
    missing = rng.random(key.size) < MISSING_QUANTITY_SHARE
    q_text[missing] = np.where(rng.random(int(missing.sum())) < 0.5, "NA", "          NA")
    table = pa.table({
        "t": pa.array(np.full(key.size, year, dtype=np.int32)),
        "i": pa.array(countries[ii].astype(np.int32)),
        "j": pa.array(countries[jj].astype(np.int32)),
        "k": pa.array(products[kk]),
        "v": v_text,
        "q": pa.array(q_text, type=pa.string()),
    })
    path = out / f"BACI_HS17_Y{year}_{RELEASE}.csv"
    with path.open("wb") as fh:  # BACI's header is unquoted: t,i,j,k,v,q
        fh.write(b"t,i,j,k,v,q\n")
        pacsv.write_csv(table, fh, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    names = [f"Synthetic country {c}" for c in countries]
    pacsv.write_csv(pa.table({
        "country_code": pa.array(countries.astype(np.int32)), "country_name": names,
        "country_iso2": [f"Z{n % 26 + 65:c}" for n in range(N_COUNTRIES)],
        "country_iso3": [f"Z{n // 26 + 65:c}{n % 26 + 65:c}" for n in range(N_COUNTRIES)],
    }), out / f"country_codes_{RELEASE}.csv")
    pacsv.write_csv(pa.table({"code": products, "description": [f"Synthetic product {p}" for p in products]}),
                    out / f"product_codes_HS17_{RELEASE}.csv")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--year", type=int, default=2022)
    args = ap.parse_args()
    path = generate(args.out, args.rows, args.seed, args.year)
    print(f"wrote SYNTHETIC {path}")


if __name__ == "__main__":
    main()
