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


MIRROR_QUALITY = "mirror_cif_fob"
_OPPOSITE = {"export": "import", "import": "export"}


def estimates(partner_reports: list[dict[str, Any]], reporter_reported: set[tuple[str, int, str]], release: str,
              factor: float = CIF_FOB_FACTOR) -> list[dict[str, Any]]:
    """Mirror estimates of a reporter's flows from its partner's reports (a pure function).

    ``partner_reports``: canonical flow rows the partner reported with the reporter (its exports to
    and imports from the reporter). ``reporter_reported``: the (period, product_level, flow) the
    reporter reported itself; those are never estimated. The partner's exports (FOB) become the
    reporter's imports raised by ``factor`` (CIF); its imports (CIF) become the reporter's exports
    lowered by it. Returns canonical rows with estimate ``mirror`` and quality ``mirror_cif_fob``.
    """
    out = []
    for p in partner_reports:
        flow = _OPPOSITE[p["flow"]]
        if (p["period"], int(p["product_level"]), flow) in reporter_reported:
            continue
        value = p["value_usd"] * factor if p["flow"] == "export" else p["value_usd"] / factor
        out.append({**p, "release": release, "reporter": p["partner"], "partner": p["reporter"], "flow": flow,
                    "value_usd": value, "estimate": "mirror", "quality": MIRROR_QUALITY})
    return out


def rebuild(con: duckdb.DuckDBPyConnection, store: Store, a: str, b: str,
            factor: float = CIF_FOB_FACTOR) -> list[dict[str, Any]]:
    """Inside an open transaction: recompute the mirror estimates of a→b and b→a (the ingest path calls this).

    Reads the reports through the read layer, estimates with :func:`estimates`, writes with the store.
    """
    from bilateral.sources.canonical import to_table
    from bilateral.store import queries

    out = []
    for reporter, partner in ((a, b), (b, a)):
        release = release_name(reporter, partner)
        store.clear_release(con, release)
        theirs = queries.reported_rows(store, MIRROR_SOURCE, partner, reporter)
        ours = {(r["period"], int(r["product_level"]), r["flow"])
                for r in queries.reported_rows(store, MIRROR_SOURCE, reporter, partner)}
        rows = estimates(theirs, ours, release, factor)
        if not rows:
            continue
        sources = sorted({(r["release"], r["checksum"]) for r in theirs})
        digest = hashlib.sha256(json.dumps([sources, factor]).encode()).hexdigest()
        store.replace_release(con, ReleaseRecord(
            release=release, source="mirror", version=f"CIF/FOB {factor}", file="derived in the store",
            checksum=digest, producer="bilateral (mirror estimate)", url=None, accessed=None, licence=None,
            origin={"from": [s[0] for s in sources], "cif_fob": CIF_FOB_SOURCE},
        ), {"flows": to_table("flows", [{k: v for k, v in r.items() if k != "checksum"} for r in rows])})
        out.append({"release": release, "rows": len(rows), "file": f"from {partner}'s reports"})
    return out


def pair_flows(store: Store, reporter: str, partner: str, source: str = MIRROR_SOURCE,
               level: int = 0) -> list[dict[str, Any]]:
    """The reporter's flows with the partner by period (read through the read layer), as dicts."""
    from bilateral.store import queries

    return [r.to_dict() for r in queries.pair_flows(store, f"{reporter}-{partner}", source, level)]
