"""The rolling-origin backtest that calibrates, scores and chooses the forecast of total trade.

At every origin (the last year a forecaster may see) each candidate (the series models on total
trade and the component method) is refitted to the data up to it, with Brent as known at the
origin's end (:func:`.data.brent_known_at`; the price path held at the average of the 12 months to
the origin's end, the rule the tracker uses by default), and forecasts 1 … 5 years ahead under each
scheme of :mod:`.calibration`. The ``empirical`` scheme recalibrates with the PITs of the same
model's Gaussian forecasts whose year had come in by the origin — never with an outcome that comes
later. Origins from the third year on supply those earlier outcomes; forecasts are scored from the
fifth year on (as in the candidates' own backtest), so the calibration of the first scored origins
rests on a few outcomes, or on none and then stays Gaussian.

Scores: the weighted interval score (on logs) and the coverage of the 80% and 95% intervals, with
binomial (Wilson) uncertainty, over all forecasts and over those that do not cross a break year on
file. Each model keeps its best scheme; the model is chosen, and its competitors are named, on the
forecasts that do not cross a break: no model here foresees a regime change.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from bilateral.harmonise.pairs import Pair
from bilateral.harmonise.periods import Period, parse_period
from bilateral.models import backtest as bt
from bilateral.models.forecast import CARRIES_BREAKS
from bilateral.models.target.calibration import (
    LEVELS,
    MIN_PITS,
    QUANTILES,
    SCHEMES,
    Recalibration,
    Scheme,
    Share,
    mean,
    pit,
    weighted_interval_score,
    wilson,
)
from bilateral.models.target.data import break_indexes, break_years, brent_known_at, price_path
from bilateral.models.target.models import MAX_HORIZON, build_components
from bilateral.models.target.simulation import COMPONENTS, DEFAULT_SEED, MODEL_TITLES, MODELS, Draws, candidate_draws
from bilateral.store.db import Store
from bilateral.store.queries import EnergyPoint, PeriodTotals, energy_history, period_totals

BACKTEST_SIMULATIONS = 2_000  # paths per origin, model and scheme
CALIBRATION_FIRST_ORIGIN = 2  # index of the first origin (the third year): earlier outcomes for the calibration
FIRST_SCORED_ORIGIN = bt.DEFAULT_MIN_TRAIN - 1  # index of the first scored origin (the fifth year)
COMPETITIVE_SE = 2.0  # competitive: not worse than the chosen model by more than 2 standard errors of the difference
ROLLING_CACHE = 16  # backtests kept per process
CURRENT = (COMPONENTS, "gaussian")  # the method and intervals shipped before issue #21


@dataclass(frozen=True)
class Outcome:
    """One forecast of the backtest (levels in US$) with its outcome."""

    model: str
    scheme: Scheme
    origin: str
    origin_index: int
    period: str
    horizon: int
    actual: float
    median: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float
    pit: float  # the share of the forecast distribution below the actual
    crosses_break: bool  # a break year lies after the origin, up to the forecast year
    scored: bool  # False: an origin before the fifth year, kept only as an earlier outcome for calibration
    calibrated_on: int  # earlier outcomes behind an 'empirical' recalibration (0: none)
    scale: float  # mean |Δ| of the training totals (for MASE)

    @property
    def in80(self) -> bool:
        """The actual fell inside the 80% interval."""
        return self.lo80 <= self.actual <= self.hi80

    @property
    def in95(self) -> bool:
        """The actual fell inside the 95% interval."""
        return self.lo95 <= self.actual <= self.hi95

    @property
    def wis(self) -> float:
        """The weighted interval score on logs (lower is better)."""
        return weighted_interval_score(*(math.log(v) for v in (self.median, self.lo80, self.hi80, self.lo95,
                                                               self.hi95, self.actual)))

    def as_scored(self) -> bt.Scored:
        """The same forecast in the candidates' backtest's terms (for MAPE/MASE rows by horizon)."""
        return bt.Scored(f"{self.model} ({self.scheme})", self.origin, self.period, self.horizon, self.actual,
                         self.median, self.lo80, self.hi80, self.lo95, self.hi95, self.scale, self.crosses_break)


def earlier_pits(outcomes: Sequence[Outcome], model: str, origin_index: int) -> list[float]:
    """PITs of ``model``'s Gaussian forecasts whose year had come in by ``origin_index``, none across a break."""
    return [o.pit for o in outcomes if o.model == model and o.scheme == "gaussian" and not o.crosses_break
            and o.origin_index + o.horizon <= origin_index]


