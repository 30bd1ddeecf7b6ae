"""Mirror reconciliation: where a reporter is silent, its partners' reports stand in.

Russia has not reported to UN Comtrade since 2022. For a period and flow a reporter did not report,
its flows are estimated from the partner's report of the opposite flow: the reporter's imports
from the partner's exports (FOB) raised by the CIF/FOB factor, its exports from the partner's
imports (CIF) lowered by it. Each estimate carries ``estimate = 'mirror'`` and the quality grade
of ``mirror_cif_fob`` (see ``harmonise/data/quality.csv``), and its release names the reports it
came from.
"""

from __future__ import annotations

import csv
import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

import duckdb

from bilateral.store.db import Store
from bilateral.store.releases import ReleaseRecord

#: CIF/FOB factor of the IMF's Direction of Trade Statistics: imports CIF ≈ exports FOB × 1.10
CIF_FOB_FACTOR = 1.10
CIF_FOB_SOURCE = "IMF Direction of Trade Statistics convention (CIF = FOB x 1.10)"
MIRROR_SOURCE = "comtrade"


@cache
def quality_grades() -> dict[str, dict[str, str]]:
    """Quality tag → grade (A best … D) and meaning, from ``harmonise/data/quality.csv``."""
    text = resources.files("bilateral.harmonise").joinpath("data/quality.csv").read_text(encoding="utf-8")
    return {r["quality"]: {"grade": r["grade"], "meaning": r["meaning"]} for r in csv.DictReader(text.splitlines())}


def grade(quality: str) -> str:
    return quality_grades().get(quality, {}).get("grade", "?")


def release_name(reporter: str, partner: str) -> str:
    return f"mirror/{MIRROR_SOURCE}/{reporter}-{partner}"


def rebuild(con: duckdb.DuckDBPyConnection, store: Store, a: str, b: str,
            factor: float = CIF_FOB_FACTOR) -> list[dict[str, Any]]:
    """Inside an open transaction: recompute the mirror estimates of a→b and b→a."""
    out = []
    for reporter, partner in ((a, b), (b, a)):
        release = release_name(reporter, partner)
        store.clear_release(con, release)
        sources = con.execute(
            """
            SELECT DISTINCT p.release, r.checksum FROM flows p JOIN releases r USING (release)
            WHERE p.source = ? AND p.estimate <> 'mirror' AND p.reporter = ? AND p.partner = ?
            ORDER BY 1
            """, [MIRROR_SOURCE, partner, reporter]).fetchall()
        con.execute(
            """
            INSERT INTO flows
            SELECT p.source, $release, p.period, p.period_kind, p.partner, p.reporter,
                   CASE p.flow WHEN 'export' THEN 'import' ELSE 'export' END, p.hs_revision, p.product,
                   p.product_level,
                   CASE p.flow WHEN 'export' THEN p.value_usd * $factor ELSE p.value_usd / $factor END,
                   p.quantity, p.quantity_unit, 'mirror', 'mirror_cif_fob'
            FROM flows p
            WHERE p.source = $source AND p.estimate <> 'mirror' AND p.reporter = $partner AND p.partner = $reporter
              AND NOT EXISTS (
                SELECT 1 FROM flows r
                WHERE r.source = $source AND r.estimate <> 'mirror' AND r.reporter = $reporter
                  AND r.partner = $partner AND r.period = p.period AND r.product_level = p.product_level
                  AND r.flow = CASE p.flow WHEN 'export' THEN 'import' ELSE 'export' END)
            """, {"release": release, "factor": factor, "source": MIRROR_SOURCE, "partner": partner,
                  "reporter": reporter})
        row = con.execute("SELECT count(*) FROM flows WHERE release = ?", [release]).fetchone()
        n = int(row[0]) if row else 0
        if n == 0:
            continue
        digest = hashlib.sha256(json.dumps([sources, factor]).encode()).hexdigest()
        store.record_release(con, ReleaseRecord(
            release=release, source="mirror", version=f"CIF/FOB {factor}", file="derived in the store",
            checksum=digest, producer="bilateral (mirror estimate)", url=None, accessed=None, licence=None,
            origin={"from": [s[0] for s in sources], "cif_fob": CIF_FOB_SOURCE},
        ), n)
        out.append({"release": release, "rows": n, "file": f"from {partner}'s reports"})
    return out


def pair_flows(store: Store, reporter: str, partner: str, source: str = MIRROR_SOURCE,
               level: int = 0) -> list[dict[str, Any]]:
    """The reporter's flows with the partner by period (read through the read layer), as dicts."""
    from bilateral.store import queries

    return [r.to_dict() for r in queries.pair_flows(store, f"{reporter}-{partner}", source, level)]
