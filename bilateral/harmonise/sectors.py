"""Summit sectors: HS codes → named baskets, from ``data/sectors.csv`` (longest prefix wins)."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from bilateral.errors import BilateralError

OTHER_SECTOR = "other"


@cache
def rules() -> dict[str, str]:
    """HS prefix → sector id."""
    text = resources.files("bilateral.harmonise").joinpath("data/sectors.csv").read_text(
        encoding="utf-8"
    )
    out: dict[str, str] = {}
    for i, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        prefix = row["prefix"].strip()
        if not prefix.isdigit() or len(prefix) not in (2, 4, 6):
            raise BilateralError(f"sectors.csv row {i}: prefix {prefix!r} is not an HS2/4/6 code")
        if prefix in out:
            raise BilateralError(f"sectors.csv row {i}: prefix {prefix!r} listed twice")
        if row["sector"] not in titles():
            raise BilateralError(f"sectors.csv row {i}: unknown sector {row['sector']!r}")
        out[prefix] = row["sector"]
    return out


@cache
def titles() -> dict[str, str]:
    """Sector id → display title, in display order."""
    text = resources.files("bilateral.harmonise").joinpath("data/sector_names.csv").read_text(
        encoding="utf-8"
    )
    return {r["sector"]: r["title"] for r in csv.DictReader(text.splitlines())}


@cache
def sector_of(code: str) -> str:
    """The sector of an HS code of any level (chapter codes match chapter rules only)."""
    table = rules()
    for n in (6, 4, 2):
        if len(code) >= n and code[:n] in table:
            return table[code[:n]]
    return OTHER_SECTOR


def sector_table() -> list[tuple[str, str]]:
    """(prefix, sector) pairs, for loading into the store."""
    return sorted(rules().items())
