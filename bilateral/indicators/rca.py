"""Revealed comparative advantage (Balassa) and trade complementarity, computed in DuckDB.

Both take any SQL relation with the columns they name, so the same query runs over the store's
``flows`` table, a BACI year read straight from CSV, or (through the same SQL) another engine. The
relations come from the read layer (:mod:`bilateral.store.matrix`), read by the caller: nothing here
reads the store (:func:`bilateral.models.indicators.rca_baci` reads a loaded BACI year and calls
:func:`rca_named`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

RCA_SQL = """
WITH x AS (
    SELECT exporter, product, sum(value) AS v FROM ({source}) GROUP BY ALL HAVING sum(value) > 0
), by_exporter AS (SELECT exporter, sum(v) AS xi FROM x GROUP BY ALL),
by_product AS (SELECT product, sum(v) AS xk FROM x GROUP BY ALL),
world AS (SELECT sum(v) AS w FROM x)
SELECT x.exporter, x.product, x.v AS value,
       (x.v / e.xi) / (p.xk / world.w) AS rca
FROM x JOIN by_exporter e USING (exporter) JOIN by_product p USING (product), world
"""


def rca_sql(source: str) -> str:
    """SQL computing Balassa's RCA for every (exporter, product) with positive exports.

    ``source`` is a query (or table name wrapped as ``SELECT * FROM t``) with columns
    ``exporter, product, value``. Cells with no exports have RCA 0 and are not returned.
    """
    return RCA_SQL.format(source=source)


def rca(con: duckdb.DuckDBPyConnection, source: str) -> Any:
    """Balassa RCA as a pandas DataFrame (exporter, product, value, rca)."""
    return con.execute(rca_sql(source)).df()


def rca_named(con: duckdb.DuckDBPyConnection, exports: str, names: str) -> Any:
    """Balassa RCA over cells keyed by numeric country codes, the exporters named (ISO3) afterwards.

    ``exports`` is a relation ``exporter`` (code), ``product``, ``value`` and ``names`` one of
    ``code, iso3`` (as :func:`bilateral.store.matrix.baci_year_exports` returns for a loaded BACI
    year): the aggregation runs on the codes and only the aggregated rows are named.
    """
    sql = (f"SELECT c.iso3 AS exporter, r.product, r.value, r.rca FROM ({rca_sql(exports)}) r "
           f"JOIN ({names}) c ON c.code = r.exporter")
    return con.execute(sql).df()


def trade_complementarity(importer_shares: dict[str, float], exporter_shares: dict[str, float]) -> float:
    """WITS trade complementarity index of i's imports and j's exports, 0–100.

    Arguments are product → value (or share) maps; each is normalised to shares here.
    """
    mi, xj = sum(importer_shares.values()), sum(exporter_shares.values())
    if mi <= 0 or xj <= 0:
        raise ValueError("trade complementarity needs positive imports and exports")
    products = set(importer_shares) | set(exporter_shares)
    diff = sum(abs(importer_shares.get(k, 0.0) / mi - exporter_shares.get(k, 0.0) / xj) for k in products)
    return 100.0 * (1.0 - diff / 2.0)


def rca_matrix(con: duckdb.DuckDBPyConnection, matrix: Any, exporter: str | None = None) -> Any:
    """RCA for every exporter × HS6 of a :class:`~bilateral.store.matrix.WorldMatrix`.

    Computed from its exports by country and product, so the embedded slices serve as well as a
    loaded BACI year.

    ``exporter`` keeps that exporter's rows only (the world shares still use every exporter).
    """
    return con.execute(rca_matrix_sql(matrix, exporter)).df()


def rca_matrix_sql(matrix: Any, exporter: str | None = None) -> str:
    """The SQL of :func:`rca_matrix` (columns exporter, product, value, rca).

    Runs on any engine that reads the matrix's relations: DuckDB here, Spark through
    :mod:`bilateral.engine`.
    """
    source = f"SELECT exporter, hs6 AS product, value_usd AS value FROM ({matrix.exports})"
    sql = rca_sql(source)
    if exporter is not None:
        sql = f"SELECT * FROM ({sql}) WHERE exporter = {country_literal(exporter)}"
    return sql


#: the order every RCA output shares: by exporter, its strongest products first
RCA_ORDER = "exporter, rca DESC, product"
#: rows fetched from DuckDB at a time while an output streams
FETCH_ROWS = 8192


def rca_ordered_sql(matrix: Any, exporter: str | None = None) -> str:
    """:func:`rca_matrix_sql` in the order outputs show it (:data:`RCA_ORDER`)."""
    return f"SELECT exporter, product, value, rca FROM ({rca_matrix_sql(matrix, exporter)}) ORDER BY {RCA_ORDER}"


def rca_rows(con: duckdb.DuckDBPyConnection, matrix: Any, exporter: str | None = None,
             limit: int | None = None) -> tuple[int, Iterator[tuple[Any, ...]]]:
    """The number of RCA cells, and the cells (exporter, product, value, rca) in :data:`RCA_ORDER` as they are fetched.

    One query: the count is taken over every cell in the same pass, and with ``limit`` only the
    first rows leave DuckDB. The rows come from a cursor of their own in batches, so memory stays
    flat and other queries may run on ``con`` meanwhile.
    """
    cur = con.cursor()
    cur.execute(f"SELECT exporter, product, value, rca, count(*) OVER () FROM ({rca_matrix_sql(matrix, exporter)}) "
                f"ORDER BY {RCA_ORDER}" + (f" LIMIT {int(limit)}" if limit is not None else ""))
    first = cur.fetchmany(FETCH_ROWS)
    total = int(first[0][4]) if first else 0

    def rows() -> Iterator[tuple[Any, ...]]:
        batch = first
        try:
            while batch:
                yield from (r[:4] for r in batch)
                batch = cur.fetchmany(FETCH_ROWS)
        finally:
            cur.close()

    return total, rows()


def rca_copy(con: duckdb.DuckDBPyConnection, matrix: Any, path: str | Path, exporter: str | None = None,
             *, fmt: str = "parquet") -> int:
    """Write every RCA cell to ``path`` with DuckDB's ``COPY`` (``fmt`` parquet, zstd; or csv with a header).

    Nothing passes through Python. Returns the rows written.
    """
    options = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER true"
    row = con.execute(f"COPY ({rca_ordered_sql(matrix, exporter)}) TO ? ({options})", [str(path)]).fetchone()
    return int(row[0]) if row else 0


def country_literal(code: str) -> str:
    """A country code as an SQL literal for SQL that also runs on Spark (no bound parameters there).

    Only ISO3-like codes pass (letters, digits, ``_``), so nothing but a code reaches the SQL text.
    """
    import re

    from bilateral.errors import InputError

    c = code.strip().upper()
    if not re.fullmatch(r"[A-Z0-9_]{2,6}", c):
        raise InputError(f"{code!r} is not a country code (e.g. IND, RUS)")
    return f"'{c}'"
