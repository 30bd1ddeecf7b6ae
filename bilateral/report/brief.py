"""The brief: one self-contained HTML document with every capability's headline for a pair.

``build_brief(store, pair)`` gathers the sections (overview, target, top untapped products by
sector, corridor comparison, settlement path, agenda status) through the dashboard's adapters;
``render_html(brief)`` writes them into one HTML file with plotly.js, the chart script and the
world outlines inlined, so it opens offline. A section whose capability cannot answer for the
pair (no data loaded, no target on file) says why instead of failing the whole brief.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from bilateral.errors import BilateralError

__all__ = ["BRIEF_SECTIONS", "Brief", "Section", "build_brief", "find_chromium", "render_html", "write_pdf"]

#: section ids in the order the brief shows them
BRIEF_SECTIONS: tuple[str, ...] = ("overview", "target", "potential", "corridors", "settlement", "agenda")
#: products per sector in the "top untapped by sector" table, and how many products are ranked
PRODUCTS_PER_SECTOR = 3
RANKED_PRODUCTS = 200
#: Chromium binaries tried for --pdf, in order
CHROMIUM_CANDIDATES: tuple[str, ...] = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
#: time Chromium gives the page's scripts to draw the charts before printing (ms), and the overall limit (s)
PDF_SCRIPT_BUDGET_MS = 10_000
PDF_TIMEOUT_S = 120


@dataclass(frozen=True)
class Section:
    """One section of the brief: its headline figures, charts, tables, or why it is not available."""

    id: str
    title: str
    kpis: tuple[tuple[str, str], ...] = ()
    charts: tuple[Any, ...] = ()  # bilateral.web.charts.Chart
    tables: tuple[tuple[str, tuple[str, ...], tuple[tuple[Any, ...], ...]], ...] = ()  # (caption, header, rows)
    notes: tuple[str, ...] = ()
    unavailable: str = ""
    data: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "kpis": [list(k) for k in self.kpis],
                "charts": [c.to_dict() for c in self.charts],
                "tables": [{"caption": t[0], "columns": list(t[1]), "rows": [list(r) for r in t[2]]} for t in self.tables],
                "notes": list(self.notes), "unavailable": self.unavailable}


@dataclass(frozen=True)
class Brief:
    """The brief for a pair, made on a date."""

    pair: str
    made: str
    sections: tuple[Section, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"pair": self.pair, "made": self.made, "sections": [s.to_dict() for s in self.sections]}

    def records(self) -> list[dict[str, Any]]:
        """One row per headline figure (section, label, value)."""
        return [{"pair": self.pair, "section": s.id, "label": k, "value": v} for s in self.sections for k, v in s.kpis]


def _clip(text: str, width: int) -> str:
    """Text cut at a word boundary with an ellipsis when longer than ``width``."""
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def _bn(v: float | None) -> str:
    return "—" if v is None else f"{'-' if v < 0 else ''}US${abs(v) / 1e9:,.2f} bn"


def _mn(v: float | None) -> str:
    return "—" if v is None else f"{'-' if v < 0 else ''}US${abs(v) / 1e6:,.1f} mn"


def _pct(v: float | None, nd: int = 1) -> str:
    return "—" if v is None else f"{v * 100:.{nd}f}%"


def _guard(sid: str, title: str, make: Callable[[], Section]) -> Section:
    try:
        return make()
    except BilateralError as exc:
        return Section(sid, title, unavailable=str(exc).splitlines()[0])


# -- sections -----------------------------------------------------------------------------------------
def _overview(svc: Any, pair: str) -> Section:
    from bilateral.web import charts

    ov = svc.overview(pair, None).data
    t = ov["totals"]
    kpis = (("Period", f"{ov['period']} ({ov['status']})"), ("Total trade", _bn(t["total_trade_usd"])),
            ("Exports", _bn(t["exports_usd"])), ("Imports", _bn(t["imports_usd"])),
            ("Balance", _bn(t["balance_usd"])), ("Growth on the year", _pct((ov.get("growth") or {}).get("total_yoy"))))
    return Section("overview", "Where trade stands", kpis,
                   (charts.overview_series(ov), charts.overview_composition(ov, "exports"),
                    charts.overview_composition(ov, "imports")), notes=tuple(ov.get("notes") or ()),
                   data=ov)


def _target(svc: Any, pair: str) -> Section:
    from bilateral.web import charts

    tr = svc.target(pair, None, None, None).data
    kpis = (("Target", f"{_bn(tr['target']['usd'])} by {tr['target']['period']}"),
            ("Base", f"{_bn(tr['base']['total_trade_usd'])} in {tr['base']['period']}"),
            ("Required growth a year", _pct(tr["required_cagr"])),
            ("Achieved, last 3 years", _pct(tr["achieved_cagr_3y"])),
            ("Chance of reaching it", f"{_pct(tr['p_reach']['chosen'], 0)} (models {_pct(tr['p_reach']['low'], 0)}–"
                                      f"{_pct(tr['p_reach']['high'], 0)})"),
            ("Forecast shortfall", _bn((tr.get("gap") or {}).get("forecast_shortfall_usd"))))
    notes = tuple(tr.get("notes") or ())
    if tr["target"].get("source"):
        notes = (f"Target: {tr['target']['source']} {tr['target'].get('url', '')}",) + notes
    return Section("target", "On track for the target?", kpis, (charts.target_fan(tr),), notes=notes, data=tr)


def _potential(svc: Any, pair: str) -> Section:
    from bilateral.web import charts

    pr = svc.potential(pair, None, (), RANKED_PRODUCTS, False).data
    by_sector: dict[str, list[dict[str, Any]]] = {}
    for p in pr["products"]:
        by_sector.setdefault(p["sector"] or "other", []).append(p)
    titles = {s["sector"]: s["title"] for s in pr["sectors"]}
    order = [s["sector"] for s in sorted(pr["sectors"], key=lambda s: -s["untapped_usd"])]
    rows: list[tuple[Any, ...]] = []
    for sid in order:
        for p in by_sector.get(sid, [])[:PRODUCTS_PER_SECTOR]:
            risk = (p.get("sanction") or {}).get("secondary_risk")
            rows.append((titles.get(sid, sid), p["hs6"], _clip(p["description"] or "", 80), _mn(p["actual_usd"]),
                         _mn(p["untapped_usd"]), "yes" if risk else ""))
    kpis = (("Untapped potential", _bn(pr["total"]["untapped_usd"])),
            ("Without sanction-risk products", _bn(pr["total"]["untapped_excl_risk_usd"])),
            ("World matrix", f"{(pr.get('matrix') or {}).get('release', '')} ({pr['year']})"))
    top_chart = charts.potential_products({**pr, "products": pr["products"][:15]})
    return Section("potential", "Top untapped products by sector", kpis, (charts.potential_sectors(pr), top_chart),
                   ((f"Top {PRODUCTS_PER_SECTOR} products per sector (of the {RANKED_PRODUCTS} largest)",
                     ("Sector", "HS6", "Product", "Actual", "Untapped", "Secondary sanction risk"), tuple(rows)),),
                   notes=tuple(pr.get("notes") or ()), data=pr)


def _corridors(svc: Any, when: date) -> Section:
    from bilateral.web import adapters, charts, validate

    origin = validate.check_place(adapters.DEFAULT_ORIGIN, "origin")
    destination = validate.check_place(adapters.DEFAULT_DESTINATION, "destination")
    cmp = svc.corridors(origin, destination, when, (), "container").data
    rows = tuple((c["corridor"], "yes" if c["open"] else "no: " + "; ".join(c.get("reasons") or []),
                  f"{c['days_p50']:.1f}" if c["days_p50"] is not None else "—",
                  f"{c['days_p90']:.1f}" if c["days_p90"] is not None else "—",
                  f"{c['usd_per_teu_p50']:,.0f}" if c.get("usd_per_teu_p50") is not None else "—",
                  f"{c['co2e_kg_per_teu']:,.0f}" if c.get("co2e_kg_per_teu") is not None else "—")
                 for c in cmp["corridors"])
    open_ = [c for c in cmp["corridors"] if c["open"] and c["days_p50"] is not None]
    fastest = min(open_, key=lambda c: c["days_p50"]) if open_ else None
    cheapest = min((c for c in open_ if c.get("usd_per_teu_p50") is not None), key=lambda c: c["usd_per_teu_p50"],
                   default=None)
    kpis = (("Trip", f"{cmp['from_name']} → {cmp['to_name']}, container, departing {cmp['date']}"),
            ("Fastest", f"{fastest['corridor']} ({fastest['days_p50']:.1f} days P50)" if fastest else "—"),
            ("Cheapest", f"{cheapest['corridor']} (US${cheapest['usd_per_teu_p50']:,.0f}/TEU P50)" if cheapest else "—"))
    return Section("corridors", "Which corridor", kpis, (charts.corridor_bars(cmp), charts.corridor_map(cmp, cmp["geojson"])),
                   (("Corridors", ("Corridor", "Open", "Days P50", "Days P90", "US$/TEU P50", "CO2e kg/TEU"), rows),),
                   data=cmp)


def _settlement(svc: Any, pair: str) -> Section:
    from bilateral.web import charts

    run = svc.settlement(pair, None, None, None).data
    rows = tuple((s["title"], _bn(s["summary"]["closing_usd"]), f"{_bn(s['summary']['peak_usd'])} "
                  f"({s['summary']['peak_period']})", _pct(s["summary"]["required_export_growth"]))
                 for s in run["scenarios"])
    first = run["scenarios"][0]["summary"] if run["scenarios"] else {}
    kpis = (("Modelled rupee balance, " + str(run["to"]) + " (status quo)", _bn(first.get("closing_usd"))),
            ("Last year of actual trade flows", str(run.get("last_actual_flows") or "—")))
    return Section("settlement", "The rupee settlement path", kpis, (charts.settlement_paths(run),),
                   (("Scenarios", ("Scenario", f"Closing balance {run['to']}", "Peak", "Export growth that balances"),
                     rows),), notes=(str(run.get("note", "")),), data=run)


def _agenda(svc: Any) -> Section:
    from bilateral.web import charts

    ag = svc.agenda(None, None).data
    counts: dict[str, int] = {}
    for c in ag["commitments"]:
        counts[c["status"]] = counts.get(c["status"], 0) + 1
    kpis = ((ag["summit"].get("name", "Summit"), f"{ag['summit'].get('dates', '')}, {ag['summit'].get('place', '')}"),
            *((f"Status: {k}", str(v)) for k, v in sorted(counts.items())))
    rows = tuple((c["id"], c["pillar"], _clip(c["text"], 110), c["status"],
                  max((e["date"] for e in c.get("evidence") or []), default="")) for c in ag["commitments"])
    return Section("agenda", "Agenda status", kpis, (charts.agenda_timeline(ag["commitments"]),),
                   (("Commitments", ("Id", "Pillar", "Commitment", "Status", "Latest evidence"), rows),), data=ag)


def build_brief(store: Any, pair: str, *, when: date | None = None, store_path: Path | None = None) -> Brief:
    """Every section for ``pair`` (a validated label such as IND-RUS); corridors depart on ``when`` (default today)."""
    from bilateral.web.service import Service

    svc = Service(store, store_path)
    day = when or date.today()
    makers: dict[str, tuple[str, Callable[[], Section]]] = {
        "overview": ("Where trade stands", lambda: _overview(svc, pair)),
        "target": ("On track for the target?", lambda: _target(svc, pair)),
        "potential": ("Top untapped products by sector", lambda: _potential(svc, pair)),
        "corridors": ("Which corridor", lambda: _corridors(svc, day)),
        "settlement": ("The rupee settlement path", lambda: _settlement(svc, pair)),
        "agenda": ("Agenda status", lambda: _agenda(svc)),
    }
    sections = tuple(_guard(sid, makers[sid][0], makers[sid][1]) for sid in BRIEF_SECTIONS)
    return Brief(pair, day.isoformat(), sections)


# -- rendering ----------------------------------------------------------------------------------------
def _asset(package: str, *parts: str) -> str:
    return resources.files(package).joinpath(*parts).read_text(encoding="utf-8")


def _inline_script(text: str) -> str:
    """Script text safe inside <script>…</script>."""
    return text.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def render_html(brief: Brief) -> str:
    """The brief as one HTML document: plotly.js, the chart script, the CSS and the world outlines inlined."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    from bilateral.web.app import plotly_js

    env = Environment(loader=PackageLoader("bilateral.report", "templates"), autoescape=select_autoescape(["html"]))
    topo = _asset("bilateral.web", "static", "topojson", "world_110m.json")
    has_map = any(c.id == "corridor-map" for s in brief.sections for c in s.charts)
    return env.get_template("brief.html").render(
        brief=brief, css=_asset("bilateral.web", "static", "style.css"),
        plotly_js=_inline_script(plotly_js().decode("utf-8")), app_js=_inline_script(_asset("bilateral.web", "static", "app.js")),
        topojson=_inline_script(json.dumps(json.loads(topo), separators=(",", ":"))) if has_map else "",
    )


def find_chromium() -> str | None:
    """The first Chromium binary on this machine (Debian's package installs /usr/bin/chromium)."""
    for c in CHROMIUM_CANDIDATES:
        found = shutil.which(c)
        if found:
            return found
    return None


def write_pdf(html_path: Path, pdf_path: Path) -> None:
    """Print the brief's HTML to PDF with headless Chromium (offline: the HTML carries everything)."""
    exe = find_chromium()
    if exe is None:
        raise BilateralError("--pdf needs Chromium (apt-get install chromium); the HTML brief was written")
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-pdf-header-footer",
           f"--virtual-time-budget={PDF_SCRIPT_BUDGET_MS}", f"--print-to-pdf={pdf_path.resolve()}",
           html_path.resolve().as_uri()]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=PDF_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise BilateralError(f"Chromium did not print the PDF within {PDF_TIMEOUT_S} s; the HTML brief was written") from None
    if proc.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        raise BilateralError(f"Chromium could not print {pdf_path} ({last[:200]}); the HTML brief was written")
