"""Corridor maps: the window fits every drawn route, coastlines ship with the package, labels never overlap,
and the web charts carry units and round cost ticks (issue 22)."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from datetime import date

import pytest

from bilateral.corridors import compare, model
from bilateral.corridors.build import WORLD_TOPOJSON
from bilateral.corridors.coastlines import LAND_FILE, derive, land, unwrap_ring
from bilateral.corridors.labels import Box, place_labels
from bilateral.corridors.maps import Frame, frame_for, render_html, render_png, short_name, to_geojson, unwrap
from bilateral.views import charts

MARCH = date(2026, 3, 15)
AUGUST = date(2026, 8, 1)
#: trips whose maps are checked: the default (INSTC cluster round the Caspian), the eastern corridor, a tanker
#: through the NSR and the Bering Strait (a route across the antimeridian), a Pacific loading port
TRIPS = [("INNSA", "Moscow", MARCH, (), "container"),
         ("INNSA", "Moscow", MARCH, ("rasht-astara-open",), "container"),
         ("INMAA", "RUVVO", AUGUST, (), "container"),
         ("INMAA", "Moscow", AUGUST, (), "container"),
         ("RUPRI", "INSIK", AUGUST, (), "tanker"),
         ("kozmino", "INPRT", AUGUST, (), "tanker")]


@pytest.fixture(autouse=True)
def _fresh_model_cache():
    model._compare.cache_clear()
    yield
    model._compare.cache_clear()


def _cmp(trip: tuple) -> model.Comparison:
    o, d, when, sc, cargo = trip
    return compare(o, d, when, sc, cargo)


# --- the window -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("trip", TRIPS, ids=lambda t: f"{t[0]}-{t[1]}-{'+'.join(t[3]) or 'default'}")
def test_map_window_contains_every_drawn_point(trip: tuple):
    gj = to_geojson(_cmp(trip))
    frame = Frame.from_bbox(gj["bbox"])
    points = 0
    for f in gj["features"]:
        g = f["geometry"]
        coords = g["coordinates"] if g["type"] == "LineString" else [g["coordinates"]]
        for lon, lat in coords:
            assert frame.contains(lon, lat), (f["properties"].get("corridor") or f["properties"]["name"], lon, lat)
            points += 1
    assert points > 10
    assert all(-180 <= v <= 180 for v in (gj["bbox"][0], gj["bbox"][2]))


def test_nsr_window_runs_across_the_pacific_instead_of_cutting_it():
    """Primorsk→Sikka draws the NSR through the Bering Strait (169°W): the window reaches past 180°E,
    its GeoJSON bbox has west > east (RFC 7946 §5.2), and the Atlantic (Cape route) is still in it."""
    gj = to_geojson(compare("RUPRI", "INSIK", AUGUST, (), "tanker"))
    west, south, east, north = gj["bbox"]
    assert west > east  # crosses the antimeridian
    frame = Frame.from_bbox(gj["bbox"])
    assert frame.east > 190 and frame.west < -15
    assert frame.contains(-169.2, 65.9) and frame.contains(-17.0, 15.0)  # Bering Strait, off Dakar
    assert north > 75 and south < -34  # the Arctic coast and the Cape


def test_short_trip_window_is_not_the_world():
    frame = Frame.from_bbox(to_geojson(compare("INMAA", "RUVVO", AUGUST)).get("bbox"))
    assert 70 < frame.west < 80 and 135 < frame.east < 150  # Chennai 80.3°E to Vladivostok 131.9°E, with margin
    assert frame.south < 1 and frame.north > 43.1


def test_frame_hand_worked():
    # one line from 170°E across the antimeridian to 170°W: unwrapped to 190, padded by 3° (6% of 20° is less)
    f = frame_for([[(170.0, 10.0), (-170.0, 12.0)]])
    assert unwrap([(170.0, 10.0), (-170.0, 12.0)]) == [(170.0, 10.0), (190.0, 12.0)]
    # lon 167..193 (26°) widens to the 30° minimum; lat 7..15 widens to 20°, then to aspect 1.5 (30/20 already)
    assert (f.west, f.east) == pytest.approx((165.0, 195.0))
    assert (f.south, f.north) == pytest.approx((1.0, 21.0))
    assert f.bbox() == [165.0, 1.0, -165.0, 21.0]
    assert Frame.from_bbox(f.bbox()) == f
    assert f.contains(-166.0, 5.0) and f.contains(194.0, 5.0) and not f.contains(160.0, 5.0)


# --- coastlines -----------------------------------------------------------------------------------------

def test_land_file_is_derived_from_the_shipped_world_outlines():
    """data/land_110m.json is what `python -m bilateral.corridors.build land` makes from the dashboard's
    world_110m.json (Natural Earth 1:110m), and records that file's sha256."""
    shipped = json.loads(LAND_FILE.read_text(encoding="utf-8"))
    assert shipped == derive(WORLD_TOPOJSON)
    assert shipped["provenance"]["source_sha256"] == hashlib.sha256(WORLD_TOPOJSON.read_bytes()).hexdigest()
    assert "Natural Earth" in shipped["provenance"]["source"]


