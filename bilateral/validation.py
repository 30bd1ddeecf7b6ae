"""The boundary rules: what a year, a period, a country code, an amount, a count, a date may be.

One rule set for every entry point. The CLI's option types (:mod:`bilateral.cli_common`), the
dashboard's request checks (:mod:`bilateral.web.validate`) and the file readers (:mod:`bilateral.sources`)
call these functions, so a value refused in one place is refused, with the same words, in all of
them. Each function returns the canonical value or raises :class:`InvalidValue`, whose message
starts with the value and says what is allowed; the caller adds where the value came from (an
option, a query parameter, a file's row and field). Past the boundary the code trusts its inputs.

Light on purpose: imported when the CLI parses its options, it pulls in nothing heavy.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import TYPE_CHECKING

from bilateral.errors import BilateralError

if TYPE_CHECKING:
    from bilateral.harmonise.pairs import Pair
    from bilateral.harmonise.periods import Period

__all__ = [
    "FIRST_DATA_YEAR", "FIRST_MODEL_YEAR", "LAST_MODEL_YEAR", "MAX_COUNT", "MAX_GROWTH", "MAX_SEED", "MAX_TEXT_CHARS",
    "MAX_USD", "InvalidValue", "calendar_date", "count", "country_code", "data_year", "finite", "growth_rate", "hs_code",
    "last_data_year",
    "model_year", "pair", "period", "seed", "usd_amount", "years",
]

#: the first year of trade data any source this tool reads can hold (UN Comtrade starts in 1962)
FIRST_DATA_YEAR = 1962
#: the span of years a model may look at: targets, forecasts, corridor departures
FIRST_MODEL_YEAR, LAST_MODEL_YEAR = 2000, 2100
#: the largest amount of US dollars accepted anywhere (a target, a flow, a total): about forty times
#: world merchandise trade in 2024 (US$24.4 trillion, WTO); anything larger is a typo or an overflow
MAX_USD = 1e15
#: the largest yearly growth a scenario or an assumption may give a flow, as a fraction: +500% a year. India's
#: imports from Russia rose about +370% in FY2022-23 (US$9.9 bn to 46.2 bn, DGCI&S), the largest jump in the
#: embedded data; a rate far above that is a typo (20 for 0.20) or an overflow waiting to happen
MAX_GROWTH = 5.0
#: the largest count of rows a user may ask for (``--top``); 0 means all
MAX_COUNT = 1_000_000
#: seeds of the simulations: numpy takes 0 to 2**32 - 1
MAX_SEED = 2**32 - 1
#: longest free text taken from an option (evidence, a publisher)
MAX_TEXT_CHARS = 2_000
#: how much of a bad value a message quotes
QUOTE_CHARS = 40


class InvalidValue(BilateralError):
    """A value outside what the boundary accepts; the message starts with the value, then what is allowed."""


def quote(value: object) -> str:
    """The value as a message shows it: repr, cut at :data:`QUOTE_CHARS` characters."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def last_data_year(today: date | None = None) -> int:
    """The last year data can exist for: the current calendar year (no data come from the future)."""
    return (today or date.today()).year


def data_year(value: int, *, today: date | None = None) -> int:
    """A year of trade data: from :data:`FIRST_DATA_YEAR` to this year."""
    last = last_data_year(today)
    if not FIRST_DATA_YEAR <= value <= last:
        raise InvalidValue(f"year {value} is outside the data's years; give one from {FIRST_DATA_YEAR} to {last}")
    return value


def model_year(value: int) -> int:
    """A year a model may reach: from :data:`FIRST_MODEL_YEAR` to :data:`LAST_MODEL_YEAR`."""
    if not FIRST_MODEL_YEAR <= value <= LAST_MODEL_YEAR:
        raise InvalidValue(f"year {value} is outside {FIRST_MODEL_YEAR}–{LAST_MODEL_YEAR}")
    return value


_YEARS = re.compile(r"^(\d{1,6})(?:\s*-\s*(\d{1,6}))?$")
#: most years one ``--years`` may list (every year of the data twice over is still fewer)
MAX_YEARS = 200


def years(text: str, *, today: date | None = None) -> set[int]:
    """``2022`` → {2022}; ``2019-2022`` → {2019, …, 2022}; ``2019,2021`` → {2019, 2021}; each a data year."""
    out: set[int] = set()
    for part in str(text).split(","):
        m = _YEARS.match(part.strip())
        if not m:
            raise InvalidValue(f"{quote(part.strip())} is not a year or range; write e.g. 2022, 2019-2022 or 2019,2021")
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        if hi < lo:
            raise InvalidValue(f"year range {quote(part.strip())} runs backwards; write the first year first")
        data_year(lo, today=today)
        data_year(hi, today=today)
        out.update(range(lo, hi + 1))
    if len(out) > MAX_YEARS:
        raise InvalidValue(f"{len(out)} years is more than {MAX_YEARS}")
    return out


