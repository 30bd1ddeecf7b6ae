"""Trade arithmetic: growth, concentration, safe ratios. Pure functions; all reads are in the read layer."""

from __future__ import annotations

import math


def cagr(start: float, end: float, years: float) -> float | None:
    """Compound annual growth rate; None when undefined (non-positive start or end, no years)."""
    if years <= 0 or start <= 0 or end <= 0:
        return None
    return float((end / start) ** (1.0 / years) - 1.0)


def yoy(previous: float | None, current: float | None) -> float | None:
    """Year-on-year growth; None when the previous value is missing or zero."""
    if previous is None or current is None or previous <= 0:
        return None
    return current / previous - 1.0


def hhi(values: list[float]) -> float | None:
    """Herfindahl–Hirschman index of shares (0–1; 10,000 × this is the 'points' convention)."""
    total = sum(values)
    if total <= 0:
        return None
    return float(sum((v / total) ** 2 for v in values))


def safe_ratio(num: float | None, den: float | None) -> float | None:
    """The ratio of two figures, or None when either is missing, or the denominator is zero or NaN."""
    if num is None or den is None or den == 0 or math.isnan(den):
        return None
    return num / den
