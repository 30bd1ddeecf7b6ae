"""BACI reader: real layout, real country table, every bad-input case, quarantine, kill test.

The flow rows below are SYNTHETIC (no BACI flow file is in the shared data): small files written in
BACI's exact layout with real country and product codes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from bilateral.api import open_store
from bilateral.cli import app
from bilateral.errors import InputError
from bilateral.sources import baci
from bilateral.store.faults import FAULT_ENV

VERSION = "V202501"
FLOWS_NAME = f"BACI_HS17_Y2022_{VERSION}.csv"
COUNTRIES = """country_code,country_name,country_iso2,country_iso3
251,France,FR,FRA
490,"Other Asia, nes",N/A,N/A
643,Russian Federation,RU,RUS
699,India,IN,IND
842,USA,US,USA
"""
PRODUCTS = '''"code","description"
"010121","Horses: live, pure-bred breeding animals"
"270900","Petroleum oils, crude"
"300490","Medicaments: n.e.c. in heading 3004"
"710231","Diamonds: non-industrial, unworked"
"847130","Portable automatic data processing machines"
'''
# SYNTHETIC values, sorted by (i, j, k) as BACI publishes them
FLOWS = """t,i,j,k,v,q
2022,251,699,847130,1520.125,12.5
2022,643,699,270900,31250000.5,51000000
2022,643,699,710231,2.5,NA
2022,699,251,300490,410.25,           NA
2022,699,643,010121,0.125,
2022,699,643,300490,600.75,1.25
2022,842,490,847130,99.999,3
"""


def write_release(folder: Path, flows: str | bytes = FLOWS, countries: str = COUNTRIES,
                  products: str = PRODUCTS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = flows.encode() if isinstance(flows, str) else flows
    (folder / FLOWS_NAME).write_bytes(data)
    (folder / f"country_codes_{VERSION}.csv").write_text(countries, encoding="utf-8")
    (folder / f"product_codes_HS17_{VERSION}.csv").write_text(products, encoding="utf-8")
    return folder


def zip_release(folder: Path, out: Path, skip: str | None = None) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.iterdir()):
            if f.name != skip:
                zf.write(f, f.name)
    return out


def snapshot(path: Path) -> list[object]:
    with open_store(path) as s:
        return (s.con.execute("SELECT release, checksum, rows FROM releases ORDER BY release").fetchall()
                + s.con.execute("SELECT count(*), sum(v) FROM baci_flows").fetchall()
                + s.con.execute("SELECT count(*) FROM products").fetchall())


# -- reading the real layout -------------------------------------------------------------------


def test_ingest_folder_maps_codes_units_and_missing_quantities(tmp_path, fresh_store_path):
    src = write_release(tmp_path / "rel")
    with open_store(fresh_store_path) as s:
        report = baci.ingest(s, src)
        assert [r["rows"] for r in report.loaded] == [5, 5, 7]
        df = s.query("SELECT * FROM flows_baci ORDER BY reporter, partner, product")
    assert list(df.columns) == ["source", "release", "period", "period_kind", "reporter", "partner", "flow",
                                "hs_revision", "product", "product_level", "value_usd", "quantity",
                                "quantity_unit", "estimate", "quality"]
    row = df[(df.reporter == "IND") & (df.partner == "RUS") & (df["product"] == "010121")].iloc[0]
    assert row["product"] == "010121", "HS6 keeps its leading zero"
    assert row.value_usd == pytest.approx(125.0)  # v is in thousands of US$
    assert np.isnan(row.quantity), "empty q is a missing quantity"
    padded = df[(df.reporter == "IND") & (df.partner == "FRA")].iloc[0]
    assert np.isnan(padded.quantity), "space-padded NA is a missing quantity"
    assert set(df.partner) >= {"_B490", "IND", "FRA", "RUS"}
    assert set(df.period) == {"CY2022"} and set(df.hs_revision) == {"HS2017"} and set(df.estimate) == {"derived"}


def test_rows_out_of_key_order_load_and_their_duplicates_are_found(tmp_path, fresh_store_path):
    """A file not sorted by (i, j, k) takes the dense-index check of unique keys: valid rows load, duplicates do not."""
    header, *rows = FLOWS.splitlines()
    shuffled = "\n".join([header, *reversed(rows)]) + "\n"
    with open_store(fresh_store_path) as s:
        report = baci.ingest(s, write_release(tmp_path / "rel", shuffled))
        assert report.loaded[-1]["rows"] == 7
        got = s.con.execute("SELECT i, j, k, v FROM baci_flows ORDER BY i, j, k").fetchall()
    assert got == [(251, 699, "847130", 1520.125), (643, 699, "270900", 31250000.5), (643, 699, "710231", 2.5),
                   (699, 251, "300490", 410.25), (699, 643, "010121", 0.125), (699, 643, "300490", 600.75),
                   (842, 490, "847130", 99.999)]
    duplicated = "\n".join([header, *reversed(rows), rows[0].replace("1520.125", "7")]) + "\n"
    with pytest.raises(InputError, match="line 9, field 'k': duplicate key \\(t,i,j,k\\); first on line 8"), \
            open_store(tmp_path / "other.duckdb") as s:
        baci.ingest(s, write_release(tmp_path / "rel2", duplicated))


def test_zip_and_folder_are_the_same_release_and_reingest_is_a_noop(tmp_path, fresh_store_path):
    src = write_release(tmp_path / "rel")
    archive = zip_release(src, tmp_path / f"BACI_HS17_{VERSION}.zip")
    with open_store(fresh_store_path) as s:
        first = baci.ingest(s, archive)
        assert len(first.loaded) == 3
    before = snapshot(fresh_store_path)
    runner = CliRunner()
    for path in (archive, src):
        r = runner.invoke(app, ["ingest", "baci", str(path), "--store", str(fresh_store_path), "-f", "json"])
        assert r.exit_code == 0, r.output
        assert '"loaded"' not in r.output.replace('"status": "loaded"', "") and "no-op" in r.output
    assert snapshot(fresh_store_path) == before


def test_changed_file_replaces_its_release(tmp_path, fresh_store_path):
    src = write_release(tmp_path / "rel")
    with open_store(fresh_store_path) as s:
        baci.ingest(s, src)
    write_release(src, FLOWS.replace("1520.125", "1600.000"))
    with open_store(fresh_store_path) as s:
        report = baci.ingest(s, src)
        assert [r["release"] for r in report.loaded] == [f"baci/HS17/{VERSION}/2022"]
        assert s.con.execute("SELECT count(*), max(v) FILTER (WHERE i = 251) FROM baci_flows").fetchone() == (7, 1600.0)


def _versioned_release(folder: Path, version: str, flows: str) -> Path:
    """The fixture release written under another CEPII version name (V202401, …)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"BACI_HS17_Y2022_{version}.csv").write_text(flows, encoding="utf-8")
    (folder / f"country_codes_{version}.csv").write_text(COUNTRIES, encoding="utf-8")
    (folder / f"product_codes_HS17_{version}.csv").write_text(PRODUCTS, encoding="utf-8")
    return folder


