"""`track`: everything `bilateral target` shows, assembled from the data, models, simulation and backtest.

Degrades rather than refuses: with fewer years up to the base than a forecast needs, the result
holds the required growth, the achieved growth where two years exist and what to load for a
forecast (``forecast_missing``); the forecast parts are empty.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from bilateral.errors import BilateralError
from bilateral.harmonise.pairs import Pair
from bilateral.harmonise.periods import Period, PeriodKind, parse_period
from bilateral.harmonise.targets import target_for
from bilateral.indicators.trade import cagr
from bilateral.models.forecast import DESCRIPTIONS
from bilateral.models.target.backtest import (
    FIRST_SCORED_ORIGIN,
    Choice,
    choose,
    criterion,
    recalibration,
    rolling_origin,
    score,
    summary_of,
)
from bilateral.models.target.calibration import SCHEME_TITLES
from bilateral.models.target.data import (
    BrentKnown,
    PricePath,
    PriceSpec,
    break_indexes,
    break_years,
    breaks,
    brent_known_at,
    price_path,
)
from bilateral.models.target.models import MAX_HORIZON, Components, build_components, correlation
from bilateral.models.target.results import (
    COMPONENT_TITLES,
    ComponentForecast,
    Gap,
    Goal,
    HeldAtBase,
    ModelP,
    Plausibility,
    PReach,
    ScenarioResult,
    TargetResult,
)
from bilateral.models.target.scenarios import ScenarioFile, load_scenarios, scenario_path
from bilateral.models.target.simulation import (
    DEFAULT_SEED,
    MODEL_TITLES,
    MODELS,
    SIMULATIONS,
    add,
    candidate_draws,
    component_draws,
    share_at_or_above,
    summary,
    with_actuals,
)
from bilateral.store.db import Store
from bilateral.store.queries import EnergyPoint, PeriodTotals, energy_history, period_totals, reporter_totals

MIN_HISTORY = FIRST_SCORED_ORIGIN + 1  # years up to the base a forecast needs (the backtest's first origin)
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
        tot = sum(v.get(year.period, 0.0) for _, v in sorted(by_sector.items()))
        if tot > 0:
            return ({s: exports * v.get(year.period, 0.0) / tot for s, v in sorted(by_sector.items())},
                    f"sector shares of HS{d.level} export detail {year.period}, applied to official exports "
                    f"{base.period}")
    return {"other": exports}, f"no HS{SECTOR_DETAIL_LEVEL} export detail: all exports in one group"


def goal_history(pair: Pair, target_usd: float, target_p: Period, series: Sequence[PeriodTotals]) -> Goal | None:
    """The goal's history from the targets file, when the target asked is the one on file.

    With it, the growth that was required when the goal was set, from the base year it was set from.
    """
    t = target_for(pair)
    if t is None or t.value_usd != target_usd or t.by != target_p.label:
        return None
    base = next((s for s in series if s.period == t.set_base), None)
    base_usd = float(base.total_usd) if base is not None and base.total_usd else None
    years = target_p.year - parse_period(t.set_base).year if t.set_base else 0
    req = required_cagr(base_usd, target_usd, years) if base_usd and years > 0 else None
    return Goal(t.set_on, t.set_at, t.set_base, base_usd, years or None, req, t.source, t.url, t.reaffirmed_on, t.reaffirmed_at,
                t.reaffirmed_source, t.reaffirmed_url)


def _base_energy(energy: Sequence[EnergyPoint], base: str, known: BrentKnown) -> tuple[float, float] | None:
    """HS 27 imports in the base year and Brent's average over it, where both are known."""
    price = known.average(base)
    if not energy or energy[-1].period != base or price is None:
        return None
    return energy[-1].value_usd, price


