"""Yearly totals of a pair: which source serves each figure, the series, the reporter's world totals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from bilateral.errors import NotAvailableError
from bilateral.harmonise.pairs import Pair, parse_pair
from bilateral.harmonise.periods import PeriodKind, parse_period
from bilateral.store.db import Store
from bilateral.store.queries import OFFICIAL, REPORT_FLOWS, WORLD, _rank, grade, serves_total
from bilateral.store.queries.missing import NATIONAL_SOURCES, Missing, flow_missing, sum_missing


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
    missing: tuple[Missing, ...] = ()  # every figure of the period not served, with the reason from the data

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
            "missing": [m.to_dict() for m in self.missing],
        }

    @property
    def served_flows(self) -> int:
        """How many of the two flows a source serves (0, 1 or 2)."""
        return (self.exports_usd is not None) + (self.imports_usd is not None)


def _as_pair(pair: Pair | str) -> Pair:
    return parse_pair(pair) if isinstance(pair, str) else pair


_LEVEL_BASIS = {0: "reported total"}


def _figures(store: Store, reporter: str, partner: str) -> list[tuple[Any, ...]]:
    """Every figure the loaded sources hold for (reporter, partner) in years.

    One row per (source, estimate, period, kind, flow, level): its sum, line count, releases and
    qualities. Read by :func:`read_figures` (one scan for several partners); cached on the store object
    until its next transaction (every load is one; DuckDB lets no other process write while this one
    has the file open).
    """
    key = (reporter, partner, store.generation)
    cache = _figures_cache(store)
    if key not in cache:
        read_figures(store, reporter, [partner])
    return cache[key]


def _figures_cache(store: Store) -> dict[tuple[Any, ...], list[tuple[Any, ...]]]:
    cache: dict[tuple[Any, ...], list[tuple[Any, ...]]] = store.__dict__.setdefault("_figures_cache", {})
    return cache


#: the columns a figure is one row of (its sum, line count, releases and qualities are per group)
_FIGURE_KEY = "source, estimate, period, period_kind, flow, product_level"


def read_figures(store: Store, reporter: str, partners: Iterable[str]) -> None:
    """Read the figures of (reporter, p) for every p of ``partners`` not yet read, in one scan.

    A report that reads a pair, the regions containing its partner and the reporter's world trade
    (the overview) asks for all three at once instead of scanning the flows three times. The sums
    and line counts are DuckDB's, per figure; each figure's releases and qualities come from the same
    scan (a second grouping set), joined in sorted order.
    """
    cache = _figures_cache(store)
    gen = store.generation
    want = [p for p in dict.fromkeys(partners) if (reporter, p, gen) not in cache]
    if not want:
        return
    rows = store.con.execute(
        f"""
        WITH report_flows AS ({REPORT_FLOWS})
        SELECT partner, {_FIGURE_KEY}, release, quality, sum(value_usd), count(*), grouping(release)
        FROM report_flows
        WHERE reporter = $reporter AND list_contains($partners, partner) AND period_kind IN ('fy', 'cy')
        GROUP BY GROUPING SETS ((partner, {_FIGURE_KEY}), (partner, {_FIGURE_KEY}, release, quality))
        """, {"reporter": reporter, "partners": want}).fetchall()
    sums: dict[tuple[Any, ...], tuple[Any, Any]] = {}
    releases: dict[tuple[Any, ...], set[str]] = {}
    qualities: dict[tuple[Any, ...], set[str]] = {}
    for partner, *key_cols, release, quality, value, n, total in rows:
        key = (partner, *key_cols)
        if total:
            sums[key] = (value, n)
        else:
            releases.setdefault(key, set()).add(release)
            qualities.setdefault(key, set()).add(quality)
    found: dict[str, list[tuple[Any, ...]]] = {p: [] for p in want}
    for key in sorted(sums):
        value, n = sums[key]
        found[key[0]].append((*key[1:], value, n, ", ".join(sorted(releases[key])), ", ".join(sorted(qualities[key]))))
    for p, figures in found.items():
        cache[(reporter, p, gen)] = figures


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

    One row for every period in which the store holds anything for the pair (the periods
    ``pair_flows`` lists): a flow no source serves as a total is None and named in ``missing`` with
    the reason read from the loaded releases. ``period_kind`` 'fy' or 'cy' keeps one kind; None keeps
    both (fiscal and calendar years are never mixed into one figure). Oldest first, fiscal years
    before calendar years.
    """
    p = _as_pair(pair)
    cands = _candidates(store, p.reporter, p.partner)
    chosen = _pick(cands)
    held: dict[tuple[str, str, str], list[tuple[Any, ...]]] = {}
    for row in cands:
        if _rank(row[0], row[1]) is not None:
            held.setdefault((row[2], row[3], row[4]), [])
    for row in _figures(store, p.reporter, p.partner):
        if (row[2], row[3], row[4]) in held:
            held[(row[2], row[3], row[4])].append(row)
    periods = sorted({(k[1], k[0]) for k in held if period_kind is None or k[1] == period_kind})
    out = []
    for kind, period in periods:
        exp = chosen.get((period, kind, "export"))
        imp = chosen.get((period, kind, "import"))
        k: PeriodKind = "fy" if kind == "fy" else "cy"
        missing = tuple(
            flow_missing(store, p.reporter, p.partner, period, k, flow, held.get((period, kind, flow), ()),  # type: ignore[arg-type]
                         other[1] if other else None)
            for flow, mine, other in (("export", exp, imp), ("import", imp, exp)) if mine is None)
        out.append(PeriodTotals(p.label, period, k, exp[0] if exp else None, imp[0] if imp else None,
                                exp[1] if exp else None, imp[1] if imp else None,
                                missing + sum_missing(period, missing)))
    return out


