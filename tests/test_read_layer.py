"""The read layer: any loaded pair reaches the reports, one source per figure, precedence as data.

BACI flow rows here are SYNTHETIC, in BACI's exact layout with real country codes (as in test_baci.py).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from bilateral.api import open_store
from bilateral.cli import app
from bilateral.harmonise.pairs import parse_pair
from bilateral.harmonise.sectors import sector_of
from bilateral.sources.canonical import to_table
from bilateral.store import queries
from bilateral.store.releases import ReleaseRecord

REPO = Path(__file__).resolve().parents[1]
COUNTRIES = """country_code,country_name,country_iso2,country_iso3
276,Germany,DE,DEU
643,Russian Federation,RU,RUS
699,India,IN,IND
"""
PRODUCTS = '''"code","description"
"270900","Petroleum oils, crude"
"300490","Medicaments: n.e.c. in heading 3004"
"847130","Portable automatic data processing machines"
'''
# SYNTHETIC values in thousands of US$, sorted by (i, j, k)
FLOWS = """t,i,j,k,v,q
2022,276,643,300490,1500.5,1
2022,276,643,847130,2500.25,2
2022,643,276,270900,40000.75,100
2022,643,699,270900,30000,90
2022,699,643,300490,600,1
"""
DEU_EXPORTS = (1500.5 + 2500.25) * 1000
DEU_IMPORTS = 40000.75 * 1000


def run(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture()
def baci_store(tmp_path: Path) -> Path:
    folder = tmp_path / "baci"
    folder.mkdir()
    (folder / "BACI_HS17_Y2022_V202501.csv").write_text(FLOWS)
    (folder / "country_codes_V202501.csv").write_text(COUNTRIES)
    (folder / "product_codes_HS17_V202501.csv").write_text(PRODUCTS)
    store = tmp_path / "s.duckdb"
    r = run("ingest", "baci", str(folder), "--store", str(store))
    assert r.exit_code == 0, r.output
    return store


def test_baci_pair_reaches_overview(baci_store: Path) -> None:
    r = run("overview", "--pair", "DEU-RUS", "--period", "CY2022", "--format", "json", "--store", str(baci_store))
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    t = out["totals"]
    assert t["exports_usd"] == DEU_EXPORTS
    assert t["imports_usd"] == DEU_IMPORTS
    assert t["total_trade_usd"] == DEU_EXPORTS + DEU_IMPORTS
    assert t["balance_usd"] == DEU_EXPORTS - DEU_IMPORTS
    assert t["source"] == "baci" and t["release"] == "baci/HS17/V202501/2022" and t["grade"] == "A"
    assert t["exports_served"]["basis"] == "sum of HS6 detail"
    assert out["official"] is None
    # roll-up of HS6 cells to chapters, labelled as the importer's side of each cell
    [chapter] = out["imports_by_chapter"]
    assert (chapter["hs2"], chapter["value_usd"], chapter["share"], chapter["partner"]) == ("27", DEU_IMPORTS, 1.0, "RUS")
    assert chapter["description"].startswith("MINERAL FUELS")
    assert {s["sector"]: s["value_usd"] for s in out["sectors"] if s["value_usd"]} == {
        "pharmaceuticals": 1500.5 * 1000, sector_of("847130"): 2500.25 * 1000}


def test_baci_pair_default_period_and_indicators(baci_store: Path) -> None:
    r = run("overview", "--pair", "DEU-RUS", "--format", "json", "--store", str(baci_store))
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["period"] == "CY2022"  # the latest the serving source holds
    r = run("indicators", "--pair", "DEU-RUS", "--format", "json", "--store", str(baci_store))
    assert r.exit_code == 0, r.output
    rows = {x["name"]: x for x in json.loads(r.stdout)}
    assert rows["trade_balance"]["value"] == DEU_EXPORTS - DEU_IMPORTS
    assert rows["energy_share_imports"]["value"] == 1.0
    assert rows["hhi_products"]["value"] == pytest.approx((1500.5 / 4000.75) ** 2 + (2500.25 / 4000.75) ** 2, rel=1e-12)
    # a fiscal year is not built from calendar-year data
    r = run("overview", "--pair", "DEU-RUS", "--period", "FY2022-23", "--store", str(baci_store))
    assert r.exit_code == 1 and "no fiscal-year figures for DEU-RUS" in r.stderr


def test_india_russia_unchanged_by_a_baci_load(baci_store: Path) -> None:
    """Official FY totals still serve IND-RUS; BACI serves its calendar years, never added to them."""
    with open_store(baci_store) as s:
        fy = {t.period: t for t in queries.pair_totals(s, "IND-RUS", period_kind="fy")}
        cy = {t.period: t for t in queries.pair_totals(s, "IND-RUS", period_kind="cy")}
    assert fy["FY2024-25"].total_usd == 68_692_740_000.0 and fy["FY2024-25"].source == "official"
    assert cy["CY2022"].exports_usd == 600_000.0 and cy["CY2022"].imports_usd == 30_000_000.0
    assert cy["CY2022"].source == "baci"


def _comtrade_release(store_path: Path, exports: float, imports: float) -> None:
    """A reported UN Comtrade total for IND-RUS CY2022 (SYNTHETIC values), loaded as any release is."""
    rows = [{"source": "comtrade", "release": "comtrade/test/IND-RUS-2022", "period": "CY2022", "period_kind": "cy",
             "reporter": "IND", "partner": "RUS", "flow": f, "hs_revision": None, "product": "TOTAL",
             "product_level": 0, "value_usd": v, "quantity": None, "quantity_unit": None, "estimate": "reported",
             "quality": "comtrade_reported"} for f, v in (("export", exports), ("import", imports))]
    table = to_table("flows", rows)
    assert isinstance(table, pa.Table)
    with open_store(store_path) as s:
        s.load_release(ReleaseRecord("comtrade/test/IND-RUS-2022", "comtrade", "test", "synthetic", "abc", "test"),
                       {"flows": table})


def test_precedence_file_decides(baci_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _comtrade_release(baci_store, 700_000.0, 31_000_000.0)
    with open_store(baci_store) as s:
        t = {x.period: x for x in queries.pair_totals(s, "IND-RUS", period_kind="cy")}["CY2022"]
        assert (t.exports_usd, t.imports_usd, t.source) == (700_000.0, 31_000_000.0, "comtrade")  # rank 4 beats 5
        # swap the ranks of Comtrade-as-reported and BACI in the file: BACI now serves, nothing is added
        text = queries._data("source_precedence.csv")
        swapped = text.replace("\n4,comtrade,reported,", "\nX,comtrade,reported,").replace(
            "\n5,baci,", "\n4,baci,").replace("\nX,comtrade,reported,", "\n5,comtrade,reported,")
        assert swapped != text
        monkeypatch.setattr(queries, "_data", lambda name: swapped if name == "source_precedence.csv" else text)
        queries.precedence.cache_clear()
        try:
            t = {x.period: x for x in queries.pair_totals(s, "IND-RUS", period_kind="cy")}["CY2022"]
            assert (t.exports_usd, t.imports_usd, t.source) == (600_000.0, 30_000_000.0, "baci")
        finally:
            queries.precedence.cache_clear()


def test_a_source_missing_from_the_precedence_file_never_serves(baci_store: Path, monkeypatch) -> None:
    text = queries._data("source_precedence.csv")
    cut = "\n".join(line for line in text.splitlines() if ",baci," not in line) + "\n"
    monkeypatch.setattr(queries, "_data", lambda name: cut)
    queries.precedence.cache_clear()
    try:
        with open_store(baci_store) as s:
            assert queries.pair_totals(s, "DEU-RUS") == []
    finally:
        queries.precedence.cache_clear()


def test_source_names_only_in_precedence_and_loader() -> None:
    """`'embedded'` as a literal stands only in the precedence file and the embedded loader."""
    out = subprocess.run(["grep", "-rn", "'embedded'", "bilateral/", "--include=*.py"], cwd=REPO,
                         capture_output=True, text=True).stdout
    offenders = [line for line in out.splitlines() if not line.startswith("bilateral/sources/embedded.py")]
    assert offenders == []


def test_flows_defaults_to_the_best_source_and_labels_roll_ups(baci_store: Path) -> None:
    r = run("flows", "--pair", "DEU-RUS", "--format", "json", "--store", str(baci_store))
    assert r.exit_code == 0, r.output
    rows = {(x["period"], x["flow"]): x for x in json.loads(r.stdout)}
    assert rows[("CY2022", "export")]["value_usd"] == DEU_EXPORTS
    assert rows[("CY2022", "import")]["value_usd"] == DEU_IMPORTS
    assert {x["source"] for x in rows.values()} == {"baci"}
    assert rows[("CY2022", "export")]["basis"] == "sum of HS6 detail"
    r = run("flows", "--pair", "DEU-RUS", "--level", "4", "--format", "json", "--store", str(baci_store))
    rows4 = {(x["period"], x["flow"]): x for x in json.loads(r.stdout)}
    assert rows4[("CY2022", "export")]["basis"] == "HS6 detail rolled up to HS4"
    assert rows4[("CY2022", "export")]["lines"] == 2 and rows4[("CY2022", "export")]["value_usd"] == DEU_EXPORTS
    r = run("flows", "--store", str(baci_store), "--format", "json")
    fy = {(x["period"], x["flow"]): x for x in json.loads(r.stdout)}
    assert fy[("FY2024-25", "export")]["source"] == "official" and fy[("FY2024-25", "export")]["value_usd"] == 4_881_300_000.0
    r = run("flows", "--source", "foo", "--store", str(baci_store))
    assert r.exit_code == 2  # a bad option value, refused as it is read
    assert r.stderr.strip() == "error: unknown --source 'foo'; use one of official, embedded, eidb, comtrade, baci, mirror"
    r = run("flows", "--pair", "DEU-RUS", "--source", "comtrade", "--store", str(baci_store))
    assert r.exit_code == 1 and "bilateral ingest comtrade --reporter DEU --partner RUS --level 0" in r.stderr


def test_partial_detail_is_not_labelled_a_total(store_path: Path) -> None:
    """Issue #9: a sum of partial HS8 lines is not a complete total."""
    r = run("flows", "--source", "embedded", "--format", "json", "--store", str(store_path))
    rows = {(x["period"], x["flow"]): x for x in json.loads(r.stdout)}
    assert rows[("FY2024-25", "export")]["basis"] == "sum of HS8 detail (partial: not a total)"
    assert rows[("FY2024-25", "export")]["value_usd"] == 3_962_280_000.0
    assert rows[("FY2024-25", "export")]["grade"] == "B"


