"""The one read layer: every read of the canonical tables by reports, indicators, models and the CLI.

Which loaded source serves a figure (pair, period, flow, product level) is decided here, from the
precedence file ``harmonise/data/source_precedence.csv`` (kept as data, with a reason per row):
official totals, then the reporter's national detail (embedded, EIDB), then UN Comtrade as
reported, then BACI, then mirror estimates. For one figure exactly one source serves; two sources
are never added. Every returned figure names the source, release and quality grade that served it.

The rows every report reads are defined once, in :data:`REPORT_FLOWS`: the canonical ``flows``
plus the BACI matrix (``flows_baci``) seen from both sides (each cell is the exporter's export and
the importer's import).

This package is the store layer's read side, one module per stage; every name is importable from
``bilateral.store.queries`` itself:

- here: the precedence file (:func:`precedence`, :func:`grade`, :func:`serves_total`);
- :mod:`~bilateral.store.queries.totals`: yearly totals of a pair, each figure served by one source;
- :mod:`~bilateral.store.queries.missing`: why a figure is missing (read from the loaded releases) and what to load;
- :mod:`~bilateral.store.queries.coverage`: the pairs the store can serve, with their periods;
- :mod:`~bilateral.store.queries.detail`: the product detail behind a figure, partners, descriptions;
- :mod:`~bilateral.store.queries.energy`: HS 27 imports (a period, and the history for the target);
- :mod:`~bilateral.store.queries.provenance`: releases and official publishers behind a figure;
- :mod:`~bilateral.store.queries.flows`: flows by period and HS level (``bilateral flows``);
- :mod:`~bilateral.store.queries.tables`: whole tables and the partitioned layout (``bilateral export``).

The world matrix (BACI or the embedded slices) is read by :mod:`bilateral.store.matrix`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from bilateral.errors import BilateralError
from bilateral.store.schema import BACI_SERVING

__all__ = [
    "ENERGY_CHAPTER", "ENERGY_FULL_COVERAGE", "EXPORT_OPTIONS", "EXPORT_TABLES", "FIGURE_LABELS", "FLOWS",
    "FULL_COVERAGE", "MATRIX_QUALITY", "NO_REVISION", "OFFICIAL", "PARTITIONED_TABLES", "PARTITION_KEYS",
    "REPORT_FLOWS", "WORLD", "Basis", "Detail", "DetailSource", "EnergyImports", "EnergyPoint", "Flow", "FlowRow",
    "MatrixRoles", "Missing", "PairCoverage", "PeriodTotals", "ReleaseInfo", "Rule", "Served", "all_releases",
    "best_detail", "calendar_year_totals", "copy_table", "default_period", "descriptions", "detail_periods",
    "detail_source", "energy_history", "energy_imports", "energy_point", "finest_detail", "grade",
    "growth_missing", "lines", "sector_share_missing",
    "matrix_roles", "month_totals", "no_data", "official_meta", "pair_flows", "pair_totals", "served_pairs",
    "partitioned_rows_sql", "partner_product_values", "partner_values", "period_totals", "precedence",
    "product_values", "read_figures", "read_lines", "region_detail",
    "release_info", "reported_rows", "reporter_totals", "sector_values", "serves_total", "source_names", "table_head",
]

Flow = Literal["export", "import"]
FLOWS: tuple[Flow, Flow] = ("export", "import")
WORLD = "WLD"
OFFICIAL = "official"

#: The rows reports read, defined once: canonical flows, and each BACI cell as the exporter's export
#: and the importer's import. Used as a CTE (``WITH report_flows AS (...)``).
#: Of BACI, only the release serving each year (:data:`~bilateral.store.schema.BACI_SERVING`): two
#: versions of one year are never added.
REPORT_FLOWS = f"""
    SELECT source, estimate, release, period, period_kind, reporter, partner, flow, hs_revision, product,
           product_level, value_usd, quality FROM flows
    UNION ALL
    SELECT source, estimate, release, period, period_kind, reporter, partner, flow, hs_revision, product,
           product_level, value_usd, quality FROM flows_baci WHERE release IN (SELECT release FROM ({BACI_SERVING}))
    UNION ALL
    SELECT source, estimate, release, period, period_kind, partner AS reporter, reporter AS partner,
           'import' AS flow, hs_revision, product, product_level, value_usd, quality FROM flows_baci
    WHERE release IN (SELECT release FROM ({BACI_SERVING}))
