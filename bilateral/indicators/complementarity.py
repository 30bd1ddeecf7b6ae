"""Trade complementarity index (WITS/Michaely): how well one country's exports match another's imports.

TC_ij = 100 × (1 − Σ_k |m_jk − x_ik| / 2), with x_ik the share of product k in i's exports and m_jk
its share in j's imports (both to/from the world). 0: no overlap; 100: identical structures.
Computed at HS6 over a :class:`~bilateral.store.matrix.WorldMatrix`'s marginals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Complementarity", "complementarity", "complementarity_sql"]


@dataclass(frozen=True)
class Complementarity:
    exporter: str
    importer: str
    year: int
    index: float  # 0–100
    products: int  # HS6 codes in either structure
    exports_usd: float
    imports_usd: float

    def to_dict(self) -> dict[str, Any]:
        return {"exporter": self.exporter, "importer": self.importer, "year": self.year, "index": self.index,
                "products": self.products, "exports_usd": self.exports_usd, "imports_usd": self.imports_usd,
                "definition": "100 × (1 − Σ_k |m_jk − x_ik| / 2), HS6 shares (WITS trade complementarity)"}


def complementarity_sql(exports: str, imports: str) -> str:
    """SQL over relations ``exports(hs6, value)`` and ``imports(hs6, value)`` → index, products, X, M."""
    return f"""
WITH x AS (SELECT hs6, sum(value) AS v FROM ({exports}) GROUP BY ALL HAVING sum(value) > 0),
m AS (SELECT hs6, sum(value) AS v FROM ({imports}) GROUP BY ALL HAVING sum(value) > 0),
tx AS (SELECT sum(v) AS t FROM x), tm AS (SELECT sum(v) AS t FROM m)
SELECT 100.0 * (1.0 - sum(abs(coalesce(m.v / tm.t, 0.0) - coalesce(x.v / tx.t, 0.0))) / 2.0), count(*),
       any_value(tx.t), any_value(tm.t)
FROM x FULL OUTER JOIN m USING (hs6), tx, tm
"""


def complementarity(con: Any, matrix: Any, exporter: str, importer: str) -> Complementarity:
    """Complementarity of ``exporter``'s exports with ``importer``'s imports in a world matrix."""
    ex, im = exporter.upper(), importer.upper()
    return complementarity_result(matrix, ex, im, con.execute(complementarity_matrix_sql(matrix, ex, im)).fetchall()[0])


def complementarity_matrix_sql(matrix: Any, exporter: str, importer: str) -> str:
    """The SQL of :func:`complementarity` over a world matrix; it runs on DuckDB and on Spark."""
    from bilateral.indicators.rca import country_literal

    return complementarity_sql(
        f"SELECT hs6, value_usd AS value FROM ({matrix.exports}) WHERE exporter = {country_literal(exporter)}",
        f"SELECT hs6, value_usd AS value FROM ({matrix.imports}) WHERE importer = {country_literal(importer)}")


def complementarity_result(matrix: Any, exporter: str, importer: str, row: Any) -> Complementarity:
    """The result from the query's one row (index, products, exports, imports), whichever engine ran it."""
    from bilateral.errors import NotAvailableError

    if row[0] is None or not row[2] or not row[3]:
        raise NotAvailableError(f"no exports of {exporter} or no imports of {importer} in the {matrix.year} matrix")
    return Complementarity(exporter, importer, matrix.year, float(row[0]), int(row[1]), float(row[2]), float(row[3]))
