"""EIDB reader: the scrape's commodity JSON (with its year-key quirks) and region-wise CSV tables."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilateral.api import open_store
from bilateral.cli import app
from bilateral.errors import InputError
from bilateral.harmonise.periods import FiscalYear
from bilateral.models.overview import overview
from bilateral.sources import eidb

pytestmark = pytest.mark.shared

REGION = "import_2024-25_other-cis-countries.csv"


def snapshot(path: Path) -> list[object]:
    with open_store(path) as s:
        return (s.con.execute("SELECT release, checksum, rows FROM releases ORDER BY release").fetchall()
                + s.con.execute("SELECT count(*), sum(value_usd) FROM flows").fetchall())


@pytest.mark.parametrize(("page", "own", "previous"), [(2024, "2024-25", "2023-24"), (2022, "2022-23", "2021-22"),
                                                       (2018, "2018-19", "2017-18")])
def test_quirk_page_year_keys(page, own, previous):
    cols = eidb.page_columns(page)
    assert cols["y2024_2025"] == FiscalYear(int(own[:4])) and cols["y2023_2024"] == FiscalYear(int(previous[:4]))


def test_quirk_shifted_totals_block(shared):
    doc = json.loads((shared / "eidb/raw-sample/30049099_export.json").read_text())
    assert eidb.page_total(doc["years"]["2024"]) == 9778.33  # its y2023_2024 is the page-FY (2024-25) total


def test_commodity_pages_match_the_derived_files(shared, fresh_store_path):
    """Every India→Russia figure read from the raw pages equals the derived file's (latest revision)."""
    with open_store(fresh_store_path) as s:
        report = eidb.ingest(s, shared / "eidb/raw-sample")
        assert len(report.loaded) == 5
        got = {(r[0], r[1]): (r[2], r[3]) for r in s.con.execute(
            "SELECT product, period, value_usd, quantity FROM flows WHERE source = 'eidb' AND partner = 'RUS'"
        ).fetchall()}
    codes = {p.name[:8] for p in (shared / "eidb/raw-sample").glob("*.json")}
    expected = {}
    with (shared / "eidb/india_exports_hs8_russia_fy.csv").open() as fh:
        for r in csv.DictReader(fh):
            if r["hs8"] in codes:
                expected[(r["hs8"], f"FY{r['fy']}")] = round(float(r["value_usd_mn"]) * 1e6)
    assert {k: v[0] for k, v in got.items()} == expected
    assert got[("30049099", "FY2024-25")] == (143_290_000.0, 2_404_163.0)


def test_world_totals_reconcile_with_page_totals(shared, fresh_store_path):
    with open_store(fresh_store_path) as s:
        eidb.ingest(s, shared / "eidb/raw-sample/30049099_export.json")
        total = s.con.execute("SELECT sum(value_usd) FROM flows WHERE source = 'eidb' AND period = 'FY2024-25'").fetchone()
    assert total[0] / 1e6 == pytest.approx(9778.33, abs=209 * eidb.ROUNDING_PER_ROW_MN)


def test_ingested_detail_does_not_change_the_overview(shared, fresh_store_path):
    with open_store(fresh_store_path) as s:
        before = overview(s, _pair(), "2024-25")
        eidb.ingest(s, shared / "eidb/raw-sample")
        eidb.ingest(s, shared / "eidb-region")
        after = overview(s, _pair(), "2024-25")
    assert before.to_dict() == after.to_dict()


def _pair():
    from bilateral.api import parse_pair

    return parse_pair("IND-RUS")


def test_region_table_is_read_and_checked(shared, fresh_store_path):
    with open_store(fresh_store_path) as s:
        report = eidb.ingest(s, shared / "eidb-region" / REGION)
        assert report.loaded[0]["rows"] == 2 * 87
        row = s.con.execute("SELECT sum(value_usd) FROM flows WHERE source = 'eidb' AND period = 'FY2024-25'").fetchone()
    assert row[0] / 1e6 == pytest.approx(65014.23, abs=0.5)
    with open_store(fresh_store_path) as s:
        again = eidb.ingest(s, shared / "eidb-region" / REGION)
    assert not again.loaded and again.skipped


def _edit(src: Path, dst: Path, fn) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(fn(src.read_text(encoding="utf-8")), encoding="utf-8")
    return dst


