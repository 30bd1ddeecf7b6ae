"""Target tracker: hand-worked arithmetic, the latest base by default, later actuals beside an older
base's forecast, components that recombine to the total, the backtest's coverage, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bilateral.api import parse_pair
from bilateral.commands.target import register
from bilateral.errors import BilateralError
from bilateral.models.target import Scenario, _scenario, brent_average, brent_hold, load_scenarios, required_cagr, track
from bilateral.store.queries import energy_history, period_totals

IND_RUS = parse_pair("IND-RUS")
TARGET = {"target_usd": 100e9, "by": "FY2029-30"}


@pytest.fixture(scope="module")
def latest(store_path: Path):
    from bilateral.api import open_store

    with open_store(store_path) as s:
        return track(s, IND_RUS, **TARGET)


@pytest.fixture(scope="module")
def summit(store_path: Path):
    from bilateral.api import open_store

    with open_store(store_path) as s:
        return track(s, IND_RUS, base="2024-25", **TARGET)


def app() -> typer.Typer:
    a = typer.Typer()

    @a.callback()
    def main() -> None:
        """test app"""

    register(a)
    return a


def test_required_cagr_hand_worked():
    assert required_cagr(100, 121, 2) == pytest.approx(0.10, abs=1e-12)
    assert required_cagr(68.69274e9, 100e9, 5) == pytest.approx(0.078, abs=5e-4)  # the summit's arithmetic
    assert required_cagr(59.86313e9, 100e9, 4) == pytest.approx(0.137, abs=5e-4)
    with pytest.raises(BilateralError):
        required_cagr(1, 2, 0)


def test_brent_averages_hand_worked():
    fy = [68.13, 64.45, 71.44, 71.04, 67.87, 67.99, 64.54, 63.8, 62.54, 66.6, 70.89, 103.13]  # 2025-04 … 2026-03
    assert brent_average("FY2025-26") == pytest.approx(sum(fy) / 12)
    assert brent_average("CY2024") == pytest.approx(80.52, abs=0.01)  # EIA's yearly average in brent-year.csv
    assert brent_average("FY2026-27") is None  # months missing
    hold, note = brent_hold()
    last12 = [67.87, 67.99, 64.54, 63.8, 62.54, 66.6, 70.89, 103.13, 117.29, 107.14, 85.4, 83.76]
    assert hold == pytest.approx(sum(last12) / 12) and "2025-08 to 2026-07" in note


def test_energy_uses_the_exact_hs27_figure(store):
    series, _ = period_totals(store, IND_RUS)
    by = {p.period: p for p in energy_history(store, IND_RUS, series)}
    assert by["FY2025-26"].basis == "exact" and by["FY2025-26"].value_usd == pytest.approx(47_824.9e6)
    assert by["FY2024-25"].basis == "proxy"  # the Other CIS region's share × Russia's official imports
    assert by["FY2024-25"].value_usd == pytest.approx(56_873.22 / 65_014.22 * 63_811.44e6)
    assert by["FY2017-18"].basis == "lower_bound"  # crude and coal headings only
    assert by["FY2017-18"].value_usd == pytest.approx(1_696.61e6)
    assert "FY2016-17" not in by


def test_default_base_is_the_latest_year(latest):
    assert latest.base["period"] == "FY2025-26" and latest.base["status"] == "provisional" and latest.base["latest"]
    assert latest.required_cagr == pytest.approx((100e9 / 59_863.13e6) ** 0.25 - 1)
    assert latest.later_actuals == () and all(y.actual is None for y in latest.forecast)
    assert latest.gap["base_by_component_usd"]["energy_imports"] == pytest.approx(47_824.9e6)  # not 87.37% × imports
    assert latest.gap["base_by_component_usd"]["other_imports"] == pytest.approx((55_369.62 - 47_824.9) * 1e6)
    assert any("provisional" in n for n in latest.notes)


def test_older_base_shows_the_later_actuals(summit):
    assert summit.required_cagr == pytest.approx(0.078, abs=5e-4) and not summit.base["latest"]
    assert [a["period"] for a in summit.later_actuals] == ["FY2025-26"]
    first = summit.forecast[0]
    assert first.period == "FY2025-26" and first.actual == pytest.approx(59_863.13e6)
    assert first.actual_status == "provisional" and 0 < first.actual_quantile < 1
    energy = next(c for c in summit.components if c.component == "energy_imports")
    assert energy.years[0].actual == pytest.approx(47_824.9e6)
    assert summit.history[-1]["period"] == "FY2024-25"  # the later year is not used by the forecast
    assert any("not the latest" in n for n in summit.notes)


def test_components_recombine_to_the_total(latest):
    names = [c.component for c in latest.components]
    assert sorted(names) == ["energy_imports", "exports", "other_imports"]
    for t, y in enumerate(latest.forecast):
        assert sum(c.years[t].mean for c in latest.components) == pytest.approx(y.mean, rel=1e-9)
    base = latest.gap["base_by_component_usd"]
    assert sum(base.values()) == pytest.approx(latest.base["total_trade_usd"])
    for s in latest.scenarios:
        end = s.years[-1]
        assert end["exports_usd"] + end["energy_imports_usd"] + end["other_imports_usd"] == pytest.approx(
            s.total_at_target_usd)
        assert sum(s.change_by_component_usd.values()) == pytest.approx(s.total_at_target_usd - sum(base.values()))


def test_probability_and_model_choice(latest, store):
    p = latest.p_reach
    assert p.low <= p.chosen <= p.high and len(p.combinations) == 8  # 2 × 2 models × 2 energy σ
    again = track(store, IND_RUS, seed=latest.p_reach.seed, with_backtest=False, **TARGET)
    assert again.p_reach.chosen == p.chosen  # the seed fixes the simulation
    other = track(store, IND_RUS, seed=1, with_backtest=False, **TARGET)
    assert other.p_reach.chosen != p.chosen and other.p_reach.chosen == pytest.approx(p.chosen, abs=0.02)


def test_plausibility_against_the_reporters_trade(latest):
    pl = latest.plausibility
    world = (441_705.46 + 774_977.93) * 1e6  # India's exports + imports, FY2025-26
    assert pl.reporter_total_usd == pytest.approx(world)
    assert pl.share_of_reporter_total == pytest.approx(latest.forecast[-1].hi95 / world)
    assert pl.reporter_imports_usd == pytest.approx(774_977.93e6)


def test_backtest_coverage_is_reported(latest):
    b = latest.backtest
    assert b is not None and b.first_origin == "FY2014-15" and b.last_origin == "FY2024-25"
    assert b.forecasts == 11 + 10 + 9 + 8 + 7  # origins FY2014-15 … FY2024-25, 1–5 years ahead
    assert b.forecasts_no_break == 28
    for c in (b.coverage80, b.coverage95, b.coverage80_no_break, b.coverage95_no_break):
        assert 0 <= c <= 1
    assert b.coverage80 <= b.coverage95 and b.coverage80_no_break <= b.coverage95_no_break


def test_scenario_arithmetic_hand_worked():
    sc = Scenario("t", "T", "", brent_usd=(35.0, 70.0), energy_volume_growth=0.10, other_imports_growth=0.10,
                  exports_growth={"pharmaceuticals": 0.20, "default": 0.0})
    r = _scenario(sc, {"pharmaceuticals": 100.0, "other": 50.0}, energy=1000.0, base_price=70.0, other=200.0,
                  periods=["FY2025-26", "FY2026-27"], target_usd=2000.0)
    y1, y2 = r.years
    assert y1["exports_usd"] == pytest.approx(170) and y2["exports_usd"] == pytest.approx(194)
    assert y1["energy_imports_usd"] == pytest.approx(1000 * 0.5 * 1.1)
    assert y2["energy_imports_usd"] == pytest.approx(1000 * 1.0 * 1.21)
    assert y2["other_imports_usd"] == pytest.approx(242)
    assert r.total_at_target_usd == pytest.approx(194 + 1210 + 242)
    assert r.shortfall_usd == pytest.approx(2000 - 1646)
    assert r.change_by_component_usd == pytest.approx({"exports": 44, "energy_imports": 210, "other_imports": 42})


def test_scenario_file_errors(tmp_path: Path):
    bad = tmp_path / "s.yml"
    bad.write_text("scenarios:\n  - name: x\n    title: X\n")
    with pytest.raises(BilateralError, match="lacks"):
        load_scenarios(bad, 3)
    base = ("scenarios:\n  - {name: x, title: X, description: d, brent_usd: %s, energy_volume_growth: 0, "
            "other_imports_growth: 0, exports_growth: %s}\n")
    bad.write_text(base % ("hold", "{steel: 0.1}"))
    with pytest.raises(BilateralError, match="unknown sectors"):
        load_scenarios(bad, 3)
    bad.write_text(base % ("cheap", "{default: 0.1}"))
    with pytest.raises(BilateralError, match="brent_usd"):
        load_scenarios(bad, 3)
    bad.write_text(base % ("[80, 60]", "{default: 0.1}"))
    assert load_scenarios(bad, 3).scenarios[0].brent_usd == (80.0, 60.0, 60.0)
    assert [s.name for s in load_scenarios(None, 4).scenarios] == ["status_quo", "export_push", "oil_shock"]


def test_cli_json_table_and_charts(store_path: Path, tmp_path: Path):
    png, html = tmp_path / "t.png", tmp_path / "t.html"
    r = CliRunner().invoke(app(), ["target", "--format", "json", "--store", str(store_path), "--chart", str(png),
                                   "--html", str(html)])
    assert r.exit_code == 0, r.output
    obj = json.loads(r.stdout)
    assert obj["base"]["period"] == "FY2025-26" and obj["target"]["usd"] == 100e9  # the target on file
    assert {"median", "lo80", "hi80", "lo95", "hi95", "actual"} <= set(obj["forecast"][0])
    assert {"chosen", "low", "high"} <= set(obj["p_reach"]) and obj["backtest"]["coverage95"] is not None
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = html.read_text()
    assert "<script src=\"http" not in text and "Target US$100 bn" in text and "Provisional figure" in text
    assert f"wrote {png}" in r.stderr and f"wrote {html}" in r.stderr
    t = CliRunner().invoke(app(), ["target", "--store", str(store_path), "--base", "2024-25"])
    assert t.exit_code == 0 and "percentile" in t.stdout and "59.86" in t.stdout


def test_cli_chart_by_suffix_and_refusals(store_path: Path, tmp_path: Path):
    html = tmp_path / "x.html"
    r = CliRunner().invoke(app(), ["target", "--store", str(store_path), "--chart", str(html)])
    assert r.exit_code == 0 and html.read_text().lstrip().lower().startswith("<!doctype html>")
    r = CliRunner().invoke(app(), ["target", "--store", str(store_path), "--chart", str(tmp_path / "x.svg")])
    assert r.exit_code == 1 and r.stdout == "" and "end the file name in .png or .html" in r.stderr
    assert not (tmp_path / "x.svg").exists()
    r = CliRunner().invoke(app(), ["target", "--by", "2020-21", "--store", str(store_path)])
    assert r.exit_code == 1 and "must come after" in r.stderr
    r = CliRunner().invoke(app(), ["target", "--by", "2030", "--store", str(store_path)])
    assert r.exit_code == 1 and "fiscal year" in r.stderr


def test_cli_backtest(store_path: Path):
    r = CliRunner().invoke(app(), ["target", "--backtest", "--store", str(store_path), "--format", "csv"])
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0].startswith("pair,series,model,horizon,forecasts,across_break,mape,mase,coverage80,coverage95")
    assert any(",total,components,1," in line for line in lines)
    t = CliRunner().invoke(app(), ["target", "--backtest", "--store", str(store_path)])
    assert t.exit_code == 0 and "Shipped method" in t.stdout and "80% interval covered" in t.stdout


def test_a_calendar_year_pair_without_energy_detail(fresh_store_path: Path):
    """India–China as calendar-year totals summed from the embedded monthly series (2007–2019)."""
    from bilateral.api import open_store

    with open_store(fresh_store_path) as s:
        s.con.execute(
            """
            INSERT INTO official_totals
            SELECT 'test/cy-from-monthly', 'CY' || left(period, 4), 'cy', reporter, partner, flow, sum(value_usd),
                   'final', true, 'test: calendar-year sums of the embedded monthly series', '', NULL, NULL
            FROM flows WHERE reporter = 'IND' AND partner = 'CHN' AND period_kind = 'month'
              AND left(period, 4) BETWEEN '2007' AND '2019'
            GROUP BY ALL
            """)
        r = track(s, parse_pair("IND-CHN"), target_usd=150e9, by="2025")
        monthly = s.con.execute("SELECT sum(value_usd) FROM flows WHERE reporter = 'IND' AND partner = 'CHN' "
                                "AND period_kind = 'month' AND left(period, 4) = '2019'").fetchone()[0]
    assert r.base["period"] == "CY2019" and r.base["total_trade_usd"] == pytest.approx(monthly)
    assert [y.period for y in r.forecast] == [f"CY{y}" for y in range(2020, 2026)]
    assert [c.component for c in r.components] == ["exports", "imports"]  # no HS 27 figure: imports as one
    assert r.backtest is not None and r.backtest.forecasts == r.backtest.forecasts_no_break  # no break on file
    assert not any("Break" in n for n in r.notes) and any("one component" in n for n in r.notes)
    with pytest.raises(BilateralError, match="calendar year"):
        with open_store(fresh_store_path) as s:
            track(s, parse_pair("IND-CHN"), target_usd=150e9, by="2029-30")


def test_probability_is_given_to_whole_percent(latest):
    d = latest.to_dict()["p_reach"]
    assert d["chosen"] == round(latest.p_reach.chosen, 2) and d["low"] == round(latest.p_reach.low, 2)
    assert all(p == round(p, 2) for _, p in d["combinations"])
    row = next(r for r in latest.records() if r["measure"] == "p_reach_target")
    assert row["value"] == round(latest.p_reach.chosen, 2)


def test_too_short_a_history_is_refused(store):
    with pytest.raises(BilateralError, match="at least 5 years up to the base; IND-RUS has 3"):
        track(store, IND_RUS, base="2012-13", **TARGET)


def test_a_target_below_the_base_is_answered_not_a_traceback(tmp_path) -> None:
    """Found by the API fuzzer: a gap that one flow alone cannot close made a complex number."""
    from typer.testing import CliRunner

    from bilateral.cli import app
    from bilateral.models.target import required_cagr, required_cagr_or_none

    assert required_cagr(100.0, 25.0, 2) == -0.5
    assert required_cagr_or_none(10.0, -5.0, 4) is None
    r = CliRunner().invoke(app, ["target", "--target-usd", "1e9", "--format", "json", "--store", str(tmp_path / "s.duckdb")])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["target", "--target-usd", "-5", "--store", str(tmp_path / "s.duckdb")])
    assert r.exit_code == 2 and r.stderr.strip().startswith("error: --target-usd")  # refused as it is read
