"""Where the global computations run: DuckDB on this machine, or Apache Spark on a cluster.

RCA for every exporter × product and export potential for exporters × markets × products are each
ONE SQL text (:func:`bilateral.indicators.rca.rca_sql`, :func:`bilateral.models.potential.potential_sql`)
written in the SQL that DuckDB and Spark SQL both accept, owned by its model or indicator. This
package is the thin layer that runs that same text on either engine and knows no model (the export
potential's run is :func:`bilateral.models.potential.potential_table`): it registers the inputs
(Parquet both engines read, small Arrow tables for parameters) under the relation names the SQL
uses, executes it, and returns Arrow.

- :mod:`bilateral.engine.backends`: :class:`DuckDBEngine`, :class:`SparkEngine`, :func:`spark_session`;
- :mod:`bilateral.engine.compute`: :func:`parquet_world`, :func:`staged_world`, :func:`rca_table`;
- :mod:`bilateral.engine.layout`: the partitioned Parquet layout ``bilateral export flows --partition`` writes.

Why not Ibis: Ibis 12 installs beside duckdb 2.0 and pyspark 4.0 and runs the same expression on
both, but the computations already exist as SQL that both engines parse. Rewriting them as Ibis
expressions would either leave two implementations (SQL for the default DuckDB path, Ibis for Spark)
or move the default path onto a compiler whose SQL nobody here reads; a shared SQL text keeps one
implementation, parity by construction, and no new dependency on the DuckDB path (docs/spark.md).
"""

from __future__ import annotations

from typing import Literal, cast

from bilateral.errors import InputError

__all__ = ["DEFAULT_SPARK_MASTER", "DEFAULT_SPARK_MEMORY", "ENGINES", "Engine", "check_engine"]

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[Engine, ...] = ("duckdb", "spark")
#: every core of this machine; a cluster is ``spark://HOST:7077`` (standalone), ``yarn``, ``k8s://…``
DEFAULT_SPARK_MASTER = "local[*]"
#: memory of the Spark driver (and of each executor on a cluster) unless given; Spark's own default is 1g
DEFAULT_SPARK_MEMORY = "2g"


def check_engine(name: str) -> Engine:
    """The engine named (duckdb or spark), or an InputError listing them."""
    key = name.strip().lower()
    if key not in ENGINES:
        raise InputError(f"unknown engine {name!r}; use one of {', '.join(ENGINES)}", field="--engine")
    return cast(Engine, key)
