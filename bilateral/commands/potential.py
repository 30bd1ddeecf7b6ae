"""`bilateral potential` (export potential by HS6 product) and `bilateral rca` (RCA for every exporter)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from bilateral.cli_common import (
    COUNTRY,
    HS_CODE,
    PAIR,
    YEAR,
    FormatOpt,
    OutOpt,
    StoreOpt,
    count_parser,
    emit,
    read_command,
    run,
    text_file,
)
from bilateral.engine import DEFAULT_SPARK_MASTER, DEFAULT_SPARK_MEMORY
from bilateral.engine.options import EngineOpt, MatrixOpt, SparkMasterOpt, SparkMemoryOpt
from bilateral.errors import BilateralError, InputError

DESCRIPTION_WIDTH = 44
#: the largest tariff file read (one row per HS6 code is about 5,600 rows, well under a megabyte)
TARIFFS_MAX_BYTES = 10 * 1024 * 1024
#: DuckDB's memory limit for `potential --all` (bilateral.models.potential.scale.DEFAULT_MEMORY_LIMIT; not
#: imported from there so that the CLI starts without the model)
DEFAULT_MEMORY_LIMIT = "1GB"
DEFAULT_PAIR = "IND-RUS"


def _usd_mn(v: float | None) -> str:
    return "—" if v is None else f"{v / 1e6:,.1f}"


def _short(text: str | None, width: int = DESCRIPTION_WIDTH) -> str:
    if not text:
        return "(description unavailable)"
    return text if len(text) <= width else text[: width - 1] + "…"


def read_tariffs(path: Path) -> dict[str, float]:
    """A tariff file: CSV with columns hs6, tariff_factor (a demand multiplier, > 0)."""
    import csv

    if not path.is_file():
        raise InputError("no such file", file=str(path))
    out: dict[str, float] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if not {"hs6", "tariff_factor"} <= set(reader.fieldnames or []):
            raise InputError("header must have hs6,tariff_factor", file=str(path), line=1)
        for line, row in enumerate(reader, start=2):
            code = (row["hs6"] or "").strip()
            if len(code) != 6 or not code.isdigit():
                raise InputError(f"HS6 code {code!r} is not 6 digits", file=str(path), line=line, field="hs6")
            try:
                factor = float(row["tariff_factor"])
            except ValueError:
                raise InputError(f"{row['tariff_factor']!r} is not a number", file=str(path), line=line,
                                 field="tariff_factor") from None
            if not factor > 0:
                raise InputError("tariff_factor must be positive", file=str(path), line=line, field="tariff_factor")
            out[code] = factor
    return out


SUFFIX_FORMATS = {".parquet": "parquet", ".csv": "csv", ".json": "json"}


def format_for(fmt: str, out: Path | None) -> str:
    """The output format: as given, or from --out's suffix when left at the default (table)."""
    if fmt == "table" and out is not None and out.suffix.lower() in SUFFIX_FORMATS:
        return SUFFIX_FORMATS[out.suffix.lower()]
    return fmt


def _sanction_text(p: Any) -> str:
    if p.sanction is not None:
        return (f"EU: {p.sanction.category} since {p.sanction.since} (HS6 flag, CJP 2023)"
                + (" ⚠" if p.sanction.secondary_risk else ""))
    return "EU: —" if p.sanctions_known else "EU: n/a"


def _parameters_and_notes(result: Any, console: Any) -> None:
    from rich.markup import escape

    console.print("Parameters (harmonise/data/potential_parameters.csv):")
    for p in result.parameters:
        console.print(escape(f"  {p.name} = {p.value} {p.unit} [{p.kind}] — {p.source}"))
    for note in result.notes:
        console.print(escape(f"Note: {note}"))
    prov = result.matrix.get("provenance") or []
    if prov:
        console.print(escape(f"Source: {prov[0]['producer']}; {prov[0]['licence']}"))