def _inside(lon: float, lat: float) -> bool:
    """Point in land (even-odd over every ring and its 360° copies), the test's own ray casting."""
    hits = 0
    for ring in land().rings():
        for k in (-360.0, 0.0, 360.0):
            for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
                x0, x1 = x0 + k, x1 + k
                if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
                    hits += 1
    return hits % 2 == 1


@pytest.mark.parametrize(("lon", "lat", "on_land"), [
    (37.6, 55.8, True),     # Moscow
    (78.5, 17.4, True),     # Hyderabad
    (-172.0, 65.5, True),   # Chukotka, east of the antimeridian
    (65.0, 15.0, False),    # Arabian Sea
    (51.0, 42.0, False),    # Caspian Sea: a hole in Eurasia
    (-150.0, 30.0, False),  # North Pacific
])
def test_land_polygons_cover_the_land_and_not_the_sea(lon: float, lat: float, on_land: bool):
    assert _inside(lon, lat) is on_land


def test_ring_across_the_antimeridian_is_made_continuous():
    ring = [(178.0, 60.0), (-178.0, 60.0), (-178.0, 62.0), (178.0, 62.0)]
    assert unwrap_ring(ring) == [(178.0, 60.0), (182.0, 60.0), (182.0, 62.0), (178.0, 62.0)]


# --- labels ---------------------------------------------------------------------------------------------

def _overlapping(boxes: list[Box]) -> list[tuple[int, int]]:
    return [(i, j) for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2) if a.overlaps(b)]


def test_placer_separates_a_dense_cluster():
    # five points within 12 px of each other (the Caspian cluster at world scale)
    pts = [("Rasht", 100.0, 100.0), ("Astara", 96.0, 108.0), ("Amirabad", 108.0, 98.0), ("Sarakhs", 112.0, 104.0),
           ("Bandar Abbas", 104.0, 90.0)]
    spots = place_labels(pts, lambda t: (6.0 * len(t), 10.0), Box(0, 0, 300, 300))
    assert all(s.fits for s in spots)
    assert _overlapping([s.box for s in spots]) == []
    for s in spots:  # no label covers any point
        assert not any(s.box.overlaps(Box(px - 3, py - 3, px + 3, py + 3)) for _, px, py in pts), s.text
    assert any(s.leader for s in spots)  # a label pushed away from its point is tied to it


def test_placer_says_when_a_label_cannot_fit():
    spots = place_labels([("A very long label", 5.0, 5.0)], lambda t: (200.0, 10.0), Box(0, 0, 50, 50))
    assert spots[0].fits is False


@pytest.mark.parametrize("trip", TRIPS, ids=lambda t: f"{t[0]}-{t[1]}-{'+'.join(t[3]) or 'default'}")
def test_png_labels_as_drawn_do_not_overlap(trip: tuple):
    """Every place is labelled; the labels' boxes, measured by matplotlib after drawing, are pairwise
    disjoint and inside the map."""
    cmp = _cmp(trip)
    png, layout = render_png(cmp)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    names = {short_name(p.name) for c in cmp.corridors for leg in c.legs
             for p in (cmp.origin, cmp.destination) if p.id in (leg.a, leg.b)}
    assert names <= {s.text for s in layout.labels}
    assert all(s.fits for s in layout.labels)
    assert len(layout.drawn) == len(layout.labels)
    assert _overlapping(list(layout.drawn)) == []
    slack = 3.0  # the renderer's box may sit a pixel or two from the placer's estimate
    area = Box(layout.area.x0 - slack, layout.area.y0 - slack, layout.area.x1 + slack, layout.area.y1 + slack)
    assert all(b.inside(area) for b in layout.drawn)


def test_png_of_the_default_trip_labels_the_caspian_cluster():
    _, layout = render_png(compare("INNSA", "Moscow", MARCH))
    texts = {s.text for s in layout.labels}
    assert {"Rasht", "Astara", "Amirabad", "Sarakhs", "Astrakhan", "Bandar Abbas", "Moscow", "Nhava Sheva"} <= texts
    assert Frame.from_bbox(to_geojson(compare("INNSA", "Moscow", MARCH))["bbox"]) == layout.frame


