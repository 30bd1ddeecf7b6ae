"""Periods as articles name them, resolved to the store's labels (part of stage 3, attributing).

Rules, stated once:
- ``FY2024-25``, ``2024-25``, ``FY 2024–25``, "April 2024-March 2025": the Indian fiscal year
  (April–March). ``FY25``, ``FY'25`` and ``fiscal 2025`` end in March 2025: FY2024-25.
- ``in 2024``, ``calendar year 2024``, ``CY2024``, "January-December 2024": calendar year 2024.
- "last fiscal", "last financial year": the fiscal year before the one the article date falls in.
  "last year": the fiscal year before the article date's or the calendar year before it, whichever
  the store's figure agrees with; only the calendar year when the sentence cites a Russian source
  (Russia's customs and officials count calendar years). "this year" / "this fiscal": the year not
  yet over on the article date.
- "the previous year", "a year earlier", "year-on-year": the year before the period the sentence
  is about.
- Part-years ("April–January", "the first five months of 2022-23", "January–April 2024", "H1",
  "a quarter", "so far this fiscal", "in July"): resolved to their months (``2019-04/2019-12``)
  where the text anchors them to a year, else left unresolved. Never compared with a full year.
- "by 2030", "-by-2025", "ahead of 2030", "the 2030 target": a goal's horizon, not a period.
- "since 2021-22", "from 2021": where a multiple or a growth starts (its base), not the figure's period.
"""

from __future__ import annotations

import calendar as _calendar
import re
from dataclasses import dataclass, replace
from datetime import date as Date
from typing import Literal

from bilateral.agenda.claims.guard import Guarded, sentence
from bilateral.harmonise.periods import FiscalYear, Period, fy_of_month

__all__ = ["PeriodRef", "PeriodSpan", "find_periods", "shift_ref"]

PeriodKind = Literal["fy", "cy", "months", "none", "horizon"]
#: months of the fiscal year, in order (April first)
FY_FIRST_MONTH = 4

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MON = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
        r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_COUNT = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "eleven": 11}
_ANCHOR = (r"(?:\s*,?\s*(?:of|in|for|during)?\s*(?:the\s+)?(?P<anchor>FY\s?'?\d{2}(?!\d)|20\d{2}\s*[-–/]\s*(?:20)?\d{2}(?!\d)|"
           r"20\d{2}|(?:this|current|the\s+current)\s+(?:fiscal|financial\s+year)(?:\s+year)?|this\s+year|"
           r"(?:last|previous)\s+(?:fiscal|financial\s+year|year)|fiscal\s+(?:year\s+)?20\d{2}))?")


@dataclass(frozen=True)
class PeriodRef:
    """A period as an article names it, resolved to a store label where possible."""

    text: str
    label: str | None  # FY2024-25, CY2024, 2019-04/2019-12 (months), "by 2030" (a horizon), None
    kind: PeriodKind
    alternatives: tuple[str, ...] = ()  # other readings of the same words ("last year": CY2024 too)
    note: str = ""
    complete_by: Date | None = None  # the period's last day
    partial: bool = False  # a part of a year
    base: bool = False  # "since 2021-22": where a change starts
    relative: bool = False  # "the previous year": one year before the sentence's own period
    calendar_framed: bool = False  # read as a calendar year because of the source

    @property
    def horizon(self) -> bool:
        return self.kind == "horizon"


@dataclass(frozen=True)
class PeriodSpan:
    """Where a period stands in a sentence."""

    start: int
    end: int
    ref: PeriodRef


def _month_no(word: str) -> int:
    return _MONTHS.index(word.lower().rstrip(".")[:3]) + 1


def _last_day(year: int, month: int) -> Date:
    return Date(year, month, _calendar.monthrange(year, month)[1])


def _fy(start: int, text: str, note: str = "") -> PeriodRef:
    fy = FiscalYear(start)
    return PeriodRef(text, fy.label, "fy", note=note, complete_by=fy.last_day)


def _cy(year: int, text: str, note: str = "", alternatives: tuple[str, ...] = ()) -> PeriodRef:
    return PeriodRef(text, Period("cy", year).label, "cy", alternatives=alternatives, note=note,
                     complete_by=Date(year, 12, 31))


def _months(text: str, y1: int, m1: int, y2: int, m2: int) -> PeriodRef:
    if (m1, m2) == (FY_FIRST_MONTH, FY_FIRST_MONTH - 1) and y2 == y1 + 1:
        return _fy(y1, text, f"{text!r} is the whole fiscal year FY{y1}-{(y1 + 1) % 100:02d}")
    if (m1, m2) == (1, 12) and y1 == y2:
        return _cy(y1, text, f"{text!r} is the whole calendar year {y1}")
    if (y2, m2) < (y1, m1):
        return PeriodRef(text, None, "months", partial=True, note=f"{text!r}: a part of a year, months not in order")
    label = f"{y1}-{m1:02d}/{y2}-{m2:02d}"
    return PeriodRef(text, label, "months", partial=True, complete_by=_last_day(y2, m2),
                     note=f"{text!r} read as the months {label}")


