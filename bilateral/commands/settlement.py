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
                 help="A shipped scenario (status_quo, more_rupee_invoicing, export_push, trade_only) "
                      "or a YAML file of scenarios; default: every shipped one."),
]
FromOpt = Annotated[str, typer.Option("--from", parser=MODEL_PERIOD, help="First period shown, e.g. FY2022-23 (or CY2022).")]
ToOpt = Annotated[str, typer.Option("--to", parser=MODEL_PERIOD,
    help="Last period; years after the last official one are projected.")]
ChartOpt = Annotated[Path | None, typer.Option("--chart", parser=output_path("--chart"),
    help="Write the balance path: PATH.png or PATH.html "
                                                               "(interactive, plotly.js inlined).")]


def _bn(value: float | None, scale: float = USD_BN) -> str:
    return "—" if value is None else f"{value / scale:,.1f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _band(lo: float, hi: float) -> str:
    return f"{lo / USD_BN:,.1f}–{hi / USD_BN:,.1f}"


def _dollars(a: Any) -> bool:
    return a.param.range is not None and a.param.range.of == "value" and a.name.endswith("_usd")


def _range_text(a: Any) -> str:
    """An assumption's range as a reader says it: 0%–10%, -10%–5%, US$0.5–12.0 bn."""
    if _dollars(a):
        return f"US${a.low / USD_BN:,.1f}–{a.high / USD_BN:,.1f} bn"
    return f"{a.low:.0%}–{a.high:.0%}"


def _value_text(a: Any) -> str:
    return f"US${a.central / USD_BN:,.1f} bn" if _dollars(a) else f"{a.central:.0%}"


def _link(console: Any, text: str, url: str) -> None:
    """A line of text, then its URL on a line of its own that is never folded (so it stays one word to copy)."""
    console.print(text)
    console.print(f"  <{url}>", soft_wrap=True, highlight=False)


