"""Mirror reconciliation: where a reporter is silent, its partners' reports stand in.

Russia has not reported to UN Comtrade since 2022. For a period and flow a reporter did not report,
its flows are estimated from the partner's report of the opposite flow: the reporter's imports
from the partner's exports (FOB) raised by the CIF/FOB factor, its exports from the partner's
imports (CIF) lowered by it. Each estimate carries ``estimate = 'mirror'`` and the quality grade
of ``mirror_cif_fob`` (see ``harmonise/data/quality.csv``), and its release names the reports it
came from.

This module holds the rule only (a pure function over rows); reading the reports and writing the
mirror release is :mod:`bilateral.sources.mirror`'s work.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from typing import Any

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
