"""Stage 3, attributing: each figure's measure, pair, direction, period, role (fact, goal, base, forecast).

Rules, stated once:
- Measure: the nearest trade word before the figure in its clause (a goal word wins), else a trade
  word just after it ("$63.8 billion of imports"), else the sentence's last one, else the previous
  sentence's. "trade" alone is total trade; "trade" in "free trade agreement", "trade forum",
  "trade partner" names no value. Verbs count: "India shipped" (exports), "Russia supplied",
  "India bought" (India's imports).
- Pair and direction: only countries tied to the trade phrase count ("trade between X and Y",
  "X's exports", "Russian exports", "exports to Y", "imports from X", "X supplied"); a country in a
  context phrase ("after Russia's invasion of Ukraine", "an India–Eurasian Economic Union FTA")
  does not. Seen from the reporter of the pair: "exports from Russia to India" and "Russia
  supplied" are India's imports, "India shipped" its exports. A sentence that names another
  country and ties none to its figure leaves the partner uncertain.
- Period: the period just after the figure, else the nearest before it in the sentence, else any
  after it, else the previous sentence's (or an earlier one's after "that year", "the same
  period"); a part-year is carried the same way. A goal's horizon ("by 2030") belongs only to the
  figure it follows. Whose calendar: a sentence citing a Russian source (or speaking for one named
  just before: "he said") reads "last year" as a calendar year.
- Role: a goal ("a target of $100 billion by 2030", "the $30-billion-by-2025 target", "to bring
  this figure to $100 billion", "reach $100 billion much earlier than the 2030 target"); a base
  ("up from $68.7 billion", the X of "from X to Y", whose period is its own, the earlier one the
  text implies, or none); a forecast ("expected to reach"); else a fact.
- Multiples and growth keep their base: "sevenfold since 2021-22", "nearly nine times over five
  years", "up 33% on the previous fiscal year".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date as Date
from functools import lru_cache
from typing import Any, Literal

from bilateral.agenda.claims.extract import Figure, Qualifier, find_figures
from bilateral.agenda.claims.guard import Guarded, sentence
from bilateral.agenda.claims.lexicon import COUNTRIES, DEMONYM, lexicon
from bilateral.agenda.claims.periods import PeriodRef, PeriodSpan, find_periods, shift_ref
from bilateral.agenda.claims.reading import Article, read_document, split_sentences
from bilateral.harmonise.pairs import DEFAULT_PAIR, Pair, parse_pair

__all__ = ["BASE_LABELS", "Claim", "Role", "base_label", "extract_claims"]

#: the partner code of a reporter's trade with the world (as the read layer names it)
WORLD = "WLD"
Role = Literal["fact", "goal", "base", "forecast"]
Statistic = Literal["level", "growth", "share", "multiple"]

#: how far after a figure a period may stand to belong to it ("$68.7 billion in FY2024-25")
PERIOD_REACH = 30
#: how far after a figure its trade word may stand ("$63.8 billion of goods were imported")
MEASURE_AFTER_REACH = 40
#: how far before a country a flow word may stand to tie it ("exports of engineering goods to Russia")
TIE_REACH = 45
#: how far before a figure a goal or forecast phrase may stand
GOAL_REACH = 70
#: words before a flow that make it the reporter's trade with the world ("India's total exports")
_WORLD_WORDS = re.compile(r"\b(?:total|overall|merchandise|global|worldwide)\s+(?:goods\s+)?$", re.IGNORECASE)
#: a price or unit value, not a trade total
_UNIT_PRICE = re.compile(r"^[\s-]*(?:a|an|per|/)[\s-]*(?:barrel|bbl|tonne|ton|unit|kg|litre|share|day|month|year)\b",
                         re.IGNORECASE)
_GROWTH = re.compile(r"\b(?:rose|rise|rising|risen|grew|grow|growing|grown|growth|increased?|increasing|jumped|jump|"
                     r"surged?|climbed?|soared?|expanded|up|higher|fell|fall|falling|fallen|declined?|declining|dropped|"
                     r"drop|decreased?|down|lower|slumped?|contracted|contraction|shrank|plunged?|slipped|dipped|"
                     r"widened|narrowed)\b", re.IGNORECASE)
_FALL = re.compile(r"\b(?:fell|fall|falling|fallen|declined?|declining|dropped|drop|decreased?|down|lower|slumped?|"
                   r"contracted|contraction|shrank|plunged?|slipped|dipped|narrowed)\b", re.IGNORECASE)
_OVER_YEARS = re.compile(r"\b(?:over|in|during|within)\s+(?:the\s+)?(?:past|last|just)?\s*(?P<n>\d{1,2}|two|three|four|"
                         r"five|six|seven|eight|nine|ten)\s+years\b", re.IGNORECASE)
_TOTAL_WORD = re.compile(r"(?:total|overall)\b", re.IGNORECASE)
_FLOW_TO_FROM = re.compile(r"\b(exports?\s+to|imports?\s+from)\s+(?:the\s+)?(\S+(?:\s+\S+)?)", re.IGNORECASE)
_IMPORTS_WORD = re.compile(r"\bimports\b", re.IGNORECASE)
_OF_AFTER = re.compile(r"\s*(?:of|in)\s+(.{0,60})")
_SHARE_OF = re.compile(r"\bshare\s+(?:of|in)\s+(.{0,60}?)\s+(?:was|is|rose|fell|stood|at|to|reached|of)\b")
_PHRASE_END = re.compile(r"[,;]|\b(?:in|during|for)\s+(?:FY|20\d{2})")
_WHEN = re.compile(r"\b(?:when|then|at\s+the\s+time)\b", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[,;:()—–]")
_COURSE = re.compile(r"\b(?:course|path|road|track|way|bid|drive|push)\s+(?:to|towards?)\s+(?:(?:a|an|the)\s+)?$",
                     re.IGNORECASE)
_GOAL_AFTER = re.compile(r"^[\s-]*(?:(?:by|in)[\s-]+20\d{2}[\s-]+)?(?:(?:bilateral|two-way|trade|annual|ambitious|"
                         r"overall)\s+){0,3}(target|goal|mark\s+by|aim|ambition|objective)\b", re.IGNORECASE)
_REACHED = re.compile(r"\b(?:rose|grew|increased|reached|touched|stood|was|were|jumped)\b", re.IGNORECASE)
_FROM_BEFORE = re.compile(r"\bfrom\s+(?:(?:the|a|just|about|around|under|over|some|US)\s+)*$", re.IGNORECASE)
_TO_BETWEEN = re.compile(r"^[^.;]{0,45}?\bto\s+(?:(?:a|an|the|record|about|around|nearly|over|some|US)\s+)*$",
                         re.IGNORECASE)
_PERIOD_HINT = re.compile(r"\d|fiscal|year|month|period|half|quarter", re.IGNORECASE)
_SAME_PERIOD = re.compile(r"same\s+period", re.IGNORECASE)
_SAME_PERIOD_OF = re.compile(r"\bsame\s+period\s+(?:of|in|during)?\s*(?:the\s+)?$", re.IGNORECASE)
_HAS_GROWN = re.compile(r"\b(?:has|have)\s+(?:\w+\s+)?(?:grown|risen|increased|jumped|surged|expanded|multiplied)",
                        re.IGNORECASE)
_TO_END = re.compile(r"\bto\s*$")
_GROWTH_AFTER = re.compile(r"\s*(?:growth|increase|rise|jump|decline|fall|drop|higher|lower|more|less|up|down|on\s+year|"
                           r"y-o-y|yoy)", re.IGNORECASE)
_YEARS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_EXPORT_WORDS = r"exports?|exported|exporting|shipments?|shipped|ships|sold|sells|sales|supplies|supplied|supplying"
_IMPORT_WORDS = r"imports?|imported|importing|purchases|purchased|bought|buying|buys|procured|procurement"


@dataclass(frozen=True)
class Claim:
    """One quantitative claim: what the article says, and what the checker read it as."""

    text: str  # the figure as written, e.g. "$68.7 billion"
    sentence: str
    sentence_no: int
    kind: Literal["money", "percent", "multiple"]
    value: float  # in ``unit`` (currency units, percent, or a factor)
    unit: str  # USD, INR, EUR, GBP, RUB, %, pp or x
    value_usd: float | None
    qualifier: Qualifier = "exact"
    low: float | None = None  # ranges, in ``unit``
    high: float | None = None
    rounding: float = 0.0  # half a unit of the last quoted digit, in ``unit``
    measure: str | None = None
    statistic: Statistic = "level"
    base: str = ""  # for shares: what the percentage is of
    pair: str | None = None
    period: str | None = None
    period_text: str = ""
    horizon: bool = False
    partial: bool = False
    complete_by: Date | None = None
    target_of: str = ""  # for a goal: what it is a goal for (total_trade, exports, …) when the text says
    notes: tuple[str, ...] = ()
    role: Role = "fact"
    readings: tuple[str, ...] = ()  # other periods the words may mean ("last year": CY2024 beside FY2024-25)
    base_period: str | None = None  # multiples: the period compared with
    uncertain: tuple[str, ...] = ()  # why a difference would not be certain (partner, direction, …)
    calendar_framed: bool = False  # the source counts calendar years


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


# -- words of a sentence -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    kind: str  # the measure, or a country code
    text: str = ""


def _measures(s: str) -> list[_Span]:
    lex = lexicon()
    text = sentence(s)
    blocked = [(m.start(), m.end()) for m in lex.trade_not_value.finditer(text)]
    spans: list[_Span] = []
    for name, rx in lex.measures:
        for m in rx.finditer(text):
            if any(m.start() < sp.end and sp.start < m.end() for sp in spans):
                continue
            if name == "total_trade" and any(a <= m.start() < b for a, b in blocked):
                continue
            spans.append(_Span(m.start(), m.end(), name, m.group(0)))
    return sorted(spans, key=lambda sp: sp.start)


def _countries(s: str) -> list[_Span]:
    spans: list[_Span] = []
    text = sentence(s)
    for rx, code in COUNTRIES:
        for m in rx.finditer(text):
            if any(m.start() < sp.end and sp.start < m.end() for sp in spans):
                continue
            spans.append(_Span(m.start(), m.end(), code, m.group(0)))
    return sorted(spans, key=lambda sp: sp.start)


def _nearest_before(spans: list[Any], pos: int, lo: int) -> Any:
    cands = [sp for sp in spans if lo <= sp.start and sp.end <= pos]
    return max(cands, key=lambda sp: sp.end) if cands else None


def _nearest_after(spans: list[Any], pos: int, hi: int) -> Any:
    cands = [sp for sp in spans if sp.start >= pos and sp.end <= hi]
    return min(cands, key=lambda sp: sp.start) if cands else None


# -- pair and direction ----------------------------------------------------------------------------------------
@dataclass
class _Ties:
    exporters: list[str] = field(default_factory=list)
    importers: list[str] = field(default_factory=list)
    parties: list[str] = field(default_factory=list)
    loose: list[str] = field(default_factory=list)  # named, tied to nothing, not context

    @property
    def tied(self) -> list[str]:
        return list(dict.fromkeys(self.exporters + self.importers + self.parties))


_FLOWS = re.compile(rf"\b(?:{_EXPORT_WORDS}|{_IMPORT_WORDS}|trade|turnover|commerce|deficit|surplus|imbalance|"
                    rf"crude|oil|goods)\b", re.IGNORECASE)
_TO_COUNTRY = re.compile(rf"\b(?:{_EXPORT_WORDS}|trade|goods|products|crude|oil)\b[^,;.]{{0,{TIE_REACH}}}?\b(?:to|into)\s+"
                         r"(?:the\s+)?(?:[\w-]+\s+)?$", re.IGNORECASE)
_FROM_X_TO = re.compile(r"\bfrom\s+(?:the\s+)?\S+\s+to\s+(?:the\s+)?$", re.IGNORECASE)
_FROM_COUNTRY = re.compile(r"\bfrom\s+(?:the\s+)?(?:[\w-]+\s+)?$", re.IGNORECASE)
_BETWEEN = re.compile(r"\b(?:between|with|and|&)\s+(?:the\s+)?(?:[\w-]+\s+)?$", re.IGNORECASE)
_OWN_EXPORTS = re.compile(rf"^\s*(?:[\w-]+\s+){{0,2}}?(?:{_EXPORT_WORDS})\b", re.IGNORECASE)
_OWN_IMPORTS = re.compile(rf"^\s*(?:[\w-]+\s+){{0,2}}?(?:{_IMPORT_WORDS})\b", re.IGNORECASE)
_IMPORTS_FROM = re.compile(r"^\s*(?:[\w-]+\s+){0,3}?from\b", re.IGNORECASE)
_OWN_TRADE = re.compile(r"^\s*(?:[\w-]+\s+){0,3}?(?:trade|turnover|commerce|deficit|surplus|imbalance)\b", re.IGNORECASE)
_SELLS = re.compile(r"^\s*(?:has\s+|had\s+|have\s+)?(?:[\w-]+\s+)?(?:exported|shipped|sold|supplied|supplies|"
                    r"exports|ships|sells)\b", re.IGNORECASE)
_BUYS = re.compile(r"^\s*(?:has\s+|had\s+|have\s+)?(?:[\w-]+\s+)?(?:imported|bought|purchased|procured|imports|buys)\b",
                   re.IGNORECASE)
_DASH_AFTER = re.compile(r"^\s*[-–]\s*\S+")
_DASH_BEFORE = re.compile(r"[-–]\s*$")
#: how far before a country "from" looks for a flow word ("imports of crude from Russia")
FLOW_REACH = 80


@lru_cache(maxsize=8192)
def _tie(s: str, start: int, end: int, text: str, flow_from: int) -> str | None:
    """How the country s[start:end] is tied to the trade phrase: exporter, importer, party, loose; None: context.

    ``flow_from``: where "from <country>" may look back for its flow word. Pure, so cached: a
    sentence with several figures asks about the same countries for each.
    """
    lex = lexicon()
    view = sentence(s)
    before = s[max(0, start - TIE_REACH):start]
    after = s[end:end + TIE_REACH]
    if ((lex.context_before.possible(view) and lex.context_before.search(before))
            or (lex.context_after.possible(view) and lex.context_after.match(after))):
        return None
    possessive = text.endswith(("'s", "’s"))
    demonym = bool(DEMONYM.match(text))
    if _TO_COUNTRY.search(before) and not _FROM_X_TO.search(before):
        return "importer"
    if _FROM_COUNTRY.search(before) and _FLOWS.search(s[flow_from:start]):
        return "exporter"
    if _BETWEEN.search(before) and _FLOWS.search(s[max(0, start - FLOW_REACH):min(len(s), end + 40)]):
        return "party"
    if (possessive or demonym) and _OWN_EXPORTS.match(after):
        return "exporter"
    if (possessive or demonym) and _OWN_IMPORTS.match(after):
        # "Russia's imports": Russia buys; "Russian imports" (no "from"): imports of Russian goods
        return "exporter" if demonym and not _IMPORTS_FROM.match(after) else "importer"
    if (possessive or demonym) and _OWN_TRADE.match(after):
        return "party"
    if _SELLS.match(after):
        return "exporter"
    if _BUYS.match(after):
        return "importer"
    if _DASH_AFTER.match(after) or _DASH_BEFORE.search(before):
        return "party"  # "India-Russia trade", "Russia–India bilateral trade"
    return "loose"


def _ties(s: str, countries: list[_Span], lo: int, hi: int) -> _Ties:
    """How each country in s[lo:hi] is tied to the trade phrase: exporter, importer, party, loose or context."""
    t = _Ties()
    lists = {"exporter": t.exporters, "importer": t.importers, "party": t.parties, "loose": t.loose}
    for c in countries:
        if not (lo <= c.start < hi):
            continue
        kind = _tie(s, c.start, c.end, c.text, max(lo, c.start - FLOW_REACH))
        if kind is not None:
            lists[kind].append(c.kind)
    return t


def _pair_and_flow(s: str, countries: list[_Span], measure: _Span | None, lo: int, hi: int, home: Pair,
                   ctx_tied: list[str], calendar: bool, at: int) -> tuple[str, str | None, list[str], list[str]]:
    """(pair, flow from the reporter's side, notes, uncertainties) of the figure at ``at`` in s[lo:hi].

    The countries that count are those around the figure's trade word: before the figure when the
    word stands before it (even before an earlier figure), else the figure's clause.
    """
    notes: list[str] = []
    uncertain: list[str] = []
    if measure is not None and measure.end <= at:
        ties = _ties(s, countries, max(0, min(lo, measure.start - TIE_REACH)), at)
        if not ties.tied and not ties.loose:
            ties = _ties(s, countries, lo, hi)
    else:
        ties = _ties(s, countries, lo, hi)
    if not ties.tied and not ties.loose:
        ties = _ties(s, countries, 0, len(s))  # the sentence's trade phrase stands before an earlier figure
    tied = ties.tied
    home_set = {home.reporter, home.partner}
    if not tied and ctx_tied and not ties.loose:
        tied = list(ctx_tied)
    others = [c for c in tied if c not in home_set]
    if others:
        reporter = home.reporter if home.reporter in tied or len(tied) == 1 else tied[0]
        partner = next((c for c in tied if c != reporter), others[0])
        pair = f"{reporter}-{partner}"
        if len(set(others)) > 1:
            uncertain.append(f"the sentence ties {', '.join(dict.fromkeys(others))} to the figure")
    elif (measure is not None and measure.kind in ("exports", "imports", "total_trade")
          and home.reporter in tied and home.partner not in tied + ties.loose
          and (_WORLD_WORDS.search(s[max(0, measure.start - 40):measure.start])
               or _TOTAL_WORD.match(measure.text))):
        pair = f"{home.reporter}-{WORLD}"
        notes.append(f"'{measure.text}' with no partner named: {home.reporter}'s trade with the world")
    else:
        pair = home.label
        foreign = [c for c in dict.fromkeys(ties.loose) if c not in home_set]
        if not tied and foreign:
            uncertain.append(f"the sentence names {', '.join(foreign)} and does not say whose trade the figure is")
        elif not tied:
            notes.append(f"pair {home.label} assumed from the article")
    flow: str | None = None
    if measure is not None and measure.kind in ("exports", "imports"):
        rep, par = pair.split("-", 1)
        flow = "export" if measure.kind == "exports" else "import"
        exporter = next((c for c in ties.exporters if c in (rep, par)), None)
        importer = next((c for c in ties.importers if c in (rep, par)), None)
        if exporter is not None and importer is not None and exporter == importer:
            uncertain.append("the sentence names the same country as seller and buyer")
        elif exporter is not None:
            flow = "export" if exporter == rep else "import"
        elif importer is not None:
            flow = "import" if importer == rep else "export"
        elif calendar:
            uncertain.append(f"'{measure.text}' names no country, and the source is Russian: whose {measure.kind}?")
        if flow != ("export" if measure.kind == "exports" else "import"):
            notes.append(f"'{measure.text}' read from {rep}'s side as its {flow}s")
    return pair, flow, notes, uncertain


# -- shares ---------------------------------------------------------------------------------------------------
_BASES = (
    ("crude", re.compile(r"\b(?:crude|oil|petroleum|energy|fuel)\b", re.IGNORECASE)),
    ("pair_total", re.compile(r"\b(?:bilateral|two-way)\s+trade\b|\btrade\s+(?:between|with)\b|\bthe\s+total\b|"
                              r"\bthe\s+(?:US)?\$", re.IGNORECASE)),
    ("reporter_exports", re.compile(r"\bexports\b", re.IGNORECASE)),
    ("reporter_imports", re.compile(r"\bimports\b", re.IGNORECASE)),
    ("reporter_total", re.compile(r"\b(?:total|overall|foreign|global)\s+trade\b|\btrade\b", re.IGNORECASE)),
)


def _pair_flow_base(phrase: str, home: Pair) -> str | None:
    """A flow of the pair ("imports from Russia", "Russian imports", "exports to Russia"), not the reporter's total."""
    m = _FLOW_TO_FROM.search(phrase)
    if m is not None:
        if any(rx.match(m[2]) and code == home.partner for rx, code in COUNTRIES):
            return "pair_imports" if m[1].lower().startswith("import") else "pair_exports"
        return None
    for c in _countries(phrase):
        if c.kind == home.partner and DEMONYM.match(c.text) and _IMPORTS_WORD.search(phrase):
            return "pair_imports"  # "of Russian imports": imports of Russian goods
    return None


def _share_base(s: str, start: int, end: int, home: Pair) -> str | None:
    """What a percentage is 'of': the phrase after it ("7% of India's imports") or "share of/in X" before it."""
    after = _OF_AFTER.match(s, end)
    before = _SHARE_OF.search(s[:start])
    phrases = [m[1] for m in (after, before) if m is not None]
    if not phrases:
        return None
    for phrase in phrases:
        phrase = _PHRASE_END.split(phrase, maxsplit=1)[0]
        for name, rx in _BASES:
            if rx.search(phrase):
                if name in ("reporter_exports", "reporter_imports"):
                    return _pair_flow_base(phrase, home) or name
                return name
    return "unknown"


# -- periods, measures and roles of one figure -----------------------------------------------------------------
def _period_for(s: str, periods: list[PeriodSpan], f: Figure, nxt: int, figures: list[Figure]) -> PeriodSpan | None:
    """A period just after the figure, else the nearest before it, else any after it in the sentence.

    A horizon ("by 2030") belongs only to the figure just before it: in "$35 billion by 2030, up
    from $5 billion", the $5 billion is not a goal.
    """
    own = [p for p in periods if not p.ref.base]
    if f.kind != "multiple" and not own:  # "since 2021-22, when it was $13.1 billion"
        own = [p for p in periods if p.end <= f.start and _WHEN.search(s[p.end:f.start])]
    after = _nearest_after(own, f.end, nxt)
    if after is not None and after.start - f.end <= PERIOD_REACH:
        return after
    for before in sorted((p for p in own if p.end <= f.start), key=lambda p: -p.end):
        if before.ref.relative:
            continue  # "up 14.5% on the previous fiscal year, while imports were …": the base of the figure before
        if before.ref.horizon and any(g.start != f.start and g.end <= before.start and before.start - g.end <= PERIOD_REACH
                                      for g in figures):
            continue  # the horizon belongs to the figure just before it
        return before
    if after is None and f.kind == "money":
        # "exports stood at $3.25bn, whereas imports were $9.87bn last financial year": one year for both
        later = [p for p in own if p.start >= f.end and not p.ref.horizon and not p.ref.relative]
        return later[0] if later else None
    return after


def _measure_for(measures: list[_Span], start: int, prev: int) -> _Span | None:
    """The nearest trade word before the figure in its clause (a goal word wins)."""
    before = _nearest_before(measures, start, prev)
    if before is not None and before.kind in ("exports", "imports"):
        product = _nearest_before([m for m in measures if m.kind == "energy"], before.start, prev)
        if product is not None and before.start - product.end <= 2:
            return _Span(product.start, before.end, "energy", f"{product.text} {before.text}")  # "crude oil imports"
    if before is not None and before.kind == "energy":
        # "oil imports", "crude exports": the flow word right after the product word decides
        flow = _nearest_after([m for m in measures if m.kind in ("exports", "imports")], before.end, start)
        if flow is not None:
            before = flow
    return before


def _measure_after(s: str, measures: list[_Span], end: int, nxt: int) -> tuple[_Span | None, bool]:
    """The nearest trade word after the figure, and whether it is close (same clause, within reach)."""
    after = _nearest_after(measures, end, nxt)
    close = after is not None and after.start - end <= MEASURE_AFTER_REACH and not _CLAUSE_BREAK.search(
        s, end, after.start)
    return after, close


def _role(s: str, f: Figure, prev: int, measures: list[_Span], ref: PeriodRef | None) -> tuple[Role, str]:
    """A figure's role and the words that gave it."""
    lex = lexicon()
    before = s[max(prev, f.start - GOAL_REACH):f.start]
    near = s[max(prev, f.start - 30):f.start]
    text = sentence(s)
    base = lex.base_before.search(near) if lex.base_before.possible(text) else None
    if base is not None:
        return "base", base.group(0).strip()
    if ref is not None and ref.horizon:
        return "goal", ref.text
    targets = [sp for sp in measures if sp.kind == "target" and prev <= sp.start < f.start]
    if targets:
        return "goal", targets[-1].text
    course = _COURSE.search(near)
    if course:
        return "goal", course.group(0).strip()
    right = s[f.end:f.end + 40]
    m = _GOAL_AFTER.match(right)
    if m:
        return "goal", m[1]
    goal = lex.goal_before.search(before) if lex.goal_before.possible(text) else None
    if goal is not None and not _REACHED.search(s[goal.end():f.start]):
        return "goal", goal.group(0)
    forecast = lex.forecast.search(before) if lex.forecast.possible(text) else None
    if forecast is not None:
        return "forecast", forecast.group(0)
    return "fact", ""


# -- the whole article ----------------------------------------------------------------------------------------------
@dataclass
class _Context:
    """What earlier sentences established: the last period, measure, countries and speaker, and where."""

    period: PeriodSpan | None = None
    period_at: int = -10
    measure: _Span | None = None
    measure_at: int = -10
    tied: list[str] = field(default_factory=list)
    calendar_speaker: bool = False
    speaker_at: int = -10
    fromto: tuple[PeriodRef, PeriodRef] | None = None
    fromto_at: int = -10


_BACKREF = Guarded(re.compile(r"\b(?:that|the\s+same|this|the)\s+(?:year|period|fiscal(?:\s+year)?|financial\s+year|"
                              r"months?|time)\b|\bduring\s+the\s+period\b", re.IGNORECASE))


def _is_fromto(s: str, f: Figure, g: Figure | None) -> bool:
    """Whether f is the X of "from X (in P) to Y"."""
    if g is None or g.kind != f.kind:
        return False
    if not _FROM_BEFORE.search(s[max(0, f.start - 25):f.start]):
        return False
    return bool(_TO_BETWEEN.match(s[f.end:g.start]))


def _multiple_base(s: str, periods: list[PeriodSpan], cur: PeriodRef | None, verb: str) -> tuple[PeriodRef | None, str]:
    """The period a multiple compares with: "since P", "over N years", the X of a from-to, the previous year."""
    since = [p for p in periods if p.ref.base]
    if since:
        return since[0].ref, f"since {since[0].ref.label}"
    if cur is None:
        return None, ""
    over = _OVER_YEARS.search(s)
    if over:
        n = int(over["n"]) if over["n"].isdigit() else _YEARS[over["n"].lower()]
        return shift_ref(cur, -n, over.group(0)), f"{over.group(0)!r}: {n} years before {cur.label}"
    rel = [p for p in periods if p.ref.relative]
    if rel:
        return shift_ref(cur, -1, rel[0].ref.text), f"{rel[0].ref.text!r}: the year before {cur.label}"
    if verb:
        return shift_ref(cur, -1, "the year before"), f"'{verb}' in {cur.label}: against the year before"
    return None, ""


def extract_claims(text: str | Article, *, date: Date | None = None, pair: Pair | str = DEFAULT_PAIR) -> list[Claim]:
    """Every money amount, percentage and multiple in an article, read as a claim (measure, pair, period, role)."""
    article = text if isinstance(text, Article) else read_document(text)
    home = parse_pair(pair) if isinstance(pair, str) else pair
    today = date if date is not None else article.date
    lex = lexicon()
    agency_calendar = bool(lex.calendar_agencies.search(article.text[:600]))
    claims: list[Claim] = []
    ctx = _Context()
    for sent in split_sentences(article.text):
        s, no = sent.text, sent.number
        view = sentence(s)
        named_calendar = bool(lex.calendar_sources.first(view))
        fiscal = bool(lex.fiscal_sources.first(view))
        pronoun = bool(lex.speaker_pronoun.first(view)) and 0 < no - ctx.speaker_at <= 2 and ctx.calendar_speaker
        calendar = (named_calendar or pronoun or agency_calendar) and not fiscal
        if named_calendar or fiscal:
            ctx.calendar_speaker, ctx.speaker_at = named_calendar and not fiscal, no
        elif pronoun:
            ctx.speaker_at = no
        figures = find_figures(s)
        if not figures and not _PERIOD_HINT.search(s):
            continue
        periods = find_periods(s, today, calendar=calendar)
        backref = bool(_BACKREF.first(view))
        measures = _measures(s)
        countries = _countries(s)
        last_measure: _Span | None = None
        same_period_ref: PeriodRef | None = None
        fromto_pair: tuple[PeriodRef, PeriodRef] | None = None
        sentence_claims: list[Claim] = []
        for i, f in enumerate(figures):
            prev = figures[i - 1].end if i else 0
            nxt_fig = figures[i + 1] if i + 1 < len(figures) else None
            nxt = nxt_fig.start if nxt_fig is not None else len(s)
            notes: list[str] = []
            uncertain: list[str] = []
            psp = _period_for(s, periods, f, len(s) if f.kind == "multiple" else nxt, figures)
            ref = psp.ref if psp is not None else None
            if ref is not None and ref.note == "backref":
                ref = None
                if psp is not None and _SAME_PERIOD.search(psp.ref.text):
                    part = next((p.ref for p in periods if p.ref.partial and p.end <= psp.start), None) or (
                        ctx.period.ref if ctx.period is not None and ctx.period.ref.partial else None)
                    year = _nearest_after([p for p in periods if p.ref.kind in ("fy", "cy")], psp.end, psp.end + 15)
                    if part is not None:
                        ref = _same_months(part, year.ref) if year is not None else part
                        same_period_ref = ref
                    elif year is not None:
                        ref = replace(year.ref, label=None, kind="months", partial=True,
                                      note=f"'{psp.ref.text} {year.ref.text}': the same part of a year")
            if (ref is not None and ref.kind in ("fy", "cy") and psp is not None
                    and _SAME_PERIOD_OF.search(s[max(0, psp.start - 30):psp.start])):
                part = next((p.ref for p in periods if p.ref.partial), None) or (
                    ctx.period.ref if ctx.period is not None and ctx.period.ref.partial else None)
                ref = _same_months(part, ref) if part is not None else replace(
                    ref, label=None, kind="months", partial=True, note=f"{ref.text!r}: the same part of a year")
                same_period_ref = ref
            inherited = False
            if ref is None and ctx.period is not None and (no - ctx.period_at == 1 or backref):
                ref, inherited = ctx.period.ref, True
                notes.append(f"period {ref.label or ref.text!r} from an earlier sentence ({ref.text!r})")
            main = next((p.ref for p in periods if p.ref.label and not p.ref.relative and not p.ref.base
                         and not p.ref.horizon), None) or (ctx.period.ref if ctx.period and no - ctx.period_at == 1
                                                           else None)
            role, role_words = _role(s, f, prev, measures, ref)
            fromto_x = _is_fromto(s, f, nxt_fig)
            if role == "base" and not fromto_x and psp is not None and psp.start < f.start:
                # "up from $X" with no period of its own: the sentence's period is the later figure's
                own_after = _nearest_after([p for p in periods if not p.ref.base], f.end, nxt)
                ref = own_after.ref if own_after is not None and own_after.start - f.end <= PERIOD_REACH else None
                if ref is None:
                    rel = [p.ref for p in periods if p.ref.relative]
                    main_ref = psp.ref if psp is not None else None
                    if rel and main_ref is not None and main_ref.label:
                        ref = shift_ref(main_ref, -1, rel[0].text)
                if ref is None:
                    uncertain.append(f"the earlier figure of a comparison ({role_words!r} {f.text}); the text names no "
                                     "period for it")
            if fromto_x:
                own_after = _nearest_after([p for p in periods if not p.ref.base], f.end, nxt)
                ref = own_after.ref if own_after is not None else None
                if ref is None:
                    since = [p.ref for p in periods if p.ref.base]
                    later = _period_for(s, periods, nxt_fig, len(s), figures) if nxt_fig is not None else None
                    over = _OVER_YEARS.search(s)
                    if since:
                        ref = replace(since[0], base=False)
                    elif over and later is not None and later.ref.label:
                        n = int(over["n"]) if over["n"].isdigit() else _YEARS[over["n"].lower()]
                        ref = shift_ref(later.ref, -n, over.group(0))
                    elif ctx.fromto is not None and no - ctx.fromto_at == 1:
                        ref = ctx.fromto[0]
                        notes.append(f"period of 'from' taken from the comparison in the sentence before ({ref.text!r})")
                    elif later is not None and any(p.ref.relative for p in periods):
                        ref = shift_ref(later.ref, -1, "the previous year")
                if ref is None:
                    uncertain.append(f"the earlier figure of 'from {f.text} to …'; the text names no period for it")
            if i > 0 and _is_fromto(s, figures[i - 1], f):
                x = sentence_claims[-1] if sentence_claims else None
                if ref is None and ctx.fromto is not None and no - ctx.fromto_at == 1:
                    ref = ctx.fromto[1]
                    notes.append(f"period of 'to' taken from the comparison in the sentence before ({ref.text!r})")
                if x is not None and ref is not None and ref.label and x.period:
                    fromto_pair = (_ref_of(x), ref)
            if ref is not None and ref.relative and not inherited and main is not None:
                if f.kind in ("percent", "multiple"):
                    ref = main  # "up 33% on the previous fiscal year": the growth of the sentence's own year
                else:
                    ref = shift_ref(main, -1, ref.text) or ref
            # the measure
            msp = _measure_for(measures, f.start, prev)
            if f.kind == "money" and _UNIT_PRICE.match(s[f.end:]):
                msp = _Span(f.start, f.end, "other", "a unit price")
            if msp is None or msp.kind == "target":
                after, close = _measure_after(s, measures, f.end, nxt)
                if after is not None and after.kind != "target" and close:
                    msp = after
                elif msp is None:
                    # "from $46.2 billion in 2022-23 to $61.4 billion in 2023-24": the sentence's last measure;
                    # "That figure represents a sevenfold increase …, propelled by crude": the previous sentence's
                    adjacent = ctx.measure if ctx.measure is not None and no - ctx.measure_at == 1 else None
                    msp = last_measure or (adjacent if f.kind != "percent" else None) or after
            if msp is not None and msp.kind == "target":
                flows = [sp for sp in measures if sp.kind in ("total_trade", "exports", "imports", "balance")]
                msp = min(flows, key=lambda sp: min(abs(sp.end - f.start), abs(sp.start - f.end))) if flows else msp
            if msp is None and ctx.measure is not None and f.kind != "percent" and no - ctx.measure_at == 1:
                msp = ctx.measure
                notes.append(f"measure from the previous sentence ({msp.text!r})")
            if msp is not None and msp.kind not in ("other", "target"):
                last_measure = msp
            pair_label, flow, pnotes, puncertain = _pair_and_flow(s, countries, msp, prev, nxt, home, ctx.tied, calendar,
                                                                     f.start)
            notes += pnotes
            uncertain += puncertain
            measure: str | None = msp.kind if msp is not None else None
            if measure in ("exports", "imports") and flow is not None:
                measure = "exports" if flow == "export" else "imports"
            target_of = ""
            if role == "goal":
                target_of = measure if measure in ("total_trade", "exports", "imports", "balance") else ""
                measure = "target"
            if ref is not None and ref.note and ref.note != "backref":
                notes.append(ref.note)
            if ref is not None and ref.horizon and role != "goal":
                ref = None
            common: dict[str, Any] = {
                "sentence": s, "sentence_no": no, "measure": measure, "pair": pair_label,
                "period": ref.label if ref is not None else None,
                "period_text": ref.text if ref else "", "horizon": bool(ref and ref.horizon),
                "partial": bool(ref and ref.partial), "complete_by": ref.complete_by if ref else None,
                "target_of": target_of, "role": role, "readings": ref.alternatives if ref is not None else (),
                "calendar_framed": bool(ref and ref.calendar_framed) or calendar,
            }
            value_usd = f.value if f.kind == "money" and f.unit == "USD" else None
            if f.kind == "money":
                claim = Claim(text=f.text, kind="money", value=f.value, unit=f.unit, value_usd=value_usd,
                              qualifier=f.qualifier, low=f.low, high=f.high, rounding=f.rounding, notes=tuple(notes),
                              uncertain=tuple(uncertain), **common)
            elif f.kind == "multiple":
                verb = f.text.lower() if f.text.lower().endswith("led") or f.text.lower().endswith("bled") else ""
                bref, bnote = _multiple_base(s, periods, ref, verb)
                if ref is None and bref is not None and bref.label and today is not None and _HAS_GROWN.search(s):
                    ref = _latest_complete(bref, today)
                    notes.append(f"'has grown … {bref.text}': up to {ref.label}, the latest year complete on the article "
                                 f"date {today.isoformat()}")
                    common = {**common, "period": ref.label, "period_text": ref.text, "complete_by": ref.complete_by}
                if bnote:
                    notes.append(f"compared with {bref.label if bref else '?'} ({bnote})")
                claim = Claim(text=f.text, kind="multiple", value=f.value, unit="x", value_usd=None, qualifier=f.qualifier,
                              rounding=f.rounding, statistic="multiple", base_period=bref.label if bref else None,
                              notes=tuple(notes), uncertain=tuple(uncertain), **common)
            else:
                claim = _percent_claim(s, f, prev, home, measures, common, tuple(notes), tuple(uncertain))
            sentence_claims.append(claim)
        # a multiple stated with "from X to Y" compares the two figures' periods
        sentence_claims = _multiples_from_pairs(sentence_claims, fromto_pair)
        claims.extend(sentence_claims)
        own = [p for p in periods if not p.ref.horizon and not p.ref.base and p.ref.note != "backref"
               and not p.ref.relative]
        if same_period_ref is not None:
            ctx.period, ctx.period_at = PeriodSpan(0, 0, same_period_ref), no
        elif own:
            ctx.period, ctx.period_at = own[-1], no
        elif backref or (ctx.period is not None and no - ctx.period_at == 1 and figures):
            ctx.period_at = no  # a chain of sentences about the same period
        level_measures = [sp for sp in measures if sp.kind in ("total_trade", "exports", "imports", "balance")]
        if level_measures:
            ctx.measure, ctx.measure_at = level_measures[-1], no
        tied = _ties(s, countries, 0, len(s)).tied
        if tied:
            ctx.tied = tied
        if fromto_pair is not None:
            ctx.fromto, ctx.fromto_at = fromto_pair, no
    return claims


def _same_months(part: PeriodRef, year: PeriodRef) -> PeriodRef:
    """The months of a part-year (``part``) in another year ("during the same period in FY23")."""
    if part.label is None or year.label is None:
        return replace(part, text=year.text, label=None)
    first = part.label.split("/")[0]
    y1, m1 = int(first[:4]), int(first[5:7])
    start = int(year.label[2:6]) if year.kind == "fy" else int(year.label[2:])
    from_year = (y1 if m1 >= 4 else y1 - 1) if year.kind == "fy" else y1
    return shift_ref(part, start - from_year, year.text) or replace(part, text=year.text, label=None)


def _latest_complete(like: PeriodRef, today: Date) -> PeriodRef:
    """The latest year of the same kind as ``like`` that had ended on ``today``."""
    from bilateral.harmonise.periods import fy_of_month

    if like.kind == "fy":
        fy = fy_of_month(today.year, today.month).shift(-1)
        return PeriodRef("up to now", fy.label, "fy", complete_by=fy.last_day)
    return PeriodRef("up to now", f"CY{today.year - 1}", "cy", complete_by=Date(today.year - 1, 12, 31))


def _ref_of(c: Claim) -> PeriodRef:
    kind = "fy" if (c.period or "").startswith("FY") else "cy" if (c.period or "").startswith("CY") else "months"
    return PeriodRef(c.period_text, c.period, kind, partial=c.partial, complete_by=c.complete_by)  # type: ignore[arg-type]


def _multiples_from_pairs(claims: list[Claim], pair: tuple[PeriodRef, PeriodRef] | None) -> list[Claim]:
    """A multiple with no base in a sentence that has "from X (P1) to Y (P2)": P2 against P1."""
    if pair is None:
        return claims
    out = []
    for c in claims:
        if c.statistic == "multiple" and c.base_period is None:
            c = replace(c, period=pair[1].label, base_period=pair[0].label, partial=pair[0].partial or pair[1].partial,
                        complete_by=pair[1].complete_by,
                        notes=c.notes + (f"compared from {pair[0].label} to {pair[1].label} (the sentence's from-to)",))
        out.append(c)
    return out


def _percent_claim(s: str, f: Figure, prev: int, home: Pair, measures: list[_Span], common: dict[str, Any],
                   lead: tuple[str, ...] = (), uncertain: tuple[str, ...] = ()) -> Claim:
    """A percentage's claim: a share (of what), a growth rate (signed), or a change in points.

    ``lead``: the notes of the figure's period, measure and pair, put before the percentage's own.
    """
    v = f.value
    notes: list[str] = list(lead)
    window = s[prev:f.start]
    base = _share_base(s, f.start, f.end, home)
    statistic: Statistic
    if f.unit == "pp":
        statistic = "share"
        notes.append("a change in percentage points")
        base = base or "unknown"
    elif base is not None and (base != "unknown" or not _GROWTH.search(window) or _TO_END.search(window)):
        statistic = "share"  # "rose to 8.8%": a level
    elif _GROWTH.search(window) or _GROWTH_AFTER.match(s, f.end):
        statistic = "growth"
        if _FALL.search(window + " " + s[f.end:f.end + 15]):
            v = -v
    else:
        statistic, base = "share", base or "unknown"
    if statistic == "share" and base is not None and base not in ("unknown", "crude"):
        energy = [sp for sp in measures if sp.kind == "energy" and prev <= sp.start < f.start]
        if energy:
            common = {**common, "measure": "energy"}
    if common.get("measure") == "target" and statistic == "growth":
        common = {**common, "measure": common.get("target_of") or "total_trade", "role": "forecast"}
    return Claim(text=f.text, kind="percent", value=v, unit="%", value_usd=None, rounding=f.rounding,
                 qualifier=f.qualifier, statistic=statistic, base=base or "", notes=tuple(notes), uncertain=uncertain,
                 **common)
