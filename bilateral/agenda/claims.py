"""The claim checker: find an article's trade figures and compare them with the store.

Deterministic and offline: regular expressions and stated rules, no downloaded models.

1. The article (plain text or HTML) is split into paragraphs and sentences.
2. In each sentence: money amounts with currency and scale (``$68.7 billion``, ``US$ 100 billion``,
   ``USD 4.9 bn``, ``Rs 5,000 crore``, ``₹2 lakh crore``), ranges (``$60-65 billion``, ``between
   $60 billion and $65 billion``), qualifiers (``nearly``, ``about``, ``over``), percentages, and
   periods (``FY2024-25``, ``2024-25``, ``FY25``, ``fiscal 2025``, ``in 2024``, ``by 2030``,
   ``last year`` against the article date).
3. Each figure gets the measure (total trade, exports, imports, balance, target; for percentages
   growth or a share and its base), the pair and direction, and the period: from the words nearest to
   it in its own clause first, then the rest of the sentence, then the previous sentence.
4. The figure is compared with the store through the read layer (official totals first); verdicts:
   ``consistent`` (within the tolerance, stated per claim), ``differs`` (both figures), ``target`` (a
   goal, compared with the target tracker) or ``unverifiable`` (with the reason).

Rules stated once, here:
- Tolerance: ±2% (:data:`TOLERANCE`) or the rounding of the quoted figure, whichever is wider;
  ``about``/``around``/``roughly`` ±5% (:data:`APPROX_TOLERANCE`); ``nearly``/``almost`` means
  at most the figure and within 5% below it; ``over``/``more than`` at least the figure; a range
  holds when our figure lies in it. Percentages: within 0.5 percentage points (:data:`PERCENT_TOLERANCE_PP`).
- Rupee (and other non-dollar) amounts are never converted: bilateral holds no sourced exchange
  rate, so they are ``unverifiable`` and the reason says so.
- ``FY25`` and ``fiscal 2025`` are the Indian fiscal year ending in March 2025 (FY2024-25); ``in
  2024`` is calendar year 2024; ``last year`` / ``last fiscal`` is the fiscal year before the one
  the article date falls in (the official series counts fiscal years); ``by 2030`` marks a target.
- A period that had not ended on the article date, or a part of a year (a half, a quarter, months),
  is ``unverifiable``: the store holds whole years.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date as Date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Literal

from bilateral.errors import BilateralError, InputError
from bilateral.harmonise.pairs import DEFAULT_PAIR, Pair, parse_pair
from bilateral.harmonise.periods import FiscalYear, Period, fy_of_month

#: the partner code of a reporter's trade with the world (as the read layer names it)
WORLD = "WLD"

__all__ = [
    "APPROX_TOLERANCE", "PERCENT_TOLERANCE_PP", "TOLERANCE", "Claim", "ClaimCheck", "Verdict", "check_text",
    "extract_claims", "find_article_date", "read_article", "split_sentences",
]

Verdict = Literal["consistent", "differs", "target", "unverifiable"]
Qualifier = Literal["exact", "approx", "nearly", "at_most", "at_least", "range"]

#: relative tolerance of a quoted figure (or its rounding, if wider)
TOLERANCE = 0.02
#: relative tolerance after "about", "around", "roughly", and how far below "nearly X" may be
APPROX_TOLERANCE = 0.05
#: tolerance of a quoted percentage, in percentage points (or its rounding, if wider)
PERCENT_TOLERANCE_PP = 0.5
#: how many characters before an amount a qualifier ("nearly", "over") may stand
QUALIFIER_REACH = 40
#: how far after an amount a period may stand to belong to it ("$68.7 billion in FY2024-25")
PERIOD_REACH = 25
#: how many characters around a trade word a country may stand to set the direction
DIRECTION_REACH = 40
#: how far after a figure its trade word may stand ("$63.8 billion of goods were imported")
MEASURE_AFTER_REACH = 40
#: words before a flow that make it the reporter's trade with the world ("India's total exports")
_WORLD_WORDS = re.compile(r"\b(?:total|overall|merchandise|global|worldwide)\s+(?:goods\s+)?$", re.IGNORECASE)

SCALES: dict[str, float] = {
    "lakh crore": 1e12, "trillion": 1e12, "tn": 1e12, "billion": 1e9, "bn": 1e9, "b": 1e9,
    "million": 1e6, "mn": 1e6, "mln": 1e6, "m": 1e6, "crore": 1e7, "cr": 1e7, "lakh": 1e5,
    "thousand": 1e3, "k": 1e3,
}
_CURRENCY_WORDS: dict[str, str] = {
    "us$": "USD", "us $": "USD", "usd": "USD", "$": "USD", "us dollars": "USD", "us dollar": "USD",
    "dollars": "USD", "dollar": "USD", "rs": "INR", "rs.": "INR", "inr": "INR", "₹": "INR",
    "rupees": "INR", "rupee": "INR", "€": "EUR", "eur": "EUR", "euros": "EUR", "euro": "EUR",
    "£": "GBP", "gbp": "GBP", "rub": "RUB", "₽": "RUB", "roubles": "RUB", "rubles": "RUB",
    "rouble": "RUB", "ruble": "RUB",
}
_NUM = r"\d{1,3}(?:,\d{2,3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_PRE = r"US\s?\$|USD|US\s+dollars?|\$|Rs\.?|INR|₹|€|EUR|£|GBP|RUB|₽"
_SCALE = r"lakh\s+crore|trillion|billion|million|thousand|crore|lakh|tn|bn|mn|mln|cr|b|m|k"
_SUF = r"US\s+dollars?|dollars?|rupees?|euros?|roubles?|rubles?"
_AMOUNT = (rf"(?P<@cur>{_PRE})?\s?(?P<@num>{_NUM})(?:[\s-]?(?P<@scale>{_SCALE})\b)?"
           rf"(?:\s(?P<@suf>{_SUF})\b)?")
_SINGLE = re.compile(r"(?<![\w.,])" + _AMOUNT.replace("@", "a"), re.IGNORECASE)
_RANGE = re.compile(r"(?<![\w.,])" + _AMOUNT.replace("@", "a") + r"\s*(?P<sep>-|–|to|and)\s*" + _AMOUNT.replace("@", "b"),
                    re.IGNORECASE)
_PERCENT = re.compile(r"(?<![\w.,])(?P<num>\d+(?:\.\d+)?)\s?(?P<unit>%|per\s?cent\b|percent\b|percentage\s+points?\b)",
                      re.IGNORECASE)
_QUALIFIERS: tuple[tuple[str, Qualifier], ...] = (
    (r"nearly|almost|close\s+to|just\s+(?:under|shy\s+of|below)", "nearly"),
    (r"under|less\s+than|below|up\s+to|at\s+most", "at_most"),
    (r"over|more\s+than|above|exceeding|upwards\s+of|at\s+least|in\s+excess\s+of", "at_least"),
    (r"about|around|roughly|approximately|approx\.?|some|an\s+estimated|estimated", "approx"),
)

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
_MON = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"


# -- reading ---------------------------------------------------------------------------------------------
class _Text(HTMLParser):
    BLOCK = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "article", "section", "header",
             "footer", "blockquote", "figcaption", "td", "th", "ul", "ol", "table"}
    SKIP = {"script", "style", "noscript", "template", "svg", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.published: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in self.SKIP:
            self.skip += 1
        elif tag == "meta" and self.published is None and (a.get("property") or a.get("name") or "").lower() in (
                "article:published_time", "date", "pubdate", "publish-date", "dc.date"):
            self.published = (a.get("content") or "")[:10]
        elif tag == "time" and self.published is None and a.get("datetime"):
            self.published = (a.get("datetime") or "")[:10]
        if tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skip:
            self.skip -= 1
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


_LOOKS_HTML = re.compile(r"<\s*(?:html|body|p|div|article|h1|meta|head)\b", re.IGNORECASE)


def html_to_text(html: str) -> str:
    """The readable text of an HTML page: paragraphs kept, scripts and styles dropped.

    A publication date from ``<meta property="article:published_time">`` or ``<time datetime>`` is
    put first as ``Published: YYYY-MM-DD`` so that the date finder sees it.
    """
    p = _Text()
    p.feed(html)
    p.close()
    text = "".join(p.parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r"\s*\n\s*\n\s*", "\n\n", text).strip()
    if p.published and re.match(r"^\d{4}-\d{2}-\d{2}$", p.published):
        text = f"Published: {p.published}\n\n{text}"
    return text


def read_article(path: Path) -> str:
    """An article file as text (HTML converted); InputError when it cannot be read."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the article ({exc.strerror}); give a text or HTML file", file=str(path)) from None
    if b"\x00" in raw[:8192]:
        raise InputError("not a text or HTML file (it holds binary data); give an article as text or HTML",
                         file=str(path))
    text = raw.decode("utf-8", errors="replace")
    return html_to_text(text) if _LOOKS_HTML.search(text[:5000]) else text


