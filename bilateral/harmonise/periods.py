"""Periods: Indian fiscal years (April–March), calendar months and spans.

Canonical period labels:
- fiscal year: ``FY2024-25`` (April 2024 to March 2025), ``period_kind = 'fy'``;
- calendar year: ``CY2024``, ``period_kind = 'cy'``;
- month: ``2024-04``, ``period_kind = 'month'``;
- a span of months inside a fiscal year: ``2022-04/2022-08``, ``period_kind = 'span'``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bilateral.errors import BilateralError

FY_START_MONTH = 4  # Indian fiscal year starts in April

_FY_PATTERNS = (
    re.compile(r"^(?:FY)?\s*(\d{4})\s*[-–/]\s*(\d{2})$", re.IGNORECASE),
    re.compile(r"^(?:FY)?\s*(\d{4})\s*[-–/]\s*(\d{4})$", re.IGNORECASE),
)


@dataclass(frozen=True, order=True)
class FiscalYear:
    """An Indian fiscal year, identified by the calendar year in which it starts."""

    start_year: int

    @property
    def label(self) -> str:
        """Canonical label, e.g. ``FY2024-25``."""
        return f"FY{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def short(self) -> str:
        """Label without the prefix, e.g. ``2024-25`` (the portal's spelling)."""
        return self.label[2:]

    @property
    def first_day(self) -> date:
        return date(self.start_year, FY_START_MONTH, 1)

    @property
    def last_day(self) -> date:
        return date(self.start_year + 1, FY_START_MONTH - 1, 31)

    def shift(self, years: int) -> FiscalYear:
        return FiscalYear(self.start_year + years)

    def __str__(self) -> str:
        return self.label


def parse_fy(text: str) -> FiscalYear:
    """Parse ``2024-25``, ``FY2024-25``, ``2024-2025`` or ``FY 2024–25`` into a FiscalYear.

    Raises BilateralError for anything else, including a second year that does not follow the
    first (``2024-26``).
    """
    raw = str(text).strip()
    for pattern in _FY_PATTERNS:
        m = pattern.match(raw)
        if not m:
            continue
        start = int(m.group(1))
        end = m.group(2)
        expected = (start + 1) % 100 if len(end) == 2 else start + 1
        if int(end) != expected:
            break
        return FiscalYear(start)
    raise BilateralError(
        f"not a fiscal year: {text!r}; write it as 2024-25 or FY2024-25 (April 2024 to March 2025)"
    )


def fy_of_month(year: int, month: int) -> FiscalYear:
    """The fiscal year a calendar month falls in (April starts a new one)."""
    return FiscalYear(year if month >= FY_START_MONTH else year - 1)


def month_label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


PeriodKind = Literal["fy", "cy"]
_CY = re.compile(r"^(?:CY)?\s*(\d{4})$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Period:
    """A year as the data count it: an Indian fiscal year (``FY2024-25``) or a calendar year (``CY2022``)."""

    kind: PeriodKind
    year: int  # the calendar year, or the year a fiscal year starts in

    @property
    def label(self) -> str:
        return FiscalYear(self.year).label if self.kind == "fy" else f"CY{self.year}"

    def shift(self, years: int) -> Period:
        return Period(self.kind, self.year + years)

    def __str__(self) -> str:
        return self.label


def parse_period(text: str) -> Period:
    """``CY2022`` or ``2022`` → calendar year; ``FY2024-25`` or ``2024-25`` → fiscal year.

    A fiscal year is never turned into a calendar year or the other way round: the two are
    different periods, and the read layer answers each only from data counted that way.
    """
    raw = str(text).strip()
    m = _CY.match(raw)
    if m:
        return Period("cy", int(m.group(1)))
    try:
        return Period("fy", parse_fy(raw).start_year)
    except BilateralError:
        raise BilateralError(
            f"not a period: {text!r}; write a fiscal year as FY2024-25 (or 2024-25) or a calendar year as "
            "CY2022 (or 2022)") from None
