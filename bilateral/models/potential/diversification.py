"""The diversification indicator: products the exporter does not yet export competitively.

They are ranked by how related they are to what it does export (density in the product space) and
by the market's demand.

ITC's export potential indicator covers products with revealed capacity; new products belong to a
separate product diversification indicator built on relatedness (Decreux and Spies 2016). Here, for
every product outside the capacity rule of the export potential (:mod:`.sql`) that the market imports:

    density(i,k)   Hidalgo–Hausmann density of exporter i around k (bilateral.indicators.product_space),
                   over the matrix's exports of every country
    demand(j,k)    the market's imports M_jk (the year of the matrix)
    score          density × M_jk: the market's demand weighted by relatedness (US$), the ranking

Density is 0 to 1: the share of k's neighbourhood (by proximity) that i already exports with RCA ≥ 1.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bilateral.harmonise import sectors
from bilateral.models.potential.parameters import Parameter, Parameters
from bilateral.models.potential.results import Supplier, sanction_dict
from bilateral.store.matrix import Sanction, WorldMatrix

__all__ = ["DiversificationProduct", "DiversificationResult", "diversification"]

DEFAULT_TOP = 20
#: densities kept per process: computing one costs a few seconds on the 2024 matrix
_CACHE_SIZE = 8
_cache: dict[tuple[Any, ...], Any] = {}
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class DiversificationProduct:
    """A product the exporter does not yet export competitively, with its relatedness and the market's demand."""

    exporter: str
    market: str
    hs6: str
    description: str | None
    sector: str
    market_usd: float
    density: float
    density_rank: int  # among every product outside the scope the market imports, 1 = most related
    density_percentile: float  # the same as a percentile (0 to 1, 1 = most related)
    exports_usd: float  # the exporter's world exports of it today (as served)
    rca: float | None  # None: the exporter does not export it
    actual_usd: float  # its sales to the market today
    score_usd: float  # density × market
    top_suppliers: tuple[Supplier, ...] | None
    sanction: Sanction | None
    sanctions_known: bool

    def to_dict(self) -> dict[str, Any]:
        return {"exporter": self.exporter, "market": self.market, "hs6": self.hs6, "description": self.description,
                "sector": self.sector, "market_usd": self.market_usd, "density": self.density,
                "density_rank": self.density_rank, "density_percentile": self.density_percentile,
                "exports_usd": self.exports_usd, "rca": self.rca,
                "actual_usd": self.actual_usd, "score_usd": self.score_usd,
                "top_suppliers": None if self.top_suppliers is None else [s.to_dict() for s in self.top_suppliers],
                "sanction": sanction_dict(self.sanction, self.sanctions_known)}

    def record(self) -> dict[str, Any]:
        """A flat row (csv, parquet)."""
        top = self.top_suppliers or ()
        return {k: v for k, v in self.to_dict().items() if k not in ("top_suppliers", "sanction")} | {
            "top_suppliers": "; ".join(f"{s.exporter} {s.share:.1%}" for s in top) if self.top_suppliers is not None else None,
            "sanction_category": self.sanction.category if self.sanction else None,
            "sanction_since": self.sanction.since if self.sanction else None,
            "secondary_risk": self.sanction.secondary_risk if self.sanction else (False if self.sanctions_known else None)}


@dataclass(frozen=True)
class DiversificationResult:
    """Products outside the export potential's scope, ranked by density × the market's demand."""

    exporter: str
    market: str | None
    year: int
    rule: str  # the capacity rule the products fail
    products: tuple[DiversificationProduct, ...]
    candidates: int  # products outside the scope that the market imports
    candidates_market_usd: float
    related: int  # of them, those at or above the density quantile: the ranked ones
    related_market_usd: float
    density_quantile: float
    parameters: tuple[Parameter, ...]
    notes: tuple[str, ...]
    matrix: dict[str, Any]

    def records(self) -> list[dict[str, Any]]:
        return [p.record() for p in self.products]

    def to_dict(self) -> dict[str, Any]:
        return {"exporter": self.exporter, "market": self.market, "year": self.year, "indicator": "diversification",
                "scope": f"products outside the export potential's scope ({self.rule} fails)",
                "ranking": f"products with density at or above the {self.density_quantile:g} quantile, by "
                           "score_usd = density × market_usd",
                "candidates": self.candidates, "candidates_market_usd": self.candidates_market_usd,
                "related": self.related, "related_market_usd": self.related_market_usd,
                "density_quantile": self.density_quantile,
                "products": [p.to_dict() for p in self.products],
                "parameters": [p.to_dict() for p in self.parameters], "notes": list(self.notes),
                "matrix": self.matrix,
                "method": "Hidalgo–Hausmann density in the product space (proximity from co-exported RCA ≥ 1 on the "
                          "world matrix), as the ecomplexity package computes it; see docs/commands/potential.md"}


