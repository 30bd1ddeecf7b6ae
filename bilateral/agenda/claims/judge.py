"""Stage 4, judging: each claim against the store, through the read layer (``store/queries.py``).

Verdicts: ``consistent`` (within the tolerance, stated per claim), ``differs`` (both figures),
``target`` (a goal, compared with the target tracker) or ``unverifiable`` (with the reason).

Precision first: ``differs`` only when the period, the partner, the direction and the measure are
all certain and every reading of the period disagrees with the store; otherwise the claim is
``unverifiable`` and the reason says what is uncertain (and what the store's figure is, where it
has one). A claim is ``consistent`` when one reading of its words agrees (the reading is named).

Tolerances, stated once:
- a level: ±2% (:data:`TOLERANCE`) or the rounding of the quoted figure, whichever is wider;
  after "about"/"around"/"roughly" ±5% (:data:`APPROX_TOLERANCE`); "nearly"/"almost"/"close to":
  at most the figure and within 5% below it; a floor ("topped", "over", "more than") at least the
  figure; a ceiling ("under", "less than") at most it; a range holds our figure.
- a figure the store serves from a reconciled or mirror source (BACI, mirror estimates) rather than
  the reporter's official totals: at least ±10% (:data:`CROSS_SOURCE_TOLERANCE`) — the article's
  source (Russian customs, India's DGCI&S) and BACI differ by valuation (CIF/FOB) and timing.
- percentages: within 0.5 percentage points (:data:`PERCENT_TOLERANCE_PP`) or the rounding.
- multiples ("sevenfold"): the rounding of the quoted factor (half a unit for a word such as
  "seven", a quarter for "doubled") or ±2%, with the same qualifier rules.
- Rupee and other non-dollar amounts are never converted (bilateral holds no sourced exchange rate).
- A period not over on the article date, or a part of a year the store holds no months for, is
  ``unverifiable``; a part of a year is never compared with a full year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as Date
from typing import Any, Literal

from bilateral.agenda.claims.attribute import Claim, base_label, extract_claims
from bilateral.agenda.claims.reading import Article, read_document
from bilateral.errors import BilateralError
from bilateral.harmonise.pairs import DEFAULT_PAIR, Pair, parse_pair

__all__ = ["APPROX_TOLERANCE", "CROSS_SOURCE_TOLERANCE", "PERCENT_TOLERANCE_PP", "TOLERANCE", "ClaimCheck",
           "Prepared", "Verdict", "check_claim", "check_text", "judge", "prepare"]

Verdict = Literal["consistent", "differs", "target", "unverifiable"]

#: relative tolerance of a quoted figure (or its rounding, if wider)
TOLERANCE = 0.02
#: relative tolerance after "about", "around", "roughly", and how far below "nearly X" may be
APPROX_TOLERANCE = 0.05
#: relative tolerance against a figure served by a reconciled or mirror source (BACI, mirror estimates)
CROSS_SOURCE_TOLERANCE = 0.10
#: tolerance of a quoted percentage, in percentage points (or its rounding, if wider)
PERCENT_TOLERANCE_PP = 0.5
#: sources whose figure is the reporter's own published one (compared at the plain tolerance)
OWN_SOURCES = frozenset({"official", "embedded", "eidb", "comtrade"})


@dataclass(frozen=True)
class ClaimCheck:
    """A claim, the store's figure for it, and the verdict with its reason."""

    claim: Claim
    verdict: Verdict
    our_value: float | None = None  # US$ (level), percent (growth, share) or a factor (multiple)
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
        if self.claim.statistic == "level" and self.claim.kind == "money":
            v = f"US${self.our_value / 1e9:,.2f} bn"
        elif self.claim.statistic == "multiple":
            v = f"{self.our_value:.2f}×"
        else:
            v = f"{self.our_value:.1f}%"
        return f"{v} ({self.our_period})" if self.our_period else v

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: the claim as read, our figure, the verdict and why."""
        c = self.claim
        return {
            "text": c.text, "sentence": c.sentence, "measure": c.measure, "statistic": c.statistic, "base": c.base,
            "pair": c.pair, "period": c.period, "period_text": c.period_text, "readings": list(c.readings),
            "base_period": c.base_period, "role": c.role, "value": c.value, "unit": c.unit,
            "value_usd": c.value_usd, "qualifier": c.qualifier, "low": c.low, "high": c.high, "target_of": c.target_of,
            "verdict": self.verdict, "our_value": self.our_value, "our_value_usd": self.our_value_usd,
            "our_period": self.our_period, "source": self.source, "tolerance": self.tolerance,
            "reason": self.reason, "notes": list(c.notes), "uncertain": list(c.uncertain),
        }

    def record(self) -> dict[str, Any]:
        """A flat row for CSV and Parquet."""
        d = self.to_dict()
        for key in ("notes", "uncertain", "readings"):
            d[key] = "; ".join(d[key])
        return d


# -- the read layer, asked once per figure ---------------------------------------------------------------------
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
            except BilateralError as err:  # not loaded (NotAvailableError), or a code the store does not know
                self.cache[key] = (None, err)
        value, failed = self.cache[key]
        if failed is not None:
            raise failed
        return value

    def period_totals(self, pair: str, period: str | None = None) -> Any:
        """``queries.period_totals`` of a pair, the store asked once for the pair's series.

        A period found in the series (read once for the article) is answered from it; the latest
        period and a miss (with the read layer's message) are asked of the read layer.
        """
        key = ("totals", pair, period)
        if period is not None and key not in self.cache:
            found = self._from_series(pair, period)
            if found is not None:
                self.cache[key] = (found, None)
        return self._ask(key, self.q.period_totals, pair, period)

    def _from_series(self, pair: str, period: str) -> tuple[list[Any], Any] | None:
        """(series of the period's kind, the period) as ``period_totals`` selects them, or None."""
        from bilateral.harmonise.periods import parse_period

        try:
            everything = self._ask(("series", pair), self.q.pair_totals, pair)
            want = parse_period(period)
        except BilateralError:
            return None
        series = [t for t in everything if t.complete and t.period_kind == want.kind]
        return next(((series, t) for t in series if t.period == want.label), None)

    def reporter_totals(self, reporter: str, period: str) -> Any:
        return self._ask(("world", reporter, period), self.q.reporter_totals, reporter, period)

    def energy_imports(self, pair: str, period: str) -> Any:
        return self._ask(("energy", pair, period), self.q.energy_imports, pair, period)

    def calendar(self, pair: str, year: int) -> Any:
        return self._ask(("cy", pair, year), self.q.calendar_year_totals, pair, year)

    def months(self, pair: str, first: str, last: str) -> Any:
        return self._ask(("months", pair, first, last), self.q.month_totals, pair, first, last)

    def served(self, t: Any, measure: str) -> str:
        """:func:`_served` of a figure this object read (kept alive by the cache), worked out once."""
        key = ("served", id(t), measure)
        if key not in self.cache:
            self.cache[key] = (_served(t, measure), None)
        return str(self.cache[key][0])


def _served(t: Any, measure: str) -> str:
    parts = ([t.exports_served] if measure == "exports" else [t.imports_served] if measure == "imports"
             else [t.exports_served, t.imports_served])
    sources = list(dict.fromkeys(s.source for s in parts if s is not None))
    releases = list(dict.fromkeys(r for s in parts if s is not None for r in s.release.split(", ")))
    status = list(dict.fromkeys((s.status or s.basis) for s in parts if s is not None))
    return " · ".join(x for x in (" + ".join(sources), ", ".join(releases), " + ".join(status)) if x)


def _own_source(t: Any, measure: str) -> bool:
    parts = ([t.exports_served] if measure == "exports" else [t.imports_served] if measure == "imports"
             else [t.exports_served, t.imports_served])
    return all(s is not None and s.source in OWN_SOURCES for s in parts)


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


def _year(reads: _Reads, pair: str, label: str) -> tuple[Any, Any, str | None]:
    """(series or None, the period's figures, why not) for a pair and a period label (FY, CY or months)."""
    if "/" in label:
        first, last = label.split("/")
        try:
            t = reads.months(pair, first, last)
        except BilateralError as exc:
            return None, None, str(exc)
        if t is None:
            return None, None, (f"a part of a year ({label}); the store holds no monthly figures for {pair} in all of "
                                "those months (its monthly series ends in 2020-01), and a full year is never compared")
        return None, t, None
    try:
        series, year = reads.period_totals(pair, label)
        return series, year, None
    except BilateralError as exc:
        why = str(exc)
    if label.startswith("CY"):
        try:
            t = reads.calendar(pair, int(label[2:]))
        except BilateralError as exc:
            return None, None, str(exc)
        if t is not None:
            return None, t, None
        why = (f"no calendar-year figures for {pair} in {label} in the store (a fiscal year is never used for a "
               f"calendar year); load a BACI year (`bilateral ingest baci`) for calendar-year figures")
    return None, None, why


# -- comparing ----------------------------------------------------------------------------------------------------
def _rounding_share(c: Claim) -> float:
    ref = abs(c.high if c.high else c.value)
    return c.rounding / ref if ref else 0.0


def _compare(c: Claim, ours: float, extra: float) -> tuple[bool, str]:
    """Whether our value agrees with the claim's figure and qualifier; ``extra`` a cross-source allowance."""
    v = c.value
    slack = max(_rounding_share(c), extra)
    if c.qualifier == "range" and c.low is not None and c.high is not None:
        return c.low * (1 - slack) <= ours <= c.high * (1 + slack), f"within the range (±{slack:.1%})"
    if c.qualifier == "nearly":
        below = max(APPROX_TOLERANCE, slack)
        return v * (1 - below) <= ours <= v * (1 + slack), f"'nearly': at most the figure and within {below:.0%} below it"
    if c.qualifier == "at_most":
        return ours <= v * (1 + slack), "a ceiling: at most the figure"
    if c.qualifier == "at_least":
        return ours >= v * (1 - slack), "a floor: at least the figure"
    tol = max(APPROX_TOLERANCE if c.qualifier == "approx" else TOLERANCE, slack)
    return abs(ours - v) <= tol * abs(v), f"±{tol:.1%}"


def _incomplete(label: str, c: Claim, today: Date | None) -> str | None:
    if today is None or c.complete_by is None:
        return None
    end = c.complete_by if label == c.period else _end_of(label)
    if end is not None and end > today:
        return f"{label} had not ended on the article date {today.isoformat()}; the full year's figure is not comparable"
    return None


def _end_of(label: str) -> Date | None:
    if label.startswith("FY"):
        return Date(int(label[2:6]) + 1, 3, 31)
    if label.startswith("CY"):
        return Date(int(label[2:]), 12, 31)
    return None


def _no_period(c: Claim) -> str:
    """Why a claim has no period: none named, or one named that is not a year (with the note saying why)."""
    if c.uncertain and not c.period:
        return c.uncertain[0]
    if c.period_text:
        why = next((n for n in c.notes if c.period_text in n), "")
        return f"the period {c.period_text!r} is not a year the store can answer" + (f": {why}" if why else "")
    return "no period named in the sentence or the previous one"


def _part_year(c: Claim) -> str:
    return (f"a part of a year ({c.period_text!r}) whose months the text does not fix; the store's figures are for "
            "whole years and a part is never compared with a whole")


@dataclass(frozen=True)
class _Reading:
    label: str
    ok: bool | None  # None: not checkable
    ours: float | None = None
    period: str | None = None
    source: str = ""
    rule: str = ""
    why: str = ""


def _decide(c: Claim, readings: list[_Reading], describe: Any) -> ClaimCheck:
    """One verdict from the readings of a claim's period (precision first)."""
    good = next((r for r in readings if r.ok), None)
    if good is not None:
        others = [r.label for r in readings if r is not good]
        reason = f"read as {good.label} (the words may also mean {', '.join(others)})" if others else ""
        return ClaimCheck(c, "consistent", good.ours, good.period, good.source, good.rule, reason)
    checked = [r for r in readings if r.ok is False]
    unchecked = [r for r in readings if r.ok is None]
    if checked and not unchecked and not c.uncertain:
        r = checked[0]
        return ClaimCheck(c, "differs", r.ours, r.period, r.source, r.rule, describe(r))
    if checked:
        r = checked[0]
        why = "; ".join(list(c.uncertain) + [f"{u.label}: {u.why}" for u in unchecked])
        return ClaimCheck(c, "unverifiable", r.ours, r.period, r.source, r.rule,
                          f"{describe(r)}, but not certainly the same figure: {why}")
    return ClaimCheck(c, "unverifiable", reason="; ".join(dict.fromkeys(r.why for r in unchecked)) or "not checkable")


def _labels(c: Claim) -> list[str]:
    return [x for x in [c.period, *c.readings] if x]


def _check_target(reads: _Reads, c: Claim) -> ClaimCheck:
    from bilateral.harmonise.targets import target_for

    t = target_for(c.pair or DEFAULT_PAIR)
    if t is None:
        return ClaimCheck(c, "target", reason=f"a goal, not a fact; no target on file for {c.pair}")
    src = f"target tracker: US${t.value_usd / 1e9:,.0f} bn by {t.by} ({t.url})"
    if c.kind != "money" or c.unit != "USD":
        return ClaimCheck(c, "target", source=src, reason="a goal, not a fact")
    if c.target_of in ("exports", "imports", "balance"):
        return ClaimCheck(c, "target", source=src, reason=f"a goal for {c.target_of}, not a fact; the target on file "
                          f"is for total trade (US${t.value_usd / 1e9:,.0f} bn by {t.by})")
    same = c.value_usd is not None and abs(c.value_usd - t.value_usd) <= max(TOLERANCE * t.value_usd, c.rounding)
    reason = "a goal, not a fact" + ("; the same as the target on file" if same else
                                     f"; differs from the target on file (US${t.value_usd / 1e9:,.0f} bn by {t.by})")
    try:
        _, latest = reads.period_totals(c.pair or DEFAULT_PAIR)
        if latest.total_usd:
            reason += (f"; latest total trade US${latest.total_usd / 1e9:,.2f} bn in {latest.period} "
                       f"({latest.status}) = {latest.total_usd / t.value_usd:.0%} of it")
    except BilateralError:  # no totals for the pair: the goal alone
        pass
    return ClaimCheck(c, "target", our_value=t.value_usd, our_period=t.by, source=src, reason=reason)


def _first_unverifiable(c: Claim, today: Date | None) -> str | None:
    """The reason a claim cannot be checked before any figure is read, or None."""
    if c.kind == "money" and c.unit != "USD":
        names = {"INR": "rupee", "EUR": "euro", "GBP": "pound", "RUB": "rouble"}
        return (f"a {names.get(c.unit, c.unit)} amount ({c.text}); bilateral holds no sourced exchange rate, "
                "so it is not converted to US$")
    if c.measure == "other":
        return "not a trade value (an investment, a price, a deal, a tariff or the like); the store holds trade flows"
    if c.measure is None:
        return "no trade measure (total trade, exports, imports, deficit) named near the figure"
    if c.period is None:
        return _no_period(c)
    if c.partial and "/" not in c.period and not c.period.startswith(("FY", "CY")):
        return _part_year(c)
    why = _incomplete(c.period, c, today)
    if why is not None:
        return why
    if c.role == "forecast":
        return "a forecast or projection, not a reported figure"
    if c.role == "base" and c.uncertain and not c.period:
        return c.uncertain[0]
    return None


def _check_money(reads: _Reads, c: Claim, today: Date | None) -> ClaimCheck:
    if c.role == "goal" or c.measure == "target":
        if c.kind == "money" and c.unit != "USD":
            return ClaimCheck(c, "target", reason=_first_unverifiable(c, today) or "")
        return _check_target(reads, c)
    why = _first_unverifiable(c, today)
    if why is not None:
        return ClaimCheck(c, "unverifiable", reason=why)
    if c.measure == "energy":
        return ClaimCheck(c, "unverifiable", reason="an energy or oil value; the read layer serves the energy share, "
                          "not a value")
    measure = c.measure or ""
    out: list[_Reading] = []
    for label in _labels(c):
        late = _incomplete(label, c, today)
        if late:
            out.append(_Reading(label, None, why=late))
            continue
        _, year, why_not = _year(reads, c.pair or DEFAULT_PAIR, label)
        if year is None:
            out.append(_Reading(label, None, why=f"figure about {c.pair}: {why_not}"))
            continue
        ours = _level(year, measure)
        if ours is None:
            held = [name for name, v in (("exports", year.exports_usd), ("imports", year.imports_usd)) if v is not None]
            why = f"no {measure.replace('_', ' ')} figure for {c.pair} in {label}"
            if held:
                why += f": the store holds only its {' and '.join(held)} ({_served(year, held[0])})"
            if label.startswith("CY"):
                why += "; a fiscal year is never used for a calendar year"
            out.append(_Reading(label, None, why=why))
            continue
        ok, rule = _compare(c, ours, 0.0 if _own_source(year, measure) else CROSS_SOURCE_TOLERANCE)
        out.append(_Reading(label, ok, ours, year.period, reads.served(year, measure), rule))
    return _decide(c, out, lambda r: f"the article says {c.text}, the store US${r.ours / 1e9:,.2f} bn ({r.period})")


def _check_growth(reads: _Reads, c: Claim, today: Date | None) -> ClaimCheck:
    if c.measure not in ("total_trade", "exports", "imports", "balance"):
        return ClaimCheck(c, "unverifiable", reason="a growth rate of something the store does not total "
                          f"({(c.measure or 'no measure').replace('_', ' ')})")
    why = _first_unverifiable(c, today)
    if why is not None:
        return ClaimCheck(c, "unverifiable", reason=why)
    out: list[_Reading] = []
    tol = max(PERCENT_TOLERANCE_PP, c.rounding)
    for label in _labels(c):
        prev_label = _previous(label)
        if prev_label is None:
            out.append(_Reading(label, None, why=f"no period before {label}"))
            continue
        _, cur, why_a = _year(reads, c.pair or DEFAULT_PAIR, label)
        _, before, why_b = _year(reads, c.pair or DEFAULT_PAIR, prev_label)
        if cur is None or before is None:
            out.append(_Reading(label, None, why=f"figure about {c.pair}: {why_a or why_b}"))
            continue
        cur_v, prev_v = _level(cur, c.measure), _level(before, c.measure)
        if not cur_v or not prev_v:
            out.append(_Reading(label, None, why=f"no {c.measure} figure for {prev_label} or {label}"))
            continue
        ours = (cur_v / prev_v - 1) * 100
        out.append(_Reading(label, abs(ours - c.value) <= tol, ours, f"{prev_label}→{label}", reads.served(cur, c.measure),
                            f"±{tol:g} pp"))
    return _decide(c, out, lambda r: f"the article says {c.value:+.1f}%, the store {r.ours:+.1f}%")


def _previous(label: str) -> str | None:
    if label.startswith("FY"):
        y = int(label[2:6]) - 1
        return f"FY{y}-{(y + 1) % 100:02d}"
    if label.startswith("CY"):
        return f"CY{int(label[2:]) - 1}"
    if "/" in label:
        a, b = label.split("/")
        return f"{int(a[:4]) - 1}{a[4:]}/{int(b[:4]) - 1}{b[4:]}"
    return None


def _check_multiple(reads: _Reads, c: Claim, today: Date | None) -> ClaimCheck:
    if c.measure not in ("total_trade", "exports", "imports", "balance"):
        return ClaimCheck(c, "unverifiable", reason="a multiple of something the store does not total "
                          f"({(c.measure or 'no measure').replace('_', ' ')})")
    why = _first_unverifiable(c, today)
    if why is not None:
        return ClaimCheck(c, "unverifiable", reason=why)
    if c.base_period is None:
        return ClaimCheck(c, "unverifiable", reason="a multiple whose base year the text does not name "
                          "(\"since 2021-22\", \"over five years\")")
    kinds = {lbl[:2] if not lbl[0].isdigit() else "mo" for lbl in (c.period or "", c.base_period)}
    if len(kinds) > 1:
        return ClaimCheck(c, "unverifiable", reason=f"a multiple of {c.period} over {c.base_period}: a fiscal and a "
                          "calendar year (or a part of one) are never compared")
    _, cur, why_a = _year(reads, c.pair or DEFAULT_PAIR, c.period or "")
    _, base, why_b = _year(reads, c.pair or DEFAULT_PAIR, c.base_period)
    if cur is None or base is None:
        return ClaimCheck(c, "unverifiable", reason=f"figure about {c.pair}: {why_a or why_b}")
    cur_v, base_v = _level(cur, c.measure), _level(base, c.measure)
    if not cur_v or not base_v:
        return ClaimCheck(c, "unverifiable", reason=f"no {c.measure} figure for {c.base_period} or {c.period}")
    ours = cur_v / base_v
    own = _own_source(cur, c.measure) and _own_source(base, c.measure)
    ok, rule = _compare(c, ours, 0.0 if own else CROSS_SOURCE_TOLERANCE)
    r = _Reading(c.period or "", ok, ours, f"{c.base_period}→{c.period}", reads.served(cur, c.measure), rule)
    return _decide(c, [r], lambda r: f"the article says {c.text}, the store {r.ours:.2f}×")


def _share_parts(reads: _Reads, c: Claim, year: Any, numerator: str, base: str) -> tuple[float | None, str]:
    """(our share in percent, the source) of ``numerator`` in ``base`` for the claim's pair and period."""
    if numerator == "energy":
        if base not in ("pair_imports", "pair_total"):
            return None, ""
        e = reads.energy_imports(c.pair or DEFAULT_PAIR, year.period)
        if e is None or e.share is None:
            return None, ""
        share = e.share * 100
        if base == "pair_total" and year.total_usd and year.imports_usd:
            share = e.share * year.imports_usd / year.total_usd * 100
        return share, f"{e.served.source} · {e.served.release} · {e.basis}"
    num = _level(year, numerator)
    if base == "pair_total":
        den, src = year.total_usd, _served(year, "total_trade")
    elif base in ("pair_imports", "pair_exports"):
        den, src = (year.imports_usd if base == "pair_imports" else year.exports_usd), _served(year, "total_trade")
    else:
        world = reads.reporter_totals(parse_pair(c.pair or DEFAULT_PAIR).reporter, year.period)
        if world is None:
            return None, ""
        den = {"reporter_exports": world.exports_usd, "reporter_imports": world.imports_usd,
               "reporter_total": world.total_usd}.get(base)
        src = f"{_served(year, 'total_trade')}; world: {_served(world, 'total_trade')}"
    if num is None or not den:
        return None, ""
    return num / den * 100, src


def _numerator(c: Claim) -> str:
    if c.measure in ("exports", "imports", "total_trade", "energy", "balance"):
        if not (c.measure == "total_trade" and c.base in ("reporter_exports", "reporter_imports")):
            return c.measure
    return {"reporter_exports": "exports", "reporter_imports": "imports", "pair_imports": "imports",
            "pair_exports": "exports"}.get(c.base, "total_trade")


def _check_share(reads: _Reads, c: Claim, today: Date | None) -> ClaimCheck:
    if c.measure == "other":
        return ClaimCheck(c, "unverifiable", reason="not a trade share (a tariff, inflation, a stake or the like)")
    if c.base in ("", "unknown"):
        return ClaimCheck(c, "unverifiable", reason="a percentage whose base (what it is a share of) the checker "
                          "cannot tell")
    if c.base == "crude":
        return ClaimCheck(c, "unverifiable", reason="a share of crude oil or energy imports from all suppliers; the "
                          "read layer has no such total")
    why = _first_unverifiable(c, today) if c.measure is not None else (_no_period(c) if c.period is None else None)
    if why is not None:
        return ClaimCheck(c, "unverifiable", reason=why)
    if c.period is not None and "/" in c.period:
        return ClaimCheck(c, "unverifiable", reason=_part_year(c))
    _, year, why_not = _year(reads, c.pair or DEFAULT_PAIR, c.period or "")
    if year is None:
        return ClaimCheck(c, "unverifiable", reason=f"figure about {c.pair}: {why_not}")
    numerator = _numerator(c)
    ours, src = _share_parts(reads, c, year, numerator, c.base)
    if ours is None:
        return ClaimCheck(c, "unverifiable", reason=f"no figure for {numerator} or {base_label(c.base, c.pair)} "
                          f"in {c.period}")
    tol = max(PERCENT_TOLERANCE_PP, c.rounding)
    if abs(ours - c.value) <= tol:
        return ClaimCheck(c, "consistent", ours, year.period, src, f"±{tol:g} pp")
    reason = f"the article says {c.value:g}% of {base_label(c.base, c.pair)}, the store {ours:.1f}%"
    for alt in ("pair_total", "reporter_exports", "reporter_imports", "reporter_total", "pair_imports"):
        if alt == c.base:
            continue
        other, _ = _share_parts(reads, c, year, numerator, alt)
        if other is not None and abs(other - c.value) <= tol:
            reason += f"; {c.value:g}% is {numerator.replace('_', ' ')}'s share of {base_label(alt, c.pair)} (wrong base?)"
            break
    verdict: Verdict = "unverifiable" if c.uncertain else "differs"
    if c.uncertain:
        reason += "; but not certainly the same figure: " + "; ".join(c.uncertain)
    return ClaimCheck(c, verdict, ours, year.period, src, f"±{tol:g} pp", reason)


def check_claim(store: Any, c: Claim, today: Date | None = None) -> ClaimCheck:
    """The verdict on one claim (``store``: a Store)."""
    reads = store if isinstance(store, _Reads) else _Reads(store)
    if c.kind == "money":
        return _check_money(reads, c, today)
    if c.statistic == "multiple":
        return _check_multiple(reads, c, today)
    if c.role == "goal" or c.measure == "target":
        return ClaimCheck(c, "target", reason="a goal, not a fact")
    if c.statistic == "growth":
        return _check_growth(reads, c, today)
    return _check_share(reads, c, today)


# -- the whole article: reading and extracting apart from judging (the web app judges under the store lock) --------
@dataclass(frozen=True)
class Prepared:
    """An article read and its claims extracted: everything before the store is asked."""

    article: Article
    claims: tuple[Claim, ...]
    date: Date | None


def prepare(text: str | Article, date: Date | None = None, *, pair: Pair | str = DEFAULT_PAIR) -> Prepared:
    """Read an article (text or HTML) and extract its claims; no store needed.

    ``date`` is the article's date (resolves "last year"); default: the date its markup or dateline gives.
    """
    article = text if isinstance(text, Article) else read_document(text)
    if not article.text.strip():
        raise BilateralError("the article is empty; give a text or HTML file with the article's words")
    today = date if date is not None else article.date
    return Prepared(article, tuple(extract_claims(article, date=today, pair=pair)), today)


def judge(store: Any, prepared: Prepared) -> list[ClaimCheck]:
    """Every prepared claim checked against the store."""
    reads = _Reads(store)
    return [check_claim(reads, c, prepared.date) for c in prepared.claims]


def check_text(store: Any, text: str | Article, date: Date | None = None, *,
               pair: Pair | str = DEFAULT_PAIR) -> list[ClaimCheck]:
    """Find the claims of an article (text, HTML or an :class:`Article`) and check each against the store."""
    return judge(store, prepare(text, date, pair=pair))
