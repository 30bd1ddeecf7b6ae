"""Rupee settlement: how the rupee balance in Special Rupee Vostro Accounts accumulates.

Since 11 July 2022 the Reserve Bank of India lets trade be invoiced and settled in rupees through
Special Rupee Vostro Accounts (SRVAs) held by partner-country banks (A.P. (DIR Series) Circular
No. 10). An Indian importer paying in rupees credits the partner's vostro account; an Indian
exporter paid in rupees is paid from it. When India imports far more than it exports, and part of
the imports is paid in rupees, rupees pile up; what is left can be placed in Indian government
securities (from the start), corporate debt (from 3 October 2025) or passed to third countries.

Per period (one fiscal or calendar year, the store's kind):

- inflow   = imports × [energy share × crude's rupee share + (1 − energy share) × other goods'
  rupee share] × the share of the period the mechanism was open × INR per USD;
- exports paid = exports × exports' rupee share × the same open share × INR per USD; if the
  balance cannot cover it, the partner's importers buy the missing rupees (``bought``);
- channels, in order, each take ``uptake`` × what is left, at most ``cap_usd`` × INR per USD ×
  the share of the period the channel was open;
- closing = opening + inflow + bought − exports paid − channel outflows (checked every period);
  in dollars and roubles at the period's rates.

Flows come from the read layer (official totals where they serve, any loaded source otherwise)
up to the last year the store holds both flows; later years follow the scenario's growth paths
and are labelled ``projected``. Parameters come from ``settlement_scenarios.yml``: each has a
source or is labelled an assumption, and every result lists them. The RBI does not publish
vostro balances by country: every balance here is a model estimate, never an official figure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from bilateral.errors import BilateralError, InputError
from bilateral.harmonise.pairs import Pair, parse_pair
from bilateral.harmonise.periods import Period, PeriodKind, parse_period
from bilateral.store.db import Store

__all__ = [
    "CHANNELS", "CRUDE_CURRENCIES", "TRADE_CURRENCIES", "Param", "PeriodFlows", "PeriodParams", "Scenario",
    "SettlementResult", "SettlementRow", "SettlementRun", "load_scenarios", "period_params", "run_model",
    "scenario_names", "simulate", "simulate_all",
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
DEFAULT_FROM = "FY2022-23"
DEFAULT_TO = "FY2029-30"
Basis = Literal["source", "assumption"]
RowKind = Literal["actual", "projected"]

NO_OFFICIAL_BALANCES = ("The Reserve Bank of India does not publish Special Rupee Vostro Account balances by country: "
                        "every balance here is a model estimate from trade flows and the stated parameters, not an "
                        "official figure.")

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


# -- per-period parameters -------------------------------------------------------------------------
def period_bounds(p: Period) -> tuple[date, date]:
    """First day of the period and first day after it (fiscal years run April to March)."""
    if p.kind == "fy":
        return date(p.year, 4, 1), date(p.year + 1, 4, 1)
    return date(p.year, 1, 1), date(p.year + 1, 1, 1)


def open_fraction(p: Period, since: date) -> float:
    """Share of the period on or after ``since`` (by days): 1 if open all period, 0 if not yet open."""
    first, after = period_bounds(p)
    if since <= first:
        return 1.0
    if since >= after:
        return 0.0
    return (after - since).days / (after - first).days


def period_of_date(d: date, kind: PeriodKind) -> Period:
    """The period of ``kind`` a day falls in."""
    if kind == "fy":
        return Period("fy", d.year if d.month >= 4 else d.year - 1)
    return Period("cy", d.year)


def path_value(param: Param, p: Period) -> float:
    """A path's value in a period: the latest label at or before it, compounded at ``growth`` after the last."""
    if not isinstance(param.value, dict):
        return float(param.value)
    points = [(parse_period(k), float(v)) for k, v in param.value.items()]
    same = [(q, v) for q, v in points if q.kind == p.kind]
    if not same:  # fiscal-year labels for a calendar year: FY2022-23 stands for CY2022 (9 of its 12 months)
        same = sorted((Period(p.kind, q.year), v) for q, v in points)
    before = [(q, v) for q, v in same if q <= p]
    if not before:
        return same[0][1]
    q, v = before[-1]
    if q == same[-1][0] and param.growth is not None and p > q:
        return v * (1.0 + param.growth) ** (p.year - q.year)
    return v


