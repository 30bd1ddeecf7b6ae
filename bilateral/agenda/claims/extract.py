"""Stage 2, extracting figures: money amounts, ranges, percentages and multiples in one sentence.

What counts as a figure:
- money: a number with a currency (``$``, ``US$``, ``USD``, ``Rs``, ``₹``, ``€``, "dollars",
  "roubles") and/or a scale word (bn, bln, billion, mn, mln, million, trillion, tn, crore, lakh,
  "billion-dollar"); a number with neither is not read. A scale of crore or lakh with no currency
  is in rupees. Ranges: "$64–65 billion", "$60 billion to $65 billion", "between $60 billion and
  $65 billion" (a "from $X to $Y" is two figures, not a range).
- percentages: "%", "per cent", "percent", "pc", "percentage points".
- multiples: "sevenfold", "seven-fold", "7-fold", "nine times", "2.1 times", "doubled",
  "tripled", "quadrupled".

Each figure carries its qualifier, read from the words just before it (and "-plus", "or so" after):
``at_least`` (topped, exceeded, over, more than, above, crossed), ``at_most`` (under, below, less
than, up to), ``nearly`` (nearly, almost, close to: at most the figure and within the approximate
tolerance below it), ``approx`` (about, around, roughly), ``range`` or ``exact``; and the rounding
of its last quoted digit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bilateral.agenda.claims.guard import Guarded, sentence
from bilateral.agenda.claims.lexicon import lexicon

__all__ = ["Figure", "Qualifier", "find_figures", "number_and_rounding"]

Qualifier = Literal["exact", "approx", "nearly", "at_most", "at_least", "range"]
FigureKind = Literal["money", "percent", "multiple"]

#: how many characters before a figure its qualifier may stand ("topped the $40-billion mark")
QUALIFIER_REACH = 45
#: a multiple "N times" needs one of these words near it to be a ratio and not a count
_TIMES_CONTEXT = re.compile(r"\b(?:grew|grown|grow|rose|risen|increased?|increasing|jumped|surged|expanded|up|higher|"
                            r"larger|bigger|more|the\s+level|as\s+much|over|compared|than|multiplied|rise|jump|increase|"
                            r"growth|expansion)\b", re.IGNORECASE)

_NUM = r"\d{1,3}(?:,\d{2,3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_PRE = r"US\s?\$|USD|US\s+dollars?|\$|Rs\.?|INR|₹|€|EUR|£|GBP|RUB|₽"
_SCALE = (r"lakh\s+crore|trillion|billion|million|thousand|crore|lakh|trn|tn|bln|bn|mln|mn|cr|b|m")
_SUF = r"US\s+dollars?|dollars?|USD|rupees?|euros?|roubles?|rubles?|INR|RUB"
_AMOUNT = (rf"(?P<@cur>{_PRE})?\s?(?P<@num>{_NUM})(?:[\s-]?(?P<@scale>{_SCALE})\b)?"
           rf"(?:[\s-](?P<@suf>{_SUF})\b)?")
_SINGLE = Guarded(re.compile(r"(?<![\w.,])" + _AMOUNT.replace("@", "a"), re.IGNORECASE))
_RANGE = Guarded(re.compile(r"(?<![\w.,])" + _AMOUNT.replace("@", "a") + r"\s*(?P<sep>-|–|—|to|and)\s*"
                            + _AMOUNT.replace("@", "b"), re.IGNORECASE))
_FROM_END = re.compile(r"\bfrom\s*$")
_POINTS = re.compile(r"percentage|pp", re.IGNORECASE)
_PERCENT = Guarded(re.compile(r"(?<![\w.,])(?P<num>\d+(?:\.\d+)?)\s?(?P<unit>%|per\s?cent\b|percent\b|pc\b|"
                              r"percentage\s+points?\b|pp\b)", re.IGNORECASE))
_MULTIPLE = Guarded(re.compile(
    r"(?<![\w.,])(?:(?P<num>\d+(?:\.\d+)?)|(?P<word>two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fifteen|twenty))(?:[\s-]?fold\b|\s+times\b|x\b)"
    r"|\b(?P<verb>doubled|doubling|tripled|trebled|quadrupled|quintupled)\b", re.IGNORECASE))


@dataclass(frozen=True)
class Figure:
    """One figure in a sentence, as written, with its value and how exactly it was quoted."""

    start: int
    end: int
    text: str
    kind: FigureKind
    value: float  # currency units, percent, or the factor of a multiple
    unit: str  # USD, INR, EUR, GBP, RUB, %, pp, x
    rounding: float  # half a unit of the last quoted digit, in ``unit``
    qualifier: Qualifier = "exact"
    low: float | None = None
    high: float | None = None


def number_and_rounding(text: str) -> tuple[float, float]:
    """The number and half a unit of its last digit ("68.7" → (68.7, 0.05))."""
    clean = text.replace(",", "")
    decimals = len(clean.split(".")[1]) if "." in clean else 0
    return float(clean), 0.5 * 10 ** (-decimals)


def _currency(cur: str | None, suf: str | None, scale: str | None) -> str | None:
    words = lexicon().currencies
    for word in (cur, suf):
        if word:
            key = " ".join(word.lower().split())
            return words.get(key, words.get(key.replace(" ", "")))
    if scale and " ".join(scale.lower().split()) in lexicon().rupee_scales:
        return "INR"  # crore and lakh are Indian units: rupees
    return None


def _scale(word: str | None) -> float:
    return lexicon().scales[" ".join(word.lower().split())] if word else 1.0


def _qualifier(s: str, start: int, end: int) -> Qualifier:
    text = sentence(s)  # a qualifier whose words the sentence lacks is not looked for
    before = s[max(0, start - QUALIFIER_REACH):start]
    for rx, name in lexicon().qualifier_before:
        if rx.possible(text) and rx.search(before):
            return name  # type: ignore[return-value]
    for rx, name in lexicon().qualifier_after:
        if rx.possible(text) and rx.match(s[end:end + 20]):
            return name  # type: ignore[return-value]
    return "exact"


def _money(s: str) -> list[Figure]:
    found: list[Figure] = []
    for m in _RANGE.finditer(sentence(s)):
        sep = m["sep"].lower()
        before = s[max(0, m.start() - 12):m.start()].lower()
        if sep == "and" and "between" not in before:
            continue
        if sep in ("to", "-", "–", "—") and _FROM_END.search(before):
            continue  # "from $X to $Y": two figures
        scale_a, scale_b = m["ascale"] or m["bscale"], m["bscale"] or m["ascale"]
        cur = _currency(m["acur"] or m["bcur"], m["asuf"] or m["bsuf"], scale_b)
        if cur is None or not (m["ascale"] or m["bscale"] or m["acur"]):
            continue
        lo, _ = number_and_rounding(m["anum"])
        hi, r_hi = number_and_rounding(m["bnum"])
        lo, hi = lo * _scale(scale_a), hi * _scale(scale_b)
        if hi <= lo:
            continue
        found.append(Figure(m.start(), m.end(), m.group(0).strip(), "money", (lo + hi) / 2, cur, r_hi * _scale(scale_b),
                            "range", lo, hi))
    for m in _SINGLE.finditer(sentence(s)):
        if any(m.start() < f.end and f.start < m.end() for f in found):
            continue
        cur = _currency(m["acur"], m["asuf"], m["ascale"])
        if cur is None or not (m["ascale"] or m["acur"]):
            continue  # "5 dollars a barrel" at best; not a trade figure
        if m["ascale"] and len(m["ascale"]) == 1 and not m["acur"]:
            continue  # "5 b" or "64 m" with no currency: a label, not an amount
        v, r = number_and_rounding(m["anum"])
        sc = _scale(m["ascale"])
        text = m.group(0).strip().rstrip("-")
        found.append(Figure(m.start(), m.start() + len(text), text, "money", v * sc, cur, r * sc,
                            _qualifier(s, m.start(), m.end())))
    return found


def _percents(s: str, taken: list[Figure]) -> list[Figure]:
    out = []
    for m in _PERCENT.finditer(sentence(s)):
        if any(f.start <= m.start() < f.end for f in taken):
            continue
        v, r = number_and_rounding(m["num"])
        unit = "pp" if _POINTS.match(m["unit"]) else "%"
        out.append(Figure(m.start(), m.end(), m.group(0), "percent", v, unit, r, _qualifier(s, m.start(), m.end())))
    return out


def _multiples(s: str, taken: list[Figure]) -> list[Figure]:
    lex = lexicon()
    out = []
    for m in _MULTIPLE.finditer(sentence(s)):
        if any(f.start <= m.start() < f.end for f in taken):
            continue
        if m["verb"]:
            v, r = float(lex.multiple_verbs[m["verb"].lower()]), 0.5
        elif m["word"]:
            v, r = float(lex.number_words[m["word"].lower()]), 0.5
        else:
            v, r = number_and_rounding(m["num"])
            r = max(r, 0.5) if "." not in m["num"] else r
        if "times" in m.group(0).lower() and not _TIMES_CONTEXT.search(s[max(0, m.start() - 40):m.end() + 25]):
            continue  # "three times a year": a count
        out.append(Figure(m.start(), m.end(), m.group(0), "multiple", v, "x", r, _qualifier(s, m.start(), m.end())))
    return out


def find_figures(s: str) -> list[Figure]:
    """Every figure of a sentence, in order."""
    if not any(ch.isdigit() for ch in s) and "fold" not in s and "times" not in s and "led" not in s:
        return []
    money = _money(s)
    pct = _percents(s, money)
    mult = _multiples(s, money + pct)
    return sorted(money + pct + mult, key=lambda f: f.start)
