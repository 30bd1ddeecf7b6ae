"""Indicator values read through the read layer: a pair's indicator panel, composition, RCA over BACI.

The reads happen here (:mod:`bilateral.store.queries`, :mod:`bilateral.store.matrix`); the rules and
formulas are :mod:`bilateral.indicators`, which take what the read layer returned (rows, totals, or
SQL relations over the stored matrix that run where the data are) and read nothing themselves.
"""

from __future__ import annotations

from typing import Any

from bilateral.errors import NotAvailableError
from bilateral.harmonise.pairs import Pair
from bilateral.harmonise.periods import parse_period
from bilateral.indicators.complementarity import Complementarity, complementarity
from bilateral.indicators.rca import rca_named
from bilateral.indicators.summary import PanelInputs, panel, section_shares
from bilateral.store import queries
from bilateral.store.db import Store
from bilateral.store.matrix import baci_year_exports, world_matrix

__all__ = ["composition_by_section", "rca_baci", "summary"]


def summary(store: Store, pair: Pair, period: str | None = None) -> list[dict[str, Any]]:
    """Every indicator's value for a pair and period (None: the latest), with metadata, note and releases."""
    series, year = queries.period_totals(store, pair, period, complete=False)  # partial: a flow may be missing
    p = year.period
    here = parse_period(p)
    exp = queries.finest_detail(store, pair.reporter, pair.partner, "export", p)
    export_lines = list(queries.lines(store, exp).values()) if exp is not None else []
    energy = queries.energy_imports(store, pair, p)
    by_partner, served = queries.partner_values(store, pair.reporter, "export", p)
    world = queries.reporter_totals(store, pair.reporter, p)
    tc_year = here.year if here.kind == "cy" else None
    tc: Complementarity | None = None
    release, missing = "-", ""
    try:
        matrix = world_matrix(store, tc_year)
        tc = complementarity(store.con.cursor(), matrix, pair.reporter, pair.partner)
        release = matrix.release
    except NotAvailableError as exc:
        missing = str(exc)
    return panel(PanelInputs(pair, series, year, exp, export_lines, energy, by_partner, served, world, tc, tc_year,
                             release, missing))


def composition_by_section(store: Store, pair: Pair, flow: queries.Flow, period: str) -> dict[str, float]:
    """Share of each HS section in the finest product detail of a flow (a region's as proxy for imports)."""
    d = queries.best_detail(store, pair.reporter, pair.partner, flow, period)
    return section_shares(queries.lines(store, d)) if d is not None else {}


def rca_baci(con: Any, year: int, level: int = 6) -> Any:
    """Balassa RCA over a BACI year loaded with ``bilateral ingest baci`` (all exporters), as a pandas DataFrame.

    Reads the stored year through :func:`bilateral.store.matrix.baci_year_exports` (no CSV pass) and
    hands its relations to :func:`bilateral.indicators.rca.rca_named`, which aggregates on BACI's
    numeric country codes and names the exporters (ISO3) afterwards. When several BACI versions of the
    year are loaded, the latest serves (as in :func:`bilateral.store.matrix.baci_matrix`).
    """
    found = baci_year_exports(con, year, level)
    if found is None:
        raise ValueError(f"no BACI year {year} loaded")
    return rca_named(con, *found)
