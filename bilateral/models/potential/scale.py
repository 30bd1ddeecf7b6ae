"""Every exporter × market × product of a full world matrix, written to Parquet (`potential --all`).

Set-based on DuckDB, under a stated memory limit with spilling to disk. The matrix's flows are read
once: countries and products numbered densely (a pair's key is one BIGINT, a cell's another), the
flows kept on those numbers with the marginals (exports and imports by country × product) derived
from them, so nothing later aggregates the matrix again (the release notes and the importers it
lacks included). The small relations follow, as temporary tables: the exporters' products in scope,
the markets' imports with their average supplier distance, the bilateral flows of the products in
scope, the pair distances. Then two passes over the cells (products in scope × markets importing
them, about 12 million on the 2024 matrix), each a hash-join pipeline whose build sides are those
tables: the pair factors (ease, growth; a small table), then the cells again, joined to them and
streamed by ``COPY`` into one Parquet file (zstd level 1, as pyarrow writes by default; a small
dictionary limit, :data:`DICTIONARY_SIZE_LIMIT`), written to a temporary name and renamed (atomic). The
write runs on every thread (no order-preserving operator in the plan, ``preserve_insertion_order`` off). The formulas are those of
:func:`~bilateral.models.potential.sql.potential_sql` term by term, so a row of the file equals what
``potential --exporter`` computes for it (tests/test_potential_scale.py compares every row on a slice
of the real matrix). One difference of scope, not of formula: here the world has one supply side, so
an exporter served by its national statistics (India's EIDB) is so in every exporter's world totals
(X_k, the RCA's denominators), as in the pandas baseline; ``potential --exporter CHN`` counts the
matrix's figures for India. With the parameters' ``supply_side`` "matrix" the two agree for every row.

Why not the one-pair SQL over every pair: on the whole matrix its joins on text keys left DuckDB
with cardinality estimates of 10 rows for 12 million, so the cells became the build side of three
hash joins and spilled 8 GB through a 1 GB limit (109 s of CPU on the 2024 matrix); see
bench/README.md.
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
from bilateral.models.potential.sql import Relations, capacity_condition, supply_sql
from bilateral.store.matrix import WorldMatrix

__all__ = ["ALL_COLUMNS", "AllResult", "COPY_OPTIONS", "DEFAULT_MEMORY_LIMIT", "potential_all"]

#: DuckDB's memory limit for the run unless given: spills to disk beyond it
DEFAULT_MEMORY_LIMIT = "1GB"
#: the columns written, one row per exporter × market × HS6 in scope
ALL_COLUMNS = ("exporter", "importer", "hs6", "national", "rca", "x_ik", "m_jk", "actual", "share", "dist_km",
               "supplier_km", "distance_factor", "ease", "supply_growth", "demand_growth", "potential", "untapped")
#: how often the progress callback is called, seconds
POLL_S = 0.25
#: DuckDB's Parquet ``DICTIONARY_SIZE_LIMIT`` for the cells: a column whose row-group dictionary outgrows it
#: is written plain at once. Most of the 17 columns are doubles with a value per cell (potential, share,
#: RCA…) whose dictionary DuckDB otherwise builds at length before giving it up; with this limit the write
#: takes about 15% less CPU on the 2024 matrix and the file is 4% smaller (bench/README.md)
DICTIONARY_SIZE_LIMIT = 4096
#: the Parquet options of the cells' file: zstd level 1, pyarrow's default (the pandas baseline's)
COPY_OPTIONS = f"FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, DICTIONARY_SIZE_LIMIT {DICTIONARY_SIZE_LIMIT}"


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


def _base_sql(matrix: WorldMatrix) -> list[tuple[str, str]]:
    """The numbered matrix and its marginals, from one reading of its flows: (name, SELECT), in order.

    ``_pa_c`` countries and ``_pa_p`` products numbered densely (every code of the flows); ``_pa_n``
    their counts ``C`` and ``P``, which pack a pair into ``i * C + j`` and a cell into
    ``(i * C + j) * P + k``; ``_pa_f`` the flows on those numbers; ``_pa_ex`` and ``_pa_im`` the
    exports by exporter × product and imports by importer × product (the matrix's marginals: a full
    matrix's are the sums of its flows), kept with their codes so that every later step reads them
    instead of aggregating the matrix again.
    """
    flows = matrix.flows
    return [
        ("_pa_c", f"SELECT CAST(row_number() OVER (ORDER BY iso3) AS SMALLINT) AS id, iso3 FROM "
                  f"(SELECT exporter AS iso3 FROM ({flows}) UNION SELECT importer FROM ({flows}))"),
        ("_pa_p", f"SELECT CAST(row_number() OVER (ORDER BY hs6) AS INTEGER) AS id, hs6 FROM "
                  f"(SELECT DISTINCT hs6 FROM ({flows}))"),
        ("_pa_n", "SELECT CAST((SELECT max(id) + 1 FROM _pa_c) AS BIGINT) AS c, "
                  "CAST((SELECT max(id) + 1 FROM _pa_p) AS BIGINT) AS p"),
        ("_pa_f", f"SELECT ci.id AS i, cj.id AS j, p.id AS k, f.value_usd AS v FROM ({flows}) f "
                  "JOIN _pa_c ci ON ci.iso3 = f.exporter JOIN _pa_c cj ON cj.iso3 = f.importer "
                  "JOIN _pa_p p ON p.hs6 = f.hs6"),
        ("_pa_ex", "SELECT a.i, a.k, c.iso3 AS exporter, p.hs6, a.value_usd FROM "
                   "(SELECT i, k, sum(v) AS value_usd FROM _pa_f GROUP BY i, k) a "
                   "JOIN _pa_c c ON c.id = a.i JOIN _pa_p p ON p.id = a.k"),
        ("_pa_im", "SELECT a.j, a.k, c.iso3 AS importer, p.hs6, a.value_usd FROM "
                   "(SELECT j, k, sum(v) AS value_usd FROM _pa_f GROUP BY j, k) a "
                   "JOIN _pa_c c ON c.id = a.j JOIN _pa_p p ON p.id = a.k"),
    ]


#: the matrix's marginals as the base tables keep them (WorldMatrix.exports and .imports)
_EXPORTS = "SELECT exporter, hs6, value_usd FROM _pa_ex"
_IMPORTS = "SELECT importer, hs6, value_usd FROM _pa_im"


def _setup_sql(matrix: WorldMatrix, params: Parameters, rel: Relations) -> list[tuple[str, str]]:
    """The temporary tables both passes read, over the base tables: (name, SELECT), in order.

    ``_pa_x`` each exporter's products in scope (supply, RCA, world exports); ``_pa_d`` the pair
    distances; ``_pa_m`` each market's imports by product with its average supplier distance;
    ``_pa_b`` the bilateral flows of the products in scope; ``_pa_a`` each pair's sales in every product.
    ``matrix``: its marginals those of the base tables (:data:`_EXPORTS`, :data:`_IMPORTS`).
    """
    cond = capacity_condition(params)
    if rel.distances:
        sd = (f"SELECT c.id AS j, p.id AS k, s.supplier_km FROM ({matrix.supplier_distance}) s "
              "JOIN _pa_c c ON c.iso3 = s.importer JOIN _pa_p p ON p.hs6 = s.hs6"
              if matrix.supplier_distance is not None else
              # supplier_distance_sql on the numbered flows: the same sums, grouped by market × product
              "SELECT f.j, f.k, sum(f.v * g.dist_km) / nullif(sum(CASE WHEN g.dist_km IS NULL THEN 0.0 ELSE f.v END), 0.0) "
              "AS supplier_km FROM _pa_f f CROSS JOIN _pa_n n LEFT JOIN _pa_d g ON g.pair = CAST(f.i AS BIGINT) * n.c + f.j "
              "WHERE f.v > 0 GROUP BY f.j, f.k")
        dist = (f"SELECT CAST(c1.id AS BIGINT) * _pa_n.c + c2.id AS pair, g.dist_km FROM ({rel.distances}) g "
                "JOIN _pa_c c1 ON c1.iso3 = g.exporter JOIN _pa_c c2 ON c2.iso3 = g.importer, _pa_n")
    else:
        sd = "SELECT CAST(NULL AS SMALLINT) AS j, CAST(NULL AS INTEGER) AS k, CAST(NULL AS DOUBLE) AS supplier_km LIMIT 0"
        dist = "SELECT CAST(NULL AS BIGINT) AS pair, CAST(NULL AS DOUBLE) AS dist_km LIMIT 0"
    return [
        ("_pa_x", f"WITH {supply_sql(matrix, rel.national).rstrip(',')} "
                  "SELECT c.id AS i, p.id AS k, rx.exporter, rx.hs6, rx.x_ik, rx.national, rx.rca, rx.w_k FROM rx "
                  f"JOIN _pa_c c ON c.iso3 = rx.exporter JOIN _pa_p p ON p.hs6 = rx.hs6 WHERE {cond}"),
        ("_pa_d", dist),
        ("_pa_m", f"WITH sd AS ({sd}) SELECT mk.j, mk.k, mk.importer, mk.value_usd AS m_jk, sd.supplier_km "
                  "FROM _pa_im mk LEFT JOIN sd ON sd.j = mk.j AND sd.k = mk.k WHERE mk.value_usd > 0"),
        ("_pa_b", "SELECT (CAST(f.i AS BIGINT) * _pa_n.c + f.j) * _pa_n.p + f.k AS cell, sum(f.v) AS x_ijk "
                  "FROM _pa_f f SEMI JOIN _pa_x x ON x.i = f.i AND x.k = f.k, _pa_n GROUP BY ALL"),
        ("_pa_a", "SELECT CAST(i AS BIGINT) * _pa_n.c + j AS pair, sum(v) AS actual_all FROM _pa_f, _pa_n GROUP BY ALL"),
    ]


def _cells_sql(params: Parameters, columns: str, ease: bool) -> str:
    """The cells (products in scope × markets importing them, the exporter itself left out).

    ``columns``: what to select; ``ease``: join the pair factors ``_pa_e`` (else the distances ``_pa_d``).
    The terms are potential_sql's: actual, share, distance factor, tariff factor.
    """
    pair = "CAST(x.i AS BIGINT) * n.c + m.j"
    pair_join = (f"JOIN _pa_e e ON e.pair = {pair}" if ease else f"LEFT JOIN _pa_d e ON e.pair = {pair}")
    return f"""SELECT {columns} FROM (
  SELECT x.exporter, m.importer, x.hs6, x.x_ik, x.national, x.rca, m.m_jk, {pair} AS pair,
         coalesce(b.x_ijk, 0.0) AS actual,
         coalesce(greatest(x.x_ik - coalesce(b.x_ijk, 0.0), 0.0) / nullif(x.w_k - m.m_jk, 0.0), 0.0) AS share,
         e.dist_km, m.supplier_km,
         CASE WHEN e.dist_km > 0 AND m.supplier_km > 0 THEN power(e.dist_km / m.supplier_km, {-params.distance_elasticity!r})
              ELSE 1.0 END AS distance_factor,
         {params.tariff_factor!r} AS tariff_factor{", e.ease, e.supply_growth, e.demand_growth" if ease else ""}
  FROM _pa_x x JOIN _pa_m m ON m.k = x.k AND m.j <> x.i CROSS JOIN _pa_n n
  LEFT JOIN _pa_b b ON b.cell = ({pair}) * n.p + x.k
  {pair_join}
)"""


def _ease_sql(params: Parameters, rel: Relations) -> str:
    """The pair factors (potential_sql's ``ease``), with the pair's distance: one row per pair with cells."""
    cells = _cells_sql(params, "pair, actual, share, m_jk, distance_factor, tariff_factor, dist_km", ease=False)
    growth = rel.growth or "SELECT CAST(NULL AS VARCHAR) AS iso3, 1.0 AS supply_factor, 1.0 AS demand_factor LIMIT 0"
    return f"""WITH agg AS (SELECT pair, any_value(dist_km) AS dist_km, sum(actual) AS actual_total,
                    sum(share * m_jk * distance_factor * tariff_factor) AS hypothetical
             FROM ({cells}) GROUP BY pair)
SELECT a.pair, a.dist_km, a.actual_total, coalesce(t.actual_all, 0.0) AS actual_all, a.hypothetical,
       least(greatest(coalesce(a.actual_total / nullif(a.hypothetical, 0.0), {params.ease_min!r}), {params.ease_min!r}),
             {params.ease_max!r}) AS ease,
       coalesce(gs.supply_factor, 1.0) AS supply_growth, coalesce(gd.demand_factor, 1.0) AS demand_growth,
       ci.iso3 AS exporter, cj.iso3 AS importer
FROM agg a CROSS JOIN _pa_n n LEFT JOIN _pa_a t ON t.pair = a.pair
JOIN _pa_c ci ON ci.id = a.pair // n.c JOIN _pa_c cj ON cj.id = a.pair % n.c
LEFT JOIN ({growth}) gs ON gs.iso3 = ci.iso3 LEFT JOIN ({growth}) gd ON gd.iso3 = cj.iso3"""


#: the output columns as computed from the cells joined to the pair factors
_OUT = ("exporter, importer, hs6, national, rca, x_ik, m_jk, actual, share, dist_km, supplier_km, distance_factor, "
        "ease, supply_growth, demand_growth, "
        "share * supply_growth * m_jk * demand_growth * tariff_factor * distance_factor * ease AS potential, "
        "greatest(share * supply_growth * m_jk * demand_growth * tariff_factor * distance_factor * ease - actual, 0.0) "
        "AS untapped")
#: shares of the progress bar taken by the base tables, the other small tables and the pair factors
#: (the rest: writing the cells), roughly their shares of the time on the 2024 matrix
BASE_WEIGHT = 0.15
SETUP_WEIGHT = 0.1
EASE_WEIGHT = 0.15


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
    from bilateral.store.matrix import distances_table, world_matrix
    from bilateral.store.queries import WORLD
    from bilateral.store.queries.coverage import served_pairs

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
    tables: list[str] = []
    try:
        con.execute(f"SET memory_limit = '{_check_memory(memory_limit)}'")
        con.execute("SET preserve_insertion_order = false")
        if threads is not None:
            con.execute(f"SET threads = {int(threads)}")
        used_threads = int(con.execute("SELECT current_setting('threads')").fetchall()[0][0])
        base = _base_sql(matrix)
        for n, (name, sql) in enumerate(base):
            tables.append(name)
            _polled(con, f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}", progress,
                    BASE_WEIGHT * n / len(base), BASE_WEIGHT / len(base))
        matrix = dataclasses.replace(matrix, exports=_EXPORTS, imports=_IMPORTS)
        exporters = [str(r[0]) for r in con.execute("SELECT DISTINCT exporter FROM _pa_ex ORDER BY 1").fetchall()]
        absent = matrix.missing_importers
        if absent is None:  # absent_importers over the base tables (its own cursor would not see them)
            absent = tuple(str(r[0]) for r in con.execute(
                "SELECT DISTINCT exporter FROM _pa_ex EXCEPT SELECT DISTINCT importer FROM _pa_im ORDER BY 1").fetchall())
        notes = release_notes(con, matrix, None, absent=absent, exporters=frozenset(exporters))
        national: dict[tuple[str, str], float] = {}
        served: list[str] = []
        if params.supply_side == "national" and isinstance(store, Store):
            # only an exporter the store holds world figures for can have national detail: one read of the
            # store's pairs instead of a read per exporter (226 of them on the 2024 matrix, ~3 s of CPU)
            held = {c.reporter for c in served_pairs(store) if c.partner == WORLD}
            for ex in (e for e in exporters if e in held):
                supply = national_supply(store, ex, matrix.year, absent)
                if supply is not None:
                    national.update({(ex, k): v for k, v in supply.values.items()})
                    served.append(ex)
                    notes.append(supply.note())
        inputs = Inputs(growth=growth_of_every_country(params, exporters), distances=distances_table(),
                        national=national or None)
        with registered(DuckDBEngine(con), inputs) as rel:
            steps = _setup_sql(matrix, params, rel)
            for n, (name, sql) in enumerate(steps):
                tables.append(name)
                _polled(con, f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}", progress,
                        BASE_WEIGHT + SETUP_WEIGHT * n / len(steps), SETUP_WEIGHT / len(steps))
            con.execute("DROP TABLE _pa_f")  # the flows are no longer needed: free their memory
            tables.append("_pa_e")
            _polled(con, f"CREATE OR REPLACE TEMP TABLE _pa_e AS {_ease_sql(params, rel)}", progress,
                    BASE_WEIGHT + SETUP_WEIGHT, EASE_WEIGHT)
            cells = _cells_sql(params, _OUT, ease=True)

            def write(path: Path) -> None:
                _polled(con, f"COPY ({cells}) TO '{_sql_path(path)}' ({COPY_OPTIONS})", progress,
                        BASE_WEIGHT + SETUP_WEIGHT + EASE_WEIGHT, 1.0 - BASE_WEIGHT - SETUP_WEIGHT - EASE_WEIGHT)

            write_atomic(out, write)
            totals = con.execute("SELECT count(DISTINCT exporter), count(DISTINCT importer) FROM _pa_e").fetchall()[0]
        rows, pot, untapped = con.execute(
            f"SELECT count(*), coalesce(sum(potential), 0), coalesce(sum(untapped), 0) FROM read_parquet('{_sql_path(out)}')"
        ).fetchall()[0]
    finally:
        for name in reversed(tables):
            con.execute(f"DROP TABLE IF EXISTS {name}")
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
