"""RCA and export potential on either engine, from the one SQL text of each.

The inputs are a :class:`~bilateral.store.matrix.WorldMatrix` whose relations the engine can read:
:func:`parquet_world` builds one over Parquet both engines read (a file, or the partitioned layout
``bilateral export flows --partition`` writes); :func:`staged_world` copies a matrix that lives in
the store (a loaded BACI year, the embedded slices) to Parquet first, for Spark.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from bilateral.engine.backends import DuckDBEngine, SqlEngine, view_name
from bilateral.errors import InputError
from bilateral.store.matrix import WorldMatrix

__all__ = ["MATRIX_COLUMNS", "parquet_world", "potential_table", "rca_table", "staged_world"]

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
                       exports=exports, imports=imports, caveat=f"matrix read from {path}")


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
    rel = {part: getattr(matrix, part) for part in MATRIX_PARTS}
    for part in parts:
        path = workdir / f"{part}.parquet"
        con.execute(f"COPY ({getattr(matrix, part)}) TO ? (FORMAT parquet, COMPRESSION zstd)", [str(path)])
        name = view_name(part)
        engine.register_parquet(name, path)
        rel[part] = f"SELECT * FROM {engine.relation(name)}"
    return dataclasses.replace(matrix, flows=rel["flows"], exports=rel["exports"], imports=rel["imports"])


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


def default_growth() -> dict[str, tuple[float, float]]:
    """Supply and demand growth factors of every country with macro data (as :func:`potential` uses)."""
    from bilateral.models.potential import growth_factors, parameters
    from bilateral.store.matrix import macro_series

    m = macro_series()
    return growth_factors(sorted({c for c, _ in m.gdp} | {c for c, _ in m.population}), parameters())


def potential_table(engine: SqlEngine, matrix: WorldMatrix, exporters: Iterable[str] | None = None,
                    markets: Iterable[str] | None = None, *, params: Any = None,
                    growth: Mapping[str, tuple[float, float]] | None = None,
                    tariffs: Mapping[str, float] | None = None, out: str | Path | None = None) -> Any:
    """Export potential cells (:func:`bilateral.models.potential.potential_sql`) as a pyarrow Table.

    ``exporters``/``markets`` None: every one (the global computation: on the 2024 world matrix up
    to 92 million exporter × market × HS6 cells, so give ``out``: the workers then write a new
    directory of Parquet files and None is returned). ``growth`` defaults to :func:`default_growth`,
    ``tariffs`` (hs6 → factor) to the parameter's default factor.
    """
    import pyarrow as pa

    from bilateral.models.potential import parameters, potential_sql

    params = params or parameters()
    growth = default_growth() if growth is None else growth
    g_name = view_name("growth")
    engine.register_arrow(g_name, pa.table({
        "iso3": pa.array(list(growth), type=pa.string()),
        "supply_factor": pa.array([float(v[0]) for v in growth.values()], type=pa.float64()),
        "demand_factor": pa.array([float(v[1]) for v in growth.values()], type=pa.float64())}))
    names = [g_name]
    t_rel = None
    if tariffs:
        t_name = view_name("tariffs")
        engine.register_arrow(t_name, pa.table({
            "hs6": pa.array(list(tariffs), type=pa.string()),
            "tariff_factor": pa.array([float(v) for v in tariffs.values()], type=pa.float64())}))
        names.append(t_name)
        t_rel = f"SELECT * FROM {t_name}"
    try:
        sql = potential_sql(matrix, exporters, markets, params, growth=f"SELECT * FROM {g_name}", tariffs=t_rel)
        if out is not None:
            engine.write_parquet(sql, out)
            return None
        return engine.arrow(sql)
    finally:
        for n in names:
            engine.drop(n)
