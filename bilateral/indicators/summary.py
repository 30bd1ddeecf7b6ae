"""Indicator values for one pair and fiscal year, each with its metadata and sources.

Where the store lacks the data an indicator needs, its value is None and ``note`` says what to load.
"""

from __future__ import annotations

from typing import Any

from bilateral.harmonise.hs import section_of
from bilateral.harmonise.pairs import Pair
from bilateral.harmonise.periods import parse_fy
from bilateral.indicators import trade
from bilateral.indicators.metadata import describe
from bilateral.store.db import Store


def composition_by_section(store: Store, pair: Pair, flow: str, period: str) -> dict[str, float]:
    """Share of each HS section in the finest product detail of a flow (region proxy for imports)."""
    d = trade.best_detail(store, pair.reporter, pair.partner, flow, period)
    if d is None:
        return {}
    rows = store.con.execute(
        "SELECT product, value_usd FROM flows WHERE source = 'embedded' AND reporter = ? AND partner = ? "
        "AND flow = ? AND period = ? "
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
    found = trade.energy_share(store, pair.reporter, pair.partner, p)
    if found is None:
        add("energy_share_imports", None, "no import detail for this year", "-")
    else:
        share, imp = found
        proxy = f"region {imp['partner']} as a proxy" if imp["partner"] != pair.partner else ""
        add("energy_share_imports", share, proxy, imp["release"])
    if exp is not None:
        lines = store.con.execute(
            "SELECT value_usd FROM flows WHERE source = 'embedded' AND reporter = ? AND partner = ? "
            "AND flow = 'export' AND period = ? "
            "AND product_level = ?", [pair.reporter, pair.partner, p, exp["level"]]).fetchall()
        add("hhi_products", trade.hhi([float(r[0]) for r in lines]), f"exports, HS{exp['level']} lines",
            exp["release"])
    else:
        add("hhi_products", None, "no export detail for this year")
    partners = store.con.execute(
        "SELECT partner, sum(value_usd), string_agg(DISTINCT release, ', ') FROM flows "
        "WHERE source = 'embedded' AND reporter = ? "
        "AND flow = 'export' AND period = ? AND product_level = 2 AND partner NOT LIKE '\\_%' ESCAPE '\\' "
        "AND partner <> 'WLD' GROUP BY 1", [pair.reporter, p]).fetchall()
    partner_releases = ", ".join(sorted({rel for r in partners for rel in r[2].split(", ")})) or "-"
    add("hhi_partners", trade.hhi([float(r[1]) for r in partners]) if partners else None,
        f"{pair.reporter}'s exports over {len(partners)} partners" if partners else
        f"no exports by partner for {pair.reporter} in {p}", partner_releases)
    add("rca", None, "needs a world matrix of all exporters × products: load a CEPII BACI release with "
        "`bilateral ingest baci` and compute it per product with `bilateral.indicators.rca.rca_baci` "
        "(the embedded data have one exporter, India)", "-")
    add("trade_complementarity", None,
        f"needs {pair.partner}'s imports by product (e.g. `bilateral ingest baci` or `bilateral ingest comtrade`), "
        "which the embedded data do not hold",
        "-")
    prev = by.get(parse_fy(p).shift(-1).label)
    add("yoy_growth", trade.yoy(prev.total_usd if prev else None, year.total_usd), "total trade")
    first = series[0]
    n = parse_fy(p).start_year - parse_fy(first.period).start_year
    add("cagr", trade.cagr(first.total_usd, year.total_usd, n), f"total trade {first.period}–{p}")
    return rows
