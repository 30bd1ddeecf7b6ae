"""The mirror release: where a reporter is silent, its partner's reports stand in, written to the store.

The rule (which flow mirrors which, the CIF/FOB factor, the quality tag) is
:func:`bilateral.harmonise.mirror.estimates`, a pure function. Here the reports are read through the
read layer and the estimates written as one release per direction, inside the ingest's transaction.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import duckdb

from bilateral.harmonise.mirror import CIF_FOB_FACTOR, CIF_FOB_SOURCE, MIRROR_SOURCE, estimates, release_name
from bilateral.sources.canonical import to_table
from bilateral.store import queries
from bilateral.store.db import Store
from bilateral.store.releases import ReleaseRecord

__all__ = ["CIF_FOB_FACTOR", "pair_flows", "rebuild"]


def rebuild(con: duckdb.DuckDBPyConnection, store: Store, a: str, b: str,
            factor: float = CIF_FOB_FACTOR) -> list[dict[str, Any]]:
    """Inside an open transaction: recompute the mirror estimates of a→b and b→a (the ingest path calls this).

    Reads the reports through the read layer, estimates with :func:`estimates`, writes with the store.
    """
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
    return [r.to_dict() for r in queries.pair_flows(store, f"{reporter}-{partner}", source, level)]
