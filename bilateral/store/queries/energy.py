"""HS 27 (mineral fuels) imports: one period for the indicators, the history for the target tracker."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from bilateral.harmonise.countries import group_label, groups_containing
from bilateral.harmonise.pairs import Pair
from bilateral.store.db import Store
from bilateral.store.queries import REPORT_FLOWS, _rank
from bilateral.store.queries.detail import best_detail, lines
from bilateral.store.queries.totals import PeriodTotals, Served, _as_pair, pair_totals

# -- energy -----------------------------------------------------------------------------------------
ENERGY_CHAPTER = "27"
#: detail whose sum is at least this share of the official total counts as covering it
FULL_COVERAGE = 0.995


@dataclass(frozen=True)
class EnergyImports:
    """Imports of HS chapter 27 (mineral fuels, crude oil) from a partner in a period.

    ``exact``: the chapter's value is the partner's own published figure (a chapter line, or complete
    detail). Otherwise ``value_usd`` is None and either ``lower_bound_usd`` holds what the partial
    detail shows (e.g. crude and coal only) or ``share`` comes from a region standing in for the
    partner (``proxy``). ``basis`` says which, in words.
    """

    period: str
    value_usd: float | None
    lower_bound_usd: float | None
    share: float | None  # of the pair's imports (official where they exist)
    exact: bool
    proxy: bool
    basis: str
    served: Served


def energy_imports(store: Store, pair: Pair | str, period: str) -> EnergyImports | None:
    """HS 27 imports of a pair in a period from the detail that serves it; None when none does."""
    p = _as_pair(pair)
    detail = best_detail(store, p.reporter, p.partner, "import", period)
    if detail is None:
        return None
    chapters = lines(store, detail, 2)
    energy = chapters.get(ENERGY_CHAPTER, 0.0)
    totals = {t.period: t for t in pair_totals(store, p)}.get(period)
    imports = totals.imports_usd if totals else None
    if detail.partner != p.partner:
        share = energy / detail.value_usd if detail.value_usd else None
        return EnergyImports(period, None, None, share, False, True,
                             f"share of HS 27 in imports from the region '{group_label(detail.partner)}', "
                             f"standing in for {p.partner}",
                             detail.served)
    coverage = detail.value_usd / imports if imports else None
    whole_chapter = detail.level == 2 or (coverage is not None and coverage >= FULL_COVERAGE)
    if whole_chapter:
        return EnergyImports(period, energy, energy, energy / imports if imports else None, True, False,
                             f"HS 27 as published for {p.partner}", detail.served)
    return EnergyImports(period, None, energy, None, False, False,
                         f"the HS{detail.level} detail for {p.partner} covers {coverage:.1%} of imports "
                         f"({len(lines(store, detail))} lines): HS 27 is at least {energy / 1e6:,.2f} US$ mn"
                         if coverage is not None else f"partial HS{detail.level} detail for {p.partner}",
                         detail.served)

# -- energy history (the target tracker's energy component) ------------------------------------------
#: for the energy history: own detail summing to at least this share of imports gives HS 27 exactly
ENERGY_FULL_COVERAGE = 0.9
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


def _energy_detail(store: Store, reporter: str, partner: str, periods: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Import detail and its HS 27 part per period, per (partner or region, level, quality).

    One query for all ``periods``.
    """
    rows = store.con.execute(
        f"""
        WITH report_flows AS ({REPORT_FLOWS})
        SELECT period, partner, product_level, quality, string_agg(DISTINCT release, ', '), sum(value_usd),
               coalesce(sum(value_usd) FILTER (WHERE left(product, 2) = $ch), 0),
               bool_or(product_level = 2 AND product = $ch), source, estimate
        FROM report_flows
        WHERE reporter = $r AND list_contains($partners, partner) AND flow = 'import'
              AND list_contains($periods, period) AND product_level >= 2
        GROUP BY period, partner, product_level, quality, source, estimate
        ORDER BY period, partner = $p DESC, product_level
        """, {"r": reporter, "p": partner, "partners": [partner, *groups_containing(partner)], "periods": periods,
              "ch": ENERGY_CHAPTER}).fetchall()
    # one source per (period, partner): the best-ranked, so two loads of the same figures never add up
    best: dict[tuple[str, str], int] = {}
    for r in rows:
        rule = _rank(r[8], r[9])
        if rule is not None:
            best[(r[0], r[1])] = min(best.get((r[0], r[1]), rule.rank), rule.rank)
    out: dict[str, list[tuple[Any, ...]]] = {}
    for r in rows:
        rule = _rank(r[8], r[9])
        if rule is not None and rule.rank == best[(r[0], r[1])]:
            out.setdefault(r[0], []).append(r[1:8])
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
        if total >= ENERGY_FULL_COVERAGE * imports and ch27 > 0:
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
    detail = _energy_detail(store, pair.reporter, pair.partner, [y.period for y in series])
    return [p for y in series if (p := energy_point(pair, y, detail.get(y.period, []))) is not None]
