"""The engine options of `bilateral rca` and `bilateral potential` (light: imported when the CLI starts)."""

from __future__ import annotations

from typing import Annotated

import typer

#: where a global computation may run
ENGINES: tuple[str, ...] = ("duckdb", "spark")


def engine(value: object) -> str:
    """``--engine``: duckdb or spark (a usage error otherwise; the CLI fills in the option's name)."""
    text = str(value).strip().lower()
    if text not in ENGINES:
        raise ValueError(f"unknown {{option}} {text[:40]!r}; use one of {', '.join(ENGINES)}")
    return text

__all__ = ["ENGINES", "EngineOpt", "MatrixOpt", "SparkMasterOpt", "SparkMemoryOpt"]

EngineOpt = Annotated[str, typer.Option(
    "--engine", parser=engine,
        help="Where the computation runs: duckdb (this machine) or spark (a Spark cluster; needs "
                     "the spark extra of bilateral and Java 17+). See docs/spark.md.")]
SparkMasterOpt = Annotated[str, typer.Option(
    "--spark-master", help="Spark master URL with --engine spark: local[*], spark://HOST:7077, yarn, k8s://…")]
SparkMemoryOpt = Annotated[str, typer.Option(
    "--spark-memory", help="Memory of the Spark driver and of each executor, e.g. 2g, 8g.")]
MatrixOpt = Annotated[str | None, typer.Option(
    "--matrix", help="Read the world matrix from Parquet (a file with exporter, importer, hs6, value_usd[, year], "
                     "or a directory from `bilateral export flows --format parquet --partition`; a path or URL "
                     "the engine reads) instead of the store.")]
