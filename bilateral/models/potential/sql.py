"""The export potential computation as one SQL text (DuckDB and Spark SQL both run it).

For exporter i, market j and HS6 product k (all values from one matrix year)::

    x_ik         i's exports of k to the matrix's importers: its own statistics where given
                 (``national``), the matrix otherwise; X_k = Σ_i x_ik
    RCA_ik       (x_ik / Σ_k x_ik) / (X_k / Σ_k X_k)                 Balassa, on the same x
    scope        RCA_ik ≥ rca_min and/or x_ik ≥ min_exports          (the capacity rule)
    share(i,k)   = max(x_ik − x_ijk, 0) / (X_k − M_jk)                i's world share, excluding j
    distance     = (d_ij / d̄_jk)^(−δ)                                 d̄_jk: j's trade-weighted average
                                                                      distance to its suppliers of k
    demand(j,k)  = M_jk × d_j × tariff_k × distance
    ease(i,j)    = clamp(Σ_k x_ijk / Σ_k share × M_jk × tariff_k × distance, ease_min, ease_max)
                                                                      over the products in scope
    potential    = share × g_i × demand × ease;  untapped = max(potential − actual, 0)

g_i and d_j are the supply and demand growth factors (a relation ``iso3, supply_factor,
demand_factor``). A pair or product without a distance gets factor 1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bilateral.models.potential.parameters import Parameters
from bilateral.store.matrix import WorldMatrix

__all__ = ["Relations", "capacity_condition", "ease_sql", "in_list", "potential_sql", "supplier_distance_sql", "supply_sql"]


@dataclass(frozen=True)
class Relations:
    """The model's inputs beside the matrix, each a SQL relation (None: not given).

    ``growth`` (iso3, supply_factor, demand_factor); ``tariffs`` (hs6, tariff_factor); ``distances``
    (exporter, importer, dist_km); ``national`` (exporter, hs6, value_usd): exports from the
    exporters' own statistics replacing the matrix's; ``ease`` (exporter, importer, actual_total,
    actual_all, hypothetical, ease, supply_growth, demand_growth): pair factors computed beforehand
    (:func:`ease_sql`), so the cells are generated once more instead of kept.
    """

    growth: str | None = None
    tariffs: str | None = None
    distances: str | None = None
    national: str | None = None
    ease: str | None = None


def in_list(column: str, values: Iterable[str] | None) -> str:
    """``column IN (…)`` for the values (quoted), TRUE for None (no filter), FALSE for none."""
    if values is None:
        return "TRUE"
    vals = sorted(set(values))
    if not vals:
        return "FALSE"
    return f"{column} IN (" + ", ".join("'" + v.replace("'", "''") + "'" for v in vals) + ")"


def capacity_condition(params: Parameters, rca: str = "rca", exports: str = "x_ik") -> str:
    """The capacity rule as a SQL condition on the columns ``rca`` and ``exports``."""
    tests = []
    if params.capacity_rca_min > 0:
        tests.append(f"{rca} >= {params.capacity_rca_min!r}")
    if params.capacity_min_exports_usd > 0:
        tests.append(f"{exports} >= {params.capacity_min_exports_usd!r}")
    if not tests:
        return "TRUE"
    return "(" + (" AND " if params.capacity_rule == "all" else " OR ").join(tests) + ")"


def supply_sql(matrix: WorldMatrix, national: str | None = None) -> str:
    """CTEs (text after WITH, ending in a comma) of every exporter's supply and RCA.

    ``xs`` (exporter, hs6, x_ik, x_matrix, national): exports by product, the national figure where
    given; ``wk`` (hs6, w_k) world exports; ``xt`` (exporter, x_i); ``tot`` (w); ``rx`` adds ``rca``
    and ``w_k`` to ``xs``.
    """
    if national:
        xs = f"""
xm AS (SELECT exporter, hs6, sum(value_usd) AS x FROM ({matrix.exports}) GROUP BY ALL),
xs AS (SELECT coalesce(m.exporter, n.exporter) AS exporter, coalesce(m.hs6, n.hs6) AS hs6,
              coalesce(n.value_usd, m.x) AS x_ik, m.x AS x_matrix, n.value_usd IS NOT NULL AS national
       FROM xm m FULL JOIN (SELECT * FROM ({national}) WHERE hs6 IN (SELECT hs6 FROM xm)) n
         ON n.exporter = m.exporter AND n.hs6 = m.hs6
       WHERE coalesce(n.value_usd, m.x) > 0),"""
    else:
        xs = f"""
