"""Flows from the read layer (actual) or the scenario's growth paths (projected), run through the model."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bilateral.errors import BilateralError, NotAvailableError
from bilateral.harmonise.pairs import Pair, parse_pair
from bilateral.harmonise.periods import Period, PeriodKind, parse_period
from bilateral.models.settlement.model import PeriodFlows, project, run_model
from bilateral.models.settlement.params import (
    FIRST_PROJECTED,
    PARAMETERS,
    Scenario,
    load_scenarios,
    published_estimates,
)
from bilateral.models.settlement.periods import PeriodParams, period_of_date, period_params
from bilateral.models.settlement.results import NO_OFFICIAL_BALANCES, SettlementResult, SettlementRun, UsedParam
from bilateral.models.settlement.uncertainty import DRAWS, band
from bilateral.store.db import Store

__all__ = ["DEFAULT_FROM", "DEFAULT_TO", "covers", "simulate", "simulate_all"]

DEFAULT_FROM = "FY2022-23"
DEFAULT_TO = "FY2029-30"


def _periods(a: Period, b: Period) -> list[Period]:
    return [Period(a.kind, y) for y in range(a.year, b.year + 1)]


class _ActualFlows:
    """A pair's complete periods of one kind from the read layer; energy shares read on demand, once per period."""

    def __init__(self, store: Store, pair: Pair, kind: PeriodKind) -> None:
        from bilateral.store import queries

        self.store, self.pair, self.kind = store, pair, kind
        self.totals = {t.period: t for t in queries.pair_totals(store, pair, period_kind=kind)
                       if t.complete and t.exports_usd is not None and t.imports_usd is not None}
        self._flows: dict[str, PeriodFlows] = {}

    def labels(self) -> list[str]:
        return sorted(self.totals, key=parse_period)

    def get(self, label: str) -> PeriodFlows:
        if label not in self._flows:
            from bilateral.store import queries

            t = self.totals[label]
            assert t.exports_usd is not None and t.imports_usd is not None
            share, exact, basis = _energy_share(queries.energy_imports(self.store, self.pair, label), t.imports_usd)
            status = f", {t.status}" if t.status else ""
            self._flows[label] = PeriodFlows(label, "actual", t.exports_usd, t.imports_usd, share, exact, basis,
                                             f"{t.source}{status}, grade {t.grade}")
        return self._flows[label]


def _energy_share(energy: Any, imports_usd: float) -> tuple[float, bool, str]:
    """(share of imports, exact, basis) from the read layer's EnergyImports (or None).

    A share where the layer gives one (exact, or a region's as proxy); else the lower bound the
    partial detail shows, as a share of imports; else 0 (no detail: all imports non-energy).
    """
    if energy is None:
        return 0.0, False, "no energy detail in the store: imports treated as non-energy"
    where = f"{energy.basis} ({energy.served.quality})"
    if energy.share is not None:
        return float(energy.share), bool(energy.exact), where
    if energy.lower_bound_usd is not None and imports_usd > 0:
        return min(1.0, float(energy.lower_bound_usd) / imports_usd), False, f"lower bound: {where}"
    return 0.0, False, f"no usable share: {where}; imports treated as non-energy"


def _project(base: PeriodFlows, p: Period, pp: PeriodParams, prev: PeriodFlows) -> PeriodFlows:
    exports, imports, share = project(prev.exports_usd, prev.imports_usd, prev.energy_share, pp)
    return PeriodFlows(p.label, "projected", float(exports), float(imports), float(share), False,
                       f"projected from {base.period}'s energy share {base.energy_share:.1%}",
                       f"scenario growth from {base.period}")


