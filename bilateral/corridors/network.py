"""Sea legs from ``searoute`` (passages checked, land jumps rejected) and corridor plans.

``searoute`` ships its maritime network (``data/marnet_dict.py``) inside the package, so routing works
offline. It has no switch for the Northern Sea Route: the Chukchi Sea edges are tagged ``northwest``
together with the Canadian Northwest Passage. We copy the network once and re-tag the Chukchi edges
``nsr`` (:func:`retag_chukchi`), so a route can be allowed the NSR while the Canadian passage stays
closed, and a route that uses the NSR can be recognised from its edges.

Results are cached twice: in-process, and in ``data/sea_legs.json`` (built by
``python -m bilateral.corridors.build``), keyed on the searoute version, the routing rules and the
coordinates of both ends, so a change to any of them recomputes instead of serving a stale route.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from bilateral.corridors.legs import (
    DATA,
    DESTINATION,
    LAND_MODES,
    CorridorDef,
    LandLeg,
    Mode,
    Place,
    Routing,
    Step,
    corridor_defs,
    land_legs,
    places,
    service_for,
)
from bilateral.errors import BilateralError

__all__ = [
    "DETOUR_FACTOR", "MAX_APPROACH_KM", "MIN_PROGRESS", "PASS_KM", "ROUTING_RULES", "SEAROUTE_VERSION", "SEA_CACHE",
    "PlannedLeg", "SeaRoute",
    "TRANSSHIPMENT_RISK", "build_cache", "detour", "gc_km", "plan", "retag_chukchi", "sea_leg", "sea_route_live",
]

#: the version the committed cache and the tests were made with
SEAROUTE_VERSION = "1.6.0"
SEA_CACHE = DATA / "sea_legs.json"
#: a port farther than this from the nearest sea-lane node is a land jump, not a sea leg (Paradip, the
#: farthest served port, is 162 km from its node at the mouth of the Hooghly; Tehran would be 225 km)
MAX_APPROACH_KM = 200.0
#: tag given to the Chukchi Sea edges that searoute tags ``northwest``
NSR = "nsr"
CANADIAN_NORTHWEST = "northwest"
#: passages reported (searoute's passage tags plus our ``nsr``)
PASSAGES = frozenset({"babalmandab", "bosporus", "gibraltar", "suez", "panama", "ormuz", "malacca", "sunda",
                      "chili", "south_africa", "bering", "dardanelles", CANADIAN_NORTHWEST, NSR})


#: searoute's Bering Strait node as the Arctic edges write it (longitude 190.85 = -169.15; the -169.15 copy
#: joins the Canadian side and forces a detour). NSR routes are forced through it, since without a
#: waypoint a Baltic–India route would rather take an untagged Southern Ocean detour
BERING_STRAIT = (190.8498, 65.9622)


@dataclass(frozen=True)
class Rule:
    avoid: frozenset[str]
    require: frozenset[str]
    via: tuple[float, float] | None = None


#: which passages each routing avoids and which it must use (else the leg does not exist)
ROUTING_RULES: dict[str, Rule] = {
    "suez": Rule(frozenset({CANADIAN_NORTHWEST, NSR, "south_africa"}), frozenset({"suez"})),
    "cape": Rule(frozenset({CANADIAN_NORTHWEST, NSR, "suez", "babalmandab"}), frozenset({"south_africa"})),
    "nsr": Rule(frozenset({CANADIAN_NORTHWEST, "suez", "babalmandab", "south_africa", "panama", "bosporus"}),
                frozenset({NSR, "bering"}), BERING_STRAIT),
    "east": Rule(frozenset({CANADIAN_NORTHWEST, NSR, "suez", "babalmandab", "south_africa", "panama"}),
                 frozenset({"malacca"})),
    "direct": Rule(frozenset({CANADIAN_NORTHWEST, NSR}), frozenset()),
}


NSR_MIN_LAT = 65.5
NSR_WEST_LON = 55.0  # Kara Gate, Novaya Zemlya
NSR_EAST_LON = -168.0  # Bering Strait


def in_nsr_zone(lon: float, lat: float) -> bool:
    """Waters of the Northern Sea Route: north of 65.5°N from the Kara Gate (55°E) east to the Bering Strait.

    Used to time the NSR section of a route (entry and exit), which is much longer than the Chukchi
    edges that mark the route as using the NSR at all.
    """
    lon = (lon + 180) % 360 - 180
    return lat >= NSR_MIN_LAT and (lon >= NSR_WEST_LON or lon <= NSR_EAST_LON)


@dataclass(frozen=True)
class SeaRoute:
    """A sea leg between two places along searoute's network."""

    a: str
    b: str
    routing: Routing
    route_km: float
    approach_km: float
    passages: tuple[str, ...]
    nsr_entry_km: float | None
    nsr_exit_km: float | None
    coords: tuple[tuple[float, float], ...]

    @property
    def distance_km(self) -> float:
        """Along the network plus the straight approach from each port to its nearest network node."""
        return self.route_km + self.approach_km

    def to_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "routing": self.routing, "route_km": self.route_km,
                "approach_km": self.approach_km, "passages": list(self.passages),
                "nsr_entry_km": self.nsr_entry_km, "nsr_exit_km": self.nsr_exit_km,
                "coords": [list(c) for c in self.coords]}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> SeaRoute:
        return cls(d["a"], d["b"], d["routing"], d["route_km"], d["approach_km"], tuple(d["passages"]),
                   d["nsr_entry_km"], d["nsr_exit_km"], tuple((c[0], c[1]) for c in d["coords"]))


