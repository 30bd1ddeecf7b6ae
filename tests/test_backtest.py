"""Rolling-origin backtest: a tiny series worked by hand; ranking and pooling; the calibration and scores of the
target forecast against reference implementations (scipy); nothing read after an origin."""

from __future__ import annotations

import math

import pytest

from bilateral.harmonise.pairs import parse_pair
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
    drift = [r for r in rows if r.model == "drift" and r.subset == "all"]
    assert all(r.mape == pytest.approx(0.0, abs=1e-12) for r in drift)
    assert bt.ranking(rows, 2, "all")[0][0] == "drift"


def test_break_flags_and_pooling():
    levels = [100.0, 100.0, 300.0, 300.0, 300.0]
    periods = ["CY2019", "CY2020", "CY2021", "CY2022", "CY2023"]
    scored = bt.score(levels, periods, "naive", bt.model_predictor(levels, "naive"), horizon=2, min_train=2,
                      breaks=[2])
    assert [(s.origin, s.horizon, s.crosses_break) for s in scored] == [
        ("CY2020", 1, True), ("CY2020", 2, True), ("CY2021", 1, False), ("CY2021", 2, False), ("CY2022", 1, False)]
    rows = bt.aggregate("x", scored, scored, "no_break")
    assert [r.forecasts for r in rows] == [2, 1] and {r.subset for r in rows} == {"no_break"}
    pooled = bt.overall(rows, "naive", 2, "no_break")
    assert pooled["forecasts"] == 3 and pooled["mape"] == pytest.approx(0.0)
    assert math.isnan(bt.overall(rows, "drift", 2)["mape"])


# -- the target forecast's calibration and scores -------------------------------------------------------
def test_wilson_interval_equals_scipy():
    from scipy.stats import binomtest

    from bilateral.models.target.calibration import wilson

    for k, n in [(22, 28), (25, 45), (28, 28), (0, 5), (33, 45)]:
        ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        s = wilson(k, n)
        assert (s.covered, s.forecasts, s.share) == (k, n, k / n)
        assert s.low == pytest.approx(ci.low, rel=1e-9, abs=1e-12) and s.high == pytest.approx(ci.high, rel=1e-9)
    assert math.isnan(wilson(0, 0).share)


def test_interval_scores_hand_worked():
    from bilateral.models.target.calibration import interval_score, weighted_interval_score

    assert interval_score(1, 3, 2, 0.2) == 2  # inside: the width
    assert interval_score(1, 3, 4, 0.2) == pytest.approx(2 + 10 * 1)  # 1 above, times 2/α
    assert interval_score(1, 3, 0, 0.05) == pytest.approx(2 + 40 * 1)
    # Bracher et al. (2021): (½|y − m| + Σ α/2 · IS_α) / (K + ½), K = 2 intervals
    assert weighted_interval_score(2, 1, 3, 0, 4, 5) == pytest.approx((0.5 * 3 + 0.1 * (2 + 10 * 2) + 0.025 * (4 + 40)) / 2.5)


def test_recalibration_hand_worked():
    import numpy as np

    from bilateral.models.target.calibration import Recalibration

    even = Recalibration((0.2, 0.4, 0.6, 0.8))  # PITs at their plotting positions: nothing to correct
    assert even.level(np.array([0.1, 0.5, 0.975])) == pytest.approx([0.1, 0.5, 0.975])
    high = Recalibration((0.95, 0.95, 0.95, 0.95))  # every outcome above the model's 95% quantile
    assert high.level(0.5) == pytest.approx(0.95)  # the calibrated median is the model's 95% quantile
    assert high.level(0.9) == pytest.approx(0.95 + (0.9 - 0.8) / 0.2 * 0.05)  # towards 1 above the last PIT
    assert high.cdf(high.level(0.9)) == pytest.approx(0.9)
    draws = np.arange(1.0, 1001.0)[:, None]  # a model whose quantile function is known
    out = high.apply(draws)
    assert np.median(out) == pytest.approx(np.quantile(draws, 0.95), rel=1e-3)


def test_student_t_paths_match_scipy_t():
    """σ drawn path by path (√(dof/χ²)) gives the Student-t predictive of a random walk with drift."""
    import numpy as np
    from scipy.stats import t as student

    from bilateral.models.forecast import fit, sigma_scale

    y = np.log([10, 12, 11, 14, 15, 13, 17, 18])
    f = fit("drift", y)
    assert f.dof == 6  # 7 changes, less the drift
    rng = np.random.default_rng(3)
    sims = 400_000
    paths = f.paths(rng.standard_normal((sims, 2)), rng.standard_normal(sims), sigma_scale(rng, f.dof, sims))
    for h in (1, 2):
        sd = f.sigma * math.sqrt(h + h * h / 7)  # innovations plus the drift's estimation error
        for q in (0.025, 0.1, 0.9, 0.975):
            assert np.quantile(paths[:, h - 1], q) == pytest.approx(f.last + f.slope * h + student.ppf(q, 6) * sd,
                                                                    abs=0.004)


def test_the_backtest_reads_nothing_after_its_origin(store):
    """An origin's forecasts and calibration are the same whether or not the later years exist."""
    from bilateral.harmonise.periods import parse_period
    from bilateral.models.target import rolling_origin
    from bilateral.store.queries import energy_history, period_totals

    pair = parse_pair("IND-RUS")
    series, _ = period_totals(store, pair)
    energy = energy_history(store, pair, series)
    cut = [t for t in series if parse_period(t.period) <= parse_period("FY2019-20")]
    short = rolling_origin(cut, [p for p in energy if parse_period(p.period) <= parse_period("FY2019-20")], 7)
    full = {(o.model, o.scheme, o.origin, o.period): o for o in rolling_origin(series, energy, 7)}
    assert len(short) == 6 * 3 * (5 + 5 + 5 + 4 + 3 + 2 + 1)  # 6 models × 3 schemes; origins FY2012-13 … FY2018-19
    assert any(o.scheme == "empirical" and o.calibrated_on >= 10 for o in short)  # recalibrated ones are compared too
    for o in short:
        assert full[(o.model, o.scheme, o.origin, o.period)] == o


def test_backtest_table_notes_and_choices_pinned(store_path):
    """Issue 28 (mutation survivors): the table's notes and chosen models, word for word."""
    from bilateral.api import open_store
    from bilateral.harmonise.pairs import parse_pair
    from bilateral.models.target.backtest import backtest_table

    with open_store(store_path, read_only=True) as s:
        b = backtest_table(s, parse_pair("IND-RUS"))
    assert b.chosen == {"total": "drift_break (student_t)", "exports": "local_trend", "other_imports": "local_level"}
    assert (len(b.rows), len(b.scores)) == (140, 18)
    assert b.notes == (
        "MAPE: mean absolute percentage error of the median; MASE: mean absolute error over the in-sample "
        "mean absolute year-on-year change (below 1 beats it); coverage: share of actuals inside the interval; "
        "WIS: weighted interval score on logs (lower is better).",
        "Forecasts 'not across a break': those that do not cross a break year on file (FY2022-23, FY2023-24).",
        "Component series models are chosen by MASE on the forecasts not across a break; the forecast of the total "
        "(model and interval scheme) by WIS on them: no model here foresees a regime change.",
        "Coverage shares carry 95% Wilson intervals as if the forecasts were independent; forecasts from one "
        "origin share its surprise, so the true uncertainty is wider.")
