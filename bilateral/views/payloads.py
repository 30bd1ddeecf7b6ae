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
from bilateral.models.target.results import TargetResult
from bilateral.store.queries.flows import FlowRow
from bilateral.store.queries.totals import Served

__all__ = ["AgendaJSON", "CheckJSON", "CorridorsJSON", "ErrorJSON", "FlowsJSON", "HealthJSON", "IndicatorsJSON",
           "OverviewJSON", "PAYLOADS", "PairsJSON", "PotentialJSON", "SettlementJSON", "TargetJSON", "TotalsJSON"]

#: a JSON object whose layout the model owns (documented in its module)
JSONObject = dict[str, Any]


class ErrorJSON(TypedDict):
    """Every 4xx/5xx answer of the API: one line saying what is wrong, and the parameter at fault if one is."""

    detail: str
    field: NotRequired[str | None]


class HealthJSON(TypedDict):
    status: Literal["ok"]


class PairsJSON(TypedDict):
    default: str
    pairs: list[str]


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
    notes: list[str]


class TotalsJSON(TypedDict):
    """``GET /api/totals``: yearly totals, each with the source that serves it."""

    pair: str
    totals: list[PeriodTotalsJSON]


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
    ease: float | None
    top_suppliers: list[Supplier] | None
    exporter_rank: int | None
    suppliers: int | None
    sanction: SanctionJSON | None


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
    products: list[ProductPotentialJSON]
    sectors: list[SectorTotal]
    total: SectorTotal
    parameters: list[ParameterJSON]
    notes: list[str]
    matrix: JSONObject
    method: str


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
    "agenda": AgendaJSON, "check": CheckJSON,
}
