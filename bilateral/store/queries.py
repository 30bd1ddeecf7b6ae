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
from typing import Any, Literal

from bilateral.errors import BilateralError, NotAvailableError
from bilateral.harmonise.pairs import Pair, parse_pair
from bilateral.harmonise.periods import Period, PeriodKind, parse_period
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
            rules.append(Rule(int(row["rank"]), row["source"], row["estimate"], row["table"], row["reason"]))
        except (KeyError, ValueError, TypeError):
            raise BilateralError(f"harmonise/data/source_precedence.csv, line {line}: needs rank (a number), "
                                 "source, estimate, table, reason") from None
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


def _candidates(store: Store, reporter: str, partner: str) -> list[tuple[Any, ...]]:
    """Every way the store could serve a yearly total of (reporter, partner).

    One row per (source, estimate, period, flow, level) with its sum, releases and qualities.
    """
    return store.con.execute(
        f"""
        WITH report_flows AS ({REPORT_FLOWS})
        SELECT '{OFFICIAL}' AS source, '{OFFICIAL}' AS estimate, period, period_kind, flow, CAST(0 AS TINYINT),
               max(value_usd), string_agg(DISTINCT release, ', ' ORDER BY release), '{OFFICIAL}', max(status)
        FROM official_totals
        WHERE authoritative AND reporter = $r AND partner = $p AND period_kind IN ('fy', 'cy')
        GROUP BY period, period_kind, flow
        UNION ALL
        SELECT source, estimate, period, period_kind, flow, product_level, sum(value_usd),
               string_agg(DISTINCT release, ', ' ORDER BY release), string_agg(DISTINCT quality, ', ' ORDER BY quality),
               NULL
        FROM report_flows
        WHERE reporter = $r AND partner = $p AND period_kind IN ('fy', 'cy')
        GROUP BY source, estimate, period, period_kind, flow, product_level
        """, {"r": reporter, "p": partner}).fetchall()


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
        if source != OFFICIAL and not all(serves_total(q) for q in str(qualities).split(", ")):
            continue  # partial detail, a region's figure, top lines only: not a total
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
        raise NotAvailableError(
            f"no trade figures for {p.label} in the store; load them with `bilateral ingest baci` (a CEPII BACI "
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


def period_of(label: str) -> Period:
    """The Period a canonical label names."""
    return parse_period(label)


# -- energy -----------------------------------------------------------------------------------------
ENERGY_CHAPTER = "27"


@dataclass(frozen=True)
class EnergyImports:
    """Imports of HS chapter 27 (mineral fuels, crude oil) from a partner in a period.

    ``exact`` is True when the chapter's value is the partner's own figure; otherwise ``share`` comes
    from detail that covers only part of imports or a region's figure, and ``basis`` says which.
    """

    period: str
    value_usd: float | None  # the chapter's value where known exactly, else share × official imports
    share: float
    exact: bool
    basis: str
    served: Served


def energy_imports(store: Store, pair: Pair | str, period: str) -> EnergyImports | None:
    """HS 27 imports of the pair in a period from the best detail loaded; None when no detail serves.

    Provisional implementation over ``indicators.trade``; the read layer replaces it.
    """
    from bilateral.indicators import trade

    p = _as_pair(pair)
    found = trade.energy_share(store, p.reporter, p.partner, period)
    if found is None:
        return None
    share, detail = found
    exact = detail["partner"] == p.partner and detail.get("quality") == "complete"
    served = Served("embedded", detail["release"], detail["quality"], f"share of HS{detail['level']} detail")
    return EnergyImports(period, None, share, exact, f"HS{detail['level']} detail for {detail['partner']}", served)
