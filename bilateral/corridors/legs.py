"""Places, land legs, corridor definitions and parameters: data files in ``corridors/data``, read here.

Every row carries a source; a value we could not cite is labelled ``assumption`` in its source. The
loaders check keys, codes and numbers and fail with the file, line and field to fix.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal, get_args

from bilateral.errors import BilateralError, InputError

__all__ = [
    "CARGOS", "DATA", "LAND_MODES", "MODES", "ROUTINGS", "SEA_MODES", "Cargo", "CorridorDef", "EmissionFactor",
    "LandLeg", "Mode", "Param", "Place", "Risk", "Routing", "Season", "Service", "Step", "corridor_defs",
    "emission_factors", "land_legs", "param", "parameters", "place", "places", "risks", "season", "service_for",
    "services",
]

DATA = Path(__file__).with_name("data")

Mode = Literal["deep_sea", "feeder", "caspian_ferry", "tanker", "rail_1435", "rail_1520", "road"]
MODES: tuple[str, ...] = get_args(Mode)
SEA_MODES: frozenset[str] = frozenset({"deep_sea", "feeder", "caspian_ferry", "tanker"})
LAND_MODES: frozenset[str] = frozenset(MODES) - SEA_MODES
#: how a sea leg is routed: which passages it must use and which it must avoid (see network.ROUTING_RULES)
Routing = Literal["suez", "cape", "nsr", "east", "direct"]
ROUTINGS: tuple[str, ...] = get_args(Routing)
Cargo = Literal["container", "tanker"]
CARGOS: tuple[str, ...] = get_args(Cargo)
#: placeholder in a corridor's steps for the destination asked for
DESTINATION = "@D"


@dataclass(frozen=True)
class Place:
    """A node: a port, an inland city or a border crossing."""

    id: str
    locode: str | None
    name: str
    aliases: tuple[str, ...]
    country: str
    kind: Literal["port", "inland", "border"]
    lat: float
    lon: float
    source: str

    @property
    def lonlat(self) -> tuple[float, float]:
        return (self.lon, self.lat)


@dataclass(frozen=True)
class LandLeg:
    """A curated rail or road leg (usable in both directions)."""

    a: str
    b: str
    mode: Mode
    distance_km: float
    opens_with: str | None
    risks: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Step:
    """One step of a corridor: go to ``to`` by the first open mode of ``modes`` (sea modes with a routing)."""

    modes: tuple[Mode, ...]
    routing: Routing | None
    to: str


@dataclass(frozen=True)
class CorridorDef:
    corridor: str
    cargo: Cargo
    steps: tuple[Step, ...]
    label: str
    source: str
    risks: tuple[str, ...] = ()  # corridor-wide risk tags (data/risks.csv), besides those of its passages and legs


@dataclass(frozen=True)
class Risk:
    """A risk tag a corridor can carry, what it means, and the source that documents it."""

    risk: str
    title: str
    source: str
    url: str


@cache
def risks() -> dict[str, Risk]:
    """Every risk tag, from data/risks.csv."""
    out: dict[str, Risk] = {}
    for line, r in _rows("risks.csv", ("risk", "title", "source", "url")):
        if r["risk"] in out:
            raise InputError(f"duplicate risk {r['risk']!r}", file="risks.csv", line=line, field="risk")
        out[r["risk"]] = Risk(r["risk"], r["title"], r["source"], r["url"])
    return out


@dataclass(frozen=True)
class Service:
    """The sea service a corridor's deep-sea step stands for: who runs it, where it loads, and its hub.

    Cargo from an origin the service does not call at is carried by feeder to ``hub`` and transshipped
    there (an extra sea leg, a transshipment dwell and handling). The sailing interval is the parameter
    ``headway_days.<service>`` in parameters.csv.
    """

    service: str
    operator: str
    corridors: tuple[str, ...]
    calls: tuple[str, ...]
    hub: str
    source: str
    url: str


@dataclass(frozen=True)
class Param:
    """A triangular distribution (low, mode, high); a constant has low == mode == high."""

    key: str
    low: float
    mode: float
    high: float
    unit: str
    source: str


@dataclass(frozen=True)
class EmissionFactor:
    mode: str
    ttw_g: float
    wtw_g: float
    unit: str
    source: str


@dataclass(frozen=True)
class Season:
    """Window (month-day, inclusive) when ships without ice class may use a passage."""

    passage: str
    opens: tuple[int, int]
    closes: tuple[int, int]
    ice_class: str
    source: str

    def window(self, year: int) -> tuple[date, date]:
        return date(year, *self.opens), date(year, *self.closes)


def _rows(name: str, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    path = DATA / name
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"missing column(s) {', '.join(missing)}", file=name)
        rows = [(i, r) for i, r in enumerate(reader, start=2)]
    for line, r in rows:
        if not (r.get("source") or "").strip():
            raise InputError("every row needs a source (write 'assumption: …' when there is none)",
                             file=name, line=line, field="source")
    return rows


def _float(name: str, line: int, field: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputError(f"not a number: {text!r}", file=name, line=line, field=field) from None


@cache
def places() -> dict[str, Place]:
    """All places by id (UN/LOCODE where one exists)."""
    out: dict[str, Place] = {}
    for line, r in _rows("places.csv", ("id", "locode", "name", "aliases", "country", "kind", "lat", "lon", "source")):
        if r["id"] in out:
            raise InputError(f"duplicate place id {r['id']!r}", file="places.csv", line=line, field="id")
        if r["kind"] not in ("port", "inland", "border"):
            raise InputError(f"unknown kind {r['kind']!r}", file="places.csv", line=line, field="kind")
        lat, lon = (_float("places.csv", line, f, r[f]) for f in ("lat", "lon"))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InputError("latitude/longitude out of range", file="places.csv", line=line, field="lat")
        aliases = tuple(a.strip().lower() for a in r["aliases"].split(";") if a.strip())
        out[r["id"]] = Place(r["id"], r["locode"] or None, r["name"], aliases, r["country"], r["kind"],  # type: ignore[arg-type]
                             lat, lon, r["source"])
    return out


def place(text: str) -> Place:
    """A place by id / UN/LOCODE or by name or alias (case-insensitive): 'INNSA', 'Moscow', 'JNPT'."""
    all_places = places()
    key = text.strip()
    if key.upper() in all_places:
        return all_places[key.upper()]
    if key in all_places:
        return all_places[key]
    low = key.lower()
    for p in all_places.values():
        if low == p.name.lower() or low in p.aliases or low == p.id.lower():
            return p
    known = ", ".join(sorted(p.locode or p.name for p in all_places.values()))
    raise BilateralError(f"unknown place {text!r}; use a UN/LOCODE or name: {known}")


@cache
def land_legs() -> tuple[LandLeg, ...]:
    known = places()
    out = []
    for line, r in _rows("legs.csv", ("from", "to", "mode", "distance_km", "opens_with", "risks", "source")):
        for f in ("from", "to"):
            if r[f] not in known:
                raise InputError(f"unknown place {r[f]!r} (add it to places.csv)", file="legs.csv", line=line, field=f)
        if r["mode"] not in LAND_MODES:
            raise InputError(f"not a land mode {r['mode']!r}; sea legs come from searoute", file="legs.csv",
                             line=line, field="mode")
        km = _float("legs.csv", line, "distance_km", r["distance_km"])
        if km <= 0:
            raise InputError("distance must be positive", file="legs.csv", line=line, field="distance_km")
        tags = tuple(x for x in r["risks"].split(";") if x)
        unknown = [x for x in tags if x not in risks()]
        if unknown:
            raise InputError(f"unknown risk {unknown[0]!r} (add it to risks.csv)", file="legs.csv", line=line,
                             field="risks")
        out.append(LandLeg(r["from"], r["to"], r["mode"], km, r["opens_with"] or None, tags, r["source"]))  # type: ignore[arg-type]
    return tuple(out)


def _step(text: str, line: int) -> Step:
    try:
        modes_part, to = text.split(":")
    except ValueError:
        raise InputError(f"step {text!r} is not MODE[/ROUTING]:PLACE", file="corridors.csv", line=line,
                         field="steps") from None
    routing = None
    if "/" in modes_part:
        modes_part, routing = modes_part.split("/")
        if routing not in ROUTINGS:
            raise InputError(f"unknown routing {routing!r}", file="corridors.csv", line=line, field="steps")
    modes = tuple(modes_part.split("|"))
    for m in modes:
        if m not in MODES:
            raise InputError(f"unknown mode {m!r}", file="corridors.csv", line=line, field="steps")
    if (routing is None) != all(m in LAND_MODES for m in modes):
        raise InputError(f"step {text!r}: sea modes need a routing, land modes none", file="corridors.csv",
                         line=line, field="steps")
    if to != DESTINATION and to not in places():
        raise InputError(f"unknown place {to!r}", file="corridors.csv", line=line, field="steps")
    return Step(modes, routing, to)  # type: ignore[arg-type]


@cache
def corridor_defs() -> tuple[CorridorDef, ...]:
    out: list[CorridorDef] = []
    for line, r in _rows("corridors.csv", ("corridor", "cargo", "steps", "label", "source")):
        if r["cargo"] not in CARGOS:
            raise InputError(f"unknown cargo {r['cargo']!r}", file="corridors.csv", line=line, field="cargo")
        if any(c.corridor == r["corridor"] for c in out):
            raise InputError(f"duplicate corridor {r['corridor']!r}", file="corridors.csv", line=line,
                             field="corridor")
        steps = tuple(_step(s, line) for s in r["steps"].split())
        tags = tuple(x for x in (r.get("risks") or "").split(";") if x)
        unknown = [x for x in tags if x not in risks()]
        if unknown:
            raise InputError(f"unknown risk {unknown[0]!r} (add it to risks.csv)", file="corridors.csv", line=line,
                             field="risks")
        out.append(CorridorDef(r["corridor"], r["cargo"], steps, r["label"], r["source"], tags))  # type: ignore[arg-type]
    return tuple(out)


@cache
def services() -> dict[str, Service]:
    """Every sea service by id, from data/services.csv (places, corridors and headway parameter checked)."""
    known = places()
    defs = {c.corridor for c in corridor_defs()}
    out: dict[str, Service] = {}
    for line, r in _rows("services.csv", ("service", "operator", "corridors", "calls", "hub", "source", "url")):
        if r["service"] in out:
            raise InputError(f"duplicate service {r['service']!r}", file="services.csv", line=line, field="service")
        cors = tuple(x for x in r["corridors"].split(";") if x)
        unknown = [c for c in cors if c not in defs]
        if unknown or not cors:
            raise InputError(f"unknown corridor {unknown[0] if unknown else ''!r} (see corridors.csv)",
                             file="services.csv", line=line, field="corridors")
        calls = tuple(x for x in r["calls"].split(";") if x)
        for f, ids in (("calls", calls), ("hub", (r["hub"],))):
            bad = [x for x in ids if x not in known or known[x].kind != "port"]
            if bad or not ids:
                raise InputError(f"not a port in places.csv: {bad[0] if bad else ''!r}", file="services.csv",
                                 line=line, field=f)
        if r["hub"] not in calls:
            raise InputError(f"the hub {r['hub']!r} must be one of the ports the service calls at", file="services.csv",
                             line=line, field="hub")
        if f"headway_days.{r['service']}" not in parameters():
            raise InputError(f"no parameter headway_days.{r['service']} in parameters.csv", file="services.csv",
                             line=line, field="service")
        out[r["service"]] = Service(r["service"], r["operator"], cors, calls, r["hub"], r["source"], r["url"])
    taken = [c for s in out.values() for c in s.corridors]
    if len(taken) != len(set(taken)):
        raise InputError("a corridor is listed under two services", file="services.csv", field="corridors")
    return out


def service_for(corridor: str) -> Service | None:
    """The service a corridor's deep-sea step stands for, if services.csv names one."""
    return next((s for s in services().values() if corridor in s.corridors), None)


