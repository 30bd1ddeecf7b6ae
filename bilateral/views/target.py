"""The target page, ``GET /api/target`` and the brief's target section: is the pair on track for its target."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bilateral.errors import BilateralError
from bilateral.views import charts
from bilateral.views.base import View

if TYPE_CHECKING:
    from bilateral.harmonise.pairs import Pair
    from bilateral.harmonise.targets import Target
    from bilateral.models.target import TargetResult
    from bilateral.store.db import Store

__all__ = ["resolve", "target", "target_default"]


def target_default(pair: Pair) -> Target | None:
    """The pair's target from ``harmonise/data/targets.csv`` (None when the file holds none)."""
    from bilateral.harmonise.targets import target_for

    return target_for(pair)


def resolve(pair: Pair, target_usd: float | None, by: str | None) -> tuple[float, str]:
    """The target and its period: as given, else the pair's target on file (an error naming both when none is)."""
    if target_usd is not None and by is not None:
        return float(target_usd), str(by)
    default = target_default(pair)
    if default is None:
        raise BilateralError(f"no target on file for {pair.label}; give --target-usd and --by (e.g. FY2029-30)")
    return (float(target_usd if target_usd is not None else default.value_usd),
            str(by if by is not None else default.by))


def target(store: Store, pair: Pair, target_usd: float | None, by: str | None,
           base: str | None = None) -> View[TargetResult]:
    """``bilateral.models.target.track`` for the page: the calibrated forecast, p(reach) per candidate, the gap.

    The backtest that calibrates and chooses the forecast runs anyway (kept per process), so its
    coverage comes with it. A target left out comes from the file, and then the JSON names who announced it and where. A target
    at or below the base year's total is refused with one line before the model runs (the tracker
    measures the way up to a target; ``track`` would fail on a complex growth rate there).
    """
    from bilateral.models.target import track
    from bilateral.store.queries import period_totals

    usd, when = resolve(pair, target_usd, by)
    _, base_year = period_totals(store, pair, base)
    if base_year.total_usd is not None and usd <= base_year.total_usd:
        raise BilateralError(f"target US${usd / 1e9:,.2f} bn is not above {base_year.period}'s total trade "
                             f"(US${base_year.total_usd / 1e9:,.2f} bn); the tracker measures the way up to a target")
    tr = track(store, pair, target_usd=usd, by=when, base=base)
    data = tr.to_dict()
    default = target_default(pair)
    if default is not None and default.value_usd == usd and default.by == when:
        data["target"] = {**data["target"], "announced": default.announced, "source": default.source, "url": default.url}
    return View("target", tr, data, (charts.target_fan(data),))
