"""The corridors page, ``GET /api/corridors`` and the brief's corridor comparison (one trip, every corridor)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bilateral.views import charts
from bilateral.views.base import View

if TYPE_CHECKING:
    from datetime import date

    from bilateral.corridors.model import Comparison

__all__ = ["DEFAULT_DESTINATION", "DEFAULT_ORIGIN", "corridors"]

#: the corridor trip the dashboard and the brief show by default (the logistics planner's question)
DEFAULT_ORIGIN = "INNSA"
DEFAULT_DESTINATION = "Moscow"


def corridors(origin: str, destination: str, when: date, scenarios: tuple[str, ...],
              cargo: str) -> View[Comparison]:
    """Every corridor for one trip (ends as UN/LOCODEs or place names): days, cost, CO2e, legs as GeoJSON.

    Corridors read only their own data files, not the store. The JSON carries the legs as a GeoJSON
    FeatureCollection under ``geojson``; the charts are the map and the comparison bars.
    """
    from bilateral.corridors.maps import to_geojson
    from bilateral.corridors.model import compare

    cmp = compare(origin, destination, when, scenarios, cargo)  # type: ignore[arg-type]
    data: dict[str, Any] = cmp.to_dict()
    data["geojson"] = to_geojson(cmp)
    return View("corridors", cmp, data, (charts.corridor_map(data, data["geojson"]), charts.corridor_bars(data)))
