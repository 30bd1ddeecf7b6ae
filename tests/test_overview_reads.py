"""The overview's reads (issue 25): one scan for a pair's figures, one for its lines, values unchanged.

Values are the embedded release's (real DGCI&S/EIDB figures, India–Russia FY2024-25); each is also
computed here by a plain query over ``flows``, the reference the batched reads must equal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bilateral.api import open_store
from bilateral.harmonise.pairs import parse_pair
from bilateral.models.overview import overview
from bilateral.sources.canonical import to_table
from bilateral.store import queries
from bilateral.store.releases import ReleaseRecord

FY = "FY2024-25"


class Counting:
    """A store connection that counts the statements run through it (cursors included)."""

    def __init__(self, con: Any, seen: list[str]) -> None:
        self._con, self.seen = con, seen

    def execute(self, sql: str, *args: Any) -> Any:
        self.seen.append(" ".join(sql.split()))
        return self._con.execute(sql, *args)

    def cursor(self) -> Counting:
        return Counting(self._con.cursor(), self.seen)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def _reference(store: Any, partner: str) -> dict[tuple[Any, ...], tuple[float, int, str, str]]:
    """The figures of (IND, partner) read the plain way: one GROUP BY over ``flows``."""
    rows = store.con.execute(
        """SELECT source, estimate, period, period_kind, flow, product_level, sum(value_usd), count(*),
                  string_agg(DISTINCT release, ', ' ORDER BY release), string_agg(DISTINCT quality, ', ' ORDER BY quality)
           FROM flows WHERE reporter = 'IND' AND partner = ? AND period_kind IN ('fy', 'cy') GROUP BY ALL""",
        [partner]).fetchall()
    return {tuple(r[:6]): (r[6], r[7], r[8], r[9]) for r in rows}


def test_figures_of_several_partners_in_one_scan_equal_the_plain_reads(store_path: Path) -> None:
    with open_store(store_path, read_only=True) as s:
        queries.read_figures(s, "IND", ["RUS", "_CIS", "WLD"])
        got = {p: {tuple(r[:6]): (r[6], r[7], r[8], r[9]) for r in queries.totals._figures(s, "IND", p)}
               for p in ("RUS", "_CIS", "WLD")}
        for p in ("RUS", "_CIS", "WLD"):
            assert got[p] == _reference(s, p)
    rus = got["RUS"]
    assert rus[("embedded", "reported", FY, "fy", "export", 8)] == (
        3_962_280_000.0, 4028, "embedded/eidb-exports-hs8-russia", "partial_detail")
    assert got["_CIS"][("embedded", "reported", FY, "fy", "import", 2)] == (
        65_014_220_000.0, 87, "embedded/eidb-imports-hs2-cis-region", "region_proxy")
    assert got["WLD"][("embedded", "reported", FY, "fy", "export", 8)] == (
        298_518_030_000.0, 9529, "embedded/eidb-exports-hs8-world", "partial_detail")
    assert len(rus) == 23 and len(got["_CIS"]) == 4 and len(got["WLD"]) == 8


def test_lines_held_and_rolled_up_in_one_scan_equal_the_plain_reads(store_path: Path) -> None:
    years = ["FY2017-18", "FY2023-24", FY]
    with open_store(store_path, read_only=True) as s:
        queries.read_figures(s, "IND", ["RUS"])  # which source serves each period's detail
        seen: list[str] = []
        s.con = Counting(s.con, seen)  # type: ignore[assignment]
        queries.read_lines(s, "IND", "RUS", "export", years, (4,))
        scans = len(seen)
        hs4 = queries.product_values(s, "IND", "RUS", "export", years, 4)
        sectors = queries.sector_values(s, "IND", "RUS", "export", years)
        finest = queries.lines(s, queries.finest_detail(s, "IND", "RUS", "export", FY))  # type: ignore[arg-type]
        assert len(seen) == scans == 1  # the three answers came from the one scan
        plain = dict(s.con.execute(
            "SELECT left(product, 4), sum(value_usd) FROM flows WHERE reporter = 'IND' AND partner = 'RUS' "
            "AND flow = 'export' AND product_level = 8 AND period = ? GROUP BY 1", [FY]).fetchall())
        plain8 = dict(s.con.execute(
            "SELECT product, sum(value_usd) FROM flows WHERE reporter = 'IND' AND partner = 'RUS' "
            "AND flow = 'export' AND product_level = 8 AND period = ? GROUP BY 1", [FY]).fetchall())
    assert {c: v[FY] for c, v in hs4.items() if FY in v} == plain
    assert finest == plain8
    assert hs4["8471"] == {"FY2017-18": 7_750_000.0, "FY2023-24": 85_580_000.0, FY: 516_190_000.0}
    assert len(finest) == 4028 and finest["84715000"] == 440_580_000.0
    assert sectors["engineering"][FY] == 1_017_110_000.0


def test_the_overview_reads_the_flows_in_four_scans(store_path: Path) -> None:
    """The page's figures (pair, region, world) in one scan, its export lines in one, the world's and the
    imports' lines in one each; 11 statements in all (18 before issue 25)."""
    with open_store(store_path, read_only=True) as s:
        seen: list[str] = []
        s.con = Counting(s.con, seen)  # type: ignore[assignment]
        result = overview(s, parse_pair("IND-RUS"), FY)
    flows_scans = [q for q in seen if " flows" in q or "report_flows" in q]
    assert len(flows_scans) == 4, flows_scans
    assert len(seen) == 9, seen  # + the official totals, their publisher, the releases (2), the descriptions
    assert result.detail.exports is not None and result.detail.exports.value_usd == 3_962_280_000.0
    assert [(p.hs4, p.largest_line, p.value_usd) for p in result.top_products[:2]] == [
        ("8471", "84715000", 516_190_000.0), ("3004", "30049099", 374_590_000.0)]
    assert result.top_products[0].largest_line_description.startswith("DIGITL PROCESNG UNITS")
    assert [(c.hs2, c.partner, c.value_usd) for c in result.imports_by_chapter[:2]] == [
        ("27", "_CIS", 56_873_220_000.0), ("15", "_CIS", 3_247_100_000.0)]
    assert result.imports_by_chapter[0].description.startswith("MINERAL FUELS")
    assert [(r.sector, r.value_usd) for r in result.sectors[:2]] == [
        ("engineering", 1_017_110_000.0), ("agriculture_food", 650_360_000.0)]


