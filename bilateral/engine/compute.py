"""The inputs of the global computations on either engine, and RCA from its one SQL text.

Models own their SQL and hand it to an engine; this package knows no model (the export potential's
run on an engine is :func:`bilateral.models.potential.potential_table`).

The inputs are a :class:`~bilateral.store.matrix.WorldMatrix` whose relations the engine can read:
:func:`parquet_world` builds one over Parquet both engines read (a file, or the partitioned layout
``bilateral export flows --partition`` writes); :func:`staged_world` copies a matrix that lives in
the store (a loaded BACI year, the embedded slices) to Parquet first, for Spark.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from bilateral.engine.backends import DuckDBEngine, SqlEngine, view_name
from bilateral.errors import InputError
from bilateral.store.matrix import WorldMatrix

__all__ = ["MATRIX_COLUMNS", "parquet_world", "rca_table", "staged_world"]

#: a world matrix file: one row per exporter × importer × HS6 (``year`` optional)
MATRIX_COLUMNS = frozenset({"exporter", "importer", "hs6", "value_usd"})
#: the store's canonical flows columns (``bilateral export flows``); exports at HS6 are read
FLOWS_COLUMNS = frozenset({"reporter", "partner", "flow", "product", "product_level", "value_usd"})


def _marginals(flows: str) -> tuple[str, str]:
    return (f"SELECT exporter, hs6, sum(value_usd) AS value_usd FROM ({flows}) GROUP BY ALL",
            f"SELECT importer, hs6, sum(value_usd) AS value_usd FROM ({flows}) GROUP BY ALL")


def parquet_world(engine: SqlEngine, path: str | Path, year: int | None = None) -> WorldMatrix:
    """A world matrix read from Parquet by ``engine``: a file or a directory of ``year=…/`` partitions.

    Columns either ``exporter, importer, hs6, value_usd`` (as ``baci2024/world_hs6_2024.parquet``) or
    the store's flows (``reporter, partner, flow, product, product_level, value_usd``, of which the
    HS6 exports are read). With a ``year`` column, ``year`` picks one (default: the latest).
    """
    if "://" not in str(path) and not Path(path).exists():
        raise InputError("no such file or directory (a Parquet world matrix)", file=str(path), field="--matrix")
    name = view_name("world")
    cols = set(engine.register_parquet(name, path))
    rel = engine.relation(name)
    if MATRIX_COLUMNS <= cols:
        base = f"SELECT exporter, importer, hs6, CAST(value_usd AS DOUBLE) AS value_usd FROM {rel} WHERE TRUE"
    elif FLOWS_COLUMNS <= cols:
        base = (f"SELECT reporter AS exporter, partner AS importer, product AS hs6, "
                f"CAST(value_usd AS DOUBLE) AS value_usd FROM {rel} WHERE flow = 'export' AND product_level = 6")
    else:
        engine.drop(name)
        raise InputError(f"columns {', '.join(sorted(cols))} are neither a world matrix "
                         f"({', '.join(sorted(MATRIX_COLUMNS))}) nor the store's flows", file=str(path))
    if "year" in cols:
        if year is None:
            latest = engine.arrow(f"SELECT max(year) AS y FROM {rel}").column("y")[0].as_py()
            if latest is None:
                raise InputError("the matrix has no rows", file=str(path))
            year = int(latest)
        base += f" AND year = {int(year)}"
    elif year is None:
        raise InputError("the matrix has no year column: give its year (--year)", file=str(path))
    exports, imports = _marginals(base)
    return WorldMatrix(year=int(year), source="parquet", release=f"file:{Path(str(path)).name}", flows=base,
                       exports=exports, imports=imports, caveat=f"matrix read from {path}", missing_importers=None)


MATRIX_PARTS = ("flows", "exports", "imports")


def staged_world(con: Any, matrix: WorldMatrix, engine: SqlEngine, workdir: Path,
                 parts: tuple[str, ...] = MATRIX_PARTS) -> WorldMatrix:
    """``matrix`` (its relations are DuckDB SQL on ``con``) readable by ``engine``.

    On the same DuckDB connection it is returned as is. Otherwise DuckDB writes the relations named
    in ``parts`` to Parquet in ``workdir`` (which the engine's workers must be able to read: on a
    cluster, shared storage) and the engine reads them from there; RCA needs only the exports (and
    the imports for complementarity), not the bilateral flows.
    """
    if isinstance(engine, DuckDBEngine) and engine.con is con:
        return matrix
    workdir.mkdir(parents=True, exist_ok=True)
    rel: dict[str, str | None] = {part: getattr(matrix, part) for part in (*MATRIX_PARTS, "supplier_distance")}
    if matrix.supplier_distance is not None and "flows" in parts:  # the embedded slices carry it: stage it too
        parts = (*parts, "supplier_distance")
    for part in parts:
        path = workdir / f"{part}.parquet"
        con.execute(f"COPY ({getattr(matrix, part)}) TO ? (FORMAT parquet, COMPRESSION zstd)", [str(path)])
        name = view_name(part)
        engine.register_parquet(name, path)
        rel[part] = f"SELECT * FROM {engine.relation(name)}"
    return dataclasses.replace(matrix, flows=str(rel["flows"]), exports=str(rel["exports"]),
                               imports=str(rel["imports"]), supplier_distance=rel["supplier_distance"])


def rca_table(engine: SqlEngine, matrix: WorldMatrix, exporter: str | None = None, *,
              out: str | Path | None = None) -> Any:
    """Balassa RCA as a pyarrow Table (exporter, product, value, rca), computed by ``engine``.

    The SQL is :func:`bilateral.indicators.rca.rca_matrix_sql`, as ``bilateral rca`` runs on DuckDB;
    ``exporter`` keeps that exporter's rows (the world shares still use every exporter).

    With ``out``, the engine's workers write it there instead (a new directory of Parquet files) and
    None is returned: nothing passes through the driver.
    """
    from bilateral.indicators.rca import rca_matrix_sql

    sql = rca_matrix_sql(matrix, exporter)
    if out is not None:
        engine.write_parquet(sql, out)
        return None
    return engine.arrow(sql)
