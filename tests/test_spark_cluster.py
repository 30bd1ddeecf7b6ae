"""The same job on a REAL standalone Spark cluster on loopback: one master and one worker.

Both are started from the launcher the pyspark package ships (``$SPARK_HOME/bin/spark-class``
``org.apache.spark.deploy.master.Master`` / ``…worker.Worker``), bound to 127.0.0.1 with small
memory, and stopped afterwards. Skipped when pyspark or Java is absent.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

pyspark = pytest.importorskip("pyspark")
if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
    pytest.skip("the Spark tests need Java 17+", allow_module_level=True)

from test_spark_parity import DISTANCES, GROWTH, POTENTIAL_KEYS, ROWS, TARIFFS, TEST_CONF, YEAR, _same  # noqa: E402

from bilateral.engine.backends import DuckDBEngine, SparkEngine, spark_session  # noqa: E402
from bilateral.engine.compute import parquet_world, rca_table  # noqa: E402
from bilateral.models.potential import parameters, potential_table  # noqa: E402

LOOPBACK = "127.0.0.1"
START_TIMEOUT_S = 90
MEMORY = "512m"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def _master_state(ui_port: int) -> dict:
    with urllib.request.urlopen(f"http://{LOOPBACK}:{ui_port}/json/", timeout=5) as r:
        return json.load(r)


def _wait(what: str, ready, procs: list[subprocess.Popen], logs: list[Path]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            break
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.5)
    tail = "\n".join(log.read_text(errors="replace")[-2000:] for log in logs if log.exists())
    pytest.fail(f"standalone Spark {what} did not come up:\n{tail}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    home = Path(pyspark.__file__).parent
    spark_class = home / "bin" / "spark-class"
    work = tmp_path_factory.mktemp("spark-cluster")
    port, ui, worker_ui = _free_port(), _free_port(), _free_port()
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": LOOPBACK, "SPARK_DAEMON_MEMORY": "256m",
           "SPARK_DAEMON_JAVA_OPTS": TEST_CONF["spark.driver.extraJavaOptions"],
           "SPARK_WORKER_DIR": str(work / "work"), "PYSPARK_PYTHON": sys.executable,
           "SPARK_LOG_DIR": str(work)}
    os.environ["SPARK_LOCAL_IP"] = LOOPBACK  # the driver (this process) binds to loopback too
    procs: list[subprocess.Popen] = []
    logs = [work / "master.log", work / "worker.log"]
    try:
        with logs[0].open("w") as log:
            procs.append(subprocess.Popen(
                [str(spark_class), "org.apache.spark.deploy.master.Master", "--host", LOOPBACK, "--port", str(port),
                 "--webui-port", str(ui)], env=env, stdout=log, stderr=subprocess.STDOUT))
        _wait("master", lambda: _master_state(ui)["status"] == "ALIVE", procs, logs)
        url = f"spark://{LOOPBACK}:{port}"
        with logs[1].open("w") as log:
            procs.append(subprocess.Popen(
                [str(spark_class), "org.apache.spark.deploy.worker.Worker", "--host", LOOPBACK,
                 "--webui-port", str(worker_ui), "--cores", "1", "--memory", MEMORY,
                 "--work-dir", str(work / "work"), url], env=env, stdout=log, stderr=subprocess.STDOUT))
        _wait("worker", lambda: any(w["state"] == "ALIVE" for w in _master_state(ui)["workers"]), procs, logs)
        yield url, ui
    finally:
        for p in reversed(procs):  # spark-class execs java: these are the JVMs themselves
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def test_same_job_on_a_standalone_cluster(cluster: tuple[str, int], tmp_path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    url, ui = cluster
    world = tmp_path / "world.parquet"
    pq.write_table(pa.table({"year": [YEAR] * len(ROWS), "exporter": [r[0] for r in ROWS],
                             "importer": [r[1] for r in ROWS], "hs6": [r[2] for r in ROWS],
                             "value_usd": [r[3] for r in ROWS]}), world)
    session = spark_session(url, memory=MEMORY, executor_cores=1,
                            conf={**TEST_CONF, "spark.cores.max": "1"})
    try:
        assert session.sparkContext.master == url
        spk, duck = SparkEngine(session), DuckDBEngine()
        m = parquet_world(spk, world, YEAR)
        # the application runs on the cluster's worker: the master lists it with its one core
        apps = _master_state(ui)["activeapps"]
        assert len(apps) == 1 and apps[0]["cores"] == 1
        _same(rca_table(duck, parquet_world(duck, world, YEAR)), rca_table(spk, m), ["exporter", "product"])
        params = replace(parameters(), capacity_rca_min=0.0, capacity_min_exports_usd=0.0)  # synthetic values
        _same(potential_table(duck, parquet_world(duck, world, YEAR), growth=GROWTH, tariffs=TARIFFS, params=params,
                              distances=DISTANCES),
              potential_table(spk, m, growth=GROWTH, tariffs=TARIFFS, params=params, distances=DISTANCES),
              POTENTIAL_KEYS)
    finally:
        session.stop()