_DATE_ISO = re.compile(r"\b(20\d{2})-(\d{2})-(\d{2})\b")
_DATE_MDY = re.compile(rf"\b({_MON})\s+(\d{{1,2}}),?\s+(20\d{{2}})\b", re.IGNORECASE)
_DATE_DMY = re.compile(rf"\b(\d{{1,2}})\s+({_MON})\s+(20\d{{2}})\b", re.IGNORECASE)
#: how far into the article the date finder looks (the dateline)
DATELINE_CHARS = 600


def _month(word: str) -> int | None:
    w = word.lower().rstrip(".")[:3]
    for i, m in enumerate(MONTHS, start=1):
        if m.startswith(w):
            return i
    return None


def find_article_date(text: str) -> Date | None:
    """The first date in the article's opening (its dateline): 2025-12-06, December 6, 2025 or 6 Dec 2025."""
    head = text[:DATELINE_CHARS]
    found: list[tuple[int, Date]] = []
    for m in _DATE_ISO.finditer(head):
        try:
            found.append((m.start(), Date(int(m[1]), int(m[2]), int(m[3]))))
        except ValueError:
            continue
    for rx, order in ((_DATE_MDY, (3, 1, 2)), (_DATE_DMY, (3, 2, 1))):
        for m in rx.finditer(head):
            mon = _month(m[order[1]])
            try:
                if mon:
                    found.append((m.start(), Date(int(m[order[0]]), mon, int(m[order[2]]))))
            except ValueError:
                continue
    return min(found)[1] if found else None


_ABBREV = re.compile(r"(?:\b(?:Rs|Mr|Mrs|Ms|Dr|St|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|approx|vs|"
                     r"Inc|Ltd|Co|Corp|Gov|Govt|e\.g|i\.e|U\.S|U\.K)\.|\b[A-Z]\.)$")


def split_sentences(text: str) -> list[tuple[int, str]]:
    """(paragraph number, sentence) pairs; lines inside a paragraph are joined."""
    out: list[tuple[int, str]] = []
    for n, para in enumerate(re.split(r"\n\s*\n", text)):
        flat = " ".join(para.split())
        if not flat:
            continue
        pieces = re.split(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9₹$])", flat)
        merged: list[str] = []
        for piece in pieces:
            if merged and _ABBREV.search(merged[-1]):
                merged[-1] = f"{merged[-1]} {piece}"
            else:
                merged.append(piece)
        out.extend((n, s) for s in merged)
    return out


# -- what a sentence says ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    kind: str  # the measure, period kind, country code, …
    value: Any = None
    text: str = ""


_COUNTRY_WORDS: tuple[tuple[str, str], ...] = (
    (r"India|Indian|Indians|New\s+Delhi|Delhi", "IND"), (r"Russia|Russian|Russians|Moscow|Kremlin", "RUS"),
    (r"China|Chinese|Beijing", "CHN"),
    (r"United\s+States|U\.S\.A?\.?|USA|US(?![$\w])(?!\s+dollars?)|America|American|Washington", "USA"),
    (r"UAE|United\s+Arab\s+Emirates|Emirati", "ARE"), (r"Saudi\s+Arabia|Saudi", "SAU"), (r"Iraq|Iraqi", "IRQ"),
    (r"Germany|German", "DEU"), (r"Japan|Japanese", "JPN"), (r"Turkey|Türkiye|Turkish", "TUR"),
    (r"Kazakhstan|Kazakh", "KAZ"), (r"Belarus|Belarusian", "BLR"), (r"Ukraine|Ukrainian", "UKR"),
    (r"Iran|Iranian", "IRN"), (r"Singapore", "SGP"), (r"Brazil|Brazilian", "BRA"),
    (r"European\s+Union|EU", "_EU"), (r"Eurasian\s+Economic\s+Union|EAEU", "_EAEU"),
)
_COUNTRY = [(re.compile(rf"\b(?:{w})(?:'s|’s)?(?![\w-])", re.IGNORECASE if code not in ("USA", "_EU") else 0), code)
            for w, code in _COUNTRY_WORDS]
_DEMONYM = re.compile(r"^(?:Indian|Russian|Chinese|American|Emirati|Saudi|Iraqi|German|Japanese|Turkish|Kazakh|"
                      r"Belarusian|Ukrainian|Iranian|Brazilian)$", re.IGNORECASE)

