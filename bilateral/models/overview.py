"""`bilateral overview`: where a partnership stands in one fiscal year.

Official totals come first and are never replaced by sums of detail; the detail behind them is
shown with its coverage (sum of detail ÷ official total) and its caveats.
"""

from __future__ import annotations

from typing import Any

from bilateral.harmonise.pairs import Pair
from bilateral.harmonise.periods import parse_fy
from bilateral.harmonise.sectors import titles as sector_titles
from bilateral.indicators import trade
from bilateral.store.db import Store

TOP_PRODUCTS = 10
TOP_CHAPTERS = 10
SPARK_BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float]) -> str:
    """Unicode sparkline of a series (min → ▁, max → █)."""
    if not values:
        return ""
    lo, hi = min(values), max(values)
    span = hi - lo or 1.0
    return "".join(SPARK_BLOCKS[round((v - lo) / span * (len(SPARK_BLOCKS) - 1))] for v in values)


def _release_info(store: Store, releases: str) -> list[dict[str, Any]]:
    names = [r.strip() for r in releases.split(",")]
    marks = ",".join("?" * len(names))
    rows = store.con.execute(
        f"SELECT release, file, checksum, producer, url, accessed, version FROM releases "
        f"WHERE release IN ({marks}) ORDER BY release", names,
    ).fetchall()
    return [{"release": r[0], "file": r[1], "sha256": r[2], "producer": r[3], "url": r[4],
             "accessed": r[5], "version": r[6]} for r in rows]


