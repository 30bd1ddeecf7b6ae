"""Regressions from a new user's trial of a fresh clone (each row: what they ran, what they saw)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bilateral.cli import app


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_flows_at_a_level_never_grades_a_national_file_of_some_lines_a(store_path: Path) -> None:
    """`flows --level 2`: crude and coal lines (20% of imports) showed quality complete, grade A."""
    r = run("flows", "--level", "2", "--source", "embedded", "--format", "json", "--store", str(store_path))
    rows = {(x["period"], x["flow"]): x for x in json.loads(r.stdout)}
    crude = rows[("FY2017-18", "import")]
    assert crude["value_usd"] == 1_696_610_000.0
    assert crude["grade"] == "B" and crude["basis"] == "HS4 detail rolled up to HS2 (partial: not every product)"


def test_potential_refuses_an_unknown_country(store_path: Path) -> None:
    """`potential --pair IND-XYZ` exited 0 with empty tables."""
    r = run("potential", "--pair", "IND-XYZ", "--store", str(store_path))
    assert r.exit_code == 2  # a bad option value: a usage error
    assert r.stderr.strip() == ("error: --pair: XYZ is not a country code: write ISO3 codes, e.g. IND-RUS, DEU-RUS "
                                "(or a group code such as _CIS)")


def test_check_refuses_a_binary_file(store_path: Path, tmp_path: Path) -> None:
    """`check rca.parquet` reported 1,872 claims."""
    f = tmp_path / "rca.parquet"
    f.write_bytes(b"PAR1\x00\x01\x02" * 100)
    r = run("check", str(f), "--store", str(store_path))
    assert r.exit_code == 1
    assert r.stderr.strip() == f"error: {f}: not a text or HTML file (it holds binary data); give an article as text or HTML"
