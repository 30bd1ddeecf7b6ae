"""The export-potential page, ``GET /api/potential`` and the brief's "top untapped products by sector"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bilateral.views import charts
from bilateral.views.base import View

if TYPE_CHECKING:
    from bilateral.harmonise.pairs import Pair
    from bilateral.models.potential import PotentialResult
    from bilateral.store.db import Store

__all__ = ["DIVERSIFICATION_TOP", "potential"]

#: products of the diversification indicator shown beside the export potential (page and brief)
DIVERSIFICATION_TOP = 10


def potential(store: Store, pair: Pair, sector: str | None, products: tuple[str, ...], top: int,
              exclude_sanction_risk: bool = False, *, chart_products: int | None = None) -> View[PotentialResult]:
    """The reporter's untapped exports in the partner's market by HS6 product and summit sector.

    ``data["diversification"]`` holds the diversification indicator for the same pair and sector: the
    products the reporter does not yet export competitively, by relatedness and the market's demand.

    ``top`` products are ranked; the products chart shows the first ``chart_products`` of them (default
    all), the sector chart every sector.
    """
    from bilateral.models.potential import potential as run
    from bilateral.models.potential.diversification import diversification

    pr = run(store, pair.reporter, pair.partner, sector=sector, products=products, top=top,
             exclude_sanction_risk=exclude_sanction_risk)
    data = pr.to_dict()
    # the diversification indicator beside it: products not yet exported competitively (same sector filter)
    data["diversification"] = diversification(store, pair.reporter, pair.partner, sector=sector, products=products,
                                              top=DIVERSIFICATION_TOP).to_dict()
    return View("potential", pr, data, (charts.potential_products(data, chart_products), charts.potential_sectors(data)))
