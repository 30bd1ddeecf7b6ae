"""Tests written to kill mutations that survived the rest of the suite (issue 8, item 6).

Each test names the mutation it catches; each was checked by applying the mutation by hand and
seeing the test fail. Fixtures: tests/fixtures/eidb_conflict/ and tests/fixtures/comtrade_breakdown/
(hand-written, made-up values; see their README.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from bilateral.api import open_store
from bilateral.errors import BilateralError, StoreError
from bilateral.harmonise.pairs import parse_pair
from bilateral.harmonise.periods import Period, parse_period
from bilateral.indicators import trade
from bilateral.models.indicators import summary
from bilateral.sources import comtrade, eidb
from bilateral.sources.canonical import to_table
from bilateral.store import Store
from bilateral.store.releases import ReleaseRecord

FIXTURES = Path(__file__).parent / "fixtures"
RELEASE = "test/mutation-1"


def _release_rows(path: Path, release: str) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t} WHERE release = ?", [release]).fetchone()[0]
                for t in ("flows", "official_totals", "releases")}
    finally:
        con.close()


def _all_counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("flows", "official_totals", "releases")}
    finally:
        con.close()


def _flow_row() -> dict[str, Any]:
    return {"source": "test", "release": RELEASE, "period": "FY2024-25", "period_kind": "fy", "reporter": "IND",
            "partner": "RUS", "flow": "export", "hs_revision": "HS2022", "product": "TOTAL", "product_level": 0,
            "value_usd": 1.0, "quantity": None, "quantity_unit": None, "estimate": "reported", "quality": "complete"}


# -- 1. Store.load_release must be one transaction ------------------------------------------------


def _fail_in_record_release(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> None:
        raise StoreError("injected failure after the rows were written")

    monkeypatch.setattr(Store, "record_release", staticmethod(boom))


@pytest.mark.parametrize("where", ["record_release", "second_table"])
def test_load_release_is_atomic_when_it_fails_after_writing_rows(where, fresh_store_path, monkeypatch):
    """Mutation: ``load_release`` calls ``replace_release`` outside ``self.transaction()``."""
    before = _all_counts(fresh_store_path)
    tables: dict[str, pa.Table] = {"flows": to_table("flows", [_flow_row()])}
    if where == "record_release":
        _fail_in_record_release(monkeypatch)
        match = "injected failure"
    else:  # the flows rows go in first, then the second table is refused
        tables["official_totals"] = pa.table({"release": [RELEASE]})
        match = "lacks columns"
    record = ReleaseRecord(RELEASE, "test", "1", "test.csv", "abc", "me")
    with Store(fresh_store_path) as s:
        with pytest.raises(StoreError, match=match):
            s.load_release(record, tables)
        assert s.con.execute("SELECT count(*) FROM flows WHERE release = ?", [RELEASE]).fetchone() == (0,)
    assert _release_rows(fresh_store_path, RELEASE) == {"flows": 0, "official_totals": 0, "releases": 0}
    assert _all_counts(fresh_store_path) == before


def test_load_release_commits_when_it_succeeds(fresh_store_path):
    record = ReleaseRecord(RELEASE, "test", "1", "test.csv", "abc", "me")
    with Store(fresh_store_path) as s:
        assert s.load_release(record, {"flows": to_table("flows", [_flow_row()])}) is True
        assert s.load_release(record, {"flows": to_table("flows", [_flow_row()])}) is False  # same checksum
    assert _release_rows(fresh_store_path, RELEASE) == {"flows": 1, "official_totals": 0, "releases": 1}


# -- 3. CAGR and year-on-year growth in the indicator summary --------------------------------------

# India–Russia total trade, US$ million, from the embedded official FY totals (DGCI&S)
TOTAL_FY2010_11 = 5_289.52
TOTAL_FY2023_24 = 65_692.86
TOTAL_FY2024_25 = 68_692.74


def test_summary_cagr_and_yoy_exact_for_ind_rus_fy2024_25(store):
    """Mutation: the CAGR's number of years off by one (15 instead of 14 for FY2010-11 → FY2024-25)."""
    rows = {r["name"]: r for r in summary(store, parse_pair("IND-RUS"), "FY2024-25")}
    cagr = (TOTAL_FY2024_25 / TOTAL_FY2010_11) ** (1 / 14) - 1
    yoy = TOTAL_FY2024_25 / TOTAL_FY2023_24 - 1
    assert cagr == pytest.approx(0.200979, abs=1e-6)  # hand check of the arithmetic itself
    assert yoy == pytest.approx(0.045665, abs=1e-6)
    assert rows["cagr"]["value"] == pytest.approx(cagr, rel=1e-12)
    assert rows["cagr"]["note"] == "total trade FY2010-11–FY2024-25"
    assert rows["yoy_growth"]["value"] == pytest.approx(yoy, rel=1e-12)
    # a window of one year: the CAGR equals the year-on-year growth
    one = {r["name"]: r for r in summary(store, parse_pair("IND-RUS"), "FY2011-12")}
    assert one["cagr"]["value"] == pytest.approx(one["yoy_growth"]["value"], rel=1e-12)
    assert one["cagr"]["value"] == pytest.approx(6_565.38 / TOTAL_FY2010_11 - 1, rel=1e-12)