@cache
def parameters() -> dict[str, Param]:
    out: dict[str, Param] = {}
    for line, r in _rows("parameters.csv", ("key", "low", "mode", "high", "unit", "source")):
        lo, mo, hi = (_float("parameters.csv", line, f, r[f]) for f in ("low", "mode", "high"))
        if not lo <= mo <= hi:
            raise InputError("need low <= mode <= high", file="parameters.csv", line=line, field="mode")
        if r["key"] in out:
            raise InputError(f"duplicate key {r['key']!r}", file="parameters.csv", line=line, field="key")
        out[r["key"]] = Param(r["key"], lo, mo, hi, r["unit"], r["source"])
    return out


def param(key: str, *specific: str) -> Param:
    """The most specific parameter: ``param('port_dwell_days', 'IRBND')`` tries 'port_dwell_days.IRBND' first."""
    table = parameters()
    for s in specific:
        if f"{key}.{s}" in table:
            return table[f"{key}.{s}"]
    if key in table:
        return table[key]
    raise BilateralError(f"parameter {key!r} missing from corridors/data/parameters.csv")


@cache
def emission_factors() -> dict[str, EmissionFactor]:
    out: dict[str, EmissionFactor] = {}
    for line, r in _rows("emissions.csv", ("mode", "ttw_g_per_unit_km", "wtw_g_per_unit_km", "unit", "source")):
        ttw, wtw = (_float("emissions.csv", line, f, r[f]) for f in ("ttw_g_per_unit_km", "wtw_g_per_unit_km"))
        out[r["mode"]] = EmissionFactor(r["mode"], ttw, wtw, r["unit"], r["source"])
    return out


@cache
def season(passage: str) -> Season:
    for line, r in _rows("seasons.csv", ("passage", "opens", "closes", "ice_class", "source")):
        if r["passage"] != passage:
            continue
        try:
            opens = tuple(int(x) for x in r["opens"].split("-"))
            closes = tuple(int(x) for x in r["closes"].split("-"))
            date(2001, *opens)
            date(2001, *closes)
        except (ValueError, TypeError):
            raise InputError("dates must be MM-DD", file="seasons.csv", line=line, field="opens") from None
        return Season(passage, opens, closes, r["ice_class"], r["source"])  # type: ignore[arg-type]
    raise BilateralError(f"no season row for {passage!r} in corridors/data/seasons.csv")
