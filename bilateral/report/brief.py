"""The brief: one self-contained HTML document with every capability's headline for a pair.

``build_brief(store, pair)`` renders the same views the dashboard's pages and API routes render
(:mod:`bilateral.views`: overview, target, top untapped products by sector, corridor comparison,
settlement path, agenda status) into sections of headline figures, charts and tables;
``render_html(brief)`` writes them into one HTML file with plotly.js, the chart script and the
world outlines inlined, so it opens offline. A section whose view cannot answer for the pair (no data
loaded, no target on file) says why instead of failing the whole brief. Nothing here imports the web
server (``bilateral.web``, FastAPI, Starlette).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bilateral.errors import BilateralError
from bilateral.harmonise.pairs import parse_pair
from bilateral.views import agenda as agenda_view
from bilateral.views import corridors as corridors_view
from bilateral.views import overview as overview_view
from bilateral.views import potential as potential_view
from bilateral.views import settlement as settlement_view
from bilateral.views import target as target_view
from bilateral.views.assets import bundle_for, plotly_js, static_text
from bilateral.views.base import View
from bilateral.views.charts import Chart
from bilateral.views.formats import bn as _bn
from bilateral.views.formats import mn as _mn
from bilateral.views.formats import pct as _pct

__all__ = ["BRIEF_SECTIONS", "Brief", "Section", "build_brief", "find_chromium", "render_html", "write_pdf"]

#: section ids in the order the brief shows them
BRIEF_SECTIONS: tuple[str, ...] = ("overview", "target", "potential", "corridors", "settlement", "agenda")
#: products per sector in the "top untapped by sector" table, how many products are ranked, how many charted
PRODUCTS_PER_SECTOR = 3
RANKED_PRODUCTS = 200
CHARTED_PRODUCTS = 15
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
    charts: tuple[Chart, ...] = ()
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


def _guard(sid: str, title: str, make: Callable[[], Section]) -> Section:
    try:
        return make()
    except BilateralError as exc:
        return Section(sid, title, unavailable=str(exc).splitlines()[0])


# -- sections: each renders one view (the same the dashboard's page and API route render) ------------
def _overview(view: View[Any]) -> Section:
    ov = view.data
    t = ov["totals"]
    kpis = (("Period", f"{ov['period']} ({ov['status']})"), ("Total trade", _bn(t["total_trade_usd"])),
            ("Exports", _bn(t["exports_usd"])), ("Imports", _bn(t["imports_usd"])),
            ("Balance", _bn(t["balance_usd"])), ("Growth on the year", _pct((ov.get("growth") or {}).get("total_yoy"))))
    return Section("overview", "Where trade stands", kpis, view.charts, notes=tuple(ov.get("notes") or ()), data=ov)


def _target(view: View[Any]) -> Section:
    tr = view.data
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
    return Section("target", "On track for the target?", kpis, view.charts, notes=notes, data=tr)


def _potential(view: View[Any]) -> Section:
    pr = view.data
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
    return Section("potential", "Top untapped products by sector", kpis,
                   (view.chart("potential-sectors"), view.chart("potential-products")),
                   ((f"Top {PRODUCTS_PER_SECTOR} products per sector (of the {RANKED_PRODUCTS} largest)",
                     ("Sector", "HS6", "Product", "Actual", "Untapped", "Secondary sanction risk"), tuple(rows)),),
                   notes=tuple(pr.get("notes") or ()), data=pr)


def _corridors(view: View[Any]) -> Section:
    cmp = view.data
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
    return Section("corridors", "Which corridor", kpis, (view.chart("corridor-bars"), view.chart("corridor-map")),
                   (("Corridors", ("Corridor", "Open", "Days P50", "Days P90", "US$/TEU P50", "CO2e kg/TEU"), rows),),
                   data=cmp)


def _settlement(view: View[Any]) -> Section:
    run = view.data

    def band(s: dict[str, Any]) -> str:
        sm = s["summary"]
        if sm.get("closing_usd_p10") is None:
            return _bn(sm["closing_usd"])
        return f"{_bn(sm['closing_usd_p10'])}–{_bn(sm['closing_usd_p90'])} (median {_bn(sm['closing_usd_p50'])})"

    def driver(s: dict[str, Any]) -> str:
        sens = (s.get("band") or {}).get("sensitivity") or []
        return sens[0]["label"] if sens else "—"

    rows = tuple((s["title"], band(s), driver(s)) for s in run["scenarios"])
    first = run["scenarios"][0] if run["scenarios"] else None
    kpis = (("Modelled rupee balance, " + str(run["to"]) + " (status quo, US$ bn, P10–P90)",
             band(first) if first else "—"),
            ("Last year of actual trade flows", str(run.get("last_actual_flows") or "—")))
    return Section("settlement", "The rupee settlement path", kpis, view.charts,
                   (("Scenarios", ("Scenario", f"Modelled balance {run['to']}, US$ bn (P10–P90)", "Largest driver"),
                     rows),), notes=(str(run.get("note", "")),), data=run)


def _agenda(view: View[Any]) -> Section:
    ag = view.data
    counts: dict[str, int] = {}
    for c in ag["commitments"]:
        counts[c["status"]] = counts.get(c["status"], 0) + 1
    kpis = ((ag["summit"].get("name", "Summit"), f"{ag['summit'].get('dates', '')}, {ag['summit'].get('place', '')}"),
            *((f"Status: {k}", str(v)) for k, v in sorted(counts.items())))
    rows = tuple((c["id"], c["pillar"], _clip(c["text"], 110), c["status"],
                  max((e["date"] for e in c.get("evidence") or []), default="")) for c in ag["commitments"])
    return Section("agenda", "Agenda status", kpis, view.charts,
                   (("Commitments", ("Id", "Pillar", "Commitment", "Status", "Latest evidence"), rows),), data=ag)


def build_brief(store: Any, pair: str, *, when: date | None = None, store_path: Path | None = None) -> Brief:
    """Every section for ``pair`` (a validated label such as IND-RUS); corridors depart on ``when`` (default today).

    Each section asks its view with the arguments the dashboard's page uses by default (the potential
    section ranks more products and charts fewer).
    """
    p = parse_pair(pair)
    day = when or date.today()
    makers: dict[str, tuple[str, Callable[[], Section]]] = {
        "overview": ("Where trade stands", lambda: _overview(overview_view.overview(store, p, None))),
        "target": ("On track for the target?", lambda: _target(target_view.target(store, p, None, None, None))),
        "potential": ("Top untapped products by sector", lambda: _potential(potential_view.potential(
            store, p, None, (), RANKED_PRODUCTS, False, chart_products=CHARTED_PRODUCTS))),
        "corridors": ("Which corridor", lambda: _corridors(corridors_view.corridors(
            corridors_view.DEFAULT_ORIGIN, corridors_view.DEFAULT_DESTINATION, day, (), "container"))),
        "settlement": ("The rupee settlement path",
                       lambda: _settlement(settlement_view.settlement(store, p, None, None, None))),
        "agenda": ("Agenda status", lambda: _agenda(agenda_view.agenda(store_path, None, None))),
    }
    sections = tuple(_guard(sid, makers[sid][0], makers[sid][1]) for sid in BRIEF_SECTIONS)
    return Brief(p.label, day.isoformat(), sections)


# -- rendering ----------------------------------------------------------------------------------------
def _inline_script(text: str) -> str:
    """Script text safe inside <script>…</script>."""
    return text.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def render_html(brief: Brief) -> str:
    """The brief as one HTML document: plotly.js, the chart script, the CSS and the world outlines inlined."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("bilateral.report", "templates"), autoescape=select_autoescape(["html"]))
    topo = static_text("topojson", "world_110m.json")
    charts = [c for s in brief.sections for c in s.charts]
    bundle = bundle_for(charts)  # the smallest plotly.js bundle that draws every chart (None: no chart)
    has_map = bundle is not None and "scattergeo" in bundle.traces
    return env.get_template("brief.html").render(
        brief=brief, css=static_text("style.css"),
        plotly_js=_inline_script(plotly_js(bundle).decode("utf-8")) if bundle is not None else "",
        app_js=_inline_script(static_text("app.js")),
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
