"""Input checks for the dashboard: every query value is checked here before any model sees it.

The rules are the CLI's (:mod:`bilateral.validation`): a period, a pair, an amount or a date refused
on the command line is refused here with the same words, as a 422 naming the field.

Each check raises :class:`WebInputError` (the app answers 422 with its one-line message) and
returns the canonical value. Nothing a user sends names a file: settlement scenarios are the
shipped names only, the agenda registry is the packaged one (plus the updates beside the store).
"""

from __future__ import annotations

import re
from datetime import date

from bilateral import validation
from bilateral.errors import BilateralError

__all__ = ["CLAIM_TEXT_MAX", "HS_CODE", "HS_LEVELS", "MAX_TOP", "PLACE_MAX", "WebInputError", "check_country", "check_date",
           "check_hs_codes", "check_level", "check_pair", "check_period", "check_place", "check_scenario_names",
           "check_sector", "check_sector_id", "check_settlement_scenario", "check_source", "check_target_usd", "check_text"]

#: an HS code of 2, 4 or 6 digits (the world matrix is HS6)
HS_CODE = re.compile(r"^[0-9]{2}(?:[0-9]{2}){0,2}$")  # ASCII digits: "\d" would take "٣٠"
#: products asked at once in the potential view
MAX_PRODUCTS = 50
#: rows a potential request may ask for
MAX_TOP = 200
#: longest place name or code accepted for a corridor end
PLACE_MAX = 60
_PLACE = re.compile(r"^[^\W\d_][\w .'()\-\u2013]*$")
#: longest article the claim checker takes (characters; the web app answers a longer one 413)
CLAIM_TEXT_MAX = 262_144
#: corridor departure dates outside these years are refused (the seasonal calendars cover them)
FIRST_YEAR, LAST_YEAR = validation.FIRST_MODEL_YEAR, validation.LAST_MODEL_YEAR
#: largest target accepted (US$): the largest amount accepted anywhere
MAX_TARGET_USD = validation.MAX_USD


class WebInputError(BilateralError):
    """A query value the dashboard refuses; ``field`` names the parameter."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


#: a quoted value in a message from the layers below (``unknown sector 'x'``)
_QUOTED = re.compile(r"""\s*:?\s*(?:'[^']*'|"[^"]*")""")
#: the command-line option a message from the layers below may name (``field '--sector': ``)
_OPTION_PREFIX = re.compile(r"^field '[^']*':\s*")


def _wrap(field: str, exc: BilateralError, value: str) -> WebInputError:
    """The layers' one-line message for a field, without the value sent: errors never echo input."""
    msg = _OPTION_PREFIX.sub("", (str(exc).splitlines() or [""])[0]).replace("--", "")
    msg = _QUOTED.sub("", msg)
    for token in sorted({t for t in re.split(r"[^0-9A-Za-z_]+", value) if len(t) >= 2}, key=len, reverse=True):
        msg = re.sub(rf"(?i)(?<![0-9A-Za-z_]){re.escape(token)}(?![0-9A-Za-z_])", "a value given", msg)
    return WebInputError(msg.strip() or f"invalid {field}", field)


def check_pair(text: str) -> str:
    """A pair label (``IND-RUS``) via :func:`bilateral.harmonise.pairs.parse_pair`."""
    from bilateral.harmonise.pairs import parse_pair

    if len(text) > 20:
        raise WebInputError(f"pair is too long ({len(text)} characters); write two ISO3 codes, e.g. IND-RUS", "pair")
    try:
        return parse_pair(text).label
    except BilateralError as exc:
        raise _wrap("pair", exc, text) from None


def check_country(text: str, field: str = "reporter") -> str:
    """One country or group code (``CHN``), checked as one side of a pair."""
    if len(text) > 6:
        raise WebInputError(f"{field} is too long; write an ISO3 code, e.g. CHN", field)
    try:
        return check_pair(f"{text}-WLD").split("-")[0]
    except WebInputError as exc:
        raise WebInputError(str(exc), field) from None


def check_period(text: str | None, field: str = "period") -> str | None:
    """A period label (FY2024-25, CY2022) by :func:`bilateral.validation.period` (the CLI's rule); None stays None."""
    if text is None or text == "":
        return None
    if len(text) > 20:
        raise WebInputError(f"{field} is too long; write FY2024-25 or CY2022", field)
    try:
        return validation.period(text).label
    except BilateralError as exc:
        raise _wrap(field, exc, text) from None


