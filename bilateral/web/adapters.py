"""Thin adapters from the dashboard and the brief to the capability modules.

Each capability is called here and nowhere else in ``bilateral.web`` or ``bilateral.report.brief``,
so a signature change in a model is a one-line fix in this file. Every adapter takes already
validated arguments (see :mod:`bilateral.web.validate`) and returns the capability's typed result.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bilateral.harmonise.pairs import Pair
    from bilateral.store.db import Store

__all__ = ["DEFAULT_ORIGIN", "DEFAULT_DESTINATION", "agenda", "check", "corridor_geojson", "corridors", "flows",
           "indicators", "overview", "potential", "settlement", "settlement_scenarios", "source_names", "target",
           "target_default", "totals"]

#: the corridor trip the dashboard and the brief show by default (the issue's logistics question)
DEFAULT_ORIGIN = "INNSA"
DEFAULT_DESTINATION = "Moscow"


def overview(store: Store, pair: Pair, period: str | None) -> Any:
    """``bilateral.api.overview``: where the partnership stands in a period (None: the latest)."""
    from bilateral import api

    return api.overview(store, pair, period)


def totals(store: Store, pair: Pair) -> list[Any]:
    """``bilateral.api.totals``: yearly exports and imports, each figure with its serving source."""
    from bilateral import api

    return api.totals(store, pair)


def indicators(store: Store, pair: Pair, period: str | None) -> list[dict[str, Any]]:
    """``bilateral.api.indicators``: every indicator with its metadata, value, note and releases."""
    from bilateral import api

    return api.indicators(store, pair, period)


def flows(store: Store, pair: Pair, source: str | None, level: int) -> list[Any]:
    """``bilateral.api.flows``: flows by period at an HS level, one serving source per figure."""
    from bilateral import api

    return api.flows(store, pair, source, level)


def source_names() -> list[str]:
    """The sources the read layer's precedence file lists (the values ``source`` accepts)."""
    from bilateral.store.queries import source_names as names

    return list(names())


def target_default(pair: Pair) -> Any:
    """The pair's target from ``harmonise/data/targets.csv`` (None when the file holds none)."""
    from bilateral.harmonise.targets import target_for

    return target_for(pair)


def target(store: Store, pair: Pair, target_usd: float, by: str, base: str | None = None) -> Any:
    """``bilateral.models.target.track`` without the backtest (the dashboard shows the forecast and p(reach)).

    Work-around: ``track`` fails with a TypeError (a complex growth rate in the 'if it all came from
    exports' figure) when the target lies below the base year's total less its exports, so a target
    at or below the base total is refused here with one line before the model runs.
    """
    from bilateral.errors import BilateralError
    from bilateral.models.target import track
    from bilateral.store.queries import period_totals

    _, base_year = period_totals(store, pair, base)
    if base_year.total_usd is not None and target_usd <= base_year.total_usd:
        raise BilateralError(f"target US${target_usd / 1e9:,.2f} bn is not above {base_year.period}'s total trade "
                             f"(US${base_year.total_usd / 1e9:,.2f} bn); the tracker measures the way up to a target")
    return track(store, pair, target_usd=target_usd, by=by, base=base, with_backtest=False)


def potential(store: Store, pair: Pair, sector: str | None, products: tuple[str, ...], top: int,
              exclude_sanction_risk: bool = False) -> Any:
    """``bilateral.models.potential.potential``: the reporter's untapped exports in the partner's market."""
    from bilateral.models.potential import potential as run

    return run(store, pair.reporter, pair.partner, sector=sector, products=products, top=top,
               exclude_sanction_risk=exclude_sanction_risk)


def corridors(origin: str, destination: str, when: date, scenarios: tuple[str, ...], cargo: str) -> Any:
    """``bilateral.corridors.model.compare`` (corridors read only their own data files, not the store)."""
    from bilateral.corridors.model import compare

    return compare(origin, destination, when, scenarios, cargo)  # type: ignore[arg-type]


def corridor_geojson(comparison: Any) -> dict[str, Any]:
    """The corridors' legs as a GeoJSON FeatureCollection (``bilateral.corridors.maps.to_geojson``)."""
    from bilateral.corridors.maps import to_geojson

    return to_geojson(comparison)


@cache
def settlement_scenarios() -> tuple[str, ...]:
    """The shipped settlement scenario names (never a file named by a user); read once."""
    from bilateral.models.settlement import scenario_names

    return tuple(scenario_names())


def settlement(store: Store, pair: Pair, scenario: str | None, start: str | None, end: str | None) -> Any:
    """``bilateral.models.settlement.simulate_all`` over the shipped scenarios, or one shipped scenario."""
    from bilateral.models.settlement import load_scenarios, simulate_all

    scenarios = load_scenarios(None)
    if scenario is not None:
        scenarios = [s for s in scenarios if s.name == scenario]
    return simulate_all(store, pair, scenarios, start, end)


def agenda(store_path: Any) -> Any:
    """``bilateral.agenda.registry.load_registry`` (packaged commitments plus the updates kept beside the store)."""
    from bilateral.agenda.registry import load_registry

    return load_registry(None, store=store_path)


def check(store: Store, text: str, when: date | None, pair: Pair) -> list[Any]:
    """``bilateral.agenda.claims.check_text``: every quantitative claim of a text with its verdict."""
    from bilateral.agenda.claims import check_text

    return check_text(store, text, date=when, pair=pair)
