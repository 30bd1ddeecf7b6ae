"""Maps of a comparison: GeoJSON (one LineString per leg, one Point per place), a PNG and an HTML page.

Sea legs follow searoute's lanes; land legs are drawn as straight lines between their ends
(``geometry: schematic`` in their properties). The PNG has no coastline data (none ships offline):
searoute's sea-lane network is drawn faintly underneath, which outlines the seas well enough. The HTML
page is one self-contained file (inline SVG with hover titles and the result table; no script, no CDN).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bilateral.corridors.legs import places
from bilateral.corridors.model import Comparison

__all__ = ["save_geojson", "save_html", "save_png", "to_geojson"]

MODE_STYLE = {"deep_sea": "#1f77b4", "feeder": "#17becf", "caspian_ferry": "#9467bd", "tanker": "#1f77b4",
              "rail_1520": "#d62728", "rail_1435": "#ff7f0e", "road": "#8c564b"}


def _unwrap(coords: list[tuple[float, float]]) -> list[list[float]]:
    """Longitudes in [-180, 180] for GeoJSON (searoute writes some Pacific points as 190°)."""
    return [[(x + 180) % 360 - 180, y] for x, y in coords]


def to_geojson(comparison: Comparison) -> dict[str, Any]:
    """A FeatureCollection: each leg of each corridor, then the places it touches."""
    feats: list[dict[str, Any]] = []
    used: set[str] = set()
    ids = places()
    for c in comparison.corridors:
        for leg in c.legs:
            used |= {leg.a, leg.b}
            coords = _unwrap(list(leg.geometry))
            kind = "schematic" if leg.schematic else "searoute"
            feats.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords},
                          "properties": {"corridor": c.corridor, "open": c.open, **leg.to_dict(), "geometry": kind}})
    for pid in sorted(used):
        p = ids[pid]
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                      "properties": {"id": p.id, "locode": p.locode, "name": p.name, "kind": p.kind,
                                     "source": p.source}})
    return {"type": "FeatureCollection", "features": feats}


def save_geojson(comparison: Comparison, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_geojson(comparison)) + "\n", encoding="utf-8")


def save_png(comparison: Comparison, path: Path) -> None:
    """A static map: every corridor's legs coloured by mode (dashed when closed), places labelled."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    gj = to_geojson(comparison)
    fig, ax = plt.subplots(figsize=(12, 7), dpi=110)
    try:
        from searoute.data.marnet_dict import edge_list

        lanes = [[u, v] for u, nbrs in edge_list.items() for v in nbrs if u < v and abs(u[0] - v[0]) < 180]
        ax.add_collection(LineCollection(lanes, colors="#dddddd", linewidths=0.3, zorder=1))
    except ImportError:
        pass
    for f in gj["features"]:
        props, geom = f["properties"], f["geometry"]
        if geom["type"] == "LineString":
            xs = [c[0] for c in geom["coordinates"]]
            ys = [c[1] for c in geom["coordinates"]]
            # split at the antimeridian so Pacific lines do not cross the whole map
            start = 0
            for i in range(1, len(xs) + 1):
                if i == len(xs) or abs(xs[i] - xs[i - 1]) > 180:
                    ax.plot(xs[start:i], ys[start:i], color=MODE_STYLE.get(props["mode"], "black"),
                            lw=1.6, ls="-" if props["open"] else "--", alpha=0.8, zorder=2)
                    start = i
        else:
            x, y = geom["coordinates"]
            ax.plot(x, y, "o", color="black", ms=3, zorder=3)
            ax.annotate(props["name"], (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
    for mode, colour in MODE_STYLE.items():
        if mode != "tanker":
            ax.plot([], [], color=colour, label=mode)
    ax.legend(loc="lower left", fontsize=7)
    ax.set_xlim(-30, 180)
    ax.set_ylim(-45, 80)
    ax.set_title(f"{comparison.cargo} corridors {comparison.origin.name} → {comparison.destination.name}, "
                 f"{comparison.date:%Y-%m-%d}" + (f" ({', '.join(comparison.scenarios)})" if comparison.scenarios else ""),
                 fontsize=10)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)


#: map window (longitude, latitude) and SVG pixels per degree
WEST, EAST, SOUTH, NORTH = -30.0, 180.0, -45.0, 80.0
PX_PER_DEG = 5.0


def _xy(lon: float, lat: float) -> str:
    return f"{(lon - WEST) * PX_PER_DEG:.1f},{(NORTH - lat) * PX_PER_DEG:.1f}"


def _runs(coords: list[list[float]]) -> list[list[list[float]]]:
    """Split a line where it crosses the antimeridian."""
    out: list[list[list[float]]] = [[]]
    for c in coords:
        if out[-1] and abs(c[0] - out[-1][-1][0]) > 180:
            out.append([])
        out[-1].append(c)
    return [r for r in out if len(r) > 1]


def save_html(comparison: Comparison, path: Path) -> None:
    """One self-contained HTML file: an SVG map (hover a line for its leg) and the comparison table."""
    from html import escape

    gj = to_geojson(comparison)
    width, height = (EAST - WEST) * PX_PER_DEG, (NORTH - SOUTH) * PX_PER_DEG
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
             f'style="width:100%;background:#f7fbff;border:1px solid #ccc">']
    try:
        from searoute.data.marnet_dict import edge_list

        lanes = " ".join(f"M{_xy(*u)}L{_xy(*v)}" for u, nbrs in edge_list.items() for v in nbrs
                         if u < v and abs(u[0] - v[0]) < 180 and WEST <= u[0] <= EAST and WEST <= v[0] <= EAST)
        parts.append(f'<path d="{lanes}" stroke="#dde3ea" stroke-width="0.4" fill="none"/>')
    except ImportError:
        pass
    for f in gj["features"]:
        props, geom = f["properties"], f["geometry"]
        if geom["type"] != "LineString":
            continue
        tip = escape(f"{props['corridor']}: {props['from_name']} → {props['to_name']}, {props['mode']}, "
                     f"{props['distance_km']:,.0f} km" + (" (closed)" if not props["open"] else ""))
        dash = "" if props["open"] else ' stroke-dasharray="6 4"'
        for run in _runs(geom["coordinates"]):
            pts = " ".join(_xy(x, y) for x, y in run)
            parts.append(f'<polyline points="{pts}" stroke="{MODE_STYLE.get(props["mode"], "black")}" '
                         f'stroke-width="2" fill="none" opacity="0.8"{dash}><title>{tip}</title></polyline>')
    for f in gj["features"]:
        if f["geometry"]["type"] == "Point":
            px, py = (float(v) for v in _xy(*f["geometry"]["coordinates"]).split(","))
            name = escape(f["properties"]["name"])
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3"><title>{name}</title></circle>'
                         f'<text x="{px + 4:.1f}" y="{py - 4:.1f}" font-size="9">{name}</text>')
    for i, (mode, colour) in enumerate(m for m in MODE_STYLE.items() if m[0] != "tanker"):
        ly = height - 12 - 14 * i
        parts.append(f'<line x1="10" y1="{ly:.0f}" x2="30" y2="{ly:.0f}" stroke="{colour}" stroke-width="3"/>'
                     f'<text x="35" y="{ly + 3:.0f}" font-size="10">{mode}</text>')
    parts.append("</svg>")
    tanker = comparison.cargo == "tanker"
    cols = ["corridor", "open", "distance_km", "days_p50", "days_p90"] + (
        ["usd_per_tonne_p50", "usd_per_tonne_p90", "usd_per_bbl_p50", "co2e_kg_per_tonne"] if tanker else
        ["usd_per_teu_p50", "usd_per_teu_p90", "co2e_kg_per_teu"]) + ["passages", "reasons"]
    rows = "".join("<tr>" + "".join(f"<td>{escape(str(r[c]))}</td>" for c in cols) + "</tr>"
                   for r in (c.record() for c in comparison.corridors))
    title = escape(f"{comparison.cargo} corridors {comparison.origin.name} → {comparison.destination.name}, "
                   f"{comparison.date:%Y-%m-%d}" + (f" ({', '.join(comparison.scenarios)})" if comparison.scenarios else ""))
    page = (f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>'
            "<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse;font-size:12px}"
            "td,th{border:1px solid #ccc;padding:2px 6px}</style></head><body>"
            f"<h2>{title}</h2>{''.join(parts)}<table><tr>"
            + "".join(f"<th>{c}</th>" for c in cols) + f"</tr>{rows}</table>"
            "<p>Sea legs: searoute lanes; land legs: straight lines (schematic). Days and US$ are P50/P90 of a "
            "seeded Monte Carlo; sources and assumptions in bilateral/corridors/data/.</p></body></html>\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
