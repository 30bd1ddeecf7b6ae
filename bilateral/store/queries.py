"""The one read layer: every read of the canonical tables by reports, indicators, models and the CLI.

Which loaded source serves a figure (pair, period, flow, product level) is decided here, from the
precedence file ``harmonise/data/source_precedence.csv`` (kept as data, with a reason per row):
official totals, then the reporter's national detail (embedded, EIDB), then UN Comtrade as
reported, then BACI, then mirror estimates. For one figure exactly one source serves; two sources
are never added. Every returned figure names the source, release and quality grade that served it.

The rows every report reads are defined once, in :data:`REPORT_FLOWS`: the canonical ``flows``
plus the BACI matrix (``flows_baci``) seen from both sides (each cell is the exporter's export and
the importer's import).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from bilateral.errors import BilateralError, NotAvailableError
from bilateral.harmonise.countries import group_label, groups_containing
from bilateral.harmonise.pairs import Pair, parse_pair
from bilateral.harmonise.periods import PeriodKind, parse_period
from bilateral.store.db import Store

__all__ = [
    "REPORT_FLOWS", "Flow", "PeriodTotals", "Rule", "Served", "WORLD", "grade", "pair_totals", "period_totals",
    "precedence", "reporter_totals", "serves_total",
]

Flow = Literal["export", "import"]
FLOWS: tuple[Flow, Flow] = ("export", "import")
WORLD = "WLD"
OFFICIAL = "official"

#: The rows reports read, defined once: canonical flows, and each BACI cell as the exporter's export
#: and the importer's import. Used as a CTE (``WITH report_flows AS (...)``).
REPORT_FLOWS = """
    SELECT source, estimate, release, period, period_kind, reporter, partner, flow, hs_revision, product,
           product_level, value_usd, quality FROM flows
    UNION ALL
    SELECT source, estimate, release, period, period_kind, reporter, partner, flow, hs_revision, product,
           product_level, value_usd, quality FROM flows_baci
    UNION ALL
    SELECT source, estimate, release, period, period_kind, partner AS reporter, reporter AS partner,
           'import' AS flow, hs_revision, product, product_level, value_usd, quality FROM flows_baci
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


# -- figures ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Served:
    """Who served one figure: source (as the precedence file names it), release(s), quality, basis."""

    source: str
    release: str
    quality: str
    basis: str  # 'official total', 'reported total', 'sum of HS6 detail', …
    status: str = ""  # final / provisional for official totals

    @property
    def grade(self) -> str:
        return grade(self.quality)


@dataclass(frozen=True)
class PeriodTotals:
    """A pair's exports and imports in one period, each served by one source."""

    pair: str
    period: str
    period_kind: PeriodKind
    exports_usd: float | None
    imports_usd: float | None
    exports_served: Served | None
    imports_served: Served | None

    @property
    def total_usd(self) -> float | None:
        if self.exports_usd is None or self.imports_usd is None:
            return None
        return self.exports_usd + self.imports_usd

    @property
    def balance_usd(self) -> float | None:
        if self.exports_usd is None or self.imports_usd is None:
            return None
        return self.exports_usd - self.imports_usd

    @property
    def complete(self) -> bool:
        return self.exports_usd is not None and self.imports_usd is not None

    def _joined(self, attr: str) -> str:
        vals = [getattr(s, attr) for s in (self.exports_served, self.imports_served) if s is not None]
        return " + ".join(dict.fromkeys(v for v in vals if v))

    @property
    def source(self) -> str:
        return self._joined("source")

    @property
    def release(self) -> str:
        return ", ".join(dict.fromkeys(r for s in (self.exports_served, self.imports_served) if s
                                       for r in s.release.split(", ")))

    @property
    def quality(self) -> str:
        return self._joined("quality")

    @property
    def status(self) -> str:
        return self._joined("status") or self._joined("basis")

    @property
    def grade(self) -> str:
        grades = [s.grade for s in (self.exports_served, self.imports_served) if s is not None]
        return max(grades) if grades else "?"  # the worse of the two ('D' > 'A')

    def to_dict(self) -> dict[str, Any]:
        """JSON shape: values in US dollars, and who served them."""
        return {
            "period": self.period, "period_kind": self.period_kind,
            "exports_usd": self.exports_usd, "imports_usd": self.imports_usd,
            "total_trade_usd": self.total_usd, "balance_usd": self.balance_usd,
            "source": self.source, "release": self.release, "quality": self.quality, "grade": self.grade,
            "status": self.status,
            "exports_served": asdict(self.exports_served) if self.exports_served else None,
            "imports_served": asdict(self.imports_served) if self.imports_served else None,
        }


def _as_pair(pair: Pair | str) -> Pair:
    return parse_pair(pair) if isinstance(pair, str) else pair


_LEVEL_BASIS = {0: "reported total"}


