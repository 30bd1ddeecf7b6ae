"""RCA and trade complementarity over a world matrix (synthetic, hand-worked) and the `rca` command."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from bilateral.cli import app
from bilateral.indicators.complementarity import complementarity
from bilateral.indicators.rca import rca_matrix
from bilateral.store.matrix import parquet_matrix

# SYNTHETIC rows (not trade statistics): exporter, importer, hs6, US$
ROWS = [("AAA", "BBB", "010121", 30.0), ("AAA", "CCC", "300490", 10.0), ("CCC", "BBB", "300490", 20.0),
        ("CCC", "BBB", "870322", 20.0), ("BBB", "AAA", "870322", 20.0)]


def _matrix(tmp_path: Path):
    path = tmp_path / "m.parquet"
    pq.write_table(pa.table({"exporter": [r[0] for r in ROWS], "importer": [r[1] for r in ROWS],
                             "hs6": [r[2] for r in ROWS], "value_usd": [r[3] for r in ROWS]}), path)
    return parquet_matrix(path, 2024)


def test_rca_hand_worked(tmp_path: Path):
    # world 100; AAA 40 (k1 30, k2 10); k1 world 30, k2 30, k3 40
    # RCA(AAA,k1) = (30/40)/(30/100) = 2.5; RCA(AAA,k2) = (10/40)/(30/100) = 0.8333…
    # RCA(CCC,k2) = (20/40)/(30/100) = 1.6667; RCA(CCC,k3) = (20/40)/(40/100) = 1.25; RCA(BBB,k3) = 2.5
    df = rca_matrix(duckdb.connect(), _matrix(tmp_path))
    got = {(r.exporter, r.product): r.rca for r in df.itertuples()}
    assert got == {("AAA", "010121"): pytest.approx(2.5), ("AAA", "300490"): pytest.approx(10 / 40 / 0.3),
                   ("CCC", "300490"): pytest.approx(20 / 40 / 0.3), ("CCC", "870322"): pytest.approx(1.25),
                   ("BBB", "870322"): pytest.approx(2.5)}
    only = rca_matrix(duckdb.connect(), _matrix(tmp_path), exporter="AAA")
    assert sorted(only["product"]) == ["010121", "300490"]


def test_complementarity_hand_worked(tmp_path: Path):
    # AAA exports k1 30, k2 10 → shares .75/.25; BBB imports k1 30, k2 20, k3 20 → 3/7, 2/7, 2/7
    # Σ|m − x| = |3/7 − .75| + |2/7 − .25| + |2/7 − 0| = 0.3214… + 0.0357… + 0.2857… = 0.6428…
    tc = complementarity(duckdb.connect(), _matrix(tmp_path), "AAA", "BBB")
    diff = abs(3 / 7 - 0.75) + abs(2 / 7 - 0.25) + 2 / 7
    assert tc.index == pytest.approx(100 * (1 - diff / 2))
    assert tc.products == 3 and tc.exports_usd == 40 and tc.imports_usd == 70


def test_rca_command_writes_every_row(store_path: Path, tmp_path: Path):
    out = tmp_path / "rca.parquet"
    res = CliRunner().invoke(app, ["rca", "--year", "2024", "--out", str(out), "--store", str(store_path)])
    assert res.exit_code == 0, res.output
    t = pq.read_table(out)
    assert t.num_rows == 516_764  # exporter × HS6 cells with exports in the embedded 2024 matrix
    assert t.column_names == ["exporter", "product", "value", "rca"]
    res = CliRunner().invoke(app, ["rca", "--exporter", "IND", "--top", "3", "--store", str(store_path)])
    assert res.exit_code == 0 and "complementarity" in res.output


def test_rca_outputs_agree_in_every_format_and_in_order(tmp_path: Path):
    """The hand-worked matrix through the command: table (--top), --top 0, csv (stdout, --out), json, parquet."""
    named = {"AAA": "IND", "BBB": "RUS", "CCC": "CHN"}  # complementarity IND -> RUS is part of every output
    path = tmp_path / "m.parquet"
    pq.write_table(pa.table({"exporter": [named[r[0]] for r in ROWS], "importer": [named[r[1]] for r in ROWS],
                             "hs6": [r[2] for r in ROWS], "value_usd": [r[3] for r in ROWS]}), path)
    run = CliRunner()
    base = ["rca", "--matrix", str(tmp_path / "m.parquet"), "--year", "2024"]
    want = [("CHN", "300490", 20.0, 20 / 40 / 0.3), ("CHN", "870322", 20.0, 1.25), ("IND", "010121", 30.0, 2.5),
            ("IND", "300490", 10.0, 10 / 40 / 0.3), ("RUS", "870322", 20.0, 2.5)]  # by exporter, strongest first

    def close(rows):
        assert [tuple(r[:2]) for r in rows] == [w[:2] for w in want]
        assert [float(r[2]) for r in rows] == [w[2] for w in want]
        assert [float(r[3]) for r in rows] == pytest.approx([w[3] for w in want], rel=1e-12)

    out = tmp_path / "r.parquet"
    assert run.invoke(app, [*base, "--out", str(out)]).exit_code == 0
    close([tuple(r.values()) for r in pq.read_table(out).to_pylist()])
    csv_out = tmp_path / "r.csv"
    res = run.invoke(app, [*base, "--out", str(csv_out)])
    assert res.exit_code == 0 and "5 rows written" in res.output
    lines = csv_out.read_text().splitlines()
    assert lines[0] == "exporter,product,value,rca"
    close([line.split(",") for line in lines[1:]])
    res = run.invoke(app, [*base, "-f", "csv"])
    assert res.exit_code == 0 and res.output.splitlines()[0] == "exporter,product,value,rca"
    close([line.split(",") for line in res.output.splitlines()[1:]])
    res = run.invoke(app, [*base, "-f", "json"])
    import json

    got = json.loads(res.output)
    close([tuple(r.values()) for r in got["rca"]])
    assert got["complementarity_IND_RUS"]["products"] == 3
    res = run.invoke(app, [*base, "--top", "2"])
    assert res.exit_code == 0 and "5 exporter × product cells" in res.output
    assert "300490" in res.output and "870322" in res.output and "010121" not in res.output
    res = run.invoke(app, [*base, "--top", "0", "--exporter", "IND"])
    assert res.exit_code == 0
    lines = res.output.splitlines()
    assert lines[0] == "RCA (Balassa), 2024, 2 exporter × product cells for IND"
    assert [line.split() for line in lines[3:5]] == [["IND", "010121", "0.00", "2.50"], ["IND", "300490", "0.00", "0.83"]]
