"""The indicator panel of one pair and period: each indicator's value, metadata, note and releases.

Computed from what the read layer returned (:class:`PanelInputs`, gathered by
:func:`bilateral.models.indicators.summary`): this module reads nothing itself. An indicator whose
inputs do not cover what it claims to measure prints no value: ``note`` says why and what to load to
compute it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bilateral.harmonise.hs import section_of
from bilateral.harmonise.pairs import Pair
from bilateral.harmonise.periods import parse_period
from bilateral.indicators import trade
from bilateral.indicators.complementarity import Complementarity
from bilateral.indicators.metadata import describe

if TYPE_CHECKING:
    from bilateral.store.queries import Detail, EnergyImports, PeriodTotals, Served

__all__ = ["PARTNER_COVERAGE_MIN", "PRODUCT_COVERAGE_MIN", "PanelInputs", "panel", "section_shares"]

#: a partner distribution needs the partners to cover at least this share of the reporter's trade
PARTNER_COVERAGE_MIN = 0.5
#: a product distribution needs detail covering at least this share of the flow (and not top lines only)
PRODUCT_COVERAGE_MIN = 0.8


@dataclass(frozen=True)
class PanelInputs:
    """What a pair's indicator panel for one period is computed from, as the read layer served it."""

    pair: Pair
    series: Sequence[PeriodTotals]  # the pair's yearly totals of the period's kind
    year: PeriodTotals  # the period asked (in ``series``)
    export_detail: Detail | None  # the finest export detail that serves the period
    export_lines: Sequence[float]  # the values of its product lines (empty without detail)
    energy: EnergyImports | None  # HS 27 imports and how they were obtained
    partner_exports: Mapping[str, float]  # the reporter's exports to each partner in the period
    partner_served: Served | None  # who served them
    world: PeriodTotals | None  # the reporter's trade with the world in the period
    complementarity: Complementarity | None  # of the reporter's exports with the partner's imports
    complementarity_year: int | None  # the matrix year asked (None: the latest, for a fiscal year)
    complementarity_release: str  # the world matrix's release ("-" without one)
    complementarity_missing: str  # why there is no complementarity (empty when there is)


def section_shares(lines: Mapping[str, float]) -> dict[str, float]:
    """Share of each HS section in product lines (code → US$), sections in code order."""
    out: dict[str, float] = {}
    for code, value in lines.items():
        out[section_of(code)] = out.get(section_of(code), 0.0) + value
    total = sum(out.values())
    return {k: v / total for k, v in sorted(out.items())} if total else {}


