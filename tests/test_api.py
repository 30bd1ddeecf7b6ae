"""The Python API accepts "IND-RUS" as well as a Pair, and gives DataFrames of any result."""

from __future__ import annotations

from bilateral import api


def test_reports_by_pair_string_or_pair(store) -> None:
    a = api.overview(store, "IND-RUS", "FY2024-25")
    b = api.overview(store, api.parse_pair("ind-rus"), "2024-25")
    assert a.to_dict() == b.to_dict()
    assert a.totals.total_usd == 68_692_740_000.0
    ind = {r["name"]: r["value"] for r in api.indicators(store, "IND-RUS", "FY2024-25")}
    assert ind["trade_balance"] == 4_881_300_000.0 - 63_811_440_000.0
    assert [t.period for t in api.totals(store, "IND-RUS")][-1] == "FY2025-26"
    flows = api.flows(store, "IND-RUS")
    assert {f.source for f in flows} == {"official"}


def test_frame(store) -> None:
    df = api.frame(api.overview(store, "IND-RUS", "FY2024-25"))
    row = df[(df.section == "official") & (df.measure == "exports_usd")]
    assert row["value"].tolist() == [4_881_300_000.0]
    df = api.frame(api.flows(store, "IND-RUS"))
    assert set(df.columns) >= {"period", "flow", "value_usd", "source", "grade", "release"}
