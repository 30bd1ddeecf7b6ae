"""Small forecasting models for annual trade series, on the log scale (numpy only).

Every model is fitted to log values ``y`` (oldest first) and gives, ``h`` years after the last
point, the log median ``mu`` and the log standard deviation ``sd`` of its forecast (Gaussian on
logs, so intervals are log-normal and asymmetric in US dollars), and can simulate paths from
standard-normal innovations (so components can be drawn with correlated shocks).

Candidates (the backtest picks among them, see :mod:`bilateral.models.backtest`):

- ``naive``: no change (a random walk without drift; σ = root mean square of Δy); also the
  benchmark every other model is compared with;
- ``drift``: random walk with drift, Δy = c + ε; the drift's own uncertainty is in the interval;
- ``drift_break``: the same with the break years as one-off level shifts (a pulse each), so the
  jump neither enters the drift nor the volatility, and σ uses n − 1 − (number of pulses) degrees of
  freedom;
- ``local_level``: ETS(A,N,N) on logs (simple exponential smoothing), α by least squares;
- ``local_trend``: ETS(A,A,N) on logs (Holt's linear trend), α and β by least squares.

σ is estimated from few changes (4 to 14 here), so each fit also carries its degrees of freedom:
:meth:`Fitted.paths` can draw σ itself (``sigma_scale``: √(dof/χ²_dof) per path), which turns the
Gaussian forecast into the Student-t predictive distribution with the estimation error in it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

ModelName = Literal["naive", "drift", "drift_break", "local_level", "local_trend"]
CANDIDATES: tuple[ModelName, ...] = ("naive", "drift", "drift_break", "local_level", "local_trend")
DESCRIPTIONS: dict[str, str] = {
    "naive": "no change (naive)",
    "drift": "random walk with drift",
    "drift_break": "random walk with drift, break years as one-off level shifts",
    "local_level": "local level (ETS A,N,N)",
    "local_trend": "local linear trend (ETS A,A,N, Holt)",
}
#: models whose growth term is estimated over every change, so a break year's jump is carried forward as
#: growth (``drift`` and ``local_trend`` on a series with a break on file); the others either have no
#: growth term (naive, local level) or take the break years out (drift_break)
CARRIES_BREAKS: frozenset[str] = frozenset({"drift", "local_trend"})
Z80 = 1.2815515655446004  # standard normal quantile of 0.90
Z95 = 1.959963984540054  # … of 0.975
_GRID = np.round(np.arange(0.05, 1.0001, 0.05), 2)  # smoothing parameters tried
MIN_POINTS = 3  # fewer than this and no model is fitted


def normal_cdf(x: float) -> float:
    """The standard normal distribution function."""
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


@dataclass(frozen=True)
class Fitted:
    """A fitted model: the state needed to forecast, and its parameters for the output."""

    name: ModelName
    last: float  # log level at the forecast origin (the level state for ETS models)
    slope: float  # drift per year (0 for naive and local level)
    sigma: float  # one-step innovation standard deviation (log)
    se_slope: float  # standard error of the drift (drift models)
    alpha: float = 0.0
    beta: float = 0.0
    observations: int = 0
    dof: int = 1  # degrees of freedom of sigma (changes or one-step errors used, less parameters fitted)

    def predict(self, h: int) -> tuple[float, float]:
        """Log median and log standard deviation ``h`` years ahead."""
        mu = self.last + self.slope * h
        if self.name in ("naive", "drift", "drift_break"):
            var = h * self.sigma**2 + (h * self.se_slope) ** 2
        elif self.name == "local_level":
            var = self.sigma**2 * (1 + (h - 1) * self.alpha**2)
        else:  # local_trend: Hyndman et al. (2008), class 1, ETS(A,A,N)
            a, b = self.alpha, self.beta
            var = self.sigma**2 * (1 + (h - 1) * (a**2 + a * b * h + b**2 * h * (2 * h - 1) / 6))
        return mu, math.sqrt(var)

    def paths(self, z: np.ndarray, z_slope: np.ndarray, sigma_scale: np.ndarray | None = None) -> np.ndarray:
        """Simulated log paths (sims × horizon) from standard-normal innovations ``z`` (sims × horizon).

        ``z_slope`` (sims,) draws the drift's estimation error for the drift models; ``sigma_scale``
        (sims,), when given, multiplies σ (and the drift's standard error, which is σ/√m) path by path.
        """
        sims, horizon = z.shape
        scale = np.ones(sims) if sigma_scale is None else sigma_scale
        e = self.sigma * scale[:, None] * z
        if self.name in ("naive", "drift", "drift_break"):
            h = np.arange(1, horizon + 1)
            slope = self.slope + self.se_slope * scale * z_slope
            return self.last + slope[:, None] * h[None, :] + np.cumsum(e, axis=1)
        level = np.full(sims, self.last)
        trend = np.full(sims, self.slope)
        out = np.empty_like(z)
        for t in range(horizon):
            out[:, t] = level + trend + e[:, t]
            level = level + trend + self.alpha * e[:, t]
            trend = trend + self.beta * e[:, t]
        return out

    def describe(self) -> str:
        """The model in words."""
        return DESCRIPTIONS[self.name]


def sigma_scale(rng: np.random.Generator, dof: int, sims: int) -> np.ndarray:
    """√(dof / χ²_dof) per path: σ drawn from its sampling distribution (Student-t predictive)."""
    return np.sqrt(max(dof, 1) / rng.chisquare(max(dof, 1), sims))


def _drift(y: np.ndarray, name: ModelName, pulses: Sequence[int] = ()) -> Fitted:
    dy = np.diff(y)
    keep = np.ones(len(dy), dtype=bool)
    for i in pulses:  # i indexes y: the change into y[i] is a one-off shift
        if 1 <= i < len(y):
            keep[i - 1] = False
    d = dy[keep]
    if name == "naive":
        sigma = float(np.sqrt(np.mean(d**2))) if len(d) else 0.0
        return Fitted("naive", float(y[-1]), 0.0, sigma, 0.0, observations=len(y), dof=max(len(d), 1))
    m = len(d)
    c = float(d.mean()) if m else 0.0
    sigma = float(d.std(ddof=1)) if m > 1 else (float(np.sqrt(np.mean(dy**2))) if len(dy) else 0.0)
    se = sigma / math.sqrt(m) if m else 0.0
    return Fitted(name, float(y[-1]), c, sigma, se, observations=len(y), dof=max(m - 1, 1))


def _ets(y: np.ndarray, trend: bool) -> Fitted:
    """Least-squares ETS on a grid of smoothing parameters (vectorised over the grid)."""
    if trend:
        aa, bb = np.meshgrid(_GRID, np.concatenate([[0.0], _GRID]))
        keep = bb <= aa
        alpha, beta = aa[keep], bb[keep]
    else:
        alpha, beta = _GRID.copy(), np.zeros_like(_GRID)
    level = np.full(alpha.shape, y[0] if not trend else y[1])
    slope = np.full(alpha.shape, (y[1] - y[0]) if trend else 0.0)
    start = 2 if trend else 1
    sse = np.zeros(alpha.shape)
    for t in range(start, len(y)):
        err = y[t] - (level + slope)
        sse += err**2
        level = level + slope + alpha * err
        slope = slope + beta * err
    k = int(np.argmin(sse))
    n_err = len(y) - start
    dof = max(n_err - (2 if trend else 1), 1)
    sigma = math.sqrt(float(sse[k]) / dof)
    return Fitted("local_trend" if trend else "local_level", float(level[k]), float(slope[k]) if trend else 0.0,
                  sigma, 0.0, alpha=float(alpha[k]), beta=float(beta[k]), observations=len(y), dof=dof)


def fit(name: ModelName, y: Sequence[float] | np.ndarray, pulses: Sequence[int] = ()) -> Fitted:
    """Fit model ``name`` to log values ``y``; ``pulses``: indexes of y that are one-off level shifts."""
    arr = np.asarray(y, dtype=float)
    if len(arr) < 2:
        return Fitted("naive", float(arr[-1]), 0.0, 0.0, 0.0, observations=len(arr), dof=1)
    if name in ("naive", "drift"):
        return _drift(arr, name)
    if name == "drift_break":
        return _drift(arr, name, pulses)
    if len(arr) < MIN_POINTS + (1 if name == "local_trend" else 0):
        return _drift(arr, "naive")
    return _ets(arr, trend=name == "local_trend")


def residuals(model: Fitted, y: Sequence[float] | np.ndarray, pulses: Sequence[int] = ()) -> dict[int, float]:
    """In-sample one-step residuals by index of y (for the correlation between components)."""
    arr = np.asarray(y, dtype=float)
    out: dict[int, float] = {}
    if model.name in ("naive", "drift", "drift_break"):
        for i in range(1, len(arr)):
            if model.name == "drift_break" and i in pulses:
                continue
            out[i] = float(arr[i] - arr[i - 1] - model.slope)
        return out
    trend = model.name == "local_trend"
    level, slope = (arr[1], arr[1] - arr[0]) if trend else (arr[0], 0.0)
    for t in range(2 if trend else 1, len(arr)):
        err = float(arr[t] - (level + slope))
        out[t] = err
        level = level + slope + model.alpha * err
        slope = slope + model.beta * err
    return out