def _scenarios(sfile: ScenarioFile, known: BrentKnown, base: str, exports_by: dict[str, float],
               base_energy: tuple[float, float] | None, other: float, periods: Sequence[str],
               target_usd: float, pair: str) -> tuple[ScenarioResult, ...]:
    years = len(periods)
    out = []
    for sc in sfile.scenarios:
        if base_energy is None:
            brent: tuple[float, ...] = (0.0,) * years
            energy, price = 0.0, 1.0
        else:
            brent = price_path(sc.brent_usd, known, base, years, f"{sfile.where}: scenario {sc.name!r}").usd
            energy, price = base_energy
        out.append(scenario_path(sc, brent, exports_by, energy, price, other, periods, target_usd,
                                 sfile.described_for(sc, pair)))
    return tuple(out)


def _missing(pair: Pair, hist: Sequence[PeriodTotals], base: str) -> str:
    first = hist[0].period
    return (f"a forecast needs at least {MIN_HISTORY} years up to the base; {pair.label} has {len(hist)} "
            f"({first}{' to ' + base if first != base else ''}). Load more years for one: a BACI release with "
            f"earlier years (`bilateral ingest baci RELEASE.zip --years 2015-2024`) or `bilateral ingest comtrade "
            f"--reporter {pair.reporter} --partner {pair.partner} --years 2015-2024`")


