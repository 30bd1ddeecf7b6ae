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
    """Wide ease bounds and no capacity test: the hand-worked world's numbers as first written."""
    return replace(parameters(), ease_min=0.01, ease_max=100.0, capacity_rca_min=0.0, capacity_min_exports_usd=0.0)


def _all_in(**changes) -> object:
    """The default parameters with every product in scope (the synthetic values are below US$1 million)."""
    return replace(parameters(), capacity_rca_min=0.0, capacity_min_exports_usd=0.0, **changes)


def _distances(pairs: dict[tuple[str, str], float]) -> pa.Table:
    return pa.table({"exporter": [k[0] for k in pairs], "importer": [k[1] for k in pairs],
                     "dist_km": [float(v) for v in pairs.values()]})


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


def test_hand_worked_distance_term(tmp_path: Path):
    # SYNTHETIC distances (km): A→B 1000, C→B 2000. Market B's suppliers of k1: A 10, C 20 → average
    # (10·1000 + 20·2000)/30 = 1666.67 km; of k2: C 25 → 2000 km. With elasticity 1, A's factors are
    # 1666.67/1000 = 5/3 (k1) and 2000/1000 = 2 (k2); hypothetical = 30/35·30·5/3 + 0.1·25·2 = 47.857…
    dist = _distances({("AAA", "BBB"): 1000, ("CCC", "BBB"): 2000, ("BBB", "CCC"): 500, ("AAA", "CCC"): 700})
    params = replace(_wide(), distance_elasticity=1.0)
    r = potential(_Con(), "AAA", "BBB", matrix=_matrix(tmp_path), params=params, growth=NO_GROWTH, top=None,
                  distances=dist)
    p = _by_code(r)
    assert p["010121"].supplier_km == pytest.approx(5000 / 3) and p["010121"].distance_km == 1000
    assert p["010121"].distance_factor == pytest.approx(5 / 3)
    assert p["300490"].distance_factor == pytest.approx(2.0)
    hyp = 30 / 35 * 30 * 5 / 3 + 0.1 * 25 * 2
    assert p["010121"].ease == pytest.approx(10 / hyp)
    assert p["010121"].potential_usd == pytest.approx(30 / 35 * 30 * 5 / 3 * 10 / hyp)
    assert p["300490"].potential_usd == pytest.approx(0.1 * 25 * 2 * 10 / hyp)
    assert sum(x.potential_usd for x in r.products) == pytest.approx(10.0)  # ease still calibrates to actual
    (m,) = r.markets  # the distance term per market, in the JSON
    assert m.distance_km == 1000 and m.ease == pytest.approx(10 / hyp)
    assert m.distance_factor == pytest.approx((30 * 5 / 3 + 25 * 2) / 55)  # import-weighted
    assert {"distance_km", "supplier_km", "distance_factor"} <= set(r.to_dict()["markets"][0])
    # elasticity 0: no distance term
    flat = potential(_Con(), "AAA", "BBB", matrix=_matrix(tmp_path), params=replace(params, distance_elasticity=0.0),
                     growth=NO_GROWTH, top=None, distances=dist)
    assert all(x.distance_factor == 1.0 for x in flat.products)


def test_capacity_rule_scope(tmp_path: Path):
    # exports: A k1 40, k2 10 (50); C k1 20, k2 75 (95); B k1 5, k2 40 (45); world 190, k1 65, k2 125
    # RCA(A,k1) = (40/50)/(65/190) = 2.338…; RCA(A,k2) = (10/50)/(125/190) = 0.304 → only k1 in scope
    params = replace(_wide(), capacity_rca_min=1.0)
    r = potential(_Con(), "AAA", "BBB", matrix=_matrix(tmp_path), params=params, growth=NO_GROWTH, top=None)
    assert [p.hs6 for p in r.products] == ["010121"]
    assert r.products[0].rca == pytest.approx((40 / 50) / (65 / 190))
    assert (r.scope.products_in_scope, r.scope.products_out) == (1, 1)
    assert r.scope.rule == "RCA ≥ 1"
    # ease over the products in scope only: actual 10 / hypothetical 30/35·30
    assert r.products[0].ease == pytest.approx(10 / (30 / 35 * 30))
    # minimum exports: A's k1 (40) passes 30, fails 50; "any" keeps k2 by its value
    assert [p.hs6 for p in potential(_Con(), "AAA", "BBB", matrix=_matrix(tmp_path), growth=NO_GROWTH, top=None,
                                     params=replace(params, capacity_min_exports_usd=50.0)).products] == []
    either = replace(params, capacity_min_exports_usd=5.0, capacity_rule="any")
    assert sorted(p.hs6 for p in potential(_Con(), "AAA", "BBB", matrix=_matrix(tmp_path), growth=NO_GROWTH,
                                           top=None, params=either).products) == ["010121", "300490"]
    for p in potential(_Con(), "AAA", None, matrix=_matrix(tmp_path), growth=NO_GROWTH, top=None,
                       params=params).products:  # every product shown meets the rule printed with it
        assert p.rca >= params.capacity_rca_min


