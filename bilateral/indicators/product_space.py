"""The product space: Hidalgo–Hausmann proximity between products and a country's density around each.

Over a relation of exports by country and product (``exporter, hs6, value_usd``):

- presence M_ck = 1 when country c exports product k with Balassa RCA ≥ 1 (Hidalgo et al. 2007);
- ubiquity u_k = Σ_c M_ck; co-occurrence C_kl = Σ_c M_ck M_cl;
- proximity φ_kl = C_kl / max(u_k, u_l): the lower of the two conditional probabilities that a
  country exporting one exports the other (φ_kk = 1);
- density d_ck = Σ_l M_cl φ_kl / Σ_l φ_kl: how much of product k's neighbourhood country c already
  exports competitively (0 to 1).

These are the definitions of the ``ecomplexity`` package (Growth Lab, Harvard): ``proximity`` and
the ``density`` column of ``ecomplexity``; tests/test_product_space.py checks equality to 1e-9.
The SQL runs in DuckDB: each product's set of countries is one bit string, so a co-occurrence is
``bit_count(a & b)`` over the product pairs (25 million for 5,000 products, a few seconds), never a
join of every country's product list with itself. The caller reads the relation; this module only
writes SQL and runs it on the connection it is given.
"""

from __future__ import annotations

from typing import Any

__all__ = ["density", "density_sql", "presence_sql", "proximity_sql"]

#: Balassa RCA at or above which a country counts as exporting a product competitively
RCA_PRESENCE = 1.0


def presence_sql(exports: str, rca_min: float = RCA_PRESENCE) -> str:
    """Countries × products with RCA ≥ ``rca_min`` over ``exports`` (exporter, hs6, value_usd): exporter, hs6, rca."""
    return f"""
WITH x AS (SELECT exporter, hs6, sum(value_usd) AS v FROM ({exports}) GROUP BY exporter, hs6 HAVING sum(value_usd) > 0),
r AS (SELECT exporter, hs6, (v / sum(v) OVER (PARTITION BY exporter)) / (sum(v) OVER (PARTITION BY hs6) / sum(v) OVER ())
             AS rca FROM x)
SELECT exporter, hs6, rca FROM r WHERE rca >= {float(rca_min)!r}"""


def _bits_sql(exports: str, countries: int) -> str:
    """CTEs ``m`` (presence) and ``b`` (hs6, bits, u): each product's countries as a bit string."""
    return f"""
m AS ({presence_sql(exports)}),
ci AS (SELECT exporter, CAST(row_number() OVER (ORDER BY exporter) - 1 AS INTEGER) AS i
       FROM (SELECT DISTINCT exporter FROM ({exports}) WHERE value_usd > 0)),
b AS (SELECT m.hs6, bitstring_agg(ci.i, 0, {max(countries - 1, 0)}) AS bits, count(*) AS u
      FROM m JOIN ci ON ci.exporter = m.exporter GROUP BY m.hs6)"""


def _countries(con: Any, exports: str) -> int:
    return int(con.execute(f"SELECT count(DISTINCT exporter) FROM ({exports}) WHERE value_usd > 0").fetchall()[0][0])


def proximity_sql(con: Any, exports: str) -> str:
    """SQL for every product pair's proximity: hs6_1, hs6_2, proximity (both orders, and each product with itself)."""
    return f"""WITH {_bits_sql(exports, _countries(con, exports))}
SELECT a.hs6 AS hs6_1, b2.hs6 AS hs6_2,
       CAST(bit_count(a.bits & b2.bits) AS DOUBLE) / greatest(a.u, b2.u) AS proximity
FROM b a CROSS JOIN b b2"""


def density_sql(con: Any, exports: str, exporter: str) -> str:
    """SQL for ``exporter``'s density around every product: hs6, density, present (RCA ≥ 1), rca.

    Products the country does not export have rca NULL.
    """
    lit = "'" + exporter.replace("'", "''") + "'"
    return f"""WITH {_bits_sql(exports, _countries(con, exports))},
mine AS (SELECT b.hs6, b.bits, b.u FROM b JOIN m ON m.hs6 = b.hs6 WHERE m.exporter = {lit}),
den AS (SELECT a.hs6, sum(CAST(bit_count(a.bits & o.bits) AS DOUBLE) / greatest(a.u, o.u)) AS s FROM b a CROSS JOIN b o
        GROUP BY a.hs6),
num AS (SELECT a.hs6, sum(CAST(bit_count(a.bits & o.bits) AS DOUBLE) / greatest(a.u, o.u)) AS s FROM b a CROSS JOIN mine o
        GROUP BY a.hs6),
own AS ({presence_sql(exports, 0.0)})
SELECT den.hs6, coalesce(num.s, 0.0) / den.s AS density, (mine.hs6 IS NOT NULL) AS present, own.rca
FROM den LEFT JOIN num ON num.hs6 = den.hs6 LEFT JOIN mine ON mine.hs6 = den.hs6
LEFT JOIN own ON own.hs6 = den.hs6 AND own.exporter = {lit}"""


def density(con: Any, exports: str, exporter: str) -> dict[str, float]:
    """``exporter``'s density around every product (hs6 → density), computed on ``con``."""
    rows = con.execute(density_sql(con, exports, exporter)).fetchall()
    return {str(k): float(d) for k, d, _, _ in rows}
