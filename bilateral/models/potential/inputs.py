"""The model's inputs beside the matrix, registered on an engine under fresh names, and the run on it.

Models own their SQL and hand it to an engine (:mod:`bilateral.engine`), which knows no model:
:func:`potential_table` is the global computation on DuckDB or Spark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bilateral.engine.backends import SqlEngine, view_name
from bilateral.models.potential.parameters import Parameters, growth_of_every_country, parameters
from bilateral.models.potential.sql import Relations, potential_sql
from bilateral.store.matrix import WorldMatrix

__all__ = ["Inputs", "default_growth", "potential_cells", "potential_table", "registered"]


@dataclass(frozen=True)
class Inputs:
    """The Python-side inputs: growth factors, tariffs, distances, national supply (None: not used)."""

    growth: Mapping[str, tuple[float, float]]
    tariffs: Mapping[str, float] | None = None
    distances: Any = None  # pyarrow Table exporter, importer, dist_km
    national: Mapping[tuple[str, str], float] | None = None  # (exporter, hs6) → US$


@contextmanager
def registered(engine: SqlEngine, inputs: Inputs) -> Iterator[Relations]:
    """Register the inputs on ``engine`` as small Arrow relations; yields their SQL; dropped on exit."""
    import pyarrow as pa

    names: list[str] = []

    def reg(stem: str, table: Any) -> str:
        name = view_name(stem)
        engine.register_arrow(name, table)
        names.append(name)
        return f"SELECT * FROM {name}"

    try:
        g = inputs.growth
        growth = reg("growth", pa.table({
            "iso3": pa.array(list(g), type=pa.string()),
            "supply_factor": pa.array([float(v[0]) for v in g.values()], type=pa.float64()),
            "demand_factor": pa.array([float(v[1]) for v in g.values()], type=pa.float64())}))
        tariffs = reg("tariffs", pa.table({
            "hs6": pa.array(list(inputs.tariffs), type=pa.string()),
            "tariff_factor": pa.array([float(v) for v in inputs.tariffs.values()], type=pa.float64())})
        ) if inputs.tariffs else None
        distances = reg("distances", inputs.distances) if inputs.distances is not None else None
        national = reg("national", pa.table({
            "exporter": pa.array([k[0] for k in inputs.national], type=pa.string()),
            "hs6": pa.array([k[1] for k in inputs.national], type=pa.string()),
            "value_usd": pa.array([float(v) for v in inputs.national.values()], type=pa.float64())})
        ) if inputs.national else None
        yield Relations(growth=growth, tariffs=tariffs, distances=distances, national=national)
    finally:
        for n in names:
            engine.drop(n)


def default_growth(params: Parameters | None = None) -> dict[str, tuple[float, float]]:
    """Supply and demand growth factors of every country with macro data (as :func:`potential` uses)."""
    return growth_of_every_country(params or parameters())


def potential_table(engine: SqlEngine, matrix: WorldMatrix, exporters: Iterable[str] | None = None,
                    markets: Iterable[str] | None = None, *, params: Parameters | None = None,
                    growth: Mapping[str, tuple[float, float]] | None = None,
                    tariffs: Mapping[str, float] | None = None, distances: Any = None,
                    national: Mapping[tuple[str, str], float] | None = None,
                    out: str | Path | None = None) -> Any:
    """Export potential cells (:func:`~bilateral.models.potential.sql.potential_sql`) as a pyarrow Table.

    Computed by ``engine`` (DuckDB or Spark) from the one SQL text. ``exporters``/``markets`` None:
    every one (the global computation: give ``out``, and the workers write a new directory of
    Parquet files; None is returned). ``growth`` defaults to :func:`default_growth`; ``tariffs``
    (hs6 → factor) to the parameter's factor; ``distances`` (exporter, importer, dist_km as Arrow)
    and ``national`` ((exporter, hs6) → US$) to none (every distance factor 1, the matrix's supply).
    """
    params = params or parameters()
    inputs = Inputs(growth=default_growth(params) if growth is None else growth, tariffs=tariffs,
                    distances=distances, national=national)
    with registered(engine, inputs) as rel:
        sql = potential_sql(matrix, exporters, markets, params, growth=rel.growth, tariffs=rel.tariffs,
                            distances=rel.distances, national=rel.national)
        if out is not None:
            engine.write_parquet(sql, out)
            return None
        return engine.arrow(sql)


def potential_cells(run: Any) -> Callable[..., Any]:
    """A function computing the potential cells on an engine run (:func:`bilateral.engine.run.engine_run`).

    For ``potential(cells=…)``: called as ``cells(exporters, markets, params, inputs)``; returns a
    pyarrow Table computed by the run's engine from the run's matrix.
    """

    def cells(exporters: list[str] | None, markets: list[str] | None, params: Parameters, inputs: Inputs) -> Any:
        return potential_table(run.engine, run.matrix, exporters, markets, params=params, growth=inputs.growth,
                               tariffs=inputs.tariffs, distances=inputs.distances, national=inputs.national)

    return cells
