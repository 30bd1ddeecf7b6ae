"""Calibrating the forecast's intervals on its own past errors, and scoring them with a proper rule.

Three ways to turn a model's simulated paths into a predictive distribution (``Scheme``):

- ``gaussian``: the model's own Gaussian innovations with σ as estimated (the intervals shipped
  before issue #21);
- ``student_t``: σ drawn path by path from its sampling distribution (√(dof/χ²_dof)), which gives
  the Student-t predictive distribution with the estimation error in it (:func:`sigma_scale`);
- ``empirical``: the Gaussian distribution recalibrated by the probability integral transforms
  (PITs) of the model's earlier forecasts, *observed before the origin* (quantile recalibration,
  as in Gneiting, Balabdaoui & Raftery 2007 on calibration and Kuleshov et al. 2018): if past
  outcomes fell above the 90% quantile 30% of the time, the new 90% quantile is the old
  quantile that 90% of past outcomes fell below. PITs are pooled over horizons (by horizon there
  are too few), and forecasts that crossed a break year on file are left out: the intervals are
  conditional on no new regime change.

Scores (on the log scale, so that a year of US$60 bn does not weigh ten times one of US$6 bn): the
interval score of Gneiting & Raftery (2007), ``(u − l) + 2/α·(l − y)⁺ + 2/α·(y − u)⁺``, and the
weighted interval score of Bracher et al. (2021) over the median and the 80% and 95% intervals,
a proper score that approximates the CRPS.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

Scheme = Literal["gaussian", "student_t", "empirical"]
SCHEMES: tuple[Scheme, ...] = ("gaussian", "student_t", "empirical")
SCHEME_TITLES: dict[str, str] = {
    "gaussian": "Gaussian, σ as estimated (the intervals before #21)",
    "student_t": "Student-t: σ's estimation error drawn path by path",
    "empirical": "Gaussian recalibrated by the PITs of earlier forecasts",
}
LEVELS: tuple[float, float] = (0.80, 0.95)
QUANTILES: tuple[float, ...] = (0.5, 0.10, 0.90, 0.025, 0.975)  # median, 80% and 95% bounds
MIN_PITS = 10  # fewer earlier outcomes than this and 'empirical' keeps the Gaussian distribution
WILSON_Z = 1.959963984540054  # 95% uncertainty of a coverage share


@dataclass(frozen=True)
class Recalibration:
    """The smoothed distribution G of past PITs: a forecast's τ-quantile becomes the model's G⁻¹(τ)-quantile.

    G is the empirical distribution of the ``n`` PITs with plotting positions i/(n+1), joined
    linearly and through (0, 0) and (1, 1), so it is continuous and never says 0 or 1 inside (0, 1).
    """

    pits: tuple[float, ...]

    @property
    def n(self) -> int:
        """How many earlier outcomes the recalibration rests on."""
        return len(self.pits)

    def _knots(self) -> tuple[np.ndarray, np.ndarray]:
        x = np.concatenate([[0.0], np.sort(np.asarray(self.pits, dtype=float)), [1.0]])
        f = np.concatenate([[0.0], np.arange(1, self.n + 1) / (self.n + 1), [1.0]])
        return x, f

    def level(self, tau: np.ndarray | float) -> np.ndarray:
        """G⁻¹(τ): the model quantile level that serves as the calibrated τ-quantile."""
        x, f = self._knots()
        return np.interp(tau, f, x)

    def cdf(self, u: np.ndarray | float) -> np.ndarray:
        """G(u): the calibrated probability below a value at the model's level ``u``."""
        x, f = self._knots()
        return np.interp(u, x, f)

    def apply(self, draws: np.ndarray) -> np.ndarray:
        """Recalibrated draws (sims × horizon): each column mapped through its own quantile function."""
        sims = draws.shape[0]
        pos = self.level((np.arange(sims) + 0.5) / sims) * (sims - 1)  # numpy's default (linear) quantile positions
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, sims - 1)
        frac = (pos - lo)[:, None]
        ordered = np.sort(draws, axis=0)
        with np.errstate(invalid="ignore"):  # inf − inf where a heavy tail overflowed: keep the bound
            out = ordered[lo] + frac * (ordered[hi] - ordered[lo])
        return np.where(np.isnan(out), ordered[hi], out)


def pit(draws: np.ndarray, actual: float) -> float:
    """The share of draws below the actual (the probability integral transform), kept off 0 and 1."""
    sims = len(draws)
    return float(np.clip(np.mean(draws < actual), 0.5 / sims, 1 - 0.5 / sims))


def interval_score(lo: float, hi: float, y: float, alpha: float) -> float:
    """Gneiting & Raftery's interval score of a central (1 − α) interval: width plus 2/α × the miss."""
    return (hi - lo) + 2.0 / alpha * max(lo - y, 0.0) + 2.0 / alpha * max(y - hi, 0.0)


def weighted_interval_score(median: float, lo80: float, hi80: float, lo95: float, hi95: float, y: float) -> float:
    """Bracher et al.'s weighted interval score over the median and the 80% and 95% intervals (lower is better)."""
    total = 0.5 * abs(y - median)
    for (lo, hi), level in zip(((lo80, hi80), (lo95, hi95)), LEVELS, strict=True):
        alpha = 1.0 - level
        total += alpha / 2.0 * interval_score(lo, hi, y, alpha)
    return total / (len(LEVELS) + 0.5)


@dataclass(frozen=True)
class Share:
    """A coverage share with its 95% Wilson score interval (binomial: k of n forecasts)."""

    covered: int
    forecasts: int
    share: float
    low: float
    high: float


def wilson(k: int, n: int, z: float = WILSON_Z) -> Share:
    """The share k/n with its Wilson score interval (NaN for n = 0)."""
    if n == 0:
        return Share(0, 0, math.nan, math.nan, math.nan)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return Share(k, n, p, max(0.0, centre - half), min(1.0, centre + half))


def mean(values: Sequence[float]) -> float:
    """The mean, NaN for none."""
    return float(np.mean(values)) if len(values) else math.nan
