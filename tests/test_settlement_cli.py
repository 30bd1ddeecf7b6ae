"""`bilateral settlement` on the embedded store: flows from the read layer, actual vs projected periods,
stock-flow consistency of every shipped scenario, output formats, charts and one-line errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilateral.cli import app
from bilateral.harmonise.periods import parse_period
from bilateral.models import settlement as st

runner = CliRunner()
FY2022_23_OPEN = 264 / 365  # 11 July 2022 to 31 March 2023


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture(scope="module")
def shipped(store_path: Path) -> dict:
    r = run("settlement", "--format", "json", "--store", str(store_path))
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_json_rows_actual_then_projected(shipped: dict):
    assert shipped["pair"] == "IND-RUS" and (shipped["from"], shipped["to"]) == ("FY2022-23", "FY2029-30")
    assert "does not publish" in shipped["note"]
    assert [s["scenario"] for s in shipped["scenarios"]] == ["status_quo", "more_rupee_invoicing", "export_push",
                                                             "trade_only"]
    sq = shipped["scenarios"][0]
    rows = {r["period"]: r for r in sq["rows"]}
    assert list(rows) == [f"FY{y}-{(y + 1) % 100:02d}" for y in range(2022, 2030)]
    # official FY totals through the read layer
    assert rows["FY2024-25"]["exports_usd"] == 4_881_300_000 and rows["FY2024-25"]["imports_usd"] == 63_811_440_000
    assert rows["FY2024-25"]["flows_source"].startswith("official")
    last = sq["last_actual_flows"]
    assert all(r["flows"] == ("actual" if r["period"] <= last else "projected") for r in sq["rows"])
    assert all(r["balance"] == "modelled" and "kind" not in r for r in sq["rows"])  # nothing modelled called actual
    assert rows["FY2029-30"]["flows"] == "projected" and sq["overrides_from"] == parse_period(last).shift(1).label
    # energy share shown with its basis and whether it is exact
    assert 0.7 < rows["FY2024-25"]["energy_share"] < 1.0
    assert rows["FY2024-25"]["energy_basis"] and rows["FY2024-25"]["energy_exact"] in (True, False)
    assert all(p["basis"] in ("source", "assumption") and p["note"] for p in sq["parameters"])


def test_first_year_by_hand(shipped: dict):
    """FY2022-23, status quo: rupee inflow = open share × imports × (s × 5% + (1 − s) × 30%) × 80.4; no defence yet."""
    r = shipped["scenarios"][0]["rows"][0]
    s = r["energy_share"]
    inflow = FY2022_23_OPEN * 46_212_710_000 * (s * 0.05 + (1 - s) * 0.30) * 80.4
    assert r["defence_inflow_inr"] == 0  # defence settled in rupees from FY2023-24
    paid = FY2022_23_OPEN * 3_147_210_000 * 0.60 * 80.4
    assert r["opening_inr"] == 0
    assert r["inflow_inr"] == pytest.approx(inflow, rel=1e-12)
    assert r["exports_paid_inr"] == pytest.approx(paid, rel=1e-12)
    left = inflow - paid
    gsec = min(0.30 * left, 2e9 * 80.4)
    third = min(0.05 * (left - gsec), 0.5e9 * 80.4)
    assert r["out_government_securities_inr"] == pytest.approx(gsec, rel=1e-12)
    assert r["out_corporate_debt_inr"] == 0  # not allowed before 3 October 2025
    assert r["out_third_country_inr"] == pytest.approx(third, rel=1e-12)
    assert r["closing_inr"] == pytest.approx(left - gsec - third, rel=1e-12)
    assert r["closing_usd"] == pytest.approx(r["closing_inr"] / 80.4, rel=1e-12)


def test_every_shipped_scenario_is_stock_flow_consistent(shipped: dict):
    for sc in shipped["scenarios"]:
        opening = 0.0
        for r in sc["rows"]:
            assert r["opening_inr"] == pytest.approx(opening, rel=1e-12, abs=1e-3)
            flows = r["inflow_inr"] + r["bought_inr"] - r["exports_paid_inr"] - sum(
                r[f"out_{c}_inr"] for c in st.CHANNELS)
            assert r["closing_inr"] == pytest.approx(r["opening_inr"] + flows, rel=1e-12, abs=1e-3)
            assert r["outflows_inr"] == pytest.approx(r["exports_paid_inr"] + sum(r[f"out_{c}_inr"] for c in st.CHANNELS))
            opening = r["closing_inr"]


def test_scenarios_share_the_past_and_differ_after(shipped: dict):
    sq, more, push, _ = shipped["scenarios"]
    last = sq["last_actual_flows"]
    for a, b, c in zip(sq["rows"], more["rows"], push["rows"], strict=True):
        if a["period"] <= last:
            assert a["closing_inr"] == b["closing_inr"] == c["closing_inr"]
    assert more["summary"]["closing_usd"] > sq["summary"]["closing_usd"] > push["summary"]["closing_usd"]
    assert push["rows"][-1]["exports_usd"] == pytest.approx(
        next(r for r in push["rows"] if r["period"] == last)["exports_usd"] * 1.2 ** (len(push["rows"]) - 1 - [
            r["period"] for r in push["rows"]].index(last)), rel=1e-12)


def test_later_from_opens_with_what_accumulated(store_path: Path, shipped: dict):
    r = run("settlement", "--scenario", "status_quo", "--from", "FY2024-25", "--to", "FY2025-26", "--format", "json",
            "--store", str(store_path))
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)["scenarios"][0]["rows"]
    full = {x["period"]: x for x in shipped["scenarios"][0]["rows"]}
    assert [x["period"] for x in rows] == ["FY2024-25", "FY2025-26"]
    assert rows[0]["opening_inr"] == pytest.approx(full["FY2023-24"]["closing_inr"], rel=1e-12)


def test_library_simulate_matches_cli(store, shipped: dict):
    res = st.simulate(store, "IND-RUS", "export_push", "FY2022-23", "FY2029-30")
    assert isinstance(res, st.SettlementResult)
    assert res.to_dict()["rows"] == shipped["scenarios"][2]["rows"]
    assert res.records()[0]["scenario"] == "export_push"


def test_no_rupee_settlement_no_balance(store, tmp_path: Path):
    path = tmp_path / "none.yml"
    path.write_text("""\