def recalibration(outcomes: Sequence[Outcome], model: str, origin_index: int) -> Recalibration | None:
    """The recalibration of ``model`` at an origin, or None with fewer than MIN_PITS earlier outcomes."""
    pits = earlier_pits(outcomes, model, origin_index)
    return Recalibration(tuple(pits)) if len(pits) >= MIN_PITS else None


def rolling_origin(series: Sequence[PeriodTotals], energy: Sequence[EnergyPoint], seed: int,
                   models: Sequence[str] = MODELS) -> list[Outcome]:
    """Every forecast of every candidate and scheme, origins from the third year to the year before the last.

    Kept for the process (keyed on the series, the energy points, the seed and the models), so the
    dashboard and repeated calls with another target or price path do not rerun it.
    """
    return list(_rolling_origin(tuple(series), tuple(energy), seed, tuple(models)))


@lru_cache(maxsize=ROLLING_CACHE)
def _rolling_origin(series: tuple[PeriodTotals, ...], energy: tuple[EnergyPoint, ...], seed: int,
                    models: tuple[str, ...]) -> tuple[Outcome, ...]:
    periods = [t.period for t in series]
    totals = [float(t.total_usd or 0.0) for t in series]
    logs = np.log(totals)
    pulses_all = break_indexes(periods, break_years(series[0].pair))
    out: list[Outcome] = []
    for o in range(CALIBRATION_FIRST_ORIGIN, len(series) - 1):
        horizon = min(MAX_HORIZON, len(series) - 1 - o)
        known = brent_known_at(periods[o])
        pulses = [p for p in pulses_all if p <= o]
        comps = None
        prices: tuple[float, ...] = ()
        if COMPONENTS in models:
            cut = parse_period(periods[o])
            comps = build_components(series[: o + 1], [p for p in energy if parse_period(p.period) <= cut],
                                     MAX_HORIZON, known)
            if comps.energy is not None:
                prices = price_path("base", known, periods[o], MAX_HORIZON).usd
        scale = float(np.mean(np.abs(np.diff(totals[: o + 1]))))
        for m in models:
            drawn: dict[str, Draws] = {}
            for scheme in SCHEMES:
                if scheme == "empirical":  # the Gaussian draws, recalibrated (the same paths: no second draw)
                    rc = recalibration(out, m, o)
                    g = drawn["gaussian"]
                    d = Draws(m, scheme, rc.apply(g.log_total), rc.n) if rc else Draws(m, scheme, g.log_total)
                else:
                    # always MAX_HORIZON years drawn: an origin's draws do not depend on how many years follow it
                    d = candidate_draws(m, scheme, log_totals=logs[: o + 1], pulses=pulses, components=comps,
                                        prices=prices, horizon=MAX_HORIZON, sims=BACKTEST_SIMULATIONS, seed=seed + o)
                drawn[scheme] = d
                qs = np.exp(np.quantile(d.log_total, QUANTILES, axis=0))
                for h in range(1, horizon + 1):
                    med, lo80, hi80, lo95, hi95 = (float(q) for q in qs[:, h - 1])
                    out.append(Outcome(m, scheme, periods[o], o, periods[o + h], h, totals[o + h], med, lo80, hi80,
                                       lo95, hi95, pit(d.log_total[:, h - 1], float(logs[o + h])),
                                       any(o < b <= o + h for b in pulses_all), o >= FIRST_SCORED_ORIGIN,
                                       d.calibrated_on, scale))
    return tuple(out)


@dataclass(frozen=True)
class SchemeScore:
    """How one candidate under one scheme did over the scored forecasts (all, and those not across a break)."""

    model: str
    scheme: Scheme
    forecasts: int
    wis: float
    coverage80: Share
    coverage95: Share
    mape: float
    forecasts_no_break: int
    wis_no_break: float
    coverage80_no_break: Share
    coverage95_no_break: Share


def score(outcomes: Sequence[Outcome]) -> list[SchemeScore]:
    """Scores per (model, scheme) over the scored forecasts."""
    out = []
    for m in dict.fromkeys(o.model for o in outcomes):
        for s in SCHEMES:
            at = [o for o in outcomes if o.model == m and o.scheme == s and o.scored]
            if not at:
                continue
            nb = [o for o in at if not o.crosses_break]
            out.append(SchemeScore(
                m, s, len(at), mean([o.wis for o in at]), wilson(sum(o.in80 for o in at), len(at)),
                wilson(sum(o.in95 for o in at), len(at)), mean([abs(o.actual - o.median) / o.actual for o in at]),
                len(nb), mean([o.wis for o in nb]), wilson(sum(o.in80 for o in nb), len(nb)),
                wilson(sum(o.in95 for o in nb), len(nb))))
    return out