# -- 4. EIDB: a fiscal year on two pages takes the later page's figure ----------------------------

EIDB_CONFLICT = FIXTURES / "eidb_conflict" / "02023000_export.json"


def test_eidb_later_page_wins_when_pages_disagree():
    """Mutation: the earlier page's figure kept (pages read in file order, or first value kept)."""
    parsed = eidb.read_commodity_json(EIDB_CONFLICT)
    cells = {(r["period"], r["partner"]): (r["value_usd"], r["quantity"]) for r in parsed.rows}
    assert cells == {
        ("FY2022-23", "DZA"): (7_000_000.0, 1000.0), ("FY2022-23", "AGO"): (1_000_000.0, 50.0),
        ("FY2023-24", "DZA"): (12_500_000.0, 5000.0),  # page 2024's revision, not page 2023's 10.25
        ("FY2023-24", "AGO"): (2_000_000.0, 100.0),
        ("FY2024-25", "DZA"): (30_000_000.0, 9000.0), ("FY2024-25", "AGO"): (3_000_000.0, 200.0),
    }


def test_eidb_later_page_wins_in_the_store(fresh_store_path, tmp_path):
    with open_store(fresh_store_path) as s:
        eidb.ingest(s, EIDB_CONFLICT)
        got = s.con.execute("SELECT value_usd FROM flows WHERE release = 'eidb/export-hs8/02023000' "
                            "AND period = 'FY2023-24' AND partner = 'DZA'").fetchall()
    assert got == [(12_500_000.0,)]


# -- 5. Comtrade: breakdown rows (partner2 / customs procedure / transport mode) are dropped --------

COMTRADE_BREAKDOWN = FIXTURES / "comtrade_breakdown" / "IND_RUS_2021_X_TOTAL.json"
QUERY = comtrade.Query("IND", "RUS", 2021, "X", 0)


def test_comtrade_breakdown_rows_are_dropped():
    """Mutation: the breakdown filter in ``rows_of`` removed (or one of its three conditions)."""
    doc = json.loads(COMTRADE_BREAKDOWN.read_text(encoding="utf-8"))
    assert len(doc["data"]) == 4
    rows = comtrade.rows_of(doc, QUERY)
    assert [(r["period"], r["reporter"], r["partner"], r["flow"], r["product"], r["value_usd"]) for r in rows] == [
        ("CY2021", "IND", "RUS", "export", "TOTAL", 3_250_000_000.0)]


class _CachedOnly:
    """A stand-in for comtrade.Client that answers from the fixture (no HTTP)."""

    fetched = 0
    from_cache = 1

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc

    def get(self, q: comtrade.Query) -> dict[str, Any]:
        return self.doc


def test_comtrade_breakdown_rows_do_not_reach_the_store(fresh_store_path):
    doc = json.loads(COMTRADE_BREAKDOWN.read_text(encoding="utf-8"))
    with open_store(fresh_store_path) as s:
        comtrade.ingest(s, "IND", "RUS", {2021}, ["X"], 0, _CachedOnly(doc))  # type: ignore[arg-type]
        got = s.con.execute("SELECT count(*), sum(value_usd) FROM flows WHERE release = ?", [QUERY.release]).fetchall()
    assert got == [(1, 3_250_000_000.0)]


# -- 6. the client version is part of the Comtrade cache key ---------------------------------------


def test_comtrade_cache_key_changes_with_the_client_version(monkeypatch):
    """Mutation: ``CLIENT_VERSION`` dropped from ``Query.cache_key``."""
    key = QUERY.cache_key()
    assert QUERY.cache_key() == key and len(key) == 32
    monkeypatch.setattr(comtrade, "CLIENT_VERSION", comtrade.CLIENT_VERSION + "-next")
    assert QUERY.cache_key() != key
    monkeypatch.undo()
    assert QUERY.cache_key() == key