def test_selected_national_lines_never_stand_as_a_total(store) -> None:
    """Crude and coal lines (quality 'complete' each) are not India's total imports from Iraq (found by the claim checker).

    The periods are listed (the store holds detail for them, as ``flows`` shows) with no total served, each
    missing flow named with the reason (issue 23).
    """
    totals = queries.pair_totals(store, "IND-IRQ")
    assert totals and all(t.exports_usd is None and t.imports_usd is None for t in totals)
    fy22 = {m.figure: m for m in next(t for t in totals if t.period == "FY2021-22").missing}
    assert fy22["imports_usd"].reason == (
        "embedded/energy-crude-coal holds IND's imports from IRQ in FY2021-22 only as HS4 detail (1 line, US$30,342.10 "
        "mn), which is not the whole flow: the embedded files publish selected products, not every one "
        "(source_precedence.csv)")
    assert {t.period for t in totals} == {r.period for r in queries.pair_flows(store, "IND-IRQ")}
    rows = {(r.period, r.flow): r for r in queries.pair_flows(store, "IND-IRQ", "embedded")}
    assert rows[("FY2021-22", "import")].basis == "sum of HS4 detail (partial: not a total)"


def test_trade_complementarity_from_the_world_matrix(store) -> None:
    """India's exports vs Russia's imports, 2024 world matrix: recomputed by hand from the embedded slices."""
    import duckdb

    from bilateral.models.indicators import summary
    from bilateral.sources import embedded

    rows = {r["name"]: r for r in summary(store, queries._as_pair("IND-RUS"), "FY2024-25")}
    con = duckdb.connect()
    x = dict(con.execute("SELECT hs6, sum(value_usd) FROM read_parquet(?) WHERE exporter = 'IND' GROUP BY 1",
                         [str(embedded.world_file("baci2024-exports-by-country"))]).fetchall())
    m = dict(con.execute("SELECT hs6, sum(value_usd) FROM read_parquet(?) WHERE importer = 'RUS' GROUP BY 1",
                         [str(embedded.world_file("baci2024-imports-by-country"))]).fetchall())
    tx, tm = sum(x.values()), sum(m.values())
    expected = 100 * (1 - sum(abs(m.get(k, 0) / tm - x.get(k, 0) / tx) for k in set(x) | set(m)) / 2)
    assert rows["trade_complementarity"]["value"] == pytest.approx(expected, rel=1e-9)
    assert "CY2024" in rows["trade_complementarity"]["note"]