@dataclass(frozen=True)
class PeriodParams:
    """The parameters in force in one period, resolved to numbers."""

    inr_per_usd: float
    rub_per_usd: float
    crude_inr_share: float
    other_imports_inr_share: float
    exports_inr_share: float
    mechanism_open: float  # share of the period the rupee mechanism was open (0-1)
    caps_usd: tuple[float, ...]  # per channel, in CHANNELS order
    uptakes: tuple[float, ...]
    channel_open: tuple[float, ...]  # share of the period each channel was open
    exports_growth: float = 0.0
    energy_imports_growth: float = 0.0
    other_imports_growth: float = 0.0


def period_params(scenario: Scenario, p: Period, from_period: Period | None) -> PeriodParams:
    """Resolve a scenario's parameters for one period."""
    def get(name: str) -> Param:
        return scenario.param(name, p, from_period)

    return PeriodParams(
        inr_per_usd=path_value(get("inr_per_usd"), p),
        rub_per_usd=path_value(get("rub_per_usd"), p),
        crude_inr_share=float(get("crude_currency").value.get(RUPEE, 0.0)),
        other_imports_inr_share=float(get("other_imports_currency").value.get(RUPEE, 0.0)),
        exports_inr_share=float(get("exports_currency").value.get(RUPEE, 0.0)),
        mechanism_open=open_fraction(p, get("mechanism_start").value),
        caps_usd=tuple(float(get(f"channels.{c}.cap_usd").value) for c in CHANNELS),
        uptakes=tuple(float(get(f"channels.{c}.uptake").value) for c in CHANNELS),
        channel_open=tuple(open_fraction(p, get(f"channels.{c}.available_from").value) for c in CHANNELS),
        exports_growth=float(get("exports_growth").value),
        energy_imports_growth=float(get("energy_imports_growth").value),
        other_imports_growth=float(get("other_imports_growth").value),
    )


# -- the model -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PeriodFlows:
    """A period's trade (US$) and the energy (HS 27) share of imports, actual or projected."""

    period: str
    kind: RowKind
    exports_usd: float
    imports_usd: float
    energy_share: float
    energy_exact: bool = False
    energy_basis: str = ""
    source: str = ""  # who served the flows (actual) or how they were projected


