"""`bilateral rca` / `bilateral potential` engine options: --engine, --matrix (DuckDB here; Spark in test_spark_parity)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from bilateral.cli import app

# SYNTHETIC world (not trade statistics), hand-worked as tests/test_rca_matrix.py, with IND and RUS
# so that the rca command's complementarity has its two countries; US$ million, so that the products
# pass the potential's minimum exports
MN = 1e6
ROWS = [("IND", "RUS", "010121", 30 * MN), ("IND", "CHN", "300490", 10 * MN), ("CHN", "RUS", "300490", 20 * MN),
        ("CHN", "RUS", "870322", 20 * MN), ("RUS", "IND", "870322", 20 * MN)]


def world_file(path: Path, year: int = 2030) -> Path:
    pq.write_table(pa.table({"year": [year] * len(ROWS), "exporter": [r[0] for r in ROWS],
                             "importer": [r[1] for r in ROWS], "hs6": [r[2] for r in ROWS],
                             "value_usd": [r[3] for r in ROWS]}), path)
    return path


def test_rca_from_a_parquet_matrix(store_path: Path, tmp_path: Path):
    out = tmp_path / "rca.parquet"
    res = CliRunner().invoke(app, ["rca", "--engine", "duckdb", "--matrix", str(world_file(tmp_path / "w.parquet")),
                                   "--out", str(out), "--store", str(store_path)])
    assert res.exit_code == 0, res.output
    got = {(r["exporter"], r["product"]): r["rca"] for r in pq.read_table(out).to_pylist()}
    # world 100; IND 40 (k1 30, k2 10); k1 30, k2 30, k3 40
    assert got == {("IND", "010121"): pytest.approx(2.5), ("IND", "300490"): pytest.approx(10 / 40 / 0.3),
                   ("CHN", "300490"): pytest.approx(20 / 40 / 0.3), ("CHN", "870322"): pytest.approx(1.25),
                   ("RUS", "870322"): pytest.approx(2.5)}


def test_potential_from_a_parquet_matrix(store_path: Path, tmp_path: Path):
    import json

    from bilateral.models.potential import growth_factors, parameters

    res = CliRunner().invoke(app, ["potential", "--pair", "CHN-IND", "--matrix", str(world_file(tmp_path / "w.parquet")),
                                   "--format", "json", "--store", str(store_path)])
    assert res.exit_code == 0, res.output
    body = json.loads(res.stdout)
    assert body["year"] == 2030 and [p["hs6"] for p in body["products"]] == ["870322"]
    p = body["products"][0]
    # IND imports only 870322 (20, from RUS); CHN exports 20 of it, none to IND; world exports 40:
    # share = (20 − 0) / (40 − 20) = 1; no actual exports, so ease is its floor. RUS is IND's only
    # supplier of it, so the distance factor is (d(CHN, IND) / d(RUS, IND))^(−elasticity)
    from bilateral.store.matrix import distances_table

    params = parameters()
    g = growth_factors(["CHN", "IND"], params)
    d = {(r["exporter"], r["importer"]): r["dist_km"] for r in distances_table().to_pylist()
         if r["importer"] == "IND" and r["exporter"] in ("CHN", "RUS")}
    factor = (d[("CHN", "IND")] / d[("RUS", "IND")]) ** -params.distance_elasticity
    assert (p["supply_share"], p["market_usd"], p["actual_usd"], p["ease"]) == (1.0, 20 * MN, 0.0, params.ease_min)
    assert p["distance_factor"] == pytest.approx(factor) and p["distance_km"] == d[("CHN", "IND")]
    assert p["potential_usd"] == pytest.approx(20 * MN * g["CHN"][0] * g["IND"][1] * params.tariff_factor
                                               * params.ease_min * factor)


@pytest.mark.parametrize(("args", "says", "code"), [(["--engine", "flink"], "unknown --engine 'flink'", 2),
                                                     (["--matrix", "missing.parquet"], "missing.parquet", 1)])
def test_engine_errors_are_one_line(store_path: Path, args: list[str], says: str, code: int):
    res = CliRunner().invoke(app, ["rca", *args, "--store", str(store_path)])
    assert res.exit_code == code and says in res.output and "Traceback" not in res.output