def _figures(store: Store, reporter: str, partner: str) -> list[tuple[Any, ...]]:
    """Every figure the loaded sources hold for (reporter, partner) in years.

    One row per (source, estimate, period, kind, flow, level): its sum, line count, releases and
    qualities. One scan per pair; cached on the store object until its next transaction (every load
    is one; DuckDB lets no other process write while this one has the file open).
    """
    cache: dict[tuple[Any, ...], list[tuple[Any, ...]]] = store.__dict__.setdefault("_figures_cache", {})
    key = (reporter, partner, store.generation)
    if key not in cache:
        cache[key] = store.con.execute(
            f"""
            WITH report_flows AS ({REPORT_FLOWS})
            SELECT source, estimate, period, period_kind, flow, product_level, sum(value_usd), count(*),
                   string_agg(DISTINCT release, ', ' ORDER BY release), string_agg(DISTINCT quality, ', ' ORDER BY quality)
            FROM report_flows
            WHERE reporter = ? AND partner = ? AND period_kind IN ('fy', 'cy')
            GROUP BY source, estimate, period, period_kind, flow, product_level
            """, [reporter, partner]).fetchall()
    return cache[key]


def _candidates(store: Store, reporter: str, partner: str) -> list[tuple[Any, ...]]:
    """Every way the store could serve a yearly total of (reporter, partner).

    One row per (source, estimate, period, flow, level) with its sum, releases and qualities.
    """
    official = store.con.execute(
        f"""
        SELECT '{OFFICIAL}' AS source, '{OFFICIAL}' AS estimate, period, period_kind, flow, CAST(0 AS TINYINT),
               max(value_usd), string_agg(DISTINCT release, ', ' ORDER BY release), '{OFFICIAL}', max(status)
        FROM official_totals
        WHERE authoritative AND reporter = $r AND partner = $p AND period_kind IN ('fy', 'cy')
        GROUP BY period, period_kind, flow
        """, {"r": reporter, "p": partner}).fetchall()
    return official + [(src, est, period, kind, flow, lvl, value, releases, qualities, None)
                       for src, est, period, kind, flow, lvl, value, _n, releases, qualities
                       in _figures(store, reporter, partner)]


def _pick(cands: Iterable[tuple[Any, ...]]) -> dict[tuple[str, str, str], tuple[float, Served]]:
    """Per (period, kind, flow): the best-ranked source that holds the figure.

    Within a source a reported total comes before a sum of detail, and coarser complete detail
    before finer.
    """
    best: dict[tuple[str, str, str], tuple[tuple[int, int], float, Served]] = {}
    for source, estimate, period, kind, flow, level, value, releases, qualities, status in cands:
        rule = _rank(source, estimate)
        if rule is None:
            continue  # a source the precedence file does not list never serves a report
        if source != OFFICIAL and int(level) > 0 and not (
                rule.detail_sums_to_total and all(serves_total(q) for q in str(qualities).split(", "))):
            continue  # a national file of selected lines, partial detail, a region's figure: not a total
        if source != OFFICIAL and int(level) == 0 and not all(serves_total(q) for q in str(qualities).split(", ")):
            continue
        basis = ("official total" if source == OFFICIAL else
                 _LEVEL_BASIS.get(int(level), f"sum of HS{int(level)} detail"))
        key = (period, kind, flow)
        order = (rule.rank, int(level))
        if key not in best or order < best[key][0]:
            best[key] = (order, float(value), Served(rule.name, releases, qualities, basis, status or ""))
    return {k: (v, s) for k, (_, v, s) in best.items()}


def pair_totals(store: Store, pair: Pair | str, *, period_kind: PeriodKind | None = None) -> list[PeriodTotals]:
    """A pair's yearly exports and imports, each figure from the best-ranked source that holds it.

    ``period_kind`` 'fy' or 'cy' keeps one kind; None keeps both (fiscal and calendar years are
    never mixed into one figure). Oldest first, fiscal years before calendar years.
    """
    p = _as_pair(pair)
    chosen = _pick(_candidates(store, p.reporter, p.partner))
    periods = sorted({(k[1], k[0]) for k in chosen if period_kind is None or k[1] == period_kind})
    out = []
    for kind, period in periods:
        exp = chosen.get((period, kind, "export"))
        imp = chosen.get((period, kind, "import"))
        out.append(PeriodTotals(p.label, period, "fy" if kind == "fy" else "cy", exp[0] if exp else None, imp[0] if imp else None,
                                exp[1] if exp else None, imp[1] if imp else None))
    return out


