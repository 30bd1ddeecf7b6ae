"""Product detail behind a figure: the finest detail that serves it, its lines, partners and descriptions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bilateral.harmonise.periods import parse_period
from bilateral.store.db import Store
from bilateral.store.queries import REPORT_FLOWS, WORLD, Flow, _rank, precedence
from bilateral.store.queries.totals import Served, _figures, world_matrix_sides


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
    return dict(_read_lines(store, detail.reporter, detail.partner, detail.flow, ds.source, ds.estimate, ds.level,
                            [detail.period], digits)[detail.period])


def read_lines(store: Store, reporter: str, partner: str, flow: Flow, periods: list[str], levels: tuple[int, ...]) -> None:
    """Read the serving detail of ``periods`` as held and rolled up to each of ``levels`` digits, in one scan.

    A page that shows a flow's sectors (from the lines as held), its top HS4 products and the largest
    line of each (the overview) reads them at once; :func:`sector_values`, :func:`product_values` and
    :func:`lines` then answer from the store's cache.
    """
    for (source, estimate, held), group in _serving_groups(store, reporter, partner, flow, periods).items():
        _read_lines(store, reporter, partner, flow, source, estimate, held, group, held, levels)


def _serving_groups(store: Store, reporter: str, partner: str, flow: Flow,
                    periods: list[str]) -> dict[tuple[str, str, int], list[str]]:
    """The periods grouped by the (source, estimate, level) of the detail serving each; unserved ones left out."""
    groups: dict[tuple[str, str, int], list[str]] = {}
    for period in periods:
        ds = detail_source(store, reporter, partner, flow, period)
        if ds is not None:
            groups.setdefault((ds.source, ds.estimate, ds.level), []).append(period)
    return groups


def _read_lines(store: Store, reporter: str, partner: str, flow: Flow, source: str, estimate: str, held: int,
                periods: list[str], digits: int, rollups: tuple[int, ...] = ()) -> dict[str, dict[str, float]]:
    """Period → code (``digits`` long) → US$ of one source's HS``held`` detail, cached on the store.

    The periods not yet read at ``digits`` are read in one scan, summed by code at ``digits`` and at
    each of ``rollups`` shorter than ``held`` (one grouping set each: every sum is DuckDB's, over the
    rows of its code). Cached like the figures, until the store's next transaction.
    """
    cache: dict[tuple[Any, ...], dict[str, float]] = store.__dict__.setdefault("_lines_cache", {})
    base = (reporter, partner, flow, source, estimate, held, store.generation)
    todo = [p for p in dict.fromkeys(periods) if (*base, p, digits) not in cache]
    if todo:
        sets = sorted({digits, *(d for d in rollups if d < held)}, reverse=True)
        cols = [f"c{d}" for d in sets]
        # grouping(c8, c4, …) has a 0 bit for the one code column of a row's set
        by_mask = {sum(1 << (len(sets) - 1 - j) for j in range(len(sets)) if j != i): d for i, d in enumerate(sets)}
        rows = store.con.execute(
            f"""
            SELECT period, coalesce({", ".join(cols)}), grouping({", ".join(cols)}), sum(value_usd)
            FROM (SELECT period, {", ".join(f"left(product, {d}) AS c{d}" for d in sets)}, value_usd
                  FROM {_relation(source)}
                  WHERE source = $source AND estimate = $estimate AND product_level = $level AND reporter = $reporter
                    AND partner = $partner AND flow = $flow AND list_contains($periods, period))
            GROUP BY GROUPING SETS ({", ".join(f"(period, {c})" for c in cols)})
            """, {"source": source, "estimate": estimate, "level": held, "reporter": reporter, "partner": partner,
                  "flow": flow, "periods": todo}).fetchall()
        read: dict[tuple[str, int], dict[str, float]] = {(p, d): {} for p in todo for d in sets}
        for period, code, mask, value in rows:
            read[(str(period), by_mask[mask])][str(code)] = float(value)
        for (period, d), values in read.items():
            cache[(*base, period, d)] = values
    return {p: cache[(*base, p, digits)] for p in periods}


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
    out: dict[str, dict[str, float]] = {}
    for (source, estimate, held), group in _serving_groups(store, reporter, partner, flow, periods).items():
        digits = held if level is None else min(level, held)
        for period, codes in _read_lines(store, reporter, partner, flow, source, estimate, held, group, digits).items():
            if codes:
                out[period] = dict(codes)
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
    """Summit sector → period → US$, from each period's serving detail (longest HS prefix wins).

    With the world (WLD) as partner, a calendar year no loaded detail serves is summed from a loaded
    BACI world matrix: the reporter's exports to (imports from) every partner by HS6.
    """
    from bilateral.harmonise.sectors import sector_of

    out: dict[str, dict[str, float]] = {}
    by_period = _lines_by_period(store, reporter, partner, flow, periods, None)
    if partner == WORLD:
        for period in periods:
            if not by_period.get(period):
                codes = _matrix_world_lines(store, reporter, flow, period)
                if codes:
                    by_period[period] = codes
    for period, codes in by_period.items():
        sums: dict[str, float] = {}  # each sector's lines added in the order read, one period at a time
        for code, value in codes.items():
            sector = sector_of(code)
            sums[sector] = sums.get(sector, 0.0) + value
        for sector, value in sums.items():
            out.setdefault(sector, {})[period] = value
    return out


def _matrix_world_lines(store: Store, reporter: str, flow: Flow, period: str) -> dict[str, float]:
    """HS6 → US$ of the reporter's exports to (imports from) the world in a calendar year, from a loaded BACI year."""
    p = parse_period(period)
    if p.kind != "cy":
        return {}
    found = world_matrix_sides(store, reporter, p.year)
    if found is None or not found[1 if flow == "export" else 2]:
        return {}
    wm = found[0]
    side, col = (wm.exports, "exporter") if flow == "export" else (wm.imports, "importer")
    cur = store.con.cursor()  # its own connection: callers may run concurrently on one store
    try:
        rows = cur.execute(f"SELECT hs6, sum(value_usd) FROM ({side}) WHERE {col} = ? GROUP BY hs6", [reporter]).fetchall()
    finally:
        cur.close()
    return {str(code): float(v) for code, v in rows if v is not None}


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