@dataclass(frozen=True)
class SettlementRow:
    """One period of the rupee balance. Rupee amounts in INR, trade in US$."""

    period: str
    kind: RowKind
    exports_usd: float
    imports_usd: float
    energy_share: float
    energy_exact: bool
    energy_basis: str
    source: str
    inr_per_usd: float
    rub_per_usd: float
    rupee_share_imports: float  # of the period's imports, paid into vostro accounts
    rupee_share_exports: float  # of the period's exports, paid from vostro accounts
    opening_inr: float
    inflow_inr: float  # imports paid in rupees
    energy_inflow_inr: float  # the part of inflow from energy (HS 27) imports
    bought_inr: float  # rupees the partner's importers had to buy because the balance fell short
    exports_paid_inr: float  # exporters paid from vostro accounts (spending on Indian goods)
    channel_outflows_inr: tuple[float, ...]  # per channel, CHANNELS order
    closing_inr: float
    securities_held_inr: float  # cumulative government securities + corporate debt (no maturities)
    balancing_exports_usd: float | None  # exports at which rupee payments to exporters equal rupee inflows
    years_of_exports: float | None  # closing balance / the period's exports (in rupees)

    @property
    def outflows_inr(self) -> float:
        return self.exports_paid_inr + sum(self.channel_outflows_inr)

    @property
    def closing_usd(self) -> float:
        return self.closing_inr / self.inr_per_usd

    @property
    def closing_rub(self) -> float:
        return self.closing_usd * self.rub_per_usd

    @property
    def rupee_assets_inr(self) -> float:
        """What the partner holds in rupees: the vostro balance plus the securities bought from it."""
        return self.closing_inr + self.securities_held_inr

    @property
    def balancing_export_growth(self) -> float | None:
        if self.balancing_exports_usd is None or self.exports_usd <= 0:
            return None
        return self.balancing_exports_usd / self.exports_usd - 1.0

    @property
    def energy_share_of_deficit(self) -> float | None:
        """Energy imports over the trade deficit (above 1 when energy alone exceeds the deficit)."""
        deficit = self.imports_usd - self.exports_usd
        return self.imports_usd * self.energy_share / deficit if deficit > 0 else None

    def record(self) -> dict[str, Any]:
        """Flat row: rupee amounts in INR, dollar amounts in US$."""
        return {
            "period": self.period, "kind": self.kind, "exports_usd": self.exports_usd, "imports_usd": self.imports_usd,
            "energy_share": self.energy_share, "energy_exact": self.energy_exact, "energy_basis": self.energy_basis,
            "energy_share_of_deficit": self.energy_share_of_deficit,
            "flows_source": self.source, "inr_per_usd": self.inr_per_usd, "rub_per_usd": self.rub_per_usd,
            "rupee_share_imports": self.rupee_share_imports, "rupee_share_exports": self.rupee_share_exports,
            "opening_inr": self.opening_inr, "inflow_inr": self.inflow_inr, "energy_inflow_inr": self.energy_inflow_inr,
            "bought_inr": self.bought_inr, "exports_paid_inr": self.exports_paid_inr,
            **{f"out_{c}_inr": v for c, v in zip(CHANNELS, self.channel_outflows_inr, strict=True)},
            "outflows_inr": self.outflows_inr, "closing_inr": self.closing_inr, "closing_usd": self.closing_usd,
            "closing_rub": self.closing_rub, "securities_held_inr": self.securities_held_inr,
            "rupee_assets_inr": self.rupee_assets_inr, "rupee_assets_usd": self.rupee_assets_inr / self.inr_per_usd,
            "balancing_exports_usd": self.balancing_exports_usd,
            "balancing_export_growth": self.balancing_export_growth, "years_of_exports": self.years_of_exports,
        }


def run_model(flows: Sequence[PeriodFlows], params: Sequence[PeriodParams], opening_inr: float = 0.0,
              securities_held_inr: float = 0.0) -> list[SettlementRow]:
    """The balance, period by period, from flows and resolved parameters (pure; no store)."""
    if len(flows) != len(params):
        raise BilateralError("run_model needs one set of parameters per period")
    rows: list[SettlementRow] = []
    balance, held = opening_inr, securities_held_inr
    for f, pp in zip(flows, params, strict=True):
        fx = pp.inr_per_usd
        energy_usd = f.imports_usd * f.energy_share
        other_usd = f.imports_usd - energy_usd
        energy_in_usd = pp.mechanism_open * energy_usd * pp.crude_inr_share
        inflow_usd = energy_in_usd + pp.mechanism_open * other_usd * pp.other_imports_inr_share
        inflow = inflow_usd * fx
        exp_share = pp.mechanism_open * pp.exports_inr_share
        paid = f.exports_usd * exp_share * fx
        available = balance + inflow
        bought = max(0.0, paid - available)
        left = available + bought - paid
        outs = []
        for cap, uptake, opened in zip(pp.caps_usd, pp.uptakes, pp.channel_open, strict=True):
            out = min(uptake * left, cap * opened * fx) if opened > 0 else 0.0
            outs.append(out)
            left -= out
        held += sum(o for c, o in zip(CHANNELS, outs, strict=True) if c in SECURITIES_CHANNELS)
        exports_inr = f.exports_usd * fx
        rows.append(SettlementRow(
            period=f.period, kind=f.kind, exports_usd=f.exports_usd, imports_usd=f.imports_usd,
            energy_share=f.energy_share, energy_exact=f.energy_exact, energy_basis=f.energy_basis, source=f.source,
            inr_per_usd=fx, rub_per_usd=pp.rub_per_usd,
            rupee_share_imports=inflow_usd / f.imports_usd if f.imports_usd > 0 else 0.0,
            rupee_share_exports=exp_share, opening_inr=balance, inflow_inr=inflow, energy_inflow_inr=energy_in_usd * fx,
            bought_inr=bought, exports_paid_inr=paid, channel_outflows_inr=tuple(outs), closing_inr=left,
            securities_held_inr=held,
            balancing_exports_usd=inflow_usd / exp_share if exp_share > 0 else None,
            years_of_exports=left / exports_inr if exports_inr > 0 else None,
        ))
        balance = left
    return rows


