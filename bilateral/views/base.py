"""A view's typed result and its JSON twin.

Every page of the dashboard has a JSON twin under ``/api`` (datasette's rule): both come from one
:class:`View`, whose ``data`` is the JSON the route answers and whose ``charts`` the page and the
brief draw. :func:`to_json_bytes` is the one serialisation both use.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from bilateral.views.charts import Chart

__all__ = ["View", "clean", "to_json_bytes"]

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class View(Generic[T]):
    """A page's or a section's figures: the model's typed result, its JSON (``data``) and its charts."""

    name: str
    result: T
    data: dict[str, Any]
    charts: tuple[Chart, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON twin: what the API route answers for the same arguments."""
        return self.data

    def chart(self, chart_id: str) -> Chart:
        """The chart with this id (``overview-series``, ``corridor-map`` …)."""
        for c in self.charts:
            if c.id == chart_id:
                return c
        raise KeyError(f"view {self.name!r} has no chart {chart_id!r}; it has {[c.id for c in self.charts]}")


def clean(obj: Any) -> Any:
    """JSON-safe copy: NaN and infinities become null, tuples lists, dates ISO strings."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [clean(v) for v in obj]
    if isinstance(obj, str | int | bool) or obj is None:
        return obj
    if isinstance(obj, date):
        return obj.isoformat()
    if hasattr(obj, "item"):  # numpy scalars
        return clean(obj.item())
    return str(obj)


def to_json_bytes(obj: Any) -> bytes:
    """Compact UTF-8 JSON of a view's data (strict: no NaN)."""
    return json.dumps(clean(obj), ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
