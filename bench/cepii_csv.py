"""Write the real 2024 world matrix (ISO3/US-dollar Parquet) as a CEPII BACI release in its CSV layout.

    python bench/cepii_csv.py ../shared/data/baci2024/world_hs6_2024.parquet OUT_DIR

Writes, with DuckDB's ``COPY``, the three files of a CEPII release as ``bilateral ingest baci`` reads
them: ``BACI_HS17_Y2024_V202501.csv`` (header ``t,i,j,k,v,q``: BACI's numeric country codes, HS6 as
six characters, v in thousands of US dollars with three decimals, sorted by i, j, k as CEPII
publishes), ``country_codes_V202501.csv`` and ``product_codes_HS17_V202501.csv``.

What is real and what is not: every cell (exporter, importer, product, value) is the real matrix.
The numeric codes are BACI's own, from the real V202201 country table in the shared data
(``baci-meta/country_codes_V202201.csv``; where it lists two codes for one ISO3 the current one is
used, and S19 "Other Asia, nes" is 490). The release name V202501 is a label for the benchmark. The
source has no quantities: q is SYNTHETIC (a seeded function of the row, 3% written ``NA`` as BACI
does), so that the file parses like a real one. The product descriptions are placeholders.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

RELEASE = "V202501"
YEAR = 2024
#: BACI's numeric code for ISO3 codes the V202201 table lists twice (the current country's code)
CURRENT_CODE = {"BEL": 56, "DEU": 276, "ZAF": 710, "SDN": 729}
OTHER_ASIA = ("S19", 490)
MISSING_QUANTITY_SHARE = 3  # percent


def write(world: Path, out: Path, countries_v202201: Path) -> Path:
    """Write the release into ``out``; returns the path of the flows file."""
    out.mkdir(parents=True, exist_ok=True)
    flows = out / f"BACI_HS17_Y{YEAR}_{RELEASE}.csv"
    con = duckdb.connect()
    try:
        fixed = " UNION ALL ".join(f"SELECT '{iso}' AS iso3, {code} AS code" for iso, code in
                                   [*CURRENT_CODE.items(), OTHER_ASIA])
        con.execute(f"""
            CREATE TABLE codes AS
            WITH v2022 AS (
              SELECT iso_3digit_alpha AS iso3, min(CAST(country_code AS INTEGER)) AS code,
                     first(country_name_abbreviation ORDER BY CAST(country_code AS INTEGER)) AS name
              FROM read_csv(?, all_varchar = true) WHERE iso_3digit_alpha <> 'N/A' GROUP BY 1),
            fixed AS ({fixed}),
            used AS (SELECT exporter AS iso3 FROM read_parquet(?) UNION SELECT importer FROM read_parquet(?))
            SELECT u.iso3, coalesce(f.code, v.code) AS code, coalesce(v.name, 'Other Asia, nes') AS name
            FROM used u LEFT JOIN fixed f USING (iso3) LEFT JOIN v2022 v USING (iso3)""",
                    [str(countries_v202201), str(world), str(world)])
        unmapped = con.execute("SELECT list(iso3) FROM codes WHERE code IS NULL").fetchall()[0][0]
        if unmapped:
            raise SystemExit(f"no BACI code for {unmapped}")
        con.execute(f"""COPY (SELECT code AS country_code, name AS country_name, '' AS country_iso2, iso3 AS country_iso3
                        FROM codes ORDER BY code) TO '{out / f'country_codes_{RELEASE}.csv'}' (HEADER, DELIMITER ',')""")
        con.execute(f"""COPY (SELECT DISTINCT hs6 AS code, 'HS6 ' || hs6 AS description FROM read_parquet('{world}')
                        ORDER BY 1) TO '{out / f'product_codes_HS17_{RELEASE}.csv'}' (HEADER, DELIMITER ',', FORCE_QUOTE *)""")
        # q: SYNTHETIC tonnes from a hash of the cell (deterministic), NA for about 3% of the rows
        con.execute(f"""
            COPY (
              SELECT {YEAR} AS t, ci.code AS i, cj.code AS j, w.hs6 AS k,
                     printf('%.3f', w.value_usd / 1000.0) AS v,
                     CASE WHEN hash(w.exporter, w.importer, w.hs6) % 100 < {MISSING_QUANTITY_SHARE} THEN 'NA'
                          ELSE printf('%.3f', w.value_usd / 1000.0 * (0.05 + (hash(w.hs6, w.importer) % 1000) / 250.0))
                     END AS q
              FROM read_parquet('{world}') w
              JOIN codes ci ON ci.iso3 = w.exporter JOIN codes cj ON cj.iso3 = w.importer
              ORDER BY i, j, k)
            TO '{flows}' (HEADER, DELIMITER ',', QUOTE '')""")
    finally:
        con.close()
    return flows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("world", type=Path, help="the ISO3/US-dollar Parquet, e.g. baci2024/world_hs6_2024.parquet")
    ap.add_argument("out", type=Path)
    ap.add_argument("--countries", type=Path, default=None,
                    help="BACI's V202201 country table (default: baci-meta/ beside the world file's folder)")
    args = ap.parse_args()
    countries = args.countries or args.world.parent.parent / "baci-meta" / "country_codes_V202201.csv"
    path = write(args.world, args.out, countries)
    print(f"wrote {path} (real cells; q SYNTHETIC)")


if __name__ == "__main__":
    main()
