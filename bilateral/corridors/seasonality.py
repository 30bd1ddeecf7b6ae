"""Scenarios and seasons: when a corridor is open.

- The chokepoints (Red Sea, Strait of Hormuz, Black Sea) follow their dated state in
  ``data/chokepoints.csv`` on the departure date (see ``chokepoints``); ``red-sea-closed``,
  ``red-sea-open``, ``hormuz-closed``, ``hormuz-open``, ``black-sea-closed`` and ``black-sea-open``
  force one instead (``open`` without a war-risk premium).
- ``rasht-astara-open``: the planned Rasht–Astara railway is in service (legs.csv ``opens_with``).
- The Northern Sea Route is open to ships without ice class only in its summer window
  (``data/seasons.csv``): the ship must enter the NSR waters on or after the opening day and leave them
  on or before the closing day, at the P50 speed.
- Astara congestion is not a switch but a multiplier on the dwell at Astara (``astara_congestion``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, get_args

from bilateral.corridors.chokepoints import State
from bilateral.corridors.legs import season
from bilateral.errors import BilateralError

__all__ = ["SCENARIOS", "NsrWindow", "Scenario", "check_scenarios", "forced_states", "nsr_window"]

Scenario = Literal["red-sea-closed", "red-sea-open", "hormuz-closed", "hormuz-open", "black-sea-closed",
                   "black-sea-open", "rasht-astara-open"]
SCENARIOS: tuple[str, ...] = get_args(Scenario)


def check_scenarios(names: list[str] | tuple[str, ...]) -> frozenset[str]:
    """Scenario names checked at run time (one line naming the valid ones on a typo or a contradiction)."""
    bad = [n for n in names if n not in SCENARIOS]
    if bad:
        raise BilateralError(f"unknown --scenario {bad[0]!r}; use one of {', '.join(SCENARIOS)}")
    for cp in ("red-sea", "hormuz", "black-sea"):
        if f"{cp}-open" in names and f"{cp}-closed" in names:
            raise BilateralError(f"--scenario {cp}-open and {cp}-closed contradict each other; give one")
    return frozenset(names)


def forced_states(scenarios: frozenset[str]) -> dict[str, State]:
    """The chokepoint states the scenarios force: {'red-sea': 'closed', …}."""
    out: dict[str, State] = {}
    for name in scenarios:
        for cp in ("red-sea", "hormuz", "black-sea"):
            if name in (f"{cp}-open", f"{cp}-closed"):
                out[cp] = "open" if name.endswith("-open") else "closed"
    return out


@dataclass(frozen=True)
class NsrWindow:
    """Whether an NSR transit fits the season: entry and exit dates at P50 speed and the window that year."""

    entry: date
    exit: date
    opens: date
    closes: date

    @property
    def open(self) -> bool:
        return self.opens <= self.entry and self.exit <= self.closes

    def reason(self) -> str | None:
        if self.open:
            return None
        return (f"Northern Sea Route closed to ships without ice class: transit {self.entry:%Y-%m-%d} to "
                f"{self.exit:%Y-%m-%d}, season {self.opens:%m-%d} to {self.closes:%m-%d}")


def nsr_window(departure: date, days_to_entry: float, days_to_exit: float) -> NsrWindow:
    """The NSR check for a ship leaving on ``departure`` that reaches and leaves the NSR after the given days."""
    entry = departure + timedelta(days=days_to_entry)
    exit_ = departure + timedelta(days=days_to_exit)
    opens, closes = season("nsr").window(entry.year)
    return NsrWindow(entry, exit_, opens, closes)