scenarios:
  - name: none
    title: No rupees
    description: nothing settled in rupees
    applies_from: FY2022-23
    overrides:
      crude_currency: {value: {USD: 1.0}, assumption: test}
      other_imports_currency: {value: {THIRD: 1.0}, assumption: test}
      exports_currency: {value: {THIRD: 1.0}, assumption: test}
      defence:
        inr_share: {value: 0.0, assumption: test}
""", encoding="utf-8")
    (sc,) = st.load_scenarios(path)
    res = st.simulate(store, "IND-RUS", sc)
    assert all(r.closing_inr == 0 and r.inflow_inr == 0 and r.exports_paid_inr == 0 for r in res.rows)


def test_csv_and_table(store_path: Path, tmp_path: Path):
    r = run("settlement", "--format", "csv", "--store", str(store_path))
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 4 * 8 and {"scenario", "period", "flows", "closing_inr", "closing_usd", "closing_usd_p10",
                                   "closing_usd_p50", "closing_usd_p90"} <= set(rows[0])
    pq_out = tmp_path / "settlement.parquet"
    r = run("settlement", "--format", "parquet", "--out", str(pq_out), "--store", str(store_path))
    assert r.exit_code == 0, r.output
    import pyarrow.parquet as pq

    table = pq.read_table(pq_out)
    assert table.num_rows == 4 * 8
    assert table.column("closing_inr").to_pylist() == pytest.approx([float(x["closing_inr"]) for x in rows], rel=1e-12)
    out = tmp_path / "table.txt"
    r = run("settlement", "--scenario", "status_quo", "--out", str(out), "--store", str(store_path))
    assert r.exit_code == 0, r.output
    text = out.read_text()
    assert "2026-27 p" in text and "publishes no balances" in text and "What moves the FY2029-30 balance" in text
    assert "rbi.org.in" in text and "P10" in text


def test_charts_png_and_html_offline(store_path: Path, tmp_path: Path):
    png, html = tmp_path / "balance.png", tmp_path / "balance.html"
    for path in (png, html):
        r = run("settlement", "--chart", str(path), "--format", "json", "--out", str(tmp_path / "x.json"),
                "--store", str(store_path))
        assert r.exit_code == 0, r.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = html.read_text(encoding="utf-8")
    assert "Plotly" in page and "<script src=" not in page  # plotly.js inlined: no CDN
    assert len(page) > 1_000_000


@pytest.mark.parametrize(("args", "message"), [
    (("--chart", "x.pdf"), "error: --chart x.pdf: write a .png (static) or .html (interactive) file"),
    (("--scenario", "nope"), "error: unknown scenario 'nope'; use one of status_quo, more_rupee_invoicing, "
                              "export_push, trade_only or a YAML file"),
    (("--from", "FY2025-26", "--to", "FY2023-24"), "error: --to FY2023-24 comes before --from FY2025-26"),
    (("--from", "FY2025-26", "--to", "CY2030"), "error: --from FY2025-26 and --to CY2030 must both be fiscal or both "
                                                "calendar years"),
    (("--format", "xml"), "error: unknown --format 'xml'; use one of table, csv, json, parquet"),
    (("--from", "CY2022", "--to", "CY2030"), "error: no calendar-year trade figures for IND-RUS in the store; ask for "
                                             "the other kind of period, e.g. --from FY2022-23 --to FY2029-30"),
    (("--from", "FY2005-06"), "error: no complete trade figures for IND-RUS in FY2005-06; the store has 16 periods "
                              "from FY2010-11 to FY2025-26; choose --from within them"),
])
def test_errors_are_one_line(store_path: Path, args: tuple[str, ...], message: str):
    r = run("settlement", *args, "--store", str(store_path))
    assert r.exit_code == (2 if "--format" in args else 1)  # a bad option value is a usage error
    assert r.stderr.strip() == message


def test_impossible_parameter_file_via_cli(store_path: Path, tmp_path: Path):
    path = tmp_path / "bad.yml"
    path.write_text("defaults:\n  crude_currency: {value: {USD: 0.7, INR: 0.2}, assumption: x}\n"
                    "scenarios:\n  - {name: bad, title: Bad, description: x}\n", encoding="utf-8")
    r = run("settlement", "--scenario", str(path), "--store", str(store_path))
    assert r.exit_code == 1
    assert r.stderr.strip() == (f"error: {path}, field 'defaults.crude_currency': shares sum to 0.9; "
                                "they must sum to 1")


def test_pair_without_data_says_what_to_load(store_path: Path):
    r = run("settlement", "--pair", "IND-BVT", "--store", str(store_path))
    assert r.exit_code == 1
    assert r.stderr.startswith("error: no trade figures for IND-BVT") and "bilateral ingest" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_pair_without_a_scenario_says_so(store_path: Path):
    """The shipped scenarios model rupee accounts: another reporter's trade is refused, saying why (issue 23)."""
    r = run("settlement", "--pair", "BRA-ARG", "--store", str(store_path))
    assert r.exit_code == 1
    assert r.stderr.strip() == (
        "error: no settlement scenario for BRA-ARG: the scenarios in bilateral/models/settlement_scenarios.yml model "
        "vostro accounts in the currency of IND (their reporter), so they cover IND's trade with any partner, not "
        "BRA's; a scenario file with `reporter: BRA` would cover it")


