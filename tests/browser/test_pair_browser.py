"""Any pair in the dashboard (issue 23), in headless Chromium: choose a non-India pair from the selector, see its figures.

A real `bilateral serve` runs on a copy of the test store with a SYNTHETIC world matrix loaded (the
rows of tests/test_any_pair.py, in the layout of the shared 2024 world file; made-up values). China's
partners are listed with their periods once China is chosen; Germany, as in the real file, is never
an importer, so DEU-RUS shows its exports and names the imports as missing with the reason.
Skipped, with the reason, where Chromium or the playwright package is absent.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_any_pair import SYNTHETIC_ROWS, write_matrix  # tests/ (on sys.path with its conftest)
from test_browser import ARGS, CHROMIUM, Watch, serve  # same folder (pytest puts it on sys.path)

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed (apt-get install -y chromium)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


@pytest.fixture(scope="module")
def pair_server(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`bilateral serve` on a copy of the test store with the SYNTHETIC matrix ingested."""
    from bilateral.api import open_store
    from bilateral.sources import baci

    folder = tmp_path_factory.mktemp("serve-pairs")
    store = folder / "pairs.duckdb"
    shutil.copyfile(store_path, store)
    with open_store(store) as s:
        baci.ingest(s, write_matrix(folder / "synthetic_world_2024.parquet", SYNTHETIC_ROWS))
    with serve(store, folder) as base:
        yield base


@pytest.fixture(scope="module")
def page_watch(pair_server: str) -> Iterator[Watch]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        ctx = b.new_context(viewport={"width": 1280, "height": 900})
        w = Watch(ctx, (pair_server, "data:", "blob:"))
        try:
            yield w
        finally:
            w.close()
            ctx.close()
            b.close()


def _choose(p: Any, reporter: str, partner: str) -> None:
    p.select_option("#reporter-select", reporter)
    p.wait_for_selector(f"form.pair-form[data-partners-for={reporter}]")  # the partners listed from /api/pairs
    p.select_option("#partner-select", partner)
    p.click(".pair-form button")
    p.wait_for_load_state("load")


def test_choose_a_non_india_pair_and_see_its_figures(page_watch: Watch, pair_server: str):
    w, p = page_watch, page_watch.page
    p.goto(f"{pair_server}/")
    w.charts_drawn()
    assert p.locator(".pair-label").inner_text() == "IND-RUS"
    p.select_option("#reporter-select", "CHN")
    p.wait_for_selector("form.pair-form[data-partners-for=CHN]")
    assert p.eval_on_selector_all("#partner-select option", "els => els.map(e => e.textContent)") == [
        "Brazil (BRA) · CY2024", "India (IND) · CY2024", "Russia (RUS) · CY2024"]
    p.select_option("#partner-select", "RUS")
    p.click(".pair-form button")
    p.wait_for_load_state("load")
    assert p.url == f"{pair_server}/?pair=CHN-RUS"
    assert p.locator(".pair-label").inner_text() == "CHN-RUS" and p.locator("h1").inner_text() == "Overview CHN-RUS"
    assert p.locator("#kpi-exports").inner_text() == "US$5.00 bn"
    assert p.locator("#kpi-imports").inner_text() == "US$6.50 bn"
    assert p.locator("#kpi-total").inner_text() == "US$11.50 bn"
    w.charts_drawn()
    assert "needs CY2023, which the store does not hold for CHN-RUS" in p.locator("#missing").inner_text()
    print(f"screenshot: {w.shot('pair-chn-rus')}")
    assert w.errors == [] and w.blocked == []


def test_a_pair_with_one_direction_missing_says_why(page_watch: Watch, pair_server: str):
    w, p = page_watch, page_watch.page
    p.goto(f"{pair_server}/target?pair=CHN-RUS")  # a page that refuses the pair keeps the selector
    _choose(p, "DEU", "RUS")
    assert p.url == f"{pair_server}/target?pair=DEU-RUS" and p.locator(".pair-label").inner_text() == "DEU-RUS"
    p.click("nav a[data-page='/']")
    p.wait_for_load_state("load")
    assert p.locator("#kpi-exports").inner_text() == "US$1.00 bn"
    assert p.locator("#kpi-imports").inner_text() == "—" and p.locator("#kpi-total").inner_text() == "—"
    imports = p.locator("#missing li[data-figure=imports_usd]").inner_text()
    assert imports.startswith("Imports: DEU is not an importer in baci/ISO3/synthetic_world_2024/2024")
    assert "--pair" not in p.locator("main").inner_text()
    w.charts_drawn()
    print(f"screenshot: {w.shot('pair-deu-rus')}")
    assert w.blocked == []
    # the target page refuses CHN-RUS and DEU-RUS (no target on file), with its status and the console's note of it
    assert [e for e in w.errors if "/target?pair=" not in e and "status of 400" not in e] == []
