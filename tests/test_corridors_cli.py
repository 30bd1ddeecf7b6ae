"""`bilateral corridors` through the CLI: formats, maps, one-line errors, the docs examples."""

from __future__ import annotations

import csv
import io
import json
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilateral.cli import app

runner = CliRunner()
DOCS = Path(__file__).resolve().parents[1] / "docs" / "commands" / "corridors.md"
REQUIRED = {"corridor", "distance_km", "days_p50", "days_p90", "usd_per_teu_p50", "usd_per_teu_p90",
            "co2e_kg_per_teu", "open"}


def run(*args: str):
    return runner.invoke(app, list(args))


def test_json_list_with_required_fields(tmp_path: Path):
    r = run("corridors", "--from", "INNSA", "--to", "Moscow", "--date", "2026-03-15", "--scenario", "red-sea-closed",
            "--format", "json", "--store", str(tmp_path / "unused.duckdb"))
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert isinstance(rows, list) and len(rows) == 9
    assert all(REQUIRED <= set(x) for x in rows)
    by = {x["corridor"]: x for x in rows}
    assert by["suez-stpetersburg-rail"]["open"] is False
    assert by["cape-stpetersburg-rail"]["open"] is True
    assert by["instc-road"]["distance_km"] == 6656
    assert by["instc-road"]["legs"][1] == {
        "from": "IRBND", "to": "astara", "from_name": "Bandar Abbas", "to_name": "Astara (Iran–Azerbaijan border)",
        "mode": "road", "distance_km": 1850.0, "passages": [], "service": None, "transshipment": False,
        "source": "assumption: road Bandar Abbas–Tehran–Qazvin–Rasht–Astara, author's estimate +-10%"}
    assert [x["open"] for x in rows] == sorted((x["open"] for x in rows), reverse=True)
    assert not (tmp_path / "unused.duckdb").exists()


def test_tanker_csv():
    r = run("corridors", "--from", "Primorsk", "--to", "Sikka", "--date", "2026-03-15", "--cargo", "tanker",
            "--scenario", "red-sea-open", "--format", "csv")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [x["corridor"] for x in rows] == ["tanker-suez", "tanker-cape", "tanker-nsr"]
    assert rows[0]["usd_per_teu_p50"] == "" and float(rows[0]["usd_per_bbl_p50"]) > 0
    assert rows[2]["open"] == "False" and "Northern Sea Route closed" in rows[2]["reasons"]


def test_table_mentions_closure():
    r = run("corridors", "--from", "INNSA", "--to", "Moscow", "--date", "2026-03-15")
    assert r.exit_code == 0, r.output
    assert "nsr-murmansk-rail" in r.stdout and "Northern Sea Route closed" in r.stdout


def test_geojson_and_png(tmp_path: Path):
    gj, png = tmp_path / "c.geojson", tmp_path / "c.png"
    r = run("corridors", "--from", "INMAA", "--to", "RUVVO", "--date", "2026-08-01", "--geojson", str(gj),
            "--map", str(png), "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(gj.read_text())
    lines = [f for f in doc["features"] if f["geometry"]["type"] == "LineString"]
    points = [f for f in doc["features"] if f["geometry"]["type"] == "Point"]
    legs_total = sum(len(c["legs"]) for c in json.loads(r.stdout))
    assert len(lines) == legs_total
    assert {p["properties"]["id"] for p in points} >= {"INMAA", "RUVVO"}
    sea = next(f for f in lines if f["properties"]["corridor"] == "eastern-maritime-tsr")
    assert sea["properties"]["geometry"] == "searoute" and len(sea["geometry"]["coordinates"]) == 58
    assert all(-180 <= x <= 180 and -90 <= y <= 90 for f in lines for x, y in f["geometry"]["coordinates"])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "INNSA", "--to", "Atlantis"], "unknown place 'Atlantis'"),
    (["--from", "INNSA", "--to", "Moscow", "--date", "15/03/2026"], "not a date '15/03/2026'"),
    (["--from", "INNSA", "--to", "Moscow", "--scenario", "war"], "unknown --scenario 'war'"),
    (["--from", "Moscow", "--to", "INSIK", "--cargo", "tanker"], "tanker corridors run between ports"),
    (["--from", "RUMOW", "--to", "INNSA"], "container corridors start at a port"),
    (["--from", "INNSA", "--to", "Moscow", "--format", "xml"], "unknown --format"),
    (["--from", "INNSA", "--to", "Moscow", "--map", "x.svg"], "--map writes .png or .html; got 'x.svg'"),
])
def test_one_line_errors(args: list[str], message: str):
    r = run("corridors", *args)
    assert r.exit_code == (2 if message.startswith(("not a date", "unknown --")) else 1)  # bad option values: usage
    assert message in r.stderr
    assert "Traceback" not in r.output and r.stderr.count("\n") == 1


