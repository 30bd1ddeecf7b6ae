"""Reads the target tracker needs that the read layer (``store/queries.py``) lacks yet.

Plain typed functions; the lead folds them into queries.py.

- :func:`energy_history`: a pair's imports of HS chapter 27 per year, from the best detail of each
  year, saying whether the figure is the partner's exact chapter total, a region's share applied to
  the partner's official imports (proxy), or the sum of a few HS 27 headings only (lower bound).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from bilateral.harmonise.countries import group_label, groups_containing
from bilateral.harmonise.pairs import Pair
from bilateral.store.db import Store
from bilateral.store.queries import PeriodTotals

ENERGY_CHAPTER = "27"
#: detail that sums to at least this share of the official imports counts as covering them
FULL_COVERAGE = 0.9
Basis = Literal["exact", "proxy", "lower_bound"]


@dataclass(frozen=True)
class EnergyPoint:
    """HS 27 imports from the partner in one year, and how the figure was obtained."""

    period: str
    value_usd: float
    basis: Basis
    note: str  # what the figure is, in words, with the release that served it
    release: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _detail(store: Store, reporter: str, partner: str, periods: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Import detail and its HS 27 part per period, per (partner or region, level, quality).

    One query for all ``periods``.
    """
    rows = store.con.execute(
        """
        SELECT period, partner, product_level, quality, string_agg(DISTINCT release, ', '), sum(value_usd),
               coalesce(sum(value_usd) FILTER (WHERE left(product, 2) = $ch), 0),
               bool_or(product_level = 2 AND product = $ch)
        FROM flows
        WHERE reporter = $r AND list_contains($partners, partner) AND flow = 'import'
              AND list_contains($periods, period) AND product_level >= 2
        GROUP BY period, partner, product_level, quality
        ORDER BY period, partner = $p DESC, product_level
        """, {"r": reporter, "p": partner, "partners": [partner, *groups_containing(partner)], "periods": periods,
              "ch": ENERGY_CHAPTER}).fetchall()
    out: dict[str, list[tuple[Any, ...]]] = {}
    for r in rows:
        out.setdefault(r[0], []).append(r[1:])
    return out


def energy_point(pair: Pair, year: PeriodTotals, rows: list[tuple[Any, ...]]) -> EnergyPoint | None:
    """HS 27 imports in one year of the pair's series from that year's detail ``rows``; None when none holds it.

    Preference: the partner's own HS 27 chapter figure (exact, even in a top-N list: the chapter
    value itself is the partner's); the partner's detail covering ≥ 90% of official imports (exact
    as a sum of detail); a region's HS 27 share applied to the partner's official imports (proxy),
    never below the partner's own HS 27 headings where those are known; the partner's own HS 27
    headings alone (lower bound).
    """
    imports = year.imports_usd
    if imports is None or imports <= 0:
        return None
    own = [r for r in rows if r[0] == pair.partner]
    region = [r for r in rows if r[0] != pair.partner]
    for partner, level, _quality, release, _total, ch27, has_chapter in own:
        if has_chapter:
            return EnergyPoint(year.period, float(ch27), "exact",
                               f"the HS 27 chapter figure for {partner} in its HS{level} detail", release)
    for _partner, level, _quality, release, total, ch27, _ in own:
        if total >= FULL_COVERAGE * imports and ch27 > 0:
            return EnergyPoint(year.period, float(ch27), "exact",
                               f"sum of HS{level} detail covering {total / imports:.0%} of imports", release)
    floor = max((float(r[5]) for r in own), default=0.0)
    floor_release = next((r[3] for r in own if float(r[5]) == floor), "")
    for partner, level, _quality, release, total, ch27, _ in region:
        proxy = float(ch27) / float(total) * imports
        if proxy >= floor:
            return EnergyPoint(year.period, proxy, "proxy",
                               f"HS 27 share {ch27 / total:.1%} of the region {group_label(partner)} (HS{level}) "
                               "× official imports",
                               release)
        return EnergyPoint(year.period, floor, "lower_bound",
                           f"the partner's own HS 27 headings (above the region proxy {proxy / 1e6:,.0f} mn)",
                           floor_release)
    if floor > 0:
        return EnergyPoint(year.period, floor, "lower_bound",
                           "the partner's own HS 27 headings only (detail covers part of HS 27)", floor_release)
    return None


def energy_history(store: Store, pair: Pair, series: list[PeriodTotals]) -> list[EnergyPoint]:
    """HS 27 imports for every year of ``series`` that detail covers, oldest first."""
    detail = _detail(store, pair.reporter, pair.partner, [y.period for y in series])
    return [p for y in series if (p := energy_point(pair, y, detail.get(y.period, []))) is not None]
