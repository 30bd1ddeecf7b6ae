"""The brief: one self-contained HTML document with every capability's headline for a pair.

``build_brief(store, pair)`` renders the same views the dashboard's pages and API routes render
(:mod:`bilateral.views`: overview, target, top untapped products by sector, corridor comparison,
settlement path, agenda status) into sections of headline figures, charts and tables;
``render_html(brief)`` writes them into one HTML file with plotly.js, the chart script and the
world outlines inlined, so it opens offline. Nothing here imports the web server (``bilateral.web``,
FastAPI, Starlette).

Which sections a pair's brief holds follows what exists for the pair, as each model answers it:
corridors only where the corridor data hold places in both countries, settlement only where a
settlement scenario covers the pair, the agenda only where the commitments on file are between the
two countries, and every section only where its view answers. A section left out is named at the end
with the model's reason in one line (what the brief cannot give and, where data would, what to load);
no other pair's text appears.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from bilateral.errors import BilateralError, NotAvailableError
from bilateral.harmonise.pairs import Pair, parse_pair
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
from bilateral.views.formats import num as _num
from bilateral.views.formats import pct as _pct
from bilateral.views.labels import named_categories, pillar_title, product_description, sanction_category_title, sector_title
from bilateral.views.wording import as_html, for_reader

__all__ = ["BRIEF_SECTIONS", "DEFAULT_PAPER", "PAPERS", "Brief", "LeftOut", "Paper", "Section", "build_brief",
           "find_chromium", "for_reader", "render_html", "write_pdf"]

#: section ids in the order the brief shows them
BRIEF_SECTIONS: tuple[str, ...] = ("overview", "target", "potential", "corridors", "settlement", "agenda")
#: products per sector in the "top untapped by sector" table, how many products are ranked, how many charted
PRODUCTS_PER_SECTOR = 2
RANKED_PRODUCTS = 200
CHARTED_PRODUCTS = 10
#: Chromium binaries tried for --pdf, in order
CHROMIUM_CANDIDATES: tuple[str, ...] = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
#: paper sizes the brief is laid out for: CSS @page size and margins (A4 by default)
Paper = Literal["a4", "letter"]
PAPERS: dict[str, tuple[str, str]] = {"a4": ("A4", "12mm"), "letter": ("letter", "0.5in")}
DEFAULT_PAPER: Paper = "a4"
#: width of the brief's column in CSS pixels: inside the printable width of both papers (A4 less 2 × 12 mm is
#: 703 px, Letter less 2 × 0.5 in is 720 px), so a chart drawn on screen prints at its size, uncut
COLUMN_PX = 680
#: the window Chromium lays the brief out in before printing (A4 at 96 dpi)
PDF_WINDOW = "794,1123"
#: time Chromium gives the page's scripts to draw the charts before printing (ms), and the overall limit (s)
PDF_SCRIPT_BUDGET_MS = 10_000
PDF_TIMEOUT_S = 120


@dataclass(frozen=True)
class Section:
    """One section of the brief: its headline figures, charts, tables, or why it is not available."""

    id: str
    title: str
    kpis: tuple[tuple[str, str, str], ...] = ()  # (label, value, detail): the value short enough for one line
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
class LeftOut:
    """A section the brief leaves out for the pair, and why (one line, from the model's own answer)."""

    id: str
    title: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "reason": self.reason}


@dataclass(frozen=True)
class Brief:
    """The brief for a pair, made on a date: the sections that answer for it, and those left out with why."""

    pair: str
    made: str
    sections: tuple[Section, ...]
    left_out: tuple[LeftOut, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"pair": self.pair, "made": self.made, "sections": [s.to_dict() for s in self.sections],
                "left_out": [x.to_dict() for x in self.left_out]}

    def records(self) -> list[dict[str, Any]]:
        """One row per headline figure (section, label, value, detail)."""
        return [{"pair": self.pair, "section": s.id, "label": k, "value": v, "detail": d}
                for s in self.sections for k, v, d in s.kpis]


def _notes(notes: Any) -> tuple[str, ...]:
    return tuple(n for n in (for_reader(str(x)) for x in notes or ()) if n)