def track(store: Store, pair: Pair, *, target_usd: float, by: str, base: str | None = None,
          scenario_file: Path | None = None, seed: int = DEFAULT_SEED, brent: PriceSpec | None = None,
          with_backtest: bool = True) -> TargetResult:
    """Everything `bilateral target` shows (values in US dollars).

    ``brent``: the forecast's Brent path (``base``, ``latest`` or prices), overriding the scenario
    file's ``forecast_brent_usd``. ``with_backtest`` False leaves the backtest summary out of the
    result (the backtest that calibrates the intervals and chooses the model always runs).
    """
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
    by_period = {t.period: t for t in hist}

    def achieved(n: int) -> float | None:
        start = by_period.get(base_p.shift(-n).label)
        return cagr(float(start.total_usd or 0.0), base_total, n) if start else None

    span_years = base_p.year - parse_period(hist[0].period).year
    span = ({"from": hist[0].period, "to": base_year.period, "years": span_years,
             "cagr": cagr(float(hist[0].total_usd or 0.0), base_total, span_years)} if span_years > 0 else None)
    goal = goal_history(pair, target_usd, target_p, everything)

    years_of_break = break_years(pair.label)
    pace_from = years_of_break[0] if years_of_break else base_p.year - PACE_YEARS + 1
    pace = tuple({"base": t.period, "status": t.status, "total_trade_usd": t.total_usd,
                  "years_left": target_p.year - parse_period(t.period).year,
                  "required_cagr": required_cagr(float(t.total_usd or 0.0), target_usd,
                                                 target_p.year - parse_period(t.period).year)}
                 for t in everything if pace_from <= parse_period(t.period).year < target_p.year)

    known = brent_known_at(base_year.period)
    sfile = load_scenarios(scenario_file)
    energy_all = energy_history(store, pair, everything)
    energy = [p for p in energy_all if parse_period(p.period) <= base_p]
    fperiods = [base_p.shift(t).label for t in range(1, years + 1)]
    exports_by, exp_src = _exports_by_sector(store, pair, hist)
    base_energy = _base_energy(energy, base_year.period, known)
    e_base = base_energy[0] if base_energy else 0.0
    o_base = float(base_year.imports_usd or 0.0) - e_base
    path: PricePath | None = None
    if base_energy is not None:
        spec = brent if brent is not None else sfile.forecast_brent
        path = price_path(spec, known, base_year.period, years,
                          "--brent" if brent is not None else f"{sfile.where}: forecast_brent_usd")
    scenarios = _scenarios(sfile, known, base_year.period, exports_by, base_energy, o_base, fperiods, target_usd,
                           pair.label)
    base_split = {"exports": float(base_year.exports_usd or 0.0), "energy_imports": e_base, "other_imports": o_base}
    if base_energy is None:
        base_split = {"exports": float(base_year.exports_usd or 0.0), "imports": float(base_year.imports_usd or 0.0)}
    gap_usd = target_usd - base_total
    exports_base = float(base_year.exports_usd or 0.0)
    imports_base = float(base_year.imports_usd or 0.0)
    energy_source = (f"{energy[-1].basis}: {energy[-1].note} ({energy[-1].release})" if base_energy
                     else "no HS 27 figure (or Brent price) for the base year: imports modelled as one component")

    notes = _notes_common(pair, base_year, later, target_p, kind, path)
    common: dict[str, Any] = dict(
        pair=pair.label, period_kind=kind,
        base={"period": base_year.period, "status": base_year.status, "total_trade_usd": base_total,
              "exports_usd": base_year.exports_usd, "imports_usd": base_year.imports_usd, "latest": not later},
        target={"usd": target_usd, "period": target_p.label, "years": years},
        goal=goal, required_cagr=req, achieved_cagr_3y=achieved(3), achieved_cagr_5y=achieved(5),
        achieved_cagr_span=span, pace=pace,
        history=tuple({"period": t.period, "total_trade_usd": t.total_usd, "exports_usd": t.exports_usd,
                       "imports_usd": t.imports_usd, "status": t.status} for t in hist),
        later_actuals=tuple({"period": t.period, "total_trade_usd": t.total_usd, "status": t.status} for t in later),
        scenarios=scenarios, price=path,
        target_path=tuple({"period": base_p.shift(t).label, "total_trade_usd": base_total * (1 + req) ** t}
                          for t in range(years + 1)),
        source={"trade": f"{base_year.source} ({base_year.release})",
                "served_by": asdict(base_year.exports_served) if base_year.exports_served else None,
                "oil_price": "US EIA Brent spot (RBRTE), see bilateral/models/data/brent-monthly.md"})
    if len(hist) < MIN_HISTORY:
        missing = _missing(pair, hist, base_year.period)
        gap = Gap(gap_usd, None, None, required_cagr_or_none(exports_base, exports_base + gap_usd, years),
                  required_cagr_or_none(imports_base, imports_base + gap_usd, years), base_split, {}, {}, None, None, (),
                  exports_by, exp_src, energy_source)
        return TargetResult(**common, forecast_missing=missing, forecast=(), components=(), correlation=None,
                            p_reach=None, plausibility=None, backtest=None, gap=gap,
                            notes=tuple(notes + ["Scenario parameters are assumptions, not data: read them in each "
                                                 "scenario's 'assumptions'."]))

    # -- the backtest: calibration, scores, the model chosen -------------------------------------------
    periods = [t.period for t in hist]
    pulses = break_indexes(periods, years_of_break)
    comps = build_components(hist, energy, years, known)
    outcomes = rolling_origin(hist, energy, seed)
    scores = score(outcomes)
    choice = (choose(scores, outcomes, bool(pulses)) if scores else
              Choice("drift_break" if pulses else "drift", "student_t", {}, ("drift_break" if pulses else "drift",),
                     {}, "no backtest: too few years; a drift model with Student-t intervals"))
    log_totals = np.log([float(t.total_usd or 0.0) for t in hist])
    prices = path.usd if path is not None and comps.energy is not None else ()
    log_target = math.log(target_usd)
    crit = {(s.model, s.scheme): criterion(s) for s in scores}
    draws_of = {}
    models = []
    for m in MODELS:
        scheme = choice.best_scheme.get(m, "student_t")
        rc = recalibration(outcomes, m, len(hist) - 1) if scheme == "empirical" else None
        d = candidate_draws(m, scheme, log_totals=log_totals, pulses=pulses, components=comps, prices=prices,
                            horizon=years, sims=SIMULATIONS, seed=seed, recalibration=rc)
        draws_of[m] = d
        end = d.log_total[:, -1]
        models.append(ModelP(m, MODEL_TITLES[m], scheme, share_at_or_above(end, log_target),
                             crit.get((m, scheme), math.nan), float(np.exp(np.median(end))),
                             float(np.exp(np.quantile(end, 0.975))), m in choice.competitive, m == choice.model,
                             choice.excluded.get(m)))
    competitive = [m.p_reach for m in models if m.competitive]
    chosen_p = next(m.p_reach for m in models if m.chosen)
    p_reach = PReach(chosen_p, min(competitive), max(competitive), choice.model, choice.scheme, tuple(models),
                     SIMULATIONS, seed)
    total_draws = np.exp(draws_of[choice.model].log_total)
    actual_total = {t.period: (float(t.total_usd or 0.0), t.status) for t in later}
    forecast = with_actuals(summary(total_draws, fperiods, choice.scheme != "student_t"), total_draws, actual_total)

    # -- the component method (Gaussian: its means exist and add) ---------------------------------------
    cdraws = component_draws(comps, prices, years, SIMULATIONS, seed, heavy=False)
    components = _component_forecasts(comps, cdraws, energy, fperiods, later, energy_all, years)
    ctotal = add(cdraws)
    mean_end = {c: float(v[:, -1].mean()) for c, v in cdraws.items()}
    base_of = {c.component: c.base_usd for c in components}
    held = tuple(HeldAtBase(c, float((ctotal[:, -1] - cdraws[c][:, -1] + base_of[c]).mean()),
                            share_at_or_above(ctotal[:, -1] - cdraws[c][:, -1] + base_of[c], target_usd))
                 for c in cdraws)
    _, corr_info = correlation(comps.residuals, comps.names)

    world = reporter_totals(store, pair.reporter, base_year.period)
    upper = forecast[-1].hi95
    plaus = Plausibility(upper, world.total_usd if world else None,
                         upper / world.total_usd if world and world.total_usd else None,
                         world.imports_usd if world else None, base_year.period)
    gap = Gap(gap_usd, forecast[-1].median, target_usd - forecast[-1].median,
              required_cagr_or_none(exports_base, exports_base + gap_usd, years),
              required_cagr_or_none(imports_base, imports_base + gap_usd, years), base_of, mean_end,
              {c: mean_end[c] - base_of[c] for c in mean_end}, float(ctotal[:, -1].mean()),
              share_at_or_above(ctotal[:, -1], target_usd), held,
              exports_by, exp_src, energy_source)
    bsum = summary_of(outcomes, choice, scores) if with_backtest and scores else None

    chosen_title = MODEL_TITLES[choice.model]
    notes.append(f"Forecast: {chosen_title}, intervals {SCHEME_TITLES[choice.scheme].lower()}; chosen by "
                 f"{choice.criterion}. The probability's range spans the competitive set "
                 f"({', '.join(choice.competitive)}).")
    if bsum is not None:
        notes.append(
            f"Intervals are conditional on no new regime change: in the backtest the 95% interval covered "
            f"{bsum.coverage95.share:.0%} of all {bsum.forecasts} forecasts and {bsum.coverage95_no_break.share:.0%} "
            f"of the {bsum.forecasts_no_break} that do not cross a break year (see `--backtest`).")
    if comps.energy and comps.energy.changes < 5:
        notes.append(f"Energy volume volatility rests on {comps.energy.changes} year-on-year changes only.")
    if energy and energy[-1].basis != "exact" and base_energy:
        notes.append(f"The base year's HS 27 figure is a {energy[-1].basis.replace('_', ' ')}: {energy[-1].note}.")
    notes.append("Scenario parameters are assumptions, not data: read them in each scenario's 'assumptions'.")
    return TargetResult(**common, forecast_missing=None, forecast=forecast, components=components,
                        correlation=corr_info, p_reach=p_reach, plausibility=plaus, backtest=bsum, gap=gap,
                        notes=tuple(notes))


