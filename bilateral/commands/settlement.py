"""``bilateral settlement``: how the rupee balance in Special Rupee Vostro Accounts accumulates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from bilateral.cli_common import (
    MODEL_PERIOD,
    FormatOpt,
    OutOpt,
    PairOpt,
    StoreOpt,
    checked,
    emit,
    output_path,
    run,
    text_file,
)

__all__ = ["register"]

DEFAULT_PAIR = "IND-RUS"
DEFAULT_FROM = "FY2022-23"  # the first year of the RBI's rupee settlement mechanism (July 2022)
DEFAULT_TO = "FY2029-30"  # the summit's target year
INR_BN = 1e9
USD_BN = 1e9

def _scenario(value: object) -> str:
    """A shipped scenario's name (the model checks it), or a YAML file (checked here as a readable text file)."""
    text = str(value)
    if Path(text).suffix.lower() in (".yml", ".yaml") or Path(text).exists():
        text_file("scenario file")(text)
    return text


ScenarioOpt = Annotated[
    str | None,
    typer.Option("--scenario", parser=checked("scenario", _scenario),
        help="A shipped scenario (status_quo, more_rupee_invoicing, export_push) or a YAML "
                                    "file of scenarios; default: the three shipped ones."),
]
FromOpt = Annotated[str, typer.Option("--from", parser=MODEL_PERIOD, help="First period shown, e.g. FY2022-23 (or CY2022).")]
ToOpt = Annotated[str, typer.Option("--to", parser=MODEL_PERIOD,
    help="Last period; years after the last official one are projected.")]
ChartOpt = Annotated[Path | None, typer.Option("--chart", parser=output_path("--chart"),
    help="Write the balance path: PATH.png or PATH.html "
                                                               "(interactive, plotly.js inlined).")]


def _bn(value: float | None, scale: float) -> str:
    return "—" if value is None else f"{value / scale:,.1f}"


def _bn0(value: float | None, unit: float) -> str:
    return "—" if value is None else f"{value / unit:,.0f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _years(value: float | None) -> str:
    return "growing" if value is None else f"{value:,.1f}"


def render(result: Any, console: Any) -> None:
    """Rich tables: per scenario the period rows, then a comparison, the parameters and the notes."""
    from rich.table import Table

    from bilateral.models.settlement import CHANNELS

    first = result.results[0]
    console.print(f"[bold]{first.pair}: rupee balance in Special Rupee Vostro Accounts, {first.start} to "
                  f"{first.end}[/bold] — INR and US$ billion; actual flows to {first.last_actual}, projected after")
    console.print(f"Flows: {first.flows_source}")
    for res in result.results:
        t = Table(title=f"{res.title} ({res.scenario}): {res.description}", title_justify="left")
        for col in ("FY", "exp.\nUS$", "imp.\nUS$", "HS27\nshare", "in\nINR", "paid\nout\nINR",
                    "chan-\nnels\nINR", "close\nINR", "close\nUS$"):
            t.add_column(col, justify="left" if col == "FY" else "right", no_wrap=True)
        for r in res.rows:
            t.add_row(r.period.removeprefix("FY") + (" p" if r.kind == "projected" else ""), _bn(r.exports_usd, USD_BN),
                      _bn(r.imports_usd, USD_BN),
                      ("—" if r.energy_share is None else f"{r.energy_share:.0%}") + ("" if r.energy_exact else "*"),
                      _bn0(r.inflow_inr + r.bought_inr, INR_BN), _bn0(r.exports_paid_inr, INR_BN),
                      _bn0(sum(r.channel_outflows_inr), INR_BN), _bn0(r.closing_inr, INR_BN), _bn(r.closing_usd, USD_BN))
        console.print(t)
    c = Table(title=f"Scenarios compared, {first.end} (US$ bn; years)", title_justify="left")
    for col in ("scenario", "clos-\ning", "peak", "+secu-\nrities", "years\nto ab-\nsorb",
                "years\nof ex-\nports", "balan-\ncing\nexports", "export\ngrowth\nneeded"):
        c.add_column(col, justify="left" if col == "scenario" else "right", no_wrap=col != "scenario",
                     min_width=12 if col == "scenario" else None)
    for res in result.results:
        s = res.summary()
        c.add_row(res.scenario, _bn(s["closing_usd"], USD_BN), _bn(s["peak_usd"], USD_BN),
                  _bn(s["rupee_assets_usd"], USD_BN),
                  _years(s["years_to_absorb"]), "—" if s["years_of_exports"] is None else f"{s['years_of_exports']:.2f}",
                  _bn(s["balancing_exports_usd"], USD_BN), _pct(s["required_export_growth"]))
    console.print(c)
    console.print("[bold]Parameters[/bold] (source, or why assumed):")
    for n, res in enumerate(result.results):
        for u in res.parameters:
            if n > 0 and u.applies == "all periods":
                continue  # the defaults are printed once, with the first scenario
            who = "all scenarios" if u.applies == "all periods" else f"{res.scenario}, {u.applies}"
            url = f" <{u.param.url}>" if u.param.url else ""
            console.print(f"- {u.param.name} = {u.param.text()} ({who}) — {u.param.basis}: {u.param.note}{url}")
    console.print("p: projected. Inflow includes rupees bought when the balance could not pay exporters. Channels: "
                  f"{', '.join(CHANNELS)} (per channel in --format json/csv).")
    console.print("* energy share of imports is a proxy or a lower bound (see energy_basis in --format json/csv).")
    console.print("Years to absorb: at the last period's net pace; 'growing' if the balance was still growing.")
    for note in first.notes:
        console.print(f"Note: {note}")


def register(app: typer.Typer) -> None:
    """Add ``bilateral settlement`` to the app."""

    @app.command()
    def settlement(
        pair: PairOpt = DEFAULT_PAIR,
        scenario: ScenarioOpt = None,
        from_: FromOpt = DEFAULT_FROM,
        to: ToOpt = DEFAULT_TO,
        chart: ChartOpt = None,
        fmt: FormatOpt = "table",
        out: OutOpt = None,
        store: StoreOpt = None,
    ) -> None:
        """How many rupees pile up in the partner's vostro accounts, and what would absorb them.

        Per period: rupee inflows (imports paid in rupees, crude's invoicing its own parameter),
        outflows (exporters paid, government securities, corporate debt, third countries, each
        capped), the closing balance in INR, US$ and roubles; years to absorb it; the export growth
        that would balance rupee flows. Parameters: bilateral/models/settlement_scenarios.yml.
        """

        def body() -> None:
            from bilateral.api import open_store, parse_pair
            from bilateral.models.settlement import load_scenarios, simulate_all
            from bilateral.output import check_format
            from bilateral.report.settlement_chart import check_chart_path, write_chart

            if chart is not None:
                check_chart_path(chart)
            check_format(fmt)
            scenarios = load_scenarios(scenario)
            p = parse_pair(pair)
            with open_store(store, read_only=True) as s:
                result = simulate_all(s, p, scenarios, from_, to)
            emit(fmt, out, result.to_dict(), result.records(), lambda c: render(result, c))
            if chart is not None:
                write_chart(result.to_dict(), chart)
                typer.echo(f"chart written to {chart}", err=True)

        run(body)
