"""The target tracker: is the partnership on track for its trade target.

- required CAGR from a base fiscal year to the target year, against achieved CAGR over 3 and 5 years;
- how the required pace changed as each new year came in;
- a forecast of total trade with 80% and 95% prediction intervals and the probability of reaching
  the target (random walk with drift on log trade, with the FY2022-23 oil-shock jump as an
  intervention, statsmodels SARIMAX);
- scenarios from YAML (oil import value = price index × volume index, non-oil imports, exports by
  summit sector) → total, exports, imports and balance per year;
- the gap to the target split by direction and commodity group.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from bilateral.errors import BilateralError
from bilateral.harmonise.pairs import Pair
from bilateral.harmonise.periods import FiscalYear, parse_fy
from bilateral.harmonise.sectors import titles as sector_titles
from bilateral.indicators import trade
from bilateral.store.db import Store

SUMMIT_TARGET_USD = 100e9
SUMMIT_TARGET_FY = "FY2029-30"  # "by 2030": the fiscal year ending March 2030 (an assumption)
#: the year from which trade jumped to a new level (discounted Russian crude after February 2022)
BREAK_FY = "FY2022-23"
DEFAULT_SEED = 20251205  # the summit's date, for the simulated probability
SIMULATIONS = 20_000
SCENARIO_KEYS = {"name", "title", "description", "oil", "non_oil_imports_growth", "exports_growth"}


def required_cagr(base_usd: float, target_usd: float, years: int) -> float:
    """Growth a year needed to go from ``base_usd`` to ``target_usd`` in ``years`` years."""
    if years <= 0:
        raise BilateralError("the target year must come after the base year")
    if base_usd <= 0:
        raise BilateralError("the base value must be positive")
    return float((target_usd / base_usd) ** (1.0 / years) - 1.0)


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    description: str
    oil_price_index: list[float]  # per projected year, base year = 1.0
    oil_volume_index: list[float]
    non_oil_imports_growth: float
    exports_growth: dict[str, float]  # sector → growth a year; key 'default' for the rest

    def growth_for(self, sector: str) -> float:
        return self.exports_growth.get(sector, self.exports_growth.get("default", 0.0))


def _index_path(spec: Any, years: int, field: str, name: str) -> list[float]:
    """An index path of ``years`` values from a list (last value carried on) or {growth: g}."""
    if isinstance(spec, dict) and "growth" in spec:
        g = float(spec["growth"])
        return [(1 + g) ** (t + 1) for t in range(years)]
    if isinstance(spec, list) and spec and all(isinstance(v, int | float) for v in spec):
        vals = [float(v) for v in spec]
        return [vals[min(t, len(vals) - 1)] for t in range(years)]
    raise BilateralError(f"scenario {name!r}: {field} must be a list of index values or {{growth: g}}")


def load_scenarios(path: Path | None, years: int) -> list[Scenario]:
    """Scenarios from a YAML file (default: the three shipped with bilateral)."""
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
    known = set(sector_titles()) | {"default"}
    out = []
    for n, s in enumerate(doc["scenarios"], start=1):
        if not isinstance(s, dict):
            raise BilateralError(f"{where}: scenario {n} is not a mapping")
        missing = SCENARIO_KEYS - set(s)
        if missing:
            raise BilateralError(f"{where}: scenario {s.get('name', n)!r} lacks {sorted(missing)}")
        bad = set(s["exports_growth"]) - known
        if bad:
            raise BilateralError(f"{where}: scenario {s['name']!r}: unknown sectors {sorted(bad)}; "
                                 f"use {sorted(known)}")
        out.append(Scenario(
            name=str(s["name"]), title=str(s["title"]), description=str(s["description"]).strip(),
            oil_price_index=_index_path(s["oil"].get("price_index"), years, "oil.price_index", s["name"]),
            oil_volume_index=_index_path(s["oil"].get("volume_index"), years, "oil.volume_index", s["name"]),
            non_oil_imports_growth=float(s["non_oil_imports_growth"]),
            exports_growth={k: float(v) for k, v in s["exports_growth"].items()},
        ))
    return out


@dataclass(frozen=True)
class BaseSplit:
    """The base year's trade split into the groups scenarios act on, with the source of each split."""

    exports_by_sector: dict[str, float]
    oil_imports: float
    non_oil_imports: float
    exports_split_source: str
    imports_split_source: str


