"""The agenda page, ``GET /api/agenda`` and the brief's agenda status; the claim check (page and API)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from bilateral.views import charts
from bilateral.views.base import View, to_json_bytes

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

    from bilateral.agenda.claims import ClaimCheck, Prepared
    from bilateral.agenda.registry import Registry
    from bilateral.harmonise.pairs import Pair
    from bilateral.store.db import Store

__all__ = ["agenda", "check", "check_json"]


def agenda(store_path: Path | None, pillar: str | None, status: str | None) -> View[Registry]:
    """The summit's commitments of a pillar and status (None: all) with their evidence, and the timeline.

    The registry is the packaged one with the updates kept beside the store (``store_path``).
    """
    from bilateral.agenda.registry import load_registry

    reg = load_registry(None, store=store_path)
    chosen = reg.select(pillar, status)
    data: dict[str, Any] = {"summit": dict(reg.summit), "updates": reg.updates,
                            "commitments": [c.to_dict() for c in chosen]}
    return View("agenda", reg, data, (charts.agenda_timeline(data["commitments"]),))


def check(store: Store, text: str | Prepared, when: date | None, pair: Pair) -> View[list[ClaimCheck]]:
    """Every quantitative claim of an article (text, HTML, or already prepared) with its verdict, figure and source.

    Pass a :class:`~bilateral.agenda.claims.Prepared` (read and extracted beforehand) to keep the
    parsing out of whatever lock guards the store: only the judging reads it.
    """
    from bilateral.agenda.claims import Prepared, judge, prepare

    prepared = text if isinstance(text, Prepared) else prepare(text, when, pair=pair)
    checks = judge(store, prepared)
    day = prepared.date
    data = {"pair": pair.label, "date": day.isoformat() if day else None, "claims": [c.to_dict() for c in checks]}
    return View("check", checks, data)


def check_json(view: View[list[ClaimCheck]]) -> bytes:
    """The check view's JSON, the same bytes as ``to_json_bytes`` but without its cleaning walk.

    The claims are JSON-safe by construction (:meth:`ClaimCheck.to_dict`: strings, finite floats,
    lists), and an article yields thousands of them; a value that is not (a non-finite float, a
    date, a numpy integer) falls back to the general cleaning.
    """
    try:
        return json.dumps(view.data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    except (TypeError, ValueError):
        return to_json_bytes(view.data)