def test_two_versions_of_a_year_are_never_added_the_newer_serves(tmp_path, fresh_store_path):
    from bilateral.store.matrix import baci_matrix
    from bilateral.store.queries import pair_totals

    # FRA -> IND 847130: 1,520.125 thousand US$ in V202501, revised from 1,400 in V202401
    older = _versioned_release(tmp_path / "v2024", "V202401", FLOWS.replace("1520.125", "1400.000"))
    newer = _versioned_release(tmp_path / "v2025", "V202501", FLOWS)
    with open_store(fresh_store_path) as s:
        baci.ingest(s, newer)
        report = baci.ingest(s, older)  # loaded second, still the older version: it does not serve
        assert len(report.notes) == 1
        note = report.notes[0]
        assert note.startswith("2022: 2 BACI releases of the year are loaded; baci/HS17/V202501/2022 (V202501) serves")
        assert note.endswith("never added to it: baci/HS17/V202401/2022 (V202401)")
        cy = {t.period: t for t in pair_totals(s, "FRA-IND")}["CY2022"]
        assert cy.exports_usd == pytest.approx(1_520_125.0)  # not 2,920,125: the two versions' sum
        assert cy.exports_served is not None and cy.exports_served.release == "baci/HS17/V202501/2022"
        wm = baci_matrix(s, 2022, cache=False)
        assert wm is not None and wm.release == "baci/HS17/V202501/2022"
        world = s.con.execute(f"SELECT sum(value_usd), count(*) FROM ({wm.flows})").fetchone()
        assert world == (pytest.approx(1000 * sum(float(r.split(",")[4]) for r in FLOWS.splitlines()[1:])), 7)
    r = CliRunner().invoke(app, ["ingest", "baci", str(older), "--store", str(fresh_store_path)])
    assert r.exit_code == 0, r.output
    assert "note: 2022: 2 BACI releases" in " ".join(r.output.split())


