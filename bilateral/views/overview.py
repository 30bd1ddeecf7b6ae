"""The overview page and its JSON twins: where a pair stands, its yearly totals, indicators and flows.

``overview`` feeds the dashboard's front page, ``GET /api/overview`` and the brief's first section;
``totals``, ``indicators`` and ``flows`` are the read layer's figures behind ``/api/totals``,
``/api/indicators`` and ``/api/flows`` (the page shows the indicators table too).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bilateral.views import charts
from bilateral.views.base import View

if TYPE_CHECKING:
    from bilateral.harmonise.pairs import Pair
    from bilateral.models.overview import Overview
    from bilateral.store.db import Store
    from bilateral.store.queries import FlowRow, PeriodTotals

__all__ = ["flows", "indicators", "overview", "source_names", "totals"]


def overview(store: Store, pair: Pair, period: str | None) -> View[Overview]:
    """Where the partnership stands in a period (None: the latest): totals, detail, sectors, notes; three charts."""
    from bilateral.models.overview import overview as build

    ov = build(store, pair, period)
    data = ov.to_dict()
    return View("overview", ov, data, (charts.overview_series(data), charts.overview_composition(data, "exports"),
                                       charts.overview_composition(data, "imports")))


def totals(store: Store, pair: Pair) -> View[list[PeriodTotals]]:
    """Yearly exports and imports, each figure with the source that serves it."""
    from bilateral.store.queries import pair_totals

    rows = pair_totals(store, pair)
    return View("totals", rows, {"pair": pair.label, "totals": [r.to_dict() for r in rows]})


def indicators(store: Store, pair: Pair, period: str | None) -> View[list[dict[str, Any]]]:
    """Every indicator with its metadata, value, note and releases for the pair and period."""
    from bilateral.models.indicators import summary

    rows = summary(store, pair, period)
    return View("indicators", rows, {"pair": pair.label, "period": period, "indicators": rows})


def flows(store: Store, pair: Pair, source: str | None, level: int) -> View[list[FlowRow]]:
    """Flows by period at an HS level (0: totals), one serving source per figure (or only ``source``)."""
    from bilateral.store.queries import pair_flows

    rows = pair_flows(store, pair, source, level)
    return View("flows", rows, {"pair": pair.label, "source": source, "level": level,
                                "flows": [r.to_dict() for r in rows]})


def source_names() -> list[str]:
    """The sources the read layer's precedence file lists (the values ``source`` accepts)."""
    from bilateral.store.queries import source_names as names

    return list(names())
