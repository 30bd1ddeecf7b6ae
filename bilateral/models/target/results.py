"""Typed results of the target tracker (what `bilateral target` prints and serialises)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from bilateral.models.target.calibration import Share
from bilateral.models.target.data import PricePath

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
    mean: float | None  # None where the distribution has no finite mean in US$ (Student-t on logs)
    lo80: float
    hi80: float
    lo95: float
    hi95: float
    actual: float | None = None
    actual_status: str | None = None
    actual_quantile: float | None = None  # share of the forecast distribution below the actual


@dataclass(frozen=True)
class ComponentForecast:
    """One component of the component method: its model, why, its base and forecast years."""

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
class ModelP:
    """One candidate at the base: its backtest score, its intervals' scheme and its probability of reaching the target."""

    model: str
    title: str
    scheme: str
    p_reach: float
    score: float  # mean weighted interval score in the backtest (forecasts not across a break); lower is better
    median_at_target_usd: float
    hi95_at_target_usd: float
    competitive: bool
    chosen: bool
    excluded_because: str | None = None


@dataclass(frozen=True)
class PReach:
    """Probability of reaching the target with the chosen model, and its range across the competitive set."""

    chosen: float
    low: float
    high: float
    model: str  # the chosen model
    scheme: str  # its intervals
    models: tuple[ModelP, ...]  # every candidate, competitive or not (with the reason)
    simulations: int
    seed: int


@dataclass(frozen=True)
class Plausibility:
    """What the 95% upper bound implies against the reporter's trade with the world in the base year."""

    upper_total_usd: float
    reporter_total_usd: float | None
    share_of_reporter_total: float | None
    reporter_imports_usd: float | None
    period: str


@dataclass(frozen=True)
class Goal:
    """The target's history as data: when and where it was set, from which base, when it was reaffirmed."""

    set_on: str
    set_at: str
    set_base_period: str | None
    set_base_usd: float | None  # total trade in the base year the goal was set from (None: not in the store)
    set_years: int | None  # years from that base to the target year
    required_cagr_when_set: float | None
    source: str
    url: str
    reaffirmed_on: str | None
    reaffirmed_at: str | None
    reaffirmed_source: str | None
    reaffirmed_url: str | None


@dataclass(frozen=True)
class HeldAtBase:
    """The component method with one component held at its base value: what the others alone would give."""

    component: str
    mean_at_target_usd: float
    p_reach: float


@dataclass(frozen=True)
class Gap:
    """The gap to the target, and the component method's explanation of it by means (which add)."""

    gap_usd: float
    forecast_median_at_target_usd: float | None  # the chosen model's median
    forecast_shortfall_usd: float | None  # target − that median
    if_all_from_exports_required_cagr: float | None
    if_all_from_imports_required_cagr: float | None
    base_by_component_usd: dict[str, float]
    mean_at_target_by_component_usd: dict[str, float]  # the component method's means (Gaussian draws)
    change_in_mean_by_component_usd: dict[str, float]  # they add up to the change of the components' total mean
    components_mean_at_target_usd: float | None
    components_p_reach: float | None  # the component method's probability with every component drawn (Gaussian)
    held_at_base: tuple[HeldAtBase, ...]
    exports_by_sector_usd: dict[str, float]
    exports_split_source: str
    energy_source: str


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario's deterministic path and what it leaves of the gap."""

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
    """Coverage and scores of the shipped forecast (model and intervals) in the rolling-origin backtest.

    Coverage shares carry their 95% Wilson interval (binomial, as if the forecasts were independent).
    ``current``: the component method with Gaussian intervals, as shipped before issue #21;
    ``scores``: every candidate under every scheme.
    """

    method: str
    model: str
    scheme: str
    forecasts: int
    coverage80: Share
    coverage95: Share
    mape: float
    wis: float
    forecasts_no_break: int
    coverage80_no_break: Share
    coverage95_no_break: Share
    wis_no_break: float
    first_origin: str
    last_origin: str
    current: Any  # backtest.SchemeScore | None
    scores: tuple[Any, ...]  # backtest.SchemeScore
    choice: str


@dataclass(frozen=True)
class TargetResult:
    """Everything `bilateral target` shows.

    With too short a history the forecast parts are empty or None (``forecast_missing`` says why
    and what to load) and the growth figures stand alone.
    """

    pair: str
    period_kind: str
    base: dict[str, Any]
    target: dict[str, Any]
    goal: Goal | None
    required_cagr: float
    achieved_cagr_3y: float | None
    achieved_cagr_5y: float | None
    achieved_cagr_span: dict[str, Any] | None  # over every year up to the base: from, years, cagr
    pace: tuple[dict[str, Any], ...]
    history: tuple[dict[str, Any], ...]
    later_actuals: tuple[dict[str, Any], ...]
    forecast_missing: str | None
    forecast: tuple[ForecastYear, ...]
    components: tuple[ComponentForecast, ...]
    correlation: dict[str, Any] | None
    p_reach: PReach | None
    plausibility: Plausibility | None
    backtest: BacktestSummary | None
    scenarios: tuple[ScenarioResult, ...]
    gap: Gap
    price: PricePath | None
    target_path: tuple[dict[str, Any], ...]
    notes: tuple[str, ...]
    source: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON shape; probabilities to whole percent (the simulation and the model choice allow no more)."""
        out = asdict(self)
        pr = out["p_reach"]
        if pr is not None:
            for k in ("chosen", "low", "high"):
                pr[k] = round(pr[k], P_DIGITS)
            for m in pr["models"]:
                m["p_reach"] = round(m["p_reach"], P_DIGITS)
        for h in out["gap"]["held_at_base"]:
            h["p_reach"] = round(h["p_reach"], P_DIGITS)
        if out["gap"]["components_p_reach"] is not None:
            out["gap"]["components_p_reach"] = round(out["gap"]["components_p_reach"], P_DIGITS)
        return out

    def records(self) -> list[dict[str, Any]]:
        """Flat rows (pair, section, period, measure, value) for CSV/Parquet."""
        out: list[dict[str, Any]] = []

        def add(section: str, period: str, measure: str, value: Any) -> None:
            out.append({"pair": self.pair, "section": section, "period": period, "measure": measure, "value": value})

        b, t = self.base["period"], self.target["period"]
        add("summary", b, "required_cagr", self.required_cagr)
        if self.goal is not None and self.goal.set_base_period is not None:
            add("summary", self.goal.set_base_period, "required_cagr_when_set", self.goal.required_cagr_when_set)
        add("summary", b, "achieved_cagr_3y", self.achieved_cagr_3y)
        add("summary", b, "achieved_cagr_5y", self.achieved_cagr_5y)
        if self.p_reach is not None:
            add("summary", t, "p_reach_target", round(self.p_reach.chosen, P_DIGITS))
            add("summary", t, "p_reach_target_low", round(self.p_reach.low, P_DIGITS))
            add("summary", t, "p_reach_target_high", round(self.p_reach.high, P_DIGITS))
            for m in self.p_reach.models:
                add(f"p_reach:{m.model}", t, "p_reach_target", round(m.p_reach, P_DIGITS))
        if self.plausibility is not None:
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
