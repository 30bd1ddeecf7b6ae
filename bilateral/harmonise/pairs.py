"""Country pairs and year lists as users write them: ``IND-RUS``, ``2019-2022``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bilateral.errors import BilateralError

__all__ = ["DEFAULT_PAIR", "Pair", "parse_pair", "parse_years"]

DEFAULT_PAIR = "IND-RUS"
_PAIR = re.compile(r"^([A-Za-z]{3}|_[A-Za-z0-9]{1,5})[-/:]([A-Za-z]{3}|_[A-Za-z0-9]{1,5})$")


@dataclass(frozen=True)
class Pair:
    """A reporter and a partner, as ISO3 codes (``IND-RUS``: India's trade with Russia) or group codes (``_CIS``)."""

    reporter: str
    partner: str

    @property
    def label(self) -> str:
        return f"{self.reporter}-{self.partner}"


def parse_pair(text: str) -> Pair:
    m = _PAIR.match(text.strip())
    if not m:
        raise BilateralError(f"not a country pair: {text!r}; write it as two ISO3 codes, e.g. IND-RUS "
                             "(or a group code such as _CIS)")
    pair = Pair(m.group(1).upper(), m.group(2).upper())
    from bilateral.harmonise.countries import is_known_code

    for code in (pair.reporter, pair.partner):
        if not is_known_code(code):
            raise BilateralError(f"{code} is not a country code: write ISO3 codes, e.g. IND-RUS, DEU-RUS "
                                 "(or a group code such as _CIS)")
    return pair


_YEARS = re.compile(r"^(\d{4})(?:\s*-\s*(\d{4}))?$")


def parse_years(text: str) -> set[int]:
    """``2022`` → {2022}; ``2019-2022`` → {2019, …, 2022}; ``2019,2021`` → {2019, 2021}."""
    years: set[int] = set()
    for part in text.split(","):
        m = _YEARS.match(part.strip())
        if not m:
            raise BilateralError(f"not a year or range: {part.strip()!r}; write e.g. 2022, 2019-2022 or 2019,2021")
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        if hi < lo:
            raise BilateralError(f"year range {part.strip()!r} runs backwards")
        years.update(range(lo, hi + 1))
    return years
