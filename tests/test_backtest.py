"""Rolling-origin backtest: a tiny series worked by hand; ranking and pooling."""

from __future__ import annotations

import math

import pytest

from bilateral.models import backtest as bt

LEVELS = [100.0, 110.0, 121.0, 133.1]  # +10% a year
PERIODS = ["CY2020", "CY2021", "CY2022", "CY2023"]


def test_naive_backtest_hand_worked():
    scored = bt.score(LEVELS, PERIODS, "naive", bt.model_predictor(LEVELS, "naive"), horizon=2, min_train=2)
    # origins CY2021 (h 1, 2) and CY2022 (h 1)
    assert [(s.origin, s.period, s.horizon) for s in scored] == [
        ("CY2021", "CY2022", 1), ("CY2021", "CY2023", 2), ("CY2022", "CY2023", 1)]
    assert [s.forecast for s in scored] == pytest.approx([110, 110, 121])
    assert [s.ape for s in scored] == pytest.approx([11 / 121, 23.1 / 133.1, 12.1 / 133.1])
    assert [s.scale for s in scored] == pytest.approx([10, 10, 10.5])  # mean |Δ| of the training years
    assert [s.scaled_error for s in scored] == pytest.approx([1.1, 2.31, 12.1 / 10.5])
    # σ = |log 1.1|; 80% interval h=1: 110·exp(±1.2816·0.0953) = 97.7–123.8 holds 121;
    # h=2: 110·exp(±1.2816·0.0953·√2) = 92.6–130.7 misses 133.1; the 95% one, 84.4–143.3, holds it
    assert [s.in80 for s in scored] == [True, False, True]
    assert [s.in95 for s in scored] == [True, True, True]
    rows = bt.aggregate("x", scored, scored)
    h1, h2 = rows
    assert (h1.horizon, h1.forecasts, h2.forecasts) == (1, 2, 1)
    assert h1.mape == pytest.approx((11 / 121 + 12.1 / 133.1) / 2)
    assert h1.mase == pytest.approx((1.1 + 12.1 / 10.5) / 2)
    assert (h1.coverage80, h2.coverage80, h2.coverage95) == (1.0, 0.0, 1.0)
    assert h2.mape_naive == pytest.approx(23.1 / 133.1)


def test_drift_is_exact_on_a_geometric_series_and_ranks_first():
    rows = bt.run("x", LEVELS, PERIODS, models=("naive", "drift"), horizon=2, min_train=2)
    drift = [r for r in rows if r.model == "drift" and r.across_break]
    assert all(r.mape == pytest.approx(0.0, abs=1e-12) for r in drift)
    assert bt.ranking(rows, 2, across_break=True)[0][0] == "drift"


def test_break_flags_and_pooling():
    levels = [100.0, 100.0, 300.0, 300.0, 300.0]
    periods = ["CY2019", "CY2020", "CY2021", "CY2022", "CY2023"]
    scored = bt.score(levels, periods, "naive", bt.model_predictor(levels, "naive"), horizon=2, min_train=2,
                      breaks=[2])
    assert [(s.origin, s.horizon, s.crosses_break) for s in scored] == [
        ("CY2020", 1, True), ("CY2020", 2, True), ("CY2021", 1, False), ("CY2021", 2, False), ("CY2022", 1, False)]
    rows = bt.aggregate("x", scored, scored, across_break=False)
    assert [r.forecasts for r in rows] == [2, 1]
    pooled = bt.overall(rows, "naive", 2, across_break=False)
    assert pooled["forecasts"] == 3 and pooled["mape"] == pytest.approx(0.0)
    assert math.isnan(bt.overall(rows, "drift", 2)["mape"])
