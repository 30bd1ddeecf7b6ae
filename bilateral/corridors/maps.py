"""Maps of a comparison: GeoJSON (one LineString per leg, one Point per place), a PNG and an HTML page.

Sea legs follow searoute's lanes; land legs are drawn as straight lines between their ends
(``geometry: schematic`` in their properties). The map window is fitted to what is drawn
(:func:`frame_for`): every point of every leg and place, with a margin, across the antimeridian when a
route crosses the Pacific (Chennai–Vladivostok, the Northern Sea Route through the Bering Strait), so
nothing is cut off. The PNG and the HTML page draw Natural Earth 1:110m land (:mod:`coastlines`,
shipped with the package) under the routes and label every place with labels that do not overlap
(:mod:`labels`). The HTML page is one self-contained file (inline SVG with hover titles and the result
table; no script, no CDN).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from bilateral.corridors.coastlines import SOURCE_NOTE, land
from bilateral.corridors.labels import Box, LabelSpot, place_labels
from bilateral.corridors.legs import places
from bilateral.corridors.model import Comparison

__all__ = ["MODE_LABELS", "MODE_STYLE", "Frame", "MapLayout", "frame_for", "render_html", "render_png",
           "short_name", "to_geojson", "unwrap"]

MODE_STYLE = {"deep_sea": "#1f77b4", "feeder": "#17becf", "caspian_ferry": "#9467bd", "tanker": "#1f77b4",
              "rail_1520": "#d62728", "rail_1435": "#ff7f0e", "road": "#8c564b"}
MODE_LABELS = {"deep_sea": "deep-sea ship", "feeder": "feeder ship", "caspian_ferry": "Caspian ferry",
               "tanker": "tanker", "rail_1520": "rail, 1,520 mm (Russia, Central Asia)",
               "rail_1435": "rail, 1,435 mm (Iran)", "road": "road"}
HALF_TURN, FULL_TURN = 180.0, 360.0
#: margin round what is drawn: a share of the extent, at least MIN_PAD_DEG
PAD_SHARE, MIN_PAD_DEG = 0.06, 3.0
#: smallest window (degrees) so that a short trip is not drawn at street scale
MIN_SPAN_LON, MIN_SPAN_LAT = 30.0, 20.0
#: width / height of the window (equirectangular degrees) is kept within these, widening the short side
MIN_ASPECT, MAX_ASPECT = 1.5, 2.4
#: latitudes a window stays within (equirectangular maps stretch towards the poles)
LAT_LIMITS = (-80.0, 86.0)
LAND_FILL, LAND_EDGE, SEA_FILL = "#e8e6df", "#a3a29c", "#f2f7fb"
#: PNG size and type (inches, dots per inch, points)
PNG_WIDTH_IN, PNG_DPI = 11.0, 110
LABEL_PT, END_LABEL_PT = 7.5, 8.5
#: HTML map width in SVG pixels and its label font size (px); text width is estimated at EM_WIDTH em a character
SVG_WIDTH, SVG_FONT_PX, EM_WIDTH = 1000.0, 10.0, 0.62


@dataclass(frozen=True)
class Frame:
    """A map window in degrees; ``east`` may exceed 180 when the window runs across the antimeridian."""

    west: float
    east: float
    south: float
    north: float

    @property
    def width(self) -> float:
        return self.east - self.west

    @property
    def height(self) -> float:
        return self.north - self.south

    @property
    def center_lon(self) -> float:
        return _norm((self.west + self.east) / 2)

    def contains(self, lon: float, lat: float) -> bool:
        """Whether the point is inside the window (at any of its 360° copies)."""
        if not self.south <= lat <= self.north:
            return False
        k = math.ceil((self.west - lon) / FULL_TURN)
        return self.west <= lon + k * FULL_TURN <= self.east

    def bbox(self) -> list[float]:
        """GeoJSON bbox [west, south, east, north] with longitudes in [-180, 180]; west > east across the antimeridian."""
        return [round(_norm(self.west), 3), round(self.south, 3), round(_norm(self.east), 3), round(self.north, 3)]

    @classmethod
    def from_bbox(cls, bbox: Sequence[float]) -> Frame:
        w, s, e, n = (float(v) for v in bbox)
        return cls(w, e + FULL_TURN if e < w else e, s, n)


def _norm(lon: float) -> float:
    """Longitude in [-180, 180)."""
    return (lon + HALF_TURN) % FULL_TURN - HALF_TURN


def unwrap(coords: Iterable[Sequence[float]]) -> list[tuple[float, float]]:
    """A line with continuous longitudes: the first point in [-180, 180), then no jump over 180°.

    searoute writes some Pacific points as 190°; a route through the Bering Strait runs on past 180°E.
    """
    out: list[tuple[float, float]] = []
    for c in coords:
        x, y = float(c[0]), float(c[1])
        if not out:
            out.append((_norm(x), y))
            continue
        px = out[-1][0]
        x = px + _norm(x - px)
        out.append((x, y))
    return out


def _fit(lo: float, hi: float, span_min: float) -> tuple[float, float]:
    pad = max(MIN_PAD_DEG, PAD_SHARE * (hi - lo))
    lo, hi = lo - pad, hi + pad
    if hi - lo < span_min:
        mid = (lo + hi) / 2
        lo, hi = mid - span_min / 2, mid + span_min / 2
    return lo, hi


def frame_for(lines: Iterable[Sequence[Sequence[float]]], points: Iterable[Sequence[float]] = ()) -> Frame:
    """The window that shows every line (unwrapped, see :func:`unwrap`) and point, with a margin.

    Lines start at places (longitude in [-180, 180)) and are unwrapped from there, so a Pacific crossing
    extends the window east of 180° instead of wrapping to the far west.
    """
    xs: list[float] = []
    ys: list[float] = []
    for line in lines:
        for x, y in unwrap(line):
            xs.append(x)
            ys.append(y)
    for x, y, *_ in points:
        xs.append(_norm(float(x)))
        ys.append(float(y))
    if not xs:
        raise ValueError("nothing to frame")
    west, east = _fit(min(xs), max(xs), MIN_SPAN_LON)
    south, north = _fit(min(ys), max(ys), MIN_SPAN_LAT)
    south, north = max(south, LAT_LIMITS[0]), min(north, LAT_LIMITS[1])
    aspect = (east - west) / (north - south)
    if aspect < MIN_ASPECT:
        grow = (MIN_ASPECT * (north - south) - (east - west)) / 2
        west, east = west - grow, east + grow
    elif aspect > MAX_ASPECT:
        grow = ((east - west) / MAX_ASPECT - (north - south)) / 2
        south, north = south - grow, north + grow
        if south < LAT_LIMITS[0]:
            south, north = LAT_LIMITS[0], north + (LAT_LIMITS[0] - south)
        if north > LAT_LIMITS[1]:
            south, north = south - (north - LAT_LIMITS[1]), LAT_LIMITS[1]
    return Frame(west, east, south, north)


def short_name(name: str) -> str:
    """The label a map prints: the name before any parenthesis ('Astara (Iran–Azerbaijan border)' → 'Astara')."""
    return name.split(" (")[0]


def to_geojson(comparison: Comparison) -> dict[str, Any]:
    """A FeatureCollection: each leg of each corridor, then the places it touches; ``bbox`` is the map window."""
    feats: list[dict[str, Any]] = []
    used: set[str] = set()
    ids = places()
    lines: list[list[tuple[float, float]]] = []
    for c in comparison.corridors:
        for leg in c.legs:
            used |= {leg.a, leg.b}
            lines.append(unwrap(leg.geometry))
            coords = [[round(_norm(x), 4), y] for x, y in leg.geometry]
            kind = "schematic" if leg.schematic else "searoute"
            feats.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords},
                          "properties": {"corridor": c.corridor, "open": c.open, **leg.to_dict(), "geometry": kind}})
    pts = []
    for pid in sorted(used):
        p = ids[pid]
        pts.append((p.lon, p.lat))
        end = "origin" if pid == comparison.origin.id else "destination" if pid == comparison.destination.id else ""
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                      "properties": {"id": p.id, "locode": p.locode, "name": p.name, "kind": p.kind,
                                     "end": end, "source": p.source}})
    out: dict[str, Any] = {"type": "FeatureCollection"}
    if lines or pts:
        out["bbox"] = frame_for(lines, pts).bbox()
    out["features"] = feats
    return out


@dataclass(frozen=True)
class MapLayout:
    """What a drawn map shows: its window, and where each place label went (pixels, y upwards)."""

    frame: Frame
    labels: tuple[LabelSpot, ...]
    #: the drawing area the labels had to stay in (the map's axes), pixels
    area: Box
    #: each label's text as drawn, measured by the renderer after drawing (pixels, y upwards)
    drawn: tuple[Box, ...] = ()


def _title(comparison: Comparison) -> str:
    sc = f" ({', '.join(comparison.scenarios)})" if comparison.scenarios else ""
    return (f"{comparison.cargo.capitalize()} corridors {comparison.origin.name} → {comparison.destination.name}, "
            f"departing {comparison.date:%Y-%m-%d}{sc}")


def _shift_into(line: list[tuple[float, float]], frame: Frame) -> list[tuple[float, float]]:
    """The line moved by a whole turn, if that puts more of it inside the window."""
    best, best_in = line, -1
    for k in (-FULL_TURN, 0.0, FULL_TURN):
        inside = sum(frame.west <= x + k <= frame.east for x, _ in line)
        if inside > best_in:
            best, best_in = [(x + k, y) for x, y in line], inside
    return best


def _land_rings(frame: Frame) -> list[list[tuple[float, float]]]:
    """Land rings (and their 360° copies) that touch the window, outer rings and holes, in drawing order."""
    out: list[list[tuple[float, float]]] = []
    for poly in land().polygons:
        xs = [x for x, _ in poly[0]]
        ys = [y for _, y in poly[0]]
        if max(ys) < frame.south or min(ys) > frame.north:
            continue
        for k in (-FULL_TURN, 0.0, FULL_TURN):
            if min(xs) + k <= frame.east and max(xs) + k >= frame.west:
                out += [[(x + k, y) for x, y in ring] for ring in poly]
    return out


def _lon_label(v: float, _pos: object = None) -> str:
    lon = _norm(v)
    if abs(lon) < 1e-9 or abs(abs(lon) - HALF_TURN) < 1e-9:
        return f"{abs(lon):.0f}°"
    return f"{abs(lon):.0f}°{'E' if lon > 0 else 'W'}"


def _lat_label(v: float, _pos: object = None) -> str:
    return "0°" if abs(v) < 1e-9 else f"{abs(v):.0f}°{'N' if v > 0 else 'S'}"


def _lines(gj: dict[str, Any], frame: Frame) -> list[tuple[dict[str, Any], list[tuple[float, float]]]]:
    """Every leg unwrapped into the window, closed corridors first (so an open corridor's line lies on top)."""
    legs = [f for f in gj["features"] if f["geometry"]["type"] == "LineString"]
    legs.sort(key=lambda f: bool(f["properties"]["open"]))
    return [(f["properties"], _shift_into(unwrap(f["geometry"]["coordinates"]), frame)) for f in legs]


def _places(gj: dict[str, Any], frame: Frame) -> list[tuple[dict[str, Any], float, float]]:
    """Places (ends first), their longitude moved into the window."""
    pts = [f for f in gj["features"] if f["geometry"]["type"] == "Point"]
    pts.sort(key=lambda f: (f["properties"]["end"] == "", f["properties"]["name"]))
    out = []
    for f in pts:
        x, y = f["geometry"]["coordinates"]
        k = math.ceil((frame.west - x) / FULL_TURN)
        out.append((f["properties"], x + k * FULL_TURN, y))
    return out


def render_png(comparison: Comparison) -> tuple[bytes, MapLayout]:
    """A static map as PNG bytes: land, every corridor's legs coloured by mode (dashed when closed), places labelled."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.font_manager import FontProperties
    from matplotlib.lines import Line2D
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath
    from matplotlib.text import Text
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    gj = to_geojson(comparison)
    frame = Frame.from_bbox(gj["bbox"])
    fig = plt.figure(figsize=(PNG_WIDTH_IN, PNG_WIDTH_IN * frame.height / frame.width + 1.4), dpi=PNG_DPI)
    try:
        ax = fig.add_axes((0.06, 0.16, 0.92, 0.76))
        ax.set_facecolor(SEA_FILL)
        rings = _land_rings(frame)
        if rings:
            verts: list[tuple[float, float]] = []
            codes: list[Any] = []
            for ring in rings:
                verts += [*ring, ring[0]]
                codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(ring) - 1) + [MplPath.CLOSEPOLY]
            ax.add_patch(PathPatch(MplPath(verts, codes), facecolor=LAND_FILL, edgecolor=LAND_EDGE, lw=0.4,
                                   zorder=1))
        modes: list[str] = []
        any_closed = False
        for props, line in _lines(gj, frame):
            mode = props["mode"]
            modes += [mode] if mode not in modes else []
            any_closed |= not props["open"]
            ax.plot([x for x, _ in line], [y for _, y in line], color=MODE_STYLE.get(mode, "black"),
                    lw=1.8 if props["open"] else 1.3, ls="-" if props["open"] else (0, (4, 3)),
                    alpha=0.9 if props["open"] else 0.7, zorder=3 if props["open"] else 2, solid_capstyle="round")
        pts = _places(gj, frame)
        for props, x, y in pts:
            end = bool(props["end"])
            ax.plot(x, y, "o", color="black", ms=5 if end else 3.2, mec="white", mew=0.6, zorder=5)
        ax.set_xlim(frame.west, frame.east)
        ax.set_ylim(frame.south, frame.north)
        ax.set_aspect("equal", adjustable="box")
        step = 10 if frame.width <= 60 else 20 if frame.width <= 120 else 30
        ax.xaxis.set_major_locator(MultipleLocator(step))
        ax.yaxis.set_major_locator(MultipleLocator(10 if frame.height <= 60 else 20))
        ax.xaxis.set_major_formatter(FuncFormatter(_lon_label))
        ax.yaxis.set_major_formatter(FuncFormatter(_lat_label))
        ax.tick_params(labelsize=7, length=2, colors="#555555")
        ax.grid(color="white", lw=0.5, zorder=0.5)
        ax.set_title(_title(comparison), fontsize=10, loc="left")
        handles = [Line2D([], [], color=MODE_STYLE[m], lw=2, label=MODE_LABELS.get(m, m))
                   for m in MODE_STYLE if m in modes]
        if any_closed:
            handles.append(Line2D([], [], color="#555555", lw=1.3, ls=(0, (4, 3)), label="closed on this date"))
        fig.canvas.draw()
        bbox = ax.get_window_extent()
        legend = fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(bbox.x0 / fig.bbox.width,
                            bbox.y0 / fig.bbox.height - 0.035), ncol=min(4, len(handles)) or 1, fontsize=7.5,
                            frameon=False, handlelength=2.4)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        lb = legend.get_window_extent(renderer)
        fig.text(bbox.x0 / fig.bbox.width, (lb.y0 - 6) / fig.bbox.height,
                 f"Sea legs: searoute lanes; land legs: straight lines between their ends (schematic); {SOURCE_NOTE}.",
                 fontsize=6.5, color="#555555", va="top")
        area = Box(bbox.x0 + 2, bbox.y0 + 2, bbox.x1 - 2, bbox.y1 - 2)
        fonts = {True: FontProperties(size=END_LABEL_PT, weight="bold"), False: FontProperties(size=LABEL_PT)}
        is_end = {short_name(p["name"]): bool(p["end"]) for p, _, _ in pts}

        def size(text: str) -> tuple[float, float]:
            w, h, _d = renderer.get_text_width_height_descent(text, fonts[is_end[text]], ismath=False)
            return w + 2, h + 2

        xy = [(short_name(p["name"]), *ax.transData.transform((x, y))) for p, x, y in pts]
        spots = place_labels(xy, size, area)
        to_pt = 72.0 / fig.dpi
        texts = []
        for (props, x, y), spot in zip(pts, spots, strict=True):
            texts.append(ax.annotate(spot.text, (x, y), xytext=(spot.dx * to_pt, spot.dy * to_pt), textcoords="offset points",
                        ha=spot.ha, va="center_baseline" if spot.va == "center" else spot.va,
                        fontproperties=fonts[bool(props["end"])], zorder=6, color="#111111",
                        bbox={"boxstyle": "square,pad=0.05", "fc": (1, 1, 1, 0.6), "ec": "none"},
                        arrowprops={"arrowstyle": "-", "lw": 0.5, "color": "#444444", "shrinkA": 0, "shrinkB": 2}
                        if spot.leader else None))
        fig.canvas.draw()
        drawn = tuple(Box(*(float(v) for v in Text.get_window_extent(t, renderer).extents)) for t in texts)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=PNG_DPI, bbox_inches="tight", pad_inches=0.15)
        return buf.getvalue(), MapLayout(frame, tuple(spots), area, drawn)
    finally:
        plt.close(fig)


def _svg_xy(frame: Frame, scale: float, lon: float, lat: float) -> tuple[float, float]:
    return (lon - frame.west) * scale, (frame.north - lat) * scale


def render_html(comparison: Comparison) -> str:
    """One self-contained HTML page: an SVG map (land, routes, labelled places; hover a line for its leg) and the table."""
    gj = to_geojson(comparison)
    frame = Frame.from_bbox(gj["bbox"])
    scale = SVG_WIDTH / frame.width
    width, height = SVG_WIDTH, frame.height * scale

    def pt(lon: float, lat: float) -> str:
        x, y = _svg_xy(frame, scale, lon, lat)
        return f"{x:.1f},{y:.1f}"

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
             f'style="width:100%;height:auto;background:{SEA_FILL};border:1px solid #ccc" role="img" '
             f'aria-label="{escape(_title(comparison))}">']
    land_d = " ".join("M" + "L".join(pt(x, y) for x, y in ring) + "Z" for ring in _land_rings(frame))
    if land_d:
        parts.append(f'<path d="{land_d}" fill="{LAND_FILL}" stroke="{LAND_EDGE}" stroke-width="0.5" '
                     'fill-rule="evenodd"/>')
    modes: list[str] = []
    for props, line in _lines(gj, frame):
        modes += [props["mode"]] if props["mode"] not in modes else []
        tip = escape(f"{props['corridor']}: {props['from_name']} → {props['to_name']}, {props['mode']}, "
                     f"{props['distance_km']:,.0f} km" + (" (closed)" if not props["open"] else ""))
        dash = "" if props["open"] else ' stroke-dasharray="6 4"'
        pts = " ".join(pt(x, y) for x, y in line)
        parts.append(f'<polyline points="{pts}" stroke="{MODE_STYLE.get(props["mode"], "black")}" '
                     f'stroke-width="2" fill="none" opacity="0.85"{dash}><title>{tip}</title></polyline>')
    places_ = _places(gj, frame)

    def size(text: str) -> tuple[float, float]:
        return EM_WIDTH * SVG_FONT_PX * len(text) + 2, SVG_FONT_PX * 1.25

    # the placer works with y upwards: flip the SVG's y
    xy = [(short_name(p["name"]), _svg_xy(frame, scale, x, y)[0], height - _svg_xy(frame, scale, x, y)[1])
          for p, x, y in places_]
    legend_h = 14.0 * (len(modes) + 1) + 8
    spots = place_labels(xy, size, Box(2, 2, width - 2, height - 2), avoid=(Box(0, 0, 250, legend_h),))
    for (props, x, y), spot in zip(places_, spots, strict=True):
        cx, cy = _svg_xy(frame, scale, x, y)
        name = escape(props["name"])
        weight = ' font-weight="bold"' if props["end"] else ""
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{4 if props["end"] else 3}" stroke="white" '
                     f'stroke-width="0.8"><title>{name}</title></circle>')
        tx, ty = spot.box.x0 + 1, height - spot.box.y0 - SVG_FONT_PX * 0.3
        if spot.leader:
            ax_, ay_ = cx + spot.dx, cy - spot.dy
            parts.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{ax_:.1f}" y2="{ay_:.1f}" stroke="#444" '
                         'stroke-width="0.6"/>')
        parts.append(f'<text class="place" x="{tx:.1f}" y="{ty:.1f}" font-size="{SVG_FONT_PX:.0f}"{weight} '
                     'paint-order="stroke" '
                     f'stroke="white" stroke-width="2.5" stroke-opacity="0.7">{escape(spot.text)}</text>')
    shown = [m for m in MODE_STYLE if m in modes]
    parts.append(f'<rect x="4" y="{height - legend_h:.0f}" width="250" height="{legend_h - 4:.0f}" fill="white" '
                 'fill-opacity="0.85" rx="3"/>')
    for i, mode in enumerate(shown):
        ly = height - 12 - 14 * (len(shown) - i)
        parts.append(f'<line x1="10" y1="{ly:.0f}" x2="30" y2="{ly:.0f}" stroke="{MODE_STYLE[mode]}" stroke-width="3"/>'
                     f'<text x="35" y="{ly + 3:.0f}" font-size="10">{escape(MODE_LABELS.get(mode, mode))}</text>')
    ly = height - 12
    parts.append(f'<line x1="10" y1="{ly:.0f}" x2="30" y2="{ly:.0f}" stroke="#555" stroke-width="2" '
                 f'stroke-dasharray="6 4"/><text x="35" y="{ly + 3:.0f}" font-size="10">closed on this date</text>')
    parts.append("</svg>")
    tanker = comparison.cargo == "tanker"
    cols = ["corridor", "open", "distance_km", "days_p50", "days_p90"] + (
        ["usd_per_tonne_p50", "usd_per_tonne_p90", "usd_per_bbl_p50", "co2e_kg_per_tonne"] if tanker else
        ["usd_per_teu_p50", "usd_per_teu_p90", "co2e_kg_per_teu"]) + ["passages", "reasons"]
    rows = "".join("<tr>" + "".join(f"<td>{escape(str(r[c]))}</td>" for c in cols) + "</tr>"
                   for r in (c.record() for c in comparison.corridors))
    title = escape(_title(comparison))
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse;font-size:12px}"
            "td,th{border:1px solid #ccc;padding:2px 6px}</style></head><body>"
            f"<h2>{title}</h2>{''.join(parts)}<table><tr>"
            + "".join(f"<th>{c}</th>" for c in cols) + f"</tr>{rows}</table>"
            "<p>Sea legs: searoute lanes; land legs: straight lines (schematic). Days and US$ are P50/P90 of a "
            f"seeded Monte Carlo; sources and assumptions in bilateral/corridors/data/. {escape(SOURCE_NOTE)}.</p>"
            "</body></html>\n")
