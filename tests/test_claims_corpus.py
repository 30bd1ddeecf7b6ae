"""The claim checker on its corpus (tests/fixtures/claims_corpus.yml): sentences written for the tests in the
styles of real reporting, one or more cases per class of issue 19, each figure with its expected verdict,
period, measure (direction), pair and reason."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import yaml

from bilateral.agenda.claims import check_text

CORPUS = Path(__file__).parent / "fixtures" / "claims_corpus.yml"
CASES = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["cases"]
#: the classes of issue 19 (1 scale words … 11 multiples); 0 = other traps
CLASSES = set(range(1, 12))


def test_corpus_covers_every_class_and_style():
    assert len(CASES) >= 60 and len({c["id"] for c in CASES}) == len(CASES)
    per_class = Counter(c["class"] for c in CASES)
    assert CLASSES <= set(per_class) and all(per_class[k] >= 3 for k in CLASSES), per_class
    assert {c["style"] for c in CASES} == {"indian_press", "russian_agency", "wire", "government"}
    assert sum(len(c["expect"]) for c in CASES) >= 70


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_corpus_case(store, case):
    when = case.get("date")
    checks = check_text(store, case["text"], date=when if isinstance(when, date) else None)
    got = [(c.claim.text, c.verdict) for c in checks]
    assert [c.claim.text for c in checks] == [e["figure"] for e in case["expect"]], got
    for c, e in zip(checks, case["expect"], strict=True):
        where = (case["id"], c.claim.text, c.verdict, c.claim.period, c.claim.measure, c.reason)
        assert c.verdict == e["verdict"], where
        if "period" in e:
            assert c.claim.period == e["period"], where
        if "measure" in e:
            assert c.claim.measure == e["measure"], where
        if "pair" in e:
            assert c.claim.pair == e["pair"], where
        if "qualifier" in e:
            assert c.claim.qualifier == e["qualifier"], where
        assert e.get("reason", "") in c.reason, where


def test_corpus_accuracy(store):
    """The share of figures judged as expected (the README quotes it); every case above must pass, so 100%."""
    total = right = accused = 0
    for case in CASES:
        when = case.get("date")
        checks = check_text(store, case["text"], date=when if isinstance(when, date) else None)
        expected = {e["figure"]: e["verdict"] for e in case["expect"]}
        for c in checks:
            total += 1
            right += expected.get(c.claim.text) == c.verdict
            accused += c.verdict == "differs" and expected.get(c.claim.text) != "differs"
    assert total >= 70 and right == total and accused == 0
