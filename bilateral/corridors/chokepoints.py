"""The state of each chokepoint on a date: dated data with sources (``data/chokepoints.csv``).

A chokepoint is ``open``, ``restricted`` (open, with a war-risk premium in % of hull value, drawn
triangular low–mode–high) or ``closed`` (carriers divert: a route through it is not open). The state
on a departure date is the latest row dated on or before it, so the default follows the latest state
recorded; a scenario (``red-sea-closed``, ``red-sea-open``, …) overrides it. The Northern Sea Route's
season is in ``data/seasons.csv`` (see ``seasonality``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Literal, get_args

from bilateral.corridors.legs import DATA
from bilateral.errors import BilateralError, InputError

__all__ = ["CHOKEPOINTS", "ChokepointState", "State", "chokepoint_rows", "states_on"]

State = Literal["open", "restricted", "closed"]
STATES: tuple[str, ...] = get_args(State)
#: each chokepoint, the searoute passages that cross it, and its name in sentences
CHOKEPOINTS: dict[str, tuple[frozenset[str], str]] = {
    "red-sea": (frozenset({"babalmandab"}), "Red Sea (Bab-el-Mandeb)"),
    "hormuz": (frozenset({"ormuz"}), "Strait of Hormuz"),
    "black-sea": (frozenset({"bosporus"}), "Black Sea (Turkish Straits)"),
}
FILE = "chokepoints.csv"


@dataclass(frozen=True)
class ChokepointState:
    """A chokepoint's state from a date on, with the war-risk premium it carries and the source."""

    chokepoint: str
    since: date
    state: State
    war_risk_pct: tuple[float, float, float]  # low, mode, high: % of hull value per transit or call
    note: str
    source: str
    url: str
    forced: bool = False  # set by a scenario, not by the dated data

    @property
    def name(self) -> str:
        return CHOKEPOINTS[self.chokepoint][1]

    @property
    def passages(self) -> frozenset[str]:
        return CHOKEPOINTS[self.chokepoint][0]

    def text(self) -> str:
        """One line: the state, since when, why and who says so."""
        if self.forced:
            return f"{self.name}: {self.state} (scenario {self.chokepoint}-{self.state})"
        premium = (f"; war-risk premium {self.war_risk_pct[0]:g}-{self.war_risk_pct[2]:g}% of hull value"
                   if self.state == "restricted" else "")
        return f"{self.name}: {self.state} since {self.since.isoformat()}{premium} — {self.note}. {self.source}"

    def to_dict(self) -> dict[str, object]:
        return {"chokepoint": self.chokepoint, "name": self.name, "state": self.state, "since": self.since.isoformat(),
                "war_risk_pct_low": self.war_risk_pct[0], "war_risk_pct_mode": self.war_risk_pct[1],
                "war_risk_pct_high": self.war_risk_pct[2], "note": self.note, "source": self.source, "url": self.url,
                "set_by_scenario": self.forced}


@cache
def chokepoint_rows() -> tuple[ChokepointState, ...]:
    """Every dated row of data/chokepoints.csv, checked (known chokepoint and state, ISO date, low ≤ mode ≤ high)."""
    out: list[ChokepointState] = []
    with (DATA / FILE).open(encoding="utf-8", newline="") as fh:
        for line, r in enumerate(csv.DictReader(fh), start=2):
            if r["chokepoint"] not in CHOKEPOINTS:
                raise InputError(f"unknown chokepoint {r['chokepoint']!r}; use {', '.join(CHOKEPOINTS)}", file=FILE,
                                 line=line, field="chokepoint")
            if r["state"] not in STATES:
                raise InputError(f"unknown state {r['state']!r}; use {', '.join(STATES)}", file=FILE, line=line,
                                 field="state")
            try:
                since = date.fromisoformat(r["since"])
            except ValueError:
                raise InputError("not a date YYYY-MM-DD", file=FILE, line=line, field="since") from None
            try:
                pct = (float(r["war_risk_pct_low"]), float(r["war_risk_pct_mode"]), float(r["war_risk_pct_high"]))
            except ValueError:
                raise InputError("not a number", file=FILE, line=line, field="war_risk_pct_mode") from None
            if not 0 <= pct[0] <= pct[1] <= pct[2] <= 100:
                raise InputError("need 0 <= low <= mode <= high <= 100", file=FILE, line=line, field="war_risk_pct_mode")
            if not r["source"].strip() or (not r["url"].strip() and not r["source"].startswith("assumption")):
                raise InputError("every row needs a source and a URL (or 'assumption: …')", file=FILE, line=line,
                                 field="source")
            out.append(ChokepointState(r["chokepoint"], since, r["state"], pct, r["note"], r["source"],  # type: ignore[arg-type]
                                       r["url"]))
    return tuple(sorted(out, key=lambda s: (s.chokepoint, s.since)))


def states_on(day: date, forced: dict[str, State] | None = None) -> dict[str, ChokepointState]:
    """Each chokepoint's state on ``day``: the latest row dated on or before it, unless a scenario forces one."""
    out: dict[str, ChokepointState] = {}
    for cp in CHOKEPOINTS:
        rows = [s for s in chokepoint_rows() if s.chokepoint == cp and s.since <= day]
        if not rows:
            raise BilateralError(f"no state for {cp} on {day.isoformat()} in corridors/data/{FILE}")
        cur = rows[-1]
        if forced and cp in forced:
            cur = ChokepointState(cp, day, forced[cp], (0.0, 0.0, 0.0) if forced[cp] != "restricted"
                                  else cur.war_risk_pct, cur.note, cur.source, cur.url, forced=True)
        out[cp] = cur
    return out
