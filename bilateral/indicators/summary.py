"""Indicator values for one pair and fiscal year, each with its metadata and sources.

Where the store lacks the data an indicator needs, its value is None and ``note`` says what to load.
"""

from __future__ import annotations

from typing import Any

from bilateral.api import Pair
from bilateral.harmonise.hs import section_of
from bilateral.harmonise.periods import parse_fy
from bilateral.indicators import trade
from bilateral.indicators.metadata import describe
from bilateral.store.db import Store


def composition_by_section(store: Store, pair: Pair, flow: str, period: str) -> dict[str, float]:
    """Share of each HS section in the finest product detail of a flow (region proxy for imports)."""
    d = trade.finest_detail(store, pair.reporter, pair.partner, flow, period)
    if d is None:
        d = trade.region_detail(store, pair.reporter, pair.partner, flow, period)
    if d is None:
        return {}
    rows = store.con.execute(
        "SELECT product, value_usd FROM flows WHERE reporter = ? AND partner = ? AND flow = ? AND period = ? "
        "AND product_level = ?", [pair.reporter, d["partner"], flow, period, d["level"]]).fetchall()
    out: dict[str, float] = {}
    for code, value in rows:
        out[section_of(code)] = out.get(section_of(code), 0.0) + float(value)
    total = sum(out.values())
    return {k: v / total for k, v in sorted(out.items())} if total else {}


def summary(store: Store, pair: Pair, fy: str | None = None) -> list[dict[str, Any]]:
    """Every indicator's value for a pair and fiscal year, with metadata, note and releases."""
    series, year = trade.official_year(store, pair.reporter, pair.partner, fy)
    by = {y.period: y for y in series}
    p = year.period
    rows: list[dict[str, Any]] = []

    def add(name: str, value: float | None, note: str = "", releases: str = "") -> None:
        rows.append({**describe(name), "pair": pair.label, "period": p, "value": value, "note": note,
                     "releases": "" if releases == "-" else (releases or year.release)})

    add("trade_balance", year.balance_usd)
    add("coverage_ratio", trade.safe_ratio(year.exports_usd, year.imports_usd))
    exp = trade.finest_detail(store, pair.reporter, pair.partner, "export", p)
    add("detail_coverage", trade.safe_ratio(exp["value_usd"], year.exports_usd) if exp else None,
        "exports" if exp else "no export detail for this year", exp["release"] if exp else "")
    imp = trade.finest_detail(store, pair.reporter, pair.partner, "import", p)
    proxy = ""
    if imp is None:
        imp = trade.region_detail(store, pair.reporter, pair.partner, "import", p)
        proxy = f"region {imp['partner']} as a proxy" if imp else ""
    energy = None
    if imp is not None:
        row = store.con.execute(
            "SELECT sum(value_usd) FROM flows WHERE reporter = ? AND partner = ? AND flow = 'import' AND period = ? "
            "AND product_level = ? AND left(product, 2) = '27'", [pair.reporter, imp["partner"], p, imp["level"]]
        ).fetchone()
        energy = trade.safe_ratio(float(row[0] or 0.0) if row else 0.0, imp["value_usd"])
    add("energy_share_imports", energy, proxy or ("" if imp else "no import detail for this year"),
        imp["release"] if imp else "")
    if exp is not None:
        lines = store.con.execute(
            "SELECT value_usd FROM flows WHERE reporter = ? AND partner = ? AND flow = 'export' AND period = ? "
            "AND product_level = ?", [pair.reporter, pair.partner, p, exp["level"]]).fetchall()
        add("hhi_products", trade.hhi([float(r[0]) for r in lines]), f"exports, HS{exp['level']} lines",
            exp["release"])
    else:
        add("hhi_products", None, "no export detail for this year")
    partners = store.con.execute(
        "SELECT partner, sum(value_usd) FROM flows WHERE reporter = ? AND flow = 'export' AND period = ? "
        "AND product_level = 2 AND partner NOT LIKE '\\_%' ESCAPE '\\' AND partner <> 'WLD' GROUP BY 1",
        [pair.reporter, p]).fetchall()
    partner_release = store.con.execute(
        "SELECT string_agg(DISTINCT release, ', ') FROM flows WHERE reporter = ? AND flow = 'export' AND period = ? "
        "AND product_level = 2 AND partner NOT LIKE '\\_%' ESCAPE '\\' AND partner <> 'WLD'", [pair.reporter, p]).fetchone()
    add("hhi_partners", trade.hhi([float(r[1]) for r in partners]) if partners else None,
        f"{pair.reporter}'s exports over {len(partners)} partners" if partners else
        f"no exports by partner for {pair.reporter} in {p}", partner_release[0] if partner_release else "-")
    add("rca", None, "needs a world matrix of all exporters × products (e.g. a CEPII BACI year), which the "
        "store does not hold; the embedded data have one exporter (India)", "-")
    add("trade_complementarity", None,
        f"needs {pair.partner}'s imports by product (e.g. BACI or UN Comtrade data), which the store does not hold",
        "-")
    prev = by.get(parse_fy(p).shift(-1).label)
    add("yoy_growth", trade.yoy(prev.total_usd if prev else None, year.total_usd), "total trade")
    first = series[0]
    n = parse_fy(p).start_year - parse_fy(first.period).start_year
    add("cagr", trade.cagr(first.total_usd, year.total_usd, n), f"total trade {first.period}–{p}")
    return rows