def _reason(exc: BilateralError) -> str:
    """A model's refusal as one line for the brief, by :func:`for_reader`.

    The brief has no settings, so "give --target-usd" cannot apply to it; a command in backticks that
    would load the missing data stays.
    """
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return for_reader(text) or re.sub(r"(?<![\w`])--[a-z][a-z-]*", "", text.split("; ")[0]).strip()


# -- sections: each renders one view (the same the dashboard's page and API route render) ------------
def _overview(view: View[Any]) -> Section:
    ov = view.data
    t = ov["totals"]
    kpis = (("Period", ov["period"], ov.get("status") or ""), ("Total trade", _bn(t["total_trade_usd"]), ""),
            ("Exports", _bn(t["exports_usd"]), ""), ("Imports", _bn(t["imports_usd"]), ""),
            ("Balance", _bn(t["balance_usd"]), ""),
            ("Growth on the year", _pct((ov.get("growth") or {}).get("total_yoy")), ""))
    missing = tuple(f"Missing, {'total trade and balance' if m['figure'] == 'total_trade_usd' else m['label']}: "
                    f"{m['reason']}." + (f" To fill it: {m['remedy']}." if m["remedy"] else "")
                    for m in ov.get("missing") or () if m["figure"] != "balance_usd")
    return Section("overview", "Where trade stands", kpis, view.charts, notes=_notes(missing + tuple(ov.get("notes") or ())),
                   data=ov)


def _target(view: View[Any]) -> Section:
    tr = view.data
    goal, pr = tr.get("goal"), tr.get("p_reach")
    when_set = ((f"Required when set, from {goal['set_base_period']}", _pct(goal["required_cagr_when_set"]), "")
                if goal and goal.get("required_cagr_when_set") is not None else None)
    kpis = tuple(k for k in (
        ("Target", _bn(tr["target"]["usd"]), f"by {tr['target']['period']}"),
        ("Base", _bn(tr["base"]["total_trade_usd"]), f"in {tr['base']['period']}"),
        ("Required growth a year", _pct(tr["required_cagr"]), ""), when_set,
        ("Achieved, last 3 years", _pct(tr["achieved_cagr_3y"]), ""),
        ("Chance of reaching it", _pct(pr["chosen"], 0) if pr else "no forecast",
         f"range {_pct(pr['low'], 0)}–{_pct(pr['high'], 0)}" if pr else ""),
        ("Forecast shortfall", _bn((tr.get("gap") or {}).get("forecast_shortfall_usd")), "")) if k is not None)
    notes = _notes(tr.get("notes"))
    if tr.get("forecast_missing"):
        notes = (for_reader(f"No forecast: {tr['forecast_missing']}."),) + notes
    if goal:
        again = f"; reaffirmed {goal['reaffirmed_on']}, {goal['reaffirmed_at']}" if goal.get("reaffirmed_on") else ""
        notes = (f"Goal set {goal['set_on']}, {goal['set_at']}{again}. Sources: {goal['url']}"
                 + (f", {goal['reaffirmed_url']}" if goal.get("reaffirmed_url") else ""),) + notes
    elif tr["target"].get("source"):
        notes = (f"Target: {tr['target']['source']} {tr['target'].get('url', '')}".strip(),) + notes
    tables = ((f"Every candidate model: chance of reaching the target by {tr['target']['period']}",
               ("Model", "Intervals", "Chance", "95% upper", "In the range"),
               tuple((m["model"], m["scheme"], _pct(m["p_reach"], 0), _bn(m["hi95_at_target_usd"]),
                      "chosen" if m["chosen"] else ("yes" if m["competitive"] else f"no: {m['excluded_because']}"))
                     for m in pr["models"])),) if pr else ()
    return Section("target", "On track for the target?", kpis, view.charts, tables, notes=notes, data=tr)