def no_data(store: Store, pair: Pair | str) -> NotAvailableError:
    """The error for a pair the store holds nothing for: what is loaded instead, and what to load.

    When the store holds the reverse pair, the error's ``pair_hint`` names it (the CLI suggests
    ``--pair``, the dashboard links to it).
    """
    from bilateral.store.queries.missing import matrix_roles

    p = _as_pair(pair)
    reverse = Pair(p.partner, p.reporter)
    held = bool(pair_totals(store, reverse))
    hint = (f"; the store holds {reverse.label} (the same trade seen from {p.partner}'s side)" if held else "")
    national = NATIONAL_SOURCES.get(p.reporter, "")
    matrices = matrix_roles(store)
    why = ""
    if matrices:  # what the latest loaded world matrix says about the pair, from its cells
        m = matrices[0]
        reasons = dict.fromkeys(flow_missing(store, p.reporter, p.partner, f"CY{m.year}", "cy", flow, ()).reason
                                for flow in ("export", "import"))
        why = f": {'; '.join(reasons)}"
    return NotAvailableError(
        f"no trade figures for {p.label} in the store{why}{hint}; load them with `bilateral ingest baci FILE` (a CEPII BACI "
        f"release) or `bilateral ingest comtrade --reporter {p.reporter} --partner {p.partner}`"
        + (f" or {national}" if national else ""), pair_hint=reverse.label if held else None)


def default_period(rows: list[PeriodTotals]) -> PeriodTotals:
    """The period a report shows when none is asked: the latest with the most flows served.

    Among the periods with the most served flows (both, else one, else only partial detail), the
    kind the fiscal series counts in when it has one, and the latest of that kind.
    """
    best = max(t.served_flows for t in rows)
    top = [t for t in rows if t.served_flows == best]
    kind = "fy" if any(t.period_kind == "fy" for t in top) else "cy"
    return [t for t in top if t.period_kind == kind][-1]


