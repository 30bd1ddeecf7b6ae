"""The balance itself, period by period, from flows and resolved parameters (pure; no store)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from bilateral.errors import BilateralError
from bilateral.models.settlement.params import CHANNELS, SECURITIES_CHANNELS
from bilateral.models.settlement.periods import PeriodParams

__all__ = ["PeriodFlows", "RowKind", "SettlementRow", "run_model"]

RowKind = Literal["actual", "projected"]


@dataclass(frozen=True)
class PeriodFlows:
    """A period's trade (US$) and the energy (HS 27) share of imports, actual or projected."""

    period: str
    kind: RowKind
    exports_usd: float
    imports_usd: float
    energy_share: float
    energy_exact: bool = False
    energy_basis: str = ""
    source: str = ""  # who served the flows (actual) or how they were projected


@dataclass(frozen=True)
class SettlementRow:
    """One period of the rupee balance. Rupee amounts in INR, trade in US$."""

    period: str
    kind: RowKind
    exports_usd: float
    imports_usd: float
    energy_share: float
    energy_exact: bool
    energy_basis: str
    source: str
    inr_per_usd: float
    rub_per_usd: float
    rupee_share_imports: float  # of the period's imports, paid into vostro accounts
    rupee_share_exports: float  # of the period's exports, paid from vostro accounts
    opening_inr: float
    inflow_inr: float  # imports paid in rupees
    energy_inflow_inr: float  # the part of inflow from energy (HS 27) imports
    bought_inr: float  # rupees the partner's importers had to buy because the balance fell short
    exports_paid_inr: float  # exporters paid from vostro accounts (spending on Indian goods)
    channel_outflows_inr: tuple[float, ...]  # per channel, CHANNELS order
    closing_inr: float
    securities_held_inr: float  # cumulative government securities + corporate debt (no maturities)
    balancing_exports_usd: float | None  # exports at which rupee payments to exporters equal rupee inflows
    years_of_exports: float | None  # closing balance / the period's exports (in rupees)

    @property
    def outflows_inr(self) -> float:
        return self.exports_paid_inr + sum(self.channel_outflows_inr)

    @property
    def closing_usd(self) -> float:
        return self.closing_inr / self.inr_per_usd

    @property
    def closing_rub(self) -> float:
        return self.closing_usd * self.rub_per_usd

    @property
    def rupee_assets_inr(self) -> float:
        """What the partner holds in rupees: the vostro balance plus the securities bought from it."""
        return self.closing_inr + self.securities_held_inr

    @property
    def balancing_export_growth(self) -> float | None:
        if self.balancing_exports_usd is None or self.exports_usd <= 0:
            return None
        return self.balancing_exports_usd / self.exports_usd - 1.0

    @property
    def energy_share_of_deficit(self) -> float | None:
        """Energy imports over the trade deficit (above 1 when energy alone exceeds the deficit)."""
        deficit = self.imports_usd - self.exports_usd
        return self.imports_usd * self.energy_share / deficit if deficit > 0 else None

    def record(self) -> dict[str, Any]:
        """Flat row: rupee amounts in INR, dollar amounts in US$."""
        return {
            "period": self.period, "kind": self.kind, "exports_usd": self.exports_usd, "imports_usd": self.imports_usd,
            "energy_share": self.energy_share, "energy_exact": self.energy_exact, "energy_basis": self.energy_basis,
            "energy_share_of_deficit": self.energy_share_of_deficit,
            "flows_source": self.source, "inr_per_usd": self.inr_per_usd, "rub_per_usd": self.rub_per_usd,
            "rupee_share_imports": self.rupee_share_imports, "rupee_share_exports": self.rupee_share_exports,
            "opening_inr": self.opening_inr, "inflow_inr": self.inflow_inr, "energy_inflow_inr": self.energy_inflow_inr,
            "bought_inr": self.bought_inr, "exports_paid_inr": self.exports_paid_inr,
            **{f"out_{c}_inr": v for c, v in zip(CHANNELS, self.channel_outflows_inr, strict=True)},
            "outflows_inr": self.outflows_inr, "closing_inr": self.closing_inr, "closing_usd": self.closing_usd,
            "closing_rub": self.closing_rub, "securities_held_inr": self.securities_held_inr,
            "rupee_assets_inr": self.rupee_assets_inr, "rupee_assets_usd": self.rupee_assets_inr / self.inr_per_usd,
            "balancing_exports_usd": self.balancing_exports_usd,
            "balancing_export_growth": self.balancing_export_growth, "years_of_exports": self.years_of_exports,
        }


def run_model(flows: Sequence[PeriodFlows], params: Sequence[PeriodParams], opening_inr: float = 0.0,
              securities_held_inr: float = 0.0) -> list[SettlementRow]:
    """The balance, period by period, from flows and resolved parameters (pure; no store)."""
    if len(flows) != len(params):
        raise BilateralError("run_model needs one set of parameters per period")
    rows: list[SettlementRow] = []
    balance, held = opening_inr, securities_held_inr
    for f, pp in zip(flows, params, strict=True):
        fx = pp.inr_per_usd
        energy_usd = f.imports_usd * f.energy_share
        other_usd = f.imports_usd - energy_usd
        energy_in_usd = pp.mechanism_open * energy_usd * pp.crude_inr_share
        inflow_usd = energy_in_usd + pp.mechanism_open * other_usd * pp.other_imports_inr_share
        inflow = inflow_usd * fx
        exp_share = pp.mechanism_open * pp.exports_inr_share
        paid = f.exports_usd * exp_share * fx
        available = balance + inflow
        bought = max(0.0, paid - available)
        left = available + bought - paid
        outs = []
        for cap, uptake, opened in zip(pp.caps_usd, pp.uptakes, pp.channel_open, strict=True):
            out = min(uptake * left, cap * opened * fx) if opened > 0 else 0.0
            outs.append(out)
            left -= out
        held += sum(o for c, o in zip(CHANNELS, outs, strict=True) if c in SECURITIES_CHANNELS)
        exports_inr = f.exports_usd * fx
        rows.append(SettlementRow(
            period=f.period, kind=f.kind, exports_usd=f.exports_usd, imports_usd=f.imports_usd,
            energy_share=f.energy_share, energy_exact=f.energy_exact, energy_basis=f.energy_basis, source=f.source,
            inr_per_usd=fx, rub_per_usd=pp.rub_per_usd,
            rupee_share_imports=inflow_usd / f.imports_usd if f.imports_usd > 0 else 0.0,
            rupee_share_exports=exp_share, opening_inr=balance, inflow_inr=inflow, energy_inflow_inr=energy_in_usd * fx,
            bought_inr=bought, exports_paid_inr=paid, channel_outflows_inr=tuple(outs), closing_inr=left,
            securities_held_inr=held,
            balancing_exports_usd=inflow_usd / exp_share if exp_share > 0 else None,
            years_of_exports=left / exports_inr if exports_inr > 0 else None,
        ))
        balance = left
    return rows
