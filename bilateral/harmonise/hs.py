"""HS codes: levels (8 → 6 → 4 → 2), sections, revisions."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from bilateral.errors import BilateralError

HS_LEVELS = (2, 4, 6, 8)


def truncate(code: str, level: int) -> str:
    """The level-digit parent of an HS code (``'30049099'``, 4 → ``'3004'``)."""
    if level not in HS_LEVELS:
        raise BilateralError(f"HS level must be one of {HS_LEVELS}, not {level}")
    if len(code) < level or not code.isdigit():
        raise BilateralError(f"HS code {code!r} has fewer than {level} digits")
    return code[:level]


@cache
def sections() -> dict[str, tuple[str, str]]:
    """Chapter (2 digits) → (section numeral, section title)."""
    text = resources.files("bilateral.harmonise").joinpath("data/hs_sections.csv").read_text(
        encoding="utf-8"
    )
    return {r["chapter"]: (r["section"], r["section_title"]) for r in csv.DictReader(text.splitlines())}


def section_of(code: str) -> str:
    """The HS section numeral of a code of any level."""
    try:
        return sections()[code[:2]][0]
    except KeyError:
        raise BilateralError(f"HS code {code!r}: chapter {code[:2]!r} is not a known HS chapter") from None


def eidb_hs_revision(fy_start_year: int) -> str:
    """ITC-HS revision in force for an Indian fiscal year (ITC-HS 2022 from 1 April 2022)."""
    if fy_start_year >= 2022:
        return "HS2022"
    if fy_start_year >= 2017:
        return "HS2017"
    if fy_start_year >= 2012:
        return "HS2012"
    return "HS2007"