def period_totals(store: Store, pair: Pair | str, period: str | None = None,
                  *, complete: bool = True) -> tuple[list[PeriodTotals], PeriodTotals]:
    """The series of a pair (of the asked period's kind) and the asked period in it.

    ``period`` None: the default period (:func:`default_period`). ``complete``: only periods with both
    flows (a model that needs both); otherwise every period the store holds anything for, a flow not
    served named in the period's ``missing``. Raises NotAvailableError saying what is loaded, why a
    figure is missing and what to load.
    """
    p = _as_pair(pair)
    rows = pair_totals(store, p)
    if not rows:
        raise no_data(store, p)
    everything = [t for t in rows if t.complete or not complete]
    if not everything:
        latest = default_period(rows)
        why = "; ".join(m.text for m in latest.missing if m.figure in ("exports_usd", "imports_usd"))
        raise NotAvailableError(f"no trade figures for {p.label} with both exports and imports in any period; in "
                                f"{latest.period}: {why}")
    if period is None:
        year = default_period(everything)
        return [t for t in everything if t.period_kind == year.period_kind], year
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
    if any(t.period == want.label for t in rows):
        t = next(t for t in rows if t.period == want.label)
        why = "; ".join(m.text for m in t.missing if m.figure in ("exports_usd", "imports_usd"))
        raise NotAvailableError(f"{p.label} in {want.label} lacks a flow this needs: {why}")
    raise NotAvailableError(f"no trade figures for {p.label} in {want.label}; available: {have}")


def _runs(series: list[PeriodTotals]) -> list[list[PeriodTotals]]:
    runs: dict[str, list[PeriodTotals]] = {}
    for t in series:
        runs.setdefault(t.period_kind, []).append(t)
    return list(runs.values())


def reporter_totals(store: Store, reporter: str, period: str) -> PeriodTotals | None:
    """The reporter's trade with the world in a period (for partner shares), or None if not loaded.

    Totals loaded for the reporter and the world (WLD) first; for a calendar year with no such totals,
    the sums of a loaded BACI year's cells: the reporter's exports to every partner, its imports from
    every supplier (a flow the matrix holds no cell of, e.g. a country BACI lists as no importer, stays
    None). The embedded 2024 slices are not used: they hold only India's exports and Russia's imports.
    """
    want = parse_period(period)
    for t in pair_totals(store, Pair(reporter, WORLD), period_kind=want.kind):
        if t.period == want.label:
            return t
    if want.kind != "cy":
        return None
    return _matrix_world_totals(store, reporter, want.year)


#: a loaded BACI release serves a country's trade with the world only when its cells name at least this
#: many exporters and importers: a world matrix (BACI 2024 names over 200 of each), not a slice of it
WORLD_MATRIX_MIN_COUNTRIES = 150


def world_matrix_sides(store: Store, reporter: str, year: int) -> tuple[Any, bool, bool] | None:
    """The loaded BACI matrix of ``year`` if it is a world matrix, with whether the reporter is in it.

    Returns (matrix, reporter is an exporter, reporter is an importer): where it is, its trade with the
    world is the sum of its cells. None when no world matrix of the year is loaded.
    """
    from bilateral.store import matrix
    from bilateral.store.queries.missing import matrix_roles

    wm = matrix.baci_matrix(store, year)
    if wm is None:
        return None
    roles = next((r for r in matrix_roles(store) if r.release == wm.release), None)
    if roles is None or min(len(roles.exporters), len(roles.importers)) < WORLD_MATRIX_MIN_COUNTRIES:
        return None
    return wm, reporter in roles.exporters, reporter in roles.importers


def _matrix_world_totals(store: Store, reporter: str, year: int) -> PeriodTotals | None:
    """The reporter's exports to and imports from the world summed over a loaded BACI world matrix, or None."""
    found = world_matrix_sides(store, reporter, year)
    if found is None:
        return None
    wm, exporter, importer = found
    cur = store.con.cursor()  # its own connection: callers may run concurrently on one store
    try:
        exp = (cur.execute(f"SELECT sum(value_usd) FROM ({wm.exports}) WHERE exporter = ?", [reporter]).fetchone()
               if exporter else None)
        imp = (cur.execute(f"SELECT sum(value_usd) FROM ({wm.imports}) WHERE importer = ?", [reporter]).fetchone()
               if importer else None)
    finally:
        cur.close()
    values = [None if r is None or r[0] is None else float(r[0]) for r in (exp, imp)]
    if values == [None, None]:
        return None
    served = [None if v is None else Served("baci", wm.release, MATRIX_QUALITY,
                                            f"sum of HS6 cells of the world matrix ({side} every partner)")
              for v, side in zip(values, ("exports to", "imports from"), strict=True)]
    return PeriodTotals(Pair(reporter, WORLD).label, f"CY{year}", "cy", values[0], values[1], served[0], served[1])