def period_totals(store: Store, pair: Pair | str, period: str | None = None,
                  *, complete: bool = True) -> tuple[list[PeriodTotals], PeriodTotals]:
    """The series of a pair (of the asked period's kind) and the asked period in it.

    ``period`` None: the latest period of the kind the best-ranked source counts in (fiscal years
    for India's official series). ``complete``: only periods with both flows. Raises
    NotAvailableError saying what is loaded and what to load.
    """
    p = _as_pair(pair)
    everything = [t for t in pair_totals(store, p) if t.complete or not complete]
    if not everything:
        reverse = f"{p.partner}-{p.reporter}"
        hint = (f"; the store holds {reverse} (the same trade seen from {p.partner}'s side): try --pair {reverse}"
                if any(t.complete for t in pair_totals(store, Pair(p.partner, p.reporter))) else "")
        raise NotAvailableError(
            f"no trade figures for {p.label} in the store{hint}; load them with `bilateral ingest baci` (a CEPII BACI "
            f"release), `bilateral ingest comtrade --reporter {p.reporter} --partner {p.partner}` or `bilateral "
            "ingest eidb` (India's EIDB files)")
    if period is None:
        kinds = {t.period_kind for t in everything}
        kind: PeriodKind = "fy" if "fy" in kinds else "cy"
        series = [t for t in everything if t.period_kind == kind]
        return series, series[-1]
    want = parse_period(period)
    series = [t for t in everything if t.period_kind == want.kind]
    for t in series:
        if t.period == want.label:
            return series, t
    have = ", ".join(f"{s[0].period} to {s[-1].period}" for s in _runs(everything))
    if not series:
        counted = "calendar" if want.kind == "cy" else "fiscal"
        raise NotAvailableError(
            f"no {counted}-year figures for {p.label} in the store (asked for {want.label}); available: {have}. A "
            "fiscal year is never built from calendar-year data or the other way round")
    raise NotAvailableError(f"no trade figures for {p.label} in {want.label}; available: {have}")


def _runs(series: list[PeriodTotals]) -> list[list[PeriodTotals]]:
    runs: dict[str, list[PeriodTotals]] = {}
    for t in series:
        runs.setdefault(t.period_kind, []).append(t)
    return list(runs.values())


def reporter_totals(store: Store, reporter: str, period: str) -> PeriodTotals | None:
    """The reporter's trade with the world in a period (for partner shares), or None if not loaded."""
    want = parse_period(period)
    for t in pair_totals(store, Pair(reporter, WORLD), period_kind=want.kind):
        if t.period == want.label:
            return t
    return None


# -- energy -----------------------------------------------------------------------------------------
ENERGY_CHAPTER = "27"
#: detail whose sum is at least this share of the official total counts as covering it
FULL_COVERAGE = 0.995


@dataclass(frozen=True)
class EnergyImports:
    """Imports of HS chapter 27 (mineral fuels, crude oil) from a partner in a period.

    ``exact``: the chapter's value is the partner's own published figure (a chapter line, or complete
    detail). Otherwise ``value_usd`` is None and either ``lower_bound_usd`` holds what the partial
    detail shows (e.g. crude and coal only) or ``share`` comes from a region standing in for the
    partner (``proxy``). ``basis`` says which, in words.
    """

    period: str
    value_usd: float | None
    lower_bound_usd: float | None
    share: float | None  # of the pair's imports (official where they exist)
    exact: bool
    proxy: bool
    basis: str
    served: Served


def energy_imports(store: Store, pair: Pair | str, period: str) -> EnergyImports | None:
    """HS 27 imports of a pair in a period from the detail that serves it; None when none does."""
    p = _as_pair(pair)
    detail = best_detail(store, p.reporter, p.partner, "import", period)
    if detail is None:
        return None
    chapters = lines(store, detail, 2)
    energy = chapters.get(ENERGY_CHAPTER, 0.0)
    totals = {t.period: t for t in pair_totals(store, p)}.get(period)
    imports = totals.imports_usd if totals else None
    if detail.partner != p.partner:
        share = energy / detail.value_usd if detail.value_usd else None
        return EnergyImports(period, None, None, share, False, True,
                             f"share of HS 27 in imports from the region '{group_label(detail.partner)}', "
                             f"standing in for {p.partner}",
                             detail.served)
    coverage = detail.value_usd / imports if imports else None
    whole_chapter = detail.level == 2 or (coverage is not None and coverage >= FULL_COVERAGE)
    if whole_chapter:
        return EnergyImports(period, energy, energy, energy / imports if imports else None, True, False,
                             f"HS 27 as published for {p.partner}", detail.served)
    return EnergyImports(period, None, energy, None, False, False,
                         f"the HS{detail.level} detail for {p.partner} covers {coverage:.1%} of imports "
                         f"({len(lines(store, detail))} lines): HS 27 is at least {energy / 1e6:,.2f} US$ mn"
                         if coverage is not None else f"partial HS{detail.level} detail for {p.partner}",
                         detail.served)


# -- product detail ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class DetailSource:
    """The one (source, estimate kind) whose product detail serves a figure, and its finest level."""

    source: str
    estimate: str
    level: int

    @property
    def name(self) -> str:
        rule = _rank(self.source, self.estimate)
        return rule.name if rule else self.source


@dataclass(frozen=True)
class Detail:
    """The sum of a figure's product detail at the finest level the serving source holds."""

    reporter: str
    partner: str  # the partner asked for, or the region standing in for it
    flow: Flow
    period: str
    value_usd: float
    lines: int
    level: int
    served: Served

    @property
    def release(self) -> str:
        return self.served.release

    @property
    def quality(self) -> str:
        return self.served.quality

    @property
    def source(self) -> DetailSource:
        rule = next(r for r in precedence() if r.name == self.served.source or r.source == self.served.source)
        return DetailSource(rule.source, rule.estimate, self.level)