def retag_chukchi(adj: dict[Any, dict[Any, dict[str, Any]]]) -> int:
    """Re-tag the Chukchi Sea ``northwest`` edges as ``nsr``, in place; returns how many were re-tagged.

    searoute 1.6.0 tags 12 edges ``northwest``: 5 in the Canadian Arctic archipelago (longitude -97 to -72)
    and 7 in the Chukchi Sea north of the Bering Strait (longitude beyond ±165, written as 176..191 or
    -172..-167; one of them, off Point Hope, leads on towards Canada, harmless because the Canadian edges
    stay closed). Anything else tagged ``northwest`` means the network changed: we refuse to guess.
    """
    count = 0
    for u, nbrs in adj.items():
        for v, data in nbrs.items():
            if data.get("passage") != CANADIAN_NORTHWEST:
                continue
            lons = (u[0], v[0])
            if all(-100 <= x <= -60 for x in lons):
                continue
            if all(x >= 165 or x <= -165 for x in lons):
                data["passage"] = NSR
                count += 1
                continue
            raise BilateralError(f"searoute edge {u}–{v} is tagged 'northwest' but is neither Canadian nor "
                                 "Chukchi; check the searoute version (tested with 1.6.0)")
    return count


@cache
def _graph() -> Any:
    """A private copy of searoute's network with the Chukchi edges re-tagged (the package's stays untouched)."""
    try:
        from searoute.classes.marnet import Marnet
        from searoute.data.marnet_dict import edge_list, node_list
        from searoute.utils import from_nodes_edges_set
    except ImportError:
        raise BilateralError(f"sea routing needs searoute: pip install searoute=={SEAROUTE_VERSION}") from None
    adj = {u: {v: dict(d) for v, d in nbrs.items()} for u, nbrs in edge_list.items()}
    retag_chukchi(adj)
    return from_nodes_edges_set(Marnet(), dict(node_list), adj)


