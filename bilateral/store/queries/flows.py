"""A pair's flows by period at an HS level (``bilateral flows``), and the rows a reporter itself reported."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from bilateral.errors import BilateralError
from bilateral.harmonise.pairs import Pair
from bilateral.store.db import Store
from bilateral.store.queries import OFFICIAL, REPORT_FLOWS, grade, precedence, serves_total
from bilateral.store.queries.totals import _as_pair, _candidates


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