def test_comtrade_cache_of_an_older_client_is_not_read(tmp_path, monkeypatch):
    """An answer cached by another client version is a cache miss (here: no key, so a clear error)."""
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / f"{QUERY.cache_key()}.json").write_text(COMTRADE_BREAKDOWN.read_text(encoding="utf-8"), encoding="utf-8")
    assert comtrade.Client(key="unused", cache_dir=cache).get(QUERY)["count"] == 4
    monkeypatch.setattr(comtrade, "CLIENT_VERSION", comtrade.CLIENT_VERSION + "-next")
    monkeypatch.delenv(comtrade.KEY_ENV, raising=False)
    with pytest.raises(BilateralError, match="is not in the cache"):
        comtrade.Client(cache_dir=cache).get(QUERY)


# -- periods: mutants of bilateral/harmonise/periods.py that survived `scripts/mutation.sh` --------


def test_period_shift_keeps_the_kind_and_moves_by_whole_years():
    assert Period("fy", 2024).shift(-1) == Period("fy", 2023)
    assert Period("fy", 2024).shift(-1).label == "FY2023-24"
    assert Period("cy", 2022).shift(2) == Period("cy", 2024)
    assert Period("cy", 2022).shift(0) == Period("cy", 2022)


@pytest.mark.parametrize(("text", "kind", "year"), [
    ("CY2022", "cy", 2022), ("2022", "cy", 2022), ("cy 2022", "cy", 2022), ("  CY2022 ", "cy", 2022),
    ("FY2024-25", "fy", 2024), ("2024-25", "fy", 2024), ("fy 2024-2025", "fy", 2024),
])
def test_parse_period_spellings(text, kind, year):
    assert parse_period(text) == Period(kind, year)
    assert parse_period(Period(kind, year).label) == Period(kind, year)  # a label parses back to itself


@pytest.mark.parametrize("text", ["CY22", "2024-26", "FY2024", "CY 2022-23", ""])
def test_parse_period_refuses_with_one_clear_line(text):
    with pytest.raises(BilateralError) as info:
        parse_period(text)
    assert str(info.value) == (f"not a period: {text!r}; write a fiscal year as FY2024-25 (or 2024-25) or a calendar "
                               "year as CY2022 (or 2022)")
    assert info.value.__cause__ is None and info.value.__suppress_context__


# -- trade arithmetic: boundary mutants of bilateral/indicators/trade.py that survived ------------


def test_growth_and_ratio_boundaries():
    # a start or end of exactly 1 (or below) is a valid value, not a missing one
    assert trade.cagr(1, 4, 2) == pytest.approx(1.0)
    assert trade.cagr(0.25, 1, 2) == pytest.approx(1.0)
    assert trade.cagr(4, 1, 2) == pytest.approx(-0.5)
    assert trade.cagr(1, 0, 2) is None and trade.cagr(0, 1, 2) is None  # a zero end or start: undefined
    assert trade.yoy(1, 3) == pytest.approx(2.0)
    assert trade.yoy(0.5, 1) == pytest.approx(1.0)
    assert trade.yoy(0, 5) is None and trade.yoy(80, None) is None and trade.yoy(None, 80) is None
    assert trade.hhi([0.5, 0.5]) == pytest.approx(0.5)  # shares that add up to exactly 1
    assert trade.hhi([0.25, 0.5]) == pytest.approx((1 / 3) ** 2 + (2 / 3) ** 2)
    assert trade.hhi([0, 0]) is None
    assert trade.safe_ratio(3, 1) == 3.0 and trade.safe_ratio(0, 1) == 0.0
    assert trade.safe_ratio(1, 0) is None and trade.safe_ratio(1, float("nan")) is None
    assert trade.safe_ratio(None, 2) is None and trade.safe_ratio(2, None) is None


# -- 2. the normal quantiles of the forecast intervals ------------------------------------------------
def test_interval_quantiles_equal_scipy() -> None:
    """A 95% interval with 1.645 (the one-sided 95% quantile) would be a 90% interval."""
    from scipy.stats import norm

    from bilateral.models.forecast import Z80, Z95

    assert Z80 == pytest.approx(norm.ppf(0.90), rel=1e-15)
    assert Z95 == pytest.approx(norm.ppf(0.975), rel=1e-15)