def test_reads_the_real_v202201_country_table(shared, tmp_path):
    member = baci.Member("country_codes_V202201.csv", "x", path=shared / "baci-meta/country_codes_V202201.csv")
    rows = {r["code"]: r for r in baci.read_countries(member, member.path)}
    assert rows[699]["iso3"] == "IND" and rows[643]["iso3"] == "RUS" and rows[251]["iso3"] == "FRA"
    assert rows[384]["name"] == "Côte d'Ivoire" and rows[531]["name"] == "Curaçao"
    assert rows[490]["iso3"] == "_B490"
    assert len(rows) == 238


@pytest.mark.parametrize(("raw", "fixed"), [
    ("CÙte d'Ivoire", "Côte d'Ivoire"),  # V202201, Latin-1 read as Mac Roman
    ("CuraÁao", "Curaçao"),
    ("Saint BarthÈlemy", "Saint Barthélemy"),
    ("Côte d'Ivoire", "Côte d'Ivoire"),  # already right: left alone
    ("Türkiye", "Türkiye"),
    ("India", "India"),
])
def test_quirk_mac_roman_names(raw, fixed):
    assert baci.repair_mac_roman(raw) == fixed


@pytest.mark.parametrize(("code", "iso3", "expected"), [(490, "N/A", "_B490"), (699, "IND", "IND"), (1, "", "_B1")])
def test_quirk_no_iso3(code, iso3, expected):
    assert baci.iso3_or_placeholder(code, iso3) == expected


def test_line_numbers_skip_rejected_lines():
    # parsed rows 1..5; lines 3 and 5 were rejected by the parser → rows sit on lines 2,4,6,7,8
    assert list(baci._lines(np.arange(1, 6), np.array([3, 5]))) == [2, 4, 6, 7, 8]


# -- bad input: a clear error naming file, line and field, and an unchanged store -----------------

BAD_FLOWS = {
    "negative value": (FLOWS.replace("600.75", "-600.75"), "line 7, field 'v': value is negative"),
    "non-numeric value": (FLOWS.replace("600.75", "6OO.75"), "line 7, field 'v': value is not a number"),
    "unknown exporter": (FLOWS.replace("2022,842,490", "2022,841,490"), "line 8, field 'i': unknown exporter code 841"),
    "unknown product": (FLOWS.replace("300490,600.75", "300499,600.75"), "line 7, field 'k': unknown HS6 code 300499"),
    "lost leading zero": (FLOWS.replace(",010121,", ",10121,"), "line 6, field 'k': HS6 code has 5 characters"),
    "duplicate key": (FLOWS + "2022,699,643,300490,1.0,1\n", "line 9, field 'k': duplicate key (t,i,j,k); first on line 7"),
    "wrong year": (FLOWS.replace("2022,699,251", "2021,699,251"), "line 5, field 't': year 2021 is not the file's year 2022"),
    "short line": (FLOWS.replace("2022,643,699,710231,2.5,NA", "2022,643,699,710231"), "line 4"),
    "bad quantity": (FLOWS.replace(",1.25\n", ",1,25\n"), "line 7"),
    # checked inside the load's own scan (checked_row_sql), then named by diagnose
    "infinite value": (FLOWS.replace("600.75", "inf"), "line 7, field 'v': value is not finite"),
    "NaN value": (FLOWS.replace("99.999", "NaN"), "line 8, field 'v': value is not finite"),
    "negative quantity": (FLOWS.replace(",1.25\n", ",-1.25\n"), "line 7, field 'q': quantity is negative or not finite"),
    "infinite quantity": (FLOWS.replace(",12.5\n", ",inf\n"), "line 2, field 'q': quantity is negative or not finite"),
    "adjacent duplicate key": (FLOWS.replace("2022,842,490", "2022,699,643,300490,2.0,1\n2022,842,490"),
                               "line 8, field 'k': duplicate key (t,i,j,k); first on line 7"),
    "year in a later row": (FLOWS.replace("2022,842,490", "2023,842,490"),
                            "line 8, field 't': year 2023 is not the file's year 2022"),
    "truncated": (FLOWS[:-8], "does not end with a newline: the file is truncated"),
    "wrong header": (FLOWS.replace("t,i,j,k,v,q", "year,exporter,importer,product,value,quantity"),
                     "line 1: header 'year,exporter,importer,product,value,quantity' is not t,i,j,k,v,q"),
    "missing header": ("\n".join(FLOWS.splitlines()[1:]) + "\n", "line 1: missing header"),
    "wrong delimiter": (FLOWS.replace(",", ";"), "line 1: wrong delimiter ';'"),
    "empty file": ("", "file is empty"),
    "header only": ("t,i,j,k,v,q\n", "no data rows"),
    "wrong encoding": (FLOWS.encode("utf-16"), "UTF-16"),
}


