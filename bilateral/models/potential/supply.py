"""The exporter's own statistics as the supply side of the export potential model.

Where the store holds the exporter's national exports to the world by product (India: the EIDB
HS8 file, embedded), they replace the matrix's figure for that exporter, product by product; the
matrix serves the products they lack. The matrix's world exports miss the importers the release
lacks (2024: DEU, ESP, FRA, GBR, NLD, USA) for every exporter, so a national world total would sit
over a smaller world denominator and overstate the share: the national figure is scaled to the
importers the matrix holds, chapter by chapter, with the exporter's own exports by HS2 and partner
(the same source, the same fiscal year). Every product says which side served it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from bilateral.harmonise.periods import FiscalYear
from bilateral.store.db import Store

__all__ = ["NationalSupply", "national_supply"]

#: the national level summed to HS6
HS6 = 6
_READ_LOCK = threading.Lock()
CHAPTER = 2


@dataclass(frozen=True)
class NationalSupply:
    """An exporter's world exports by HS6 from its own statistics, scaled to the matrix's importers."""

    exporter: str
    period: str  # the fiscal year that serves the matrix year (the one starting in it)
    source: str
    release: str
    level: int  # the level the national file holds (HS8 for India), summed to HS6
    detail_usd: float  # sum of the national detail, unscaled
    official_usd: float | None  # the exporter's official total exports in the period
    absent: tuple[str, ...]  # importers the matrix lacks, whose share is taken out
    absent_share: dict[str, float]  # chapter → share of the exporter's exports going to them
    partner_release: str | None
    values: dict[str, float] = field(repr=False)  # hs6 → US$, scaled
    outside_nomenclature: int = 0  # national codes left to the matrix: not HS6 codes of the HS2022 edition

    @property
    def coverage(self) -> float | None:
        """The national detail as a share of the official total (None: no official total)."""
        return self.detail_usd / self.official_usd if self.official_usd else None

    def label(self) -> str:
        """How a product served by it is named in the output."""
        return f"{self.source} {self.period} (national, HS{self.level} summed, scaled to the matrix's importers)"

    def note(self) -> str:
        """The note printed with the result."""
        cov = (f", {self.coverage:.1%} of {self.exporter}'s official total exports (US${self.official_usd / 1e9:,.1f} bn): "
               "codes introduced with HS2022 and some petroleum products are missing, and the matrix serves them"
               if self.coverage is not None and self.official_usd else "")
        scaled = (f"; scaled to the importers the matrix holds by {self.exporter}'s exports by chapter and partner "
                  f"({self.partner_release}, same year), as the matrix's world totals miss exports to "
                  f"{', '.join(self.absent)}" if self.absent else "")
        gone = (f" {self.outside_nomenclature} national code(s) that the HS2022 edition does not have (deleted "
                "codes lingering with residual values, e.g. 851712) are left to the matrix, as are codes that exist "
                "only in the matrix's HS2017; a code HS2022 kept but narrowed cannot be told apart here, so each "
                "product also shows the matrix's figure." if self.outside_nomenclature else "")
        return (f"Supply side: {self.exporter}'s world exports by HS6 from {self.source} ({self.release}, "
                f"{self.period}, HS{self.level} lines summed; US${self.detail_usd / 1e9:,.1f} bn{cov}){scaled}. "
                f"Other exporters, and products the national file lacks, are served by the matrix.{gone}")

    def to_dict(self) -> dict[str, Any]:
        return {"exporter": self.exporter, "period": self.period, "source": self.source, "release": self.release,
                "level": self.level, "detail_usd": self.detail_usd, "official_usd": self.official_usd,
                "coverage": self.coverage, "absent_importers": list(self.absent),
                "absent_share_by_chapter": dict(sorted(self.absent_share.items())),
                "partner_release": self.partner_release, "products": len(self.values),
                "outside_nomenclature": self.outside_nomenclature}


def national_supply(store: Store, exporter: str, year: int, absent: tuple[str, ...]) -> NationalSupply | None:
    """The exporter's national supply for the matrix ``year``, or None when the store holds none.

    Read through the read layer: the serving detail of (exporter, world, export) in the fiscal year
    starting in ``year``, summed to HS6; its exports by HS2 and partner give, per chapter, the share
    going to the ``absent`` importers, taken out so that the figure covers the importers the matrix
    holds. A chapter without partner detail is not scaled (its share is unknown: noted by its absence
    from ``absent_share``).
    """
    with _READ_LOCK:  # the read layer uses the store's own connection: one reader at a time
        return _national_supply(store, exporter, year, absent)


def _national_supply(store: Store, exporter: str, year: int, absent: tuple[str, ...]) -> NationalSupply | None:
    from bilateral.store import queries
    from bilateral.store.matrix import hs_descriptions

    period = FiscalYear(year).label
    detail = queries.finest_detail(store, exporter, queries.WORLD, "export", period)
    if detail is None or detail.level < HS6:
        return None
    raw = queries.lines(store, detail, HS6)
    share: dict[str, float] = {}
    partner_release = None
    if absent:
        by_partner, served = queries.partner_product_values(store, exporter, "export", period, CHAPTER)
        if served is not None:
            partner_release = served.release
            total: dict[str, float] = {}
            gone: dict[str, float] = {}
            for (partner, chapter), value in by_partner.items():
                total[chapter] = total.get(chapter, 0.0) + value
                if partner in absent:
                    gone[chapter] = gone.get(chapter, 0.0) + value
            share = {ch: gone.get(ch, 0.0) / t for ch, t in total.items() if t > 0}
    # the national file's codes are HS2022 (ITC-HS 2022 from FY2022-23); a code HS2022 deleted (e.g. 851712,
    # split into 851713/851714) may linger there with a residual value and must not stand for the matrix's
    nomenclature = {k for k in hs_descriptions() if len(k) == HS6}
    values = {k: v * (1.0 - share.get(k[:CHAPTER], 0.0)) for k, v in raw.items() if v > 0 and k in nomenclature}
    dropped = sum(1 for k, v in raw.items() if v > 0 and k not in nomenclature)
    totals = queries.reporter_totals(store, exporter, period)
    return NationalSupply(
        exporter=exporter, period=period, source=detail.served.source, release=detail.release, level=detail.level,
        detail_usd=detail.value_usd, official_usd=totals.exports_usd if totals else None, absent=absent,
        absent_share=share, partner_release=partner_release, values=values, outside_nomenclature=dropped)
