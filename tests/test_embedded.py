"""The embedded dataset: reproducible, and equal to the shared CSVs it was built from."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bilateral.build.embedded import build
from bilateral.harmonise.periods import fy_of_month, parse_fy
from bilateral.sources import embedded
from bilateral.store.releases import sha256_file

MN = Decimal(1_000_000)


def _csv_sums_by_fy(path: Path, fy_col: str, value_col: str, where=None) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    with path.open(encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            if where is None or where(row):
                sums[parse_fy(row[fy_col]).label] += Decimal(row[value_col].replace(",", ""))
    return dict(sums)


def _store_sums(store, release: str, **filters) -> dict[str, Decimal]:
    cond = " AND ".join(f"{k} = ?" for k in filters)
    sql = f"SELECT period, sum(value_usd) FROM flows WHERE release = ? {'AND ' + cond if cond else ''} GROUP BY 1"
    rows = store.con.execute(sql, [release, *filters.values()]).fetchall()
    return {p: Decimal(int(v)) / MN for p, v in rows}


def test_manifest_checksums_match_files():
    m = embedded.manifest()
    assert m["files"], "manifest lists no files"
    for entry in m["files"]:
        path = embedded.data_dir() / entry["file"]
        assert sha256_file(path) == entry["sha256"], entry["file"]
        assert pq.read_metadata(path).num_rows == entry["rows"]
        for key in ("producer", "url", "accessed", "licence", "origin"):
            assert entry[key] is not None, (entry["file"], key)


@pytest.mark.shared
@pytest.mark.slow
def test_rebuild_is_identical(shared: Path, tmp_path: Path):
    manifest = build(shared, tmp_path / "out")
    shipped = embedded.manifest()
    same_builder = shipped["built_with"]["pyarrow"] == pa.__version__
    for new, old in zip(manifest["files"], shipped["files"], strict=True):
        assert new["file"] == old["file"] and new["rows"] == old["rows"]
        if same_builder:
            assert new["sha256"] == old["sha256"], f"{new['file']} not byte-identical"
        else:  # another pyarrow may encode differently: the content must still be equal
            assert pq.read_table(tmp_path / "out" / new["file"]).equals(
                pq.read_table(embedded.data_dir() / old["file"]))
    for origin in (o for f in manifest["files"] for o in f["origin"]):
        assert origin["sha256"] == sha256_file(shared / origin["path"])
    for new, old in zip(manifest["world"], shipped["world"], strict=True):  # the world-matrix slices
        assert new["file"] == old["file"] and new["rows"] == old["rows"]
        if same_builder:
            assert new["sha256"] == old["sha256"], f"{new['file']} not byte-identical"
        else:
            assert pq.read_table(tmp_path / "out" / new["file"]).equals(
                pq.read_table(embedded.data_dir() / old["file"]))


@pytest.mark.shared
def test_hs8_russia_sums_equal_csv(shared: Path, store):
    expected = _csv_sums_by_fy(shared / "eidb/india_exports_hs8_russia_fy.csv", "fy", "value_usd_mn")
    assert _store_sums(store, "embedded/eidb-exports-hs8-russia") == expected
    assert expected["FY2024-25"] == Decimal("3962.28")


@pytest.mark.shared
def test_hs8_world_sums_equal_csv(shared: Path, store):
    expected = _csv_sums_by_fy(shared / "eidb/india_exports_hs8_world_fy.csv", "fy", "value_usd_mn")
    assert _store_sums(store, "embedded/eidb-exports-hs8-world") == expected


@pytest.mark.shared
def test_hs2_partner_sums_equal_csv(shared: Path, store):
    path = shared / "eidb/india_exports_hs2_partner_fy.csv"
    assert _store_sums(store, "embedded/eidb-exports-hs2-partner") == _csv_sums_by_fy(path, "fy", "value_usd_mn")
    russia = _csv_sums_by_fy(path, "fy", "value_usd_mn", where=lambda r: r["partner"] == "RUSSIA")
    assert _store_sums(store, "embedded/eidb-exports-hs2-partner", partner="RUS") == russia


@pytest.mark.shared
def test_region_imports_sums_equal_csv(shared: Path, store):
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for path in sorted((shared / "eidb-region").glob("*.csv")):
        with path.open(encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
        fy_cols = [(j, c) for j, c in enumerate(rows[0]) if c[:2] == "20"]
        for rec in rows[1:]:
            if rec[2] == "Total":
                continue
            for j, c in fy_cols:
                expected[parse_fy(c).label] += Decimal(rec[j])
    assert _store_sums(store, "embedded/eidb-imports-hs2-cis-region") == dict(expected)


@pytest.mark.shared
def test_monthly_country_sums_equal_csv_and_official(shared: Path, store):
    """Monthly Russia rows equal the CSV and, summed by FY, the official series within 2%."""
    expected: dict[str, Decimal] = defaultdict(Decimal)
    with (shared / "eidb-monthly/india_imports_by_country_monthly_2007_2020.csv").open() as fh:
        for row in csv.DictReader(fh):
            if row["Country"] == "RUSSIA":
                m, _, y = row["Date"].split("/")
                expected[f"{int(y):04d}-{int(m):02d}"] += Decimal(row["Value"].replace(",", ""))
    got = _store_sums(store, "embedded/eidb-monthly-country", partner="RUS", flow="import")
    assert got == dict(expected)
    by_fy: dict[str, Decimal] = defaultdict(Decimal)
    for period, value in got.items():
        by_fy[fy_of_month(int(period[:4]), int(period[5:7])).label] += value
    assert by_fy["FY2011-12"] == pytest.approx(Decimal("4764"), abs=1)
    official = dict(store.con.execute(
        "SELECT period, value_usd FROM official_totals WHERE release = 'embedded/official-fy' "
        "AND partner = 'RUS' AND flow = 'import'").fetchall())
    for fy in ("FY2010-11", "FY2011-12", "FY2015-16", "FY2018-19"):
        assert float(by_fy[fy]) * 1e6 == pytest.approx(official[fy], rel=0.02), fy


@pytest.mark.shared
def test_official_series_equals_csv(shared: Path, store):
    with (shared / "official/india_russia_official_fy.csv").open() as fh:
        for row in csv.DictReader(fh):
            fy = parse_fy(row["fy"]).label
            got = dict(store.con.execute(
                "SELECT flow, value_usd FROM official_totals WHERE release = 'embedded/official-fy' "
                "AND period = ? AND partner = 'RUS'", [fy]).fetchall())
            assert Decimal(int(got["export"])) / MN == Decimal(row["exports_to_russia_usd_mn"])
            assert Decimal(int(got["import"])) / MN == Decimal(row["imports_from_russia_usd_mn"])


def test_energy_na_is_not_zero(store):
    """'NA' cells of the DGCI&S sheets give no row (never a zero): China's crude 2022-23 is NA."""
    rows = store.con.execute(
        "SELECT count(*) FROM flows WHERE release = 'embedded/energy-crude-coal' AND partner = 'CHN' "
        "AND product = '2709' AND period = '2022-04/2022-08'").fetchone()
    assert rows[0] == 0
    crude = store.con.execute(
        "SELECT period, value_usd FROM flows WHERE release = 'embedded/energy-crude-coal' AND "
        "partner = 'RUS' AND product = '2709' ORDER BY period").fetchall()
    assert dict(crude)["FY2021-22"] == 2470.91e6
    assert dict(crude)["2022-04/2022-08"] == 11412.15e6


