"""Typed results: one scenario's balance path with its parameters and notes, and several scenarios together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bilateral.harmonise.periods import parse_period
from bilateral.models.settlement.model import SettlementRow
from bilateral.models.settlement.params import Param
from bilateral.models.settlement.uncertainty import Band

__all__ = ["NO_OFFICIAL_BALANCES", "SettlementResult", "SettlementRun", "UsedParam"]

NO_OFFICIAL_BALANCES = ("The Reserve Bank of India does not publish Special Rupee Vostro Account balances by country: "
                        "every balance here is modelled (on actual trade flows to the last official year, projected "
                        "flows after) from the stated assumptions, not an official figure.")


@dataclass(frozen=True)
class UsedParam:
    """A parameter as a result used it: where it applied."""

    param: Param
    applies: str  # 'all periods' or 'from FY2026-27' (scenario override)

    def to_dict(self) -> dict[str, Any]:
        return {**self.param.to_dict(), "applies": self.applies}


@dataclass(frozen=True)
class SettlementResult:
    """The rupee balance path of one pair under one scenario."""

    pair: str
    scenario: str
    title: str
    description: str
    start: str
    end: str
    last_actual_flows: str | None  # the last period whose trade flows are official figures
    overrides_from: str | None  # the first period the scenario's overrides apply
    rows: tuple[SettlementRow, ...]
    parameters: tuple[UsedParam, ...]
    flows_source: str
    notes: tuple[str, ...]
    band: Band | None = None  # what the assumptions allow (None: not computed)

    @property
    def final(self) -> SettlementRow:
        return self.rows[-1]

    @property
    def peak(self) -> SettlementRow:
        return max(self.rows, key=lambda r: r.closing_usd)

    @property
    def years_to_absorb(self) -> float | None:
        """Years until the closing balance is gone at the last period's net pace; None if it was not falling."""
        r = self.final
        change = r.closing_inr - r.opening_inr
        if r.closing_inr <= 0:
            return 0.0
        return r.closing_inr / -change if change < 0 else None

    @property
    def required_export_growth(self) -> float | None:
        """Yearly export growth from the last actual year that balances rupee flows through trade in the end year."""
        if self.last_actual_flows is None:
            return None
        n = parse_period(self.end).year - parse_period(self.last_actual_flows).year
        base = next((r for r in self.rows if r.period == self.last_actual_flows), None)
        need = self.final.balancing_exports_usd
        if n <= 0 or base is None or need is None or base.exports_usd <= 0 or need <= 0:
            return None
        return float((need / base.exports_usd) ** (1.0 / n) - 1.0)

    def records(self) -> list[dict[str, Any]]:
        """Per-period flat rows, one scenario (with the band's P10/P50/P90 when computed)."""
        bands = {b.period: b.to_dict() for b in self.band.rows} if self.band is not None else {}
        out = []
        for r in self.rows:
            b = {k: v for k, v in bands.get(r.period, {}).items() if k not in ("period", "flows", "balance")}
            out.append({"pair": self.pair, "scenario": self.scenario, **r.record(), **b})
        return out

    def summary(self) -> dict[str, Any]:
        f, pk = self.final, self.peak
        band = {} if self.band is None else {
            "closing_usd_p10": self.band.final.p10_usd, "closing_usd_p50": self.band.final.p50_usd,
            "closing_usd_p90": self.band.final.p90_usd}
        return {
            **band, "closing_period": f.period, "closing_inr": f.closing_inr, "closing_usd": f.closing_usd,
            "closing_rub": f.closing_rub, "peak_period": pk.period, "peak_usd": pk.closing_usd,
            "years_to_absorb": self.years_to_absorb, "years_of_exports": f.years_of_exports,
            "securities_held_inr": f.securities_held_inr, "rupee_assets_inr": f.rupee_assets_inr,
            "rupee_assets_usd": f.rupee_assets_inr / f.inr_per_usd,
            "balancing_exports_usd": f.balancing_exports_usd, "required_export_growth": self.required_export_growth,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "pair": self.pair, "scenario": self.scenario, "title": self.title, "description": self.description,
            "from": self.start, "to": self.end, "last_actual_flows": self.last_actual_flows,
            "overrides_from": self.overrides_from, "flows_source": self.flows_source,
            "summary": self.summary(), "rows": [r.record() for r in self.rows],
            "band": None if self.band is None else self.band.to_dict(),
            "parameters": [p.to_dict() for p in self.parameters], "notes": list(self.notes),
        }


@dataclass(frozen=True)
class SettlementRun:
    """Several scenarios over the same pair and periods (what the CLI prints)."""

    results: tuple[SettlementResult, ...]

    def records(self) -> list[dict[str, Any]]:
        return [row for r in self.results for row in r.records()]

    def to_dict(self) -> dict[str, Any]:
        first = self.results[0]
        return {"pair": first.pair, "from": first.start, "to": first.end, "last_actual_flows": first.last_actual_flows,
                "flows_source": first.flows_source, "note": NO_OFFICIAL_BALANCES,
                "scenarios": [r.to_dict() for r in self.results]}
