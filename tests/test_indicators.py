"""Indicators: hand-worked HHI, TCI, CAGR; RCA against the ecomplexity package."""

from __future__ import annotations

import warnings

import duckdb
import numpy as np
import pandas as pd
import pytest

from bilateral.api import parse_pair
from bilateral.indicators import trade
from bilateral.indicators.metadata import indicators
from bilateral.indicators.rca import rca, trade_complementarity
from bilateral.models.indicators import composition_by_section, summary

RTOL = 1e-9


def test_hhi_hand_worked():
    assert trade.hhi([50, 30, 20]) == pytest.approx(0.25 + 0.09 + 0.04)
    assert trade.hhi([1, 1, 1, 1]) == pytest.approx(0.25)
    assert trade.hhi([7]) == 1.0
    assert trade.hhi([0, 0]) is None


def test_tci_hand_worked():
    # importer buys 50% A, 50% B; exporter sells 100% A → Σ|diff| = 0.5 + 0.5 = 1 → 100 × (1 − 0.5) = 50
    assert trade_complementarity({"A": 5, "B": 5}, {"A": 3}) == pytest.approx(50.0)
    assert trade_complementarity({"A": 1, "B": 3}, {"A": 2, "B": 6}) == pytest.approx(100.0)
    assert trade_complementarity({"A": 1}, {"B": 1}) == pytest.approx(0.0)


def test_growth_hand_worked():
    assert trade.cagr(100, 121, 2) == pytest.approx(0.1)
    assert trade.cagr(0, 5, 2) is None and trade.cagr(1, 2, 0) is None
    assert trade.yoy(80, 100) == pytest.approx(0.25) and trade.yoy(None, 1) is None


def _random_matrix(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(30):
        for k in rng.choice(200, size=60, replace=False):
            rows.append((2022, f"C{i:02d}", f"{k:06d}", float(rng.lognormal(3, 2))))
    return pd.DataFrame(rows, columns=["t", "exporter", "product", "value"])


@pytest.mark.parametrize("seed", [1, 2])
def test_rca_equals_ecomplexity(seed: int):
    from ecomplexity import ecomplexity

    df = _random_matrix(seed)
    con = duckdb.connect()
    con.register("m", df)
    ours = rca(con, "SELECT exporter, product, value FROM m")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = ecomplexity(df, {"time": "t", "loc": "exporter", "prod": "product", "val": "value"}, verbose=False)
    ref = ref[ref.rca > 0][["exporter", "product", "rca"]]
    m = ref.merge(ours, on=["exporter", "product"], suffixes=("_ref", "_ours"), how="outer")
    assert not m.isna().any().any(), "the two RCAs disagree on which cells are positive"
    np.testing.assert_allclose(m.rca_ours, m.rca_ref, rtol=RTOL)


def test_every_indicator_has_metadata():
    for name, meta in indicators().items():
        assert meta["title"] and meta["unit"] and meta["description"] and meta["sources"], name


def test_summary_values(store):
    rows = {r["name"]: r for r in summary(store, parse_pair("IND-RUS"), "2024-25")}
    assert rows["trade_balance"]["value"] == pytest.approx(4_881.30e6 - 63_811.44e6)
    assert rows["coverage_ratio"]["value"] == pytest.approx(4_881.30 / 63_811.44)
    assert rows["detail_coverage"]["value"] == pytest.approx(3_962.28 / 4_881.30)
    assert rows["energy_share_imports"]["value"] == pytest.approx(56_873.22 / 65_014.22, rel=1e-6)
    assert "region" in rows["energy_share_imports"]["note"]
    assert 0 < rows["hhi_products"]["value"] < 0.1
    assert rows["rca"]["value"] is None and "world matrix" in rows["rca"]["note"] and rows["rca"]["releases"] == ""
    assert rows["hhi_partners"]["releases"] == "embedded/eidb-exports-hs2-partner"
    sections = composition_by_section(store, parse_pair("IND-RUS"), "export", "FY2024-25")
    assert sum(sections.values()) == pytest.approx(1.0) and max(sections, key=sections.get) == "XVI"
