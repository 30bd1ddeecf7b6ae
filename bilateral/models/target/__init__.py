"""The target tracker: is the partnership on track for its trade target.

- required CAGR from a base year (default: the latest, provisional or not) to the target year,
  against achieved CAGR over 3 and 5 years, and how the required pace changed year by year;
- a forecast of total trade BY COMPONENT: exports, energy imports (HS 27) and other imports.
  Energy imports are volume × price: the Brent price path is a named scenario input (EIA data
  shipped in ``models/data``) with Brent's own year-to-year volatility around it; the implied
  volume is a random walk without drift, so the 2022 jump is not extrapolated. Exports and other
  imports each take the candidate model with the lowest backtest error
  (:mod:`bilateral.models.forecast`, :mod:`bilateral.models.backtest`). The components are drawn
  jointly with the correlation of their one-step residuals and summed;
- the probability of reaching the target, with the range across the top models (model choice);
- what share of the reporter's total trade the 95% upper bound implies (plausibility);
- the later actual figures beside an older base's forecast;
- scenarios from YAML (Brent path, energy volume, other imports, exports by sector) and the gap
  to the target split by component.

Stages, one module each: ``data`` (breaks, the Brent price), ``scenarios`` (scenario files),
``models`` (the component models at one origin), ``simulation`` (joint draws), ``backtest`` (the
shipped method's rolling-origin backtest and the table of every candidate), ``results`` (typed
results), ``tracker`` (``track``: the report assembled).
"""

from __future__ import annotations

from typing import Any

from bilateral.models.forecast import CANDIDATES, Z80, Z95
from bilateral.models.target.backtest import BacktestResult, backtest_table, component_backtest
from bilateral.models.target.data import break_years, breaks, brent_average, brent_hold, brent_monthly
from bilateral.models.target.results import ForecastYear, TargetResult
from bilateral.models.target.scenarios import Scenario, _scenario, load_scenarios
from bilateral.models.target.simulation import DEFAULT_SEED
from bilateral.models.target.tracker import cagr, required_cagr, required_cagr_or_none, track

__all__ = ["CANDIDATES", "DEFAULT_SEED", "Z80", "Z95", "BacktestResult", "ForecastYear", "Scenario", "TargetResult",
           "_scenario", "backtest_table", "break_years", "breaks", "brent_average", "brent_hold", "brent_monthly", "cagr",
           "component_backtest", "load_scenarios", "records", "required_cagr", "required_cagr_or_none", "track"]


def records(result: TargetResult) -> list[dict[str, Any]]:
    """Flat rows of a tracker result (kept for callers of the old API; use ``result.records()``)."""
    return result.records()