def test_html_map_labels_do_not_overlap_and_draw_land():
    page = render_html(compare("INNSA", "Moscow", MARCH))
    view = re.search(r'viewBox="0 0 (\d+) (\d+)"', page)
    assert view is not None
    frame = Frame.from_bbox(to_geojson(compare("INNSA", "Moscow", MARCH))["bbox"])
    assert int(view.group(1)) / int(view.group(2)) == pytest.approx(frame.width / frame.height, rel=0.01)
    assert 'fill-rule="evenodd"' in page and page.count("Z") > 50  # land rings
    size = 10.0
    boxes = []
    for x, y, text in re.findall(r'<text class="place" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]+)</text>', page):
        w = 0.62 * size * len(text)  # the width the page assumes for its 10 px sans-serif
        boxes.append(Box(float(x), float(y) - size, float(x) + w, float(y) + 0.25 * size))
    assert len(boxes) >= 12
    assert _overlapping(boxes) == []


# --- web charts: units, round ticks, the window -----------------------------------------------------------

@pytest.mark.parametrize(("top", "step", "axis_top"), [
    (4988.0, 1000.0, 5000.0), (2650.0, 1000.0, 3000.0), (1770.0, 500.0, 2000.0), (62.3, 20.0, 80.0),
    (46.2, 10.0, 50.0), (7.0, 2.0, 8.0), (0.0, 1.0, 1.0)])
def test_nice_ticks(top: float, step: float, axis_top: float):
    assert charts.nice_ticks(top) == (step, axis_top)


@pytest.mark.parametrize(("cargo", "origin", "destination", "unit"), [
    ("container", "INNSA", "Moscow", "US$ per TEU"), ("tanker", "RUPRI", "INSIK", "US$ per tonne")])
def test_corridor_bars_name_units_and_tick_round_numbers(cargo: str, origin: str, destination: str, unit: str):
    data = compare(origin, destination, MARCH, (), cargo).to_dict()  # type: ignore[arg-type]
    fig = charts.corridor_bars(data).figure
    axis = fig["layout"]["xaxis2"]
    assert axis["title"]["text"] == f"cost P50, {unit}"
    assert fig["data"][2]["name"] == f"cost P50, {unit} (top axis)"
    top = max(c[f"usd_per_{'teu' if cargo == 'container' else 'tonne'}_p50"] for c in data["corridors"])
    step, axis_top = charts.nice_ticks(top * 1.05)
    assert axis["dtick"] == step and axis["range"] == [0, axis_top] and axis["tick0"] == 0
    mantissa = step / 10 ** len(str(int(step))[1:])
    assert mantissa in (1, 2, 2.5, 5)
    assert all(d.get("xaxis") == "x2" for d in fig["data"] if d["type"] == "scatter")


def test_corridor_map_window_follows_the_routes():
    cmp = compare("RUPRI", "INSIK", AUGUST, (), "tanker")
    gj = to_geojson(cmp)
    layout = charts.corridor_map(cmp.to_dict(), gj).figure["layout"]
    frame = Frame.from_bbox(gj["bbox"])
    assert layout["geo"]["lonaxis"]["range"] == [round(frame.west, 3), round(frame.east, 3)]
    assert layout["geo"]["lataxis"]["range"] == [round(frame.south, 3), round(frame.north, 3)]
    assert layout["geo"]["projection"]["rotation"]["lon"] == pytest.approx((frame.west + frame.east) / 2, abs=0.001)
    assert layout["meta"]["aspect"] == pytest.approx(frame.width / frame.height, abs=1e-3)
    assert layout["geo"]["domain"] == {"x": [0, 1], "y": [0, 1]}  # no band reserved under the map
    ends = [t for t in charts.corridor_map(cmp.to_dict(), gj).figure["data"] if t.get("mode") == "markers+text"]
    assert sorted(t["text"][0] for t in ends) == ["Primorsk", "Sikka"]
    assert {t["textposition"].split()[0] for t in ends} <= {"top", "bottom", "middle"}


def test_corridor_charts_name_corridors_not_ids():
    """Every corridor has a short name on file, and the bars and the map's legend show it, not the id."""
    import csv
    from importlib import resources

    from bilateral.views.labels import corridor_title

    text = resources.files("bilateral.corridors").joinpath("data/corridors.csv").read_text(encoding="utf-8")
    ids = [r["corridor"] for r in csv.DictReader(text.splitlines())]
    assert all(corridor_title(c) != c for c in ids), [c for c in ids if corridor_title(c) == c]
    assert corridor_title("suez-novorossiysk-rail") == "Suez – Novorossiysk + rail"
    cmp = compare("INNSA", "Moscow", MARCH, (), "container")
    data = cmp.to_dict()
    bars = charts.corridor_bars(data).figure["data"][0]["y"]
    assert [b.split("<br>")[0] for b in bars] == [corridor_title(c["corridor"]) for c in data["corridors"]]
    assert not set(bars) & set(ids)
    legend = {t["name"] for t in charts.corridor_map(data, to_geojson(cmp)).figure["data"] if t["type"] == "scattergeo"
              and t.get("mode") == "lines"}
    assert legend == {corridor_title(c["corridor"]) for c in data["corridors"]}
