"""Maps of a comparison: GeoJSON (one LineString per leg, one Point per place) and a PNG.

Sea legs follow searoute's lanes; land legs are drawn as straight lines between their ends
(``geometry: schematic`` in their properties). The PNG has no coastline data (none ships offline):
searoute's sea-lane network is drawn faintly underneath, which outlines the seas well enough.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bilateral.corridors.legs import places
from bilateral.corridors.model import Comparison

__all__ = ["save_geojson", "save_png", "to_geojson"]

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
