"""Corridors: sea legs pinned against searoute, NSR handling, seasons, scenarios, hand-worked model values."""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bilateral.corridors import compare, legs, model, network
from bilateral.corridors.legs import Param, places
from bilateral.corridors.network import ROUTING_RULES, retag_chukchi, sea_leg, sea_route_live
from bilateral.corridors.seasonality import nsr_window
from bilateral.errors import BilateralError, InputError

MARCH = date(2026, 3, 15)
AUGUST = date(2026, 8, 1)
KM_PER_DAY_16_KNOTS = 16 * 1.852 * 24


@pytest.fixture(autouse=True)
def _fresh_model_cache() -> Iterator[None]:
    model._compare.cache_clear()
    yield
    model._compare.cache_clear()


@pytest.fixture()
def constant_params(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every parameter fixed at its mode and no waiting for departures: results become hand-computable."""
    real = legs.parameters()
    fixed = {k: Param(k, p.mode, p.mode, p.mode, p.unit, p.source) for k, p in real.items()}
    for k in list(fixed):
        if k.startswith("headway_days"):
            fixed[k] = Param(k, 0.0, 0.0, 0.0, "day", "test")
    monkeypatch.setattr(legs, "parameters", lambda: fixed)


# --- sea legs: distances and passages pinned (searoute 1.6.0) ---------------------------------------------

MAIN_SEA_LEGS = [
    # a, b, routing, km along the network, passages in order
    ("INNSA", "RULED", "suez", 14119.0, ("babalmandab", "suez", "gibraltar")),
    ("INNSA", "RULED", "cape", 22393.0, ("south_africa",)),
    ("INNSA", "RUNVS", "suez", 7975.0, ("babalmandab", "suez", "dardanelles", "bosporus")),
    ("INMUN", "RUNVS", "suez", 7949.0, ("babalmandab", "suez", "dardanelles", "bosporus")),
    ("INMAA", "RUVVO", "east", 8586.0, ("malacca",)),
    ("INNSA", "IRBND", "direct", 2033.0, ("ormuz",)),
    ("amirabad", "RUASF", "direct", 1193.0, ()),
    ("INNSA", "RUMMK", "nsr", 21107.0, ("malacca", "bering", "nsr")),
    ("RUPRI", "INSIK", "suez", 14020.0, ("gibraltar", "suez", "babalmandab")),
    ("RUPRI", "INSIK", "nsr", 25644.0, ("nsr", "bering", "malacca")),
    ("kozmino", "INPRT", "east", 8542.0, ("malacca",)),
]


@pytest.mark.parametrize(("a", "b", "routing", "km", "passages"), MAIN_SEA_LEGS)
def test_sea_leg_distance_and_passages(a: str, b: str, routing: str, km: float, passages: tuple[str, ...]):
    r = sea_leg(a, b, routing)  # type: ignore[arg-type]
    assert r is not None
    assert r.route_km == pytest.approx(km, abs=1.0)
    assert r.passages == passages
    assert set(passages) >= ROUTING_RULES[routing].require
    assert not set(passages) & ROUTING_RULES[routing].avoid


@pytest.mark.parametrize(("a", "b", "routing", "km", "passages"), MAIN_SEA_LEGS)
def test_committed_cache_matches_live_searoute(a: str, b: str, routing: str, km: float, passages: tuple[str, ...]):
    """The committed data/sea_legs.json is what searoute computes now (rerun bilateral.corridors.build if not)."""
    live = sea_route_live(places()[a], places()[b], routing)  # type: ignore[arg-type]
    assert live == sea_leg(a, b, routing)  # type: ignore[arg-type]


@pytest.mark.parametrize(("a", "b", "routing"), [("INNSA", "RULED", "suez"), ("INMAA", "RUVVO", "east"),
                                                 ("INNSA", "RULED", "cape")])
def test_length_equals_searoute_reference(a: str, b: str, routing: str):
    """Our walk over the copied network gives searoute's own length for the same restrictions."""
    import searoute as sr

    r = sea_leg(a, b, routing)  # type: ignore[arg-type]
    assert r is not None
    ref = sr.searoute(places()[a].lonlat, places()[b].lonlat, units="km",
                      restrictions=sorted(ROUTING_RULES[routing].avoid - {network.NSR}), return_passages=True)
    assert r.route_km == pytest.approx(ref.properties["length"], abs=0.05)  # we keep 0.1 km
    assert set(r.passages) == set(ref.properties["traversed_passages"])


def test_approach_is_added_to_the_distance():
    r = sea_leg("INPRT", "RUVVO", "east")
    assert r is not None and r.approach_km == pytest.approx(178.0, abs=1.0)  # Paradip snaps to the Hooghly mouth
    assert r.distance_km == pytest.approx(r.route_km + r.approach_km)


def test_searoute_version_pinned():
    from importlib.metadata import version

    assert version("searoute") == network.SEAROUTE_VERSION
    doc = json.loads(network.SEA_CACHE.read_text())
    assert doc["searoute"] == network.SEAROUTE_VERSION and len(doc["legs"]) == 172


# --- land jumps ---------------------------------------------------------------------------------------------

def test_inland_place_as_sea_end_is_a_land_jump():
    with pytest.raises(BilateralError, match="Moscow is not a port"):
        sea_route_live(places()["INNSA"], places()["RUMOW"], "suez")


def test_port_far_from_the_lanes_is_a_land_jump():
    tehran = dataclasses.replace(places()["RUMOW"], id="tehran", name="Tehran", kind="port", lat=35.69, lon=51.39)
    with pytest.raises(BilateralError, match=r"Tehran is 225 km from the nearest sea lane \(a land jump"):
        sea_route_live(places()["INNSA"], tehran, "direct")


# --- the Northern Sea Route: searoute's shared 'northwest' tag ---------------------------------------------

def test_chukchi_edges_retagged_canadian_kept():
    from searoute.data.marnet_dict import edge_list

    adj = {u: {v: dict(d) for v, d in nbrs.items()} for u, nbrs in edge_list.items()}
    retagged = retag_chukchi(adj)
    assert retagged == 14  # 7 undirected Chukchi edges, stored in both directions
    tags = [d.get("passage") for nbrs in adj.values() for d in nbrs.values()]
    assert tags.count("northwest") == 10 and tags.count("nsr") == 14  # 5 Canadian edges stay 'northwest'
    assert {d.get("passage") for nbrs in edge_list.values() for d in nbrs.values()} >= {"northwest"}  # package untouched
    assert "nsr" not in {d.get("passage") for nbrs in edge_list.values() for d in nbrs.values()}


def test_unexpected_northwest_edge_is_refused():
    adj = {(10.0, 80.0): {(20.0, 80.0): {"passage": "northwest", "weight": 1.0}}}
    with pytest.raises(BilateralError, match="neither Canadian nor Chukchi"):
        retag_chukchi(adj)


def test_searoute_default_blocks_the_nsr_ours_opens_it_without_the_canadian_passage():
    import searoute as sr

    mmk, vvo = places()["RUMMK"], places()["RUVVO"]
    default = sr.searoute(mmk.lonlat, vvo.lonlat, units="km", return_passages=True)
    assert "suez" in default.properties["traversed_passages"]  # 'northwest' closes the NSR as well
    assert default.properties["length"] == pytest.approx(23945, abs=1)
    nsr = sea_route_live(mmk, vvo, "nsr")
    assert nsr is not None and nsr.passages == ("nsr", "bering")
    assert "northwest" not in nsr.passages
    assert nsr.route_km == pytest.approx(11119.6, abs=0.5)  # about 6,000 nm
    assert nsr.nsr_entry_km == pytest.approx(964.7, abs=0.5)  # Kara Gate
    assert nsr.nsr_exit_km - nsr.nsr_entry_km == pytest.approx(5191.7, abs=0.5)  # Kara Gate to Bering Strait
    assert sea_route_live(mmk, vvo, "east") is None  # Malacca routing cannot reach Vladivostok from Murmansk


# --- seasons ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("departure", "entry_days", "exit_days", "open_"), [
    (date(2026, 7, 23), 3, 10, False),   # enters 07-26, before the 07-28 opening
    (date(2026, 7, 25), 3, 10, True),    # enters 07-28, leaves 08-04
    (date(2026, 10, 10), 5, 17, True),   # leaves 10-27, the last day
    (date(2026, 10, 10), 5, 18, False),  # leaves 10-28
    (date(2026, 3, 15), 20, 30, False),
])
def test_nsr_window(departure: date, entry_days: float, exit_days: float, open_: bool):
    assert nsr_window(departure, entry_days, exit_days).open is open_


