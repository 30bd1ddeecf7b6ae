"""The Parquet layout a cluster reads: flows partitioned by year and HS revision.

``bilateral export flows --format parquet --partition --out DIR`` writes::

    DIR/year=2024/hs_revision=HS2017/data_0.parquet
    DIR/year=2025/hs_revision=none/data_0.parquet      (totals and rows without a revision)

Spark (``spark.read.parquet(DIR)``) and DuckDB (``read_parquet('DIR/**/*.parquet', hive_partitioning
= true)``) read the two keys back as columns and skip the directories a ``WHERE year = …`` excludes.
``year`` is the first year the period names: CY2024 → 2024, FY2024-25 → 2024 (the fiscal year it
starts in), 2024-04 → 2024, a span 2022-04/2022-08 → 2022.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from bilateral.errors import BilateralError
from bilateral.store import queries

__all__ = ["PARTITIONED_TABLES", "PARTITION_KEYS", "write_partitioned"]

PARTITIONED_TABLES = queries.PARTITIONED_TABLES
PARTITION_KEYS = queries.PARTITION_KEYS


def write_partitioned(con: Any, table: str, out: Path) -> int:
    """Write ``table`` to the directory ``out`` partitioned by year and HS revision; the files written.

    Written beside ``out`` first and renamed into place, so a failure leaves nothing half-written;
    ``out`` must not exist yet.
    """
    sql = queries.partitioned_rows_sql(table)
    if out.exists():
        raise BilateralError(f"--out {out} exists; --partition writes a new directory (remove it or give another)")
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)
        con.execute(f"COPY ({sql}) TO ? (FORMAT parquet, COMPRESSION zstd, PARTITION_BY ({', '.join(PARTITION_KEYS)}))",
                    [str(tmp)])
        files = sum(1 for _ in tmp.rglob("*.parquet"))
        os.replace(tmp, out)
    except OSError as exc:
        raise BilateralError(f"--out {out}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return files
