"""Why a figure is missing: the reason read from what the store holds, and what would answer it.

A report serves every figure the store holds for a pair and period and names each one it cannot
serve with a :class:`Missing`: the reason comes from the loaded releases themselves (which release
lacks which reporter, importer, exporter or year, or holds only part of a flow), never from a list
kept in code, and the remedy names the file or command that would answer it.

The world matrices' roles (which countries appear as exporters and as importers in each loaded
BACI release) are read from the release's cells, once per store generation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bilateral.harmonise.periods import PeriodKind
from bilateral.store.db import Store
from bilateral.store.queries import Flow, _quality, _rank, serves_total

__all__ = ["FIGURE_LABELS", "NATIONAL_SOURCES", "MatrixRoles", "Missing", "flow_missing", "growth_missing", "matrix_roles",
           "sector_share_missing", "sum_missing"]

#: how outputs name each figure of a pair's totals
FIGURE_LABELS: dict[str, str] = {"exports_usd": "exports", "imports_usd": "imports",
                                 "total_trade_usd": "total trade", "balance_usd": "balance",
                                 "total_yoy": "growth on the year",
                                 "sector_partner_share": "partner's share of the reporter's exports by sector"}
_FLOW_FIGURE: dict[str, str] = {"export": "exports_usd", "import": "imports_usd"}
#: what loads a calendar year of any pair (placeholders: reporter, partner, year, flow code X or M)
BACI_REMEDY = "`bilateral ingest baci FILE --years {year}`"
COMTRADE_REMEDY = "`bilateral ingest comtrade --reporter {reporter} --partner {partner} --years {year}{flow}`"
#: national sources bilateral reads, by reporter (named in what-to-load advice for that reporter only)
NATIONAL_SOURCES: dict[str, str] = {"IND": "`bilateral ingest eidb PATH` (India's EIDB files)"}


@dataclass(frozen=True)
class Missing:
    """A figure the store cannot serve for a pair and period: why (from the data) and what would answer it."""

    figure: str  # a key of FIGURE_LABELS: exports_usd, imports_usd, total_trade_usd, balance_usd
    period: str
    reason: str
    remedy: str = ""

    @property
    def label(self) -> str:
        """``exports``, ``imports``, ``total trade``, ``balance``."""
        return FIGURE_LABELS.get(self.figure, self.figure)

    @property
    def text(self) -> str:
        """One line: ``imports: <reason>; to fill it: <remedy>``."""
        return f"{self.label}: {self.reason}" + (f"; to fill it: {self.remedy}" if self.remedy else "")

    def to_dict(self) -> dict[str, Any]:
        return {"figure": self.figure, "label": self.label, "period": self.period, "reason": self.reason,
                "remedy": self.remedy, "text": self.text}


@dataclass(frozen=True)
class MatrixRoles:
    """One loaded BACI release: its year and the countries that appear in its cells as exporters and importers."""

    release: str
    version: str
    year: int
    exporters: frozenset[str]
    importers: frozenset[str]


def matrix_roles(store: Store) -> tuple[MatrixRoles, ...]:
    """Every loaded BACI release with its exporters and importers (read from its cells), latest version first.

    Cached on the store object until its next transaction.
    """
    cache: dict[int, tuple[MatrixRoles, ...]] = store.__dict__.setdefault("_matrix_roles_cache", {})
    if store.generation not in cache:
        cur = store.con.cursor()  # its own connection: callers may run concurrently on one store
        try:
            # one release at a time: grouping its cells by the numeric codes alone takes a third of the time
            # of a DISTINCT over (release, code) for all of them (the release names hashed for every cell)
            rows = [(release, version, year, role, codes)
                    for release, version, year in cur.execute(
                        "SELECT release, version, year FROM baci_releases ORDER BY release").fetchall()
                    for role, codes in cur.execute(
                        """
                        WITH cells AS (SELECT 'e' AS role, i AS code FROM baci_flows WHERE release = $release GROUP BY i
                                       UNION ALL
                                       SELECT 'i', j FROM baci_flows WHERE release = $release GROUP BY j)
                        SELECT c.role, list(DISTINCT n.iso3)
                        FROM cells c JOIN baci_countries n ON n.version = $version AND n.code = c.code
                        GROUP BY c.role
                        """, {"release": release, "version": version}).fetchall()]
        finally:
            cur.close()
        found: dict[str, dict[str, Any]] = {}
        for release, version, year, role, codes in rows:
            entry = found.setdefault(release, {"version": version, "year": int(year), "e": [], "i": []})
            entry[role] = codes
        cache.clear()
        cache[store.generation] = tuple(sorted(
            (MatrixRoles(rel, e["version"], e["year"], frozenset(e["e"]), frozenset(e["i"])) for rel, e in found.items()),
            key=lambda m: (m.year, m.version, m.release), reverse=True))
    return cache[store.generation]


def _flow_words(reporter: str, partner: str, flow: Flow) -> str:
    return f"{reporter}'s exports to {partner}" if flow == "export" else f"{reporter}'s imports from {partner}"


def _money(value: float) -> str:
    return f"US${value / 1e6:,.2f} mn"


def flow_missing(store: Store, reporter: str, partner: str, period: str, kind: PeriodKind, flow: Flow,
                 held: Sequence[tuple[Any, ...]], other_served: Any = None) -> Missing:
    """Why no source serves (reporter, partner, flow) as a total in ``period``, from what the store holds.

    ``held``: the candidate figures the store holds for that key (rows of ``totals._figures``: source,
    estimate, period, kind, flow, level, value, lines, releases, qualities), none of which can stand as
    a total; ``other_served``: the :class:`~bilateral.store.queries.totals.Served` of the opposite
    flow, when one serves it (named when the same release holds it).
    """
    figure = _FLOW_FIGURE[flow]
    words = _flow_words(reporter, partner, flow)
    partial = sorted((r for r in held if _rank(r[0], r[1]) is not None),
                     key=lambda r: (_rank(r[0], r[1]).rank, -int(r[5])))  # type: ignore[union-attr]
    if partial:
        source, _est, _p, _k, _f, level, value, lines, releases, qualities = partial[0][:10]
        short = [q for q in str(qualities).split(", ") if not serves_total(q)]
        if short:
            meaning = "; ".join(dict.fromkeys(_quality().get(q, {}).get("meaning", q) for q in short))
            why = meaning[:1].lower() + meaning[1:]
        else:
            why = f"the {source} files publish selected products, not every one (source_precedence.csv)"
        n = int(lines)
        count = f"{n:,} line{'s' if n != 1 else ''}"
        what = "a total" if int(level) == 0 else f"HS{int(level)} detail ({count}, {_money(float(value))})"
        reason = f"{releases} holds {words} in {period} only as {what}, which is not the whole flow: {why}"
        return Missing(figure, period, reason, _remedy(reporter, partner, period, kind, flow))
    if kind == "cy":
        year = int(period[2:])
        exporter, importer = (reporter, partner) if flow == "export" else (partner, reporter)
        for m in matrix_roles(store):
            if m.year != year:
                continue
            if importer not in m.importers:
                why = f"{importer} is not an importer in {m.release} (its cells name {len(m.importers)} importers)"
            elif exporter not in m.exporters:
                why = f"{exporter} is not an exporter in {m.release} (its cells name {len(m.exporters)} exporters)"
            else:
                why = f"{m.release} holds no cell from {exporter} to {importer} (no trade recorded in it)"
            if flow == "import" and other_served is not None and m.release in str(other_served.release).split(", "):
                why += f"; {_flow_words(reporter, partner, 'export')} in {period} are {partner}'s imports in that release"
            return Missing(figure, period, why, _remedy(reporter, partner, period, kind, flow,
                                                        f"{importer}'s imports from {exporter} for {year}"))
        return Missing(figure, period, f"no loaded release holds {words} in {period}",
                       _remedy(reporter, partner, period, kind, flow))
    return Missing(figure, period, f"no loaded release holds {words} for {period}",
                   _remedy(reporter, partner, period, kind, flow))


def _remedy(reporter: str, partner: str, period: str, kind: PeriodKind, flow: Flow | None, what: str = "") -> str:
    """What would fill a flow (None: both flows) of a pair in a period: the file or command, by period kind."""
    code = "" if flow is None else " --flow " + ("X" if flow == "export" else "M")
    if kind == "cy":
        year = period[2:]
        return (f"load {what or year} from CEPII's BACI ({BACI_REMEDY.format(year=year)}) or UN Comtrade ("
                + COMTRADE_REMEDY.format(reporter=reporter, partner=partner, year=year, flow=code) + ")")
    return (f"fiscal-year totals come from the reporter's official series, and no file bilateral reads holds "
            f"{reporter}-{partner} in {period}; calendar years come from CEPII's BACI ({BACI_REMEDY.format(year='YYYY')}) "
            "or UN Comtrade (" + COMTRADE_REMEDY.format(reporter=reporter, partner=partner, year="YYYY", flow=code) + ")")


def sector_share_missing(reporter: str, partner: str, period: str) -> Missing:
    """The partner's share of the reporter's exports by sector, missing: no exports to the world by sector."""
    why = (f"needs {reporter}'s exports to the world by sector in {period}, which the store does not hold "
           "(a release with a reporter's exports to only some markets never stands for the world)")
    if period.startswith("CY"):
        year = period[2:]
        fill = f"load the whole world matrix of {year} from CEPII's BACI ({BACI_REMEDY.format(year=year)})"
    else:
        national = NATIONAL_SOURCES.get(reporter)
        fill = (f"{national}, with the reporter's exports to every partner" if national else
                "no file bilateral reads holds a fiscal year of this reporter's world exports; ask for a calendar year")
    return Missing("sector_partner_share", period, why, fill)


def sum_missing(period: str, missing: Iterable[Missing]) -> tuple[Missing, ...]:
    """Total trade and balance, missing because the flows named in ``missing`` are."""
    flows = [m.label for m in missing if m.figure in _FLOW_FIGURE.values()]
    if not flows:
        return ()
    why = (f"needs both exports and imports, and the {' and '.join(flows)} "
           f"{'figures are' if len(flows) > 1 else 'figure is'} missing")
    return (Missing("total_trade_usd", period, why), Missing("balance_usd", period, why))


def growth_missing(reporter: str, partner: str, period: str, previous: str, held: Any) -> Missing:
    """Growth on the year, missing because the previous period (``held``: its PeriodTotals, or None) lacks a total."""
    kind: PeriodKind = "cy" if previous.startswith("CY") else "fy"
    if held is None:
        why = f"needs {previous}, which the store does not hold for {reporter}-{partner}"
    else:
        gaps = [m.label for m in held.missing if m.figure in _FLOW_FIGURE.values()]
        why = (f"needs total trade in {previous}, where the {' and '.join(gaps)} "
               f"{'figures are' if len(gaps) > 1 else 'figure is'} missing")
    return Missing("total_yoy", period, why, _remedy(reporter, partner, previous, kind, None))