def detail_source(store: Store, reporter: str, partner: str, flow: Flow, period: str) -> DetailSource | None:
    """Which source's product detail serves (reporter, partner, flow, period).

    The best-ranked source holding any detail, at the finest level it holds; None when none does.
    """
    found = _detail_row(store, reporter, partner, flow, period)
    return DetailSource(found[0], found[1], int(found[5])) if found else None


def _detail_row(store: Store, reporter: str, partner: str, flow: Flow, period: str) -> tuple[Any, ...] | None:
    best: tuple[tuple[int, int], tuple[Any, ...]] | None = None
    for row in _figures(store, reporter, partner):
        source, estimate, per, _kind, fl, level = row[:6]
        if per != period or fl != flow or int(level) == 0:
            continue
        rule = _rank(source, estimate)
        if rule is None:
            continue
        order = (rule.rank, -int(level))
        if best is None or order < best[0]:
            best = (order, row)
    return best[1] if best else None


def finest_detail(store: Store, reporter: str, partner: str, flow: Flow, period: str) -> Detail | None:
    """Sum of the serving source's finest product detail for a figure, with its provenance."""
    row = _detail_row(store, reporter, partner, flow, period)
    if row is None:
        return None
    source, estimate, _per, _kind, _fl, level, value, n, releases, qualities = row
    rule = _rank(source, estimate)
    served = Served(rule.name if rule else source, releases, qualities, f"sum of HS{int(level)} detail")
    return Detail(reporter, partner, flow, period, float(value), int(n), int(level), served)


def region_detail(store: Store, reporter: str, partner: str, flow: Flow, period: str) -> Detail | None:
    """Product detail of a region that contains ``partner`` (a labelled proxy), if any."""
    from bilateral.harmonise.countries import groups_containing

    for group in groups_containing(partner):
        found = finest_detail(store, reporter, group, flow, period)
        if found:
            return found
    return None


def best_detail(store: Store, reporter: str, partner: str, flow: Flow, period: str) -> Detail | None:
    """The partner's own finest detail, else that of a region containing it (``partner`` tells which)."""
    return (finest_detail(store, reporter, partner, flow, period)
            or region_detail(store, reporter, partner, flow, period))


def lines(store: Store, detail: Detail, level: int | None = None) -> dict[str, float]:
    """The product lines behind a Detail, rolled up to ``level`` digits (default: as held), code → US$."""
    ds = detail.source
    digits = ds.level if level is None else min(level, ds.level)
    rows = store.con.execute(
        f"""
        SELECT left(product, $digits) AS code, sum(value_usd) FROM {_relation(ds.source)}
        WHERE source = $source AND estimate = $estimate AND product_level = $level AND reporter = $reporter
          AND partner = $partner AND flow = $flow AND period = $period
        GROUP BY 1
        """, {"digits": digits, "source": ds.source, "estimate": ds.estimate, "level": ds.level,
              "reporter": detail.reporter, "partner": detail.partner, "flow": detail.flow,
              "period": detail.period}).fetchall()
    return {str(c): float(v) for c, v in rows}


def detail_periods(store: Store, reporter: str, partner: str, flow: Flow, level: int) -> list[str]:
    """Periods (years of either kind) whose serving detail for a figure is at ``level``, oldest first."""
    periods = sorted({str(r[2]) for r in _figures(store, reporter, partner) if r[4] == flow and int(r[5]) == level})
    out = []
    for period in periods:
        ds = detail_source(store, reporter, partner, flow, period)
        if ds is not None and ds.level == level:
            out.append(period)
    return out


def _relation(source: str) -> str:
    """The rows a source's figures live in: the canonical table, or the BACI matrix seen from both sides."""
    return f"({REPORT_FLOWS})" if source == "baci" else "flows"


def _lines_by_period(store: Store, reporter: str, partner: str, flow: Flow, periods: list[str],
                     level: int | None) -> dict[str, dict[str, float]]:
    """Period → code (rolled up to ``level`` digits, default as held) → US$.

    Each period from its serving detail; one query per serving (source, estimate, level), not per period.
    """
    groups: dict[tuple[str, str, int], list[str]] = {}
    for period in periods:
        ds = detail_source(store, reporter, partner, flow, period)
        if ds is not None:
            groups.setdefault((ds.source, ds.estimate, ds.level), []).append(period)
    out: dict[str, dict[str, float]] = {}
    for (source, estimate, held), group in groups.items():
        digits = held if level is None else min(level, held)
        rows = store.con.execute(
            f"""
            SELECT period, left(product, $digits) AS code, sum(value_usd) FROM {_relation(source)}
            WHERE source = $source AND estimate = $estimate AND product_level = $level AND reporter = $reporter
              AND partner = $partner AND flow = $flow AND list_contains($periods, period)
            GROUP BY 1, 2
            """, {"digits": digits, "source": source, "estimate": estimate, "level": held, "reporter": reporter,
                  "partner": partner, "flow": flow, "periods": group}).fetchall()
        for period, code, value in rows:
            out.setdefault(str(period), {})[str(code)] = float(value)
    return out


