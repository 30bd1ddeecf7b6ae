"""What the assumptions allow: a sensitivity (tornado) of the last year's balance and a joint Monte Carlo band.

Every parameter with a ``range`` in the scenario file is an :class:`Assumption`. Two runs share the
model's one arithmetic (``model.step`` and ``model.project`` over numpy arrays, one column a run):

- **sensitivity**: each assumption at its low and at its high, every other at its value; the
  closing balance of the last period in US$ at both ends, sorted by the swing between them;
- **band**: all assumptions drawn together (independent triangular draws low–value–high, seeded),
  the P10, P50 and P90 of each period's closing balance and of the securities bought from it.

The draws treat the assumptions as independent: where two move together in reality (more rupee
invoicing of imports and of exports) the band is narrower than the truth. Scenario overrides are
separate assumptions from the defaults they replace (one applies before, the other from, the
scenario's first period).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from bilateral.harmonise.periods import Period
from bilateral.models.settlement.model import FlowsKind, PeriodFlows, project, step
from bilateral.models.settlement.params import CHANNELS, PARAMETERS, SECURITIES_CHANNELS, Estimate, Param, Scenario
from bilateral.models.settlement.periods import ParamKey, param_key, period_bounds, period_params

__all__ = ["DRAWS", "LABELS", "QUANTILES", "SEED", "Assumption", "Band", "BandRow", "EstimateCheck", "Sensitivity",
           "assumptions", "band"]

#: joint draws of the assumptions (the P10/P90 of 2,000 draws move by well under 1% between seeds)
DRAWS = 2000
SEED = 20261203
QUANTILES = (10.0, 50.0, 90.0)
#: short names for tables
LABELS: dict[str, str] = {
    "inr_per_usd": "rupee depreciation a year",
    "exports_growth": "export growth a year",
    "energy_imports_growth": "energy import growth a year",
    "other_imports_growth": "other import growth a year",
    "crude_currency": "crude paid in rupees",
    "other_imports_currency": "other imports paid in rupees",
    "exports_currency": "exports paid in rupees",
    "channels.government_securities.cap_usd": "G-sec cap (US$ a year)",
    "channels.government_securities.uptake": "G-sec uptake",
    "channels.corporate_debt.cap_usd": "corporate debt cap (US$ a year)",
    "channels.corporate_debt.uptake": "corporate debt uptake",
    "channels.third_country.cap_usd": "third-country cap (US$ a year)",
    "channels.third_country.uptake": "third-country uptake",
    "defence.payments_usd": "defence payments (US$ a year)",
    "defence.inr_share": "defence paid in rupees",
}


@dataclass(frozen=True)
class Assumption:
    """A parameter with a range, as one scenario uses it: its default or its override."""

    key: ParamKey
    param: Param
    applies: str  # 'all periods', 'before FY2026-27' or 'from FY2026-27'

    @property
    def name(self) -> str:
        return self.key[0]

    @property
    def label(self) -> str:
        base = LABELS.get(self.name, self.name)
        return base if self.applies == "all periods" else f"{base}, {self.applies}"

    @property
    def central(self) -> float:
        c = self.param.central
        assert c is not None and self.param.range is not None
        return c

    @property
    def low(self) -> float:
        assert self.param.range is not None
        return self.param.range.low

    @property
    def high(self) -> float:
        assert self.param.range is not None
        return self.param.range.high

    def to_dict(self) -> dict[str, Any]:
        rng = self.param.range
        assert rng is not None
        return {"parameter": self.name, "version": self.key[1], "label": self.label, "applies": self.applies,
                "of": rng.of, "value": self.central, "low": self.low, "high": self.high, "basis": self.param.basis,
                "range_basis": rng.basis, "range_note": rng.note, "range_url": rng.url}


@dataclass(frozen=True)
class Sensitivity:
    """The last period's closing balance (US$) with one assumption at its low and at its high, others at their value."""

    assumption: Assumption
    at_low_usd: float
    at_high_usd: float

    @property
    def swing_usd(self) -> float:
        return abs(self.at_high_usd - self.at_low_usd)

    def to_dict(self) -> dict[str, Any]:
        return {**self.assumption.to_dict(), "balance_at_low_usd": self.at_low_usd,
                "balance_at_high_usd": self.at_high_usd, "swing_usd": self.swing_usd}


@dataclass(frozen=True)
class BandRow:
    """One period's modelled closing balance and securities held (US$): P10, P50, P90 of the joint draws."""

    period: str
    flows: FlowsKind
    p10_usd: float
    p50_usd: float
    p90_usd: float
    securities_p10_usd: float
    securities_p50_usd: float
    securities_p90_usd: float

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "flows": self.flows, "balance": "modelled", "closing_usd_p10": self.p10_usd,
                "closing_usd_p50": self.p50_usd, "closing_usd_p90": self.p90_usd,
                "securities_held_usd_p10": self.securities_p10_usd, "securities_held_usd_p50": self.securities_p50_usd,
                "securities_held_usd_p90": self.securities_p90_usd}


@dataclass(frozen=True)
class EstimateCheck:
    """A published figure beside the modelled band at the year end nearest its date."""

    estimate: Estimate
    period: str
    p10_usd: float
    p90_usd: float

    @property
    def covered(self) -> bool:
        """The published range and the P10–P90 band overlap."""
        return self.estimate.low_usd <= self.p90_usd and self.p10_usd <= self.estimate.high_usd

    def to_dict(self) -> dict[str, Any]:
        return {**self.estimate.to_dict(), "period": self.period, "modelled_p10_usd": self.p10_usd,
                "modelled_p90_usd": self.p90_usd, "covered": self.covered}