def _doc_examples() -> list[str]:
    text = DOCS.read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip().startswith("bilateral corridors ")]


@pytest.mark.parametrize("example", _doc_examples())
def test_docs_examples_run(example: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    r = run(*shlex.split(example)[1:])
    assert r.exit_code == 0, (example, r.output)


def test_docs_have_examples():
    assert len(_doc_examples()) >= 5


def test_parquet(tmp_path: Path):
    import pyarrow.parquet as pq

    out = tmp_path / "c.parquet"
    r = run("corridors", "--from", "INMUN", "--to", "RUNVS", "--date", "2026-03-15", "--scenario", "red-sea-open",
            "--format", "parquet", "--out", str(out))
    assert r.exit_code == 0, r.output
    rows = pq.read_table(out).to_pylist()
    assert rows[0]["corridor"] == "suez-novorossiysk-rail" and rows[0]["from"] == "INMUN"
    assert rows[0]["distance_km"] == 8006


def test_html_map_is_self_contained(tmp_path: Path):
    page = tmp_path / "c.html"
    r = run("corridors", "--from", "INNSA", "--to", "Moscow", "--date", "2026-03-15", "--map", str(page))
    assert r.exit_code == 0, r.output
    html = page.read_text(encoding="utf-8")
    assert "<svg" in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html and "<script" not in html
    assert html.count("<polyline") >= 9 and "instc-road: Bandar Abbas → Astara (Iran–Azerbaijan border), road, 1,850 km" in html
    assert "nsr-murmansk-rail" in html and "stroke-dasharray" in html  # the closed NSR corridor is dashed


def test_default_output_states_the_chokepoints_with_dates_and_sources():
    """Done-when: the default output names the chokepoint states it used, with their dates and sources."""
    r = run("corridors", "--from", "INNSA", "--to", "Moscow", "--date", "2026-03-15")
    assert r.exit_code == 0, r.output
    out = " ".join(r.stdout.split())
    assert "Red Sea (Bab-el-Mandeb): closed since 2026-03-01" in out and "SteelOrbis, 4 March 2026" in out
    assert "Strait of Hormuz: closed since 2026-02-28" in out and "Mint, 1 March 2026" in out
    assert "Black Sea (Turkish Straits): restricted since 2025-12-01" in out and "0.65-0.8%" in out
    assert "Northern Sea Route: open to ships without ice class from 07-28 to 10-27" in out
    assert "<https://www.steelorbis.com/" in r.stdout  # URLs on lines of their own, never folded
    j = json.loads(run("corridors", "--from", "INNSA", "--to", "Moscow", "--date", "2026-03-15", "--format",
                       "json").stdout)
    assert isinstance(j, list)  # the JSON list of corridors (flat rows keep their shape)


def test_chennai_vladivostok_offers_no_detour():
    """Done-when: no corridor whose route passes Vladivostok or runs through Moscow; the detours are named."""
    r = run("corridors", "--from", "INMAA", "--to", "RUVVO", "--date", "2026-08-01")
    assert r.exit_code == 0, r.output
    table = r.stdout.split("Not offered")[0]
    assert "eastern-maritime-tsr" in table
    for name in ("nsr-murmansk-rail", "suez-stpetersburg-rail", "cape-stpetersburg-rail", "suez-novorossiysk-rail",
                 "instc-road", "instc-rail", "instc-caspian", "instc-east"):
        assert name not in table and name in r.stdout.split("Not offered")[1]
