"""The claim checker's shortcuts give the same answers as the slow way (its speed is in bench/check_latency.py).

- literal guards (``agenda/claims/guard.py``): a pattern skipped on a sentence holding none of its
  needles finds nothing there when run anyway — for every guarded pattern of the checker, on the
  corpus, the fixture articles and random text;
- one-sentence paragraphs (``reading.one_sentence``): where the shortcut says "one sentence", syntok
  says the same.
"""

from __future__ import annotations

import dataclasses
import random
import re
from pathlib import Path

import pytest
import yaml

from bilateral.agenda.claims import attribute, extract, periods, split_sentences
from bilateral.agenda.claims.guard import Guarded, Sentence, needles
from bilateral.agenda.claims.lexicon import COUNTRIES, lexicon
from bilateral.agenda.claims.reading import one_sentence

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = yaml.safe_load((FIXTURES / "claims_corpus.yml").read_text(encoding="utf-8"))["cases"]


def _guarded() -> list[Guarded]:
    """Every guarded pattern the checker uses."""
    found: list[Guarded] = []

    def walk(obj: object) -> None:
        if isinstance(obj, Guarded):
            found.append(obj)
        elif isinstance(obj, tuple | list):
            for x in obj:
                walk(x)

    for module in (attribute, extract, periods):
        for value in vars(module).values():
            walk(value)
    walk(COUNTRIES)
    lex = lexicon()
    for f in dataclasses.fields(lex):
        walk(getattr(lex, f.name))
    return found


def _texts() -> list[str]:
    """Sentences of the corpus and the fixture articles, and random strings of trade words and noise."""
    texts = [s.text for c in CORPUS for s in split_sentences(c["text"])]
    for path in sorted((FIXTURES / "articles").glob("*.*")):
        texts += [s.text for s in split_sentences(path.read_text(encoding="utf-8"))]
    rng = random.Random(19)
    words = ("India Russia Russian's exports imports trade deficit FY2024-25 2023 April-January first half "
             "nearly over more than topped US$ $ 4.88 bn billion crore 14.5% per cent sevenfold doubled "
             "last year previous fiscal by 2030 target goal since from to the same period in H1 Q2 Türkiye "
             "KELVIN \u212a \u0131ndia ſince İndia Delhi UAE U.S. EU BRICS Emirati — – ; : , .").split()
    for _ in range(400):
        texts.append(" ".join(rng.choice(words) for _ in range(rng.randint(3, 25))))
    return texts


GUARDED = _guarded()
TEXTS = _texts()


def test_every_stage_is_guarded():
    # periods, measures, countries, qualifiers, figures, sentence-level words: a hundred-odd patterns
    assert len(GUARDED) >= 70
    assert sum(g.needles is not None for g in GUARDED) >= 60


@pytest.mark.parametrize("index", range(len(GUARDED)))
def test_a_skipped_pattern_finds_nothing(index: int):
    g = GUARDED[index]
    for text in TEXTS:
        view = Sentence(text)
        if not g.possible(view):
            assert g.rx.search(text) is None, (g.rx.pattern[:80], g.needles, text)
        assert [m.span() for m in g.finditer(view)] == [m.span() for m in g.rx.finditer(text)]


def test_the_ascii_twin_is_used_only_where_it_matches_alike():
    g = Guarded(re.compile(r"exports\s+rose", re.IGNORECASE))
    assert Sentence("Exports rose.").plain and not Sentence("Exports\x1crose").plain  # \x1c: \s in Unicode mode only
    assert [m.span() for m in g.finditer(Sentence("Exports\x1crose"))] == [(0, 12)]
    assert not Sentence("Exports rose by 5 per cent – a record").plain
    assert Guarded(re.compile(r"T[uü]rkey", re.IGNORECASE)).ascii.flags & re.UNICODE  # a foreign letter: no twin


def test_needles_are_what_every_match_holds():
    assert needles(re.compile(r"\bfoo(?:bar|baz)\b")) == ((frozenset({"foobar", "foobaz"}),),)
    assert needles(re.compile(r"(?:ab)?\d+")) is None  # an optional part needs nothing
    assert needles(re.compile(r"\bH[12]\b|quarter", re.IGNORECASE)) == ((frozenset({"h1", "h2"}),),
                                                                         (frozenset({"quarter"}),))
    # every branch of an alternation must have a needle, else the pattern has none
    assert needles(re.compile(r"abc|\d")) is None
    # a needle holding another is dropped: "april" is found wherever "apr" is
    assert needles(re.compile(r"apr(?:il)?", re.IGNORECASE)) == ((frozenset({"apr"}),),)


