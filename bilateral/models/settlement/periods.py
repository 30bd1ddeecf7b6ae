"""Parameters resolved per period: open shares of a period, exchange-rate paths, a scenario's values in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bilateral.harmonise.periods import Period, PeriodKind, parse_period
from bilateral.models.settlement.params import CHANNELS, RUPEE, Param, Scenario

__all__ = ["PeriodParams", "open_fraction", "path_value", "period_bounds", "period_of_date", "period_params"]


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


def path_value(param: Param, p: Period) -> float:
    """A path's value in a period: the latest label at or before it, compounded at ``growth`` after the last."""
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
    if q == same[-1][0] and param.growth is not None and p > q:
        return v * (1.0 + param.growth) ** (p.year - q.year)
    return v


@dataclass(frozen=True)
class PeriodParams:
    """The parameters in force in one period, resolved to numbers."""

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


def period_params(scenario: Scenario, p: Period, from_period: Period | None) -> PeriodParams:
    """Resolve a scenario's parameters for one period."""
    def get(name: str) -> Param:
        return scenario.param(name, p, from_period)

    return PeriodParams(
        inr_per_usd=path_value(get("inr_per_usd"), p),
        rub_per_usd=path_value(get("rub_per_usd"), p),
        crude_inr_share=float(get("crude_currency").value.get(RUPEE, 0.0)),
        other_imports_inr_share=float(get("other_imports_currency").value.get(RUPEE, 0.0)),
        exports_inr_share=float(get("exports_currency").value.get(RUPEE, 0.0)),
        mechanism_open=open_fraction(p, get("mechanism_start").value),
        caps_usd=tuple(float(get(f"channels.{c}.cap_usd").value) for c in CHANNELS),
        uptakes=tuple(float(get(f"channels.{c}.uptake").value) for c in CHANNELS),
        channel_open=tuple(open_fraction(p, get(f"channels.{c}.available_from").value) for c in CHANNELS),
        exports_growth=float(get("exports_growth").value),
        energy_imports_growth=float(get("energy_imports_growth").value),
        other_imports_growth=float(get("other_imports_growth").value),
    )