def test_ease_bounds_and_growth(tmp_path: Path):
    m = _matrix(tmp_path)
    params = replace(_wide(), ease_min=0.5, ease_max=100.0)  # 10/28.21 = 0.354 → bounded to 0.5
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
    params = _all_in()
    base = potential(_Con(), "AAA", "BBB", matrix=_matrix(tmp_path), params=params, growth=NO_GROWTH, top=None)
    scaled = potential(_Con(), "AAA", "BBB", matrix=_matrix(tmp_path, 1000.0), params=params, growth=NO_GROWTH,
                       top=None)
    for a, b in zip(base.products, scaled.products, strict=True):
        assert a.hs6 == b.hs6
        assert b.potential_usd == pytest.approx(1000 * a.potential_usd)
        assert b.untapped_usd == pytest.approx(1000 * a.untapped_usd)
    every = potential(_Con(), "AAA", None, matrix=_matrix(tmp_path), params=params, growth=NO_GROWTH, top=None)
    assert all(p.potential_usd >= 0 and p.untapped_usd >= 0 for p in every.products)
    # D is not in the matrix, E imports but exports nothing: refused in one line, never zeros
    with pytest.raises(NotAvailableError, match="DDD has no imports"):
        potential(_Con(), "AAA", "DDD", matrix=_matrix(tmp_path), params=params, growth=NO_GROWTH, top=None)
    with pytest.raises(NotAvailableError, match="EEE has no exports"):
        potential(_Con(), "EEE", None, matrix=_matrix(tmp_path), params=params, growth=NO_GROWTH, top=None)
    # a country that exports but imports nothing is a missing importer of the release
    absent = [("AAA", "BBB", "010121", 10.0), ("BBB", "AAA", "010121", 5.0), ("FFF", "AAA", "010121", 7.0)]
    with pytest.raises(NotAvailableError, match="not available: FFF is not an importer"):
        potential(_Con(), "AAA", "FFF", matrix=_matrix(tmp_path, rows=absent), params=params, growth=NO_GROWTH)


def test_sector_totals_equal_sum_of_products(tmp_path: Path):
    r = potential(_Con(), "AAA", None, matrix=_matrix(tmp_path), params=_all_in(), growth=NO_GROWTH, top=None)
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
    # the factor halves the product's demand, and the hypothetical trade the ease is calibrated on (ITC's
    # market access terms are in both), so the ease rises a little and the potential is a bit over half
    assert p1["ease"] > p0["ease"]
    assert p1["potential_usd"] == pytest.approx(0.5 * p0["potential_usd"] * p1["ease"] / p0["ease"], rel=1e-9)
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


# --------------------------------------------------------------------------------------------
# what an analyst quotes: notes from the release's metadata, absent markets, supply side, sanctions,
# sensitivity, diversification, every pair


def test_absent_market_is_refused_in_one_line(store_path: Path):
    res = runner.invoke(app, ["potential", "--pair", "IND-USA", "--store", str(store_path)])
    assert res.exit_code == 1
    assert res.output.strip().splitlines() == [
        "error: not available: USA is not an importer in the embedded 2024 release (embedded/baci2024): it exports "
        "in it but has no import rows; load a release that has them"]


def test_embedded_notes_come_from_the_release(store):
    r = potential(store, "IND", "RUS", top=3)
    notes = "\n".join(r.notes)
    assert "importers missing from the 2024 release: DEU, ESP, FRA, GBR, NLD, USA" in notes
    assert "HS heading 2710 (refined petroleum) is absent" in notes
    assert "Russia has not reported to UN Comtrade since 2022" in notes
    assert "'S19' is BACI's code for Other Asia" in notes
    assert r.matrix["missing_importers"] == ["DEU", "ESP", "FRA", "GBR", "NLD", "USA"]