xs AS (SELECT exporter, hs6, sum(value_usd) AS x_ik, sum(value_usd) AS x_matrix, FALSE AS national
       FROM ({matrix.exports}) GROUP BY exporter, hs6 HAVING sum(value_usd) > 0),"""
    return xs + """
wk AS (SELECT hs6, sum(x_ik) AS w_k FROM xs GROUP BY hs6),
xt AS (SELECT exporter, sum(x_ik) AS x_i FROM xs GROUP BY exporter),
tot AS (SELECT sum(x_ik) AS w FROM xs),
rx AS (SELECT xs.exporter, xs.hs6, xs.x_ik, xs.x_matrix, xs.national, wk.w_k,
              (xs.x_ik / xt.x_i) / (wk.w_k / tot.w) AS rca
       FROM xs JOIN xt ON xt.exporter = xs.exporter JOIN wk ON wk.hs6 = xs.hs6 CROSS JOIN tot),"""


def supplier_distance_sql(matrix: WorldMatrix, distances: str, markets: list[str] | None) -> str:
    """Each market's trade-weighted average distance to its suppliers by product: importer, hs6, supplier_km.

    The matrix's own relation where it has one (the embedded slices lack the other markets' flows),
    else computed from its flows.
    """
    if matrix.supplier_distance is not None:
        return f"SELECT importer, hs6, supplier_km FROM ({matrix.supplier_distance}) WHERE {in_list('importer', markets)}"
    return f"""SELECT f.importer, f.hs6,
       sum(f.value_usd * g.dist_km) / nullif(sum(CASE WHEN g.dist_km IS NULL THEN 0.0 ELSE f.value_usd END), 0.0)
         AS supplier_km
FROM ({matrix.flows}) f LEFT JOIN ({distances}) g ON g.exporter = f.exporter AND g.importer = f.importer
WHERE {in_list('f.importer', markets)} AND f.value_usd > 0 GROUP BY f.importer, f.hs6"""


def _cells(matrix: WorldMatrix, ex: list[str] | None, mk: list[str] | None, params: Parameters,
           rel: Relations) -> str:
    """CTEs up to ``cells`` (one row per exporter × market × product in scope)."""
    tariff_join = f"LEFT JOIN ({rel.tariffs}) tf ON tf.hs6 = xi.hs6" if rel.tariffs else ""
    tf = f"coalesce(tf.tariff_factor, {params.tariff_factor!r})" if rel.tariffs else repr(params.tariff_factor)
    if rel.distances:
        dist = f"""
dist AS (SELECT exporter, importer, dist_km FROM ({rel.distances}) WHERE {in_list('exporter', ex)} AND {in_list('importer', mk)}),
sd AS ({supplier_distance_sql(matrix, rel.distances, mk)}),"""
        dist_cols = (f"d.dist_km, sd.supplier_km, CASE WHEN d.dist_km > 0 AND sd.supplier_km > 0 THEN "
                     f"power(d.dist_km / sd.supplier_km, {-params.distance_elasticity!r}) ELSE 1.0 END AS distance_factor")
        dist_join = ("LEFT JOIN dist d ON d.exporter = xi.exporter AND d.importer = mk.importer "
                     "LEFT JOIN sd ON sd.importer = mk.importer AND sd.hs6 = xi.hs6")
    else:
        dist, dist_join = "", ""
        dist_cols = "CAST(NULL AS DOUBLE) AS dist_km, CAST(NULL AS DOUBLE) AS supplier_km, 1.0 AS distance_factor"
    return f"""WITH {supply_sql(matrix, rel.national)}
xi AS (SELECT * FROM rx WHERE {in_list('exporter', ex)} AND {capacity_condition(params)}),
mk AS (SELECT importer, hs6, sum(value_usd) AS m_jk FROM ({matrix.imports}) WHERE {in_list('importer', mk)}
       GROUP BY importer, hs6 HAVING sum(value_usd) > 0),
bil AS (SELECT f.exporter, f.importer, f.hs6, sum(f.value_usd) AS x_ijk FROM ({matrix.flows}) f
        JOIN (SELECT exporter, hs6 FROM xi) s ON s.exporter = f.exporter AND s.hs6 = f.hs6
        WHERE {in_list('f.importer', mk)} GROUP BY f.exporter, f.importer, f.hs6),{dist}
