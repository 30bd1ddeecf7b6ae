"""Trade targets as data (``harmonise/data/targets.csv``): pair, value, target period, when announced, source."""

from __future__ import annotations

from dataclasses import dataclass

from bilateral.errors import BilateralError
from bilateral.harmonise.pairs import Pair
from bilateral.harmonise.periods import parse_period
from bilateral.harmonise.tables import read_table

__all__ = ["Target", "target_for", "targets"]


@dataclass(frozen=True)
class Target:
    """A goal for a pair's total trade (exports + imports) in a period."""

    pair: str
    value_usd: float
    by: str  # canonical period label, e.g. FY2029-30
    announced: str
    source: str
    url: str


def targets() -> list[Target]:
    """Every target in the targets file."""
    out = []
    for r in read_table("targets.csv", ("pair", "value_usd", "by", "announced", "source", "url"), key=("pair", "by")):
        try:
            value = float(r["value_usd"])
        except ValueError:
            raise BilateralError(f"bilateral/harmonise/data/targets.csv: value_usd {r['value_usd']!r} of {r['pair']} "
                                 "is not a number") from None
        out.append(Target(r["pair"], value, parse_period(r["by"]).label, r["announced"], r["source"], r["url"]))
    return out


def target_for(pair: Pair | str) -> Target | None:
    """The latest-dated target of a pair, or None when the file holds none (set one with --target-usd/--by)."""
    label = pair.label if isinstance(pair, Pair) else str(pair).upper()
    found = [t for t in targets() if t.pair == label]
    return max(found, key=lambda t: t.by) if found else None
