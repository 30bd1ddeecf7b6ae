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

from bilateral import validation
from bilateral.errors import BilateralError, InputError
from bilateral.harmonise.periods import Period, parse_period

__all__ = [
    "CHANNELS", "CRUDE_CURRENCIES", "FIRST_PROJECTED", "PARAMETERS", "RUPEE", "SECURITIES_CHANNELS", "SHIPPED_WHERE",
    "TRADE_CURRENCIES", "Basis", "Estimate", "Param", "Range", "RangeOf", "Scenario", "load_scenarios",
    "published_estimates", "scenario_names",
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
#: the most units of a currency per US dollar an exchange-rate path may give: a million, above the weakest
#: currencies in use (hundreds of thousands per dollar); larger is a typo or an overflow
MAX_UNITS_PER_USD = 1e6
#: the largest rupee amount (a vostro balance): MAX_USD at ₹1,000 per dollar
MAX_INR = validation.MAX_USD * 1_000
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
    "defence.payments_usd": _NONNEG,
    "defence.inr_share": _FRACTION,
    "defence.available_from": _DATE,
}
_LEAF_KEYS = {"value", "growth", "source", "assumption", "url", "range"}
_RANGE_KEYS = {"low", "high", "source", "assumption", "url"}
#: what a range varies: the value itself, the rupee share of a currency split, or a path's yearly growth
RangeOf = Literal["value", "INR share", "growth after the last labelled year"]


@dataclass(frozen=True)
class Range:
    """The interval an assumption may take, with its own source or reasoning (drawn triangular low–value–high)."""

    low: float
    high: float
    of: RangeOf
    basis: Basis
    note: str
    url: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "of": self.of, "basis": self.basis, "note": self.note,
                "url": self.url}


@dataclass(frozen=True)
class Param:
    """One parameter: its value, and either its source or why it is an assumption."""

    name: str
    value: Any  # float, date, {currency: share} or {period label: value}
    basis: Basis
    note: str  # the source, or the assumption's reasoning
    url: str = ""
    growth: float | None = None  # paths only: yearly growth after the last labelled period
    range: Range | None = None  # where the value may lie; None: held fixed

    @property
    def central(self) -> float | None:
        """The number a range varies around: the value, the rupee share, or a path's growth."""
        if self.range is None:
            return None
        if self.range.of == "INR share":
            return float(self.value.get(RUPEE, 0.0))
        if self.range.of == "value":
            return float(self.value)
        return self.growth

    def to_dict(self) -> dict[str, Any]:
        value = self.value.isoformat() if isinstance(self.value, date) else self.value
        return {"name": self.name, "value": value, "growth": self.growth, "basis": self.basis, "note": self.note,
                "url": self.url, "range": None if self.range is None else self.range.to_dict()}

    def text(self) -> str:
        """The value as one short string (tables, CSV)."""
        if isinstance(self.value, date):
            return self.value.isoformat()
        if isinstance(self.value, dict):
            inner = ", ".join(f"{k}: {v:g}" for k, v in self.value.items())
            return "{" + inner + "}" + (f" then {self.growth:+.1%}/yr" if self.growth is not None else "")
        if self.name.endswith("_usd") and self.value >= 1e6:
            return f"US${self.value / 1e9:,.2f} bn"
        return f"{self.value:,g}"


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


def _rate(raw: Any, where: str, fname: str) -> float:
    """An exchange rate (units of a currency per US dollar): positive and at most :data:`MAX_UNITS_PER_USD`."""
    x = _number(raw, where, fname)
    if x <= 0:
        raise _fail(where, fname, f"rate {x:g} must be positive")
    try:
        return validation.finite(x, low=0.0, high=MAX_UNITS_PER_USD, low_open=True, what="rate")
    except validation.InvalidValue as exc:
        raise _fail(where, fname, str(exc)) from None


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
                path[p.label] = _rate(v, where, f"{fname}.{label}")
            return dict(sorted(path.items(), key=lambda kv: parse_period(kv[0])))
        return _rate(raw, where, fname)
    x = _number(raw, where, fname)
    if kind == _NONNEG and x < 0:
        what = "cap" if fname.endswith("cap_usd") else "value"
        raise _fail(where, fname, f"{what} {x:g} is negative; it must be 0 or more")
    if kind == _FRACTION and not 0.0 <= x <= 1.0:
        raise _fail(where, fname, f"{x:g} is outside 0-1")
    if kind == _GROWTH and x <= -1.0:
        raise _fail(where, fname, f"growth {x:g} must be above -1 (-100%)")
    try:
        if kind == _GROWTH:
            validation.growth_rate(x)
        elif kind == _NONNEG:
            inr = fname.endswith("_inr")
            validation.finite(x, low=0.0, high=MAX_INR if inr else validation.MAX_USD, what="rupees" if inr else "US$")
    except validation.InvalidValue as exc:
        raise _fail(where, fname, str(exc)) from None
    return x


