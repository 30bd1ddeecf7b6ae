"""Mistakes that once survived mutation testing of the claim checker (mutmut over agenda/claims/*), now caught.

Each test names the mistake it catches. Mutants that change nothing a user can see (the kind of a
period nobody reads afterwards, an argument equal to a library's default) are not chased here; the
README's Tests section gives the score per module and how it was run.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from bilateral.agenda.claims import extract_claims, html_to_text, read_article
from bilateral.agenda.claims.guard import MAX_CLASS, MAX_EXACT, needles
from bilateral.agenda.claims.lexicon import _alt, lexicon
from bilateral.agenda.claims.periods import find_periods, shift_ref
from bilateral.errors import InputError


def _one(rx: str, flags: int = 0) -> frozenset[str] | None:
    """The needles of a pattern with one branch and one set (None if it has none)."""
    got = needles(re.compile(rx, flags))
    if got is None:
        return None
    assert len(got) == 1 and len(got[0]) == 1, got
    return got[0][0]


# -- guards: a wrong needle set skips a pattern that would have matched ------------------------------------
def test_a_character_class_is_spelt_out():
    assert _one(r"[a-c]x") == {"ax", "bx", "cx"}  # a range: every character of it
    assert _one(r"q[1-4]\b", re.IGNORECASE) == {"q1", "q2", "q3", "q4"}
    wide = "".join(chr(ord("a") + i) for i in range(MAX_CLASS + 1))
    assert _one(rf"[{wide}]xyz") == {"xyz"}  # too many characters: the class gives no needle, the literal does
    assert needles(re.compile(r"[^a]bc")) == ((frozenset({"bc"}),),)  # a negated class neither


def test_alternations_give_every_branch():
    assert _one(r"(?:ab|cd)e") == {"abe", "cde"}
    assert _one(r"x(?:ab|cd|ef)y") == {"xaby", "xcdy", "xefy"}
    assert needles(re.compile(r"(?:ab|\d)c")) == ((frozenset({"c"}),),)  # a branch without a needle: the rest only


def test_repeats_and_groups():
    assert needles(re.compile(r"(?:ab)+c")) == ((frozenset({"ab"}), frozenset({"c"})),)  # both, each at least once
    assert needles(re.compile(r"(?:abcd)+")) == ((frozenset({"abcd"}),),)  # at least once: its needle holds
    assert needles(re.compile(r"(?:abcd)*")) is None  # maybe never: nothing is needed
    assert needles(re.compile(r"(?i:abcd)")) is None  # inline flags: not reasoned about
    assert needles(re.compile(r"(?P<g>abcd)")) == ((frozenset({"abcd"}),),)  # a named group is its content
    assert _one(r"x(?P<g>ab|cd)y") == {"xaby", "xcdy"}  # ... and is spelt out with its neighbours


def test_the_most_selective_sets_are_kept():
    # "xyzzy" (5) beats "ab" (2) and a digit run counts as one character
    assert needles(re.compile(r"ab\s+xyzzy\s+20")) == ((frozenset({"xyzzy"}), frozenset({"ab"}),
                                                        frozenset({"20"})),)
    assert needles(re.compile(r"a\s+b\s+c\s+dddd")) == ((frozenset({"dddd"}), frozenset({"a"}), frozenset({"b"})),)
    # equally long: the set with fewer needles first
    assert needles(re.compile(r"(?:cd|ef)\s+ab")) == ((frozenset({"ab"}), frozenset({"cd", "ef"})),)


def test_spelt_out_strings_are_bounded():
    eight = "(?:a|b|c|d|e|f|g|h)"
    assert MAX_EXACT == 64
    got = needles(re.compile(eight + eight))  # exactly 64 strings: spelt out
    assert got is not None and len(got[0][0]) == 64
    got = needles(re.compile(eight + eight + "(?:x|y)"))  # 128: cut, the run restarts
    assert got is not None and all(len(s) <= 64 for s in got[0])
    got = needles(re.compile(r"(?P<g>[a-h][a-h])z"))  # a group of exactly 64 strings is spelt out too
    assert got is not None and len(got[0][0]) == 64 and "hhz" in got[0][0]


# -- the vocabulary: longer phrases first, so "shipments to" wins over "shipments" ----------------------------
def test_alternatives_longest_first():
    assert _alt(["a", "abc", "ab"]) == "(?:abc)|(?:ab)|(?:a)"
    assert _alt(["b", "abc", "ab"]) == "(?:abc)|(?:ab)|(?:b)"  # by length, not by letter
    lex = lexicon.__wrapped__()  # built afresh, not the cached one
    exports = dict(lex.measures)["exports"]
    assert exports.rx.search("shipments to Russia").group(0) == "shipments to"
    assert lex.qualifier_before[0][0].rx.pattern.startswith(r"\b(?:(?:")


# -- periods --------------------------------------------------------------------------------------------------
def test_a_calendar_year_shifts_to_the_calendar_year_before():
    ref = find_periods("in calendar year 2024", None)[0].ref
    before = shift_ref(ref, -1, "the previous year")
    assert (before.label, before.kind, before.complete_by) == ("CY2023", "cy", date(2023, 12, 31))
    claims = extract_claims("India's exports to Russia rose to $4.81 billion in calendar 2024, up from $4.2 billion "
                            "the previous year.", date=date(2025, 6, 1))
    assert [(c.text, c.period, c.role) for c in claims] == [("$4.81 billion", "CY2024", "fact"),
                                                            ("$4.2 billion", "CY2023", "base")]
    doubled = extract_claims("India's exports to Russia doubled in calendar year 2024.", date=date(2025, 6, 1))[0]
    assert (doubled.period, doubled.base_period) == ("CY2024", "CY2023")


def test_a_part_year_without_its_year_says_so():
    ref = find_periods("in April-January exports rose", None)[0].ref
    assert ref.label is None and ref.partial
    assert ref.note == "'April-January': a part of a year whose year the text does not name"


# -- reading --------------------------------------------------------------------------------------------------
def test_text_inside_the_head_is_not_the_article():
    html = "<head><title>Trade</title>US$ 5 billion</head><body><p>Exports were $4.88 billion.</p></body>"
    assert html_to_text(html) == "Exports were $4.88 billion."


def test_an_article_not_in_utf8_is_read_with_replacement(tmp_path: Path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Exports to Russia were $4.88 billion in FY2024-25 \u2013 caf\xe9.".encode("latin-1", "replace"))
    article = read_article(path)
    assert "$4.88 billion" in article.text and "\ufffd" in article.text


def test_a_binary_file_is_refused_by_name(tmp_path: Path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.7\x00\x00binary")
    with pytest.raises(InputError, match=r"not a text or HTML file \(it holds binary data\)"):
        read_article(path)


def test_a_multiple_on_the_previous_year_compares_with_the_year_before():
    c = extract_claims("India's exports to Russia tripled in FY2023-24 compared with the previous year.",
                       date=date(2025, 6, 1))[0]
    assert (c.text, c.period, c.base_period, c.measure) == ("tripled", "FY2023-24", "FY2022-23", "exports")


def test_a_percentage_is_in_percent():
    c = extract_claims("Exports to Russia rose 14.5% in FY2024-25.", date=date(2025, 6, 1))[0]
    assert (c.value, c.unit, c.statistic, c.period) == (14.5, "%", "growth", "FY2024-25")


def test_relative_years_keep_their_words_and_say_how_they_were_read():
    last, this = (extract_claims(t, date=date(2025, 6, 1))[0] for t in (
        "Exports to Russia were last fiscal $4.88 billion.", "Exports to Russia this year were $4 billion."))
    assert (last.period, last.period_text) == ("FY2024-25", "last fiscal")
    assert last.notes[-1] == "'last fiscal' read as FY2024-25, the fiscal year before the article date 2025-06-01"
    assert (this.period, this.period_text, this.notes[-1]) == ("CY2025", "this year",
                                                               "'this year' read as calendar year 2025")


@pytest.mark.parametrize(("opening", "day"), [
    ("NEW DELHI, 21 May, 2024: exports rose", date(2024, 5, 21)),
    ("May 21, 2024 - exports rose", date(2024, 5, 21)),
    ("2024-05-21 exports rose", date(2024, 5, 21)),
    ("Moscow 21.05.2024 exports rose", date(2024, 5, 21)),
    ("Moscow 05.06.2024 exports rose", date(2024, 6, 5)),  # day first, as Russian agencies write
    ("NEW DELHI, Dec 5 (Reuters) - as a statement dated 4 December 2025 said", date(2025, 12, 5)),
    ("NEW DELHI, 5 Dec (PTI) - in a note of December 4, 2025", date(2025, 12, 5)),
    ("МОСКВА, 5 декабря 2025", date(2025, 12, 5)),
    ("NEW DELHI, Dec 5 (Reuters) - no year anywhere", None),
])
def test_datelines(opening: str, day: date | None):
    from bilateral.agenda.claims import find_article_date

    assert find_article_date(opening) == day


def test_a_goal_in_rupees_is_a_goal_and_says_why_it_is_not_compared(store):
    from bilateral.agenda.claims import check_text

    c = check_text(store, "The two sides set a target of Rs 1 lakh crore of trade by 2030.", date=date(2025, 6, 1))[0]
    assert c.verdict == "target" and c.reason.startswith("a rupee amount (Rs 1 lakh crore); bilateral holds no sourced")


def test_shares_of_a_flow_of_the_pair_and_of_the_reporters_world_trade(store):
    from bilateral.agenda.claims import check_text

    own, world = (check_text(store, t, date=date(2025, 6, 1))[0] for t in (
        "Exports to Russia equalled 7.6% of imports from Russia in FY2024-25.",
        "Imports from Russia made up 40% of India's total imports in FY2024-25."))
    assert (own.claim.base, own.verdict, round(own.our_value, 2)) == ("pair_imports", "consistent", 7.65)
    assert own.source == "official · embedded/official-fy · final"
    assert (world.claim.base, world.verdict, round(world.our_value, 1)) == ("reporter_imports", "differs", 8.8)
    assert world.source.endswith("; world: official · embedded/official-fy · final")


def test_the_same_period_of_another_year_is_its_months_in_that_year():
    one = extract_claims("Exports to Russia were $4.2 billion in April-January 2024-25, against $3.6 billion during "
                         "the same period in FY24.", date=date(2025, 6, 1))
    assert [(c.period, c.period_text, c.partial) for c in one] == [("2024-04/2025-01", "April-January 2024-25", True),
                                                                   ("2023-04/2024-01", "FY24", True)]
    two = extract_claims("Exports to Russia were $2.2 billion in April-December 2019-20. In the same period of FY19 "
                         "they were $1.9 billion.", date=date(2025, 6, 1))
    assert [c.period for c in two] == ["2019-04/2019-12", "2018-04/2018-12"]


def test_a_growth_goal_keeps_the_flow_it_is_for():
    c = extract_claims("The target is for exports to Russia to grow 20% a year.", date=date(2025, 6, 1))[0]
    assert (c.measure, c.role, c.statistic, c.target_of) == ("exports", "forecast", "growth", "exports")


def test_a_flow_read_from_the_other_side_says_so_and_only_then():
    other, own = (extract_claims(t, date=date(2025, 6, 1))[0] for t in (
        "Exports from Russia to India topped $40 billion in FY2023-24.",
        "India's exports to Russia were $4.26 billion in FY2023-24."))
    assert (other.measure, other.notes) == ("imports", ("'Exports' read from IND's side as its imports",))
    assert (own.measure, own.notes) == ("exports", ())


def test_the_rounding_of_a_quoted_figure_is_half_its_last_digit():
    from bilateral.agenda.claims.extract import number_and_rounding

    assert number_and_rounding("68.7") == (68.7, 0.05)
    assert number_and_rounding("4,881.30") == (4881.3, 0.005)
    assert number_and_rounding("65") == (65.0, 0.5)


@pytest.mark.parametrize(("words", "calendar", "read"), [
    ("a 2030 target of $100 billion", False, ("2030 target", "by 2030", "horizon", False, False, ())),
    ("since fiscal 2022", False, ("since fiscal 2022", "FY2021-22", "fy", True, False, ())),  # FY2021-22 ends in 2022
    ("since FY22", False, ("since FY22", "FY2021-22", "fy", True, False, ())),
    ("since 2021", False, ("since 2021", "CY2021", "cy", True, False, ())),
    # "the previous year": the fiscal year or the calendar year before; a Russian source's is the calendar year
    ("the previous year", False, ("the previous year", "FY2024-25", "fy", False, True, ("CY2024",))),
    ("the previous year", True, ("the previous year", "CY2024", "cy", False, True, ())),
    ("the previous fiscal", False, ("previous fiscal", "FY2024-25", "fy", False, True, ())),
])
def test_horizons_bases_and_relative_years(words: str, calendar: bool, read: tuple):
    ref = find_periods(words, date(2025, 6, 1), calendar=calendar)[0].ref
    assert (ref.text, ref.label, ref.kind, ref.base, ref.relative, ref.alternatives) == read


@pytest.mark.parametrize(("sentence", "figures"), [
    # a range at the very start of a sentence is still a range
    ("Between $60 billion and $65 billion of trade moved.",
     [("$60 billion and $65 billion", "money", 62.5e9, 0.5e9, "range")]),
    # an amount after a range is still found
    ("Trade was $60–65 billion in 2024, and exports were $4.8 billion.",
     [("$60–65 billion", "money", 62.5e9, 0.5e9, "range"), ("$4.8 billion", "money", 4.8e9, 0.05e9, "exact")]),
    ("Exports rose 7-fold over the period.", [("7-fold", "multiple", 7.0, 0.5, "exact")]),
    ("Exports rose 2.1 times over the period.", [("2.1 times", "multiple", 2.1, 0.05, "exact")]),
    ("Exports to Russia doubled.", [("doubled", "multiple", 2.0, 0.5, "exact")]),  # no digit in the sentence
])
def test_figures_as_written(sentence: str, figures: list[tuple]):
    from bilateral.agenda.claims import find_figures

    assert [(f.text, f.kind, f.value, f.rounding, f.qualifier) for f in find_figures(sentence)] == figures


@pytest.mark.parametrize(("sentence", "read"), [
    # the earlier figure of a comparison, with no period in the sentence: none, and no crash
    ("Exports rose to $5 billion, up from $4 billion.", [("$5 billion", None, "fact", ()), ("$4 billion", None, "base", ())]),
    # "up from X the previous year": the year before the sentence's own
    ("Exports to Russia were $4.88 billion in FY2024-25, up from $4.26 billion the previous year.",
     [("$4.88 billion", "FY2024-25", "fact", ()), ("$4.26 billion", "FY2023-24", "base", ())]),
    # "from X to Y over five years to P": X is five years before P
    ("Exports to Russia rose from $1.3 billion to $4.88 billion over five years to FY2024-25.",
     [("$1.3 billion", "FY2019-20", "base", ()), ("$4.88 billion", "FY2024-25", "fact", ())]),
    # a Russian source naming no country: whose exports is uncertain
    ("Exports rose to $4.8 billion last year, the Federal Customs Service said.",
     [("$4.8 billion", "CY2024", "fact", ("'Exports' names no country, and the source is Russian: whose exports?",))]),
])
def test_comparisons_and_sources(sentence: str, read: list[tuple]):
    assert [(c.text, c.period, c.role, c.uncertain) for c in extract_claims(sentence, date=date(2025, 6, 1))] == read


def test_an_article_is_read_through_the_input_boundary(tmp_path: Path):
    """Issue 28: read_article is bounded and refuses what is not a regular file, also when called directly."""
    import os
    import signal

    from bilateral.inputs import ARTICLE_MAX_BYTES, forget_inputs, is_input

    big = tmp_path / "huge.html"
    with big.open("wb") as fh:  # sparse: no disk used
        fh.truncate(ARTICLE_MAX_BYTES + 1)
    with pytest.raises(InputError, match=r"huge.html: is 2.1 MB; the article may be at most 2 MB"):
        read_article(big)
    with pytest.raises(InputError, match=r"is a folder, not a regular file; give the article as a regular file"):
        read_article(tmp_path)
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    link = tmp_path / "link.txt"
    link.symlink_to(fifo)

    def hung(signum: int, frame: object) -> None:
        raise TimeoutError("read_article opened a FIFO and blocked")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(5)
    try:
        for p in (fifo, link):
            with pytest.raises(InputError, match=r"is a named pipe \(FIFO\), not a regular file"):
                read_article(p)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    ok = tmp_path / "ok.txt"
    ok.write_text("Exports to Russia were $4.88 billion in FY2024-25.")
    assert "$4.88 billion" in read_article(ok).text
    assert is_input(os.stat(ok))  # protected: an --out naming it is refused
    forget_inputs()
