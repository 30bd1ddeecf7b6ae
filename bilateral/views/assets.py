"""Files both renderings use: the partial plotly.js bundles, the chart script, the style sheet, the world outlines.

The dashboard serves them (under content-hashed URLs, compressed); the brief inlines them so it opens
offline. Everything lives in ``views/static``: ``app.js``, ``style.css``, ``topojson/`` and
``vendor/`` (the partial plotly.js bundles built by ``scripts/plotly_bundle``, described by
``vendor/bundles.json``). :func:`bundle_for` picks the smallest bundle that draws a set of charts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from bilateral.errors import BilateralError

if TYPE_CHECKING:
    from bilateral.views.charts import Chart

__all__ = ["STATIC_PACKAGE", "PlotlyBundle", "bundle_for", "bundles", "plotly_js", "static_bytes", "static_text",
           "trace_types"]

#: the package whose ``static/`` folder holds app.js, style.css, topojson/ and vendor/
STATIC_PACKAGE = "bilateral.views"
#: the folder of the plotly.js bundles and their manifest, under ``static/``
VENDOR = "vendor"
#: trace type plotly.js assumes when a trace names none
DEFAULT_TRACE = "scatter"


@dataclass(frozen=True)
class PlotlyBundle:
    """One partial plotly.js bundle: its file under ``static/vendor``, the trace types it draws, its size."""

    name: str
    file: str
    traces: frozenset[str]
    bytes: int
    sha256: str

    @property
    def path(self) -> str:
        """The file's path under ``static/`` (``vendor/plotly-basic.min.js``)."""
        return f"{VENDOR}/{self.file}"


@cache
def bundles() -> tuple[PlotlyBundle, ...]:
    """The shipped bundles, smallest first (from ``static/vendor/bundles.json``)."""
    manifest = json.loads(static_text(VENDOR, "bundles.json"))
    out = [PlotlyBundle(name, b["file"], frozenset(b["traces"]), int(b["bytes"]), b["sha256"])
           for name, b in manifest["bundles"].items()]
    return tuple(sorted(out, key=lambda b: b.bytes))


def trace_types(charts: Iterable[Chart]) -> frozenset[str]:
    """The Plotly trace types the charts with data draw (a trace without a type is a scatter)."""
    return frozenset(str(t.get("type") or DEFAULT_TRACE) for c in charts if c.has_data
                     for t in c.figure.get("data") or [])


def bundle_for(charts: Iterable[Chart]) -> PlotlyBundle | None:
    """The smallest bundle that draws every chart; None when no chart has anything to draw.

    A trace type no shipped bundle registers is a programming error (add it to
    ``scripts/plotly_bundle/build.mjs`` and rebuild), raised here rather than drawn as a blank chart.
    """
    needed = trace_types(charts)
    if not needed:
        return None
    for b in bundles():
        if needed <= b.traces:
            return b
    raise BilateralError(f"no plotly.js bundle draws the trace types {sorted(needed)}; "
                         "add them to scripts/plotly_bundle/build.mjs and rebuild")


@cache
def plotly_js(bundle: PlotlyBundle) -> bytes:
    """The bundle's JavaScript (read once per bundle)."""
    return static_bytes(*bundle.path.split("/"))


def static_bytes(*parts: str) -> bytes:
    """A file under ``views/static`` as bytes, e.g. ``static_bytes("vendor", "plotly-basic.min.js.br")``."""
    return resources.files(STATIC_PACKAGE).joinpath("static", *parts).read_bytes()


def static_text(*parts: str) -> str:
    """A file under ``views/static`` as text, e.g. ``static_text("topojson", "world_110m.json")``."""
    return static_bytes(*parts).decode("utf-8")