@dataclass(frozen=True)
class Band:
    """The range the assumptions allow for one scenario: per-period P10/P50/P90 and the end year's sensitivity."""

    draws: int
    seed: int
    end: str
    rows: tuple[BandRow, ...]
    sensitivity: tuple[Sensitivity, ...]  # largest swing first
    fixed: tuple[str, ...]  # parameters held fixed (no range)
    checks: tuple[EstimateCheck, ...]

    @property
    def final(self) -> BandRow:
        return self.rows[-1]

    def to_dict(self) -> dict[str, Any]:
        return {"draws": self.draws, "seed": self.seed, "end": self.end, "distribution": "independent triangular "
                "(low, value, high) per assumption", "rows": [r.to_dict() for r in self.rows],
                "sensitivity": [s.to_dict() for s in self.sensitivity], "fixed": list(self.fixed),
                "published_estimates": [c.to_dict() for c in self.checks]}


def assumptions(sc: Scenario, periods: Sequence[Period], from_period: Period | None) -> list[Assumption]:
    """Every ranged parameter version the scenario uses in ``periods`` (defaults and overrides apart)."""
    out: list[Assumption] = []
    for name in PARAMETERS:
        used = {param_key(sc, name, q, from_period)[1] for q in periods}
        for version in ("default", "override"):
            if version not in used:
                continue
            param = sc.overrides[name] if version == "override" else sc.defaults[name]
            if param.range is None:
                continue
            if name in sc.overrides and from_period is not None:
                applies = f"from {from_period.label}" if version == "override" else f"before {from_period.label}"
                if len(used) == 1:
                    applies = "all periods"
            else:
                applies = "all periods"
            out.append(Assumption((name, version), param, applies))
    return out


def _fixed(sc: Scenario, periods: Sequence[Period], from_period: Period | None) -> tuple[str, ...]:
    names = []
    for name in PARAMETERS:
        keys = {param_key(sc, name, q, from_period) for q in periods}
        params = [sc.overrides[n] if v == "override" else sc.defaults[n] for n, v in keys]
        if any(p.range is None for p in params):
            names.append(name)
    return tuple(names)


def _seed(scenario: str) -> np.random.Generator:
    return np.random.default_rng([SEED, zlib.crc32(scenario.encode())])


def _nearest_period(d: date, periods: Sequence[Period]) -> Period:
    return min(periods, key=lambda q: abs((period_bounds(q)[1] - d).days))


def band(sc: Scenario, periods: Sequence[Period], flows: Sequence[PeriodFlows], from_period: Period | None,
         opening_inr: float, first: Period, estimates: Sequence[Estimate] = (), draws: int = DRAWS) -> Band:
    """The band and the sensitivity for one scenario over ``periods`` (``flows``: actual ones, projected after).

    Column 0 of the vectorised run is every assumption at its value (it reproduces ``simulate``'s rows),
    columns 1..2k the sensitivity (assumption i low, then high), the rest the joint draws.
    """
    ass = assumptions(sc, periods, from_period)
    k = len(ass)
    m = 1 + 2 * k + draws
    rng = _seed(sc.name)
    values: dict[ParamKey, Any] = {}
    for i, a in enumerate(ass):
        col = np.full(m, a.central)
        col[1 + 2 * i] = a.low
        col[2 + 2 * i] = a.high
        if a.low < a.high:
            col[1 + 2 * k:] = rng.triangular(a.low, a.central, a.high, draws)
        values[a.key] = col
    balance: Any = np.full(m, float(opening_inr))
    held: Any = np.zeros(m)
    exports: Any = None
    imports: Any = None
    share: Any = None
    rows: list[BandRow] = []
    closing_usd: Any = None
    per_period: dict[str, tuple[Any, Any]] = {}
    for q, f in zip(periods, flows, strict=True):
        pp = period_params(sc, q, from_period, values)
        if f.flows == "actual":
            exports, imports, share = f.exports_usd, f.imports_usd, f.energy_share
        else:
            exports, imports, share = project(exports, imports, share, pp)
        s = step(balance, exports, imports, share, pp)
        held = held + sum(o for c, o in zip(CHANNELS, s.channel_outflows, strict=True) if c in SECURITIES_CHANNELS)
        balance = s.closing
        closing_usd = balance / pp.inr_per_usd
        held_usd = held / pp.inr_per_usd
        per_period[q.label] = (closing_usd, held_usd)
        if q >= first:
            mc, hmc = closing_usd[1 + 2 * k:], held_usd[1 + 2 * k:]
            (b10, b50, b90), (h10, h50, h90) = np.percentile(mc, QUANTILES), np.percentile(hmc, QUANTILES)
            rows.append(BandRow(q.label, f.flows, float(b10), float(b50), float(b90), float(h10), float(h50),
                                float(h90)))
    sens = [Sensitivity(a, float(closing_usd[1 + 2 * i]), float(closing_usd[2 + 2 * i])) for i, a in enumerate(ass)]
    sens.sort(key=lambda x: (-x.swing_usd, x.assumption.label))
    shown = [q for q in periods if q >= first]
    checks = []
    for e in estimates:
        q = _nearest_period(e.date, periods)
        if q not in shown:
            continue
        b, h = per_period[q.label]
        series = (h if e.measure == "securities" else b)[1 + 2 * k:]
        lo, hi = np.percentile(series, (10.0, 90.0))
        checks.append(EstimateCheck(e, q.label, float(lo), float(hi)))
    return Band(draws, SEED, periods[-1].label, tuple(rows), tuple(sens), _fixed(sc, periods, from_period),
                tuple(checks))