_MEASURES: tuple[tuple[str, str], ...] = (
    ("balance", r"trade\s+(?:deficit|imbalance|gap|surplus)|deficit|imbalance|surplus"),
    ("target", r"target\w*|goal|aims?|aimed|ambition|objective|envisag\w+|pledge\w*"),
    ("other", r"invest\w*|contracts?|deals?|loans?|credit|prices?|priced|barrels?|GDP|budget\w*|reserves?|vostro|"
              r"balances|funds?|funding|valuation|revenues?|costs?|tariffs?|dut(?:y|ies)|subsid\w*|remittances?|"
              r"market\s+cap\w*|capex|capacity"),
    ("energy", r"crude(?:\s+oil)?|oil|petroleum|energy|fuels?|mineral\s+fuels"),
    ("exports", r"exports?|exported|exporting|shipments|outbound|sold"),
    ("imports", r"imports?|imported|importing|purchases|bought|buying|inbound"),
    ("total_trade", r"(?:bilateral|two-way|total|overall)\s+trade|trade\s+(?:turnover|volume)|trade|turnover|commerce"),
)
_MEASURE_RX = [(name, re.compile(rf"\b(?:{rx})\b", re.IGNORECASE)) for name, rx in _MEASURES]
_GROWTH = re.compile(r"\b(?:rose|rise|rising|risen|grew|grow|growing|growth|increased?|increasing|jumped|jump|surged?|"
                     r"climbed?|soared?|expanded|up|higher|fell|fall|falling|fallen|declined?|declining|dropped|"
                     r"drop|decreased?|down|lower|slumped?|contracted|contraction|shrank|plunged?|slipped|dipped)\b",
                     re.IGNORECASE)
_FALL = re.compile(r"\b(?:fell|fall|falling|fallen|declined?|declining|dropped|drop|decreased?|down|lower|slumped?|"
                   r"contracted|contraction|shrank|plunged?|slipped|dipped)\b", re.IGNORECASE)
_PARTIAL = re.compile(rf"\b(?:first|second)\s+half\b|\bH[12]\b|\bQ[1-4]\b|\bquarter\b|\bso\s+far\b|year[-\s]to[-\s]date|"
                      rf"\b(?:first|last)\s+(?:\w+\s+)?months\b|\b{_MON}\s*(?:-|–|to)\s*{_MON}", re.IGNORECASE)

# periods: (pattern, kind); kinds: fy (groups start, end), fy_end (the year a fiscal year ends),
# fy_short (two digits), cy, by (a target horizon), last_fy, this_fy, this_cy
_PERIODS: tuple[tuple[str, str], ...] = (
    (r"\b(?:FY|fiscal(?:\s+year)?|financial\s+year)?\s*'?(20\d{2})\s*[-–/]\s*(\d{2}|20\d{2})(?![\d-])", "fy"),
    (r"\bFY\s?'?(\d{2})\b", "fy_short"),
    (r"\b(?:FY\s?|fiscal\s+(?:year\s+)?)(20\d{2})\b(?!\s*[-–/]\s*\d)", "fy_end"),
    (r"\b(?:calendar\s+year|CY)\s*(20\d{2})\b", "cy"),
    (r"\b(?:by|till|until|before)\s+(?:the\s+end\s+of\s+)?(?:FY\s?)?(20\d{2})\b(?!\s*[-–/]\s*\d)", "by"),
    (r"\b(?:in|during|for|of|throughout)\s+(?:the\s+)?(?:year\s+)?(20\d{2})\b(?!\s*[-–/]\s*\d)", "cy"),
    (r"\b(?:last|previous|past|preceding)\s+(?:fiscal|financial)(?:\s+year)?\b|\blast\s+year\b|\ba\s+year\s+ago\b", "last_fy"),
    (r"\b(?:this|current|the\s+current)\s+(?:fiscal|financial)(?:\s+year)?\b", "this_fy"),
    (r"\bthis\s+year\b", "this_cy"),
    (r"\b(?:now|currently|at\s+present|today|so\s+far)\b", "now"),
)
_PERIOD_RX = [(re.compile(rx, re.IGNORECASE), kind) for rx, kind in _PERIODS]


@dataclass(frozen=True)
class PeriodRef:
    """A period as an article names it, resolved to a canonical label where possible."""

    text: str
    label: str | None  # FY2024-25, CY2024, or None when it cannot be resolved
    horizon: bool = False  # "by 2030": a target year
    note: str = ""
    complete_by: Date | None = None  # the period's last day


def _resolve_period(m: re.Match[str], kind: str, today: Date | None) -> PeriodRef | None:
    t = m.group(0).strip()
    if kind == "fy":
        start, end = int(m[1]), m[2]
        if (int(end) if len(end) == 4 else 2000 + int(end)) != start + 1:
            return None
        fy = FiscalYear(start)
        return PeriodRef(t, fy.label, complete_by=fy.last_day)
    if kind in ("fy_short", "fy_end"):
        ending = int(m[1]) if len(m[1]) == 4 else 2000 + int(m[1])
        fy = FiscalYear(ending - 1)
        return PeriodRef(t, fy.label, note=f"{t!r} read as the fiscal year ending March {ending}",
                         complete_by=fy.last_day)
    if kind == "cy":
        y = int(m[1])
        return PeriodRef(t, Period("cy", y).label, complete_by=Date(y, 12, 31))
    if kind == "by":
        y = int(m[1])
        return PeriodRef(t, f"by {y}", horizon=True)
    if kind == "now":
        return PeriodRef(t, None, note=f"{t!r} names no year")
    if today is None:
        return PeriodRef(t, None, note=f"{t!r} needs the article date (give --date YYYY-MM-DD)")
    if kind == "last_fy":
        fy = fy_of_month(today.year, today.month).shift(-1)
        return PeriodRef(t, fy.label, note=f"{t!r} read as {fy.label}, the fiscal year before the article date "
                         f"{today.isoformat()}", complete_by=fy.last_day)
    if kind == "this_fy":
        fy = fy_of_month(today.year, today.month)
        return PeriodRef(t, fy.label, note=f"{t!r} read as {fy.label}", complete_by=fy.last_day)
    return PeriodRef(t, Period("cy", today.year).label, note=f"{t!r} read as calendar year {today.year}",
                     complete_by=Date(today.year, 12, 31))


def _periods(s: str, today: Date | None) -> list[_Span]:
    spans: list[_Span] = []
    for rx, kind in _PERIOD_RX:
        for m in rx.finditer(s):
            if any(m.start() < sp.end and sp.start < m.end() for sp in spans):
                continue
            ref = _resolve_period(m, kind, today)
            if ref is not None:
                spans.append(_Span(m.start(), m.end(), "period", ref, m.group(0)))
    return sorted(spans, key=lambda sp: sp.start)


def _measures(s: str) -> list[_Span]:
    spans: list[_Span] = []
    for name, rx in _MEASURE_RX:
        for m in rx.finditer(s):
            if any(m.start() < sp.end and sp.start < m.end() for sp in spans):
                continue
            spans.append(_Span(m.start(), m.end(), name, text=m.group(0)))
    return sorted(spans, key=lambda sp: sp.start)


def _countries(s: str) -> list[_Span]:
    spans: list[_Span] = []
    for rx, code in _COUNTRY:
        for m in rx.finditer(s):
            if any(m.start() < sp.end and sp.start < m.end() for sp in spans):
                continue
            spans.append(_Span(m.start(), m.end(), code, text=m.group(0)))
    return sorted(spans, key=lambda sp: sp.start)