@pytest.mark.parametrize("case", sorted(BAD_FLOWS))
def test_bad_flows_file_is_refused_and_store_unchanged(case, tmp_path, fresh_store_path):
    flows, message = BAD_FLOWS[case]
    src = write_release(tmp_path / "rel", flows)
    before = snapshot(fresh_store_path)
    r = CliRunner().invoke(app, ["ingest", "baci", str(src), "--store", str(fresh_store_path)])
    assert r.exit_code == 1, r.output
    assert r.stderr.startswith(f"error: {src / FLOWS_NAME}"), r.stderr
    assert message in r.stderr, r.stderr
    assert "Traceback" not in r.output and r.stderr.count("\n") == 1
    assert snapshot(fresh_store_path) == before


def test_bad_tables_and_zip_members(tmp_path, fresh_store_path):
    before = snapshot(fresh_store_path)
    with open_store(fresh_store_path) as s:
        src = write_release(tmp_path / "a")
        with pytest.raises(InputError, match=f"lacks product_codes_HS17_{VERSION}.csv"):
            baci.ingest(s, zip_release(src, tmp_path / "a.zip", skip=f"product_codes_HS17_{VERSION}.csv"))
        with pytest.raises(InputError, match=f"lacks country_codes_{VERSION}.csv"):
            baci.ingest(s, zip_release(src, tmp_path / "b.zip", skip=f"country_codes_{VERSION}.csv"))
        with pytest.raises(InputError, match="no yearly BACI file"):
            baci.ingest(s, zip_release(src, tmp_path / "c.zip", skip=FLOWS_NAME))
        dup = write_release(tmp_path / "d", countries=COUNTRIES + "699,India again,IN,IND\n")
        with pytest.raises(InputError, match="line 7, field 'country_code': duplicate country code 699"):
            baci.ingest(s, dup)
        bad_product = write_release(tmp_path / "e", products=PRODUCTS + '"12345","short"\n')
        with pytest.raises(InputError, match="line 7, field 'code': HS6 code '12345' is not six digits"):
            baci.ingest(s, bad_product)
        (tmp_path / "f.zip").write_bytes(b"PK\x03\x04 not really a zip")
        with pytest.raises(InputError):
            baci.ingest(s, tmp_path / "f.zip")
    assert snapshot(fresh_store_path) == before


def test_quarantine_loads_valid_rows_and_lists_the_rest(tmp_path, fresh_store_path):
    flows = (FLOWS.replace("600.75", "-600.75").replace("2022,842,490", "2022,841,490")
             + "2022,699,643,300490,1.0,1\n")
    src = write_release(tmp_path / "rel", flows)
    q = tmp_path / "out" / "rejected.csv"
    r = CliRunner().invoke(app, ["ingest", "baci", str(src), "--store", str(fresh_store_path), "--quarantine", str(q)])
    assert r.exit_code == 0, r.output
    lines = q.read_text().splitlines()
    assert lines[0] == "file,line,field,value,reason"
    assert [ln.split(",")[1:3] for ln in lines[1:]] == [["7", "v"], ["8", "i"]]
    # with the negative row gone, the later duplicate of its key is the valid one
    with open_store(fresh_store_path) as s:
        assert s.con.execute("SELECT count(*) FROM baci_flows").fetchone() == (6,)
        assert s.con.execute("SELECT v FROM baci_flows WHERE i = 699 AND j = 643 AND k = '300490'").fetchone() == (1.0,)
    again = CliRunner().invoke(app, ["ingest", "baci", str(src), "--store", str(fresh_store_path), "--quarantine", str(q)])
    assert again.exit_code == 0 and "no-op" in again.output


