"""Scenario files for the target tracker: a deterministic path per component (every number an assumption)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from bilateral import validation
from bilateral.errors import BilateralError, InputError
from bilateral.harmonise.sectors import titles as sector_titles
from bilateral.models.target.data import PriceSpec, parse_price_spec
from bilateral.models.target.results import ScenarioResult

SCENARIO_KEYS = {"name", "title", "description", "brent_usd", "energy_volume_growth", "other_imports_growth",
                 "exports_growth"}
DEFAULT_FILE = "bilateral/models/scenarios/default.yml"


@dataclass(frozen=True)
class Scenario:
    """A deterministic path for each component (every number an assumption)."""

    name: str
    title: str
    description: str
    brent_usd: PriceSpec  # 'base', 'latest' or US$/bbl per projected year (resolved at the base)
    energy_volume_growth: float
    other_imports_growth: float
    exports_growth: dict[str, float]  # sector → growth a year; 'default' for the rest

    def growth_for(self, sector: str) -> float:
        """The export growth a year of a summit sector (the 'default' rate for a sector not named)."""
        return self.exports_growth.get(sector, self.exports_growth.get("default", 0.0))


@dataclass(frozen=True)
class ScenarioFile:
    """A scenario file: the forecast's Brent path and the scenarios."""

    where: str
    forecast_brent: PriceSpec
    scenarios: tuple[Scenario, ...]
    written_for: str | None = None  # the pair the descriptions speak of (e.g. IND-RUS); None: any pair

    def described_for(self, sc: Scenario, pair: str) -> str:
        """The scenario's description as shown for ``pair``: said to be written for another pair when it is."""
        if self.written_for is None or self.written_for == pair:
            return sc.description
        return f"Written for {self.written_for}; applied to {pair} at the same rates. {sc.description}"


def load_scenarios(path: Path | None) -> ScenarioFile:
    """Scenarios and the forecast's price path from YAML (default: the file shipped with bilateral)."""
    if path is None:
        text = resources.files("bilateral.models").joinpath("scenarios/default.yml").read_text(encoding="utf-8")
        where = DEFAULT_FILE
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
    fspec = parse_price_spec(doc.get("forecast_brent_usd", "base"), f"{where}: forecast_brent_usd")
    written_for = doc.get("written_for")
    if written_for is not None:
        try:
            written_for = validation.pair(str(written_for)).label
        except validation.InvalidValue as exc:
            raise InputError(str(exc), file=where, field="written_for") from None
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
        name = str(s["name"])
        out.append(Scenario(
            name=name, title=str(s["title"]), description=str(s["description"]).strip(),
            brent_usd=parse_price_spec(s["brent_usd"], f"{where}: scenario {name!r}: brent_usd"),
            energy_volume_growth=_growth(s["energy_volume_growth"], where, f"scenarios.{name}.energy_volume_growth"),
            other_imports_growth=_growth(s["other_imports_growth"], where, f"scenarios.{name}.other_imports_growth"),
            exports_growth={str(k): _growth(v, where, f"scenarios.{name}.exports_growth.{k}")
                            for k, v in s["exports_growth"].items()}))
    return ScenarioFile(where, fspec, tuple(out), written_for)


def _growth(raw: object, where: str, key: str) -> float:
    """A growth rate from a scenario file: a finite number from just above -1 to MAX_GROWTH, or one line naming the key."""
    if isinstance(raw, str):  # YAML 1.1 reads 5e-2 as text
        try:
            raw = float(raw)
        except ValueError:
            pass
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise InputError(f"growth {validation.quote(raw)} is not a number; write a fraction, e.g. 0.05 for +5% a year",
                         file=where, field=key)
    try:
        return validation.growth_rate(raw)
    except validation.InvalidValue as exc:
        raise InputError(str(exc), file=where, field=key) from None


def scenario_path(sc: Scenario, brent: Sequence[float], exports_by: dict[str, float], energy: float,
                  base_price: float, other: float, periods: Sequence[str], target_usd: float,
                  description: str | None = None) -> ScenarioResult:
    """The deterministic path of one scenario from the base split.

    ``brent``: its resolved price per year; ``description``: as shown for the pair asked (default the
    scenario's own).
    """
    rows: list[dict[str, float | str]] = []
    for t, p in enumerate(periods, start=1):
        x = sum(v * (1 + sc.growth_for(s)) ** t for s, v in exports_by.items())
        e = energy * brent[t - 1] / base_price * (1 + sc.energy_volume_growth) ** t if energy else 0.0
        o = other * (1 + sc.other_imports_growth) ** t
        rows.append({"period": p, "exports_usd": x, "energy_imports_usd": e, "other_imports_usd": o,
                     "total_trade_usd": x + e + o, "balance_usd": x - e - o})
    end = rows[-1]
    change = {"exports": float(end["exports_usd"]) - sum(exports_by.values()),
              "energy_imports": float(end["energy_imports_usd"]) - energy,
              "other_imports": float(end["other_imports_usd"]) - other}
    total = float(end["total_trade_usd"])
    shown = sc.description if description is None else description
    return ScenarioResult(sc.name, sc.title, shown, tuple(rows), total, target_usd - total, change,
                          {"brent_usd": list(brent), "energy_volume_growth": sc.energy_volume_growth,
                           "other_imports_growth": sc.other_imports_growth, "exports_growth": sc.exports_growth})