def sea_route_live(a: Place, b: Place, routing: Routing) -> SeaRoute | None:
    """Route with searoute now; None when the routing's passages make the leg impossible.

    Raises BilateralError on a land jump: an end that is not a port, or a port more than MAX_APPROACH_KM
    from the network.
    """
    from searoute.utils import distance, process_route

    for place in (a, b):
        if place.kind != "port":
            raise BilateralError(f"sea leg {a.id}→{b.id}: {place.name} is not a port (a land jump); "
                                 "reach it by a land leg in corridors/data/legs.csv")
    rule = ROUTING_RULES[routing]
    g = _graph()
    g.restrictions = sorted(rule.avoid)
    stops = [a.lonlat, b.lonlat] if rule.via is None else [a.lonlat, rule.via, b.lonlat]
    nodes: list[Any] = []
    for u, v in zip(stops, stops[1:], strict=False):
        length, part = g.shortest_path(u, v)
        if not part or length == float("inf"):
            return None
        nodes += part if not nodes else part[1:]
    ls, _ = process_route(nodes, g, False)
    approach = [distance(a.lonlat, ls[0]), distance(b.lonlat, ls[-1])]
    for place, km in zip((a, b), approach, strict=True):
        if km > MAX_APPROACH_KM:
            raise BilateralError(f"sea leg {a.id}→{b.id}: {place.name} is {km:.0f} km from the nearest sea lane "
                                 f"(a land jump, limit {MAX_APPROACH_KM:.0f} km); use a land leg or fix its "
                                 "coordinates in corridors/data/places.csv")
    cum = 0.0
    passages: list[str] = []
    zone: list[float] = []  # distance along the route of each point inside the NSR zone
    for i in range(len(nodes)):
        if i:
            cum += distance(ls[i - 1], ls[i])
            tag = (g.get_edge_data(nodes[i - 1], nodes[i]) or {}).get("passage")
            if tag in PASSAGES and tag not in passages:
                passages.append(tag)
        if in_nsr_zone(*ls[i]):
            zone.append(cum)
    used = set(passages)
    entry, exit_ = (zone[0], zone[-1]) if NSR in used else (None, None)
    if used & rule.avoid:
        raise BilateralError(f"sea leg {a.id}→{b.id} ({routing}) crosses avoided passage(s) "
                             f"{sorted(used & rule.avoid)}; searoute restrictions did not hold")
    if not rule.require <= used:
        return None
    coords = tuple((round(x, 3), round(y, 3)) for x, y in ls)
    return SeaRoute(a.id, b.id, routing, round(cum, 1), round(sum(approach), 1), tuple(passages),
                    None if entry is None else round(entry, 1), None if exit_ is None else round(exit_, 1), coords)


def _rules_digest() -> str:
    text = json.dumps({k: [sorted(v.avoid), sorted(v.require)] for k, v in ROUTING_RULES.items()}, sort_keys=True)
    extra = f"{MAX_APPROACH_KM}|{SEAROUTE_VERSION}|{BERING_STRAIT}|{NSR_MIN_LAT}|{NSR_WEST_LON}|{NSR_EAST_LON}"
    return hashlib.sha256(f"{text}|{extra}".encode()).hexdigest()[:16]


def _key(a: Place, b: Place, routing: str) -> str:
    return f"{a.id}>{b.id}/{routing}@{a.lon},{a.lat};{b.lon},{b.lat}"


def installed_searoute() -> str | None:
    """The installed searoute version without importing it or importlib.metadata (both cost ~0.1 s at start-up)."""
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("searoute")
    if spec is None or spec.origin is None:
        return None
    site = Path(spec.origin).parent.parent
    found = sorted(p.name for p in site.glob("searoute-*.dist-info"))
    return found[0].removeprefix("searoute-").removesuffix(".dist-info") if len(found) == 1 else None


@cache
def _file_cache() -> dict[str, Any]:
    """The committed cache if it was made with these rules and the installed searoute version."""
    if not SEA_CACHE.exists():
        return {}
    doc = json.loads(SEA_CACHE.read_text(encoding="utf-8"))
    if doc.get("rules") != _rules_digest():
        return {}
    installed = installed_searoute()  # None: the cache stands in for the package
    if installed is not None and installed != doc.get("searoute"):
        return {}
    legs: dict[str, Any] = doc["legs"]
    return legs


@cache
def sea_leg(a_id: str, b_id: str, routing: Routing) -> SeaRoute | None:
    """A sea leg by place ids, from the file cache when it matches, else from searoute (memoised)."""
    a, b = places()[a_id], places()[b_id]
    key = _key(a, b, routing)
    cached = _file_cache()
    if key in cached:
        return None if cached[key] is None else SeaRoute.from_json(cached[key])
    return sea_route_live(a, b, routing)


