"""The import contracts scripts/check runs (import-linter, ``[tool.importlinter]`` in pyproject.toml).

lint-imports itself fails the check on a wrong-way import; these tests keep the contracts the layering
promises from being weakened unnoticed: the order of the layers, the forbidden imports, and that
every ignored import names the issue that removes it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = REPO / "pyproject.toml"


def _config() -> dict:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]


def _layer_of() -> dict[str, int]:
    (layers,) = [c for c in _config()["contracts"] if c["type"] == "layers"]
    assert layers["containers"] == ["bilateral"] and layers["exhaustive"] is True
    return {m.strip(): i for i, group in enumerate(layers["layers"]) for m in re.split(r"[:|]", group)}


def test_layers_run_from_interfaces_down_to_harmonise():
    at = _layer_of()
    assert at["cli"] == at["commands"] == at["web"] == at["api"]
    assert at["api"] < at["report"] <= at["views"] < at["models"]
    assert at["models"] == at["agenda"] == at["corridors"] < at["indicators"] == at["engine"]
    assert at["engine"] < at["store"] == at["sources"] < at["harmonise"]


def test_forbidden_imports_are_declared():
    forbidden = {(src, dst) for c in _config()["contracts"] if c["type"] == "forbidden"
                 for src in c["source_modules"] for dst in c["forbidden_modules"]}
    for pair in [("bilateral.report", "bilateral.web"), ("bilateral.report", "fastapi"),
                 ("bilateral.report", "starlette"), ("bilateral.views", "bilateral.web"),
                 ("bilateral.harmonise", "bilateral.store"), ("bilateral.engine", "bilateral.models")]:
        assert pair in forbidden, pair


def test_every_ignored_import_names_the_issue_that_removes_it():
    section = PYPROJECT.read_text(encoding="utf-8").split("[tool.importlinter]", 1)[1].split("[tool.mypy]", 1)[0]
    ignored = [line.strip() for line in section.splitlines() if re.match(r'\s*"bilateral\.[\w.]+ -> ', line)]
    declared = [i for c in _config()["contracts"] for i in c.get("ignore_imports", [])]
    assert len(ignored) == len(declared)  # the text parse saw every entry the contracts hold
    for line in ignored:
        assert re.search(r"#\s*.*removed by #\d+", line), line
