"""Scenarios and seasons: when a corridor is open.

- ``red-sea-closed``: any route through Bab-el-Mandeb (hence Suez from India) is closed; the Cape
  variants stay open.
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

from bilateral.corridors.legs import season
from bilateral.errors import BilateralError

__all__ = ["RED_SEA", "SCENARIOS", "NsrWindow", "Scenario", "check_scenarios", "nsr_window", "red_sea_closure"]

Scenario = Literal["red-sea-closed", "rasht-astara-open"]
SCENARIOS: tuple[str, ...] = get_args(Scenario)
#: the passage a Red Sea closure shuts (Suez routes from India all cross it)
RED_SEA = "babalmandab"


def check_scenarios(names: list[str] | tuple[str, ...]) -> frozenset[str]:
    """Scenario names checked at run time (one line naming the valid ones on a typo)."""
    bad = [n for n in names if n not in SCENARIOS]
    if bad:
        raise BilateralError(f"unknown --scenario {bad[0]!r}; use one of {', '.join(SCENARIOS)}")
    return frozenset(names)


def red_sea_closure(passages: set[str], scenarios: frozenset[str]) -> str | None:
    """The reason a route is closed by the Red Sea scenario, or None."""
    if "red-sea-closed" in scenarios and RED_SEA in passages:
        return "Red Sea closed (scenario red-sea-closed): route crosses Bab-el-Mandeb; take the Cape variant"
    return None


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