@pytest.mark.shared
@pytest.mark.slow
def test_ingesting_the_same_file_leaves_the_notes_unchanged(store, shared: Path, tmp_path: Path):
    """The release notes follow the file (its sha256 and its data), not whether it is embedded."""
    from bilateral.api import open_store
    from bilateral.sources.baci_iso3 import ingest_iso3

    embedded_result = potential(store, "IND", "RUS", top=20)
    with open_store(tmp_path / "baci.duckdb") as s:
        ingest_iso3(s, shared / "baci2024/world_hs6_2024.parquet")
        ingested = potential(s, "IND", "RUS", top=20)
        assert ingested.matrix["source"] == "baci"
        with pytest.raises(NotAvailableError, match="not available: USA is not an importer"):
            potential(s, "IND", "USA")
    assert ingested.notes == embedded_result.notes
    assert [p.hs6 for p in ingested.products] == [p.hs6 for p in embedded_result.products]
    for a, b in zip(ingested.products, embedded_result.products, strict=True):
        assert a.potential_usd == pytest.approx(b.potential_usd, rel=1e-6)
        assert a.distance_factor == pytest.approx(b.distance_factor, rel=1e-6)  # float32 in the embedded file


def test_sanction_weight_and_flags(store):
    r = potential(store, "IND", "RUS", top=None)
    risky = [p for p in r.products if p.sanction and p.sanction.secondary_risk]
    w = r.sanction_weight
    assert w.risky_untapped_usd == pytest.approx(sum(p.untapped_usd for p in risky))
    assert w.untapped_usd == pytest.approx(r.total.untapped_usd)
    assert sum(v for _, _, v in w.by_category) == pytest.approx(w.risky_untapped_usd)
    assert [x[3] for x in w.largest] == sorted((p.untapped_usd for p in risky), reverse=True)[:len(w.largest)]
    flagged = next(p for p in r.products if p.sanction is not None)
    d = flagged.to_dict()["sanction"]
    assert d["since"] == flagged.sanction.since and d["category"] and "Chupilkin" in d["source"]
    assert any("carry US$" in n for n in r.notes)


@pytest.mark.shared
def test_national_supply_side_equals_the_eidb_files(store, shared: Path):
    """300490: India's EIDB FY2024-25 HS8 lines summed, less the share of chapter 30 sold to the six importers
    the matrix lacks (EIDB by HS2 and partner); the matrix's own figure beside it."""
    hs8 = sum(float(r["value_usd_mn"]) for r in csv.DictReader((shared / "eidb/india_exports_hs8_world_fy.csv").open())
              if r["fy"] == "2024-25" and r["hs8"].startswith("300490")) * 1e6
    spellings = {"U S A", "U K", "FRANCE", "GERMANY", "NETHERLAND", "SPAIN"}
    # by partner country: the portal's UNSPECIFIED destination (US$1.47 mn) is no partner, as in the read layer
    ch30 = [r for r in csv.DictReader((shared / "eidb/india_exports_hs2_partner_fy.csv").open())
            if r["fy"] == "2024-25" and r["hs2"] == "30" and r["partner"] != "UNSPECIFIED"]
    gone = sum(float(r["value_usd_mn"]) for r in ch30 if r["partner"] in spellings)
    share = gone / sum(float(r["value_usd_mn"]) for r in ch30)
    (p,) = potential(store, "IND", "RUS", products=["300490"]).products
    assert p.supply_source == "national"
    assert p.supply_usd == pytest.approx(hs8 * (1 - share), rel=1e-9)
    world = str(shared / "baci2024/world_hs6_2024.parquet")
    baci = duckdb.sql(f"SELECT sum(round(value_usd)) FROM read_parquet('{world}') WHERE exporter = 'IND' "
                      "AND hs6 = '300490'").fetchall()[0][0]
    assert p.supply_matrix_usd == pytest.approx(float(baci), rel=1e-12)
    # 851712 (deleted by HS2022) lingers in the national file with a residual value: the matrix serves it
    r = potential(store, "IND", None, products=["851712"], top=1, params=_all_in())
    assert all(q.supply_source == "matrix" for q in r.products)