def test_manifest_is_deterministic_json():
    text = (embedded.data_dir() / "manifest.json").read_text(encoding="utf-8")
    assert "loaded_at" not in text and json.loads(text)["version"]


def test_world_files_checksums_provenance_and_not_in_store(store):
    m = embedded.manifest()
    names = [e["file"].removesuffix(".parquet") for e in m["world"]]
    assert names == ["baci2024-rus-imports", "baci2024-ind-exports", "baci2024-exports-by-country",
                     "baci2024-imports-by-country", "baci2024-supplier-distance", "geo-distance", "sanctions-eu-hs6",
                     "macro-gdp-population", "hs-descriptions"]
    for entry in m["world"]:
        path = embedded.data_dir() / entry["file"]
        assert sha256_file(path) == entry["sha256"] and pq.read_metadata(path).num_rows == entry["rows"]
        for key in ("producer", "url", "accessed", "licence", "origin"):
            assert entry[key] is not None, (entry["file"], key)
    baci = [e for e in m["world"] if e["file"].startswith("baci2024")]
    assert all("CEPII, BACI" in e["licence"] and e["missing_importers"] == ["DEU", "ESP", "FRA", "GBR", "NLD", "USA"]
               for e in baci)
    rus = next(e for e in baci if e["file"] == "baci2024-rus-imports.parquet")
    assert any(o.get("upstream_sha256") for o in rus["origin"])  # importer=RUS.parquet, from upstream_files.json
    # lazily read: creating a store loads none of them
    loaded = {r[0] for r in store.con.execute("SELECT release FROM releases").fetchall()}
    assert not loaded & {e["release"] for e in m["world"]}


@pytest.mark.shared
def test_world_slices_equal_the_shared_matrix(shared: Path):
    import duckdb

    world = str(shared / "baci2024/world_hs6_2024.parquet")
    d = embedded.data_dir()
    expected = duckdb.sql(
        f"SELECT sum(round(value_usd)) FILTER (WHERE importer = 'RUS'), sum(round(value_usd)) FILTER "
        f"(WHERE exporter = 'IND'), sum(round(value_usd)), count(*) FILTER (WHERE importer = 'RUS') "
        f"FROM read_parquet('{world}')").fetchall()[0]
    got = duckdb.sql(
        f"SELECT (SELECT sum(value_usd) FROM read_parquet('{d / 'baci2024-rus-imports.parquet'}')), "
        f"(SELECT sum(value_usd) FROM read_parquet('{d / 'baci2024-ind-exports.parquet'}')), "
        f"(SELECT sum(value_usd) FROM read_parquet('{d / 'baci2024-exports-by-country.parquet'}')), "
        f"(SELECT count(*) FROM read_parquet('{d / 'baci2024-rus-imports.parquet'}'))").fetchall()[0]
    assert [int(x) for x in got] == [int(x) for x in expected]
    assert int(got[0]) == 200_578_311_048  # PROVENANCE.md: Russia's imports US$200.6 bn