DOC = Path(__file__).resolve().parents[1] / "docs" / "commands" / "settlement.md"


def test_docs_examples_run(store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Every `$ bilateral settlement …` line of the docs page runs (in a temp folder, on the test store)."""
    import shlex

    monkeypatch.chdir(tmp_path)
    lines = [ln[2:] for ln in DOC.read_text(encoding="utf-8").splitlines() if ln.startswith("$ bilateral settlement")]
    assert len(lines) >= 5
    for line in lines:
        args = shlex.split(line)[1:]
        r = run(*args, "--store", str(store_path))
        assert r.exit_code == 0, (line, r.output)
    assert (tmp_path / "settlement.png").exists() and (tmp_path / "settlement.html").exists()
    assert json.loads((tmp_path / "settlement.json").read_text())["pair"] == "IND-RUS"


# -- any pair: a calendar-year pair served by a (SYNTHETIC) BACI release ----------------------------
BACI_VERSION = "V202501"
BACI_COUNTRIES = """country_code,country_name,country_iso2,country_iso3
251,France,FR,FRA
699,India,IN,IND
"""
BACI_PRODUCTS = '''"code","description"
"270900","Petroleum oils, crude"
"847130","Portable automatic data processing machines"
'''
# SYNTHETIC values in thousands of US$ (BACI's unit): India exports 500 to France, imports 4,000 (3,000 crude)
BACI_FLOWS = """t,i,j,k,v,q
2022,251,699,270900,3000,10
2022,251,699,847130,1000,1
2022,699,251,847130,500,1
"""


def test_any_pair_calendar_years_from_baci(fresh_store_path: Path, tmp_path: Path):
    from bilateral.api import open_store
    from bilateral.sources import baci

    src = tmp_path / "baci"
    src.mkdir()
    (src / f"BACI_HS17_Y2022_{BACI_VERSION}.csv").write_text(BACI_FLOWS, encoding="utf-8")
    (src / f"country_codes_{BACI_VERSION}.csv").write_text(BACI_COUNTRIES, encoding="utf-8")
    (src / f"product_codes_HS17_{BACI_VERSION}.csv").write_text(BACI_PRODUCTS, encoding="utf-8")
    with open_store(fresh_store_path) as s:
        baci.ingest(s, src)
    r = run("settlement", "--pair", "IND-FRA", "--scenario", "status_quo", "--from", "CY2022", "--to", "CY2023",
            "--format", "json", "--store", str(fresh_store_path))
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)["scenarios"][0]
    assert "baci" in res["flows_source"] and res["last_actual_flows"] == "CY2022"
    y22, y23 = res["rows"]
    assert (y22["flows"], y23["flows"]) == ("actual", "projected")
    assert (y22["exports_usd"], y22["imports_usd"]) == pytest.approx((0.5e6, 4e6))
    assert y22["energy_share"] == pytest.approx(0.75)
    open22 = 174 / 365  # 11 July to 31 December 2022
    assert y22["inflow_inr"] == pytest.approx(open22 * (3e6 * 0.05 + 1e6 * 0.30) * 80.4, rel=1e-12)
    # CY2023 projected: exports +5%, energy flat, other imports +5%
    assert (y23["exports_usd"], y23["imports_usd"]) == pytest.approx((0.525e6, 3e6 + 1.05e6))
    # a window after the last actual year still opens with what accumulated and projects from CY2022
    r = run("settlement", "--pair", "IND-FRA", "--scenario", "status_quo", "--from", "CY2024", "--to", "CY2025",
            "--format", "json", "--store", str(fresh_store_path))
    assert r.exit_code == 0, r.output
    later = json.loads(r.stdout)["scenarios"][0]["rows"]
    assert [x["period"] for x in later] == ["CY2024", "CY2025"]
    with open_store(fresh_store_path) as s:
        full = st.simulate(s, "IND-FRA", "status_quo", "CY2022", "CY2025").rows
    assert later[0]["opening_inr"] == pytest.approx(full[1].closing_inr, rel=1e-12) and full[1].closing_inr > 0
    assert later[0]["exports_usd"] == pytest.approx(0.5e6 * 1.05 ** 2)


# -- the band, the sensitivity and the defence channel (issue 22) --------------------------------------
SHIPPED = Path(st.__file__).resolve().parents[1] / "settlement_scenarios.yml"


def _defaults_file(tmp_path: Path, keep: set[str], set_value: dict[str, object] | None = None) -> Path:
    """The shipped defaults with every range dropped except ``keep`` (dotted names), and values replaced."""
    import yaml

    doc = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))

    def walk(node: dict, prefix: str = "") -> None:
        for key, sub in node.items():
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(sub, dict) and "value" in sub:
                if name not in keep:
                    sub.pop("range", None)
                if set_value and name in set_value:
                    sub["value"] = set_value[name]
            elif isinstance(sub, dict):
                walk(sub, name)

    walk(doc["defaults"])
    doc["scenarios"] = [s for s in doc["scenarios"] if s["name"] == "status_quo"]
    path = tmp_path / "defaults.yml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_json_band_and_sensitivity_for_every_scenario(shipped: dict):
    """Done-when: for every scenario the P10/P50/P90 balance by FY and the sensitivity of the FY2029-30 balance."""
    for sc in shipped["scenarios"]:
        band = sc["band"]
        assert band["end"] == "FY2029-30" and band["draws"] == st.DRAWS
        assert [r["period"] for r in band["rows"]] == [r["period"] for r in sc["rows"]]
        for r in band["rows"]:
            assert r["closing_usd_p10"] <= r["closing_usd_p50"] <= r["closing_usd_p90"]
            assert r["balance"] == "modelled"
        names = {(s["parameter"], s["version"]) for s in band["sensitivity"]}
        ranged = {("crude_currency", "default"), ("other_imports_currency", "default"), ("defence.payments_usd", "default"),
                  ("channels.government_securities.cap_usd", "default"), ("inr_per_usd", "default")}
        assert ranged - {("defence.payments_usd", "default")} <= names or sc["scenario"] != "status_quo"
        swings = [s["swing_usd"] for s in band["sensitivity"]]
        assert swings == sorted(swings, reverse=True)
        assert sc["summary"]["closing_usd_p50"] == band["rows"][-1]["closing_usd_p50"]
    sq = shipped["scenarios"][0]
    assert {(s["parameter"], s["version"]) for s in sq["band"]["sensitivity"]} >= {
        ("crude_currency", "default"), ("other_imports_currency", "default"), ("exports_currency", "default"),
        ("defence.payments_usd", "default"), ("defence.inr_share", "default"),
        ("channels.government_securities.cap_usd", "default"), ("inr_per_usd", "default")}
    assert "rub_per_usd" in sq["band"]["fixed"] and "mechanism_start" in sq["band"]["fixed"]


@pytest.mark.parametrize(("name", "end", "value"), [
    ("crude_currency", "low", {"USD": 0.65, "AED": 0.25, "CNY": 0.10}),
    ("defence.payments_usd", "high", 4.0e9),
    ("channels.government_securities.cap_usd", "high", 12.0e9),
    ("other_imports_currency", "high", {"INR": 0.60, "RUB": 0.20, "THIRD": 0.20}),
])
def test_sensitivity_equals_the_plain_model_at_the_range_end(store, tmp_path: Path, name: str, end: str, value):
    """The vectorised tornado against the scalar model run with the parameter set to its range end in a file."""
    base = st.simulate(store, "IND-RUS", "status_quo")
    sens = next(s for s in base.band.sensitivity if s.assumption.name == name)
    (sc,) = st.load_scenarios(_defaults_file(tmp_path, set(), {name: value}))
    plain = st.simulate(store, "IND-RUS", sc, draws=None)
    got = sens.at_low_usd if end == "low" else sens.at_high_usd
    assert got == pytest.approx(plain.final.closing_usd, rel=1e-12)
    # column 0 of the vectorised run is the central path itself
    assert base.band is not None and plain.band is None


def test_band_quantiles_follow_the_one_ranged_assumption(store, tmp_path: Path):
    """Only crude's rupee share varies (triangular 0, 5%, 10%): the balance rises with it, so the band's P10 and
    P90 are the balance at that distribution's P10 and P90 (10% × sqrt(0.05) from either end)."""
    (sc,) = st.load_scenarios(_defaults_file(tmp_path, {"crude_currency"}))
    res = st.simulate(store, "IND-RUS", sc)
    assert [s.assumption.name for s in res.band.sensitivity] == ["crude_currency"]
    q10 = 0.10 * 0.05 ** 0.5
    ends = {}
    for label, share in (("p10", q10), ("p90", 0.10 - q10)):
        rest = 1 - share
        path = _defaults_file(tmp_path, set(), {"crude_currency": {"USD": rest * 0.60 / 0.95, "AED": rest * 0.25 / 0.95,
                                                                   "CNY": rest * 0.10 / 0.95, "INR": share}})
        (one,) = st.load_scenarios(path)
        ends[label] = st.simulate(store, "IND-RUS", one, draws=None).final.closing_usd
    assert res.band.final.p10_usd == pytest.approx(ends["p10"], rel=0.03)
    assert res.band.final.p90_usd == pytest.approx(ends["p90"], rel=0.03)
    assert res.band.final.p10_usd < res.final.closing_usd < res.band.final.p90_usd


def test_defence_channel_by_hand(shipped: dict):
    """FY2023-24: status quo minus trade only = US$2.5 bn × 50% × 82.8 of inflow; FY2022-23 none (from April 2023)."""
    sq = {r["period"]: r for r in shipped["scenarios"][0]["rows"]}
    trade = {r["period"]: r for r in shipped["scenarios"][3]["rows"]}
    assert sq["FY2023-24"]["defence_inflow_inr"] == pytest.approx(2.5e9 * 0.5 * 82.8, rel=1e-12)
    assert sq["FY2023-24"]["inflow_inr"] - trade["FY2023-24"]["inflow_inr"] == pytest.approx(2.5e9 * 0.5 * 82.8,
                                                                                            rel=1e-12)
    assert trade["FY2023-24"]["defence_inflow_inr"] == 0 and sq["FY2022-23"]["defence_inflow_inr"] == 0
    assert shipped["scenarios"][3]["summary"]["closing_usd_p50"] < shipped["scenarios"][0]["summary"]["closing_usd_p50"]


def test_published_estimates_beside_the_band(shipped: dict):
    checks = shipped["scenarios"][0]["band"]["published_estimates"]
    assert [(c["date"], c["period"], c["measure"]) for c in checks] == [
        ("2023-03-31", "FY2022-23", "securities"), ("2023-10-15", "FY2023-24", "balance"),
        ("2024-05-09", "FY2023-24", "balance")]
    for c in checks:
        assert c["url"].startswith("https://") and c["source"]
        assert c["covered"] == (c["low_usd"] <= c["modelled_p90_usd"] and c["modelled_p10_usd"] <= c["high_usd"])


def test_table_fits_80_columns_without_split_words(store_path: Path):
    import re

    from rich.console import Console

    from bilateral.api import open_store
    from bilateral.commands.settlement import render

    with open_store(store_path, read_only=True) as s:
        result = st.simulate_all(s, "IND-RUS")
    buf = io.StringIO()
    render(result, Console(file=buf, width=80, color_system=None))
    text = buf.getvalue()
    for line in text.splitlines():
        assert len(line) <= 80 or line.startswith("  <https://"), line
    assert "…" not in text and "e+0" not in text
    assert not re.search(r"[a-z]-\n", text)  # no word split with a hyphen
    assert "Modelled balance on actual" in text and "Status quo" in text
    assert len(text.splitlines()) < 150


def _half_write_then_full_disk(real):
    """A writer that puts half a file down and then meets a full disk (ENOSPC)."""
    import errno

    def write(self, fname, *args, **kwargs):
        Path(fname).write_bytes(b"half a chart")
        raise OSError(errno.ENOSPC, "No space left on device")
    return write


def test_charts_are_written_atomically(shipped: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Issue 28: a chart goes through output.write_atomic: no half-written file, a FIFO refused, a symlink followed."""
    import os
    import signal

    import matplotlib.figure
    import plotly.graph_objects as go

    from bilateral.errors import BilateralError
    from bilateral.report.settlement_chart import settlement_html, settlement_png

    real = tmp_path / "real.png"
    real.write_bytes(b"an older chart")
    link = tmp_path / "link.png"
    link.symlink_to(real)
    settlement_png(shipped, link)
    assert link.is_symlink() and real.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # written through the link, link kept

    old_png, old_html = tmp_path / "old.png", tmp_path / "old.html"
    old_png.write_bytes(b"the previous chart")
    old_html.write_bytes(b"the previous page")
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", _half_write_then_full_disk(matplotlib.figure.Figure.savefig))
    monkeypatch.setattr(go.Figure, "write_html", _half_write_then_full_disk(go.Figure.write_html))
    with pytest.raises(BilateralError, match=r"^cannot write --chart .*old.png: the disk is full.*Nothing was written"):
        settlement_png(shipped, old_png)
    with pytest.raises(BilateralError, match=r"^cannot write --chart .*old.html: the disk is full"):
        settlement_html(shipped, old_html)
    assert old_png.read_bytes() == b"the previous chart" and old_html.read_bytes() == b"the previous page"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.png", "old.html", "old.png", "real.png"]  # no .part left
    monkeypatch.undo()

    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)

    def hung(signum: int, frame: object) -> None:
        raise TimeoutError("the chart writer opened a FIFO and blocked")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    try:
        with pytest.raises(BilateralError, match=r"named pipe"):
            settlement_png(shipped, fifo)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