#: the quality grade of a world-matrix cell read for a calendar year (quality.csv)
MATRIX_QUALITY = "baci_reconciled"


def calendar_year_totals(store: Store, pair: Pair | str, year: int) -> PeriodTotals | None:
    """A pair's flows in calendar year ``year``, each from the best-ranked loaded source.

    A flow no loaded source serves as a calendar-year total is read from the world trade matrix of
    that year where the matrix holds every cell of it (an ingested BACI year holds all; the
    embedded 2024 slices hold India's exports to every market and Russia's imports from every
    supplier), labelled as a sum of its HS6 cells. Never built from fiscal-year figures. None when
    neither flow is held.
    """
    from bilateral.store import matrix

    p = _as_pair(pair)
    label = f"CY{year}"
    have = next((t for t in pair_totals(store, p, period_kind="cy") if t.period == label), None)
    values: dict[str, tuple[float | None, Served | None]] = {
        "export": (have.exports_usd, have.exports_served) if have else (None, None),
        "import": (have.imports_usd, have.imports_served) if have else (None, None)}
    if any(v is None for v, _ in values.values()):
        try:
            wm: matrix.WorldMatrix | None = matrix.world_matrix(store, year)
        except NotAvailableError:
            wm = None
        for flow, (exporter, importer) in (("export", (p.reporter, p.partner)), ("import", (p.partner, p.reporter))):
            if values[flow][0] is not None or wm is None or not wm.has_pair(exporter, importer):
                continue
            cur = store.con.cursor()  # its own connection: callers may run concurrently on one store
            try:
                row = cur.execute(f"SELECT sum(value_usd) FROM ({wm.flows}) WHERE exporter = ? AND importer = ?",
                                  [exporter, importer]).fetchone()
            finally:
                cur.close()
            if row and row[0] is not None:
                values[flow] = (float(row[0]), Served(wm.source if wm.source != "embedded" else "baci", wm.release,
                                                      MATRIX_QUALITY, "sum of HS6 cells of the world matrix"))
    (exp, exp_s), (imp, imp_s) = values["export"], values["import"]
    if exp is None and imp is None:
        return None
    return PeriodTotals(p.label, label, "cy", exp, imp, exp_s, imp_s)


def month_totals(store: Store, pair: Pair | str, first: str, last: str) -> PeriodTotals | None:
    """A pair's trade over the months ``first`` to ``last`` (``YYYY-MM``), summed from monthly totals.

    Only a source that holds every one of those months for a flow serves it (the best-ranked such
    source; two sources are never added). None when neither flow is covered. The label is
    ``first/last``.
    """
    p = _as_pair(pair)
    y1, m1, y2, m2 = int(first[:4]), int(first[5:7]), int(last[:4]), int(last[5:7])
    wanted = (y2 - y1) * 12 + (m2 - m1) + 1
    if wanted <= 0:
        return None
    rows = store.con.execute(
        """
        SELECT source, estimate, flow, count(DISTINCT period), sum(value_usd),
               string_agg(DISTINCT release, ', ' ORDER BY release), string_agg(DISTINCT quality, ', ' ORDER BY quality)
        FROM flows
        WHERE period_kind = 'month' AND product_level = 0 AND reporter = ? AND partner = ? AND period BETWEEN ? AND ?
        GROUP BY source, estimate, flow
        """, [p.reporter, p.partner, first, last]).fetchall()
    best: dict[str, tuple[int, float, Served]] = {}
    for source, estimate, flow, months, value, releases, qualities in rows:
        rule = _rank(source, estimate)
        if rule is None or months != wanted or not all(serves_total(q) for q in str(qualities).split(", ")):
            continue
        if flow not in best or rule.rank < best[flow][0]:
            best[flow] = (rule.rank, float(value), Served(rule.name, releases, qualities, f"sum of {wanted} monthly totals"))
    if not best:
        return None
    exp, imp = best.get("export"), best.get("import")
    return PeriodTotals(p.label, f"{first}/{last}", "cy", exp[1] if exp else None, imp[1] if imp else None,
                        exp[2] if exp else None, imp[2] if imp else None)