def test_nsr_corridor_open_in_summer_closed_in_march():
    march = compare("INNSA", "Moscow", MARCH).corridor("nsr-murmansk-rail")
    assert not march.open
    assert march.reasons == ("Northern Sea Route closed to ships without ice class: transit 2026-04-10 to "
                             "2026-04-20, season 07-28 to 10-27",)
    july = compare("INNSA", "Moscow", date(2026, 7, 5)).corridor("nsr-murmansk-rail")  # enters about 07-31
    assert july.open and july.reasons == ()
    assert not compare("INNSA", "Moscow", date(2026, 6, 25)).corridor("nsr-murmansk-rail").open  # too early
    tanker = compare("RUMMK", "INVAD", AUGUST, cargo="tanker").corridor("tanker-nsr")
    assert tanker.open and "ice-and-season" in tanker.risks
    assert not compare("RUMMK", "INVAD", date(2026, 10, 20), cargo="tanker").corridor("tanker-nsr").open


# --- scenarios ----------------------------------------------------------------------------------------------

def test_red_sea_closed_closes_suez_routes_only():
    base = compare("INNSA", "Moscow", MARCH, scenarios=["red-sea-open", "hormuz-open"])
    closed = compare("INNSA", "Moscow", MARCH, scenarios=["red-sea-closed", "hormuz-open"])
    for name in ("suez-stpetersburg-rail", "suez-novorossiysk-rail"):
        assert base.corridor(name).open and not closed.corridor(name).open
        assert "Bab-el-Mandeb" in closed.corridor(name).reasons[0]
    for name in ("cape-stpetersburg-rail", "instc-road", "eastern-maritime-tsr"):
        assert closed.corridor(name).open
    assert [c.open for c in closed.corridors] == sorted((c.open for c in closed.corridors), reverse=True)
    tanker = compare("RUPRI", "INSIK", MARCH, scenarios=["red-sea-closed"], cargo="tanker")
    assert compare("RUPRI", "INSIK", MARCH, scenarios=["red-sea-open"], cargo="tanker").corridor("tanker-suez").open
    assert not tanker.corridor("tanker-suez").open and tanker.corridor("tanker-cape").open


