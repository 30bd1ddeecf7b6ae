"""The balance itself, period by period, from flows and resolved parameters (pure; no store)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from bilateral.errors import BilateralError
from bilateral.models.settlement.params import CHANNELS, SECURITIES_CHANNELS
from bilateral.models.settlement.periods import PeriodParams

__all__ = ["BALANCE_BASIS", "FlowsKind", "PeriodFlows", "SettlementRow", "Step", "project", "run_model", "step"]

#: whether a period's trade flows are the official figures or projected by the scenario
FlowsKind = Literal["actual", "projected"]
#: every balance is modelled: the RBI publishes none by country
BALANCE_BASIS = "modelled"


@dataclass(frozen=True)
class PeriodFlows:
    """A period's trade (US$) and the energy (HS 27) share of imports, actual or projected."""

    period: str
    flows: FlowsKind
    exports_usd: float
    imports_usd: float
    energy_share: float
    energy_exact: bool = False
    energy_basis: str = ""
    source: str = ""  # who served the flows (actual) or how they were projected


@dataclass(frozen=True)
class SettlementRow:
    """One period of the modelled rupee balance (on actual or projected trade flows). Rupee amounts in INR, trade in US$."""

    period: str
    flows: FlowsKind
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
    inflow_inr: float  # imports paid in rupees plus defence payments settled in rupees
    energy_inflow_inr: float  # the part of inflow from energy (HS 27) imports
    defence_inflow_inr: float  # the part of inflow from defence payments (outside the trade figures)
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
            "period": self.period, "flows": self.flows, "balance": BALANCE_BASIS, "exports_usd": self.exports_usd,
            "imports_usd": self.imports_usd,
            "energy_share": self.energy_share, "energy_exact": self.energy_exact, "energy_basis": self.energy_basis,
            "energy_share_of_deficit": self.energy_share_of_deficit,
            "flows_source": self.source, "inr_per_usd": self.inr_per_usd, "rub_per_usd": self.rub_per_usd,
            "rupee_share_imports": self.rupee_share_imports, "rupee_share_exports": self.rupee_share_exports,
            "opening_inr": self.opening_inr, "inflow_inr": self.inflow_inr, "energy_inflow_inr": self.energy_inflow_inr,
            "defence_inflow_inr": self.defence_inflow_inr,
            "bought_inr": self.bought_inr, "exports_paid_inr": self.exports_paid_inr,
            **{f"out_{c}_inr": v for c, v in zip(CHANNELS, self.channel_outflows_inr, strict=True)},
            "outflows_inr": self.outflows_inr, "closing_inr": self.closing_inr, "closing_usd": self.closing_usd,
            "closing_rub": self.closing_rub, "securities_held_inr": self.securities_held_inr,
            "rupee_assets_inr": self.rupee_assets_inr, "rupee_assets_usd": self.rupee_assets_inr / self.inr_per_usd,
            "balancing_exports_usd": self.balancing_exports_usd,
            "balancing_export_growth": self.balancing_export_growth, "years_of_exports": self.years_of_exports,
        }


@dataclass(frozen=True)
class Step:
    """One period's rupee flows (INR) from an opening balance: floats, or arrays of draws in the Monte Carlo."""

    trade_inflow: Any  # imports paid in rupees
    energy_inflow: Any  # the part of it from energy (HS 27) imports
    defence_inflow: Any  # defence payments settled in rupees
    exports_paid: Any
    bought: Any
    channel_outflows: tuple[Any, ...]
    closing: Any

    @property
    def inflow(self) -> Any:
        return self.trade_inflow + self.defence_inflow


def step(opening: Any, exports_usd: Any, imports_usd: Any, energy_share: Any, pp: PeriodParams) -> Step:
    """The model's arithmetic for one period: the one place it is written (run_model and the Monte Carlo call it)."""
    fx = pp.inr_per_usd
    energy_usd = imports_usd * energy_share
    energy_in = pp.mechanism_open * energy_usd * pp.crude_inr_share * fx
    trade_in = energy_in + pp.mechanism_open * (imports_usd - energy_usd) * pp.other_imports_inr_share * fx
    defence_in = pp.defence_usd * fx
    paid = exports_usd * pp.mechanism_open * pp.exports_inr_share * fx
    available = opening + trade_in + defence_in
    bought = np.maximum(0.0, paid - available)
    left = available + bought - paid
    outs = []
    for cap, uptake, opened in zip(pp.caps_usd, pp.uptakes, pp.channel_open, strict=True):
        out = np.minimum(uptake * left, cap * opened * fx) if opened > 0 else 0.0 * left
        outs.append(out)
        left = left - out
    return Step(trade_in, energy_in, defence_in, paid, bought, tuple(outs), left)


def project(exports_usd: Any, imports_usd: Any, energy_share: Any, pp: PeriodParams) -> tuple[Any, Any, Any]:
    """Next period's (exports, imports, energy share) under the period's growth paths (floats or arrays)."""
    energy = imports_usd * energy_share * (1.0 + pp.energy_imports_growth)
    other = imports_usd * (1.0 - energy_share) * (1.0 + pp.other_imports_growth)
    imports = energy + other
    share = np.where(imports > 0, energy / np.where(imports > 0, imports, 1.0), 0.0)
    return exports_usd * (1.0 + pp.exports_growth), imports, share


def run_model(flows: Sequence[PeriodFlows], params: Sequence[PeriodParams], opening_inr: float = 0.0,
              securities_held_inr: float = 0.0) -> list[SettlementRow]:
    """The balance, period by period, from flows and resolved parameters (pure; no store)."""
    if len(flows) != len(params):
        raise BilateralError("run_model needs one set of parameters per period")
    rows: list[SettlementRow] = []
    balance, held = opening_inr, securities_held_inr
    for f, pp in zip(flows, params, strict=True):
        fx = pp.inr_per_usd
        s = step(balance, f.exports_usd, f.imports_usd, f.energy_share, pp)
        outs = tuple(float(o) for o in s.channel_outflows)
        held += sum(o for c, o in zip(CHANNELS, outs, strict=True) if c in SECURITIES_CHANNELS)
        exp_share = pp.mechanism_open * pp.exports_inr_share
        inflow = float(s.inflow)
        exports_inr = f.exports_usd * fx
        closing = float(s.closing)
        rows.append(SettlementRow(
            period=f.period, flows=f.flows, exports_usd=f.exports_usd, imports_usd=f.imports_usd,
            energy_share=f.energy_share, energy_exact=f.energy_exact, energy_basis=f.energy_basis, source=f.source,
            inr_per_usd=fx, rub_per_usd=pp.rub_per_usd,
            rupee_share_imports=float(s.trade_inflow) / fx / f.imports_usd if f.imports_usd > 0 else 0.0,
            rupee_share_exports=exp_share, opening_inr=balance, inflow_inr=inflow,
            energy_inflow_inr=float(s.energy_inflow), defence_inflow_inr=float(s.defence_inflow),
            bought_inr=float(s.bought), exports_paid_inr=float(s.exports_paid), channel_outflows_inr=outs,
            closing_inr=closing, securities_held_inr=held,
            balancing_exports_usd=inflow / fx / exp_share if exp_share > 0 else None,
            years_of_exports=closing / exports_inr if exports_inr > 0 else None,
        ))
        balance = closing
    return rows