def test_read_cache_sees_a_load_made_through_the_same_store(baci_store: Path) -> None:
    """The figure index is cached per store object; a load (a transaction) makes it read again."""
    with open_store(baci_store) as s:
        before = {x.period: x for x in queries.pair_totals(s, "IND-RUS", period_kind="cy")}["CY2022"]
        assert before.source == "baci"
    _comtrade_release(baci_store, 700_000.0, 31_000_000.0)
    with open_store(baci_store) as s:
        queries.pair_totals(s, "IND-RUS")
        rows = [{"source": "comtrade", "release": "comtrade/test/IND-RUS-2023", "period": "CY2023", "period_kind": "cy",
                 "reporter": "IND", "partner": "RUS", "flow": f, "hs_revision": None, "product": "TOTAL",
                 "product_level": 0, "value_usd": 1.0, "quantity": None, "quantity_unit": None, "estimate": "reported",
                 "quality": "comtrade_reported"} for f in ("export", "import")]
        s.load_release(ReleaseRecord("comtrade/test/IND-RUS-2023", "comtrade", "test", "synthetic", "def", "test"),
                       {"flows": to_table("flows", rows)})
        after = {x.period: x for x in queries.pair_totals(s, "IND-RUS", period_kind="cy")}
        assert after["CY2023"].total_usd == 2.0 and after["CY2022"].source == "comtrade"