def product_values(store: Store, reporter: str, partner: str, flow: Flow, periods: list[str],
                   level: int) -> dict[str, dict[str, float]]:
    """Product (rolled up to ``level`` digits) → period → US$, each period from its serving detail."""
    out: dict[str, dict[str, float]] = {}
    for period, codes in _lines_by_period(store, reporter, partner, flow, periods, level).items():
        for code, value in codes.items():
            out.setdefault(code, {})[period] = value
    return out


def sector_values(store: Store, reporter: str, partner: str, flow: Flow,
                  periods: list[str]) -> dict[str, dict[str, float]]:
    """Summit sector → period → US$, from each period's serving detail (longest HS prefix wins)."""
    from bilateral.harmonise.sectors import sector_of

    out: dict[str, dict[str, float]] = {}
    for period, codes in _lines_by_period(store, reporter, partner, flow, periods, None).items():
        for code, value in codes.items():
            per = out.setdefault(sector_of(code), {})
            per[period] = per.get(period, 0.0) + value
    return out


def partner_values(store: Store, reporter: str, flow: Flow, period: str) -> tuple[dict[str, float], Served | None]:
    """The reporter's trade by partner country (no groups, no world) in a period, from one source.

    The source is the best-ranked one that holds the reporter's flow by partner for the period; of
    its levels, the one that covers the most partners is summed per partner.
    """
    rows = store.con.execute(
        f"""
        WITH report_flows AS ({REPORT_FLOWS})
        SELECT source, estimate, product_level, partner, sum(value_usd), string_agg(DISTINCT release, ', ' ORDER BY release),
               string_agg(DISTINCT quality, ', ' ORDER BY quality)
        FROM report_flows
        WHERE reporter = ? AND flow = ? AND period = ? AND product_level > 0
          AND partner NOT LIKE '\\_%' ESCAPE '\\' AND partner <> '{WORLD}'
        GROUP BY ALL
        """, [reporter, flow, period]).fetchall()
    ranked = [(r, _rank(r[0], r[1])) for r in rows]
    usable = [(r, rule) for r, rule in ranked if rule is not None]
    if not usable:
        return {}, None
    top = min(rule.rank for _, rule in usable)
    usable = [(r, rule) for r, rule in usable if rule.rank == top]
    partners_at: dict[int, int] = {}
    for r, _ in usable:
        partners_at[int(r[2])] = partners_at.get(int(r[2]), 0) + 1
    # the level that covers the most partners (a partner distribution needs breadth, not depth)
    lvl = min(partners_at, key=lambda level: (-partners_at[level], level))
    best = next((r, rule) for r, rule in usable if int(r[2]) == lvl)
    src, est = best[0][0], best[0][1]
    chosen = [r for r, _ in usable if (r[0], r[1], r[2]) == (src, est, lvl)]
    releases = ", ".join(sorted({rel for r in chosen for rel in str(r[5]).split(", ")}))
    qualities = ", ".join(sorted({q for r in chosen for q in str(r[6]).split(", ")}))
    served = Served(best[1].name, releases, qualities, f"sum of HS{int(lvl)} detail by partner")
    return {str(r[3]): float(r[4]) for r in chosen}, served


def partner_product_values(store: Store, reporter: str, flow: Flow, period: str,
                           level: int) -> tuple[dict[tuple[str, str], float], Served | None]:
    """The reporter's trade by partner country and product (rolled up to ``level`` digits) in a period.

    From one source, chosen as :func:`partner_values` chooses it (the best-ranked source holding the
    flow by partner, at the level covering the most partners), among its levels of at least ``level``
    digits. (partner, code) → US$; empty when no source holds it.
    """
    rows = store.con.execute(
        f"""
        WITH report_flows AS ({REPORT_FLOWS})
        SELECT source, estimate, product_level, count(DISTINCT partner),
               string_agg(DISTINCT release, ', ' ORDER BY release), string_agg(DISTINCT quality, ', ' ORDER BY quality)
        FROM report_flows
        WHERE reporter = ? AND flow = ? AND period = ? AND product_level >= ?
          AND partner NOT LIKE '\\_%' ESCAPE '\\' AND partner <> '{WORLD}'
        GROUP BY ALL
        """, [reporter, flow, period, int(level)]).fetchall()
    usable = [(r, rule) for r in rows if (rule := _rank(r[0], r[1])) is not None]
    if not usable:
        return {}, None
    r, rule = min(usable, key=lambda x: (x[1].rank, -int(x[0][3]), int(x[0][2])))
    src, est, held = r[0], r[1], int(r[2])
    cells = store.con.execute(
        f"""
        WITH report_flows AS ({REPORT_FLOWS})
        SELECT partner, left(product, ?), sum(value_usd) FROM report_flows
        WHERE source = ? AND estimate = ? AND product_level = ? AND reporter = ? AND flow = ? AND period = ?
          AND partner NOT LIKE '\\_%' ESCAPE '\\' AND partner <> '{WORLD}'
        GROUP BY 1, 2
        """, [int(level), src, est, held, reporter, flow, period]).fetchall()
    served = Served(rule.name, str(r[4]), str(r[5]), f"sum of HS{held} detail by partner")
    return {(str(p), str(c)): float(v) for p, c, v in cells}, served