def _potential(view: View[Any]) -> Section:
    pr = view.data
    by_sector: dict[str, list[dict[str, Any]]] = {}
    for p in pr["products"]:
        by_sector.setdefault(p["sector"] or "other", []).append(p)
    titles = {s["sector"]: s["title"] for s in pr["sectors"]}
    order = [s["sector"] for s in sorted(pr["sectors"], key=lambda s: (-s["untapped_usd"], s["sector"]))]
    rows: list[tuple[Any, ...]] = []
    for sid in order:
        chosen = by_sector.get(sid, [])[:PRODUCTS_PER_SECTOR]
        if chosen:
            rows.append((titles.get(sid, sector_title(sid)),))  # a group row: the sector's name
        for p in chosen:
            sanction = p.get("sanction")
            if sanction is None:
                risk = "not available"  # the sanction list does not cover the pair
            elif sanction.get("restricted", True) and sanction.get("category"):
                risk = sanction_category_title(sanction["category"])
                if sanction.get("secondary_risk"):
                    risk += "; secondary-sanction risk"
            else:
                risk = ""
            rows.append((f"{p['hs6']} {product_description(p['hs6'], p['description'])}", _mn(p["actual_usd"]),
                         _mn(p["untapped_usd"]), risk))
    matrix = pr.get("matrix") or {}
    kpis = (("Untapped potential", _bn(pr["total"]["untapped_usd"]),
             f"world matrix {matrix.get('release') or ''} ({pr['year']})".replace(" ()", "")),
            ("Without sanction-risk products", _bn(pr["total"]["untapped_excl_risk_usd"]), ""),
            ("Actual exports", _bn(pr["total"].get("actual_usd")), f"{pr.get('exporter', '')} → {pr.get('market', '')}"))
    tables: tuple[Any, ...] = ((f"Top {PRODUCTS_PER_SECTOR} products per sector (of the {RANKED_PRODUCTS} largest)",
                                ("HS6 product", "Actual", "Untapped", "EU export restriction"), tuple(rows)),)
    dv = pr.get("diversification")
    if dv:
        tables += ((f"Diversification: related products {dv['exporter']} does not yet export competitively "
                    f"({dv['related']:,} of {dv['candidates']:,} outside the scope, by density × market)",
                    ("HS6 product", "Density", "Market", "Score"),
                    tuple((f"{p['hs6']} {product_description(p['hs6'], p['description'])}", f"{p['density']:.3f}",
                           _mn(p["market_usd"]), _mn(p["score_usd"])) for p in dv["products"])),)
    return Section("potential", "Top untapped products by sector", kpis,
                   (view.chart("potential-sectors"), view.chart("potential-products")), tables,
                   notes=_notes(named_categories(str(n)) for n in pr.get("notes") or ()), data=pr)


def _days(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}"


def _corridors(view: View[Any]) -> Section:
    cmp = view.data
    cargo = cmp.get("cargo", "container")
    cost_key, co2_key, unit = (("usd_per_teu", "co2e_kg_per_teu", "TEU") if cargo == "container"
                               else ("usd_per_tonne", "co2e_kg_per_tonne", "t"))
    reasons: list[str] = []  # each reason a corridor is closed for, once, as a numbered note under the table

    def closed(c: dict[str, Any]) -> str:
        marks = []
        for r in c.get("reasons") or []:
            if r not in reasons:
                reasons.append(r)
            marks.append(f"[{reasons.index(r) + 1}]")
        return "closed " + " ".join(marks)

    rows = tuple((c.get("label") or c["corridor"], "open" if c["open"] else closed(c),
                  _days(c["days_p50"]), _days(c["days_p90"]),
                  _num(c.get(f"{cost_key}_p50"), 0), _num(c.get(co2_key), 0))
                 for c in cmp["corridors"])
    open_ = [c for c in cmp["corridors"] if c["open"] and c["days_p50"] is not None]
    fastest = min(open_, key=lambda c: (c["days_p50"], c["corridor"])) if open_ else None
    cheapest = min((c for c in open_ if c.get(f"{cost_key}_p50") is not None),
                   key=lambda c: (c[f"{cost_key}_p50"], c["corridor"]), default=None)
    kpis = (("Departing", str(cmp["date"]), f"{cmp['from_name']} → {cmp['to_name']}, {cargo}"),
            ("Fastest open corridor, P50", f"{fastest['days_p50']:.1f} days" if fastest else "—",
             (fastest.get("label") or fastest["corridor"]) if fastest else ""),
            ("Cheapest open corridor, P50", f"US${cheapest[f'{cost_key}_p50']:,.0f} per {unit}" if cheapest else "—",
             (cheapest.get("label") or cheapest["corridor"]) if cheapest else ""))
    return Section("corridors", "Which corridor", kpis, (view.chart("corridor-bars"), view.chart("corridor-map")),
                   (("Corridors", ("Corridor", "Open", "Days P50", "Days P90", f"US$ per {unit}, P50",
                                   f"kg CO2e per {unit}"), rows),),
                   notes=tuple(f"[{i}] {r}" for i, r in enumerate(reasons, start=1)) + _notes(cmp.get("notes")), data=cmp)