# -- a load killed half-way ---------------------------------------------------------------------


def test_killed_load_leaves_store_as_before_and_next_run_completes(tmp_path, fresh_store_path):
    src = write_release(tmp_path / "rel")
    before = snapshot(fresh_store_path)
    env = dict(os.environ, **{FAULT_ENV: "baci-inserted"})
    proc = subprocess.Popen([sys.executable, "-m", "bilateral.cli", "ingest", "baci", str(src), "--store",
                             str(fresh_store_path)], env=env, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert "paused at baci-inserted" in line, line  # rows are inserted, the transaction is open
    assert proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert snapshot(fresh_store_path) == before, "a killed load must leave the store exactly as before"
    r = CliRunner().invoke(app, ["ingest", "baci", str(src), "--store", str(fresh_store_path)])
    assert r.exit_code == 0, r.output
    with open_store(fresh_store_path) as s:
        assert s.con.execute("SELECT count(*) FROM baci_flows").fetchone() == (7,)
    assert not list(fresh_store_path.parent.glob(".bilateral-ingest-*")), "temp folders are cleaned up"


def test_synthetic_generator_writes_the_real_layout(tmp_path, fresh_store_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    try:
        import synth_baci
    finally:
        sys.path.pop(0)
    out = tmp_path / "synth"
    path = synth_baci.generate(out, rows=3000, seed=3)
    again = synth_baci.generate(tmp_path / "synth2", rows=3000, seed=3)
    assert path.read_bytes() == again.read_bytes(), "deterministic given a seed"
    assert path.read_text().splitlines()[0] == "t,i,j,k,v,q"
    with open_store(fresh_store_path) as s:
        report = baci.ingest(s, out)
        assert report.loaded[-1]["rows"] == 3000
        assert s.con.execute("SELECT count(*) FROM baci_flows WHERE q IS NULL").fetchone()[0] > 0
    shutil.rmtree(out)


def test_rca_over_the_loaded_matrix_matches_the_definition(tmp_path, fresh_store_path):
    import pandas as pd

    from bilateral.models.indicators import rca_baci

    src = write_release(tmp_path / "rel")
    with open_store(fresh_store_path) as s:
        baci.ingest(s, src)
        got = rca_baci(s.con, 2022, level=2).set_index(["exporter", "product"])["rca"]
    df = pd.read_csv(src / FLOWS_NAME, dtype={"k": str})
    df["exporter"] = df.i.map({251: "FRA", 643: "RUS", 699: "IND", 842: "USA"})
    df["product"] = df.k.str[:2]
    x = df.groupby(["exporter", "product"]).v.sum()
    xi = x.groupby(level=0).transform("sum")
    xk = x.groupby(level=1).transform("sum")
    expected = (x / xi) / (xk / x.sum())
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False, rtol=1e-12)


# --------------------------------------------------------------------------------------------
# the ISO3 / US-dollar layout (SYNTHETIC rows written in that layout; not trade statistics)

ISO3_ROWS = [
    (2024, "IND", "RUS", "300490", 1000.0),
    (2024, "CHN", "RUS", "300490", 3000.0),
    (2024, "IND", "BRA", "300490", 500.0),
    (2024, "CHN", "BRA", "010121", 250.0),
    (2024, "RUS", "IND", "270900", 9000.0),
]


def _iso3_parquet(path: Path, rows=ISO3_ROWS) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"year": [r[0] for r in rows], "exporter": [r[1] for r in rows],
                             "importer": [r[2] for r in rows], "hs6": [r[3] for r in rows],
                             "value_usd": [r[4] for r in rows]}), path)
    return path