def _render(result: Any, console: Any) -> None:
    from rich.markup import escape
    from rich.table import Table

    from bilateral.harmonise.sectors import titles as sector_titles

    where = result.market or "every market"
    horizon = next((p.value for p in result.parameters if p.name == "horizon_years"), "?")
    t = Table(title=f"Export potential of {result.exporter} in {where}, {result.year} matrix (US$ million; "
              f"potential projected {horizon} years ahead; scope: {result.scope.rule if result.scope else '?'})",
              title_justify="left")
    cols = ["#"] + (["to"] if result.market is None else []) + [
        "product · sector · RCA · supply · distance · exporter's rank · top suppliers · EU sanction",
        "market", "actual", "potential", "untapped"]
    numeric = {"#", "market", "actual", "potential", "untapped"}
    for c in cols:
        t.add_column(c, justify="right" if c in numeric else "left", no_wrap=c in numeric)
    titles = sector_titles()
    for n, p in enumerate(result.products, start=1):
        top = ("suppliers n/a" if p.top_suppliers is None else
               " ".join(f"{s.exporter} {s.share:.0%}" for s in p.top_suppliers[:3]))
        rank = ("rank n/a" if p.top_suppliers is None else "not a supplier" if p.exporter_rank is None
                else f"rank {p.exporter_rank}/{p.suppliers}")
        supply = "EIDB" if p.supply_source == "national" else "matrix"
        product = escape(f"{p.hs6} {_short(p.description)}") + (
            f"\n[dim]{escape(titles.get(p.sector, p.sector))} · RCA {p.rca:.1f} · supply {supply} · "
            f"distance ×{p.distance_factor:.2f} · {rank} · {top} · {escape(_sanction_text(p))}[/dim]")
        row = [str(n)] + ([p.market] if result.market is None else []) + [
            product, _usd_mn(p.market_usd), _usd_mn(p.actual_usd), _usd_mn(p.potential_usd), _usd_mn(p.untapped_usd)]
        t.add_row(*row)
    console.print(t)
    label = f"{result.market} imports of these HS6" if result.market else "imports of these HS6"
    s = Table(title="Totals by summit sector (every product in scope matching the filters; ⚠ = dual-use or "
              "military-technology: secondary-sanction risk; w/o ⚠ = untapped without them)", title_justify="left")
    for c in ("sector", label, "actual", "potential", "untapped", "w/o ⚠"):
        s.add_column(c, justify="left" if c == "sector" else "right", no_wrap=c != "sector",
                     min_width=12 if c == "sector" else None)
    for x in (*result.sectors, result.total):
        s.add_row(f"{x.title} ({x.products:,} HS6, {x.risky_products:,} ⚠)", _usd_mn(x.market_usd),
                  _usd_mn(x.actual_usd), _usd_mn(x.potential_usd), _usd_mn(x.untapped_usd),
                  _usd_mn(x.untapped_excl_risk_usd))
    console.print(s)
    if result.market_imports_usd is not None:
        sales = result.markets[0].actual_all_usd if result.markets else 0.0
        console.print(f"{result.market}'s imports of every product: US${_usd_mn(result.market_imports_usd)} mn; "
                      f"{result.exporter}'s sales there: US${_usd_mn(sales)} mn, of which "
                      f"US${_usd_mn(result.total.actual_usd)} mn in products in scope.")
    for m in result.markets[:10]:
        dist = "no distance" if m.distance_km is None else f"{m.distance_km:,.0f} km"
        sup = "—" if m.supplier_km is None else f"{m.supplier_km:,.0f} km"
        console.print(f"{result.exporter}→{m.market}: distance {dist}, the market's suppliers {sup} on average "
                      f"(import-weighted over the products in scope); distance factor ×{m.distance_factor:.2f} "
                      f"(×{m.distance_factor_min:.2f} to ×{m.distance_factor_max:.2f} by product); ease "
                      f"{m.ease:.3f} (actual {_usd_mn(m.actual_in_scope_usd)} / hypothetical "
                      f"{_usd_mn(m.hypothetical_usd)}); growth to the horizon: supply ×{m.supply_growth:.3f}, "
                      f"demand ×{m.demand_growth:.3f}")
    if len(result.markets) > 10:
        console.print(f"… {len(result.markets) - 10} more markets (--format json lists them all)")
    if result.sensitivity is not None:
        _render_sensitivity(result.sensitivity, console)
    _parameters_and_notes(result, console)


