"""`track`: everything `bilateral target` shows, assembled from the data, models, simulation and backtest."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict
from itertools import product
from pathlib import Path

import numpy as np

from bilateral.errors import BilateralError
from bilateral.harmonise.pairs import Pair
from bilateral.harmonise.periods import Period, parse_period
from bilateral.models.forecast import DESCRIPTIONS
from bilateral.models.target.backtest import component_backtest
from bilateral.models.target.data import break_years, breaks
from bilateral.models.target.models import MAX_HORIZON, _correlation, _model_list, build_components
from bilateral.models.target.results import COMPONENT_TITLES, ComponentForecast, Plausibility, PReach, TargetResult
from bilateral.models.target.scenarios import _scenario, load_scenarios
from bilateral.models.target.simulation import ALT_SIMULATIONS, DEFAULT_SEED, SIMULATIONS, _sum, _summary, _with_actuals, simulate
from bilateral.store.db import Store
from bilateral.store.queries import PeriodTotals, energy_history, period_totals, reporter_totals

TOP_MODELS = 2  # the model-choice range spans the best this many models of each component
MIN_HISTORY = 5  # years up to the base the forecast needs (the backtest's first origin is the fifth year)
PACE_YEARS = 4  # without a break on file, the pace table starts this many years before the base
SECTOR_DETAIL_LEVEL = 8  # exports are split by sector with the shares of HS8 detail


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
