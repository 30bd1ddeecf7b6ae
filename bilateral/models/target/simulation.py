"""Joint simulation of the components (correlated shocks) and its summaries."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import numpy as np

from bilateral.models.target.models import EnergyModel
from bilateral.models.target.results import ForecastYear

DEFAULT_SEED = 20251205  # the summit's date
SIMULATIONS = 20_000
ALT_SIMULATIONS = 10_000  # per alternative model combination (model-choice range)


def simulate(models: Sequence[tuple[str, Any]], corr: np.ndarray, prices: Sequence[float], horizon: int,
             sims: int, seed: int) -> dict[str, np.ndarray]:
    """Joint draws (sims × horizon, US$) of each component; shocks correlated across components."""
    rng = np.random.default_rng(seed)
    k = len(models)
    chol = np.linalg.cholesky(corr)
    z = rng.standard_normal((sims, horizon, k)) @ chol.T
    z_slope = rng.standard_normal((sims, k))
    w = rng.standard_normal((sims, horizon))  # the oil price, independent of the trade shocks
    out = {}
    for i, (name, m) in enumerate(models):
        if isinstance(m, EnergyModel):
            logp = np.log(np.asarray(prices[:horizon]) / m.base_price)
            paths = (math.log(m.base_usd) + m.sigma_volume * np.cumsum(z[:, :, i], axis=1)
                     + logp[None, :] + m.sigma_price * np.cumsum(w, axis=1))
        else:
            paths = m.paths(z[:, :, i], z_slope[:, i])
        out[name] = np.exp(paths)
    return out


def _sum(draws: dict[str, np.ndarray], skip: str = "") -> np.ndarray:
    """The sum of the components' draws (all but ``skip``)."""
    parts = [v for k, v in draws.items() if k != skip]
    out = parts[0].copy()
    for v in parts[1:]:
        out += v
    return out


def _summary(draws: np.ndarray, periods: Sequence[str]) -> list[ForecastYear]:
    qs = np.quantile(draws, [0.5, 0.1, 0.9, 0.025, 0.975], axis=0)
    return [ForecastYear(p, float(qs[0, t]), float(draws[:, t].mean()), float(qs[1, t]), float(qs[2, t]),
                         float(qs[3, t]), float(qs[4, t])) for t, p in enumerate(periods)]


def _with_actuals(years: Sequence[ForecastYear], draws: np.ndarray, actual: dict[str, tuple[float, str]]
                  ) -> tuple[ForecastYear, ...]:
    out = []
    for t, y in enumerate(years):
        if y.period in actual:
            v, status = actual[y.period]
            out.append(ForecastYear(**{**asdict(y), "actual": v, "actual_status": status,
                                       "actual_quantile": float(np.mean(draws[:, t] < v))}))
        else:
            out.append(y)
    return tuple(out)
