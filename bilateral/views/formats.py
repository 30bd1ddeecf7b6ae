"""Number formats the dashboard's templates and the brief share (one rule per unit, so both read alike)."""

from __future__ import annotations

__all__ = ["bn", "mn", "num", "pct", "unit"]


def bn(v: float | None) -> str:
    """US$ billions with the sign before the currency: -US$50.88 bn (a dash when missing)."""
    return "—" if v is None else f"{'-' if v < 0 else ''}US${abs(v) / 1e9:,.2f} bn"


def mn(v: float | None) -> str:
    """US$ millions with one decimal: US$412.3 mn."""
    return "—" if v is None else f"{'-' if v < 0 else ''}US${abs(v) / 1e6:,.1f} mn"


def pct(v: float | None, nd: int = 1) -> str:
    """A share as percent: 0.066 → 6.6%."""
    return "—" if v is None else f"{v * 100:.{nd}f}%"


def num(v: float | None, nd: int = 1) -> str:
    """A plain number with thousands separators."""
    return "—" if v is None else f"{v:,.{nd}f}"


def unit(v: float | None, unit_name: str) -> str:
    """An indicator's value in its unit: US$ as billions, shares and ratios as percent, indices as numbers."""
    if v is None:
        return "—"
    if unit_name == "US$":
        return bn(v)
    if unit_name.startswith(("share", "ratio")):
        return f"{v * 100:.1f}%" + (" a year" if "per year" in unit_name else "")
    return f"{v:,.3f}"
