"""The pairs the store can serve, with their periods and sources (the dashboard's pair selector, ``/api/pairs``).

A pair is listed with a period exactly when :func:`~bilateral.store.queries.totals.pair_totals` and
:func:`~bilateral.store.queries.flows.pair_flows` give a row for it: official totals, canonical flows of
a source the precedence file lists, or a cell of a loaded world matrix (each cell is the exporter's
export and the importer's import, so it serves both directions of the pair).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bilateral.harmonise.periods import parse_period
from bilateral.store.db import Store
from bilateral.store.queries import OFFICIAL, _rank, precedence
from bilateral.store.schema import BACI_SERVING

__all__ = ["PairCoverage", "served_pairs"]


@dataclass(frozen=True)
class PairCoverage:
    """A pair the store holds figures for: its periods (fiscal years first) and the sources that hold them."""

    reporter: str
    partner: str
    periods: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def pair(self) -> str:
        return f"{self.reporter}-{self.partner}"

    @property
    def span(self) -> str:
        """The periods as runs: ``FY2010-11–FY2025-26, CY2024``."""
        runs: list[list[str]] = []
        for label in self.periods:
            p = parse_period(label)
            if runs and parse_period(runs[-1][-1]).kind == p.kind and parse_period(runs[-1][-1]).shift(1) == p:
                runs[-1].append(label)
            else:
                runs.append([label])
        return ", ".join(r[0] if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)

    def to_dict(self) -> dict[str, Any]:
        return {"pair": self.pair, "reporter": self.reporter, "partner": self.partner, "periods": list(self.periods),
                "span": self.span, "sources": list(self.sources)}


def _index(store: Store) -> dict[tuple[str, str], tuple[set[str], set[str]]]:
    """(reporter, partner) → (periods, sources), read once per store generation."""
    cache: dict[int, dict[tuple[str, str], tuple[set[str], set[str]]]] = store.__dict__.setdefault(
        "_served_pairs_cache", {})
    if store.generation in cache:
        return cache[store.generation]
    rules = [(r.source, r.estimate) for r in precedence() if r.source != OFFICIAL]
    values = ", ".join(f"('{s}', '{e}')" for s, e in rules)
    cur = store.con.cursor()  # its own connection: callers may run concurrently on one store
    try:
        rows = cur.execute(
            f"""
            WITH rules(source, estimate) AS (VALUES {values})
            SELECT DISTINCT reporter, partner, period, '{OFFICIAL}' AS source, '{OFFICIAL}' AS estimate
            FROM official_totals WHERE authoritative AND period_kind IN ('fy', 'cy')
            UNION
            SELECT DISTINCT f.reporter, f.partner, f.period, f.source, f.estimate
            FROM flows f SEMI JOIN rules USING (source, estimate) WHERE f.period_kind IN ('fy', 'cy')
            """).fetchall()
        cells = cur.execute(
            f"""
            SELECT e.iso3, m.iso3, 'CY' || r.year
            FROM (SELECT DISTINCT release, i, j FROM baci_flows
                  WHERE release IN (SELECT release FROM ({BACI_SERVING}))) c JOIN baci_releases r USING (release)
            JOIN baci_countries e ON e.version = r.version AND e.code = c.i
            JOIN baci_countries m ON m.version = r.version AND m.code = c.j
            """).fetchall()
    finally:
        cur.close()
    out: dict[tuple[str, str], tuple[set[str], set[str]]] = {}

    def add(reporter: str, partner: str, period: str, name: str) -> None:
        periods, sources = out.setdefault((reporter, partner), (set(), set()))
        periods.add(period)
        sources.add(name)

    for reporter, partner, period, source, estimate in rows:
        rule = _rank(source, estimate)
        add(reporter, partner, period, rule.name if rule else source)
    for exporter, importer, period in cells:  # a cell is the exporter's export and the importer's import
        add(exporter, importer, period, "baci")
        add(importer, exporter, period, "baci")
    cache.clear()
    cache[store.generation] = out
    return out


def _order(label: str) -> tuple[int, str]:
    return (0 if label.startswith("FY") else 1, label)


def served_pairs(store: Store, reporter: str | None = None) -> list[PairCoverage]:
    """Every pair the store holds figures for (only ``reporter``'s when given), by reporter and partner."""
    rank = {r.name: r.rank for r in precedence()}
    return [PairCoverage(r, p, tuple(sorted(periods, key=_order)), tuple(sorted(sources, key=lambda s: rank.get(s, 99))))
            for (r, p), (periods, sources) in sorted(_index(store).items())
            if reporter is None or r == reporter]