def test_cached_lines_are_read_again_after_a_load(fresh_store_path: Path) -> None:
    """The lines are cached per store object like the figures; a load (a transaction) makes them read again."""
    with open_store(fresh_store_path) as s:
        d = queries.finest_detail(s, "IND", "RUS", "export", FY)
        assert d is not None
        before = queries.lines(s, d)
        assert "99999999" not in before
        row = {"source": "embedded", "release": "embedded/test-extra-line", "period": FY, "period_kind": "fy",
               "reporter": "IND", "partner": "RUS", "flow": "export", "hs_revision": None, "product": "99999999",
               "product_level": 8, "value_usd": 1_000.0, "quantity": None, "quantity_unit": None,
               "estimate": "reported", "quality": "partial_detail"}
        s.load_release(ReleaseRecord("embedded/test-extra-line", "embedded", "test", "synthetic", "abc", "test"),
                       {"flows": to_table("flows", [row])})
        d2 = queries.finest_detail(s, "IND", "RUS", "export", FY)
        assert d2 is not None and d2.lines == 4029 and d2.value_usd == 3_962_281_000.0
        assert queries.lines(s, d2)["99999999"] == 1_000.0
        assert queries.product_values(s, "IND", "RUS", "export", [FY], 4)["9999"] == {FY: 1_000.0}


# SYNTHETIC cells in BACI's layout (real country codes), two years: who exports and imports in each
_COUNTRIES = """country_code,country_name,country_iso2,country_iso3
276,Germany,DE,DEU
643,Russian Federation,RU,RUS
699,India,IN,IND
"""
_PRODUCTS = '''"code","description"
"270900","Petroleum oils, crude"
"300490","Medicaments: n.e.c. in heading 3004"
'''


def test_matrix_roles_per_release(tmp_path: Path) -> None:
    """Each loaded BACI release's exporters and importers, read one release at a time (issue 25)."""
    from typer.testing import CliRunner

    from bilateral.cli import app

    folder = tmp_path / "baci"
    folder.mkdir()
    (folder / "BACI_HS17_Y2022_V202501.csv").write_text(
        "t,i,j,k,v,q\n2022,276,643,300490,1500.5,1\n2022,643,699,270900,30000,90\n")
    (folder / "BACI_HS17_Y2023_V202501.csv").write_text("t,i,j,k,v,q\n2023,699,276,300490,600,1\n")
    (folder / "country_codes_V202501.csv").write_text(_COUNTRIES)
    (folder / "product_codes_HS17_V202501.csv").write_text(_PRODUCTS)
    path = tmp_path / "s.duckdb"
    r = CliRunner().invoke(app, ["ingest", "baci", str(folder), "--store", str(path)])
    assert r.exit_code == 0, r.output
    with open_store(path, read_only=True) as s:
        roles = queries.matrix_roles(s)
    assert [(m.release, m.version, m.year, m.exporters, m.importers) for m in roles] == [
        ("baci/HS17/V202501/2023", "V202501", 2023, frozenset({"IND"}), frozenset({"DEU"})),
        ("baci/HS17/V202501/2022", "V202501", 2022, frozenset({"DEU", "RUS"}), frozenset({"RUS", "IND"})),
    ]