def _notes_common(pair: Pair, base_year: PeriodTotals, later: Sequence[PeriodTotals], target_p: Period, kind: PeriodKind,
                  path: PricePath | None) -> list[str]:
    notes = []
    if base_year.status != "final":
        notes.append(f"Base year {base_year.period} is {base_year.status}: its figures may be revised.")
    if later:
        used = ("no price after the base either" if path is None or not path.after_base
                else "but the Brent path reads prices after the base (--brent latest)")
        notes.append(f"Base {base_year.period} is not the latest year: the actual figures of "
                     f"{', '.join(t.period for t in later)} are shown beside the forecast and were not used by it "
                     f"({used}).")
    notes.append(f"Target year {target_p.label}; change it with --by (and the value with --target-usd).")
    for b in breaks():
        if b.pair == pair.label:
            notes.append(f"Break {Period(kind, b.year).label}: {b.reason}. A one-off level shift: neither its growth "
                         "nor its volatility is carried forward (bilateral/models/data/breaks.csv).")
    if path is not None:
        notes.append(f"Oil price assumption: {path.note}. The implied energy volume is Brent-equivalent: a change in "
                     "the partner's discount to Brent counts as volume; set another path with --brent.")
    else:
        notes.append("No HS 27 figure (or Brent price) for the base year: imports are forecast as one component.")
    return notes