def _settlement(view: View[Any]) -> Section:
    run = view.data

    def band(s: dict[str, Any]) -> str:
        sm = s["summary"]
        if sm.get("closing_usd_p10") is None:
            return _bn(sm["closing_usd"])
        return f"{_bn(sm['closing_usd_p10'])} to {_bn(sm['closing_usd_p90'])}"

    def median(s: dict[str, Any]) -> str:
        return _bn(s["summary"].get("closing_usd_p50"))

    def driver(s: dict[str, Any]) -> str:
        sens = (s.get("band") or {}).get("sensitivity") or []
        return sens[0]["label"] if sens else "—"

    rows = tuple((s["title"], band(s), median(s), driver(s)) for s in run["scenarios"])
    first = run["scenarios"][0] if run["scenarios"] else None
    kpis = (("Modelled rupee balance, median", median(first) if first else "—",
             f"{run['to']}, status quo; P10–P90 {band(first)}" if first else ""),
            ("Last year of actual trade flows", str(run.get("last_actual_flows") or "—"), "later years projected"))
    return Section("settlement", "The rupee settlement path", kpis, view.charts,
                   (("Scenarios", ("Scenario", f"Modelled balance {run['to']} (P10–P90)", "Median", "Largest driver"),
                     rows),), notes=_notes([run.get("note", "")]), data=run)


def _agenda(view: View[Any]) -> Section:
    ag = view.data
    counts: dict[str, int] = {}
    for c in ag["commitments"]:
        counts[c["status"]] = counts.get(c["status"], 0) + 1
    summit = ag["summit"]
    kpis = (("Summit", str(summit.get("place", "")), str(summit.get("dates", "")).replace("/", " to ")),
            *((f"Commitments {k}", str(v), "") for k, v in sorted(counts.items())))
    rows = tuple((pillar_title(c["pillar"]), c["text"], c["status"],
                  max((e["date"] for e in c.get("evidence") or []), default="")) for c in ag["commitments"])
    return Section("agenda", f"Agenda status: {summit.get('name', 'the summit')}", kpis, view.charts,
                   (("Commitments", ("Pillar", "Commitment", "Status", "Latest evidence"), rows),), data=ag)


def _corridor_trip(pair: Pair) -> tuple[str, str]:
    """The corridor trip the brief compares for a pair: the dashboard's default where it joins the two countries.

    Otherwise the first port on file in the reporter's country to the first place in the partner's
    (the corridor model then answers for it, or refuses saying why). NotAvailableError when the
    corridor data hold no place in one of the countries.
    """
    from bilateral.corridors.legs import place, places

    on_file = places()
    default = (corridors_view.DEFAULT_ORIGIN, corridors_view.DEFAULT_DESTINATION)
    if {place(k).country for k in default} == {pair.reporter, pair.partner}:
        return default
    lacking = [c for c in (pair.reporter, pair.partner) if not any(pl.country == c for pl in on_file.values())]
    if lacking:
        raise NotAvailableError(f"the corridor data (bilateral/corridors/data/places.csv) hold no place in "
                                f"{' or '.join(dict.fromkeys(lacking))}; corridors are compared between places on file")
    origin = next(pl for pl in on_file.values() if pl.country == pair.reporter and pl.kind == "port")
    destination = next(pl for pl in on_file.values() if pl.country == pair.partner)
    return origin.id, destination.id


def _corridors_for(pair: Pair, day: date) -> Section:
    origin, destination = _corridor_trip(pair)
    return _corridors(corridors_view.corridors(origin, destination, day, (), "container"))


def _agenda_for(store_path: Path | None, pair: Pair) -> Section:
    view = agenda_view.agenda(store_path, None, None)
    if not view.result.covers(pair.reporter, pair.partner):
        raise NotAvailableError(f"the commitments on file (bilateral/agenda/data/commitments.yml) are between "
                                f"{' and '.join(sorted(view.result.parties))}; none are on file between "
                                f"{pair.reporter} and {pair.partner}")
    return _agenda(view)


