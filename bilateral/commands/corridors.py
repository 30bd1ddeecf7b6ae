"""``bilateral corridors``: compare INSTC, Suez, the Cape, Chennai–Vladivostok and the NSR for one trip."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from bilateral.cli_common import FormatOpt, OutOpt, StoreOpt, choice, day, emit, number, output_path, run
from bilateral.errors import BilateralError

FromOpt = Annotated[str, typer.Option("--from", help="Origin: UN/LOCODE or name, e.g. INNSA, Chennai, RUPRI.")]
ToOpt = Annotated[str, typer.Option("--to", help="Destination: UN/LOCODE or name, e.g. Moscow, RUVVO, INSIK.")]
#: departures the seasonal calendars cover
FIRST_DEPARTURE, LAST_DEPARTURE = date(2000, 1, 1), date(2100, 12, 31)


def _scenario_names() -> tuple[str, ...]:
    from bilateral.corridors.seasonality import SCENARIOS

    return SCENARIOS


DateOpt = Annotated[str | None, typer.Option("--date", parser=day(FIRST_DEPARTURE, LAST_DEPARTURE),
    help="Departure date YYYY-MM-DD (default: today).")]
ScenarioOpt = Annotated[list[str] | None, typer.Option(
    "--scenario", parser=choice(_scenario_names, name="scenario"),
    help="red-sea-closed|red-sea-open, hormuz-closed|hormuz-open, black-sea-closed|black-sea-open "
         "(override the dated state) or rasht-astara-open; repeat for several.")]
CargoOpt = Annotated[str, typer.Option("--cargo", parser=choice(("container", "tanker"), name="cargo"),
    help="container (per TEU) or tanker (per tonne and barrel).")]
VesselOpt = Annotated[str, typer.Option("--vessel", parser=choice(("aframax", "suezmax"), name="vessel"),
    help="Tanker class: aframax or suezmax.")]
CongestionOpt = Annotated[float, typer.Option(
    "--astara-congestion", parser=number(1.0, 10.0, name="factor"),
        help="Multiply the border dwell at Astara (1 = none, 2 = twice as long).")]
GeojsonOpt = Annotated[Path | None, typer.Option("--geojson", parser=output_path("--geojson"),
    help="Also write the corridors as GeoJSON here.")]
MapOpt = Annotated[Path | None, typer.Option("--map", parser=output_path("--map"),
    help="Also draw a map here: PATH.png or PATH.html (self-contained).")]


def _parse_date(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BilateralError(f"not a date {text!r}; use YYYY-MM-DD, e.g. 2026-03-15") from None


def _money(v: float | None) -> str:
    return "" if v is None else f"{v:,.0f}"


def _render(cmp: Any, console: Any) -> None:
    from rich.table import Table

    tanker = cmp.cargo == "tanker"
    title = (f"{cmp.cargo} {cmp.origin.name} → {cmp.destination.name}, departing {cmp.date:%Y-%m-%d}"
             + (f", scenarios: {', '.join(cmp.scenarios)}" if cmp.scenarios else "")
             + (f", {cmp.vessel}" if tanker else ""))
    t = Table(title=title, title_justify="left")
    cost_col = "US$/t\nP50–P90" if tanker else "US$/TEU\nP50–P90"
    co2_col = "kg CO2e\n/t" if tanker else "kg CO2e\n/TEU"
    for col in ("corridor · km by sea/rail/road · passages", "open", "days\nP50–P90", cost_col, co2_col):
        t.add_column(col, justify="left" if col.startswith("corridor") else "right",
                     no_wrap=not col.startswith("corridor"), min_width=24 if col.startswith("corridor") else None)
    for c in cmp.corridors:
        spread = f"{c.sea_km:,.0f}/{c.rail_km:,.0f}/{c.road_km:,.0f}"
        days = f"{c.days_p50:.1f}–{c.days_p90:.1f}"
        passages = ", ".join(c.passages) or "no chokepoint"
        risks = ", ".join(c.risks) or "none listed"
        label = f"{c.corridor}\n[dim]{c.distance_km:,.0f} km = {spread} · {passages}\nrisks: {risks}[/dim]"
        if tanker:
            cost = f"{c.usd_per_tonne_p50:.2f}–{c.usd_per_tonne_p90:.2f}\n{c.usd_per_bbl_p50:.2f}–{c.usd_per_bbl_p90:.2f}/bbl"
            co2 = f"{c.co2e_kg_per_tonne:,.1f}"
        else:
            cost = f"{_money(c.usd_per_teu_p50)}–{_money(c.usd_per_teu_p90)}"
            co2 = f"{c.co2e_kg_per_teu:,.0f}"
        t.add_row(label, "yes" if c.open else "[red]no[/red]", days, cost, co2)
    console.print(t)
    for c in cmp.corridors:
        for r in c.reasons:
            console.print(f"[red]{c.corridor}[/red]: {r}")
    if cmp.chokepoints or cmp.nsr_season:
        console.print(f"[bold]Chokepoints[/bold] on {cmp.date:%Y-%m-%d} (the latest state recorded on or before the "
                      "departure date, corridors/data/chokepoints.csv; --scenario overrides):")
        for s in cmp.chokepoints:
            console.print(f"- {s.text()}")
            if s.url and not s.forced:
                console.print(f"  <{s.url}>", soft_wrap=True, highlight=False)
        if cmp.nsr_season:
            console.print(f"- {cmp.nsr_season}")
    if cmp.excluded:
        console.print("[bold]Not offered[/bold] (a route that passes its destination or doubles back is no option):")
        for name, why in cmp.excluded:
            console.print(f"- {name}: {why}")
    from bilateral.corridors.legs import risks as risk_catalogue

    tags = list(dict.fromkeys(r for c in cmp.corridors for r in c.risks))
    if tags:
        console.print("[bold]Risks[/bold]: " + "; ".join(f"{r}: {risk_catalogue()[r].title}" for r in tags) + ".")
    console.print(f"Monte Carlo, {cmp.draws:,} seeded draws; parameters and sources: bilateral/corridors/data/. "
                  "Sea distances: searoute; many rates and dwell times are labelled assumptions. Cost includes "
                  "war-risk premiums where a chokepoint is restricted.")


def register(app: typer.Typer) -> None:
    @app.command("corridors")
    def corridors(
        origin: FromOpt,
        destination: ToOpt,
        when: DateOpt = None,
        scenario: ScenarioOpt = None,
        cargo: CargoOpt = "container",
        vessel: VesselOpt = "aframax",
        astara_congestion: CongestionOpt = 1.0,
        geojson: GeojsonOpt = None,
        map_png: MapOpt = None,
        fmt: FormatOpt = "table",
        out: OutOpt = None,
        store: StoreOpt = None,
    ) -> None:
        """Compare transport corridors for one trip: days and cost (P50/P90), CO2e, open or closed.

        Container (per TEU) from an Indian port to Russia, or crude tanker (per tonne and barrel) from a
        Russian port to India, via INSTC, Suez, the Cape, Chennai–Vladivostok or the Northern Sea Route.
        --store is accepted for uniformity; corridors read only their own data files.
        """

        def body() -> None:
            from bilateral.corridors import compare
            from bilateral.output import check_format

            check_format(fmt)
            result = compare(origin, destination, _parse_date(when), tuple(scenario or ()), cargo,  # type: ignore[arg-type]
                             vessel, astara_congestion)  # type: ignore[arg-type]
            if geojson is not None or map_png is not None:
                import json as _json

                from bilateral.corridors.maps import render_html, render_png, to_geojson
                from bilateral.output import write_atomic

                if map_png is not None and map_png.suffix.lower() not in (".png", ".html"):
                    raise BilateralError(f"--map writes .png or .html; got {map_png.name!r}")
                if geojson is not None:
                    text = _json.dumps(to_geojson(result)) + "\n"
                    write_atomic(geojson, lambda tmp: tmp.write_text(text, encoding="utf-8"))
                if map_png is not None and map_png.suffix.lower() == ".png":
                    data = render_png(result)[0]
                    write_atomic(map_png, lambda tmp: tmp.write_bytes(data))
                elif map_png is not None:
                    page = render_html(result)
                    write_atomic(map_png, lambda tmp: tmp.write_text(page, encoding="utf-8"))
            rows = result.records()
            emit(fmt, out, [c.to_dict() for c in result.corridors], rows, lambda console: _render(result, console))

        run(body)