@dataclass(frozen=True)
class PlannedLeg:
    """One leg of a corridor for a given origin and destination."""

    a: str
    b: str
    mode: Mode
    distance_km: float
    passages: tuple[str, ...]
    risks: tuple[str, ...]
    source: str
    sea: SeaRoute | None = None
    onward: bool = False  # beyond the corridor's own steps: the rail haul on to a destination it does not name
    #: the sea service this leg is sailed with (services.csv); its headway replaces the mode's
    service: str | None = None
    #: a feeder leg to the service's hub, added because the service does not call at the origin
    transshipment: bool = False

    def points(self) -> tuple[tuple[float, float], ...]:
        """(lon, lat) along the leg: searoute's lane for a sea leg, the two ends for a land leg."""
        if self.sea is not None:
            return self.sea.coords
        ids = places()
        return (ids[self.a].lonlat, ids[self.b].lonlat)


#: a route that comes this close to its destination before its last leg passes it (km; Novorossiysk's
#: lane runs 17 km off the port, St Petersburg is 635 km from Moscow, so 300 km separates the two cases)
PASS_KM = 300.0
EARTH_KM = 6371.0088
#: the least share of a leg's length by which it must bring the cargo nearer its destination (crow-fly km).
#: Over every served pair the routes offered make 12.9% or more (the eastern route to Murmansk from Chennai;
#: round the Cape to St Petersburg 17%), the eastern sea leg to a western destination 3% or less (see detour)
MIN_PROGRESS = 0.10
#: a corridor that reaches its destination only by rail beyond its own steps is a detour when it is longer
#: than this many times a corridor built for that destination (naming it in its steps): Cape–St Petersburg
#: then 2,200 km of rail to Novorossiysk (25,002 km from Mundra) against Suez–Novorossiysk (8,006 km)
DETOUR_FACTOR = 1.6


