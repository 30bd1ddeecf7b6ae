"""Settlement parameters and scenarios: the YAML file read, every value checked, each with its source or assumption."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from bilateral.errors import BilateralError, InputError
from bilateral.harmonise.periods import Period, parse_period

__all__ = [
    "CHANNELS", "CRUDE_CURRENCIES", "FIRST_PROJECTED", "PARAMETERS", "RUPEE", "SECURITIES_CHANNELS", "SHIPPED_WHERE",
    "TRADE_CURRENCIES", "Basis", "Param", "Scenario", "load_scenarios", "scenario_names",
]

RUPEE = "INR"
#: absorption channels, in the order they take from the balance
CHANNELS: tuple[str, ...] = ("government_securities", "corporate_debt", "third_country")
#: channels whose outflows are holdings of Indian securities (kept as a stock, no maturities or coupons)
SECURITIES_CHANNELS: tuple[str, ...] = ("government_securities", "corporate_debt")
#: currencies crude (HS 27) imports may be paid in
CRUDE_CURRENCIES: tuple[str, ...] = ("USD", "AED", "CNY", "INR", "RUB", "EUR", "OTHER")
#: currencies other trade may be paid in (THIRD: any third currency)
TRADE_CURRENCIES: tuple[str, ...] = ("INR", "RUB", "THIRD")
SHARE_TOLERANCE = 1e-9
SHIPPED_FILE = "settlement_scenarios.yml"
SHIPPED_WHERE = "bilateral/models/settlement_scenarios.yml"
FIRST_PROJECTED = "first_projected"
Basis = Literal["source", "assumption"]

# -- parameters ---------------------------------------------------------------------------------------
_NUMBER = "number"
_NONNEG = "non-negative number"
_GROWTH = "growth"
_FRACTION = "fraction"
_PATH = "path"
_DATE = "date"
_CRUDE = "crude shares"
_TRADE = "trade shares"

#: every parameter a scenario needs, and what kind of value it takes
PARAMETERS: dict[str, str] = {
    "mechanism_start": _DATE,
    "opening_balance_inr": _NONNEG,
    "inr_per_usd": _PATH,
    "rub_per_usd": _PATH,
    "exports_growth": _GROWTH,
    "energy_imports_growth": _GROWTH,
    "other_imports_growth": _GROWTH,
    "crude_currency": _CRUDE,
    "other_imports_currency": _TRADE,
    "exports_currency": _TRADE,
    **{f"channels.{c}.available_from": _DATE for c in CHANNELS},
    **{f"channels.{c}.cap_usd": _NONNEG for c in CHANNELS},
    **{f"channels.{c}.uptake": _FRACTION for c in CHANNELS},
}
_LEAF_KEYS = {"value", "growth", "source", "assumption", "url"}


@dataclass(frozen=True)
class Param:
    """One parameter: its value, and either its source or why it is an assumption."""

    name: str
    value: Any  # float, date, {currency: share} or {period label: value}
    basis: Basis
    note: str  # the source, or the assumption's reasoning
    url: str = ""
    growth: float | None = None  # paths only: yearly growth after the last labelled period

    def to_dict(self) -> dict[str, Any]:
        value = self.value.isoformat() if isinstance(self.value, date) else self.value
        return {"name": self.name, "value": value, "growth": self.growth, "basis": self.basis, "note": self.note,
                "url": self.url}

    def text(self) -> str:
        """The value as one short string (tables, CSV)."""
        if isinstance(self.value, date):
            return self.value.isoformat()
        if isinstance(self.value, dict):
            inner = ", ".join(f"{k}: {v:g}" for k, v in self.value.items())
            return "{" + inner + "}" + (f" then {self.growth:+.1%}/yr" if self.growth is not None else "")
        return f"{self.value:g}"


def _fail(where: str, field_name: str, message: str) -> InputError:
    return InputError(message, file=where, field=field_name)


def _number(raw: Any, where: str, fname: str) -> float:
    """A finite number; also a string such as ``2.0e9`` (which YAML 1.1 reads as text)."""
    if isinstance(raw, str):
        try:
            raw = float(raw)
        except ValueError:
            pass
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise _fail(where, fname, f"must be a number, not {raw!r}")
    return float(raw)


def _check_value(kind: str, raw: Any, where: str, fname: str) -> Any:
    """Parse and check one parameter value; raise InputError naming the file and field."""
    if kind == _DATE:
        if isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(str(raw))
        except ValueError:
            raise _fail(where, fname, f"must be a date such as 2022-07-11, not {raw!r}") from None
    if kind in (_CRUDE, _TRADE):
        allowed = CRUDE_CURRENCIES if kind == _CRUDE else TRADE_CURRENCIES
        if not isinstance(raw, dict) or not raw:
            raise _fail(where, fname, f"must map currencies ({', '.join(allowed)}) to shares that sum to 1")
        shares: dict[str, float] = {}
        for cur, v in raw.items():
            if str(cur) not in allowed:
                raise _fail(where, fname, f"unknown currency {cur!r}; use {', '.join(allowed)}")
            x = _number(v, where, f"{fname}.{cur}")
            if not 0.0 <= x <= 1.0:
                raise _fail(where, f"{fname}.{cur}", f"share {x:g} is outside 0-1")
            shares[str(cur)] = x
        total = sum(shares.values())
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise _fail(where, fname, f"shares sum to {total:g}; they must sum to 1")
        return shares
    if kind == _PATH:
        if isinstance(raw, dict):
            path: dict[str, float] = {}
            for label, v in raw.items():
                try:
                    p = parse_period(str(label))
                except BilateralError:
                    raise _fail(where, fname, f"{label!r} is not a period label such as FY2024-25") from None
                x = _number(v, where, f"{fname}.{label}")
                if x <= 0:
                    raise _fail(where, f"{fname}.{label}", f"rate {x:g} must be positive")
                path[p.label] = x
            return dict(sorted(path.items(), key=lambda kv: parse_period(kv[0])))
        x = _number(raw, where, fname)
        if x <= 0:
            raise _fail(where, fname, f"rate {x:g} must be positive")
        return x
    x = _number(raw, where, fname)
    if kind == _NONNEG and x < 0:
        what = "cap" if fname.endswith("cap_usd") else "value"
        raise _fail(where, fname, f"{what} {x:g} is negative; it must be 0 or more")
    if kind == _FRACTION and not 0.0 <= x <= 1.0:
        raise _fail(where, fname, f"{x:g} is outside 0-1")
    if kind == _GROWTH and x <= -1.0:
        raise _fail(where, fname, f"growth {x:g} must be above -1 (-100%)")
    return x


def _parse_params(node: Any, where: str, ctx: str, prefix: str = "") -> dict[str, Param]:
    """Flatten a YAML mapping of parameters (``channels: {gsec: {cap_usd: {value: …}}}``) into dotted names."""
    if not isinstance(node, dict):
        raise _fail(where, ctx + (f".{prefix}" if prefix else ""), "must be a mapping of parameters")
    out: dict[str, Param] = {}
    for key, sub in node.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        fname = f"{ctx}.{name}"
        if isinstance(sub, dict) and "value" in sub:
            if name not in PARAMETERS:
                raise _fail(where, fname, f"unknown parameter; known: {', '.join(PARAMETERS)}")
            extra = set(sub) - _LEAF_KEYS
            if extra:
                raise _fail(where, fname, f"unknown keys {sorted(extra)}; a parameter has value, source or "
                                          "assumption, url, growth")
            has_src, has_ass = bool(sub.get("source")), bool(sub.get("assumption"))
            if has_src == has_ass:
                raise _fail(where, fname, "needs exactly one of 'source' (with url) or 'assumption' (why this value)")
            kind = PARAMETERS[name]
            growth = sub.get("growth")
            if growth is not None:
                if kind != _PATH:
                    raise _fail(where, f"{fname}.growth", "only exchange-rate paths take a growth")
                growth = _check_value(_GROWTH, growth, where, f"{fname}.growth")
            out[name] = Param(name, _check_value(kind, sub["value"], where, fname),
                              "source" if has_src else "assumption", str(sub.get("source") or sub.get("assumption")),
                              str(sub.get("url") or ""), growth)
        elif isinstance(sub, dict):
            out.update(_parse_params(sub, where, ctx, name))
        else:
            raise _fail(where, fname, "must be {value: …, source|assumption: …} or a group of such parameters")
    return out


@dataclass(frozen=True)
class Scenario:
    """A named set of parameter overrides on top of the defaults, applying from a period on."""

    name: str
    title: str
    description: str
    applies_from: str  # 'first_projected' or a period label
    defaults: Mapping[str, Param] = field(compare=False)
    overrides: Mapping[str, Param] = field(compare=False)
    file: str = SHIPPED_WHERE

    def param(self, name: str, period: Period, from_period: Period | None) -> Param:
        """The parameter in force in ``period`` (the override from ``from_period`` on)."""
        if name in self.overrides and from_period is not None and period >= from_period:
            return self.overrides[name]
        return self.defaults[name]


def _read_yaml(text: str, where: str) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise BilateralError(f"{where}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(doc, dict):
        raise BilateralError(f"{where}: expected a mapping with 'defaults:' and/or 'scenarios:'")
    return doc


def _shipped_doc() -> dict[str, Any]:
    text = resources.files("bilateral.models").joinpath(SHIPPED_FILE).read_text(encoding="utf-8")
    return _read_yaml(text, SHIPPED_WHERE)


def _scenarios_from(doc: dict[str, Any], where: str, defaults: dict[str, Param]) -> list[Scenario]:
    defaults = {**defaults, **_parse_params(doc.get("defaults") or {}, where, "defaults")}
    missing = [n for n in PARAMETERS if n not in defaults]
    if missing:
        raise _fail(where, "defaults", f"lacks {', '.join(missing)}")
    raw = doc.get("scenarios")
    if not isinstance(raw, list) or not raw:
        raise _fail(where, "scenarios", "expected a list of scenarios (name, title, description, overrides)")
    out: list[Scenario] = []
    for n, s in enumerate(raw, start=1):
        if not isinstance(s, dict) or not s.get("name"):
            raise _fail(where, f"scenarios[{n}]", "each scenario needs a name, title, description and overrides")
        name = str(s["name"])
        if any(x.name == name for x in out):
            raise _fail(where, f"scenarios.{name}", "scenario names must be unique")
        applies = str(s.get("applies_from") or FIRST_PROJECTED)
        if applies != FIRST_PROJECTED:
            try:
                applies = parse_period(applies).label
            except BilateralError:
                raise _fail(where, f"scenarios.{name}.applies_from",
                            f"{applies!r} is neither {FIRST_PROJECTED} nor a period label such as FY2026-27") from None
        out.append(Scenario(name, str(s.get("title") or name), " ".join(str(s.get("description") or "").split()),
                            applies, defaults, _parse_params(s.get("overrides") or {}, where, f"scenarios.{name}.overrides"),
                            where))
    return out


def scenario_names() -> list[str]:
    """Names of the scenarios shipped with bilateral."""
    return [s.name for s in load_scenarios()]


def load_scenarios(spec: str | Path | None = None) -> list[Scenario]:
    """Scenarios: the shipped ones (None), one shipped by name, or every scenario of a YAML file.

    A file's ``defaults`` are laid over the shipped defaults, so a file may hold only scenarios.
    Raises InputError naming the file and the field for an impossible parameter.
    """
    shipped_doc = _shipped_doc()
    shipped = _scenarios_from(shipped_doc, SHIPPED_WHERE, {})
    if spec is None:
        return shipped
    path = Path(spec)
    if path.suffix in (".yml", ".yaml") or path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise BilateralError(f"cannot read scenario file {path}: {exc.strerror}") from None
        return _scenarios_from(_read_yaml(text, str(path)), str(path), dict(shipped[0].defaults))
    for s in shipped:
        if s.name == str(spec):
            return [s]
    raise BilateralError(f"unknown scenario {str(spec)!r}; use one of {', '.join(x.name for x in shipped)} or a YAML file")
