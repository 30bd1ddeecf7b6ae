"""SYNTHETIC BACI year generator: writes a CEPII BACI yearly file in the real layout.

THE DATA ARE SYNTHETIC (random, seeded), for benchmarks and tests only; they are not trade
statistics. Layout as published: ``BACI_HS17_Y<year>_V<release>.csv`` with header ``t,i,j,k,v,q``
(v in thousands of US dollars, q in metric tons, k a 6-character HS6 code with leading zeros),
plus ``country_codes_V<release>.csv`` and ``product_codes_HS17_V<release>.csv``.

Shape: about 200 exporters/importers × 5,000 HS6 products, heavy-tailed country sizes and product
popularity (log-normal), gravity-like values, about 10 million non-zero cells by default.

    python bench/synth_baci.py OUT_DIR [--rows 10000000] [--seed 7] [--year 2022] [--universe-seed 7]

``--country-codes FILE`` takes the countries from a real CEPII country codes file (India always among
them), so that commands taking an ISO3 code run; the flows stay SYNTHETIC. ``--universe-seed`` fixes
the countries, products, country sizes and product popularity apart from the flows' seed, so that
the years of a SYNTHETIC panel (one seed per year) share one universe and one pair of code files,
as BACI's years do (``bench/history_panel.py``). Without it both come from ``--seed``.
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
INDIA = 699  # BACI's numeric code, kept in a universe of real country codes


def product_codes(rng: np.random.Generator, n: int) -> np.ndarray:
    chapters = np.array([c for c in range(1, 98) if c != 77])
    codes: set[str] = set()
    while len(codes) < n:
        c = rng.choice(chapters)
        codes.add(f"{c:02d}{rng.integers(1, 100):02d}{rng.integers(0, 100):02d}")
    return np.array(sorted(codes))


def real_countries(path: Path) -> dict[int, tuple[str, str, str]]:
    """BACI's numeric code → (name, ISO2, ISO3) from a CEPII ``country_codes`` file (either layout)."""
    table = pacsv.read_csv(path).to_pylist()
    out = {}
    for row in table:
        r = {k.lstrip("\ufeff"): v for k, v in row.items()}
        iso = r.get("country_iso3", r.get("iso_3digit_alpha"))
        if isinstance(iso, str) and len(iso) == 3 and iso.isalpha():
            out[int(r["country_code"])] = (str(r.get("country_name", r.get("country_name_abbreviation"))),
                                           str(r.get("country_iso2", r.get("iso_2digit_alpha"))), iso)
    return out


def universe(rng: np.random.Generator, codes: list[int] | None = None,
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The synthetic universe: country codes, HS6 codes, country sizes, product popularity.

    ``codes``: draw the countries from these numeric codes (India's, 699, always among them).
    """
    if codes is None:
        countries = np.sort(rng.choice(np.arange(4, 900), size=N_COUNTRIES, replace=False))
    else:
        others = np.array(sorted(c for c in codes if c != INDIA))
        countries = np.sort(np.append(rng.choice(others, size=N_COUNTRIES - 1, replace=False), INDIA))
    products = product_codes(rng, N_PRODUCTS)
    size = rng.lognormal(0.0, 1.6, N_COUNTRIES)
    popularity = rng.lognormal(0.0, 1.2, N_PRODUCTS)
    return countries, products, size, popularity


def iso3(n: int) -> str:
    """The synthetic ISO3 code of the ``n``-th country of the universe (ZAA, ZAB, …)."""
    return f"Z{n // 26 + 65:c}{n % 26 + 65:c}"


def draw_cells(rng: np.random.Generator, rows: int, size: np.ndarray, popularity: np.ndarray) -> np.ndarray:
    """At least ``rows`` distinct exporter × importer × product cells (sorted keys), drawn by size and popularity."""
    key = np.empty(0, dtype=np.int64)
    while key.size < rows:  # heavy tails collide often: draw until enough distinct cells
        draws = int((rows - key.size) * 1.5) + 1000
        i = rng.choice(N_COUNTRIES, size=draws, p=size / size.sum())
        j = rng.choice(N_COUNTRIES, size=draws, p=size / size.sum())
        k = rng.choice(N_PRODUCTS, size=draws, p=popularity / popularity.sum())
        keep = i != j
        new = (i[keep].astype(np.int64) * N_COUNTRIES + j[keep]) * N_PRODUCTS + k[keep]
        key = np.unique(np.concatenate([key, new]))
    return key


def cell_pool(rows: int, universe_seed: int, country_codes: Path | None = None) -> np.ndarray:
    """A panel's pool of distinct cells (sorted keys) drawn once from the universe of ``universe_seed``."""
    real = real_countries(country_codes) if country_codes else None
    rng = np.random.default_rng(universe_seed)
    _, _, size, popularity = universe(rng, list(real) if real else None)
    return draw_cells(rng, rows, size, popularity)


def generate(out: Path, rows: int = 10_000_000, seed: int = 7, year: int = 2022,
             universe_seed: int | None = None, country_codes: Path | None = None,
             key_pool: np.ndarray | None = None) -> Path:
    """Write one synthetic BACI year into ``out``; returns the path of the flows file.

    ``universe_seed``: draw the countries and products from that seed (shared by a panel's years)
    and only the flows from ``seed``; None draws both from ``seed``. ``country_codes``: a real CEPII
    country codes file; the countries are then real codes (India among them) with SYNTHETIC flows,
    so that commands taking an ISO3 code (``bilateral potential --exporter IND``) run on the data.
    ``key_pool``: draw the year's cells from this pool (:func:`cell_pool` of the same universe),
    which is much faster than drawing distinct cells, and as in BACI most cells recur from year to year.
    """
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    real = real_countries(country_codes) if country_codes else None
    countries, products, size, popularity = universe(
        rng if universe_seed is None else np.random.default_rng(universe_seed), list(real) if real else None)
    if key_pool is None:
        key = np.sort(rng.permutation(draw_cells(rng, rows, size, popularity))[:rows])
    else:  # a panel year: its cells a random subset of the panel's pool
        key = np.sort(rng.choice(key_pool, size=rows, replace=False))
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
    if real:
        names, iso2s, iso3s = (list(col) for col in zip(*(real[int(c)] for c in countries), strict=True))
    else:
        names = [f"Synthetic country {c}" for c in countries]
        iso2s = [f"Z{n % 26 + 65:c}" for n in range(N_COUNTRIES)]
        iso3s = [iso3(n) for n in range(N_COUNTRIES)]
    pacsv.write_csv(pa.table({
        "country_code": pa.array(countries.astype(np.int32)), "country_name": names,
        "country_iso2": iso2s, "country_iso3": iso3s,
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
    ap.add_argument("--universe-seed", type=int, help="seed of the countries and products (default: --seed)")
    ap.add_argument("--country-codes", type=Path, help="a real CEPII country_codes file: real codes, SYNTHETIC flows")
    args = ap.parse_args()
    path = generate(args.out, args.rows, args.seed, args.year, args.universe_seed, args.country_codes)
    print(f"wrote SYNTHETIC {path}")


if __name__ == "__main__":
    main()
