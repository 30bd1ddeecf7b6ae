"""The global computations give the same numbers on DuckDB and on Spark (local), to 1e-9.

Skipped when pyspark or Java is absent (install the ``spark`` extra; Java 17+).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bilateral.engine.backends import DuckDBEngine, SparkEngine, spark_session
from bilateral.engine.compute import parquet_world, rca_table
from bilateral.models.potential import potential_table

pytest.importorskip("pyspark")
if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
    pytest.skip("the Spark tests need Java 17+", allow_module_level=True)

TOL = 1e-9
EXPORTERS = ("AAA", "BBB", "CCC", "DDD", "EEE")
PRODUCTS = ("010121", "100199", "271019", "300490", "520100", "854231", "870322")
# SYNTHETIC flows (not trade statistics), deterministic; about a fifth of the cells are empty
ROWS = [(e, m, k, float(((i * 37 + j * 11 + n * 7) % 23) * 1000 + i + j + n))
        for i, e in enumerate(EXPORTERS) for j, m in enumerate(EXPORTERS) for n, k in enumerate(PRODUCTS)
        if e != m and (i + 2 * j + 3 * n) % 5]
# SYNTHETIC growth and tariff factors
GROWTH = {"AAA": (1.10, 1.20), "BBB": (0.95, 1.05), "CCC": (1.02, 0.90)}
TARIFFS = {"300490": 0.8, "870322": 1.1}
POTENTIAL_KEYS = ["exporter", "importer", "hs6"]
# SYNTHETIC distances (km) between the five exporters, so the distance term runs on both engines
DISTANCES = pa.table({"exporter": [e for e in EXPORTERS for m in EXPORTERS if e != m],
                      "importer": [m for e in EXPORTERS for m in EXPORTERS if e != m],
                      "dist_km": [1000.0 + 250 * i + 90 * j for i, e in enumerate(EXPORTERS)
                                  for j, m in enumerate(EXPORTERS) if e != m]})


def _params():
    """Every product in scope: the synthetic values are far below the default US$1 million floor."""
    from dataclasses import replace

    from bilateral.models.potential import parameters

    return replace(parameters(), capacity_rca_min=0.0, capacity_min_exports_usd=0.0)
YEAR = 2030
# short jobs on tiny data: the JVM's quick compiler and no whole-stage code generation start faster
# (about half the runtime here); partitions few
QUICK_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
TEST_CONF = {"spark.sql.shuffle.partitions": "2", "spark.sql.codegen.wholeStage": "false",
             "spark.driver.extraJavaOptions": QUICK_JVM, "spark.executor.extraJavaOptions": QUICK_JVM}


@pytest.fixture(scope="module")
def spark():
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = spark_session("local[2]", memory="512m", conf=TEST_CONF)
    yield session
    session.stop()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("world") / "world.parquet"
    pq.write_table(pa.table({"year": [YEAR] * len(ROWS), "exporter": [r[0] for r in ROWS],
                             "importer": [r[1] for r in ROWS], "hs6": [r[2] for r in ROWS],
                             "value_usd": [r[3] for r in ROWS]}), path)
    return path


def _same(a: pa.Table, b: pa.Table, keys: list[str]) -> None:
    da = a.to_pandas().sort_values(keys).reset_index(drop=True)
    db = b.to_pandas().sort_values(keys).reset_index(drop=True)
    assert list(da.columns) == list(db.columns)
    assert len(da) == len(db) > 0
    for col in da.columns:
        if da[col].dtype.kind == "f":
            diff = (da[col] - db[col]).abs() / db[col].abs().clip(lower=1.0)
            assert float(diff.max()) <= TOL, col
        else:
            assert da[col].tolist() == db[col].tolist(), col


def test_rca_parity_and_hand_worked(spark, world: Path, tmp_path: Path):
    duck, spk = DuckDBEngine(), SparkEngine(spark)
    a = rca_table(duck, parquet_world(duck, world, YEAR))
    b = rca_table(spk, parquet_world(spk, world, YEAR))
    assert a.num_rows == len({(r[0], r[2]) for r in ROWS})
    _same(a, b, ["exporter", "product"])
    # hand-worked (as tests/test_rca_matrix.py): world 100; AAA 40 (k1 30, k2 10); k1 30, k2 30, k3 40
    small = tmp_path / "small.parquet"
    pq.write_table(pa.table({"exporter": ["AAA", "AAA", "CCC", "CCC", "BBB"],
                             "importer": ["BBB", "CCC", "BBB", "BBB", "AAA"],
                             "hs6": ["010121", "300490", "300490", "870322", "870322"],
                             "value_usd": [30.0, 10.0, 20.0, 20.0, 20.0]}), small)
    got = {(r["exporter"], r["product"]): r["rca"] for r in rca_table(spk, parquet_world(spk, small, 2024)).to_pylist()}
    assert got == {("AAA", "010121"): pytest.approx(2.5), ("AAA", "300490"): pytest.approx(10 / 40 / 0.3),
                   ("CCC", "300490"): pytest.approx(20 / 40 / 0.3), ("CCC", "870322"): pytest.approx(1.25),
                   ("BBB", "870322"): pytest.approx(2.5)}


@pytest.mark.parametrize(("exporters", "markets"), [(None, None), (["AAA"], None), (None, ["BBB", "CCC"])])
def test_potential_parity(spark, world: Path, exporters, markets):
    duck, spk = DuckDBEngine(), SparkEngine(spark)
    a = potential_table(duck, parquet_world(duck, world, YEAR), exporters, markets, growth=GROWTH, tariffs=TARIFFS,
                        params=_params(), distances=DISTANCES)
    b = potential_table(spk, parquet_world(spk, world, YEAR), exporters, markets, growth=GROWTH, tariffs=TARIFFS,
                        params=_params(), distances=DISTANCES)
    _same(a, b, POTENTIAL_KEYS)
    rows = a.to_pylist()
    if exporters is None and markets is None:
        # every exporter × market × product with exports of the product and imports by the market
        assert len(rows) == sum(1 for e in EXPORTERS for m in EXPORTERS for k in PRODUCTS if e != m
                                and any(r[0] == e and r[2] == k for r in ROWS)
                                and any(r[1] == m and r[2] == k for r in ROWS))
    r = next(x for x in rows if (x["exporter"], x["importer"], x["hs6"]) == ("AAA", "BBB", "300490"))
    # hand-checked pieces: share = (x_ik − x_ijk) / (W_k − M_jk); potential = share·g_s·M·g_d·tariff·ease
    x_ik = sum(v for e, _, k, v in ROWS if e == "AAA" and k == "300490")
    x_ijk = sum(v for e, m, k, v in ROWS if (e, m, k) == ("AAA", "BBB", "300490"))
    w_k = sum(v for _, _, k, v in ROWS if k == "300490")
    m_jk = sum(v for _, m, k, v in ROWS if m == "BBB" and k == "300490")
    assert r["share"] == pytest.approx((x_ik - x_ijk) / (w_k - m_jk), rel=1e-12)
    assert r["distance_factor"] != 1.0
    assert r["potential"] == pytest.approx(r["share"] * 1.10 * m_jk * 1.05 * 0.8 * r["distance_factor"] * r["ease"],
                                           rel=1e-12)


def test_partitioned_flows_layout_and_parquet_output(spark, world: Path, tmp_path: Path):
    """Spark reads the layout `export flows --partition` writes; both engines write results as Parquet."""
    import duckdb

    from bilateral.engine.layout import write_partitioned

    con = duckdb.connect()
    # the store's flows columns (only those read), SYNTHETIC rows; one import row and one HS2 row are ignored
    con.execute("CREATE TABLE flows (period VARCHAR, reporter VARCHAR, partner VARCHAR, flow VARCHAR, "
                "hs_revision VARCHAR, product VARCHAR, product_level TINYINT, value_usd DOUBLE)")
    con.executemany("INSERT INTO flows VALUES (?, ?, ?, 'export', 'HS2017', ?, 6, ?)",
                    [(f"CY{YEAR}", *r) for r in ROWS] + [("CY2029", "AAA", "BBB", "300490", 5.0)])
    con.execute(f"INSERT INTO flows VALUES ('CY{YEAR}', 'AAA', 'BBB', 'import', 'HS2017', '300490', 6, 1e6), "
                f"('CY{YEAR}', 'AAA', 'BBB', 'export', NULL, '30', 2, 1e6)")
    layout = tmp_path / "flows"
    write_partitioned(con, "flows", layout)
    assert {p.name for p in layout.iterdir()} == {"year=2029", f"year={YEAR}"}
    spk, duck = SparkEngine(spark), DuckDBEngine()
    _same(rca_table(spk, parquet_world(spk, layout, YEAR)), rca_table(duck, parquet_world(duck, world, YEAR)),
          ["exporter", "product"])
    assert parquet_world(spk, layout).year == YEAR  # the latest year by default
    # the global potential written by the workers, not collected
    potential_table(spk, parquet_world(spk, world, YEAR), growth=GROWTH, params=_params(), distances=DISTANCES,
                    out=tmp_path / "spark_out")
    potential_table(duck, parquet_world(duck, world, YEAR), growth=GROWTH, params=_params(), distances=DISTANCES,
                    out=tmp_path / "duck_out")
    _same(pq.read_table(tmp_path / "spark_out"), pq.read_table(tmp_path / "duck_out"), POTENTIAL_KEYS)
    # a failed Spark job is one line, not a Java stack trace
    from bilateral.errors import BilateralError

    with pytest.raises(BilateralError, match="the Spark job failed") as err:
        potential_table(spk, parquet_world(spk, world, YEAR), growth=GROWTH, params=_params(), distances=DISTANCES,
                    out=tmp_path / "spark_out")
    assert "\n" not in str(err.value)


def test_store_matrix_staged_for_spark(spark, store):
    """The embedded 2024 matrix (DuckDB SQL over the store) is staged to Parquet and read by Spark."""
    from bilateral.engine.run import complementarity_on, engine_run, rca_frame
    from bilateral.indicators.complementarity import complementarity
    from bilateral.indicators.rca import rca_matrix
    from bilateral.store.matrix import world_matrix

    with engine_run(store, engine="spark", master="local[2]", year=2024) as run:
        assert run.engine.name == "spark" and run.local.source == "embedded"
        got = rca_frame(run, "IND")
        tci = complementarity_on(run, "IND", "RUS")
    assert spark.sparkContext._jsc is not None  # the session it found running was left running
    want = rca_matrix(store.con, world_matrix(store, 2024), exporter="IND")
    keys = ["exporter", "product"]
    _same(pa.Table.from_pandas(got, preserve_index=False), pa.Table.from_pandas(want, preserve_index=False), keys)
    ref = complementarity(store.con, world_matrix(store, 2024), "IND", "RUS")
    assert tci.products == ref.products and abs(tci.index - ref.index) <= TOL * 100
    assert round(tci.index, 1) == 41.6  # docs/commands/rca.md


def test_commands_same_output_on_both_engines(spark, store_path: Path, tmp_path: Path):
    """`bilateral rca` and `bilateral potential` give the same rows with --engine duckdb and --engine spark."""
    from test_spark_cli import world_file
    from typer.testing import CliRunner

    from bilateral.cli import app

    world = world_file(tmp_path / "w.parquet")
    outs = {}
    for engine in ("duckdb", "spark"):
        # local[2]: the session this module started (left running: the command did not start it)
        common = ["--engine", engine, "--spark-master", "local[2]", "--matrix", str(world), "--store", str(store_path)]
        out = tmp_path / f"rca_{engine}.parquet"
        res = CliRunner().invoke(app, ["rca", *common, "--out", str(out)])
        assert res.exit_code == 0, res.output
        pot = CliRunner().invoke(app, ["potential", "--pair", "CHN-IND", *common, "--format", "csv"])
        assert pot.exit_code == 0, pot.output
        outs[engine] = (pq.read_table(out), pot.stdout)
    _same(outs["duckdb"][0], outs["spark"][0], ["exporter", "product"])
    assert outs["duckdb"][1] == outs["spark"][1] and "870322" in outs["duckdb"][1]
    assert spark.sparkContext._jsc is not None


def test_loaded_baci_year_and_its_export(spark, fresh_store_path: Path, tmp_path: Path):
    """A BACI year loaded in the store: the commands agree on both engines, and Spark reads its export."""
    from typer.testing import CliRunner

    from bilateral.api import open_store
    from bilateral.cli import app
    from bilateral.sources import baci

    # SYNTHETIC rows in BACI's ISO3 layout (not trade statistics)
    rows = [("IND", "RUS", "300490", 1000.0), ("CHN", "RUS", "300490", 3000.0), ("IND", "BRA", "300490", 500.0),
            ("CHN", "BRA", "010121", 250.0), ("RUS", "IND", "270900", 9000.0), ("BRA", "CHN", "010121", 700.0)]
    src = tmp_path / "world_2024.parquet"
    pq.write_table(pa.table({"year": [2024] * len(rows), "exporter": [r[0] for r in rows],
                             "importer": [r[1] for r in rows], "hs6": [r[2] for r in rows],
                             "value_usd": [r[3] for r in rows]}), src)
    with open_store(fresh_store_path) as s:
        baci.ingest(s, src)
    store = ["--store", str(fresh_store_path)]
    got = {}
    for engine in ("duckdb", "spark"):
        common = ["--year", "2024", "--engine", engine, "--spark-master", "local[2]", *store]
        out = tmp_path / f"rca_{engine}.parquet"
        assert CliRunner().invoke(app, ["rca", *common, "--out", str(out)]).exit_code == 0
        pot = CliRunner().invoke(app, ["potential", "--pair", "IND-RUS", *common, "--format", "csv"])
        assert pot.exit_code == 0, pot.output
        got[engine] = (pq.read_table(out), pot.stdout)
    _same(got["duckdb"][0], got["spark"][0], ["exporter", "product"])
    assert got["duckdb"][1] == got["spark"][1] and "300490" in got["duckdb"][1]
    # RCA(IND, 300490) = (1500/1500) / (4500/14450)
    rca = {(r["exporter"], r["product"]): r["rca"] for r in got["spark"][0].to_pylist()}
    assert rca[("IND", "300490")] == pytest.approx(14450 / 4500, rel=1e-12)
    # the store's BACI flows, exported in the partitioned layout, read by Spark: the same RCA
    layout = tmp_path / "baci_flows"
    res = CliRunner().invoke(app, ["export", "flows_baci", "--format", "parquet", "--partition", "--out", str(layout),
                                   *store])
    assert res.exit_code == 0, res.output
    assert [p.name for p in layout.iterdir()] == ["year=2024"]
    spk = SparkEngine(spark)
    _same(rca_table(spk, parquet_world(spk, layout, 2024)), got["duckdb"][0], ["exporter", "product"])
