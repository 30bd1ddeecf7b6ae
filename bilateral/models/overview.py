"""`bilateral overview`: where a partnership stands in one year (fiscal or calendar).

Every figure is read through the read layer (:mod:`bilateral.store.queries`), which picks the one
source that serves it. Official totals come first and are never replaced by sums of detail; the
detail behind them is shown with its coverage (sum of detail ÷ total) and caveats drawn from the data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from bilateral.harmonise.countries import group_label, group_members, groups_containing
from bilateral.harmonise.pairs import Pair
from bilateral.harmonise.periods import parse_period
from bilateral.harmonise.sectors import titles as sector_titles
from bilateral.indicators import trade
from bilateral.store import queries
from bilateral.store.db import Store

TOP_PRODUCTS = 10
TOP_CHAPTERS = 10
SPARK_BLOCKS = "▁▂▃▄▅▆▇█"
#: detail below this share of its total gets a visible caveat naming what is missing
COVERAGE_CAVEAT = 0.90
#: coverage of the first and last year of a growth window may differ by this much before it is flagged
COVERAGE_BREAK = 0.05
#: detail at or above this share of its total is complete (rounding in the source)
FULL = 0.995


def sparkline(values: list[float]) -> str:
    """Unicode sparkline of a series (min → ▁, max → █)."""
    if not values:
        return ""
    lo, hi = min(values), max(values)
    span = hi - lo or 1.0
    return "".join(SPARK_BLOCKS[round((v - lo) / span * (len(SPARK_BLOCKS) - 1))] for v in values)


def _region_note(region: str, partner: str, ratio: float | None) -> str:
    members = ", ".join(sorted(group_members().get(region, frozenset())))
    share = f"{ratio:.1%}" if ratio is not None else "an unknown share"
    return (f"Imports by chapter are for the region '{group_label(region)}' ({members}), not {partner} alone: "
            f"the region's total is {share} of imports from {partner}.")


def overview(store: Store, pair: Pair, period: str | None = None) -> Overview:
    """Build the overview of ``pair`` for ``period`` (FY2024-25, CY2022; default: the latest served).

    Partial: every figure the store serves for the pair and period is shown, and each one it cannot
    serve is named in ``missing`` with the reason read from the loaded releases and what would fill
    it. Refuses (NotAvailableError) only when the store holds nothing at all for the pair or period.
    """
    # the page reads the pair, the regions that stand in for its partner and the reporter's world trade:
    # their figures in one scan of the flows, not one per question
    queries.read_figures(store, pair.reporter, [pair.partner, *groups_containing(pair.partner), queries.WORLD])
    series, year = queries.period_totals(store, pair, period, complete=False)
    by_period = {y.period: y for y in series}
    period = year.period
    here = parse_period(period)
    notes: list[str] = []
    missing: list[queries.Missing] = list(year.missing)
    exports_usd, imports_usd = year.exports_usd, year.imports_usd
    official_served = year.source == queries.OFFICIAL
    if official_served and year.status not in ("final", ""):
        notes.append(f"{period} figures are {year.status} and may be revised.")
    if not official_served and year.served_flows:
        served = "; ".join(f"{flow} {s.basis}" for flow, s in (("exports", year.exports_served),
                                                                ("imports", year.imports_served)) if s is not None)
        notes.append(f"No official totals for {pair.label} in {period}: the totals are served by {year.source} "
                     f"({served}; quality grade {year.grade}).")
    official_source = None
    if official_served:
        meta = queries.official_meta(store, pair.reporter, pair.partner, period)
        official_source = OfficialSource(meta[0] if meta else "", meta[1] if meta else "",
                                         tuple(queries.release_info(store, year.release)))

    # -- detail behind the totals -------------------------------------------------------------------
    exp = queries.finest_detail(store, pair.reporter, pair.partner, "export", period)
    imp = queries.finest_detail(store, pair.reporter, pair.partner, "import", period)
    imp_region = None if imp else queries.region_detail(store, pair.reporter, pair.partner, "import", period)
    coverage = trade.safe_ratio(exp.value_usd, exports_usd) if exp else None
    imports_coverage = trade.safe_ratio(imp.value_usd, imports_usd) if imp else None
    region_ratio = trade.safe_ratio(imp_region.value_usd, imports_usd) if imp_region else None
    detail = DetailSummary(exp, imp, imp_region, coverage, imports_coverage, region_ratio, tuple(
        queries.release_info(store, ", ".join(d.release for d in (exp, imp, imp_region) if d))))
    for flow, d, cov, total in (("Export", exp, coverage, exports_usd), ("Import", imp, imports_coverage, imports_usd)):
        if d is None:
            if flow == "Import" and imp_region is not None:
                continue
            notes.append(f"No {flow.lower()} product detail for {pair.label} in {period}.")
        elif total is None:
            notes.append(f"{flow} detail (HS{d.level}, {d.lines:,} lines, {d.release}) sums to US${d.value_usd / 1e6:,.2f} mn; "
                         f"with no {flow.lower()} total to compare it with, how much of the flow it covers is unknown.")
        elif "top_n" in d.quality:
            notes.append(f"{flow} detail for {period} is the largest HS{d.level} lines only "
                         f"({cov:.0%} of the total)." if cov is not None else
                         f"{flow} detail for {period} is the largest HS{d.level} lines only.")
        elif cov is not None and cov < COVERAGE_CAVEAT:
            notes.append(f"{flow} detail (HS{d.level}, {d.lines:,} lines, {d.release}) covers {cov:.1%} of the "
                         f"total: {1 - cov:.1%} ({(1 - cov) * total / 1e6:,.2f} "
                         "US$ mn) is not in the product detail. The total stands; detail is shown beside it, "
                         "never in its place.")
        elif cov is not None and cov < FULL:
            notes.append(f"{flow} detail (HS{d.level}) covers {cov:.1%} of the total.")
    if imp is None and imp_region is not None:
        notes.append(_region_note(imp_region.partner, pair.partner, region_ratio))

    # -- sectors and products (one level of detail, so years compare like with like) ----------------
    level = exp.level if exp else None
    detail_years = (queries.detail_periods(store, pair.reporter, pair.partner, "export", level)
                    if level and level >= 4 else [])
    detail_years = [y for y in detail_years if parse_period(y).kind == here.kind and y <= period]
    sectors: list[SectorRow] = []
    products: list[ProductRow] = []
    top: list[tuple[str, dict[str, float]]] = []
    biggest_of: dict[str, str | None] = {}
    first = prev = period
    n_years = 0
    window: GrowthWindow | None = None
    if exp is not None and period in detail_years:
        first = detail_years[0]
        prev = here.shift(-1).label
        n_years = here.year - parse_period(first).year
        first_total = by_period.get(first)
        first_detail = queries.finest_detail(store, pair.reporter, pair.partner, "export", first)
        first_cov = (trade.safe_ratio(first_detail.value_usd, first_total.exports_usd)
                     if first_detail and first_total else None)
        broken = (n_years > 0 and first_cov is not None and coverage is not None
                  and abs(first_cov - coverage) > COVERAGE_BREAK)
        window = GrowthWindow(first, period, n_years, first_cov, coverage, broken)
        if broken and first_cov is not None and coverage is not None:
            notes.append(f"Growth rates (CAGR {first}–{period}) compare detail covering {first_cov:.0%} of exports "
                         f"in {first} with {coverage:.0%} in {period}: part of the change is coverage, not trade.")
        years = sorted({first, prev, period} & set(detail_years))
        queries.read_lines(store, pair.reporter, pair.partner, "export", years, (4,))  # sectors, HS4, lines: one scan
        by_sector = queries.sector_values(store, pair.reporter, pair.partner, "export", years)
        world = queries.sector_values(store, pair.reporter, queries.WORLD, "export", [period])
        total = sum(v.get(period, 0.0) for v in by_sector.values())
        for sid, title in sector_titles().items():
            vals = by_sector.get(sid, {})
            value = vals.get(period, 0.0)
            w = world.get(sid, {}).get(period)
            sectors.append(SectorRow(sid, title, value, trade.safe_ratio(value, total), trade.yoy(vals.get(prev), value),
                                     trade.cagr(vals.get(first, 0.0), value, n_years), trade.safe_ratio(value, w)))
        sectors.sort(key=lambda r: -r.value_usd)
        if total and not any(world.get(sid, {}).get(period) for sid in world):
            missing.append(queries.sector_share_missing(pair.reporter, pair.partner, period))
        by_hs4 = queries.product_values(store, pair.reporter, pair.partner, "export", years, 4)
        top = sorted(by_hs4.items(), key=lambda kv: -kv[1].get(period, 0.0))[:TOP_PRODUCTS]
        finest = queries.lines(store, exp)
        wanted = {code for code, _ in top}
        biggest_of = dict.fromkeys(wanted)
        for line_code, value in finest.items():
            head = line_code[:4]
            if head in wanted and (biggest_of[head] is None or value > finest[biggest_of[head] or ""]):
                biggest_of[head] = line_code
    elif level and level >= 4 and detail_years:
        notes.append(
            f"HS{level} export detail (sectors, products) covers {detail_years[0]} to {detail_years[-1]}; for "
            f"sectors and products choose one of those periods.")

    # -- imports and exports by chapter -------------------------------------------------------------
    complete_imports = imp is not None and (imp.level == 2 or (imports_coverage or 0.0) >= COVERAGE_CAVEAT)
    chapters_src = imp if complete_imports else imp_region
    import_chapters = (sorted(queries.lines(store, chapters_src, 2).items(), key=lambda kv: -kv[1])[:TOP_CHAPTERS]
                       if chapters_src is not None else [])
    export_chapters = (sorted(queries.lines(store, exp, 2).items(), key=lambda kv: -kv[1])
                       if exp is not None and exp.level == 2 else [])

    # -- every description the page shows, in one read ----------------------------------------------
    names = queries.descriptions(store, sorted({*(code[:2] for code, _ in top), *(b for b in biggest_of.values() if b),
                                                *(c for c, _ in import_chapters), *(c for c, _ in export_chapters)}))
    for code, vals in top:
        biggest = biggest_of[code]
        products.append(ProductRow(code, names.get(code[:2], ""), biggest, names.get(biggest or "", ""),
                                   vals.get(period, 0.0), trade.yoy(vals.get(prev), vals.get(period)),
                                   trade.cagr(vals.get(first, 0.0), vals.get(period, 0.0), n_years)))
    imports_by_chapter: list[ImportChapterRow] = []
    if chapters_src is not None:
        imports_by_chapter = [ImportChapterRow(code, names.get(code, ""), value,
                                               trade.safe_ratio(value, chapters_src.value_usd), chapters_src.partner)
                              for code, value in import_chapters]
    exports_by_chapter = [ExportChapterRow(c, names.get(c, ""), v, trade.safe_ratio(v, exports_usd))
                          for c, v in export_chapters]

    prev = here.shift(-1).label
    prev_year = by_period.get(prev)
    if year.total_usd is not None and (prev_year is None or prev_year.total_usd is None):
        missing.append(queries.growth_missing(pair.reporter, pair.partner, period, prev, prev_year))
    return Overview(pair.label, year, tuple(series), official_source, detail,
                    trade.yoy(prev_year.total_usd if prev_year else None, year.total_usd), window, tuple(sectors),
                    tuple(products), tuple(imports_by_chapter), tuple(exports_by_chapter), tuple(notes), tuple(missing))


# -- typed result ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SectorRow:
    """Exports of one summit sector in the period, with growth and the partner's share."""

    sector: str
    title: str
    value_usd: float
    share_of_detail: float | None
    yoy: float | None
    cagr: float | None
    partner_share_of_reporter_exports: float | None


