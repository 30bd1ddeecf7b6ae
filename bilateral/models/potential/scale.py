"""Every exporter × market × product of a full world matrix, written to Parquet (`potential --all`).

Two set-based statements on DuckDB, under a stated memory limit with spilling to disk: the pair
factors (ease, growth) first, a small table; then the cells again, joined to them and streamed by
``COPY`` into one Parquet file, which is written to a temporary name and renamed (atomic). The
cells are the same SQL text as one pair's (:func:`~bilateral.models.potential.sql.potential_sql`),
so a row of the file equals what ``potential --pair`` prints for it.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bilateral.engine.backends import DuckDBEngine
from bilateral.errors import InputError, NotAvailableError
from bilateral.models.potential.inputs import Inputs, registered
from bilateral.models.potential.parameters import Parameters, growth_of_every_country, parameters
from bilateral.models.potential.sql import ease_sql, potential_sql, supplier_distance_sql
from bilateral.store.matrix import WorldMatrix

__all__ = ["ALL_COLUMNS", "AllResult", "DEFAULT_MEMORY_LIMIT", "potential_all"]

#: DuckDB's memory limit for the run unless given: spills to disk beyond it
DEFAULT_MEMORY_LIMIT = "1GB"
#: the columns written, one row per exporter × market × HS6 in scope
ALL_COLUMNS = ("exporter", "importer", "hs6", "national", "rca", "x_ik", "m_jk", "actual", "share", "dist_km",
               "supplier_km", "distance_factor", "ease", "supply_growth", "demand_growth", "potential", "untapped")
#: how often the progress callback is called, seconds
POLL_S = 0.25


@dataclass(frozen=True)
class AllResult:
    """What `potential --all` wrote."""

    out: str
    year: int
    release: str
    rows: int
    exporters: int
    markets: int
    potential_usd: float
    untapped_usd: float
    seconds: float
    memory_limit: str
    threads: int
    national: tuple[str, ...]  # exporters whose national exports served their supply
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


def _polled(con: Any, sql: str, progress: Callable[[float], None] | None, start: float, weight: float) -> None:
    """Run ``sql`` on ``con``, reporting DuckDB's progress (0–100) scaled into [start, start + weight]."""
    if progress is None:
        con.execute(sql)
        return
    done = threading.Event()

    def poll() -> None:
        while not done.wait(POLL_S):
            pct = con.query_progress()
            if pct >= 0:
                progress(start + weight * min(pct, 100.0) / 100.0)

    t = threading.Thread(target=poll, daemon=True)
    t.start()
    try:
        con.execute(sql)
    finally:
        done.set()
        t.join()
    progress(start + weight)


def potential_all(store: Any, out: Path, *, year: int | None = None, matrix: WorldMatrix | None = None,
                  params: Parameters | None = None, memory_limit: str = DEFAULT_MEMORY_LIMIT,
                  threads: int | None = None, progress: Callable[[float], None] | None = None) -> AllResult:
    """Export potential of every exporter in every market, by HS6, written to ``out`` (Parquet).

    Needs a matrix with every bilateral cell (an ingested BACI year, or a Parquet matrix): the
    embedded slices hold only India's exports and Russia's imports. National supply serves the
    exporters whose own exports the store holds (India's EIDB). ``progress`` is called with the
    share done (0–1).
    """
    from bilateral.models.potential.model import cursor
    from bilateral.models.potential.notes import release_notes
    from bilateral.models.potential.supply import national_supply
    from bilateral.output import write_atomic
    from bilateral.store.db import Store
    from bilateral.store.matrix import absent_importers, distances_table, world_matrix

    params = params or parameters()
    matrix = matrix or world_matrix(store, year)
    if matrix.full_exporters is not None or matrix.full_markets is not None:
        raise NotAvailableError(
            f"not available: the {matrix.source} {matrix.year} matrix holds only some exporters' and markets' "
            "cells; every exporter × market needs a full matrix: `bilateral ingest baci FILE` (e.g. "
            "world_hs6_2024.parquet) or --matrix PATH")
    if out.suffix.lower() != ".parquet":
        raise InputError("--all writes Parquet: give --out FILE.parquet", field="--out")
    started = time.perf_counter()
    con = cursor(store)
    try:
        con.execute(f"SET memory_limit = '{_check_memory(memory_limit)}'")
        con.execute("SET preserve_insertion_order = false")
        if threads is not None:
            con.execute(f"SET threads = {int(threads)}")
        used_threads = int(con.execute("SELECT current_setting('threads')").fetchall()[0][0])
        notes = release_notes(con, matrix, None)
        absent = absent_importers(con, matrix)
        exporters = [str(r[0]) for r in con.execute(f"SELECT DISTINCT exporter FROM ({matrix.exports}) "
                                                    "ORDER BY 1").fetchall()]
        national: dict[tuple[str, str], float] = {}
        served: list[str] = []
        if params.supply_side == "national":
            for ex in exporters:
                supply = national_supply(store, ex, matrix.year, absent) if isinstance(store, Store) else None
                if supply is not None:
                    national.update({(ex, k): v for k, v in supply.values.items()})
                    served.append(ex)
                    notes.append(supply.note())
        inputs = Inputs(growth=growth_of_every_country(params, exporters), distances=distances_table(),
                        national=national or None)
        cols = ", ".join(ALL_COLUMNS)
        with registered(DuckDBEngine(con), inputs) as rel:
            if matrix.supplier_distance is None and rel.distances:  # one pass over the flows, kept for both statements
                _polled(con, "CREATE OR REPLACE TEMP TABLE _all_sd AS "
                        + supplier_distance_sql(matrix, rel.distances, None), progress, 0.0, 0.1)
                matrix = dataclasses.replace(matrix, supplier_distance="SELECT * FROM _all_sd")
            _polled(con, "CREATE OR REPLACE TEMP TABLE _all_ease AS " + ease_sql(matrix, None, None, params, rel),
                    progress, 0.1, 0.4)
            sql = potential_sql(matrix, None, None, params, growth=rel.growth, distances=rel.distances,
                                national=rel.national, ease="SELECT * FROM _all_ease")

            def write(path: Path) -> None:
                _polled(con, f"COPY (SELECT {cols} FROM ({sql})) TO '{_sql_path(path)}' "
                             "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)", progress, 0.5, 0.5)

            try:
                write_atomic(out, write)
            finally:
                totals = con.execute("SELECT count(DISTINCT exporter), count(DISTINCT importer) FROM _all_ease"
                                     ).fetchall()[0]
                con.execute("DROP TABLE IF EXISTS _all_ease")
                con.execute("DROP TABLE IF EXISTS _all_sd")
        rows, pot, untapped = con.execute(
            f"SELECT count(*), coalesce(sum(potential), 0), coalesce(sum(untapped), 0) FROM read_parquet('{_sql_path(out)}')"
        ).fetchall()[0]
    finally:
        con.close()
    notes.append(f"Scope (capacity rule): {params.capacity_text()}.")
    return AllResult(out=str(out), year=matrix.year, release=matrix.release, rows=int(rows), exporters=int(totals[0]),
                     markets=int(totals[1]), potential_usd=float(pot), untapped_usd=float(untapped),
                     seconds=time.perf_counter() - started, memory_limit=memory_limit, threads=used_threads,
                     national=tuple(served), notes=tuple(notes))


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _check_memory(text: str) -> str:
    import re

    if not re.fullmatch(r"\s*\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*", text, flags=re.IGNORECASE):
        raise InputError(f"memory limit {text!r} is not a size such as 1GB or 800MB", field="--memory-limit")
    return text.strip()