def _anchor_year(anchor: str | None, today: Date | None) -> tuple[str, int] | None:
    """('fy', start year) or ('cy', year) for the words that anchor a part-year, if any."""
    if not anchor:
        return None
    a = anchor.strip()
    m = re.match(r"FY\s?'?(\d{2})$", a, re.IGNORECASE)
    if m:
        return "fy", 2000 + int(m[1]) - 1
    m = re.match(r"fiscal\s+(?:year\s+)?(20\d{2})$", a, re.IGNORECASE)
    if m:
        return "fy", int(m[1]) - 1
    m = re.match(r"(20\d{2})\s*[-–/]\s*(?:20)?(\d{2})$", a)
    if m:
        return ("fy", int(m[1])) if (int(m[2]) - int(m[1]) % 100) % 100 == 1 else None
    if re.match(r"20\d{2}$", a):
        return "cy", int(a)
    if today is None:
        return None
    if re.search(r"fiscal|financial", a, re.IGNORECASE):
        fy = fy_of_month(today.year, today.month)
        if re.match(r"(?:last|previous)", a, re.IGNORECASE):
            fy = fy.shift(-1)
        return "fy", fy.start_year
    if re.match(r"(?:last|previous)", a, re.IGNORECASE):
        return "cy", today.year - 1
    return "cy", today.year


def _span(text: str, m1: int, m2: int, anchor: tuple[str, int] | None) -> PeriodRef:
    if anchor is None:
        return PeriodRef(text, None, "months", partial=True, note=f"{text!r}: a part of a year whose year the text does "
                         "not name")
    kind, year = anchor
    if kind == "fy":
        y1 = year if m1 >= FY_FIRST_MONTH else year + 1
        y2 = year if m2 >= FY_FIRST_MONTH else year + 1
    else:
        y1 = y2 = year
    return _months(text, y1, m1, y2, m2)


def _first_months(text: str, n: int, anchor: tuple[str, int] | None) -> PeriodRef:
    if anchor is None:
        return PeriodRef(text, None, "months", partial=True, note=f"{text!r}: a part of a year whose year the text does "
                         "not name")
    kind, year = anchor
    first = FY_FIRST_MONTH if kind == "fy" else 1
    last_index = first - 1 + n  # months counted from the year's first month
    y2, m2 = year + (last_index - 1) // 12, (last_index - 1) % 12 + 1
    return _months(text, year, first, y2, m2)


