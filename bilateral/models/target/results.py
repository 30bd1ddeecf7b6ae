"""Typed results of the target tracker (what `bilateral target` prints and serialises)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

P_DIGITS = 2  # probabilities in JSON/CSV: whole percent
Component = Literal["exports", "energy_imports", "other_imports"]
COMPONENT_TITLES: dict[str, str] = {"exports": "Exports", "energy_imports": "Energy imports (HS 27)",
                                    "other_imports": "Other imports", "imports": "Imports"}


# -- results --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ForecastYear:
    """One forecast year of a component or the total, in US$, with the later actual where known."""

    period: str
    median: float
    mean: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float
    actual: float | None = None
    actual_status: str | None = None
    actual_quantile: float | None = None  # share of the forecast distribution below the actual


@dataclass(frozen=True)
class ComponentForecast:
    component: str
    title: str
    model: str
    model_description: str
    chosen_by: str  # why this model: backtest ranking or a fixed structure
    base_usd: float
    years: tuple[ForecastYear, ...]
    ranking: tuple[tuple[str, float], ...] = ()  # (model, mean MASE) best first
    parameters: dict[str, float] = field(default_factory=dict)
    history: tuple[tuple[str, float, str], ...] = ()  # (period, value, basis)


@dataclass(frozen=True)
class PReach:
    """Probability of reaching the target with the chosen models, and its range across the top models."""

    chosen: float
    low: float
    high: float
    combinations: tuple[tuple[str, float], ...]  # ('exports:drift + other_imports:local_level', p)
    simulations: int
    seed: int


@dataclass(frozen=True)
class Plausibility:
    """What the 95% upper bound implies against the reporter's trade with the world in the base year."""

    upper_total_usd: float
    reporter_total_usd: float | None
    share_of_reporter_total: float | None
    upper_imports_usd: float
    reporter_imports_usd: float | None
    share_of_reporter_imports: float | None
    period: str


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    title: str
    description: str
    years: tuple[dict[str, float | str], ...]  # period, exports, energy, other imports, total, balance
    total_at_target_usd: float
    shortfall_usd: float
    change_by_component_usd: dict[str, float]
    assumptions: dict[str, Any]


@dataclass(frozen=True)
class BacktestSummary:
    """Coverage and errors of the shipped method (components recombined) on the pair's total trade."""

    method: str
    forecasts: int
    coverage80: float
    coverage95: float
    mape: float
    forecasts_no_break: int
    coverage80_no_break: float
    coverage95_no_break: float
    first_origin: str
    last_origin: str


@dataclass(frozen=True)
class TargetResult:
    pair: str
    period_kind: str
    base: dict[str, Any]
    target: dict[str, Any]
    required_cagr: float
    achieved_cagr_3y: float | None
    achieved_cagr_5y: float | None
    pace: tuple[dict[str, Any], ...]
    history: tuple[dict[str, Any], ...]
    later_actuals: tuple[dict[str, Any], ...]
    forecast: tuple[ForecastYear, ...]
    components: tuple[ComponentForecast, ...]
    correlation: dict[str, Any]
    p_reach: PReach
    plausibility: Plausibility
    backtest: BacktestSummary | None
    scenarios: tuple[ScenarioResult, ...]
    gap: dict[str, Any]
    price: dict[str, Any]
    target_path: tuple[dict[str, Any], ...]
    notes: tuple[str, ...]
    source: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON shape; probabilities to whole percent (the simulation and the model choice allow no more)."""
        out = asdict(self)
        pr = out["p_reach"]
        for k in ("chosen", "low", "high"):
            pr[k] = round(pr[k], P_DIGITS)
        pr["combinations"] = [(label, round(p, P_DIGITS)) for label, p in pr["combinations"]]
        return out

    def records(self) -> list[dict[str, Any]]:
        """Flat rows (pair, section, period, measure, value) for CSV/Parquet."""
        out: list[dict[str, Any]] = []

        def add(section: str, period: str, measure: str, value: Any) -> None:
            out.append({"pair": self.pair, "section": section, "period": period, "measure": measure, "value": value})

        b, t = self.base["period"], self.target["period"]
        add("summary", b, "required_cagr", self.required_cagr)
        add("summary", b, "achieved_cagr_3y", self.achieved_cagr_3y)
        add("summary", b, "achieved_cagr_5y", self.achieved_cagr_5y)
        add("summary", t, "p_reach_target", round(self.p_reach.chosen, P_DIGITS))
        add("summary", t, "p_reach_target_low", round(self.p_reach.low, P_DIGITS))
        add("summary", t, "p_reach_target_high", round(self.p_reach.high, P_DIGITS))
        add("summary", t, "upper95_share_of_reporter_total", self.plausibility.share_of_reporter_total)
        for p in self.pace:
            add("pace", p["base"], "required_cagr", p["required_cagr"])
        for section, years in [("forecast:total", self.forecast)] + [(f"forecast:{c.component}", c.years)
                                                                      for c in self.components]:
            for y in years:
                for k in ("median", "mean", "lo80", "hi80", "lo95", "hi95", "actual"):
                    add(section, y.period, k, getattr(y, k))
        for s in self.scenarios:
            for row in s.years:
                for k, v in row.items():
                    if k != "period":
                        add(f"scenario:{s.name}", str(row["period"]), k, v)
        return out