def test_iso3_layout_parquet_and_csv_load_and_serve_potential(tmp_path, fresh_store_path):
    from bilateral.models.potential import potential
    from bilateral.store.matrix import world_matrix

    src = _iso3_parquet(tmp_path / "world_2024.parquet")
    with open_store(fresh_store_path) as s:
        report = baci.ingest(s, src)
        assert [r["release"] for r in report.loaded] == ["baci/ISO3/world_2024/2024"]
        assert report.loaded[0]["rows"] == 5
        got = s.con.execute("SELECT reporter, partner, product, value_usd FROM flows_baci "
                            "WHERE release = 'baci/ISO3/world_2024/2024' ORDER BY 1, 2, 3").fetchall()
        assert [(a, b, c) for a, b, c, _ in got] == sorted((r[1], r[2], r[3]) for r in ISO3_ROWS)
        assert sum(v for *_, v in got) == pytest.approx(13750.0)
        assert baci.ingest(s, src).skipped == ["baci/ISO3/world_2024/2024"]  # same checksum: no-op
        m = world_matrix(s, 2024)
        assert m.source == "baci" and m.release == "baci/ISO3/world_2024/2024"
        r = potential(s, "IND", "RUS", top=None, growth={})
        (p,) = r.products
        assert (p.hs6, p.market_usd, p.actual_usd) == ("300490", pytest.approx(4000.0), pytest.approx(1000.0))
        assert [(x.exporter, x.share) for x in p.top_suppliers] == [("CHN", 0.75), ("IND", 0.25)]
    csv_path = tmp_path / "extract.csv"
    csv_path.write_text("exporter,importer,hs6,value_usd\nIND,RUS,300490,1000\nCHN,RUS,300490,3000\n",
                        encoding="utf-8")
    with open_store(fresh_store_path) as s:
        with pytest.raises(InputError, match="--years"):
            baci.ingest(s, csv_path)
        report = baci.ingest(s, csv_path, years={2023})
        assert report.loaded[0]["release"] == "baci/ISO3/extract/2023" and report.loaded[0]["rows"] == 2


def test_iso3_layout_bad_rows_refused_or_quarantined(tmp_path, fresh_store_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("year,exporter,importer,hs6,value_usd\n2024,IND,RUS,30049,10\n2024,IND,RUS,300490,-1\n"
                   "2024,IND,IND,300490,5\n2024,CHN,RUS,300490,7\n", encoding="utf-8")
    with open_store(fresh_store_path) as s:
        before = s.con.execute("SELECT count(*) FROM baci_flows").fetchall()
        with pytest.raises(InputError) as exc:
            baci.ingest(s, bad)
        assert "line 2" in str(exc.value) and "six digits" in str(exc.value)
        assert s.con.execute("SELECT count(*) FROM baci_flows").fetchall() == before
        q = tmp_path / "q.csv"
        report = baci.ingest(s, bad, quarantine_path=q)
        assert report.rejected == 3 and report.loaded[0]["rows"] == 1
        lines = q.read_text(encoding="utf-8").splitlines()
        assert [ln.split(",")[1] for ln in lines[1:]] == ["2", "3", "4"]


def test_iso3_marginals_cached_beside_the_store_and_renewed_on_reload(tmp_path, fresh_store_path):
    from bilateral.store.matrix import CACHE_DIR, baci_matrix

    src = _iso3_parquet(tmp_path / "w.parquet")
    with open_store(fresh_store_path) as s:
        baci.ingest(s, src)
        m = baci_matrix(s, 2024)
        cache = fresh_store_path.parent / CACHE_DIR
        first = sorted(p.name for p in cache.glob("*.parquet"))
        assert len(first) == 2 and "read_parquet" in m.exports
        assert s.con.execute(f"SELECT importer, hs6, value_usd FROM ({m.imports}) ORDER BY 1, 2").fetchall() == [
            ("BRA", "010121", pytest.approx(250.0)), ("BRA", "300490", pytest.approx(500.0)),
            ("IND", "270900", pytest.approx(9000.0)), ("RUS", "300490", pytest.approx(4000.0))]
        uncached = baci_matrix(s, 2024, cache=False)
        assert "read_parquet" not in uncached.exports
    _iso3_parquet(src, ISO3_ROWS[:2])  # same file name, other content: a new checksum
    with open_store(fresh_store_path) as s:
        baci.ingest(s, src)
        m = baci_matrix(s, 2024)
        second = sorted(p.name for p in cache.glob("*.parquet"))
        assert len(second) == 2 and not set(first) & set(second)
        assert s.con.execute(f"SELECT sum(value_usd) FROM ({m.exports})").fetchall()[0][0] == pytest.approx(4000.0)
