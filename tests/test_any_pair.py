"""Any pair, honestly partial (issue 23): every report shows what a release holds and says what it lacks.

The store here is the embedded test store plus a SYNTHETIC world matrix written in the layout of the
shared ``baci2024/world_hs6_2024.parquet`` (year, exporter, importer, hs6, value_usd; values are made
up, not trade statistics). As in that real file, some countries appear only as exporters: DEU and USA
are never importers, so DEU-RUS has exports (Russia's imports from Germany) and no imports.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bilateral.api import open_store
from bilateral.cli import app
from bilateral.errors import NotAvailableError
from bilateral.harmonise.pairs import parse_pair
from bilateral.report.brief import BRIEF_SECTIONS, build_brief, render_html
from bilateral.store import queries
from bilateral.views import overview as overview_view
from bilateral.web.app import create_app, page_message

runner = CliRunner()
BN = 1e9
MN = 1e6
#: SYNTHETIC cells (year, exporter, importer, hs6, US$): importers RUS, CHN, IND, BRA; DEU and USA export only
SYNTHETIC_ROWS = [
    (2024, "CHN", "RUS", "851712", 3.0 * BN), (2024, "CHN", "RUS", "870323", 2.0 * BN),
    (2024, "RUS", "CHN", "270900", 6.0 * BN), (2024, "RUS", "CHN", "440710", 0.5 * BN),
    (2024, "IND", "RUS", "300490", 1.0 * BN), (2024, "RUS", "IND", "270900", 9.0 * BN),
    (2024, "DEU", "RUS", "300490", 700 * MN), (2024, "DEU", "RUS", "847130", 300 * MN),
    (2024, "USA", "IND", "271111", 400 * MN), (2024, "CHN", "IND", "851712", 800 * MN),
    (2024, "IND", "CHN", "300490", 200 * MN), (2024, "BRA", "CHN", "120190", 900 * MN),
    (2024, "RUS", "BRA", "310520", 150 * MN),
]
RELEASE = "baci/ISO3/synthetic_world_2024/2024"
#: pairs the agreement test runs over: full, one direction missing (both ways round), detail only, none at all
PAIRS = ["IND-RUS", "RUS-IND", "CHN-RUS", "DEU-RUS", "RUS-DEU", "BRA-RUS", "IND-USA", "USA-IND", "IND-IRQ", "ARG-BRA",
         "DEU-FRA"]


def write_matrix(path: Path, rows: list[tuple[Any, ...]]) -> Path:
    """A SYNTHETIC matrix in the shared world file's layout (Parquet: year, exporter, importer, hs6, value_usd)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = ("year", "exporter", "importer", "hs6", "value_usd")
    pq.write_table(pa.table({c: [r[i] for r in rows] for i, c in enumerate(cols)}), path)
    return path


