"""The target tracker: is the partnership on track for its trade target.

- required CAGR from a base year (default: the latest, provisional or not) to the target year, and
  from the base the goal was set from (targets as data keep their history), against achieved CAGR
  over 3 and 5 years, and how the required pace changed year by year;
- a forecast of total trade from the candidate the rolling-origin backtest scores best: series
  models on total trade (:mod:`bilateral.models.forecast`) and the component method — exports,
  energy imports (HS 27: volume × a Brent path known at the base) and other imports, drawn
  jointly — each with intervals calibrated on its own earlier errors and chosen by a proper
  scoring rule (:mod:`.calibration`, :mod:`.backtest`);
- the probability of reaching the target for every candidate, its range across the competitive set;
- what share of the reporter's total trade the 95% upper bound implies (plausibility);
- the later actual figures beside an older base's forecast;
- the gap explained by the component method's means (which add), and with each component held at
  its base; scenarios from YAML (Brent path, energy volume, other imports, exports by sector).

Stages, one module each: ``data`` (breaks, the Brent price as known at a base), ``scenarios``
(scenario files), ``models`` (the component models at one origin), ``simulation`` (draws of every
candidate), ``calibration`` (schemes and scores), ``backtest`` (the rolling origin that calibrates,
scores and chooses; the table of every candidate), ``results`` (typed results), ``tracker``
(``track``: the report assembled). With too short a history ``track`` still answers the required
growth and says what to load for a forecast.
"""

from __future__ import annotations

from typing import Any

from bilateral.models.forecast import CANDIDATES, Z80, Z95
from bilateral.models.target.backtest import BacktestResult, backtest_table, rolling_origin
from bilateral.models.target.data import (
    break_years,
    breaks,
    brent_average,
    brent_known_at,
    brent_monthly,
    parse_price_spec,
    price_path,
)
from bilateral.models.target.results import ForecastYear, TargetResult
from bilateral.models.target.scenarios import Scenario, load_scenarios, scenario_path
from bilateral.models.target.simulation import DEFAULT_SEED
from bilateral.models.target.tracker import MIN_HISTORY, required_cagr, required_cagr_or_none, track

__all__ = ["CANDIDATES", "DEFAULT_SEED", "MIN_HISTORY", "Z80", "Z95", "BacktestResult", "ForecastYear", "Scenario",
           "TargetResult", "backtest_table", "break_years", "breaks", "brent_average", "brent_known_at", "brent_monthly",
           "load_scenarios", "parse_price_spec", "price_path", "records", "required_cagr", "required_cagr_or_none",
           "rolling_origin", "scenario_path", "track"]


def records(result: TargetResult) -> list[dict[str, Any]]:
    """Flat rows of a tracker result (kept for callers of the old API; use ``result.records()``)."""
    return result.records()
