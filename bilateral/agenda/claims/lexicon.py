"""The checker's vocabulary (``agenda/data/claim_words.yml``) compiled once into regular expressions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from bilateral.agenda.claims.guard import Guarded

__all__ = ["COUNTRIES", "DEMONYM", "Lexicon", "lexicon"]

#: country words and the code they name; "_EU" and "_EAEU" are groupings, not countries. Capitals
#: stand for their country ("imports from Moscow").
COUNTRY_WORDS: tuple[tuple[str, str], ...] = (
    (r"India|Indian|Indians|New\s+Delhi|Delhi|Bharat", "IND"),
    (r"Russia|Russian|Russians|Moscow|Russian\s+Federation", "RUS"),
    (r"China|Chinese|Beijing", "CHN"),
    (r"United\s+States|U\.S\.A?\.?|USA|US(?![$\w])(?!\s+dollars?)|America|American|Washington", "USA"),
    (r"UAE|U\.A\.E\.?|United\s+Arab\s+Emirates|Emirati", "ARE"), (r"Saudi\s+Arabia|Saudi", "SAU"),
    (r"Iraq|Iraqi", "IRQ"), (r"Germany|German", "DEU"), (r"Japan|Japanese", "JPN"),
    (r"Turkey|Türkiye|Turkish", "TUR"), (r"Kazakhstan|Kazakh", "KAZ"), (r"Belarus|Belarusian", "BLR"),
    (r"Ukraine|Ukrainian", "UKR"), (r"Iran|Iranian", "IRN"), (r"Singapore", "SGP"), (r"Brazil|Brazilian", "BRA"),
    (r"Indonesia|Indonesian", "IDN"), (r"Bangladesh", "BGD"), (r"Netherlands|Dutch", "NLD"),
    (r"Italy|Italian", "ITA"), (r"United\s+Kingdom|UK|Britain|British", "GBR"), (r"South\s+Africa", "ZAF"),
    (r"European\s+Union|EU", "_EU"), (r"Eurasian\s+Economic\s+Union|EAEU|EEU", "_EAEU"), (r"BRICS", "_BRICS"),
)
_CASED = {"USA", "_EU", "_EAEU", "_BRICS", "GBR"}
COUNTRIES: tuple[tuple[Guarded, str], ...] = tuple(
    (Guarded(re.compile(rf"\b(?:{w})(?:'s|’s)?(?![\w-])", 0 if code in _CASED else re.IGNORECASE)), code)
    for w, code in COUNTRY_WORDS)
#: adjectives of nationality ("Russian imports": imports of Russian goods)
DEMONYM = re.compile(r"^(?:Indian|Russian|Chinese|American|Emirati|Saudi|Iraqi|German|Japanese|Turkish|Kazakh|"
                     r"Belarusian|Ukrainian|Iranian|Brazilian|Indonesian|Dutch|Italian|British)$", re.IGNORECASE)


def _alt(words: list[str]) -> str:
    return "|".join(f"(?:{w})" for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class Lexicon:
    """The compiled vocabulary; see claim_words.yml for what each part means."""

    scales: dict[str, float]
    rupee_scales: frozenset[str]
    currencies: dict[str, str]
    qualifier_before: tuple[tuple[Guarded, str], ...]
    qualifier_after: tuple[tuple[Guarded, str], ...]
    measures: tuple[tuple[str, Guarded], ...]
    trade_not_value: Guarded
    goal_before: Guarded
    forecast: Guarded
    base_before: Guarded
    calendar_sources: Guarded
    fiscal_sources: Guarded
    speaker_pronoun: Guarded
    calendar_agencies: Guarded
    context_before: Guarded
    context_after: Guarded
    number_words: dict[str, int]
    multiple_verbs: dict[str, int]


@cache
def lexicon() -> Lexicon:
    """The vocabulary, read and compiled once."""
    import yaml

    raw: dict[str, Any] = yaml.safe_load(
        resources.files("bilateral.agenda").joinpath("data", "claim_words.yml").read_text(encoding="utf-8"))
    filler = _alt(raw["qualifier_filler"])
    before = tuple(
        (Guarded(re.compile(rf"\b(?:{_alt(words)})\s+(?:(?:{filler})\s+){{0,3}}(?:US\s?)?$", re.IGNORECASE)), name)
        for name, words in raw["qualifiers"].items())
    after = tuple((Guarded(re.compile(rf"^\s*(?:{_alt(words)})", re.IGNORECASE)), name)
                  for name, words in raw["qualifiers_after"].items())
    measures = tuple((name, Guarded(re.compile(rf"\b(?:{_alt(words)})\b", re.IGNORECASE)))
                     for name, words in raw["measures"].items())
    not_after = _alt(raw["trade_not_value_after"])
    not_before = _alt(raw["trade_not_value_before"])
    trade_not_value = Guarded(re.compile(rf"(?:\b(?:{not_before})\s+trade\b|\btrade\s+(?:{not_after})\b)",
                                         re.IGNORECASE))
    goal_before = Guarded(re.compile(rf"\b(?:{_alt(raw['goal_phrases'])})\s+(?:\w+\s+){{0,1}}"
                                     rf"(?:{_alt(raw['goal_verbs'])})\b", re.IGNORECASE))
    return Lexicon(
        scales={k.lower(): float(v) for k, v in raw["scales"].items()},
        rupee_scales=frozenset(raw["rupee_scales"]),
        currencies={k.lower(): v for k, v in raw["currencies"].items()},
        qualifier_before=before,
        qualifier_after=after,
        measures=measures,
        trade_not_value=trade_not_value,
        goal_before=goal_before,
        forecast=Guarded(re.compile(rf"\b(?:{_alt(raw['forecast_phrases'])})\b", re.IGNORECASE)),
        base_before=Guarded(re.compile(rf"\b(?:{_alt(raw['base_phrases'])})\s+(?:(?:the|a|an|just|only|some|about|"
                                       rf"around|roughly|nearly|under|over|less\s+than|more\s+than|current|mere|"
                                       rf"previous|earlier)\s+)*(?:US\s?)?$", re.IGNORECASE)),
        calendar_sources=Guarded(re.compile(rf"\b(?:{_alt(raw['calendar_sources'])})")),
        fiscal_sources=Guarded(re.compile(rf"\b(?:{_alt(raw['fiscal_sources'])})", re.IGNORECASE)),
        speaker_pronoun=Guarded(re.compile(rf"\b(?:{_alt(raw['speaker_pronouns'])})\b", re.IGNORECASE)),
        calendar_agencies=Guarded(re.compile(rf"\b(?:{_alt(raw['calendar_agencies'])})\b")),
        context_before=Guarded(re.compile(rf"\b(?:{_alt(raw['context_before'])})\s+(?:the\s+)?(?:\w+\s+)?$",
                                          re.IGNORECASE)),
        context_after=Guarded(re.compile(rf"^(?:'s|’s)?\s*(?:{_alt(raw['context_after'])})\b", re.IGNORECASE)),
        number_words={k.lower(): int(v) for k, v in raw["number_words"].items()},
        multiple_verbs={k.lower(): int(v) for k, v in raw["multiple_verbs"].items()},
    )
