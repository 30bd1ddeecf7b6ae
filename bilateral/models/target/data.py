"""The target tracker's inputs kept as data: structural breaks per pair and the Brent oil price.

The oil price is read only as it was known at a base: :func:`brent_known_at` keeps the months up
to the base period's last month, and everything the forecast and the backtest take from the price
(the yearly averages behind the energy volume, Brent's volatility, the default price path) comes
from that. Only ``--brent latest`` reads later months, and says so.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import numpy as np

from bilateral import validation
from bilateral.errors import BilateralError
from bilateral.harmonise.periods import Period, parse_period


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


def break_indexes(periods: Sequence[str], years: Sequence[int]) -> tuple[int, ...]:
    """Indexes of ``periods`` that fall in a break year."""
    return tuple(i for i, p in enumerate(periods) if parse_period(p).year in years)


# -- the oil price --------------------------------------------------------------------------------
#: the highest Brent price a path may set: over three times the record (US$146 in July 2008, monthly peak
#: US$133.9); a larger number is a typo or an overflow, not a scenario
MAX_BRENT_USD = 500.0
PRICE_WINDOW_MONTHS = 12  # the default path: Brent held at its average over the 12 months to the base's end
PriceRule = Literal["base", "latest", "set"]
PRICE_RULES: tuple[str, ...] = ("base", "latest")  # the named paths; a list of prices is the third kind ('set')
PriceSpec = str | tuple[float, ...]  # 'base', 'latest' or US$/bbl per projected year (the last carried on)


@cache
def brent_monthly() -> dict[str, float]:
    """Brent spot, US$/bbl, by month ``YYYY-MM`` (EIA RBRTE; see models/data/brent-monthly.md).

    Every month in the file, including months after any base: read it only through
    :func:`brent_known_at` (or :func:`latest_window` for the explicit ``latest`` path).
    """
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


def last_month(period: str) -> str:
    """The last calendar month of a fiscal or calendar year (``FY2024-25`` → ``2025-03``)."""
    return _months(parse_period(period))[-1]


@dataclass(frozen=True)
class BrentKnown:
    """Brent monthly prices as known at the end of ``last`` (a month ``YYYY-MM``, inclusive)."""

    last: str
    months: Mapping[str, float]  # only months up to ``last``

    def average(self, period: str) -> float | None:
        """Average Brent over a fiscal or calendar year; None unless all 12 months are known."""
        vals = [self.months.get(m) for m in _months(parse_period(period))]
        return None if any(v is None for v in vals) else float(np.mean(vals))  # type: ignore[arg-type]

    def window(self) -> tuple[float, str, str] | None:
        """The average of the last 12 known months, with its first and last month (None if fewer are known)."""
        months = sorted(self.months)[-PRICE_WINDOW_MONTHS:]
        if len(months) < PRICE_WINDOW_MONTHS:
            return None
        return float(np.mean([self.months[m] for m in months])), months[0], months[-1]

    def volatility(self, kind: str) -> tuple[float, int]:
        """Brent's volatility: the RMS of year-on-year log changes of its yearly averages, and their number.

        Every year whose 12 months are known counts; none after ``last``.
        """
        years = sorted({int(m[:4]) for m in self.months})
        avgs = [a for y in years if (a := self.average(Period(kind, y).label)) is not None]  # type: ignore[arg-type]
        d = np.diff(np.log(avgs))
        return (float(np.sqrt(np.mean(d**2))) if len(d) else 0.0), len(d)


def brent_known_at(period: str) -> BrentKnown:
    """Brent as known at the end of ``period``: the months up to its last month, none after."""
    last = last_month(period)
    everything = brent_monthly()
    return BrentKnown(last, {m: everything[m] for m in everything if m <= last})


def brent_average(period: str) -> float | None:
    """Average Brent over a fiscal or calendar year (known at its end); None unless all 12 months are in the data."""
    return brent_known_at(period).average(period)


def _float_or_text(v: object) -> object:
    """A number written as text ('1e2') as a float; anything else unchanged."""
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return v
    return v


def parse_price_spec(value: object, where: str) -> PriceSpec:
    """A price path as given on the command line (``base``, ``latest``, ``80`` or ``80,75,70``) or in YAML.

    In a scenario file ``hold`` still means ``base`` (the base year's average, held flat).
    """
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("base", "hold"):
            return "base"
        if text == "latest":
            return "latest"
        try:
            value = [float(v) for v in text.split(",")]
        except ValueError:
            value = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = [value]
    if isinstance(value, list | tuple):  # YAML 1.1 reads 1e2 as text
        value = [_float_or_text(v) for v in value]
    if (isinstance(value, list | tuple) and value
            and all(isinstance(v, int | float) and not isinstance(v, bool) and 0 < v < math.inf for v in value)):
        for v in value:
            try:
                validation.finite(v, low=0.0, high=MAX_BRENT_USD, low_open=True, what="price US$/bbl")
            except validation.InvalidValue as exc:
                raise BilateralError(f"{where}: {exc}") from None
        return tuple(float(v) for v in value)
    raise BilateralError(f"{where}: the Brent path must be 'base' (the base year's average, held), 'latest' (the "
                         "last 12 months in the file) or prices in US$/bbl, e.g. 80 or 80,75,70")


@dataclass(frozen=True)
class PricePath:
    """The Brent path of a forecast: US$/bbl per projected year, the rule that made it and what it read."""

    usd: tuple[float, ...]
    rule: PriceRule
    note: str
    months_read_to: str  # the last month of the price file the path depends on ('' for a path set by hand)
    after_base: bool  # True when the path reads prices after the base period


def price_path(spec: PriceSpec, known: BrentKnown, base: str, years: int, where: str = "--brent") -> PricePath:
    """The price path for ``years`` projected years after ``base`` (prices known at the base, unless 'latest')."""
    if spec == "base":
        w = known.window()
        if w is None:
            raise BilateralError(f"{where}: fewer than {PRICE_WINDOW_MONTHS} months of Brent prices are known at the "
                                 f"end of {base} (the file starts {min(brent_monthly())}); give prices, e.g. --brent 80")
        value, first, last = w
        return PricePath((value,) * years, "base",
                         f"Brent held at US${value:.1f}/bbl, its average over {first} to {last}, the 12 months to the "
                         f"base's end ({base}; EIA RBRTE): no price after the base is used", last, False)
    if spec == "latest":
        everything = brent_monthly()
        months = sorted(everything)[-PRICE_WINDOW_MONTHS:]
        value = float(np.mean([everything[m] for m in months]))
        after = months[-1] > known.last
        return PricePath((value,) * years, "latest",
                         f"Brent held at US${value:.1f}/bbl, its average over {months[0]} to {months[-1]}, the last 12 "
                         "months in the file (EIA RBRTE)"
                         + (f"; these are prices after the base ({base}, to {known.last}): not an out-of-sample "
                            "forecast" if after else ""), months[-1], after)
    prices = tuple(float(v) for v in spec)
    path = tuple(prices[min(t, len(prices) - 1)] for t in range(years))
    return PricePath(path, "set", f"Brent path set in {where}: {', '.join(f'{p:g}' for p in prices)} US$/bbl"
                     + (" (the last carried on)" if len(prices) < years else ""), "", False)
