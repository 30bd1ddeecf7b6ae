"""Typed results of the export potential model (products, sectors, markets, sensitivity)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from bilateral.models.potential.parameters import Parameter
from bilateral.store.matrix import Sanction


def _fields_dict(self: Any) -> dict[str, Any]:
    """A flat dataclass's fields as a dict (one level: unlike ``dataclasses.asdict``, values are not copied)."""
    return {f.name: getattr(self, f.name) for f in fields(self)}

__all__ = ["MarketFactors", "PotentialResult", "ProductPotential", "SanctionWeight", "Scope", "SectorTotal",
           "Sensitivity", "SensitivityCase", "Supplier"]

SANCTIONS_SOURCE = "EU export restrictions on Russia by HS6, Chupilkin, Javorcik and Plekhanov (2023), CC-BY 4.0"


@dataclass(frozen=True)
class Supplier:
    """One of the market's suppliers of a product."""

    exporter: str
    share: float  # of the market's imports of the product
    value_usd: float

    def to_dict(self) -> dict[str, Any]:
        return {"exporter": self.exporter, "share": self.share, "value_usd": self.value_usd}


def sanction_dict(s: Sanction | None, known: bool) -> dict[str, Any] | None:
    """A product's EU restriction as JSON: the flag, its category, date and source; null where unknown."""
    if s is None:
        return {"restricted": False} if known else None
    return {**s.to_dict(), "source": SANCTIONS_SOURCE,
            "scope": "HS6 flag: the EU annexes list CN8 lines, so it may cover only part of the code"}


@dataclass(frozen=True)
class ProductPotential:
    """One exporter × market × HS6 product in the scope of the export potential indicator."""

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
    supply_share: float
    ease: float
    top_suppliers: tuple[Supplier, ...] | None  # None: the matrix lacks the market's suppliers
    exporter_rank: int | None  # among all suppliers of the market (None: not a supplier, or unknown)
    suppliers: int | None
    sanction: Sanction | None
    sanctions_known: bool  # False: no sanctions data for this market
    rca: float = 0.0
    supply_usd: float = 0.0  # the exporter's world exports of the product (as served)
    supply_source: str = "matrix"  # national | matrix
    supply_matrix_usd: float | None = None  # the matrix's figure for the exporter's world exports of it
    distance_km: float | None = None
    supplier_km: float | None = None  # the market's trade-weighted average distance to its suppliers
    distance_factor: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "exporter": self.exporter, "market": self.market, "hs6": self.hs6,
            "description": self.description, "sector": self.sector, "market_usd": self.market_usd,
            "actual_usd": self.actual_usd, "potential_usd": self.potential_usd,
            "untapped_usd": self.untapped_usd, "gap_usd": self.gap_usd, "supply_share": self.supply_share,
            "supply_usd": self.supply_usd, "supply_source": self.supply_source,
            "supply_matrix_usd": self.supply_matrix_usd, "rca": self.rca,
            "ease": self.ease, "distance_km": self.distance_km, "supplier_km": self.supplier_km,
            "distance_factor": self.distance_factor,
            "top_suppliers": None if self.top_suppliers is None else [s.to_dict() for s in self.top_suppliers],
            "exporter_rank": self.exporter_rank, "suppliers": self.suppliers,
            "sanction": sanction_dict(self.sanction, self.sanctions_known),
        }

    def record(self) -> dict[str, Any]:
        """A flat row (csv, parquet)."""
        top = self.top_suppliers or ()
        return {
            "exporter": self.exporter, "market": self.market, "hs6": self.hs6,
            "description": self.description, "sector": self.sector, "market_usd": self.market_usd,
            "actual_usd": self.actual_usd, "potential_usd": self.potential_usd,
            "untapped_usd": self.untapped_usd, "gap_usd": self.gap_usd, "supply_share": self.supply_share,
            "supply_usd": self.supply_usd, "supply_source": self.supply_source,
            "supply_matrix_usd": self.supply_matrix_usd, "rca": self.rca,
            "ease": self.ease, "distance_km": self.distance_km, "supplier_km": self.supplier_km,
            "distance_factor": self.distance_factor,
            "top_suppliers": "; ".join(f"{s.exporter} {s.share:.1%}" for s in top) if self.top_suppliers is not None else None,
            "exporter_rank": self.exporter_rank, "suppliers": self.suppliers,
            "sanctioned": (self.sanction is not None) if self.sanctions_known else None,
            "sanction_since": self.sanction.since if self.sanction else None,
            "sanction_category": self.sanction.category if self.sanction else None,
            "secondary_risk": self.sanction.secondary_risk if self.sanction else (False if self.sanctions_known else None),
        }


@dataclass(frozen=True)
class SectorTotal:
    """Totals of a summit sector over every product in scope matching the filters.

    ``market_usd`` is the market's imports of those products, not its total imports
    (:attr:`PotentialResult.market_imports_usd`).
    """

    sector: str
    title: str
    products: int
    market_usd: float
    actual_usd: float
    potential_usd: float
    untapped_usd: float
    risky_products: int  # products with secondary-sanction risk
    untapped_excl_risk_usd: float
    potential_excl_risk_usd: float

    to_dict = _fields_dict