# -- values pinned whole (issue 28: mutation survivors in store/queries) --------------------------------------------
def test_energy_imports_pinned_for_each_kind_of_answer(store):
    from bilateral.store.queries import EnergyImports, Served, energy_imports

    pair = parse_pair("IND-RUS")
    assert energy_imports(store, pair, "FY2025-26") == EnergyImports(  # the chapter as published
        "FY2025-26", 47_824.9e6, 47_824.9e6, pytest.approx(47_824.9e6 / 55_369.62e6), True, False,
        "HS 27 as published for RUS", Served("embedded", "embedded/top-hs2-fy2025-26", "top_n", "sum of HS2 detail"))
    lower = energy_imports(store, pair, "FY2019-20")  # partial detail: a lower bound, no share
    assert lower == EnergyImports(
        "FY2019-20", None, 2_611.42e6, None, False, False,
        "the HS4 detail for RUS covers 36.8% of imports (2 lines): HS 27 is at least 2,611.42 US$ mn",
        Served("embedded", "embedded/energy-crude-coal", "complete", "sum of HS4 detail"))
    proxy = energy_imports(store, pair, "FY2024-25")  # the region standing in for the partner
    assert proxy is not None and (proxy.value_usd, proxy.lower_bound_usd, proxy.exact, proxy.proxy) == (None, None, False, True)
    assert proxy.share == pytest.approx(0.874781240165613, rel=1e-12)
    assert proxy.basis == "share of HS 27 in imports from the region 'Other CIS Countries', standing in for RUS"
    assert proxy.served == Served("embedded", "embedded/eidb-imports-hs2-cis-region", "region_proxy", "sum of HS2 detail")
    assert energy_imports(store, pair, "CY2024") is None