def _render_sensitivity(sens: Any, console: Any) -> None:
    from rich.table import Table

    t = Table(title=f"Sensitivity of the top {sens.top} (default untapped US${_usd_mn(sens.default_untapped_usd)} mn)",
              title_justify="left")
    for c in ("parameter", "value (default)", "rank corr.", "enter", "leave", "untapped"):
        t.add_column(c, justify="right" if c in ("rank corr.", "untapped") else "left")
    for c in sens.cases:
        t.add_row(c.parameter, f"{c.value:g} ({c.default:g})",
                  "—" if c.rank_correlation is None else f"{c.rank_correlation:.2f}",
                  ", ".join(k.split(":")[1] for k in c.entrants) or "—",
                  ", ".join(k.split(":")[1] for k in c.leavers) or "—", _usd_mn(c.untapped_usd))
    console.print(t)
    console.print(f"[dim]{sens.method}[/dim]")


def _render_diversification(result: Any, console: Any) -> None:
    from rich.markup import escape
    from rich.table import Table

    from bilateral.harmonise.sectors import titles as sector_titles

    titles = sector_titles()
    where = result.market or "every market"
    t = Table(title=f"Diversification: products {result.exporter} does not yet export competitively, related to its "
              f"exports (density ≥ the {result.density_quantile:g} quantile), by density × {where}'s imports "
              f"({result.year} matrix, US$ million)", title_justify="left")
    cols = ["#"] + (["to"] if result.market is None else []) + [
        "product · sector · density (rank) · RCA · top suppliers · EU sanction", "market", "exports today", "score"]
    for c in cols:
        t.add_column(c, justify="left" if c.startswith("product") or c == "to" else "right")
    for n, p in enumerate(result.products, start=1):
        top = ("suppliers n/a" if p.top_suppliers is None else
               " ".join(f"{s.exporter} {s.share:.0%}" for s in p.top_suppliers[:3]))
        rca = "not exported" if p.rca is None else f"RCA {p.rca:.2f}"
        product = escape(f"{p.hs6} {_short(p.description)}") + (
            f"\n[dim]{escape(titles.get(p.sector, p.sector))} · density {p.density:.3f} (#{p.density_rank}) · {rca} · "
            f"{top} · {escape(_sanction_text(p))}[/dim]")
        t.add_row(*([str(n)] + ([p.market] if result.market is None else []) + [
            product, _usd_mn(p.market_usd), _usd_mn(p.exports_usd), _usd_mn(p.score_usd)]))
    console.print(t)
    _parameters_and_notes(result, console)