# (pattern, kind) in order of precedence: a longer, more specific match wins an overlap
_PATTERNS: tuple[tuple[str, str], ...] = (
    (rf"\b(?:between\s+|from\s+)?(?P<m1>{_MON})\s+(?P<y1>20\d{{2}})\s*(?:-|–|—|to|through|and|till|until)\s*"
     rf"(?P<m2>{_MON})\s+(?P<y2>20\d{{2}})\b", "month_span_years"),
    (rf"\b(?:between\s+|from\s+)?(?P<m1>{_MON})\s*(?:-|–|—|to|through|and|till|until)\s*(?P<m2>{_MON})(?![a-z])"
     rf"(?:\s+period)?{_ANCHOR}", "month_span"),
    (rf"\b(?:the\s+)?first\s+(?P<n>\d{{1,2}}|one|two|three|four|five|six|seven|eight|nine|ten|eleven)\s+months"
     rf"{_ANCHOR}", "first_months"),
    (rf"\b(?:the\s+)?(?P<which>first|second)\s+half{_ANCHOR}|\bH(?P<h>[12])\s*(?:FY\s?'?\d{{2}}|20\d{{2}})?", "half"),
    (r"\b(?:the\s+)?(?:first|second|third|fourth|last|june|september|december|march)\s+quarter\b|\bQ[1-4]\b|"
     r"\bquarterly\b", "part"),
    (r"\b(?:\w+\s+)?months?\s+(?:of|to|through|ending|ended)\b|\bso\s+far\b|year[-\s]to[-\s]date|\btill\s+date\b|"
     rf"\b(?:till|until|up\s+to|through)\s+(?:the\s+end\s+of\s+)?{_MON}(?:\s+20\d{{2}})?", "part"),
    (rf"\b(?:in|during|for)\s+(?:the\s+month\s+of\s+)?(?P<m>{_MON})(?:\s+(?P<y>20\d{{2}}))?\b(?!\s*[-–])", "one_month"),
    (r"\b(?:since|from)\s+(?:the\s+)?(?:year\s+|FY\s?|fiscal\s+(?:year\s+)?)?(?P<a>20\d{2}(?:\s*[-–/]\s*\d{2})?|FY\s?\d{2})\b",
     "since"),
    (r"\b(?:FY|fiscal(?:\s+year)?|financial\s+year)?\s*'?(?P<a>20\d{2})\s*[-–/]\s*(?P<b>\d{2}|20\d{2})(?![\d-])", "fy"),
    (r"\bFY\s?'?(?P<a>\d{2})\b", "fy_short"),
    (r"\b(?:FY\s?|fiscal\s+(?:year\s+)?)(?P<a>20\d{2})\b(?!\s*[-–/]\s*\d)", "fy_end"),
    (r"\b(?:calendar\s+(?:year\s+)?|CY\s?)(?P<a>20\d{2})\b", "cy"),
    (r"(?:\b|-)(?:by|till|until|before|ahead\s+of|earlier\s+than|much\s+before)[\s-]+(?:the\s+end\s+of\s+)?(?:the\s+)?"
     r"(?:FY\s?)?(?P<a>20\d{2})\b(?!\s*[-–/]\s*\d)|\b(?:the\s+)?(?P<b>20\d{2})\s+(?:target|goal|deadline|timeline|"
     r"horizon)\b", "by"),
    (r"\b(?:in|during|for|of|throughout|across|at\s+the\s+end\s+of)\s+(?:the\s+)?(?:year\s+|calendar\s+)?"
     r"(?P<a>20\d{2})\b(?!\s*[-–/]\s*\d)", "cy"),
    (r"\b(?:last|past)\s+(?:fiscal|financial)(?:\s+year)?\b", "last_fy"),
    (r"\b(?:previous|preceding|prior)\s+(?:fiscal|financial)(?:\s+year)?\b", "prev_fy"),
    (r"\b(?:the\s+)?(?:previous|preceding|prior)\s+year\b|\ba\s+year\s+(?:earlier|before)\b|\byear[-\s]on[-\s]year\b|"
     r"\bthe\s+year\s+before\b|\bon\s+an\s+annual\s+basis\b", "prev"),
    (r"\blast\s+year\b|\ba\s+year\s+ago\b|\bthe\s+past\s+year\b|\b(?:in\s+)?the\s+last\s+year\b", "last_year"),
    (r"\b(?:this|current|the\s+current)\s+(?:fiscal|financial)(?:\s+year)?\b", "this_fy"),
    (r"\bthis\s+year\b|\bthe\s+current\s+year\b", "this_cy"),
    (r"\b(?:now|currently|at\s+present|today|presently)\b", "now"),
    (r"\b(?:that|the\s+same|this|the)\s+(?:year|period|fiscal(?:\s+year)?|financial\s+year|months?|time)\b|"
     r"\bduring\s+the\s+period\b|\bin\s+the\s+same\s+period\b", "backref"),
)
_RX = tuple((Guarded(re.compile(rx, re.IGNORECASE)), kind) for rx, kind in _PATTERNS)