def base_split(store: Store, pair: Pair, base: trade.OfficialYear) -> BaseSplit:
    """Split official exports by sector and official imports into oil (HS 27) and non-oil.

    Shares come from the latest product detail at or before the base year and are applied to the
    official totals, so the split always adds up to the official figures.
    """
    hs8_years = [p for p in trade.detail_periods(store, pair.reporter, pair.partner, "export", 8)
                 if p <= base.period]
    if hs8_years:
        yr = hs8_years[-1]
        by_sector = trade.sector_values(store, pair.reporter, pair.partner, "export", [yr])
        tot = sum(v[yr] for v in by_sector.values())
        exports = {s: base.exports_usd * v[yr] / tot for s, v in by_sector.items()}
        exp_src = f"sector shares of HS8 export detail {yr}, applied to official exports {base.period}"
    else:
        exports = {"other": base.exports_usd}
        exp_src = "no export detail: all exports in one group"
    found = trade.energy_share(store, pair.reporter, pair.partner, base.period)
    if found is None:
        share, imp_src = 0.0, "no import detail: all imports treated as non-oil"
    else:
        share, imp = found
        imp_src = (f"HS 27 share {share:.1%} of import detail {base.period} ({imp['quality']}, partner "
                   f"{imp['partner']}), applied to official imports")
    return BaseSplit(exports, base.imports_usd * share, base.imports_usd * (1 - share), exp_src, imp_src)


def project(split: BaseSplit, scenario: Scenario, base_fy: FiscalYear, years: int) -> list[dict[str, Any]]:
    """Per-year projection of exports, imports, total and balance under a scenario."""
    rows = []
    for t in range(1, years + 1):
        exports_by = {s: v * (1 + scenario.growth_for(s)) ** t for s, v in split.exports_by_sector.items()}
        oil = split.oil_imports * scenario.oil_price_index[t - 1] * scenario.oil_volume_index[t - 1]
        non_oil = split.non_oil_imports * (1 + scenario.non_oil_imports_growth) ** t
        exports = sum(exports_by.values())
        imports = oil + non_oil
        rows.append({"period": base_fy.shift(t).label, "exports_usd": exports, "imports_usd": imports,
                     "oil_imports_usd": oil, "non_oil_imports_usd": non_oil,
                     "total_trade_usd": exports + imports, "balance_usd": exports - imports,
                     "exports_by_sector_usd": exports_by})
    return rows


