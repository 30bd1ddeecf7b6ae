"""Rich renderings of `bilateral target` and `bilateral target --backtest`."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from bilateral.harmonise.targets import Target
    from bilateral.models.target import BacktestResult, ForecastYear, TargetResult

BN = 1e9


def bn(value: float | None, digits: int = 1) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value / BN:,.{digits}f}"


def pct(value: float | None, digits: int = 1, sign: bool = True) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:+.{digits}%}" if sign else f"{value:.{digits}%}"


def p_text(p: float) -> str:
    """A probability as a whole percent; below 1% or above 99% said so (simulation noise is ±0.4 points)."""
    if p < 0.01:
        return "<1%"
    if p > 0.99:
        return ">99%"
    return f"{p:.0%}"


def interval(y: ForecastYear, level: int) -> str:
    lo, hi = (y.lo80, y.hi80) if level == 80 else (y.lo95, y.hi95)
    return f"{bn(lo)}–{bn(hi)}"


def render_target(r: TargetResult, console: Console, on_file: Target | None = None) -> None:
    b, tg = r.base, r.target
    latest = "latest" if b["latest"] else "not the latest year"
    console.print(f"[bold]{r.pair}: US${tg['usd'] / BN:,.0f} bn by {tg['period']}[/bold] — base {b['period']} "
                  f"({b['status']}, {latest}) US${b['total_trade_usd'] / BN:,.2f} bn")
    if on_file is not None and on_file.value_usd == tg["usd"] and on_file.by == tg["period"]:
        console.print(f"Target: {on_file.source} {on_file.url}")
    pr = r.p_reach
    t = Table(title="Pace", title_justify="left")
    t.add_column("measure")
    t.add_column("value", justify="right")
    t.add_row(f"Required CAGR, {b['period']} → {tg['period']} ({tg['years']} years)", pct(r.required_cagr))
    t.add_row(f"Achieved CAGR, last 3 years to {b['period']}", pct(r.achieved_cagr_3y))
    t.add_row(f"Achieved CAGR, last 5 years to {b['period']}", pct(r.achieved_cagr_5y))
    rng = p_text(pr.low) if p_text(pr.low) == p_text(pr.high) else f"{p_text(pr.low)}–{p_text(pr.high)}"
    t.add_row("Probability of reaching the target (forecast; range across the top models)",
              f"{p_text(pr.chosen)} ({rng})")
    console.print(t)

    p = Table(title="Required pace as each year came in", title_justify="left")
    for c in ("base year", "status", "total US$ bn", "years left", "required CAGR"):
        p.add_column(c, justify="left" if c in ("base year", "status") else "right")
    for row in r.pace:
        p.add_row(row["base"], row["status"], bn(row["total_trade_usd"], 2), str(row["years_left"]),
                  pct(row["required_cagr"]))
    console.print(p)

    has_actual = any(y.actual is not None for y in r.forecast)
    f = Table(title="Forecast of total trade, US$ bn (sum of the components below, drawn jointly)",
              title_justify="left")
    headers = ["year", "median", "80% interval", "95% interval"] + (["actual", "actual's percentile"] if has_actual else [])
    for c in headers:
        f.add_column(c, justify="left" if c == "year" else "right")
    for y in r.forecast:
        cells = [y.period, bn(y.median), interval(y, 80), interval(y, 95)]
        if has_actual:
            cells += ([f"{bn(y.actual, 2)} ({y.actual_status})", f"{y.actual_quantile:.0%}"]
                    if y.actual is not None and y.actual_quantile is not None else ["", ""])
        f.add_row(*cells)
    console.print(f)

    end = tg["period"]
    ct = Table(title=f"Components at {end}, US$ bn", title_justify="left")
    for col in ("component", "model", "base", "median", "80% interval", "change"):
        ct.add_column(col, justify="left" if col in ("component", "model") else "right")
    for comp in r.components:
        last = comp.years[-1]
        ct.add_row(comp.title, comp.model, bn(comp.base_usd, 2), bn(last.median), interval(last, 80),
                  f"{(last.median - comp.base_usd) / BN:+,.1f}")
    console.print(ct)
    for comp in r.components:
        ranking = (" Backtest MASE: " + ", ".join(f"{m} {v:.2f}" for m, v in comp.ranking) + "."
                   if comp.ranking else "")
        console.print(f"{comp.title}: {comp.model_description}; {comp.chosen_by}.{ranking}")
    console.print(f"Correlation of the components: {r.correlation['note']}.")

    pl = r.plausibility
    if pl.share_of_reporter_total is not None:
        console.print(
            f"Plausibility: the 95% upper bound for {end}, US${bn(pl.upper_total_usd)} bn, is "
            f"{pl.share_of_reporter_total:.0%} of the reporter's total trade with the world in {pl.period}; its imports "
            f"part, US${bn(pl.upper_imports_usd)} bn, {pct(pl.share_of_reporter_imports, 0, False)} of the reporter's imports.")
    bs = r.backtest
    if bs is not None:
        crossing = bs.forecasts - bs.forecasts_no_break
        console.print(
            f"Backtest of this method ({bs.first_origin}–{bs.last_origin} origins, 1–5 years ahead, {bs.forecasts} "
            f"forecasts): the 80% interval covered {bs.coverage80:.0%}, the 95% interval {bs.coverage95:.0%}"
            + (f"; leaving out the {crossing} forecasts across a break year: {pct(bs.coverage80_no_break, 0, False)} "
               f"and {pct(bs.coverage95_no_break, 0, False)}" if crossing else "")
            + ". Details: `bilateral target --backtest`.")

    s = Table(title=f"Scenarios at {end}, US$ bn", title_justify="left")
    for col in ("scenario", "exports", "energy imports", "other imports", "total", "vs target"):
        s.add_column(col, justify="left" if col == "scenario" else "right")
    for sc in r.scenarios:
        last_row: dict[str, Any] = dict(sc.years[-1])
        s.add_row(sc.title, bn(last_row["exports_usd"]), bn(last_row["energy_imports_usd"]),
                  bn(last_row["other_imports_usd"]), bn(sc.total_at_target_usd), f"{-sc.shortfall_usd / BN:+,.1f}")
    console.print(s)
    g = r.gap
    parts = ", ".join(f"{k.replace('_', ' ')} {v / BN:+,.1f}" for k, v in g["forecast_change_by_component_usd"].items())
    console.print(
        f"Gap to target from {b['period']}: US${g['gap_usd'] / BN:,.1f} bn. The forecast median falls short by "
        f"US${g['forecast_shortfall_usd'] / BN:,.1f} bn; its change by component: {parts} (US$ bn). Exports alone "
        f"would have to grow {pct(g['if_all_from_exports_required_cagr'])} a year, imports alone "
        f"{pct(g['if_all_from_imports_required_cagr'])}.")
    console.print(f"Energy imports in {b['period']}: {g['energy_source']}. Exports by sector: {g['exports_split_source']}.")
    for sc in r.scenarios:
        console.print(f"[bold]{sc.title}[/bold]: {sc.description}")
    console.print(f"Source: {r.source['trade']}; oil price: {r.source['oil_price']}; forecast, scenarios: bilateral.")
    for note in r.notes:
        console.print(f"[yellow]Note:[/yellow] {note}")


def render_backtest(r: BacktestResult, console: Console) -> None:
    from bilateral.models.backtest import overall

    console.print(f"[bold]{r.pair}: rolling-origin backtest, 1–5 years ahead[/bold] (models chosen: "
                  + ", ".join(f"{k} {v}" for k, v in r.chosen.items()) + ")")
    t = Table(title="Pooled over horizons 1–5 (n: forecasts; * = leaving out forecasts across the break)",
              title_justify="left")
    for col in ("series", "model", "n", "MAPE", "MASE", "80%", "95%", "n*", "MASE*", "80%*", "95%*"):
        t.add_column(col, justify="left" if col in ("series", "model") else "right")
    seen: list[tuple[str, str]] = []
    for row in r.rows:
        if (row.series, row.model) not in seen:
            seen.append((row.series, row.model))
    for series, model in seen:
        rows = [x for x in r.rows if x.series == series]
        a, nb = overall(rows, model, 5, True), overall(rows, model, 5, False)
        name = f"[bold]{model}[/bold]" if model == "components" or r.chosen.get(series) == model else model
        t.add_row(series, name, str(a["forecasts"]), pct(a["mape"], 0, False), f"{a['mase']:.2f}",
                  pct(a["coverage80"], 0, False), pct(a["coverage95"], 0, False), str(nb["forecasts"]),
                  "—" if not nb["forecasts"] else f"{nb['mase']:.2f}", pct(nb["coverage80"], 0, False),
                  pct(nb["coverage95"], 0, False))
    console.print(t)
    h = Table(title="Shipped method on total trade, by horizon (naive: the no-change forecast)", title_justify="left")
    for col in ("across break", "horizon", "n", "MAPE", "naive MAPE", "MASE", "80% covered", "95% covered"):
        h.add_column(col, justify="left" if col == "across break" else "right")
    for row in r.rows:
        if row.model == "components":
            h.add_row("yes" if row.across_break else "no", str(row.horizon), str(row.forecasts), pct(row.mape, 0, False),
                      pct(row.mape_naive, 0, False), f"{row.mase:.2f}", pct(row.coverage80, 0, False),
                      pct(row.coverage95, 0, False))
    console.print(h)
    s = r.shipped
    if s is not None:
        console.print(
            f"[bold]Shipped method[/bold] ({s.method}) on total trade, origins {s.first_origin}–{s.last_origin}: "
            f"{s.forecasts} forecasts, MAPE {s.mape:.0%}; 80% interval covered {s.coverage80:.0%}, 95% "
            f"{s.coverage95:.0%}; without the {s.forecasts - s.forecasts_no_break} forecasts across the break: "
            f"{pct(s.coverage80_no_break, 0, False)} and {pct(s.coverage95_no_break, 0, False)}.")
    for note in r.notes:
        console.print(f"[yellow]Note:[/yellow] {note}")