# -- results -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class UsedParam:
    """A parameter as a result used it: where it applied."""

    param: Param
    applies: str  # 'all periods' or 'from FY2026-27' (scenario override)

    def to_dict(self) -> dict[str, Any]:
        return {**self.param.to_dict(), "applies": self.applies}


@dataclass(frozen=True)
class SettlementResult:
    """The rupee balance path of one pair under one scenario."""

    pair: str
    scenario: str
    title: str
    description: str
    start: str
    end: str
    last_actual: str | None
    overrides_from: str | None  # the first period the scenario's overrides apply
    rows: tuple[SettlementRow, ...]
    parameters: tuple[UsedParam, ...]
    flows_source: str
    notes: tuple[str, ...]

    @property
    def final(self) -> SettlementRow:
        return self.rows[-1]

    @property
    def peak(self) -> SettlementRow:
        return max(self.rows, key=lambda r: r.closing_usd)

    @property
    def years_to_absorb(self) -> float | None:
        """Years until the closing balance is gone at the last period's net pace; None if it was not falling."""
        r = self.final
        change = r.closing_inr - r.opening_inr
        if r.closing_inr <= 0:
            return 0.0
        return r.closing_inr / -change if change < 0 else None

    @property
    def required_export_growth(self) -> float | None:
        """Yearly export growth from the last actual year that balances rupee flows through trade in the end year."""
        if self.last_actual is None:
            return None
        n = parse_period(self.end).year - parse_period(self.last_actual).year
        base = next((r for r in self.rows if r.period == self.last_actual), None)
        need = self.final.balancing_exports_usd
        if n <= 0 or base is None or need is None or base.exports_usd <= 0 or need <= 0:
            return None
        return float((need / base.exports_usd) ** (1.0 / n) - 1.0)

    def records(self) -> list[dict[str, Any]]:
        """Per-period flat rows, one scenario."""
        return [{"pair": self.pair, "scenario": self.scenario, **r.record()} for r in self.rows]

    def summary(self) -> dict[str, Any]:
        f, pk = self.final, self.peak
        return {
            "closing_period": f.period, "closing_inr": f.closing_inr, "closing_usd": f.closing_usd,
            "closing_rub": f.closing_rub, "peak_period": pk.period, "peak_usd": pk.closing_usd,
            "years_to_absorb": self.years_to_absorb, "years_of_exports": f.years_of_exports,
            "securities_held_inr": f.securities_held_inr, "rupee_assets_inr": f.rupee_assets_inr,
            "rupee_assets_usd": f.rupee_assets_inr / f.inr_per_usd,
            "balancing_exports_usd": f.balancing_exports_usd, "required_export_growth": self.required_export_growth,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "pair": self.pair, "scenario": self.scenario, "title": self.title, "description": self.description,
            "from": self.start, "to": self.end, "last_actual": self.last_actual,
            "overrides_from": self.overrides_from, "flows_source": self.flows_source,
            "summary": self.summary(), "rows": [r.record() for r in self.rows],
            "parameters": [p.to_dict() for p in self.parameters], "notes": list(self.notes),
        }


@dataclass(frozen=True)
class SettlementRun:
    """Several scenarios over the same pair and periods (what the CLI prints)."""

    results: tuple[SettlementResult, ...]

    def records(self) -> list[dict[str, Any]]:
        return [row for r in self.results for row in r.records()]

    def to_dict(self) -> dict[str, Any]:
        first = self.results[0]
        return {"pair": first.pair, "from": first.start, "to": first.end, "last_actual": first.last_actual,
                "flows_source": first.flows_source, "note": NO_OFFICIAL_BALANCES,
                "scenarios": [r.to_dict() for r in self.results]}


