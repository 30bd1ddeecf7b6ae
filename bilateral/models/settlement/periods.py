"""Parameters resolved per period: open shares of a period, exchange-rate paths, a scenario's values in force."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bilateral.harmonise.periods import Period, PeriodKind, parse_period
from bilateral.models.settlement.params import CHANNELS, RUPEE, Param, Scenario

__all__ = ["Draws", "ParamKey", "PeriodParams", "open_fraction", "path_value", "period_bounds", "period_of_date",
           "param_key", "period_params"]

#: which version of a parameter: ('crude_currency', 'default') or ('crude_currency', 'override')
ParamKey = tuple[str, str]
#: values standing in for a parameter's central number (see Param.central): floats, or arrays of draws
Draws = Mapping[ParamKey, Any]


def period_bounds(p: Period) -> tuple[date, date]:
    """First day of the period and first day after it (fiscal years run April to March)."""
    if p.kind == "fy":
        return date(p.year, 4, 1), date(p.year + 1, 4, 1)
    return date(p.year, 1, 1), date(p.year + 1, 1, 1)


def open_fraction(p: Period, since: date) -> float:
    """Share of the period on or after ``since`` (by days): 1 if open all period, 0 if not yet open."""
    first, after = period_bounds(p)
    if since <= first:
        return 1.0
    if since >= after:
        return 0.0
    return (after - since).days / (after - first).days


def period_of_date(d: date, kind: PeriodKind) -> Period:
    """The period of ``kind`` a day falls in."""
    if kind == "fy":
        return Period("fy", d.year if d.month >= 4 else d.year - 1)
    return Period("cy", d.year)


def path_value(param: Param, p: Period, growth: Any = None) -> Any:
    """A path's value in a period: the latest label at or before it, compounded at ``growth`` after the last.

    ``growth`` replaces the path's own (a float, or an array of draws).
    """
    growth = param.growth if growth is None else growth
    if not isinstance(param.value, dict):
        return float(param.value)
    points = [(parse_period(k), float(v)) for k, v in param.value.items()]
    same = [(q, v) for q, v in points if q.kind == p.kind]
    if not same:  # fiscal-year labels for a calendar year: FY2022-23 stands for CY2022 (9 of its 12 months)
        same = sorted((Period(p.kind, q.year), v) for q, v in points)
    before = [(q, v) for q, v in same if q <= p]
    if not before:
        return same[0][1]
    q, v = before[-1]
    if q == same[-1][0] and growth is not None and p > q:
        return v * (1.0 + growth) ** (p.year - q.year)
    return v


@dataclass(frozen=True)
class PeriodParams:
    """The parameters in force in one period, resolved to numbers.

    In the Monte Carlo a field holds an array of draws instead of a float; the model's arithmetic
    is written once for both (numpy broadcasting).
    """

    inr_per_usd: float
    rub_per_usd: float
    crude_inr_share: float
    other_imports_inr_share: float
    exports_inr_share: float
    mechanism_open: float  # share of the period the rupee mechanism was open (0-1)
    caps_usd: tuple[float, ...]  # per channel, in CHANNELS order
    uptakes: tuple[float, ...]
    channel_open: tuple[float, ...]  # share of the period each channel was open
    exports_growth: float = 0.0
    energy_imports_growth: float = 0.0
    other_imports_growth: float = 0.0
    defence_usd: float = 0.0  # defence payments settled in rupees in the period (US$)


def param_key(scenario: Scenario, name: str, p: Period, from_period: Period | None) -> ParamKey:
    """Which version of ``name`` is in force in ``p``: the scenario's override or the default."""
    override = name in scenario.overrides and from_period is not None and p >= from_period
    return (name, "override" if override else "default")


def period_params(scenario: Scenario, p: Period, from_period: Period | None, draws: Draws | None = None
                  ) -> PeriodParams:
    """Resolve a scenario's parameters for one period; ``draws`` replaces parameters' central numbers."""
    def get(name: str) -> Param:
        return scenario.param(name, p, from_period)

    def num(name: str) -> Any:
        key = param_key(scenario, name, p, from_period)
        return draws[key] if draws is not None and key in draws else float(get(name).value)

    def inr(name: str) -> Any:
        key = param_key(scenario, name, p, from_period)
        return draws[key] if draws is not None and key in draws else float(get(name).value.get(RUPEE, 0.0))

    def path(name: str) -> Any:
        key = param_key(scenario, name, p, from_period)
        return path_value(get(name), p, draws.get(key) if draws is not None else None)

    return PeriodParams(
        inr_per_usd=path("inr_per_usd"),
        rub_per_usd=path("rub_per_usd"),
        crude_inr_share=inr("crude_currency"),
        other_imports_inr_share=inr("other_imports_currency"),
        exports_inr_share=inr("exports_currency"),
        mechanism_open=open_fraction(p, get("mechanism_start").value),
        caps_usd=tuple(num(f"channels.{c}.cap_usd") for c in CHANNELS),
        uptakes=tuple(num(f"channels.{c}.uptake") for c in CHANNELS),
        channel_open=tuple(open_fraction(p, get(f"channels.{c}.available_from").value) for c in CHANNELS),
        exports_growth=num("exports_growth"),
        energy_imports_growth=num("energy_imports_growth"),
        other_imports_growth=num("other_imports_growth"),
        defence_usd=num("defence.payments_usd") * num("defence.inr_share")
        * open_fraction(p, get("defence.available_from").value),
    )
