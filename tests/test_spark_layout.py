"""`bilateral export flows --format parquet --partition`: the year / HS-revision layout a cluster reads.

Needs neither pyspark nor Java (DuckDB reads the layout back; the Spark tests read it with Spark).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from bilateral.cli import app
from bilateral.store.queries import partitioned_rows_sql as partitioned_sql


def test_partitioned_export_round_trip(store_path: Path, tmp_path: Path):
    out = tmp_path / "flows"
    res = CliRunner().invoke(app, ["export", "flows", "--format", "parquet", "--partition", "--out", str(out),
                                   "--store", str(store_path)])
    assert res.exit_code == 0, res.output
    dirs = sorted(str(p.parent.relative_to(out)) for p in out.rglob("*.parquet"))
    assert dirs and all(d.startswith("year=") and "/hs_revision=" in d for d in dirs)
    con = duckdb.connect()
    back = con.execute(f"SELECT year, hs_revision, count(*), sum(value_usd) FROM read_parquet('{out}/**/*.parquet', "
                       "hive_partitioning = true) GROUP BY ALL ORDER BY ALL").fetchall()
    src = duckdb.connect(str(store_path), read_only=True)
    want = src.execute(f"SELECT year, hs_revision, count(*), sum(value_usd) FROM ({partitioned_sql('flows')}) "
                       "GROUP BY ALL ORDER BY ALL").fetchall()
    total = src.execute("SELECT count(*) FROM flows").fetchone()
    src.close()
    assert [r[:3] for r in back] == [r[:3] for r in want]
    assert sum(r[2] for r in back) == total[0]
    assert [r[3] for r in back] == pytest.approx([r[3] for r in want], rel=1e-12)
    # a second export to the same directory is refused, the first left intact
    again = CliRunner().invoke(app, ["export", "flows", "--format", "parquet", "--partition", "--out", str(out),
                                     "--store", str(store_path)])
    assert again.exit_code == 1 and "exists" in again.output
    assert sorted(str(p.parent.relative_to(out)) for p in out.rglob("*.parquet")) == dirs


def test_partition_year_from_period():
    con = duckdb.connect()
    con.execute("CREATE TABLE flows AS SELECT * FROM (VALUES ('CY2022', 'HS2017'), ('FY2024-25', NULL), "
                "('2023-04', 'HS2022'), ('2021-04/2021-08', NULL)) t(period, hs_revision)")
    got = con.execute(f"SELECT period, year, hs_revision FROM ({partitioned_sql('flows')}) ORDER BY year").fetchall()
    assert got == [("2021-04/2021-08", 2021, "none"), ("CY2022", 2022, "HS2017"), ("2023-04", 2023, "HS2022"),
                   ("FY2024-25", 2024, "none")]


@pytest.mark.parametrize("args", [["products", "--format", "parquet", "--partition"],
                                  ["flows", "--format", "csv", "--partition"]])
def test_partition_refused(store_path: Path, tmp_path: Path, args: list[str]):
    res = CliRunner().invoke(app, ["export", *args, "--out", str(tmp_path / "x"), "--store", str(store_path)])
    assert res.exit_code == 1 and "--partition" in res.output