# -- claims ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Claim:
    """One quantitative claim: what the article says, and what the checker read it as."""

    text: str  # the figure as written, e.g. "$68.7 billion"
    sentence: str
    sentence_no: int
    kind: Literal["money", "percent"]
    value: float  # in ``unit`` (currency units, or percent)
    unit: str  # USD, INR, EUR, GBP, RUB or %
    value_usd: float | None
    qualifier: Qualifier = "exact"
    low: float | None = None  # ranges, in ``unit``
    high: float | None = None
    rounding: float = 0.0  # half a unit of the last quoted digit, in ``unit``
    measure: str | None = None
    statistic: Literal["level", "growth", "share"] = "level"
    base: str = ""  # for shares: what the percentage is of
    pair: str | None = None
    period: str | None = None
    period_text: str = ""
    horizon: bool = False
    partial: bool = False
    complete_by: Date | None = None
    target_of: str = ""  # for a goal: what it is a goal for (total_trade, exports, …) when the text says
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClaimCheck:
    """A claim, the store's figure for it, and the verdict with its reason."""

    claim: Claim
    verdict: Verdict
    our_value: float | None = None  # US$ (level) or percent (growth, share)
    our_period: str | None = None
    source: str = ""
    tolerance: str = ""
    reason: str = ""

    @property
    def our_value_usd(self) -> float | None:
        return self.our_value if self.claim.statistic == "level" and self.claim.kind == "money" else None

    @property
    def claim_label(self) -> str:
        c = self.claim
        parts = [c.text, (c.measure or "?").replace("_", " ")]
        if c.statistic != "level":
            parts.append(c.statistic + (f" of {c.base}" if c.base else ""))
        parts.append(c.period or "no period")
        if c.pair and c.pair != DEFAULT_PAIR:
            parts.append(c.pair)
        return " · ".join(parts)

    @property
    def our_label(self) -> str:
        if self.our_value is None:
            return "—"
        if self.claim.statistic == "level":
            v = f"US${self.our_value / 1e9:,.2f} bn"
        else:
            v = f"{self.our_value:.1f}%"
        return f"{v} ({self.our_period})" if self.our_period else v

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: the claim as read, our figure, the verdict and why."""
        c = self.claim
        return {
            "text": c.text, "sentence": c.sentence, "measure": c.measure, "statistic": c.statistic, "base": c.base,
            "pair": c.pair, "period": c.period, "period_text": c.period_text, "value": c.value, "unit": c.unit,
            "value_usd": c.value_usd, "qualifier": c.qualifier, "low": c.low, "high": c.high, "target_of": c.target_of,
            "verdict": self.verdict, "our_value": self.our_value, "our_value_usd": self.our_value_usd,
            "our_period": self.our_period, "source": self.source, "tolerance": self.tolerance,
            "reason": self.reason, "notes": list(c.notes),
        }

    def record(self) -> dict[str, Any]:
        """A flat row for CSV and Parquet."""
        d = self.to_dict()
        d["notes"] = "; ".join(d["notes"])
        return d


def _number(text: str) -> tuple[float, float]:
    """The number and half a unit of its last digit ("68.7" → (68.7, 0.05))."""
    clean = text.replace(",", "")
    decimals = len(clean.split(".")[1]) if "." in clean else 0
    return float(clean), 0.5 * 10 ** (-decimals)


def _currency(cur: str | None, suf: str | None, scale: str | None) -> str | None:
    for word in (cur, suf):
        if word:
            key = re.sub(r"\s+", " ", word.strip().lower())
            return _CURRENCY_WORDS.get(key, _CURRENCY_WORDS.get(key.replace(" ", ""), None))
    if scale and re.sub(r"\s+", " ", scale.lower()) in ("crore", "cr", "lakh", "lakh crore"):
        return "INR"  # crore and lakh are Indian units: rupees
    return None


def _scale(word: str | None) -> float:
    return SCALES[re.sub(r"\s+", " ", word.lower())] if word else 1.0


def _qualifier(s: str, start: int) -> Qualifier:
    before = s[max(0, start - QUALIFIER_REACH):start].lower()
    for rx, q in _QUALIFIERS:
        if re.search(rf"\b(?:{rx})\s+(?:(?:of|to|at|worth|by)\s+)?(?:a\s+)?$", before):
            return q
    return "exact"


def _money(s: str) -> list[tuple[int, int, str, float, float, str, float | None, float | None, Qualifier]]:
    """(start, end, text, value, rounding, currency code, low, high, qualifier) of each amount; value in units."""
    found: list[Any] = []
    taken: list[tuple[int, int]] = []
    for m in _RANGE.finditer(s):
        sep = m["sep"].lower()
        before = s[max(0, m.start() - 12):m.start()].lower()
        if sep == "and" and "between" not in before:
            continue
        if sep == "to" and re.search(r"\bfrom\s*$", before):
            continue
        scale_a, scale_b = m["ascale"] or m["bscale"], m["bscale"] or m["ascale"]
        cur = _currency(m["acur"] or m["bcur"], m["asuf"] or m["bsuf"], scale_b)
        if cur is None:
            continue
        lo, r_lo = _number(m["anum"])
        hi, r_hi = _number(m["bnum"])
        lo, hi = lo * _scale(scale_a), hi * _scale(scale_b)
        if hi <= lo:
            continue
        found.append((m.start(), m.end(), m.group(0).strip(), (lo + hi) / 2, r_hi * _scale(scale_b), cur, lo, hi,
                      "range"))
        taken.append((m.start(), m.end()))
    for m in _SINGLE.finditer(s):
        if any(m.start() < e and b < m.end() for b, e in taken):
            continue
        cur = _currency(m["acur"], m["asuf"], m["ascale"])
        if cur is None:
            continue
        if not m["ascale"] and not m["acur"]:
            continue  # "5 dollars a barrel" at best; not a trade figure
        v, r = _number(m["anum"])
        sc = _scale(m["ascale"])
        found.append((m.start(), m.end(), m.group(0).strip(), v * sc, r * sc, cur, None, None, _qualifier(s, m.start())))
    return sorted(found, key=lambda f: f[0])


def _nearest_before(spans: list[_Span], pos: int, lo: int) -> _Span | None:
    cands = [sp for sp in spans if lo <= sp.start and sp.end <= pos]
    return max(cands, key=lambda sp: sp.end) if cands else None


def _nearest_after(spans: list[_Span], pos: int, hi: int) -> _Span | None:
    cands = [sp for sp in spans if sp.start >= pos and sp.end <= hi]
    return min(cands, key=lambda sp: sp.start) if cands else None


def _period_for(periods: list[_Span], start: int, end: int, nxt: int, figures: list[tuple[int, int]]) -> _Span | None:
    """A period just after the figure, else the nearest before it, else any after it in the sentence.

    A target horizon ("by 2030") belongs only to a figure with no other figure between them: in
    "$35 billion by 2030, up from $5 billion", the $5 billion is not a goal.
    """
    after = _nearest_after(periods, end, nxt)
    if after is not None and after.start - end <= PERIOD_REACH:
        return after
    for before in sorted((p for p in periods if p.end <= start), key=lambda p: -p.end):
        if before.value.horizon and any(b != start and e <= before.start and before.start - e <= PERIOD_REACH
                                        for b, e in figures):
            continue  # the horizon belongs to the figure just before it
        return before
    return after


def _measure_for(measures: list[_Span], start: int, prev: int) -> _Span | None:
    """The nearest trade word before the figure in its clause (a target word wins)."""
    before = _nearest_before(measures, start, prev)
    if before is not None and before.kind == "energy":
        # "oil imports", "crude exports": the flow word right after the product word decides
        flow = _nearest_after([m for m in measures if m.kind in ("exports", "imports")], before.end, start)
        if flow is not None:
            before = flow
    target = [sp for sp in measures if sp.kind == "target" and prev <= sp.start < start]
    if target:
        return target[-1]
    return before


def _measure_after(s: str, measures: list[_Span], end: int, nxt: int) -> tuple[_Span | None, bool]:
    """The nearest trade word after the figure, and whether it is close (same clause, within reach)."""
    after = _nearest_after(measures, end, nxt)
    close = after is not None and after.start - end <= MEASURE_AFTER_REACH and not re.search(
        r"[,;:()—–]", s[end:after.start])
    return after, close


@dataclass
class _Context:
    """What earlier sentences established: the last period, measure and countries, and where."""

    period: _Span | None = None
    period_at: int = -10
    measure: _Span | None = None
    measure_at: int = -10
    countries: list[str] = field(default_factory=list)


#: words that point back to an earlier sentence's period ("that year", "in the same period")
_BACKREF = re.compile(r"\b(?:that|the\s+same|this|the)\s+(?:year|period|fiscal(?:\s+year)?)\b", re.IGNORECASE)
#: a price or unit value, not a trade total
_UNIT_PRICE = re.compile(r"^[\s-]*(?:a|an|per|/)[\s-]*(?:barrel|bbl|tonne|ton|unit|kg|litre|share)\b", re.IGNORECASE)


def _pair_and_flow(s: str, countries: list[_Span], measure: _Span | None, lo: int, hi: int, home: Pair,
                   ctx_countries: list[str]) -> tuple[str, str | None, list[str]]:
    """The pair a figure is about and its flow from the reporter's side (export/import), with notes."""
    notes: list[str] = []
    near = [c.kind for c in countries if lo <= c.start and c.end <= hi] or [c.kind for c in countries] or ctx_countries
    home_set = {home.reporter, home.partner}
    others = list(dict.fromkeys(c for c in near if c not in home_set))
    if others:
        codes = list(dict.fromkeys(near))
        reporter = home.reporter if home.reporter in codes or len(codes) == 1 else codes[0]
        partner = next((c for c in codes if c != reporter), others[0])
        pair = f"{reporter}-{partner}"
    elif (measure is not None and measure.kind in ("exports", "imports", "total_trade")
          and home.reporter in {c.kind for c in countries} and home.partner not in {c.kind for c in countries}
          and (_WORLD_WORDS.search(s[max(0, measure.start - DIRECTION_REACH):measure.start])
               or re.match(r"(?:total|overall)\b", measure.text, re.IGNORECASE))):
        pair = f"{home.reporter}-{WORLD}"
        notes.append(f"'{measure.text}' with no partner named: {home.reporter}'s trade with the world")
    else:
        pair = home.label
        if not near:
            notes.append(f"pair {home.label} assumed from the article")
    flow: str | None = None
    if measure is not None and measure.kind in ("exports", "imports"):
        flow = "export" if measure.kind == "exports" else "import"
        rep = pair.split("-")[0]
        right = s[measure.end:measure.end + DIRECTION_REACH]
        to = re.match(r"^\s*(?:\w+\s+){0,3}?(to|from)\s+(?:the\s+)?(\S+(?:\s+\S+)?)", right)
        subject = [c for c in countries if c.end <= measure.start and c.start >= measure.start - DIRECTION_REACH]
        if to is not None:
            found = [code for rx, code in _COUNTRY if rx.match(to[2])]
            if found:
                other = found[0]
                # "exports to X": X buys; "imports from X": X sells
                seller_is_other = to[1].lower() == "from"
                if other == rep:
                    flow = "import" if not seller_is_other else "export"
                    notes.append(f"{measure.text} {to[1]} {to[2].rstrip('.,;')}: read from {rep}'s side as its {flow}s")
        elif subject:
            sub = subject[-1]
            demonym = bool(_DEMONYM.match(sub.text))
            if sub.kind != rep:
                # "Russia's exports" are the reporter's imports; "Russian imports" (demonym) are imports of
                # Russian goods, "Russia's imports" Russia's own imports (the reporter's exports)
                if flow == "export" or (flow == "import" and not demonym):
                    flow = "import" if flow == "export" else "export"
                    notes.append(f"'{sub.text} {measure.text}' read from {rep}'s side as its {flow}s")
    return pair, flow, notes


