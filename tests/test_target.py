"""Target tracker: required CAGR and scenario arithmetic on hand-worked cases, forecast reproducibility."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilateral.api import parse_pair
from bilateral.cli import app
from bilateral.errors import BilateralError
from bilateral.harmonise.periods import parse_fy
from bilateral.models.target import BaseSplit, Scenario, forecast, load_scenarios, project, required_cagr, track


def test_required_cagr_hand_worked():
    assert required_cagr(100, 121, 2) == pytest.approx(0.10, abs=1e-12)
    assert required_cagr(68.69274e9, 100e9, 5) == pytest.approx(0.078, abs=5e-4)  # the summit's arithmetic
    assert required_cagr(59.86313e9, 100e9, 4) == pytest.approx(0.137, abs=5e-4)
    with pytest.raises(BilateralError):
        required_cagr(1, 2, 0)


def test_scenario_arithmetic_hand_worked():
    split = BaseSplit({"pharmaceuticals": 100.0, "other": 50.0}, oil_imports=1000.0, non_oil_imports=200.0,
                      exports_split_source="test", imports_split_source="test")
    sc = Scenario("t", "T", "", oil_price_index=[0.5, 0.5], oil_volume_index=[1.0, 2.0],
                  non_oil_imports_growth=0.10, exports_growth={"pharmaceuticals": 0.20, "default": 0.0})
    rows = project(split, sc, parse_fy("2024-25"), 2)
    assert [r["period"] for r in rows] == ["FY2025-26", "FY2026-27"]
    y1, y2 = rows
    assert y1["exports_usd"] == pytest.approx(120 + 50) and y2["exports_usd"] == pytest.approx(144 + 50)
    assert y1["oil_imports_usd"] == pytest.approx(500) and y2["oil_imports_usd"] == pytest.approx(1000)
    assert y1["non_oil_imports_usd"] == pytest.approx(220) and y2["non_oil_imports_usd"] == pytest.approx(242)
    assert y2["total_trade_usd"] == pytest.approx(194 + 1242) and y2["balance_usd"] == pytest.approx(194 - 1242)


def test_scenario_file_errors(tmp_path: Path):
    bad = tmp_path / "s.yml"
    bad.write_text("scenarios:\n  - name: x\n    title: X\n")
    with pytest.raises(BilateralError, match="lacks"):
        load_scenarios(bad, 3)
    bad.write_text("scenarios:\n  - {name: x, title: X, description: d, oil: {price_index: [1], volume_index: [1]},"
                   " non_oil_imports_growth: 0, exports_growth: {steel: 0.1}}\n")
    with pytest.raises(BilateralError, match="unknown sectors"):
        load_scenarios(bad, 3)
    assert [s.name for s in load_scenarios(None, 4)] == ["status_quo", "export_push", "oil_shock"]


def test_forecast_reproducible_and_consistent():
    hist = [(parse_fy(f"{y}-{(y + 1) % 100:02d}").label, 10e9 * 1.08 ** (y - 2010) * (3 if y >= 2022 else 1))
            for y in range(2010, 2026)]
    hist = [(p, v * (1.05 if i % 2 else 0.96)) for i, (p, v) in enumerate(hist)]
    a = forecast(hist, 4, seed=7, target_usd=100e9)
    b = forecast(hist, 4, seed=7, target_usd=100e9)
    assert a == b
    assert a["break_effect"] == pytest.approx(1.0986, abs=0.15)  # log(3): the jump is recognised
    assert a["p_reach_target_simulated"] == pytest.approx(a["p_reach_target"], abs=0.02)
    for r in a["years"]:
        assert r["lo95"] < r["lo80"] < r["median"] < r["hi80"] < r["hi95"]


def test_track_defaults_and_summit_base(store):
    latest = track(store, parse_pair("IND-RUS"))
    assert latest["base"]["period"] == "FY2025-26" and latest["required_cagr"] == pytest.approx(0.137, abs=5e-4)
    summit = track(store, parse_pair("IND-RUS"), base="2024-25")
    assert summit["required_cagr"] == pytest.approx(0.078, abs=5e-4)
    assert summit["achieved_cagr_3y"] == pytest.approx((68_692.74 / 13_124.79) ** (1 / 3) - 1, rel=1e-9)
    paces = {p["base"]: p["required_cagr"] for p in latest["pace"]}
    assert paces["FY2025-26"] > paces["FY2024-25"]  # the weak year raised the required pace
    split = summit["gap"]["base_split"]
    total = sum(split["exports_by_sector_usd"].values()) + split["oil_imports_usd"] + split["non_oil_imports_usd"]
    assert total == pytest.approx(68_692.74e6)  # the split adds up to the official total


def test_target_cli_json_and_charts(store_path: Path, tmp_path: Path):
    png, html = tmp_path / "t.png", tmp_path / "t.html"
    r = CliRunner().invoke(app, ["target", "--format", "json", "--store", str(store_path), "--chart", str(png),
                                 "--html", str(html)])
    assert r.exit_code == 0, r.output
    obj = json.loads(r.stdout)
    for key in ("required_cagr", "achieved_cagr_3y", "forecast", "p_reach_target"):
        assert key in obj
    for f in obj["forecast"]:
        assert {"mean", "lo80", "hi80", "lo95", "hi95"} <= set(f)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = html.read_text()
    assert "<script src=\"http" not in text and "plotly" in text.lower()


def test_target_cli_errors(store_path: Path):
    r = CliRunner().invoke(app, ["target", "--by", "2020-21", "--store", str(store_path)])
    assert r.exit_code == 1 and "must come after" in r.stderr
