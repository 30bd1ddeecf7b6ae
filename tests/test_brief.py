"""`bilateral brief`: one self-contained HTML document with every section (CliRunner on a temp store)."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilateral.api import open_store
from bilateral.cli import app
from bilateral.report.brief import BRIEF_SECTIONS, build_brief, find_chromium, render_html

runner = CliRunner()
OFFICIAL_FY2025_26_TOTAL = 59_863_130_000.0  # DGCI&S provisional FY2025-26, the embedded official series


@pytest.fixture(scope="module")
def brief_store(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dst = tmp_path_factory.mktemp("brief") / "brief.duckdb"
    shutil.copyfile(store_path, dst)
    return dst


@pytest.fixture(scope="module")
def brief_html(brief_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The brief written once by the CLI (with --pdf where Chromium is installed: one build for both)."""
    out = tmp_path_factory.mktemp("brief-out") / "brief.html"
    pdf = ["--pdf"] if find_chromium() is not None else []
    r = runner.invoke(app, ["brief", "--out", str(out), *pdf, "--store", str(brief_store)])
    assert r.exit_code == 0, r.output
    assert f"wrote {out}" in r.stderr
    return out


def test_brief_has_every_section(brief_html: Path):
    text = brief_html.read_text(encoding="utf-8")
    assert [m for m in re.findall(r'data-section="([a-z]+)"', text)] == list(BRIEF_SECTIONS)
    assert "Not available" not in text
    for chart in ("overview-series", "target-fan", "potential-sectors", "corridor-bars", "corridor-map",
                  "settlement-paths", "agenda-timeline"):
        assert f'id="plot-{chart}"' in text, chart
    assert "US$59.86 bn" in text  # FY2025-26 total trade in the overview


def test_brief_is_self_contained(brief_html: Path):
    text = brief_html.read_text(encoding="utf-8")
    assert text.count("* plotly.js v") == 1  # inlined once
    assert not re.search(r"<script[^>]*\ssrc=", text)
    assert not re.search(r"<link[^>]*\shref=\"https?:", text)
    assert 'id="topojson-world_110m"' in text  # the map's outlines travel with it
    assert "cdn.plot.ly/un" not in text.split("* plotly.js v")[0]  # nothing before plotly names the CDN


def test_brief_json(brief_store: Path, tmp_path: Path):
    out = tmp_path / "brief.json"
    r = runner.invoke(app, ["brief", "--format", "json", "--out", str(out), "--store", str(brief_store)])
    assert r.exit_code == 0, r.output
    d = json.loads(out.read_text())
    assert d["pair"] == "IND-RUS" and [s["id"] for s in d["sections"]] == list(BRIEF_SECTIONS)
    kpis = dict(d["sections"][0]["kpis"])
    assert kpis["Total trade"] == "US$59.86 bn" and kpis["Period"] == "FY2025-26 (provisional)"
    series = d["sections"][0]["charts"][0]
    assert series["columns"][:3] == ["period", "exports_usd", "imports_usd"]
    assert [row for row in series["rows"] if row[0] == "FY2025-26"][0][3] == OFFICIAL_FY2025_26_TOTAL


def test_build_brief_for_a_pair_without_data(brief_store: Path):
    """A pair the store has no flows for: each section that cannot answer is left out, named at the end with why."""
    with open_store(brief_store) as s:
        b = build_brief(s, "DEU-RUS", when=date(2026, 3, 1))
    left = {x.id: x.reason for x in b.left_out}
    assert left["overview"].startswith("no trade figures for DEU-RUS in the store; load them with `bilateral ingest baci")
    assert left["corridors"].startswith("the corridor data (bilateral/corridors/data/places.csv) hold no place in DEU")
    assert left["agenda"] == ("the commitments on file (bilateral/agenda/data/commitments.yml) are between IND and RUS; "
                              "none are on file between DEU and RUS")
    html = render_html(b)
    assert "Left out of this brief" in html and "Not available" not in html


@pytest.mark.parametrize(("args", "message"), [
    (["brief"], "give --out"),
    (["brief", "--pair", "nonsense", "--out", "x.html"], "not a country pair"),
    (["brief", "--format", "pdf", "--out", "x.html"], "unknown --format"),
    (["brief", "--format", "json", "--pdf", "--out", "x.json"], "--pdf prints the HTML brief"),
])
def test_brief_errors_are_one_line(args: list[str], message: str, brief_store: Path, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, [*args, "--store", str(brief_store)])
    assert r.exit_code == 1
    assert message in r.stderr and r.stderr.count("\n") == 1 and "Traceback" not in r.output
    assert not (tmp_path / "x.html").exists()


def test_out_is_a_directory(brief_store: Path, tmp_path: Path):
    r = runner.invoke(app, ["brief", "--out", str(tmp_path), "--store", str(brief_store)])
    assert r.exit_code == 1 and "is a directory" in r.stderr


def test_pdf(brief_html: Path):
    if find_chromium() is None:
        pytest.skip("Chromium is not installed (Debian package 'chromium'); --pdf needs it")
    pdf = brief_html.with_suffix(".pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 50_000