def _run_all(store: Path | None, out: Path | None, year: int | None, matrix_path: str | None, memory_limit: str,
             engine: str, fmt: str) -> None:
    """`potential --all`: every exporter × market × product to Parquet, with a progress bar on the terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from bilateral.engine.run import engine_run
    from bilateral.models.potential.scale import potential_all

    if out is None:
        raise InputError("--all writes Parquet: give --out FILE.parquet", field="--out")
    if engine != "duckdb":
        raise InputError("--all runs on DuckDB; on Spark use the library's potential_table (docs/spark.md)",
                         field="--engine")
    if fmt not in ("table", "parquet"):
        raise InputError("--all writes Parquet to --out; --format is parquet (or left out)", field="--format")
    console = Console(stderr=True)
    cmd = read_command("table", store)
    with cmd.open() as s, engine_run(s, engine="duckdb", year=year, matrix_path=matrix_path) as r, \
            Progress(TextColumn("every exporter × market × product"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                     TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task("all", total=1.0)
        result = potential_all(s, out, matrix=r.local, memory_limit=memory_limit,
                               progress=lambda done: bar.update(task, completed=done))
    console.print(f"{result.rows:,} rows ({result.exporters} exporters × {result.markets} markets × HS6, in scope) "
                  f"written to {result.out} in {result.seconds:,.1f} s (DuckDB, {result.threads} threads, memory "
                  f"limit {result.memory_limit}); potential US${result.potential_usd / 1e9:,.1f} bn, untapped "
                  f"US${result.untapped_usd / 1e9:,.1f} bn; release {result.release}")
    from rich.markup import escape

    for note in result.notes:
        console.print(escape(f"Note: {note}"))


def register(app: typer.Typer) -> None:
    """Register `potential` and `rca` on the app."""

    @app.command("potential")
    def potential_cmd(
        pair: Annotated[str | None, typer.Option("--pair", parser=PAIR, help="Exporter and market as ISO3, e.g. IND-RUS "
                                                 "(default IND-RUS).")] = None,
        exporter: Annotated[str | None, typer.Option("--exporter", parser=COUNTRY, help="One exporter against every "
                                                     "market, e.g. IND.")] = None,
        sector: Annotated[str | None, typer.Option("--sector", help="Only this summit sector (id or prefix: "
                                                   "pharma, engineering, agri, plastics, chemicals, textiles…).")] = None,
        product: Annotated[list[str] | None, typer.Option("--product", parser=HS_CODE, help="Only these HS codes (6, 4 or 2 "
                                                          "digits); repeat the option.")] = None,
        top: Annotated[int, typer.Option("--top", parser=count_parser(), help="Number of products shown (0: all).")] = 20,
        exclude_sanction_risk: Annotated[bool, typer.Option(
            "--exclude-sanction-risk", help="Drop products under EU dual-use or military-technology "
                                            "restrictions (secondary-sanction risk).")] = False,
        tariffs: Annotated[Path | None, typer.Option("--tariffs", parser=text_file("tariff file", TARIFFS_MAX_BYTES),
                                                     help="CSV hs6,tariff_factor: demand "
                                                     "multipliers for the market's tariffs (default: none).")] = None,
        year: Annotated[int | None, typer.Option("--year", parser=YEAR, help="Matrix year (default: the embedded 2024, "
                                                 "or a loaded BACI year).")] = None,
        diversification: Annotated[bool, typer.Option(
            "--diversification", help="The diversification indicator instead: products the exporter does not yet "
                                      "export competitively, by relatedness (product-space density) and the "
                                      "market's imports.")] = False,
        sensitivity: Annotated[bool, typer.Option(
            "--sensitivity", help="Add the top products' stability under the distance and income elasticities and "
                                  "the capacity threshold (rank correlation, entrants, leavers).")] = False,
        every: Annotated[bool, typer.Option(
            "--all", help="Every exporter × every market × product of a full matrix (an ingested BACI year or "
                          "--matrix), written to --out FILE.parquet, with progress.")] = False,
        memory_limit: Annotated[str, typer.Option(
            "--memory-limit", help="With --all: DuckDB's memory limit; beyond it the work spills to disk.")
        ] = DEFAULT_MEMORY_LIMIT,
        engine: EngineOpt = "duckdb",
        spark_master: SparkMasterOpt = DEFAULT_SPARK_MASTER,
        spark_memory: SparkMemoryOpt = DEFAULT_SPARK_MEMORY,
        matrix_path: MatrixOpt = None,
        fmt: FormatOpt = "table",
        out: OutOpt = None,
        store: StoreOpt = None,
    ) -> None:
        """Export potential by HS6 product (ITC method), with suppliers, EU sanctions and sector totals."""

        def body() -> None:
            from bilateral.engine.run import engine_run
            from bilateral.models.potential import potential
            from bilateral.models.potential.inputs import potential_cells

            if every:
                _run_all(store, out, year, matrix_path, memory_limit, engine, fmt)
                return
            cmd = read_command(format_for(fmt, out), store)
            if pair and exporter:
                raise InputError("give --pair EXPORTER-MARKET or --exporter EXPORTER, not both", field="--pair")
            if exporter:
                ex, market = exporter, None
            else:
                parts = (pair or DEFAULT_PAIR).split("-")
                if len(parts) != 2:
                    raise InputError(f"--pair {pair!r} is not EXPORTER-MARKET, e.g. IND-RUS", field="--pair")
                ex, market = parts
            from bilateral.harmonise.countries import is_known_code

            for code in (ex, market):
                if code is not None and not is_known_code(code.strip().upper()):
                    raise InputError(f"{code.strip().upper()} is not a country code: write ISO3 codes, e.g. IND-RUS",
                                     field="--pair" if pair else "--exporter")
            if diversification and (engine != "duckdb" or tariffs or sensitivity or exclude_sanction_risk):
                raise InputError("--diversification runs on DuckDB and takes no --tariffs, --sensitivity or "
                                 "--exclude-sanction-risk", field="--diversification")
            tariff_map = read_tariffs(tariffs) if tariffs else None
            with cmd.open() as s, engine_run(s, engine=engine, year=year, matrix_path=matrix_path,
                                             master=spark_master, memory=spark_memory) as r:
                if diversification:
                    from bilateral.models.potential.diversification import diversification as diversify

                    div = diversify(s, ex, market, year=year, sector=sector, products=product or (),
                                    top=top or None, matrix=r.local)
                else:
                    result = potential(s, ex, market, year=year, sector=sector, products=product or (),
                                       top=top or None, exclude_sanction_risk=exclude_sanction_risk,
                                       tariffs=tariff_map, matrix=r.local, sensitivity=sensitivity,
                                       cells=None if r.engine.name == "duckdb" else potential_cells(r))
            if diversification:
                emit(cmd.fmt, out, div.to_dict(), div.records(), lambda c: _render_diversification(div, c))
            else:
                emit(cmd.fmt, out, result.to_dict(), result.records(), lambda c: _render(result, c))

        run(body)

    @app.command("rca")
    def rca_cmd(
        year: Annotated[int | None, typer.Option("--year", parser=YEAR,
                                                 help="Matrix year (default: the embedded 2024).")] = None,
        exporter: Annotated[str | None, typer.Option("--exporter", parser=COUNTRY,
                                                     help="Only this exporter (all are computed).")] = None,
        top: Annotated[int, typer.Option("--top", parser=count_parser(), help="Rows shown in the table (0: all; "
                                         "csv/json/parquet always get every row).")] = 20,
        engine: EngineOpt = "duckdb",
        spark_master: SparkMasterOpt = DEFAULT_SPARK_MASTER,
        spark_memory: SparkMemoryOpt = DEFAULT_SPARK_MEMORY,
        matrix_path: MatrixOpt = None,
        fmt: FormatOpt = "table",
        out: OutOpt = None,
        store: StoreOpt = None,
    ) -> None:
        """Balassa RCA for every exporter × HS6 of a world matrix, and India–Russia trade complementarity."""

        def body() -> None:
            from bilateral.engine.run import complementarity_on, engine_run, rca_frame
            from bilateral.indicators import rca as rca_sql
            from bilateral.indicators.complementarity import complementarity

            cmd = read_command(format_for(fmt, out), store)
            fmt_ = cmd.fmt
            who = exporter.upper() if exporter else None
            if fmt_ == "parquet" and out is None:
                raise BilateralError("--format parquet needs --out PATH (Parquet is binary)")
            with cmd.open() as s, engine_run(s, engine=engine, year=year, matrix_path=matrix_path,
                                             master=spark_master, memory=spark_memory, need_local=False,
                                             parts=("exports", "imports")) as r:
                matrix = r.local
                if r.engine.name != "duckdb":  # the same SQL on Spark, its rows ordered here
                    df = rca_frame(r, who).sort_values(["exporter", "rca", "product"], ascending=[True, False, True])
                    spark_cells = list(df[["exporter", "product", "value", "rca"]].itertuples(index=False, name=None))
                    _rca_output(fmt_, out, top, who, matrix, complementarity_on(r, "IND", "RUS"), len(spark_cells),
                                iter(spark_cells))
                    return
                tci = complementarity(s.con, matrix, "IND", "RUS")
                if out is not None and fmt_ in ("parquet", "csv"):  # every row, written by DuckDB's COPY
                    from bilateral.output import write_atomic

                    n: list[int] = []
                    write_atomic(out, lambda path: n.append(rca_sql.rca_copy(s.con, matrix, path, who, fmt=fmt_)))
                    typer.echo(f"{n[0]:,} rows written to {out}", err=True)
                    return
                # a table of --top N: only those rows leave DuckDB; otherwise every row, as it is fetched
                total, cells = rca_sql.rca_rows(s.con, matrix, who, top if fmt_ == "table" and top > 0 else None)
                _rca_output(fmt_, out, top, who, matrix, tci, total, cells)

        run(body)


RCA_COLUMNS = ("exporter", "product", "value", "rca")


def _rca_output(fmt: str, out: Path | None, top: int, exporter: str | None, matrix: Any, tci: Any, total: int,
                cells: Any) -> None:
    """`bilateral rca` output from its cells (exporter, product, value, rca) as they come, in every format.

    ``total`` is the number of cells; ``cells`` yields them in order (only the first ``top`` for a
    table with ``--top N``). A long table and CSV on stdout are written as the rows arrive.
    """
    title = (f"RCA (Balassa), {matrix.year}, {total:,} exporter × product cells"
             + (f" for {exporter}" if exporter else ""))
    footer = [f"Trade complementarity of IND's exports with RUS's imports: {tci.index:.1f} "
              f"(0–100; {tci.products:,} products)", f"Note: {matrix.caveat}"]
    if fmt == "table" and top == 0:  # every cell: plain lines as they are made (rich took minutes)
        from bilateral.output import stream_table

        stream_table(out, title, [("exporter", "<", 8), ("product", "<", 7), ("exports (US$ mn)", ">", 16),
                                  ("RCA", ">", 10)],
                     ((e, p, f"{v / 1e6:,.2f}", f"{x:.2f}") for e, p, v, x in cells), footer)
        return
    if fmt == "csv" and out is None:
        import csv
        import sys

        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(RCA_COLUMNS)
        w.writerows(cells)
        return
    rows = [dict(zip(RCA_COLUMNS, c, strict=True)) for c in cells]
    if fmt == "table":
        def render(console: Any) -> None:
            from rich.markup import escape
            from rich.table import Table

            t = Table(title=title, title_justify="left")
            for c in ("exporter", "product", "exports (US$ mn)", "RCA"):
                t.add_column(c, justify="left" if c in ("exporter", "product") else "right")
            for r in rows[:top]:
                t.add_row(r["exporter"], r["product"], f"{r['value'] / 1e6:,.2f}", f"{r['rca']:.2f}")
            console.print(t)
            console.print(escape(footer[0]))
            console.print(escape(footer[1]))

        emit(fmt, out, None, rows, render)
        return
    obj = {"year": matrix.year, "matrix": matrix.to_dict(), "complementarity_IND_RUS": tci.to_dict(), "rca": rows}
    emit(fmt, out, obj, rows, lambda console: None)
