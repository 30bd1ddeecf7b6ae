"""Partner shares for any pair from a loaded world matrix (issue 28).

A reporter with no totals against the world (WLD) in the store gets its trade with the world from a
loaded BACI *world* matrix (its cells name at least WORLD_MATRIX_MIN_COUNTRIES exporters and
importers): the sum of its cells. A slice of a matrix (a few countries) never stands for the world.
The matrix here is SYNTHETIC (made-up values in the layout of the shared world file).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_any_pair import write_matrix
from typer.testing import CliRunner

from bilateral.api import open_store
from bilateral.cli import app
from bilateral.harmonise.countries import iso3_codes
from bilateral.harmonise.pairs import parse_pair
from bilateral.models import indicators as indicators_model
from bilateral.models.overview import overview
from bilateral.store import queries
from bilateral.store.queries.totals import WORLD_MATRIX_MIN_COUNTRIES

MN = 1e6
#: a ring of countries, each exporting US$1 mn of 010121 to the next: every one an exporter and an importer
RING = sorted(iso3_codes() - {"CHN", "RUS"})[:WORLD_MATRIX_MIN_COUNTRIES]
ROWS = [(2024, a, b, "010121", 1 * MN) for a, b in zip(RING, RING[1:] + RING[:1], strict=True)] + [
    (2024, "CHN", "RUS", "870323", 60 * MN), (2024, "CHN", "RUS", "300490", 40 * MN),   # CHN → RUS: 100
    (2024, "CHN", RING[0], "870323", 240 * MN), (2024, "CHN", RING[1], "300490", 160 * MN),  # CHN → others: 400
    (2024, "RUS", "CHN", "270900", 300 * MN), (2024, RING[2], "CHN", "270900", 200 * MN),  # CHN imports: 500
    (2024, "RUS", RING[3], "270900", 10 * MN)]


@pytest.fixture(scope="module")
def world_store(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bilateral.sources import baci

    folder = tmp_path_factory.mktemp("world")
    dst = folder / "world.duckdb"
    shutil.copyfile(store_path, dst)
    with open_store(dst) as s:
        baci.ingest(s, write_matrix(folder / "ring_world_2024.parquet", ROWS))
    return dst


def test_reporter_totals_sum_a_world_matrix(world_store: Path):
    with open_store(world_store, read_only=True) as s:
        w = queries.reporter_totals(s, "CHN", "CY2024")
        assert w is not None and (w.exports_usd, w.imports_usd) == (500 * MN, 500 * MN)
        assert w.exports_served is not None and w.exports_served.release.endswith("ring_world_2024/2024")
        assert queries.reporter_totals(s, "CHN", "CY2023") is None  # no matrix for that year
        assert queries.reporter_totals(s, "CHN", "FY2024-25") is None  # never a fiscal year from a calendar matrix
        by = queries.sector_values(s, "CHN", queries.WORLD, "export", ["CY2024"])
        assert sum(v["CY2024"] for v in by.values()) == 500 * MN
        values = {r["name"]: r["value"] for r in indicators_model.summary(s, parse_pair("CHN-RUS"), "CY2024")}
        assert values["partner_share_exports"] == pytest.approx(100 / 500)
        assert values["partner_share_imports"] == pytest.approx(300 / 500)
        assert values["partner_share_trade"] == pytest.approx(400 / 1000)
        ov = overview(s, parse_pair("CHN-RUS"), "CY2024")
        shares = {r.sector: r.partner_share_of_reporter_exports for r in ov.sectors if r.value_usd}
        assert shares["engineering"] == pytest.approx(60 / 300) and shares["pharmaceuticals"] == pytest.approx(40 / 200)
        assert not [m for m in ov.missing if m.figure == "sector_partner_share"], "served: not named missing"


def test_a_slice_is_not_the_world(store_path: Path, tmp_path: Path):
    """Only CHN's exports to RUS loaded: overview answers with them, the imports and shares missing, never 100%."""
    from bilateral.sources import baci

    dst = tmp_path / "slice.duckdb"
    shutil.copyfile(store_path, dst)
    with open_store(dst) as s:
        baci.ingest(s, write_matrix(tmp_path / "only_exports_2024.parquet", ROWS[-7:-5]))
    with open_store(dst, read_only=True) as s:
        assert queries.reporter_totals(s, "CHN", "CY2024") is None
        ov = overview(s, parse_pair("CHN-RUS"), "CY2024")
        assert ov.totals.exports_usd == 100 * MN and ov.totals.imports_usd is None
        assert all(r.partner_share_of_reporter_exports is None for r in ov.sectors)
        shares = [m for m in ov.missing if m.figure == "sector_partner_share"]
        assert [(m.period, m.reason) for m in shares] == [(
            "CY2024", "needs CHN's exports to the world by sector in CY2024, which the store does not hold (a release "
                      "with a reporter's exports to only some markets never stands for the world)")]
        assert shares[0].remedy == ("load the whole world matrix of 2024 from CEPII's BACI "
                                    "(`bilateral ingest baci FILE --years 2024`)")
    r = CliRunner().invoke(app, ["overview", "--pair", "CHN-RUS", "--store", str(dst)])
    assert r.exit_code == 0, r.output
    assert "Missing: imports — CHN is not an importer in baci/ISO3/only_exports_2024/2024" in " ".join(r.stdout.split())
    assert "partner's share of the reporter's exports by sector — needs CHN's exports to the world" in " ".join(
        r.stdout.split())


def test_target_scenarios_say_whose_wording_they_carry(world_store: Path):
    """The shipped scenarios speak of India and Russia: for another pair each says it was written for IND-RUS."""
    from bilateral.models.target import load_scenarios, track

    sfile = load_scenarios(None)
    assert sfile.written_for == "IND-RUS"
    sq = sfile.scenarios[0]
    assert sfile.described_for(sq, "IND-RUS") == sq.description
    with open_store(world_store, read_only=True) as s:
        r = track(s, parse_pair("CHN-RUS"), target_usd=300e9, by="CY2030", with_backtest=False)
    assert [x.description for x in r.scenarios] == [
        f"Written for IND-RUS; applied to CHN-RUS at the same rates. {x.description}" for x in sfile.scenarios]
