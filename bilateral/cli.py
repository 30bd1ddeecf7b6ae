"""The `bilateral` command: a thin layer over the library.

Every command takes the shared options --format, --out and --store. Errors print one line (what is
wrong, how to fix it) and exit non-zero.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from bilateral.cli_common import FormatOpt, OutOpt, PairOpt, PeriodOpt, QuarantineOpt, StoreOpt
from bilateral.cli_common import emit as _emit
from bilateral.cli_common import pair_report as _pair_report
from bilateral.cli_common import run as _run
from bilateral.errors import BilateralError

app = typer.Typer(
    name="bilateral",
    help="Monitor a bilateral economic partnership (default: India–Russia) from official trade "
    "statistics.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
embedded_app = typer.Typer(help="Build and inspect the embedded India–Russia dataset.",
                           no_args_is_help=True)
app.add_typer(embedded_app, name="embedded")
ingest_app = typer.Typer(help="Load your own downloads into the store: BACI, UN Comtrade, India's EIDB.",
                         no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")

@app.command()
def overview(
    pair: PairOpt = "IND-RUS",
    period: PeriodOpt = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
    store: StoreOpt = None,
) -> None:
    """Where the partnership stands: official totals, the detail behind them, sectors, products."""

    def body() -> None:
        from bilateral.models.overview import overview as build
        from bilateral.models.overview import records
        from bilateral.report.render import render_overview

        _pair_report(pair, fmt, out, store, lambda s, p: build(s, p, period), records, render_overview)

    _run(body)


@app.command()
def releases(fmt: FormatOpt = "table", out: OutOpt = None, store: StoreOpt = None) -> None:
    """Provenance of everything in the store: file, checksum, producer, URL, access date, licence."""

    def body() -> None:
        from rich.table import Table

        from bilateral.api import open_store
        from bilateral.output import check_format

        check_format(fmt)
        with open_store(store) as s:
            cols = ["release", "source", "version", "file", "checksum", "producer", "url", "accessed",
                    "licence", "rows", "loaded_at"]
            rows = [dict(zip(cols, r, strict=True)) for r in s.con.execute(
                f"SELECT {', '.join(cols)} FROM releases ORDER BY release").fetchall()]

        def render(console: Any) -> None:
            t = Table(title="Releases in the store", title_justify="left")
            for c in ("release", "rows", "sha256", "producer", "accessed"):
                t.add_column(c, justify="right" if c == "rows" else "left")
            for r in rows:
                t.add_row(r["release"], f"{r['rows']:,}", r["checksum"][:12], r["producer"][:40],
                          r["accessed"] or "")
            console.print(t)

        _emit(fmt, out, rows, rows, render)

    _run(body)


@app.command("export")
def export_table(
    table: Annotated[
        str, typer.Argument(help="Table: flows, flows_baci, official_totals, products, sectors, countries, "
                            "baci_countries or releases.")
    ],
    fmt: FormatOpt = "csv",
    out: OutOpt = None,
    store: StoreOpt = None,
) -> None:
    """Export a store table as CSV, JSON or Parquet (with --out)."""

    def body() -> None:
        from bilateral.api import open_store
        from bilateral.output import check_format

        allowed = ("flows", "flows_baci", "official_totals", "products", "sectors", "countries",
                   "baci_countries", "releases")
        if table not in allowed:
            raise BilateralError(f"unknown table {table!r}; use one of {', '.join(allowed)}")
        f = check_format(fmt)
        with open_store(store) as s:
            if f == "parquet":
                if out is None:
                    raise BilateralError("--format parquet needs --out PATH")
                out.parent.mkdir(parents=True, exist_ok=True)
                tmp = out.with_name(out.name + ".part")
                s.con.execute(f"COPY (SELECT * FROM {table}) TO ? (FORMAT parquet, COMPRESSION zstd)",
                              [str(tmp)])
                tmp.replace(out)
                return
            rel = s.con.execute(f"SELECT * FROM {table}")
            cols = [d[0] for d in rel.description]
            rows = [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]

        def render(console: Any) -> None:
            from rich.table import Table

            t = Table(title=f"{table} ({len(rows):,} rows; first 50)", title_justify="left")
            for c in cols:
                t.add_column(c)
            for r in rows[:50]:
                t.add_row(*("" if v is None else str(v) for v in r.values()))
            console.print(t)

        _emit(f, out, rows, rows, render)

    _run(body)


@app.command()
def indicators(
    pair: PairOpt = "IND-RUS",
    period: PeriodOpt = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
    store: StoreOpt = None,
) -> None:
    """Every indicator with its unit, description and sources, and its value for a pair and year."""

    def body() -> None:
        from bilateral.indicators.summary import summary
        from bilateral.report.render import render_indicators

        _pair_report(pair, fmt, out, store, lambda s, p: summary(s, p, period),
                     lambda rows: [{**r, "sources": ", ".join(r["sources"])} for r in rows], render_indicators)

    _run(body)


@app.command()
def target(
    pair: PairOpt = "IND-RUS",
    base: Annotated[str | None, typer.Option("--base", help="Base fiscal year (default: latest official).")] = None,
    target_usd: Annotated[float, typer.Option("--target-usd", help="Target total trade in US$.")] = 100e9,
    by: Annotated[str, typer.Option("--by", help="Target fiscal year ('by 2030' = FY2029-30).")] = "FY2029-30",
    scenario: Annotated[Path | None, typer.Option("--scenario", help="Scenario YAML file.")] = None,
    chart: Annotated[Path | None, typer.Option("--chart", help="Write a PNG chart here.")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write an interactive HTML chart here.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the simulated probability.")] = 20251205,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
    store: StoreOpt = None,
) -> None:
    """Is the partnership on track for its target? Required vs achieved growth, forecast, scenarios."""

    def body() -> None:
        from bilateral.models.target import records, track
        from bilateral.report.render import render_target

        result = _pair_report(
            pair, fmt, out, store,
            lambda s, p: track(s, p, base=base, target_usd=target_usd, by=by, scenario_file=scenario, seed=seed),
            records, render_target)
        if chart is not None:
            from bilateral.report.charts import target_png

            target_png(result, chart)
        if html is not None:
            from bilateral.report.charts import target_html

            target_html(result, html)

    _run(body)


def _ingest(fmt: str, out: Path | None, store: Path | None, load: Callable[[Any], Any]) -> None:
    """The shared body of the ingest commands: check options, load into a ready store, emit the report."""
    from bilateral.api import open_store
    from bilateral.output import check_format

    check_format(fmt)
    with open_store(store) as s:
        report = load(s)
    rows = report.records()

    def render(console: Any) -> None:
        from rich.table import Table

        t = Table(title="Ingest", title_justify="left")
        for c in ("release", "rows", "status"):
            t.add_column(c, justify="right" if c == "rows" else "left")
        for r in rows:
            t.add_row(r["release"], f"{r['rows']:,}", r["status"])
        console.print(t)
        if report.quarantine:
            console.print(f"{report.rejected:,} rejected rows written to {report.quarantine}")

    _emit(fmt, out, {"releases": rows, "rejected": report.rejected, "quarantine": report.quarantine}, rows, render)


@ingest_app.command("baci")
def ingest_baci(
    path: Annotated[Path, typer.Argument(help="A BACI release: the zip from CEPII, or its folder.")],
    years: Annotated[str | None, typer.Option("--years", help="Only these years, e.g. 2022 or 2019-2022.")] = None,
    quarantine: QuarantineOpt = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
    store: StoreOpt = None,
) -> None:
    """Load a CEPII BACI release (world trade by HS6) as published, in one transaction."""

    def body() -> None:
        from bilateral.api import parse_years
        from bilateral.sources import baci

        wanted = parse_years(years) if years else None
        _ingest(fmt, out, store, lambda s: baci.ingest(s, path, years=wanted, quarantine_path=quarantine))

    _run(body)


@ingest_app.command("eidb")
def ingest_eidb(
    path: Annotated[Path, typer.Argument(help="An EIDB file or folder: <HS8>_export.json pages, region CSVs.")],
    quarantine: QuarantineOpt = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
    store: StoreOpt = None,
) -> None:
    """Load India's EIDB files: per-HS8 commodity pages (JSON) and region-wise chapter tables (CSV)."""

    def body() -> None:
        from bilateral.sources import eidb

        _ingest(fmt, out, store, lambda s: eidb.ingest(s, path, quarantine_path=quarantine))

    _run(body)


