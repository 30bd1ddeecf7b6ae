"""Export potential: a hand-worked synthetic world, properties, sector totals, the embedded data
against the shared world matrix, sanctions flags, and the CLI."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from bilateral.cli import app
from bilateral.errors import InputError, NotAvailableError
from bilateral.models.potential import parameters, potential, resolve_sector
from bilateral.store.matrix import WorldMatrix, parquet_matrix, sanctions

runner = CliRunner()

# A synthetic world (not real data): three traders A, B, C, a country D that imports nothing and
# E that exports nothing; two products. Values in US$.
WORLD = [
    ("AAA", "BBB", "010121", 10.0),
    ("AAA", "CCC", "010121", 30.0),
    ("CCC", "BBB", "010121", 20.0),
    ("AAA", "CCC", "300490", 10.0),
    ("BBB", "CCC", "300490", 40.0),
    ("CCC", "AAA", "300490", 50.0),
    ("CCC", "BBB", "300490", 25.0),
    ("BBB", "EEE", "010121", 5.0),
]
NO_GROWTH: dict[str, tuple[float, float]] = {}


class _Con:
    """The least a store must offer the model: a DuckDB connection."""

    def __init__(self) -> None:
        self.con = duckdb.connect()


def _matrix(tmp_path: Path, scale: float = 1.0, rows=WORLD) -> WorldMatrix:
    path = tmp_path / f"world_{scale}.parquet"
    pq.write_table(pa.table({
        "exporter": [r[0] for r in rows], "importer": [r[1] for r in rows], "hs6": [r[2] for r in rows],
        "value_usd": [r[3] * scale for r in rows]}), path)
    return parquet_matrix(path, 2024)


def _wide() -> object:
    return replace(parameters(), ease_min=0.01, ease_max=100.0)


def _by_code(result) -> dict[str, object]:
    return {p.hs6: p for p in result.products}


def test_hand_worked_world(tmp_path: Path):
    # exports: A k1 40, k2 10; C k1 20, k2 75; B k2 40 (+5 k1 to E). World k1 65, k2 125.
    # Market B imports k1 30 (A 10, C 20), k2 25 (C).
    # share(A,k1) excl. B = (40 − 10) / (65 − 30) = 30/35; share(A,k2) = (10 − 0)/(125 − 25) = 0.1
    # hypothetical = 30/35 × 30 + 0.1 × 25 = 25.714285… + 2.5 = 28.214285…; actual 10
    # ease = 10 / 28.214285… ; potential k1 = 30/35 × 30 × ease, k2 = 2.5 × ease
    r = potential(_Con(), "AAA", "BBB", matrix=_matrix(tmp_path), params=_wide(), growth=NO_GROWTH, top=None)
    hyp = 30 / 35 * 30 + 0.1 * 25
    ease = 10 / hyp
    p = _by_code(r)
    assert p["010121"].market_usd == 30 and p["010121"].actual_usd == 10
    assert p["010121"].supply_share == pytest.approx(30 / 35)
    assert p["010121"].ease == pytest.approx(ease)
    assert p["010121"].potential_usd == pytest.approx(30 / 35 * 30 * ease)  # 9.1139…
    assert p["010121"].potential_usd == pytest.approx(9.113924050632912)
    assert p["010121"].untapped_usd == 0.0
    assert p["010121"].gap_usd == pytest.approx(9.113924050632912 - 10)
    assert p["300490"].potential_usd == pytest.approx(2.5 * ease)  # 0.8860…
    assert p["300490"].untapped_usd == pytest.approx(0.8860759493670886)
    # unbounded ease and no growth: potentials add up to the actual bilateral total
    assert sum(x.potential_usd for x in r.products) == pytest.approx(10.0)
    # suppliers of B: k1 C 2/3, A 1/3 (A ranks 2 of 2); k2 C only (A not a supplier)
    assert [(s.exporter, s.share) for s in p["010121"].top_suppliers] == [("CCC", pytest.approx(2 / 3)),
                                                                          ("AAA", pytest.approx(1 / 3))]
    assert p["010121"].exporter_rank == 2 and p["010121"].suppliers == 2
    assert p["300490"].exporter_rank is None and p["300490"].suppliers == 1
    # ranked by untapped value
    assert [x.hs6 for x in r.products] == ["300490", "010121"]


def test_ease_bounds_and_growth(tmp_path: Path):
    m = _matrix(tmp_path)
    params = replace(parameters(), ease_min=0.5, ease_max=100.0)  # 10/28.21 = 0.354 → bounded to 0.5
    r = potential(_Con(), "AAA", "BBB", matrix=m, params=params, growth=NO_GROWTH, top=None)
    p = _by_code(r)
    assert p["010121"].ease == 0.5
    assert p["010121"].potential_usd == pytest.approx(30 / 35 * 30 * 0.5)
    # supply factor 2 for A, demand factor 1.5 for B: potentials × 3
    g = potential(_Con(), "AAA", "BBB", matrix=m, params=params, growth={"AAA": (2.0, 1.0), "BBB": (1.0, 1.5)}, top=None)
    assert _by_code(g)["300490"].potential_usd == pytest.approx(3 * 2.5 * 0.5)
    # a tariff factor multiplies demand of that product only
    t = potential(_Con(), "AAA", "BBB", matrix=m, params=params, growth=NO_GROWTH, top=None, tariffs={"300490": 0.8})
    assert _by_code(t)["300490"].potential_usd == pytest.approx(0.8 * 2.5 * 0.5)
    assert _by_code(t)["010121"].potential_usd == pytest.approx(p["010121"].potential_usd)


def test_properties(tmp_path: Path):
    params = parameters()
    base = potential(_Con(), "AAA", "BBB", matrix=_matrix(tmp_path), params=params, growth=NO_GROWTH, top=None)
    scaled = potential(_Con(), "AAA", "BBB", matrix=_matrix(tmp_path, 1000.0), params=params, growth=NO_GROWTH,
                       top=None)
    for a, b in zip(base.products, scaled.products, strict=True):
        assert a.hs6 == b.hs6
        assert b.potential_usd == pytest.approx(1000 * a.potential_usd)
        assert b.untapped_usd == pytest.approx(1000 * a.untapped_usd)
    every = potential(_Con(), "AAA", None, matrix=_matrix(tmp_path), params=params, growth=NO_GROWTH, top=None)
    assert all(p.potential_usd >= 0 and p.untapped_usd >= 0 for p in every.products)
    # D imports nothing: no potential there; E exports nothing: no potential anywhere
    none_d = potential(_Con(), "AAA", "DDD", matrix=_matrix(tmp_path), params=params, growth=NO_GROWTH, top=None)
    assert none_d.products == () and none_d.total.potential_usd == 0
    none_e = potential(_Con(), "EEE", None, matrix=_matrix(tmp_path), params=params, growth=NO_GROWTH, top=None)
    assert none_e.products == () and none_e.total.potential_usd == 0


def test_sector_totals_equal_sum_of_products(tmp_path: Path):
    r = potential(_Con(), "AAA", None, matrix=_matrix(tmp_path), params=parameters(), growth=NO_GROWTH, top=None)
    assert {s.sector for s in r.sectors} == {"agriculture_food", "pharmaceuticals"}
    for s in r.sectors:
        mine = [p for p in r.products if p.sector == s.sector]
        assert s.products == len(mine)
        assert s.potential_usd == pytest.approx(sum(p.potential_usd for p in mine))
        assert s.untapped_usd == pytest.approx(sum(p.untapped_usd for p in mine))
        assert s.actual_usd == pytest.approx(sum(p.actual_usd for p in mine))
    assert r.total.potential_usd == pytest.approx(sum(s.potential_usd for s in r.sectors))


def test_bad_inputs(tmp_path: Path):
    m = _matrix(tmp_path)
    with pytest.raises(InputError, match="sector"):
        potential(_Con(), "AAA", "BBB", matrix=m, sector="nonsense")
    with pytest.raises(InputError, match="HS code"):
        potential(_Con(), "AAA", "BBB", matrix=m, products=["30049"])
    assert resolve_sector("pharma") == "pharmaceuticals"


def test_parameters_all_sourced():
    p = parameters()
    assert p.horizon_years == 5 and p.income_elasticity == 1.0
    assert all(row.source and row.kind in ("published", "assumption", "data", "design") for row in p.rows)


# --------------------------------------------------------------------------------------------
# the embedded data


def test_embedded_pair_needs_india_or_russia(store):
    with pytest.raises(NotAvailableError, match="ingest baci"):
        potential(store, "CHN", "BRA")


@pytest.mark.shared
def test_embedded_300490_equals_world_matrix(store, shared: Path):
    world = str(shared / "baci2024/world_hs6_2024.parquet")
    market, actual = duckdb.sql(
        f"SELECT sum(value_usd), sum(value_usd) FILTER (WHERE exporter = 'IND') FROM read_parquet('{world}') "
        "WHERE importer = 'RUS' AND hs6 = '300490'").fetchall()[0]
    r = potential(store, "IND", "RUS", products=["300490"])
    (p,) = r.products
    assert p.market_usd == pytest.approx(market, rel=1e-12)
    assert p.actual_usd == pytest.approx(actual, rel=1e-12)
    assert p.description.startswith("Medicaments")
    assert p.sector == "pharmaceuticals"
    assert p.top_suppliers and sum(s.share for s in p.top_suppliers) <= 1
    top = duckdb.sql(f"SELECT exporter FROM read_parquet('{world}') WHERE importer = 'RUS' AND hs6 = '300490' "
                     "ORDER BY value_usd DESC LIMIT 5").fetchall()
    assert [s.exporter for s in p.top_suppliers] == [t[0] for t in top]


def test_embedded_sanctions_flag_and_filter(store):
    r = potential(store, "IND", "RUS", top=None)
    flagged = {p.hs6: p for p in r.products if p.sanction is not None}
    table = sanctions()
    assert flagged and all(table[k] == p.sanction for k, p in flagged.items())
    assert all(p.sanction is None for p in r.products if p.hs6 not in table)
    risky = [p for p in r.products if p.sanction and p.sanction.secondary_risk]
    assert risky
    safe = potential(store, "IND", "RUS", top=None, exclude_sanction_risk=True)
    assert len(safe.products) == len(r.products) - len(risky)
    assert safe.total.untapped_excl_risk_usd == pytest.approx(
        sum(p.untapped_usd for p in r.products if not (p.sanction and p.sanction.secondary_risk)))


@pytest.mark.shared
def test_sanctions_match_file(shared: Path):
    with (shared / "sanctions/eu_sanctions_hs6_chupilkin2023.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["sanctioned"] == "1.0"]
    table = sanctions()
    assert len(table) == len(rows) == 2304
    for r in rows:
        s = table[r["hs6"]]
        assert s.since == r["sanction_date"] and s.category == r["category"]
        assert s.secondary_risk == (r["dual_use"] == "1.0" or r["military_tech"] == "1.0")


def test_cli_pair_json(store_path: Path):
    res = runner.invoke(app, ["potential", "--pair", "IND-RUS", "--sector", "pharma", "--top", "5",
                              "--format", "json", "--store", str(store_path)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert len(data["products"]) == 5
    for p in data["products"]:
        assert {"hs6", "description", "sector", "market_usd", "actual_usd", "potential_usd", "untapped_usd",
                "top_suppliers", "sanction"} <= set(p)
        assert p["sector"] == "pharmaceuticals"
        assert p["untapped_usd"] >= 0
    assert [p["untapped_usd"] for p in data["products"]] == sorted(
        (p["untapped_usd"] for p in data["products"]), reverse=True)
    assert any(x["parameter"] == "income_elasticity" for x in data["parameters"])


def test_cli_exporter_table_and_errors(store_path: Path, tmp_path: Path):
    res = runner.invoke(app, ["potential", "--exporter", "IND", "--top", "3", "--store", str(store_path)])
    assert res.exit_code == 0, res.output
    assert "Export potential of IND in every market" in res.output
    bad = runner.invoke(app, ["potential", "--pair", "IND", "--store", str(store_path)])
    assert bad.exit_code == 2 and "not a country pair: 'IND'; write it as two ISO3 codes" in bad.output
    out = tmp_path / "p.csv"
    res = runner.invoke(app, ["potential", "--product", "300490", "--format", "csv", "--out", str(out),
                              "--store", str(store_path)])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["hs6"] for r in rows] == ["300490"]


def test_cli_tariffs_file_and_unavailable_year(store_path: Path, tmp_path: Path):
    base = runner.invoke(app, ["potential", "--product", "300490", "--format", "json", "--store", str(store_path)])
    assert base.exit_code == 0, base.output
    tariffs = tmp_path / "tariffs.csv"
    tariffs.write_text("hs6,tariff_factor\n300490,0.5\n", encoding="utf-8")
    half = runner.invoke(app, ["potential", "--product", "300490", "--tariffs", str(tariffs), "--format", "json",
                               "--store", str(store_path)])
    assert half.exit_code == 0, half.output
    p0, p1 = json.loads(base.output)["products"][0], json.loads(half.output)["products"][0]
    assert p1["potential_usd"] == pytest.approx(0.5 * p0["potential_usd"])
    tariffs.write_text("hs6,tariff_factor\n30049,0.5\n", encoding="utf-8")
    bad = runner.invoke(app, ["potential", "--tariffs", str(tariffs), "--store", str(store_path)])
    assert bad.exit_code == 1 and "line 2" in bad.output and "6 digits" in bad.output
    old = runner.invoke(app, ["potential", "--year", "2019", "--store", str(store_path)])
    assert old.exit_code == 1 and "ingest baci" in old.output


def test_concurrent_calls_on_one_store(store):
    from concurrent.futures import ThreadPoolExecutor

    jobs = [("IND", "RUS", None), ("IND", "RUS", "pharmaceuticals"), ("CHN", "RUS", None)]
    serial = [potential(store, e, m, sector=s, top=3).total.untapped_usd for e, m, s in jobs]
    with ThreadPoolExecutor(3) as pool:
        parallel = list(pool.map(lambda j: potential(store, j[0], j[1], sector=j[2], top=3).total.untapped_usd, jobs))
    assert parallel == pytest.approx(serial)