def forecast(history: list[tuple[str, float]], horizon: int, *, break_fy: str = BREAK_FY,
             seed: int = DEFAULT_SEED, target_usd: float | None = None) -> dict[str, Any]:
    """Forecast total trade ``horizon`` years ahead with 80%/95% prediction intervals.

    Model: random walk with drift on log trade, Δlog y_t = c + δ·[t = break] + ε_t (SARIMAX(0,1,0)
    with a constant and a pulse at the break year, i.e. a one-off level shift). With 16 annual
    points and one regime jump this is the most the data can support: the drift is the average
    growth outside the jump, the spread comes from the year-to-year variability, and the jump does
    not repeat in the forecast. Intervals are log-normal, so they are asymmetric in US dollars.
    """
    import numpy as np
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    periods = [p for p, _ in history]
    y = np.log(np.array([v for _, v in history], dtype=float))
    dy = np.diff(y)
    pulse = np.array([1.0 if p == break_fy else 0.0 for p in periods[1:]])
    exog = pulse.reshape(-1, 1) if pulse.any() else None
    model = SARIMAX(dy, exog=exog, order=(0, 0, 0), trend="c")
    fit = model.fit(disp=False)
    params = dict(zip(model.param_names, fit.params, strict=True))
    drift = float(params["intercept"])
    sigma = math.sqrt(float(params["sigma2"]))
    se_drift = float(fit.bse[model.param_names.index("intercept")])
    last = y[-1]
    z80, z95 = 1.2815515655446004, 1.959963984540054
    rows: list[dict[str, float | str]] = []
    base_fy = parse_fy(periods[-1])
    for h in range(1, horizon + 1):
        mu = last + drift * h
        sd = math.sqrt(h * sigma**2 + (h * se_drift) ** 2)  # shock variance + drift uncertainty
        rows.append({
            "period": base_fy.shift(h).label, "median": math.exp(mu), "mean": math.exp(mu + sd**2 / 2),
            "lo80": math.exp(mu - z80 * sd), "hi80": math.exp(mu + z80 * sd),
            "lo95": math.exp(mu - z95 * sd), "hi95": math.exp(mu + z95 * sd), "log_sd": sd,
        })
    out: dict[str, Any] = {
        "model": "random walk with drift on log total trade; FY2022-23 jump as a one-off level shift "
                 "(statsmodels SARIMAX on Δlog with constant and pulse)",
        "drift": drift, "sigma": sigma, "se_drift": se_drift,
        "break_effect": float(params.get("x1", 0.0)), "observations": len(history),
        "first": periods[0], "last": periods[-1], "years": rows,
    }
    if target_usd is not None:
        from scipy.stats import norm

        end = rows[-1]
        mu_end = math.log(float(end["median"]))
        out["p_reach_target"] = float(1 - norm.cdf((math.log(target_usd) - mu_end) / float(end["log_sd"])))
        rng = np.random.default_rng(seed)
        drifts = rng.normal(drift, se_drift, SIMULATIONS)
        shocks = rng.normal(0.0, sigma, (SIMULATIONS, horizon)).sum(axis=1)
        sims = last + drifts * horizon + shocks
        out["p_reach_target_simulated"] = float(np.mean(sims >= math.log(target_usd)))
        out["seed"] = seed
        out["simulations"] = SIMULATIONS
    return out