# -- reading flows -------------------------------------------------------------------------------------
def _periods(a: Period, b: Period) -> list[Period]:
    return [Period(a.kind, y) for y in range(a.year, b.year + 1)]


class _ActualFlows:
    """A pair's complete periods of one kind from the read layer; energy shares read on demand, once per period."""

    def __init__(self, store: Store, pair: Pair, kind: PeriodKind) -> None:
        from bilateral.store import queries

        self.store, self.pair, self.kind = store, pair, kind
        self.totals = {t.period: t for t in queries.pair_totals(store, pair, period_kind=kind)
                       if t.complete and t.exports_usd is not None and t.imports_usd is not None}
        self._flows: dict[str, PeriodFlows] = {}

    def labels(self) -> list[str]:
        return sorted(self.totals, key=parse_period)

    def get(self, label: str) -> PeriodFlows:
        if label not in self._flows:
            from bilateral.store import queries

            t = self.totals[label]
            assert t.exports_usd is not None and t.imports_usd is not None
            share, exact, basis = _energy_share(queries.energy_imports(self.store, self.pair, label), t.imports_usd)
            status = f", {t.status}" if t.status else ""
            self._flows[label] = PeriodFlows(label, "actual", t.exports_usd, t.imports_usd, share, exact, basis,
                                             f"{t.source}{status}, grade {t.grade}")
        return self._flows[label]


def _energy_share(energy: Any, imports_usd: float) -> tuple[float, bool, str]:
    """(share of imports, exact, basis) from the read layer's EnergyImports (or None).

    A share where the layer gives one (exact, or a region's as proxy); else the lower bound the
    partial detail shows, as a share of imports; else 0 (no detail: all imports non-energy).
    """
    if energy is None:
        return 0.0, False, "no energy detail in the store: imports treated as non-energy"
    where = f"{energy.basis} ({energy.served.quality})"
    if energy.share is not None:
        return float(energy.share), bool(energy.exact), where
    if energy.lower_bound_usd is not None and imports_usd > 0:
        return min(1.0, float(energy.lower_bound_usd) / imports_usd), False, f"lower bound: {where}"
    return 0.0, False, f"no usable share: {where}; imports treated as non-energy"


def _project(base: PeriodFlows, p: Period, pp: PeriodParams, prev: PeriodFlows) -> PeriodFlows:
    energy = prev.imports_usd * prev.energy_share * (1.0 + pp.energy_imports_growth)
    other = prev.imports_usd * (1.0 - prev.energy_share) * (1.0 + pp.other_imports_growth)
    imports = energy + other
    return PeriodFlows(p.label, "projected", prev.exports_usd * (1.0 + pp.exports_growth), imports,
                       energy / imports if imports > 0 else 0.0, False,
                       f"projected from {base.period}'s energy share {base.energy_share:.1%}",
                       f"scenario growth from {base.period}")