def test_rasht_astara_rail_replaces_the_road_leg():
    road = compare("INNSA", "Moscow", MARCH).corridor("instc-rail")
    rail = compare("INNSA", "Moscow", MARCH, scenarios=["rasht-astara-open"]).corridor("instc-rail")
    assert [(x.a, x.b, x.mode, x.distance_km) for x in road.legs][2] == ("rasht", "astara", "road", 180.0)
    assert [(x.a, x.b, x.mode, x.distance_km) for x in rail.legs][2] == ("rasht", "astara", "rail_1435", 162.0)
    assert rail.distance_km == pytest.approx(road.distance_km - 18)
    assert rail.road_km == 0 and road.road_km == 180
    assert rail.days_p50 < road.days_p50  # one transfer fewer at Rasht


def test_astara_congestion_multiplies_the_border_dwell(constant_params: None):
    base = compare("INNSA", "Moscow", MARCH).corridor("instc-road")
    jam = compare("INNSA", "Moscow", MARCH, astara_congestion=3.0).corridor("instc-road")
    border = legs.param("border_dwell_days").mode  # 2 days
    assert jam.days_p50 == pytest.approx(base.days_p50 + 2 * border, abs=0.05)
    assert jam.usd_per_teu_p50 == base.usd_per_teu_p50
    assert compare("INNSA", "Moscow", MARCH, astara_congestion=3.0).corridor("suez-stpetersburg-rail").days_p50 == \
        compare("INNSA", "Moscow", MARCH).corridor("suez-stpetersburg-rail").days_p50


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"scenarios": ["red-sea"]}, "unknown --scenario 'red-sea'; use one of red-sea-closed, red-sea-open, "
                                 "hormuz-closed, hormuz-open, black-sea-closed, black-sea-open, rasht-astara-open"),
    ({"cargo": "bulk"}, "unknown --cargo 'bulk'"),
    ({"astara_congestion": 0.5}, "--astara-congestion 0.5 out of range"),
])
def test_bad_options(kwargs: dict, message: str):
    with pytest.raises(BilateralError, match=message.replace("(", r"\(").replace(")", r"\)")):
        compare("INNSA", "Moscow", MARCH, **kwargs)


# --- the model: hand-worked values with every parameter at its mode ----------------------------------------

def test_container_direct_service_hand_worked(constant_params: None):
    c = compare("INMUN", "RUNVS", MARCH, scenarios=["black-sea-open"]).corridor("suez-novorossiysk-rail")
    km = 7949.0 + 57.3  # network + approaches (Mundra 40 km, Novorossiysk 17 km)
    assert c.distance_km == pytest.approx(km, abs=0.2)
    # cut-off 1.5 + sailing km/(16 kn) + intermediate calls 4 + dwell at Novorossiysk 3
    assert c.days_p50 == c.days_p90 == pytest.approx(1.5 + km / KM_PER_DAY_16_KNOTS + 4 + 3, abs=0.05)
    assert c.sailing_days_p50 == pytest.approx(km / KM_PER_DAY_16_KNOTS + 4, abs=0.05)
    # handling 250 twice + 0.12/TEU-km + Suez 60 + empty repositioning 500
    assert c.usd_per_teu_p50 == pytest.approx(250 + km * 0.12 + 60 + 250 + 500, abs=0.5)
    assert c.co2e_kg_per_teu == pytest.approx(km * 72 / 1000, abs=0.1)
    assert c.co2e_ttw_kg_per_teu == pytest.approx(km * 60 / 1000, abs=0.1)