def simulate(store: Store, pair: Pair | str, scenario: Scenario | str | None = None,
             start: str | None = None, end: str | None = None, *, reader: _ActualFlows | None = None,
             draws: int | None = DRAWS) -> SettlementResult:
    """The rupee balance path of ``pair`` under ``scenario`` (a Scenario, a shipped name or a file; None: status quo).

    The balance is built from the mechanism's start (or ``start`` if earlier), so a later
    ``start`` still opens with what accumulated before. Periods after the last one the store holds
    are projected with the scenario's growth paths. With ``draws`` (default 2,000; None: none) the
    result carries the band the assumptions allow and the sensitivity of the last year's balance.
    """
    p = parse_pair(pair) if isinstance(pair, str) else pair
    sc = scenario if isinstance(scenario, Scenario) else load_scenarios(scenario)[0]
    covers(sc, p)
    first = parse_period(start or DEFAULT_FROM)
    last = parse_period(end or DEFAULT_TO)
    if first.kind != last.kind:
        raise BilateralError(f"--from {first.label} and --to {last.label} must both be fiscal or both calendar years")
    if last < first:
        raise BilateralError(f"--to {last.label} comes before --from {first.label}")
    if reader is None or reader.pair != p or reader.kind != first.kind:
        reader = _ActualFlows(store, p, first.kind)
    if not reader.totals:
        from bilateral.store import queries

        queries.period_totals(store, p)  # raises NotAvailableError saying what to load
        other = "--from FY2022-23 --to FY2029-30" if first.kind == "cy" else "--from CY2022 --to CY2030"
        raise BilateralError(f"no {'calendar' if first.kind == 'cy' else 'fiscal'}-year trade figures for {p.label} "
                             f"in the store; ask for the other kind of period, e.g. {other}")
    have = reader.labels()
    last_actual = parse_period(have[-1])
    mech = period_of_date(sc.defaults["mechanism_start"].value, first.kind)
    sim_first = min(first, mech, last_actual)  # projections chain on from the last actual period
    periods = _periods(sim_first, last)
    if sc.applies_from == FIRST_PROJECTED:
        from_period = last_actual.shift(1) if last > last_actual else None
    else:
        named = parse_period(sc.applies_from)
        from_period = Period(first.kind, named.year)  # FY2026-27 stands for CY2026 in a calendar-year run
    params = [period_params(sc, q, from_period) for q in periods]
    flows: list[PeriodFlows] = []
    for q, pp in zip(periods, params, strict=True):
        if q <= last_actual:
            if q.label not in reader.totals:
                raise BilateralError(f"no complete trade figures for {p.label} in {q.label}; the store has "
                                     f"{len(have)} periods from {have[0]} to {have[-1]}; choose --from within them")
            flows.append(reader.get(q.label))
        else:
            flows.append(_project(reader.get(last_actual.label), q, pp, flows[-1]))
    opening = float(sc.defaults["opening_balance_inr"].value)
    rows = run_model(flows, params, opening)
    shown = tuple(r for r in rows if parse_period(r.period) >= first)
    used = _used_params(sc, from_period, periods)
    rng = None if draws is None else band(sc, periods, flows, from_period, opening, first, published_estimates(), draws)
    sources = sorted({f.source for f in flows if f.flows == "actual"})
    notes = [NO_OFFICIAL_BALANCES,
             "Exchange rates, settlement shares, caps and uptakes are assumptions unless a parameter names a source.",
             "Outflows: exporters paid first, then channels in order; securities held are a stock without maturities "
             "or coupons; balances valued at each period's rate.",
             "Energy = HS 27 (mostly crude oil); its rupee share is crude's own invoicing parameter."]
    if any(not r.energy_exact and r.flows == "actual" for r in shown):
        notes.append("The energy share of imports is a proxy or a lower bound in some years (energy_exact false; see "
                     "energy_basis in --format json or csv).")
    if first.kind == "cy":
        notes.append("Exchange-rate paths labelled by fiscal year are used for the calendar year each starts in "
                     "(FY2022-23 for CY2022, which shares 9 of its 12 months).")
    if from_period is None:
        notes.append(f"No projected periods up to {last.label}: the scenario's overrides do not apply.")
    return SettlementResult(
        pair=p.label, scenario=sc.name, title=sc.title, description=sc.description, start=first.label, end=last.label,
        last_actual_flows=last_actual.label if last_actual <= last else last.label,
        overrides_from=from_period.label if from_period is not None else None, rows=shown, parameters=used,
        flows_source=f"read layer (bilateral.store.queries.pair_totals): {'; '.join(sources)}", notes=tuple(notes),
        band=rng)


def _used_params(sc: Scenario, from_period: Period | None, periods: list[Period]) -> tuple[UsedParam, ...]:
    out = []
    for name in PARAMETERS:
        if name in sc.overrides and from_period is not None:
            if periods[0] < from_period:
                out.append(UsedParam(sc.defaults[name], f"before {from_period.label}"))
            out.append(UsedParam(sc.overrides[name], f"from {from_period.label}"))
        else:
            out.append(UsedParam(sc.defaults[name], "all periods"))
    return tuple(out)


def covers(scenario: Scenario, pair: Pair) -> None:
    """Refuse a pair the scenario does not model: its reporter must be the country whose currency the accounts hold."""
    if scenario.reporter and pair.reporter != scenario.reporter:
        raise NotAvailableError(
            f"no settlement scenario for {pair.label}: the scenarios in {scenario.file} model vostro accounts in the "
            f"currency of {scenario.reporter} (their reporter), so they cover {scenario.reporter}'s trade with any "
            f"partner, not {pair.reporter}'s; a scenario file with `reporter: {pair.reporter}` would cover it")


def simulate_all(store: Store, pair: Pair | str, scenarios: Iterable[Scenario] | str | Path | None = None,
                 start: str | None = None, end: str | None = None, draws: int | None = DRAWS) -> SettlementRun:
    """Every scenario (the shipped ones by default) over the same pair and periods."""
    scs = list(scenarios) if scenarios is not None and not isinstance(scenarios, str | Path) else load_scenarios(scenarios)
    p = parse_pair(pair) if isinstance(pair, str) else pair
    for sc in scs:
        covers(sc, p)
    kind = parse_period(start or DEFAULT_FROM).kind
    reader = _ActualFlows(store, p, kind)  # flows and energy shares read once for all scenarios
    return SettlementRun(tuple(simulate(store, p, s, start, end, reader=reader, draws=draws) for s in scs))
