"""Every failure a user met as a traceback is now one `error: …` line, a non-zero exit, the store as it was.

Also: Ctrl-C during an ingest (exit 130, nothing loaded, no dead space), a store locked by another
process (who holds it, a bounded wait), atomic --out, and the small output promises (--version,
"wrote PATH", an empty CSV keeps its header, plurals, releases with URL and licence).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from test_baci import FLOWS, snapshot, write_release
from typer.testing import CliRunner

from bilateral.cli import app
from bilateral.errors import StoreError
from bilateral.store.db import LOCK_WAIT_ENV, Store, lock_holder, open_read_only
from bilateral.store.faults import FAULT_ENV


def one_error_line(result, code: int = 1) -> str:  # type: ignore[no-untyped-def]
    """The result failed with exactly one `error: …` line and no traceback (exit 2: a bad option value)."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# -- --store ----------------------------------------------------------------------------------


def test_store_that_is_a_directory(tmp_path):
    d = tmp_path / "storedir"
    d.mkdir()
    line = one_error_line(CliRunner().invoke(app, ["releases", "--store", str(d)]), 2)
    assert f"store {d} is a directory" in line and "bilateral.duckdb" in line
    assert files_under(d) == [], "nothing is created inside the directory"


def test_store_name_longer_than_the_file_system_allows(tmp_path):
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    path = tmp_path / ("s" * (limit + 1) + ".duckdb")
    line = one_error_line(CliRunner().invoke(app, ["overview", "--store", str(path)]))
    assert "is too long" in line and f"allows {limit} characters" in line and "shorter --store" in line
    assert files_under(tmp_path) == []


def test_store_that_is_not_a_duckdb_file_is_left_alone(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("my notes\n")
    line = one_error_line(CliRunner().invoke(app, ["releases", "--store", str(path)]))
    assert "is not a DuckDB database" in line
    assert path.read_text() == "my notes\n"


# -- --out --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json", "table", "parquet"])
def test_out_that_is_an_existing_directory(tmp_path, store_path, fmt):
    d = tmp_path / "outdir"
    d.mkdir()
    line = one_error_line(CliRunner().invoke(app, ["releases", "--store", str(store_path), "-f", fmt, "--out", str(d)]), 2)
    assert line == f"error: --out {d} is a directory; give a file path, e.g. {d / 'result.csv'}"
    assert files_under(tmp_path) == ["outdir"], "no .part file left behind"


def test_export_parquet_to_a_directory(tmp_path, store_path):
    d = tmp_path / "outdir"
    d.mkdir()
    line = one_error_line(CliRunner().invoke(app, ["export", "releases", "--store", str(store_path),
                                                   "-f", "parquet", "--out", str(d)]))  # a folder is --partition's
    assert "is a directory" in line
    assert files_under(tmp_path) == ["outdir"]


def test_a_failed_write_removes_its_temporary_file_and_keeps_the_old_file(tmp_path):
    from bilateral.output import write_atomic

    target = tmp_path / "result.csv"
    target.write_text("old\n")

    def half_then_fail(tmp: Path) -> None:
        tmp.write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, half_then_fail)
    assert files_under(tmp_path) == ["result.csv"] and target.read_text() == "old\n"