_BASES = (
    ("crude", re.compile(r"\b(?:crude|oil|petroleum|energy|fuel)\b", re.IGNORECASE)),
    ("pair_total", re.compile(r"\b(?:bilateral|two-way)\s+trade\b|\btrade\s+(?:between|with)\b|\bthe\s+total\b|"
                              r"\bthe\s+(?:US)?\$", re.IGNORECASE)),
    ("reporter_exports", re.compile(r"\bexports\b", re.IGNORECASE)),
    ("reporter_imports", re.compile(r"\bimports\b", re.IGNORECASE)),
    ("reporter_total", re.compile(r"\b(?:total|overall|foreign|global)\s+trade\b|\btrade\b", re.IGNORECASE)),
)
BASE_LABELS = {
    "pair_total": "bilateral trade", "reporter_exports": "{r}'s total exports",
    "reporter_imports": "{r}'s total imports", "reporter_total": "{r}'s total trade",
    "pair_imports": "imports from {p}", "pair_exports": "exports to {p}",
    "crude": "crude oil or energy imports",
}


def base_label(base: str, pair: str | None) -> str:
    """How a share's base reads, e.g. "IND's total exports"."""
    reporter, partner = (pair or DEFAULT_PAIR).split("-", 1)
    return BASE_LABELS.get(base, base).format(r=reporter, p=partner)