@dataclass(frozen=True)
class ProductRow:
    """One of the top HS4 export products, with its largest finest line."""

    hs4: str
    chapter: str
    largest_line: str | None
    largest_line_description: str
    value_usd: float
    yoy: float | None
    cagr: float | None


@dataclass(frozen=True)
class ImportChapterRow:
    """An HS chapter of imports (from the partner, or from the region standing in for it)."""

    hs2: str
    description: str
    value_usd: float
    share: float | None
    partner: str


@dataclass(frozen=True)
class ExportChapterRow:
    """An HS chapter of exports where only chapter detail exists."""

    hs2: str
    description: str
    value_usd: float
    share_of_official: float | None


@dataclass(frozen=True)
class OfficialSource:
    """Who published the official totals, and the loaded files they came from."""

    publisher: str
    url: str
    releases: tuple[queries.ReleaseInfo, ...]


@dataclass(frozen=True)
class DetailSummary:
    """The product detail behind the totals: sums, coverage, and who served them."""

    exports: queries.Detail | None
    imports: queries.Detail | None
    imports_region: queries.Detail | None
    coverage: float | None
    imports_coverage: float | None
    imports_region_ratio: float | None
    sources: tuple[queries.ReleaseInfo, ...]


@dataclass(frozen=True)
class GrowthWindow:
    """The years growth rates span, and the detail coverage at each end."""

    first: str
    last: str
    years: int
    first_coverage: float | None
    last_coverage: float | None
    coverage_break: bool