def check_hs_codes(codes: list[str] | None) -> tuple[str, ...]:
    """HS codes of 2, 4 or 6 digits."""
    out = []
    for code in codes or []:
        c = code.strip()
        if not HS_CODE.match(c):
            raise WebInputError("a product is not an HS code of 2, 4 or 6 digits (e.g. 300490)",
                                "product")
        out.append(c)
    if len(out) > MAX_PRODUCTS:
        raise WebInputError(f"at most {MAX_PRODUCTS} products at once", "product")
    return tuple(out)


#: HS levels the read layer rolls flows up to (0: totals)
HS_LEVELS: tuple[int, ...] = (0, 2, 4, 6, 8)


def check_level(level: int) -> int:
    """An HS level for flows: 0 (totals), 2, 4, 6 or 8."""
    if level not in HS_LEVELS:
        raise WebInputError(f"level {level} is not an HS level; use one of {', '.join(map(str, HS_LEVELS))}", "level")
    return level


def check_source(name: str | None) -> str | None:
    """A source the precedence file lists (official, embedded, eidb, comtrade, baci, mirror); None: best per figure."""
    from bilateral.views.overview import source_names

    if name is None or name == "":
        return None
    known = source_names()
    if name not in known:
        raise WebInputError(f"unknown source; use one of {', '.join(known)}", "source")
    return name


def check_sector(name: str | None) -> str | None:
    """A summit sector id, from its id or an unambiguous prefix ('pharma')."""
    from bilateral.models.potential import resolve_sector

    if name is None or name == "":
        return None
    if len(name) > 40:
        raise WebInputError("sector name is too long", "sector")
    try:
        return resolve_sector(name)
    except BilateralError as exc:
        raise _wrap("sector", exc, name) from None


def check_sector_id(name: str | None) -> str | None:
    """A summit sector id exactly as the API's schema lists it (the pages also take a prefix: :func:`check_sector`)."""
    from bilateral.harmonise.sectors import titles

    if name is None:
        return None
    if name not in titles():
        raise WebInputError(f"unknown sector; use one of {', '.join(titles())}", "sector")
    return name


def check_place(text: str, field: str) -> str:
    """A corridor end: a UN/LOCODE or a place name from the corridors' places table."""
    from bilateral.corridors.legs import place

    if not text or len(text) > PLACE_MAX or not _PLACE.match(text.strip()):
        raise WebInputError(f"{field} is not a place code or name (e.g. INNSA, Moscow)", field)
    try:
        return place(text).id
    except BilateralError as exc:
        raise _wrap(field, exc, text) from None


def check_scenario_names(names: list[str] | None) -> tuple[str, ...]:
    """Corridor scenario switches (``red_sea_closed`` …), checked against the corridors' list."""
    from bilateral.corridors.seasonality import SCENARIOS

    out = tuple(sorted(set(names or [])))
    bad = [n for n in out if n not in SCENARIOS]
    if bad:
        raise WebInputError(f"unknown scenario; use one of {', '.join(SCENARIOS)}", "scenario")
    return out


def check_settlement_scenario(name: str | None) -> str | None:
    """A shipped settlement scenario name (never a file)."""
    from bilateral.views.settlement import scenario_names

    if name is None or name == "":
        return None
    known = scenario_names()
    if name not in known:
        raise WebInputError(f"unknown scenario; use one of {', '.join(known)}", "scenario")
    return name


def check_date(value: date | None, field: str = "date") -> date | None:
    """A date inside the years the models know."""
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise WebInputError(f"{field} {value.isoformat()} is outside {FIRST_YEAR}-{LAST_YEAR}", field)
    return value


def check_target_usd(value: float | None) -> float | None:
    """A positive, finite target in US dollars."""
    if value is None:
        return None
    try:
        return validation.usd_amount(value, positive=True, what="target_usd")
    except BilateralError as exc:
        raise WebInputError(str(exc), "target_usd") from None


def check_text(text: str) -> str:
    """An article for the claim checker: not empty, not too long."""
    if not text.strip():
        raise WebInputError("the article is empty; paste the article's text", "text")
    if len(text) > CLAIM_TEXT_MAX:
        raise WebInputError(f"the article is {len(text)} characters; at most {CLAIM_TEXT_MAX} are checked", "text")
    return text
