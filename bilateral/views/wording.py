"""The models' notes and errors worded for a page, the API or the brief, not for a terminal's user.

The models speak to the command line ("change it with --by", "`assumptions`"), and each reader gets
them in its own words, by one set of rules kept here:

- :func:`page_message` (the dashboard's pages): an option becomes the page's field ("the Period
  field"), an option no page has reads as the command that takes it (`` `bilateral target --brent` ``);
  a command in backticks (what would load more data, which no page does) is kept whole;
- :func:`for_api` (the JSON API's errors): the query parameter that does the same instead of the option
  (a command in backticks kept whole);
- :func:`for_reader` (the brief, read on paper): command-line hints a reader cannot act on are dropped;
  a command in backticks that would load the missing data stays.

:func:`as_html` shows a message in a page or the brief: what is in backticks is set as code, so no
backtick of terminal output reaches the reader.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

__all__ = ["API_PARAMETERS", "OPTION_FIELDS", "PAGE_COMMANDS", "PARAMETER_FIELDS", "as_html", "for_api", "for_reader",
           "page_message"]

#: command-line options as the dashboard's fields name them (a message on a page never names an option)
OPTION_FIELDS: dict[str, str] = {
    "--pair": "the Pair field", "--period": "the Period field", "--fy": "the Period field",
    "--target-usd": "the Target field", "--by": "the By field", "--from": "the From field", "--to": "the To field",
    "--date": "the Departure field", "--cargo": "the Cargo field", "--top": "the Products field",
    "--scenario": "the Scenario field", "--sector": "the Sector field", "--pillar": "the Pillar field",
    "--status": "the Status field",
}
#: the API's query parameters as the pages' fields name them (an error on a page names the field)
PARAMETER_FIELDS: dict[str, str] = {
    **{option[2:].replace("-", "_"): name for option, name in OPTION_FIELDS.items() if option != "--fy"},
    "origin": "the From field", "destination": "the To field",
}
#: command-line options and the API query parameter that does the same
API_PARAMETERS: dict[str, str] = {
    "--pair": "pair", "--period": "period", "--fy": "period", "--by": "by", "--target-usd": "target_usd",
    "--top": "top", "--sector": "sector", "--pillar": "pillar", "--status": "status", "--cargo": "cargo",
    "--date": "date", "--scenario": "scenario", "--product": "product", "--level": "level", "--source": "source",
    "--from": "from", "--to": "to",
}
#: the command each page answers as (what a page names when an option has no field on it)
PAGE_COMMANDS: dict[str, str] = {"/": "overview", "/target": "target", "/potential": "potential",
                                 "/corridors": "corridors", "/settlement": "settlement", "/agenda": "agenda",
                                 "/check": "check"}

#: an option as a page message names it
_PAGE_OPTION = re.compile(r"--[a-z][a-z-]*")
#: a parenthesis, clause or sentence naming a command-line option ("(give --tariffs FILE.csv …)",
#: "; change it with --by", ": see --backtest"), and an option itself
_PAREN = re.compile(r"\s*\([^()]*--[a-z][^()]*\)")
_CLAUSE = re.compile(r"\s*[;:,]\s*[^.;:]*?--[a-z][\w-]*[^.;]*(?=[.;]|$)")
_OPTION = re.compile(r"(?<![\w-])--[a-z][\w-]*")
_SENTENCE_END = re.compile(r"(?<=\.)\s+")


def page_message(message: str, command: str = "") -> str:
    """A report's message as a page shows it: an option becomes the page's field, or the command that has it.

    ``--period`` reads "the Period field"; an option no page has (``--brent``) reads as the command that
    takes it (`` `bilateral target --brent` ``), when ``command`` names it. A command in backticks
    (``bilateral ingest baci FILE``) is what would load more data, which no page does: kept whole.
    """
    def option(m: re.Match[str]) -> str:
        name = m.group(0)
        if name in OPTION_FIELDS:
            return OPTION_FIELDS[name]
        return f"`bilateral {command} {name}`" if command else name[2:]

    parts = message.split("`")
    for i in range(len(parts)):
        if i % 2 == 0:  # outside backticks
            parts[i] = _PAGE_OPTION.sub(option, parts[i])
        elif parts[i].startswith("--") and command:  # an option alone in backticks: the command that takes it
            parts[i] = f"bilateral {command} {parts[i]}"
    return "`".join(parts)


#: a span in backticks, and one that names an option but is not a whole command (`--backtest`,
#: `potential --diversification`: a hint to the command line, not what to load)
_TICKED = re.compile(r"`([^`]*)`")
_LONE_OPTION = re.compile(r"`((?!bilateral )[^`]*--[a-z][^`]*)`")


def _drop_hints(text: str) -> str:
    """``text`` without the parentheses, clauses or sentences that name an option outside backticks."""
    kept: list[str] = []

    def protect(m: re.Match[str]) -> str:
        kept.append(m.group(0))
        return f"\x00{len(kept) - 1}\x00"

    out = _TICKED.sub(protect, _LONE_OPTION.sub(r"\1", text))
    out = _CLAUSE.sub("", _PAREN.sub("", out))
    if _OPTION.search(out):
        out = " ".join(s for s in _SENTENCE_END.split(out) if not _OPTION.search(s))
    return re.sub("\x00([0-9]+)\x00", lambda m: kept[int(m.group(1))], out).strip()


def for_reader(text: str) -> str:
    """A note as the brief prints it: no command-line hints; a command in backticks (what to load) kept."""
    return _drop_hints(text)


def as_html(text: str) -> Markup:
    """``text`` escaped for a page, what is in backticks set as ``<code>`` (no backtick shown)."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: shown as text
        return escape(text)
    return Markup("").join(escape(p) if i % 2 == 0 else Markup("<code>") + escape(p) + Markup("</code>")
                           for i, p in enumerate(parts))


def for_api(text: str) -> str:
    """An error as the JSON API answers it: the query parameter for an option that has one.

    A command in backticks (what would load more data) is kept whole, as on a page.
    """
    parts = text.split("`")
    for i in range(0, len(parts), 2):  # outside backticks
        parts[i] = _OPTION.sub(lambda m: API_PARAMETERS.get(m.group(0), m.group(0)), parts[i])
    return "`".join(parts)
