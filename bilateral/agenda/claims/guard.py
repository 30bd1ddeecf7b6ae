"""Literal guards: skip a regular expression on a sentence that holds none of the words any match needs.

The checker reads every sentence with a hundred-odd regular expressions (periods, measures,
countries, qualifiers); most of them cannot match a given sentence, and Python's ``re`` finds that
out by trying the pattern at every position. A guard is the set of literal strings of which every
match of the pattern contains at least one, worked out once from the pattern's parse tree
(``re._parser``); a sentence holding none of them is skipped at the cost of a few substring tests.

Sound by construction, never a heuristic: a needle is only taken from a part of the pattern that
every match passes through (a literal, a group, an alternation whose every branch has one, a
repeat of at least once); anything else (character classes, optional parts, inline flags,
backreferences) yields no needle, and a pattern without any is always run. Case-insensitive
patterns are guarded on the lower-cased sentence; a sentence with a letter outside ASCII (where
``re``'s case folding reaches beyond ``str.lower``, e.g. the Kelvin sign or a dotless i) is never
skipped by them. ``tests/test_claims_speed.py`` checks guarded and unguarded scans give the same
matches.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # the standard library's own parser of patterns (Python >= 3.11)
from functools import lru_cache
from re._constants import (  # type: ignore[attr-defined]
    ASSERT,
    ASSERT_NOT,
    AT,
    ATOMIC_GROUP,
    BRANCH,
    IN,
    LITERAL,
    MAX_REPEAT,
    MIN_REPEAT,
    POSSESSIVE_REPEAT,
    RANGE,
    SUBPATTERN,
)
from typing import Any

__all__ = ["Guard", "Guarded", "Sentence", "needles", "sentence"]

#: a letter outside ASCII: case-insensitive guards do not apply to a text that has one
_FOREIGN_LETTER = re.compile(r"(?![A-Za-z])[^\W\d_]")
_ZERO_WIDTH = (AT, ASSERT, ASSERT_NOT)
#: ASCII characters that re's Unicode mode counts as whitespace and its ASCII mode does not
_UNICODE_ONLY_SPACE = re.compile(r"[\x1c-\x1f]")


#: at most this many needle sets are kept for one branch of a pattern (all of them must be present)
MAX_SETS = 3
#: the largest set of exact strings worked out for a part of a pattern ("pr" + "evious|eceding|ior": 3)
MAX_EXACT = 64
#: a character class is spelt out as its characters up to this many
MAX_CLASS = 12

Needles = frozenset[str]
#: a guard in disjunctive form: the pattern may match only if, for some branch, every set has a needle in the text
Guard = tuple[tuple[Needles, ...], ...]


def _rank(option: Needles) -> tuple[int, int]:
    """How selective a needle set is: its shortest needle (digits and signs count as one), then fewer needles."""
    return min(len(n) if any(ch.isalpha() for ch in n) else 1 for n in option), -len(option)


def _fold(option: Needles | None, fold: bool) -> Needles | None:
    if not option or "" in option:
        return None  # every text holds the empty string: no needle
    if fold:
        if any(not ch.isascii() and ch.isalpha() for n in option for ch in n):
            return None  # a foreign letter under IGNORECASE: str.lower may not fold it as re does
        option = frozenset(n.lower() for n in option)
    # a needle that holds another is redundant: "april" is found wherever "apr" is looked for
    return frozenset(n for n in option if not any(m != n and m in n for m in option))


def _exact(op: Any, av: Any) -> set[str] | None:
    """Every string the node can match, when they are few (``MAX_EXACT``); else None."""
    if op is LITERAL:
        return {chr(av)}
    if op is IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is LITERAL:
                chars.add(chr(value))
            elif kind is RANGE and value[1] - value[0] < MAX_CLASS:
                chars.update(chr(c) for c in range(value[0], value[1] + 1))
            else:
                return None  # a negation, a category (\\d, \\s), a wide range
        return chars if len(chars) <= MAX_CLASS else None
    if op is SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return None if add_flags or del_flags else _exact_seq(list(sub))
    if op is BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            got = _exact_seq(list(alt))
            if got is None:
                return None
            out |= got
        return out if len(out) <= MAX_EXACT else None
    if op in (MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT):
        low, high, sub = av
        if high > 1 or low > 1:
            return None
        got = _exact_seq(list(sub))
        return None if got is None else (got | {""} if low == 0 else got)
    if op in _ZERO_WIDTH:
        return {""}
    return None


def _exact_seq(items: list[tuple[Any, Any]]) -> set[str] | None:
    out = {""}
    for op, av in items:
        got = _exact(op, av)
        if got is None:
            return None
        out = {a + b for a in out for b in got}
        if len(out) > MAX_EXACT:
            return None
    return out


def _conjunction(items: list[tuple[Any, Any]], fold: bool) -> list[Needles]:
    """Needle sets every match of a sequence of nodes passes through.

    Runs of nodes whose strings are few are spelt out and joined ("pr" + "evious|eceding|ior"); any
    other node gives its own best set.
    """
    options: list[Needles | None] = []
    run: set[str] = {""}
    for op, av in items:
        got = _exact(op, av)
        if got is not None:
            joined = {a + b for a in run for b in got}
            if len(joined) <= MAX_EXACT:
                run = joined
                continue
            options.append(frozenset(run))
            run = got
            continue
        options.append(frozenset(run))
        run = {""}
        options.append(_node(op, av, fold))
    options.append(frozenset(run))
    folded = [f for f in (_fold(o, fold) for o in options) if f is not None]
    return sorted(folded, key=_rank, reverse=True)[:MAX_SETS]


def _sequence(items: list[tuple[Any, Any]], fold: bool) -> Needles | None:
    """The single most selective needle set of a sequence, or None."""
    conj = _conjunction(items, fold)
    return conj[0] if conj else None


def _node(op: Any, av: Any, fold: bool) -> Needles | None:
    """The needle set of a node whose strings are too many to spell out (or None)."""
    if op is SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        if add_flags or del_flags:
            return None  # inline flags: not worth reasoning about
        return _sequence(list(sub), fold)
    if op is ATOMIC_GROUP:
        return _sequence(list(av), fold)
    if op is BRANCH:
        union: set[str] = set()
        for alt in av[1]:
            found = _sequence(list(alt), fold)
            if found is None:
                return None  # one branch needs nothing: the alternation needs nothing
            union |= found
        return frozenset(union)
    if op in (MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT):
        low, _high, sub = av
        return _sequence(list(sub), fold) if low >= 1 else None
    return None  # character classes, any character, backreferences, …: no needle


def needles(rx: re.Pattern[str]) -> Guard | None:
    """The guard of ``rx``: for some branch, every set holds a literal the match contains; None: no guard."""
    fold = bool(rx.flags & re.IGNORECASE)
    try:
        tree = list(sre_parse.parse(rx.pattern, rx.flags))
    except re.error:  # pragma: no cover - the pattern compiled already
        return None
    branches = tree[0][1][1] if len(tree) == 1 and tree[0][0] is BRANCH else [tree]
    guard = tuple(tuple(_conjunction(list(b), fold)) for b in branches)
    return None if any(not conj for conj in guard) else guard


@lru_cache(maxsize=256)
def sentence(text: str) -> Sentence:
    """The guard view of a text, made once however many stages ask for it."""
    return Sentence(text)


class Sentence:
    """A text with its lower-cased copy, for guard tests (one per sentence, shared by every pattern)."""

    __slots__ = ("known", "low", "plain", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        # None: the text has a letter outside ASCII, and case-insensitive guards must not skip it
        self.low: str | None = text.lower() if text.isascii() or not _FOREIGN_LETTER.search(text) else None
        self.known: dict[int, bool] = {}  # id(guard) -> whether its pattern may match here
        # plain ASCII, where re's ASCII mode matches exactly as its Unicode mode (\x1c-\x1f are \s only in the latter)
        self.plain = text.isascii() and not _UNICODE_ONLY_SPACE.search(text)


class Guarded:
    """A compiled pattern and its needles; :meth:`possible` is False only when the pattern cannot match."""

    __slots__ = ("ascii", "fold", "needles", "rx", "single")

    def __init__(self, rx: re.Pattern[str]) -> None:
        self.rx = rx
        self.needles = needles(rx)
        self.fold = bool(rx.flags & re.IGNORECASE)
        # the same pattern in re's ASCII mode, a fifth to a third faster, for a plain-ASCII sentence: there both
        # modes agree on \w, \b, \d, \s and case; not made when the pattern has a letter outside ASCII
        # (a Kelvin sign or long s would fold to ASCII only in Unicode mode)
        foreign = any(not ch.isascii() and ch.isalpha() for ch in rx.pattern)
        self.ascii = rx if foreign else re.compile(rx.pattern, (rx.flags & ~re.UNICODE) | re.ASCII)
        # the common case, one branch with one set, as a plain tuple (longest needles last: short ones hit first)
        one = self.needles is not None and len(self.needles) == 1 and len(self.needles[0]) == 1
        self.single: tuple[str, ...] | None = tuple(sorted(self.needles[0][0], key=len)) if one else None  # type: ignore[index]

    def possible(self, s: Sentence) -> bool:
        """Whether the pattern may match somewhere in the sentence (False: it certainly does not)."""
        known = s.known.get(id(self))
        if known is None:
            known = s.known[id(self)] = self._possible(s)
        return known

    def _possible(self, s: Sentence) -> bool:
        if self.needles is None:
            return True
        if self.fold:
            if s.low is None:
                return True
            hay = s.low
        else:
            hay = s.text
        if self.single is not None:
            for n in self.single:
                if n in hay:
                    return True
            return False
        for conj in self.needles:  # plain loops: this runs for every pattern on every sentence
            for option in conj:
                for n in option:
                    if n in hay:
                        break
                else:
                    break  # no needle of this set: this branch cannot match
            else:
                return True
        return False

    def finditer(self, s: Sentence) -> Any:
        """``rx.finditer`` over the sentence, or nothing when it cannot match."""
        if not self._possible(s):
            return ()
        return (self.ascii if s.plain else self.rx).finditer(s.text)

    def first(self, s: Sentence) -> re.Match[str] | None:
        """``rx.search`` over the sentence, or None at once when it cannot match."""
        if not self._possible(s):
            return None
        return (self.ascii if s.plain else self.rx).search(s.text)

    def match(self, text: str, pos: int = 0) -> re.Match[str] | None:
        """``rx.match``, unguarded (for a short piece of text)."""
        return self.rx.match(text, pos)

    def search(self, text: str) -> re.Match[str] | None:
        """``rx.search``, unguarded (for a short piece of text)."""
        return self.rx.search(text)
