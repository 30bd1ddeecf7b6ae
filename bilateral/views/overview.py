"""The overview page and its JSON twins: where a pair stands, its yearly totals, indicators and flows.

``overview`` feeds the dashboard's front page, ``GET /api/overview`` and the brief's first section;
``totals``, ``indicators`` and ``flows`` are the read layer's figures behind ``/api/totals``,
``/api/indicators`` and ``/api/flows`` (the page shows the indicators table too); ``pairs`` the pairs
the store can serve, with their periods (the pair selector and ``/api/pairs``).

All of them agree on whether a pair has data: each refuses a pair the store holds nothing for with
the one error of :func:`bilateral.store.queries.no_data`, and answers any other pair with every
figure served and each missing one named with its reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bilateral.views import charts
from bilateral.views.base import View

if TYPE_CHECKING:
    from bilateral.harmonise.pairs import Pair
    from bilateral.models.overview import Overview
    from bilateral.store.db import Store
    from bilateral.store.queries import FlowRow, PairCoverage, PeriodTotals

__all__ = ["flows", "indicators", "overview", "pairs", "source_names", "totals"]


def overview(store: Store, pair: Pair, period: str | None) -> View[Overview]:
    """Where the partnership stands in a period (None: the latest): totals, detail, sectors, notes; three charts."""
    from bilateral.models.overview import overview as build

    ov = build(store, pair, period)
    data = ov.to_dict()
    return View("overview", ov, data, (charts.overview_series(data), charts.overview_composition(data, "exports"),
                                       charts.overview_composition(data, "imports")))


def totals(store: Store, pair: Pair) -> View[list[PeriodTotals]]:
    """Yearly exports and imports, each figure with the source that serves it and each missing one with its reason."""
    from bilateral.store.queries import no_data, pair_totals

    rows = pair_totals(store, pair)
    if not rows:
        raise no_data(store, pair)
    return View("totals", rows, {"pair": pair.label, "totals": [r.to_dict() for r in rows],
                                 "missing": [m.to_dict() for r in rows for m in r.missing]})


def indicators(store: Store, pair: Pair, period: str | None) -> View[list[dict[str, Any]]]:
    """Every indicator with its metadata, value, note and releases for the pair and period."""
    from bilateral.models.indicators import summary

    rows = summary(store, pair, period)
    return View("indicators", rows, {"pair": pair.label, "period": period, "indicators": rows})


def flows(store: Store, pair: Pair, source: str | None, level: int) -> View[list[FlowRow]]:
    """Flows by period at an HS level (0: totals), one serving source per figure (or only ``source``)."""
    from bilateral.errors import NotAvailableError
    from bilateral.store.queries import no_data, pair_flows, served_pairs

    rows = pair_flows(store, pair, source, level)
    if not rows:
        held = next((c for c in served_pairs(store, pair.reporter) if c.partner == pair.partner), None)
        if held is None:
            raise no_data(store, pair)
        raise NotAvailableError(f"no {source + ' ' if source else ''}flows for {pair.label} at HS level {level}; the store "
                                f"holds {pair.label} for {held.span} from {', '.join(held.sources)}")
    return View("flows", rows, {"pair": pair.label, "source": source, "level": level,
                                "flows": [r.to_dict() for r in rows]})


def pairs(store: Store, reporter: str | None = None) -> View[list[PairCoverage]]:
    """The pairs the store can serve (only ``reporter``'s when given), each with its periods and sources."""
    from bilateral.harmonise.countries import country_name
    from bilateral.store.queries import served_pairs

    rows = served_pairs(store, reporter)
    reporters = sorted({c.reporter for c in served_pairs(store)}) if reporter is not None else sorted(
        {c.reporter for c in rows})
    return View("pairs", rows, {"reporter": reporter, "reporters": reporters, "pairs": [
        {**c.to_dict(), "reporter_name": country_name(c.reporter), "partner_name": country_name(c.partner)}
        for c in rows]})


def source_names() -> list[str]:
    """The sources the read layer's precedence file lists (the values ``source`` accepts)."""
    from bilateral.store.queries import source_names as names

    return list(names())
