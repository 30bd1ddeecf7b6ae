"""The shipped component method's rolling-origin backtest, and the backtest table of every candidate."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from bilateral.harmonise.pairs import Pair
from bilateral.harmonise.periods import Period, parse_period
from bilateral.models import backtest as bt
from bilateral.models.target.data import break_indexes, break_years, brent_average
from bilateral.models.target.models import MAX_HORIZON, _correlation, _model_list, build_components
from bilateral.models.target.results import BacktestSummary
from bilateral.models.target.simulation import DEFAULT_SEED, _sum, simulate
from bilateral.store.db import Store
from bilateral.store.queries import EnergyPoint, PeriodTotals, energy_history, period_totals

BACKTEST_SIMULATIONS = 2_000  # per origin, for the component method's backtest


def component_backtest(series: Sequence[PeriodTotals], energy: Sequence[EnergyPoint], seed: int,
                       min_train: int = bt.DEFAULT_MIN_TRAIN) -> tuple[BacktestSummary | None, list[bt.BacktestRow]]:
    """Rolling-origin backtest of the shipped method on total trade, 1 … 5 years ahead.

    At each origin the components are rebuilt from the data up to it (models re-chosen by their own
    backtest on that history), the oil price is held at the origin year's average (what a
    forecaster knew then) and the total's 80%/95% intervals come from the joint simulation. Before
    the first year with an HS 27 figure, imports are one component. Returns the summary and the
    per-horizon rows (all forecasts, then those not crossing a break), beside the naive forecast.
    """
    periods = [t.period for t in series]
    totals = [float(t.total_usd or 0.0) for t in series]
    breaks = break_indexes(periods, break_years(series[0].pair))
    scored: list[bt.Scored] = []
    for origin in range(min_train - 1, len(series) - 1):
        hist = list(series[: origin + 1])
        en = [p for p in energy if parse_period(p.period) <= parse_period(periods[origin])]
        c = build_components(hist, en, MAX_HORIZON)
        horizon = min(MAX_HORIZON, len(series) - 1 - origin)
        price = brent_average(periods[origin]) or (c.energy.base_price if c.energy else 1.0)
        corr, _ = _correlation(c.residuals, c.names)
        draws = simulate(_model_list(c, c.exports.ranking[0][0], c.imports.ranking[0][0]), corr,
                         [price] * horizon, horizon, BACKTEST_SIMULATIONS, seed + origin)
        qs = np.quantile(_sum(draws), [0.5, 0.1, 0.9, 0.025, 0.975], axis=0)
        scale = float(np.mean(np.abs(np.diff(totals[: origin + 1]))))
        for h in range(1, horizon + 1):
            med, lo80, hi80, lo95, hi95 = (float(q) for q in qs[:, h - 1])
            scored.append(bt.Scored("components", periods[origin], periods[origin + h], h, totals[origin + h],
                                    med, lo80, hi80, lo95, hi95, scale, any(origin < b <= origin + h for b in breaks)))
    if not scored:
        return None, []
    naive = bt.score(totals, periods, "naive", bt.model_predictor(totals, "naive"), horizon=MAX_HORIZON,
                     min_train=min_train, breaks=breaks)
    rows = [r for across in (True, False) for r in bt.aggregate("total", scored, naive, across)]
    nb = [s for s in scored if not s.crosses_break]
    method = ("components recombined (exports + energy imports + other imports)" if energy else
              "components recombined (exports + imports)")
    return BacktestSummary(
        method, len(scored),
        float(np.mean([s.in80 for s in scored])), float(np.mean([s.in95 for s in scored])),
        float(np.mean([s.ape for s in scored])), len(nb),
        float(np.mean([s.in80 for s in nb])) if nb else math.nan,
        float(np.mean([s.in95 for s in nb])) if nb else math.nan,
        scored[0].origin, scored[-1].origin), rows


# -- the backtest table ---------------------------------------------------------------------------
@dataclass(frozen=True)
class BacktestResult:
    pair: str
    rows: tuple[bt.BacktestRow, ...]
    shipped: BacktestSummary | None
    chosen: dict[str, str]
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def records(self) -> list[dict[str, Any]]:
        return [{"pair": self.pair, **r.to_dict()} for r in self.rows]


def backtest_table(store: Store, pair: Pair, *, base: str | None = None, seed: int = DEFAULT_SEED) -> BacktestResult:
    """The rolling-origin backtest of every candidate on the total and each component, and of the shipped method."""
    everything, base_year = period_totals(store, pair, base)
    base_p = parse_period(base_year.period)
    hist = [t for t in everything if parse_period(t.period) <= base_p]
    periods = [t.period for t in hist]
    years = break_years(pair.label)
    pulses = break_indexes(periods, years)
    rows: list[bt.BacktestRow] = []
    rows += bt.run("total", [float(t.total_usd or 0.0) for t in hist], periods, pulses=pulses, horizon=MAX_HORIZON)
    energy = [p for p in energy_history(store, pair, hist)]
    comps = build_components(hist, energy, MAX_HORIZON)
    for sm in (comps.exports, comps.imports):
        rows += bt.run(sm.component, sm.levels, sm.periods, pulses=sm.pulses, horizon=MAX_HORIZON,
                       min_train=min(bt.DEFAULT_MIN_TRAIN, max(len(sm.levels) - 2, 2)))
    shipped, shipped_rows = component_backtest(hist, energy, seed)
    rows += shipped_rows
    labels = ", ".join(Period(base_p.kind, y).label for y in years) or "none on file"
    notes = (
        "MAPE: mean absolute percentage error of the median; MASE: mean absolute error over the in-sample "
        "mean absolute year-on-year change (below 1 beats it); coverage: share of actuals inside the interval.",
        f"'across break' yes: every forecast; no: forecasts that do not cross a break year ({labels}).",
        "Models are chosen on the forecasts that do not cross the break: no model here foresees a regime change.",
    )
    return BacktestResult(pair.label, tuple(rows), shipped,
                          {"exports": comps.exports.ranking[0][0], comps.imports.component: comps.imports.ranking[0][0]},
                          notes)