def render(result: Any, console: Any) -> None:
    """Rich tables, 80 columns: the end-year band per scenario, the band by year, the drivers, the press figures."""
    from rich.table import Table

    first = result.results[0]
    end = first.end
    draws = first.band.draws if first.band is not None else 0
    console.print(f"[bold]{first.pair}: modelled rupee balance in Special Rupee Vostro Accounts, {first.start} to "
                  f"{end}[/bold]")
    served = first.flows_source.split(": ", 1)[-1]
    console.print(f"Modelled balance on actual trade flows to {first.last_actual_flows} ({served}), on "
                  "projected flows after (p). The RBI publishes no balances by country: every balance here is "
                  "modelled from the assumptions listed below.")
    t = Table(title=f"Balance at the end of {end}, US$ bn: P10, median and P90 of {draws:,} joint draws of the "
                    "assumptions", title_justify="left")
    t.add_column("scenario", min_width=12)
    for col in ("P10", "median", "P90"):
        t.add_column(col, justify="right", no_wrap=True)
    t.add_column(f"largest driver: {end} balance at its low–high", min_width=24)
    for res in result.results:
        b = res.band
        if b is None:
            continue
        top = b.sensitivity[0] if b.sensitivity else None
        driver = "—" if top is None else (f"{top.assumption.label} {_range_text(top.assumption)}: "
                                          f"{_band(top.at_low_usd, top.at_high_usd)}")
        t.add_row(res.title, _bn(b.final.p10_usd), _bn(b.final.p50_usd), _bn(b.final.p90_usd), driver)
    console.print(t)

    by = Table(title="By year, US$ bn: median, and P10–P90 beneath", title_justify="left")
    by.add_column("FY", no_wrap=True)
    for res in result.results:
        by.add_column(res.title, justify="right")
    periods = [r.period for r in first.rows]
    bands = [{r.period: r for r in res.band.rows} if res.band is not None else {} for res in result.results]
    for i, period in enumerate(periods):
        label = period.removeprefix("FY") + (" p" if first.rows[i].flows == "projected" else "")
        cells = []
        for bmap in bands:
            r = bmap.get(period)
            cells.append("—" if r is None else f"{_bn(r.p50_usd)}\n[dim]{_band(r.p10_usd, r.p90_usd)}[/dim]")
        by.add_row(label, *cells)
    console.print(by)

    if first.band is not None and first.band.sensitivity:
        tor = Table(title=f"What moves the {end} balance ({first.title}): each assumption at its low and high, "
                          "the others at their values, US$ bn", title_justify="left")
        tor.add_column("assumption", min_width=20)
        tor.add_column("value", justify="right", no_wrap=True)
        tor.add_column("range", justify="right")
        tor.add_column("at low", justify="right", no_wrap=True)
        tor.add_column("at high", justify="right", no_wrap=True)
        for s in first.band.sensitivity:
            a = s.assumption
            tor.add_row(a.label, _value_text(a), _range_text(a), _bn(s.at_low_usd), _bn(s.at_high_usd))
        console.print(tor)
        if first.band.fixed:
            console.print(f"Held fixed (no range): {', '.join(first.band.fixed)}.")

    flows = Table(title=f"Flows, {first.title}, US$ bn at each year's rate (assumptions at their values; exp.: exports, "
                        "imp.: imports)",
                  title_justify="left")
    for col in ("FY", "exp.", "imp.", "rupees in", "defence", "paid out", "absorbed", "balance"):
        flows.add_column(col, justify="left" if col == "FY" else "right", no_wrap=col == "FY")
    for r in first.rows:
        fx = r.inr_per_usd
        flows.add_row(r.period.removeprefix("FY") + (" p" if r.flows == "projected" else ""),
                      _bn(r.exports_usd), _bn(r.imports_usd), _bn((r.inflow_inr + r.bought_inr) / fx),
                      _bn(r.defence_inflow_inr / fx), _bn(r.exports_paid_inr / fx),
                      _bn(sum(r.channel_outflows_inr) / fx), _bn(r.closing_usd))
    console.print(flows)

    if first.band is not None and first.band.checks:
        est = Table(title="Published estimates (press; no official series) beside the modelled P10–P90, US$ bn",
                    title_justify="left")
        for col in ("date", "what", "figure", "modelled", "inside"):
            est.add_column(col, justify="right" if col in ("figure", "modelled") else "left",
                           no_wrap=col in ("date", "figure", "modelled", "inside"))
        for c in first.band.checks:
            e = c.estimate
            fig = _bn(e.high_usd) if e.low_usd == e.high_usd else (
                f"< {_bn(e.high_usd)}" if e.low_usd == 0 else _band(e.low_usd, e.high_usd))
            what = ("securities bought" if e.measure == "securities" else "balance") + f", {c.period} end"
            est.add_row(e.date.isoformat(), what, fig, _band(c.p10_usd, c.p90_usd), "yes" if c.covered else "no")
        console.print(est)
        for c in first.band.checks:
            _link(console, f"- {c.estimate.date.isoformat()}: {c.estimate.what}. {c.estimate.source}", c.estimate.url)

    console.print("[bold]Sources[/bold] (every other value is a labelled assumption; notes, ranges and URLs in "
                  "--format json and bilateral/models/settlement_scenarios.yml):")
    seen: set[str] = set()
    for res in result.results:
        for u in res.parameters:
            who = "" if u.applies == "all periods" else f" ({res.scenario}, {u.applies})"
            for url, what in ((u.param.url, u.param.name), (u.param.range.url if u.param.range else "",
                                                             f"{u.param.name}, its range")):
                if url and url not in seen:
                    seen.add(url)
                    _link(console, f"- {what}{who}", url)
    console.print("p: flows projected by the scenario's growth paths. In: imports paid in rupees and defence "
                  "payments settled in rupees; absorbed: securities and third countries. Band: assumptions drawn "
                  "together, each triangular between its low, value and high (independent draws). Per-year flows, "
                  "channels and every scenario's drivers: --format json or csv.")
    for note in first.notes[1:]:
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
        """How many rupees pile up in the partner's vostro accounts: a band, and the assumptions that drive it.

        Per period: rupee inflows (imports paid in rupees, crude's invoicing its own parameter; defence
        payments settled in rupees), outflows (exporters paid, government securities, corporate debt,
        third countries, each capped) and the modelled closing balance in INR, US$ and roubles. Every
        assumption has a range: the P10-P90 band of joint draws, and the sensitivity of the last
        year's balance to each. Parameters: bilateral/models/settlement_scenarios.yml.
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