def descriptions(store: Store, codes: list[str]) -> dict[str, str]:
    """Descriptions of product codes from the loaded nomenclatures (any classification)."""
    if not codes:
        return {}
    rows = store.con.execute(
        "SELECT product, any_value(description) FROM products WHERE list_contains(?, product) GROUP BY 1",
        [sorted(set(codes))]).fetchall()
    out = {str(r[0]): str(r[1]) for r in rows}
    missing = [c for c in codes if c not in out]
    if missing:  # HS6 codes of a world matrix: the English HS nomenclature shipped with the package
        from bilateral.store.matrix import hs_descriptions

        hs = hs_descriptions()
        out.update({c: hs[c] for c in missing if c in hs})
    return out


@dataclass(frozen=True)
class ReleaseInfo:
    """Provenance of one loaded release, as a report prints it."""

    release: str
    file: str
    sha256: str
    producer: str
    url: str | None
    accessed: str | None
    version: str
    licence: str | None


def release_info(store: Store, releases: str | Iterable[str]) -> list[ReleaseInfo]:
    """Provenance rows of releases (a comma-separated string or names)."""
    names = [r.strip() for r in releases.split(",")] if isinstance(releases, str) else list(releases)
    names = [n for n in names if n]
    if not names:
        return []
    rows = store.con.execute(
        "SELECT release, file, checksum, producer, url, accessed, version, licence FROM releases "
        "WHERE list_contains(?, release) ORDER BY release", [names]).fetchall()
    return [ReleaseInfo(*r) for r in rows]


def all_releases(store: Store) -> list[dict[str, Any]]:
    """Every row of ``releases`` (for ``bilateral releases``)."""
    cols = ["release", "source", "version", "file", "checksum", "producer", "url", "accessed", "licence", "rows",
            "loaded_at", "origin"]
    return [dict(zip(cols, r, strict=True)) for r in store.con.execute(
        f"SELECT {', '.join(cols)} FROM releases ORDER BY release").fetchall()]


def official_meta(store: Store, reporter: str, partner: str, period: str) -> tuple[str, str] | None:
    """Publisher and URL of the official totals of a pair and period, if official totals serve it."""
    row = store.con.execute(
        "SELECT any_value(publisher), any_value(url) FROM official_totals WHERE authoritative AND reporter = ? "
        "AND partner = ? AND period = ?", [reporter, partner, period]).fetchone()
    return (str(row[0]), str(row[1])) if row and row[0] is not None else None


# -- flows by period (``bilateral flows``) -----------------------------------------------------------
@dataclass(frozen=True)
class FlowRow:
    """One flow of a pair in one period at one HS level, served by one source."""

    period: str
    flow: str
    value_usd: float
    lines: int
    source: str
    estimate: str
    quality: str
    grade: str
    basis: str
    release: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def source_names() -> list[str]:
    """The names ``--source`` accepts: every source the precedence file lists."""
    return list(dict.fromkeys(r.name for r in precedence()))