REGION_CASES = {
    "altered value": (lambda t: t.replace("780.28,590.61", "780.28,990.61"), "field '2024-2025': chapters sum to"),
    "truncated": (lambda t: t[: t.index(",,Total")], "no Total row at the end: the file is truncated"),
    "wrong delimiter": (lambda t: t.replace(",", ";"), "line 1: wrong delimiter"),
    "negative": (lambda t: t.replace("0.18,0.76", "0.18,-0.76"), "line 3, field '2024-2025': value '-0.76' is negative"),
    "not a number": (lambda t: t.replace("0.18,0.76", "0.18,n/a"), "line 3, field '2024-2025': value 'n/a' is not a number"),
    "bad chapter": (lambda t: t.replace("2,02,MEAT", "2,2A,MEAT"), "line 3, field 'HSCode': HS chapter is not 2 digits"),
    "duplicate chapter": (lambda t: t.replace("3,03,", "3,02,"), "line 4, field 'HSCode': duplicate chapter"),
    "empty": (lambda t: "", "file is empty"),
}


@pytest.mark.parametrize("case", sorted(REGION_CASES))
def test_bad_region_table_is_refused_and_store_unchanged(case, shared, tmp_path, fresh_store_path):
    fn, message = REGION_CASES[case]
    bad = _edit(shared / "eidb-region" / REGION, tmp_path / REGION, fn)
    before = snapshot(fresh_store_path)
    r = CliRunner().invoke(app, ["ingest", "eidb", str(bad), "--store", str(fresh_store_path)])
    assert r.exit_code == 1 and r.stderr.startswith(f"error: {bad}") and message in r.stderr, r.stderr
    assert snapshot(fresh_store_path) == before


def test_unknown_region_and_wrong_encoding(shared, tmp_path, fresh_store_path):
    with open_store(fresh_store_path) as s:
        other = shutil.copy(shared / "eidb-region" / REGION, tmp_path / "import_2024-25_atlantis.csv")
        with pytest.raises(InputError, match="unknown EIDB region 'atlantis'"):
            eidb.ingest(s, Path(other))
        latin = tmp_path / "latin" / REGION
        latin.parent.mkdir()
        latin.write_bytes((shared / "eidb-region" / REGION).read_text().replace("LIVE", "LÏVE").encode("latin-1"))
        with pytest.raises(InputError, match="not UTF-8 text"):
            eidb.ingest(s, latin)


def test_bad_commodity_pages(shared, tmp_path, fresh_store_path):
    src = shared / "eidb/raw-sample/02023000_export.json"
    before = snapshot(fresh_store_path)
    with open_store(fresh_store_path) as s:
        cut = _edit(src, tmp_path / "cut" / src.name, lambda t: t[: len(t) // 2])
        with pytest.raises(InputError, match=r"02023000_export.json, line \d+, field 'column \d+': not valid JSON"):
            eidb.ingest(s, cut)
        renamed = _edit(src, tmp_path / "country" / src.name, lambda t: t.replace('"ALGERIA"', '"ATLANTIS"', 1))
        with pytest.raises(InputError, match=r"field 'years\[2022\]\.countries\[\d+\]\.country'.*ATLANTIS"):
            eidb.ingest(s, renamed)
        doc = json.loads(src.read_text())
        doc["years"]["2024"]["countries"][1]["values_usd"]["y2024_2025"] = 99999.0
        altered = tmp_path / "total" / src.name
        altered.parent.mkdir()
        altered.write_text(json.dumps(doc))
        with pytest.raises(InputError, match=r"years\[2024\]\.totals\.total.*page total is 3,669.38"):
            eidb.ingest(s, altered)
    assert snapshot(fresh_store_path) == before


def test_quarantine_keeps_good_records(shared, tmp_path, fresh_store_path):
    src = shared / "eidb/raw-sample/02023000_export.json"
    bad = _edit(src, tmp_path / "q" / src.name, lambda t: t.replace('"ANGOLA"', '"ATLANTIS"'))
    out = tmp_path / "rejected.csv"
    r = CliRunner().invoke(app, ["ingest", "eidb", str(bad), "--store", str(fresh_store_path), "--quarantine", str(out)])
    assert r.exit_code == 0, r.output
    rejected = list(csv.DictReader(out.open()))
    assert rejected and all("ATLANTIS" in x["value"] for x in rejected if "country" in x["field"])
    with open_store(fresh_store_path) as s:
        assert s.con.execute("SELECT count(*) FROM flows WHERE source = 'eidb' AND partner = 'RUS'").fetchone()[0] > 0