@dataclass(frozen=True)
class MarketFactors:
    """The pair-level terms of one market: distance, ease, growth, and what the scope leaves out."""

    market: str
    distance_km: float | None  # exporter to market (GeoDist); None: no distance for the pair
    supplier_km: float | None  # the market's average supplier distance over the products in scope, import-weighted
    distance_factor: float  # import-weighted mean of the products' distance factors
    distance_factor_min: float
    distance_factor_max: float
    ease: float
    actual_in_scope_usd: float
    actual_all_usd: float  # every product the exporter sells there, in scope or not
    hypothetical_usd: float
    supply_growth: float
    demand_growth: float
    products: int

    to_dict = _fields_dict


@dataclass(frozen=True)
class Scope:
    """Which products the export potential indicator covers (the capacity rule) and what it leaves out."""

    rule: str
    products_in_scope: int  # exporter's products passing the rule (with a market or not)
    products_out: int  # exporter's products failing it: the diversification indicator's
    exports_in_scope_usd: float
    exports_out_usd: float

    to_dict = _fields_dict


@dataclass(frozen=True)
class SanctionWeight:
    """How much of the untapped total the products with secondary-sanction risk carry."""

    untapped_usd: float
    risky_untapped_usd: float
    by_category: tuple[tuple[str, int, float], ...]  # (category, products, untapped US$)
    largest: tuple[tuple[str, str, str, float], ...]  # (hs6, category, since, untapped US$)

    def to_dict(self) -> dict[str, Any]:
        return {"untapped_usd": self.untapped_usd, "risky_untapped_usd": self.risky_untapped_usd,
                "risky_share": self.risky_untapped_usd / self.untapped_usd if self.untapped_usd else None,
                "by_category": [{"category": c, "products": n, "untapped_usd": v} for c, n, v in self.by_category],
                "largest": [{"hs6": k, "category": c, "since": s, "untapped_usd": v} for k, c, s, v in self.largest],
                "source": SANCTIONS_SOURCE}


@dataclass(frozen=True)
class SensitivityCase:
    """The top products under one changed parameter, against the default ranking."""

    parameter: str
    value: float
    default: float
    rank_correlation: float | None  # Spearman, over the default top N and their ranks here
    entrants: tuple[str, ...]  # in this top N, not in the default's
    leavers: tuple[str, ...]  # in the default top N, not in this one
    untapped_usd: float  # the total untapped in this case

    def to_dict(self) -> dict[str, Any]:
        return {"parameter": self.parameter, "value": self.value, "default": self.default,
                "rank_correlation": self.rank_correlation, "entrants": list(self.entrants),
                "leavers": list(self.leavers), "untapped_usd": self.untapped_usd}


@dataclass(frozen=True)
class Sensitivity:
    """The stability of the top N under the parameters that matter."""

    top: int
    default_top: tuple[str, ...]
    default_untapped_usd: float
    cases: tuple[SensitivityCase, ...]
    method: str = ("Spearman rank correlation between the default ranks (1..N) of the default top N and their ranks "
                   "in the changed case (a product that leaves the scope ranks last); entrants and leavers of the top N")

    def to_dict(self) -> dict[str, Any]:
        return {"top": self.top, "default_top": list(self.default_top),
                "default_untapped_usd": self.default_untapped_usd, "cases": [c.to_dict() for c in self.cases],
                "method": self.method}


@dataclass(frozen=True)
class PotentialResult:
    """Export potential of an exporter in one market (or every market), by HS6 product."""

    exporter: str
    market: str | None  # None: every market
    year: int
    matrix: dict[str, Any]
    products: tuple[ProductPotential, ...]  # ranked by untapped value, after filters and --top
    sectors: tuple[SectorTotal, ...]  # over every product matching the filters (not only the top)
    total: SectorTotal
    parameters: tuple[Parameter, ...]
    notes: tuple[str, ...]
    filters: dict[str, Any]
    markets: tuple[MarketFactors, ...] = ()
    scope: Scope | None = None
    supply: dict[str, Any] | None = None  # the national supply side, where it served
    sanction_weight: SanctionWeight | None = None
    market_imports_usd: float | None = None  # the market's imports of every product (one market only)
    sensitivity: Sensitivity | None = None

    def records(self) -> list[dict[str, Any]]:
        return [p.record() for p in self.products]

    def to_dict(self) -> dict[str, Any]:
        return {
            "exporter": self.exporter, "market": self.market, "year": self.year, "filters": self.filters,
            "scope": self.scope.to_dict() if self.scope else None,
            "products": [p.to_dict() for p in self.products],
            "sectors": [s.to_dict() for s in self.sectors], "total": self.total.to_dict(),
            "market_imports_usd": self.market_imports_usd,
            "markets": [m.to_dict() for m in self.markets],
            "supply": self.supply,
            "sanction_weight": self.sanction_weight.to_dict() if self.sanction_weight else None,
            "sensitivity": self.sensitivity.to_dict() if self.sensitivity else None,
            "parameters": [p.to_dict() for p in self.parameters], "notes": list(self.notes),
            "matrix": self.matrix,
            "method": "ITC export potential indicator (Decreux and Spies 2016), simplified: see notes and "
                      "docs/commands/potential.md",
        }