def test_energy_history_pinned(store):
    from bilateral.store.queries import energy_history, pair_totals

    pair = parse_pair("IND-RUS")
    got = [(e.period, round(e.value_usd / 1e6, 2), e.basis, e.note, e.release)
           for e in energy_history(store, pair, pair_totals(store, pair, period_kind="fy"))]
    partial = "the partner's own HS 27 headings only (detail covers part of HS 27)"
    cis = "embedded/eidb-imports-hs2-cis-region"
    assert got == [
        ("FY2017-18", 1_696.61, "lower_bound", partial, "embedded/energy-crude-coal"),
        ("FY2018-19", 1_858.80, "lower_bound", partial, "embedded/energy-crude-coal"),
        ("FY2019-20", 2_611.42, "lower_bound", partial, "embedded/energy-crude-coal"),
        ("FY2020-21", 1_559.18, "lower_bound", partial, "embedded/energy-crude-coal"),
        ("FY2021-22", 4_058.13, "lower_bound", "the partner's own HS 27 headings (above the region proxy 3,899 mn)",
         "embedded/energy-crude-coal"),
        ("FY2022-23", 38_107.75, "proxy", "HS 27 share 82.5% of the region Other CIS Countries (HS2) × official imports",
         cis),
        ("FY2023-24", 53_888.46, "proxy", "HS 27 share 87.7% of the region Other CIS Countries (HS2) × official imports",
         cis),
        ("FY2024-25", 55_821.05, "proxy", "HS 27 share 87.5% of the region Other CIS Countries (HS2) × official imports",
         cis),
        ("FY2025-26", 47_824.90, "exact", "the HS 27 chapter figure for RUS in its HS2 detail", "embedded/top-hs2-fy2025-26")]


def test_pair_flows_and_provenance_pinned(store):
    from bilateral.store.queries import FlowRow, all_releases, official_meta, pair_flows, release_info

    pair = parse_pair("IND-RUS")
    totals = pair_flows(store, pair)
    assert len(totals) == 32 and totals[0] == FlowRow("FY2010-11", "export", 1_689.5e6, 1, "official", "official",
                                                      "official", "A", "official total (final)", "embedded/official-fy")
    assert totals[-1] == FlowRow("FY2025-26", "import", 55_369.62e6, 1, "official", "official", "official", "A",
                                 "official total (provisional)", "embedded/official-fy")
    hs2 = pair_flows(store, pair, level=2)
    assert len(hs2) == 15 and hs2[:2] == [
        FlowRow("FY2017-18", "export", 2_032.69e6, 84, "embedded", "reported", "partial_detail", "B",
                "as published (partial: not every product)", "embedded/eidb-exports-hs2-partner"),
        FlowRow("FY2017-18", "import", 1_696.61e6, 1, "embedded", "reported", "complete", "B",
                "HS4 detail rolled up to HS2 (partial: not every product)", "embedded/energy-crude-coal")]
    assert pair_flows(store, pair, source="official") == totals
    dgcis = "DGCI&S / Department of Commerce, Government of India (TradeStat)"
    assert official_meta(store, "IND", "RUS", "FY2024-25") == (dgcis, "https://tradestat.commerce.gov.in/ftspcc/"
                                                                      "ttrade_country_wise")
    assert official_meta(store, "IND", "CHN", "FY2024-25") is None
    infos = release_info(store, "embedded/official-fy, embedded/energy-crude-coal")
    assert [(i.release, i.file, i.producer, i.url, i.version) for i in infos] == [
        ("embedded/energy-crude-coal", "energy-crude-coal.parquet", dgcis, "https://tradestat.commerce.gov.in/",
         "2026.11.27"),
        ("embedded/official-fy", "official-fy.parquet", dgcis,
         "https://tradestat.commerce.gov.in/ftspcc/ttrade_country_wise", "2026.11.27")]
    assert infos[1].sha256 == "745e161f4c6149f521563151e89c40aacbff3c5f1b9e99d7d933f695502e40bb"
    rels = all_releases(store)
    assert len(rels) == 12 and rels[0]["release"] == "embedded/countries" and rels[0]["rows"] == 251
    assert rels[0]["url"] == "https://github.com/IndEcol/country_converter"