def track(store: Store, pair: Pair, *, base: str | None = None, target_usd: float = SUMMIT_TARGET_USD,
          by: str = SUMMIT_TARGET_FY, scenario_file: Path | None = None,
          seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Everything `bilateral target` shows, as one structure (values in US dollars)."""
    series, base_year = trade.official_year(store, pair.reporter, pair.partner, base)
    by_period = {y.period: y for y in series}
    base_fy = parse_fy(base_year.period)
    target_fy = parse_fy(by)
    years = target_fy.start_year - base_fy.start_year
    if years <= 0:
        raise BilateralError(f"target year {target_fy.label} must come after the base {base_fy.label}")
    if target_usd <= 0:
        raise BilateralError("--target-usd must be positive")
    req = required_cagr(base_year.total_usd, target_usd, years)

    def achieved(n: int) -> float | None:
        start = by_period.get(base_fy.shift(-n).label)
        return trade.cagr(start.total_usd, base_year.total_usd, n) if start else None

    pace = []
    for y in series:
        fy = parse_fy(y.period)
        if fy.start_year >= parse_fy(BREAK_FY).start_year and fy < target_fy:
            pace.append({"base": y.period, "status": y.status, "total_trade_usd": y.total_usd,
                         "years_left": target_fy.start_year - fy.start_year,
                         "required_cagr": required_cagr(y.total_usd, target_usd, target_fy.start_year - fy.start_year)})
    history = [(y.period, y.total_usd) for y in series if y.period <= base_year.period]
    fc = forecast(history, years, seed=seed, target_usd=target_usd)
    split = base_split(store, pair, base_year)
    scenarios = []
    for sc in load_scenarios(scenario_file, years):
        path = project(split, sc, base_fy, years)
        end = path[-1]
        contributions = {f"exports:{s}": end["exports_by_sector_usd"][s] - v for s, v in split.exports_by_sector.items()}
        contributions["imports:oil"] = end["oil_imports_usd"] - split.oil_imports
        contributions["imports:non_oil"] = end["non_oil_imports_usd"] - split.non_oil_imports
        scenarios.append({
            "name": sc.name, "title": sc.title, "description": sc.description,
            "assumptions": {"oil_price_index": sc.oil_price_index, "oil_volume_index": sc.oil_volume_index,
                            "non_oil_imports_growth": sc.non_oil_imports_growth,
                            "exports_growth": sc.exports_growth},
            "years": path, "total_at_target_year_usd": end["total_trade_usd"],
            "shortfall_usd": target_usd - end["total_trade_usd"], "reaches_target": end["total_trade_usd"] >= target_usd,
            "change_by_group_usd": contributions,
        })
    gap = target_usd - base_year.total_usd
    gap_split = {
        "gap_usd": gap,
        "if_all_from_exports": {"exports_needed_usd": base_year.exports_usd + gap,
                                "exports_multiple": (base_year.exports_usd + gap) / base_year.exports_usd,
                                "required_cagr": required_cagr(base_year.exports_usd, base_year.exports_usd + gap, years)},
        "if_all_from_imports": {"imports_needed_usd": base_year.imports_usd + gap,
                                "required_cagr": required_cagr(base_year.imports_usd, base_year.imports_usd + gap, years)},
        "proportional": {"exports_usd": gap * base_year.exports_usd / base_year.total_usd,
                         "oil_imports_usd": gap * split.oil_imports / base_year.total_usd,
                         "non_oil_imports_usd": gap * split.non_oil_imports / base_year.total_usd},
        "base_split": {"exports_by_sector_usd": split.exports_by_sector, "oil_imports_usd": split.oil_imports,
                       "non_oil_imports_usd": split.non_oil_imports, "exports_source": split.exports_split_source,
                       "imports_source": split.imports_split_source},
    }
    notes = [
        f"Target year {target_fy.label} stands for 'by 2030' (the fiscal year ending March 2030); change it with --by.",
        "The forecast knows only the official series; it does not foresee sanctions, price shocks or policy.",
        "Monthly data (2007 to January 2020) end before the 2022 regime change and are not used in the forecast.",
        "Scenario parameters are assumptions, not data: read them in each scenario's 'assumptions'.",
    ]
    if base_year.status != "final":
        notes.insert(0, f"Base year {base_year.period} is {base_year.status}.")
    return {
        "pair": pair.label,
        "base": {"period": base_year.period, "status": base_year.status, "total_trade_usd": base_year.total_usd,
                 "exports_usd": base_year.exports_usd, "imports_usd": base_year.imports_usd},
        "target": {"usd": target_usd, "period": target_fy.label, "years": years},
        "required_cagr": req,
        "achieved_cagr_3y": achieved(3), "achieved_cagr_5y": achieved(5),
        "pace": pace,
        "history": [{"period": p, "total_trade_usd": v} for p, v in history],
        "forecast": fc["years"], "forecast_model": {k: v for k, v in fc.items() if k != "years"},
        "p_reach_target": fc["p_reach_target"],
        "target_path": [{"period": base_fy.shift(t).label, "total_trade_usd": base_year.total_usd * (1 + req) ** t}
                        for t in range(years + 1)],
        "scenarios": scenarios, "gap": gap_split, "notes": notes,
        "source": {"publisher": base_year.publisher, "url": base_year.url, "release": base_year.release},
    }


def records(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The tracker flattened to one table for CSV/Parquet."""
    out: list[dict[str, Any]] = []

    def add(section: str, period: str, measure: str, value: Any) -> None:
        out.append({"pair": result["pair"], "section": section, "period": period, "measure": measure,
                    "value": value})

    add("summary", result["base"]["period"], "required_cagr", result["required_cagr"])
    add("summary", result["base"]["period"], "achieved_cagr_3y", result["achieved_cagr_3y"])
    add("summary", result["base"]["period"], "achieved_cagr_5y", result["achieved_cagr_5y"])
    add("summary", result["target"]["period"], "p_reach_target", result["p_reach_target"])
    for p in result["pace"]:
        add("pace", p["base"], "required_cagr", p["required_cagr"])
    for f in result["forecast"]:
        for k in ("mean", "median", "lo80", "hi80", "lo95", "hi95"):
            add("forecast", f["period"], k, f[k])
    for s in result["scenarios"]:
        for y in s["years"]:
            for k in ("exports_usd", "imports_usd", "total_trade_usd", "balance_usd"):
                add(f"scenario:{s['name']}", y["period"], k, y[k])
    return out
