"""The target tracker: is the partnership on track for its trade target.

- required CAGR from a base year (default: the latest, provisional or not) to the target year,
  against achieved CAGR over 3 and 5 years, and how the required pace changed year by year;
- a forecast of total trade BY COMPONENT: exports, energy imports (HS 27) and other imports.
  Energy imports are volume × price: the Brent price path is a named scenario input (EIA data
  shipped in ``models/data``) with Brent's own year-to-year volatility around it; the implied
  volume is a random walk without drift, so the 2022 jump is not extrapolated. Exports and other
  imports each take the candidate model with the lowest backtest error
  (:mod:`bilateral.models.forecast`, :mod:`bilateral.models.backtest`). The components are drawn
  jointly with the correlation of their one-step residuals and summed;
- the probability of reaching the target, with the range across the top models (model choice);
- what share of the reporter's total trade the 95% upper bound implies (plausibility);
- the later actual figures beside an older base's forecast;
- scenarios from YAML (Brent path, energy volume, other imports, exports by sector) and the gap
  to the target split by component.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from importlib import resources
from itertools import product
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml

from bilateral.errors import BilateralError
from bilateral.harmonise.pairs import Pair
from bilateral.harmonise.periods import Period, parse_period
from bilateral.harmonise.sectors import titles as sector_titles
from bilateral.models import backtest as bt
from bilateral.models.forecast import CANDIDATES, DESCRIPTIONS, Z80, Z95, Fitted, fit, residuals
from bilateral.store.db import Store
from bilateral.store.queries import EnergyPoint, PeriodTotals, energy_history, period_totals, reporter_totals

DEFAULT_SEED = 20251205  # the summit's date
SIMULATIONS = 20_000
ALT_SIMULATIONS = 10_000  # per alternative model combination (model-choice range)
BACKTEST_SIMULATIONS = 2_000  # per origin, for the component method's backtest
TOP_MODELS = 2  # the model-choice range spans the best this many models of each component
MIN_RECENT_CHANGES = 2  # post-break energy volume changes needed for the 'recent volatility' variant
MIN_CORRELATION_POINTS = 5  # fewer common years and components are drawn independently
MAX_HORIZON = 5  # backtest horizons 1 … 5 years
MIN_HISTORY = 5  # years up to the base the forecast needs (the backtest's first origin is the fifth year)
P_DIGITS = 2  # probabilities in JSON/CSV: whole percent
PACE_YEARS = 4  # without a break on file, the pace table starts this many years before the base
SECTOR_DETAIL_LEVEL = 8  # exports are split by sector with the shares of HS8 detail
PRICE_HOLD_MONTHS = 12  # default price path: the average of the last 12 months, held flat
Component = Literal["exports", "energy_imports", "other_imports"]
COMPONENT_TITLES: dict[str, str] = {"exports": "Exports", "energy_imports": "Energy imports (HS 27)",
                                    "other_imports": "Other imports", "imports": "Imports"}


def required_cagr(base_usd: float, target_usd: float, years: int) -> float:
    """Growth a year needed to go from ``base_usd`` to ``target_usd`` in ``years`` years."""
    if years <= 0:
        raise BilateralError("the target year must come after the base year")
    if base_usd <= 0:
        raise BilateralError("the base value must be positive")
    if target_usd <= 0:
        raise BilateralError(f"the target must be positive (got US${target_usd:,.0f}); set it with --target-usd")
    return float((target_usd / base_usd) ** (1.0 / years) - 1.0)


def required_cagr_or_none(base_usd: float, target_usd: float, years: int) -> float | None:
    """As :func:`required_cagr`, or None where one flow alone cannot close the gap (it would have to turn negative)."""
    if base_usd <= 0 or target_usd <= 0 or years <= 0:
        return None
    return required_cagr(base_usd, target_usd, years)


def cagr(start: float, end: float, years: int) -> float | None:
    return (end / start) ** (1 / years) - 1 if start > 0 and years > 0 else None


# -- structural breaks ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Break:
    """A year (the calendar year a period starts in) whose change is a one-off level shift for a pair."""

    pair: str
    year: int
    reason: str
    source: str


@cache
def breaks() -> tuple[Break, ...]:
    """Every break in ``models/data/breaks.csv`` (pair, year, reason, source)."""
    text = resources.files("bilateral.models").joinpath("data/breaks.csv").read_text(encoding="utf-8")
    out = []
    for line, r in enumerate(csv.DictReader(text.splitlines()), start=2):
        try:
            out.append(Break(r["pair"], int(r["year"]), r["reason"], r["source"]))
        except (KeyError, ValueError, TypeError):
            raise BilateralError(f"bilateral/models/data/breaks.csv, line {line}: needs pair, year (a number), "
                                 "reason, source") from None
    return tuple(out)


def break_years(pair: str) -> tuple[int, ...]:
    """The break years of a pair (e.g. IND-RUS: 2022 and 2023, the shift to discounted Russian crude)."""
    return tuple(sorted(b.year for b in breaks() if b.pair == pair))


# -- the oil price --------------------------------------------------------------------------------
@cache
def brent_monthly() -> dict[str, float]:
    """Brent spot, US$/bbl, by month ``YYYY-MM`` (EIA RBRTE; see models/data/brent-monthly.md)."""
    text = resources.files("bilateral.models").joinpath("data/brent-monthly.csv").read_text(encoding="utf-8")
    out = {}
    for line, r in enumerate(csv.DictReader(text.splitlines()), start=2):
        try:
            out[r["month"]] = float(r["usd_per_bbl"])
        except (KeyError, ValueError):
            raise BilateralError(f"bilateral/models/data/brent-monthly.csv, line {line}: needs month and a number "
                                 "usd_per_bbl") from None
    return out


def _months(p: Period) -> list[str]:
    if p.kind == "fy":
        return [f"{p.year + (m < 4):04d}-{m:02d}" for m in (*range(4, 13), 1, 2, 3)]
    return [f"{p.year:04d}-{m:02d}" for m in range(1, 13)]


def brent_average(period: str) -> float | None:
    """Average Brent over a fiscal or calendar year; None unless all 12 months are in the data."""
    months = brent_monthly()
    vals = [months.get(m) for m in _months(parse_period(period))]
    return None if any(v is None for v in vals) else float(np.mean(vals))  # type: ignore[arg-type]


def brent_hold() -> tuple[float, str]:
    """The default price path: the average of the last 12 months available, and its description."""
    months = sorted(brent_monthly().items())[-PRICE_HOLD_MONTHS:]
    value = float(np.mean([v for _, v in months]))
    return value, (f"Brent held at US${value:.1f}/bbl, the average of {months[0][0]} to {months[-1][0]} "
                   "(EIA RBRTE)")


@cache
def brent_volatility(kind: str) -> float:
    """Root mean square of year-on-year log changes of yearly average Brent (every full year in the data)."""
    years = sorted({int(m[:4]) for m in brent_monthly()})
    avgs = [a for y in years if (a := brent_average(Period(kind, y).label)) is not None]  # type: ignore[arg-type]
    d = np.diff(np.log(avgs))
    return float(np.sqrt(np.mean(d**2)))


# -- scenarios ------------------------------------------------------------------------------------
SCENARIO_KEYS = {"name", "title", "description", "brent_usd", "energy_volume_growth", "other_imports_growth",
                 "exports_growth"}


@dataclass(frozen=True)
class Scenario:
    """A deterministic path for each component (every number an assumption)."""

    name: str
    title: str
    description: str
    brent_usd: tuple[float, ...]  # per projected year
    energy_volume_growth: float
    other_imports_growth: float
    exports_growth: dict[str, float]  # sector → growth a year; 'default' for the rest

    def growth_for(self, sector: str) -> float:
        return self.exports_growth.get(sector, self.exports_growth.get("default", 0.0))


def price_path(spec: Any, years: int, where: str) -> tuple[float, ...]:
    """``hold`` (the last 12 months' average, flat) or a list of US$/bbl (the last value carried on)."""
    if spec == "hold":
        return (brent_hold()[0],) * years
    if isinstance(spec, list) and spec and all(isinstance(v, int | float) and v > 0 for v in spec):
        return tuple(float(spec[min(t, len(spec) - 1)]) for t in range(years))
    raise BilateralError(f"{where}: brent_usd must be 'hold' or a list of prices in US$/bbl, e.g. [80, 75]")


@dataclass(frozen=True)
class ScenarioFile:
    forecast_brent_usd: tuple[float, ...]
    forecast_brent_note: str
    scenarios: tuple[Scenario, ...]


def load_scenarios(path: Path | None, years: int) -> ScenarioFile:
    """Scenarios and the forecast's price path from YAML (default: the file shipped with bilateral)."""
    if path is None:
        text = resources.files("bilateral.models").joinpath("scenarios/default.yml").read_text(encoding="utf-8")
        where = "bilateral/models/scenarios/default.yml"
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise BilateralError(f"cannot read scenario file {path}: {exc.strerror}") from None
        where = str(path)
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise BilateralError(f"{where}: not valid YAML ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("scenarios"), list):
        raise BilateralError(f"{where}: expected a top-level 'scenarios:' list")
    fspec = doc.get("forecast_brent_usd", "hold")
    fpath = price_path(fspec, years, f"{where}: forecast_brent_usd")
    fnote = brent_hold()[1] if fspec == "hold" else f"Brent path set in {where}: {list(fpath)} US$/bbl"
    known = set(sector_titles()) | {"default"}
    out = []
    for n, s in enumerate(doc["scenarios"], start=1):
        if not isinstance(s, dict):
            raise BilateralError(f"{where}: scenario {n} is not a mapping")
        missing = SCENARIO_KEYS - set(s)
        if missing:
            raise BilateralError(f"{where}: scenario {s.get('name', n)!r} lacks {sorted(missing)}")
        if not isinstance(s["exports_growth"], dict):
            raise BilateralError(f"{where}: scenario {s['name']!r}: exports_growth must map sectors to growth rates")
        bad = set(s["exports_growth"]) - known
        if bad:
            raise BilateralError(f"{where}: scenario {s['name']!r}: unknown sectors {sorted(bad)}; use {sorted(known)}")
        try:
            out.append(Scenario(
                name=str(s["name"]), title=str(s["title"]), description=str(s["description"]).strip(),
                brent_usd=price_path(s["brent_usd"], years, f"{where}: scenario {s['name']!r}"),
                energy_volume_growth=float(s["energy_volume_growth"]),
                other_imports_growth=float(s["other_imports_growth"]),
                exports_growth={str(k): float(v) for k, v in s["exports_growth"].items()}))
        except (TypeError, ValueError):
            raise BilateralError(f"{where}: scenario {s['name']!r}: growth rates must be numbers, e.g. 0.05") from None
    return ScenarioFile(fpath, fnote, tuple(out))


# -- results --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ForecastYear:
    """One forecast year of a component or the total, in US$, with the later actual where known."""

    period: str
    median: float
    mean: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float
    actual: float | None = None
    actual_status: str | None = None
    actual_quantile: float | None = None  # share of the forecast distribution below the actual


@dataclass(frozen=True)
class ComponentForecast:
    component: str
    title: str
    model: str
    model_description: str
    chosen_by: str  # why this model: backtest ranking or a fixed structure
    base_usd: float
    years: tuple[ForecastYear, ...]
    ranking: tuple[tuple[str, float], ...] = ()  # (model, mean MASE) best first
    parameters: dict[str, float] = field(default_factory=dict)
    history: tuple[tuple[str, float, str], ...] = ()  # (period, value, basis)


@dataclass(frozen=True)
class PReach:
    """Probability of reaching the target with the chosen models, and its range across the top models."""

    chosen: float
    low: float
    high: float
    combinations: tuple[tuple[str, float], ...]  # ('exports:drift + other_imports:local_level', p)
    simulations: int
    seed: int


@dataclass(frozen=True)
class Plausibility:
    """What the 95% upper bound implies against the reporter's trade with the world in the base year."""

    upper_total_usd: float
    reporter_total_usd: float | None
    share_of_reporter_total: float | None
    upper_imports_usd: float
    reporter_imports_usd: float | None
    share_of_reporter_imports: float | None
    period: str


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    title: str
    description: str
    years: tuple[dict[str, float | str], ...]  # period, exports, energy, other imports, total, balance
    total_at_target_usd: float
    shortfall_usd: float
    change_by_component_usd: dict[str, float]
    assumptions: dict[str, Any]


@dataclass(frozen=True)
class BacktestSummary:
    """Coverage and errors of the shipped method (components recombined) on the pair's total trade."""

    method: str
    forecasts: int
    coverage80: float
    coverage95: float
    mape: float
    forecasts_no_break: int
    coverage80_no_break: float
    coverage95_no_break: float
    first_origin: str
    last_origin: str


@dataclass(frozen=True)
class TargetResult:
    pair: str
    period_kind: str
    base: dict[str, Any]
    target: dict[str, Any]
    required_cagr: float
    achieved_cagr_3y: float | None
    achieved_cagr_5y: float | None
    pace: tuple[dict[str, Any], ...]
    history: tuple[dict[str, Any], ...]
    later_actuals: tuple[dict[str, Any], ...]
    forecast: tuple[ForecastYear, ...]
    components: tuple[ComponentForecast, ...]
    correlation: dict[str, Any]
    p_reach: PReach
    plausibility: Plausibility
    backtest: BacktestSummary | None
    scenarios: tuple[ScenarioResult, ...]
    gap: dict[str, Any]
    price: dict[str, Any]
    target_path: tuple[dict[str, Any], ...]
    notes: tuple[str, ...]
    source: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON shape; probabilities to whole percent (the simulation and the model choice allow no more)."""
        out = asdict(self)
        pr = out["p_reach"]
        for k in ("chosen", "low", "high"):
            pr[k] = round(pr[k], P_DIGITS)
        pr["combinations"] = [(label, round(p, P_DIGITS)) for label, p in pr["combinations"]]
        return out

    def records(self) -> list[dict[str, Any]]:
        """Flat rows (pair, section, period, measure, value) for CSV/Parquet."""
        out: list[dict[str, Any]] = []

        def add(section: str, period: str, measure: str, value: Any) -> None:
            out.append({"pair": self.pair, "section": section, "period": period, "measure": measure, "value": value})

        b, t = self.base["period"], self.target["period"]
        add("summary", b, "required_cagr", self.required_cagr)
        add("summary", b, "achieved_cagr_3y", self.achieved_cagr_3y)
        add("summary", b, "achieved_cagr_5y", self.achieved_cagr_5y)
        add("summary", t, "p_reach_target", round(self.p_reach.chosen, P_DIGITS))
        add("summary", t, "p_reach_target_low", round(self.p_reach.low, P_DIGITS))
        add("summary", t, "p_reach_target_high", round(self.p_reach.high, P_DIGITS))
        add("summary", t, "upper95_share_of_reporter_total", self.plausibility.share_of_reporter_total)
        for p in self.pace:
            add("pace", p["base"], "required_cagr", p["required_cagr"])
        for section, years in [("forecast:total", self.forecast)] + [(f"forecast:{c.component}", c.years)
                                                                      for c in self.components]:
            for y in years:
                for k in ("median", "mean", "lo80", "hi80", "lo95", "hi95", "actual"):
                    add(section, y.period, k, getattr(y, k))
        for s in self.scenarios:
            for row in s.years:
                for k, v in row.items():
                    if k != "period":
                        add(f"scenario:{s.name}", str(row["period"]), k, v)
        return out


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
    sigma_volume_recent: float | None = None  # from the changes after the break only (a model-choice variant)
    recent_changes: int = 0


def break_indexes(periods: Sequence[str], years: Sequence[int]) -> tuple[int, ...]:
    return tuple(i for i, p in enumerate(periods) if parse_period(p).year in years)


def series_model(component: str, periods: Sequence[str], levels: Sequence[float], horizon: int,
                 years: Sequence[int] = ()) -> SeriesModel:
    """Fit the candidates' backtest on a component and rank them (lowest mean MASE first).

    ``years``: the pair's break years (one-off level shifts).
    """
    pulses = break_indexes(periods, years)
    min_train = min(bt.DEFAULT_MIN_TRAIN, max(len(levels) - 2, 2))
    rows = bt.run(component, levels, periods, pulses=pulses, horizon=min(horizon, MAX_HORIZON), min_train=min_train)
    ranked = bt.ranking(rows, min(horizon, MAX_HORIZON)) or bt.ranking(rows, min(horizon, MAX_HORIZON), True)
    if not ranked:
        ranked = [("drift_break" if pulses else "drift", math.nan)]
    return SeriesModel(component, tuple(periods), tuple(float(v) for v in levels), pulses, tuple(ranked))


def energy_model(points: Sequence[EnergyPoint], kind: str, years: Sequence[int] = ()) -> EnergyModel | None:
    """The energy component from its history; None when the base year's HS 27 figure is unknown."""
    if not points:
        return None
    priced = [(p, brent_average(p.period)) for p in points]
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
    recent = [v for p, v in changes.items() if years and parse_period(p).year > max(years)]
    sigma_recent = float(np.sqrt(np.mean(np.square(recent)))) if len(recent) >= MIN_RECENT_CHANGES else None
    return EnergyModel(last.value_usd, price, sigma_v, brent_volatility(kind), len(changes), changes,
                       sigma_recent, len(recent))


def _correlation(series: Sequence[dict[str, float]], names: Sequence[str]) -> tuple[np.ndarray, dict[str, Any]]:
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


@dataclass(frozen=True)
class Components:
    """Everything the component forecast needs at one origin."""

    exports: SeriesModel
    imports: SeriesModel  # other imports when energy is known, else all imports
    energy: EnergyModel | None
    residuals: tuple[dict[str, float], ...]
    names: tuple[str, ...]


def build_components(series: Sequence[PeriodTotals], energy: Sequence[EnergyPoint], horizon: int) -> Components:
    """The component models fitted on ``series`` (history up to the origin) and its energy points."""
    periods = [t.period for t in series]
    years = break_years(series[0].pair)
    exports = [float(t.exports_usd or 0.0) for t in series]
    em = energy_model(energy, series[0].period_kind, years) if energy and energy[-1].period == periods[-1] else None
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


def _model_list(c: Components, exp_model: str, imp_model: str, energy_recent: bool = False) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = [("exports", c.exports.fitted(exp_model)), (c.imports.component, c.imports.fitted(imp_model))]
    if c.energy is not None:
        em = c.energy
        if energy_recent and em.sigma_volume_recent is not None:
            em = replace(em, sigma_volume=em.sigma_volume_recent, changes=em.recent_changes)
        out.append(("energy_imports", em))
    return out


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


# -- the tracker ----------------------------------------------------------------------------------
def _exports_by_sector(store: Store, pair: Pair, hist: Sequence[PeriodTotals]) -> tuple[dict[str, float], str]:
    """Official base-year exports split by summit sector with the shares of the latest HS8 export detail."""
    from bilateral.store import queries

    base = hist[-1]
    exports = float(base.exports_usd or 0.0)
    for year in reversed(hist):
        d = queries.finest_detail(store, pair.reporter, pair.partner, "export", year.period)
        if d is None or d.level != SECTOR_DETAIL_LEVEL:
            continue
        by_sector = queries.sector_values(store, pair.reporter, pair.partner, "export", [year.period])
        tot = sum(v.get(year.period, 0.0) for v in by_sector.values())
        if tot > 0:
            return ({s: exports * v.get(year.period, 0.0) / tot for s, v in by_sector.items()},
                    f"sector shares of HS{d.level} export detail {year.period}, applied to official exports "
                    f"{base.period}")
    return {"other": exports}, f"no HS{SECTOR_DETAIL_LEVEL} export detail: all exports in one group"


def _scenario(sc: Scenario, exports_by: dict[str, float], energy: float, base_price: float, other: float,
              periods: Sequence[str], target_usd: float) -> ScenarioResult:
    rows: list[dict[str, float | str]] = []
    for t, p in enumerate(periods, start=1):
        x = sum(v * (1 + sc.growth_for(s)) ** t for s, v in exports_by.items())
        e = energy * sc.brent_usd[t - 1] / base_price * (1 + sc.energy_volume_growth) ** t if energy else 0.0
        o = other * (1 + sc.other_imports_growth) ** t
        rows.append({"period": p, "exports_usd": x, "energy_imports_usd": e, "other_imports_usd": o,
                     "total_trade_usd": x + e + o, "balance_usd": x - e - o})
    end = rows[-1]
    change = {"exports": float(end["exports_usd"]) - sum(exports_by.values()),
              "energy_imports": float(end["energy_imports_usd"]) - energy,
              "other_imports": float(end["other_imports_usd"]) - other}
    total = float(end["total_trade_usd"])
    return ScenarioResult(sc.name, sc.title, sc.description, tuple(rows), total, target_usd - total, change,
                          {"brent_usd": list(sc.brent_usd), "energy_volume_growth": sc.energy_volume_growth,
                           "other_imports_growth": sc.other_imports_growth, "exports_growth": sc.exports_growth})


def track(store: Store, pair: Pair, *, target_usd: float, by: str, base: str | None = None,
          scenario_file: Path | None = None, seed: int = DEFAULT_SEED, with_backtest: bool = True) -> TargetResult:
    """Everything `bilateral target` shows (values in US dollars)."""
    everything, base_year = period_totals(store, pair, base)
    kind = base_year.period_kind
    target_p = parse_period(by)
    base_p = parse_period(base_year.period)
    if target_p.kind != kind:
        example = "a fiscal year, e.g. 2029-30" if kind == "fy" else "a calendar year, e.g. 2030"
        raise BilateralError(f"target year {target_p.label} and the data ({base_year.period}) count years "
                             f"differently; give --by as {example}")
    years = target_p.year - base_p.year
    if years <= 0:
        raise BilateralError(f"target year {target_p.label} must come after the base {base_year.period}")
    if target_usd <= 0:
        raise BilateralError("--target-usd must be positive")
    base_total = float(base_year.total_usd or 0.0)
    req = required_cagr(base_total, target_usd, years)
    hist = [t for t in everything if parse_period(t.period) <= base_p]
    later = [t for t in everything if parse_period(t.period) > base_p]
    if len(hist) < MIN_HISTORY:
        raise BilateralError(f"the forecast needs at least {MIN_HISTORY} years up to the base; {pair.label} has "
                             f"{len(hist)} up to {base_year.period} (first: {everything[0].period}); choose a later --base")
    by_period = {t.period: t for t in hist}

    def achieved(n: int) -> float | None:
        start = by_period.get(base_p.shift(-n).label)
        return cagr(float(start.total_usd or 0.0), base_total, n) if start else None

    years_of_break = break_years(pair.label)
    pace_from = years_of_break[0] if years_of_break else base_p.year - PACE_YEARS + 1
    pace = tuple({"base": t.period, "status": t.status, "total_trade_usd": t.total_usd,
                  "years_left": target_p.year - parse_period(t.period).year,
                  "required_cagr": required_cagr(float(t.total_usd or 0.0), target_usd,
                                                 target_p.year - parse_period(t.period).year)}
                 for t in everything if pace_from <= parse_period(t.period).year < target_p.year)

    energy_all = energy_history(store, pair, everything)
    energy = [p for p in energy_all if parse_period(p.period) <= base_p]
    comps = build_components(hist, energy, years)
    sfile = load_scenarios(scenario_file, years)
    fperiods = [base_p.shift(t).label for t in range(1, years + 1)]
    corr, corr_info = _correlation(comps.residuals, comps.names)
    chosen = (comps.exports.ranking[0][0], comps.imports.ranking[0][0])
    draws = simulate(_model_list(comps, *chosen), corr, sfile.forecast_brent_usd, years, SIMULATIONS, seed)
    total = _sum(draws)
    p_chosen = float(np.mean(total[:, -1] >= target_usd))
    combos = []
    variants = [False, True] if comps.energy and comps.energy.sigma_volume_recent is not None else [False]
    for xm, im, recent in product([m for m, _ in comps.exports.ranking[:TOP_MODELS]],
                                  [m for m, _ in comps.imports.ranking[:TOP_MODELS]], variants):
        label = f"exports:{xm} + {comps.imports.component}:{im}" + (
            "" if not comps.energy else " + energy volume σ " + ("after the break" if recent else "pooled"))
        if (xm, im) == chosen and not recent:
            combos.append((label, p_chosen))
            continue
        alt = simulate(_model_list(comps, xm, im, recent), corr, sfile.forecast_brent_usd, years, ALT_SIMULATIONS, seed)
        combos.append((label, float(np.mean(_sum(alt)[:, -1] >= target_usd))))
    ps = [p for _, p in combos]
    p_reach = PReach(p_chosen, min(ps), max(ps), tuple(combos), SIMULATIONS, seed)

    actual_total = {t.period: (float(t.total_usd or 0.0), t.status) for t in later}
    forecast = _with_actuals(_summary(total, fperiods), total, actual_total)
    energy_by = {p.period: p.value_usd for p in energy_all}
    actual_comp: dict[str, dict[str, tuple[float, str]]] = {
        "exports": {t.period: (float(t.exports_usd or 0.0), t.status) for t in later},
        "imports": {t.period: (float(t.imports_usd or 0.0), t.status) for t in later},
        "energy_imports": {t.period: (energy_by[t.period], t.status) for t in later if t.period in energy_by},
        "other_imports": {t.period: (float(t.imports_usd or 0.0) - energy_by[t.period], t.status)
                          for t in later if t.period in energy_by},
    }
    components = []
    for name, arr in draws.items():
        if name == "energy_imports" and comps.energy is not None:
            em = comps.energy
            components.append(ComponentForecast(
                name, COMPONENT_TITLES[name], "volume_x_price",
                "volume (energy imports ÷ Brent) a random walk without drift × the Brent path; Brent's own "
                "year-to-year volatility around the path",
                "fixed structure: the price is a scenario input, the 2022 jump is not extrapolated",
                em.base_usd, _with_actuals(_summary(arr, fperiods), arr, actual_comp[name]), (),
                {"base_price_usd_per_bbl": em.base_price, "sigma_volume": em.sigma_volume,
                 "sigma_price": em.sigma_price, "volume_changes": em.changes,
                 "sigma_volume_after_break": em.sigma_volume_recent if em.sigma_volume_recent is not None else math.nan,
                 "volume_changes_after_break": em.recent_changes},
                tuple((p.period, p.value_usd, f"{p.basis}: {p.note}") for p in energy)))
            continue
        sm = comps.exports if name == "exports" else comps.imports
        f = sm.fitted(sm.ranking[0][0])
        components.append(ComponentForecast(
            name, COMPONENT_TITLES[name], f.name, DESCRIPTIONS[f.name],
            f"lowest mean MASE, 1–{min(years, MAX_HORIZON)} years ahead, in the rolling-origin backtest "
            f"({'forecasts across the break years excluded' if sm.pulses else 'all forecasts'})",
            sm.levels[-1], _with_actuals(_summary(arr, fperiods), arr, actual_comp[name]),
            tuple((m, round(v, 3)) for m, v in sm.ranking),
            {"slope": f.slope, "sigma": f.sigma, "se_slope": f.se_slope, "alpha": f.alpha, "beta": f.beta},
            tuple((p, v, "official" if name == "exports" else "official imports − energy imports")
                  for p, v in zip(sm.periods, sm.levels, strict=True))))

    world = reporter_totals(store, pair.reporter, base_year.period)
    upper_total = forecast[-1].hi95
    imports_draws = _sum(draws, skip="exports")
    upper_imports = float(np.quantile(imports_draws[:, -1], 0.975))
    plaus = Plausibility(upper_total, world.total_usd if world else None,
                         upper_total / world.total_usd if world and world.total_usd else None,
                         upper_imports, world.imports_usd if world else None,
                         upper_imports / world.imports_usd if world and world.imports_usd else None,
                         base_year.period)

    exports_by, exp_src = _exports_by_sector(store, pair, hist)
    e_base = comps.energy.base_usd if comps.energy else 0.0
    o_base = float(base_year.imports_usd or 0.0) - e_base
    price0 = comps.energy.base_price if comps.energy else 1.0
    scenarios = tuple(_scenario(sc, exports_by, e_base, price0, o_base, fperiods, target_usd) for sc in sfile.scenarios)
    end = {c.component: c.years[-1].median for c in components}
    gap_usd = target_usd - base_total
    gap = {
        "gap_usd": gap_usd,
        "forecast_median_at_target_usd": forecast[-1].median,
        "forecast_shortfall_usd": target_usd - forecast[-1].median,
        "forecast_change_by_component_usd": {c.component: end[c.component] - c.base_usd for c in components},
        "if_all_from_exports_required_cagr": required_cagr_or_none(float(base_year.exports_usd or 0.0),
                                                           float(base_year.exports_usd or 0.0) + gap_usd, years),
        "if_all_from_imports_required_cagr": required_cagr_or_none(float(base_year.imports_usd or 0.0),
                                                           float(base_year.imports_usd or 0.0) + gap_usd, years),
        "base_by_component_usd": {"exports": float(base_year.exports_usd or 0.0), "energy_imports": e_base,
                                  "other_imports": o_base},
        "exports_by_sector_usd": exports_by, "exports_split_source": exp_src,
        "energy_source": (f"{energy[-1].basis}: {energy[-1].note} ({energy[-1].release})" if comps.energy
                          else "no HS 27 figure for the base year: imports modelled as one component"),
    }
    bsum = component_backtest(hist, energy, seed)[0] if with_backtest else None

    notes = []
    if base_year.status != "final":
        notes.append(f"Base year {base_year.period} is {base_year.status}: its figures may be revised.")
    if later:
        notes.append(f"Base {base_year.period} is not the latest year: the actual figures of "
                     f"{', '.join(t.period for t in later)} are shown beside the forecast and were not used by it.")
    notes.append(f"Target year {target_p.label}; change it with --by (and the value with --target-usd).")
    for b in breaks():
        if b.pair == pair.label:
            notes.append(f"Break {Period(kind, b.year).label}: {b.reason}. A one-off level shift: neither its growth "
                         "nor its volatility is carried forward (bilateral/models/data/breaks.csv).")
    if comps.energy is not None:
        notes.append(f"Oil price assumption: {sfile.forecast_brent_note}. The implied energy volume is "
                     "Brent-equivalent: a change in the partner's discount to Brent counts as volume.")
    else:
        notes.append("No HS 27 figure for the base year: imports are forecast as one component.")
    notes += [
        "Intervals are conditional on no new regime change, and in the backtest they covered less often than "
        "their nominal level: see `--backtest`.",
        "Scenario parameters are assumptions, not data: read them in each scenario's 'assumptions'.",
    ]
    if comps.energy and comps.energy.changes < 5:
        notes.append(f"Energy volume volatility rests on {comps.energy.changes} year-on-year changes only.")
    if energy and energy[-1].basis != "exact":
        notes.append(f"The base year's HS 27 figure is a {energy[-1].basis.replace('_', ' ')}: {energy[-1].note}.")
    served = base_year.exports_served
    return TargetResult(
        pair=pair.label, period_kind=kind,
        base={"period": base_year.period, "status": base_year.status, "total_trade_usd": base_total,
              "exports_usd": base_year.exports_usd, "imports_usd": base_year.imports_usd,
              "latest": not later},
        target={"usd": target_usd, "period": target_p.label, "years": years},
        required_cagr=req, achieved_cagr_3y=achieved(3), achieved_cagr_5y=achieved(5), pace=pace,
        history=tuple({"period": t.period, "total_trade_usd": t.total_usd, "exports_usd": t.exports_usd,
                       "imports_usd": t.imports_usd, "status": t.status} for t in hist),
        later_actuals=tuple({"period": t.period, "total_trade_usd": t.total_usd, "status": t.status} for t in later),
        forecast=forecast, components=tuple(components), correlation=corr_info, p_reach=p_reach,
        plausibility=plaus, backtest=bsum, scenarios=scenarios, gap=gap,
        price={"forecast_brent_usd": list(sfile.forecast_brent_usd), "note": sfile.forecast_brent_note,
               "base_year_brent_usd": price0 if comps.energy else None,
               "sigma_price": comps.energy.sigma_price if comps.energy else None},
        target_path=tuple({"period": base_p.shift(t).label, "total_trade_usd": base_total * (1 + req) ** t}
                          for t in range(years + 1)),
        notes=tuple(notes),
        source={"trade": f"{base_year.source} ({base_year.release})",
                "served_by": asdict(served) if served else None,
                "oil_price": "US EIA Brent spot (RBRTE), see bilateral/models/data/brent-monthly.md"})


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


__all__ = ["CANDIDATES", "Z80", "Z95", "BacktestResult", "Scenario", "TargetResult", "backtest_table",
           "brent_average", "load_scenarios", "records", "required_cagr", "track"]


def records(result: TargetResult) -> list[dict[str, Any]]:
    """Flat rows of a tracker result (kept for callers of the old API; use ``result.records()``)."""
    return result.records()
