"""`bilateral target`: is the partnership on track for its trade target (forecast by component, backtest)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, get_args

import typer

from bilateral.cli_common import (
    DATA_PERIOD,
    MODEL_PERIOD,
    SEED,
    FormatOpt,
    OutOpt,
    PairOpt,
    StoreOpt,
    emit,
    output_path,
    run,
    text_file,
    usd,
)
from bilateral.errors import BilateralError

ChartKind = Literal["png", "html"]
CHART_KINDS: tuple[str, ...] = get_args(ChartKind)
DEFAULT_SEED = 20251205  # the summit's date; keep equal to bilateral.models.target.DEFAULT_SEED


def chart_kind(path: Path) -> ChartKind:
    """The chart format from the file suffix (.png or .html); refuse anything else before any work."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "htm":
        suffix = "html"
    if suffix not in CHART_KINDS:
        raise BilateralError(f"--chart {path}: unknown chart format {path.suffix or '(no suffix)'!r}; "
                             "end the file name in .png or .html")
    if path.is_dir():
        raise BilateralError(f"--chart {path} is a directory; give a file name ending in .png or .html")
    return suffix  # type: ignore[return-value]


def register(app: typer.Typer) -> None:
    @app.command()
    def target(
        pair: PairOpt = "IND-RUS",
        base: Annotated[str | None, typer.Option(
            "--base", parser=DATA_PERIOD, help="Base year (default: the latest, provisional or not).")] = None,
        target_usd: Annotated[float | None, typer.Option(
            "--target-usd", parser=usd(), help="Target total trade in US$ (default: the pair's target on file).")] = None,
        by: Annotated[str | None, typer.Option(
            "--by", parser=MODEL_PERIOD,
            help="Target year (default: the pair's target on file; FY2029-30 for IND-RUS).")] = None,
        scenario: Annotated[Path | None, typer.Option("--scenario", parser=text_file("scenario file"),
                                                        help="Scenario YAML file.")] = None,
        brent: Annotated[str | None, typer.Option(
            "--brent", help="Brent path of the forecast: 'base' (default: the base year's average, held; no later "
                            "price), 'latest' (the last 12 months in the file) or US$/bbl, e.g. 80 or 80,75,70 (one "
                            "a year, the last carried on).")] = None,
        chart: Annotated[Path | None, typer.Option(
            "--chart", parser=output_path("--chart"),
                help="Write a chart here: .png (static) or .html (interactive, self-contained).")] = None,
        html: Annotated[Path | None, typer.Option("--html", parser=output_path("--html"),
            help="Also write an interactive HTML chart here.")] = None,
        backtest: Annotated[bool, typer.Option(
            "--backtest", help="Print the rolling-origin backtest of every model instead of the tracker.")] = False,
        seed: Annotated[int, typer.Option(
            "--seed", parser=SEED, help="Seed of the simulation behind the intervals and the probability.")] = DEFAULT_SEED,
        fmt: FormatOpt = "table",
        out: OutOpt = None,
        store: StoreOpt = None,
    ) -> None:
        """Is the partnership on track for its target? Required vs achieved growth, forecast by component.

        The forecast is the candidate the rolling-origin backtest scores best (series models on total trade,
        or exports + energy imports (volume × a Brent path known at the base) + other imports), with
        intervals calibrated on its earlier errors; --backtest prints that backtest. Scenarios from YAML.
        """

        def body() -> None:
            from bilateral.api import open_store, parse_pair
            from bilateral.output import check_format

            check_format(fmt)
            spec = None
            if brent is not None:
                from bilateral.models.target.data import parse_price_spec

                spec = parse_price_spec(brent, "--brent")
            charts = [(p, chart_kind(p)) for p in (chart, html) if p is not None]
            if html is not None and chart_kind(html) != "html":
                raise BilateralError(f"--html {html}: the file name must end in .html")
            p = parse_pair(pair)
            if backtest:
                from bilateral.models.target import backtest_table
                from bilateral.report.target_render import render_backtest

                with open_store(store, read_only=True) as s:
                    bres = backtest_table(s, p, base=base, seed=seed)
                emit(fmt, out, bres.to_dict(), bres.records(), lambda c: render_backtest(bres, c))
                return
            from bilateral.harmonise.targets import target_for
            from bilateral.models.target import track
            from bilateral.report.target_render import render_target

            on_file = target_for(p)
            value = target_usd if target_usd is not None else (on_file.value_usd if on_file else None)
            year = by if by is not None else (on_file.by if on_file else None)
            if value is None or year is None:
                raise BilateralError(f"no target on file for {p.label}; give --target-usd and --by "
                                     "(e.g. --target-usd 50e9 --by 2030)")
            with open_store(store, read_only=True) as s:
                result = track(s, p, target_usd=value, by=year, base=base, scenario_file=scenario, seed=seed, brent=spec)
            emit(fmt, out, result.to_dict(), result.records(), lambda c: render_target(result, c, on_file))
            for path, kind in charts:
                import sys

                from bilateral.report.charts import target_html, target_png

                sys.stdout.flush()

                (target_png if kind == "png" else target_html)(result.to_dict(), path,
                                                                label="--html" if path == html else "--chart")
                typer.echo(f"wrote {path}", err=True)

        run(body)