def test_out_says_wrote_on_stderr_and_stdout_stays_clean(tmp_path, store_path):
    out = tmp_path / "sub" / "releases.csv"
    r = CliRunner().invoke(app, ["releases", "--store", str(store_path), "-f", "csv", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert r.stderr == f"wrote {out}\n" and r.stdout == ""
    assert out.read_text().startswith("release,source,version,file,checksum,")
    assert files_under(tmp_path) == ["sub", "sub/releases.csv"]


# -- Ctrl-C during an ingest ------------------------------------------------------------------


def test_ctrl_c_during_an_ingest_loads_nothing_and_exits_130(tmp_path, fresh_store_path):
    src = write_release(tmp_path / "rel")
    before = snapshot(fresh_store_path)
    size_before = fresh_store_path.stat().st_size
    env = dict(os.environ, **{FAULT_ENV: "baci-inserted"})
    proc = subprocess.Popen([sys.executable, "-m", "bilateral.cli", "ingest", "baci", str(src), "--store",
                             str(fresh_store_path)], env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert "paused at baci-inserted" in line, line  # rows inserted, transaction open
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert stderr.strip().splitlines() == ["interrupted: nothing was loaded"], stderr
    assert stdout == ""
    assert snapshot(fresh_store_path) == before
    assert fresh_store_path.stat().st_size <= size_before, "a rolled-back load leaves no dead space"


def test_rolled_back_load_gives_its_space_back(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store(path) as s:
        s.con.execute("CREATE TABLE big (a BIGINT, b DOUBLE)")
        s.con.execute("CHECKPOINT")
    size = path.stat().st_size
    with Store(path) as s:
        with pytest.raises(KeyboardInterrupt), s.transaction() as con:
            con.execute("INSERT INTO big SELECT range, random() FROM range(3000000)")
            assert path.stat().st_size > size + 10_000_000  # DuckDB wrote the rows to the file early
            raise KeyboardInterrupt
        assert s.con.execute("SELECT count(*) FROM big").fetchone() == (0,)
    assert path.stat().st_size <= size
    with duckdb.connect(str(path)) as con:  # and no helper table is left
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert "big" in tables and "_bilateral_reclaim" not in tables


def test_rejected_rows_plural(tmp_path, fresh_store_path):
    one_bad = FLOWS.replace("600.75", "-600.75")
    src = write_release(tmp_path / "rel", one_bad)
    r = CliRunner().invoke(app, ["ingest", "baci", str(src), "--store", str(fresh_store_path),
                                 "--quarantine", str(tmp_path / "q.csv")])
    assert r.exit_code == 0, r.output
    assert f"1 rejected row written to {tmp_path / 'q.csv'}" in " ".join(r.output.split())


# -- two processes ----------------------------------------------------------------------------


@pytest.fixture()
def writer(fresh_store_path):  # type: ignore[no-untyped-def]
    """Another process holding a write connection on the store, until the test ends."""
    code = ("import duckdb, sys, time\n"
            "con = duckdb.connect(sys.argv[1])\n"
            "print('ready', flush=True)\n"
            "sys.stdin.readline()\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(fresh_store_path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=30)


def test_locked_store_names_the_holder_and_fails_after_a_bounded_wait(fresh_store_path, writer, monkeypatch):
    monkeypatch.setenv(LOCK_WAIT_ENV, "0.6")
    t0 = time.monotonic()
    r = CliRunner().invoke(app, ["releases", "--store", str(fresh_store_path)])
    elapsed = time.monotonic() - t0
    assert r.exit_code == 1, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 2, r.output
    assert lines[0].startswith(f"store {fresh_store_path} is in use by PID {writer.pid} (")
    assert lines[0].endswith(f"); waiting up to 0.6 s (set ${LOCK_WAIT_ENV} to change)…")
    assert lines[1].startswith(f"error: store {fresh_store_path} is locked by PID {writer.pid} (")
    assert "wait until it finishes" in lines[1]
    assert 0.5 <= elapsed < 5


def test_locked_store_with_no_wait_fails_at_once(fresh_store_path, writer, monkeypatch):
    monkeypatch.setenv(LOCK_WAIT_ENV, "0")
    line = one_error_line(CliRunner().invoke(app, ["export", "releases", "--store", str(fresh_store_path)]))
    assert f"is locked by PID {writer.pid}" in line


def test_command_proceeds_when_the_writer_finishes_within_the_wait(fresh_store_path, writer, monkeypatch):
    monkeypatch.setenv(LOCK_WAIT_ENV, "20")
    assert writer.stdin is not None

    def release_soon() -> None:
        time.sleep(0.5)
        writer.stdin.write("done\n")
        writer.stdin.flush()

    import threading

    threading.Thread(target=release_soon, daemon=True).start()
    r = CliRunner().invoke(app, ["releases", "--store", str(fresh_store_path), "-f", "json"])
    assert r.exit_code == 0, r.output
    assert "waiting up to 20 s" in r.stderr
    assert any(row["release"] == "embedded/countries" for row in json.loads(r.stdout))


def test_lock_holder_parses_duckdb_message():
    msg = ('IO Error: Could not set lock on file "/x/s.duckdb": Conflicting lock is held in '
           "/usr/bin/python3.11 (PID 4242) by user me. See also https://duckdb.org/docs/current/connect/concurrency")
    assert lock_holder(msg) == "PID 4242 (python3.11)"
    assert lock_holder("IO Error: Cannot open file: Permission denied") is None


def test_bad_lock_wait_setting_is_one_line(tmp_path, monkeypatch, fresh_store_path, writer):
    monkeypatch.setenv(LOCK_WAIT_ENV, "soon")
    line = one_error_line(CliRunner().invoke(app, ["releases", "--store", str(fresh_store_path)]))
    assert line == f"error: ${LOCK_WAIT_ENV}='soon' is not a wait in seconds; unset it or give a number from 0 to 3600, e.g. 30"


def test_open_read_only_beside_another_reader_and_on_a_read_only_file(tmp_path, store_path):
    path = tmp_path / "ro.duckdb"
    path.write_bytes(store_path.read_bytes())
    path.chmod(0o444)
    try:
        s1 = open_read_only(path)
        s2 = open_read_only(path)
        assert s1 is not None and s2 is not None and s1.read_only
        assert s1.con.execute("SELECT count(*) > 0 FROM releases").fetchone() == (True,)
        s1.close()
        s2.close()
    finally:
        path.chmod(0o644)
    assert open_read_only(tmp_path / "absent.duckdb") is None
    assert not (tmp_path / "absent.duckdb").exists()


def test_open_read_only_wants_a_writable_open_for_a_store_to_migrate(tmp_path):
    path = tmp_path / "old.duckdb"
    duckdb.connect(str(path)).close()  # an empty DuckDB file: schema version 0
    assert open_read_only(path) is None
    with pytest.raises(StoreError):
        Store(tmp_path / "nope.duckdb", read_only=True)


# -- small things -----------------------------------------------------------------------------


def test_version():
    from bilateral import __version__

    r = CliRunner().invoke(app, ["--version"])
    assert r.exit_code == 0 and r.output == f"bilateral {__version__}\n"


def test_releases_show_url_licence_and_origin(store_path):
    r = CliRunner().invoke(app, ["releases", "--store", str(store_path), "-f", "json"])
    assert r.exit_code == 0, r.output
    rows = {row["release"]: row for row in json.loads(r.stdout)}
    c = rows["embedded/countries"]
    assert c["url"] == "https://github.com/IndEcol/country_converter"
    assert c["licence"].startswith("GPL-3.0")
    assert isinstance(c["origin"], dict) and "description" in c["origin"]
    table = CliRunner().invoke(app, ["releases", "--store", str(store_path)], env={"COLUMNS": "200"})
    flat = " ".join(table.output.split())
    assert "url" in flat and "licence" in flat and "GPL-3.0" in flat


def test_export_table_does_not_cut_values(store_path):
    r = CliRunner().invoke(app, ["export", "releases", "--store", str(store_path), "-f", "table"],
                           env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    assert "…" not in r.output
    assert "embedded/eidb-export-page-totals" in r.output
    assert "https://tradestat.commerce.gov.in/eidb/commodity_wise_all_countries_export" in r.output


def test_empty_csv_export_keeps_its_header(tmp_path, store_path):
    with Store(store_path, read_only=True) as s:
        assert s.con.execute("SELECT count(*) FROM baci_countries").fetchone() == (0,)
        cols = [r[0] for r in s.con.execute("DESCRIBE baci_countries").fetchall()]
    r = CliRunner().invoke(app, ["export", "baci_countries", "--store", str(store_path), "-f", "csv"])
    assert r.exit_code == 0, r.output
    assert r.stdout == ",".join(cols) + "\n"
    out = tmp_path / "e.parquet"
    r = CliRunner().invoke(app, ["export", "baci_countries", "--store", str(store_path), "-f", "parquet",
                                 "--out", str(out)])
    assert r.exit_code == 0 and r.stderr == f"wrote {out}\n"
    import pyarrow.parquet as pq

    assert pq.read_table(out).column_names == cols


def test_read_only_commands_run_beside_a_reader_in_another_process(fresh_store_path, monkeypatch):
    """releases/export open the store read-only, so another process's read-only connection does not block them."""
    monkeypatch.setenv(LOCK_WAIT_ENV, "0")
    code = ("import duckdb, sys\n"
            "con = duckdb.connect(sys.argv[1], read_only=True)\n"
            "print('ready', flush=True)\n"
            "sys.stdin.readline()\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(fresh_store_path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        before = fresh_store_path.read_bytes()
        r = CliRunner().invoke(app, ["releases", "--store", str(fresh_store_path), "-f", "csv"])
        assert r.exit_code == 0, r.output
        e = CliRunner().invoke(app, ["export", "sectors", "--store", str(fresh_store_path), "-f", "csv"])
        assert e.exit_code == 0, e.output
        assert fresh_store_path.read_bytes() == before, "a read-only command writes nothing"
        assert not Path(str(fresh_store_path) + ".wal").exists()
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_export_csv_and_json_hold_every_row_as_stored(tmp_path, store_path):
    with Store(store_path, read_only=True) as s:
        want = s.con.execute("SELECT prefix, sector, title FROM sectors").fetchall()
    r = CliRunner().invoke(app, ["export", "sectors", "--store", str(store_path), "-f", "json"])
    assert r.exit_code == 0, r.output
    assert [(d["prefix"], d["sector"], d["title"]) for d in json.loads(r.stdout)] == want
    out = tmp_path / "sectors.csv"
    r = CliRunner().invoke(app, ["export", "sectors", "--store", str(store_path), "--out", str(out)])
    assert r.exit_code == 0 and r.stderr == f"wrote {out}\n"
    lines = out.read_text().splitlines()
    assert lines[0] == "prefix,sector,title" and len(lines) == len(want) + 1
    assert "01,agriculture_food,Agriculture and food" in lines  # HS 01 live animals → agriculture and food
    empty = CliRunner().invoke(app, ["export", "baci_countries", "--store", str(store_path), "-f", "json"])
    assert empty.exit_code == 0 and json.loads(empty.stdout) == []


def test_out_name_longer_than_the_file_system_allows(tmp_path, store_path):
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    out = tmp_path / ("o" * (limit + 1) + ".csv")
    line = one_error_line(CliRunner().invoke(app, ["releases", "--store", str(store_path), "-f", "csv",
                                                   "--out", str(out)]), 2)
    assert line.startswith("error: --out ") and line.endswith("is too long for the file system; use a shorter name")
    assert files_under(tmp_path) == []


def test_paths_under_a_file_are_one_line(tmp_path, store_path):
    f = tmp_path / "notes"
    f.write_text("x")
    line = one_error_line(CliRunner().invoke(app, ["releases", "--store", str(f / "s.duckdb")]))
    assert line == (f"error: cannot open store {f / 's.duckdb'}: a part of its folder path is a file, not a folder; "
                    "check --store (or $BILATERAL_STORE)")
    line = one_error_line(CliRunner().invoke(app, ["releases", "--store", str(store_path), "-f", "csv",
                                                   "--out", str(f / "x.csv")]), 2)
    assert line == f"error: cannot write --out {f / 'x.csv'}: a part of its folder path is a file, not a folder"
