"""The view layer: the brief, the dashboard's pages and their JSON twins render one view each.

Also the layering's promise to the brief: writing it imports neither FastAPI nor Starlette (nor
``bilateral.web``), checked on the command a user runs, under ``python -X importtime``.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
import warnings
from datetime import date
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note about httpx vs httpx2
    from fastapi.testclient import TestClient

from bilateral.report.brief import BRIEF_SECTIONS, CHARTED_PRODUCTS, RANKED_PRODUCTS, build_brief, render_html
from bilateral.views.base import to_json_bytes
from bilateral.web.app import create_app

DEPARTURE = "2026-03-01"
#: DuckDB sums in parallel, so two runs of the same query may differ in the last bit of a float
FLOAT_RTOL = 1e-12
#: the page each brief section shares its view with, and the API twin of that page (same arguments)
TWINS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "overview": ("/", "/api/overview", {}),
    "target": ("/target", "/api/target", {}),
    "potential": ("/potential", "/api/potential", {"top": RANKED_PRODUCTS}),
    "corridors": ("/corridors", "/api/corridors", {"date": DEPARTURE}),
    "settlement": ("/settlement", "/api/settlement", {}),
    "agenda": ("/agenda", "/api/agenda", {}),
}
CHART_SPEC = re.compile(r'<script type="application/json" class="chart-spec" data-for="plot-([a-z-]+)">(.*?)</script>',
                        re.S)
WEB_MODULES = ("fastapi", "starlette", "bilateral.web")


@pytest.fixture(scope="module")
def views_store(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dst = tmp_path_factory.mktemp("views") / "views.duckdb"
    shutil.copyfile(store_path, dst)
    return dst


@pytest.fixture(scope="module")
def client(views_store: Path):
    app = create_app(views_store)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture(scope="module")
def brief(client: TestClient):
    """The brief over the very store the app serves (its service's read-only connection)."""
    svc = client.app.state.service
    with svc.reading() as store:  # the service opens the store only while something reads it
        return build_brief(store, "IND-RUS", when=date.fromisoformat(DEPARTURE), store_path=svc.store_path)


def _same(a: Any, b: Any, where: str = "") -> None:
    """Equal, floats to FLOAT_RTOL; the assertion names the first path that differs."""
    if isinstance(a, float) and isinstance(b, float | int) and not isinstance(b, bool):
        assert math.isclose(a, b, rel_tol=FLOAT_RTOL), f"{where}: {a!r} != {b!r}"
    elif isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), f"{where}: keys {sorted(a.keys() ^ b.keys())} differ"
        for k in a:
            _same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), f"{where}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def _charts(html: str) -> dict[str, dict[str, Any]]:
    return {cid: json.loads(spec) for cid, spec in CHART_SPEC.findall(html)}


@pytest.mark.parametrize("section", BRIEF_SECTIONS)
def test_brief_section_is_the_api_twin(client: TestClient, brief, section: str):
    """Each section's figures are, value for value, what the page's API route answers for the same arguments."""
    sec = {s.id: s for s in brief.sections}[section]
    assert sec.unavailable == ""
    _, api, params = TWINS[section]
    r = client.get(api, params={"pair": "IND-RUS", **params})
    assert r.status_code == 200, r.text
    _same(json.loads(to_json_bytes(sec.data)), r.json(), section)


@pytest.mark.parametrize("section", BRIEF_SECTIONS)
def test_brief_section_draws_the_page_charts(client: TestClient, brief, section: str):
    """The charts in the brief's HTML are the page's charts (the brief charts only its top products)."""
    page, _, params = TWINS[section]
    r = client.get(page, params={"pair": "IND-RUS", **params})
    assert r.status_code == 200, r.text
    on_page = _charts(r.text)
    in_brief = _charts(render_html(brief))
    ids = [c.id for c in {s.id: s for s in brief.sections}[section].charts]
    assert ids and set(ids) <= set(on_page), (ids, sorted(on_page))
    for cid in ids:
        if cid == "potential-products":  # the page charts every ranked product, the brief the first few
            assert len(on_page[cid]["rows"]) == RANKED_PRODUCTS and len(in_brief[cid]["rows"]) == CHARTED_PRODUCTS
            _same(in_brief[cid]["rows"], on_page[cid]["rows"][:CHARTED_PRODUCTS], cid)
            _same(in_brief[cid]["source"], on_page[cid]["source"], cid)
        else:
            _same(in_brief[cid], on_page[cid], cid)


def _imported(stderr: str) -> set[str]:
    """Module names from ``-X importtime`` lines: ``import time: self | cumulative | name``."""
    return {line.rsplit("|", 1)[1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


def test_brief_command_imports_no_web_server(views_store: Path, tmp_path: Path):
    """``python -X importtime -m bilateral brief --out x.html``: neither FastAPI nor Starlette is imported."""
    out = tmp_path / "x.html"
    p = subprocess.run([sys.executable, "-X", "importtime", "-m", "bilateral", "brief", "--out", str(out),
                        "--store", str(views_store)], capture_output=True, text=True, timeout=300, check=False)
    assert p.returncode == 0, p.stderr[-2000:]
    assert out.stat().st_size > 1_000_000  # plotly.js inlined: the brief really was written
    mods = _imported(p.stderr)
    assert "bilateral.report.brief" in mods and "bilateral.views.base" in mods  # the parse saw the brief's imports
    assert not [m for m in mods if m.split(".")[0] in WEB_MODULES or m.startswith(WEB_MODULES)]