"""


# -- the precedence file --------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    """One row of the precedence file: a (source, estimate kind) and its rank (1 serves first)."""

    rank: int
    source: str
    estimate: str
    table: str
    reason: str
    detail_sums_to_total: bool = False  # its product detail is exhaustive (all products), so its sum is a total

    @property
    def name(self) -> str:
        """How outputs name the source: ``official``, ``embedded``, ``comtrade``, ``baci``, ``mirror``."""
        return "mirror" if self.estimate == "mirror" else self.source


@cache
def _data(name: str) -> str:
    return resources.files("bilateral.harmonise").joinpath(f"data/{name}").read_text(encoding="utf-8")


@cache
def precedence() -> tuple[Rule, ...]:
    """The precedence file, best first. Checked: ranks unique, every (source, estimate) once."""
    rules = []
    for line, row in enumerate(csv.DictReader(_data("source_precedence.csv").splitlines()), start=2):
        try:
            rules.append(Rule(int(row["rank"]), row["source"], row["estimate"], row["table"], row["reason"],
                              row["detail_sums_to_total"] == "yes"))
        except (KeyError, ValueError, TypeError):
            raise BilateralError(f"harmonise/data/source_precedence.csv, line {line}: needs rank (a number), "
                                 "source, estimate, table, detail_sums_to_total (yes|no|n/a), reason") from None
    keys = [(r.source, r.estimate) for r in rules]
    if len(set(keys)) != len(keys) or len({r.rank for r in rules}) != len(rules):
        raise BilateralError("harmonise/data/source_precedence.csv: each (source, estimate) and each rank once")
    return tuple(sorted(rules, key=lambda r: r.rank))


@cache
def _quality() -> dict[str, dict[str, str]]:
    return {r["quality"]: r for r in csv.DictReader(_data("quality.csv").splitlines())}


def grade(quality: str) -> str:
    """Quality tag → grade A (best) … D; ``?`` for a tag the quality file does not know."""
    if quality == OFFICIAL:
        return "A"
    return _quality().get(quality, {}).get("grade", "?")


def serves_total(quality: str) -> bool:
    """Whether a sum of detail with this quality tag can stand as a total (``serves_total`` column)."""
    return _quality().get(quality, {}).get("serves_total") == "yes"


def _rank(source: str, estimate: str) -> Rule | None:
    for r in precedence():
        if r.source == source and r.estimate == estimate:
            return r
    return None


# -- the stages (imported last: they use the precedence above) ---------------------------------------
from bilateral.store.queries.totals import _as_pair as _as_pair  # noqa: E402, I001  (tests parse pairs with it)
from bilateral.store.queries.missing import (  # noqa: E402
    FIGURE_LABELS, MatrixRoles, Missing, growth_missing, matrix_roles, sector_share_missing)
from bilateral.store.queries.totals import (  # noqa: E402
    MATRIX_QUALITY, PeriodTotals, Served, calendar_year_totals, default_period, month_totals, no_data, pair_totals,
    period_totals, read_figures, reporter_totals,
)
from bilateral.store.queries.detail import (  # noqa: E402
    Detail, DetailSource, best_detail, descriptions, detail_periods, detail_source, finest_detail, lines,
    partner_product_values, partner_values, product_values, read_lines, region_detail, sector_values,
)
from bilateral.store.queries.energy import (  # noqa: E402
    ENERGY_CHAPTER, ENERGY_FULL_COVERAGE, FULL_COVERAGE, Basis, EnergyImports, EnergyPoint, energy_history,
    energy_imports, energy_point,
)
from bilateral.store.queries.provenance import ReleaseInfo, all_releases, official_meta, release_info  # noqa: E402
from bilateral.store.queries.flows import FlowRow, pair_flows, reported_rows, source_names  # noqa: E402
from bilateral.store.queries.coverage import PairCoverage, served_pairs  # noqa: E402
from bilateral.store.queries.tables import (  # noqa: E402
    EXPORT_OPTIONS, EXPORT_TABLES, NO_REVISION, PARTITION_KEYS, PARTITIONED_TABLES, copy_table, partitioned_rows_sql,
    table_head,
)
