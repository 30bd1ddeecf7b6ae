"""Simulated paths of every candidate forecast of total trade, and their summaries.

A candidate is either one of the series models fitted to the log of total trade
(:data:`bilateral.models.forecast.CANDIDATES`) or the component method (``components``): exports,
energy imports (volume × the Brent path) and other imports, drawn jointly with the correlation of
their one-step residuals and summed. Each is drawn under a base distribution — Gaussian, or with
σ drawn from its sampling distribution (Student-t) — and :mod:`.calibration` recalibrates it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from bilateral.models.forecast import CANDIDATES, ModelName, fit, sigma_scale
from bilateral.models.target.calibration import QUANTILES, Recalibration, Scheme
from bilateral.models.target.models import Components, EnergyModel, correlation, model_list
from bilateral.models.target.results import ForecastYear

DEFAULT_SEED = 20251205  # the summit's date
SIMULATIONS = 20_000  # paths of the tracker's forecast, per model
COMPONENTS = "components"
MODELS: tuple[str, ...] = (*CANDIDATES, COMPONENTS)
MODEL_TITLES: dict[str, str] = {
    "naive": "no change (naive) on total trade",
    "drift": "random walk with drift on total trade",
    "drift_break": "random walk with drift on total trade, break years as one-off level shifts",
    "local_level": "local level (ETS A,N,N) on total trade",
    "local_trend": "local linear trend (ETS A,A,N, Holt) on total trade",
    COMPONENTS: "components: exports + energy imports (volume × Brent) + other imports, drawn jointly",
}


def total_paths(log_levels: Sequence[float] | np.ndarray, pulses: Sequence[int], name: ModelName, horizon: int, sims: int,
                seed: int, heavy: bool) -> np.ndarray:
    """Log paths (sims × horizon) of series model ``name`` fitted to the log totals; ``heavy``: σ drawn (Student-t)."""
    rng = np.random.default_rng(seed)
    f = fit(name, log_levels, pulses)
    z = rng.standard_normal((sims, horizon))
    z_slope = rng.standard_normal(sims)
    scale = sigma_scale(rng, f.dof, sims) if heavy else None
    return f.paths(z, z_slope, scale)


def component_draws(c: Components, prices: Sequence[float], horizon: int, sims: int, seed: int,
                    heavy: bool) -> dict[str, np.ndarray]:
    """Joint draws (sims × horizon, US$) of each component; shocks correlated across components.

    ``prices``: the Brent path (US$/bbl per projected year); Brent's own volatility around it is
    drawn independently of the trade shocks. ``heavy``: each σ drawn from its sampling distribution.
    """
    rng = np.random.default_rng(seed)
    models = model_list(c)
    corr, _ = correlation(c.residuals, c.names)
    k = len(models)
    chol = np.linalg.cholesky(corr)
    z = rng.standard_normal((sims, horizon, k)) @ chol.T
    z_slope = rng.standard_normal((sims, k))
    w = rng.standard_normal((sims, horizon))  # the oil price, independent of the trade shocks
    out: dict[str, np.ndarray] = {}
    for i, (name, m) in enumerate(models):
        if isinstance(m, EnergyModel):
            sv = m.sigma_volume * (sigma_scale(rng, m.changes, sims) if heavy else np.ones(sims))
            sp = m.sigma_price * (sigma_scale(rng, m.price_changes, sims) if heavy else np.ones(sims))
            logp = np.log(np.asarray(prices[:horizon]) / m.base_price)
            paths = (math.log(m.base_usd) + sv[:, None] * np.cumsum(z[:, :, i], axis=1)
                     + logp[None, :] + sp[:, None] * np.cumsum(w, axis=1))
        else:
            scale = sigma_scale(rng, m.dof, sims) if heavy else None
            paths = m.paths(z[:, :, i], z_slope[:, i], scale)
        with np.errstate(over="ignore"):  # a heavy tail beyond any float: +inf, above every bound
            out[name] = np.exp(paths)
    return out


def add(draws: dict[str, np.ndarray], skip: str = "") -> np.ndarray:
    """The sum of the components' draws (all but ``skip``)."""
    parts = [v for k, v in draws.items() if k != skip]
    out = parts[0].copy()
    for v in parts[1:]:
        out += v
    return out


@dataclass(frozen=True)
class Draws:
    """A candidate's predictive distribution of total trade: log draws (sims × horizon) under one scheme."""

    model: str
    scheme: Scheme
    log_total: np.ndarray
    calibrated_on: int = 0  # earlier outcomes behind an 'empirical' recalibration (0: none applied)


def candidate_draws(model: str, scheme: Scheme, *, log_totals: Sequence[float] | np.ndarray, pulses: Sequence[int],
                    components: Components | None, prices: Sequence[float], horizon: int, sims: int, seed: int,
                    recalibration: Recalibration | None = None) -> Draws:
    """Draws of candidate ``model`` under ``scheme`` (``empirical`` needs ``recalibration``; without it, Gaussian)."""
    heavy = scheme == "student_t"
    if model == COMPONENTS:
        if components is None:
            raise ValueError("the component method needs its components")
        log_total = np.log(add(component_draws(components, prices, horizon, sims, seed, heavy)))
    else:
        log_total = total_paths(log_totals, pulses, model, horizon, sims, seed, heavy)  # type: ignore[arg-type]
    if scheme == "empirical" and recalibration is not None:
        return Draws(model, scheme, recalibration.apply(log_total), recalibration.n)
    return Draws(model, scheme, log_total)


def summary(draws: np.ndarray, periods: Sequence[str], with_mean: bool = True) -> list[ForecastYear]:
    """Median, mean and the 80%/95% intervals per year of US$ draws (sims × horizon).

    ``with_mean`` False: no mean (a Student-t on logs has no finite mean in US$; a sample mean would be noise).
    """
    qs = np.quantile(draws, QUANTILES, axis=0)
    return [ForecastYear(p, float(qs[0, t]), float(draws[:, t].mean()) if with_mean else None, float(qs[1, t]),
                         float(qs[2, t]), float(qs[3, t]), float(qs[4, t])) for t, p in enumerate(periods)]


def with_actuals(years: Sequence[ForecastYear], draws: np.ndarray, actual: dict[str, tuple[float, str]]
                 ) -> tuple[ForecastYear, ...]:
    """The forecast years with the later actual figures beside them and where each fell in the distribution."""
    out = []
    for t, y in enumerate(years):
        if y.period in actual:
            v, status = actual[y.period]
            out.append(ForecastYear(**{**asdict(y), "actual": v, "actual_status": status,
                                       "actual_quantile": float(np.mean(draws[:, t] < v))}))
        else:
            out.append(y)
    return tuple(out)


def share_at_or_above(draws: np.ndarray, value: float) -> float:
    """The share of draws at or above ``value`` (the probability of reaching a target)."""
    return float(np.mean(draws >= value))

