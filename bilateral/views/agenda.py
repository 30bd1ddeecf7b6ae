"""The agenda page, ``GET /api/agenda`` and the brief's agenda status; the claim check (page and API)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bilateral.views import charts
from bilateral.views.base import View

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

    from bilateral.agenda.claims import ClaimCheck
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


def check(store: Store, text: str, when: date | None, pair: Pair) -> View[list[ClaimCheck]]:
    """Every quantitative claim of an article with its verdict, our figure and its source."""
    from bilateral.agenda.claims import check_text

    checks = check_text(store, text, date=when, pair=pair)
    data = {"pair": pair.label, "date": when.isoformat() if when else None, "claims": [c.to_dict() for c in checks]}
    return View("check", checks, data)