def _parse_range(raw: Any, kind: str, value: Any, growth: float | None, where: str, fname: str) -> Range | None:
    """A parameter's ``range: {low, high, source|assumption}``: low ≤ the central value ≤ high, in the kind's domain."""
    if raw is None:
        return None
    if kind == _DATE:
        raise _fail(where, fname, "dates take no range")
    if not isinstance(raw, dict) or "low" not in raw or "high" not in raw:
        raise _fail(where, fname, "must be {low: …, high: …, source|assumption: …}")
    extra = set(raw) - _RANGE_KEYS
    if extra:
        raise _fail(where, fname, f"unknown keys {sorted(extra)}; a range has low, high, source or assumption, url")
    has_src, has_ass = bool(raw.get("source")), bool(raw.get("assumption"))
    if has_src == has_ass:
        raise _fail(where, fname, "needs exactly one of 'source' (with url) or 'assumption' (why this range)")
    of: RangeOf
    if kind in (_CRUDE, _TRADE):
        of, central, domain = "INR share", float(value.get(RUPEE, 0.0)), _FRACTION
    elif kind == _PATH:
        if growth is None:
            raise _fail(where, fname, "a path's range varies its growth: give the path a growth first")
        of, central, domain = "growth after the last labelled year", growth, _GROWTH
    else:
        of, central, domain = "value", float(value), kind
    low = _check_value(domain, raw["low"], where, f"{fname}.low")
    high = _check_value(domain, raw["high"], where, f"{fname}.high")
    if not low <= central <= high:
        raise _fail(where, fname, f"low {low:g} and high {high:g} must enclose the value {central:g}")
    return Range(low, high, of, "source" if has_src else "assumption", str(raw.get("source") or raw.get("assumption")),
                 str(raw.get("url") or ""))


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
            value = _check_value(kind, sub["value"], where, fname)
            rng = _parse_range(sub.get("range"), kind, value, growth, where, f"{fname}.range")
            out[name] = Param(name, value, "source" if has_src else "assumption",
                              str(sub.get("source") or sub.get("assumption")), str(sub.get("url") or ""), growth, rng)
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
    reporter: str = ""  # whose currency (INR) the vostro accounts hold: the pairs the scenario models are its own

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


def _scenarios_from(doc: dict[str, Any], where: str, defaults: dict[str, Param], reporter: str = "") -> list[Scenario]:
    reporter = str(doc.get("reporter") or reporter)
    if not reporter.isalpha() or len(reporter) != 3:
        raise _fail(where, "reporter", f"{reporter!r} is not an ISO3 code: the country whose currency the accounts hold, "
                    "e.g. IND")
    reporter = reporter.upper()
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
                            where, reporter))
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
        return _scenarios_from(_read_yaml(text, str(path)), str(path), dict(shipped[0].defaults), shipped[0].reporter)
    for s in shipped:
        if s.name == str(spec):
            return [s]
    raise BilateralError(f"unknown scenario {str(spec)!r}; use one of {', '.join(x.name for x in shipped)} or a YAML file")


@dataclass(frozen=True)
class Estimate:
    """A published figure for the partner's rupee balances (press reports; no official series exists)."""

    date: date
    measure: Literal["balance", "securities"]  # the vostro balance, or the securities bought from it
    low_usd: float
    high_usd: float
    what: str
    source: str
    url: str

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "measure": self.measure, "low_usd": self.low_usd,
                "high_usd": self.high_usd, "what": self.what, "source": self.source, "url": self.url}


def published_estimates() -> tuple[Estimate, ...]:
    """The shipped file's ``published_estimates``: what the press reported, to set beside the modelled band."""
    out: list[Estimate] = []
    for n, raw in enumerate(_shipped_doc().get("published_estimates") or [], start=1):
        fname = f"published_estimates[{n}]"
        if not isinstance(raw, dict) or not all(raw.get(k) for k in ("date", "what", "source", "url")):
            raise _fail(SHIPPED_WHERE, fname, "needs date, low_usd, high_usd, what, source and url")
        low = _check_value(_NONNEG, raw.get("low_usd"), SHIPPED_WHERE, f"{fname}.low_usd")
        high = _check_value(_NONNEG, raw.get("high_usd"), SHIPPED_WHERE, f"{fname}.high_usd")
        if high < low:
            raise _fail(SHIPPED_WHERE, f"{fname}.high_usd", "must be at least low_usd")
        measure = raw.get("measure")
        if measure not in ("balance", "securities"):
            raise _fail(SHIPPED_WHERE, f"{fname}.measure", "must be balance or securities")
        out.append(Estimate(_check_value(_DATE, raw["date"], SHIPPED_WHERE, f"{fname}.date"), measure, low, high,
                            " ".join(str(raw["what"]).split()), str(raw["source"]), str(raw["url"])))
    return tuple(out)
