"""Countries, HS levels and sections, sectors, fiscal years."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bilateral.build.embedded import _all_spellings
from bilateral.errors import BilateralError
from bilateral.harmonise import countries, hs, sectors
from bilateral.harmonise.periods import FiscalYear, fy_of_month, parse_fy

# Quirks of country names: each row is a regression (spelling, expected ISO3, why).
COUNTRY_EDGE_CASES = [
    ("RUSSIA", "RUS", "the partner"),
    ("U S A", "USA", "DGCI&S spacing"),
    ("CHINA P RP", "CHN", "People's Republic"),
    ("U K", "GBR", "DGCI&S spacing"),
    ("U ARAB EMTS", "ARE", "abbreviation"),
    ("BRITISH INDIAN", "IOT", "country_converter reads it as India"),
    ("KOREA DP RP", "PRK", "country_converter reads it as South Korea"),
    ("KOREA RP", "KOR", "South Korea"),
    ("DOMINIC REP", "DOM", "not Dominica"),
    ("NETHERLANDANTIL", "ANT", "dissolved 2010, historical code"),
    ("UNSPECIFIED", "_X", "a group, not a country"),
    ("INSTALLATIONS IN INTERNATIONAL WATERS", "_IW", "a group, not a country"),
    ("  russia ", "RUS", "case and spaces"),
]


@pytest.mark.parametrize(("spelling", "iso3", "why"), COUNTRY_EDGE_CASES)
def test_country_edge_cases(spelling: str, iso3: str, why: str):
    assert countries.resolve(spelling).iso3 == iso3, why


def test_unknown_spelling_is_an_error():
    with pytest.raises(countries.UnmappedCountryError, match="country_aliases.csv"):
        countries.resolve("ATLANTIS REP")


@pytest.mark.shared
def test_every_national_spelling_mapped(shared: Path):
    spellings = _all_spellings(shared)
    with (shared / "eidb/india_exports_hs2_partner_fy.csv").open() as fh:
        partners = {r["partner"] for r in csv.DictReader(fh)}
    assert len(partners) == 243
    resolved = countries.resolve_many(spellings)  # raises, listing every unmapped one
    assert set(resolved) == set(spellings)
    groups = {s for s, r in resolved.items() if r.iso3.startswith("_")}
    assert all(resolved[s].kind == "group" for s in groups)


def test_embedded_countries_table_has_no_gaps(store):
    rows = store.con.execute("SELECT count(*) FROM countries WHERE iso3 IS NULL OR iso3 = ''").fetchone()
    assert rows[0] == 0
    partners = store.con.execute(
        "SELECT DISTINCT partner FROM flows WHERE partner NOT IN (SELECT iso3 FROM countries) "
        "AND partner NOT IN ('WLD', 'RUS', '_CIS')").fetchall()
    assert partners == []


@pytest.mark.parametrize(("text", "start"), [
    ("2024-25", 2024), ("FY2024-25", 2024), ("2024-2025", 2024), ("FY 2024–25", 2024), ("1999-00", 1999),
])
def test_parse_fy(text: str, start: int):
    assert parse_fy(text) == FiscalYear(start)


@pytest.mark.parametrize("text", ["2024", "2024-26", "FY24-25", "twenty", ""])
def test_parse_fy_rejects(text: str):
    with pytest.raises(BilateralError, match="not a fiscal year"):
        parse_fy(text)


def test_fiscal_year_boundaries():
    fy = parse_fy("2024-25")
    assert fy.label == "FY2024-25" and fy.short == "2024-25"
    assert str(fy.first_day) == "2024-04-01" and str(fy.last_day) == "2025-03-31"
    assert fy_of_month(2025, 3) == fy and fy_of_month(2025, 4) == fy.shift(1)


def test_hs_levels_and_sections():
    assert [hs.truncate("30049099", n) for n in (2, 4, 6, 8)] == ["30", "3004", "300490", "30049099"]
    assert hs.section_of("2709") == "V" and hs.section_of("30049099") == "VI"
    assert hs.section_of("71") == "XIV" and hs.section_of("98") == "XXII"
    assert len(hs.sections()) == 98  # chapters 01–99 less the reserved 77
    with pytest.raises(BilateralError):
        hs.truncate("300", 4)


@pytest.mark.parametrize(("code", "sector"), [
    ("30049099", "pharmaceuticals"), ("29411010", "pharmaceuticals"), ("29420090", "chemicals"),
    ("84819090", "engineering"), ("02023000", "agriculture_food"), ("71131910", "gems_jewellery"),
    ("27090000", "energy"), ("31021000", "fertilisers"), ("39011010", "plastics"),
    ("62031200", "textiles_apparel"), ("69072100", "other"), ("94036000", "other"),
])
def test_sectors(code: str, sector: str):
    assert sectors.sector_of(code) == sector


def test_every_sector_rule_documented():
    text = Path(sectors.__file__).with_name("data").joinpath("sectors.csv").read_text()
    for row in csv.DictReader(text.splitlines()):
        assert row["rule"].strip() and row["source"].strip(), row["prefix"]
    assert set(sectors.rules().values()) | {"other"} == set(sectors.titles())