def pair_flows(store: Store, pair: Pair | str, source: str | None = None, level: int = 0) -> list[FlowRow]:
    """A pair's flows by period at HS ``level`` (0 = totals), one serving source per figure.

    ``source`` None: the best-ranked source per figure (official totals included at level 0);
    otherwise only that source (``comtrade`` shows its reported figures and, where the reporter was
    silent, its mirror estimates). Finer detail rolls up to ``level`` and says so in ``basis``; a
    sum of detail whose quality cannot stand as a total is labelled as such.
    """
    p = _as_pair(pair)
    names = source_names()
    if source is not None and source not in names:
        raise BilateralError(f"unknown source {source!r}; use one of {', '.join(names)}")
    rules = [r for r in precedence() if source is None or r.name == source or (source == "comtrade" and r.source == "comtrade")]
    if level == 0:
        cands = [c for c in _candidates(store, p.reporter, p.partner)]
    else:
        cands = store.con.execute(
            f"""
            WITH report_flows AS ({REPORT_FLOWS})
            SELECT source, estimate, period, period_kind, flow, product_level, sum(value_usd),
                   string_agg(DISTINCT release, ', ' ORDER BY release), string_agg(DISTINCT quality, ', ' ORDER BY quality),
                   NULL, count(DISTINCT left(product, $level))
            FROM report_flows
            WHERE reporter = $r AND partner = $p AND period_kind IN ('fy', 'cy') AND product_level >= $level
            GROUP BY source, estimate, period, period_kind, flow, product_level
            """, {"r": p.reporter, "p": p.partner, "level": level}).fetchall()
    best: dict[tuple[str, str], tuple[tuple[int, int], FlowRow]] = {}
    for row in cands:
        src, est, period, _kind, flow, lvl, value, releases, qualities, status = row[:10]
        rule = next((r for r in rules if r.source == src and r.estimate == est), None)
        if rule is None:
            continue
        lvl = int(lvl)
        if level == 0 and lvl > 0 and src != OFFICIAL:
            total_ok = rule.detail_sums_to_total and all(serves_total(q) for q in str(qualities).split(", "))
            basis = f"sum of HS{lvl} detail" + ("" if total_ok else " (partial: not a total)")
            n = 0
        elif src == OFFICIAL:
            basis, n = f"official total ({status})", 1
        elif lvl == level:
            basis, n = "as published" if level else "reported total", int(row[10]) if len(row) > 10 else 1
        else:
            basis, n = f"HS{lvl} detail rolled up to HS{level}", int(row[10])
        partial = (level > 0 and src != OFFICIAL and not (
            rule.detail_sums_to_total and all(serves_total(q) for q in str(qualities).split(", "))))
        if partial:  # the lines a national file holds, not every product: their sum is not the flow's total
            basis += " (partial: not every product)"
        order = (rule.rank, lvl if lvl == level else 100 - lvl)  # as published first, else the finest detail
        line_grade = "A" if src == OFFICIAL else max(grade(q) for q in str(qualities).split(", "))
        if partial or (level == 0 and "partial" in basis):
            line_grade = max(line_grade, "B")  # a sum that is not the whole flow is never grade A
        fr = FlowRow(period, flow, float(value), n, rule.name, est, str(qualities), line_grade, basis, releases)
        key = (period, flow)
        if key not in best or order < best[key][0]:
            best[key] = (order, fr)
    return [fr for _, fr in sorted(best.values(), key=lambda x: (x[1].period, x[1].flow))]


def reported_rows(store: Store, source: str, reporter: str, partner: str) -> list[dict[str, Any]]:
    """Canonical rows a reporter itself reported with a partner in one source (no estimates).

    Each row carries its release's checksum: the input of mirror estimates.
    """
    rel = store.con.execute(
        "SELECT f.*, r.checksum FROM flows f JOIN releases r USING (release) "
        "WHERE f.source = ? AND f.estimate <> 'mirror' AND f.reporter = ? AND f.partner = ? "
        "ORDER BY f.period, f.flow, f.product_level, f.product", [source, reporter, partner])
    cols = [d[0] for d in rel.description]
    return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]


# -- energy history (the target tracker's energy component) ------------------------------------------
#: for the energy history: own detail summing to at least this share of imports gives HS 27 exactly
ENERGY_FULL_COVERAGE = 0.9
Basis = Literal["exact", "proxy", "lower_bound"]


