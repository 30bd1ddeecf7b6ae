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
    from bilateral.views.assets import bundles

    text = brief_html.read_text(encoding="utf-8")
    geo = next(b for b in bundles() if b.name == "geo")
    assert text.count("plotly.js v4.1.1 partial bundle") == 1  # inlined once: the bundle the map needs, no more
    assert "traces: scatter, bar, scattergeo" in text
    assert geo.bytes < len(text.encode()) < geo.bytes + 1_000_000  # the old full bundle alone was 4.8 MB
    assert not re.search(r"<script[^>]*\ssrc=", text)
    assert not re.search(r"<link[^>]*\shref=\"https?:", text)
    assert 'id="topojson-world_110m"' in text  # the map's outlines travel with it


def test_brief_json(brief_store: Path, tmp_path: Path):
    out = tmp_path / "brief.json"
    r = runner.invoke(app, ["brief", "--format", "json", "--out", str(out), "--store", str(brief_store)])
    assert r.exit_code == 0, r.output
    d = json.loads(out.read_text())
    assert d["pair"] == "IND-RUS" and [s["id"] for s in d["sections"]] == list(BRIEF_SECTIONS)
    kpis = {k: (v, detail) for k, v, detail in d["sections"][0]["kpis"]}
    assert kpis["Total trade"] == ("US$59.86 bn", "") and kpis["Period"] == ("FY2025-26", "provisional")
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
    (["brief", "--format", "json", "--out", "x.pdf"], "--out x.pdf names a PDF, which is printed from the HTML brief"),
])
def test_brief_errors_are_one_line(args: list[str], message: str, brief_store: Path, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, [*args, "--store", str(brief_store)])
    assert r.exit_code == (2 if message in ("not a country pair", "unknown --format") else 1)  # 2: a bad option value
    assert message in r.stderr and r.stderr.count("\n") == 1 and "Traceback" not in r.output
    assert not (tmp_path / "x.html").exists()


def test_out_is_a_directory(brief_store: Path, tmp_path: Path):
    r = runner.invoke(app, ["brief", "--out", str(tmp_path), "--store", str(brief_store)])
    assert r.exit_code == 2 and "is a directory" in r.stderr  # refused as the option is read


def test_out_named_pdf_writes_the_html_beside_it_and_prints_to_the_name(brief_store: Path, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch):
    """`--out b.pdf` (with or without --pdf) once wrote the HTML into b.pdf and had Chromium print b.pdf onto itself:
    a one-page, 1 kB file. The HTML now goes to b.html and the PDF is printed from it to b.pdf."""
    import bilateral.report.brief as brief_module

    printed: list[tuple[Path, Path]] = []
    monkeypatch.setattr(brief_module, "write_pdf", lambda src, dst: printed.append((Path(src), Path(dst))))
    for extra in ([], ["--pdf"]):
        printed.clear()
        out = tmp_path / "b.pdf"
        r = runner.invoke(app, ["brief", "--out", str(out), *extra, "--store", str(brief_store)])
        assert r.exit_code == 0, r.output
        assert printed == [(tmp_path / "b.html", out)]
        assert (tmp_path / "b.html").read_text(encoding="utf-8").lower().startswith("<!doctype html>")
        assert r.stderr == f"wrote {tmp_path / 'b.html'}\nwrote {out}\n"


