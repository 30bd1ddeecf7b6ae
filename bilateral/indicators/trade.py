"""Trade indicators computed in DuckDB from the canonical tables.

Functions take a Store and return plain Python structures (lists of dicts), so the CLI stays fast;
:func:`as_frame` turns any of them into a pandas DataFrame for notebooks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from bilateral.harmonise.countries import groups_containing
from bilateral.store.db import Store

WORLD = "WLD"


@dataclass(frozen=True)
class OfficialYear:
    """One fiscal year of the authoritative headline series for a pair."""

    period: str
    exports_usd: float
    imports_usd: float
    status: str
    release: str
    publisher: str
    url: str

    @property
    def total_usd(self) -> float:
        return self.exports_usd + self.imports_usd

    @property
    def balance_usd(self) -> float:
        return self.exports_usd - self.imports_usd


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


def official_series(store: Store, reporter: str, partner: str) -> list[OfficialYear]:
    """The authoritative yearly series of a pair (both flows present), oldest first."""
    rows = store.con.execute(
        """
        SELECT period,
               max(value_usd) FILTER (WHERE flow = 'export') AS exports,
               max(value_usd) FILTER (WHERE flow = 'import') AS imports,
               max(status), max(release), max(publisher), max(url)
        FROM official_totals
        WHERE authoritative AND period_kind = 'fy' AND reporter = ? AND partner = ?
        GROUP BY period HAVING count(DISTINCT flow) = 2
        ORDER BY period
        """,
        [reporter, partner],
    ).fetchall()
    return [OfficialYear(r[0], float(r[1]), float(r[2]), r[3], r[4], r[5], r[6]) for r in rows]


def detail_periods(store: Store, reporter: str, partner: str, flow: str, level: int) -> list[str]:
    """Fiscal years with product detail at ``level`` for a pair and flow."""
    rows = store.con.execute(
        "SELECT DISTINCT period FROM flows WHERE source = 'embedded' AND period_kind = 'fy' AND reporter = ? AND partner = ? "
        "AND flow = ? AND product_level = ? ORDER BY period",
        [reporter, partner, flow, level],
    ).fetchall()
    return [r[0] for r in rows]


def finest_detail(store: Store, reporter: str, partner: str, flow: str, period: str) -> dict[str, Any] | None:
    """Sum of the finest product detail for a pair, flow and fiscal year, with its provenance."""
    row = store.con.execute(
        """
        WITH d AS (
            SELECT * FROM flows WHERE source = 'embedded' AND period = ? AND reporter = ? AND partner = ? AND flow = ?
              AND product_level > 0
        ), best AS (SELECT max(product_level) AS lvl FROM d)
        SELECT sum(value_usd), count(*), any_value(product_level), string_agg(DISTINCT release, ', '),
               string_agg(DISTINCT quality, ', ')
        FROM d, best WHERE d.product_level = best.lvl
        """,
        [period, reporter, partner, flow],
    ).fetchone()
    if not row or row[1] == 0:
        return None
    return {"value_usd": float(row[0]), "lines": int(row[1]), "level": int(row[2]),
            "release": row[3], "quality": row[4], "partner": partner}


def region_detail(store: Store, reporter: str, partner: str, flow: str, period: str) -> dict[str, Any] | None:
    """Product detail for a region that contains ``partner`` (a labelled proxy), if any."""
    for group in groups_containing(partner):
        found = finest_detail(store, reporter, group, flow, period)
        if found:
            return found
    return None


def sector_values(store: Store, reporter: str, partner: str, flow: str, periods: list[str],
                  level: int = 8) -> dict[str, dict[str, float]]:
    """Sector → period → value (US$), summing product detail at ``level`` by summit sector."""
    if not periods:
        return {}
    marks = ",".join("?" * len(periods))
    rows = store.con.execute(
        f"""
        WITH f AS (
            SELECT period, product, value_usd FROM flows
            WHERE source = 'embedded' AND reporter = ? AND partner = ? AND flow = ? AND product_level = ?
              AND period IN ({marks})
        ), m AS (
            SELECT f.period, f.value_usd,
                   coalesce(
                     (SELECT s.sector FROM sectors s WHERE starts_with(f.product, s.prefix)
                      ORDER BY length(s.prefix) DESC LIMIT 1), 'other') AS sector
            FROM f
        )
        SELECT sector, period, sum(value_usd) FROM m GROUP BY ALL
        """,
        [reporter, partner, flow, level, *periods],
    ).fetchall()
    out: dict[str, dict[str, float]] = {}
    for sector, period, value in rows:
        out.setdefault(sector, {})[period] = float(value)
    return out


def product_values(store: Store, reporter: str, partner: str, flow: str, periods: list[str],
                   level: int, from_level: int = 8) -> dict[str, dict[str, float]]:
    """Product (truncated to ``level`` digits) → period → value (US$)."""
    if not periods:
        return {}
    marks = ",".join("?" * len(periods))
    rows = store.con.execute(
        f"""
        SELECT left(product, ?) AS code, period, sum(value_usd)
        FROM flows WHERE source = 'embedded' AND reporter = ? AND partner = ? AND flow = ? AND product_level = ?
          AND period IN ({marks})
        GROUP BY ALL
        """,
        [level, reporter, partner, flow, from_level, *periods],
    ).fetchall()
    out: dict[str, dict[str, float]] = {}
    for code, period, value in rows:
        out.setdefault(code, {})[period] = float(value)
    return out


def descriptions(store: Store, codes: list[str]) -> dict[str, str]:
    """Descriptions of products; an HS4 without its own takes its largest HS8 line's, marked."""
    if not codes:
        return {}
    marks = ",".join("?" * len(codes))
    rows = store.con.execute(
        f"SELECT product, any_value(description) FROM products WHERE product IN ({marks}) GROUP BY 1",
        codes,
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def as_frame(rows: list[dict[str, Any]]) -> Any:
    """A list of records as a pandas DataFrame."""
    import pandas as pd

    return pd.DataFrame(rows)


def safe_ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den == 0 or math.isnan(den):
        return None
    return num / den


def official_year(store: Store, reporter: str, partner: str,
                  fy: str | None) -> tuple[list[OfficialYear], OfficialYear]:
    """The official series of a pair and the year ``fy`` in it (default: the latest).

    Raises NotAvailableError naming the available range when the pair or the year is missing.
    """
    from bilateral.errors import NotAvailableError
    from bilateral.harmonise.periods import parse_fy

    series = official_series(store, reporter, partner)
    label = f"{reporter}-{partner}"
    if not series:
        raise NotAvailableError(
            f"no official totals for {label} in the store; the embedded data cover IND-RUS. "
            "Load the pair's official series and detail into the store, or use --pair IND-RUS"
        )
    if fy is None:
        return series, series[-1]
    wanted = parse_fy(fy).label
    for y in series:
        if y.period == wanted:
            return series, y
    raise NotAvailableError(
        f"no official totals for {label} in {wanted}; available: {series[0].period} to {series[-1].period}"
    )


def best_detail(store: Store, reporter: str, partner: str, flow: str, period: str) -> dict[str, Any] | None:
    """The partner's own finest detail, else that of a region containing it (``partner`` tells which)."""
    return (finest_detail(store, reporter, partner, flow, period)
            or region_detail(store, reporter, partner, flow, period))


ENERGY_CHAPTER = "27"


def energy_share(store: Store, reporter: str, partner: str, period: str) -> tuple[float, dict[str, Any]] | None:
    """Share of HS chapter 27 in imports from the best available detail, with that detail; None if none."""
    detail = best_detail(store, reporter, partner, "import", period)
    if detail is None:
        return None
    row = store.con.execute(
        "SELECT coalesce(sum(value_usd), 0) FROM flows WHERE source = 'embedded' AND reporter = ? AND partner = ? "
        "AND flow = 'import' "
        "AND period = ? AND product_level = ? AND left(product, 2) = ?",
        [reporter, detail["partner"], period, detail["level"], ENERGY_CHAPTER]).fetchone()
    return (float(row[0]) if row else 0.0) / detail["value_usd"], detail