@dataclass(frozen=True)
class EnergyPoint:
    """HS 27 imports from the partner in one year, and how the figure was obtained."""

    period: str
    value_usd: float
    basis: Basis
    note: str  # what the figure is, in words, with the release that served it
    release: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _energy_detail(store: Store, reporter: str, partner: str, periods: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Import detail and its HS 27 part per period, per (partner or region, level, quality).

    One query for all ``periods``.
    """
    rows = store.con.execute(
        f"""
        WITH report_flows AS ({REPORT_FLOWS})
        SELECT period, partner, product_level, quality, string_agg(DISTINCT release, ', '), sum(value_usd),
               coalesce(sum(value_usd) FILTER (WHERE left(product, 2) = $ch), 0),
               bool_or(product_level = 2 AND product = $ch), source, estimate
        FROM report_flows
        WHERE reporter = $r AND list_contains($partners, partner) AND flow = 'import'
              AND list_contains($periods, period) AND product_level >= 2
        GROUP BY period, partner, product_level, quality, source, estimate
        ORDER BY period, partner = $p DESC, product_level
        """, {"r": reporter, "p": partner, "partners": [partner, *groups_containing(partner)], "periods": periods,
              "ch": ENERGY_CHAPTER}).fetchall()
    # one source per (period, partner): the best-ranked, so two loads of the same figures never add up
    best: dict[tuple[str, str], int] = {}
    for r in rows:
        rule = _rank(r[8], r[9])
        if rule is not None:
            best[(r[0], r[1])] = min(best.get((r[0], r[1]), rule.rank), rule.rank)
    out: dict[str, list[tuple[Any, ...]]] = {}
    for r in rows:
        rule = _rank(r[8], r[9])
        if rule is not None and rule.rank == best[(r[0], r[1])]:
            out.setdefault(r[0], []).append(r[1:8])
    return out


def energy_point(pair: Pair, year: PeriodTotals, rows: list[tuple[Any, ...]]) -> EnergyPoint | None:
    """HS 27 imports in one year of the pair's series from that year's detail ``rows``; None when none holds it.

    Preference: the partner's own HS 27 chapter figure (exact, even in a top-N list: the chapter
    value itself is the partner's); the partner's detail covering ≥ 90% of official imports (exact
    as a sum of detail); a region's HS 27 share applied to the partner's official imports (proxy),
    never below the partner's own HS 27 headings where those are known; the partner's own HS 27
    headings alone (lower bound).
    """
    imports = year.imports_usd
    if imports is None or imports <= 0:
        return None
    own = [r for r in rows if r[0] == pair.partner]
    region = [r for r in rows if r[0] != pair.partner]
    for partner, level, _quality, release, _total, ch27, has_chapter in own:
        if has_chapter:
            return EnergyPoint(year.period, float(ch27), "exact",
                               f"the HS 27 chapter figure for {partner} in its HS{level} detail", release)
    for _partner, level, _quality, release, total, ch27, _ in own:
        if total >= ENERGY_FULL_COVERAGE * imports and ch27 > 0:
            return EnergyPoint(year.period, float(ch27), "exact",
                               f"sum of HS{level} detail covering {total / imports:.0%} of imports", release)
    floor = max((float(r[5]) for r in own), default=0.0)
    floor_release = next((r[3] for r in own if float(r[5]) == floor), "")
    for partner, level, _quality, release, total, ch27, _ in region:
        proxy = float(ch27) / float(total) * imports
        if proxy >= floor:
            return EnergyPoint(year.period, proxy, "proxy",
                               f"HS 27 share {ch27 / total:.1%} of the region {group_label(partner)} (HS{level}) "
                               "× official imports",
                               release)
        return EnergyPoint(year.period, floor, "lower_bound",
                           f"the partner's own HS 27 headings (above the region proxy {proxy / 1e6:,.0f} mn)",
                           floor_release)
    if floor > 0:
        return EnergyPoint(year.period, floor, "lower_bound",
                           "the partner's own HS 27 headings only (detail covers part of HS 27)", floor_release)
    return None


def energy_history(store: Store, pair: Pair, series: list[PeriodTotals]) -> list[EnergyPoint]:
    """HS 27 imports for every year of ``series`` that detail covers, oldest first."""
    detail = _energy_detail(store, pair.reporter, pair.partner, [y.period for y in series])
    return [p for y in series if (p := energy_point(pair, y, detail.get(y.period, []))) is not None]


# -- whole tables (``bilateral export``) -------------------------------------------------------------
#: the tables and views ``bilateral export`` writes; a name outside this list is never spliced into SQL
EXPORT_TABLES: tuple[str, ...] = ("flows", "flows_baci", "official_totals", "products", "sectors", "countries",
                                  "baci_countries", "releases")
EXPORT_OPTIONS = {"csv": "FORMAT csv, HEADER true", "json": "FORMAT json, ARRAY true",
                  "parquet": "FORMAT parquet, COMPRESSION zstd"}


def _export_name(table: str) -> str:
    if table not in EXPORT_TABLES:
        raise BilateralError(f"unknown table {table!r}; use one of {', '.join(EXPORT_TABLES)}")
    return table


def copy_table(store: Store, table: str, fmt: str, path: Path) -> None:
    """Write a whole table to ``path`` as csv, json or parquet; DuckDB streams it (no rows in Python)."""
    store.con.execute(f"COPY (SELECT * FROM {_export_name(table)}) TO ? ({EXPORT_OPTIONS[fmt]})", [str(path)])


def table_head(store: Store, table: str, limit: int) -> tuple[int, list[str], list[dict[str, Any]]]:
    """(row count, column names, the first ``limit`` rows) of a table, for a terminal view."""
    name = _export_name(table)
    total = store.con.execute(f"SELECT count(*) FROM {name}").fetchone()
    rel = store.con.execute(f"SELECT * FROM {name} LIMIT ?", [int(limit)])
    cols = [d[0] for d in rel.description]
    return (int(total[0]) if total else 0), cols, [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]


#: the tables ``export --partition`` writes (they have a period and an HS revision), and the keys
PARTITIONED_TABLES: tuple[str, ...] = ("flows", "flows_baci")
PARTITION_KEYS: tuple[str, ...] = ("year", "hs_revision")
#: partition value for rows without an HS revision (totals, some national files)
NO_REVISION = "none"


def partitioned_rows_sql(table: str) -> str:
    """A table's rows with the columns ``export --partition`` partitions on.

    ``year`` is the first year the period names; ``hs_revision`` is never null.
    """
    if table not in PARTITIONED_TABLES:
        raise BilateralError(f"--partition writes {' or '.join(PARTITIONED_TABLES)} (they have a period and an "
                             f"HS revision), not {table}")
    return (f"SELECT * REPLACE (coalesce(hs_revision, '{NO_REVISION}') AS hs_revision), "
            r"CAST(regexp_extract(period, '(\d{4})', 1) AS INTEGER) AS year "
            f"FROM {table}")
