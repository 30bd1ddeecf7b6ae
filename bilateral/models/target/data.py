"""The target tracker's inputs kept as data: structural breaks per pair and the Brent oil price."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from bilateral.errors import BilateralError
from bilateral.harmonise.periods import Period, parse_period

PRICE_HOLD_MONTHS = 12  # default price path: the average of the last 12 months, held flat


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
    return tuple(i for i, p in enumerate(periods) if parse_period(p).year in years)



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
