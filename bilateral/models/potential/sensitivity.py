"""How stable the top products are under the parameters that matter.

The distance and income elasticities and the capacity threshold, each at its low and high case
from the parameters file: Spearman rank correlation with the default ranking, and the products
that enter or leave the top N.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bilateral.engine.backends import DuckDBEngine
from bilateral.models.potential.inputs import Inputs, registered
from bilateral.models.potential.parameters import Parameters, growth_factors
from bilateral.models.potential.results import PotentialResult, Sensitivity, SensitivityCase
from bilateral.models.potential.sql import potential_sql
from bilateral.store.matrix import WorldMatrix

__all__ = ["sensitivity", "spearman"]

#: the parameters varied, in the order reported
VARIED = ("distance_elasticity", "income_elasticity", "capacity_rca_min")


def _ranks(values: list[float]) -> list[float]:
    """Ranks 1..n of ``values`` (ascending), ties given their average rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(a: list[float], b: list[float]) -> float | None:
    """Spearman's rank correlation of two equally long lists (ties averaged); None if either is constant."""
    ra, rb = _ranks(a), _ranks(b)
    n = len(ra)
    if n < 2:
        return None
    ma, mb = sum(ra) / n, sum(rb) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    va = sum((x - ma) ** 2 for x in ra)
    vb = sum((y - mb) ** 2 for y in rb)
    return cov / (va * vb) ** 0.5 if va and vb else None


def _ranking(con: Any, matrix: WorldMatrix, exporter: str, market: str | None, params: Parameters, inputs: Inputs,
             keep: str) -> tuple[list[str], float]:
    """Keys (market:hs6) ranked by untapped value, and the total untapped, under ``params``."""
    with registered(DuckDBEngine(con), inputs) as rel:
        sql = potential_sql(matrix, [exporter], [market] if market else None, params, growth=rel.growth,
                            tariffs=rel.tariffs, distances=rel.distances, national=rel.national)
        rows = con.execute(f"SELECT importer || ':' || hs6, untapped FROM ({sql}) p WHERE {keep} "
                           "ORDER BY untapped DESC, potential DESC, importer, hs6").fetchall()
    return [str(r[0]) for r in rows], float(sum(r[1] for r in rows))


def sensitivity(store: Any, result: PotentialResult, *, matrix: WorldMatrix, params: Parameters, prepared: Any,
                sector: str | None, products: tuple[str, ...], exclude_sanction_risk: bool) -> PotentialResult:
    """``result`` with the sensitivity of its top ``params.sensitivity_top`` products added."""
    import pyarrow as pa

    from bilateral.harmonise import sectors
    from bilateral.store.matrix import sanctions

    n = params.sensitivity_top
    conds = ["(p.potential > 0 OR p.actual > 0)"]
    if products:
        conds.append("(" + " OR ".join(f"starts_with(p.hs6, '{c}')" for c in products) + ")")
    from bilateral.models.potential.model import cursor

    con = cursor(store)
    try:
        if sector:
            rules = sectors.sector_table()
            con.register("_sens_sector", pa.table({"prefix": [r[0] for r in rules], "sector": [r[1] for r in rules]}))
            conds.append(f"coalesce((SELECT sector FROM _sens_sector WHERE prefix = p.hs6), (SELECT sector FROM "
                         f"_sens_sector WHERE prefix = left(p.hs6, 4)), (SELECT sector FROM _sens_sector WHERE "
                         f"prefix = left(p.hs6, 2)), '{sectors.OTHER_SECTOR}') = '{sector}'")
        if exclude_sanction_risk:
            risky = sorted(k for k, v in sanctions().items() if v.secondary_risk)
            con.register("_sens_risky", pa.table({"hs6": pa.array(risky, type=pa.string())}))
            conds.append("NOT (p.importer = 'RUS' AND p.hs6 IN (SELECT hs6 FROM _sens_risky))")
        keep = " AND ".join(conds)
        base, base_total = _ranking(con, matrix, result.exporter, result.market, params, prepared.inputs, keep)
        top = base[:n]
        cases = []
        for name in VARIED:
            low, high = params.sensitivity[name]
            default = float(getattr(params, name))
            for value in (low, high):
                changed = params.with_values(**{name: value})
                inputs = prepared.inputs
                if name == "income_elasticity":
                    inputs = dataclasses.replace(inputs, growth={
                        **inputs.growth, **growth_factors([c for c in {result.exporter, result.market} if c], changed)})
                ranked, total = _ranking(con, matrix, result.exporter, result.market, changed, inputs, keep)
                pos = {k: i + 1 for i, k in enumerate(ranked)}
                after = [float(pos.get(k, len(ranked) + 1)) for k in top]
                cases.append(SensitivityCase(
                    parameter=name, value=value, default=default,
                    rank_correlation=spearman([float(i + 1) for i in range(len(top))], after),
                    entrants=tuple(k for k in ranked[:n] if k not in top),
                    leavers=tuple(k for k in top if k not in ranked[:n]), untapped_usd=total))
    finally:
        con.close()
    return dataclasses.replace(result, sensitivity=Sensitivity(n, tuple(top), base_total, tuple(cases)))