def test_container_instc_road_hand_worked(constant_params: None):
    c = compare("INNSA", "Moscow", MARCH).corridor("instc-road")
    sea = c.sea_km
    assert sea == pytest.approx(2055.6, abs=0.1) and c.road_km == 1850 and c.rail_km == 2750
    feeder_km_day = 14 * 1.852 * 24
    days = (1.5 + sea / feeder_km_day     # cut-off, feeder sailing (no liner calls on a feeder)
            + 6                           # dwell at Bandar Abbas
            + 1850 / 500                  # road
            + 2                           # border dwell at Astara
            + 2                           # terminal transfer road -> rail at Astara
            + 2750 / 800                  # rail 1,520 mm
            + 2)                          # terminal dwell in Moscow
    assert c.days_p50 == pytest.approx(days, abs=0.05)
    usd = (250 + sea * 0.35 + 250 + 1850 * 0.5 + 100 + 250 + 2750 * 0.19 + 250 + 500)
    assert c.usd_per_teu_p50 == pytest.approx(usd, abs=0.5)
    assert c.co2e_kg_per_teu == pytest.approx((sea * 132 + 1850 * 850 + 2750 * 170) / 1000, abs=0.1)
    assert c.risks == ("strait-of-hormuz", "sanctions", "border")


def test_tanker_hand_worked(constant_params: None):
    c = compare("RUPRI", "INSIK", MARCH, cargo="tanker").corridor("tanker-suez")
    km = c.distance_km
    assert km == pytest.approx(14020 + 80, abs=1)
    sea = km / (12.5 * 1.852 * 24)
    laden = 3 + sea + 1.5 + 3
    assert c.days_p50 == pytest.approx(laden, abs=0.05)
    round_trip = laden + sea + 1.5
    cost = 45000 * round_trip + 2 * sea * 35 * 600 + 2 * 300000 + 2 * 90000
    assert c.usd_per_tonne_p50 == pytest.approx(cost / 100000, abs=0.01)
    assert c.usd_per_bbl_p50 == pytest.approx(cost / 100000 / 7.33, abs=0.01)
    assert c.co2e_kg_per_tonne == pytest.approx(km * 6.0 / 1000, abs=0.01)
    assert c.co2e_ttw_kg_per_tonne == pytest.approx(km * 5.0 / 1000, abs=0.01)
    assert c.usd_per_teu_p50 is None


def test_monte_carlo_is_deterministic_and_independent_of_other_corridors():
    a = compare("INNSA", "Moscow", MARCH)
    model._compare.cache_clear()
    b = compare("INNSA", "Moscow", MARCH)
    assert a == b
    assert a.corridor("instc-road").days_p50 == 30.7
    assert a.corridor("instc-road").days_p90 == 34.8
    assert a.corridor("instc-road").usd_per_teu_p50 == 3987
    p50 = a.corridor("suez-stpetersburg-rail")
    assert p50.days_p50 < p50.days_p90 and p50.usd_per_teu_p50 < p50.usd_per_teu_p90  # spread, not a point


# --- transshipment: services that do not call at the origin (issue 22) ---------------------------------------

@pytest.mark.parametrize(("origin", "destination", "corridor", "legs_expected"), [
    ("INNSA", "RULED", "suez-stpetersburg-rail", [("INNSA", "INMUN", "feeder"), ("INMUN", "RULED", "deep_sea")]),
    ("INMUN", "RULED", "suez-stpetersburg-rail", [("INMUN", "RULED", "deep_sea")]),
    ("INMAA", "RULED", "cape-stpetersburg-rail", [("INMAA", "INMUN", "feeder"), ("INMUN", "RULED", "deep_sea")]),
    ("INNSA", "RUNVS", "suez-novorossiysk-rail", [("INNSA", "RUNVS", "deep_sea")]),  # Ruscon and FESCO call here
    ("INMAA", "RUNVS", "suez-novorossiysk-rail", [("INMAA", "INMUN", "feeder"), ("INMUN", "RUNVS", "deep_sea")]),
])
def test_services_feed_other_ports_to_their_hub(origin: str, destination: str, corridor: str,
                                                 legs_expected: list[tuple[str, str, str]]):
    defn = next(d for d in legs.corridor_defs() if d.corridor == corridor)
    planned = network.plan(defn, places()[origin], places()[destination], frozenset())
    assert planned is not None
    assert [(x.a, x.b, x.mode) for x in planned] == legs_expected
    feeder = [x for x in planned if x.transshipment]
    assert [x.risks for x in feeder] == [(network.TRANSSHIPMENT_RISK,)] * len(feeder)
    assert [x.service for x in planned if x.mode == "deep_sea"] == [legs.service_for(corridor).service]  # type: ignore[union-attr]
    c = compare(origin, destination, MARCH).corridor(corridor)
    assert ("transshipment" in c.risks) == bool(feeder)
    svc = legs.service_for(corridor).service  # type: ignore[union-attr]
    assert [(x.service, x.transshipment) for x in c.legs if x.mode != "rail_1520"] == (
        [(svc, True), (svc, False)] if feeder else [(svc, False)])