def _density_table(con: Any, matrix: WorldMatrix, exporter: str) -> Any:
    """hs6, density, present, rca of ``exporter`` over the matrix's exports (cached per process)."""
    from bilateral.indicators.product_space import density_sql

    key = (matrix.release, matrix.checksums, matrix.exports, exporter)
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    table = con.sql(density_sql(con, matrix.exports, exporter)).to_arrow_table()
    with _cache_lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[key] = table
    return table


def diversification(store: Any, exporter: str, market: str | None = None, *, year: int | None = None,
                    sector: str | None = None, products: Iterable[str] = (), top: int | None = DEFAULT_TOP,
                    matrix: WorldMatrix | None = None, params: Parameters | None = None,
                    supply: Any = "auto") -> DiversificationResult:
    """The diversification indicator of ``exporter`` in ``market`` (None: every market).

    Products outside the capacity rule of :func:`~bilateral.models.potential.potential` (the same
    supply side decides it) that the market imports, ranked by density × the market's imports.
    """
    import pyarrow as pa

    from bilateral.engine.backends import DuckDBEngine
    from bilateral.models.potential.inputs import registered
    from bilateral.models.potential.model import (
        SANCTIONS_MARKET,
        _suppliers,
        checked_request,
        cursor,
        prepare,
    )
    from bilateral.models.potential.sql import capacity_condition, in_list, supply_sql
    from bilateral.store.matrix import hs_descriptions, sanctions

    exporter, market, sector_id, product_filter, params, matrix = checked_request(
        store, exporter, market, year=year, sector=sector, products=products, top=top, params=params, matrix=matrix)
    con = cursor(store)
    try:
        prep = prepare(store, con, matrix, exporter, market, params, supply=supply, growth={})
        notes = [n for n in prep.notes if not n.startswith("No tariff data")]
        dens = _density_table(con, matrix, exporter)
        rules = sectors.sector_table()
        sector_expr = f"coalesce(s6.sector, s4.sector, s2.sector, '{sectors.OTHER_SECTOR}')"
        conds = ["TRUE"]
        if sector_id:
            conds.append(f"sector = '{sector_id}'")
        if product_filter:
            conds.append("(" + " OR ".join(f"starts_with(c.hs6, '{p}')" for p in product_filter) + ")")
        con.register("_div_density", dens)
        con.register("_div_sector", pa.table({"prefix": [r[0] for r in rules], "sector": [r[1] for r in rules]}))
        try:
            with registered(DuckDBEngine(con), prep.inputs) as rel:
                con.execute(f"""CREATE OR REPLACE TEMP TABLE _div_rows AS
                    WITH {supply_sql(matrix, rel.national)}
                    mine AS (SELECT hs6, x_ik, rca, {capacity_condition(params)} AS in_scope FROM rx
                             WHERE exporter = '{exporter}'),
                    mk AS (SELECT importer, hs6, sum(value_usd) AS m_jk FROM ({matrix.imports})
                           WHERE {in_list('importer', [market] if market else None)} AND importer <> '{exporter}'
                           GROUP BY importer, hs6 HAVING sum(value_usd) > 0),
                    bil AS (SELECT importer, hs6, sum(value_usd) AS x_ijk FROM ({matrix.flows})
                            WHERE exporter = '{exporter}' AND {in_list('importer', [market] if market else None)}
                            GROUP BY importer, hs6),
                    c AS (SELECT mk.importer, mk.hs6, mk.m_jk, d.density, coalesce(mine.x_ik, 0.0) AS exports_usd,
                                 mine.rca, coalesce(bil.x_ijk, 0.0) AS actual, d.density * mk.m_jk AS score
                          FROM mk JOIN _div_density d ON d.hs6 = mk.hs6
                          LEFT JOIN mine ON mine.hs6 = mk.hs6
                          LEFT JOIN bil ON bil.importer = mk.importer AND bil.hs6 = mk.hs6
                          WHERE NOT coalesce(mine.in_scope, FALSE))
                    SELECT c.*, {sector_expr} AS sector,
                           rank() OVER (PARTITION BY c.importer ORDER BY c.density DESC) AS density_rank,
                           percent_rank() OVER (PARTITION BY c.importer ORDER BY c.density) AS density_percentile
                    FROM c LEFT JOIN _div_sector s6 ON s6.prefix = c.hs6
                    LEFT JOIN _div_sector s4 ON s4.prefix = left(c.hs6, 4)
                    LEFT JOIN _div_sector s2 ON s2.prefix = left(c.hs6, 2)""")
            try:
                where = " AND ".join(conds).replace("c.hs6", "hs6")
                related = f"density_percentile >= {params.density_quantile!r}"
                count, market_sum, n_related, related_sum = con.execute(
                    f"SELECT count(*), coalesce(sum(m_jk), 0), count(*) FILTER (WHERE {related}), "
                    f"coalesce(sum(m_jk) FILTER (WHERE {related}), 0) FROM _div_rows WHERE {where}").fetchall()[0]
                limit = f"LIMIT {int(top)}" if top is not None else ""
                cur = con.execute(f"SELECT * FROM _div_rows WHERE {where} AND {related} "
                                  f"ORDER BY score DESC, importer, hs6 {limit}")
                cols = [d[0] for d in cur.description]
                ranked = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
            finally:
                con.execute("DROP TABLE IF EXISTS _div_rows")
        finally:
            con.unregister("_div_density")
            con.unregister("_div_sector")
        supp = _suppliers(con, matrix, [(r["importer"], r["hs6"]) for r in ranked], exporter, params.top_suppliers)
    finally:
        con.close()
    descriptions = hs_descriptions()
    table = sanctions()
    out = []
    for r in ranked:
        top_s, _rank, _n = supp.get((r["importer"], r["hs6"]), (None, None, None))
        known = r["importer"] == SANCTIONS_MARKET
        out.append(DiversificationProduct(
            exporter=exporter, market=r["importer"], hs6=r["hs6"], description=descriptions.get(r["hs6"]),
            sector=r["sector"], market_usd=float(r["m_jk"]), density=float(r["density"]),
            density_rank=int(r["density_rank"]), density_percentile=float(r["density_percentile"]),
            exports_usd=float(r["exports_usd"]),
            rca=None if r["rca"] is None else float(r["rca"]), actual_usd=float(r["actual"]),
            score_usd=float(r["score"]), top_suppliers=tuple(top_s) if top_s is not None else None,
            sanction=table.get(r["hs6"]) if known else None, sanctions_known=known))
    notes.append(f"Scope: products that fail the export potential's capacity rule ({params.capacity_text()}) and "
                 f"that the market imports: {int(count):,}, US${float(market_sum) / 1e9:,.1f} bn of imports; ranked: "
                 f"the {int(n_related):,} at or above the {params.density_quantile:g} quantile of density "
                 f"(US${float(related_sum) / 1e9:,.1f} bn). Density uses the matrix's exports of every country "
                 "(presence: RCA ≥ 1), whatever the supply side.")
    return DiversificationResult(
        exporter=exporter, market=market, year=matrix.year, rule=params.capacity_text(), products=tuple(out),
        candidates=int(count), candidates_market_usd=float(market_sum), related=int(n_related),
        related_market_usd=float(related_sum), density_quantile=params.density_quantile, parameters=params.rows,
        notes=tuple(notes), matrix=matrix.to_dict())