@ingest_app.command("comtrade")
def ingest_comtrade(
    reporter: Annotated[str, typer.Option("--reporter", help="Reporter, ISO3 (e.g. IND).")] = "IND",
    partner: Annotated[str, typer.Option("--partner", help="Partner, ISO3 (e.g. RUS).")] = "RUS",
    years: Annotated[str, typer.Option("--years", help="Years, e.g. 2019-2024.")] = "2019-2024",
    flow: Annotated[str, typer.Option("--flow", help="X (exports), M (imports), or X,M.")] = "X,M",
    level: Annotated[int, typer.Option("--level", help="HS detail: 0 (total), 2, 4 or 6.")] = 6,
    cache: Annotated[Path | None, typer.Option("--cache", help="Response cache folder "
                                                "(default: $BILATERAL_CACHE/comtrade or the user cache).")] = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
    store: StoreOpt = None,
) -> None:
    """Fetch UN Comtrade data (key in $COMTRADE_API_KEY) by year and flow; cached, resumable, atomic."""

    def body() -> None:
        from bilateral.api import parse_years
        from bilateral.sources import comtrade

        client = comtrade.Client(cache_dir=cache if cache else comtrade.default_cache_dir())
        wanted = parse_years(years)
        flows = [f.strip().upper() for f in flow.split(",") if f.strip()]
        _ingest(fmt, out, store, lambda s: comtrade.ingest(s, reporter, partner, wanted, flows, level, client))

    _run(body)


