"""Rolling-origin evaluation of the forecasting models on a yearly series.

For every origin (the last year a model may see) from ``min_train`` points on, each model is
fitted to the history up to the origin and forecasts 1 … ``horizon`` years ahead; each forecast
whose year is in the data is scored:

- APE = |actual − forecast| / actual (the point forecast is the median);
- scaled error = |actual − forecast| / (mean |Δ actual| over the training years): averaged, MASE;
  below 1 the model beats the in-sample one-step no-change forecast;
- whether the actual fell inside the 80% and the 95% interval (empirical coverage).

Rows aggregate per (model, horizon) over a subset of the forecasts: ``all`` of them, or ``no_break``,
those that do not cross a break year (no model here foresees a regime change). The naive no-change
forecast is always evaluated alongside.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from bilateral.models.forecast import CANDIDATES, Z80, Z95, Fitted, ModelName, fit

DEFAULT_HORIZON = 5
DEFAULT_MIN_TRAIN = 5
Subset = Literal["all", "no_break"]
SUBSETS: tuple[Subset, ...] = ("all", "no_break")
SUBSET_TITLES: dict[str, str] = {"all": "all", "no_break": "not across a break"}


@dataclass(frozen=True)
class Scored:
    """One forecast of the backtest, with its outcome."""

    model: str
    origin: str
    period: str
    horizon: int
    actual: float
    forecast: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float
    scale: float  # mean |Δ| of the training levels
    crosses_break: bool = False  # a break year lies after the origin, up to the forecast year

    @property
    def ape(self) -> float:
        return abs(self.actual - self.forecast) / abs(self.actual)

    @property
    def scaled_error(self) -> float:
        return abs(self.actual - self.forecast) / self.scale if self.scale > 0 else math.nan

    @property
    def in80(self) -> bool:
        return self.lo80 <= self.actual <= self.hi80

    @property
    def in95(self) -> bool:
        return self.lo95 <= self.actual <= self.hi95


@dataclass(frozen=True)
class BacktestRow:
    """Scores of one model at one horizon over every origin that allowed it."""

    series: str
    model: str
    horizon: int
    forecasts: int  # the forecasts of the subset scored at this horizon
    subset: Subset  # 'all' forecasts, or 'no_break': only those that do not cross a break year
    mape: float
    mase: float
    coverage80: float
    coverage95: float
    mape_naive: float

    def to_dict(self) -> dict[str, Any]:
        """The row as a flat mapping."""
        return asdict(self)


Predictor = Callable[[int, int], tuple[float, float, float, float, float]]
"""(origin index, horizon) → (median, lo80, hi80, lo95, hi95) in levels."""


def model_predictor(levels: Sequence[float], name: ModelName, pulses: Sequence[int] = ()) -> Predictor:
    """A predictor that refits ``name`` on levels[: origin + 1] (logs) at each origin."""
    y = np.log(np.asarray(levels, dtype=float))
    cache: dict[int, Fitted] = {}

    def predict(origin: int, h: int) -> tuple[float, float, float, float, float]:
        if origin not in cache:
            cache[origin] = fit(name, y[: origin + 1], [p for p in pulses if p <= origin])
        mu, sd = cache[origin].predict(h)
        return (math.exp(mu), math.exp(mu - Z80 * sd), math.exp(mu + Z80 * sd),
                math.exp(mu - Z95 * sd), math.exp(mu + Z95 * sd))

    return predict


def score(levels: Sequence[float], periods: Sequence[str], model: str, predict: Predictor, *,
          horizon: int = DEFAULT_HORIZON, min_train: int = DEFAULT_MIN_TRAIN,
          first_origin: int = 0, breaks: Sequence[int] = ()) -> list[Scored]:
    """Every forecast of the rolling-origin backtest of one predictor.

    ``breaks``: indexes of break years; a forecast from before a break to a year at or after it is
    flagged ``crosses_break`` (no model here can foresee a regime change).
    """
    vals = [float(v) for v in levels]
    out = []
    for origin in range(max(min_train - 1, first_origin), len(vals) - 1):
        train = vals[: origin + 1]
        scale = _mean([abs(b - a) for a, b in zip(train, train[1:], strict=False)])
        for h in range(1, horizon + 1):
            if origin + h >= len(vals):
                break
            med, lo80, hi80, lo95, hi95 = predict(origin, h)
            out.append(Scored(model, periods[origin], periods[origin + h], h, vals[origin + h], med, lo80, hi80,
                              lo95, hi95, scale, any(origin < b <= origin + h for b in breaks)))
    return out


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def aggregate(series: str, scored: Sequence[Scored], naive: Sequence[Scored],
              subset: Subset = "all") -> list[BacktestRow]:
    """Per-horizon MAPE, MASE and coverage of ``scored``, beside the naive forecast's MAPE.

    ``subset`` 'no_break': only the forecasts that do not cross a break year.
    """
    rows = []
    keep = [s for s in scored if subset == "all" or not s.crosses_break]
    keep_naive = [s for s in naive if subset == "all" or not s.crosses_break]
    for h in sorted({s.horizon for s in keep}):
        at = [s for s in keep if s.horizon == h]
        nv = [s for s in keep_naive if s.horizon == h]
        scaled = [s.scaled_error for s in at if not math.isnan(s.scaled_error)]
        rows.append(BacktestRow(
            series, at[0].model, h, len(at), subset,
            _mean([s.ape for s in at]), _mean(scaled), _mean([float(s.in80) for s in at]),
            _mean([float(s.in95) for s in at]), _mean([s.ape for s in nv])))
    return rows


def run(series: str, levels: Sequence[float], periods: Sequence[str], *, pulses: Sequence[int] = (),
        models: Sequence[ModelName] = CANDIDATES, horizon: int = DEFAULT_HORIZON,
        min_train: int = DEFAULT_MIN_TRAIN) -> list[BacktestRow]:
    """The backtest table of ``models`` (and the naive benchmark) on one series.

    Twice: over every forecast (subset 'all'), and over the forecasts that do not cross a break year
    (``pulses``; subset 'no_break').
    """
    naive = score(levels, periods, "naive", model_predictor(levels, "naive"), horizon=horizon, min_train=min_train,
                  breaks=pulses)
    scored = [naive] + [score(levels, periods, m, model_predictor(levels, m, pulses), horizon=horizon,
                              min_train=min_train, breaks=pulses) for m in models if m != "naive"]
    return [r for subset in SUBSETS for sc in scored for r in aggregate(series, sc, naive, subset)]


def ranking(rows: Sequence[BacktestRow], horizon: int, subset: Subset = "no_break") -> list[tuple[str, float]]:
    """Models (the naive no-change model included) by mean MASE over horizons 1 … ``horizon``, best first.

    By default on the forecasts that do not cross a break: a one-off regime change says nothing
    about which model tracks the series.
    """
    by: dict[str, list[float]] = {}
    for r in rows:
        if r.horizon <= horizon and r.subset == subset and not math.isnan(r.mase):
            by.setdefault(r.model, []).append(r.mase)
    return sorted(((m, float(np.mean(v))) for m, v in by.items()), key=lambda t: (t[1], t[0]))


def overall(rows: Sequence[BacktestRow], model: str, horizon: int, subset: Subset = "all") -> dict[str, float]:
    """Coverage and errors of one model pooled over horizons 1 … ``horizon`` (weighted by forecasts)."""
    at = [r for r in rows if r.model == model and r.horizon <= horizon and r.subset == subset]
    n = sum(r.forecasts for r in at)
    if n == 0:
        return {"forecasts": 0, "coverage80": math.nan, "coverage95": math.nan, "mape": math.nan, "mase": math.nan}
    return {"forecasts": n,
            "coverage80": sum(r.coverage80 * r.forecasts for r in at) / n,
            "coverage95": sum(r.coverage95 * r.forecasts for r in at) / n,
            "mape": sum(r.mape * r.forecasts for r in at) / n,
            "mase": sum(r.mase * r.forecasts for r in at) / n}