def _with(monkeypatch: pytest.MonkeyPatch, **values: float) -> None:
    """Parameters at their modes, no waiting, and the given keys fixed at the given values."""
    real = legs.parameters()
    fixed = {k: Param(k, p.mode, p.mode, p.mode, p.unit, p.source) for k, p in real.items()}
    for k in fixed:
        if k.startswith("headway_days"):
            fixed[k] = Param(k, 0.0, 0.0, 0.0, "day", "test")
    for k, v in values.items():
        key = k.replace("__", ".").replace("_dash_", "-")
        assert key in fixed, key
        fixed[key] = Param(key, v, v, v, "day", "test")
    monkeypatch.setattr(legs, "parameters", lambda: fixed)
    model._compare.cache_clear()


def test_transshipment_adds_its_dwell_only_where_the_box_is_transshipped(monkeypatch: pytest.MonkeyPatch):
    _with(monkeypatch, transshipment_dwell_days=3.0)
    fed, direct = (compare(o, "RULED", MARCH).corridor("suez-stpetersburg-rail") for o in ("INNSA", "INMUN"))
    _with(monkeypatch, transshipment_dwell_days=13.0)
    fed2, direct2 = (compare(o, "RULED", MARCH).corridor("suez-stpetersburg-rail") for o in ("INNSA", "INMUN"))
    assert fed2.days_p50 - fed.days_p50 == pytest.approx(10.0, abs=0.05)
    assert direct2.days_p50 == direct.days_p50


def test_transshipment_hand_worked(constant_params: None):
    """Nhava Sheva → St Petersburg: feeder to Mundra, transshipment, FESCO's service via Suez, every parameter at its mode."""
    c = compare("INNSA", "RULED", MARCH, scenarios=["red-sea-open"]).corridor("suez-stpetersburg-rail")
    feeder, deep = c.legs
    feeder_km_day = 14 * 1.852 * 24
    days = (1.5                                    # cut-off at Nhava Sheva
            + feeder.distance_km / feeder_km_day   # feeder to Mundra (no liner calls on a feeder)
            + 4                                    # transshipment dwell at Mundra
            + deep.distance_km / KM_PER_DAY_16_KNOTS + 4  # sailing and intermediate calls
            + 4)                                   # dwell at St Petersburg
    assert c.days_p50 == c.days_p90 == pytest.approx(days, abs=0.05)
    usd = (250 + feeder.distance_km * 0.35 + 250   # origin handling, feeder, transshipment handling
           + deep.distance_km * 0.12 + 60 + 250 + 500)  # ocean, Suez toll, destination handling, empty box
    assert c.usd_per_teu_p50 == pytest.approx(usd, abs=0.5)
    assert 700 < feeder.distance_km < 850  # Nhava Sheva–Mundra by sea (about 410 nautical miles)


def test_service_headway_replaces_the_weekly_liner(monkeypatch: pytest.MonkeyPatch):
    """The wait for FESCO's sailing is uniform over its own headway (fortnightly to monthly), not the weekly mode's."""
    _with(monkeypatch, headway_days__fesco_dash_fbol=0.0)
    base = compare("INMUN", "RULED", MARCH).corridor("suez-stpetersburg-rail")
    _with(monkeypatch, headway_days__fesco_dash_fbol=30.0)
    monthly = compare("INMUN", "RULED", MARCH).corridor("suez-stpetersburg-rail")
    assert monthly.days_p50 - base.days_p50 == pytest.approx(15.0, abs=0.5)  # median of U(0, 30)
    assert monthly.days_p90 - base.days_p90 == pytest.approx(27.0, abs=0.5)  # 90th percentile of U(0, 30)
    nvs = compare("INMUN", "RUNVS", MARCH).corridor("suez-novorossiysk-rail")
    _with(monkeypatch, headway_days__fesco_dash_fbol=0.0)
    assert compare("INMUN", "RUNVS", MARCH).corridor("suez-novorossiysk-rail") == nvs  # another service's


def test_every_service_cites_dated_sources_with_a_url():
    import re

    for svc in legs.services().values():
        assert svc.url.startswith("https://"), svc.service
        assert re.search(r"\b20(2[2-9])\b", svc.source), svc.service  # dated, since the 2022 withdrawal
        headway = legs.param("headway_days", svc.service)
        assert headway.key == f"headway_days.{svc.service}" and headway.low < headway.high