@dataclass(frozen=True)
class Overview:
    """Where a partnership stands in one period: totals, the detail behind them, sectors, products."""

    pair: str
    totals: queries.PeriodTotals
    series: tuple[queries.PeriodTotals, ...]
    official_source: OfficialSource | None
    detail: DetailSummary
    total_yoy: float | None
    window: GrowthWindow | None
    sectors: tuple[SectorRow, ...]
    top_products: tuple[ProductRow, ...]
    imports_by_chapter: tuple[ImportChapterRow, ...]
    exports_by_chapter: tuple[ExportChapterRow, ...]
    notes: tuple[str, ...]
    missing: tuple[queries.Missing, ...] = ()  # every figure not served, with the reason and what would fill it

    @property
    def period(self) -> str:
        return self.totals.period

    @property
    def status(self) -> str:
        return self.totals.status

    @property
    def sparkline(self) -> str:
        """Total trade over the series (periods without a total left out, never drawn as zero)."""
        return sparkline([y.total_usd for y in self.series if y.total_usd is not None])

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``bilateral overview --format json`` (values in US dollars)."""
        t = self.totals
        official = None
        if self.official_source is not None:
            official = {"period": t.period, "status": t.status, "exports_usd": t.exports_usd,
                        "imports_usd": t.imports_usd, "total_trade_usd": t.total_usd, "balance_usd": t.balance_usd,
                        "source": {"publisher": self.official_source.publisher, "url": self.official_source.url,
                                   "releases": [_info(r) for r in self.official_source.releases]}}
        d = self.detail
        exp, imp, reg = d.exports, d.imports, d.imports_region
        detail = {
            "exports_usd": exp.value_usd if exp else None, "coverage": d.coverage,
            "exports_level": exp.level if exp else None, "exports_quality": exp.quality if exp else None,
            "imports_usd": imp.value_usd if imp else None, "imports_coverage": d.imports_coverage,
            "imports_level": imp.level if imp else None, "imports_quality": imp.quality if imp else None,
            "imports_region_usd": reg.value_usd if reg else None, "imports_region": reg.partner if reg else None,
            "imports_region_ratio": d.imports_region_ratio,
            "sources": [_info(r) for r in d.sources],
            "served_by": {k: asdict(x.served) for k, x in (("exports", exp), ("imports", imp), ("imports_region", reg))
                          if x is not None},
        }
        return {
            "pair": self.pair, "period": self.period, "status": self.status,
            "totals": t.to_dict(), "official": official, "detail": detail,
            "series": [{"period": y.period, "exports_usd": y.exports_usd, "imports_usd": y.imports_usd,
                        "total_trade_usd": y.total_usd, "balance_usd": y.balance_usd, "status": y.status,
                        "source": y.source} for y in self.series],
            "sparkline": self.sparkline,
            "growth": {"total_yoy": self.total_yoy, "window": asdict(self.window) if self.window else {}},
            "sectors": [asdict(r) for r in self.sectors], "top_products": [asdict(r) for r in self.top_products],
            "imports_by_chapter": [asdict(r) for r in self.imports_by_chapter],
            "exports_by_chapter": [asdict(r) for r in self.exports_by_chapter], "notes": list(self.notes),
            "missing": [m.to_dict() for m in self.missing],
        }

    def records(self) -> list[dict[str, Any]]:
        """The overview flattened to one table (section, item, measure, value, unit) for CSV/Parquet."""
        out: list[dict[str, Any]] = []

        def add(section: str, item: str, measure: str, value: Any, unit: str) -> None:
            out.append({"pair": self.pair, "period": self.period, "section": section, "item": item,
                        "measure": measure, "value": value, "unit": unit})

        t = self.totals
        for k, v in (("exports_usd", t.exports_usd), ("imports_usd", t.imports_usd),
                     ("total_trade_usd", t.total_usd), ("balance_usd", t.balance_usd)):
            add("official" if self.official_source else t.source, t.status, k, v, "USD")
        d = self.detail
        for k, x in (("exports_usd", d.exports), ("imports_usd", d.imports), ("imports_region_usd", d.imports_region)):
            if x is not None:
                add("detail", d.imports_region.partner if d.imports_region else "", k, x.value_usd, "USD")
        if d.coverage is not None:
            add("detail", "exports", "coverage", d.coverage, "ratio")
        for s in self.sectors:
            for k in ("value_usd", "yoy", "cagr", "partner_share_of_reporter_exports"):
                add("sector", s.sector, k, getattr(s, k), "USD" if k == "value_usd" else "ratio")
        for p in self.top_products:
            for k in ("value_usd", "yoy", "cagr"):
                add("product_hs4", p.hs4, k, getattr(p, k), "USD" if k == "value_usd" else "ratio")
        for c in self.imports_by_chapter:
            add(f"imports_hs2_{c.partner}", c.hs2, "value_usd", c.value_usd, "USD")
        for e in self.exports_by_chapter:
            add("exports_hs2", e.hs2, "value_usd", e.value_usd, "USD")
        for y in self.series:
            add("series", y.period, "total_trade_usd", y.total_usd, "USD")
        return out


def _info(r: queries.ReleaseInfo) -> dict[str, Any]:
    return {k: v for k, v in asdict(r).items() if k != "licence"}


def records(result: Overview) -> list[dict[str, Any]]:
    """Flat rows of an overview (for the CLI's csv/parquet)."""
    return result.records()