def _component_forecasts(comps: Components, draws: dict[str, np.ndarray], energy: Sequence[EnergyPoint],
                         fperiods: Sequence[str], later: Sequence[PeriodTotals], energy_all: Sequence[EnergyPoint],
                         years: int) -> tuple[ComponentForecast, ...]:
    energy_by = {p.period: p.value_usd for p in energy_all}
    actual_comp: dict[str, dict[str, tuple[float, str]]] = {
        "exports": {t.period: (float(t.exports_usd or 0.0), t.status) for t in later},
        "imports": {t.period: (float(t.imports_usd or 0.0), t.status) for t in later},
        "energy_imports": {t.period: (energy_by[t.period], t.status) for t in later if t.period in energy_by},
        "other_imports": {t.period: (float(t.imports_usd or 0.0) - energy_by[t.period], t.status)
                          for t in later if t.period in energy_by},
    }
    out = []
    for name, arr in draws.items():
        years_out = with_actuals(summary(arr, fperiods), arr, actual_comp[name])
        if name == "energy_imports" and comps.energy is not None:
            em = comps.energy
            out.append(ComponentForecast(
                name, COMPONENT_TITLES[name], "volume_x_price",
                "volume (energy imports ÷ Brent) a random walk without drift × the Brent path; Brent's own "
                "year-to-year volatility around the path",
                "fixed structure: the price is a scenario input, the 2022 jump is not extrapolated",
                em.base_usd, years_out, (),
                {"base_price_usd_per_bbl": em.base_price, "sigma_volume": em.sigma_volume,
                 "sigma_price": em.sigma_price, "volume_changes": em.changes, "price_changes": em.price_changes},
                tuple((p.period, p.value_usd, f"{p.basis}: {p.note}") for p in energy)))
            continue
        sm = comps.exports if name == "exports" else comps.imports
        f = sm.fitted(sm.ranking[0][0])
        out.append(ComponentForecast(
            name, COMPONENT_TITLES[name], f.name, DESCRIPTIONS[f.name],
            f"lowest mean MASE, 1–{min(years, MAX_HORIZON)} years ahead, in the rolling-origin backtest "
            f"({'forecasts across the break years excluded' if sm.pulses else 'all forecasts'})",
            sm.levels[-1], years_out, tuple((m, round(v, 3)) for m, v in sm.ranking),
            {"slope": f.slope, "sigma": f.sigma, "se_slope": f.se_slope, "alpha": f.alpha, "beta": f.beta},
            tuple((p, v, "official" if name == "exports" else "official imports − energy imports")
                  for p, v in zip(sm.periods, sm.levels, strict=True))))
    return tuple(out)