def test_pdf(brief_html: Path):
    if find_chromium() is None:
        pytest.skip("Chromium is not installed (Debian package 'chromium'); --pdf needs it")
    pdf = brief_html.with_suffix(".pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 50_000


# -- for a reader -----------------------------------------------------------------------------------
def _visible_text(html: str) -> str:
    """The brief's text outside scripts and tags (what a reader sees, charts aside)."""
    body = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    body = re.sub(r"<style.*?</style>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_brief_reads_as_a_document(brief_html: Path):
    text = _visible_text(brief_html.read_text(encoding="utf-8"))
    assert "`" not in text and not re.search(r"(?<![\w-])--[a-z]", text)  # no terminal markup, no CLI options
    for internal in ("agriculture_food", "textiles_apparel", "industrial_cap", "dual_use", "suez-novorossiysk-rail",
                     "instc-road", "trade-target-100bn", "usd per teu"):
        assert internal not in text, internal
    assert re.search(r"\d\.\d{7,}", text) is None  # no float artefacts in the prose
    assert "Agriculture and food" in text and "Dual-use goods" in text and "Goods for industrial capacity" in text
    # the commitments in full, not cut
    assert "Raise bilateral trade to US$100 bn a year by 2030 under an economic roadmap, from US$68.7 bn in FY2024-25." \
        in re.sub(r"\s+", " ", text)
    # an HS2017 code HS2022 deleted: its heading's text, labelled
    assert re.search(r"[a-z]{4,} \(heading (\d{4}): HS2017 subheading \1\d{2} was deleted by HS2022", text)


def test_for_reader_drops_command_line_hints():
    from bilateral.report.brief import for_reader

    assert for_reader("Target year FY2029-30; change it with --by (and the value with --target-usd).") == \
        "Target year FY2029-30."
    assert for_reader("Intervals covered less often than their nominal level: see `--backtest`.") == \
        "Intervals covered less often than their nominal level."
    assert for_reader("No tariff data: every product has the default tariff factor 1 (give --tariffs FILE.csv "
                      "with hs6,tariff_factor).") == "No tariff data: every product has the default tariff factor 1."
    assert for_reader("Read them in each scenario's `assumptions`.") == "Read them in each scenario's `assumptions`."


def test_imports_chart_names_the_region_it_shows(brief_store: Path):
    from bilateral.harmonise.pairs import parse_pair
    from bilateral.views.overview import overview

    with open_store(brief_store, read_only=True) as s:
        fy25 = overview(s, parse_pair("IND-RUS"), "FY2024-25").chart("overview-imports")
        fy26 = overview(s, parse_pair("IND-RUS"), "FY2025-26").chart("overview-imports")
    assert fy25.title == "IND FY2024-25: imports from the Other CIS Countries region by HS chapter"
    assert fy26.title == "IND-RUS FY2025-26: imports by HS chapter"  # Russia's own chapters that year


def test_provisional_years_are_marked(brief_store: Path):
    from bilateral.harmonise.pairs import parse_pair
    from bilateral.views.overview import overview

    with open_store(brief_store, read_only=True) as s:
        chart = overview(s, parse_pair("IND-RUS"), None).chart("overview-series")
    bars = chart.figure["data"][0]
    assert bars["x"][-1] == "FY2025-26" and bars["marker"]["pattern"]["shape"][-1] == "/"
    assert set(bars["marker"]["pattern"]["shape"][:-1]) == {""} and bars["customdata"][-1] == "provisional"
    assert chart.figure["layout"]["annotations"][0]["text"] == "FY2025-26 provisional (hatched, open markers)"


def test_two_runs_give_identical_bytes(brief_store: Path, brief_html: Path, tmp_path: Path):
    """Same store, same day: the same bytes, also from another process with another hash seed."""
    import os
    import subprocess
    import sys

    again = tmp_path / "again.html"
    r = subprocess.run([sys.executable, "-m", "bilateral.cli", "brief", "--out", str(again), "--store", str(brief_store)],
                       capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "12345", "NO_COLOR": "1"},
                       timeout=300, check=False)
    assert r.returncode == 0, r.stderr
    assert again.read_bytes() == brief_html.read_bytes()


def test_paper_option(brief_store: Path, tmp_path: Path):
    out = tmp_path / "letter.html"
    r = runner.invoke(app, ["brief", "--paper", "letter", "--out", str(out), "--store", str(brief_store)])
    assert r.exit_code == 0, r.output
    assert "@page { size: letter; margin: 0.5in; }" in out.read_text(encoding="utf-8")
    r = runner.invoke(app, ["brief", "--paper", "a3", "--out", str(out), "--store", str(brief_store)])
    assert r.exit_code == 2 and "'a3'" in r.stderr and "use one of a4, letter" in r.stderr  # refused as read


#: most pages the India–Russia brief may print to on A4
MAX_PDF_PAGES = 12


def test_pdf_pages(brief_html: Path, tmp_path: Path):
    """The PDF as pages (pdftoppm): A4, at most 12, each section on its own page, no chart split, no toolbar."""
    import shutil as sh
    import subprocess

    if find_chromium() is None or sh.which("pdftoppm") is None or sh.which("pdftotext") is None:
        pytest.skip("Chromium and poppler-utils (pdftoppm, pdftotext) are needed to look at the PDF's pages")
    pdf = brief_html.with_suffix(".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert 6 <= len(pages) <= MAX_PDF_PAGES
    texts = [subprocess.run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), str(pdf), "-"], capture_output=True,
                            text=True, check=True).stdout for i in range(1, len(pages) + 1)]
    html = brief_html.read_text(encoding="utf-8")
    # no chart split: its plotted title and its source line (printed right under the plot) are on one page
    specs = [json.loads(m) for m in re.findall(r'<script type="application/json" class="chart-spec"[^>]*>(.*?)</script>',
                                               html, flags=re.S)]
    assert len(specs) >= 8
    for spec in specs:
        title = spec["figure"]["layout"]["title"]["text"]
        on_title = [i for i, t in enumerate(texts) if title[:40] in t]
        on_source = [i for i, t in enumerate(texts) if f"Source ({spec['title'][:30]}" in " ".join(t.split())]
        assert on_title and on_title == on_source, (spec["id"], on_title, on_source)
    # each section starts a page (the first follows the title on page 1)
    assert "Where trade stands" in texts[0]
    starts = [i for i, t in enumerate(texts) for h in ("On track for the target?", "Top untapped products by sector",
                                                       "Which corridor", "The rupee settlement path", "Agenda status")
              if t.lstrip().startswith(h)]
    assert len(starts) == 5 and starts == sorted(starts) and 0 not in starts
    # no toolbar: the modebar is off in the brief (its buttons would be the only <a class="modebar-btn">)
    assert 'data-modebar="off"' in html
