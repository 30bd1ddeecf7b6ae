"""Trade targets as data (``harmonise/data/targets.csv``), with their history.

One row per goal: pair, value, target period; when, where and from which base year it was set,
with its source; and when and where it was last reaffirmed, with that source (empty if never).
"""

from __future__ import annotations

from dataclasses import dataclass

from bilateral.errors import BilateralError
from bilateral.harmonise.pairs import Pair
from bilateral.harmonise.periods import parse_period
from bilateral.harmonise.tables import read_table

__all__ = ["Target", "target_for", "targets"]

FILE = "bilateral/harmonise/data/targets.csv"
COLUMNS = ("pair", "value_usd", "by", "set_on", "set_at", "set_base", "source", "url", "reaffirmed_on",
           "reaffirmed_at", "reaffirmed_source", "reaffirmed_url")


@dataclass(frozen=True)
class Target:
    """A goal for a pair's total trade (exports + imports) in a period, and its history."""

    pair: str
    value_usd: float
    by: str  # canonical period label, e.g. FY2029-30
    set_on: str  # date the goal was set (ISO)
    set_at: str  # where (the meeting)
    set_base: str | None  # the base year it was set from (canonical label), if stated or inferred
    source: str
    url: str
    reaffirmed_on: str | None = None
    reaffirmed_at: str | None = None
    reaffirmed_source: str | None = None
    reaffirmed_url: str | None = None

    @property
    def announced(self) -> str:
        """The date of the latest statement of the goal (reaffirmed, else set)."""
        return self.reaffirmed_on or self.set_on


def targets() -> list[Target]:
    """Every target in the targets file."""
    out = []
    for line, r in enumerate(read_table("targets.csv", COLUMNS, key=("pair", "by")), start=2):
        try:
            value = float(r["value_usd"])
        except ValueError:
            raise BilateralError(f"{FILE}, line {line}: value_usd {r['value_usd']!r} of {r['pair']} is not a number") \
                from None
        if (r["reaffirmed_on"] or "") and (r["reaffirmed_on"] or "") < r["set_on"]:
            raise BilateralError(f"{FILE}, line {line}: reaffirmed_on {r['reaffirmed_on']} is before set_on {r['set_on']}")
        out.append(Target(r["pair"], value, parse_period(r["by"]).label, r["set_on"], r["set_at"],
                          parse_period(r["set_base"]).label if r["set_base"] else None, r["source"], r["url"],
                          r["reaffirmed_on"] or None, r["reaffirmed_at"] or None, r["reaffirmed_source"] or None,
                          r["reaffirmed_url"] or None))
    return out


def target_for(pair: Pair | str) -> Target | None:
    """The latest-dated target of a pair, or None when the file holds none (set one with --target-usd/--by)."""
    label = pair.label if isinstance(pair, Pair) else str(pair).upper()
    found = [t for t in targets() if t.pair == label]
    return max(found, key=lambda t: t.by) if found else None
