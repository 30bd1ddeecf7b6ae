"""Rich renderings of `bilateral target` and `bilateral target --backtest`."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from bilateral.harmonise.targets import Target
    from bilateral.models.target import BacktestResult, ForecastYear, TargetResult
    from bilateral.models.target.calibration import Share
    from bilateral.models.target.results import PReach

BN = 1e9


def bn(value: float | None, digits: int = 1) -> str:
    """US$ as billions, '—' for a missing figure."""
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value / BN:,.{digits}f}"


def pct(value: float | None, digits: int = 1, sign: bool = True) -> str:
    """A share or rate as a percent, '—' for a missing figure."""
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


def share_text(s: Share) -> str:
    """A coverage share with its 95% Wilson interval, e.g. '79% (61–90%)'."""
    if not s.forecasts:
        return "—"
    return f"{s.share:.0%} ({s.low:.0%}–{s.high:.0%})"


def interval(y: ForecastYear, level: int) -> str:
    """The 80% or 95% interval of a forecast year, US$ bn."""
    lo, hi = (y.lo80, y.hi80) if level == 80 else (y.lo95, y.hi95)
    return f"{bn(lo)}–{bn(hi)}"


def _goal(r: TargetResult, console: Console, on_file: Target | None) -> None:
    g = r.goal
    if g is None:
        if on_file is not None:
            console.print(f"Target on file for {r.pair}: US${on_file.value_usd / BN:,.0f} bn by {on_file.by} "
                          f"(not the one asked).")
        return
    base = (f" from {g.set_base_period} (US${bn(g.set_base_usd, 2)} bn)" if g.set_base_period else "")
    again = (f"; reaffirmed {g.reaffirmed_on}, {g.reaffirmed_at}" if g.reaffirmed_on else "")
    console.print(f"Goal set {g.set_on}, {g.set_at}{base}{again}.")
    console.print(f"Sources: {g.source} {g.url}" + (f" — {g.reaffirmed_source} {g.reaffirmed_url}"
                                                     if g.reaffirmed_source else ""))


def render_target(r: TargetResult, console: Console, on_file: Target | None = None) -> None:
    """`bilateral target`: growth required and achieved, the forecast and its model range, gap, scenarios."""
    b, tg = r.base, r.target
    latest = "latest" if b["latest"] else "not the latest year"
    console.print(f"[bold]{r.pair}: US${tg['usd'] / BN:,.0f} bn by {tg['period']}[/bold] — base {b['period']} "
                  f"({b['status']}, {latest}) US${b['total_trade_usd'] / BN:,.2f} bn")
    _goal(r, console, on_file)
    pr = r.p_reach
    t = Table(title="Pace", title_justify="left")
    t.add_column("measure")
    t.add_column("value", justify="right")
    t.add_row(f"Required CAGR, {b['period']} → {tg['period']} ({tg['years']} years)", pct(r.required_cagr))
    if r.goal is not None and r.goal.required_cagr_when_set is not None:
        t.add_row(f"Required CAGR when the goal was set, {r.goal.set_base_period} → {tg['period']} "
                  f"({r.goal.set_years} years)", pct(r.goal.required_cagr_when_set))
    t.add_row(f"Achieved CAGR, last 3 years to {b['period']}", pct(r.achieved_cagr_3y))
    t.add_row(f"Achieved CAGR, last 5 years to {b['period']}", pct(r.achieved_cagr_5y))
    span = r.achieved_cagr_span
    if span is not None and span["years"] not in (3, 5):
        t.add_row(f"Achieved CAGR, {span['from']} → {span['to']} ({span['years']} years)", pct(span["cagr"]))
    if pr is not None:
        rng = p_text(pr.low) if p_text(pr.low) == p_text(pr.high) else f"{p_text(pr.low)}–{p_text(pr.high)}"
        t.add_row(f"Probability of reaching the target (model {pr.model}; range across the competitive set)",
                  f"{p_text(pr.chosen)} ({rng})")
    else:
        t.add_row("Probability of reaching the target", "— (no forecast)")
    console.print(t)

    p = Table(title="Required pace as each year came in", title_justify="left")
    for c in ("base year", "status", "total US$ bn", "years left", "required CAGR"):
        p.add_column(c, justify="left" if c in ("base year", "status") else "right")
    for row in r.pace:
        p.add_row(row["base"], row["status"], bn(row["total_trade_usd"], 2), str(row["years_left"]),
                  pct(row["required_cagr"]))
    if r.pace:
        console.print(p)
    if pr is None:
        console.print(f"[yellow]No forecast:[/yellow] {r.forecast_missing}.")
    else:
        _forecast(r, pr, console)
    _scenarios(r, console)
    console.print(f"Source: {r.source['trade']}; oil price: {r.source['oil_price']}; forecast, scenarios: bilateral.")
    for note in r.notes:
        console.print(f"[yellow]Note:[/yellow] {note}")


def _forecast(r: TargetResult, pr: PReach, console: Console) -> None:
    tg = r.target
    end = tg["period"]
    has_actual = any(y.actual is not None for y in r.forecast)
    f = Table(title=f"Forecast of total trade, US$ bn ({pr.model}, {pr.scheme} intervals)", title_justify="left")
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

    m = Table(title=f"Every candidate at {end}: backtest score (WIS, lower is better) and probability",
              title_justify="left")
    for c in ("model", "intervals", "WIS", "p(reach)", "median", "95% upper", "in the range"):
        m.add_column(c, justify="left" if c in ("model", "intervals", "in the range") else "right")
    for mp in pr.models:
        name = f"[bold]{mp.model}[/bold]" if mp.chosen else mp.model
        m.add_row(name, mp.scheme, "—" if math.isnan(mp.score) else f"{mp.score:.3f}", p_text(mp.p_reach),
                  bn(mp.median_at_target_usd), bn(mp.hi95_at_target_usd),
                  "chosen" if mp.chosen else ("yes" if mp.competitive else f"no: {mp.excluded_because}"))
    console.print(m)

    g = r.gap
    ct = Table(title=f"Components at {end}, US$ bn (the component method, Gaussian draws: means add)",
               title_justify="left")
    for col in ("component", "model", "base", "median", "80% interval", "mean", "change in mean"):
        ct.add_column(col, justify="left" if col in ("component", "model") else "right")
    for comp in r.components:
        last = comp.years[-1]
        ct.add_row(comp.title, comp.model, bn(comp.base_usd, 2), bn(last.median), interval(last, 80), bn(last.mean),
                   f"{g.change_in_mean_by_component_usd[comp.component] / BN:+,.1f}")
    total_change = sum(g.change_in_mean_by_component_usd.values())
    ct.add_row("Total", "", bn(sum(g.base_by_component_usd.values()), 2), "", "", bn(g.components_mean_at_target_usd),
               f"{total_change / BN:+,.1f}")
    console.print(ct)
    for comp in r.components:
        ranking = (" Backtest MASE: " + ", ".join(f"{m} {v:.2f}" for m, v in comp.ranking) + "."
                   if comp.ranking else "")
        console.print(f"{comp.title}: {comp.model_description}; {comp.chosen_by}.{ranking}")
    if r.correlation is not None:
        console.print(f"Correlation of the components: {r.correlation['note']}.")

    parts = " ".join(f"{k.replace('_', ' ')} {v / BN:+,.1f}" for k, v in g.change_in_mean_by_component_usd.items())
    held = ", ".join(f"{h.component.replace('_', ' ')} {p_text(h.p_reach)}" for h in g.held_at_base)
    console.print(
        f"Gap to target from {r.base['period']}: US${g.gap_usd / BN:,.1f} bn. The forecast's median for {end} falls "
        f"short by US${bn(g.forecast_shortfall_usd)} bn. By component (means, which add): {parts} = "
        f"{total_change / BN:+,.1f} bn. A mean rises with volatility as well as with a trend, so read it with the "
        f"component held at its base: the component method's probability of reaching the target, "
        f"{p_text(g.components_p_reach) if g.components_p_reach is not None else '—'} with all three drawn, becomes "
        f"{held} with that one held. "
        f"Exports alone would have to grow {pct(g.if_all_from_exports_required_cagr)} a year, imports alone "
        f"{pct(g.if_all_from_imports_required_cagr)}.")
    console.print(f"Energy imports in {r.base['period']}: {g.energy_source}. Exports by sector: {g.exports_split_source}.")

    pl = r.plausibility
    if pl is not None and pl.share_of_reporter_total is not None:
        console.print(
            f"Plausibility: the 95% upper bound for {end}, US${bn(pl.upper_total_usd)} bn, would be "
            f"{pl.share_of_reporter_total:.0%} of the reporter's total trade with the world in {pl.period} "
            f"(US${bn(pl.reporter_total_usd)} bn).")
    bs = r.backtest
    if bs is not None:
        console.print(
            f"Backtest of this forecast ({bs.first_origin}–{bs.last_origin} origins, 1–5 years ahead): the 80% interval "
            f"covered {share_text(bs.coverage80_no_break)} of the {bs.forecasts_no_break} forecasts not across a break "
            f"and {share_text(bs.coverage80)} of all {bs.forecasts}; the 95% interval "
            f"{share_text(bs.coverage95_no_break)} and {share_text(bs.coverage95)}."
            + (f" The intervals before #21 ({bs.current.model}, {bs.current.scheme}): "
               f"{share_text(bs.current.coverage80_no_break)} and {share_text(bs.current.coverage80)}; "
               f"{share_text(bs.current.coverage95_no_break)} and {share_text(bs.current.coverage95)}."
               if bs.current is not None else "")
            + " Details: `bilateral target --backtest`.")


def _scenarios(r: TargetResult, console: Console) -> None:
    end = r.target["period"]
    s = Table(title=f"Scenarios at {end}, US$ bn", title_justify="left")
    for col in ("scenario", "exports", "energy imports", "other imports", "total", "vs target"):
        s.add_column(col, justify="left" if col == "scenario" else "right")
    for sc in r.scenarios:
        last_row = dict(sc.years[-1])
        s.add_row(sc.title, bn(float(last_row["exports_usd"])), bn(float(last_row["energy_imports_usd"])),
                  bn(float(last_row["other_imports_usd"])), bn(sc.total_at_target_usd), f"{-sc.shortfall_usd / BN:+,.1f}")
    console.print(s)
    for sc in r.scenarios:
        console.print(f"[bold]{sc.title}[/bold]: {sc.description}")


def render_backtest(r: BacktestResult, console: Console) -> None:
    """`bilateral target --backtest`: every candidate per series, the calibrated comparison, the shipped method."""
    from bilateral.models.backtest import SUBSET_TITLES, overall

    console.print(f"[bold]{r.pair}: rolling-origin backtest, 1–5 years ahead[/bold] (chosen: "
                  + ", ".join(f"{k} {v}" for k, v in r.chosen.items()) + ")")
    t = Table(title="Every candidate per series, Gaussian intervals, pooled over horizons 1–5 (n: forecasts; "
              "* = not across a break)", title_justify="left")
    for col in ("series", "model", "n", "MAPE", "MASE", "80%", "95%", "n*", "MASE*", "80%*", "95%*"):
        t.add_column(col, justify="left" if col in ("series", "model") else "right")
    seen: list[tuple[str, str]] = []
    for row in r.rows:
        if (row.series, row.model) not in seen and row.series != "total (shipped)":
            seen.append((row.series, row.model))
    for series, model in seen:
        rows = [x for x in r.rows if x.series == series]
        a, nb = overall(rows, model, 5, "all"), overall(rows, model, 5, "no_break")
        name = f"[bold]{model}[/bold]" if r.chosen.get(series) == model else model
        t.add_row(series, name, str(a["forecasts"]), pct(a["mape"], 0, False), f"{a['mase']:.2f}",
                  pct(a["coverage80"], 0, False), pct(a["coverage95"], 0, False), str(nb["forecasts"]),
                  "—" if not nb["forecasts"] else f"{nb['mase']:.2f}", pct(nb["coverage80"], 0, False),
                  pct(nb["coverage95"], 0, False))
    console.print(t)

    c = Table(title="Total trade: every candidate under every interval scheme (coverage with its 95% Wilson interval)",
              title_justify="left")
    for col in ("model", "intervals", "n", "WIS", "80% covered", "95% covered", "n*", "WIS*", "80%*", "95%*"):
        c.add_column(col, justify="left" if col in ("model", "intervals") else "right")
    s = r.shipped
    for sc in r.scores:
        mark = ""
        if s is not None and (sc.model, sc.scheme) == (s.model, s.scheme):
            mark = " (shipped)"
        elif s is not None and s.current is not None and (sc.model, sc.scheme) == (s.current.model, s.current.scheme):
            mark = " (before #21)"
        c.add_row(sc.model + mark, sc.scheme, str(sc.forecasts), f"{sc.wis:.3f}", share_text(sc.coverage80),
                  share_text(sc.coverage95), str(sc.forecasts_no_break),
                  "—" if not sc.forecasts_no_break else f"{sc.wis_no_break:.3f}", share_text(sc.coverage80_no_break),
                  share_text(sc.coverage95_no_break))
    console.print(c)

    h = Table(title="Shipped forecast on total trade, by horizon (naive: the no-change forecast)", title_justify="left")
    for col in ("forecasts", "horizon", "n", "MAPE", "naive MAPE", "MASE", "80% covered", "95% covered"):
        h.add_column(col, justify="left" if col == "forecasts" else "right")
    for row in r.rows:
        if row.series == "total (shipped)":
            h.add_row(SUBSET_TITLES[row.subset], str(row.horizon), str(row.forecasts), pct(row.mape, 0, False),
                      pct(row.mape_naive, 0, False), f"{row.mase:.2f}", pct(row.coverage80, 0, False),
                      pct(row.coverage95, 0, False))
    console.print(h)
    if s is not None:
        console.print(
            f"[bold]Shipped forecast[/bold] ({s.method}), origins {s.first_origin}–{s.last_origin}: {s.forecasts} "
            f"forecasts, MAPE {s.mape:.0%}; the 80% interval covered {share_text(s.coverage80)} of all and "
            f"{share_text(s.coverage80_no_break)} of the {s.forecasts_no_break} not across a break; the 95% interval "
            f"{share_text(s.coverage95)} and {share_text(s.coverage95_no_break)}. Chosen by {s.choice}.")
    for note in r.notes:
        console.print(f"[yellow]Note:[/yellow] {note}")
