"""The settlement page, ``GET /api/settlement`` and the brief's rupee path (shipped scenarios only)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from bilateral.views import charts
from bilateral.views.base import View

if TYPE_CHECKING:
    from bilateral.harmonise.pairs import Pair
    from bilateral.models.settlement import SettlementRun
    from bilateral.store.db import Store

__all__ = ["scenario_names", "settlement"]


@cache
def scenario_names() -> tuple[str, ...]:
    """The shipped settlement scenario names (never a file named by a user); read once."""
    from bilateral.models.settlement import scenario_names as names

    return tuple(names())


def settlement(store: Store, pair: Pair, scenario: str | None, start: str | None,
               end: str | None) -> View[SettlementRun]:
    """The modelled rupee balance path under every shipped scenario, or one shipped scenario by name."""
    from bilateral.models.settlement import load_scenarios, simulate_all

    scenarios = load_scenarios(None)
    if scenario is not None:
        scenarios = [s for s in scenarios if s.name == scenario]
    run = simulate_all(store, pair, scenarios, start, end)
    data = run.to_dict()
    return View("settlement", run, data, (charts.settlement_paths(data),))
