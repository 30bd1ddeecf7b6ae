"""What `bilateral rca` and `bilateral potential` need to run on an engine.

The commands keep their own output; this module opens the engine (``--engine``, ``--spark-master``,
``--spark-memory``: :mod:`bilateral.engine.options`), the matrix it reads (``--matrix`` Parquet, or
the store's matrix staged to Parquet) and runs the one SQL text of each computation on it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bilateral.engine import DEFAULT_SPARK_MASTER, DEFAULT_SPARK_MEMORY, Engine, check_engine
from bilateral.engine.backends import DuckDBEngine, SqlEngine, open_engine
from bilateral.errors import InputError
from bilateral.store.matrix import WorldMatrix

__all__ = ["Run", "complementarity_on", "engine_run", "rca_frame"]


@dataclass(frozen=True)
class Run:
    """An engine, the matrix it reads, and the same matrix for DuckDB on the store's connection."""

    engine: SqlEngine
    matrix: WorldMatrix
    local: WorldMatrix


@contextmanager
def engine_run(store: Any, *, engine: str = "duckdb", year: int | None = None, matrix_path: str | None = None,
               master: str = DEFAULT_SPARK_MASTER, memory: str = DEFAULT_SPARK_MEMORY,
               need_local: bool = True, parts: tuple[str, ...] = ("flows", "exports", "imports")) -> Iterator[Run]:
    """Open the engine and the matrix of ``year`` for it (Spark is stopped on exit).

    ``local`` is the matrix DuckDB reads on the store's connection, for the steps that stay on this
    machine (top suppliers); with ``matrix_path`` DuckDB reads the same Parquet. When it cannot (a
    cluster URL) and ``need_local`` is False, ``local`` is the engine's matrix, for its metadata only.
    ``parts``: the matrix relations the computation reads (staged to Parquet for Spark).
    """
    from bilateral.engine.compute import parquet_world, staged_world
    from bilateral.store.matrix import world_matrix

    name: Engine = check_engine(engine)
    local_engine = DuckDBEngine(store.con)
    if name == "duckdb":
        local = parquet_world(local_engine, matrix_path, year) if matrix_path else world_matrix(store, year)
        yield Run(local_engine, local, local)
        return
    if not matrix_path:
        local = world_matrix(store, year)
    with open_engine(name, master=master, memory=memory) as eng, \
            tempfile.TemporaryDirectory(prefix="bilateral-spark-") as tmp:
        if matrix_path:
            matrix = parquet_world(eng, matrix_path, year)
            try:
                local = parquet_world(local_engine, matrix_path, matrix.year)
            except InputError as exc:
                if need_local:
                    raise InputError(f"{exc}; the top suppliers are read on this machine: give --matrix as a path "
                                     "(or URL) DuckDB reads here too", field="--matrix") from None
                local = matrix
        else:
            matrix = staged_world(store.con, local, eng, Path(tmp), parts)
        yield Run(eng, matrix, local)


def rca_frame(run: Run, exporter: str | None = None) -> Any:
    """RCA on the run's engine as a pandas DataFrame with the columns of ``rca_matrix``: exporter, product, value, rca."""
    from bilateral.engine.compute import rca_table

    return rca_table(run.engine, run.matrix, exporter).to_pandas()


def complementarity_on(run: Run, exporter: str, importer: str) -> Any:
    """:func:`bilateral.indicators.complementarity.complementarity` computed by the run's engine."""
    from bilateral.indicators.complementarity import complementarity_matrix_sql, complementarity_result

    ex, im = exporter.upper(), importer.upper()
    t = run.engine.arrow(complementarity_matrix_sql(run.matrix, ex, im))
    return complementarity_result(run.matrix, ex, im, [t.column(i)[0].as_py() for i in range(t.num_columns)])
