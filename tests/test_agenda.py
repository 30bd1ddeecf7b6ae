"""The agenda registry: loads and validates, evidence from the shared file, updates that keep history."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilateral.agenda import registry as reg_mod
from bilateral.agenda.registry import linked_figure, load_registry, parse_commitments, record_update, updates_path
from bilateral.cli import app
from bilateral.errors import BilateralError, InputError

runner = CliRunner()
TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 21, 0, tzinfo=UTC)
RELOS_LAW = "https://indianmasterminds.com/news/putin-signs-law-ratifying-relos-agreement-with-india-168629"
NEW_URL = "https://example.org/news/kaluga-plant-opens"


def _cli(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture()
def updates(tmp_path: Path) -> Path:
    return tmp_path / "agenda-updates.yml"


def test_registry_loads_the_summit_commitments(updates: Path):
    reg = load_registry(updates)
    assert len(reg.commitments) == 18 and reg.updates == 0
    by_id = {c.id: c for c in reg.commitments}
    relos = by_id["defence-relos"]
    assert relos.status == "achieved" and relos.kind == "agreement" and relos.pillar == "defence"
    assert [e.url for e in relos.evidence if e.status == "achieved"] == [RELOS_LAW]
    assert relos.history[0].date == "2025-12-08" and relos.history[0].source == RELOS_LAW
    assert by_id["trade-target-100bn"].indicator == "trade-target"
    assert by_id["nuclear-kudankulam"].status == "in progress" and len(by_id["nuclear-kudankulam"].evidence) == 4
    # no evidence row behind it: it stays announced
    for cid in ("energy-oil-supply", "defence-su57-offer", "health-kaluga-pharma", "security-terrorism"):
        assert by_id[cid].status == "announced" and by_id[cid].evidence == ()
    # every status beyond 'announced' is shown by a row
    for c in reg.commitments:
        if c.status != "announced":
            assert any(e.status == c.status for e in c.evidence), c.id
    counts = {s: sum(c.status == s for c in reg.commitments) for s in ("announced", "in progress", "achieved")}
    assert counts == {"announced": 13, "in progress": 4, "achieved": 1}


@pytest.mark.shared
def test_evidence_rows_are_copied_verbatim_from_the_shared_file(shared: Path):
    src = {tuple(r.values()) for r in csv.DictReader((shared / "agenda" / "summit_evidence.csv").open(encoding="utf-8"))}
    text = (Path(reg_mod.__file__).parent / "data" / "evidence.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) == 25
    for r in rows:
        assert (r["date"], r["publisher"], r["url"], r["pillar"], r["shows"]) in src, r
    assert {r["url"] for r in rows} == {s[2] for s in src}  # every shared row is used


GOOD = """
commitments:
  - id: a-one
    pillar: trade
    text: One.
    kind: target
    parties: [IND, RUS]
    date: 2025-12-05
    status: announced
