"""The JSON each view answers (``View.data``), as types: what ``/api/openapi.json`` says each route sends.

Where a model's JSON is its dataclass (``asdict``: the target tracker, flows, commitments, evidence,
the overview's rows, the serving source of a figure), the type here *is* that dataclass, so the
schema follows the model's fields by itself. Where a model reshapes its result for JSON (renamed or
computed keys), the shape is declared once below as a TypedDict; ``tests/test_payloads.py`` checks
every view's output against these types (every key declared, every value of its type, for many
arguments), so a model whose JSON changes fails the suite until its type here follows, and
schemathesis checks the live API against the schema in CI. Deep parts whose layout belongs to a
model still in flux (settlement rows and bands, corridor chokepoints, the world matrix's metadata)
are typed as JSON objects.

The web layer turns these into OpenAPI with pydantic (``bilateral.web.schemas``); this module only
declares them, so the brief imports no pydantic.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired

from typing_extensions import TypedDict  # pydantic reads typing_extensions' TypedDict on Python < 3.12

from bilateral.agenda.schema import Commitment
from bilateral.models.overview import ExportChapterRow, GrowthWindow, ImportChapterRow, ProductRow, SectorRow
from bilateral.models.potential import SectorTotal, Supplier
from bilateral.models.potential.results import MarketFactors, Scope
from bilateral.models.target.results import TargetResult
from bilateral.store.queries.flows import FlowRow
from bilateral.store.queries.totals import Served

__all__ = ["AgendaJSON", "CheckJSON", "CorridorsJSON", "ErrorJSON", "FlowsJSON", "HealthJSON", "IndicatorsJSON",
           "MissingJSON", "OverviewJSON", "PAYLOADS", "PairsJSON", "PotentialJSON", "SettlementJSON", "TargetJSON", "TotalsJSON"]

#: a JSON object whose layout the model owns (documented in its module)
JSONObject = dict[str, Any]


class ErrorJSON(TypedDict):
    """Every 4xx/5xx answer of the API: one line saying what is wrong, and the parameter at fault if one is."""

    detail: str
    field: NotRequired[str | None]


class HealthJSON(TypedDict):
    status: Literal["ok"]


class ServedPairJSON(TypedDict):
    """A pair the store can serve, with the periods and sources it holds."""

    pair: str
    reporter: str
    partner: str
    periods: list[str]
    span: str
    sources: list[str]
    reporter_name: str
    partner_name: str


class PairsJSON(TypedDict):
    """``GET /api/pairs``: the pairs the store can serve (one reporter's, if asked) and every reporter."""

    reporter: str | None
    reporters: list[str]
    pairs: list[ServedPairJSON]


class MissingJSON(TypedDict):
    """A figure the store cannot serve for a pair and period: why (from the loaded releases), what would fill it."""

    figure: str
    label: str
    period: str
    reason: str
    remedy: str
    text: str


# -- overview, totals, indicators, flows -----------------------------------------------------------
class ReleaseJSON(TypedDict):
    """A loaded release's provenance (without its licence, which the releases route gives)."""

    release: str
    file: str
    sha256: str
    producer: str
    url: str | None
    accessed: str | None
    version: str


class PeriodTotalsJSON(TypedDict):
    period: str
    period_kind: str
    exports_usd: float | None
    imports_usd: float | None
    total_trade_usd: float | None
    balance_usd: float | None
    source: str
    release: str
    quality: str
    grade: str
    status: str
    exports_served: Served | None
    imports_served: Served | None
    missing: list[MissingJSON]


class OfficialSourceJSON(TypedDict):
    publisher: str
    url: str
    releases: list[ReleaseJSON]


class OfficialJSON(TypedDict):
    period: str
    status: str
    exports_usd: float | None
    imports_usd: float | None
    total_trade_usd: float | None
    balance_usd: float | None
    source: OfficialSourceJSON


class ServedByJSON(TypedDict):
    exports: NotRequired[Served]
    imports: NotRequired[Served]
    imports_region: NotRequired[Served]


class DetailJSON(TypedDict):
    exports_usd: float | None
    coverage: float | None
    exports_level: int | None
    exports_quality: str | None
    imports_usd: float | None
    imports_coverage: float | None
    imports_level: int | None
    imports_quality: str | None
    imports_region_usd: float | None
    imports_region: str | None
    imports_region_ratio: float | None
    sources: list[ReleaseJSON]
    served_by: ServedByJSON


class SeriesJSON(TypedDict):
    period: str
    exports_usd: float | None
    imports_usd: float | None
    total_trade_usd: float | None
    balance_usd: float | None
    status: str
    source: str


class NoWindow(TypedDict):
    """No growth window (a single year): an empty object."""


class GrowthJSON(TypedDict):
    total_yoy: float | None
    window: GrowthWindow | NoWindow


class OverviewJSON(TypedDict):
    """``GET /api/overview``: where the pair stands in a period (``bilateral overview --format json``)."""

    pair: str
    period: str
    status: str
    totals: PeriodTotalsJSON
    official: OfficialJSON | None
    detail: DetailJSON
    series: list[SeriesJSON]
    sparkline: str
    growth: GrowthJSON
    sectors: list[SectorRow]
    top_products: list[ProductRow]
    imports_by_chapter: list[ImportChapterRow]
    exports_by_chapter: list[ExportChapterRow]
    missing: list[MissingJSON]
    notes: list[str]


class TotalsJSON(TypedDict):
    """``GET /api/totals``: yearly totals, each with the source that serves it."""

    pair: str
    totals: list[PeriodTotalsJSON]
    missing: list[MissingJSON]


class IndicatorJSON(TypedDict):
    name: str
    title: str
    unit: str
    description: str
    sources: list[str]
    pair: str
    period: str | None
    value: float | None
    note: str
    releases: str


class IndicatorsJSON(TypedDict):
    """``GET /api/indicators``: every indicator with its metadata and value."""

    pair: str
    period: str | None
    indicators: list[IndicatorJSON]


class FlowsJSON(TypedDict):
    """``GET /api/flows``: flows by period at an HS level, one serving source per figure."""

    pair: str
    source: str | None
    level: int
    flows: list[FlowRow]


# -- target ---------------------------------------------------------------------------------------------
#: ``GET /api/target``: the tracker's result as its dataclass (plus, for a target from the file, who
#: announced it, in ``target``)
TargetJSON = TargetResult


# -- potential --------------------------------------------------------------------------------------------
class SanctionJSON(TypedDict):
    restricted: bool
    since: NotRequired[str | None]
    category: NotRequired[str | None]
    flags: NotRequired[list[str]]
    partially_exempt: NotRequired[bool]
    secondary_risk: NotRequired[bool]
    source: NotRequired[str]
    scope: NotRequired[str]


class ProductPotentialJSON(TypedDict):
    exporter: str
    market: str
    hs6: str
    description: str | None
    sector: str
    market_usd: float
    actual_usd: float
    potential_usd: float
    untapped_usd: float
    gap_usd: float
    supply_share: float | None
    supply_usd: float | None
    supply_source: str
    supply_matrix_usd: float | None
    rca: float | None
    ease: float | None
    distance_km: float | None
    supplier_km: float | None
    distance_factor: float
    top_suppliers: list[Supplier] | None
    exporter_rank: int | None
    suppliers: int | None
    sanction: SanctionJSON | None


class SanctionShareJSON(TypedDict):
    category: str
    products: int
    untapped_usd: float


class SanctionLargestJSON(TypedDict):
    hs6: str
    category: str
    since: str
    untapped_usd: float


class SanctionWeightJSON(TypedDict):
    """How much of the untapped total the products with secondary-sanction risk carry."""

    untapped_usd: float
    risky_untapped_usd: float
    risky_share: float | None
    by_category: list[SanctionShareJSON]
    largest: list[SanctionLargestJSON]
    source: str


class SensitivityCaseJSON(TypedDict):
    parameter: str
    value: float
    default: float
    rank_correlation: float | None
    entrants: list[str]
    leavers: list[str]
    untapped_usd: float


class SensitivityJSON(TypedDict):
    """The top N's stability under the parameters that matter (``potential --sensitivity``)."""

    top: int
    default_top: list[str]
    default_untapped_usd: float
    cases: list[SensitivityCaseJSON]
    method: str


class SupplyJSON(TypedDict):
    """The national supply side, where it served: the exporter's own statistics, scaled to the matrix's importers."""

    exporter: str
    period: str
    source: str
    release: str
    level: int
    detail_usd: float
    official_usd: float | None
    coverage: float | None
    absent_importers: list[str]
    absent_share_by_chapter: dict[str, float]
    partner_release: str | None
    products: int
    outside_nomenclature: int


class DiversificationProductJSON(TypedDict):
    exporter: str
    market: str
    hs6: str
    description: str | None
    sector: str
    market_usd: float
    density: float
    density_rank: int
    density_percentile: float
    exports_usd: float
    rca: float | None
    actual_usd: float
    score_usd: float
    top_suppliers: list[Supplier] | None
    sanction: SanctionJSON | None


class DiversificationJSON(TypedDict):
    """The product diversification indicator: products outside the scope, by density × the market's demand."""

    exporter: str
    market: str | None
    year: int
    indicator: str
    scope: str
    ranking: str
    candidates: int
    candidates_market_usd: float
    related: int
    related_market_usd: float
    density_quantile: float
    products: list[DiversificationProductJSON]
    parameters: list[ParameterJSON]
    notes: list[str]
    matrix: JSONObject
    method: str


class ParameterJSON(TypedDict):
    parameter: str
    value: str
    unit: str
    kind: str
    description: str
    source: str


class FiltersJSON(TypedDict):
    sector: str | None
    products: list[str]
    top: int | None
    exclude_sanction_risk: bool
    tariffs: bool


class PotentialJSON(TypedDict):
    """``GET /api/potential``: untapped export potential by HS6 product and summit sector."""

    exporter: str
    market: str | None
    year: int
    filters: FiltersJSON
    scope: Scope | None
    products: list[ProductPotentialJSON]
    sectors: list[SectorTotal]
    total: SectorTotal
    market_imports_usd: float | None
    markets: list[MarketFactors]
    supply: SupplyJSON | None
    sanction_weight: SanctionWeightJSON | None
    sensitivity: SensitivityJSON | None
    parameters: list[ParameterJSON]
    notes: list[str]
    matrix: JSONObject
    method: str
    diversification: NotRequired[DiversificationJSON | None]


# -- corridors ---------------------------------------------------------------------------------------------
LegJSON = TypedDict("LegJSON", {"from": str, "to": str, "from_name": str, "to_name": str, "mode": str,
                                "distance_km": float, "passages": list[str], "service": str | None,
                                "transshipment": bool, "source": str})


class CorridorJSON(TypedDict):
    corridor: str
    label: str
    cargo: str
    open: bool
    reasons: list[str]
    distance_km: float
    sea_km: float
    rail_km: float
    road_km: float
    passages: list[str]
    days_p50: float | None
    days_p90: float | None
    sailing_days_p50: float | None
    sailing_days_p90: float | None
    usd_per_teu_p50: float | None
    usd_per_teu_p90: float | None
    co2e_kg_per_teu: float | None
    co2e_ttw_kg_per_teu: float | None
    usd_per_tonne_p50: float | None
    usd_per_tonne_p90: float | None
    usd_per_bbl_p50: float | None
    usd_per_bbl_p90: float | None
    co2e_kg_per_tonne: float | None
    co2e_ttw_kg_per_tonne: float | None
    risks: list[str]
    legs: list[LegJSON]


class NotOfferedJSON(TypedDict):
    corridor: str
    reason: str


class FeatureJSON(TypedDict):
    type: Literal["Feature"]
    geometry: JSONObject
    properties: JSONObject


class FeatureCollectionJSON(TypedDict):
    """The legs and places as GeoJSON (RFC 7946)."""

    type: Literal["FeatureCollection"]
    bbox: NotRequired[list[float]]
    features: list[FeatureJSON]


CorridorsJSON = TypedDict("CorridorsJSON", {
    "from": str, "from_name": str, "to": str, "to_name": str, "date": str, "cargo": str, "vessel": str | None,
    "scenarios": list[str], "astara_congestion": float, "draws": int, "seed": int, "chokepoints": list[JSONObject],
    "nsr_season": str, "not_offered": list[NotOfferedJSON], "corridors": list[CorridorJSON],
    "geojson": FeatureCollectionJSON,
})
CorridorsJSON.__doc__ = "``GET /api/corridors``: every corridor for one trip, and the legs as GeoJSON."


# -- settlement -------------------------------------------------------------------------------------------
ScenarioRunJSON = TypedDict("ScenarioRunJSON", {
    "pair": str, "scenario": str, "title": str, "description": str, "from": str, "to": str,
    "last_actual_flows": str | None, "overrides_from": str | None, "flows_source": str, "summary": JSONObject,
    "rows": list[JSONObject], "band": JSONObject | None, "parameters": list[JSONObject], "notes": list[str],
})
SettlementJSON = TypedDict("SettlementJSON", {
    "pair": str, "from": str, "to": str, "last_actual_flows": str | None, "flows_source": str, "note": str,
    "scenarios": list[ScenarioRunJSON],
})
SettlementJSON.__doc__ = "``GET /api/settlement``: the modelled rupee balance path under each scenario."


# -- agenda, claims ---------------------------------------------------------------------------------------
class SummitJSON(TypedDict):
    name: str
    place: str
    dates: str


class AgendaJSON(TypedDict):
    """``GET /api/agenda``: the summit's commitments with their status and evidence."""

    summit: SummitJSON
    updates: int
    commitments: list[Commitment]


class ClaimJSON(TypedDict):
    text: str
    sentence: str
    measure: str | None
    statistic: str
    base: str | None
    pair: str | None
    period: str | None
    period_text: str | None
    readings: list[str]
    base_period: str | None
    role: str
    value: float | None
    unit: str | None
    value_usd: float | None
    qualifier: str | None
    low: float | None
    high: float | None
    target_of: str | None
    verdict: str
    our_value: float | None
    our_value_usd: float | None
    our_period: str | None
    source: str | None
    tolerance: str | None
    reason: str
    notes: list[str]
    uncertain: list[str]


class CheckJSON(TypedDict):
    """``POST /api/check``: every quantitative claim of the article with its verdict."""

    pair: str
    date: str | None
    claims: list[ClaimJSON]


#: the JSON type of each view by its name (``View.name``)
PAYLOADS: dict[str, Any] = {
    "overview": OverviewJSON, "totals": TotalsJSON, "indicators": IndicatorsJSON, "flows": FlowsJSON,
    "target": TargetJSON, "potential": PotentialJSON, "corridors": CorridorsJSON, "settlement": SettlementJSON,
    "agenda": AgendaJSON, "check": CheckJSON, "pairs": PairsJSON,
}
