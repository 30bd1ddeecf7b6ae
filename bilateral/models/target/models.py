"""The component models at one origin: exports and other imports as series, energy as volume × price."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bilateral.harmonise.periods import parse_period
from bilateral.models import backtest as bt
from bilateral.models.forecast import Fitted, fit, residuals
from bilateral.models.target.data import BrentKnown, break_indexes, break_years
from bilateral.store.queries import EnergyPoint, PeriodTotals

MIN_CORRELATION_POINTS = 5  # fewer common years and components are drawn independently
MAX_HORIZON = 5  # backtest horizons 1 … 5 years


# -- the component forecast -----------------------------------------------------------------------
@dataclass(frozen=True)
class SeriesModel:
    """A component modelled on its own log series (exports, other imports)."""

    component: str
    periods: tuple[str, ...]
    levels: tuple[float, ...]
    pulses: tuple[int, ...]
    ranking: tuple[tuple[str, float], ...]

    def fitted(self, name: str) -> Fitted:
        """Model ``name`` fitted to the component's log levels."""
        return fit(name, np.log(self.levels), self.pulses)  # type: ignore[arg-type]


@dataclass(frozen=True)
class EnergyModel:
    """Energy imports = volume × price: volume a random walk without drift, price a path ± Brent volatility."""

    base_usd: float
    base_price: float
    sigma_volume: float
    sigma_price: float
    changes: int  # year-on-year volume changes σ_volume rests on
    volume_changes: dict[str, float]  # period → Δlog volume (for the correlation)
    price_changes: int = 0  # yearly Brent changes σ_price rests on


def series_model(component: str, periods: Sequence[str], levels: Sequence[float], horizon: int,
                 years: Sequence[int] = ()) -> SeriesModel:
    """Fit the candidates' backtest on a component and rank them (lowest mean MASE first).

    ``years``: the pair's break years (one-off level shifts).
    """
    pulses = break_indexes(periods, years)
    min_train = min(bt.DEFAULT_MIN_TRAIN, max(len(levels) - 2, 2))
    rows = bt.run(component, levels, periods, pulses=pulses, horizon=min(horizon, MAX_HORIZON), min_train=min_train)
    ranked = bt.ranking(rows, min(horizon, MAX_HORIZON)) or bt.ranking(rows, min(horizon, MAX_HORIZON), "all")
    if not ranked:
        ranked = [("drift_break" if pulses else "drift", math.nan)]
    return SeriesModel(component, tuple(periods), tuple(float(v) for v in levels), pulses, tuple(ranked))


def energy_model(points: Sequence[EnergyPoint], kind: str, known: BrentKnown,
                 years: Sequence[int] = ()) -> EnergyModel | None:
    """The energy component from its history; None when the base year's HS 27 figure or its price is unknown.

    ``known``: Brent as known at the origin (no later month is read).
    """
    if not points:
        return None
    priced = [(p, known.average(p.period)) for p in points]
    changes: dict[str, float] = {}
    for (a, pa), (b, pb) in zip(priced, priced[1:], strict=False):
        same_basis = (a.basis == "lower_bound") == (b.basis == "lower_bound")
        consecutive = parse_period(b.period).year == parse_period(a.period).year + 1
        if pa and pb and same_basis and consecutive and parse_period(b.period).year not in years:
            changes[b.period] = math.log(b.value_usd / pb) - math.log(a.value_usd / pa)
    last, price = priced[-1]
    if price is None:
        return None
    sigma_v = float(np.sqrt(np.mean(np.square(list(changes.values()))))) if changes else 0.0
    sigma_p, price_changes = known.volatility(kind)
    return EnergyModel(last.value_usd, price, sigma_v, sigma_p, len(changes), changes, price_changes)


def correlation(series: Sequence[dict[str, float]], names: Sequence[str]) -> tuple[np.ndarray, dict[str, Any]]:
    """Correlation of one-step residuals over the years all components share (identity if too few)."""
    k = len(series)
    common = sorted(set.intersection(*(set(s) for s in series))) if series else []
    corr = np.eye(k)
    used = len(common) >= MIN_CORRELATION_POINTS
    if used:
        mat = np.array([[s[p] for p in common] for s in series])
        corr = np.corrcoef(mat)
        corr = np.where(np.isfinite(corr), corr, 0.0)
        np.fill_diagonal(corr, 1.0)
        w, v = np.linalg.eigh(corr)  # keep it positive definite
        corr = v @ np.diag(np.clip(w, 1e-6, None)) @ v.T
        d = np.sqrt(np.diag(corr))
        corr = corr / np.outer(d, d)
    info = {"components": list(names), "matrix": corr.round(3).tolist(), "years": common, "used": used,
            "note": (f"correlation of one-step residuals over {len(common)} common years" if used else
                     f"only {len(common)} common years (< {MIN_CORRELATION_POINTS}): components drawn independently")}
    return corr, info


@dataclass(frozen=True)
class Components:
    """Everything the component forecast needs at one origin."""

    exports: SeriesModel
    imports: SeriesModel  # other imports when energy is known, else all imports
    energy: EnergyModel | None
    residuals: tuple[dict[str, float], ...]
    names: tuple[str, ...]


def build_components(series: Sequence[PeriodTotals], energy: Sequence[EnergyPoint], horizon: int,
                     known: BrentKnown) -> Components:
    """The component models fitted on ``series`` (history up to the origin), its energy points and Brent as known."""
    periods = [t.period for t in series]
    years = break_years(series[0].pair)
    exports = [float(t.exports_usd or 0.0) for t in series]
    em = (energy_model(energy, series[0].period_kind, known, years) if energy and energy[-1].period == periods[-1]
          else None)
    if em is not None:
        by = {p.period: p.value_usd for p in energy}
        ip = [t.period for t in series if t.period in by]
        other = [float(t.imports_usd or 0.0) - by[t.period] for t in series if t.period in by]
        imp = series_model("other_imports", ip, other, horizon, years)
    else:
        imp = series_model("imports", periods, [float(t.imports_usd or 0.0) for t in series], horizon, years)
    exp = series_model("exports", periods, exports, horizon, years)
    res = [_named_residuals(exp), _named_residuals(imp)]
    names = ["exports", imp.component]
    if em is not None:
        res.append(em.volume_changes)
        names.append("energy_imports")
    return Components(exp, imp, em, tuple(res), tuple(names))


def _named_residuals(m: SeriesModel, name: str | None = None) -> dict[str, float]:
    f = m.fitted(name or m.ranking[0][0])
    return {m.periods[i]: v for i, v in residuals(f, np.log(m.levels), m.pulses).items()}


def model_list(c: Components) -> list[tuple[str, Any]]:
    """The fitted model of each component, in the order of ``c.names`` (each series with its best-ranked model)."""
    out: list[tuple[str, Any]] = [("exports", c.exports.fitted(c.exports.ranking[0][0])),
                                  (c.imports.component, c.imports.fitted(c.imports.ranking[0][0]))]
    if c.energy is not None:
        out.append(("energy_imports", c.energy))
    return out