"""


@pytest.mark.parametrize(("old", "new", "message"), [
    ("status: announced", "status: done",
     "x.yml, entry 1 (a-one), field 'status': 'done' is not a status; use one of announced, in progress, achieved, "
     "stalled, absent, superseded"),
    ("pillar: trade", "pillar: space",
     "x.yml, entry 1 (a-one), field 'pillar': 'space' is not a pillar; use one of trade, energy, nuclear, defence, "
     "connectivity, arctic, labour, health, education-culture, finance, security"),
    ("date: 2025-12-05", "date: 5 Dec 2025", "x.yml, entry 1 (a-one), field 'date': '5 Dec 2025' is not a date; "
     "write it as YYYY-MM-DD"),
    ("    kind: target\n", "", "x.yml, entry 1 (a-one), field 'kind': missing"),
    ("parties: [IND, RUS]", "parties: India", "x.yml, entry 1 (a-one), field 'parties': 'India' is not a list of "
     "ISO3 codes, e.g. [IND, RUS]"),
    ("id: a-one", "id: A One", "x.yml, entry 1, field 'id': 'A One' is not an id; use lower-case words joined by "
     "hyphens, e.g. trade-target"),
    ("    status: announced\n", "    status: announced\n    owner: me\n",
     "x.yml, entry 1 (a-one), field 'owner': unknown field; the fields are id, pillar, text, kind, parties, date, "
     "status, indicator"),
])
def test_malformed_entry_names_entry_and_field(old: str, new: str, message: str):
    with pytest.raises(InputError) as exc:
        parse_commitments(GOOD.replace(old, new), "x.yml")
    assert str(exc.value) == message


def test_duplicate_id_and_unbacked_status_are_refused():
    with pytest.raises(InputError, match=r"entry 2 \(a-one\), field 'id': repeats entry 1"):
        parse_commitments(GOOD + GOOD.split("commitments:\n")[1], "x.yml")
    c = parse_commitments(GOOD.replace("status: announced", "status: achieved"), "x.yml")[1][0]
    with pytest.raises(InputError, match="'achieved' has no evidence row showing it; add one to evidence.csv or keep "
                                         "it 'announced'"):
        reg_mod._with_evidence(c, [], "x.yml", 1)


def test_update_appends_evidence_and_keeps_history(updates: Path):
    u1 = record_update("health-kaluga-pharma", status="in progress", evidence="Construction of the plant began.",
                       source=NEW_URL, on="2026-03-02", path=updates, today=TODAY, now=NOW)
    assert u1.publisher == "example.org" and u1.recorded == "2026-11-27T21:00:00+00:00"
    first_bytes = updates.read_bytes()
    record_update("health-kaluga-pharma", status="achieved", evidence="The plant produced its first batch.",
                  source=NEW_URL + "-2", on="2026-10-01", path=updates, today=TODAY, now=NOW)
    assert updates.read_bytes().startswith(first_bytes)  # the earlier entry is untouched, byte for byte
    reg = load_registry(updates)
    c = reg.get("health-kaluga-pharma")
    assert reg.updates == 2 and c.status == "achieved"
    assert [(h.date, h.status) for h in c.history] == [("2025-12-05", "announced"), ("2026-03-02", "in progress"),
                                                        ("2026-10-01", "achieved")]
    assert [(e.status, e.origin) for e in c.evidence] == [("in progress", "update"), ("achieved", "update")]
    # the packaged registry is not changed
    assert load_registry(updates.with_name("none.yml")).get("health-kaluga-pharma").status == "announced"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"status": "finished"}, "'finished' is not a status"),
    ({"on": "2027-01-01"}, "update, health-kaluga-pharma, field '--date': 2027-01-01 is in the future (today is 2026-11-27)"),
    ({"on": "yesterday"}, "field '--date': 'yesterday' is not a date"),
    ({"source": "a newspaper"}, "field '--source': 'a newspaper' is not a web address; give the source's http(s) URL"),
    ({"evidence": "  "}, "field '--evidence': missing; give a non-empty text"),
    ({"cid": "no-such"}, "no commitment 'no-such'; known ids: trade-target-100bn"),
])
def test_update_validates_and_leaves_the_file_unchanged(updates: Path, kwargs: dict, message: str):
    record_update("defence-relos", status="achieved", evidence="In force.", source=NEW_URL, on="2026-01-10",
                  path=updates, today=TODAY, now=NOW)
    before = updates.read_bytes()
    args = {"cid": "health-kaluga-pharma", "status": "in progress", "evidence": "Work began.", "source": NEW_URL,
            "on": "2026-03-02"} | kwargs
    cid = args.pop("cid")
    with pytest.raises(BilateralError) as exc:
        record_update(cid, **args, path=updates, today=TODAY, now=NOW)
    assert message in str(exc.value)
    assert updates.read_bytes() == before


def test_update_write_is_atomic(updates: Path, monkeypatch: pytest.MonkeyPatch):
    record_update("defence-relos", status="achieved", evidence="In force.", source=NEW_URL, on="2026-01-10",
                  path=updates, today=TODAY, now=NOW)
    before = updates.read_bytes()

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(reg_mod.os, "replace", crash)
    with pytest.raises(BilateralError, match="disk full"):
        record_update("health-kaluga-pharma", status="in progress", evidence="Work began.", source=NEW_URL,
                      on="2026-03-02", path=updates, today=TODAY, now=NOW)
    assert updates.read_bytes() == before
    assert sorted(p.name for p in updates.parent.iterdir()) == [updates.name]  # no temporary file left


def test_a_broken_updates_file_is_reported_not_overwritten(updates: Path):
    updates.write_text("updates:\n- id: defence-relos\n  status: won\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"agenda-updates.yml, update 1 \(defence-relos\), field 'status': 'won'"):
        load_registry(updates)
    with pytest.raises(InputError):
        record_update("defence-relos", status="achieved", evidence="x", source=NEW_URL, on="2026-01-10",
                      path=updates, today=TODAY, now=NOW)
    assert updates.read_text(encoding="utf-8").endswith("status: won\n")


def test_updates_path_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(reg_mod.AGENDA_ENV, raising=False)
    assert updates_path(None, tmp_path / "s" / "b.duckdb") == tmp_path / "s" / "agenda-updates.yml"
    monkeypatch.setenv(reg_mod.AGENDA_ENV, str(tmp_path / "env.yml"))
    assert updates_path(None, tmp_path / "s" / "b.duckdb") == tmp_path / "env.yml"
    assert updates_path(tmp_path / "x.yml", tmp_path / "s" / "b.duckdb") == tmp_path / "x.yml"


def test_linked_trade_target_figure(store, updates: Path):
    reg = load_registry(updates)
    fig = linked_figure(store, reg.get("trade-target-100bn"))
    assert fig is not None
    assert fig.period == "FY2025-26" and fig.value_usd == pytest.approx(59_863_130_000)
    assert fig.target_usd == 100e9 and fig.target_by == "FY2029-30" and fig.share == pytest.approx(0.5986313)
    assert "official" in fig.source and "provisional" in fig.source
    exports = linked_figure(store, reg.get("trade-export-avenues"))
    assert exports is not None and exports.value_usd == pytest.approx(4_493_510_000)
    # summit sectors from product detail, in the latest year whose detail covers every priority sector
    assert exports.detail_period == "FY2024-25"
    detail = dict(exports.detail)
    assert list(detail) == ["Pharmaceuticals", "Engineering goods", "Agriculture and food", "Plastics", "Chemicals",
                            "Textiles and apparel"]
    assert detail["Engineering goods"] == pytest.approx(1_017_110_000)  # electronic goods (557.32 mn) counted apart
    assert detail["Pharmaceuticals"] == pytest.approx(438_410_000)
    assert linked_figure(store, reg.get("security-terrorism")) is None


# -- the CLI ------------------------------------------------------------------------------------------------------
def test_cli_list_filters_and_json(store_path: Path, tmp_path: Path):
    r = _cli("agenda", "--pillar", "nuclear", "--format", "json", "--registry", str(tmp_path / "u.yml"),
             "--store", str(store_path))
    assert r.exit_code == 0, r.output
    assert [c["id"] for c in json.loads(r.stdout)] == ["nuclear-kudankulam", "nuclear-smr-floating"]
    r = _cli("agenda", "list", "--status", "in-progress", "--format", "csv", "--registry", str(tmp_path / "u.yml"),
             "--store", str(store_path))
    assert r.exit_code == 0, r.output
    assert [line.split(",")[0] for line in r.stdout.splitlines()[1:]] == [
        "trade-programme-2030", "nuclear-kudankulam", "labour-mobility", "finance-national-currencies"]


def test_cli_show_update_timeline(store_path: Path, tmp_path: Path):
    u = tmp_path / "u.yml"
    r = _cli("agenda", "show", "trade-target-100bn", "--format", "json", "--registry", str(u), "--store", str(store_path))
    assert r.exit_code == 0, r.output
    obj = json.loads(r.stdout)
    assert obj["linked"]["target_usd"] == 100e9 and obj["linked"]["period"] == "FY2025-26"
    r = _cli("agenda", "update", "arctic-polar-seafarers", "--status", "in progress", "--evidence",
             "First course for Indian officers held.", "--source", NEW_URL, "--date", "2026-02-01",
             "--registry", str(u), "--format", "json", "--store", str(store_path))
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["previous_status"] == "announced" and out["status"] == "in progress" and out["file"] == str(u)
    r = _cli("agenda", "timeline", "--pillar", "arctic", "--format", "json", "--registry", str(u),
             "--store", str(store_path))
    rows = json.loads(r.stdout)
    assert [(x["date"], x["id"], x["status"]) for x in rows] == [("2026-02-01", "arctic-polar-seafarers", "in progress")]
    r = _cli("agenda", "show", "arctic-polar-seafarers", "--registry", str(u), "--store", str(store_path))
    assert r.exit_code == 0 and "in progress" in r.stdout and "Status history" in r.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["agenda", "dance"], "error: unknown action 'dance'; use one of list, show, update, timeline"),
    (["agenda", "show"], "error: `bilateral agenda show` needs a commitment id"),
    (["agenda", "show", "nope"], "error: no commitment 'nope'; known ids:"),
    (["agenda", "--pillar", "space"], "error: unknown --pillar 'space'"),
    (["agenda", "timeline", "--status", "done"], "error: unknown --status 'done'; use one of announced, in progress, "
     "achieved, stalled, absent, superseded"),
    (["agenda", "list", "defence-relos"], "error: `bilateral agenda list` takes no id; use `bilateral agenda show "
     "defence-relos`"),
    (["agenda", "update", "defence-relos", "--status", "achieved"],
     "error: `bilateral agenda update` needs --evidence, --source, --date"),
])
def test_cli_errors_are_one_line(store_path: Path, tmp_path: Path, args: list[str], message: str):
    r = _cli(*args, "--registry", str(tmp_path / "u.yml"), "--store", str(store_path))
    assert r.exit_code == (2 if message.startswith("error: unknown") else 1)  # a bad option value is a usage error
    assert r.stderr.startswith(message) and r.stderr.count("\n") == 1
    assert not (tmp_path / "u.yml").exists()
