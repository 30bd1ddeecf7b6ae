"""Files both renderings use: plotly.js, the chart script, the style sheet and the world outlines.

The dashboard serves them (``/vendor/plotly.min.js``, ``/static/…``); the brief inlines them so it
opens offline. plotly.js comes from the installed plotly package, the rest from ``views/static``.
"""

from __future__ import annotations

import threading
from importlib import resources

__all__ = ["STATIC_PACKAGE", "plotly_js", "static_text"]

#: the package whose ``static/`` folder holds app.js, style.css and topojson/ (served at /static)
STATIC_PACKAGE = "bilateral.views"

_plotly_lock = threading.Lock()
_plotly_cache: list[bytes] = []


def plotly_js() -> bytes:
    """plotly.min.js from the installed plotly package (read once)."""
    with _plotly_lock:
        if not _plotly_cache:
            _plotly_cache.append(resources.files("plotly").joinpath("package_data", "plotly.min.js").read_bytes())
        return _plotly_cache[0]


def static_text(*parts: str) -> str:
    """A file under ``views/static`` as text, e.g. ``static_text("topojson", "world_110m.json")``."""
    return resources.files(STATIC_PACKAGE).joinpath("static", *parts).read_text(encoding="utf-8")