@pytest.fixture(scope="module")
def pair_store(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded test store with the SYNTHETIC matrix ingested (as `bilateral ingest baci` loads it)."""
    from bilateral.sources import baci

    folder = tmp_path_factory.mktemp("anypair")
    dst = folder / "pairs.duckdb"
    shutil.copyfile(store_path, dst)
    src = write_matrix(folder / "synthetic_world_2024.parquet", SYNTHETIC_ROWS)
    with open_store(dst) as s:
        baci.ingest(s, src)
    return dst


@pytest.fixture()
def pstore(pair_store: Path):
    with open_store(pair_store, read_only=True) as s:
        yield s


# -- partial answers ------------------------------------------------------------------------------------
def test_overview_answers_a_pair_with_one_direction_missing(pair_store: Path):
    r = runner.invoke(app, ["overview", "--pair", "DEU-RUS", "--period", "CY2024", "--store", str(pair_store)])
    assert r.exit_code == 0, r.output
    out = " ".join(r.stdout.split())
    assert "│ Exports │ 1,000.00 │" in out and "│ Imports │ — │" in out and "│ Total trade │ — │" in out
    assert ("Missing: imports — DEU is not an importer in baci/ISO3/synthetic_world_2024/2024 (its cells name 4 "
            "importers); DEU's exports to RUS in CY2024 are RUS's imports in that release.") in out
    assert "To fill it: load DEU's imports from RUS for 2024 from CEPII's BACI (`bilateral ingest baci FILE" in out
    r = runner.invoke(app, ["overview", "--pair", "DEU-RUS", "--period", "CY2024", "--format", "json",
                            "--store", str(pair_store)])
    assert r.exit_code == 0, r.output
    t = json.loads(r.stdout)["totals"]
    assert t["exports_usd"] == 1.0 * BN
    assert (t["imports_usd"], t["total_trade_usd"], t["balance_usd"]) == (None, None, None)
    gaps = {m["figure"]: m for m in t["missing"]}
    assert set(gaps) == {"imports_usd", "total_trade_usd", "balance_usd"}
    assert gaps["imports_usd"]["reason"] == ("DEU is not an importer in baci/ISO3/synthetic_world_2024/2024 (its cells "
                                             "name 4 importers); DEU's exports to RUS in CY2024 are RUS's imports in "
                                             "that release")
    assert gaps["total_trade_usd"]["reason"] == "needs both exports and imports, and the imports figure is missing"


def test_the_reason_comes_from_the_release_not_from_a_list(tmp_path: Path, store_path: Path):
    """The same pair in a release where DEU does import (but not from Russia): the reason follows the cells."""
    from bilateral.sources import baci

    dst = tmp_path / "other.duckdb"
    shutil.copyfile(store_path, dst)
    rows = [*SYNTHETIC_ROWS, (2024, "CHN", "DEU", "851712", 5 * MN)]
    with open_store(dst) as s:
        baci.ingest(s, write_matrix(tmp_path / "other_2024.parquet", rows))
        (t,) = queries.pair_totals(s, "DEU-RUS")
        (imports,) = [m for m in t.missing if m.figure == "imports_usd"]
        assert imports.reason == ("baci/ISO3/other_2024/2024 holds no cell from RUS to DEU (no trade recorded in it); "
                                  "DEU's exports to RUS in CY2024 are RUS's imports in that release")


def test_a_missing_exporter_and_a_missing_cell_are_named(pstore):
    (bra,) = queries.pair_totals(pstore, "BRA-RUS")
    assert bra.imports_usd == 150 * MN and bra.exports_usd is None
    assert bra.missing[0].reason == f"{RELEASE} holds no cell from BRA to RUS (no trade recorded in it)"
    with pytest.raises(NotAvailableError) as exc:
        overview_view.overview(pstore, parse_pair("ARG-BRA"), None)
    assert str(exc.value) == (
        f"no trade figures for ARG-BRA in the store: ARG is not an exporter in {RELEASE} (its cells name 6 exporters); "
        f"ARG is not an importer in {RELEASE} (its cells name 4 importers); load them with `bilateral ingest baci "
        "FILE` (a CEPII BACI release) or `bilateral ingest comtrade --reporter ARG --partner BRA`")


def test_growth_says_which_year_to_load(pstore):
    ov = overview_view.overview(pstore, parse_pair("CHN-RUS"), "CY2024").result
    assert (ov.totals.exports_usd, ov.totals.imports_usd) == (5.0 * BN, 6.5 * BN) and ov.total_yoy is None
    (growth,) = [m for m in ov.missing if m.figure == "total_yoy"]
    assert growth.reason == "needs CY2023, which the store does not hold for CHN-RUS"
    assert growth.remedy == ("load 2023 from CEPII's BACI (`bilateral ingest baci FILE --years 2023`) or UN Comtrade "
                             "(`bilateral ingest comtrade --reporter CHN --partner RUS --years 2023`)")


def _outcome(fn: Any) -> Any:
    try:
        return fn()
    except NotAvailableError as exc:
        return exc


@pytest.mark.parametrize("pair", PAIRS)
def test_flows_overview_and_totals_agree(pstore, pair: str):
    """Whether a pair has data, which periods, and which flow each serves: flows, totals and overview agree."""
    p = parse_pair(pair)
    flows = _outcome(lambda: overview_view.flows(pstore, p, None, 0))
    totals = _outcome(lambda: overview_view.totals(pstore, p))
    ov = _outcome(lambda: overview_view.overview(pstore, p, None))
    refused = [isinstance(x, NotAvailableError) for x in (flows, totals, ov)]
    assert refused in ([True] * 3, [False] * 3), (pair, flows, totals, ov)
    listed = [c for c in queries.served_pairs(pstore, p.reporter) if c.partner == p.partner]
    if refused[0]:
        assert str(flows) == str(totals) == str(ov)
        assert listed == []
        return
    rows = {(r.period, r.flow): r for r in flows.result}
    assert {t.period for t in totals.result} == {k[0] for k in rows} == set(listed[0].periods)
    for t in totals.result:
        for flow, value in (("export", t.exports_usd), ("import", t.imports_usd)):
            row = rows.get((t.period, flow))
            stands = row is not None and "partial" not in row.basis
            assert (value is not None) == stands, (pair, t.period, flow, row)
            if stands:
                assert value == pytest.approx(row.value_usd, rel=1e-12)
            else:
                assert any(m.figure == f"{flow}s_usd" for m in t.missing)
    assert ov.result.period in {t.period for t in totals.result}
    assert ov.data["totals"] == next(t.to_dict() for t in totals.result if t.period == ov.result.period)


def test_the_api_agrees_too(pair_store: Path):
    with open_store(pair_store, read_only=True) as s:
        client = TestClient(create_app(store=s), base_url="http://127.0.0.1")
        for pair in PAIRS:
            codes = {route: client.get(route, params={"pair": pair}).status_code
                     for route in ("/api/flows", "/api/totals", "/api/overview")}
            assert len(set(codes.values())) == 1 and set(codes.values()) <= {200, 404}, (pair, codes)
        d = client.get("/api/totals", params={"pair": "DEU-RUS"}).json()
        assert d["totals"][0]["imports_usd"] is None and d["missing"][0]["figure"] == "imports_usd"


def test_served_pairs_with_their_periods(pstore):
    deu = queries.served_pairs(pstore, "DEU")
    assert [(c.pair, c.periods, c.sources) for c in deu] == [("DEU-RUS", ("CY2024",), ("baci",))]
    ind_rus = next(c for c in queries.served_pairs(pstore, "IND") if c.partner == "RUS")
    assert ind_rus.span == "FY2010-11–FY2025-26, CY2024" and ind_rus.sources == ("official", "embedded", "baci")
    assert {c.partner for c in queries.served_pairs(pstore, "RUS")} == {"BRA", "CHN", "DEU", "IND"}


# -- the brief for any pair -----------------------------------------------------------------------------
class _Visible(HTMLParser):
    """The text a reader sees: everything outside <script> and <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.depth += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def _visible(html: str, charts: list[Any]) -> str:
    parser = _Visible()
    parser.feed(html)
    drawn = []  # what plotly draws from each chart's spec: titles, axis titles, legend names, the source line
    for c in charts:
        lay = c.figure.get("layout") or {}
        for key in ("title", "xaxis", "yaxis"):
            v = lay.get(key) or {}
            drawn.append(json.dumps(v.get("title", v) if key != "title" else v))
        drawn += [str(t.get("name", "")) for t in c.figure.get("data") or []] + [c.title, c.source]
    return " ".join(parser.parts + drawn)


BANNED = ("india", "nhava sheva", "summit")


@pytest.mark.parametrize("pair", ["IND-RUS", "CHN-RUS", "DEU-RUS"])
def test_brief_sections_follow_the_pair(pstore, pair_store: Path, pair: str):
    b = build_brief(pstore, pair, when=date(2026, 3, 1), store_path=pair_store)
    html = render_html(b)
    left = {x.id: x.reason for x in b.left_out}
    if pair == "IND-RUS":
        assert [s.id for s in b.sections] == list(BRIEF_SECTIONS) and left == {}
        assert "Left out of this brief" not in html
        return
    assert [s.id for s in b.sections] == ["overview", "potential"]
    reporter = pair[:3]
    assert left == {
        "target": f"no target on file for {pair} (a row of bilateral/harmonise/data/targets.csv would set one)",
        "corridors": f"the corridor data (bilateral/corridors/data/places.csv) hold no place in {reporter}; corridors "
                     "are compared between places on file",
        "settlement": f"no settlement scenario for {pair}: the scenarios in bilateral/models/settlement_scenarios.yml "
                      "model vostro accounts in the currency of IND (their reporter), so they cover IND's trade with "
                      f"any partner, not {reporter}'s; a scenario file with `reporter: {reporter}` would cover it",
        "agenda": "the commitments on file (bilateral/agenda/data/commitments.yml) are between IND and RUS; none are "
                  f"on file between {reporter} and RUS",
    }
    text = _visible(html, [c for s in b.sections for c in s.charts])
    for word in BANNED:
        assert word not in text.lower(), (word, text[max(0, text.lower().find(word) - 200):][:300])
    assert "Left out of this brief" in text
    flat = re.sub(r"\s+([:.,])", r"\1", " ".join(text.split()))
    for x in b.left_out:
        assert f"{x.title}: {x.reason.replace('`', '')}." in flat  # a command in backticks is set as code
    for line in [*left.values(), *b.sections[0].notes]:  # the brief has no settings: no option to give
        assert not re.search(r"(?<![\w`])--[a-z]", re.sub(r"`[^`]*`", "", line)), line
    if pair == "DEU-RUS":
        overview = b.sections[0]
        kpis = {k: v for k, v, _ in overview.kpis}
        assert kpis["Imports"] == "—" and kpis["Exports"] == "US$1.00 bn"
        assert overview.notes[0].startswith("Missing, imports: DEU is not an importer in " + RELEASE)


# -- the dashboard ----------------------------------------------------------------------------------------
def test_page_message_speaks_of_fields():
    assert page_message("no target on file; give --target-usd and --by (e.g. --by 2030); or load `bilateral ingest "
                        "baci FILE --years 2024`") == (
        "no target on file; give the Target field and the By field (e.g. the By field 2030); or load `bilateral "
        "ingest baci FILE --years 2024`")
    assert page_message("set another path with --brent (see `--backtest`)", "target") == (
        "set another path with `bilateral target --brent` (see `bilateral target --backtest`)")


@pytest.mark.parametrize("path", ["/", "/target", "/potential", "/settlement"])
def test_pages_name_no_option(store_path: Path, path: str):
    """Notes on the pages (from the models, written for the CLI too) name the page's fields, never an option."""
    with open_store(store_path, read_only=True) as s:
        page = TestClient(create_app(store=s), base_url="http://127.0.0.1").get(path, params={"pair": "IND-RUS"})
    assert page.status_code == 200
    main = re.sub(r"<script.*?</script>", "", page.text.split("<main>")[1], flags=re.S)
    main = re.sub(r"<code>(.*?)</code>", r"`\1`", main, flags=re.S)  # a command is set as code (#24)
    text = re.sub(r"`[^`]*`", "", re.sub(r"<[^>]+>", " ", main))
    assert not re.search(r"(?<![\w`-])--[a-z]", text), re.findall(r".{80}--[a-z].{20}", text)


def test_selector_lists_pairs_with_periods_and_follows_the_pair(pair_store: Path):
    with open_store(pair_store, read_only=True) as s:
        client = TestClient(create_app(store=s), base_url="http://127.0.0.1")
        page = client.get("/", params={"pair": "DEU-RUS"})
        assert page.status_code == 200
        assert '<span class="pair-label">DEU-RUS</span>' in page.text
        assert '<option value="DEU" selected>Germany (DEU)</option>' in page.text
        assert '<option value="RUS" selected>Russia (RUS) · CY2024</option>' in page.text
        assert "Missing in CY2024" in page.text and "DEU is not an importer in " + RELEASE in page.text
        r = client.get("/pair", params={"reporter": "chn", "partner": "rus", "page": "/target"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/target?pair=CHN-RUS"
        r = client.get("/pair", params={"reporter": "CHN", "partner": "RUS", "page": "https://x.example/"},
                       follow_redirects=False)
        assert r.headers["location"] == "/?pair=CHN-RUS"  # only the dashboard's own pages
        pairs = client.get("/api/pairs", params={"reporter": "CHN"}).json()
        assert [(c["partner"], c["span"]) for c in pairs["pairs"]] == [("BRA", "CY2024"), ("IND", "CY2024"),
                                                                     ("RUS", "CY2024")]


def test_reverse_pair_is_a_link_on_the_page(store_path: Path):
    """On the embedded store RUS-IND has no figures, IND-RUS has: the page links to it, the header says RUS-IND."""
    with open_store(store_path, read_only=True) as s:
        client = TestClient(create_app(store=s), base_url="http://127.0.0.1")
        r = client.get("/", params={"pair": "RUS-IND"})
        assert r.status_code == 404
        assert '<span class="pair-label">RUS-IND</span>' in r.text
        assert '<a id="pair-hint" href="/?pair=IND-RUS">show IND-RUS</a>' in r.text
        message = re.search(r'<p class="error"[^>]*>(.*?)</p>', r.text, re.S).group(1)  # type: ignore[union-attr]
        assert "the store holds IND-RUS" in message and "--pair" not in message
        api = client.get("/api/overview", params={"pair": "RUS-IND"}).json()["detail"]
        assert api == re.sub(r"</?code>", "`", message).replace("&#39;", "'").replace("&amp;", "&")
    r = runner.invoke(app, ["overview", "--pair", "RUS-IND", "--store", str(store_path)])
    assert r.exit_code == 1 and r.stderr.strip().endswith("; try --pair IND-RUS")


# -- the real 2024 world matrix (a slice of it, so the test stays fast) -----------------------------------
@pytest.mark.shared
def test_real_matrix_deu_rus(shared: Path, store_path: Path, tmp_path: Path):
    """Germany's exports to Russia in the real matrix, US$8,049.56 mn; Germany is not an importer in that file.

    The slice keeps every cell with DEU or RUS on either side, so both facts hold in it as in the whole file.
    """
    import duckdb

    from bilateral.sources import baci

    world = shared / "baci2024" / "world_hs6_2024.parquet"
    piece = tmp_path / "world_hs6_2024.parquet"
    duckdb.execute(f"COPY (SELECT * FROM read_parquet('{world}') WHERE exporter IN ('DEU', 'RUS') OR importer IN "
                   f"('DEU', 'RUS')) TO '{piece}' (FORMAT parquet)")
    dst = tmp_path / "real.duckdb"
    shutil.copyfile(store_path, dst)
    with open_store(dst) as s:
        baci.ingest(s, piece)
    r = runner.invoke(app, ["overview", "--pair", "DEU-RUS", "--period", "CY2024", "--format", "json",
                            "--store", str(dst)])
    assert r.exit_code == 0, r.output
    t = json.loads(r.stdout)["totals"]
    assert round(t["exports_usd"] / MN, 2) == 8_049.56 and t["imports_usd"] is None
    assert t["missing"][0]["reason"].startswith("DEU is not an importer in baci/ISO3/world_hs6_2024/2024")
