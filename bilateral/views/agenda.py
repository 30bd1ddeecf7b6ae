"""The agenda page, ``GET /api/agenda`` and the brief's agenda status; the claim check (page and API)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bilateral.views import charts
from bilateral.views.base import View

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

    from bilateral.agenda.claims import ClaimCheck, Prepared
    from bilateral.agenda.registry import Registry
    from bilateral.harmonise.pairs import Pair
    from bilateral.store.db import Store

__all__ = ["agenda", "check"]


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
