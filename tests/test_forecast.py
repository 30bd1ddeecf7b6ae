"""Forecasting models: hand-worked fits and forecast variances; simulated paths agree with the formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bilateral.models.forecast import fit, residuals


def test_drift_hand_worked():
    m = fit("drift", [0.0, 0.1, 0.4])  # Δ = 0.1, 0.3
    assert m.slope == pytest.approx(0.2)
    assert m.sigma == pytest.approx(math.sqrt(0.02))  # sample sd of (0.1, 0.3)
    assert m.se_slope == pytest.approx(0.1)  # σ / √2
    mu, sd = m.predict(2)
    assert mu == pytest.approx(0.8)
    assert sd == pytest.approx(math.sqrt(2 * 0.02 + (2 * 0.1) ** 2))


def test_naive_hand_worked():
    m = fit("naive", [0.0, 0.3, 0.2])  # Δ = 0.3, -0.1: RMS √0.05
    assert m.slope == 0 and m.sigma == pytest.approx(math.sqrt(0.05))
    assert m.predict(4) == pytest.approx((0.2, math.sqrt(4 * 0.05)))


def test_drift_break_removes_the_jump():
    y = [0.0, 0.1, 1.1, 1.2, 1.35]  # jump into index 2
    plain = fit("drift", y)
    brk = fit("drift_break", y, pulses=[2])
    assert plain.slope == pytest.approx(1.35 / 4)
    assert brk.slope == pytest.approx((0.1 + 0.1 + 0.15) / 3)  # the jump is a one-off level shift
    assert brk.sigma == pytest.approx(np.std([0.1, 0.1, 0.15], ddof=1))
    assert brk.predict(1)[0] == pytest.approx(1.35 + brk.slope)
    assert sorted(residuals(brk, y, [2])) == [1, 3, 4]


def test_local_level_on_a_constant_series_and_variance_formula():
    m = fit("local_level", [1.0, 1.0, 1.0, 1.0])
    assert m.last == pytest.approx(1.0) and m.sigma == pytest.approx(0.0)
    m2 = fit("local_level", [0.0, 0.5, 0.2, 0.9, 0.4, 1.0])
    _, sd3 = m2.predict(3)
    assert sd3 == pytest.approx(m2.sigma * math.sqrt(1 + 2 * m2.alpha**2))


def test_local_trend_follows_a_straight_line():
    m = fit("local_trend", [0.0, 0.1, 0.2, 0.3, 0.4])
    assert m.predict(2)[0] == pytest.approx(0.6)
    assert m.sigma == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("name", ["naive", "drift", "local_level", "local_trend"])
def test_paths_match_the_formulas(name):
    y = np.log([10, 12, 11, 14, 15, 13, 17, 18, 16, 20])
    m = fit(name, y)
    rng = np.random.default_rng(1)
    paths = m.paths(rng.standard_normal((40_000, 3)), rng.standard_normal(40_000))
    for h in (1, 3):
        mu, sd = m.predict(h)
        assert paths[:, h - 1].mean() == pytest.approx(mu, abs=0.01)
        assert paths[:, h - 1].std() == pytest.approx(sd, rel=0.03)