cells AS (
  SELECT xi.exporter, mk.importer, xi.hs6, xi.x_ik, xi.x_matrix, xi.national, xi.rca, mk.m_jk, xi.w_k,
         coalesce(bil.x_ijk, 0.0) AS actual,
         coalesce(greatest(xi.x_ik - coalesce(bil.x_ijk, 0.0), 0.0) / nullif(xi.w_k - mk.m_jk, 0.0), 0.0) AS share,
         {dist_cols}, {tf} AS tariff_factor
  FROM xi JOIN mk ON mk.hs6 = xi.hs6 AND mk.importer <> xi.exporter
  LEFT JOIN bil ON bil.exporter = xi.exporter AND bil.importer = mk.importer AND bil.hs6 = xi.hs6
  {dist_join} {tariff_join}
),"""


def _ease_ctes(ex: list[str] | None, mk: list[str] | None, params: Parameters, rel: Relations, flows: str) -> str:
    growth_join = (f"LEFT JOIN ({rel.growth}) gs ON gs.iso3 = a.exporter LEFT JOIN ({rel.growth}) gd "
                   "ON gd.iso3 = a.importer" if rel.growth else "")
    sg = "coalesce(gs.supply_factor, 1.0)" if rel.growth else "1.0"
    dg = "coalesce(gd.demand_factor, 1.0)" if rel.growth else "1.0"
    return f"""
agg AS (SELECT exporter, importer, sum(actual) AS actual_total,
               sum(share * m_jk * distance_factor * tariff_factor) AS hypothetical
        FROM cells GROUP BY exporter, importer),
every AS (SELECT exporter, importer, sum(value_usd) AS actual_all FROM ({flows})
          WHERE {in_list('exporter', ex)} AND {in_list('importer', mk)} GROUP BY exporter, importer),
ease AS (  -- pair-level factors, joined back to the cells once
  SELECT a.exporter, a.importer, a.actual_total, coalesce(e.actual_all, 0.0) AS actual_all, a.hypothetical,
         least(greatest(coalesce(a.actual_total / nullif(a.hypothetical, 0.0), {params.ease_min!r}),
                        {params.ease_min!r}), {params.ease_max!r}) AS ease,
         {sg} AS supply_growth, {dg} AS demand_growth
  FROM agg a LEFT JOIN every e ON e.exporter = a.exporter AND e.importer = a.importer {growth_join}
),"""


def ease_sql(matrix: WorldMatrix, exporters: Iterable[str] | None, markets: Iterable[str] | None,
             params: Parameters, rel: Relations = Relations()) -> str:
    """SQL giving the pair factors (one row per exporter × market with products in scope).

    Columns: exporter, importer, actual_total (in scope), actual_all (every product), hypothetical,
    ease, supply_growth, demand_growth.
    """
    ex = list(exporters) if exporters is not None else None
    mk = list(markets) if markets is not None else None
    return _cells(matrix, ex, mk, params, rel) + _ease_ctes(ex, mk, params, rel, matrix.flows).rstrip(",") + \
        "\nSELECT * FROM ease"


def potential_sql(matrix: WorldMatrix, exporters: Iterable[str] | None, markets: Iterable[str] | None,
                  params: Parameters, *, growth: str | None = None, tariffs: str | None = None,
                  distances: str | None = None, national: str | None = None, ease: str | None = None) -> str:
    """SQL giving one row per (exporter, importer, hs6) in scope with a market and exporter supply.

    Columns: exporter, importer, hs6, x_ik, x_matrix, national, rca, m_jk, w_k, actual, share,
    dist_km, supplier_km, distance_factor, tariff_factor, actual_total, actual_all, hypothetical,
    ease, supply_growth, demand_growth, potential, gap, untapped. The relations are those of
    :class:`Relations`; without them every factor is 1 (the tariff factor the parameter's).
    """
    rel = Relations(growth=growth, tariffs=tariffs, distances=distances, national=national, ease=ease)
    ex = list(exporters) if exporters is not None else None
    mk = list(markets) if markets is not None else None
    pairs = "" if ease else _ease_ctes(ex, mk, params, rel, matrix.flows)
    pair_rel = f"({ease})" if ease else "ease"
    return _cells(matrix, ex, mk, params, rel) + pairs + f"""
scored AS (
  SELECT c.exporter, c.importer, c.hs6, c.x_ik, c.x_matrix, c.national, c.rca, c.m_jk, c.w_k, c.actual, c.share,
         c.dist_km, c.supplier_km, c.distance_factor, c.tariff_factor, e.actual_total, e.actual_all,
         e.hypothetical, e.ease, e.supply_growth, e.demand_growth,
         c.share * e.supply_growth * c.m_jk * e.demand_growth * c.tariff_factor * c.distance_factor * e.ease
           AS potential
  FROM cells c JOIN {pair_rel} e ON e.exporter = c.exporter AND e.importer = c.importer
)
SELECT *, potential - actual AS gap, greatest(potential - actual, 0.0) AS untapped FROM scored
"""