@app.command()
def flows(
    pair: PairOpt = "IND-RUS",
    source: Annotated[str, typer.Option("--source", help="comtrade, baci, eidb or embedded.")] = "comtrade",
    level: Annotated[int, typer.Option("--level", help="HS level: 0 (totals), 2, 4, 6 or 8.")] = 0,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
    store: StoreOpt = None,
) -> None:
    """A reporter's flows with a partner by period, each with its estimate kind and quality grade."""

    def body() -> None:
        from rich.table import Table

        from bilateral.api import open_store, parse_pair
        from bilateral.harmonise import mirror
        from bilateral.output import check_format

        check_format(fmt)
        p = parse_pair(pair)
        with open_store(store) as s:
            rows = mirror.pair_flows(s, p.reporter, p.partner, source, level)
        if not rows:
            raise BilateralError(
                f"no {source} flows for {p.label} at level {level}; load them first, e.g. `bilateral ingest "
                f"comtrade --reporter {p.reporter} --partner {p.partner} --level {level}` (mirror estimates "
                "need the partner's reports: ingest the reverse pair too)")

        def render(console: Any) -> None:
            t = Table(title=f"{p.label} flows ({source}, HS level {level}); grade A best … D", title_justify="left")
            for c in ("period", "flow", "US$ mn", "estimate", "quality", "grade", "release"):
                t.add_column(c, justify="right" if c == "US$ mn" else "left")
            for r in rows:
                rels = r["release"].split(", ")
                shown = rels[0] if len(rels) == 1 else f"{len(rels)} releases ({rels[0]} …)"
                t.add_row(r["period"], r["flow"], f"{r['value_usd'] / 1e6:,.2f}", r["estimate"], r["quality"],
                          r["grade"], shown)
            console.print(t)

        _emit(fmt, out, rows, rows, render)

    _run(body)


@embedded_app.command("build")
def embedded_build(
    shared: Annotated[Path, typer.Option("--shared", help="The shared data folder (with PROVENANCE.md).")],
    dest: Annotated[
        Path | None, typer.Option("--dest", help="Output folder (default: the package's embedded_data).")
    ] = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
    store: StoreOpt = None,
) -> None:
    """Rebuild the embedded Parquet files and manifest from the shared data (byte-identical)."""

    def body() -> None:
        from bilateral.build.embedded import build
        from bilateral.output import check_format
        from bilateral.sources import embedded

        check_format(fmt)
        if store is not None:
            typer.echo("note: --store is not used by this command", err=True)
        manifest = build(shared, dest or embedded.data_dir())
        rows = [{k: f[k] for k in ("file", "release", "table", "rows", "sha256")} for f in manifest["files"]]

        def render(console: Any) -> None:
            from rich.table import Table

            t = Table(title=f"Embedded dataset {manifest['version']}", title_justify="left")
            for c in ("file", "table", "rows", "sha256"):
                t.add_column(c, justify="right" if c == "rows" else "left")
            for r in rows:
                t.add_row(r["file"], r["table"], f"{r['rows']:,}", r["sha256"][:16])
            console.print(t)

        _emit(fmt, out, manifest, rows, render)

    _run(body)


from bilateral.commands import register_all  # noqa: E402  (the capability commands, one module each)

register_all(app)


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