def panel(inp: PanelInputs) -> list[dict[str, Any]]:
    """Every indicator's value for the pair and period, with metadata, note and releases."""
    pair, series, year = inp.pair, inp.series, inp.year
    by = {y.period: y for y in series}
    p = year.period
    here = parse_period(p)
    rows: list[dict[str, Any]] = []

    def add(name: str, value: float | None, note: str = "", releases: str = "") -> None:
        rows.append({**describe(name), "pair": pair.label, "period": p, "value": value, "note": note,
                     "releases": "" if releases == "-" else (releases or year.release)})

    exports, imports = year.exports_usd, year.imports_usd  # None where the period lacks the flow (never 0)

    def gap(*figures: str) -> str:
        """Why a value is not computed: the period's missing figures (with what would fill them)."""
        return "; ".join(f"{m.label} missing: {m.reason.split('; ')[0]}" for m in year.missing if m.figure in figures)

    add("trade_balance", year.balance_usd, gap("exports_usd", "imports_usd"))
    add("coverage_ratio", trade.safe_ratio(exports, imports), gap("exports_usd", "imports_usd"))
    exp = inp.export_detail
    exp_cov = trade.safe_ratio(exp.value_usd, exports) if exp else None
    add("detail_coverage", exp_cov, f"exports, HS{exp.level} detail" if exp else "no export detail for this period",
        exp.release if exp else "-")

    energy = inp.energy
    if energy is None:
        add("energy_share_imports", None, "no import detail for this period: load the partner's imports by HS chapter "
            "(e.g. `bilateral ingest comtrade --level 2` or `bilateral ingest baci`)", "-")
    elif energy.exact or energy.proxy:
        add("energy_share_imports", energy.share, energy.basis if energy.proxy else "", energy.served.release)
    else:
        add("energy_share_imports", None, f"not computed: {energy.basis}; load complete imports by HS chapter",
            energy.served.release)

    if exp is None:
        add("hhi_products", None, "no export detail for this period", "-")
    elif "top_n" in exp.quality or (exp_cov is not None and exp_cov < PRODUCT_COVERAGE_MIN):
        add("hhi_products", None, f"not computed: the export detail (HS{exp.level}, {exp.lines} lines) covers "
            f"{exp_cov:.1%} of exports" if exp_cov is not None else "not computed: partial export detail", exp.release)
    else:
        values = list(inp.export_lines)
        cov = f", covering {exp_cov:.1%} of exports" if exp_cov is not None and exp_cov < 0.995 else ""
        add("hhi_products", trade.hhi(values), f"exports, {len(values):,} HS{exp.level} lines{cov}", exp.release)

    by_partner, served, world = inp.partner_exports, inp.partner_served, inp.world
    covered = trade.safe_ratio(sum(by_partner.values()), world.exports_usd) if world and by_partner else None
    if not by_partner or served is None:
        add("hhi_partners", None, f"no exports by partner for {pair.reporter} in {p}", "-")
    elif len(by_partner) < 2 or covered is None or covered < PARTNER_COVERAGE_MIN:
        what = f"{len(by_partner)} partner(s)" + (f", {covered:.1%} of {pair.reporter}'s exports" if covered else "")
        add("hhi_partners", None, f"not computed: exports by partner in {p} cover {what}; load {pair.reporter}'s "
            "exports to every partner for the period", served.release)
    else:
        add("hhi_partners", trade.hhi(list(by_partner.values())),
            f"{pair.reporter}'s exports over {len(by_partner)} partners ({served.basis}), covering {covered:.1%} of "
            f"its exports to the world", served.release)

    if world is not None and world.complete:
        releases = ", ".join(dict.fromkeys([*year.release.split(", "), *world.release.split(", ")]))
        add("partner_share_exports", trade.safe_ratio(exports, world.exports_usd),
            gap("exports_usd") or f"{pair.partner} in {pair.reporter}'s exports to the world", releases)
        add("partner_share_imports", trade.safe_ratio(imports, world.imports_usd), gap("imports_usd"), releases)
        add("partner_share_trade", trade.safe_ratio(year.total_usd, world.total_usd), gap("exports_usd", "imports_usd"),
            releases)
    else:
        for name in ("partner_share_exports", "partner_share_imports", "partner_share_trade"):
            add(name, None, f"needs {pair.reporter}'s trade with the world in {p}, which the store does not hold", "-")

    add("rca", None, "one value per product: `bilateral rca --year 2024` gives Balassa RCA for every exporter × HS6 "
        "from the world matrix (embedded CEPII BACI 2024, or a year loaded with `bilateral ingest baci`)", "-")
    add("trade_complementarity", *_complementarity(inp))
    prev = by.get(here.shift(-1).label)
    growth = trade.yoy(prev.total_usd if prev else None, year.total_usd)
    add("yoy_growth", growth, "total trade" if growth is not None else
        gap("exports_usd", "imports_usd") or f"total trade: needs {here.shift(-1).label}, which the store does not hold")
    first = next((y for y in series if y.total_usd is not None), series[0])
    n = here.year - parse_period(first.period).year
    if n > 0 and first.total_usd is not None and year.total_usd is not None:
        add("cagr", trade.cagr(first.total_usd, year.total_usd, n), f"total trade {first.period}–{p}")
    elif year.total_usd is None:
        add("cagr", None, gap("exports_usd", "imports_usd"), "-")
    else:
        add("cagr", None, f"{p} is the first period of the series: no growth to compute", "-")
    return rows


def _complementarity(inp: PanelInputs) -> tuple[float | None, str, str]:
    """Trade complementarity of the reporter's exports with the partner's imports, from the world matrix.

    The matrix counts calendar years: for a fiscal-year period the latest matrix year serves, and the
    note says which year it is (the index changes slowly; it is never presented as the fiscal year's).
    """
    tc, pair = inp.complementarity, inp.pair
    if tc is None:
        return None, f"{inp.complementarity_missing}; load the partner's imports by product with `bilateral ingest baci`", "-"
    when = f"CY{tc.year}" if inp.complementarity_year is None else ""
    return (tc.index, f"{pair.reporter}'s exports vs {pair.partner}'s imports at HS6 over {tc.products:,} products"
            + (f", from the {when} world matrix (a calendar year, shown beside the fiscal year)" if when else ""),
            inp.complementarity_release)
