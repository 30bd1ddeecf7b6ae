"""India–Russia figures are unchanged by the read layer: compared with tests/golden/ (scripts/make_golden.sh).

The golden files were written by the code before the read layer existed; every figure the overview,
indicators and target printed then must be printed now. Notes and new fields may differ (issue #9
changed the caveats on purpose); the figures may not.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bilateral.harmonise.pairs import parse_pair
from bilateral.models.indicators import summary
from bilateral.models.overview import overview
from bilateral.output import to_json

GOLDEN = Path(__file__).parent / "golden"
YEARS = ["2010-11", "2017-18", "2021-22", "2024-25", "2025-26"]
DETAIL_KEYS = ["exports_usd", "coverage", "exports_level", "exports_quality", "imports_usd", "imports_coverage",
               "imports_level", "imports_quality", "imports_region_usd", "imports_region", "imports_region_ratio"]


def _now(obj: object) -> dict:
    return json.loads(to_json(obj))  # same cleaning (NaN → null) as the CLI's JSON


@pytest.mark.parametrize("fy", YEARS)
def test_overview_figures_unchanged(store, fy: str) -> None:
    old = json.loads((GOLDEN / f"overview_IND-RUS_FY{fy}.json").read_text())
    new = _now(overview(store, parse_pair("IND-RUS"), fy).to_dict())
    assert new["period"] == old["period"] and new["status"] == old["status"]
    for k in ("exports_usd", "imports_usd", "total_trade_usd", "balance_usd", "status"):
        assert new["official"][k] == old["official"][k], k
        if k != "status":
            assert new["totals"][k] == old["official"][k], k
    assert new["totals"]["source"] == "official"
    assert new["official"]["source"]["releases"] == old["official"]["source"]["releases"]
    assert {k: new["detail"][k] for k in DETAIL_KEYS} == {k: old["detail"][k] for k in DETAIL_KEYS}
    assert new["detail"]["sources"] == old["detail"]["sources"]
    for section in ("top_products", "imports_by_chapter", "exports_by_chapter"):
        assert new[section] == old[section], section
    # issue #9: electronic goods (HS 8471 computers …) left engineering for a group of their own
    old_s = {s["sector"]: s for s in old["sectors"]}
    new_s = {s["sector"]: s for s in new["sectors"]}
    for sid, row in old_s.items():
        if sid != "engineering":
            assert new_s[sid]["value_usd"] == row["value_usd"], sid
            assert new_s[sid]["yoy"] == row["yoy"] and new_s[sid]["cagr"] == row["cagr"], sid
    if old_s:
        assert new_s["engineering"]["value_usd"] + new_s["electronics"]["value_usd"] == pytest.approx(
            old_s["engineering"]["value_usd"], rel=1e-12)
    assert [{k: y[k] for k in ("period", "exports_usd", "imports_usd", "total_trade_usd", "balance_usd", "status")}
            for y in new["series"]] == old["series"]
    assert new["sparkline"] == old["sparkline"]
    assert new["growth"]["total_yoy"] == old["growth"]["total_yoy"]
    for k in ("first", "last", "years"):
        assert new["growth"]["window"].get(k) == old["growth"]["window"].get(k), k


# indicators whose value changed on purpose (issue #9), with the reason
CHANGED = {
    ("FY2017-18", "energy_share_imports"): "detail covers 19.8% of imports (crude and coal only): no value",
    ("FY2021-22", "energy_share_imports"): "detail covers 41.1% of imports (crude and coal only): no value",
    ("FY2025-26", "energy_share_imports"): "the exact HS 27 figure (47,824.9 of 55,369.62), not the top-10 share",
    ("FY2025-26", "hhi_partners"): "one partner is not a distribution: no value",
    ("FY2025-26", "hhi_products"): "top-10 chapters only are not the product distribution: no value",
    **{(f"FY{fy}", "trade_complementarity"): "computed now from the embedded CY2024 world matrix" for fy in YEARS},
}


@pytest.mark.parametrize("fy", YEARS)
def test_indicator_values_unchanged(store, fy: str) -> None:
    old = {r["name"]: r for r in json.loads((GOLDEN / f"indicators_IND-RUS_FY{fy}.json").read_text())}
    new = {r["name"]: r for r in _now(summary(store, parse_pair("IND-RUS"), fy))}
    for name, row in old.items():
        if (f"FY{fy}", name) in CHANGED:
            continue
        assert new[name]["value"] == pytest.approx(row["value"], rel=1e-12) if row["value"] is not None \
            else new[name]["value"] is None, name


def _same(new: object, old: object, where: str = "") -> None:
    """Equal structure and text; numbers equal to 1e-9 (the simulation is seeded)."""
    if isinstance(old, dict):
        assert isinstance(new, dict) and set(new) == set(old), where
        for k in old:
            _same(new[k], old[k], f"{where}.{k}")
    elif isinstance(old, list):
        assert isinstance(new, list) and len(new) == len(old), where
        for i, (a, b) in enumerate(zip(new, old, strict=True)):
            _same(a, b, f"{where}[{i}]")
    elif isinstance(old, float) and not isinstance(old, bool):
        assert new == pytest.approx(old, rel=1e-9, abs=1e-12), where
    else:
        assert new == old, where


def test_target_figures_unchanged(store) -> None:
    """`bilateral target --format json` as remade for issue #21 (scripts/make_golden.sh target); notes may change."""
    from bilateral.models.target import track

    old = json.loads((GOLDEN / "target_IND-RUS.json").read_text())
    new = _now(track(store, parse_pair("IND-RUS"), target_usd=100e9, by="FY2029-30").to_dict())
    del old["notes"], new["notes"]
    _same(new, old)