def _target_for(store: Any, pair: Pair) -> Section:
    if target_view.target_default(pair) is None:
        raise NotAvailableError(f"no target on file for {pair.label} (a row of bilateral/harmonise/data/targets.csv "
                                "would set one)")
    return _target(target_view.target(store, pair, None, None, None))


def build_brief(store: Any, pair: str, *, when: date | None = None, store_path: Path | None = None) -> Brief:
    """The sections that answer for ``pair`` (a validated label such as IND-RUS), and those left out with why.

    Each section asks its view with the arguments the dashboard's page uses by default (the potential
    section ranks more products and charts fewer); corridors depart on ``when`` (default today). A
    section whose model refuses the pair (no data loaded, no target, corridor data, settlement
    scenario or commitments on file for it) is left out and listed at the end with the reason.
    """
    p = parse_pair(pair)
    day = when or date.today()
    makers: dict[str, tuple[str, Callable[[], Section]]] = {
        "overview": ("Where trade stands", lambda: _overview(overview_view.overview(store, p, None))),
        "target": ("On track for the target?", lambda: _target_for(store, p)),
        "potential": ("Top untapped products by sector", lambda: _potential(potential_view.potential(
            store, p, None, (), RANKED_PRODUCTS, False, chart_products=CHARTED_PRODUCTS))),
        "corridors": ("Which corridor", lambda: _corridors_for(p, day)),
        "settlement": ("The rupee settlement path",
                       lambda: _settlement(settlement_view.settlement(store, p, None, None, None))),
        "agenda": ("Agenda status", lambda: _agenda_for(store_path, p)),
    }
    sections: list[Section] = []
    left_out: list[LeftOut] = []
    for sid in BRIEF_SECTIONS:
        title, make = makers[sid]
        try:
            sections.append(make())
        except BilateralError as exc:
            left_out.append(LeftOut(sid, title, _reason(exc)))
    return Brief(p.label, day.isoformat(), tuple(sections), tuple(left_out))


# -- rendering ----------------------------------------------------------------------------------------
def _inline_script(text: str) -> str:
    """Script text safe inside <script>…</script>."""
    return text.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def render_html(brief: Brief, paper: Paper = DEFAULT_PAPER) -> str:
    """The brief as one HTML document: plotly.js, the chart script, the CSS and the world outlines inlined.

    ``paper`` (a4 or letter) sets the printed page (CSS ``@page``): each section starts a page, no chart
    or table row is split, the charts' toolbar is off, and the column is narrower than either paper.
    """
    if paper not in PAPERS:
        raise BilateralError(f"unknown paper {paper!r}; use one of {', '.join(PAPERS)}")
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("bilateral.report", "templates"), autoescape=select_autoescape(["html"]))
    env.filters["ticked"] = as_html  # a command in backticks set as code
    topo = static_text("topojson", "world_110m.json")
    charts = [c for s in brief.sections for c in s.charts]
    bundle = bundle_for(charts)  # the smallest plotly.js bundle that draws every chart (None: no chart)
    has_map = bundle is not None and "scattergeo" in bundle.traces
    return env.get_template("brief.html").render(
        brief=brief, css=static_text("style.css"), page_size=PAPERS[paper][0], page_margin=PAPERS[paper][1],
        column_px=COLUMN_PX,
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
    """Print the brief's HTML to PDF with headless Chromium (offline: the HTML carries everything).

    The paper size and margins come from the document's CSS ``@page`` (see :func:`render_html`).
    """
    exe = find_chromium()
    if exe is None:
        raise BilateralError("--pdf needs Chromium (apt-get install chromium); the HTML brief was written")
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-pdf-header-footer", f"--window-size={PDF_WINDOW}",
           f"--virtual-time-budget={PDF_SCRIPT_BUDGET_MS}", f"--print-to-pdf={pdf_path.resolve()}",
           html_path.resolve().as_uri()]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=PDF_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise BilateralError(f"Chromium did not print the PDF within {PDF_TIMEOUT_S} s; the HTML brief was written") from None
    if proc.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        raise BilateralError(f"Chromium could not print {pdf_path} ({last[:200]}); the HTML brief was written")