def _pair_flow_base(phrase: str, home: Pair) -> str | None:
    """A flow of the pair ("imports from Russia", "Russian imports", "exports to Russia"), not the reporter's total."""
    m = re.search(r"\b(exports?\s+to|imports?\s+from)\s+(?:the\s+)?(\S+(?:\s+\S+)?)", phrase, re.IGNORECASE)
    if m is not None:
        if any(rx.match(m[2]) and code == home.partner for rx, code in _COUNTRY):
            return "pair_imports" if m[1].lower().startswith("import") else "pair_exports"
        return None
    for c in _countries(phrase):
        if c.kind == home.partner and _DEMONYM.match(c.text) and re.search(r"\bimports\b", phrase, re.IGNORECASE):
            return "pair_imports"  # "of Russian imports": imports of Russian goods
    return None


def _share_base(s: str, start: int, end: int, home: Pair) -> str | None:
    """What a percentage is 'of': the phrase after it ("7% of India's imports") or "share of/in X" before it."""
    after = re.match(r"^\s*(?:of|in)\s+(.{0,60})", s[end:])
    before = re.search(r"\bshare\s+(?:of|in)\s+(.{0,60}?)\s+(?:was|is|rose|fell|stood|at|to|reached|of)\b",
                       s[:start])
    phrases = [m[1] for m in (after, before) if m is not None]
    if not phrases:
        return None
    for phrase in phrases:
        phrase = re.split(r"[,;]|\b(?:in|during|for)\s+(?:FY|20\d{2})", phrase)[0]
        for name, rx in _BASES:
            if rx.search(phrase):
                if name in ("reporter_exports", "reporter_imports"):
                    return _pair_flow_base(phrase, home) or name
                return name
    return "unknown"


def extract_claims(text: str, *, date: Date | None = None, pair: Pair | str = DEFAULT_PAIR) -> list[Claim]:
    """Every money amount and percentage in the article, read as a claim (measure, pair, period)."""
    home = parse_pair(pair) if isinstance(pair, str) else pair
    today = date if date is not None else find_article_date(text)
    claims: list[Claim] = []
    ctx = _Context()
    for no, (_para, s) in enumerate(split_sentences(text)):
        backref = bool(_BACKREF.search(s))
        last_measure: _Span | None = None
        inherited = False
        periods, measures, countries = _periods(s, today), _measures(s), _countries(s)
        partial = bool(_PARTIAL.search(s))
        money = {f[0]: f for f in _money(s)}
        figures: list[tuple[int, int, str]] = [(f[0], f[1], "money") for f in money.values()]
        pct = {m.start(): m for m in _PERCENT.finditer(s)}
        figures += [(m.start(), m.end(), "percent") for m in pct.values()
                    if not any(a <= m.start() < b for a, b, _ in figures)]
        figures.sort()
        for i, (start, end, kind) in enumerate(figures):
            prev = figures[i - 1][1] if i else 0
            nxt = figures[i + 1][0] if i + 1 < len(figures) else len(s)
            notes: list[str] = []
            psp = _period_for(periods, start, end, nxt, [(f[0], f[1]) for f in figures])
            if psp is None and ctx.period is not None and (no - ctx.period_at == 1 or backref):
                psp, inherited = ctx.period, True
                notes.append(f"period {psp.value.label} from an earlier sentence ({psp.text!r})")
            msp = _measure_for(measures, start, prev)
            if kind == "money" and _UNIT_PRICE.match(s[end:]):
                msp = _Span(start, end, "other", text="a unit price")
            if msp is None:
                after, close = _measure_after(s, measures, end, nxt)
                # "from $46.2 billion in 2022-23 to $61.4 billion in 2023-24": the sentence's last measure
                msp = after if close or last_measure is None else last_measure
            if msp is None and ctx.measure is not None and kind == "money" and no - ctx.measure_at == 1:
                msp = ctx.measure
                notes.append(f"measure from the previous sentence ({msp.text!r})")
            if msp is not None and msp.kind != "other":
                last_measure = msp
            pair_label, flow, pnotes = _pair_and_flow(s, countries, msp, prev, nxt, home, ctx.countries)
            notes += pnotes
            ref: PeriodRef | None = psp.value if psp is not None else None
            if ref is not None and ref.note:
                notes.append(ref.note)
            measure: str | None = msp.kind if msp is not None else None
            if measure in ("exports", "imports") and flow is not None:
                measure = "exports" if flow == "export" else "imports"
            if ref is not None and ref.horizon and measure not in ("other",):
                measure = "target"
            target_of = ""
            if measure == "target":
                flows = [sp for sp in measures if sp.kind in ("total_trade", "exports", "imports", "balance")
                         and prev <= sp.start and sp.end <= nxt]
                if flows:
                    nearest = min(flows, key=lambda sp: min(abs(sp.end - start), abs(sp.start - end)))
                    target_of = nearest.kind
                    if target_of in ("exports", "imports") and flow is not None:
                        target_of = "exports" if flow == "export" else "imports"
            common: dict[str, Any] = {
                "sentence": s, "sentence_no": no, "measure": measure, "pair": pair_label,
                "period": ref.label if ref else None, "period_text": ref.text if ref else "",
                "horizon": bool(ref and ref.horizon), "partial": partial,
                "complete_by": ref.complete_by if ref else None, "target_of": target_of,
            }
            if kind == "money":
                _, _, txt, value, rounding, cur, lo, hi, qual = money[start]
                claims.append(Claim(text=txt, kind="money", value=value, unit=cur,
                                    value_usd=value if cur == "USD" else None, qualifier=qual, low=lo, high=hi,
                                    rounding=rounding, notes=tuple(notes), **common))
            else:
                m = pct[start]
                v, rounding = _number(m["num"])
                window = s[prev:start]
                base = _share_base(s, start, end, home)
                if "point" in m["unit"].lower():
                    statistic: Literal["level", "growth", "share"] = "share"
                    notes.append("a change in percentage points")
                    base = base or "unknown"
                elif base is not None and (base != "unknown" or not _GROWTH.search(window)
                                           or re.search(r"\bto\s*$", window)):  # "rose to 8.8%": a level
                    statistic = "share"
                elif _GROWTH.search(window) or re.match(r"^\s*(?:growth|increase|rise|jump|decline|fall|drop)",
                                                        s[end:], re.IGNORECASE):
                    statistic = "growth"
                    if _FALL.search(window + " " + s[end:end + 15]):
                        v = -v
                else:
                    statistic, base = "share", base or "unknown"
                if statistic == "share" and base is not None and base not in ("unknown", "crude"):
                    energy = [sp for sp in measures if sp.kind == "energy" and prev <= sp.start < start]
                    if energy:
                        common["measure"] = "energy"
                claims.append(Claim(text=m.group(0), kind="percent", value=v, unit="%", value_usd=None,
                                    rounding=rounding, statistic=statistic, base=base or "",
                                    notes=tuple(notes), **common))
        plain = [p for p in periods if not p.value.horizon]  # a target horizon is never inherited
        if plain:
            ctx.period, ctx.period_at = plain[-1], no
        elif inherited:
            ctx.period_at = no  # a chain of sentences about the same year
        level_measures = [sp for sp in measures if sp.kind in ("total_trade", "exports", "imports", "balance")]
        if level_measures:
            ctx.measure, ctx.measure_at = level_measures[-1], no
        if countries:
            ctx.countries = [c.kind for c in countries]
    return claims