@dataclass(frozen=True)
class Choice:
    """The model chosen, each model's best scheme, the competitive set and the models left out of it (why)."""

    model: str
    scheme: Scheme
    best_scheme: dict[str, Scheme]
    competitive: tuple[str, ...]
    excluded: dict[str, str] = field(default_factory=dict)  # model → reason
    criterion: str = ""


def criterion(s: SchemeScore) -> float:
    """The score the choice minimises: the mean WIS over the forecasts not across a break (all, where none is)."""
    return s.wis_no_break if s.forecasts_no_break else s.wis


def calibrated(s: SchemeScore) -> bool:
    """Both intervals cover what they claim: 80% and 95% inside the Wilson intervals of their coverage.

    On the forecasts not across a break (all, where none is), the set the intervals claim to hold for.
    """
    c80, c95 = (s.coverage80_no_break, s.coverage95_no_break) if s.forecasts_no_break else (s.coverage80, s.coverage95)
    return c80.low <= LEVELS[0] <= c80.high and c95.low <= LEVELS[1] <= c95.high


def _rank(s: SchemeScore) -> tuple[bool, float, str, str]:
    return (not calibrated(s), criterion(s), s.model, s.scheme)


def paired_difference(outcomes: Sequence[Outcome], a: tuple[str, str], b: tuple[str, str]) -> tuple[float, float, int]:
    """Mean WIS of ``a`` less ``b`` over their common scored forecasts not across a break, with its standard error.

    A Diebold–Mariano comparison with the forecasts of one origin grouped (they share its
    surprise); also returns the number of origins.
    """
    def by_key(ms: tuple[str, str]) -> dict[tuple[int, int], float]:
        return {(o.origin_index, o.horizon): o.wis for o in outcomes
                if (o.model, o.scheme) == ms and o.scored and not o.crosses_break}

    wa, wb = by_key(a), by_key(b)
    per_origin: dict[int, list[float]] = {}
    for k in sorted(set(wa) & set(wb)):
        per_origin.setdefault(k[0], []).append(wa[k] - wb[k])
    d = np.array([np.mean(v) for v in per_origin.values()])
    if len(d) < 2:
        return (float(d.mean()) if len(d) else math.nan), math.nan, len(d)
    return float(d.mean()), float(d.std(ddof=1) / math.sqrt(len(d))), len(d)


def choose(scores: Sequence[SchemeScore], outcomes: Sequence[Outcome], carries_break: bool) -> Choice:
    """Each model's best scheme, the model chosen and its competitive set.

    Sharpness subject to calibration (Gneiting, Balabdaoui & Raftery 2007): among the (model,
    scheme) pairs whose intervals cover what they claim (:func:`calibrated`), the lowest score;
    without any, the lowest score. ``carries_break``: the history holds a break year on file, so
    models that would carry its jump forward as growth (``forecast.CARRIES_BREAKS``) are shown but
    neither chosen nor in the range. Competitive: the models (each with its best scheme) whose mean
    score is not worse than the chosen one's by more than COMPETITIVE_SE standard errors of the
    paired difference.
    """
    best: dict[str, SchemeScore] = {}
    for s in scores:
        if math.isnan(criterion(s)):
            continue
        if s.model not in best or _rank(s) < _rank(best[s.model]):
            best[s.model] = s
    excluded = ({m: "carries the break forward as growth" for m in best if m in CARRIES_BREAKS}
                if carries_break else {})
    eligible = sorted((s for m, s in best.items() if m not in excluded), key=_rank)
    top = eligible[0]
    competitive = [top.model]
    for s in eligible[1:]:
        diff, se, _ = paired_difference(outcomes, (s.model, s.scheme), (top.model, top.scheme))
        if math.isnan(se) or diff <= COMPETITIVE_SE * se:
            competitive.append(s.model)
        else:
            excluded[s.model] = f"WIS worse by {diff:.3f}, over {COMPETITIVE_SE:g} s.e. ({se:.3f})"
    how = ("the lowest mean weighted interval score (logs; the median and the 80% and 95% intervals) over the "
           "backtest's forecasts that do not cross a break year, among the candidates whose intervals cover what they "
           "claim there" if calibrated(top) else
           "the lowest mean weighted interval score over the backtest's forecasts that do not cross a break year (no "
           "candidate's intervals covered what they claim)")
    return Choice(top.model, top.scheme, {m: s.scheme for m, s in best.items()}, tuple(competitive), excluded, how)


