"""Rupee settlement: how the rupee balance in Special Rupee Vostro Accounts accumulates.

Since 11 July 2022 the Reserve Bank of India lets trade be invoiced and settled in rupees through
Special Rupee Vostro Accounts (SRVAs) held by partner-country banks (A.P. (DIR Series) Circular
No. 10). An Indian importer paying in rupees credits the partner's vostro account; an Indian
exporter paid in rupees is paid from it. When India imports far more than it exports, and part of
the imports is paid in rupees, rupees pile up; what is left can be placed in Indian government
securities (from the start), corporate debt (from 3 October 2025) or passed to third countries.

Per period (one fiscal or calendar year, the store's kind):

- inflow   = imports × [energy share × crude's rupee share + (1 − energy share) × other goods'
  rupee share] × the share of the period the mechanism was open × INR per USD;
- exports paid = exports × exports' rupee share × the same open share × INR per USD; if the
  balance cannot cover it, the partner's importers buy the missing rupees (``bought``);
- channels, in order, each take ``uptake`` × what is left, at most ``cap_usd`` × INR per USD ×
  the share of the period the channel was open;
- defence payments settled in rupees (outside the trade figures) also credit the accounts;
- closing = opening + inflow + bought − exports paid − channel outflows (checked every period);
  in dollars and roubles at the period's rates.

Flows come from the read layer (official totals where they serve, any loaded source otherwise)
up to the last year the store holds both flows; later years follow the scenario's growth paths
and are labelled ``projected``. Parameters come from ``settlement_scenarios.yml``: each has a
source or is labelled an assumption, and every result lists them. The RBI does not publish
vostro balances by country: every balance here is a model estimate, never an official figure.

The stages, one module each: ``params`` (the scenario file, checked), ``periods`` (parameters
resolved per period), ``model`` (the balance, pure), ``uncertainty`` (the sensitivity and the
joint band over every ranged assumption), ``results`` (typed results) and ``simulate`` (flows from
the read layer, projections, the run).
"""

from __future__ import annotations

from bilateral.models.settlement.model import PeriodFlows, SettlementRow, run_model
from bilateral.models.settlement.params import (
    CHANNELS,
    CRUDE_CURRENCIES,
    TRADE_CURRENCIES,
    Estimate,
    Param,
    Range,
    Scenario,
    load_scenarios,
    published_estimates,
    scenario_names,
)
from bilateral.models.settlement.periods import (
    PeriodParams,
    open_fraction,
    path_value,
    period_bounds,
    period_of_date,
    period_params,
)
from bilateral.models.settlement.results import NO_OFFICIAL_BALANCES, SettlementResult, SettlementRun, UsedParam
from bilateral.models.settlement.simulate import DEFAULT_FROM, DEFAULT_TO, simulate, simulate_all
from bilateral.models.settlement.uncertainty import DRAWS, Assumption, Band, BandRow, Sensitivity, assumptions, band

__all__ = [
    "CHANNELS", "CRUDE_CURRENCIES", "DEFAULT_FROM", "DEFAULT_TO", "DRAWS", "NO_OFFICIAL_BALANCES",
    "TRADE_CURRENCIES", "Assumption", "Band", "BandRow", "Estimate", "Param", "PeriodFlows", "PeriodParams", "Range",
    "Scenario", "Sensitivity", "SettlementResult", "SettlementRow", "SettlementRun", "UsedParam", "assumptions",
    "band", "load_scenarios", "open_fraction", "path_value", "period_bounds", "period_of_date", "period_params",
    "published_estimates", "run_model", "scenario_names", "simulate", "simulate_all",
]
