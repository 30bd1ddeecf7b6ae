"""Whole tables for ``bilateral export``: copies, heads and the partitioned layout a cluster reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bilateral.errors import BilateralError
from bilateral.store.db import Store

# -- whole tables (``bilateral export``) -------------------------------------------------------------
#: the tables and views ``bilateral export`` writes; a name outside this list is never spliced into SQL
EXPORT_TABLES: tuple[str, ...] = ("flows", "flows_baci", "official_totals", "products", "sectors", "countries",
                                  "baci_countries", "releases")
EXPORT_OPTIONS = {"csv": "FORMAT csv, HEADER true", "json": "FORMAT json, ARRAY true",
                  "parquet": "FORMAT parquet, COMPRESSION zstd"}


def _export_name(table: str) -> str:
    if table not in EXPORT_TABLES:
        raise BilateralError(f"unknown table {table!r}; use one of {', '.join(EXPORT_TABLES)}")
    return table


def copy_table(store: Store, table: str, fmt: str, path: Path) -> None:
    """Write a whole table to ``path`` as csv, json or parquet; DuckDB streams it (no rows in Python)."""
    store.con.execute(f"COPY (SELECT * FROM {_export_name(table)}) TO ? ({EXPORT_OPTIONS[fmt]})", [str(path)])


def table_head(store: Store, table: str, limit: int) -> tuple[int, list[str], list[dict[str, Any]]]:
    """(row count, column names, the first ``limit`` rows) of a table, for a terminal view."""
    name = _export_name(table)
    total = store.con.execute(f"SELECT count(*) FROM {name}").fetchone()
    rel = store.con.execute(f"SELECT * FROM {name} LIMIT ?", [int(limit)])
    cols = [d[0] for d in rel.description]
    return (int(total[0]) if total else 0), cols, [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]


#: the tables ``export --partition`` writes (they have a period and an HS revision), and the keys
PARTITIONED_TABLES: tuple[str, ...] = ("flows", "flows_baci")
PARTITION_KEYS: tuple[str, ...] = ("year", "hs_revision")
#: partition value for rows without an HS revision (totals, some national files)
NO_REVISION = "none"


def partitioned_rows_sql(table: str) -> str:
    """A table's rows with the columns ``export --partition`` partitions on.

    ``year`` is the first year the period names; ``hs_revision`` is never null.
    """
    if table not in PARTITIONED_TABLES:
        raise BilateralError(f"--partition writes {' or '.join(PARTITIONED_TABLES)} (they have a period and an "
                             f"HS revision), not {table}")
    return (f"SELECT * REPLACE (coalesce(hs_revision, '{NO_REVISION}') AS hs_revision), "
            r"CAST(regexp_extract(period, '(\d{4})', 1) AS INTEGER) AS year "
            f"FROM {table}")
