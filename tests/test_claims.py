"""The claim checker on articles written for the tests (tests/fixtures/articles, see its README).

Official figures (embedded store, US$ mn): FY2024-25 exports 4,881.30, imports 63,811.44, total
68,692.74, deficit 58,930.14; FY2023-24 total 65,692.86; FY2022-23 imports 46,212.71; FY2021-22
total 13,124.79; India's total exports FY2024-25 437,666.00, imports 721,200.07.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilateral.agenda.claims import (
    check_text,
    extract_claims,
    find_article_date,
    html_to_text,
    read_article,
    split_sentences,
)
from bilateral.cli import app

ARTICLES = Path(__file__).parent / "fixtures" / "articles"
runner = CliRunner()


def _verdicts(store, name: str, when: date | None = None) -> list[tuple[str, str | None, str | None, str]]:
    checks = check_text(store, read_article(ARTICLES / name), date=when)  # an Article: text and date
    return [(c.claim.text, c.claim.measure, c.claim.period, c.verdict) for c in checks]


def test_summit_wrap(store):
    assert _verdicts(store, "summit_wrap.txt") == [
        ("$100 billion", "target", None, "target"),  # "chart course to $100 billion trade": a goal (was unverifiable)
        ("$100 billion", "target", "by 2030", "target"),
        ("$68.7 billion", "total_trade", "FY2024-25", "consistent"),
        ("USD 4.9 bn", "exports", "FY2024-25", "consistent"),  # "that year": the previous sentence's
        ("US$ 63.8 billion", "imports", "FY2024-25", "consistent"),
        ("$58.9 billion", "balance", "FY2024-25", "consistent"),
        ("fivefold", "total_trade", "FY2024-25", "consistent"),  # "more than fivefold since 2021-22": 5.23x (new)
        ("$13.1 billion", "total_trade", "FY2021-22", "consistent"),
        ("4.6%", "total_trade", "FY2024-25", "consistent"),  # "last year" against the dateline 2025-12-06
        ("$65.7 billion", "total_trade", "FY2023-24", "consistent"),
        ("14.5%", "exports", "FY2024-25", "consistent"),
        ("87%", "energy", "FY2024-25", "consistent"),
        ("Rs 5,000 crore", "other", "FY2024-25", "unverifiable"),
        ("$245 billion", "total_trade", "CY2024", "unverifiable"),
    ]


def test_summit_wrap_figures_and_reasons(store):
    checks = check_text(store, read_article(ARTICLES / "summit_wrap.txt"))
    by = {(c.claim.text, c.claim.period): c for c in checks}
    total = by[("$68.7 billion", "FY2024-25")]
    assert total.our_value_usd == pytest.approx(68_692_740_000)
    assert total.source == "official · embedded/official-fy · final" and total.tolerance == "±2.0%"
    growth = by[("4.6%", "FY2024-25")]
    assert growth.our_value == pytest.approx((68_692.74 / 65_692.86 - 1) * 100)
    assert growth.our_period == "FY2023-24→FY2024-25"
    assert by[("14.5%", "FY2024-25")].our_value == pytest.approx((4_881.30 / 4_261.62 - 1) * 100)
    oil = by[("87%", "FY2024-25")]
    assert oil.claim.base == "pair_imports" and "Other CIS Countries" in oil.source  # a regional proxy, said so
    target = by[("$100 billion", "by 2030")]
    assert target.our_value == 100e9 and target.our_period == "FY2029-30"
    assert "the same as the target on file" in target.reason and "US$59.86 bn in FY2025-26" in target.reason
    rupee = by[("Rs 5,000 crore", "FY2024-25")]
    assert rupee.claim.unit == "INR" and rupee.claim.value == 5_000 * 10_000_000 and rupee.claim.value_usd is None
    assert "no sourced exchange rate" in rupee.reason
    china = by[("$245 billion", "CY2024")]
    assert china.claim.pair == "CHN-RUS" and "no total trade figure for CHN-RUS in CY2024" in china.reason
    assert "a fiscal year is never used for a calendar year" in china.reason


def test_traps(store):
    assert _verdicts(store, "traps.txt") == [
        # ranges
        ("$65 billion and $70 billion", "total_trade", "FY2024-25", "consistent"),
        ("$60-65 billion", "total_trade", "FY2024-25", "differs"),
        # "nearly": at most the figure, within 5% below it
        ("$70 billion", "total_trade", "FY2024-25", "consistent"),
        ("$4.5 billion", "exports", "FY2024-25", "differs"),
        # rupee amounts: never converted without a sourced rate
        ("₹41,000 crore", "exports", "FY2024-25", "unverifiable"),
        ("₹5.4 lakh crore", "imports", "FY2024-25", "unverifiable"),
        # another country's figure
        ("$63.4 billion", "imports", "FY2024-25", "unverifiable"),
        # percentages: the wrong base, the right base
        ("7.1%", "exports", "FY2024-25", "differs"),
        ("7.1%", "exports", "FY2024-25", "consistent"),
        ("8.8%", "imports", "FY2024-25", "consistent"),
        # several years in one sentence, each figure with its own
        ("$46.2 billion", "imports", "FY2022-23", "consistent"),
        ("$61.4 billion", "imports", "FY2023-24", "consistent"),
        ("$63.8 billion", "imports", "FY2024-25", "consistent"),
        # the same, with the years swapped
        ("$65.7 billion", "total_trade", "FY2024-25", "differs"),
        ("$68.7 billion", "total_trade", "FY2023-24", "differs"),
        ("$72 billion", "total_trade", "FY2024-25", "differs"),
        # a price, not a trade value
        ("$60", "other", "FY2024-25", "unverifiable"),
        # part of a year; a year not over on the article date (2025-12-10)
        ("$2.3 billion", "exports", "2025-04/2025-09", "unverifiable"),  # "the first half of 2025-26": its months
        ("$60 billion", "total_trade", "FY2025-26", "unverifiable"),
    ]


def test_trap_reasons(store):
    checks = check_text(store, read_article(ARTICLES / "traps.txt"))
    wrong_base = checks[7]
    assert wrong_base.claim.base == "reporter_exports"
    assert wrong_base.our_value == pytest.approx(4_881.30 / 437_666.00 * 100)
    assert "7.1% is exports's share of bilateral trade (wrong base?)" in wrong_base.reason
    rng = checks[0]
    assert (rng.claim.qualifier, rng.claim.low, rng.claim.high) == ("range", 65e9, 70e9)
    assert checks[1].reason == "the article says $60-65 billion, the store US$68.69 bn (FY2024-25)"
    assert (checks[2].claim.qualifier, checks[3].claim.qualifier) == ("nearly", "nearly")
    assert checks[5].claim.value == pytest.approx(5.4e12) and "rupee amount" in checks[5].reason
    assert checks[6].claim.pair == "IND-ARE" and "no trade figures for IND-ARE" in checks[6].reason
    assert checks[13].our_value_usd == pytest.approx(68_692_740_000)
    assert checks[14].our_value_usd == pytest.approx(65_692_860_000)
    assert "not a trade value" in checks[16].reason
    assert "a part of a year (2025-04/2025-09)" in checks[17].reason and "never compared" in checks[17].reason
    assert checks[18].reason.startswith("FY2025-26 had not ended on the article date 2025-12-10")


def test_html_article_with_last_fiscal(store):
    article = read_article(ARTICLES / "record_trade.html")
    assert "999" not in article.text and "window.tracker" not in article.text and "$5 billion" not in article.text
    assert (article.date, article.date_source) == (date(2026, 1, 21), "html metadata (htmldate)")
    assert _verdicts(store, "record_trade.html") == [
        ("$100 billion", "target", "by 2030", "target"),
        ("US$68.7 billion", "total_trade", "FY2024-25", "consistent"),  # "last fiscal" on 2026-01-21
        ("$4.88 billion", "exports", "FY2024-25", "consistent"),  # "in the same period"
        ("$59 billion", "balance", "FY2024-25", "consistent"),  # "about": ±5%
        ("$100 billion", "target", "by 2030", "target"),
    ]


@pytest.mark.parametrize(("sentence", "verdict"), [
    ("Bilateral trade was $70 billion in 2024-25.", "consistent"),  # 1.9% off
    ("Bilateral trade was $70.1 billion in 2024-25.", "differs"),  # 2.05% off
    ("Bilateral trade was about $72 billion in 2024-25.", "consistent"),  # 4.8% off, 'about' allows 5%
    ("Bilateral trade was about $73 billion in 2024-25.", "differs"),  # 6.3%
    ("Bilateral trade was over $70 billion in 2024-25.", "differs"),
    ("Bilateral trade was more than $65 billion in 2024-25.", "consistent"),
    ("Bilateral trade was less than $65 billion in 2024-25.", "differs"),
    ("Bilateral trade was nearly $66 billion in 2024-25.", "differs"),  # 'nearly' is below the figure
    ("India's exports to Russia were $5 billion in 2024-25.", "consistent"),  # rounding: ±10% for '5'
    ("Russia's exports to India were $63.8 billion in 2024-25.", "consistent"),  # India's imports
    ("Russia imported Indian goods worth $4.9 billion in FY25.", "consistent"),
    ("India's trade deficit with Russia was $58.9 billion in fiscal 2025.", "consistent"),
    ("Trade fell 12.9% in 2025-26.", "unverifiable"),  # not over on the article date
])
def test_tolerances_and_directions(store, sentence: str, verdict: str):
    [c] = check_text(store, sentence, date=date(2025, 12, 10))
    assert c.verdict == verdict, (c.claim, c.reason)


def test_growth_sign_and_a_completed_year(store):
    [c] = check_text(store, "Bilateral trade fell 12.9% in 2025-26.", date=date(2026, 6, 1))
    assert c.claim.value == -12.9 and c.verdict == "consistent"
    assert c.our_value == pytest.approx((59_863.13 / 68_692.74 - 1) * 100)
    [c] = check_text(store, "Bilateral trade rose 12.9% in 2025-26.", date=date(2026, 6, 1))
    assert c.verdict == "differs" and "the store -12.9%" in c.reason


def test_last_year_needs_a_date(store):
    [c] = check_text(store, "Trade with Russia was $68.7 billion last year.")
    assert c.verdict == "unverifiable" and c.claim.period is None
    assert c.reason == ("the period 'last year' is not a year the store can answer: 'last year' needs the article "
                        "date (give --date YYYY-MM-DD)")
    [c] = check_text(store, "Trade with Russia was $68.7 billion last year.", date=date(2025, 12, 6))
    assert (c.claim.period, c.verdict) == ("FY2024-25", "consistent")
    assert any("fiscal year before the article date 2025-12-06" in n for n in c.claim.notes)


@pytest.mark.parametrize(("text", "value", "unit", "period"), [
    ("Trade reached $68.7 billion in FY2024-25.", 68.7e9, "USD", "FY2024-25"),
    ("Trade reached US$ 100 billion in 2024-25.", 100e9, "USD", "FY2024-25"),
    ("Exports were USD 4.9 bn in FY25.", 4.9e9, "USD", "FY2024-25"),
    ("Exports were $4.9bn in fiscal 2025.", 4.9e9, "USD", "FY2024-25"),
    ("Exports were $500 million in 2019.", 500e6, "USD", "CY2019"),
    ("Exports were Rs 5,000 crore in 2024-25.", 5e10, "INR", "FY2024-25"),
    ("Exports were Rs. 1,20,000 crore in 2024-2025.", 1.2e12, "INR", "FY2024-25"),
    ("Imports were ₹2 lakh crore in FY 2024-25.", 2e12, "INR", "FY2024-25"),
    ("Imports were 5,000 crore rupees in calendar year 2024.", 5e10, "INR", "CY2024"),
    ("Imports were 3 billion euros in 2021.", 3e9, "EUR", "CY2021"),
])
def test_amounts_and_periods(text: str, value: float, unit: str, period: str):
    [c] = extract_claims(text)
    assert (c.value, c.unit, c.period) == (pytest.approx(value), unit, period)


def test_not_amounts():
    assert extract_claims("About 70,000 Indian workers may go to Russia by 2027.") == []
    assert extract_claims("Units 5 and 6 of the 6,000 MW plant are under construction.") == []


def test_dates_sentences_and_html():
    assert find_article_date("MOSCOW, Dec 5, 2025 (Agency) — ...") == date(2025, 12, 5)
    assert find_article_date("Updated: 6 December 2025\n\nText") == date(2025, 12, 6)
    assert find_article_date("No date here.") is None
    assert [s.text for s in split_sentences("Rs. 500 crore was paid. U.S. firms left. Trade grew.")] == [
        "Rs. 500 crore was paid.", "U.S. firms left.", "Trade grew."]
    assert html_to_text("<p>One &amp; two</p><script>x=1</script><p>Three</p>") == "One & two\n\nThree"


def test_cli_check_json_and_table(store_path: Path, tmp_path: Path):
    r = runner.invoke(app, ["check", str(ARTICLES / "traps.txt"), "--format", "json", "--store", str(store_path)])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert len(rows) == 19
    first = rows[0]
    for key in ("text", "measure", "period", "value_usd", "verdict", "our_value_usd", "source"):
        assert key in first
    assert (first["value_usd"], first["our_value_usd"], first["verdict"]) == (67.5e9, 68_692_740_000, "consistent")
    out = tmp_path / "claims.txt"
    r = runner.invoke(app, ["check", str(ARTICLES / "summit_wrap.txt"), "--out", str(out), "--store", str(store_path)])
    assert r.exit_code == 0, r.output
    table = out.read_text(encoding="utf-8")
    for text in ("sentence", "our figure", "verdict", "US$68.69 bn", "consistent", "unverifiable", "target"):
        assert text in table
    r = runner.invoke(app, ["check", str(ARTICLES / "summit_wrap.txt"), "--format", "csv", "--date", "2025-12-06",
                            "--store", str(store_path)])
    assert r.exit_code == 0 and r.stdout.splitlines()[0].startswith("text,sentence,measure")


@pytest.mark.parametrize(("args", "message"), [
    (["check", "no-such-file.txt"], "error: no-such-file.txt: no such file; check the path of the article"),
    (["check", "ARTICLE", "--date", "6/12/2025"], "error: --date: not a date '6/12/2025'; write YYYY-MM-DD"),
])
def test_cli_check_errors(store_path: Path, args: list[str], message: str):
    args = [str(ARTICLES / "traps.txt") if a == "ARTICLE" else a for a in args]
    r = runner.invoke(app, [*args, "--store", str(store_path)])
    assert r.exit_code == 2 and r.stderr.startswith(message) and r.stderr.count("\n") == 1  # refused as it is read


PRESS_SUBJECT = {"total_trade": "Bilateral trade between India and Russia", "exports": "India's exports to Russia",
                 "imports": "India's imports from Russia", "trade_deficit": "India's trade deficit with Russia"}


@pytest.mark.shared
def test_press_figures_agree_with_the_official_series(store, shared: Path):
    """Figures as newspapers quoted them (shared/data/press) are consistent with the store, within rounding."""
    import csv

    rows = [r for r in csv.DictReader((shared / "press" / "india_russia_press_figures.csv").open(encoding="utf-8"))
            if r["status"] != "derived"]
    assert len(rows) == 13
    for r in rows:
        mn = float(r["value_usd_mn"])
        figure = f"US$ {mn / 1000:g} billion" if r["status"] == "quoted_rounded" else f"${mn:,.2f} million"
        sentence = f"{PRESS_SUBJECT[r['measure']]} was {figure} in {r['fy']}."
        [c] = check_text(store, sentence)
        assert (c.claim.period, c.verdict) == (f"FY{r['fy']}", "consistent"), (sentence, c.our_value, c.reason)
        assert c.claim.value_usd == pytest.approx(mn * 1e6)


@pytest.mark.parametrize(("sentence", "verdict", "reason"), [
    ("In 2024, bilateral trade was $65 billion.", "unverifiable", "CY2024"),
    ("Russia's share in India's total imports rose to 8.8% in 2024-25.", "consistent", ""),
    ("Russia supplied 35% of India's crude imports in 2024-25.", "unverifiable",
     "a share of crude oil or energy imports from all suppliers"),
    ("Bilateral trade rose 5 percentage points in 2024-25.", "unverifiable", "cannot tell"),
    ("Rosatom will invest $5 billion in the new units in 2024-25.", "unverifiable", "not a trade value"),
    ("The EAEU's trade with India was $70 billion in 2024-25.", "unverifiable",
     "figure about IND-_EAEU: _EAEU is not a country code"),
])
def test_more_traps(store, sentence: str, verdict: str, reason: str):
    [c] = check_text(store, sentence, date=date(2025, 12, 10))
    assert c.verdict == verdict, (c.claim, c.reason)
    assert reason in c.reason


def test_goal_and_base_in_one_sentence(store):
    checks = check_text(store, "The government wants exports to touch $35 billion by 2030, up from under $5 billion "
                        "now.", date=date(2025, 12, 10))
    assert [(c.claim.text, c.verdict) for c in checks] == [("$35 billion", "target"), ("$5 billion", "unverifiable")]
    assert checks[0].claim.target_of == "exports" and checks[0].our_value_usd is None
    assert checks[0].reason == ("a goal for exports, not a fact; the target on file is for total trade (US$100 bn by "
                                "FY2029-30)")
    assert checks[1].reason == "the period 'now' is not a year the store can answer: 'now' names no year"


def test_world_totals_and_a_trade_word_after_the_figure(store):
    [c] = check_text(store, "India's total exports rose to $437.4 billion in 2024-25.")
    assert (c.claim.pair, c.verdict) == ("IND-WLD", "consistent") and c.our_value_usd == pytest.approx(437_666e6)
    checks = check_text(store, "Bilateral trade surged to $65.70 billion in FY24, up 42% from $49.36 billion in "
                        "FY23, with Indian imports of Russian crude oil accounting for the bulk.")
    assert [(c.claim.text, c.claim.measure, c.claim.period, c.verdict) for c in checks] == [
        ("$65.70 billion", "total_trade", "FY2023-24", "consistent"),
        ("42%", "total_trade", "FY2023-24", "differs"),  # +33.1% in the store
        ("$49.36 billion", "total_trade", "FY2022-23", "consistent"),
    ]
    assert checks[1].our_value == pytest.approx((65_692.86 / 49_359.92 - 1) * 100)
