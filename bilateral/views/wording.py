"""The models' notes and errors worded for a reader of a page or of the brief, not a terminal's user.

The models speak to the command line ("change it with --by", "`assumptions`"). :func:`for_reader`
(the brief) drops command-line hints a reader cannot act on and the backticks of terminal output;
:func:`for_page` (the dashboard's pages) names the page's field or list instead of an option that
has one, and drops the rest; :func:`for_api` names the API's query parameter instead.
"""

from __future__ import annotations

import re

__all__ = ["API_PARAMETERS", "PAGE_FIELDS", "for_api", "for_page", "for_reader"]

#: command-line options the dashboard's forms offer, and what the page calls them
PAGE_FIELDS: dict[str, str] = {
    "--pair": "the Pair field", "--period": "the Period list", "--by": "the By field",
    "--target-usd": "the Target (US$) field", "--top": "the Products field", "--sector": "the Sector list",
    "--pillar": "the Pillar list", "--status": "the Status list", "--cargo": "the Cargo list",
    "--date": "the Departure field",
}
#: command-line options and the API query parameter that does the same
API_PARAMETERS: dict[str, str] = {
    "--pair": "pair", "--period": "period", "--by": "by", "--target-usd": "target_usd", "--top": "top",
    "--sector": "sector", "--pillar": "pillar", "--status": "status", "--cargo": "cargo", "--date": "date",
    "--scenario": "scenario", "--product": "product", "--level": "level", "--source": "source",
}
#: a parenthesis, clause or sentence naming a command-line option ("(give --tariffs FILE.csv …)",
#: "; change it with --by", ": see --backtest"), and an option itself
_PAREN = re.compile(r"\s*\([^()]*--[a-z][^()]*\)")
_CLAUSE = re.compile(r"\s*[;:,]\s*[^.;:]*?--[a-z][\w-]*[^.;]*(?=[.;]|$)")
_OPTION = re.compile(r"(?<![\w-])--[a-z][\w-]*")
_SENTENCE_END = re.compile(r"(?<=\.)\s+")


def _drop_hints(text: str) -> str:
    out = _CLAUSE.sub("", _PAREN.sub("", text.replace("`", "")))
    if _OPTION.search(out):
        out = " ".join(s for s in _SENTENCE_END.split(out) if not _OPTION.search(s))
    return out.strip()


def _rename(text: str, names: dict[str, str]) -> str:
    return _OPTION.sub(lambda m: names.get(m.group(0), m.group(0)), text.replace("`", ""))


def for_reader(text: str) -> str:
    """A note as the brief prints it: no command-line hints, no backticks."""
    return _drop_hints(text)


def for_page(text: str) -> str:
    """A note or error as a dashboard page shows it: the page's field for an option it has, no other hints."""
    renamed = _rename(text, PAGE_FIELDS)
    renamed = re.sub(r"\b(?:give|set|use) (?=the [A-Z][\w ()$]* (?:field|list)\b)", "fill in ", renamed)
    return _drop_hints(renamed)


def for_api(text: str) -> str:
    """An error as the JSON API answers it: the query parameter for an option, no other hints."""
    return _drop_hints(_rename(text, API_PARAMETERS))
