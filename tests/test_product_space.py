"""The product space (Hidalgo–Hausmann proximity and density) against the ecomplexity package, to 1e-9.

ecomplexity (Growth Lab, Harvard) is the reference implementation: its ``proximity`` and the
``density`` column of ``ecomplexity`` on the same matrix. A SYNTHETIC matrix (seeded, not trade
statistics) always; a slice of the REAL 2024 world matrix when the shared data are there.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from bilateral.indicators.product_space import density, density_sql, presence_sql, proximity_sql

ecomplexity = pytest.importorskip("ecomplexity")
TOL = 1e-9
COLS = {"time": "year", "loc": "exporter", "prod": "hs6", "val": "value_usd"}


def _synthetic() -> pd.DataFrame:
    rng = np.random.default_rng(20)
    rows = [(f"C{c:02d}", f"{100000 + k}", float(rng.lognormal(10, 2)))
            for c in range(30) for k in range(80) if rng.random() < 0.5]
    return pd.DataFrame(rows, columns=["exporter", "hs6", "value_usd"]).assign(year=2024)


def _reference(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():  # it prints the year and warns
        warnings.simplefilter("ignore")
        return ecomplexity.ecomplexity(df, COLS), ecomplexity.proximity(df, COLS)


def _check(df: pd.DataFrame, countries: list[str]) -> None:
    ec, px = _reference(df)
    con = duckdb.connect()
    con.register("e", df)
    ours = con.execute(proximity_sql(con, "SELECT * FROM e")).df()
    both = px.merge(ours, on=["hs6_1", "hs6_2"], suffixes=("_ref", ""))
    assert len(both) == len(px) == len(ours)
    assert float((both.proximity_ref - both.proximity).abs().max()) <= TOL
    for c in countries:
        got = con.execute(density_sql(con, "SELECT * FROM e", c)).df()
        ref = ec[ec.exporter == c][["hs6", "density", "mcp"]]
        m = ref.merge(got, on="hs6", suffixes=("_ref", ""))
        assert len(m) == len(ref) == len(got)
        assert float((m.density_ref - m.density).abs().max()) <= TOL, c
        assert (m.mcp == m.present.astype(int)).all()
    assert density(con, "SELECT * FROM e", countries[0]) == pytest.approx(
        dict(zip(ec[ec.exporter == countries[0]].hs6, ec[ec.exporter == countries[0]].density, strict=True)), abs=TOL)


def test_density_and_proximity_equal_ecomplexity_synthetic():
    df = _synthetic()
    _check(df, sorted(df.exporter.unique())[::5])


def test_hand_worked_density():
    # SYNTHETIC: A exports k1, k2; B k2, k3; C k1 (equal values, so RCA ≥ 1 exactly where it exports
    # more than its share). Presence and proximity by hand: see the asserts.
    df = pd.DataFrame([("A", "k1", 1.0), ("A", "k2", 1.0), ("B", "k2", 1.0), ("B", "k3", 1.0), ("C", "k1", 1.0)],
                      columns=["exporter", "hs6", "value_usd"])
    con = duckdb.connect()
    con.register("e", df)
    # world 5: k1 2/5, k2 2/5, k3 1/5; A: k1 .5/.4 = 1.25, k2 1.25; B: k2 1.25, k3 2.5; C: k1 2.5
    assert {(r[0], r[1]) for r in con.execute(presence_sql("SELECT * FROM e")).fetchall()} == {
        ("A", "k1"), ("A", "k2"), ("B", "k2"), ("B", "k3"), ("C", "k1")}
    # u: k1 2, k2 2, k3 1; C(k1,k2) = 1 (A) → φ = 1/2; C(k2,k3) = 1 (B) → 1/2; C(k1,k3) = 0
    phi = {(a, b): p for a, b, p in con.execute(proximity_sql(con, "SELECT * FROM e")).fetchall()}
    assert phi[("k1", "k2")] == phi[("k2", "k1")] == 0.5 and phi[("k1", "k3")] == 0.0 and phi[("k3", "k3")] == 1.0
    # density of C around k2 = (φ(k2,k1)·1) / (φ21 + φ22 + φ23) = 0.5 / 2 = 0.25; around k3 = 0 / 1.5
    d = density(con, "SELECT * FROM e", "C")
    assert d == {"k1": pytest.approx(1 / 1.5), "k2": pytest.approx(0.25), "k3": 0.0}


@pytest.mark.shared
def test_density_equals_ecomplexity_on_the_real_matrix(shared: Path):
    """Every country, the 150-odd products of chapters 30 and 52 of the REAL 2024 matrix, same as ecomplexity."""
    world = str(shared / "baci2024/world_hs6_2024.parquet")
    df = duckdb.sql(f"SELECT exporter, hs6, sum(value_usd) AS value_usd FROM read_parquet('{world}') "
                    "WHERE left(hs6, 2) IN ('30', '52') GROUP BY ALL").df().assign(year=2024)
    assert df.hs6.nunique() > 100 and df.exporter.nunique() > 200
    _check(df, ["IND", "CHN", "RUS"])