def test_bad_service_row_names_file_line_and_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    src = (legs.DATA / "services.csv").read_text(encoding="utf-8").splitlines()
    src[1] = src[1].replace(",INMUN,INMUN,", ",INMUN,INNSA,", 1)
    for f in ("places.csv", "corridors.csv", "parameters.csv", "risks.csv"):
        (tmp_path / f).write_text((legs.DATA / f).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "services.csv").write_text("\n".join(src) + "\n", encoding="utf-8")
    monkeypatch.setattr(legs, "DATA", tmp_path)
    for fn in (legs.services, legs.places, legs.corridor_defs, legs.parameters, legs.risks):
        fn.cache_clear()
    try:
        with pytest.raises(InputError, match=r"services.csv, line 2, field 'hub': the hub 'INNSA' must be one of"):
            legs.services()
    finally:
        for fn in (legs.services, legs.places, legs.corridor_defs, legs.parameters, legs.risks):
            fn.cache_clear()


def test_destination_port_truncates_and_tail_extends():
    led = compare("INNSA", "RULED", MARCH)
    assert [(x.a, x.b) for x in led.corridor("suez-stpetersburg-rail").legs] == [("INNSA", "INMUN"), ("INMUN", "RULED")]
    assert [(x.a, x.b) for x in led.corridor("cape-stpetersburg-rail").legs] == [("INNSA", "INMUN"), ("INMUN", "RULED")]
    # the eastern corridor would extend by rail Moscow → St Petersburg after a sea leg that sails away (issue 28)
    assert dict(led.excluded) == {"eastern-maritime-tsr": "heads away: 10,302 km by deep_sea from Nhava Sheva (JNPT) "
                                                          "to Vladivostok leave the cargo 865 km farther from St Petersburg"}


def test_places_by_code_name_and_alias():
    assert legs.place("innsa").id == legs.place("JNPT").id == legs.place("Nhava Sheva").id == "INNSA"
    assert legs.place("Moscow").locode == "RUMOW"
    with pytest.raises(BilateralError, match="unknown place 'Atlantis'"):
        legs.place("Atlantis")


# --- data files ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["places.csv", "legs.csv", "parameters.csv", "emissions.csv", "seasons.csv",
                                  "corridors.csv", "calibration.csv", "services.csv"])
def test_every_row_has_a_source(name: str):
    with (legs.DATA / name).open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(r["source"].strip() for r in rows)
    if name in ("legs.csv", "parameters.csv", "emissions.csv"):
        # a number that is not cited is labelled an assumption
        cited = [r for r in rows if "assumption" not in r["source"]]
        assert all(any(w in r["source"] for w in ("Wikipedia", "issue 12", "Statistical Review", "default no",
                                                  "reported"))
                   for r in cited), cited