def simulate(store: Store, pair: Pair | str, scenario: Scenario | str | None = None,
             start: str | None = None, end: str | None = None, *, reader: _ActualFlows | None = None) -> SettlementResult:
    """The rupee balance path of ``pair`` under ``scenario`` (a Scenario, a shipped name or a file; None: status quo).

    The balance is built from the mechanism's start (or ``start`` if earlier), so a later
    ``start`` still opens with what accumulated before. Periods after the last one the store holds
    are projected with the scenario's growth paths.
    """
    p = parse_pair(pair) if isinstance(pair, str) else pair
    sc = scenario if isinstance(scenario, Scenario) else load_scenarios(scenario)[0]
    first = parse_period(start or DEFAULT_FROM)
    last = parse_period(end or DEFAULT_TO)
    if first.kind != last.kind:
        raise BilateralError(f"--from {first.label} and --to {last.label} must both be fiscal or both calendar years")
    if last < first:
        raise BilateralError(f"--to {last.label} comes before --from {first.label}")
    if reader is None or reader.pair != p or reader.kind != first.kind:
        reader = _ActualFlows(store, p, first.kind)
    if not reader.totals:
        from bilateral.store import queries

        queries.period_totals(store, p)  # raises NotAvailableError saying what to load
        other = "--from FY2022-23 --to FY2029-30" if first.kind == "cy" else "--from CY2022 --to CY2030"
        raise BilateralError(f"no {'calendar' if first.kind == 'cy' else 'fiscal'}-year trade figures for {p.label} "
                             f"in the store; ask for the other kind of period, e.g. {other}")
    have = reader.labels()
    last_actual = parse_period(have[-1])
    mech = period_of_date(sc.defaults["mechanism_start"].value, first.kind)
    sim_first = min(first, mech, last_actual)  # projections chain on from the last actual period
    periods = _periods(sim_first, last)
    if sc.applies_from == FIRST_PROJECTED:
        from_period = last_actual.shift(1) if last > last_actual else None
    else:
        named = parse_period(sc.applies_from)
        from_period = Period(first.kind, named.year)  # FY2026-27 stands for CY2026 in a calendar-year run
    params = [period_params(sc, q, from_period) for q in periods]
    flows: list[PeriodFlows] = []
    for q, pp in zip(periods, params, strict=True):
        if q <= last_actual:
            if q.label not in reader.totals:
                raise BilateralError(f"no complete trade figures for {p.label} in {q.label}; the store has "
                                     f"{len(have)} periods from {have[0]} to {have[-1]}; choose --from within them")
            flows.append(reader.get(q.label))
        else:
            flows.append(_project(reader.get(last_actual.label), q, pp, flows[-1]))
    rows = run_model(flows, params, float(sc.defaults["opening_balance_inr"].value))
    shown = tuple(r for r in rows if parse_period(r.period) >= first)
    used = _used_params(sc, from_period)
    sources = sorted({f.source for f in flows if f.kind == "actual"})
    notes = [NO_OFFICIAL_BALANCES,
             "Exchange rates, settlement shares, caps and uptakes are assumptions unless a parameter names a source.",
             "Outflows: exporters paid first, then channels in order; securities held are a stock without maturities "
             "or coupons; balances valued at each period's rate.",
             "Energy = HS 27 (mostly crude oil); its rupee share is crude's own invoicing parameter."]
    if any(not r.energy_exact and r.kind == "actual" for r in shown):
        notes.append("The energy share of imports is a proxy or a lower bound where energy_exact is false (marked * in "
                     "the table; see energy_basis).")
    if first.kind == "cy":
        notes.append("Exchange-rate paths labelled by fiscal year are used for the calendar year each starts in "
                     "(FY2022-23 for CY2022, which shares 9 of its 12 months).")
    if from_period is None:
        notes.append(f"No projected periods up to {last.label}: the scenario's overrides do not apply.")
    return SettlementResult(
        pair=p.label, scenario=sc.name, title=sc.title, description=sc.description, start=first.label, end=last.label,
        last_actual=last_actual.label if last_actual <= last else last.label,
        overrides_from=from_period.label if from_period is not None else None, rows=shown, parameters=used,
        flows_source=f"read layer (bilateral.store.queries.pair_totals): {'; '.join(sources)}", notes=tuple(notes))


def _used_params(sc: Scenario, from_period: Period | None) -> tuple[UsedParam, ...]:
    out = []
    for name in PARAMETERS:
        if name in sc.overrides and from_period is not None:
            out.append(UsedParam(sc.defaults[name], f"before {from_period.label}"))
            out.append(UsedParam(sc.overrides[name], f"from {from_period.label}"))
        else:
            out.append(UsedParam(sc.defaults[name], "all periods"))
    return tuple(out)


def simulate_all(store: Store, pair: Pair | str, scenarios: Iterable[Scenario] | str | Path | None = None,
                 start: str | None = None, end: str | None = None) -> SettlementRun:
    """Every scenario (the shipped three by default) over the same pair and periods."""
    scs = list(scenarios) if scenarios is not None and not isinstance(scenarios, str | Path) else load_scenarios(scenarios)
    p = parse_pair(pair) if isinstance(pair, str) else pair
    kind = parse_period(start or DEFAULT_FROM).kind
    reader = _ActualFlows(store, p, kind)  # flows and energy shares read once for all scenarios
    return SettlementRun(tuple(simulate(store, p, s, start, end, reader=reader) for s in scs))
