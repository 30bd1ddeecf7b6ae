"""Rich renderings of command results."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from bilateral.harmonise.countries import group_label

if TYPE_CHECKING:
    from bilateral.models.overview import Overview

MN = 1e6


def usd_mn(value: float | None) -> str:
    return "—" if value is None else f"{value / MN:,.2f}"


def pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:+.{digits}%}"


def share(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}%}"


def render_overview(result: Overview, console: Console) -> None:
    tot = result.totals
    off = result.official_source
    status = f" ({tot.status})" if tot.status else ""
    console.print(f"[bold]{result.pair} trade, {result.period}[/bold]{status} — US$ million")
    title = ("Official totals" if off else f"Totals (served by {tot.source}, grade {tot.grade})" if tot.served_flows
             else "Totals: none served (see Missing)")
    t = Table(title=title, title_justify="left")
    for col in ("measure", "US$ mn"):
        t.add_column(col, justify="right" if col != "measure" else "left")
    t.add_row("Total trade", usd_mn(tot.total_usd))
    t.add_row("Exports", usd_mn(tot.exports_usd))
    t.add_row("Imports", usd_mn(tot.imports_usd))
    t.add_row("Balance", usd_mn(tot.balance_usd))
    if result.total_yoy is not None:
        t.add_row("Total, change on previous year", pct(result.total_yoy))
    console.print(t)
    if off:
        files = ", ".join(f"{r.file} (sha256 {r.sha256[:12]})" for r in off.releases)
        console.print(f"Source: {off.publisher}, {off.url} — {files}")
    elif tot.served_flows:
        basis = "; ".join(f"{flow} {s.basis}" for flow, s in (("exports", tot.exports_served),
                                                               ("imports", tot.imports_served)) if s)
        console.print(f"Source: {tot.source} ({basis}), quality {tot.quality} (grade {tot.grade}) — release {tot.release}")
    render_missing(result.missing, console)

    series = [y for y in result.series if y.total_usd is not None]
    if len(series) > 1:
        console.print(f"Total trade {series[0].period}–{series[-1].period}: {result.sparkline} "
                      f"({usd_mn(series[0].total_usd)} → {usd_mn(series[-1].total_usd)})")

    det = result.detail
    if det.exports or det.imports or det.imports_region:
        d = Table(title="Detail behind the totals", title_justify="left")
        d.add_column("measure")
        d.add_column("US$ mn", justify="right")
        d.add_column("of total", justify="right")
        if det.exports:
            d.add_row(f"Exports, sum of HS{det.exports.level} detail", usd_mn(det.exports.value_usd), share(det.coverage))
        if det.imports:
            d.add_row(f"Imports, sum of HS{det.imports.level} detail", usd_mn(det.imports.value_usd),
                      share(det.imports_coverage))
        if det.imports_region:
            d.add_row(f"Imports from region '{group_label(det.imports_region.partner)}' (proxy)",
                      usd_mn(det.imports_region.value_usd), share(det.imports_region_ratio))
        console.print(d)

    if result.sectors and det.exports:
        w = result.window
        span = f"; CAGR {w.first}–{w.last}" if w and w.years else ""
        s = Table(title=f"Exports by sector (HS{det.exports.level} detail{span})", title_justify="left")
        for col in ("sector", "US$ mn", "share", "YoY", "CAGR", f"{result.pair[-3:]} share of {result.pair[:3]} exports"):
            s.add_column(col, justify="left" if col == "sector" else "right")
        for r in result.sectors:
            s.add_row(r.title, usd_mn(r.value_usd), share(r.share_of_detail), pct(r.yoy), pct(r.cagr),
                      share(r.partner_share_of_reporter_exports, 2))
        console.print(s)
    if result.top_products:
        p = Table(title="Top HS4 export products", title_justify="left")
        for col in ("HS4", "largest line", "US$ mn", "YoY", "CAGR"):
            p.add_column(col, justify="right" if col in ("US$ mn", "YoY", "CAGR") else "left")
        for pr in result.top_products:
            line = f"{pr.largest_line or ''} {pr.largest_line_description}".strip()
            p.add_row(pr.hs4, line, usd_mn(pr.value_usd), pct(pr.yoy), pct(pr.cagr))
        console.print(p)
    if result.exports_by_chapter:
        e = Table(title="Exports by HS chapter (largest chapters published)", title_justify="left")
        for col in ("HS2", "chapter", "US$ mn", "of official"):
            e.add_column(col, justify="right" if col in ("US$ mn", "of official") else "left")
        for ec in result.exports_by_chapter:
            e.add_row(ec.hs2, ec.description, usd_mn(ec.value_usd), share(ec.share_of_official))
        console.print(e)
    if result.imports_by_chapter:
        who = result.imports_by_chapter[0].partner
        label = f"region '{group_label(who)}', a proxy" if who.startswith("_") else who
        i = Table(title=f"Imports by HS chapter ({label})", title_justify="left")
        for col in ("HS2", "chapter", "US$ mn", "share"):
            i.add_column(col, justify="right" if col in ("US$ mn", "share") else "left")
        for ic in result.imports_by_chapter:
            i.add_row(ic.hs2, ic.description, usd_mn(ic.value_usd), share(ic.share))
        console.print(i)
    for note in result.notes:
        console.print(f"[yellow]Note:[/yellow] {note}")


def render_missing(missing: Any, console: Console) -> None:
    """One line per figure not served: what is missing, why (from the data), what would fill it."""
    for m in missing:
        if m.figure == "balance_usd":
            continue  # missing for the same reason as total trade
        label = "total trade and balance" if m.figure == "total_trade_usd" else m.label
        fill = f" To fill it: {m.remedy}." if m.remedy else ""
        console.print(f"[yellow]Missing:[/yellow] {label} — {m.reason}.{fill}")


def render_indicators(rows: list[dict[str, Any]], console: Console) -> None:
    period = rows[0]["period"] if rows else ""
    t = Table(title=f"Indicators, {rows[0]['pair'] if rows else ''} {period}", title_justify="left")
    for c in ("indicator", "unit", "value", "note / what to load", "release"):
        t.add_column(c, justify="right" if c == "value" else "left")
    for r in rows:
        v = r.get("value")
        text = "—" if v is None else (f"{v / 1e6:,.2f} mn" if r["unit"] == "US$" else f"{v:,.4f}")
        t.add_row(r["title"], r["unit"], text, r["note"], r["releases"].replace("embedded/", ""))
    console.print(t)
    console.print("Definitions: `bilateral indicators --format json` or bilateral/indicators/indicators.yml.")


#: what to load when a source holds no flows for a pair ({reporter}, {partner}, {level} filled in)
INGEST_ADVICE = {
    "comtrade": "load them with `bilateral ingest comtrade --reporter {reporter} --partner {partner} --level {level}` "
                "(mirror estimates need the partner's reports: ingest the reverse pair too)",
    "mirror": "mirror estimates come from the partner's reports: `bilateral ingest comtrade --reporter {partner} "
              "--partner {reporter}` and the pair itself",
    "baci": "load a CEPII BACI release that holds the pair: `bilateral ingest baci BACI_HS17_V202501.zip`",
    "eidb": "load India's EIDB files: `bilateral ingest eidb PATH` (commodity pages JSON, region CSVs)",
    "embedded": "the embedded data hold India's trade only (IND-…); load another source for this pair",
    "official": "official totals ship for IND-RUS only; load another source for this pair",
    "any": "load them with `bilateral ingest baci PATH` or `bilateral ingest comtrade --reporter {reporter} "
           "--partner {partner} --level {level}`",
}


def render_flows(label: str, source: str | None, level: int, rows: list[dict[str, Any]], console: Console) -> None:
    t = Table(title=f"{label} flows ({source or 'best source per figure'}, HS level {level}); grade A best … D",
              title_justify="left")
    for c in ("period", "flow", "US$ mn", "source", "basis", "grade"):
        t.add_column(c, justify="right" if c == "US$ mn" else "left", no_wrap=c in ("period", "US$ mn"))
    for r in rows:
        t.add_row(r["period"], r["flow"], f"{r['value_usd'] / 1e6:,.2f}", r["source"], r["basis"], r["grade"])
    console.print(t)
    releases = sorted({rel for r in rows for rel in r['release'].split(', ')})
    console.print(f"Releases: {', '.join(releases)} (provenance: `bilateral releases`)")