def overview(store: Store, pair: Pair, fy: str | None = None) -> dict[str, Any]:
    """Build the overview of ``pair`` for fiscal year ``fy`` (default: the latest official one)."""
    series, year = trade.official_year(store, pair.reporter, pair.partner, fy)
    by_period = {y.period: y for y in series}
    period = year.period
    notes: list[str] = []
    if year.status != "final":
        notes.append(f"{period} figures are {year.status} and may be revised.")

    official = {
        "period": period, "status": year.status,
        "exports_usd": year.exports_usd, "imports_usd": year.imports_usd,
        "total_trade_usd": year.total_usd, "balance_usd": year.balance_usd,
        "source": {"publisher": year.publisher, "url": year.url,
                   "releases": _release_info(store, year.release)},
    }

    # -- detail behind the official totals ----------------------------------------------------
    exp = trade.finest_detail(store, pair.reporter, pair.partner, "export", period)
    imp = trade.finest_detail(store, pair.reporter, pair.partner, "import", period)
    imp_region = None if imp else trade.region_detail(store, pair.reporter, pair.partner, "import", period)
    detail: dict[str, Any] = {
        "exports_usd": exp["value_usd"] if exp else None,
        "coverage": trade.safe_ratio(exp["value_usd"], year.exports_usd) if exp else None,
        "exports_level": exp["level"] if exp else None,
        "exports_quality": exp["quality"] if exp else None,
        "imports_usd": imp["value_usd"] if imp else None,
        "imports_coverage": trade.safe_ratio(imp["value_usd"], year.imports_usd) if imp else None,
        "imports_level": imp["level"] if imp else None,
        "imports_quality": imp["quality"] if imp else None,
        "imports_region_usd": imp_region["value_usd"] if imp_region else None,
        "imports_region": imp_region["partner"] if imp_region else None,
        "imports_region_ratio": (trade.safe_ratio(imp_region["value_usd"], year.imports_usd)
                                 if imp_region else None),
        "sources": _release_info(store, ", ".join(
            d["release"] for d in (exp, imp, imp_region) if d)) if (exp or imp or imp_region) else [],
    }
    if exp is None:
        notes.append(f"No export product detail for {pair.label} in {period}.")
    elif exp["quality"] == "top_n":
        notes.append(f"Export detail for {period} is the ten largest HS chapters only "
                     f"({detail['coverage']:.0%} of the official total).")
    elif detail["coverage"] is not None and detail["coverage"] < 0.995:
        notes.append(
            f"Export detail (HS{exp['level']}) covers {detail['coverage']:.1%} of the official total; "
            "codes new in HS2022 and some petroleum products are missing from the source. The "
            "official total stands; detail is shown beside it, never in its place."
        )
    if imp is None and imp_region is not None:
        notes.append(
            f"Imports by chapter are for the region {imp_region['partner']} ('Other CIS countries': "
            f"Russia, Ukraine, Belarus, Armenia, Azerbaijan, Georgia, Moldova), not {pair.partner} "
            f"alone: the region's total is {detail['imports_region_ratio']:.1%} of official imports "
            f"from {pair.partner}."
        )
    elif imp is not None and imp["quality"] == "top_n":
        notes.append(f"Import detail for {period} is the ten largest HS chapters only "
                     f"({detail['imports_coverage']:.0%} of the official total).")
    elif imp is None:
        notes.append(f"No import product detail for {pair.label} in {period}.")

    # -- sectors and products (HS8 detail only, so years compare like with like) ------------
    hs8_years = trade.detail_periods(store, pair.reporter, pair.partner, "export", 8)
    sectors: list[dict[str, Any]] = []
    products: list[dict[str, Any]] = []
    window: dict[str, Any] = {}
    if period in hs8_years:
        first = hs8_years[0]
        prev = parse_fy(period).shift(-1).label
        n_years = parse_fy(period).start_year - parse_fy(first).start_year
        window = {"first": first, "last": period, "years": n_years}
        years = sorted({first, prev, period} & set(hs8_years))
        by_sector = trade.sector_values(store, pair.reporter, pair.partner, "export", years)
        world = trade.sector_values(store, pair.reporter, "WLD", "export", [period])
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
        by_hs4 = trade.product_values(store, pair.reporter, pair.partner, "export", years, 4)
        top = sorted(by_hs4.items(), key=lambda kv: -kv[1].get(period, 0.0))[:TOP_PRODUCTS]
        hs8 = trade.product_values(store, pair.reporter, pair.partner, "export", [period], 8)
        desc8 = trade.descriptions(store, list(hs8))
        chapters = trade.descriptions(store, sorted({code[:2] for code, _ in top}))
        for code, vals in top:
            lines = {k: v[period] for k, v in hs8.items() if k.startswith(code) and period in v}
            biggest = max(lines, key=lambda k: lines[k]) if lines else None
            products.append({
                "hs4": code, "chapter": chapters.get(code[:2], ""),
                "largest_line": biggest, "largest_line_description": desc8.get(biggest or "", ""),
                "value_usd": vals.get(period, 0.0), "yoy": trade.yoy(vals.get(prev), vals.get(period)),
                "cagr": trade.cagr(vals.get(first, 0.0), vals.get(period, 0.0), n_years),
            })
    elif hs8_years:
        notes.append(
            f"HS8 export detail (sectors, products) covers {hs8_years[0]} to {hs8_years[-1]}; for "
            f"sectors and products run `bilateral overview --fy {hs8_years[-1][2:]}`."
        )

    # -- imports by chapter --------------------------------------------------------------------
    chapters_src = imp if imp and imp["level"] == 2 else (imp_region or imp)
    imports_by_chapter: list[dict[str, Any]] = []
    if chapters_src is not None and chapters_src["level"] == 2:
        rows = store.con.execute(
            "SELECT product, value_usd FROM flows WHERE source = 'embedded' AND reporter = ? AND partner = ? AND "
            "flow = 'import' AND period = ? AND product_level = 2 ORDER BY value_usd DESC LIMIT ?",
            [pair.reporter, chapters_src["partner"], period, TOP_CHAPTERS],
        ).fetchall()
        names = trade.descriptions(store, [r[0] for r in rows])
        for code, value in rows:
            imports_by_chapter.append({
                "hs2": code, "description": names.get(code, ""), "value_usd": float(value),
                "share": trade.safe_ratio(float(value), chapters_src["value_usd"]),
                "partner": chapters_src["partner"],
            })

    exports_by_chapter: list[dict[str, Any]] = []
    if exp is not None and exp["level"] == 2:
        rows = store.con.execute(
            "SELECT product, value_usd FROM flows WHERE source = 'embedded' AND reporter = ? AND partner = ? AND "
            "flow = 'export' AND period = ? AND product_level = 2 ORDER BY value_usd DESC",
            [pair.reporter, pair.partner, period],
        ).fetchall()
        names = trade.descriptions(store, [r[0] for r in rows])
        exports_by_chapter = [{"hs2": c, "description": names.get(c, ""), "value_usd": float(v),
                               "share_of_official": trade.safe_ratio(float(v), year.exports_usd)}
                              for c, v in rows]

    totals = [y.total_usd for y in series]
    prev_year = by_period.get(parse_fy(period).shift(-1).label)
    return {
        "pair": pair.label, "period": period, "status": year.status,
        "official": official, "detail": detail,
        "series": [{"period": y.period, "exports_usd": y.exports_usd, "imports_usd": y.imports_usd,
                    "total_trade_usd": y.total_usd, "balance_usd": y.balance_usd, "status": y.status}
                   for y in series],
        "sparkline": sparkline(totals),
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

    off = result["official"]
    for k in ("exports_usd", "imports_usd", "total_trade_usd", "balance_usd"):
        add("official", off["status"], k, off[k], "USD")
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