def _resolve(m: re.Match[str], kind: str, today: Date | None, calendar: bool) -> PeriodRef | None:
    t = m.group(0).strip()
    if kind == "month_span_years":
        return _months(t, int(m["y1"]), _month_no(m["m1"]), int(m["y2"]), _month_no(m["m2"]))
    if kind == "month_span":
        m1, m2 = _month_no(m["m1"]), _month_no(m["m2"])
        if m1 == m2:
            return None
        return _span(t, m1, m2, _anchor_year(m["anchor"], today))
    if kind == "first_months":
        n = int(m["n"]) if m["n"].isdigit() else _COUNT[m["n"].lower()]
        if not 0 < n < 12:
            return None
        return _first_months(t, n, _anchor_year(m["anchor"], today))
    if kind == "half":
        anchor = _anchor_year(m["anchor"], today) if m["which"] else None
        if anchor is None:
            return PeriodRef(t, None, "months", partial=True, note=f"{t!r}: half a year")
        kind_, year = anchor
        first = (FY_FIRST_MONTH if kind_ == "fy" else 1) + (6 if (m["which"] or "").lower() == "second" else 0)
        return _first_months(t, 6, (kind_, year)) if first in (1, FY_FIRST_MONTH) else _span(t, first, first + 5, anchor)
    if kind == "part":
        return PeriodRef(t, None, "months", partial=True, note=f"{t!r}: a part of a year")
    if kind == "one_month":
        mo = _month_no(m["m"])
        if m["m"] == "may" or m["m"].lower() in ("mar", "march") and not m["y"]:
            return None  # "may" the verb, "march" the noun
        if m["y"]:
            return _months(t, int(m["y"]), mo, int(m["y"]), mo)
        return PeriodRef(t, None, "months", partial=True, note=f"{t!r}: one month")
    if kind == "fy":
        start, end = int(m["a"]), m["b"]
        if (int(end) if len(end) == 4 else 2000 + int(end)) != start + 1:
            return None
        return _fy(start, t)
    if kind in ("fy_short", "fy_end"):
        ending = int(m["a"]) if len(m["a"]) == 4 else 2000 + int(m["a"])
        return _fy(ending - 1, t, f"{t!r} read as the fiscal year ending March {ending}")
    if kind == "cy":
        return _cy(int(m["a"]), t)
    if kind == "by":
        y = int(m["a"] or m["b"])
        return PeriodRef(t, f"by {y}", "horizon")
    if kind == "since":
        a = m["a"]
        mm = re.match(r"(20\d{2})\s*[-–/]\s*(\d{2})$", a)
        if mm:
            ref = _fy(int(mm[1]), t) if (int(mm[2]) - int(mm[1]) % 100) % 100 == 1 else None
        elif a.upper().startswith("FY"):
            ref = _fy(2000 + int(a[-2:]) - 1, t)
        elif re.match(r"(?:FY|fiscal)", t.split(None, 1)[-1], re.IGNORECASE):
            ref = _fy(int(a) - 1, t)
        else:
            ref = _cy(int(a), t)
        return replace(ref, base=True) if ref is not None else None
    if kind == "now":
        return PeriodRef(t, None, "none", note=f"{t!r} names no year")
    if kind == "backref":
        return PeriodRef(t, None, "none", note="backref")
    if kind in ("prev", "prev_fy"):
        ref = _relative(t, "last_fy" if kind == "prev_fy" else "last_year", today, calendar)
        return replace(ref, relative=True)
    return _relative(t, kind, today, calendar)


def _relative(t: str, kind: str, today: Date | None, calendar: bool) -> PeriodRef:
    if today is None:
        return PeriodRef(t, None, "none", note=f"{t!r} needs the article date (give --date YYYY-MM-DD)")
    fy = fy_of_month(today.year, today.month)
    if kind == "last_fy":
        prev = fy.shift(-1)
        return _fy(prev.start_year, t, f"{t!r} read as {prev.label}, the fiscal year before the article date "
                   f"{today.isoformat()}")
    if kind == "last_year":
        prev = fy.shift(-1)
        cy = Period("cy", today.year - 1).label
        if calendar:
            return replace(_cy(today.year - 1, t, f"{t!r} read as calendar year {today.year - 1}: the source counts "
                               "calendar years"), calendar_framed=True)
        return replace(_fy(prev.start_year, t, f"{t!r} read as {prev.label} (the fiscal year before the article date "
                           f"{today.isoformat()}) or {cy}"), alternatives=(cy,))
    if kind == "this_fy":
        return _fy(fy.start_year, t, f"{t!r} read as {fy.label}")
    return _cy(today.year, t, f"{t!r} read as calendar year {today.year}")


def shift_ref(ref: PeriodRef, years: int, text: str) -> PeriodRef | None:
    """The same kind of period ``years`` earlier or later (FY2024-25 → FY2023-24), or None."""
    if ref.label is None:
        return None
    if ref.kind == "fy":
        start = int(ref.label[2:6]) + years
        return _fy(start, text, f"{text!r} read as FY{start}-{(start + 1) % 100:02d}, a year before {ref.label}")
    if ref.kind == "cy":
        return _cy(int(ref.label[2:]) + years, text, f"{text!r} read as CY{int(ref.label[2:]) + years}, a year "
                   f"before {ref.label}")
    if ref.kind == "months":
        a, b = ref.label.split("/")
        return _months(text, int(a[:4]) + years, int(a[5:]), int(b[:4]) + years, int(b[5:]))
    return None


def find_periods(s: str, today: Date | None, *, calendar: bool = False) -> list[PeriodSpan]:
    """Every period a sentence names, resolved (``calendar``: the sentence cites a calendar-year source)."""
    spans: list[PeriodSpan] = []
    text = sentence(s)
    for rx, kind in _RX:
        for m in rx.finditer(text):
            if any(m.start() < sp.end and sp.start < m.end() for sp in spans):
                continue
            ref = _resolve(m, kind, today, calendar)
            if ref is not None:
                spans.append(PeriodSpan(m.start(), m.end(), ref))
    return sorted(spans, key=lambda sp: sp.start)
