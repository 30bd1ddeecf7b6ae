"""Time, cost and CO2e per corridor as distributions: a seeded Monte Carlo over triangular parameters.

Container (per TEU), door to door from gate-in at the origin port to the destination terminal:

- origin: gate-in before the cut-off, terminal handling;
- each leg: wait for a departure (uniform between 0 and the headway, so half the headway on average),
  then distance ÷ speed (sea: knots, slower on the NSR; land: commercial km/day); liner services add
  intermediate calls; cost = distance × rate per TEU-km, plus the Suez toll or NSR fees per TEU;
- each transfer: port dwell and handling (sea involved), transshipment dwell and handling (ship to
  ship at a service's hub), gauge change (1,435↔1,520 mm) or a terminal transfer (road↔rail); a
  border crossing adds dwell (× the Astara congestion multiplier at Astara) and fees;
- a corridor sailed by a named service (``data/services.csv``) waits for that service's sailing
  (its own headway, e.g. fortnightly to monthly to St Petersburg) and, from a port it does not call
  at, starts with a feeder leg to its hub;
- destination: dwell and handling; one empty-box repositioning charge per trip.

Tanker (per tonne and per barrel): laden voyage days = loading + sea + canal + discharge; the owner
is paid for the round trip (ballast back the same way): time-charter equivalent × days + bunkers +
canal tolls both ways + two port calls, divided by the cargo.

Every parameter is a triangular (low, mode, high) with a source in ``data/parameters.csv``; the draws
are seeded per corridor, so a result does not depend on which other corridors were compared.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any, Literal, get_args

import numpy as np

from bilateral.corridors.chokepoints import ChokepointState, states_on
from bilateral.corridors.legs import (
    CARGOS,
    SEA_MODES,
    Cargo,
    CorridorDef,
    Place,
    corridor_defs,
    emission_factors,
    param,
    place,
    places,
    season,
    service_for,
)
from bilateral.corridors.network import DETOUR_FACTOR, NSR, PlannedLeg, detour, plan
from bilateral.corridors.seasonality import check_scenarios, forced_states, nsr_window
from bilateral.errors import BilateralError

__all__ = ["DRAWS", "SEED", "VESSELS", "Comparison", "CorridorResult", "LegResult", "Vessel", "compare"]

DRAWS = 4000
SEED = 20261127
KM_PER_NM = 1.852
HOURS_PER_DAY = 24.0
GRAMS_PER_KG = 1000.0
Vessel = Literal["aframax", "suezmax"]
VESSELS: tuple[str, ...] = get_args(Vessel)
#: the place where the Astara congestion multiplier applies
ASTARA = "astara"
#: risk tags a route carries for the passages it crosses
PASSAGE_RISKS = {"babalmandab": "red-sea-security", "ormuz": "strait-of-hormuz", "bosporus": "turkish-straits",
                 NSR: "ice-and-season", "suez": "suez-canal"}
#: war-risk premiums are charged per ship; this spreads them over the boxes or the tonnes it carries
PERCENT = 100.0
GAUGE_BREAK = frozenset({"rail_1435", "rail_1520"})


@dataclass(frozen=True)
class LegResult:
    a: str
    b: str
    a_name: str
    b_name: str
    mode: str
    distance_km: float
    passages: tuple[str, ...]
    source: str
    #: the line drawn on a map: searoute's lane for sea legs, the two ends for land legs (schematic)
    geometry: tuple[tuple[float, float], ...] = field(repr=False, default=())
    #: the sea service sailed (services.csv), or the one this feeder leg carries the box to
    service: str | None = None
    #: a feeder leg to the service's hub: the box is transshipped at its end
    transshipment: bool = False

    @property
    def schematic(self) -> bool:
        return len(self.geometry) == 2 and self.mode not in SEA_MODES

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.a, "to": self.b, "from_name": self.a_name, "to_name": self.b_name,
                "mode": self.mode, "distance_km": round(self.distance_km, 1), "passages": list(self.passages),
                "service": self.service, "transshipment": self.transshipment, "source": self.source}


@dataclass(frozen=True)
class CorridorResult:
    """One corridor for one origin, destination, date and scenario set."""

    corridor: str
    label: str
    cargo: Cargo
    open: bool
    reasons: tuple[str, ...]
    distance_km: float
    sea_km: float
    rail_km: float
    road_km: float
    passages: tuple[str, ...]
    days_p50: float
    days_p90: float
    #: port-to-port time on the water (incl. intermediate liner calls and canal transit)
    sailing_days_p50: float
    sailing_days_p90: float
    usd_per_teu_p50: float | None
    usd_per_teu_p90: float | None
    co2e_kg_per_teu: float | None
    co2e_ttw_kg_per_teu: float | None
    usd_per_tonne_p50: float | None
    usd_per_tonne_p90: float | None
    usd_per_bbl_p50: float | None
    usd_per_bbl_p90: float | None
    co2e_kg_per_tonne: float | None
    co2e_ttw_kg_per_tonne: float | None
    risks: tuple[str, ...]
    legs: tuple[LegResult, ...] = field(repr=False)

    def record(self) -> dict[str, Any]:
        """A flat row (csv, parquet, and the JSON list)."""
        return {
            "corridor": self.corridor, "label": self.label, "cargo": self.cargo, "open": self.open,
            "reasons": "; ".join(self.reasons), "distance_km": round(self.distance_km),
            "sea_km": round(self.sea_km), "rail_km": round(self.rail_km), "road_km": round(self.road_km),
            "passages": ",".join(self.passages), "days_p50": self.days_p50, "days_p90": self.days_p90,
            "sailing_days_p50": self.sailing_days_p50, "sailing_days_p90": self.sailing_days_p90,
            "usd_per_teu_p50": self.usd_per_teu_p50, "usd_per_teu_p90": self.usd_per_teu_p90,
            "co2e_kg_per_teu": self.co2e_kg_per_teu, "co2e_ttw_kg_per_teu": self.co2e_ttw_kg_per_teu,
            "usd_per_tonne_p50": self.usd_per_tonne_p50, "usd_per_tonne_p90": self.usd_per_tonne_p90,
            "usd_per_bbl_p50": self.usd_per_bbl_p50, "usd_per_bbl_p90": self.usd_per_bbl_p90,
            "co2e_kg_per_tonne": self.co2e_kg_per_tonne, "co2e_ttw_kg_per_tonne": self.co2e_ttw_kg_per_tonne,
            "risks": ",".join(self.risks),
        }

    def to_dict(self) -> dict[str, Any]:
        d = self.record()
        d["reasons"] = list(self.reasons)
        d["passages"] = list(self.passages)
        d["risks"] = list(self.risks)
        d["legs"] = [leg.to_dict() for leg in self.legs]
        return d


@dataclass(frozen=True)
class Comparison:
    """All corridors for one origin and destination: open ones first, fastest (P50) first."""

    origin: Place
    destination: Place
    date: date
    cargo: Cargo
    vessel: Vessel | None
    scenarios: tuple[str, ...]
    astara_congestion: float
    corridors: tuple[CorridorResult, ...]
    draws: int = DRAWS
    seed: int = SEED
    #: the chokepoint states used (dated data on the departure date, or forced by a scenario)
    chokepoints: tuple[ChokepointState, ...] = ()
    #: corridors not offered for this trip, and why (they pass the destination or double back)
    excluded: tuple[tuple[str, str], ...] = ()
    nsr_season: str = ""

    def records(self) -> list[dict[str, Any]]:
        meta = {"from": self.origin.id, "to": self.destination.id, "date": self.date.isoformat(),
                "scenarios": ",".join(self.scenarios)}
        return [{**meta, **c.record()} for c in self.corridors]

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.origin.id, "from_name": self.origin.name, "to": self.destination.id,
                "to_name": self.destination.name, "date": self.date.isoformat(), "cargo": self.cargo,
                "vessel": self.vessel, "scenarios": list(self.scenarios),
                "astara_congestion": self.astara_congestion, "draws": self.draws, "seed": self.seed,
                "chokepoints": [s.to_dict() for s in self.chokepoints], "nsr_season": self.nsr_season,
                "not_offered": [{"corridor": c, "reason": r} for c, r in self.excluded],
                "corridors": [c.to_dict() for c in self.corridors]}

    def corridor(self, name: str) -> CorridorResult:
        for c in self.corridors:
            if c.corridor == name:
                return c
        raise BilateralError(f"corridor {name!r} does not serve {self.origin.id}→{self.destination.id}")


class _Draw:
    """Triangular draws of named parameters from one seeded generator."""

    def __init__(self, corridor: str) -> None:
        self.rng = np.random.default_rng([SEED, zlib.crc32(corridor.encode())])

    def __call__(self, key: str, *specific: str) -> np.ndarray:
        p = param(key, *specific)
        if p.low == p.high:
            return np.full(DRAWS, p.mode)
        return self.rng.triangular(p.low, p.mode, p.high, DRAWS)

    def wait(self, mode: str, service: str | None = None) -> np.ndarray:
        """Waiting for a departure: uniform between 0 and the headway (the service's, else the mode's)."""
        return self.rng.uniform(0.0, 1.0, DRAWS) * self("headway_days", *((service,) if service else ()), mode)


def _q(x: np.ndarray, q: float, nd: int = 1) -> float:
    """The q-th percentile with linear interpolation (numpy's default), without np.percentile's lazy imports."""
    s = np.sort(x)
    pos = q / 100 * (len(s) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return round(float(s[lo] + (s[hi] - s[lo]) * (pos - lo)), nd)


def _sea_days(leg: PlannedLeg, knots: np.ndarray, nsr_factor: np.ndarray) -> np.ndarray:
    km_per_day = knots * KM_PER_NM * HOURS_PER_DAY
    sea = leg.sea
    if sea is None or sea.nsr_entry_km is None or sea.nsr_exit_km is None:
        return leg.distance_km / km_per_day
    nsr_km = sea.nsr_exit_km - sea.nsr_entry_km
    return (leg.distance_km - nsr_km) / km_per_day + nsr_km / (km_per_day * nsr_factor)


def _nsr_reason(leg: PlannedLeg, elapsed: np.ndarray, knots: np.ndarray, nsr_factor: np.ndarray,
                departure: date) -> str | None:
    """Season check for a leg through the NSR, at the median of the days already spent and the speeds."""
    sea = leg.sea
    if sea is None or sea.nsr_entry_km is None or sea.nsr_exit_km is None:
        return None
    km_per_day = float(np.median(knots)) * KM_PER_NM * HOURS_PER_DAY
    # the route's kilometres start at the origin's lane node; half the two approaches stands for the first one
    before = float(np.median(elapsed)) + (sea.nsr_entry_km + sea.approach_km / 2) / km_per_day
    inside = (sea.nsr_exit_km - sea.nsr_entry_km) / (km_per_day * float(np.median(nsr_factor)))
    return nsr_window(departure, before, before + inside).reason()


def _container(defn: CorridorDef, legs: list[PlannedLeg], departure: date, congestion: float
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Door-to-door days, US$ per TEU and port-to-port sailing days (incl. intermediate calls)."""
    d = _Draw(defn.corridor)
    days = d("cutoff_days")
    sailing = np.zeros(DRAWS)
    usd = d("handling_usd_per_teu")
    reasons: list[str] = []
    prev: str | None = None
    for i, leg in enumerate(legs):
        node = places()[leg.a]
        transfer = i == 0 or leg.mode != prev or leg.mode in SEA_MODES
        if i > 0 and transfer:
            if {prev, leg.mode} == GAUGE_BREAK:
                days = days + d("gauge_change_days")
                usd = usd + d("gauge_change_usd_per_teu")
            elif leg.mode in SEA_MODES and prev in SEA_MODES:  # ship to ship: transshipment at a hub
                days = days + d("transshipment_dwell_days")
                usd = usd + d("handling_usd_per_teu")
            elif leg.mode in SEA_MODES or prev in SEA_MODES:
                days = days + d("port_dwell_days", leg.a)
                usd = usd + d("handling_usd_per_teu")
            else:
                days = days + d("terminal_dwell_days")
                usd = usd + d("handling_usd_per_teu")
        if i > 0 and node.kind == "border":
            factor = congestion if node.id == ASTARA else 1.0
            days = days + d("border_dwell_days") * factor
            usd = usd + d("border_usd_per_teu")
        if transfer:
            days = days + d.wait(leg.mode, leg.service)
        if leg.mode in SEA_MODES:
            knots, nsr_factor = d("speed_knots", leg.mode), d("nsr_speed_factor")
            reason = _nsr_reason(leg, days, knots, nsr_factor, departure)
            if reason:
                reasons.append(reason)
            at_sea = _sea_days(leg, knots, nsr_factor)
            if leg.mode == "deep_sea":
                at_sea = at_sea + d("liner_calls_days")
            days = days + at_sea
            sailing = sailing + at_sea
            if "suez" in leg.passages:
                usd = usd + d("suez_usd_per_teu")
            if NSR in leg.passages:
                usd = usd + d("nsr_usd_per_teu")
        else:
            days = days + leg.distance_km / d("speed_km_day", leg.mode)
        usd = usd + leg.distance_km * d("usd_per_teu_km", leg.mode)
        prev = leg.mode
    last = legs[-1]
    days = days + (d("port_dwell_days", last.b) if last.mode in SEA_MODES else d("terminal_dwell_days"))
    usd = usd + d("handling_usd_per_teu") + d("empty_repositioning_usd_per_teu")
    return days, usd, sailing, reasons


def _tanker(defn: CorridorDef, leg: PlannedLeg, vessel: str, departure: date
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Laden voyage days, US$ per tonne, US$ per barrel and sailing days (sea and canal)."""
    d = _Draw(f"{defn.corridor}/{vessel}")
    knots, nsr_factor = d("speed_knots", "tanker"), d("nsr_speed_factor")
    load = d("tanker_port_days")
    reasons: list[str] = []
    reason = _nsr_reason(leg, load, knots, nsr_factor, departure)
    if reason:
        reasons.append(reason)
    sea = _sea_days(leg, knots, nsr_factor)
    canal_days = d("suez_transit_days") if "suez" in leg.passages else np.zeros(DRAWS)
    laden = load + sea + canal_days + d("tanker_port_days")
    round_trip = laden + sea + canal_days
    tolls = np.zeros(DRAWS)
    if "suez" in leg.passages:
        tolls = tolls + 2 * d("suez_usd_transit", vessel)
    if NSR in leg.passages:
        tolls = tolls + 2 * d("nsr_usd_transit", vessel)
    cost = (d("tce_usd_day", vessel) * round_trip + 2 * sea * d("fuel_t_day", vessel) * d("bunker_usd_t")
            + tolls + 2 * d("port_usd_call", vessel))
    per_tonne = cost / d("cargo_tonnes", vessel)
    return laden, per_tonne, per_tonne / param("barrels_per_tonne").mode, sea + canal_days, reasons


def _war_risk(defn: CorridorDef, states: list[ChokepointState], ship_value: np.ndarray, spread_over: np.ndarray,
              calls: int) -> np.ndarray:
    """War-risk premiums for the restricted chokepoints a route crosses: % of hull value × ``calls``, per unit.

    Drawn from a generator of its own, so the corridor's other draws are the same with or without it.
    """
    rng = np.random.default_rng([SEED, zlib.crc32(f"{defn.corridor}/war-risk".encode())])
    total = np.zeros(DRAWS)
    for s in states:
        lo, mode, hi = s.war_risk_pct
        pct = np.full(DRAWS, mode) if lo == hi else rng.triangular(lo, mode, hi, DRAWS)
        total = total + pct / PERCENT * ship_value * calls / spread_over
    return total


def _evaluate(defn: CorridorDef, legs: list[PlannedLeg], departure: date, states: dict[str, ChokepointState],
              vessel: str, congestion: float) -> CorridorResult:
    passages = tuple(dict.fromkeys(p for leg in legs for p in leg.passages))
    reasons: list[str] = []
    crossed = [s for s in states.values() if s.passages & set(passages)]
    for s in crossed:
        if s.state == "closed":
            why = "scenario" if s.forced else f"since {s.since.isoformat()}: {s.note}"
            reasons.append(f"{s.name} closed ({why})")
    restricted = [s for s in crossed if s.state == "restricted"]
    risks = tuple(dict.fromkeys([*(PASSAGE_RISKS[p] for p in passages if p in PASSAGE_RISKS),
                                 *(r for leg in legs for r in leg.risks), *defn.risks]))
    km = {"sea": 0.0, "rail": 0.0, "road": 0.0}
    for leg in legs:
        km["sea" if leg.mode in SEA_MODES else "rail" if leg.mode.startswith("rail") else "road"] += leg.distance_km
    factors = emission_factors()
    ids = places()
    leg_results = tuple(LegResult(leg.a, leg.b, ids[leg.a].name, ids[leg.b].name, leg.mode, leg.distance_km,
                                  leg.passages, leg.source,
                                  leg.sea.coords if leg.sea else (ids[leg.a].lonlat, ids[leg.b].lonlat),
                                  leg.service or (service_for(defn.corridor).service  # type: ignore[union-attr]
                                                  if leg.transshipment else None), leg.transshipment)
                        for leg in legs)
    common: dict[str, Any] = {
        "corridor": defn.corridor, "label": defn.label, "cargo": defn.cargo,
        "distance_km": round(sum(km.values()), 1), "sea_km": km["sea"], "rail_km": km["rail"],
        "road_km": km["road"], "passages": passages, "risks": risks, "legs": leg_results,
    }
    if defn.cargo == "container":
        days, usd, sailing, more = _container(defn, legs, departure, congestion)
        reasons += more
        if restricted:
            # the premium is the ship's that crosses the restricted waters (not the feeder to a hub)
            waters = set().union(*(s.passages for s in restricted))
            sea_mode = next((leg.mode for leg in legs if leg.mode in SEA_MODES and waters & set(leg.passages)),
                            next(leg.mode for leg in legs if leg.mode in SEA_MODES))
            d = _Draw(f"{defn.corridor}/ship")
            usd = usd + _war_risk(defn, restricted, d("hull_value_usd", sea_mode), d("teu_on_board", sea_mode), 1)
        wtw = sum(leg.distance_km * factors[leg.mode].wtw_g for leg in legs) / GRAMS_PER_KG
        ttw = sum(leg.distance_km * factors[leg.mode].ttw_g for leg in legs) / GRAMS_PER_KG
        return CorridorResult(**common, open=not reasons, reasons=tuple(reasons),
                              days_p50=_q(days, 50), days_p90=_q(days, 90),
                              sailing_days_p50=_q(sailing, 50), sailing_days_p90=_q(sailing, 90),
                              usd_per_teu_p50=_q(usd, 50, 0), usd_per_teu_p90=_q(usd, 90, 0),
                              co2e_kg_per_teu=round(wtw, 1), co2e_ttw_kg_per_teu=round(ttw, 1),
                              usd_per_tonne_p50=None, usd_per_tonne_p90=None, usd_per_bbl_p50=None,
                              usd_per_bbl_p90=None, co2e_kg_per_tonne=None, co2e_ttw_kg_per_tonne=None)
    (leg,) = legs
    days, per_t, per_bbl, sailing, more = _tanker(defn, leg, vessel, departure)
    reasons += more
    if restricted:  # laden and ballast both cross: two premiums a round trip
        d = _Draw(f"{defn.corridor}/{vessel}/ship")
        extra = _war_risk(defn, restricted, d("hull_value_usd", vessel), d("cargo_tonnes", vessel), 2)
        per_t, per_bbl = per_t + extra, per_bbl + extra / param("barrels_per_tonne").mode
    factor = factors[f"tanker.{vessel}"]
    return CorridorResult(**common, open=not reasons, reasons=tuple(reasons),
                          days_p50=_q(days, 50), days_p90=_q(days, 90),
                          sailing_days_p50=_q(sailing, 50), sailing_days_p90=_q(sailing, 90),
                          usd_per_teu_p50=None, usd_per_teu_p90=None, co2e_kg_per_teu=None, co2e_ttw_kg_per_teu=None,
                          usd_per_tonne_p50=_q(per_t, 50, 2), usd_per_tonne_p90=_q(per_t, 90, 2),
                          usd_per_bbl_p50=_q(per_bbl, 50, 2), usd_per_bbl_p90=_q(per_bbl, 90, 2),
                          co2e_kg_per_tonne=round(leg.distance_km * factor.wtw_g / GRAMS_PER_KG, 2),
                          co2e_ttw_kg_per_tonne=round(leg.distance_km * factor.ttw_g / GRAMS_PER_KG, 2))


def compare(origin: str, destination: str, when: date, scenarios: tuple[str, ...] | list[str] = (),
            cargo: Cargo = "container", vessel: Vessel = "aframax", astara_congestion: float = 1.0) -> Comparison:
    """Compare every corridor that serves ``origin`` → ``destination`` on the departure date ``when``.

    ``origin``/``destination`` are UN/LOCODEs or names ('INNSA', 'Moscow'); ``scenarios`` from
    ``seasonality.SCENARIOS``; ``cargo`` 'container' (per TEU) or 'tanker' (per tonne and barrel, with
    ``vessel`` 'aframax' or 'suezmax'); ``astara_congestion`` multiplies the border dwell at Astara.
    """
    if cargo not in CARGOS:
        raise BilateralError(f"unknown --cargo {cargo!r}; use one of {', '.join(CARGOS)}")
    if vessel not in VESSELS:
        raise BilateralError(f"unknown --vessel {vessel!r}; use one of {', '.join(VESSELS)}")
    if not 1.0 <= astara_congestion <= 10.0:
        raise BilateralError(f"--astara-congestion {astara_congestion} out of range; use 1 (none) to 10")
    sc = check_scenarios(tuple(scenarios))
    return _compare(place(origin).id, place(destination).id, when, tuple(sorted(sc)), cargo, vessel,
                    float(astara_congestion))


def _onward_detour(legs: list[PlannedLeg], built: list[tuple[str, float]], where: str) -> str | None:
    """Why a route that ends by onward rail is no option beside a corridor built for the destination, or None.

    ``built``: (corridor, km) of the sane corridors naming the destination in their own steps. A route reaching
    it only by rail beyond its own steps is a detour when longer than :data:`DETOUR_FACTOR` times the shortest
    of them (open or closed: a closed Red Sea does not make a Baltic landfall and 2,200 km of rail back south a
    route to the Black Sea).
    """
    if not built or not any(leg.onward for leg in legs):
        return None
    name, best = min(built, key=lambda b: b[1])
    km = sum(leg.distance_km for leg in legs)
    if km <= DETOUR_FACTOR * best:
        return None
    return (f"a detour: {km:,.0f} km, {km / best:.1f} times {name} ({best:,.0f} km), the corridor built for "
            f"{where}; it reaches {where} only by rail beyond its own route")


@cache
def _compare(o_id: str, d_id: str, when: date, scenarios: tuple[str, ...], cargo: Cargo, vessel: Vessel,
             congestion: float) -> Comparison:
    o, dest = places()[o_id], places()[d_id]
    if o.id == dest.id:
        raise BilateralError("--from and --to are the same place")
    if cargo == "tanker" and (o.kind != "port" or dest.kind != "port"):
        raise BilateralError("tanker corridors run between ports: use a loading port (e.g. RUPRI, RUNVS) and a "
                             "discharge port (e.g. INSIK, INVAD)")
    if cargo == "container" and o.kind != "port":
        raise BilateralError(f"container corridors start at a port; {o.name} is {o.kind}")
    if cargo == "container" and (o.country != "IND" or dest.country != "RUS"):
        raise BilateralError(f"container corridors run from an Indian port to a Russian place, not {o.name} → "
                             f"{dest.name}; e.g. --from INNSA --to Moscow")
    if cargo == "tanker" and (o.country != "RUS" or dest.country != "IND"):
        raise BilateralError(f"tanker corridors run from a Russian loading port to an Indian port, not {o.name} → "
                             f"{dest.name}; e.g. --from RUPRI --to INSIK")
    sc = frozenset(scenarios)
    states = states_on(when, forced_states(sc))
    results = []
    excluded: list[tuple[str, str]] = []
    sane: list[tuple[CorridorDef, list[PlannedLeg]]] = []
    for defn in corridor_defs():
        if defn.cargo != cargo:
            continue
        legs = plan(defn, o, dest, sc)
        if not legs:
            continue
        why = detour(legs, o, dest)
        if why:
            excluded.append((defn.corridor, why))
            continue
        sane.append((defn, legs))
    built = [(d.corridor, sum(x.distance_km for x in ls)) for d, ls in sane if not any(x.onward for x in ls)]
    for defn, legs in sane:
        why = _onward_detour(legs, built, dest.name)
        if why:
            excluded.append((defn.corridor, why))
            continue
        results.append(_evaluate(defn, legs, when, states, vessel, congestion))
    if not results:
        detail = "; ".join(f"{c}: {r}" for c, r in excluded)
        raise BilateralError(f"no {cargo} corridor serves {o.name} → {dest.name}" + (f" ({detail})" if detail else "")
                             + "; container corridors run from an Indian port to a Russian place, tanker corridors "
                             "from a Russian port to an Indian one")
    results.sort(key=lambda r: (not r.open, r.days_p50, r.corridor))
    used = [s for s in states.values() if any(s.passages & set(r.passages) for r in results)]
    season_text = ""
    if any(NSR in r.passages for r in results):
        s = season("nsr")
        season_text = (f"Northern Sea Route: open to ships without ice class from {s.opens[0]:02d}-{s.opens[1]:02d} "
                       f"to {s.closes[0]:02d}-{s.closes[1]:02d} each year, checked per voyage. {s.source}")
    return Comparison(o, dest, when, cargo, vessel if cargo == "tanker" else None, scenarios, congestion,
                      tuple(results), chokepoints=tuple(used), excluded=tuple(excluded), nsr_season=season_text)
