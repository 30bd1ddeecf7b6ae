"""`bilateral potential` (export potential by HS6 product) and `bilateral rca` (RCA for every exporter)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from bilateral.cli_common import FormatOpt, OutOpt, StoreOpt, emit, read_command, run
from bilateral.engine import DEFAULT_SPARK_MASTER, DEFAULT_SPARK_MEMORY
from bilateral.engine.options import EngineOpt, MatrixOpt, SparkMasterOpt, SparkMemoryOpt
from bilateral.errors import InputError

DESCRIPTION_WIDTH = 44
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


def _render(result: Any, console: Any) -> None:
    from rich.table import Table

    where = result.market or "every market"
    horizon = next((p.value for p in result.parameters if p.name == "horizon_years"), "?")
    t = Table(title=f"Export potential of {result.exporter} in {where}, {result.year} matrix (US$ million; "
              f"potential projected {horizon} years ahead)", title_justify="left")
    cols = ["#"] + (["to"] if result.market is None else []) + [
        "product · sector · exporter's rank · top suppliers · EU sanction", "market", "actual", "potential", "untapped"]
    numeric = {"#", "market", "actual", "potential", "untapped"}
    for c in cols:
        t.add_column(c, justify="right" if c in numeric else "left", no_wrap=c in numeric)
    from bilateral.harmonise.sectors import titles as sector_titles

    titles = sector_titles()
    for n, p in enumerate(result.products, start=1):
        top = ("suppliers n/a" if p.top_suppliers is None else
               " ".join(f"{s.exporter} {s.share:.0%}" for s in p.top_suppliers[:3]))
        if p.sanction is not None:
            sanc = f"EU: {p.sanction.category} since {p.sanction.since[:7]}" + (" ⚠" if p.sanction.secondary_risk else "")
        else:
            sanc = "EU: —" if p.sanctions_known else "EU: n/a"
        rank = "not a supplier" if p.exporter_rank is None else f"rank {p.exporter_rank}/{p.suppliers}"
        product = f"{p.hs6} {_short(p.description)}\n[dim]{titles.get(p.sector, p.sector)} · {rank} · {top} · {sanc}[/dim]"
        row = [str(n)] + ([p.market] if result.market is None else []) + [
            product, _usd_mn(p.market_usd), _usd_mn(p.actual_usd), _usd_mn(p.potential_usd), _usd_mn(p.untapped_usd)]
        t.add_row(*row)
    console.print(t)
    s = Table(title="Totals by summit sector (every matching product; ⚠ = dual-use or military-technology: "
              "secondary-sanction risk; w/o ⚠ = untapped without them)", title_justify="left")
    for c in ("sector", "market", "actual", "potential", "untapped", "w/o ⚠"):
        s.add_column(c, justify="left" if c == "sector" else "right", no_wrap=c != "sector",
                     min_width=12 if c == "sector" else None)
    for x in (*result.sectors, result.total):
        s.add_row(f"{x.title} ({x.products:,} HS6, {x.risky_products:,} ⚠)", _usd_mn(x.market_usd),
                  _usd_mn(x.actual_usd), _usd_mn(x.potential_usd), _usd_mn(x.untapped_usd),
                  _usd_mn(x.untapped_excl_risk_usd))
    console.print(s)
    from rich.markup import escape

    console.print("Parameters (harmonise/data/potential_parameters.csv):")
    for p in result.parameters:
        console.print(escape(f"  {p.name} = {p.value} {p.unit} [{p.kind}] — {p.source}"))
    for note in result.notes:
        console.print(escape(f"Note: {note}"))
    prov = result.matrix.get("provenance") or []
    if prov:
        console.print(f"Source: {prov[0]['producer']}; {prov[0]['licence']}")


def register(app: typer.Typer) -> None:
    """Register `potential` and `rca` on the app."""

    @app.command("potential")
    def potential_cmd(
        pair: Annotated[str | None, typer.Option("--pair", help="Exporter and market as ISO3, e.g. IND-RUS "
                                                 "(default IND-RUS).")] = None,
        exporter: Annotated[str | None, typer.Option("--exporter", help="One exporter against every market, "
                                                     "e.g. IND.")] = None,
        sector: Annotated[str | None, typer.Option("--sector", help="Only this summit sector (id or prefix: "
                                                   "pharma, engineering, agri, plastics, chemicals, textiles…).")] = None,
        product: Annotated[list[str] | None, typer.Option("--product", help="Only these HS codes (6, 4 or 2 "
                                                          "digits); repeat the option.")] = None,
        top: Annotated[int, typer.Option("--top", help="Number of products shown (0: all).")] = 20,
        exclude_sanction_risk: Annotated[bool, typer.Option(
            "--exclude-sanction-risk", help="Drop products under EU dual-use or military-technology "
                                            "restrictions (secondary-sanction risk).")] = False,
        tariffs: Annotated[Path | None, typer.Option("--tariffs", help="CSV hs6,tariff_factor: demand "
                                                     "multipliers for the market's tariffs (default: none).")] = None,
        year: Annotated[int | None, typer.Option("--year", help="Matrix year (default: the embedded 2024, or a "
                                                 "loaded BACI year).")] = None,
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
            from bilateral.engine.run import engine_run, potential_cells
            from bilateral.models.potential import potential

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
            tariff_map = read_tariffs(tariffs) if tariffs else None
            with cmd.open() as s, engine_run(s, engine=engine, year=year, matrix_path=matrix_path,
                                             master=spark_master, memory=spark_memory) as r:
                result = potential(s, ex, market, year=year, sector=sector, products=product or (),
                                   top=top or None, exclude_sanction_risk=exclude_sanction_risk,
                                   tariffs=tariff_map, matrix=r.local,
                                   cells=None if r.engine.name == "duckdb" else potential_cells(r))
            emit(cmd.fmt, out, result.to_dict(), result.records(), lambda c: _render(result, c))

        run(body)

    @app.command("rca")
    def rca_cmd(
        year: Annotated[int | None, typer.Option("--year", help="Matrix year (default: the embedded 2024).")] = None,
        exporter: Annotated[str | None, typer.Option("--exporter", help="Only this exporter (all are computed).")] = None,
        top: Annotated[int, typer.Option("--top", help="Rows shown in the table (0: all; csv/json/parquet "
                                         "always get every row).")] = 20,
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
            from bilateral.indicators.complementarity import complementarity
            from bilateral.indicators.rca import rca_matrix

            cmd = read_command(format_for(fmt, out), store)
            fmt_ = cmd.fmt
            with cmd.open() as s, engine_run(s, engine=engine, year=year, matrix_path=matrix_path,
                                             master=spark_master, memory=spark_memory, need_local=False,
                                             parts=("exports", "imports")) as r:
                matrix = r.local
                if r.engine.name == "duckdb":
                    df = rca_matrix(s.con, matrix, exporter=exporter.upper() if exporter else None)
                    tci = complementarity(s.con, matrix, "IND", "RUS")
                else:  # the same SQL on Spark
                    df = rca_frame(r, exporter.upper() if exporter else None)
                    tci = complementarity_on(r, "IND", "RUS")
            df = df.sort_values(["exporter", "rca", "product"], ascending=[True, False, True]).reset_index(drop=True)
            if fmt_ == "parquet" and out is not None:  # every row, written straight from the frame
                import pyarrow as pa
                import pyarrow.parquet as pq

                from bilateral.output import write_atomic

                table = pa.Table.from_pandas(df, preserve_index=False)
                write_atomic(out, lambda path: pq.write_table(table, path, compression="zstd"))
                typer.echo(f"{len(df):,} rows written to {out}", err=True)
                return
            rows = df.to_dict("records")
            obj = {"year": matrix.year, "matrix": matrix.to_dict(), "complementarity_IND_RUS": tci.to_dict(),
                   "rca": rows}

            def render(console: Any) -> None:
                from rich.table import Table

                t = Table(title=f"RCA (Balassa), {matrix.year}, {len(rows):,} exporter × product cells"
                          + (f" for {exporter.upper()}" if exporter else ""), title_justify="left")
                for c in ("exporter", "product", "exports (US$ mn)", "RCA"):
                    t.add_column(c, justify="left" if c in ("exporter", "product") else "right")
                for r in rows[: top or None]:
                    t.add_row(r["exporter"], r["product"], f"{r['value'] / 1e6:,.2f}", f"{r['rca']:.2f}")
                console.print(t)
                console.print(f"Trade complementarity of IND's exports with RUS's imports: {tci.index:.1f} "
                              f"(0–100; {tci.products:,} products)")
                from rich.markup import escape

                console.print(escape(f"Note: {matrix.caveat}"))

            emit(fmt_, out, obj, rows, render)

        run(body)