def gc_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (lon, lat) points (haversine, mean Earth radius)."""
    lon1, lat1, lon2, lat2 = (math.radians(x) for x in (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def detour(route: list[PlannedLeg], origin: Place, destination: Place) -> str | None:
    """Why a planned route is no option (it passes its destination or doubles back), or None when it is sane.

    - **passes**: a leg before the last comes within PASS_KM of the destination (the cargo would have been
      there already);
    - **doubles back over land**: a land leg ends farther from the destination than it starts (on land the
      carrier chooses the way; at sea coastlines force detours, so sea legs are not judged this way);
    - **doubles back onward**: the rail haul beyond the corridor's own steps is longer than the whole trip
      as the crow flies (Suez to St Petersburg, then 9,939 km by rail to Vladivostok: 6,000 km apart);
    - **revisits** a place: a stop twice on one route;
    - **heads away** (a route that goes on by rail beyond the corridor's own steps; a corridor's own route to
      its own end, e.g. by Vladivostok and the Trans-Siberian to Moscow, is its design and is offered): a leg
      brings the cargo nearer the destination (as the crow flies) by less than :data:`MIN_PROGRESS` of its
      length: 10,302 km by sea from Nhava Sheva to Vladivostok leave
      St Petersburg 865 km *farther* and Murmansk only 269 km nearer. A sea lane forced round a coast still
      makes progress (round the Cape from Mundra to St Petersburg: 22%; a tanker from Novorossiysk round the
      Cape: 17%); a gateway on the wrong side of the world does not.
    """
    d = destination.lonlat
    ids = places()
    for leg in route[:-1]:
        near = min(gc_km(pt, d) for pt in leg.points())
        if near < PASS_KM:
            return (f"passes {destination.name} ({near:,.0f} km off, on the {ids[leg.a].name}–{ids[leg.b].name} leg) "
                    "before arriving")
    for leg in route:
        if leg.mode in LAND_MODES:
            start, end = gc_km(ids[leg.a].lonlat, d), gc_km(ids[leg.b].lonlat, d)
            if end > start:
                return (f"doubles back: {ids[leg.a].name}–{ids[leg.b].name} by {leg.mode} runs away from "
                        f"{destination.name} ({start:,.0f} km from it to {end:,.0f} km)")
    onward = sum(leg.distance_km for leg in route if leg.onward)
    crow = gc_km(origin.lonlat, d)
    if onward > crow:
        first = next(leg for leg in route if leg.onward)
        return (f"doubles back: {onward:,.0f} km by rail onward from {ids[first.a].name} to {destination.name}, "
                f"more than the {crow:,.0f} km from {origin.name} as the crow flies")
    stops = [route[0].a, *(leg.b for leg in route)] if route else []
    twice = sorted({s for s in stops if stops.count(s) > 1})
    if twice:
        return f"revisits {', '.join(ids[s].name for s in twice)}"
    for leg in route if any(leg.onward for leg in route) else ():
        gain = gc_km(ids[leg.a].lonlat, d) - gc_km(ids[leg.b].lonlat, d)
        if gain < MIN_PROGRESS * leg.distance_km:
            moved = f"only {gain:,.0f} km nearer" if gain >= 0 else f"{-gain:,.0f} km farther from"
            return (f"heads away: {leg.distance_km:,.0f} km by {leg.mode} from {ids[leg.a].name} to "
                    f"{ids[leg.b].name} leave the cargo {moved} {destination.name}")
    return None


def _land(a: str, b: str, modes: tuple[str, ...], scenarios: frozenset[str]) -> LandLeg | None:
    for m in modes:
        for leg in land_legs():
            if leg.mode == m and {leg.a, leg.b} == {a, b} and (leg.opens_with is None or leg.opens_with in scenarios):
                return leg
    return None


def _rail_path(a: str, b: str) -> list[LandLeg] | None:
    """Shortest 1,520 mm rail path between two places over the curated legs (Dijkstra)."""
    edges: dict[str, list[tuple[str, LandLeg]]] = {}
    for leg in land_legs():
        if leg.mode == "rail_1520" and leg.opens_with is None:
            edges.setdefault(leg.a, []).append((leg.b, leg))
            edges.setdefault(leg.b, []).append((leg.a, leg))
    best: dict[str, float] = {a: 0.0}
    prev: dict[str, tuple[str, LandLeg]] = {}
    heap = [(0.0, a)]
    while heap:
        d, n = heapq.heappop(heap)
        if n == b:
            path: list[LandLeg] = []
            while n != a:
                n, leg = prev[n]
                path.append(leg)
            return path[::-1]
        if d > best.get(n, float("inf")):
            continue
        for m, leg in edges.get(n, []):
            nd = d + leg.distance_km
            if nd < best.get(m, float("inf")):
                best[m], prev[m] = nd, (n, leg)
                heapq.heappush(heap, (nd, m))
    return None


def _sea_source(r: SeaRoute) -> str:
    return f"searoute {SEAROUTE_VERSION} ({r.routing} routing) plus {r.approach_km:.0f} km port approach"


#: the risk tag a feeder leg to a service's hub carries
TRANSSHIPMENT_RISK = "transshipment"


def _effective_steps(defn: CorridorDef, origin: Place) -> list[tuple[Step, str | None, bool]]:
    """The corridor's steps for this origin: (step, the service it is sailed with or feeds, is it the added feeder).

    A corridor whose deep-sea step stands for a service (services.csv) that does not call at the origin
    gets a feeder step to the service's hub first: the cargo is transshipped there.
    """
    svc = service_for(defn.corridor)
    out: list[tuple[Step, str | None, bool]] = []
    done = False
    for step in defn.steps:
        if svc is not None and not done and step.routing is not None and step.modes[0] == "deep_sea":
            done = True
            if origin.id not in svc.calls:
                out.append((Step(("feeder",), "direct", svc.hub), svc.service, True))
            out.append((step, svc.service, False))
            continue
        out.append((step, None, False))
    return out


def plan(defn: CorridorDef, origin: Place, destination: Place, scenarios: frozenset[str]) -> list[PlannedLeg] | None:
    """The legs of a corridor from origin to destination; None when the corridor cannot serve this pair.

    Steps run until the destination is reached; a corridor that ends short of it continues by the
    shortest 1,520 mm rail path (e.g. St Petersburg → Moscow). A step whose modes are all closed
    under the scenarios makes the corridor unavailable. A corridor sailed by a service that does not
    call at the origin starts with a feeder leg to the service's hub (see :func:`_effective_steps`).
    """
    cur = origin.id
    out: list[PlannedLeg] = []
    for step, service, feeder in _effective_steps(defn, origin):
        to = destination.id if step.to == DESTINATION else step.to
        if cur == to:
            continue
        if step.routing is not None:
            r = sea_leg(cur, to, step.routing)
            if r is None:
                return None
            source = _sea_source(r) + (f"; feeder to the hub of the {service} service (services.csv)" if feeder else "")
            out.append(PlannedLeg(cur, to, step.modes[0], r.distance_km, r.passages,
                                  (TRANSSHIPMENT_RISK,) if feeder else (), source, r,
                                  service=None if feeder else service, transshipment=feeder))
        else:
            leg = _land(cur, to, step.modes, scenarios)
            if leg is None:
                return None
            out.append(PlannedLeg(cur, to, leg.mode, leg.distance_km, (), leg.risks, leg.source))
        cur = to
        if cur == destination.id:
            break
    if cur != destination.id:
        tail = _rail_path(cur, destination.id)
        if tail is None:
            return None
        for leg in tail:
            b = leg.b if leg.a == cur else leg.a
            out.append(PlannedLeg(cur, b, leg.mode, leg.distance_km, (), leg.risks, leg.source, onward=True))
            cur = b
    if any(leg.mode not in LAND_MODES and leg.sea is None for leg in out):
        raise BilateralError("internal: a sea leg without a route")
    return out


#: Russian crude loading ports named in issue 12 (Baltic, Black Sea, Pacific, Arctic)
CRUDE_LOADING = ("RUPRI", "RUULU", "RUNVS", "kozmino", "RUMMK")


def _pairs() -> list[tuple[str, Place, Place]]:
    """Every (cargo, origin, destination) precomputed: Indian ports to Russian places, crude ports to India."""
    ps = list(places().values())
    ind_ports = [p for p in ps if p.country == "IND" and p.kind == "port"]
    rus = [p for p in ps if p.country == "RUS"]
    return ([("container", o, d) for o in ind_ports for d in rus]
            + [("tanker", places()[o], d) for o in CRUDE_LOADING for d in ind_ports])


def build_cache() -> int:
    """Compute every sea leg the served pairs need with searoute and write data/sea_legs.json; returns the count."""
    from importlib.metadata import version

    if version("searoute") != SEAROUTE_VERSION:
        raise BilateralError(f"build the cache with searoute=={SEAROUTE_VERSION} (installed: {version('searoute')})")
    if installed_searoute() != SEAROUTE_VERSION:
        raise BilateralError("cannot find searoute's dist-info next to the package; the cache check would fail")
    legs: dict[str, Any] = {}
    scenario_sets: tuple[frozenset[str], ...] = (frozenset(), frozenset({"rasht-astara-open"}))
    for cargo, o, d in _pairs():
        for defn in corridor_defs():
            if defn.cargo != cargo:
                continue
            for sc in scenario_sets:
                cur = o.id
                for step, _service, _feeder in _effective_steps(defn, o):
                    to = d.id if step.to == DESTINATION else step.to
                    if step.routing is not None and cur != to:
                        a, b = places()[cur], places()[to]
                        k = _key(a, b, step.routing)
                        if k not in legs:
                            r = sea_route_live(a, b, step.routing)
                            legs[k] = None if r is None else r.to_json()
                    cur = to
                    if cur == d.id:
                        break
                plan(defn, o, d, sc)  # the plan must hold together for every served pair
    doc = {"searoute": SEAROUTE_VERSION, "rules": _rules_digest(),
           "note": "built by python -m bilateral.corridors.build; do not edit", "legs": dict(sorted(legs.items()))}
    SEA_CACHE.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    _file_cache.cache_clear()
    sea_leg.cache_clear()
    return len(legs)

