"""The CLI: overview figures, output formats, clear errors, help and docs for every command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.main import get_command
from typer.testing import CliRunner

from bilateral.cli import app

runner = CliRunner()
DOCS = Path(__file__).resolve().parents[1] / "docs" / "commands"


def run(*args: str):
    return runner.invoke(app, list(args))


def _commands() -> list[str]:
    """Every leaf command as a space-separated path ('overview', 'embedded build')."""
    root = get_command(app)
    out: list[str] = []

    def walk(cmd, prefix):
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*prefix, name])
        else:
            out.append(" ".join(prefix))

    walk(root, [])
    return sorted(out)


def test_overview_json_fy2024_25(store_path: Path):
    r = run("overview", "--fy", "2024-25", "--format", "json", "--store", str(store_path))
    assert r.exit_code == 0, r.output
    obj = json.loads(r.stdout)
    off = obj["official"]
    assert off["exports_usd"] == 4_881_300_000
    assert off["imports_usd"] == 63_811_440_000
    assert off["total_trade_usd"] == 68_692_740_000  # US$68.69 bn, as published
    assert off["status"] == "final"
    assert off["source"]["url"].startswith("https://tradestat.commerce.gov.in")
    assert off["source"]["releases"][0]["sha256"]
    assert obj["detail"]["exports_usd"] == 3_962_280_000
    assert obj["detail"]["coverage"] == pytest.approx(0.8117, abs=0.001)  # about 81%
    assert obj["detail"]["imports_region"] == "_CIS"
    assert {s["sector"] for s in obj["sectors"]} >= {"pharmaceuticals", "engineering", "plastics"}
    assert len(obj["series"]) == 16 and obj["sparkline"]


def test_overview_table_prints_official_total_with_source(store_path: Path):
    r = run("overview", "--fy", "FY2024-25", "--store", str(store_path))
    assert r.exit_code == 0, r.output
    for text in ("68,692.74", "4,881.30", "63,811.44", "DGCI&S", "81.2%", "Pharmaceuticals",
                 "Other Cis Countries".replace("Cis", "CIS")):
        assert text in r.stdout, text


def test_overview_default_is_latest_and_provisional(store_path: Path):
    r = run("overview", "--format", "json", "--store", str(store_path))
    obj = json.loads(r.stdout)
    assert obj["period"] == "FY2025-26" and obj["status"] == "provisional"
    assert any("provisional" in n for n in obj["notes"])
    assert obj["official"]["total_trade_usd"] == pytest.approx(59_863_130_000)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json", "table"])
def test_overview_formats_to_file(store_path: Path, tmp_path: Path, fmt: str):
    out = tmp_path / f"overview.{fmt}"
    r = run("overview", "--fy", "2024-25", "--format", fmt, "--out", str(out), "--store", str(store_path))
    assert r.exit_code == 0, r.output
    if fmt == "parquet":
        t = pq.read_table(out).to_pylist()
        row = next(x for x in t if x["section"] == "official" and x["measure"] == "total_trade_usd")
        assert row["value"] == 68_692_740_000
    else:
        assert "68692740000" in out.read_text() or "68,692.74" in out.read_text()


@pytest.mark.parametrize(("args", "message"), [
    (["overview", "--pair", "IND-XYZ"], "XYZ is not a country code"),
    (["overview", "--pair", "India"], "not a country pair"),
    (["overview", "--fy", "2031-32"], "no trade figures for IND-RUS in FY2031-32; available: FY2010-11 to FY2025-26"),
    (["overview", "--fy", "2024"], "no calendar-year figures for IND-RUS in the store (asked for CY2024); available: "
     "FY2010-11 to FY2025-26. A fiscal year is never built from calendar-year data"),
    (["overview", "--period", "2024-26"], "not a period"),
    (["overview", "--format", "xml"], "unknown --format"),
    (["export", "nope"], "unknown table"),
])
def test_clear_errors(store_path: Path, args: list[str], message: str):
    r = run(*args, "--store", str(store_path))
    usage = message.startswith(("unknown", "not a", "XYZ"))  # a bad option value: exit 2; no data for it: 1
    assert r.exit_code == (2 if usage else 1)
    assert message in r.stderr
    assert "Traceback" not in r.output and r.stderr.count("\n") == 1


def test_bad_store_file_error(tmp_path: Path):
    bogus = tmp_path / "x.duckdb"
    bogus.write_text("hello")
    r = run("overview", "--store", str(bogus))
    assert r.exit_code == 1 and "is not a DuckDB database" in r.stderr
    assert bogus.read_text() == "hello"


def test_releases_and_export(store_path: Path, tmp_path: Path):
    r = run("releases", "--format", "json", "--store", str(store_path))
    rel = json.loads(r.stdout)
    assert {x["release"] for x in rel} >= {"embedded/official-fy", "embedded/eidb-exports-hs8-russia"}
    out = tmp_path / "flows.parquet"
    r = run("export", "flows", "--format", "parquet", "--out", str(out), "--store", str(store_path))
    assert r.exit_code == 0, r.output
    assert pq.read_metadata(out).num_rows == sum(x["rows"] for x in rel if x["release"] not in (
        "embedded/official-fy", "embedded/eidb-export-page-totals", "embedded/products", "embedded/countries"))


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help_and_docs(command: str):
    r = run(*command.split(), "--help")
    assert r.exit_code == 0
    assert "--format" in r.stdout and "--out" in r.stdout and "--store" in r.stdout, command
    page = DOCS / f"{command.replace(' ', '-')}.md"
    assert page.exists(), f"docs page missing for `bilateral {command}`: {page}"
    assert f"bilateral {command}" in page.read_text()


def test_docs_pages_match_commands():
    pages = {p.stem for p in DOCS.glob("*.md")}
    assert pages == {c.replace(" ", "-") for c in _commands()}


def test_console_script_runs(store_path: Path):
    """The installed entry point, in a real subprocess."""
    r = subprocess.run([sys.executable, "-m", "bilateral.cli", "overview", "--fy", "2024-25",
                        "--format", "json", "--store", str(store_path)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["official"]["total_trade_usd"] == 68_692_740_000