# -- checking -----------------------------------------------------------------------------------------------------
def _served(t: Any) -> str:
    return f"{t.source} · {t.release} · {t.status}".strip(" ·")


def _level(t: Any, measure: str) -> float | None:
    if measure == "total_trade":
        return t.total_usd
    if measure == "exports":
        return t.exports_usd
    if measure == "imports":
        return t.imports_usd
    if measure == "balance":
        return abs(t.balance_usd) if t.balance_usd is not None else None
    return None


def _tolerance(c: Claim) -> float:
    rounding = c.rounding / abs(c.high if c.high else c.value) if c.value else 0.0
    if c.qualifier in ("approx", "nearly"):
        return max(APPROX_TOLERANCE, rounding)
    if c.qualifier in ("at_most", "at_least", "range"):
        return rounding
    return max(TOLERANCE, rounding)


def _compare_level(c: Claim, ours: float) -> tuple[bool, str]:
    tol = _tolerance(c)
    v = c.value
    if c.qualifier == "range" and c.low is not None and c.high is not None:
        return c.low * (1 - tol) <= ours <= c.high * (1 + tol), f"within the range (±{tol:.1%} rounding)"
    if c.qualifier == "nearly":
        rnd = c.rounding / v if v else 0.0
        return v * (1 - tol) <= ours <= v * (1 + rnd), f"'nearly': at most the figure and within {tol:.0%} below it"
    if c.qualifier == "at_most":
        return ours <= v * (1 + tol), "at most the figure"
    if c.qualifier == "at_least":
        return ours >= v * (1 - tol), "at least the figure"
    return abs(ours - v) <= tol * abs(v), f"±{tol:.1%}"


def _pct_tol(c: Claim) -> float:
    return max(PERCENT_TOLERANCE_PP, c.rounding)


def _complete_on_date(c: Claim, today: Date | None) -> str | None:
    if c.partial:
        return "a part of a year (half, quarter or months); the store holds whole years"
    if today is not None and c.complete_by is not None and c.complete_by > today:
        return f"{c.period} had not ended on the article date {today.isoformat()}; the full year's figure is not comparable"
    return None


class _Reads:
    """The read layer's answers for one article, each asked once (an article repeats its years and pairs)."""

    def __init__(self, store: Any) -> None:
        from bilateral.store import queries

        self.store, self.q = store, queries
        self.cache: dict[tuple[Any, ...], Any] = {}

    def _ask(self, key: tuple[Any, ...], fn: Any, *args: Any) -> Any:
        if key not in self.cache:
            try:
                self.cache[key] = (fn(self.store, *args), None)
            except BilateralError as err:
                self.cache[key] = (None, err)
        value, failed = self.cache[key]
        if failed is not None:
            raise failed
        return value

    def period_totals(self, pair: str, period: str | None = None) -> Any:
        return self._ask(("totals", pair, period), self.q.period_totals, pair, period)

    def reporter_totals(self, reporter: str, period: str) -> Any:
        return self._ask(("world", reporter, period), self.q.reporter_totals, reporter, period)

    def energy_imports(self, pair: str, period: str) -> Any:
        return self._ask(("energy", pair, period), self.q.energy_imports, pair, period)


def _totals(store: Any, pair: str, period: str) -> tuple[Any, Any, str | None]:
    """(series, year, why not) for a pair and period from the read layer."""
    try:
        series, year = store.period_totals(pair, period)
    except BilateralError as exc:  # not loaded (NotAvailableError), or a code the store does not know
        return None, None, str(exc)
    return series, year, None


def _check_target(store: Any, c: Claim) -> ClaimCheck:
    from bilateral.harmonise.targets import target_for

    t = target_for(c.pair or DEFAULT_PAIR)
    if t is None:
        return ClaimCheck(c, "target", reason=f"a goal, not a fact; no target on file for {c.pair}")
    src = f"target tracker: US${t.value_usd / 1e9:,.0f} bn by {t.by} ({t.url})"
    if c.target_of in ("exports", "imports", "balance"):
        return ClaimCheck(c, "target", source=src, reason=f"a goal for {c.target_of}, not a fact; the target on file "
                          f"is for total trade (US${t.value_usd / 1e9:,.0f} bn by {t.by})")
    same = c.value_usd is not None and abs(c.value_usd - t.value_usd) <= max(TOLERANCE * t.value_usd, c.rounding)
    reason = "a goal, not a fact" + ("; the same as the target on file" if same else
                                     f"; differs from the target on file (US${t.value_usd / 1e9:,.0f} bn by {t.by})")
    try:
        _, latest = store.period_totals(c.pair or DEFAULT_PAIR)
        if latest.total_usd:
            reason += (f"; latest total trade US${latest.total_usd / 1e9:,.2f} bn in {latest.period} "
                       f"({latest.status}) = {latest.total_usd / t.value_usd:.0%} of it")
    except BilateralError:  # no totals for the pair: the goal alone
        pass
    return ClaimCheck(c, "target", our_value=t.value_usd, our_period=t.by, source=src, reason=reason)


def _no_period(c: Claim) -> str:
    """Why a claim has no period: none named, or one named that is not a year (with the note saying why)."""
    if c.period_text:
        why = next((n for n in c.notes if c.period_text in n), "")
        return f"the period {c.period_text!r} is not a year the store can answer" + (f": {why}" if why else "")
    return "no period named in the sentence or the previous one"


def _why_unverifiable_first(c: Claim, today: Date | None) -> str | None:
    if c.kind == "money" and c.unit != "USD":
        names = {"INR": "rupee", "EUR": "euro", "GBP": "pound", "RUB": "rouble"}
        return (f"a {names.get(c.unit, c.unit)} amount ({c.text}); bilateral holds no sourced exchange rate, "
                "so it is not converted to US$")
    if c.measure == "other":
        return "not a trade value (an investment, a price, a deal or the like); the store holds trade flows"
    if c.measure is None:
        return "no trade measure (total trade, exports, imports, deficit) named near the figure"
    if c.measure == "target" or c.horizon:
        return None
    if c.period is None:
        return _no_period(c)
    return _complete_on_date(c, today)


def _check_money(store: Any, c: Claim, today: Date | None) -> ClaimCheck:
    why = _why_unverifiable_first(c, today)
    if why is not None:
        return ClaimCheck(c, "unverifiable", reason=why)
    if c.measure == "target" or c.horizon:
        return _check_target(store, c)
    if c.measure == "energy":
        return ClaimCheck(c, "unverifiable", reason="an energy or oil value; the read layer serves the energy share, "
                          "not a value")
    _, year, why = _totals(store, c.pair or DEFAULT_PAIR, c.period or "")
    if year is None:
        return ClaimCheck(c, "unverifiable", reason=f"figure about {c.pair}: {why}")
    ours = _level(year, c.measure or "")
    if ours is None:
        return ClaimCheck(c, "unverifiable", reason=f"no {c.measure} figure for {c.pair} in {c.period}")
    ok, rule = _compare_level(c, ours)
    src = _served(year)
    if ok:
        return ClaimCheck(c, "consistent", ours, year.period, src, rule)
    return ClaimCheck(c, "differs", ours, year.period, src, rule,
                      f"the article says {c.text}, the store US${ours / 1e9:,.2f} bn")


