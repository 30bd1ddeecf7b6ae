"""`bilateral overview`: where a partnership stands in one year (fiscal or calendar).

Every figure is read through the read layer (:mod:`bilateral.store.queries`), which picks the one
source that serves it. Official totals come first and are never replaced by sums of detail; the
detail behind them is shown with its coverage (sum of detail ÷ total) and caveats drawn from the data.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from bilateral.harmonise.countries import group_label, group_members
from bilateral.harmonise.pairs import Pair
from bilateral.harmonise.periods import parse_period
from bilateral.harmonise.sectors import titles as sector_titles
from bilateral.indicators import trade
from bilateral.store import queries
from bilateral.store.db import Store

TOP_PRODUCTS = 10
TOP_CHAPTERS = 10
SPARK_BLOCKS = "▁▂▃▄▅▆▇█"
#: detail below this share of its total gets a visible caveat naming what is missing
COVERAGE_CAVEAT = 0.90
#: coverage of the first and last year of a growth window may differ by this much before it is flagged
COVERAGE_BREAK = 0.05
#: detail at or above this share of its total is complete (rounding in the source)
FULL = 0.995


def sparkline(values: list[float]) -> str:
    """Unicode sparkline of a series (min → ▁, max → █)."""
    if not values:
        return ""
    lo, hi = min(values), max(values)
    span = hi - lo or 1.0
    return "".join(SPARK_BLOCKS[round((v - lo) / span * (len(SPARK_BLOCKS) - 1))] for v in values)


def _release_info(store: Store, releases: str) -> list[dict[str, Any]]:
    return [{k: v for k, v in asdict(r).items() if k != "licence"} for r in queries.release_info(store, releases)]


def _region_note(region: str, partner: str, ratio: float | None) -> str:
    members = ", ".join(sorted(group_members().get(region, frozenset())))
    share = f"{ratio:.1%}" if ratio is not None else "an unknown share"
    return (f"Imports by chapter are for the region '{group_label(region)}' ({members}), not {partner} alone: "
            f"the region's total is {share} of imports from {partner}.")


def overview(store: Store, pair: Pair, period: str | None = None) -> dict[str, Any]:
    """Build the overview of ``pair`` for ``period`` (FY2024-25, CY2022; default: the latest served)."""
    series, year = queries.period_totals(store, pair, period)
    by_period = {y.period: y for y in series}
    period = year.period
    here = parse_period(period)
    notes: list[str] = []
    exports_usd, imports_usd = float(year.exports_usd or 0.0), float(year.imports_usd or 0.0)
    official_served = year.source == queries.OFFICIAL
    if official_served and year.status not in ("final", ""):
        notes.append(f"{period} figures are {year.status} and may be revised.")
    if not official_served:
        notes.append(f"No official totals for {pair.label} in {period}: the totals are served by {year.source} "
                     f"({year.exports_served.basis if year.exports_served else ''}; quality grade {year.grade}).")
    totals = year.to_dict()
    meta = queries.official_meta(store, pair.reporter, pair.partner, period) if official_served else None
    official: dict[str, Any] | None = None
    if official_served:
        official = {
            "period": period, "status": year.status,
            "exports_usd": exports_usd, "imports_usd": imports_usd,
            "total_trade_usd": year.total_usd, "balance_usd": year.balance_usd,
            "source": {"publisher": meta[0] if meta else "", "url": meta[1] if meta else "",
                       "releases": _release_info(store, year.release)},
        }

    # -- detail behind the totals -------------------------------------------------------------------
    exp = queries.finest_detail(store, pair.reporter, pair.partner, "export", period)
    imp = queries.finest_detail(store, pair.reporter, pair.partner, "import", period)
    imp_region = None if imp else queries.region_detail(store, pair.reporter, pair.partner, "import", period)
    coverage = trade.safe_ratio(exp.value_usd, exports_usd) if exp else None
    imports_coverage = trade.safe_ratio(imp.value_usd, imports_usd) if imp else None
    region_ratio = trade.safe_ratio(imp_region.value_usd, imports_usd) if imp_region else None
    detail: dict[str, Any] = {
        "exports_usd": exp.value_usd if exp else None,
        "coverage": coverage,
        "exports_level": exp.level if exp else None,
        "exports_quality": exp.quality if exp else None,
        "imports_usd": imp.value_usd if imp else None,
        "imports_coverage": imports_coverage,
        "imports_level": imp.level if imp else None,
        "imports_quality": imp.quality if imp else None,
        "imports_region_usd": imp_region.value_usd if imp_region else None,
        "imports_region": imp_region.partner if imp_region else None,
        "imports_region_ratio": region_ratio,
        "sources": _release_info(store, ", ".join(d.release for d in (exp, imp, imp_region) if d)),
        "served_by": {k: asdict(d.served) for k, d in (("exports", exp), ("imports", imp), ("imports_region", imp_region))
                      if d is not None},
    }
    for flow, d, cov in (("Export", exp, coverage), ("Import", imp, imports_coverage)):
        if d is None:
            if flow == "Import" and imp_region is not None:
                continue
            notes.append(f"No {flow.lower()} product detail for {pair.label} in {period}.")
        elif "top_n" in d.quality:
            notes.append(f"{flow} detail for {period} is the largest HS{d.level} lines only "
                         f"({cov:.0%} of the total)." if cov is not None else
                         f"{flow} detail for {period} is the largest HS{d.level} lines only.")
        elif cov is not None and cov < COVERAGE_CAVEAT:
            notes.append(f"{flow} detail (HS{d.level}, {d.lines:,} lines, {d.release}) covers {cov:.1%} of the "
                         f"total: {1 - cov:.1%} ({(1 - cov) * (exports_usd if flow == 'Export' else imports_usd) / 1e6:,.2f} "
                         "US$ mn) is not in the product detail. The total stands; detail is shown beside it, "
                         "never in its place.")
        elif cov is not None and cov < FULL:
            notes.append(f"{flow} detail (HS{d.level}) covers {cov:.1%} of the total.")
    if imp is None and imp_region is not None:
        notes.append(_region_note(imp_region.partner, pair.partner, region_ratio))

    # -- sectors and products (one level of detail, so years compare like with like) ----------------
    level = exp.level if exp else None
    detail_years = (queries.detail_periods(store, pair.reporter, pair.partner, "export", level)
                    if level and level >= 4 else [])
    detail_years = [y for y in detail_years if parse_period(y).kind == here.kind and y <= period]
    sectors: list[dict[str, Any]] = []
    products: list[dict[str, Any]] = []
    window: dict[str, Any] = {}
    if exp is not None and period in detail_years:
        first = detail_years[0]
        prev = here.shift(-1).label
        n_years = here.year - parse_period(first).year
        first_total = by_period.get(first)
        first_detail = queries.finest_detail(store, pair.reporter, pair.partner, "export", first)
        first_cov = (trade.safe_ratio(first_detail.value_usd, first_total.exports_usd)
                     if first_detail and first_total else None)
        window = {"first": first, "last": period, "years": n_years, "first_coverage": first_cov,
                  "last_coverage": coverage}
        if n_years > 0 and first_cov is not None and coverage is not None and abs(first_cov - coverage) > COVERAGE_BREAK:
            window["coverage_break"] = True
            notes.append(f"Growth rates (CAGR {first}–{period}) compare detail covering {first_cov:.0%} of exports "
                         f"in {first} with {coverage:.0%} in {period}: part of the change is coverage, not trade.")
        years = sorted({first, prev, period} & set(detail_years))
        by_sector = queries.sector_values(store, pair.reporter, pair.partner, "export", years)
        world = queries.sector_values(store, pair.reporter, queries.WORLD, "export", [period])
        total = sum(v.get(period, 0.0) for v in by_sector.values())
        for sid, title in sector_titles().items():
            vals = by_sector.get(sid, {})
            value = vals.get(period, 0.0)
            w = world.get(sid, {}).get(period)
            sectors.append({
                "sector": sid, "title": title, "value_usd": value,
                "share_of_detail": trade.safe_ratio(value, total),
                "yoy": trade.yoy(vals.get(prev), value),
                "cagr": trade.cagr(vals.get(first, 0.0), value, n_years),
                "partner_share_of_reporter_exports": trade.safe_ratio(value, w),
            })
        sectors.sort(key=lambda r: -r["value_usd"])
        by_hs4 = queries.product_values(store, pair.reporter, pair.partner, "export", years, 4)
        top = sorted(by_hs4.items(), key=lambda kv: -kv[1].get(period, 0.0))[:TOP_PRODUCTS]
        finest = queries.lines(store, exp)
        chapters = queries.descriptions(store, sorted({code[:2] for code, _ in top}))
        biggest_of = {code: max((k for k in finest if k.startswith(code)), key=lambda k: finest[k], default=None)
                      for code, _ in top}
        desc = queries.descriptions(store, [b for b in biggest_of.values() if b])
        for code, vals in top:
            biggest = biggest_of[code]
            products.append({
                "hs4": code, "chapter": chapters.get(code[:2], ""),
                "largest_line": biggest, "largest_line_description": desc.get(biggest or "", ""),
                "value_usd": vals.get(period, 0.0), "yoy": trade.yoy(vals.get(prev), vals.get(period)),
                "cagr": trade.cagr(vals.get(first, 0.0), vals.get(period, 0.0), n_years),
            })
    elif level and level >= 4 and detail_years:
        notes.append(
            f"HS{level} export detail (sectors, products) covers {detail_years[0]} to {detail_years[-1]}; for "
            f"sectors and products run `bilateral overview --period {detail_years[-1]}`.")

    # -- imports and exports by chapter -------------------------------------------------------------
    complete_imports = imp is not None and (imp.level == 2 or (imports_coverage or 0.0) >= COVERAGE_CAVEAT)
    chapters_src = imp if complete_imports else imp_region
    imports_by_chapter: list[dict[str, Any]] = []
    if chapters_src is not None:
        rows = sorted(queries.lines(store, chapters_src, 2).items(), key=lambda kv: -kv[1])[:TOP_CHAPTERS]
        names = queries.descriptions(store, [c for c, _ in rows])
        imports_by_chapter = [{"hs2": code, "description": names.get(code, ""), "value_usd": value,
                               "share": trade.safe_ratio(value, chapters_src.value_usd),
                               "partner": chapters_src.partner} for code, value in rows]
    exports_by_chapter: list[dict[str, Any]] = []
    if exp is not None and exp.level == 2:
        rows = sorted(queries.lines(store, exp, 2).items(), key=lambda kv: -kv[1])
        names = queries.descriptions(store, [c for c, _ in rows])
        exports_by_chapter = [{"hs2": c, "description": names.get(c, ""), "value_usd": v,
                               "share_of_official": trade.safe_ratio(v, exports_usd)} for c, v in rows]

    prev_year = by_period.get(here.shift(-1).label)
    return {
        "pair": pair.label, "period": period, "status": year.status,
        "totals": totals, "official": official, "detail": detail,
        "series": [{"period": y.period, "exports_usd": y.exports_usd, "imports_usd": y.imports_usd,
                    "total_trade_usd": y.total_usd, "balance_usd": y.balance_usd, "status": y.status,
                    "source": y.source} for y in series],
        "sparkline": sparkline([float(y.total_usd or 0.0) for y in series]),
        "growth": {
            "total_yoy": trade.yoy(prev_year.total_usd if prev_year else None, year.total_usd),
            "window": window,
        },
        "sectors": sectors, "top_products": products, "imports_by_chapter": imports_by_chapter,
        "exports_by_chapter": exports_by_chapter, "notes": notes,
    }


def records(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The overview flattened to one table (section, item, measure, value, unit) for CSV/Parquet."""
    out: list[dict[str, Any]] = []
    period = result["period"]

    def add(section: str, item: str, measure: str, value: Any, unit: str) -> None:
        out.append({"pair": result["pair"], "period": period, "section": section, "item": item,
                    "measure": measure, "value": value, "unit": unit})

    tot = result["totals"]
    for k in ("exports_usd", "imports_usd", "total_trade_usd", "balance_usd"):
        add("official" if result["official"] else tot["source"], tot["status"], k, tot[k], "USD")
    det = result["detail"]
    for k in ("exports_usd", "imports_usd", "imports_region_usd"):
        if det[k] is not None:
            add("detail", det.get("imports_region") or "", k, det[k], "USD")
    if det["coverage"] is not None:
        add("detail", "exports", "coverage", det["coverage"], "ratio")
    for s in result["sectors"]:
        for k in ("value_usd", "yoy", "cagr", "partner_share_of_reporter_exports"):
            add("sector", s["sector"], k, s[k], "USD" if k == "value_usd" else "ratio")
    for p in result["top_products"]:
        for k in ("value_usd", "yoy", "cagr"):
            add("product_hs4", p["hs4"], k, p[k], "USD" if k == "value_usd" else "ratio")
    for c in result["imports_by_chapter"]:
        add(f"imports_hs2_{c['partner']}", c["hs2"], "value_usd", c["value_usd"], "USD")
    for c in result["exports_by_chapter"]:
        add("exports_hs2", c["hs2"], "value_usd", c["value_usd"], "USD")
    for y in result["series"]:
        add("series", y["period"], "total_trade_usd", y["total_trade_usd"], "USD")
    return out
