"""Indicator metadata from ``indicators.yml``: one entry per indicator, shown by `bilateral indicators`."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from bilateral.errors import BilateralError

REQUIRED_KEYS = ("title", "unit", "description", "sources")


@cache
def indicators() -> dict[str, dict[str, Any]]:
    text = resources.files("bilateral.indicators").joinpath("indicators.yml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)["indicators"]
    for name, meta in data.items():
        missing = [k for k in REQUIRED_KEYS if not meta.get(k)]
        if missing:
            raise BilateralError(f"indicators.yml: {name} lacks {missing}")
    return dict(data)


def describe(name: str) -> dict[str, Any]:
    try:
        return {"name": name, **indicators()[name]}
    except KeyError:
        raise BilateralError(f"unknown indicator {name!r}; see `bilateral indicators`") from None