def _flow_value(t: Any, measure: str) -> float | None:
    return _level(t, "total_trade" if measure in ("target", "total_trade") else measure)


def _check_growth(store: Any, c: Claim, today: Date | None) -> ClaimCheck:
    if c.measure not in ("total_trade", "exports", "imports", "balance"):
        return ClaimCheck(c, "unverifiable", reason="a growth rate of something the store does not total "
                          f"({(c.measure or 'no measure').replace('_', ' ')})")
    if c.period is None:
        return ClaimCheck(c, "unverifiable", reason=_no_period(c))
    why = _complete_on_date(c, today)
    if why is not None:
        return ClaimCheck(c, "unverifiable", reason=why)
    series, year, why = _totals(store, c.pair or DEFAULT_PAIR, c.period)
    if year is None:
        return ClaimCheck(c, "unverifiable", reason=f"figure about {c.pair}: {why}")
    idx = [t.period for t in series].index(year.period)
    if idx == 0:
        return ClaimCheck(c, "unverifiable", reason=f"no year before {year.period} in the store")
    prev = series[idx - 1]
    cur_v, prev_v = _level(year, c.measure), _level(prev, c.measure)
    if not cur_v or not prev_v:
        return ClaimCheck(c, "unverifiable", reason=f"no {c.measure} figure for {prev.period} or {year.period}")
    ours = (cur_v / prev_v - 1) * 100
    tol = _pct_tol(c)
    verdict: Verdict = "consistent" if abs(ours - c.value) <= tol else "differs"
    reason = "" if verdict == "consistent" else f"the article says {c.value:+.1f}%, the store {ours:+.1f}%"
    return ClaimCheck(c, verdict, ours, f"{prev.period}→{year.period}", _served(year), f"±{tol:g} pp", reason)


def _share_parts(store: Any, c: Claim, year: Any, numerator: str, base: str) -> tuple[float | None, str]:
    """(our share in percent, the source) of ``numerator`` in ``base`` for the claim's pair and period."""
    if numerator == "energy":
        if base not in ("pair_imports", "pair_total"):
            return None, ""
        e = store.energy_imports(c.pair or DEFAULT_PAIR, year.period)
        if e is None or e.share is None:
            return None, ""
        share = e.share * 100
        if base == "pair_total" and year.total_usd and year.imports_usd:
            share = e.share * year.imports_usd / year.total_usd * 100
        return share, f"{e.served.source} · {e.served.release} · {e.basis}"
    num = _level(year, numerator)
    if base == "pair_total":
        den, src = year.total_usd, _served(year)
    elif base in ("pair_imports", "pair_exports"):
        den, src = (year.imports_usd if base == "pair_imports" else year.exports_usd), _served(year)
    else:
        world = store.reporter_totals(parse_pair(c.pair or DEFAULT_PAIR).reporter, year.period)
        if world is None:
            return None, ""
        den = {"reporter_exports": world.exports_usd, "reporter_imports": world.imports_usd,
               "reporter_total": world.total_usd}.get(base)
        src = f"{_served(year)}; world: {_served(world)}"
    if num is None or not den:
        return None, ""
    return num / den * 100, src


def _numerator(c: Claim) -> str:
    if c.measure in ("exports", "imports", "total_trade", "energy", "balance"):
        if not (c.measure == "total_trade" and c.base in ("reporter_exports", "reporter_imports")):
            return c.measure
    return {"reporter_exports": "exports", "reporter_imports": "imports", "pair_imports": "imports",
            "pair_exports": "exports"}.get(c.base, "total_trade")


def _check_share(store: Any, c: Claim, today: Date | None) -> ClaimCheck:
    if c.base in ("", "unknown"):
        return ClaimCheck(c, "unverifiable", reason="a percentage whose base (what it is a share of) the checker "
                          "cannot tell")
    if c.base == "crude":
        return ClaimCheck(c, "unverifiable", reason="a share of crude oil or energy imports from all suppliers; the "
                          "read layer has no such total")
    if c.period is None:
        return ClaimCheck(c, "unverifiable", reason=_no_period(c))
    why = _complete_on_date(c, today)
    if why is not None:
        return ClaimCheck(c, "unverifiable", reason=why)
    _, year, why = _totals(store, c.pair or DEFAULT_PAIR, c.period)
    if year is None:
        return ClaimCheck(c, "unverifiable", reason=f"figure about {c.pair}: {why}")
    numerator = _numerator(c)
    ours, src = _share_parts(store, c, year, numerator, c.base)
    if ours is None:
        return ClaimCheck(c, "unverifiable", reason=f"no figure for {numerator} or {base_label(c.base, c.pair)} "
                          f"in {c.period}")
    tol = _pct_tol(c)
    if abs(ours - c.value) <= tol:
        return ClaimCheck(c, "consistent", ours, year.period, src, f"±{tol:g} pp")
    reason = (f"the article says {c.value:g}% of {base_label(c.base, c.pair)}, the store {ours:.1f}%")
    for alt in ("pair_total", "reporter_exports", "reporter_imports", "reporter_total", "pair_imports"):
        if alt == c.base:
            continue
        other, _ = _share_parts(store, c, year, numerator, alt)
        if other is not None and abs(other - c.value) <= tol:
            reason += f"; {c.value:g}% is {numerator.replace('_', ' ')}'s share of {base_label(alt, c.pair)} (wrong base?)"
            break
    return ClaimCheck(c, "differs", ours, year.period, src, f"±{tol:g} pp", reason)


def check_claim(store: Any, c: Claim, today: Date | None = None) -> ClaimCheck:
    """The verdict on one claim (``store``: a Store)."""
    if not isinstance(store, _Reads):
        store = _Reads(store)
    if c.kind == "money":
        return _check_money(store, c, today)
    if c.statistic == "growth":
        return _check_growth(store, c, today)
    return _check_share(store, c, today)


def check_text(store: Any, text: str, date: Date | None = None, *, pair: Pair | str = DEFAULT_PAIR) -> list[ClaimCheck]:
    """Find the claims of an article and check each against the store (deterministic, offline).

    ``date`` is the article's date (resolves "last year"); default: the first date in its opening.
    """
    if not text.strip():
        raise BilateralError("the article is empty; give a text or HTML file with the article's words")
    today = date if date is not None else find_article_date(text)
    reads = _Reads(store)
    return [check_claim(reads, c, today) for c in extract_claims(text, date=today, pair=pair)]