# -- the backtest table (`bilateral target --backtest`) ----------------------------------------------
@dataclass(frozen=True)
class BacktestResult:
    """The rolling-origin backtest: every candidate on each series, the calibrated comparison, the shipped method."""

    pair: str
    rows: tuple[bt.BacktestRow, ...]
    scores: tuple[SchemeScore, ...]
    chosen: dict[str, str]  # 'total': 'model (scheme)'; each component series: its model
    shipped: Any  # results.BacktestSummary | None
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON shape."""
        return asdict(self)

    def records(self) -> list[dict[str, Any]]:
        """One row per (series, model, horizon, subset) for CSV/Parquet."""
        return [{"pair": self.pair, **r.to_dict()} for r in self.rows]


def summary_of(outcomes: Sequence[Outcome], choice: Choice, scores: Sequence[SchemeScore]) -> Any:
    """The shipped method's backtest summary (coverage with binomial uncertainty, and every score beside it)."""
    from bilateral.models.target.results import BacktestSummary

    at = [o for o in outcomes if o.model == choice.model and o.scheme == choice.scheme and o.scored]
    if not at:
        return None
    mine = next(s for s in scores if s.model == choice.model and s.scheme == choice.scheme)
    current = next((s for s in scores if (s.model, s.scheme) == CURRENT), None)
    return BacktestSummary(
        method=f"{MODEL_TITLES[choice.model]}; intervals: {choice.scheme}", model=choice.model, scheme=choice.scheme,
        forecasts=mine.forecasts, coverage80=mine.coverage80, coverage95=mine.coverage95, mape=mine.mape,
        wis=mine.wis, forecasts_no_break=mine.forecasts_no_break, coverage80_no_break=mine.coverage80_no_break,
        coverage95_no_break=mine.coverage95_no_break, wis_no_break=mine.wis_no_break,
        first_origin=at[0].origin, last_origin=at[-1].origin, current=current, scores=tuple(scores),
        choice=choice.criterion)


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
    energy = energy_history(store, pair, hist)
    comps = build_components(hist, energy, MAX_HORIZON, brent_known_at(base_year.period))
    for sm in (comps.exports, comps.imports):
        rows += bt.run(sm.component, sm.levels, sm.periods, pulses=sm.pulses, horizon=MAX_HORIZON,
                       min_train=min(bt.DEFAULT_MIN_TRAIN, max(len(sm.levels) - 2, 2)))
    outcomes = rolling_origin(hist, energy, seed)
    scores = score(outcomes)
    shipped = None
    chosen = {"exports": comps.exports.ranking[0][0], comps.imports.component: comps.imports.ranking[0][0]}
    if scores:
        choice = choose(scores, outcomes, bool(pulses))
        shipped = summary_of(outcomes, choice, scores)
        chosen = {"total": f"{choice.model} ({choice.scheme})", **chosen}
        at = [o.as_scored() for o in outcomes if o.model == choice.model and o.scheme == choice.scheme and o.scored]
        totals = [float(t.total_usd or 0.0) for t in hist]
        naive = bt.score(totals, periods, "naive", bt.model_predictor(totals, "naive"), horizon=MAX_HORIZON,
                         breaks=pulses)
        rows += [r for subset in bt.SUBSETS for r in bt.aggregate("total (shipped)", at, naive, subset)]
    labels = ", ".join(Period(base_p.kind, y).label for y in years) or "none on file"
    notes = (
        "MAPE: mean absolute percentage error of the median; MASE: mean absolute error over the in-sample "
        "mean absolute year-on-year change (below 1 beats it); coverage: share of actuals inside the interval; "
        "WIS: weighted interval score on logs (lower is better).",
        f"Forecasts 'not across a break': those that do not cross a break year on file ({labels}).",
        "Component series models are chosen by MASE on the forecasts not across a break; the forecast of the total "
        "(model and interval scheme) by WIS on them: no model here foresees a regime change.",
        "Coverage shares carry 95% Wilson intervals as if the forecasts were independent; forecasts from one "
        "origin share its surprise, so the true uncertainty is wider.",
    )
    return BacktestResult(pair.label, tuple(rows), tuple(scores), chosen, shipped, notes)
