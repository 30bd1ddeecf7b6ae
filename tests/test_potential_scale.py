"""`potential --all` (models/potential/scale.py) against the library's one-exporter path on REAL data.

A slice of the real CEPII BACI 2024 matrix (../shared/data/baci2024/world_hs6_2024.parquet): every
flow among a dozen countries, which is itself a full matrix of those countries. Every row the
set-based path writes for three exporters must equal, value by value, what ``potential`` (the
reference path, one exporter against every market) computes for it: with the matrix's supply side
for every exporter, and with India's national exports (from the store) as its supply.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from bilateral.models.potential import parameters, potential
from bilateral.models.potential.scale import ALL_COLUMNS, potential_all
from bilateral.store.matrix import parquet_matrix

COUNTRIES = ("ARE", "BRA", "CHN", "EGY", "IDN", "IND", "KAZ", "RUS", "TUR", "VNM", "ZAF", "BLR")
CHECKED = ("CHN", "TUR")  # India: the next test


@pytest.fixture(scope="module")
def real_slice(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = shared / "baci2024" / "world_hs6_2024.parquet"
    if not source.is_file():
        pytest.skip(f"{source} not found")
    out = tmp_path_factory.mktemp("slice") / "slice_2024.parquet"
    codes = ", ".join(f"'{c}'" for c in COUNTRIES)
    duckdb.connect().execute(
        f"COPY (SELECT exporter, importer, hs6, value_usd FROM read_parquet('{source}') "
        f"WHERE exporter IN ({codes}) AND importer IN ({codes})) TO '{out}' (FORMAT parquet)")
    return out


def _assert_equal(rows: dict, ref, ex: str) -> int:
    mine = {k: r for k, r in rows.items() if k[0] == ex}
    assert {(ex, p.market, p.hs6) for p in ref.products} == set(mine)  # the same cells, none missing or extra
    for p in ref.products:
        r = mine[(ex, p.market, p.hs6)]
        assert r["potential"] == pytest.approx(p.potential_usd, rel=1e-12, abs=1e-6)
        # potential − actual: a difference, so its error is relative to the larger of the two
        assert r["untapped"] == pytest.approx(p.untapped_usd, abs=1e-12 * max(p.potential_usd, p.actual_usd) + 1e-6)
        assert r["actual"] == pytest.approx(p.actual_usd, rel=1e-12, abs=1e-6)
        assert r["share"] == pytest.approx(p.supply_share, rel=1e-12)
        assert r["ease"] == pytest.approx(p.ease, rel=1e-12)
        assert r["rca"] == pytest.approx(p.rca, rel=1e-12)
        assert r["x_ik"] == pytest.approx(p.supply_usd, rel=1e-12)
        assert r["m_jk"] == pytest.approx(p.market_usd, rel=1e-12)
        assert r["national"] == (p.supply_source == "national")
        assert r["distance_factor"] == pytest.approx(p.distance_factor, rel=1e-12)
        assert r["dist_km"] == pytest.approx(p.distance_km, rel=1e-12)
        assert r["supplier_km"] == pytest.approx(p.supplier_km, rel=1e-12)
    return len(ref.products)


def _rows(path: str) -> dict:
    table = pq.read_table(path)
    assert tuple(table.column_names) == ALL_COLUMNS
    rows = {(r["exporter"], r["importer"], r["hs6"]): r for r in table.to_pylist()}
    assert len(rows) == table.num_rows  # one row per cell
    return rows


def test_every_row_equals_the_reference_path(store, real_slice: Path, tmp_path: Path):
    matrix = parquet_matrix(real_slice, 2024)
    # the matrix's supply side for every exporter (as one exporter's potential sees the others)
    params = replace(parameters(), supply_side="matrix")
    res = potential_all(store, tmp_path / "all.parquet", matrix=matrix, params=params, threads=2)
    rows = _rows(res.out)
    assert res.rows == len(rows) and res.national == ()
    checked = sum(_assert_equal(rows, potential(store, ex, None, matrix=matrix, params=params, top=None), ex)
                  for ex in CHECKED)
    assert checked > 1000
    assert res.potential_usd == pytest.approx(sum(r["potential"] for r in rows.values()), rel=1e-12)
    assert res.untapped_usd == pytest.approx(sum(r["untapped"] for r in rows.values()), rel=1e-12)


def test_national_supply_rows_equal_the_reference_path(store, real_slice: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch):
    """India's rows with its national exports as supply (the parameters' default), progress reported.

    National supply is looked up only for the exporters the store holds world figures for (India),
    not for each of the matrix's exporters; the file is zstd throughout.
    """
    from bilateral.models.potential import supply

    asked: list[str] = []
    real = supply.national_supply

    def spy(store, exporter, year, absent):  # type: ignore[no-untyped-def]
        asked.append(exporter)
        return real(store, exporter, year, absent)

    monkeypatch.setattr(supply, "national_supply", spy)
    matrix = parquet_matrix(real_slice, 2024)
    assert parameters().supply_side == "national"
    steps: list[float] = []
    res = potential_all(store, tmp_path / "all.parquet", matrix=matrix, threads=2, progress=steps.append)
    assert res.national == ("IND",) and asked == ["IND"]
    meta = pq.ParquetFile(res.out).metadata
    assert {meta.row_group(g).column(c).compression for g in range(meta.num_row_groups)
            for c in range(meta.num_columns)} == {"ZSTD"}
    assert steps == sorted(steps) and steps[-1] == pytest.approx(1.0)
    rows = _rows(res.out)
    ref = potential(store, "IND", None, matrix=matrix, top=None)
    assert any(p.supply_source == "national" for p in ref.products)
    assert _assert_equal(rows, ref, "IND") > 500


def test_top_zero_streams_every_product_as_lines(store_path: Path):
    """`potential --top 0` (table): every product as one plain line, numbered, then the totals and notes."""
    from typer.testing import CliRunner

    from bilateral.api import open_store
    from bilateral.cli import app

    res = CliRunner().invoke(app, ["potential", "--pair", "IND-RUS", "--top", "0", "--store", str(store_path)])
    assert res.exit_code == 0, res.output
    with open_store(store_path, read_only=True) as store:
        ref = potential(store, "IND", "RUS", top=None)
    lines = res.output.splitlines()
    assert lines[0].startswith("Export potential of IND in RUS") and f"{len(ref.products):,} products" in lines[0]
    body = lines[3:3 + len(ref.products)]
    for n, (line, p) in enumerate(zip(body, ref.products, strict=True), start=1):
        cells = line.split()
        assert cells[:3] == [str(n), "RUS", p.hs6]
        assert cells[9] == f"{p.untapped_usd / 1e6:,.1f}"
    assert lines[3 + len(ref.products)].startswith("Totals by summit sector")
    assert any(line.startswith("Note: ") for line in lines)
