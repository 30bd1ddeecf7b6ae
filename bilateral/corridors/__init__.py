"""Transport corridors between India and Russia: INSTC, Suez, the Cape, Chennai–Vladivostok and the NSR.

``compare(origin, destination, when, scenarios, cargo)`` returns a typed :class:`Comparison` of every
corridor that serves the pair: distance by mode, passages, days and cost as P50/P90, CO2e, and whether
the corridor is open on the date under the scenarios. Data live in ``corridors/data`` with sources.
"""

from __future__ import annotations

from bilateral.corridors.model import Comparison, CorridorResult, LegResult, compare
from bilateral.corridors.seasonality import SCENARIOS, Scenario

__all__ = ["SCENARIOS", "Comparison", "CorridorResult", "LegResult", "Scenario", "compare"]