def test_case_folding_beyond_ascii_is_never_skipped():
    # re folds the Kelvin sign to k and the long s to s; str.lower does not: such a text is always scanned
    g = Guarded(re.compile(r"\bkazakh", re.IGNORECASE))
    assert g.rx.search("\u212aazakh") is not None and g.possible(Sentence("\u212aazakh"))
    s = Guarded(re.compile(r"\bsince\b", re.IGNORECASE))
    assert s.rx.search("ſince") is not None and s.possible(Sentence("ſince"))
    assert not s.possible(Sentence("from 2021"))


def _syntok(flat: str) -> list[str]:
    from syntok import segmenter

    out = []
    for tokens in (s for p in segmenter.analyze(flat) for s in p):
        if tokens:
            out.append(flat[tokens[0].offset:tokens[-1].offset + len(tokens[-1].value)])
    return out


def test_one_sentence_agrees_with_syntok():
    rng = random.Random(7)
    alphabet = list("abcdeiouxyzABCDEIOXYZ0123456789 ,:'\"’‘“”$%&+/*#@₹€£₽–—-_é") + ["1.5", " ", "a"]
    words = "India Russia Mr Rs U.S. No $4.88 bn 14.5% FY2024-25 Jan 5 The However it ( ) . , US$63.8 e.g. I 3.".split()
    fired = 0
    for _ in range(3000):
        if rng.random() < 0.5:
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        else:
            text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
        text += rng.choice(["", ".", "?", "!", '."', "%", "’.", "..."])
        flat = " ".join(text.split())
        if flat and one_sentence(flat):
            fired += 1
            assert _syntok(flat) == [flat], flat
    assert fired > 500
    # and on real paragraphs: the corpus, the fixtures
    for text in [c["text"] for c in CORPUS]:
        flat = " ".join(text.split())
        if one_sentence(flat):
            assert _syntok(flat) == [flat], flat


def test_one_sentence_declines_what_syntok_may_split():
    assert one_sentence("India's exports to Russia rose to $4.88 billion in FY2024-25, up 14.5%.")
    assert not one_sentence("Trade rose. Russia said so.")  # an inner full stop
    assert not one_sentence("Trade rose (Russia said) to $5 bn.")  # a bracket
    assert not one_sentence("Trade rose; imports fell.")  # syntok ends a sentence at a semicolon
    assert not one_sentence("Mr. Putin said so.")


@pytest.mark.parametrize("name", ["summit_wrap.txt", "traps.txt", "record_trade.html"])
def test_the_check_json_is_the_general_json(store, name: str):
    """The check's direct JSON (no cleaning walk) is byte for byte what the views' general JSON gives."""
    from bilateral.agenda.claims import prepare
    from bilateral.harmonise.pairs import parse_pair
    from bilateral.views import agenda as agenda_view
    from bilateral.views.base import to_json_bytes

    view = agenda_view.check(store, prepare((FIXTURES / "articles" / name).read_text(encoding="utf-8")), None,
                             parse_pair("IND-RUS"))
    assert view.data["claims"] and agenda_view.check_json(view) == to_json_bytes(view.data)
    # a value that is not JSON-safe falls back to the cleaning (NaN becomes null)
    view.data["claims"][0]["our_value"] = float("nan")
    assert agenda_view.check_json(view) == to_json_bytes(view.data)
    assert b'"our_value":null' in agenda_view.check_json(view)


def test_the_judges_series_answers_as_the_read_layer(store):
    """A period answered from the pair's series read once is what ``queries.period_totals`` answers."""
    import importlib

    from bilateral.errors import BilateralError
    from bilateral.store import queries

    judge = importlib.import_module("bilateral.agenda.claims.judge")
    reads = judge._Reads(store)
    labels = [t.period for t in queries.pair_totals(store, "IND-RUS")] + ["FY1990-91", "CY1990", "CY2024"]
    for label in labels:
        try:
            want = queries.period_totals(store, "IND-RUS", label)
        except BilateralError as exc:
            with pytest.raises(BilateralError, match=re.escape(str(exc))):
                reads.period_totals("IND-RUS", label)
            continue
        assert reads.period_totals("IND-RUS", label) == want, label
    assert reads.period_totals("IND-RUS") == queries.period_totals(store, "IND-RUS")
