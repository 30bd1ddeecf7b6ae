"""The two SQL engines behind one small interface: register inputs, run SQL text, get Arrow back.

Both take the same SQL text. What differs between them is only how an input becomes a named
relation (DuckDB: a ``read_parquet(…)`` call written into the SQL, since views are private to one
connection; Spark: a temporary view over ``spark.read.parquet``)
and how the result comes back (both as a ``pyarrow.Table``).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path
from typing import Any, Protocol

from bilateral.engine import DEFAULT_SPARK_MASTER, DEFAULT_SPARK_MEMORY, Engine
from bilateral.errors import BilateralError, InputError

__all__ = ["DuckDBEngine", "SparkEngine", "SqlEngine", "open_engine", "spark_session"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_views = count(1)


def _check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"relation name {name!r} is not an SQL identifier")
    return name


def view_name(stem: str) -> str:
    """A fresh relation name (unique in this process), e.g. ``bl_3_flows``."""
    return _check_name(f"bl_{next(_views)}_{stem}")


class SqlEngine(Protocol):
    """What the computations need from an engine."""

    name: Engine

    def register_parquet(self, name: str, path: str | Path) -> list[str]:
        """Make the Parquet file or directory (hive-partitioned ``key=value/``) relation ``name``; its columns."""
        ...

    def relation(self, name: str) -> str:
        """What to write after FROM to read relation ``name`` registered from Parquet."""
        ...

    def register_arrow(self, name: str, table: Any) -> None:
        """Make a (small) pyarrow Table relation ``name``."""
        ...

    def arrow(self, sql: str) -> Any:
        """Run ``sql`` and return the result as a pyarrow Table."""
        ...

    def drop(self, name: str) -> None:
        """Forget relation ``name``."""
        ...

    def write_parquet(self, sql: str, out: str | Path) -> None:
        """Run ``sql`` and write the result as a new directory of Parquet files (in parallel, by the workers)."""
        ...


def _parquet_glob(path: str | Path) -> str:
    text = str(path)
    if "://" not in text and Path(text).is_dir():
        return text.rstrip("/") + "/**/*.parquet"
    return text


class DuckDBEngine:
    """SQL on a DuckDB connection (the store's, or an in-memory one)."""

    name: Engine = "duckdb"

    def __init__(self, con: Any | None = None) -> None:
        import duckdb

        self.con = con if con is not None else duckdb.connect()
        self.con.execute("SET enable_progress_bar = false")  # it prints to stdout: JSON/CSV output would break
        self._arrow: set[str] = set()
        self._parquet: dict[str, str] = {}

    def register_parquet(self, name: str, path: str | Path) -> list[str]:
        # no view: a view is private to its connection, and the models run on cursors of their own
        import duckdb

        glob = _parquet_glob(path).replace("'", "''")
        source = f"read_parquet('{glob}', hive_partitioning = true)"
        try:
            cols = [d[0] for d in self.con.execute(f"SELECT * FROM {source} LIMIT 0").description]
        except duckdb.Error as exc:
            raise InputError(f"DuckDB cannot read it as Parquet: {str(exc).splitlines()[0]}", file=str(path)) from None
        self._parquet[_check_name(name)] = source
        return cols

    def relation(self, name: str) -> str:
        return self._parquet.get(name, name)

    def register_arrow(self, name: str, table: Any) -> None:
        self.con.register(_check_name(name), table)
        self._arrow.add(name)

    def arrow(self, sql: str) -> Any:
        rel = self.con.sql(sql)
        fetch = getattr(rel, "to_arrow_table", None) or rel.arrow  # duckdb >= 1.4 | older
        return fetch()

    def write_parquet(self, sql: str, out: str | Path) -> None:
        self.con.execute(f"COPY ({sql}) TO ? (FORMAT parquet, COMPRESSION zstd, PER_THREAD_OUTPUT true)", [str(out)])

    def drop(self, name: str) -> None:
        if name in self._arrow:
            self.con.unregister(name)
            self._arrow.discard(name)
        self._parquet.pop(name, None)


class SparkEngine:
    """Spark SQL on a SparkSession (local or on a cluster)."""

    name: Engine = "spark"

    def __init__(self, session: Any) -> None:
        self.spark = session

    def register_parquet(self, name: str, path: str | Path) -> list[str]:
        from pyspark.errors import PySparkException

        try:
            df = self.spark.read.parquet(str(path))
        except PySparkException as exc:
            raise InputError(f"Spark cannot read it as Parquet: {str(exc).splitlines()[0]}", file=str(path)) from None
        df.createOrReplaceTempView(_check_name(name))
        return list(df.columns)

    def relation(self, name: str) -> str:
        return name

    def register_arrow(self, name: str, table: Any) -> None:
        if table.num_rows == 0:  # Spark cannot infer a schema from no rows: give it the Arrow one
            from pyspark.sql.pandas.types import from_arrow_schema

            self.spark.createDataFrame([], from_arrow_schema(table.schema)).createOrReplaceTempView(_check_name(name))
            return
        self.spark.createDataFrame(table.to_pandas()).createOrReplaceTempView(_check_name(name))

    def arrow(self, sql: str) -> Any:
        with _spark_errors():
            return self.spark.sql(sql).toArrow()

    def write_parquet(self, sql: str, out: str | Path) -> None:
        with _spark_errors():
            self.spark.sql(sql).write.mode("errorifexists").option("compression", "zstd").parquet(str(out))

    def drop(self, name: str) -> None:
        self.spark.catalog.dropTempView(_check_name(name))


@contextmanager
def _spark_errors() -> Iterator[None]:
    """A failed Spark job (lost executors, out of memory, an existing output) as one line."""
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    try:
        yield
    except (PySparkException, Py4JError) as exc:
        first = next((line for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
        raise BilateralError(f"the Spark job failed: {first[:300]}") from None


def _java_ok() -> bool:
    home = os.environ.get("JAVA_HOME")
    return bool(shutil.which("java") or (home and (Path(home) / "bin" / "java").exists()))


def _is_loopback(master: str) -> bool:
    return master.startswith("local") or master.startswith(("spark://127.0.0.1", "spark://localhost"))


def spark_session(master: str = DEFAULT_SPARK_MASTER, *, memory: str = DEFAULT_SPARK_MEMORY,
                  executor_cores: int | None = None, app_name: str = "bilateral",
                  conf: dict[str, str] | None = None) -> Any:
    """A SparkSession on ``master`` (``local[*]``, ``spark://host:7077``, ``yarn``, ``k8s://…``).

    ``memory`` is the driver's and each executor's (``512m``, ``4g``); the driver's only takes effect
    when this call starts the JVM. A session already running on another master is stopped first
    (one SparkContext per process). The web UI is off; logs at ERROR. For a loopback master the
    driver binds to 127.0.0.1.
    """
    if not re.fullmatch(r"\d+[kmgt]", memory.lower()):
        raise InputError(f"Spark memory {memory!r} is not like 512m or 4g", field="--spark-memory")
    try:
        from py4j.protocol import Py4JError
        from pyspark.errors import PySparkException
        from pyspark.sql import SparkSession
    except ImportError:
        raise BilateralError("the Spark engine needs pyspark: pip install 'bilateral[spark]' "
                             "(and Java 17 or later)") from None
    if not _java_ok():
        raise BilateralError("the Spark engine needs Java 17 or later on PATH (or JAVA_HOME)")
    active = SparkSession.getActiveSession()
    if active is not None and active.sparkContext.master != master:
        active.stop()
    settings = {
        "spark.driver.memory": memory, "spark.executor.memory": memory,
        "spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
        # the Arrow path for results and for the small parameter tables
        "spark.sql.execution.arrow.pyspark.enabled": "true",
    }
    if executor_cores is not None:
        settings["spark.executor.cores"] = str(executor_cores)
    if _is_loopback(master):
        settings |= {"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"}
    settings |= conf or {}
    builder = SparkSession.builder.master(master).appName(app_name)
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except (Py4JError, PySparkException, RuntimeError, OSError) as exc:
        raise BilateralError(f"could not start Spark on {master}: {str(exc).splitlines()[0]}") from None
    session.sparkContext.setLogLevel("ERROR")
    return session


@contextmanager
def open_engine(engine: Engine, *, con: Any | None = None, master: str = DEFAULT_SPARK_MASTER,
                memory: str = DEFAULT_SPARK_MEMORY, stop: bool = True) -> Iterator[SqlEngine]:
    """The engine named: DuckDB on ``con`` (default in-memory) or Spark on ``master``.

    A Spark session started here is stopped after (if ``stop``); one already running on ``master`` is reused.
    """
    if engine == "duckdb":
        yield DuckDBEngine(con)
        return
    try:
        from pyspark.sql import SparkSession

        before = SparkSession.getActiveSession()
    except ImportError:
        before = None  # spark_session says how to install it
    session = spark_session(master, memory=memory)
    try:
        yield SparkEngine(session)
    finally:
        if stop and session is not before:  # a session someone else started stays theirs
            session.stop()