def test_bad_data_file_names_file_line_and_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    src = (legs.DATA / "legs.csv").read_text(encoding="utf-8").splitlines()
    src[3] = src[3].replace("rail_1520", "hovercraft", 1)
    (tmp_path / "legs.csv").write_text("\n".join(src) + "\n", encoding="utf-8")
    for f in ("places.csv",):
        (tmp_path / f).write_text((legs.DATA / f).read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(legs, "DATA", tmp_path)
    legs.land_legs.cache_clear()
    legs.places.cache_clear()
    try:
        with pytest.raises(InputError, match=r"legs.csv, line 4, field 'mode': not a land mode 'hovercraft'"):
            legs.land_legs()
    finally:
        legs.land_legs.cache_clear()
        legs.places.cache_clear()


# --- calibration against published figures ------------------------------------------------------------------

def _calibration_rows() -> list[dict[str, str]]:
    with (legs.DATA / "calibration.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("row", _calibration_rows(), ids=lambda r: r["id"])
def test_calibration(row: dict[str, str]):
    """Each published figure is inside our P50–P90 range, or on the side the docs explain."""
    c = compare(row["origin"], row["destination"], MARCH).corridor(row["corridor"])
    value = float(row["value"])
    if row["measure"] == "sea_nm":
        ours = c.sea_km / 1.852
        lo, hi = ours * 0.95, ours * 1.05
    else:
        lo = getattr(c, f"{row['measure']}_p50")
        hi = getattr(c, f"{row['measure']}_p90")
    got = "inside" if lo <= value <= hi else "below" if value < lo else "above"
    assert got == row["expected"], (row["id"], lo, hi, value)
    assert row["expected"] == "inside" or row["why"].strip(), "a miss needs an explanation"


def test_calibration_documented():
    page = (Path(__file__).resolve().parents[1] / "docs" / "commands" / "corridors.md").read_text(encoding="utf-8")
    for row in _calibration_rows():
        assert row["id"] in page, f"calibration row {row['id']} missing from docs/commands/corridors.md"


def test_cache_covers_every_served_pair(monkeypatch: pytest.MonkeyPatch):
    """No served origin–destination falls back to live searoute (rerun bilateral.corridors.build if this fails)."""
    def no_live(*args: object) -> None:
        raise AssertionError(f"sea leg not in data/sea_legs.json: {args[:2]}")

    monkeypatch.setattr(network, "sea_route_live", no_live)
    network.sea_leg.cache_clear()
    try:
        served = 0
        for cargo, o, d in network._pairs():
            for defn in legs.corridor_defs():
                if defn.cargo == cargo:
                    for sc in (frozenset(), frozenset({"rasht-astara-open"})):
                        served += network.plan(defn, o, d, sc) is not None
        assert served == 924
    finally:
        network.sea_leg.cache_clear()


# --- sane by construction (issue 22) ----------------------------------------------------------------------------

def _crow_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The test's own great-circle distance (spherical law of cosines, R = 6371 km)."""
    import math

    lon1, lat1, lon2, lat2 = (math.radians(x) for x in (*a, *b))
    c = math.sin(lat1) * math.sin(lat2) + math.cos(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    return 6371.0 * math.acos(max(-1.0, min(1.0, c)))


def test_no_offered_route_passes_its_destination_or_doubles_back():
    """Every served pair of places, every corridor, both rail scenarios: what is offered makes progress."""
    ids = legs.places()
    offered = excluded = 0
    for cargo, o, d in network._pairs():
        for sc in (frozenset(), frozenset({"rasht-astara-open"})):
            for defn in legs.corridor_defs():
                if defn.cargo != cargo:
                    continue
                route = network.plan(defn, o, d, sc)
                if route is None:
                    continue
                if network.detour(route, o, d) is not None:
                    excluded += 1
                    continue
                offered += 1
                stops = [o.id, *(leg.b for leg in route)]
                assert stops[-1] == d.id and len(set(stops)) == len(stops), (defn.corridor, stops)
                for leg in route[:-1]:  # never within 300 km of the destination before the last leg
                    assert min(_crow_km(pt, d.lonlat) for pt in leg.points()) >= 300, (defn.corridor, o.id, d.id)
                for leg in route:  # over land every leg ends nearer the destination
                    if leg.mode in legs.LAND_MODES:
                        assert _crow_km(ids[leg.b].lonlat, d.lonlat) < _crow_km(ids[leg.a].lonlat, d.lonlat)
                onward = sum(leg.distance_km for leg in route if leg.onward)
                assert onward <= _crow_km(o.lonlat, d.lonlat), (defn.corridor, o.id, d.id, onward)
    assert offered > 0 and excluded > 0


def test_eastern_destinations_get_eastern_routes():
    for origin in ("INMAA", "INNSA", "INMUN", "INPRT"):
        cmp = compare(origin, "RUVVO", AUGUST)
        assert [c.corridor for c in cmp.corridors] == ["eastern-maritime-tsr"]
        c = cmp.corridors[0]
        assert all(leg.b != "RUMOW" and leg.a != "RUMOW" for leg in c.legs)  # never through Moscow
        assert c.passages == ("malacca",) and [leg.b for leg in c.legs] == ["RUVVO"]
        names = {name for name, _ in cmp.excluded}
        assert {"nsr-murmansk-rail", "suez-stpetersburg-rail", "instc-east"} <= names
    why = dict(compare("INMAA", "RUVVO", AUGUST).excluded)
    assert why["nsr-murmansk-rail"].startswith("doubles back: Murmansk–Moscow by rail_1520 runs away from Vladivostok")
    assert why["suez-stpetersburg-rail"] == ("doubles back: 9,289 km by rail onward from Moscow to Vladivostok, more "
                                             "than the 5,935 km from Chennai as the crow flies")


def test_moscow_keeps_every_corridor():
    cmp = compare("INNSA", "Moscow", AUGUST)
    assert len(cmp.corridors) == 9 and cmp.excluded == ()
    tsr = cmp.corridor("eastern-maritime-tsr")
    assert "trans-siberian-capacity" in tsr.risks


def test_every_corridor_lists_risks_each_with_a_source():
    catalogue = legs.risks()
    for cargo, o, d in (("container", "INNSA", "Moscow"), ("container", "INMAA", "RUVVO"),
                        ("tanker", "RUPRI", "INSIK"), ("tanker", "kozmino", "INPRT")):
        for c in compare(o, d, AUGUST, cargo=cargo).corridors:  # type: ignore[arg-type]
            assert c.risks, c.corridor
            for r in c.risks:
                assert catalogue[r].source, r


def test_chokepoint_state_follows_the_dated_data():
    from bilateral.corridors.chokepoints import states_on

    assert states_on(date(2023, 6, 1))["red-sea"].state == "open"
    assert states_on(date(2024, 6, 1))["red-sea"].state == "closed"
    assert states_on(date(2026, 2, 1))["red-sea"].state == "restricted"
    assert states_on(date(2026, 3, 15))["red-sea"].state == "closed"
    assert states_on(date(2026, 3, 15))["hormuz"].state == "closed"
    assert states_on(date(2026, 5, 1))["hormuz"].state == "restricted"
    latest = states_on(date(2030, 1, 1))
    assert latest["black-sea"].since == date(2025, 12, 1) and latest["black-sea"].war_risk_pct == (0.65, 0.7, 0.8)
    assert states_on(date(2030, 1, 1), {"red-sea": "open"})["red-sea"].forced
    # a closed chokepoint closes the route; a restricted one adds its war-risk premium to the cost
    closed = compare("INNSA", "Moscow", date(2026, 3, 15)).corridor("instc-road")
    assert not closed.open and closed.reasons[0].startswith("Strait of Hormuz closed (since 2026-02-28")
    restricted = compare("INNSA", "Moscow", date(2026, 5, 1)).corridor("instc-road")
    clear = compare("INNSA", "Moscow", date(2026, 5, 1), scenarios=["hormuz-open"]).corridor("instc-road")
    assert restricted.open and restricted.days_p50 == clear.days_p50
    # feeder: 0.25-1% of US$8-25 m spread over 400-1,200 boxes: tens to a few hundred dollars a box
    assert 10 < restricted.usd_per_teu_p50 - clear.usd_per_teu_p50 < 400


def test_contradicting_scenarios_and_wrong_direction_refused():
    with pytest.raises(BilateralError, match="red-sea-open and red-sea-closed contradict each other"):
        compare("INNSA", "Moscow", MARCH, scenarios=["red-sea-open", "red-sea-closed"])
    with pytest.raises(BilateralError, match="container corridors run from an Indian port to a Russian place"):
        compare("RUNVS", "RUMOW", MARCH)


def test_every_pair_offers_its_corridors_or_sane_extensions_only():
    """Issue 28: over every served pair, an offered route that goes on by rail beyond its corridor's own steps
    makes progress on every leg (at least MIN_PROGRESS of its length nearer, by the test's own great circle),
    visits no place twice and is at most DETOUR_FACTOR times the corridor built for the destination; a route
    longer than 1.6 times the best offered is a corridor's own route to its own end (a sea lane round the Cape,
    the Northern Sea Route, Vladivostok and the Trans-Siberian to Moscow), never an extension."""
    ids = legs.places()
    offered = extended = 0
    long_own: set[tuple[str, str]] = set()
    for cargo, o, d in network._pairs():
        try:
            cmp = compare(o.id, d.id, AUGUST, cargo=cargo)
        except BilateralError:
            continue
        routes = {c.corridor: network.plan(next(x for x in legs.corridor_defs() if x.corridor == c.corridor), o, d,
                                           frozenset()) for c in cmp.corridors}
        built = [c.distance_km for c in cmp.corridors if not any(leg.onward for leg in routes[c.corridor])]
        best = min(c.distance_km for c in cmp.corridors)
        for c in cmp.corridors:
            offered += 1
            route = routes[c.corridor]
            stops = [o.id, *(leg.b for leg in route)]
            assert len(set(stops)) == len(stops), (c.corridor, stops)
            if any(leg.onward for leg in route):
                extended += 1
                for leg in route:
                    gain = _crow_km(ids[leg.a].lonlat, d.lonlat) - _crow_km(ids[leg.b].lonlat, d.lonlat)
                    assert gain >= 0.10 * leg.distance_km, (c.corridor, o.id, d.id, leg.a, leg.b, gain)
                assert not built or c.distance_km <= 1.6 * min(built), (c.corridor, o.id, d.id)
            elif c.distance_km > 1.6 * best:
                long_own.add((c.corridor, d.id if cargo == "container" else "India"))
    assert (offered, extended) == (271, 82)
    assert long_own == {
        ("cape-stpetersburg-rail", "RULED"), ("cape-stpetersburg-rail", "RUMOW"), ("suez-stpetersburg-rail", "RULED"),
        ("suez-stpetersburg-rail", "RUMOW"), ("nsr-murmansk-rail", "RUMMK"), ("nsr-murmansk-rail", "RUMOW"),
        ("eastern-maritime-tsr", "RUMOW"), ("tanker-cape", "India"), ("tanker-nsr", "India")}
    # the two trips the reviewers named: no eastern detour to St Petersburg, only sane routes to Novorossiysk
    assert "eastern-maritime-tsr" not in {c.corridor for c in compare("INNSA", "RULED", AUGUST).corridors}
    nvs = compare("INMUN", "RUNVS", AUGUST)
    assert sorted(c.corridor for c in nvs.corridors) == ["instc-east", "suez-novorossiysk-rail"]
    assert dict(nvs.excluded)["cape-stpetersburg-rail"] == ("heads away: 22,802 km by deep_sea from Mundra to St "
                                                            "Petersburg leave the cargo only 2,024 km nearer Novorossiysk")
    assert dict(nvs.excluded)["suez-stpetersburg-rail"].startswith("a detour: 16,337 km, 2.0 times "
                                                                   "suez-novorossiysk-rail (8,006 km)")