def period(text: str, *, first: int = FIRST_DATA_YEAR, last: int = LAST_MODEL_YEAR) -> Period:
    """A period (``FY2024-25``, ``2024-25``, ``CY2022``, ``2022``) whose year lies in ``first``..``last``.

    A period the store holds no data for is still a period: the read layer says what it holds. Only
    years no data or model can have are refused here.
    """
    from bilateral.harmonise.periods import parse_period

    raw = str(text)
    if len(raw) > QUOTE_CHARS:
        raise InvalidValue(f"{quote(raw)} is not a period; write a fiscal year as FY2024-25 or a calendar year as CY2022")
    try:
        p = parse_period(raw)
    except BilateralError:
        raise InvalidValue(f"{quote(raw)} is not a period; write a fiscal year as FY2024-25 (or 2024-25) or a "
                           "calendar year as CY2022 (or 2022)") from None
    if not first <= p.year <= last:
        raise InvalidValue(f"{p.label} is outside {first}–{last}")
    return p


def country_code(text: str) -> str:
    """An ISO3 code known to country_converter, the world (WLD), a BACI special or a group code (``_CIS``)."""
    from bilateral.harmonise.countries import is_known_code

    code = str(text).strip().upper()
    if not re.fullmatch(r"[A-Z]{3}|_[A-Z0-9]{1,5}", code) or not is_known_code(code):
        raise InvalidValue(f"{quote(str(text))} is not a country code; write an ISO3 code such as IND, RUS or DEU "
                           "(or a group code such as _CIS)")
    return code


_HS_CODE = re.compile(r"\d{2}(?:\d{2}){0,2}")


def hs_code(text: str) -> str:
    """An HS code of 2, 4 or 6 digits (the world matrix is HS6)."""
    code = str(text).strip()
    if not _HS_CODE.fullmatch(code):
        raise InvalidValue(f"{quote(str(text))} is not an HS code of 2, 4 or 6 digits (e.g. 30, 3004 or 300490)")
    return code


def pair(text: str) -> Pair:
    """A country pair ``IND-RUS`` (two known codes)."""
    from bilateral.harmonise.pairs import parse_pair

    raw = str(text)
    if len(raw) > QUOTE_CHARS:
        raise InvalidValue(f"{quote(raw)} is not a country pair; write two ISO3 codes, e.g. IND-RUS")
    try:
        return parse_pair(raw)
    except BilateralError as exc:
        raise InvalidValue(str(exc)) from None


def finite(value: float, *, low: float | None = None, high: float | None = None, low_open: bool = False,
           what: str = "value") -> float:
    """A finite number in [low, high] (``low_open``: strictly above ``low``); NaN and infinities refused."""
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        span = f"; give one from {low:g} to {high:g}" if low is not None and high is not None else ""
        raise InvalidValue(f"{what} {quote(value)} is not a finite number{span}")
    if low is not None and (value <= low if low_open else value < low):
        bound = f"above {low:g}" if low_open else f"at least {low:g}"
        raise InvalidValue(f"{what} {value:g} is out of range; give a number {bound}"
                           + (f" and at most {high:g}" if high is not None else ""))
    if high is not None and value > high:
        raise InvalidValue(f"{what} {value:g} is too large; the most accepted is {high:g}")
    return float(value)


def growth_rate(value: float, *, what: str = "growth") -> float:
    """A yearly growth rate as a fraction (0.05 is +5%): above -1 (-100%) and at most :data:`MAX_GROWTH`."""
    return finite(value, low=-1.0, high=MAX_GROWTH, low_open=True, what=what)


def usd_amount(value: float, *, positive: bool = False, what: str = "amount") -> float:
    """US dollars: finite, not negative (``positive``: above zero), at most :data:`MAX_USD`."""
    return finite(value, low=0.0, high=MAX_USD, low_open=positive, what=what)


def count(value: int, *, maximum: int = MAX_COUNT, zero: str = "all") -> int:
    """A row count: 0 (``zero``, e.g. all) or 1 to ``maximum``."""
    if value < 0:
        raise InvalidValue(f"{value} is negative; give 0 ({zero}) or a count up to {maximum:,}")
    if value > maximum:
        raise InvalidValue(f"{quote(value)} is too large; give 0 ({zero}) or a count up to {maximum:,}")
    return value


def seed(value: int) -> int:
    """A simulation seed: 0 to :data:`MAX_SEED`."""
    if not 0 <= value <= MAX_SEED:
        raise InvalidValue(f"{quote(value)} is not a seed; give a whole number from 0 to {MAX_SEED:,}")
    return value


def calendar_date(text: str, *, first: date, last: date, what: str = "date") -> date:
    """An ISO date (YYYY-MM-DD) from ``first`` to ``last``."""
    raw = str(text).strip()
    try:
        d = date.fromisoformat(raw) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) else None
    except ValueError:
        d = None
    if d is None:
        shaped = re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) is not None
        raise InvalidValue(f"not a date {quote(str(text))}; "
                           + ("no such day in the calendar" if shaped else f"write YYYY-MM-DD, e.g. {last.year}-03-15"))
    if not first <= d <= last:
        raise InvalidValue(f"{what} {d.isoformat()} is outside {first.isoformat()} to {last.isoformat()}")
    return d