def test_spearman():
    from bilateral.models.potential.sensitivity import spearman

    assert spearman([1, 2, 3, 4], [1, 2, 3, 4]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # d = (0, 0, 1, −1): 1 − 6·2 / (4·15) = 0.8
    assert spearman([1, 2, 3, 4], [1, 2, 4, 3]) == pytest.approx(0.8)
    assert spearman([1, 2, 3], [5, 5, 5]) is None


def test_sensitivity_cases_equal_separate_runs(tmp_path: Path):
    dist = _distances({("AAA", "BBB"): 1000, ("CCC", "BBB"): 2000})
    params = replace(_wide(), sensitivity={"distance_elasticity": (0.0, 2.0), "income_elasticity": (0.5, 1.5),
                                           "capacity_rca_min": (0.0, 1.0)}, sensitivity_top=1)
    r = potential(_Con(), "AAA", "BBB", matrix=_matrix(tmp_path), params=params, growth=NO_GROWTH, top=None,
                  distances=dist, sensitivity=True)
    s = r.sensitivity
    assert [(c.parameter, c.value) for c in s.cases] == [
        ("distance_elasticity", 0.0), ("distance_elasticity", 2.0), ("income_elasticity", 0.5),
        ("income_elasticity", 1.5), ("capacity_rca_min", 0.0), ("capacity_rca_min", 1.0)]
    assert s.default_top == (f"BBB:{r.products[0].hs6}",)
    for case in s.cases:
        again = potential(_Con(), "AAA", "BBB", matrix=_matrix(tmp_path), growth=NO_GROWTH, top=None, distances=dist,
                          params=replace(params, **{case.parameter: case.value}))
        if case.parameter != "income_elasticity":  # no macro growth in this world: only the others move
            assert case.untapped_usd == pytest.approx(again.total.untapped_usd)
            top = (f"BBB:{again.products[0].hs6}",) if again.products else ()
            assert case.entrants == tuple(k for k in top if k not in s.default_top)


def test_diversification_json(store_path: Path):
    from bilateral.api import open_store
    from bilateral.indicators.product_space import density
    from bilateral.store.matrix import embedded_matrix

    res = runner.invoke(app, ["potential", "--pair", "IND-RUS", "--diversification", "--top", "10", "--format", "json",
                              "--store", str(store_path)])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["indicator"] == "diversification" and len(d["products"]) == 10
    params = parameters()
    with open_store(store_path, read_only=True) as store:
        dens = density(store.con.cursor(), embedded_matrix().exports, "IND")
        scope = {p.hs6 for p in potential(store, "IND", "RUS", top=None).products}
    for p in d["products"]:
        assert {"hs6", "density", "market_usd", "score_usd", "rca", "exports_usd"} <= set(p)
        assert p["density"] == pytest.approx(dens[p["hs6"]], abs=1e-12)
        assert p["score_usd"] == pytest.approx(p["density"] * p["market_usd"])
        assert p["density_percentile"] >= params.density_quantile
        # outside the export potential's scope
        assert p["rca"] is None or p["rca"] < params.capacity_rca_min or p["exports_usd"] < params.capacity_min_exports_usd
    assert [p["score_usd"] for p in d["products"]] == sorted((p["score_usd"] for p in d["products"]), reverse=True)
    assert not scope & {p["hs6"] for p in d["products"]}


def test_every_pair_to_parquet_equals_one_pair(store_path: Path, tmp_path: Path):
    world = tmp_path / "w.parquet"
    pq.write_table(pa.table({"year": [2024] * len(WORLD), "exporter": [r[0] for r in WORLD],
                             "importer": [r[1] for r in WORLD], "hs6": [r[2] for r in WORLD],
                             "value_usd": [r[3] * 1e6 for r in WORLD]}), world)
    out = tmp_path / "all.parquet"
    res = runner.invoke(app, ["potential", "--all", "--matrix", str(world), "--out", str(out), "--store", str(store_path)])
    assert res.exit_code == 0, res.output
    assert "written to" in res.output and "memory limit 1GB" in res.output
    rows = {(r["exporter"], r["importer"], r["hs6"]): r for r in pq.read_table(out).to_pylist()}
    one = potential(_Con(), "AAA", "BBB", matrix=parquet_matrix(world, 2024), top=None, supply=None)
    assert one.products
    for p in one.products:
        row = rows[("AAA", "BBB", p.hs6)]
        assert row["potential"] == pytest.approx(p.potential_usd, rel=1e-12)
        assert row["untapped"] == pytest.approx(p.untapped_usd, rel=1e-12)
        assert row["distance_factor"] == pytest.approx(p.distance_factor, rel=1e-12)
    embedded = runner.invoke(app, ["potential", "--all", "--out", str(tmp_path / "x.parquet"), "--store", str(store_path)])
    assert embedded.exit_code == 1 and "needs a full matrix" in embedded.output


def test_diversification_sector_filter(store):
    from bilateral.models.potential.diversification import diversification

    d = diversification(store, "IND", "RUS", sector="pharma", top=5)
    assert d.products and {p.sector for p in d.products} == {"pharmaceuticals"}


def test_every_product_meets_the_printed_capacity_rule(store):
    r = potential(store, "IND", "RUS", top=None)
    params = parameters()
    assert r.scope.rule == "RCA ≥ 1 and world exports ≥ US$1,000,000" == params.capacity_text()
    assert {p["parameter"] for p in r.to_dict()["parameters"]} >= {"capacity_rca_min", "capacity_min_exports_usd"}
    assert r.products and all(p.rca >= 1.0 and p.supply_usd >= 1e6 for p in r.products)
    assert len(r.products) == r.total.products
