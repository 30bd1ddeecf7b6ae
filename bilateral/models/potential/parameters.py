"""The export potential model's parameters (``harmonise/data/potential_parameters.csv``) and growth factors."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from bilateral.errors import BilateralError

__all__ = ["CapacityRule", "Parameter", "Parameters", "SupplySide", "growth_factors", "parameters"]

PARAMETERS_FILE = "potential_parameters.csv"
CapacityRule = Literal["all", "any"]
SupplySide = Literal["national", "matrix"]
CAPACITY_RULES: tuple[CapacityRule, ...] = ("all", "any")
SUPPLY_SIDES: tuple[SupplySide, ...] = ("national", "matrix")


@dataclass(frozen=True)
class Parameter:
    """One row of the parameters file, printed with every result."""

    name: str
    value: str
    unit: str
    kind: str  # published | assumption | data | design
    description: str
    source: str

    def to_dict(self) -> dict[str, str]:
        return {"parameter": self.name, "value": self.value, "unit": self.unit, "kind": self.kind,
                "description": self.description, "source": self.source}


@dataclass(frozen=True)
class Parameters:
    """The model's parameters (defaults from the parameters file)."""

    horizon_years: int
    gdp_window: tuple[int, int]
    population_window: tuple[int, int]
    income_elasticity: float
    supply_relative_to: str
    ease_min: float
    ease_max: float
    tariff_factor: float
    top_suppliers: int
    distance_elasticity: float = 0.0
    capacity_rca_min: float = 0.0
    capacity_min_exports_usd: float = 0.0
    capacity_rule: CapacityRule = "all"
    supply_side: SupplySide = "matrix"
    sensitivity: Mapping[str, tuple[float, float]] = field(default_factory=dict, compare=False)
    sensitivity_top: int = 20
    density_quantile: float = 0.0
    rows: tuple[Parameter, ...] = field(default=(), compare=False)

    def capacity_text(self) -> str:
        """The capacity rule in words, as printed with the result."""
        tests = []
        if self.capacity_rca_min > 0:
            tests.append(f"RCA ≥ {self.capacity_rca_min:g}")
        if self.capacity_min_exports_usd > 0:
            tests.append(f"world exports ≥ US${self.capacity_min_exports_usd:,.0f}")
        if not tests:
            return "every product the exporter exports (no capacity test)"
        return (" and " if self.capacity_rule == "all" else " or ").join(tests)

    def with_values(self, **changes: float | str) -> Parameters:
        """A copy with some values changed; the printed rows say so ("value (default …)")."""
        rows = tuple(dataclasses.replace(r, value=f"{changes[r.name]} (default {r.value})") if r.name in changes else r
                     for r in self.rows)
        return dataclasses.replace(self, rows=rows, **changes)  # type: ignore[arg-type]


def _read() -> tuple[Parameter, ...]:
    from bilateral.harmonise.tables import read_table

    rows = read_table(PARAMETERS_FILE, ["parameter", "value", "unit", "kind", "description", "source"],
                      key=["parameter"])
    params = tuple(Parameter(r["parameter"], r["value"], r["unit"], r["kind"], r["description"], r["source"])
                   for r in rows)
    for p in params:
        if not p.source:
            raise BilateralError(f"bilateral/harmonise/data/{PARAMETERS_FILE}: parameter {p.name} has no source")
    return params


@cache
def parameters() -> Parameters:
    """Parameters from ``harmonise/data/potential_parameters.csv`` (every one with a source)."""
    params = _read()
    v = {p.name: p.value for p in params}
    try:
        rule, side = v["capacity_rule"], v["supply_side"]
        if rule not in CAPACITY_RULES or side not in SUPPLY_SIDES:
            raise ValueError(f"capacity_rule {rule!r} / supply_side {side!r}")
        sensitivity = {name: (float(v[f"{name}_low"]), float(v[f"{name}_high"]))
                       for name in ("distance_elasticity", "income_elasticity", "capacity_rca_min")}
        return Parameters(
            horizon_years=int(v["horizon_years"]),
            gdp_window=(int(v["gdp_growth_first_year"]), int(v["gdp_growth_last_year"])),
            population_window=(int(v["population_growth_first_year"]), int(v["population_growth_last_year"])),
            income_elasticity=float(v["income_elasticity"]), supply_relative_to=v["supply_growth_relative_to"],
            ease_min=float(v["ease_min"]), ease_max=float(v["ease_max"]), tariff_factor=float(v["tariff_factor"]),
            top_suppliers=int(v["top_suppliers"]), distance_elasticity=float(v["distance_elasticity"]),
            capacity_rca_min=float(v["capacity_rca_min"]),
            capacity_min_exports_usd=float(v["capacity_min_exports_usd"]),
            capacity_rule=rule,  # type: ignore[arg-type]
            supply_side=side,  # type: ignore[arg-type]
            sensitivity=sensitivity, sensitivity_top=int(v["sensitivity_top"]),
            density_quantile=float(v["diversification_density_quantile"]), rows=params)
    except (KeyError, ValueError) as exc:
        raise BilateralError(f"bilateral/harmonise/data/{PARAMETERS_FILE}: bad or missing parameter ({exc})") from None


def _cagr(series: Mapping[tuple[str, int], float], code: str, window: tuple[int, int]) -> float | None:
    first, last = series.get((code, window[0])), series.get((code, window[1]))
    if first is None or last is None or first <= 0 or last <= 0 or window[1] <= window[0]:
        return None
    return float((last / first) ** (1.0 / (window[1] - window[0])) - 1.0)


def growth_factors(codes: Iterable[str], params: Parameters) -> dict[str, tuple[float, float]]:
    """Country → (supply factor, demand factor) over the horizon, from the embedded macro series.

    Supply: (1+g_i)^H / (1+g_world)^H with g the compound annual growth of GDP in current US$ over
    the window (nominal: exchange-rate swings are in it). Demand: (1+p_j)^H × ((1+g_j)/(1+p_j))^(εH),
    population growth times GDP-per-capita growth to the income elasticity. A country without GDP or
    population in the window gets factor 1 (no growth), listed in the notes.
    """
    from bilateral.store.matrix import macro_series

    m = macro_series()
    h = params.horizon_years
    g_world = _cagr(m.gdp, params.supply_relative_to, params.gdp_window)
    out: dict[str, tuple[float, float]] = {}
    for code in codes:
        g = _cagr(m.gdp, code, params.gdp_window)
        p = _cagr(m.population, code, params.population_window)
        supply = ((1 + g) / (1 + g_world)) ** h if g is not None and g_world is not None else 1.0
        demand = ((1 + p) ** h * ((1 + g) / (1 + p)) ** (params.income_elasticity * h)
                  if g is not None and p is not None else 1.0)
        out[code] = (supply, demand)
    return out


def growth_of_every_country(params: Parameters, extra: Iterable[str] = ()) -> dict[str, tuple[float, float]]:
    """:func:`growth_factors` for every country with macro data (and ``extra`` codes)."""
    from bilateral.store.matrix import macro_series

    m = macro_series()
    return growth_factors(sorted({c for c, _ in m.gdp} | {c for c, _ in m.population} | set(extra)), params)
