"""Scenario files for the target tracker: a deterministic path per component (every number an assumption)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from bilateral.errors import BilateralError
from bilateral.harmonise.sectors import titles as sector_titles
from bilateral.models.target.data import brent_hold
from bilateral.models.target.results import ScenarioResult

# -- scenarios ------------------------------------------------------------------------------------
SCENARIO_KEYS = {"name", "title", "description", "brent_usd", "energy_volume_growth", "other_imports_growth",
                 "exports_growth"}


@dataclass(frozen=True)
class Scenario:
    """A deterministic path for each component (every number an assumption)."""

    name: str
    title: str
    description: str
    brent_usd: tuple[float, ...]  # per projected year
    energy_volume_growth: float
    other_imports_growth: float
    exports_growth: dict[str, float]  # sector → growth a year; 'default' for the rest

    def growth_for(self, sector: str) -> float:
        return self.exports_growth.get(sector, self.exports_growth.get("default", 0.0))


def price_path(spec: Any, years: int, where: str) -> tuple[float, ...]:
    """``hold`` (the last 12 months' average, flat) or a list of US$/bbl (the last value carried on)."""
    if spec == "hold":
        return (brent_hold()[0],) * years
    if isinstance(spec, list) and spec and all(isinstance(v, int | float) and v > 0 for v in spec):
        return tuple(float(spec[min(t, len(spec) - 1)]) for t in range(years))
    raise BilateralError(f"{where}: brent_usd must be 'hold' or a list of prices in US$/bbl, e.g. [80, 75]")


@dataclass(frozen=True)
class ScenarioFile:
    forecast_brent_usd: tuple[float, ...]
    forecast_brent_note: str
    scenarios: tuple[Scenario, ...]


def load_scenarios(path: Path | None, years: int) -> ScenarioFile:
    """Scenarios and the forecast's price path from YAML (default: the file shipped with bilateral)."""
    if path is None:
        text = resources.files("bilateral.models").joinpath("scenarios/default.yml").read_text(encoding="utf-8")
        where = "bilateral/models/scenarios/default.yml"
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise BilateralError(f"cannot read scenario file {path}: {exc.strerror}") from None
        where = str(path)
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise BilateralError(f"{where}: not valid YAML ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("scenarios"), list):
        raise BilateralError(f"{where}: expected a top-level 'scenarios:' list")
    fspec = doc.get("forecast_brent_usd", "hold")
    fpath = price_path(fspec, years, f"{where}: forecast_brent_usd")
    fnote = brent_hold()[1] if fspec == "hold" else f"Brent path set in {where}: {list(fpath)} US$/bbl"
    known = set(sector_titles()) | {"default"}
    out = []
    for n, s in enumerate(doc["scenarios"], start=1):
        if not isinstance(s, dict):
            raise BilateralError(f"{where}: scenario {n} is not a mapping")
        missing = SCENARIO_KEYS - set(s)
        if missing:
            raise BilateralError(f"{where}: scenario {s.get('name', n)!r} lacks {sorted(missing)}")
        if not isinstance(s["exports_growth"], dict):
            raise BilateralError(f"{where}: scenario {s['name']!r}: exports_growth must map sectors to growth rates")
        bad = set(s["exports_growth"]) - known
        if bad:
            raise BilateralError(f"{where}: scenario {s['name']!r}: unknown sectors {sorted(bad)}; use {sorted(known)}")
        try:
            out.append(Scenario(
                name=str(s["name"]), title=str(s["title"]), description=str(s["description"]).strip(),
                brent_usd=price_path(s["brent_usd"], years, f"{where}: scenario {s['name']!r}"),
                energy_volume_growth=float(s["energy_volume_growth"]),
                other_imports_growth=float(s["other_imports_growth"]),
                exports_growth={str(k): float(v) for k, v in s["exports_growth"].items()}))
        except (TypeError, ValueError):
            raise BilateralError(f"{where}: scenario {s['name']!r}: growth rates must be numbers, e.g. 0.05") from None
    return ScenarioFile(fpath, fnote, tuple(out))


def _scenario(sc: Scenario, exports_by: dict[str, float], energy: float, base_price: float, other: float,
              periods: Sequence[str], target_usd: float) -> ScenarioResult:
    rows: list[dict[str, float | str]] = []
    for t, p in enumerate(periods, start=1):
        x = sum(v * (1 + sc.growth_for(s)) ** t for s, v in exports_by.items())
        e = energy * sc.brent_usd[t - 1] / base_price * (1 + sc.energy_volume_growth) ** t if energy else 0.0
        o = other * (1 + sc.other_imports_growth) ** t
        rows.append({"period": p, "exports_usd": x, "energy_imports_usd": e, "other_imports_usd": o,
                     "total_trade_usd": x + e + o, "balance_usd": x - e - o})
    end = rows[-1]
    change = {"exports": float(end["exports_usd"]) - sum(exports_by.values()),
              "energy_imports": float(end["energy_imports_usd"]) - energy,
              "other_imports": float(end["other_imports_usd"]) - other}
    total = float(end["total_trade_usd"])
    return ScenarioResult(sc.name, sc.title, sc.description, tuple(rows), total, target_usd - total, change,
                          {"brent_usd": list(sc.brent_usd), "energy_volume_growth": sc.energy_volume_growth,
                           "other_imports_growth": sc.other_imports_growth, "exports_growth": sc.exports_growth})
